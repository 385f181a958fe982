import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { readEngineStatus } from '../../connectors/store/engine-status.ts';
import { lastOrderAt } from '../../connectors/store/order-links.ts';
import { SellbridgeError } from '../../core/errors.ts';
import { roleAllows } from '../../runtime/auth/roles.ts';
import type { ServerContext } from '../context.ts';
import { sessionIdOf } from '../http/auth.ts';
import { healthOf, openOrderCounts } from './overview.ts';

/** Where Amazon sends the seller's browser back (a redirect URI registered for the SP-API application). */
export const AMAZON_CALLBACK_PATH = '/oauth/amazon/callback';

const ConnectionId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lower-case letters, digits, _ and -');

const Health = z.object({ ok: z.boolean().nullable(), detail: z.string().nullable() });

const ConnectionRow = z.object({
  connectionId: z.string(),
  name: z.string(),
  amazon: z.object({
    tokenConfigured: z.boolean().describe('sellbridge.yaml sets amazon.refreshToken (it wins over a stored one)'),
    tokenStored: z.boolean().describe('the authorization workflow stored a sealed refresh token'),
    sellingPartnerId: z.string().nullable(),
    authorizedAt: z.string().nullable(),
    authorizedBy: z.string().nullable(),
  }),
  token: Health.describe('Login with Amazon as the workers recorded it (the amazon.lwa circuit)'),
  sage: Health.describe('Sage 500 as the workers recorded it (the sage500 circuit)'),
  check: z
    .object({ ok: z.boolean(), summary: z.string(), checkedAt: z.string() })
    .nullable()
    .describe('`sellbridge connections check` against the Sage company (cached a minute); null when not run here'),
  backlog: z.number(),
  needsAttention: z.number(),
  lastOrderAt: z.string().nullable(),
});

/** The redirect URI the dashboard's requests imply (when amazon.redirectUri is not set): this server's callback. */
function callbackUriOf(req: FastifyRequest): string {
  return `${req.protocol}://${req.host}${AMAZON_CALLBACK_PATH}`;
}

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function htmlPage(reply: FastifyReply, status: number, title: string, body: string, head = ''): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8">${head}<title>${esc(title)} · Sellbridge</title></head><body><h1>${esc(title)}</h1>${body}</body></html>`,
    );
}

export function registerOnboardingRoutes(ctx: ServerContext): void {
  const { routes } = ctx;
  const notWired = (reply: FastifyReply) =>
    reply.code(501).send({
      error: 'the Amazon authorization workflow is not wired in this server process',
      code: 'SB_API_REFUSED',
    });

  routes.add(
    {
      method: 'POST',
      url: '/api/v1/connections/:id/authorize',
      role: 'admin',
      tag: 'connections',
      summary:
        "Amazon's website authorization workflow: a Seller Central consent URL whose single-use `state` is bound to the signed-in admin and expires (amazon.consentStateTtlMs); audited",
      description:
        'Needs a dashboard session (the callback is completed in that browser): a bearer token is refused with 409. The seller consents on Amazon; Amazon sends the browser to GET /oauth/amazon/callback.',
      params: z.strictObject({ id: ConnectionId }),
      body: z.strictObject({}).optional(),
      response: z.object({ connectionId: z.string(), url: z.string(), expiresAt: z.string() }),
      statuses: {
        404: 'no connection with this id',
        409: 'not a dashboard session',
        501: 'not wired in this process',
      },
    },
    async ({ params, principal, req, reply }) => {
      if (principal.via !== 'session')
        return reply.code(409).send({
          error:
            'the consent is completed in the browser of the admin who asks for it: sign in to the dashboard and use Authorize, or run `sellbridge connections authorize <id> --user <name>`',
          code: 'SB_API_REFUSED',
        });
      if (!ctx.onboarding) return notWired(reply);
      const started = await ctx.onboarding.authorization.start(params.id, principal.actor, {
        redirectUri: callbackUriOf(req),
      });
      return { connectionId: params.id, url: started.url, expiresAt: started.expiresAt };
    },
  );

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/onboarding/connections',
      role: 'viewer',
      tag: 'connections',
      summary:
        'Connections with their health: Amazon token (configured or stored, selling partner id), Login with Amazon, Sage reachable, mapping check, backlog, last order',
      response: z.object({ connections: z.array(ConnectionRow) }),
      statuses: { 501: 'not wired in this process' },
    },
    async ({ reply }) => {
      if (!ctx.onboarding) return notWired(reply);
      const onboarding = ctx.onboarding;
      const stored = await ctx.store.db.selectFrom('connections').select(['id', 'name']).orderBy('id').execute();
      const status = await readEngineStatus(ctx.store);
      const names = new Map(stored.map((r) => [r.id, r.name]));
      const ids = [
        ...new Set([ctx.connectionId, ...stored.map((r) => r.id), ...status.map((r) => r.connectionId)]),
      ].sort();
      const unknown = { ok: null, detail: 'no call recorded yet' };
      const connections = [];
      for (const id of ids) {
        const rows = status.filter((r) => r.connectionId === id);
        const auth = await onboarding.authorization.status(id);
        const lwa = healthOf(rows.filter((r) => r.target === 'amazon.lwa'));
        const sage = healthOf(rows.filter((r) => r.target === 'sage500'));
        let check: { ok: boolean; summary: string; checkedAt: string } | null = null;
        if (onboarding.check) {
          try {
            check = await onboarding.check(id);
          } catch (err) {
            check = {
              ok: false,
              summary: `check could not run: ${(err as { code?: string }).code ?? (err as Error).message}`,
              checkedAt: ctx.clock.now().toISOString(),
            };
          }
        }
        connections.push({
          connectionId: id,
          name: names.get(id) ?? id,
          amazon: {
            tokenConfigured: onboarding.tokenConfigured(id),
            tokenStored: auth.tokenStored,
            sellingPartnerId: auth.sellingPartnerId,
            authorizedAt: auth.authorizedAt,
            authorizedBy: auth.authorizedBy,
          },
          token: lwa ? { ok: lwa.ok, detail: lwa.detail } : unknown,
          sage: sage ? { ok: sage.ok, detail: sage.detail } : unknown,
          check,
          ...(await openOrderCounts(ctx.store, id)),
          lastOrderAt: await lastOrderAt(ctx.store, id),
        });
      }
      return { connections };
    },
  );

  // The callback is a browser navigation from Amazon, not an API call: outside /api, answered in HTML to a browser
  // (JSON otherwise), authenticated by the admin's dashboard session AND the state it was issued with.
  routes.app.get(AMAZON_CALLBACK_PATH, async (req, reply) => {
    const html = /text\/html/.test(req.headers.accept ?? '');
    const fail = (status: number, code: string, message: string) =>
      html
        ? htmlPage(
            reply,
            status,
            'Amazon authorization refused',
            `<p>${esc(message)}</p><p><code>${esc(code)}</code></p><p><a href="/dashboard/#/connections">Back to Connections</a></p>`,
          )
        : reply.code(status).header('cache-control', 'no-store').send({ error: message, code });
    if (!ctx.onboarding) return fail(501, 'SB_API_REFUSED', 'the Amazon authorization workflow is not wired here');
    const q = (req.query ?? {}) as Record<string, unknown>;
    const field = (name: string) => {
      const v = q[name];
      return typeof v === 'string' && v.length > 0 && v.length <= 2048 ? v : undefined;
    };
    if (typeof q['error'] === 'string')
      return fail(400, 'SB_API_REQUEST_INVALID', 'Amazon reports that the seller did not authorize the application');
    for (const name of ['state', 'spapi_oauth_code', 'selling_partner_id'])
      if (!field(name))
        return fail(
          400,
          'SB_API_REQUEST_INVALID',
          `query ${name}: required (a non-empty string up to 2048 characters)`,
        );
    const sid = sessionIdOf(req);
    const principal = sid ? await ctx.auth.verifySession(sid) : undefined;
    if (!principal) {
      // The session cookie is SameSite=Strict, so the browser leaves it off a navigation that comes from Amazon's
      // site. One same-origin hop (a meta refresh from this page) brings it along; only then is a missing session real.
      if (q['sb_hop'] !== '1') {
        const url = new URL(req.url, 'http://x');
        url.searchParams.set('sb_hop', '1');
        const target = `${url.pathname}${url.search}`;
        return htmlPage(
          reply,
          200,
          'Completing the Amazon authorization',
          `<p><a href="${esc(target)}">Continue</a></p>`,
          `<meta http-equiv="refresh" content="0;url=${esc(target)}">`,
        );
      }
      ctx.logger.warn({ reason: 'no session' }, 'Amazon authorization callback refused: no dashboard session');
      return fail(
        401,
        'SB_AUTH_REQUIRED',
        'sign in to the dashboard as the admin who asked for the consent URL, then start the authorization again',
      );
    }
    if (!roleAllows(principal.role, 'admin'))
      return fail(
        403,
        'SB_AUTH_FORBIDDEN',
        `authorizing a seller needs the admin role; ${principal.actor} has ${principal.role}`,
      );
    try {
      const done = await ctx.onboarding.authorization.complete({
        state: field('state')!,
        code: field('spapi_oauth_code')!,
        sellingPartnerId: field('selling_partner_id')!,
        actor: principal.actor,
        redirectUri: callbackUriOf(req),
      });
      if (html)
        return reply
          .header('cache-control', 'no-store')
          .redirect(`/dashboard/#/connections?authorized=${encodeURIComponent(done.connectionId)}`, 303);
      return reply.header('cache-control', 'no-store').send({ connection: done });
    } catch (err) {
      if (err instanceof SellbridgeError) {
        const status =
          err.code === 'SB_AMZ_AUTH_STATE_INVALID'
            ? 403
            : err.kind === 'validation' || err.kind === 'config'
              ? 400
              : 502;
        return fail(status, err.code, err.message);
      }
      throw err;
    }
  });
}
