import { describe, expect, it } from 'vitest';
import { SellbridgeError } from '../../../src/core/errors.ts';
import {
  createCircuitBreaker,
  guardWithCircuit,
  type CircuitState,
} from '../../../src/runtime/circuit/circuit-breaker.ts';

const down = () => new SellbridgeError('SB_SAGE_UNAVAILABLE', 'cannot connect', { retryAfterMs: 60_000 });
const rejected = () => new SellbridgeError('SB_SAGE_ORDER_REJECTED', 'bad order');

function setup(threshold = 3, openMs = 1000) {
  let t = 0;
  const changes: CircuitState[] = [];
  const breaker = createCircuitBreaker({
    target: 'sage500',
    failureThreshold: threshold,
    openMs,
    now: () => t,
    onStateChange: (s) => changes.push(s),
  });
  let calls = 0;
  const call = (outcome: 'ok' | 'down' | 'rejected') =>
    breaker.run(async () => {
      calls++;
      if (outcome === 'down') throw down();
      if (outcome === 'rejected') throw rejected();
      return 'ok';
    });
  return { breaker, call, changes, advance: (ms: number) => (t += ms), calls: () => calls };
}

describe('circuit breaker', () => {
  it('reports each call that reached the dependency: answered (success or a business error) or failed; never a fail-fast one', async () => {
    const outcomes: Array<[boolean, string | undefined]> = [];
    const breaker = createCircuitBreaker({
      target: 'sage500',
      failureThreshold: 1,
      openMs: 1000,
      now: () => 0,
      onOutcome: (ok, err) => outcomes.push([ok, (err as { code?: string } | undefined)?.code]),
    });
    await breaker.run(async () => 'ok');
    await expect(breaker.run(() => Promise.reject(rejected()))).rejects.toThrow();
    await expect(breaker.run(() => Promise.reject(down()))).rejects.toThrow();
    await expect(breaker.run(async () => 'not called')).rejects.toThrow(); // open: fails fast, not reported
    expect(outcomes).toEqual([
      [true, undefined],
      [true, undefined],
      [false, 'SB_SAGE_UNAVAILABLE'],
    ]);
  });

  it('opens after N consecutive unavailable failures; then fails fast without calling, as unavailable with retryAfterMs', async () => {
    const c = setup(3, 1000);
    await expect(c.call('down')).rejects.toMatchObject({ code: 'SB_SAGE_UNAVAILABLE' });
    await expect(c.call('down')).rejects.toThrow();
    expect(c.breaker.state()).toBe('closed');
    await expect(c.call('down')).rejects.toThrow();
    expect(c.breaker.state()).toBe('open');
    expect(c.calls()).toBe(3);
    c.advance(400);
    const err = await c.call('ok').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SellbridgeError);
    expect(err).toMatchObject({
      code: 'SB_SAGE_UNAVAILABLE',
      kind: 'unavailable',
      retryAfterMs: 600,
      context: { circuit: 'sage500', state: 'open' },
    });
    expect(c.calls()).toBe(3);
  });

  it('lets one probe through after openMs: success closes, failure opens again', async () => {
    const c = setup(1, 1000);
    await expect(c.call('down')).rejects.toThrow();
    c.advance(1000);
    await expect(c.call('down')).rejects.toThrow('cannot connect'); // the probe reached the dependency
    expect(c.breaker.state()).toBe('open');
    expect(c.calls()).toBe(2);
    c.advance(1000);
    await expect(c.call('ok')).resolves.toBe('ok');
    expect(c.breaker.state()).toBe('closed');
    expect(c.changes).toEqual(['open', 'half-open', 'open', 'half-open', 'closed']);
  });

  it('only one probe at a time while half-open', async () => {
    let t = 0;
    const breaker = createCircuitBreaker({ target: 'x', failureThreshold: 1, openMs: 100, now: () => t });
    await expect(breaker.run(() => Promise.reject(down()))).rejects.toThrow();
    t = 100;
    let release!: () => void;
    const probe = breaker.run(() => new Promise<string>((r) => (release = () => r('ok'))));
    await expect(breaker.run(async () => 'second')).rejects.toMatchObject({ kind: 'unavailable' });
    release();
    await expect(probe).resolves.toBe('ok');
    await expect(breaker.run(async () => 'after')).resolves.toBe('after');
  });

  it('an answer that is not "unavailable" (a rejected order) shows the dependency is up and resets the count', async () => {
    const c = setup(2);
    await expect(c.call('down')).rejects.toThrow();
    await expect(c.call('rejected')).rejects.toMatchObject({ code: 'SB_SAGE_ORDER_REJECTED' });
    await expect(c.call('down')).rejects.toThrow();
    expect(c.breaker.state()).toBe('closed');
    expect(c.breaker.snapshot()).toMatchObject({ state: 'closed', consecutiveFailures: 1 });
  });

  it('guardWithCircuit routes every method through the breaker, except close', async () => {
    let t = 0;
    const breaker = createCircuitBreaker({ target: 'g', failureThreshold: 1, openMs: 1000, now: () => t });
    let closed = false;
    const gateway = guardWithCircuit(
      { health: () => Promise.reject(down()), listItems: async () => ['A'], close: async () => void (closed = true) },
      breaker,
    );
    await expect(gateway.health()).rejects.toThrow('cannot connect');
    await expect(gateway.listItems()).rejects.toMatchObject({ context: { circuit: 'g' } });
    await gateway.close();
    expect(closed).toBe(true);
    t = 1000;
    await expect(gateway.listItems()).resolves.toEqual(['A']);
  });

  it('ensureAvailable throws while open, and lets work through once the probe is due', async () => {
    const c = setup(1, 1000);
    expect(() => c.breaker.ensureAvailable()).not.toThrow();
    await expect(c.call('down')).rejects.toThrow();
    expect(() => c.breaker.ensureAvailable()).toThrow(
      expect.objectContaining({ code: 'SB_SAGE_UNAVAILABLE', retryAfterMs: 1000 }),
    );
    c.advance(1000);
    expect(() => c.breaker.ensureAvailable()).not.toThrow(); // the one that will probe
    expect(() => c.breaker.ensureAvailable()).toThrow(expect.objectContaining({ kind: 'unavailable' })); // the others wait
    await expect(c.call('ok')).resolves.toBe('ok');
    expect(() => c.breaker.ensureAvailable()).not.toThrow();
    expect(() => c.breaker.ensureAvailable()).not.toThrow();
  });
});
