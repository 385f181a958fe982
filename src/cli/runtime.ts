import { createRuntime, type Runtime } from '../bootstrap/index.ts';
import type { ResolvedConfig } from '../config/schema.ts';
import { silentLogger } from '../observability/logger.ts';

/** A runtime for commands that read or enqueue only (no workers, no supervision, no log lines on stdout). */
export function openClientRuntime(config: ResolvedConfig): Promise<Runtime> {
  return createRuntime(config, { role: 'client', logger: silentLogger() });
}

/** Runs `work` on a client runtime and closes it whatever happens: the shape of every command that reads the store. */
export async function withClientRuntime<T>(config: ResolvedConfig, work: (runtime: Runtime) => Promise<T>): Promise<T> {
  const runtime = await openClientRuntime(config);
  try {
    return await work(runtime);
  } finally {
    await runtime.close();
  }
}
