import { z } from 'zod';
import type { ServerContext } from '../context.ts';

const Check = z.object({
  id: z.string(),
  status: z.enum(['ok', 'warn', 'fail', 'skipped']),
  detail: z.string(),
  fix: z.string().optional(),
});

/** GET /api/v1/doctor: the `sellbridge doctor` report of this process's connection . */
export function registerDoctorRoutes(ctx: ServerContext): void {
  ctx.routes.add(
    {
      method: 'GET',
      url: '/api/v1/doctor',
      role: 'operator',
      tag: 'overview',
      summary:
        'The `sellbridge doctor` report: configuration, store, LWA, SP-API, SQS, Sage, clock, disk, last order; OK/WARN/FAIL with the fix (spends a few SP-API calls)',
      response: z.object({
        connectionId: z.string(),
        checkedAt: z.string(),
        status: z.enum(['ok', 'warn', 'fail']),
        checks: z.array(Check),
      }),
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
