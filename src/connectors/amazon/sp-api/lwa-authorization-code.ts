import { errorFromResponse, fetchWithDeadline, HttpError, parseJson, type FetchFn } from './http-error.ts';
import { LWA_TOKEN_ENDPOINT } from './regions.ts';

export interface AuthorizationCodeExchange {
  readonly code: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The redirect URI of the consent request, when one was sent (OAuth 2: the exchange must repeat it). */
  readonly redirectUri?: string | undefined;
  readonly endpoint?: string | undefined;
  readonly fetch?: FetchFn;
  readonly timeoutMs?: number;
}

/**
 * Website authorization workflow, last step: exchanges the `spapi_oauth_code` Amazon put on the callback for the
 * seller's refresh token at Login with Amazon (`grant_type=authorization_code`, same endpoint as token refresh;
 * sp-api-facts §1). The code is valid for minutes and once.
 * @throws HttpError SB_AMZ_LWA_REJECTED (400/401/403: bad, used or expired code, wrong client), SB_AMZ_RESPONSE_INVALID,
 *   and the transport errors of errorFromResponse (throttled, server error, timeout, network).
 */
export async function exchangeAuthorizationCode(options: AuthorizationCodeExchange): Promise<{ refreshToken: string }> {
  const operation = 'lwa.authorizationCode';
  const form = new URLSearchParams({
    grant_type: 'authorization_code',
    code: options.code,
    client_id: options.clientId,
    client_secret: options.clientSecret,
    ...(options.redirectUri ? { redirect_uri: options.redirectUri } : {}),
  });
  const { response, bytes } = await fetchWithDeadline(
    options.fetch ?? globalThis.fetch,
    options.endpoint ?? LWA_TOKEN_ENDPOINT,
    {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
      body: form.toString(),
    },
    operation,
    options.timeoutMs ?? 15_000,
  );
  const body = parseJson(bytes) as { refresh_token?: unknown; error?: unknown } | undefined;
  if (!response.ok) {
    const err = errorFromResponse(operation, response.status, response.headers, body);
    if (response.status === 400 || response.status === 401 || response.status === 403) {
      const oauthError = typeof body?.error === 'string' ? body.error : undefined;
      throw new HttpError(
        'SB_AMZ_LWA_REJECTED',
        `Login with Amazon refused the authorization code (${oauthError ?? err.amazonCode ?? response.status})`,
        { operation, status: response.status, amazonCode: oauthError ?? err.amazonCode, requestId: err.requestId },
      );
    }
    throw err;
  }
  if (typeof body?.refresh_token !== 'string' || body.refresh_token.length === 0)
    throw new HttpError(
      'SB_AMZ_RESPONSE_INVALID',
      'Login with Amazon answered the code exchange without a refresh_token',
      {
        operation,
        status: response.status,
      },
    );
  return { refreshToken: body.refresh_token };
}
