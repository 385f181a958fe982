import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createSandboxGateway } from '../../../src/connectors/sage500/sandbox-gateway.ts';
import { describeOrderChain } from './describe-order-chain.ts';
import { describeChangeTracking } from './describe-change-tracking.ts';
import { describeSage500Gateway, ManualClock, type Sage500Harness } from './describe-sage500-gateway.ts';

async function sandboxHarness(): Promise<Sage500Harness> {
  const clock = new ManualClock('2026-11-20T16:00:00Z');
  const gateway = await createSandboxGateway({
    path: ':memory:',
    clock,
    warehouseSimulator: { delayMs: 60_000, partialEvery: 0, packagesPerShipment: 2 },
  });
  return {
    gateway,
    clock,
    async stagingRowCount() {
      const { rows } = await sql<{
        n: number;
      }>`SELECT (SELECT count(*) FROM StgSalesOrder) + (SELECT count(*) FROM StgSOLine) + (SELECT count(*) FROM tdmMigrationLogWrk) AS n`.execute(
        gateway.db,
      );
      return Number(rows[0]!.n);
    },
    async salesOrderRowCount(tranNo) {
      const row = await gateway.db
        .selectFrom('tsoSalesOrder')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('TranNo', '=', tranNo)
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },
    shipDueOrders: () => gateway.shipDueOrders(),
    injectUnavailable: (ms) => gateway.injectFaults({ unavailableForMs: ms }),
    close: () => gateway.close(),
  };
}

describeSage500Gateway('sandbox (SQLite)', sandboxHarness);
describeOrderChain('sandbox (SQLite)', sandboxHarness);

describeChangeTracking('sandbox (SQLite)', async () => {
  const gateway = await createSandboxGateway({
    path: ':memory:',
    clock: new ManualClock('2026-11-20T16:00:00Z'),
    changeTracking: { enabled: true, retentionDays: 2 },
    warehouseSimulator: { delayMs: 0, partialEvery: 0, packagesPerShipment: 1 },
  });
  return {
    gateway,
    async setOnHand(itemId, qty) {
      await gateway.db
        .updateTable('timWhseBinInvt')
        .set({ QtyOnHand: String(qty) })
        .where('ItemKey', 'in', (eb) => eb.selectFrom('timItem').select('ItemKey').where('ItemID', '=', itemId))
        .execute();
    },
    expire: () => gateway.expireChangeTracking(),
    shipDueOrders: () => gateway.shipDueOrders(),
    close: () => gateway.close(),
  };
});

describe('Sage500Gateway change tracking: sandbox (SQLite), not enabled', () => {
  it('is off until configured and until install-extensions turns it on', async () => {
    const off = await createSandboxGateway({ path: ':memory:' });
    expect(await off.stockChangesSince(undefined)).toMatchObject({ tracking: 'off' });
    expect(await off.shipmentChangesSince(undefined)).toMatchObject({ tracking: 'off' });
    await off.close();
    const pending = await createSandboxGateway({
      path: ':memory:',
      changeTracking: { enabled: true, retentionDays: 2 },
    });
    const before = await pending.stockChangesSince(undefined);
    expect(before).toMatchObject({ tracking: 'off' });
    expect((before as { reason: string }).reason).toMatch(/install-extensions/);
    expect(await pending.shipmentChangesSince(undefined)).toMatchObject({ tracking: 'off' });
    await pending.close();
  });
});
