import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextHead } from '../../../src/runtime/queue/sqlite-job-queue.ts';
import type { Store } from '../../../src/runtime/store/store.ts';
import { freshStore } from '../../helpers/queue-env.ts';

/**
 * The SQLite queue's claim (issue 15) walks the index in the order it takes jobs and stops at the first claimable one:
 * no sort of every due job, so a claim behind a backlog costs what it costs on an empty queue.
 */
let store: Store;
beforeAll(async () => {
  store = await freshStore('sqlite', 'claim-plan');
});
afterAll(async () => {
  await store.close();
});

describe('SQLite job claim plan', () => {
  it('reads jobs_next in claim order, with no temporary sort, with or without a job finishing in the statement', async () => {
    const now = new Date().toISOString();
    for (const done of [undefined, 7]) {
      const plan = await sql<{
        detail: string;
      }>`EXPLAIN QUERY PLAN ${nextHead(['order.sync', 'shipment.confirm'], now, 'w1', done)}`.execute(store.db);
      const details = plan.rows.map((r) => r.detail).join('\n');
      expect(details).toMatch(/SEARCH j USING INDEX jobs_next \(state=\?\)/);
      expect(details).not.toMatch(/TEMP B-TREE/);
    }
  });
});
