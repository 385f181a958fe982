import { z } from 'zod';
import type { ServerContext } from '../context.ts';

const Check = z.object({
  id: z.string(),
  status: z.enum(['ok', 'warn', 'fail', 'skipped']),
  detail: z.string(),
  fix: z.string().optional(),
});

const Report = z.object({
  connectionId: z.string(),
  checkedAt: z.string(),
  status: z.enum(['ok', 'warn', 'fail']),
  checks: z.array(Check),
});

/**
 * GET /api/v1/doctor: the `sellbridge doctor` report of this process's connections: the first connection's report,
 * `status` the worst of all, and `connections` every connection's report; `?connection=<id>` checks that one alone
 * (404 when sellbridge.yaml has no such connection).
 */
export function registerDoctorRoutes(ctx: ServerContext): void {
  ctx.routes.add(
    {
      method: 'GET',
      url: '/api/v1/doctor',
      role: 'operator',
      tag: 'overview',
      summary:
        "The `sellbridge doctor` report for every connection (`?connection=<id>`: that one alone): configuration, store, LWA, SP-API, SQS, Sage, the order mapping, clock, disk, last order; OK/WARN/FAIL with the fix (spends a few SP-API calls per connection). The top level is the first connection's report with `status` the worst of all; `connections` holds each connection's",
      query: z.strictObject({
        connection: z
          .string()
          .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'a connection id')
          .optional()
          .describe("Check this connection alone (the report's `connections` then holds it only)"),
      }),
      response: Report.extend({ connections: z.array(Report).optional() }),
      statuses: {
        404: 'no such connection in this configuration (SB_CONNECTION_NOT_FOUND)',
        501: 'this server process was started without the configuration doctor needs',
      },
    },
    async ({ query, reply }) => {
      if (!ctx.doctor)
        return reply
          .code(501)
          .send({ error: 'doctor is not wired in this server process (run it with `sellbridge run`)' });
      const report = await ctx.doctor(query.connection);
      if (!report)
        return reply.code(404).send({
          error: `no connection ${query.connection} in this configuration: doctor checks the connections of sellbridge.yaml`,
          code: 'SB_CONNECTION_NOT_FOUND',
        });
      return report;
    },
  );
}
