import { z } from 'zod';
import { ROLES } from '../../runtime/auth/roles.ts';
import type { ServerContext } from '../context.ts';

const TokenInfo = z.object({
  id: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  createdBy: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
const UserInfo = z.object({
  name: z.string(),
  role: z.enum(ROLES),
  failedLogins: z.number(),
  lockedUntil: z.string().nullable(),
  createdAt: z.string(),
});
const Name = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9._@-]+$/, 'letters, digits and . _ @ - only');

export function registerAccessRoutes(ctx: ServerContext): void {
  const { routes, auth } = ctx;
  routes.add(
    {
      method: 'POST',
      url: '/api/v1/tokens',
      role: 'admin',
      tag: 'access',
      summary: 'Create an API token; the token is in this response only (stored as a SHA-256 hash)',
      body: z.strictObject({ name: Name, role: z.enum(ROLES) }),
      response: z.object({ token: z.string(), info: TokenInfo }),
      statuses: { 201: 'created' },
    },
    async ({ body, principal, reply }) => {
      const r = await auth.createToken({ name: body.name, role: body.role, actor: principal.actor });
      return reply.code(201).send(r);
    },
  );
  routes.add(
    {
      method: 'GET',
      url: '/api/v1/tokens',
      role: 'admin',
      tag: 'access',
      summary: 'API tokens (never their value)',
      response: z.object({ tokens: z.array(TokenInfo) }),
    },
    async () => ({ tokens: await auth.listTokens() }),
  );
  routes.add(
    {
      method: 'DELETE',
      url: '/api/v1/tokens/:id',
      role: 'admin',
      tag: 'access',
      summary: 'Revoke an API token (kept for the record)',
      params: z.strictObject({ id: z.string().uuid() }),
      response: z.object({ ok: z.literal(true) }),
      statuses: { 404: 'no such token' },
    },
    async ({ params, principal }) => {
      await auth.revokeToken(params.id, principal.actor);
      return { ok: true };
    },
  );
  routes.add(
    {
      method: 'POST',
      url: '/api/v1/users',
      role: 'admin',
      tag: 'access',
      summary:
        'Add a local user (password hashed with scrypt); replace: true resets an existing one and lifts its lockout',
      body: z.strictObject({
        name: Name,
        role: z.enum(ROLES),
        password: z.string().min(1).max(1000),
        replace: z.boolean().default(false),
      }),
      response: z.object({ user: UserInfo }),
      statuses: { 201: 'created', 409: 'user exists (use replace: true)' },
    },
    async ({ body, principal, reply }) => {
      const user = await auth.addUser({
        name: body.name,
        role: body.role,
        password: body.password,
        actor: principal.actor,
        replace: body.replace,
      });
      return reply.code(201).send({ user });
    },
  );
  routes.add(
    {
      method: 'GET',
      url: '/api/v1/users',
      role: 'admin',
      tag: 'access',
      summary: 'Local users (never their password hash)',
      response: z.object({ users: z.array(UserInfo) }),
    },
    async () => ({ users: await auth.listUsers() }),
  );
}
