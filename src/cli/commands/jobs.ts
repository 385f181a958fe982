import { Option, type Command } from 'commander';
import type { JobState } from '../../runtime/queue/job-queue.ts';
import type { CliContext } from '../context.ts';
import { formatTable } from '../format.ts';

export function registerJobsCommands(program: Command, ctx: CliContext): void {
  const jobs = program.command('jobs').description('inspect durable jobs');
  jobs
    .command('list')
    .description('list recent jobs, newest first, with counts per queue and state')
    .addOption(
      new Option('--state <state>', 'only jobs in this state').choices(['pending', 'running', 'completed', 'dead']),
    )
    .option('--queue <name>', 'only jobs of this queue, e.g. order.sync')
    .option(
      '--connection <id>',
      "only this connection's jobs (counts too); jobs queued before connections are `default`",
    )
    .option('--limit <n>', 'how many jobs to show', '50')
    .option('--json', 'print JSON instead of a table')
    .action(
      async (
        opts: { state?: JobState; queue?: string; connection?: string; limit: string; json?: boolean },
        cmd: Command,
      ) => {
        const { openClientRuntime } = await import('../runtime.ts');
        const runtime = await openClientRuntime(ctx.config(cmd));
        try {
          const list = await runtime.queue.listJobs({
            limit: Number(opts.limit),
            ...(opts.state ? { state: opts.state } : {}),
            ...(opts.queue ? { queue: opts.queue } : {}),
            ...(opts.connection ? { connectionId: opts.connection } : {}),
          });
          const counts = await runtime.queue.counts(opts.connection ? { connectionId: opts.connection } : {});
          if (opts.json) {
            ctx.stdout(JSON.stringify({ counts, jobs: list }, null, 2));
            return;
          }
          if (counts.length === 0) {
            ctx.stdout('no jobs yet');
            return;
          }
          ctx.stdout(
            formatTable(
              counts.map((c) => ({ ...c })),
              ['queue', 'state', 'count'],
            ),
          );
          ctx.stdout('');
          ctx.stdout(
            list.length
              ? formatTable(
                  list.map((j) => ({
                    id: j.id,
                    queue: j.queue,
                    key: j.key,
                    state: j.state,
                    attempt: `${j.attempt}/${j.maxAttempts}`,
                    runAt: j.runAt,
                    lastError: j.lastError,
                  })),
                  ['id', 'queue', 'key', 'state', 'attempt', 'runAt', 'lastError'],
                )
              : 'no jobs match',
          );
        } finally {
          await runtime.close();
        }
      },
    );
}
