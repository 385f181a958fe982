import { z } from 'zod';
import { listAudit } from '../../runtime/audit.ts';
import type { ServerContext } from '../context.ts';

export const Limit = (def: number, max: number) =>
  z.coerce.number().int().min(1).max(max).default(def).describe(`How many to return (1-${max}, default ${def})`);

/**
 * The connection filter every list endpoint takes (issue 21): only rows of this connection; absent, every
 * connection. Rows written before connections existed belong to `default`.
 */
export const ConnectionFilter = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .optional()
  .describe('Only rows of this connection (issue 21); absent: every connection');

export function registerAuditRoutes(ctx: ServerContext): void {
  ctx.routes.add(
    {
      method: 'GET',
      url: '/api/v1/audit',
      role: 'viewer',
      tag: 'audit',
      summary: 'Operator actions, newest first (who, what, on which record)',
      query: z.strictObject({
        limit: Limit(50, 500),
        target: z.string().max(200).optional().describe('Only entries about this target, e.g. `dead_letter:<id>`'),
      }),
      response: z.object({
        entries: z.array(
          z.object({
            id: z.number(),
            at: z.string(),
            actor: z.string(),
            action: z.string(),
            target: z.string(),
            detail: z.unknown(),
          }),
        ),
      }),
    },
    async ({ query }) => {
      const rows = await listAudit(ctx.store.db, {
        limit: query.limit,
        ...(query.target ? { target: query.target } : {}),
      });
      return {
        entries: rows.map((r) => ({
          id: Number(r.id),
          at: r.at,
          actor: r.actor,
          action: r.action,
          target: r.target,
          detail: JSON.parse(r.detail) as unknown,
        })),
      };
    },
  );
}
