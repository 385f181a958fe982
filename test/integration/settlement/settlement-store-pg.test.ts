import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSettlementDeps } from '../../../src/bootstrap/settlements.ts';
import { settlementFileFromPath } from '../../../src/connectors/amazon/settlement/settlement-files.ts';
import {
  getSettlement,
  listQuarantine,
  reconcileSettlements,
} from '../../../src/connectors/store/settlement-ledger.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { createSandboxGateway, type SandboxGateway } from '../../../src/connectors/sage500/sandbox-gateway.ts';
import { importSettlement } from '../../../src/flows/post-settlement.ts';
import type { Store } from '../../../src/runtime/store/store.ts';
import { freshStore, pgAvailable } from '../../helpers/queue-env.ts';
import { addSettlementAccounts } from './sandbox-accounts.ts';

/** The settlement ledger on PostgreSQL (own schema): posted once, corrected once, quarantine, reconciliation. */
const pg = await pgAvailable();
const golden = (name: string) =>
  fileURLToPath(new URL(`../../fixtures/golden-settlement/${name}/input.tsv`, import.meta.url));
const NOW = new Date('2026-11-20T12:00:00Z');
const clock = { now: () => NOW };

describe.skipIf(!pg)('settlement ledger on PostgreSQL', () => {
  let store: Store;
  let sage: SandboxGateway;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-settle-pg-'));
    store = await freshStore('postgres', 'settlement-ledger-pg');
    sage = await createSandboxGateway({ path: join(dir, 'sage.db'), clock, warehouseSimulator: { enabled: false } });
    await addSettlementAccounts(sage);
  });
  afterAll(async () => {
    await sage?.close();
    await store?.close();
  });

  it('posts once, no-op again, correction reverses and re-posts, quarantine and reconciliation read back', async () => {
    const deps = createSettlementDeps({
      store,
      sage,
      clock,
      queue: { enqueue: async () => ({ id: '1', deduplicated: false }) },
      config: loadConfig({ env: {} }).settlements,
    });
    expect((await importSettlement('c1', settlementFileFromPath(golden('01-us-orders-fees')), deps)).kind).toBe(
      'posted',
    );
    expect((await importSettlement('c1', settlementFileFromPath(golden('01-us-orders-fees')), deps)).kind).toBe(
      'unchanged',
    );
    const lines = readFileSync(golden('01-us-orders-fees'), 'utf8').trimEnd().split('\n');
    const extra = lines
      .find((l) => l.includes('\tCommission\t'))!
      .replace(/\tCommission\t-?[\d,.]+\t/, '\tCommission\t-1.00\t');
    const path = join(dir, 'corrected.tsv');
    writeFileSync(path, [lines[0], lines[1]!.replace('1,156.16', '1,155.16'), ...lines.slice(2), extra].join('\n'));
    expect((await importSettlement('c1', settlementFileFromPath(path), deps)).kind).toBe('corrected');
    expect(await getSettlement(store, 'c1', '10000000001')).toMatchObject({
      state: 'posted',
      revision: 2,
      total: { minor: 115516 },
    });
    expect(
      (await sage.db.selectFrom('tglBatch').select('BatchCmnt').orderBy('BatchKey').execute()).map((b) => b.BatchCmnt),
    ).toEqual(['settlement:10000000001:USD', 'settlement:10000000001:USD:R2', 'settlement:10000000001:USD:V2']);

    await expect(
      importSettlement('c1', settlementFileFromPath(golden('11-renamed-column')), deps),
    ).rejects.toMatchObject({ code: 'SB_SETTLE_FILE_INVALID' });
    expect((await listQuarantine(store, 'c1')).map((q) => q.code)).toEqual(['SB_SETTLE_FILE_INVALID']);

    const db = store.db.withTables<{
      order_links: {
        connection_id: string;
        amazon_order_id: string;
        state: string;
        tran_no: string | null;
        created_at: string;
        updated_at: string;
      };
    }>();
    await db
      .insertInto('order_links')
      .values({
        connection_id: 'c1',
        amazon_order_id: '111-0000001-0000001',
        state: 'confirmed',
        tran_no: 'AZ1',
        created_at: '2026-10-02T00:00:00.000Z',
        updated_at: '2026-10-02T00:00:00.000Z',
      })
      .execute();
    await db
      .insertInto('order_links')
      .values({
        connection_id: 'c1',
        amazon_order_id: '111-0000002-0000002',
        state: 'shipped',
        tran_no: 'AZ2',
        created_at: '2026-10-21T00:00:00.000Z',
        updated_at: '2026-10-21T00:00:00.000Z',
      })
      .execute();
    const r = await reconcileSettlements(store, 'c1', NOW);
    expect(r.matched.map((m) => m.amazonOrderId)).toEqual(['111-0000001-0000001']);
    expect(r.unsettled.map((u) => [u.amazonOrderId, u.ageDays, u.bucket])).toEqual([
      ['111-0000002-0000002', 30, '15-30'],
    ]);
  });
});
