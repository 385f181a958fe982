import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthService } from '../../runtime/auth/auth-service.ts';
import { roleAllows, type Principal, type Role } from '../../runtime/auth/roles.ts';

export const SESSION_COOKIE = 'sb_session';

const BAD_TOKEN =
  'missing or wrong bearer token: create one with `sellbridge tokens create --role viewer|operator|admin`, or set server.adminToken (SELLBRIDGE_SERVER_ADMIN_TOKEN)';

const PRINCIPAL = Symbol('sellbridge.principal');
type WithPrincipal = FastifyRequest & { [PRINCIPAL]?: Principal };

export function principalOf(req: FastifyRequest): Principal | undefined {
  return (req as WithPrincipal)[PRINCIPAL];
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const k = part.slice(0, i).trim();
    const v = part.slice(i + 1).trim();
    try {
      out[k] = decodeURIComponent(v);
    } catch {
      out[k] = v;
    }
  }
  return out;
}

/** The token of an `Authorization: Bearer <token>` header; the scheme is case-insensitive (RFC 9110 §11.1). */
export function bearerOf(req: FastifyRequest): string | undefined {
  const match = /^bearer +(.*)$/i.exec(req.headers.authorization ?? '');
  return match ? match[1]!.trim() : undefined;
}

export function sessionIdOf(req: FastifyRequest): string | undefined {
  return parseCookies(req.headers.cookie)[SESSION_COOKIE];
}

export function sessionCookie(value: string, options: { maxAgeS: number; secure: boolean }): string {
  return [
    `${SESSION_COOKIE}=${value}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${options.maxAgeS}`,
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}

/**
 * Resolves the caller of every request under /api, /metrics and /readyz: a bearer token (bootstrap or stored)
 * first, else the session cookie. A cookie-authenticated request that changes something must come from this
 * origin (the Origin header, when sent, must match Host; `Origin: null`, sent by sandboxed frames and some
 * redirects, is refused): SameSite=Strict already blocks cross-site sends; this is the second lock.
 *
 * A route registered with a least role (`config.role`, see RouteRegistry) is refused here, in onRequest, before
 * its body is read or parsed: an unauthenticated caller gets 401 and a too-low role 403 without the server
 * spending anything on its body.
 */
export function installAuthentication(app: FastifyInstance, auth: AuthService): void {
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    if (!req.url.startsWith('/api/') && !req.url.startsWith('/metrics') && !req.url.startsWith('/readyz')) return;
    const p = await resolvePrincipal(req, reply, auth);
    if (reply.sent) return reply;
    if (p) (req as WithPrincipal)[PRINCIPAL] = p;
    const need = (req.routeOptions.config as { role?: Role | 'public' } | undefined)?.role;
    if (need === undefined || need === 'public') return;
    if (!p) return reply.code(401).header('www-authenticate', 'Bearer').send({ error: AUTH_REQUIRED });
    if (!roleAllows(p.role, need))
      return reply.code(403).send({ error: `this needs the ${need} role; ${p.actor} has ${p.role}` });
  });
}

export const AUTH_REQUIRED = 'authentication required: sign in or send "Authorization: Bearer <token>"';

async function resolvePrincipal(
  req: FastifyRequest,
  reply: FastifyReply,
  auth: AuthService,
): Promise<Principal | undefined> {
  const bearer = bearerOf(req);
  if (bearer !== undefined) {
    const p = await auth.verifyToken(bearer);
    if (!p) {
      await reply.code(401).header('www-authenticate', 'Bearer').send({ error: BAD_TOKEN });
      return undefined;
    }
    return p;
  }
  const sid = sessionIdOf(req);
  if (!sid) return undefined;
  const p = await auth.verifySession(sid);
  if (!p) return undefined;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    const origin = req.headers.origin;
    if (origin !== undefined) {
      let host: string | undefined;
      try {
        host = origin === 'null' ? undefined : new URL(origin).host;
      } catch {
        host = undefined;
      }
      if (host === undefined || host !== req.headers.host) {
        await reply.code(403).send({ error: `cross-origin request from ${origin.slice(0, 200)} refused` });
        return undefined;
      }
    }
  }
  return p;
}
