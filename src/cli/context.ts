import type { Command } from 'commander';
import { loadConfig } from '../config/load.ts';
import type { ResolvedConfig } from '../config/schema.ts';

/**
 * What every command gets: where to write, and how to build the resolved config from the global flags
 * (--config, --set, --store). Commands never read process.env themselves.
 */
export interface CliContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /**
   * Loads config from the program's global options; throws ConfigError listing every problem. `notConfig` leaves
   * out `--set` pairs a command reads itself (`dlq replay --set shipTo.city=...`: the program's `--set` takes them).
   */
  config(command: Command, notConfig?: (path: string) => boolean): ResolvedConfig;
}

export interface GlobalOptions {
  config?: string;
  set?: string[];
  store?: string;
}

export function globalOverrides(opts: GlobalOptions): { path: string; value: string }[] {
  const overrides = (opts.set ?? []).map((pair) => {
    const eq = pair.indexOf('=');
    return eq < 0 ? { path: pair, value: '' } : { path: pair.slice(0, eq), value: pair.slice(eq + 1) };
  });
  if (opts.store) overrides.push({ path: 'store.url', value: opts.store });
  return overrides;
}

export function createCliContext(env: Readonly<Record<string, string | undefined>>): CliContext {
  return {
    env,
    stdout: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    stderr: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
    config(command, notConfig) {
      const opts = command.optsWithGlobals<GlobalOptions>();
      const overrides = globalOverrides(opts).filter((o) => !notConfig?.(o.path));
      return loadConfig({ file: opts.config, env, overrides });
    },
  };
}
