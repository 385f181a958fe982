import { describe, expect, it } from 'vitest';
import { sageServerKey } from '../../../src/connectors/sage500/server-identity.ts';
import type { ResolvedConfig } from '../../../src/config/schema.ts';
import { SellbridgeError } from '../../../src/core/errors.ts';
import { createSharedCircuits } from '../../../src/runtime/circuit/shared-circuits.ts';
import type { CircuitState } from '../../../src/runtime/circuit/circuit-breaker.ts';

type Sage = ResolvedConfig['sage500'];
const sqlserver = (url: string | undefined): Sage => ({ kind: 'sqlserver', url, sandboxPath: 'unused.db' }) as Sage;
const sandbox = (sandboxPath: string): Sage => ({ kind: 'sandbox', sandboxPath }) as Sage;
const down = () => new SellbridgeError('SB_SAGE_UNAVAILABLE', 'cannot connect to Sage 500 (test)');

describe('sageServerKey: which Sage server a connection is on', () => {
  it('is the same for two companies (and two logins) on one SQL Server database', () => {
    const a = sageServerKey(sqlserver('mssql://sb_us:S3cret%21@sage01.corp.local:1433/sage500_app'), 'us1');
    const b = sageServerKey(sqlserver('mssql://sb_de:other-pw@SAGE01.corp.local:1433/Sage500_App?encrypt=false'), 'de');
    expect(a).toBe(b);
    expect(a).toBe('sqlserver://sage01.corp.local:1433/sage500_app');
  });

  it('differs by host, port, named instance and database', () => {
    const key = (url: string) => sageServerKey(sqlserver(url), 'x');
    const base = key('mssql://u:p@sage01:1433/sage500_app');
    expect(key('mssql://u:p@sage02:1433/sage500_app')).not.toBe(base);
    expect(key('mssql://u:p@sage01:1434/sage500_app')).not.toBe(base);
    expect(key('mssql://u:p@sage01:1433/sage500_test')).not.toBe(base);
    expect(key('mssql://u:p@sage01/sage500_app?instanceName=SAGE')).not.toBe(base);
    expect(key('mssql://u:p@sage01/sage500_app')).toBe(base); // no port: the default 1433
  });

  it('never carries the user or the password', () => {
    const key = sageServerKey(sqlserver('mssql://sellbridge:Pa55-w0rd!x@sage01:1433/sage500_app'), 'us1');
    expect(key).not.toContain('Pa55');
    expect(key).not.toContain('sellbridge');
    // An unparseable URL is the connection's own server, without echoing it.
    const bad = sageServerKey(sqlserver('not a url Pa55-w0rd'), 'us1');
    expect(bad).toBe('sqlserver:unparsed:us1');
    expect(sageServerKey(sqlserver(undefined), 'us1')).toBe('sqlserver:unset:us1');
  });

  it('sandbox: the resolved file path; in memory and agent: the connection alone', () => {
    expect(sageServerKey(sandbox('./data/sage.db'), 'a')).toBe(sageServerKey(sandbox('data/../data/sage.db'), 'b'));
    expect(sageServerKey(sandbox('./data/sage.db'), 'a')).not.toBe(sageServerKey(sandbox('./data/other.db'), 'a'));
    expect(sageServerKey(sandbox(':memory:'), 'a')).not.toBe(sageServerKey(sandbox(':memory:'), 'b'));
    const agent = { kind: 'agent', sandboxPath: 'x' } as Sage;
    expect(sageServerKey(agent, 'a')).not.toBe(sageServerKey(agent, 'b'));
  });
});

describe('createSharedCircuits: one circuit per key', () => {
  const options = { target: 'sage500', failureThreshold: 2, openMs: 1000, now: () => 0 };

  it('gives users of one key the same circuit, and every user hears its state changes', async () => {
    const circuits = createSharedCircuits();
    const heard: Record<string, CircuitState[]> = { a: [], b: [], c: [] };
    const listen = (id: string) => ({ onStateChange: (s: CircuitState) => void heard[id]!.push(s) });
    const a = circuits.acquire('sandbox:/one.db', options, listen('a'));
    const b = circuits.acquire('sandbox:/one.db', { ...options, failureThreshold: 50 }, listen('b'));
    const c = circuits.acquire('sandbox:/two.db', options, listen('c'));
    expect(b.circuit.target).toBe('sage500');
    expect(a.users()).toBe(2);
    expect(b.settings).toEqual({ failureThreshold: 2, openMs: 1000 }); // the first user's
    // Two failures through a's engine open the circuit of the server for b as well (the first user's threshold).
    for (let i = 0; i < 2; i++) await expect(a.circuit.run(() => Promise.reject(down()))).rejects.toThrow();
    expect(b.circuit.state()).toBe('open');
    expect(heard).toEqual({ a: ['open'], b: ['open'], c: [] });
    let reached = false;
    await expect(
      b.circuit.run(async () => {
        reached = true;
      }),
    ).rejects.toThrow(/circuit is open/);
    expect(reached).toBe(false);
    expect(c.circuit.state()).toBe('closed');
  });

  it('tells each user the outcomes of its own calls only (a call costs the same with 1 or 100 users)', async () => {
    const circuits = createSharedCircuits();
    const outcomes: Record<string, boolean[]> = { a: [], b: [] };
    const listen = (id: string) => ({ onOutcome: (ok: boolean) => void outcomes[id]!.push(ok) });
    const a = circuits.acquire('k', options, listen('a'));
    const b = circuits.acquire('k', options, listen('b'));
    await a.circuit.run(() => Promise.resolve(1));
    await expect(b.circuit.run(() => Promise.reject(down()))).rejects.toThrow();
    const perCall: boolean[] = [];
    await a.circuit.run(
      () => Promise.resolve(2),
      (ok) => perCall.push(ok),
    );
    expect(outcomes).toEqual({ a: [true, true], b: [false] });
    expect(perCall).toEqual([true]);
    // The failure through b counted toward the shared circuit: one more through a opens it for both.
    await expect(a.circuit.run(() => Promise.reject(down()))).rejects.toThrow();
    await expect(a.circuit.run(() => Promise.reject(down()))).rejects.toThrow();
    expect(b.circuit.state()).toBe('open');
  });

  it('forgets a circuit when its last user releases it; a new user starts closed', async () => {
    const circuits = createSharedCircuits();
    const a = circuits.acquire('k', options, {});
    const b = circuits.acquire('k', options, {});
    for (let i = 0; i < 2; i++) await expect(a.circuit.run(() => Promise.reject(down()))).rejects.toThrow();
    a.release();
    a.release(); // idempotent
    expect(circuits.keys()).toEqual(['k']);
    expect(b.users()).toBe(1);
    b.release();
    expect(circuits.keys()).toEqual([]);
    const again = circuits.acquire('k', options, {});
    expect(again.circuit).not.toBe(a.circuit);
    expect(again.circuit.state()).toBe('closed');
  });
});
