import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSettlementDeps, createThreeWayDeps } from '../../../src/bootstrap/settlements.ts';
import { registerStoreCollectors } from '../../../src/bootstrap/metrics.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { settlementFileFromStream } from '../../../src/connectors/amazon/settlement/settlement-files.ts';
import { Readable } from 'node:stream';
import { createSandboxGateway, type SandboxGateway } from '../../../src/connectors/sage500/sandbox-gateway.ts';
import { money } from '../../../src/core/model/money.ts';
import type { SalesOrderTotal } from '../../../src/core/model/sales-order.ts';
import type { JobScheduler } from '../../../src/core/ports/job-scheduler.ts';
import { importSettlement } from '../../../src/flows/post-settlement.ts';
import { threeWayReconciliation } from '../../../src/flows/three-way.ts';
import type { Store } from '../../../src/runtime/store/store.ts';
import { freshStore } from '../../helpers/queue-env.ts';
import { amountRow, summary, tsv, V2_COLUMNS } from '../../unit/settlement/tsv.ts';
import { addSettlementAccounts } from './sandbox-accounts.ts';

/**
 * The three-way reconciliation through the store: a settlement with a refunded order, an order Sage does not
 * have, a reimbursement and an order Sage rounded one cent differently is imported (its per-order sums by kind
 * kept), reconciled against Sage's sales orders (a stand-in `salesOrderTotalsOf`: the sandbox has no invoicing) and a
 * bank line; every order's cause is named, the result is audited and the unreconciled-money metric reads it.
 */
const NOW = new Date('2026-10-20T12:00:00Z');
const clock = { now: () => NOW };
const CONN = 'c1';
const jobs: JobScheduler = { enqueue: async () => ({ id: '1', deduplicated: false }) };
let store: Store;
let sage: SandboxGateway;

beforeEach(async () => {
  store = await freshStore('sqlite', 'three-way');
  sage = await createSandboxGateway({
    path: join(mkdtempSync(join(tmpdir(), 'sb-3w-')), 'sage.db'),
    clock,
    warehouseSimulator: { enabled: false },
  });
  await addSettlementAccounts(sage);
});
afterEach(async () => {
  await sage.close();
  await store.close();
});

const ID = '30000000001';
const order = (orderId: string, type: string, amountType: string, description: string, amount: string) =>
  amountRow(ID, type, amountType, description, amount, { 'order-id': orderId });
const rows = [
  // A: sold and refunded in the same settlement.
  order('111-A', 'Order', 'ItemPrice', 'Principal', '100.00'),
  order('111-A', 'Order', 'ItemFees', 'Commission', '-15.00'),
  order('111-A', 'Refund', 'ItemPrice', 'Principal', '-100.00'),
  order('111-A', 'Refund', 'ItemFees', 'Commission', '15.00'),
  order('111-A', 'Refund', 'ItemFees', 'RefundCommission', '-3.00'),
  // B: sold, but Sage has no sales order for it.
  order('111-B', 'Order', 'ItemPrice', 'Principal', '50.00'),
  order('111-B', 'Order', 'ItemFees', 'Commission', '-7.50'),
  // C: Amazon reimburses an order sold in an earlier settlement.
  order('111-C', 'other-transaction', 'FBA Inventory Reimbursement', 'CustomerReturn', '25.99'),
  // D: Sage's order is one cent more than Amazon charged (tax rounded per line).
  order('111-D', 'Order', 'ItemPrice', 'Principal', '33.33'),
  order('111-D', 'Order', 'ItemPrice', 'Tax', '2.67'),
  order('111-D', 'Order', 'ItemFees', 'Commission', '-5.00'),
  amountRow(ID, 'other-transaction', 'other-transaction', 'Subscription Fee', '-39.99'),
];
/** -3.00 (A) + 42.50 (B) + 25.99 (C) + 31.00 (D) - 39.99 (subscription). */
const totalText = '56.50';

const salesOrders: Record<string, number> = { '111-A': 10_000, '111-C': 2_599, '111-D': 3_601 };
const salesOrderTotalsOf = async (ids: readonly string[]): Promise<SalesOrderTotal[]> =>
  ids.flatMap((id) => {
    const minor = salesOrders[id];
    return minor === undefined ? [] : [{ amazonOrderId: id, tranNo: `AZ-${id.slice(-1)}`, total: money('USD', minor) }];
  });

describe('three-way reconciliation through the store', () => {
  it('names the refund, the order missing in Sage, the reimbursement and the rounding cent; audited; metric', async () => {
    const text = tsv([...V2_COLUMNS], [summary(ID, totalText), ...rows]);
    const config = loadConfig({ env: {} }).settlements;
    const out = await importSettlement(
      CONN,
      settlementFileFromStream('file:three-way.tsv', async () => Readable.from([text])),
      createSettlementDeps({ store, sage, clock, queue: jobs, config }),
    );
    expect(out.kind).toBe('posted');

    const deps = createThreeWayDeps({
      store,
      clock,
      sage: { salesOrderTotalsOf },
      bankDeposit: () => money('USD', 5_650),
    });
    const r = (await threeWayReconciliation(CONN, ID, deps))!;
    const causes = Object.fromEntries(
      r.orders.map((o) => [o.amazonOrderId, o.differences.filter((d) => d.cause !== 'fee').map((d) => d.cause)]),
    );
    expect(causes).toEqual({
      '111-A': ['refund'],
      '111-B': ['order missing in Sage'],
      '111-C': ['reimbursement'],
      '111-D': ['rounding'],
    });
    expect(r.differences).toEqual([{ between: 'paid/deposit', minor: -3_999, cause: 'fee' }]);
    // Order B's 50.00 and D's cent need someone; refunds, reimbursements and fees do not.
    expect(r.unreconciled).toBe(5_001);

    const registry = new Registry();
    registerStoreCollectors({ registry, store, clock });
    const metric = await registry.getSingleMetricAsString('sellbridge_settlement_unreconciled_minor');
    expect(metric).toContain('sellbridge_settlement_unreconciled_minor{currency="USD"} 5001');

    // Sage fixed (B created): the next reconciliation replaces the figure.
    salesOrders['111-B'] = 5_000;
    await threeWayReconciliation(CONN, ID, deps);
    expect(await registry.getSingleMetricAsString('sellbridge_settlement_unreconciled_minor')).toContain(
      '{currency="USD"} 1',
    );
  });

  it("invoiced-orders: Sage's side is its invoices (read through the invoice lines); an order not invoiced is named", async () => {
    const text = tsv([...V2_COLUMNS], [summary(ID, totalText), ...rows]);
    const config = loadConfig({ env: {} }).settlements;
    await importSettlement(
      CONN,
      settlementFileFromStream('file:three-way.tsv', async () => Readable.from([text])),
      createSettlementDeps({ store, sage, clock, queue: jobs, config }),
    );
    delete salesOrders['111-B']; // the test above created it
    // Sage invoiced A (100.00); D has a sales order but no invoice yet.
    let key = 8000;
    const invoice = async (amazonOrderId: string, tranId: string, amount: string) => {
      const [so, line, invc] = [++key, ++key, ++key];
      await sage.db
        .insertInto('tsoSalesOrder_AMZ')
        .values({
          SOKey: so,
          CompanyID: 'SOA',
          TranNo: `AZ${so}`,
          AmazonOrderId: amazonOrderId,
          MarketplaceId: null,
          CreatedAt: '2026-10-02T00:00:00',
        })
        .execute();
      await sage.db
        .insertInto('tsoSOLine')
        .values({ SOLineKey: line, SOKey: so, SOLineNo: 1, ItemKey: 1, Status: 1, UnitPrice: amount, UpdateCounter: 0 })
        .execute();
      await sage.db
        .insertInto('tarInvoice')
        .values({
          InvcKey: invc,
          CompanyID: 'SOA',
          CustKey: 1,
          TranID: tranId,
          TranNo: tranId,
          TranType: 501,
          TranDate: '2026-10-05T00:00:00',
          TranAmt: amount,
          TranAmtHC: amount,
          Balance: amount,
          BalanceHC: amount,
          CurrID: 'USD',
          CurrExchRate: 1,
          BatchKey: null,
        })
        .execute();
      await sage.db
        .insertInto('tarInvoiceDetl')
        .values({ InvoiceLineKey: invc, InvcKey: invc, SOLineKey: line, ShipLineKey: null })
        .execute();
    };
    await invoice('111-A', 'INV-A', '100.00');
    const deps = createThreeWayDeps({
      store,
      clock,
      sage: { salesOrderTotalsOf, invoicesOfOrders: (ids) => sage.invoicesOfOrders(ids) },
      readInvoices: true,
    });
    const causesOf = async () => {
      const r = (await threeWayReconciliation(CONN, ID, deps))!;
      return Object.fromEntries(
        r.orders.map((o) => [o.amazonOrderId, o.differences.filter((d) => d.cause !== 'fee').map((d) => d.cause)]),
      );
    };
    expect(await causesOf()).toEqual({
      '111-A': ['refund'],
      '111-B': ['order missing in Sage'],
      '111-C': ['reimbursement'],
      '111-D': ['invoice missing'],
    });
    // Sage invoices D one cent more than Amazon charged: a rounding cent, read from the invoice.
    await invoice('111-D', 'INV-D', '36.01');
    expect((await causesOf())['111-D']).toEqual(['rounding']);
  });
});
