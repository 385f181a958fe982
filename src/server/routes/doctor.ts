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
 * `status` the worst of all, and `connections` every connection's report.
 */
export function registerDoctorRoutes(ctx: ServerContext): void {
  ctx.routes.add(
    {
      method: 'GET',
      url: '/api/v1/doctor',
      role: 'operator',
      tag: 'overview',
      summary:
        "The `sellbridge doctor` report for every connection: configuration, store, LWA, SP-API, SQS, Sage, the order mapping, clock, disk, last order; OK/WARN/FAIL with the fix (spends a few SP-API calls per connection). The top level is the first connection's report with `status` the worst of all; `connections` holds each connection's",
      response: Report.extend({ connections: z.array(Report).optional() }),
      statuses: { 501: 'this server process was started without the configuration doctor needs' },
    },
    async ({ reply }) => {
      if (!ctx.doctor)
        return reply
          .code(501)
          .send({ error: 'doctor is not wired in this server process (run it with `sellbridge run`)' });
      return ctx.doctor();
    },
  );
}
