import type { FastifyInstance, FastifyReply } from 'fastify';
import type { SimulatorState } from '../state.ts';

/**
 * Seller Central's consent page of the website authorization workflow (`/apps/authorize/consent`) and the codes it
 * hands out. GET shows the page (application id, the seller to act as, a Confirm button); confirming redirects the
 * browser to `redirect_uri` with `spapi_oauth_code`, `state` and `selling_partner_id`, as Amazon does. The code is
 * valid for 5 minutes and once; LWA's `grant_type=authorization_code` (routes/lwa.ts) redeems it for the seller's
 * refresh token.
 */
export interface ConsentCode {
  readonly sellerId: string;
  readonly refreshToken: string;
  readonly redirectUri: string;
  readonly expiresAtMs: number;
  used: boolean;
}

const CODE_LIFETIME_MS = 5 * 60_000;
const codesBySim = new WeakMap<SimulatorState, Map<string, ConsentCode>>();

export function consentCodes(sim: SimulatorState): Map<string, ConsentCode> {
  let codes = codesBySim.get(sim);
  if (!codes) codesBySim.set(sim, (codes = new Map()));
  return codes;
}

/** Redeems a code once; undefined (invalid_grant) when unknown, used, expired or for another redirect URI. */
export function redeemConsentCode(
  sim: SimulatorState,
  code: string,
  redirectUri: string | undefined,
): ConsentCode | undefined {
  const found = consentCodes(sim).get(code);
  if (!found || found.used || found.expiresAtMs <= sim.now()) return undefined;
  if (redirectUri !== undefined && redirectUri !== found.redirectUri) return undefined;
  found.used = true;
  return found;
}

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function page(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Authorize application (simulator)</title></head><body>${body}</body></html>`,
    );
}

export function registerConsentRoutes(app: FastifyInstance, sim: SimulatorState): void {
  app.get('/apps/authorize/consent', { config: { kind: 'lwa' } }, async (request, reply) => {
    const q = (request.query ?? {}) as Record<string, string | undefined>;
    const applicationId = q['application_id'];
    const state = q['state'];
    const redirectUri = q['redirect_uri'];
    if (!applicationId || !state || !redirectUri)
      return page(reply, 400, '<h1>Bad request</h1><p>application_id, state and redirect_uri are required.</p>');
    const sellers = sim.sellers.map((s) => `<option value="${esc(s.sellerId)}">${esc(s.sellerId)}</option>`).join('');
    return page(
      reply,
      200,
      `<h1>Authorize ${esc(applicationId)}</h1>
<p>Seller Central (simulator): allow this application to access your selling account?</p>
<form method="post" action="/apps/authorize/consent">
<input type="hidden" name="application_id" value="${esc(applicationId)}">
<input type="hidden" name="state" value="${esc(state)}">
<input type="hidden" name="redirect_uri" value="${esc(redirectUri)}">
${q['version'] ? `<input type="hidden" name="version" value="${esc(q['version'])}">` : ''}
<label>Selling account <select name="selling_partner_id" id="selling_partner_id">${sellers}</select></label>
<button type="submit">Confirm</button>
</form>`,
    );
  });

  app.post('/apps/authorize/consent', { config: { kind: 'lwa' } }, async (request, reply) => {
    const form = (request.body ?? {}) as Record<string, string | undefined>;
    const { state, redirect_uri: redirectUri } = form;
    const seller = sim.sellers.find((s) => s.sellerId === form['selling_partner_id']) ?? sim.defaultSeller();
    let target: URL;
    try {
      target = new URL(redirectUri ?? '');
    } catch {
      return page(reply, 400, '<h1>Bad request</h1><p>redirect_uri is not a URL.</p>');
    }
    if (!state) return page(reply, 400, '<h1>Bad request</h1><p>state is required.</p>');
    const code = `ANsim${sim.idPrng.alnum(20)}`;
    consentCodes(sim).set(code, {
      sellerId: seller.sellerId,
      refreshToken: seller.refreshToken,
      redirectUri: redirectUri!,
      expiresAtMs: sim.now() + CODE_LIFETIME_MS,
      used: false,
    });
    target.searchParams.set('spapi_oauth_code', code);
    target.searchParams.set('state', state);
    target.searchParams.set('selling_partner_id', seller.sellerId);
    return reply.redirect(target.toString(), 302);
  });
}
