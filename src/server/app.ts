import type { AppDeps, ServerContext } from './context.ts';
import { readiness } from './readiness.ts';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { MappingError, SellbridgeError } from '../core/errors.ts';
import { DEFAULT_MAPPING_RULES } from '../core/rules/mapping-rules.ts';
import { createAuthService } from '../runtime/auth/auth-service.ts';
import { systemClock } from '../runtime/clock.ts';
import { createDeadLetterService } from '../runtime/queue/dead-letters.ts';
import { installAuthentication, principalOf } from './http/auth.ts';
import { RouteRegistry } from './http/define.ts';
import { installSecurityHeaders } from './http/security.ts';
import { installErrorCodes, installJsonBodyParser } from './http/body.ts';
import { registerAdminApi } from './routes/index.ts';
import { registerDocs } from './routes/docs.ts';
import { registerWebhookRoutes } from './routes/webhooks.ts';
import { registerDashboard } from './dashboard/index.ts';
import { createOrderPreview } from './order-preview.ts';
import { createThroughput } from './throughput.ts';

/**
 * The HTTP edge, built without listening so tests use `app.inject()` (Fastify testing guide). Health checks
 * are open; /metrics and the admin API (/api/v1, see docs/admin-api.md) need a bearer token or a dashboard session
 * with a role; /docs serves the OpenAPI document.
 */
export function buildApp(deps: AppDeps): FastifyInstance {
  const bodyLimit = deps.server?.bodyLimitBytes ?? 1024 * 1024;
  // Request lines are logged at info; the HTTP child logger starts at warn so health probes do not flood the log.
  const app = Fastify({
    loggerInstance: deps.logger.child({ component: 'http' }, { level: 'warn' }) as FastifyBaseLogger,
    bodyLimit,
    routerOptions: { maxParamLength: 500 },
    trustProxy: trustProxyOf(deps.server?.trustedProxies),
  });
  const clock = deps.clock ?? systemClock;
  const sec = deps.security ?? {};
  const auth =
    deps.auth ??
    createAuthService(deps.store, clock, {
      bootstrapToken: deps.adminToken,
      settings: {
        ...(sec.lockoutThreshold !== undefined ? { lockoutThreshold: sec.lockoutThreshold } : {}),
        ...(sec.lockoutMs !== undefined ? { lockoutMs: sec.lockoutMs } : {}),
        ...(sec.lockoutMaxMs !== undefined ? { lockoutMaxMs: sec.lockoutMaxMs } : {}),
        ...(sec.sessionTtlMs !== undefined ? { sessionTtlMs: sec.sessionTtlMs } : {}),
        ...(sec.minPasswordLength !== undefined ? { minPasswordLength: sec.minPasswordLength } : {}),
      },
    });
  const ctx: ServerContext = {
    ...deps,
    clock,
    auth,
    deadLetters: deps.deadLetters ?? createDeadLetterService(deps.store, deps.queue, clock),
    throughput: createThroughput(deps.queue, clock),
    routes: new RouteRegistry(app),
    settings: {
      behindTls: deps.server?.behindTls ?? false,
      sessionTtlMs: sec.sessionTtlMs ?? 8 * 3_600_000,
      authRateLimitPerMinute: sec.authRateLimitPerMinute ?? 20,
      piiViewRole: sec.piiViewRole ?? 'operator',
      corsOrigins: sec.corsOrigins ?? [],
    },
    connectionId: deps.defaultConnectionId ?? deps.orders?.connectionId ?? 'default',
    ...(deps.orderFlow || deps.orders ? { orderFlow: deps.orderFlow ?? createOrderPreview(deps.orders!.deps) } : {}),
    ...(deps.mappingRules || deps.orders
      ? { mappingRules: deps.mappingRules ?? (() => deps.orders?.rules ?? DEFAULT_MAPPING_RULES) }
      : {}),
  };
  app.addHook('onClose', async () => ctx.throughput.stop());

  installSecurityHeaders(app, { corsOrigins: ctx.settings.corsOrigins, behindTls: ctx.settings.behindTls });
  installAuthentication(app, auth);
  installJsonBodyParser(app);
  installErrorCodes(app);
  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (req, reply) => {
    const checks = await readiness(ctx);
    const ok = Object.values(checks).every((c) => c.ok !== false);
    // Public callers (load balancers) see states only; the error text (hosts, users, driver messages) is for
    // authenticated callers.
    const shown = principalOf(req)
      ? checks
      : Object.fromEntries(Object.entries(checks).map(([name, c]) => [name, { ok: c.ok }]));
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not ready', checks: shown });
  });

  app.get('/metrics', { preHandler: requireAuthenticated }, async (_req, reply) => {
    // Reset first: a (queue, state, connection) with no job left shows no stale count.
    const counts = await deps.queue.counts({ byConnection: true });
    deps.metrics.queueDepth.reset();
    deps.metrics.queueOldestDueAge.reset();
    const now = Date.now();
    for (const c of counts) {
      const connection = c.connectionId ?? 'default';
      // prom-client prints labels in the order given: queue, state, connection as before.
      deps.metrics.queueDepth.set({ queue: c.queue, state: c.state, connection }, c.count);
      if (c.state === 'pending')
        deps.metrics.queueOldestDueAge.set(
          { queue: c.queue, connection },
          c.oldestDueAt ? Math.max(0, (now - Date.parse(c.oldestDueAt)) / 1000) : 0,
        );
    }
    return reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

  registerAdminApi(ctx);
  registerDocs(app, ctx.routes);
  // Other edges register below, one line each (webhooks: issue 5; dashboard: issue 6).
  if (deps.webhooks) registerWebhookRoutes(app, deps.webhooks);
  registerDashboard(app);

  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ error: `no route ${req.method} ${req.url.split('?')[0]}` }),
  );
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    // No stack traces or internals to clients.
    if (err instanceof SellbridgeError) {
      const status = httpStatusOf(err);
      if (status >= 500) deps.logger.error({ code: err.code, url: req.url.split('?')[0] }, 'request failed');
      return reply.code(status).send({
        error: err.message,
        code: err.code,
        ...(err instanceof MappingError && err.issues.length ? { issues: err.issues } : {}),
      });
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) deps.logger.error({ err: err.message, url: req.url.split('?')[0] }, 'request failed');
    // Fastify's own 4xx (unparseable JSON, body too large, media type): its message, bounded, names the body.
    return reply.code(status).send(
      status === 500
        ? { error: 'internal error' }
        : {
            error: `body: ${err.message.slice(0, 300)}`,
            code: status === 400 || status === 413 || status === 415 ? 'SB_API_BODY_INVALID' : 'SB_API_REFUSED',
          },
    );
  });
  return app;
}

/**
 * Fastify's trustProxy from server.trustedProxies: only the listed proxies may set the client address through
 * X-Forwarded-For (`true` let any client pick the address the sign-in limit counts). None = the socket.
 */
export function trustProxyOf(proxies: readonly string[] | undefined): false | string[] {
  return proxies && proxies.length > 0 ? [...proxies] : false;
}

/** HTTP status of a Sellbridge error: not found 404, conflicts 409, bad input 400, unavailable 503, else 500. */
export function httpStatusOf(err: SellbridgeError): number {
  if (/_NOT_FOUND$/.test(err.code)) return 404;
  if (/_ALREADY_RESOLVED$|_EXISTS$/.test(err.code)) return 409;
  if (err.kind === 'validation' || err.kind === 'mapping' || err.kind === 'config') return 400;
  if (err.kind === 'unavailable' || err.kind === 'throttled') return 503;
  return 500;
}

/** /metrics: any authenticated principal (viewer and up). */
async function requireAuthenticated(req: FastifyRequest, reply: FastifyReply) {
  if (!principalOf(req)) {
    return reply.code(401).header('www-authenticate', 'Bearer').send({
      error:
        'missing bearer token: set server.adminToken (SELLBRIDGE_SERVER_ADMIN_TOKEN) or create one with `sellbridge tokens create`',
    });
  }
}
