import type { FastifyInstance, FastifyReply } from 'fastify';
import { applyFault } from '../http.ts';
import type { SimulatorState } from '../state.ts';
import { redeemConsentCode } from './consent.ts';

/**
 * Login with Amazon token endpoint, `POST /auth/o2/token` (form-encoded; JSON accepted too). Grants:
 * `refresh_token` (seller-authorized calls), `client_credentials` with a `scope` (grantless calls) and
 * `authorization_code` (a `spapi_oauth_code` from the consent page, routes/consent.ts, for the seller's refresh token).
 * Errors follow OAuth 2: `{ error, error_description }`.
 */
const GRANTLESS_SCOPES = new Set(['sellingpartnerapi::notifications', 'sellingpartnerapi::client_credential:rotation']);

function oauthError(reply: FastifyReply, status: number, error: string, description: string): FastifyReply {
  return reply.code(status).header('content-type', 'application/json').send({ error, error_description: description });
}

export function registerLwaRoutes(app: FastifyInstance, sim: SimulatorState): void {
  app.post('/auth/o2/token', { config: { kind: 'lwa' } }, async (request, reply) => {
    reply.header('x-amzn-RequestId', sim.requestId());
    if (await applyFault(sim, 'lwa', reply)) return reply;
    const form = (request.body ?? {}) as Record<string, string | undefined>;
    const { grant_type: grantType, client_id: clientId, client_secret: clientSecret } = form;
    if (!clientId || !clientSecret)
      return oauthError(reply, 400, 'invalid_request', 'client_id and client_secret are required.');
    if (
      (sim.options.clientId && sim.options.clientId !== clientId) ||
      (sim.options.clientSecret && sim.options.clientSecret !== clientSecret)
    ) {
      return oauthError(reply, 401, 'invalid_client', 'Client authentication failed.');
    }
    const lifetime = sim.options.tokenLifetimeSeconds ?? 3600;
    const token = `Atza|sim.${sim.idPrng.alnum(40)}`;
    const expiresAtMs = sim.now() + lifetime * 1000;
    if (grantType === 'refresh_token') {
      const refreshToken = form.refresh_token;
      if (!refreshToken)
        return oauthError(reply, 400, 'invalid_request', 'refresh_token is required for grant_type=refresh_token.');
      const known = sim.sellers.find((s) => s.refreshToken === refreshToken);
      if (!known && sim.options.strictRefreshTokens)
        return oauthError(reply, 400, 'invalid_grant', 'The request has an invalid grant parameter : refresh_token');
      const seller = known ?? sim.defaultSeller();
      sim.tokens.set(token, { token, kind: 'seller', sellerId: seller.sellerId, clientId, expiresAtMs });
      return reply.send({
        access_token: token,
        refresh_token: refreshToken,
        token_type: 'bearer',
        expires_in: lifetime,
      });
    }
    if (grantType === 'authorization_code') {
      const code = form.code;
      if (!code)
        return oauthError(reply, 400, 'invalid_request', 'code is required for grant_type=authorization_code.');
      const redeemed = redeemConsentCode(sim, code, form.redirect_uri);
      if (!redeemed)
        return oauthError(reply, 400, 'invalid_grant', 'The authorization code is invalid, expired or already used.');
      sim.tokens.set(token, { token, kind: 'seller', sellerId: redeemed.sellerId, clientId, expiresAtMs });
      return reply.send({
        access_token: token,
        refresh_token: redeemed.refreshToken,
        token_type: 'bearer',
        expires_in: lifetime,
      });
    }
    if (grantType === 'client_credentials') {
      const scope = form.scope;
      if (!scope || !GRANTLESS_SCOPES.has(scope))
        return oauthError(reply, 400, 'invalid_scope', 'The scope is missing or not a grantless SP-API scope.');
      sim.tokens.set(token, { token, kind: 'grantless', clientId, scope, expiresAtMs });
      return reply.send({ access_token: token, scope, token_type: 'bearer', expires_in: lifetime });
    }
    return oauthError(reply, 400, 'unsupported_grant_type', `grant_type ${grantType ?? '(none)'} is not supported.`);
  });
}
