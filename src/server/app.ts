import { timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { JobQueue } from '../runtime/queue/job-queue.ts';
import type { Store } from '../runtime/store/store.ts';
import { sql } from 'kysely';

export interface AppDeps {
  readonly store: Store;
  readonly queue: JobQueue;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** Bearer token for everything but health checks; undefined means those endpoints are closed. */
  readonly adminToken: string | undefined;
}

/**
 * The HTTP edge, built without listening so tests use `app.inject()` (Fastify testing guide). Health checks
 * are open; every other endpoint needs the admin token. The admin API, webhooks and dashboard join here
 * (issue 6).
 */
export function buildApp(deps: AppDeps): FastifyInstance {
  // Request lines are logged at info; the HTTP child logger starts at warn so health probes do not flood the log.
  const app = Fastify({ loggerInstance: deps.logger.child({ component: 'http' }, { level: 'warn' }) as FastifyBaseLogger, bodyLimit: 1024 * 1024 });

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_req, reply) => {
    const checks: Record<string, { ok: boolean; detail?: string }> = {};
    try {
      await sql`SELECT 1`.execute(deps.store.db);
      checks['store'] = { ok: true };
    } catch (err) {
      checks['store'] = { ok: false, detail: (err as Error).message };
    }
    const ok = Object.values(checks).every((c) => c.ok);
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not ready', checks });
  });

  app.get('/metrics', { preHandler: requireToken(deps.adminToken) }, async (_req, reply) => {
    for (const c of await deps.queue.counts()) deps.metrics.queueDepth.set({ queue: c.queue, state: c.state }, c.count);
    return reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

  app.setErrorHandler((err: Error & { statusCode?: number }, _req, reply) => {
    // No stack traces or internals to clients.
    const status = err.statusCode && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) deps.logger.error({ err: err.message }, 'request failed');
    return reply.code(status).send({ error: status === 500 ? 'internal error' : err.message });
  });
  return app;
}

export function requireToken(token: string | undefined) {
  const expected = token ? Buffer.from(token) : undefined;
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const header = req.headers.authorization ?? '';
    const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
    if (!expected || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({ error: expected ? 'missing or wrong bearer token' : 'this endpoint needs server.adminToken (SELLBRIDGE_SERVER_ADMIN_TOKEN) to be set' });
    }
  };
}
