import { z } from 'zod';
import { readEngineStatus, readThroughput, type EngineStatusRow } from '../../connectors/store/engine-status.ts';
import { countOrderLinksByState, lastOrderAt, orderToSageTimes } from '../../connectors/store/order-links.ts';
import type { Store } from '../../runtime/store/store.ts';
import type { ServerContext } from '../context.ts';
import { readiness } from '../readiness.ts';
import { ConnectionFilter } from './audit.ts';
import { openDeadLettersByCode } from './dead-letters.ts';

const Health = z.object({
  ok: z.boolean().nullable().describe('null: nothing known yet (no worker has called it)'),
  detail: z.string().nullable(),
  lastSyncAt: z.string().nullable(),
  lastCallAt: z
    .string()
    .nullable()
    .describe('Last call the dependency answered, as the workers recorded it (engine_status)'),
});
type HealthView = z.infer<typeof Health>;

const ConnectionHealth = z.object({
  connectionId: z.string(),
  sage: Health,
  amazon: Health,
  token: Health.describe('Login with Amazon (the `amazon.lwa` circuit): access tokens obtained'),
  lastOrderAt: z.string().nullable(),
  backlog: z.number().describe('Orders on their way into Sage (received, waiting-for-pending, mapped, reserved)'),
  needsAttention: z.number().describe('Orders waiting for a person (needs-attention, dead-lettered)'),
});

/**
 * Health of one dependency from what the workers recorded (engine_status rows of its targets): down while a circuit
 * is open or when the latest outage failure is newer than the latest answered call.
 */
export function healthOf(rows: readonly EngineStatusRow[]): HealthView | undefined {
  if (rows.length === 0) return undefined;
  const max = (xs: (string | null)[]) => xs.reduce<string | null>((a, x) => (x && (!a || x > a) ? x : a), null);
  const lastOk = max(rows.map((r) => r.lastOkAt));
  const lastFailureAt = max(rows.map((r) => r.lastFailureAt));
  const failure = rows.find((r) => r.lastFailureAt === lastFailureAt)?.lastFailure ?? null;
  const open = rows.filter((r) => r.circuitState === 'open').map((r) => r.target);
  const failedLast = lastFailureAt !== null && (lastOk === null || lastFailureAt > lastOk);
  const ok = open.length === 0 && !failedLast;
  const detail =
    open.length > 0
      ? `circuit open: ${open.join(', ')}${failure ? ` (last failure ${failure})` : ''}`
      : failedLast
        ? `last call failed: ${failure ?? 'outage'} at ${lastFailureAt}`
        : lastOk
          ? `reachable: last call answered at ${lastOk}`
          : 'no call answered yet';
  return { ok, detail, lastSyncAt: lastOk, lastCallAt: lastOk };
}

type BucketTables = {
  rate_buckets: { key: string; tokens: number; updated_at_ms: number; rate: number; burst: number };
};

function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function registerOverviewRoutes(ctx: ServerContext): void {
  ctx.routes.add(
    {
      method: 'GET',
      url: '/api/v1/overview',
      role: 'viewer',
      tag: 'overview',
      summary:
        'Health per connection, backlog, dead letters by code, throughput, latency, rate buckets and circuits; with `connectionId`, the cards, connection row, backlog, dead letters, throughput, latency and circuits of that connection only',
      query: z.strictObject({ connectionId: ConnectionFilter }),
      response: z.object({
        connectionId: z.string().nullable().describe('The connection the figures are of; null: every connection'),
        health: z.object({ store: Health, sage: Health, amazon: Health }),
        connections: z.array(ConnectionHealth).describe('One row per connection the workers have recorded'),
        queues: z.array(z.object({ queue: z.string(), state: z.string(), count: z.number() })),
        deadLetters: z.object({
          total: z.number(),
          byCode: z.array(z.object({ code: z.string(), count: z.number() })),
        }),
        throughput: z
          .array(z.object({ minute: z.string(), completed: z.number(), failed: z.number() }))
          .describe(
            'Jobs completed and failed per minute over the last hour, of every connection or of the one asked for (its jobs as their keys name it)',
          ),
        latency: z.object({
          orderToSageP50Ms: z.number().nullable(),
          orderToSageP99Ms: z.number().nullable(),
          samples: z.number().describe('Orders measured'),
          basis: z.string(),
        }),
        buckets: z
          .array(z.object({ operation: z.string(), tokens: z.number(), burst: z.number(), rate: z.number() }))
          .describe('Shared SP-API buckets (per selling partner, not filtered by connection)'),
        circuits: z.array(z.object({ target: z.string(), state: z.string(), connectionId: z.string().optional() })),
        generatedAt: z.string(),
      }),
    },
    async ({ query }) => {
      const only = query.connectionId;
      const now = ctx.clock.now();
      const checks = await readiness(ctx);
      let watermarks = ctx.store.db.selectFrom('watermarks').select((eb) => eb.fn.max('updated_at').as('at'));
      if (only) watermarks = watermarks.where('connection_id', '=', only);
      const lastSync = await watermarks.executeTakeFirst();
      // Sage and Amazon as the workers recorded them (any process reads the same rows); a probe of this process
      // only when no worker has recorded anything yet.
      const status = (await readEngineStatus(ctx.store)).filter((r) => !only || r.connectionId === only);
      const sageRows = (rows: readonly EngineStatusRow[]) => rows.filter((r) => r.target === 'sage500');
      const amazonRows = (rows: readonly EngineStatusRow[]) => rows.filter((r) => r.target.startsWith('amazon.'));
      const recorded = { sage: healthOf(sageRows(status)), amazon: healthOf(amazonRows(status)) };
      const health = (name: 'store' | 'sage' | 'amazon'): HealthView => {
        const fromStore = name === 'store' ? undefined : recorded[name];
        const watermark = name === 'amazon' ? (lastSync?.at ?? null) : null;
        if (fromStore) return { ...fromStore, lastSyncAt: fromStore.lastSyncAt ?? watermark };
        // This process's own probe speaks for its own connection only.
        const c = !only || only === ctx.connectionId || name === 'store' ? checks[name] : undefined;
        return {
          ok: c ? c.ok : null,
          detail: c?.detail ?? (c ? null : 'no worker has recorded a call yet'),
          lastSyncAt: c?.lastSyncAt ?? watermark,
          lastCallAt: null,
        };
      };
      const byCode = await openDeadLettersByCode(ctx, only);
      const connections = await connectionRows(ctx, status, sageRows, amazonRows, only);
      // Order-to-Sage latency: first seen (notification or poll) -> Sage order recorded, orders recorded in the last 24 h.
      const since = new Date(now.getTime() - 86_400_000).toISOString();
      const times = await orderToSageTimes(ctx.store, since, 2000, only);
      const ms = times
        .map((t) => Date.parse(t.sageCreatedAt) - Date.parse(t.firstSeenAt))
        .filter((x) => Number.isFinite(x) && x >= 0)
        .sort((a, b) => a - b);
      let buckets: Array<{ operation: string; tokens: number; burst: number; rate: number }>;
      try {
        const rows = await ctx.store.db
          .withTables<BucketTables>()
          .selectFrom('rate_buckets')
          .selectAll()
          .orderBy('key')
          .limit(200)
          .execute();
        buckets = rows.map((r) => {
          const elapsedS = Math.max(0, (now.getTime() - Number(r.updated_at_ms)) / 1000);
          return {
            operation: r.key.split('|').pop() ?? r.key,
            tokens: Math.min(Number(r.burst), Number(r.tokens) + elapsedS * Number(r.rate)),
            burst: Number(r.burst),
            rate: Number(r.rate),
          };
        });
      } catch {
        buckets = [];
      }
      return {
        connectionId: only ?? null,
        health: { store: health('store'), sage: health('sage'), amazon: health('amazon') },
        connections,
        queues: (await ctx.queue.counts(only ? { connectionId: only } : {})).map((c) => ({
          queue: c.queue,
          state: c.state,
          count: c.count,
        })),
        deadLetters: { total: byCode.reduce((n, r) => n + r.count, 0), byCode },
        throughput: await throughput(ctx, only),
        latency: {
          orderToSageP50Ms: percentile(ms, 50),
          orderToSageP99Ms: percentile(ms, 99),
          samples: ms.length,
          basis:
            'latest 2000 orders whose Sage sales order was recorded in the last 24 h: first seen (notification or poll) -> Sage order recorded',
        },
        buckets,
        // The workers' circuits when they recorded any; else this process's own.
        circuits:
          status.length > 0
            ? status.map((r) => ({ target: r.target, state: r.circuitState, connectionId: r.connectionId }))
            : !only || only === ctx.connectionId
              ? [...(ctx.circuits?.() ?? [])]
              : [],
        generatedAt: now.toISOString(),
      };
    },
  );
}

const BACKLOG_STATES = ['received', 'waiting-for-pending', 'mapped', 'reserved'];
const ATTENTION_STATES = ['needs-attention', 'dead-lettered'];

/**
 * One row per connection: every connection the workers recorded plus this process's default one. Each costs two
 * reads of order_links' indexes (latest order; the orders in backlog and attention states, counted by state), so
 * the cost follows the connections and their open orders, not the table.
 */
async function connectionRows(
  ctx: ServerContext,
  status: readonly EngineStatusRow[],
  sageRows: (rows: readonly EngineStatusRow[]) => EngineStatusRow[],
  amazonRows: (rows: readonly EngineStatusRow[]) => EngineStatusRow[],
  only?: string,
): Promise<z.infer<typeof ConnectionHealth>[]> {
  const ids = only ? [only] : [...new Set([ctx.connectionId, ...status.map((r) => r.connectionId)])].sort();
  const unknown: HealthView = { ok: null, detail: 'no call recorded yet', lastSyncAt: null, lastCallAt: null };
  const out: z.infer<typeof ConnectionHealth>[] = [];
  for (const id of ids) {
    const rows = status.filter((r) => r.connectionId === id);
    out.push({
      connectionId: id,
      sage: healthOf(sageRows(rows)) ?? unknown,
      amazon: healthOf(amazonRows(rows).filter((r) => r.target !== 'amazon.lwa')) ?? unknown,
      token: healthOf(rows.filter((r) => r.target === 'amazon.lwa')) ?? unknown,
      lastOrderAt: await lastOrderAt(ctx.store, id),
      ...(await openOrderCounts(ctx.store, id)),
    });
  }
  return out;
}

export async function openOrderCounts(
  store: Store,
  connectionId: string,
): Promise<{ backlog: number; needsAttention: number }> {
  const rows = await countOrderLinksByState(store, connectionId, [...BACKLOG_STATES, ...ATTENTION_STATES]);
  const sum = (states: readonly string[]) => rows.filter((r) => states.includes(r.state)).reduce((n, r) => n + r.n, 0);
  return { backlog: sum(BACKLOG_STATES), needsAttention: sum(ATTENTION_STATES) };
}

/**
 * Jobs per minute over the last hour: what the workers recorded in the store (every process reads it), or what this
 * process saw itself when that is more (it is a worker too and its last few seconds are not written yet).
 */
async function throughput(
  ctx: ServerContext,
  only?: string,
): Promise<{ minute: string; completed: number; failed: number }[]> {
  const local = ctx.throughput.series();
  if (local.length === 0) return local;
  const recorded = new Map((await readThroughput(ctx.store, local[0]!.minute, only)).map((r) => [r.minute, r]));
  // This process's own counts are of every connection: one connection's minutes are only what was recorded.
  if (only)
    return local.map((m) => {
      const r = recorded.get(m.minute);
      return { minute: m.minute, completed: r?.completed ?? 0, failed: r?.failed ?? 0 };
    });
  return local.map((m) => {
    const r = recorded.get(m.minute);
    return r
      ? { minute: m.minute, completed: Math.max(m.completed, r.completed), failed: Math.max(m.failed, r.failed) }
      : m;
  });
}
