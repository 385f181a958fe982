import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSettlementDeps } from '../../../src/bootstrap/settlements.ts';
import { settlementFileFromPath } from '../../../src/connectors/amazon/settlement/settlement-files.ts';
import {
  findSettlement,
  reconcileSettlements,
  STAGED_PREFIX,
} from '../../../src/connectors/store/settlement-ledger.ts';
import { settlementPagesForReconciliation } from '../../../src/connectors/store/settlement-reconciliation.ts';
import { loadConfig } from '../../../src/config/load.ts';
import type { JournalBatch } from '../../../src/core/model/journal.ts';
import { importSettlement } from '../../../src/flows/post-settlement.ts';
import type { SettlementFlowDeps } from '../../../src/flows/settlement.ts';
import type { Store } from '../../../src/runtime/store/store.ts';
import { freshStore, pgAvailable, type StoreKind } from '../../helpers/queue-env.ts';
import { amountRow, summary, tsv, V2_COLUMNS, type Row } from '../../unit/settlement/tsv.ts';

/**
 * Per-order sums of a settlement with more orders than an import holds are staged in the store in batches
 * (flat memory at any size). With a batch of one order (every order staged, an order's rows spread over many
 * batches) the settlement's rows, its journals and its reconciliation are the same as when they are held, on SQLite
 * and PostgreSQL; nothing staged is left behind.
 */
const pg = await pgAvailable();
const NOW = new Date('2026-11-20T12:00:00Z');
const clock = { now: () => NOW };
const dir = mkdtempSync(join(tmpdir(), 'sb-settle-staged-'));

const ID = '20000000001';
const order = (n: number) => `111-${String(n).padStart(7, '0')}-0000001`;
/** Orders 1..n: principal and fee of each, then a second pass of tax rows and a refund of every third order. */
function settlementText(n: number, extraCents = 0): string {
  const rows: Row[] = [];
  let cents = 0;
  const add = (type: string, amountType: string, description: string, c: number, o: number, extra: Row = {}) => {
    cents += c;
    rows.push(
      amountRow(ID, type, amountType, description, (c / 100).toFixed(2), {
        'order-id': order(o),
        'order-item-code': `5${o}`,
        'quantity-purchased': '1',
        ...extra,
      }),
    );
  };
  for (let o = 1; o <= n; o++) {
    add('Order', 'ItemPrice', 'Principal', 1000 + o, o);
    add('Order', 'ItemFees', 'Commission', -150 - extraCents, o);
  }
  for (let o = 1; o <= n; o++) {
    add('Order', 'ItemPrice', 'Tax', 80, o);
    if (o % 3 === 0) add('Refund', 'ItemPrice', 'Principal', -(1000 + o), o, { 'adjustment-id': `adj-${o}` });
  }
  return tsv(V2_COLUMNS, [summary(ID, (cents / 100).toFixed(2)), ...rows]);
}

/** The deps with a count of the batches staged. */
function counting(deps: SettlementFlowDeps): { deps: SettlementFlowDeps; parts: () => number } {
  let parts = 0;
  const ledger = deps.ledger;
  return {
    deps: {
      ...deps,
      ledger: {
        ...ledger,
        stageOrders: async (...args: Parameters<NonNullable<typeof ledger.stageOrders>>) => {
          parts += 1;
          await ledger.stageOrders!(...args);
        },
      },
    },
    parts: () => parts,
  };
}

const posted: JournalBatch[] = [];
const sage = {
  postJournal: async (batch: JournalBatch) => {
    posted.push(batch);
    return { outcome: 'created' as const, batchKey: String(posted.length), batchNo: posted.length };
  },
};

describe.each<[StoreKind]>([['sqlite'], ...(pg ? [['postgres'] as [StoreKind]] : [])])(
  'staged per-order sums on %s',
  (kind) => {
    let store: Store;
    afterAll(async () => {
      await store?.close();
    });

    it('stage of one order per batch = held in memory: same rows, journals, reconciliation; correction too', async () => {
      store = await freshStore(kind, `settlement-staged-${kind}`);
      const deps = createSettlementDeps({
        store,
        sage,
        clock,
        queue: { enqueue: async () => ({ id: '1', deduplicated: false }) },
        config: loadConfig({ env: {} }).settlements,
      });
      const file = join(dir, `${kind}-a.tsv`);
      writeFileSync(file, settlementText(25));
      posted.length = 0;
      const held = await importSettlement('held', settlementFileFromPath(file), deps);
      const count = counting(deps);
      const staged = await importSettlement('staged', settlementFileFromPath(file), count.deps, { ordersInMemory: 1 });
      expect(count.parts()).toBe(25 * 3 + 8); // a batch of one order: one per row (principal, fee, tax; 8 refunds)
      expect(held.kind).toBe('posted');
      expect(staged.kind).toBe('posted');
      expect(posted[1]).toEqual(posted[0]);

      const rowsOf = async (connectionId: string) =>
        (await findSettlement(store, ID, connectionId))!.orders.map(({ connection_id: _c, posted_at: _p, ...r }) => ({
          ...r,
          amount_minor: Number(r.amount_minor),
          kinds: JSON.parse(r.kinds!) as unknown,
        }));
      const heldRows = await rowsOf('held');
      expect(heldRows).toHaveLength(25);
      expect(await rowsOf('staged')).toEqual(heldRows);
      expect(heldRows.find((r) => r.amazon_order_id === order(3))).toMatchObject({
        amount_minor: 1003 - 150 + 80 - 1003,
        rows: 4,
      });
      expect(await reconcileSettlements(store, 'staged', NOW)).toEqual(
        await reconcileSettlements(store, 'held', NOW).then((r) => r),
      );

      // A corrected file (other fees) staged again: reversed and re-posted, rows replaced.
      const corrected = join(dir, `${kind}-b.tsv`);
      writeFileSync(corrected, settlementText(25, 1));
      expect(
        (await importSettlement('staged', settlementFileFromPath(corrected), deps, { ordersInMemory: 4 })).kind,
      ).toBe('corrected');
      const after = await rowsOf('staged');
      expect(after).toHaveLength(25);
      expect(after.find((r) => r.amazon_order_id === order(1))).toMatchObject({ amount_minor: 1001 - 151 + 80 });

      const left = await store.db
        .withTables<{ settlement_orders: { settlement_id: string } }>()
        .selectFrom('settlement_orders')
        .select('settlement_id')
        .where('settlement_id', 'like', `${STAGED_PREFIX}%`)
        .execute();
      expect(left).toEqual([]);
    });

    it('the reconciliation reads the orders in pages and lets the event loop turn between pages', async () => {
      const deps = createSettlementDeps({
        store,
        sage,
        clock,
        queue: { enqueue: async () => ({ id: '1', deduplicated: false }) },
        config: loadConfig({ env: {} }).settlements,
      });
      const file = join(dir, `${kind}-paged.tsv`);
      writeFileSync(file, settlementText(25));
      expect((await importSettlement('paged', settlementFileFromPath(file), deps)).kind).toBe('posted');
      const paged = (await settlementPagesForReconciliation(store, 'paged', ID, 10))!;
      // A macrotask queued before the pages are read: on SQLite (synchronous, answered in microtasks) it runs
      // between two pages only because the reader yields to the event loop there; V8's incremental GC needs the same.
      let turned = false;
      setImmediate(() => (turned = true));
      const pages: { orders: number; turned: boolean }[] = [];
      for await (const page of paged.pages) pages.push({ orders: page.length, turned });
      expect(pages.map((p) => p.orders)).toEqual([10, 10, 5]);
      expect(pages[1]!.turned).toBe(true);
    });

    it('a quarantined file leaves no stage behind', async () => {
      const deps = createSettlementDeps({
        store,
        sage,
        clock,
        queue: { enqueue: async () => ({ id: '1', deduplicated: false }) },
        config: loadConfig({ env: {} }).settlements,
      });
      const file = join(dir, `${kind}-bad.tsv`);
      // The summary's total is off by a cent: the file is refused after every row was read (and staged).
      writeFileSync(file, settlementText(10).replace(/^(20000000001\t[^\t]*\t[^\t]*\t[^\t]*\t)([\d.]+)/m, '$19999.99'));
      const count = counting(deps);
      await expect(
        importSettlement('bad', settlementFileFromPath(file), count.deps, { ordersInMemory: 2 }),
      ).rejects.toMatchObject({ code: expect.stringMatching(/^SB_SETTLE_/) });
      expect(count.parts()).toBeGreaterThan(1);
      const left = await store.db
        .withTables<{ settlement_orders: { settlement_id: string; connection_id: string } }>()
        .selectFrom('settlement_orders')
        .select('settlement_id')
        .where('connection_id', '=', 'bad')
        .execute();
      expect(left).toEqual([]);
    });
  },
);
