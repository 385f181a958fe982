import type { Command } from 'commander';
import type { CliContext } from '../context.ts';

export function registerMigrateCommand(program: Command, ctx: CliContext): void {
  program
    .command('migrate')
    .description('create or upgrade the state database (safe to run again)')
    .action(async (_opts, cmd: Command) => {
      const config = ctx.config(cmd);
      // Heavy modules load only when the command runs, so `sellbridge --help` stays quick.
      const { openStore } = await import('../../runtime/store/store.ts');
      const store = openStore(config.store);
      try {
        const applied = await store.migrate();
        ctx.stdout(
          applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}` : 'store is up to date',
        );
      } finally {
        await store.close();
      }
    });
}
