import type { ResolvedConfig } from '../config/schema.ts';
import { createRuntime, type Runtime } from '../bootstrap/index.ts';
import type { Logger } from '../observability/logger.ts';

/**
 * The engine the demo drives: the real runtime from `createRuntime` in the worker role, started (queue, scheduler,
 * SQS intake). Everything Amazon/Sage comes from `config`: the SP-API client over HTTP, the SQS consumer, the
 * sandbox gateway behind its circuit breaker, the order flows and the shipment.poll schedule.
 */
export interface DemoEngine {
  readonly runtime: Runtime;
  close(): Promise<void>;
}

export async function startDemoEngine(config: ResolvedConfig, options: { logger?: Logger } = {}): Promise<DemoEngine> {
  const runtime = await createRuntime(config, {
    role: 'worker',
    ...(options.logger ? { logger: options.logger } : {}),
  });
  try {
    await runtime.start();
  } catch (err) {
    await runtime.close();
    throw err;
  }
  return { runtime, close: () => runtime.close() };
}
