import type { Command } from 'commander';
import type { CliContext } from '../context.ts';

export function registerBackupCommands(program: Command, ctx: CliContext): void {
  program
    .command('backup <file>')
    .description(
      'copy the SQLite store to <file> while Sellbridge keeps running (online backup); on PostgreSQL prints the pg_dump command and exits non-zero',
    )
    .addHelpText(
      'after',
      `
Examples:
  sellbridge backup /var/backups/sellbridge-$(date +%F).db
  sellbridge -c C:\\ProgramData\\Sellbridge\\sellbridge.yaml backup D:\\Backups\\sellbridge.db`,
    )
    .action(async (file: string, _opts: unknown, cmd: Command) => {
      const config = ctx.config(cmd);
      const { backupStore } = await import('../../runtime/store/backup.ts');
      const info = await backupStore(config.store.url, config.store.schema, file);
      ctx.stdout(
        `backed up the store to ${info.path}: ${info.bytes} bytes, migration ${info.level} (${info.migrations} applied)`,
      );
    });

  program
    .command('restore <file>')
    .description(
      'replace the SQLite store with a file written by `sellbridge backup`; refuses a store in use, and an existing one without --force',
    )
    .option('--force', 'replace an existing store (Sellbridge must be stopped)')
    .addHelpText(
      'after',
      `
The file is checked first: it must be a Sellbridge store no newer than this binary. A store from an
older release is restored as it is; \`sellbridge migrate\` (or \`sellbridge run\`) upgrades it.

Examples:
  sellbridge service stop && sellbridge restore --force /var/backups/sellbridge-2026-12-01.db && sellbridge service start`,
    )
    .action(async (file: string, opts: { force?: boolean }, cmd: Command) => {
      const config = ctx.config(cmd);
      const { restoreStore } = await import('../../runtime/store/backup.ts');
      const result = await restoreStore(config.store.url, config.store.schema, file, { force: opts.force ?? false });
      ctx.stdout(`restored ${result.restored.path} (migration ${result.restored.level}) to ${result.target}`);
      if (result.pending.length)
        ctx.stdout(
          `${result.pending.length} migration(s) of this Sellbridge are pending (${result.pending.join(', ')}): run \`sellbridge migrate\``,
        );
    });
}
