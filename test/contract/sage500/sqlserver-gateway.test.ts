import { sql } from 'kysely';
import { describe, it } from 'vitest';
import { createMssqlConnector } from '../../../src/connectors/sage500/mssql-connector.ts';
import { kyselyForSession } from '../../../src/connectors/sage500/mssql-session.ts';
import { seedChargeItems, seedDemoCompany } from '../../../src/connectors/sage500/sandbox/seed.ts';
import { createSqlServerGateway } from '../../../src/connectors/sage500/sqlserver-gateway.ts';
import { describeOrderChain } from './describe-order-chain.ts';
import { describeChangeTracking } from './describe-change-tracking.ts';
import { describeSage500Gateway, ManualClock, type Sage500Harness } from './describe-sage500-gateway.ts';

/**
 * The same contract against a real Sage 500 database. It needs a scratch copy of a Sage 500 application
 * database (the demo company is inserted with fixed keys if missing): never point it at production.
 */
const url = process.env.SAGE500_TEST_URL;
const companyId = process.env.SAGE500_TEST_COMPANY ?? 'SOA';
export const SQLSERVER_SKIP_MESSAGE =
  'skipped: SAGE500_TEST_URL is not set. To run against SQL Server: SAGE500_TEST_URL=mssql://user:password@host:1433/scratch_app SAGE500_TEST_COMPANY=SOA npx vitest run test/contract/sage500/sqlserver-gateway.test.ts';

if (!url) {
  describe('Sage500Gateway contract: sqlserver', () => {
    console.warn(SQLSERVER_SKIP_MESSAGE);
    it.skip(SQLSERVER_SKIP_MESSAGE, () => {});
  });
} else {
  const harness = async (): Promise<Sage500Harness> => {
    const clock = new ManualClock(new Date().toISOString());
    const connector = await createMssqlConnector({ url, connectTimeoutMs: 15_000, requestTimeoutMs: 60_000 });
    const gateway = createSqlServerGateway(
      // No package table is assumed on a real database: the catalog's one ShipKey + tracking table is used (issue 14).
      {
        companyId,
        userId: 'sellbridge',
        shipmentRewindKeys: 500,
        glJournalId: 'GJ',
        importMaxCalls: 50,
        unavailableRetryMs: 60_000,
      },
      { connector, clock },
    );
    await gateway.installExtensions();
    // What verify finds on this database, printed for whoever runs the suite (errors fail the tests that hit them).
    for (const f of await gateway.verify()) console.warn(`sage500 verify: ${f.severity} ${f.subject}: ${f.problem}`);
    const db = kyselyForSession(connector.pooled);
    const seeded = await db
      .selectFrom('tarCustomer')
      .select('CustKey')
      .where('CompanyID', '=', companyId)
      .where('CustID', '=', 'AMAZON-US')
      .executeTakeFirst();
    if (!seeded) await connector.transaction((s) => seedDemoCompany(kyselyForSession(s), companyId));
    // A company seeded before the charge items existed gets them (and their GL accounts) on their own.
    const charges = await db
      .selectFrom('timItem')
      .select('ItemKey')
      .where('CompanyID', '=', companyId)
      .where('ItemID', '=', 'AMZ-TAX')
      .executeTakeFirst();
    if (seeded && !charges) await connector.transaction((s) => seedChargeItems(kyselyForSession(s), companyId));
    return {
      gateway,
      clock,
      async stagingRowCount() {
        const { rows } = await sql<{
          n: number;
        }>`SELECT (SELECT count(*) FROM StgSalesOrder WHERE TranNo LIKE 'Z%') + (SELECT count(*) FROM StgSOLine WHERE TranNo LIKE 'Z%') AS n`.execute(
          db,
        );
        return Number(rows[0]!.n);
      },
      async salesOrderRowCount(tranNo) {
        const row = await db
          .selectFrom('tsoSalesOrder')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('CompanyID', '=', companyId)
          .where('TranNo', '=', tranNo)
          .executeTakeFirst();
        return Number(row?.n ?? 0);
      },
      close: () => gateway.close(),
    };
  };
  describeSage500Gateway('sqlserver', harness);
  describeOrderChain('sqlserver', harness);
  // Needs ALTER DATABASE / ALTER TABLE rights on the test database (install-extensions turns tracking on).
  describeChangeTracking('sqlserver', async () => {
    const connector = await createMssqlConnector({ url, connectTimeoutMs: 15_000, requestTimeoutMs: 60_000 });
    const gateway = createSqlServerGateway(
      {
        companyId,
        userId: 'sellbridge',
        shipmentRewindKeys: 500,
        glJournalId: 'GJ',
        importMaxCalls: 50,
        unavailableRetryMs: 60_000,
        changeTracking: { enabled: true, retentionDays: 2 },
      },
      { connector },
    );
    const db = kyselyForSession(connector.pooled);
    return {
      gateway,
      async setOnHand(itemId, qty) {
        await db
          .updateTable('timWhseBinInvt')
          .set({ QtyOnHand: String(qty) })
          .where('ItemKey', 'in', (eb) =>
            eb.selectFrom('timItem').select('ItemKey').where('CompanyID', '=', companyId).where('ItemID', '=', itemId),
          )
          .execute();
      },
      close: () => gateway.close(),
    };
  });
}
