import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import type { ResolvedConfig } from '../config/schema.ts';
import { MappingError, SellbridgeError } from '../core/errors.ts';
import type { Clock } from '../core/ports/clock.ts';
import { DEFAULT_MAPPING_RULES, type MappingRules } from '../core/rules/mapping-rules.ts';
import type { OrderFlowDeps } from '../flows/index.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { createAuthService, type AuthService } from '../runtime/auth/auth-service.ts';
import { constantTimeEqual } from '../runtime/auth/hashing.ts';
import { systemClock } from '../runtime/clock.ts';
import type { PiiVault } from '../runtime/pii/vault.ts';
import { createDeadLetterService, type DeadLetterService } from '../runtime/queue/dead-letters.ts';
import type { JobQueue } from '../runtime/queue/job-queue.ts';
import type { Store } from '../runtime/store/store.ts';
import { installAuthentication, principalOf } from './http/auth.ts';
import { RouteRegistry } from './http/define.ts';
import { installSecurityHeaders } from './http/security.ts';
import { installErrorCodes, installJsonBodyParser } from './http/body.ts';
import { registerAdminApi } from './routes/index.ts';
import { registerDocs } from './routes/docs.ts';
import { registerWebhookRoutes, type WebhookDeps } from './routes/webhooks.ts';
import { registerDashboard } from './dashboard/index.ts';
import { createOrderPreview } from './order-preview.ts';
import { createThroughput, type Throughput } from './throughput.ts';

/** A health probe of one connection (Sage, Amazon): `lastSyncAt` is when it last did useful work, if known. */
export type HealthProbe = () => Promise<{ ok: boolean; detail?: string; lastSyncAt?: string | null }>;

/** What the order endpoints can do beyond reading the store, when the order flows are wired (see `createOrderFlowDeps`). */
export interface AdminOrderFlow {
  /** The Sage sales order Sellbridge would create for an Amazon order, without creating it. */
  preview(connectionId: string, amazonOrderId: string): Promise<unknown>;
}

export interface AppDeps {
  readonly store: Store;
  readonly queue: JobQueue;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** Bootstrap bearer token with the admin role (config server.adminToken); undefined = only stored tokens/users. */
  readonly adminToken: string | undefined;
  readonly clock?: Clock;
  /** Default: created over `store` and `queue`. */
  readonly deadLetters?: DeadLetterService;
  /** Default: created over `store` with `security` settings. */
  readonly auth?: AuthService;
  readonly server?: Partial<ResolvedConfig['server']>;
  readonly security?: Partial<ResolvedConfig['security']>;
  /** Encrypted buyer PII; without it the PII endpoints answer 501. */
  readonly pii?: PiiVault;
  /** Order preview; without it (and without `orders`) /orders/:id/preview answers 501. */
  readonly orderFlow?: AdminOrderFlow;
  /** The runtime's order wiring: gives the preview, the mapping rules and the default connection. */
  readonly orders?: { readonly deps: OrderFlowDeps; readonly connectionId: string };
  /** Mapping rules of a connection (carriers, ship methods, customers), shown read-only. */
  readonly mappingRules?: (connectionId: string) => MappingRules;
  /** GL rules of the settlement posting, shown read-only when given. */
  readonly glRules?: () => unknown;
  /** Health of the Sage and Amazon connections for /readyz and the overview. */
  readonly health?: { readonly sage?: HealthProbe; readonly amazon?: HealthProbe };
  /** Circuit-breaker states, when a circuit registry exists. */
  readonly circuits?: () => readonly { target: string; state: string }[];
  /** The connection used when a request names none (default `default`). */
  readonly defaultConnectionId?: string;
  /** POST /webhooks/amazon (issue 5), with its own credentials; absent = no webhook route. */
  readonly webhooks?: WebhookDeps;
}

/** Everything a route module needs, resolved once. */
export interface ServerContext extends AppDeps {
  readonly clock: Clock;
  readonly deadLetters: DeadLetterService;
  readonly auth: AuthService;
  readonly throughput: Throughput;
  readonly routes: RouteRegistry;
  readonly settings: {
    readonly behindTls: boolean;
    readonly sessionTtlMs: number;
    readonly authRateLimitPerMinute: number;
    readonly piiViewRole: 'viewer' | 'operator' | 'admin';
    readonly corsOrigins: readonly string[];
  };
  readonly connectionId: string;
}

/**
 * The HTTP edge, built without listening so tests use `app.inject()` (Fastify testing guide). Health checks
 * are open; /metrics and the admin API (/api/v1, see docs/admin-api.md) need a bearer token or a dashboard session
 * with a role; /docs serves the OpenAPI document.
 */
export function buildApp(deps: AppDeps): FastifyInstance {
  const bodyLimit = deps.server?.bodyLimitBytes ?? 1024 * 1024;
  // Request lines are logged at info; the HTTP child logger starts at warn so health probes do not flood the log.
  const app = Fastify({ loggerInstance: deps.logger.child({ component: 'http' }, { level: 'warn' }) as FastifyBaseLogger, bodyLimit, routerOptions: { maxParamLength: 500 }, trustProxy: trustProxyOf(deps.server?.trustedProxies) });
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
    ...(deps.mappingRules || deps.orders ? { mappingRules: deps.mappingRules ?? (() => DEFAULT_MAPPING_RULES) } : {}),
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
    // authenticated callers (issue 13).
    const shown = principalOf(req) ? checks : Object.fromEntries(Object.entries(checks).map(([name, c]) => [name, { ok: c.ok }]));
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not ready', checks: shown });
  });

  app.get('/metrics', { preHandler: requireAuthenticated }, async (_req, reply) => {
    for (const c of await deps.queue.counts()) deps.metrics.queueDepth.set({ queue: c.queue, state: c.state }, c.count);
    return reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

  registerAdminApi(ctx);
  registerDocs(app, ctx.routes);
  // Other edges register below, one line each (webhooks: issue 5; dashboard: issue 6).
  if (deps.webhooks) registerWebhookRoutes(app, deps.webhooks);
  registerDashboard(app);

  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: `no route ${req.method} ${req.url.split('?')[0]}` }));
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    // No stack traces or internals to clients.
    if (err instanceof SellbridgeError) {
      const status = httpStatusOf(err);
      if (status >= 500) deps.logger.error({ code: err.code, url: req.url.split('?')[0] }, 'request failed');
      return reply.code(status).send({ error: err.message, code: err.code, ...(err instanceof MappingError && err.issues.length ? { issues: err.issues } : {}) });
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) deps.logger.error({ err: err.message, url: req.url.split('?')[0] }, 'request failed');
    // Fastify's own 4xx (unparseable JSON, body too large, media type): its message, bounded, names the body.
    return reply.code(status).send(status === 500 ? { error: 'internal error' } : { error: `body: ${err.message.slice(0, 300)}`, code: status === 400 || status === 413 || status === 415 ? 'SB_API_BODY_INVALID' : 'SB_API_REFUSED' });
  });
  return app;
}

/**
 * Fastify's trustProxy from server.trustedProxies: only the listed proxies may set the client address through
 * X-Forwarded-For (issue 13: `true` let any client pick the address the sign-in limit counts). None = the socket.
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

/** Store check plus the configured probes; `ok: null` is never produced here (absent probes are absent). */
export async function readiness(ctx: Pick<ServerContext, 'store' | 'health'>): Promise<Record<string, { ok: boolean; detail?: string; lastSyncAt?: string | null }>> {
  const checks: Record<string, { ok: boolean; detail?: string; lastSyncAt?: string | null }> = {};
  try {
    await sql`SELECT 1`.execute(ctx.store.db);
    checks['store'] = { ok: true };
  } catch (err) {
    checks['store'] = { ok: false, detail: (err as Error).message };
  }
  for (const [name, probe] of Object.entries(ctx.health ?? {})) {
    if (!probe) continue;
    try {
      checks[name] = await probe();
    } catch (err) {
      checks[name] = { ok: false, detail: (err as Error).message };
    }
  }
  return checks;
}

/** /metrics: any authenticated principal (viewer and up). */
async function requireAuthenticated(req: FastifyRequest, reply: FastifyReply) {
  if (!principalOf(req)) {
    return reply
      .code(401)
      .header('www-authenticate', 'Bearer')
      .send({ error: 'missing bearer token: set server.adminToken (SELLBRIDGE_SERVER_ADMIN_TOKEN) or create one with `sellbridge tokens create`' });
  }
}

/** A preHandler that checks one fixed bearer token (for edges with their own secret, e.g. webhooks). */
export function requireToken(token: string | undefined) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const header = req.headers.authorization ?? '';
    const given = /^bearer /i.test(header) ? header.slice(7) : '';
    if (!token || !constantTimeEqual(given, token)) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({ error: token ? 'missing or wrong bearer token' : 'this endpoint needs server.adminToken (SELLBRIDGE_SERVER_ADMIN_TOKEN) to be set' });
    }
  };
}
