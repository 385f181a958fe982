import type { ResolvedConfig } from '../config/schema.ts';
import type { Clock } from '../core/ports.ts';
import type { Logger } from '../observability/logger.ts';
import { keyringFromConfig } from '../runtime/pii/keyring.ts';
import { registerPiiPurge } from '../runtime/pii/purge-job.ts';
import { createPiiVault } from '../runtime/pii/vault.ts';
import type { JobQueue } from '../runtime/queue/job-queue.ts';
import type { Scheduler } from '../runtime/scheduler.ts';
import type { Store } from '../runtime/store/store.ts';
import type { AppDeps } from './app.ts';

export interface AdminWiringInput {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly queue: Pick<JobQueue, 'register'>;
  readonly scheduler: Pick<Scheduler, 'add'>;
  readonly circuits?: () => readonly { target: string; state: string }[];
}

/**
 * What `sellbridge run` adds for issue 6 beyond the runtime: the PII vault when a key is configured (and its
 * scheduled `pii.purge` job), the server and security settings, and a Sage health probe from its circuit.
 * Call before `runtime.start()` so the purge handler is registered before the queue starts.
 */
export function wireAdmin(runtime: AdminWiringInput, config: ResolvedConfig): Partial<AppDeps> {
  const keyring = keyringFromConfig(config.security);
  const pii = keyring ? createPiiVault(runtime.store, keyring, runtime.clock, { retentionDays: config.security.piiRetentionDays }) : undefined;
  if (pii) registerPiiPurge({ queue: runtime.queue, scheduler: runtime.scheduler, vault: pii, everyMs: config.security.piiPurgeEveryMs, logger: runtime.logger });
  else runtime.logger.info('no PII key configured (security.piiKeys / security.piiKeyFile): buyer PII and connection credentials cannot be stored');
  const circuits = runtime.circuits;
  return {
    server: config.server,
    security: config.security,
    ...(pii ? { pii } : {}),
    ...(circuits
      ? {
          health: {
            sage: async () => {
              const c = circuits().find((x) => x.target.startsWith('sage'));
              return c ? { ok: c.state !== 'open', detail: `circuit ${c.state}` } : { ok: true, detail: 'no circuit' };
            },
          },
        }
      : {}),
  };
}
