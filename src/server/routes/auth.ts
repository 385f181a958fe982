import { z } from 'zod';
import { ROLES } from '../../runtime/auth/roles.ts';
import { writeAudit } from '../../runtime/audit.ts';
import type { ServerContext } from '../context.ts';
import { sessionCookie, sessionIdOf } from '../http/auth.ts';
import { WindowLimiter } from '../http/security.ts';

/** One answer for wrong password, unknown user and locked user. */
const WRONG_LOGIN =
  'wrong user name or password (after repeated failures a user is locked for a while: wait, or ask an admin to reset it)';

export const UserView = z.object({ name: z.string(), role: z.enum(ROLES) });

const LoginBody = z
  .strictObject({
    username: z.string().min(1).max(100).optional().describe('Local user name (with password)'),
    password: z.string().min(1).max(1000).optional(),
    token: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe('An API token instead of user and password (`sellbridge tokens create`)'),
  })
  .superRefine((b, ctx) => {
    if (b.token !== undefined) {
      if (b.username !== undefined || b.password !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['token'],
          message: 'send either token or username and password, not both',
        });
      return;
    }
    if (b.username === undefined)
      ctx.addIssue({ code: 'custom', path: ['username'], message: 'required (or send token)' });
    if (b.password === undefined)
      ctx.addIssue({ code: 'custom', path: ['password'], message: 'required with username' });
  });

export function registerAuthRoutes(ctx: ServerContext): void {
  const { routes, auth } = ctx;
  const limiter = new WindowLimiter(ctx.settings.authRateLimitPerMinute, 60_000);
  const perUser = new WindowLimiter(ctx.settings.authRateLimitPerMinute, 60_000);

  routes.add(
    {
      method: 'POST',
      url: '/api/v1/auth/login',
      role: 'public',
      tag: 'auth',
      summary: 'Sign in with a local user or an API token; sets the HttpOnly SameSite=Strict session cookie',
      body: LoginBody,
      response: z.object({ user: UserView, expiresAt: z.string() }),
      statuses: {
        401: 'wrong user name, password or token, or the user is locked for a while after too many failures (one answer for all)',
        429: 'too many sign-in attempts from this address or for this user name',
      },
    },
    async ({ req, reply, body }) => {
      // Two limits: per client address (the socket, or X-Forwarded-For from server.trustedProxies only) and per
      // user name (existing or not), so neither many addresses nor many names get more guesses.
      const wait = Math.max(
        limiter.take(req.ip),
        body.username !== undefined ? perUser.take(body.username.toLowerCase()) : 0,
      );
      if (wait > 0)
        return reply
          .code(429)
          .header('retry-after', String(Math.ceil(wait / 1000)))
          .send({ error: 'too many sign-in attempts; try again in a minute' });
      let principal;
      if (body.token !== undefined) {
        principal = await auth.verifyToken(body.token);
        if (!principal) {
          await writeAudit(
            ctx.store.db,
            { actor: 'anonymous', action: 'auth.login-failed', target: 'api_token', detail: { ip: req.ip } },
            ctx.clock.now(),
          );
          return reply.code(401).send({ error: 'unknown or revoked token' });
        }
        principal = { ...principal, via: 'session' as const };
      } else {
        const r = await auth.login(body.username!, body.password!);
        if (!r.ok) {
          await writeAudit(
            ctx.store.db,
            {
              actor: 'anonymous',
              action: 'auth.login-failed',
              target: `user:${body.username}`,
              detail: { ip: req.ip, reason: r.reason },
            },
            ctx.clock.now(),
          );
          // The same answer for a wrong password, an unknown user and a locked user: it must not tell which
          // user names exist or which are locked. The audit log keeps the reason.
          return reply.code(401).send({ error: WRONG_LOGIN });
        }
        principal = r.principal;
      }
      const session = await auth.createSession(principal);
      await writeAudit(
        ctx.store.db,
        { actor: principal.actor, action: 'auth.login', target: principal.actor, detail: { ip: req.ip } },
        ctx.clock.now(),
      );
      reply.header(
        'set-cookie',
        sessionCookie(session.sessionId, {
          maxAgeS: Math.floor(ctx.settings.sessionTtlMs / 1000),
          secure: ctx.settings.behindTls,
        }),
      );
      return { user: { name: principal.name, role: principal.role }, expiresAt: session.expiresAt };
    },
  );

  routes.add(
    {
      method: 'POST',
      url: '/api/v1/auth/logout',
      role: 'viewer',
      tag: 'auth',
      summary: 'End the session (clears the cookie)',
      response: z.object({ ok: z.literal(true) }),
    },
    async ({ req, reply, principal }) => {
      const sid = sessionIdOf(req);
      if (sid) await auth.endSession(sid);
      await writeAudit(
        ctx.store.db,
        { actor: principal.actor, action: 'auth.logout', target: principal.actor },
        ctx.clock.now(),
      );
      reply.header('set-cookie', sessionCookie('', { maxAgeS: 0, secure: ctx.settings.behindTls }));
      return { ok: true };
    },
  );

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/me',
      role: 'viewer',
      tag: 'auth',
      summary: 'Who is signed in, with which role and what that role may do',
      response: z.object({
        user: UserView.extend({ actor: z.string(), via: z.enum(['bearer', 'session']) }),
        can: z.record(z.string(), z.boolean()),
      }),
    },
    async ({ principal }) => {
      const rank = ROLES.indexOf(principal.role);
      return {
        user: { name: principal.name, role: principal.role, actor: principal.actor, via: principal.via },
        can: {
          read: true,
          replay: rank >= 1,
          editMappings: rank >= 1,
          viewPii: rank >= ROLES.indexOf(ctx.settings.piiViewRole),
          manageAccess: rank >= 2,
          manageConnections: rank >= 2,
        },
      };
    },
  );
}
