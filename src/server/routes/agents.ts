import { z } from 'zod';
import { isSellbridgeError } from '../../core/errors.ts';
import type { ServerContext } from '../context.ts';

const Agent = z.object({
  id: z.string(),
  connectionId: z.string(),
  name: z.string(),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
  online: z.boolean(),
  version: z.string().nullable(),
  lastSeenAt: z.string().nullable(),
  latencyMs: z.number().nullable(),
  inFlight: z.number(),
});
const ConnectionId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'lower-case letters, digits, - and _');

/**
 * Hosted mode's agents: an admin issues a single-use enrolment token for a connection; `sellbridge agent --token`
 * exchanges it (POST /agent/v1/enrol, authenticated by the token itself) for the agent's own credential.
 */
export function registerAgentRoutes(ctx: ServerContext): void {
  const { routes } = ctx;
  const unwired = { error: 'agents are not wired in this server (started outside `sellbridge run`)' };

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/agents',
      role: 'viewer',
      tag: 'agents',
      summary: 'Agents beside Sage (hosted mode): online, version, heartbeat latency, operations in flight',
      query: z.strictObject({ connectionId: ConnectionId.optional() }),
      response: z.object({ agents: z.array(Agent) }),
      statuses: { 501: 'agents not wired' },
    },
    async ({ query, reply }) => {
      if (!ctx.agents) return reply.code(501).send(unwired);
      return { agents: await ctx.agents.list(query.connectionId) };
    },
  );

  routes.add(
    {
      method: 'POST',
      url: '/api/v1/agents/enrolments',
      role: 'admin',
      tag: 'agents',
      summary:
        'A single-use enrolment token for one connection (in this response only, stored as a SHA-256 hash, valid 24 h); audited',
      body: z.strictObject({ connectionId: ConnectionId.optional() }),
      response: z.object({ token: z.string(), connectionId: z.string(), expiresAt: z.string() }),
      statuses: { 201: 'created', 501: 'agents not wired' },
    },
    async ({ body, principal, reply }) => {
      if (!ctx.agents) return reply.code(501).send(unwired);
      const r = await ctx.agents.createEnrolment(body.connectionId ?? ctx.connectionId, principal.actor);
      return reply.code(201).send(r);
    },
  );

  routes.add(
    {
      method: 'DELETE',
      url: '/api/v1/agents/:id',
      role: 'admin',
      tag: 'agents',
      summary: 'Revoke an agent: its channel closes within one heartbeat and its credential is refused; audited',
      params: z.strictObject({ id: z.string().min(1).max(100) }),
      response: z.object({ agent: Agent }),
      statuses: { 404: 'no such agent', 501: 'agents not wired' },
    },
    async ({ params, principal, reply }) => {
      if (!ctx.agents) return reply.code(501).send(unwired);
      return { agent: await ctx.agents.revoke(params.id, principal.actor) };
    },
  );

  routes.add(
    {
      method: 'POST',
      url: '/agent/v1/enrol',
      role: 'public',
      tag: 'agents',
      summary:
        'Agent enrolment: exchanges a single-use enrolment token (the authentication) for the agent credential, shown once',
      body: z.strictObject({
        token: z.string().min(1).max(200),
        name: z.string().max(200).optional(),
        version: z.string().max(50).optional(),
      }),
      response: z.object({ agentId: z.string(), connectionId: z.string(), credential: z.string() }),
      statuses: { 201: 'enrolled', 401: 'token unknown, used or expired', 501: 'agents not wired' },
    },
    async ({ body, reply }) => {
      if (!ctx.agents) return reply.code(501).send(unwired);
      try {
        const r = await ctx.agents.enrol(body.token, body.name ?? 'agent');
        ctx.logger.info({ agentId: r.agentId, connectionId: r.connectionId }, 'agent enrolled');
        return reply.code(201).send(r);
      } catch (err) {
        if (isSellbridgeError(err) && err.code === 'SB_AGENT_REFUSED')
          return reply.code(401).send({ error: err.message, code: err.code });
        throw err;
      }
    },
  );
}
