import { createRuntime, type Runtime } from '../bootstrap.ts';
import type { ResolvedConfig } from '../config/schema.ts';
import { silentLogger } from '../observability/logger.ts';

/** A runtime for commands that read or enqueue only (no workers, no supervision, no log lines on stdout). */
export function openClientRuntime(config: ResolvedConfig): Promise<Runtime> {
  return createRuntime(config, { role: 'client', logger: silentLogger() });
}
