import { describe, expect, it } from 'vitest';
import { SellbridgeError } from '../../../src/core/errors.ts';
import { httpStatusOf } from '../../../src/server/app.ts';
import { csvCell, parseCsv, toCsv } from '../../../src/server/csv.ts';
import { WindowLimiter } from '../../../src/server/http/security.ts';
import { parseCookies, sessionCookie } from '../../../src/server/http/auth.ts';
import { suggestedFixesOf } from '../../../src/server/routes/dead-letters.ts';
import type { DeadLetter } from '../../../src/runtime/queue/dead-letters.ts';
import { roleAllows } from '../../../src/runtime/auth/roles.ts';

describe('CSV (RFC 4180)', () => {
  it('parses quotes, doubled quotes, CRLF, a BOM and a missing final newline', () => {
    expect(parseCsv('\ufeffa,b\r\n"x, y","say ""hi"""\nlast,row')).toEqual([
      ['a', 'b'],
      ['x, y', 'say "hi"'],
      ['last', 'row'],
    ]);
    expect(() => parseCsv('a,"open')).toThrow('unterminated');
  });
  it('writes what it reads, and defuses spreadsheet formulas', () => {
    const rows = [
      ['SKU,1', 'ITEM "A"'],
      ['=HYPERLINK("x")', '+1'],
    ];
    const back = parseCsv(toCsv(['s', 'i'], rows));
    expect(back[1]).toEqual(['SKU,1', 'ITEM "A"']);
    expect(back[2]).toEqual(['\'=HYPERLINK("x")', "'+1"]);
    expect(csvCell('plain')).toBe('plain');
  });
});

describe('edge helpers', () => {
  it('maps Sellbridge errors to HTTP statuses', () => {
    expect(httpStatusOf(new SellbridgeError('SB_DLQ_NOT_FOUND', 'x'))).toBe(404);
    expect(httpStatusOf(new SellbridgeError('SB_DLQ_ALREADY_RESOLVED', 'x'))).toBe(409);
    expect(httpStatusOf(new SellbridgeError('SB_AUTH_USER_EXISTS', 'x'))).toBe(409);
    expect(httpStatusOf(new SellbridgeError('SB_AUTH_PASSWORD_WEAK', 'x'))).toBe(400);
    expect(httpStatusOf(new SellbridgeError('SB_STORE_UNAVAILABLE', 'x'))).toBe(503);
    expect(httpStatusOf(new SellbridgeError('SB_JOB_HANDLER_CRASHED', 'x'))).toBe(500);
  });
  it('limits per key in a fixed window', () => {
    const l = new WindowLimiter(2, 1000);
    expect([l.take('ip', 0), l.take('ip', 10), l.take('ip', 20) > 0, l.take('other', 20)]).toEqual([0, 0, true, 0]);
    expect(l.take('ip', 1000)).toBe(0);
  });
  it('reads cookies and writes the session cookie with its flags', () => {
    expect(parseCookies('a=1; sb_session=sbs_x%2By; broken')).toEqual({ a: '1', sb_session: 'sbs_x+y' });
    expect(sessionCookie('v', { maxAgeS: 60, secure: true })).toBe(
      'sb_session=v; Path=/; HttpOnly; SameSite=Strict; Max-Age=60; Secure',
    );
  });
  it('orders roles viewer < operator < admin', () => {
    expect([
      roleAllows('viewer', 'operator'),
      roleAllows('operator', 'operator'),
      roleAllows('admin', 'viewer'),
      roleAllows('operator', 'admin'),
    ]).toEqual([false, true, true, false]);
  });
});

describe('suggested fixes of dead letters', () => {
  const dl = (
    over: Partial<DeadLetter['error']>,
    payload: unknown = { connectionId: 'eu', amazonOrderId: '1' },
  ): DeadLetter => ({
    id: 'd',
    queue: 'order.sync',
    jobId: 'j',
    jobKey: 'k',
    payload,
    error: { code: 'SB_MAP_SKU_UNKNOWN', kind: 'mapping', message: 'm', context: {}, ...over },
    attempts: 1,
    occurrences: 1,
    firstFailedAt: '',
    lastFailedAt: '',
    status: 'open',
    resolvedAt: null,
    resolvedBy: null,
    replayJobId: null,
  });
  it('one sku-alias fix per unknown SellerSKU, with the candidates and the connection of the payload', () => {
    const fixes = suggestedFixesOf(
      dl({
        issues: [
          { field: 'lines[0].sku', problem: 'unknown SellerSKU A-1', suggestions: ['A-01'] },
          { field: 'lines[1].sku', problem: 'unknown SellerSKU B 2' },
          { field: 'shipTo.city', problem: 'missing' },
        ],
      }),
      'default',
    );
    expect(fixes).toEqual([
      { kind: 'sku-alias', connectionId: 'eu', sellerSku: 'A-1', field: 'lines[0].sku', candidates: ['A-01'] },
      { kind: 'sku-alias', connectionId: 'eu', sellerSku: 'B 2', field: 'lines[1].sku', candidates: [] },
    ]);
  });
  it('edit-payload for a bad payload, replay for transient causes, nothing for other mapping errors', () => {
    expect(suggestedFixesOf(dl({ code: 'SB_JOB_PAYLOAD_INVALID', kind: 'validation' }), 'default')[0]?.kind).toBe(
      'edit-payload',
    );
    expect(suggestedFixesOf(dl({ code: 'SB_JOB_ATTEMPTS_EXHAUSTED', kind: 'transient' }), 'default')[0]?.kind).toBe(
      'replay',
    );
    expect(
      suggestedFixesOf(
        dl({ code: 'SB_MAP_ADDRESS_INVALID', issues: [{ field: 'shipTo.lines', problem: 'too long' }] }),
        'default',
      ),
    ).toEqual([]);
  });
});
