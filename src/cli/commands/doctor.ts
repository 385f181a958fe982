import type { Command } from 'commander';
import { ConfigError } from '../../config/load.ts';
import type { CliContext } from '../context.ts';

export function registerDoctorCommand(program: Command, ctx: CliContext): void {
  program
    .command('doctor')
    .description(
      'check that this installation can reach what it needs: configuration, store, Amazon (LWA, SP-API, SQS), Sage 500, clock, disk, last order',
    )
    .option('--json', 'print the report as JSON (same shape as GET /api/v1/doctor)')
    .option('--timeout <ms>', 'how long each network check may take', '10000')
    .addHelpText(
      'after',
      `
Each check is OK, WARN or FAIL with what to do; a check that needs a failed one is skipped, so the
cause is named once. It reads only: nothing is migrated, no queue message is taken, no order is changed.
Secrets and buyer data are never printed.

Exit code: 0 all OK, 1 warnings only, 2 at least one FAIL (also for a configuration that does not load).

Examples:
  sellbridge doctor
  sellbridge doctor --json | jq '.checks[] | select(.status != "ok")'
  sellbridge -c /etc/sellbridge/sellbridge.yaml doctor`,
    )
    .action(async (opts: { json?: boolean; timeout: string }, cmd: Command) => {
      const { configFailureReport, doctorExitCode, formatDoctorReport, runDoctor } =
        await import('../../bootstrap/doctor.ts');
      let report;
      try {
        report = await runDoctor(ctx.config(cmd), { timeoutMs: Number(opts.timeout) || 10_000 });
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        report = configFailureReport(`${err.code}: ${err.message}`);
      }
      if (opts.json) ctx.stdout(JSON.stringify(report, null, 2));
      else for (const line of formatDoctorReport(report)) ctx.stdout(line);
      process.exitCode = doctorExitCode(report);
    });
}
