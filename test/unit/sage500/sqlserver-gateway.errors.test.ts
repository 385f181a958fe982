import { describe, expect, it } from 'vitest';
import type { MssqlConnector } from '../../../src/connectors/sage500/mssql-session.ts';
import { createSqlServerGateway } from '../../../src/connectors/sage500/sqlserver-gateway.ts';

const config = {
  companyId: 'SOA',
  userId: 'sellbridge',
  packageTable: 'tsoPackage',
  packageNoColumn: 'PackageNo',
  packageTrackingColumn: 'TrackingNo',
  shipmentRewindKeys: 500,
  glJournalId: 'GJ',
  importMaxCalls: 5,
  unavailableRetryMs: 45_000,
};

/** A connector whose every statement fails with the given driver error. */
function failing(error: unknown): MssqlConnector {
  const fail = async (): Promise<never> => {
    throw error;
  };
  const c: MssqlConnector = {
    pooled: { query: fail, execute: fail },
    transaction: fail,
    dedicated: (work) => work(c),
    execute: fail,
    close: async () => {},
  };
  return c;
}

const driverError = (fields: Record<string, unknown>) =>
  Object.assign(new Error(String(fields.message ?? 'driver error')), fields);

describe('SQL Server adapter: driver errors become Sellbridge errors', () => {
  it('connection loss and timeouts are unavailable, with the configured wait', async () => {
    for (const err of [
      driverError({ code: 'ESOCKET', message: 'Connection lost - read ECONNRESET' }),
      driverError({ code: 'ETIMEOUT', message: 'Timeout: Request failed to complete in 60000ms' }),
    ]) {
      const gw = createSqlServerGateway(config, { connector: failing(err) });
      await expect(gw.getStock(['WIDGET-RED'], ['MAIN'])).rejects.toMatchObject({
        code: 'SB_SAGE_UNAVAILABLE',
        kind: 'unavailable',
        retryAfterMs: 45_000,
      });
      expect(await gw.health()).toMatchObject({ ok: false });
    }
  });

  it('a missing object is a schema problem; other SQL errors are transient query failures', async () => {
    const missing = createSqlServerGateway(config, {
      connector: failing(
        driverError({ code: 'EREQUEST', number: 208, message: "Invalid object name 'tsoSalesOrder_AMZ'." }),
      ),
    });
    await expect(missing.findSalesOrder({ amazonOrderId: '111-1111111-1111111' })).rejects.toMatchObject({
      code: 'SB_SAGE_SCHEMA_MISSING',
      kind: 'config',
    });
    const deadlock = createSqlServerGateway(config, {
      connector: failing(
        driverError({
          code: 'EREQUEST',
          number: 1205,
          message: 'Transaction was deadlocked on lock resources with another process',
        }),
      ),
    });
    const err = await deadlock
      .getPrices({ itemIds: ['X'], warehouseId: 'MAIN', priceSheet: 'list', currency: 'USD' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'SB_SAGE_QUERY_FAILED',
      kind: 'transient',
      retryable: true,
      context: { operation: 'getPrices', sqlError: 1205 },
    });
  });

  it('a Sage procedure rolling back the import transaction itself (266) says so', async () => {
    const rolledBack = createSqlServerGateway(config, {
      connector: failing(
        driverError({
          code: 'EREQUEST',
          number: 266,
          message:
            'Transaction count after EXECUTE indicates a mismatching number of BEGIN and COMMIT statements. Previous count = 1, current count = 0.',
        }),
      ),
    });
    const err = await rolledBack.getStock(['X'], ['MAIN']).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SB_SAGE_QUERY_FAILED', context: { sqlError: 266 } });
    expect((err as Error).message).toMatch(
      /rolled back the import's transaction \(SQL error 266\), so nothing was imported/,
    );
  });
});
