import type { Command } from 'commander';
import { runAmazonDoctor } from '../../connectors/amazon/doctor.ts';
import { systemClock } from '../../runtime/clock.ts';
import type { CliContext } from '../context.ts';

const MARK = { ok: 'ok  ', warn: 'warn', fail: 'FAIL', skipped: 'skip' } as const;

export function registerAmazonCommands(program: Command, ctx: CliContext): void {
  const amazon = program.command('amazon').description('Amazon Seller Central (SP-API) connection');

  amazon
    .command('doctor')
    .description(
      'check credentials, token refresh, each marketplace, the notification destination and subscriptions; says what is wrong',
    )
    .option('--json', 'print the checks as JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const config = ctx.config(cmd);
      const checks = await runAmazonDoctor(config.amazon, { clock: systemClock });
      if (opts.json) ctx.stdout(JSON.stringify(checks, null, 2));
      else for (const c of checks) ctx.stdout(`${MARK[c.status]}  ${c.name}: ${c.detail}`);
      const failed = checks.filter((c) => c.status === 'fail').length;
      if (!opts.json) ctx.stdout(failed ? `${failed} problem(s) found` : 'Amazon connection looks healthy');
      process.exitCode = failed ? 1 : 0;
    });
}
