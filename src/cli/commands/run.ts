import { Option, type Command } from 'commander';
import { SellbridgeError } from '../../core/errors.ts';
import type { JobQueue } from '../../runtime/queue/job-queue.ts';
import type { CliContext } from '../context.ts';

type Role = 'all' | 'worker' | 'api';

export function registerRunCommand(program: Command, ctx: CliContext): void {
  program
    .command('run')
    .description(
      'run Sellbridge: job workers (orders from Amazon into Sage 500, shipments back), the SQS/polling intake and the HTTP server (health, metrics, webhooks); stops cleanly on SIGTERM/SIGINT',
    )
    .addOption(
      new Option('--role <role>', 'what this process does; run several workers against PostgreSQL to scale')
        .choices(['all', 'worker', 'api'])
        .default('all'),
    )
    .option('--once', 'process the jobs that are due, then exit (no HTTP server); for cron or a quick check')
    .addHelpText(
      'after',
      `
Examples:
  sellbridge run                                   everything in one process on ./data/sellbridge.db
  sellbridge run --once                            drain due jobs and exit (recurring jobs are not queued)
  sellbridge run --role worker --set amazon.endpoint=http://127.0.0.1:4567 --set amazon.lwaEndpoint=http://127.0.0.1:4567/auth/o2/token \
    --set amazon.refreshToken=… --set sage500.kind=sandbox       a worker against the simulator and the Sage sandbox
  SELLBRIDGE_STORE_URL=postgres://127.0.0.1/sellbridge sellbridge run --role worker   one of several workers`,
    )
    .action(async (opts: { role: Role; once?: boolean }, cmd: Command) => {
      const config = ctx.config(cmd);
      const { connectionConfigs } = await import('../../config/load.ts');
      // Hosted mode: the process that runs the jobs serves the agent channels on its HTTP port, so it needs one.
      if (connectionConfigs(config).some((c) => c.sage500.kind === 'agent') && opts.role === 'worker')
        throw new SellbridgeError(
          'SB_CFG_INVALID',
          'sage500.kind is agent: the agent dials in to the HTTP server of the process that runs the jobs; run with --role all',
        );
      // the Sage company's catalog is verified before any order (in hosted mode, by the agent beside Sage when it
      // starts); a mismatch stops here, loudly.
      // Several connections (issue 21): each is checked when the runtime starts; one that fails does not start and
      // its work waits with the reason (`sellbridge connections list`), the others run.
      const several = connectionConfigs(config).length > 1;
      if (opts.role !== 'api' && config.sage500.kind !== 'agent' && !several) {
        const { assertSage500Verified } = await import('../../connectors/sage500/verify-at-start.ts');
        ctx.stdout((await assertSage500Verified(config.sage500)).summary);
        // The connection's order mapping is checked against the same company: a mapping naming what Sage does not
        // have stops the start with every problem named, instead of dead-lettering each order (issue 21).
        const { assertConnectionChecked } = await import('../../bootstrap/connection-check.ts');
        ctx.stdout((await assertConnectionChecked(config)).summary);
      }
      const { createRuntime } = await import('../../bootstrap/index.ts');
      const runtime = await createRuntime(config, {
        role: opts.role === 'api' ? 'client' : 'worker',
        checkConnections: several,
      });
      const { logger, queue } = runtime;
      const admin = (await import('../../bootstrap/admin.ts')).wireAdmin(runtime, config); // the PII vault + pii.purge, server/security settings

      if (opts.once) {
        await queue.start();
        await drainDue(runtime.queue);
        const counts = await queue.counts();
        await runtime.close();
        const summary = counts.map((c) => `${c.queue} ${c.state}: ${c.count}`).join(', ');
        ctx.stdout(
          `sellbridge run --once: store ${runtime.store.dialect}, engine ${queue.engine}; ${summary || 'no jobs'}`,
        );
        return;
      }

      // Worker role: the queue with every flow's handlers, the scheduler (shipment.poll, order.poll) and the SQS intake.
      if (opts.role !== 'api') await runtime.start();
      // The HTTP server (fastify, the routes, the dashboard) is loaded only by a process that serves it: some 25 MB
      // a worker and `run --once` do without.
      const app =
        opts.role === 'worker'
          ? undefined
          : (await import('../../server/app.ts')).buildApp({
              ...runtime,
              ...admin,
              adminToken: config.server.adminToken,
              accountingModel: config.settlements.accountingModel,
            });
      // Hosted mode: one upgrade handler for every agent connection (those added later through the admin API too);
      // it hands each agent's channel to the hub of the connection the agent is enrolled for.
      if (app) app.server.on('upgrade', (req, socket, head) => runtime.agentUpgrade(req, socket, head));
      if (app) {
        const address = await app.listen({ host: config.server.host, port: config.server.port });
        ctx.stdout(
          `sellbridge is running (store ${runtime.store.dialect}, engine ${queue.engine}, role ${opts.role}): ${address}/healthz`,
        );
      } else {
        ctx.stdout(`sellbridge worker is running (store ${runtime.store.dialect}, engine ${queue.engine})`);
      }
      logger.info({ role: opts.role, store: runtime.store.dialect, engine: queue.engine }, 'sellbridge started');

      await new Promise<void>((resolve) => {
        const shutdown = (signal: string) => {
          logger.info(
            { signal },
            `${signal}: finishing in-flight jobs (up to ${config.jobs.shutdownGraceMs}ms), then stopping`,
          );
          resolve();
        };
        process.once('SIGTERM', () => shutdown('SIGTERM'));
        process.once('SIGINT', () => shutdown('SIGINT'));
      });
      await app?.close();
      await runtime.close();
      ctx.stdout('sellbridge stopped');
    });
}

/**
 * Waits until no job is running and none is due (delayed jobs stay for a later run). A job that a finishing job
 * enqueues (settlement.discover -> settlement.import) is due at once, so idle must be seen twice in a row: between
 * one look at the running jobs and one at the pending ones, a job can move from pending to running and be in
 * neither answer.
 */
async function drainDue(queue: JobQueue): Promise<void> {
  const idle = async () => {
    const now = new Date().toISOString();
    if ((await queue.listJobs({ state: 'running', limit: 1 })).length > 0) return false;
    const pending = await queue.listJobs({ state: 'pending', limit: 1000 });
    if (!pending.every((j) => j.runAt > now)) return false;
    return (await queue.listJobs({ state: 'running', limit: 1 })).length === 0;
  };
  for (let quiet = 0; quiet < 2;) {
    quiet = (await idle()) ? quiet + 1 : 0;
    await new Promise((r) => setTimeout(r, 100));
  }
}
