import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSettlementDeps, registerSettlementFlows } from '../../../src/bootstrap/settlements.ts';
import { settlementFileFromPath } from '../../../src/connectors/amazon/settlement/settlement-files.ts';
import { listQuarantine } from '../../../src/connectors/store/settlement-ledger.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { createSandboxGateway, type SandboxGateway } from '../../../src/connectors/sage500/sandbox-gateway.ts';
import { SETTLEMENT_DISCOVER_QUEUE, settlementDiscoverKey } from '../../../src/flows/settlement.ts';
import { type SettlementReports } from '../../../src/core/ports/settlement-reports.ts';
import { systemClock } from '../../../src/runtime/clock.ts';
import { createDeadLetterService } from '../../../src/runtime/queue/dead-letters.ts';
import type { JobQueue } from '../../../src/runtime/queue/job-queue.ts';
import type { Store } from '../../../src/runtime/store/store.ts';
import { freshStore, makeQueue, waitUntil } from '../../helpers/queue-env.ts';
import { addSettlementAccounts } from './sandbox-accounts.ts';

/**
 * The settlement jobs on the real queue (SQLite): discovery fans out one import job per report; a good report is
 * posted once; a truncated one is quarantined and dead-lettered at once with the diagnosis (row, expected, found),
 * nothing of it posted.
 */
const golden = (name: string) =>
  fileURLToPath(new URL(`../../fixtures/golden-settlement/${name}/input.tsv`, import.meta.url));
const FILES: Record<string, string> = {
  R1: '01-us-orders-fees',
  R2: '09-truncated-mid-line',
  R3: '04-marketplace-facilitator-tax',
};

let store: Store;
let sage: SandboxGateway;
let queue: JobQueue;

beforeAll(async () => {
  store = await freshStore('sqlite', 'settlement-queue');
  sage = await createSandboxGateway({
    path: join(mkdtempSync(join(tmpdir(), 'sb-settle-q-')), 'sage.db'),
    warehouseSimulator: { enabled: false },
  });
  await addSettlementAccounts(sage);
  queue = await makeQueue(store);
  const reports: SettlementReports = {
    list: async () => ({
      reports: Object.keys(FILES).map((id, i) => ({
        reportId: id,
        reportDocumentId: `D${id}`,
        createdTime: `2026-11-0${i + 1}T00:00:00.000Z`,
      })),
    }),
    open: async (_c, ref) => ({
      ...settlementFileFromPath(golden(FILES[ref.reportId]!)),
      source: `report:${ref.reportId}`,
    }),
  };
  registerSettlementFlows(
    queue,
    createSettlementDeps({
      store,
      sage,
      clock: systemClock,
      queue,
      config: loadConfig({ env: {} }).settlements,
      reports,
    }),
  );
  await queue.start();
});

afterAll(async () => {
  await queue.stop();
  await sage.close();
  await store.close();
});

describe('settlement jobs on the queue', () => {
  it('discover -> import jobs; good reports posted once, the truncated one quarantined and dead-lettered with its diagnosis', async () => {
    await queue.enqueue(
      SETTLEMENT_DISCOVER_QUEUE,
      { connectionId: 'c1' },
      { key: settlementDiscoverKey('c1'), dedupe: true },
    );
    const deadLetters = createDeadLetterService(store, queue, systemClock);
    const dead = await waitUntil(
      async () => {
        const list = await deadLetters.list({ queue: 'settlement.import' });
        return list.length === 1 ? list : undefined;
      },
      60_000,
      'the dead letter of the truncated report',
    );
    expect(dead[0]!.jobKey).toBe('settlement.import:R2');
    expect(dead[0]!.attempts).toBe(1);
    expect(dead[0]!.error).toMatchObject({
      code: 'SB_SETTLE_FILE_INVALID',
      kind: 'validation',
      issues: [
        { field: 'row 7', problem: 'expected 23 tab-separated fields, found 15 (truncated or misaligned line)' },
      ],
    });
    expect((await listQuarantine(store, 'c1')).map((q) => q.source)).toEqual(['report:R2']);
    const comments = await waitUntil(
      async () => {
        const rows = await sage.db.selectFrom('tglBatch').select('BatchCmnt').orderBy('BatchCmnt').execute();
        return rows.length === 2 ? rows.map((r) => r.BatchCmnt) : undefined;
      },
      60_000,
      'two journals',
    );
    expect(comments).toEqual(['settlement:10000000001:USD', 'settlement:10000000004:USD']);
  });
});
