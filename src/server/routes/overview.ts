import { z } from 'zod';
import { createdOrderTimes } from '../../connectors/store/order-links.ts';
import type { ServerContext } from '../context.ts';
import { readiness } from '../readiness.ts';
import { openDeadLettersByCode } from './dead-letters.ts';

const Health = z.object({
  ok: z.boolean().nullable().describe('null: not wired in this process'),
  detail: z.string().nullable(),
  lastSyncAt: z.string().nullable(),
});

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
      summary: 'Health per connection, backlog, dead letters by code, throughput, latency, rate buckets and circuits',
      response: z.object({
        health: z.object({ store: Health, sage: Health, amazon: Health }),
        queues: z.array(z.object({ queue: z.string(), state: z.string(), count: z.number() })),
        deadLetters: z.object({
          total: z.number(),
          byCode: z.array(z.object({ code: z.string(), count: z.number() })),
        }),
        throughput: z.array(z.object({ minute: z.string(), completed: z.number(), failed: z.number() })),
        latency: z.object({
          orderToSageP50Ms: z.number().nullable(),
          orderToSageP99Ms: z.number().nullable(),
          samples: z.number(),
          basis: z.string(),
        }),
        buckets: z.array(z.object({ operation: z.string(), tokens: z.number(), burst: z.number(), rate: z.number() })),
        circuits: z.array(z.object({ target: z.string(), state: z.string() })),
        generatedAt: z.string(),
      }),
    },
    async () => {
      const now = ctx.clock.now();
      const checks = await readiness(ctx);
      const lastSync = await ctx.store.db
        .selectFrom('watermarks')
        .select((eb) => eb.fn.max('updated_at').as('at'))
        .executeTakeFirst();
      const health = (name: 'store' | 'sage' | 'amazon') => {
        const c = checks[name];
        return {
          ok: c ? c.ok : null,
          detail: c?.detail ?? (c ? null : 'not wired in this server process'),
          lastSyncAt: c?.lastSyncAt ?? (name === 'amazon' ? (lastSync?.at ?? null) : null),
        };
      };
      const byCode = await openDeadLettersByCode(ctx);
      // Order-to-Sage latency: received (order_links.created_at) to the Sage order (updated_at while still `created`), last 24 h.
      const since = new Date(now.getTime() - 86_400_000).toISOString();
      const links = await createdOrderTimes(ctx.store, since);
      const ms = links
        .map((l) => Date.parse(l.updated_at) - Date.parse(l.created_at))
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
        health: { store: health('store'), sage: health('sage'), amazon: health('amazon') },
        queues: (await ctx.queue.counts()).map((c) => ({ queue: c.queue, state: c.state, count: c.count })),
        deadLetters: { total: byCode.reduce((n, r) => n + r.count, 0), byCode },
        throughput: ctx.throughput.series(),
        latency: {
          orderToSageP50Ms: percentile(ms, 50),
          orderToSageP99Ms: percentile(ms, 99),
          samples: ms.length,
          basis: 'orders received in the last 24 h now in state created: received -> Sage order created',
        },
        buckets,
        circuits: [...(ctx.circuits?.() ?? [])],
        generatedAt: now.toISOString(),
      };
    },
  );
}
