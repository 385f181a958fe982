import { existsSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { redactConfig } from '../../config/load.ts';
import { sampleConfigYaml } from '../../config/sample.ts';
import { SellbridgeError } from '../../core/errors.ts';
import type { CliContext } from '../context.ts';

export function registerConfigCommands(program: Command, ctx: CliContext): void {
  const config = program.command('config').description('check or print the resolved configuration');

  config
    .command('check')
    .description('validate the configuration; prints every problem with its path, expected and received value')
    .action((_opts, cmd: Command) => {
      const resolved = ctx.config(cmd);
      ctx.stdout(
        `configuration OK (store: ${resolved.store.url.split(':')[0]}, sage500: ${resolved.sage500.kind}, amazon: ${resolved.amazon.mode})`,
      );
    });

  config
    .command('print')
    .description('print the resolved configuration as YAML, secrets redacted')
    .action((_opts, cmd: Command) => {
      ctx.stdout(stringify(redactConfig(ctx.config(cmd))));
    });

  program
    .command('init')
    .description('write a commented sample sellbridge.yaml (every setting with its default)')
    .option('-o, --output <file>', 'where to write it', 'sellbridge.yaml')
    .option('-f, --force', 'overwrite an existing file')
    .action((opts: { output: string; force?: boolean }) => {
      if (existsSync(opts.output) && !opts.force) {
        throw new SellbridgeError('SB_CLI_USAGE', `${opts.output} exists; pass --force to overwrite it`);
      }
      writeFileSync(opts.output, sampleConfigYaml());
      ctx.stdout(`wrote ${opts.output}; check it with: sellbridge --config ${opts.output} config check`);
    });
}
