import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthService } from '../../runtime/auth/auth-service.ts';
import type { Principal } from '../../runtime/auth/roles.ts';

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

export function bearerOf(req: FastifyRequest): string | undefined {
  const header = req.headers.authorization ?? '';
  return header.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
}

export function sessionIdOf(req: FastifyRequest): string | undefined {
  return parseCookies(req.headers.cookie)[SESSION_COOKIE];
}

export function sessionCookie(value: string, options: { maxAgeS: number; secure: boolean }): string {
  return [`${SESSION_COOKIE}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${options.maxAgeS}`, ...(options.secure ? ['Secure'] : [])].join('; ');
}

/**
 * Resolves the caller of every request under /api and /metrics: a bearer token (bootstrap or stored) first, else
 * the session cookie. A cookie-authenticated request that changes something must come from this origin (the
 * Origin header, when sent, must match Host): SameSite=Strict already blocks cross-site sends; this is the
 * second lock.
 */
export function installAuthentication(app: FastifyInstance, auth: AuthService): void {
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    if (!req.url.startsWith('/api/') && !req.url.startsWith('/metrics')) return;
    const bearer = bearerOf(req);
    if (bearer !== undefined) {
      const p = await auth.verifyToken(bearer);
      if (!p) return reply.code(401).header('www-authenticate', 'Bearer').send({ error: BAD_TOKEN });
      (req as WithPrincipal)[PRINCIPAL] = p;
      return;
    }
    const sid = sessionIdOf(req);
    if (!sid) return;
    const p = await auth.verifySession(sid);
    if (!p) return;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      const origin = req.headers.origin;
      if (origin && origin !== 'null') {
        let host: string | undefined;
        try {
          host = new URL(origin).host;
        } catch {
          host = undefined;
        }
        if (host !== req.headers.host) return reply.code(403).send({ error: `cross-origin request from ${origin} refused` });
      }
    }
    (req as WithPrincipal)[PRINCIPAL] = p;
  });
}
