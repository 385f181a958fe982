import { afterEach, describe, expect, it } from 'vitest';
import { createLwaTokenSource, SELLER_GRANT } from '../../../src/connectors/amazon/sp-api/lwa-token.ts';
import { HttpError } from '../../../src/connectors/amazon/sp-api/http-error.ts';
import { SellbridgeError } from '../../../src/core/errors.ts';
import { fakeClock, json, startFakeServer } from './fake-http.ts';

let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

describe('LWA token source', () => {
  it('posts the refresh-token grant form and caches the token until shortly before expiry', async () => {
    let n = 0;
    const lwa = await startFakeServer((_req, res) => json(res, 200, { access_token: `a${++n}`, expires_in: 3600 }));
    close = lwa.close;
    const clock = fakeClock();
    const source = createLwaTokenSource({
      credentials: { clientId: 'cid', clientSecret: 'sec', refreshToken: 'rt' },
      endpoint: lwa.url,
      clock,
      refreshBeforeExpiryMs: 60_000,
    });
    expect(await source.getToken(SELLER_GRANT)).toBe('a1');
    const form = new URLSearchParams(lwa.requests[0]!.body);
    expect(Object.fromEntries(form)).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'rt',
      client_id: 'cid',
      client_secret: 'sec',
    });
    expect(lwa.requests[0]!.headers['content-type']).toContain('application/x-www-form-urlencoded');
    clock.advance(3600_000 - 61_000);
    expect(await source.getToken(SELLER_GRANT)).toBe('a1');
    clock.advance(2_000);
    expect(await source.getToken(SELLER_GRANT)).toBe('a2');
    expect(await source.getToken(SELLER_GRANT, { forceRefresh: true })).toBe('a3');
  });

  it('shares one request between concurrent callers', async () => {
    const lwa = await startFakeServer((_req, res) => json(res, 200, { access_token: 'x', expires_in: 3600 }));
    close = lwa.close;
    const source = createLwaTokenSource({
      credentials: { clientId: 'c', clientSecret: 's', refreshToken: 'r' },
      endpoint: lwa.url,
      clock: fakeClock(),
    });
    await Promise.all([source.getToken(SELLER_GRANT), source.getToken(SELLER_GRANT), source.getToken(SELLER_GRANT)]);
    expect(lwa.requests).toHaveLength(1);
  });

  it('a refused refresh token is SB_AMZ_LWA_REJECTED without secrets in the message', async () => {
    const lwa = await startFakeServer((_req, res) =>
      json(res, 400, { error: 'invalid_grant', error_description: 'bad' }),
    );
    close = lwa.close;
    const source = createLwaTokenSource({
      credentials: { clientId: 'c', clientSecret: 'topsecret', refreshToken: 'Atzr|r' },
      endpoint: lwa.url,
      clock: fakeClock(),
    });
    const err = await source.getToken(SELLER_GRANT).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect(err).toMatchObject({ code: 'SB_AMZ_LWA_REJECTED', amazonCode: 'invalid_grant', status: 400 });
    expect((err as Error).message).not.toMatch(/topsecret|Atzr/);
  });

  it('missing credentials are a config error naming the settings', async () => {
    const source = createLwaTokenSource({
      credentials: { clientId: 'c' },
      endpoint: 'http://127.0.0.1:1',
      clock: fakeClock(),
    });
    const err = await source.getToken(SELLER_GRANT).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SellbridgeError);
    expect(err).toMatchObject({ code: 'SB_AMZ_CREDENTIALS_MISSING', kind: 'config' });
    expect((err as Error).message).toContain('amazon.refreshToken');
  });
});
