import type { Logger } from '../../observability/logger.ts';
import type { JobQueue } from '../queue/job-queue.ts';
import type { Scheduler } from '../scheduler.ts';
import type { PiiVault } from './vault.ts';

export const PII_PURGE_QUEUE = 'pii.purge';

/**
 * The scheduled purge of buyer PII (sp-api-facts §13: at most 30 days after delivery): a `pii.purge` job every
 * `everyMs`, one pending at a time whatever the number of workers (scheduler de-duplication by key).
 */
export function registerPiiPurge(input: {
  queue: Pick<JobQueue, 'register'>;
  scheduler: Pick<Scheduler, 'add'>;
  vault: PiiVault;
  everyMs: number;
  logger: Logger;
}): void {
  input.queue.register(PII_PURGE_QUEUE, async () => {
    const r = await input.vault.purgeDue();
    if (r.purged > 0)
      input.logger.info({ purged: r.purged }, `pii.purge: deleted buyer data of ${r.purged} order(s) past retention`);
    return r;
  });
  input.scheduler.add({
    name: PII_PURGE_QUEUE,
    queue: PII_PURGE_QUEUE,
    key: PII_PURGE_QUEUE,
    payload: {},
    everyMs: input.everyMs,
    priority: -10,
  });
}
