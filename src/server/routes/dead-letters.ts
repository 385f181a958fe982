import { z } from 'zod';
import { checkOverrides, OVERRIDE_PATHS } from '../../core/transform/order-overrides.ts';
import { previewReplay, replayWithOverrides, type OrderRepairDeps } from '../order-repair.ts';
import { ERROR_CATALOGUE, SellbridgeError } from '../../core/errors.ts';
import { writeAudit } from '../../runtime/audit.ts';
import { payloadConnectionSql, type DeadLetter } from '../../runtime/queue/dead-letters.ts';
import type { ServerContext } from '../context.ts';
import { ConnectionFilter, Limit } from './audit.ts';

/** Open dead letters counted per error code, by code (the dead-letter list and the overview both show it). */
export async function openDeadLettersByCode(
  ctx: Pick<ServerContext, 'store'>,
  connectionId?: string,
): Promise<Array<{ code: string; count: number }>> {
  let q = ctx.store.db
    .selectFrom('dead_letters')
    .select((eb) => ['error_code', eb.fn.countAll().as('n')])
    .where('status', '=', 'open');
  if (connectionId) q = q.where(payloadConnectionSql(ctx.store.dialect), '=', connectionId);
  const rows = await q.groupBy('error_code').orderBy('error_code').execute();
  return rows.map((r) => ({ code: r.error_code, count: Number(r.n) }));
}

/** What an operator can do to fix a dead letter, when Sellbridge can tell. */
export type SuggestedFix =
  | {
      readonly kind: 'sku-alias';
      readonly connectionId: string;
      readonly sellerSku: string;
      readonly field: string;
      readonly candidates: readonly string[];
    }
  | { readonly kind: 'edit-payload'; readonly hint: string }
  | { readonly kind: 'replay'; readonly hint: string };

const Fix = z.union([
  z.object({
    kind: z.literal('sku-alias'),
    connectionId: z.string(),
    sellerSku: z.string(),
    field: z.string(),
    candidates: z.array(z.string()),
  }),
  z.object({ kind: z.enum(['edit-payload', 'replay']), hint: z.string() }),
]);

const Summary = z.object({
  id: z.string(),
  queue: z.string(),
  jobKey: z.string(),
  code: z.string(),
  kind: z.string(),
  message: z.string(),
  attempts: z.number(),
  occurrences: z
    .number()
    .describe(
      'Times this queue and key failed for good while the dead letter was open (repeat notifications of a poisoned order)',
    ),
  firstFailedAt: z.string(),
  lastFailedAt: z.string(),
  status: z.enum(['open', 'replayed', 'discarded']),
  amazonOrderId: z.string().nullable(),
  connectionId: z.string().describe("The job payload's connectionId; `default` when it has none"),
});

const Detail = Summary.extend({
  jobId: z.string(),
  payload: z.unknown(),
  error: z.object({
    code: z.string(),
    kind: z.string(),
    message: z.string(),
    context: z.record(z.string(), z.unknown()),
    issues: z
      .array(z.object({ field: z.string(), problem: z.string(), suggestions: z.array(z.string()).optional() }))
      .optional(),
  }),
  meaning: z.string().nullable(),
  fix: z.string().nullable(),
  suggestedFix: Fix.nullable(),
  suggestedFixes: z.array(Fix),
  resolvedAt: z.string().nullable(),
  resolvedBy: z.string().nullable(),
  replayJobId: z.string().nullable(),
});

const Id = z.strictObject({ id: z.string().min(1).max(100) });

function payloadField(payload: unknown, field: string): string | null {
  if (typeof payload !== 'object' || payload === null) return null;
  const v = (payload as Record<string, unknown>)[field];
  return typeof v === 'string' ? v : null;
}

/** Longest free text a list endpoint returns per field; the detail endpoint has the whole (stored) text. */
export const LIST_TEXT_CHARS = 1000;

/** `text` cut to `max` characters, saying how long it was (list answers stay bounded). */
export function excerpt(text: string, max: number): string;
export function excerpt(text: string | null, max: number): string | null;
export function excerpt(text: string | null, max: number): string | null {
  return text !== null && text.length > max ? `${text.slice(0, max)}... (${text.length} characters)` : text;
}

export function summaryOf(dl: DeadLetter) {
  return {
    id: dl.id,
    queue: dl.queue,
    jobKey: dl.jobKey,
    code: dl.error.code,
    kind: dl.error.kind,
    message: excerpt(dl.error.message, LIST_TEXT_CHARS),
    attempts: dl.attempts,
    occurrences: dl.occurrences,
    firstFailedAt: dl.firstFailedAt,
    lastFailedAt: dl.lastFailedAt,
    status: dl.status,
    amazonOrderId: payloadField(dl.payload, 'amazonOrderId'),
    connectionId: payloadField(dl.payload, 'connectionId')?.trim() || 'default',
  };
}

/** Fixes derived from the error: an unknown SellerSKU becomes "add alias SKU -> one of the candidates". */
export function suggestedFixesOf(dl: DeadLetter, defaultConnectionId: string): SuggestedFix[] {
  const fixes: SuggestedFix[] = [];
  const connectionId = payloadField(dl.payload, 'connectionId') ?? defaultConnectionId;
  for (const issue of dl.error.issues ?? []) {
    const m = /unknown SellerSKU (.+)$/.exec(issue.problem);
    if (m)
      fixes.push({
        kind: 'sku-alias',
        connectionId,
        sellerSku: m[1]!.trim(),
        field: issue.field,
        candidates: [...(issue.suggestions ?? [])],
      });
  }
  if (fixes.length === 0) {
    const kind = ERROR_CATALOGUE[dl.error.code as keyof typeof ERROR_CATALOGUE]?.kind ?? dl.error.kind;
    if (kind === 'validation' && dl.error.code.includes('PAYLOAD'))
      fixes.push({ kind: 'edit-payload', hint: 'correct the payload and replay it with the edited payload' });
    else if (kind === 'transient' || kind === 'unavailable' || kind === 'throttled' || kind === 'internal')
      fixes.push({ kind: 'replay', hint: 'once the cause is gone (connection back, bug fixed), replay it' });
  }
  return fixes;
}

export function registerDeadLetterRoutes(ctx: ServerContext): void {
  const { routes, deadLetters } = ctx;
  routes.add(
    {
      method: 'GET',
      url: '/api/v1/dead-letters',
      role: 'viewer',
      tag: 'dead-letters',
      summary: 'Dead letters, newest failure first, filtered by error code, queue and status (default open)',
      query: z.strictObject({
        code: z.string().max(100).optional().describe('Error code, e.g. SB_MAP_UNKNOWN_SKU'),
        queue: z.string().max(100).optional(),
        status: z.enum(['open', 'replayed', 'discarded', 'all']).default('open'),
        connectionId: ConnectionFilter,
        limit: Limit(100, 1000),
      }),
      response: z.object({
        deadLetters: z.array(Summary),
        byCode: z.array(z.object({ code: z.string(), count: z.number() })),
      }),
    },
    async ({ query }) => {
      const list = await deadLetters.list({
        status: query.status,
        limit: query.limit,
        ...(query.code ? { code: query.code } : {}),
        ...(query.queue ? { queue: query.queue } : {}),
        ...(query.connectionId ? { connectionId: query.connectionId } : {}),
      });
      return { deadLetters: list.map(summaryOf), byCode: await openDeadLettersByCode(ctx, query.connectionId) };
    },
  );

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/dead-letters/:id',
      role: 'viewer',
      tag: 'dead-letters',
      summary: 'One dead letter: payload, error with field issues, what the code means and the suggested fix',
      params: Id,
      response: Detail,
      statuses: { 404: 'no such dead letter' },
    },
    async ({ params }) => {
      const dl = await deadLetters.get(params.id);
      const fixes = suggestedFixesOf(dl, ctx.connectionId);
      const cat = ERROR_CATALOGUE[dl.error.code as keyof typeof ERROR_CATALOGUE];
      return {
        ...summaryOf(dl),
        jobId: dl.jobId,
        payload: dl.payload,
        error: dl.error,
        meaning: cat?.meaning ?? null,
        fix: cat?.fix ?? null,
        suggestedFix: fixes[0] ?? null,
        suggestedFixes: fixes,
        resolvedAt: dl.resolvedAt,
        resolvedBy: dl.resolvedBy,
        replayJobId: dl.replayJobId,
      };
    },
  );

  const Overrides = z
    .record(z.string().max(200), z.string().max(500))
    .describe(
      `Order corrections, path -> value (${OVERRIDE_PATHS}); the paths are those the dead letter's issues name. Order dead letters (order.sync) only`,
    );
  /** 404 for an unknown dead letter first; then, without the order flow in this process, a refusal (409). */
  const noOrderFlow = async (id: string, reply: { code(n: number): { send(b: unknown): unknown } }) => {
    await deadLetters.get(id);
    return reply.code(409).send({
      error:
        'corrections need the order flow (Amazon and Sage connections) in this server process; start it with `sellbridge run`',
      code: 'SB_API_REFUSED',
    });
  };

  routes.add(
    {
      method: 'POST',
      url: '/api/v1/dead-letters/:id/preview',
      role: 'operator',
      tag: 'dead-letters',
      summary:
        'The Sage sales order an order dead letter would create if replayed with these corrections (reads Amazon and Sage, writes nothing; ship-to shown as city, region, country)',
      params: Id,
      body: z.strictObject({ set: Overrides.default({}) }),
      response: z.unknown(),
      statuses: { 404: 'no such dead letter', 409: 'the order flows are not wired into this server process' },
    },
    async ({ params, body, reply }) => {
      if (!ctx.orders) return noOrderFlow(params.id, reply);
      return previewReplay(repairDeps(ctx), params.id, checkOverrides(body.set));
    },
  );

  routes.add(
    {
      method: 'POST',
      url: '/api/v1/dead-letters/:id/replay',
      role: 'operator',
      tag: 'dead-letters',
      summary:
        'Enqueue the job again (optionally with a corrected payload, or an order with corrected fields `set`) with all attempts; audited. With `set` the corrected order is previewed first and replayed only when it maps (422 with the preview otherwise, unless `force`)',
      params: Id,
      body: z
        .strictObject({
          payload: z.unknown().optional().describe('Corrected payload; omit to replay as stored'),
          set: Overrides.optional(),
          force: z.boolean().optional().describe('With `set`: replay even when the preview still has issues'),
        })
        .default({}),
      response: z.object({ jobId: z.string(), deduplicated: z.boolean(), preview: z.unknown().optional() }),
      statuses: {
        404: 'no such dead letter',
        422: 'with `set`: the corrected order still has issues (the body holds the preview)',
        409: 'already replayed or discarded; or, with `set`, the order flows are not wired into this server process',
      },
    },
    async ({ params, body, principal, reply }) => {
      if (body.set && Object.keys(body.set).length > 0) {
        if (body.payload !== undefined)
          return reply.code(400).send({
            error: 'invalid request: body set: give either payload or set, not both',
            code: 'SB_API_BODY_INVALID',
            issues: [{ in: 'body', field: 'set', problem: 'give either payload or set, not both' }],
          });
        if (!ctx.orders) return noOrderFlow(params.id, reply);
        const r = await replayWithOverrides(repairDeps(ctx), params.id, checkOverrides(body.set), {
          actor: principal.actor,
          ...(body.force ? { force: true } : {}),
        });
        if (!r.replayed)
          return reply.code(422).send({
            error: `dead letter ${params.id} not replayed: the corrected order still has issues`,
            code: 'SB_API_REFUSED',
            preview: r.preview,
          });
        return { jobId: r.jobId!, deduplicated: r.deduplicated ?? false, preview: r.preview };
      }
      return deadLetters.replay(params.id, {
        actor: principal.actor,
        ...(body.payload !== undefined ? { payload: body.payload } : {}),
      });
    },
  );

  routes.add(
    {
      method: 'POST',
      url: '/api/v1/dead-letters/replay',
      role: 'operator',
      tag: 'dead-letters',
      summary: '"Replay all like this": replay every open dead letter with this error code (and queue); audited',
      body: z.strictObject({
        code: z.string().min(1).max(100),
        queue: z.string().max(100).optional(),
        connectionId: ConnectionFilter.describe('Only dead letters of this connection; absent: every connection'),
        limit: z.number().int().min(1).max(1000).default(500),
      }),
      response: z.object({
        replayed: z.number(),
        jobs: z.array(z.object({ deadLetterId: z.string(), jobId: z.string() })),
        failed: z.array(z.object({ deadLetterId: z.string(), error: z.string() })),
      }),
    },
    async ({ body, principal }) => {
      const open = await deadLetters.list({
        status: 'open',
        code: body.code,
        limit: body.limit,
        ...(body.queue ? { queue: body.queue } : {}),
        ...(body.connectionId ? { connectionId: body.connectionId } : {}),
      });
      const jobs: Array<{ deadLetterId: string; jobId: string }> = [];
      const failed: Array<{ deadLetterId: string; error: string }> = [];
      for (const dl of open) {
        try {
          const r = await deadLetters.replay(dl.id, { actor: principal.actor });
          jobs.push({ deadLetterId: dl.id, jobId: r.jobId });
        } catch (err) {
          failed.push({ deadLetterId: dl.id, error: err instanceof SellbridgeError ? err.message : 'internal error' });
        }
      }
      await writeAudit(
        ctx.store.db,
        {
          actor: principal.actor,
          action: 'dlq.replay-bulk',
          target: `dead_letters:code=${body.code}`,
          detail: {
            code: body.code,
            queue: body.queue ?? null,
            connectionId: body.connectionId ?? null,
            replayed: jobs.length,
            failed: failed.length,
          },
        },
        ctx.clock.now(),
      );
      return { replayed: jobs.length, jobs, failed };
    },
  );

  routes.add(
    {
      method: 'POST',
      url: '/api/v1/dead-letters/:id/discard',
      role: 'operator',
      tag: 'dead-letters',
      summary: 'Discard a dead letter (kept for the record) with the reason; audited',
      params: Id,
      body: z.strictObject({ reason: z.string().trim().min(1, 'say why it is discarded').max(500) }),
      response: z.object({ ok: z.literal(true) }),
      statuses: { 404: 'no such dead letter', 409: 'already replayed or discarded' },
    },
    async ({ params, body, principal }) => {
      await deadLetters.discard(params.id, { actor: principal.actor, reason: body.reason });
      return { ok: true };
    },
  );
}

/** The repair helpers over this server's store, dead letters and order flow (callers check `ctx.orders` first). */
export function repairDeps(ctx: ServerContext): OrderRepairDeps {
  return { store: ctx.store, clock: ctx.clock, deadLetters: ctx.deadLetters, orders: ctx.orders!.deps };
}
