import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/observability/logger.ts';
import {
  createWindowsEventLogStream,
  EVENT_ID,
  eventCreateArgs,
  eventDescription,
} from '../../../src/observability/windows-event-log.ts';

/** The eventcreate calls a logger would make, with a clock the test moves. */
function recorder(maxPerMinute = 20) {
  const calls: string[][] = [];
  let t = Date.parse('2026-12-07T00:00:00Z');
  const stream = createWindowsEventLogStream({
    maxPerMinute,
    now: () => t,
    run: (file, args) => calls.push([file, ...args]),
  });
  const main = new Writable({ write: (_c, _e, cb) => cb() });
  const logger = createLogger({ level: 'info', destination: main, windowsEventLog: stream });
  const flush = () => new Promise<void>((r) => setImmediate(r));
  return { calls, logger, flush, advance: (ms: number) => (t += ms) };
}

describe('Windows event log sink', () => {
  it('writes error and fatal lines through eventcreate, nothing below error', async () => {
    const { calls, logger, flush } = recorder();
    logger.info('started');
    logger.warn('slow');
    logger.error({ code: 'SB_SAGE_UNREACHABLE', job: 'order.sync' }, 'Sage 500 is unreachable');
    logger.fatal({ err: new Error('store is corrupt') }, 'cannot start');
    await flush();
    expect(calls).toHaveLength(2);
    expect(calls[0]!.slice(0, 9)).toEqual([
      'eventcreate',
      '/L',
      'APPLICATION',
      '/T',
      'ERROR',
      '/SO',
      'Sellbridge',
      '/ID',
      '1000',
    ]);
    expect(calls[0]![10]).toMatch(/^Sage 500 is unreachable \(SB_SAGE_UNREACHABLE\)\ntime=\S+Z job=order\.sync$/);
    expect(calls[1]![8]).toBe(String(EVENT_ID.fatal));
    expect(calls[1]![10]).toContain('cannot start : store is corrupt');
  });

  it('never carries buyer PII or secrets: it gets the line after redaction', async () => {
    const { calls, logger, flush } = recorder();
    logger.error({ shippingAddress: { name: 'Jane Buyer' }, refreshToken: 'Atzr|SECRET', amazonOrderId: '111-2' }, 'x');
    await flush();
    expect(calls).toHaveLength(1);
    expect(calls[0]!.join(' ')).not.toMatch(/Jane|Atzr/);
    expect(calls[0]![10]).toContain('amazonOrderId=111-2');
  });

  it('caps a storm at maxPerMinute, then says how many were left out', async () => {
    const { calls, logger, flush, advance } = recorder(3);
    for (let i = 0; i < 10; i++) logger.error(`failure ${i}`);
    await flush();
    expect(calls.map((c) => c[10]!.split('\n')[0])).toEqual(['failure 0', 'failure 1', 'failure 2']);
    advance(61_000);
    logger.error('after the storm');
    await flush();
    expect(calls.slice(3).map((c) => [c[4], c[8], c[10]!.split('\n')[0]])).toEqual([
      ['WARNING', String(EVENT_ID.suppressed), expect.stringMatching(/^7 more Sellbridge error\(s\)/)],
      ['ERROR', String(EVENT_ID.error), 'after the storm'],
    ]);
  });

  it('keeps descriptions within what eventcreate accepts', () => {
    const text = eventDescription({ level: 'error', msg: 'x'.repeat(5000) });
    expect(text.length).toBeLessThanOrEqual(1000);
    expect(eventCreateArgs('Sellbridge', 'ERROR', 1000, 'a "quoted" text')).toEqual([
      '/L',
      'APPLICATION',
      '/T',
      'ERROR',
      '/SO',
      'Sellbridge',
      '/ID',
      '1000',
      '/D',
      'a "quoted" text',
    ]);
  });

  it('is off unless asked for, and only on Windows when asked with true', async () => {
    const lines: string[] = [];
    const main = new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) });
    createLogger({ level: 'info', destination: main, windowsEventLog: true }).error('e');
    await new Promise<void>((r) => setImmediate(r));
    // On Linux (CI) `true` adds nothing: the one line reached the main destination and no eventcreate ran.
    expect(lines).toHaveLength(1);
  });
});
