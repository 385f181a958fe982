import type { Clock } from '../../../core/ports/clock.ts';
import { SellbridgeError } from '../../../core/errors.ts';
import { errorFromResponse, fetchWithDeadline, HttpError, parseJson, type FetchFn } from './http-error.ts';
import { LWA_TOKEN_ENDPOINT } from './regions.ts';

/** Which token a call needs: the seller's (refresh-token grant) or a grantless one for a scope. */
export type Grant = { readonly kind: 'seller' } | { readonly kind: 'grantless'; readonly scope: string };

export const SELLER_GRANT: Grant = { kind: 'seller' };
export const NOTIFICATIONS_SCOPE = 'sellingpartnerapi::notifications';
export const NOTIFICATIONS_GRANT: Grant = { kind: 'grantless', scope: NOTIFICATIONS_SCOPE };

/** Hands out LWA access tokens; the transport asks again with `forceRefresh` after a 401. */
export interface AccessTokenSource {
  getToken(grant: Grant, options?: { readonly forceRefresh?: boolean }): Promise<string>;
}

export interface LwaCredentials {
  readonly clientId?: string | undefined;
  readonly clientSecret?: string | undefined;
  /** The seller's refresh token; needed for seller-authorized operations only. */
  readonly refreshToken?: string | undefined;
  /**
   * Where the refresh token comes from when `refreshToken` is not set: the one the authorization workflow stored
   * (sealed) for the connection. Asked on each LWA refresh (about once an hour), so a new authorization is used
   * without a restart.
   */
  readonly refreshTokenSource?: () => Promise<string | undefined>;
}

export interface LwaTokenSourceOptions {
  readonly credentials: LwaCredentials;
  readonly endpoint?: string | undefined;
  readonly fetch?: FetchFn;
  readonly clock: Clock;
  readonly timeoutMs?: number;
  /** Tokens are renewed this long before they expire (LWA tokens live one hour). */
  readonly refreshBeforeExpiryMs?: number;
  /** Wraps each token request to LWA (not cached answers), e.g. the `lwa` circuit (circuit-transport.ts). */
  readonly around?: <T>(call: () => Promise<T>) => Promise<T>;
}

interface CachedToken {
  readonly token: string;
  readonly expiresAt: number;
}

/**
 * Login with Amazon token source for one seller (one refresh token) and the application's grantless scopes.
 * Tokens are cached until `refreshBeforeExpiryMs` before expiry; concurrent callers share one request.
 * @throws SellbridgeError SB_AMZ_CREDENTIALS_MISSING; HttpError SB_AMZ_LWA_REJECTED (400/401 from LWA),
 *   SB_AMZ_THROTTLED, SB_AMZ_SERVER_ERROR, SB_AMZ_TIMEOUT, SB_AMZ_NETWORK.
 */
export function createLwaTokenSource(
  options: LwaTokenSourceOptions,
): AccessTokenSource & { readonly requests: () => number } {
  const endpoint = options.endpoint ?? LWA_TOKEN_ENDPOINT;
  const fetchFn = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const skew = options.refreshBeforeExpiryMs ?? 5 * 60_000;
  const cache = new Map<string, CachedToken>();
  const inflight = new Map<string, Promise<CachedToken>>();
  let requests = 0;

  async function request(grant: Grant): Promise<CachedToken> {
    const { clientId, clientSecret, refreshTokenSource } = options.credentials;
    const refreshToken =
      options.credentials.refreshToken ??
      (grant.kind === 'seller' && refreshTokenSource ? await refreshTokenSource() : undefined);
    const missing = [
      !clientId && 'amazon.lwaClientId',
      !clientSecret && 'amazon.lwaClientSecret',
      grant.kind === 'seller' &&
        !refreshToken &&
        (refreshTokenSource
          ? 'amazon.refreshToken (none configured or stored: `sellbridge connections authorize <id>`)'
          : 'amazon.refreshToken'),
    ].filter(Boolean);
    if (missing.length > 0) {
      throw new SellbridgeError('SB_AMZ_CREDENTIALS_MISSING', `LWA credentials missing: ${missing.join(', ')}`, {
        context: { missing: missing as string[] },
      });
    }
    const form = new URLSearchParams(
      grant.kind === 'seller'
        ? {
            grant_type: 'refresh_token',
            refresh_token: refreshToken!,
            client_id: clientId!,
            client_secret: clientSecret!,
          }
        : { grant_type: 'client_credentials', scope: grant.scope, client_id: clientId!, client_secret: clientSecret! },
    );
    requests++;
    const operation = 'lwa.token';
    const { response, bytes } = await fetchWithDeadline(
      fetchFn,
      endpoint,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
        body: form.toString(),
      },
      operation,
      timeoutMs,
    );
    const body = parseJson(bytes);
    if (!response.ok) {
      const err = errorFromResponse(operation, response.status, response.headers, body);
      if (response.status === 400 || response.status === 401 || response.status === 403) {
        throw new HttpError(
          'SB_AMZ_LWA_REJECTED',
          `Login with Amazon refused the ${grant.kind === 'seller' ? 'refresh token' : `client credentials for ${grant.scope}`} (${err.amazonCode ?? response.status})`,
          {
            operation,
            status: response.status,
            amazonCode: err.amazonCode,
            requestId: err.requestId,
          },
        );
      }
      throw err;
    }
    const token = (body as { access_token?: unknown } | undefined)?.access_token;
    const expiresIn = (body as { expires_in?: unknown } | undefined)?.expires_in;
    if (typeof token !== 'string' || token.length === 0) {
      throw new HttpError('SB_AMZ_RESPONSE_INVALID', 'Login with Amazon answered without an access_token', {
        operation,
        status: response.status,
      });
    }
    const lifetimeMs = (typeof expiresIn === 'number' && expiresIn > 0 ? expiresIn : 3600) * 1000;
    return { token, expiresAt: options.clock.now().getTime() + lifetimeMs };
  }

  return {
    requests: () => requests,
    async getToken(grant, opts = {}) {
      const key = grant.kind === 'seller' ? 'seller' : `scope:${grant.scope}`;
      const cached = cache.get(key);
      if (!opts.forceRefresh && cached && cached.expiresAt - skew > options.clock.now().getTime()) return cached.token;
      let pending = inflight.get(key);
      if (!pending) {
        pending = (options.around ? options.around(() => request(grant)) : request(grant)).finally(() =>
          inflight.delete(key),
        );
        inflight.set(key, pending);
      }
      const fresh = await pending;
      cache.set(key, fresh);
      return fresh.token;
    },
  };
}
