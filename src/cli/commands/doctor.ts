import type { Command } from 'commander';
import { ConfigError } from '../../config/load.ts';
import type { CliContext } from '../context.ts';

export function registerDoctorCommand(program: Command, ctx: CliContext): void {
  program
    .command('doctor')
    .description(
      'check that this installation can reach what it needs, for every connection: configuration, store, Amazon (LWA, SP-API, SQS), Sage 500, the order mapping, clock, disk, last order',
    )
    .option('--connection <id>', 'check only this connection (default: every connection of sellbridge.yaml)')
    .option('--json', 'print the report as JSON (same shape as GET /api/v1/doctor)')
    .option('--timeout <ms>', 'how long each network check may take', '10000')
    .addHelpText(
      'after',
      `
Every connection of sellbridge.yaml is checked in turn (one report each): its Amazon credentials (a refresh
token stored by \`sellbridge connections authorize\` counts), SP-API, SQS, its Sage company and its order
mapping (\`sellbridge connections check\`). Each check is OK, WARN or FAIL with what to do; a check that needs a
failed one is skipped, so the cause is named once. It reads only: nothing is migrated, no queue message is
taken, no order is changed. Secrets and buyer data are never printed.

--json prints the first connection's report with "status" the worst of all and "connections" every
connection's report.

Exit code: 0 all OK, 1 warnings only, 2 at least one FAIL in any connection (also for a configuration that does
not load, or an unknown --connection).

Examples:
  sellbridge doctor
  sellbridge doctor --connection de
  sellbridge doctor --json | jq '.connections[] | {connectionId, status}'
  sellbridge doctor --json | jq '.connections[].checks[] | select(.status != "ok")'
  sellbridge -c /etc/sellbridge/sellbridge.yaml doctor`,
    )
    .action(async (opts: { json?: boolean; timeout: string; connection?: string }, cmd: Command) => {
      const { configFailureReport, doctorExitCode, formatDoctorReport, runDoctorForConnections } =
        await import('../../bootstrap/doctor.ts');
      let report;
      try {
        report = await runDoctorForConnections(
          ctx.config(cmd),
          { timeoutMs: Number(opts.timeout) || 10_000 },
          opts.connection,
        );
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        report = configFailureReport(`${err.code}: ${err.message}`);
      }
      if (opts.json) ctx.stdout(JSON.stringify(report, null, 2));
      else for (const line of formatDoctorReport(report)) ctx.stdout(line);
      process.exitCode = doctorExitCode(report);
    });
}
