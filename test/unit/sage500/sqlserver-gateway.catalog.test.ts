import { describe, expect, it } from 'vitest';
import { createSqlServerGateway } from '../../../src/connectors/sage500/sqlserver-gateway.ts';
import { money } from '../../../src/core/model/money.ts';
import { catalogRows, createRecordingConnector } from './recording-connector.ts';

const config = {
  companyId: 'SOA',
  userId: 'sellbridge',
  shipmentRewindKeys: 500,
  glJournalId: 'GJ',
  importMaxCalls: 5,
  unavailableRetryMs: 60_000,
};

/** A recorded SQL Server whose catalog is tables.ts minus `except`, with one shipment and a package table `tsoShipPkg` or none. */
function recorded(options: { except?: string[]; stageFlag?: 'iUseStageTable'; packageTables?: boolean } = {}) {
  return createRecordingConnector(
    (sql, params) => {
      if (sql.includes('FROM sys.parameters p') && options.stageFlag) {
        return catalogRows(sql, params, options.except)!.map((r) =>
          r.ParameterName === '@UseStageTable' ? { ...r, ParameterName: `@${options.stageFlag}` } : r,
        );
      }
      const catalog = catalogRows(sql, params, options.except);
      if (catalog) return catalog;
      if (sql.includes("LIKE '%Track%'")) {
        return options.packageTables
          ? ['PkgKey', 'ShipKey', 'PackageNo', 'ShipTrackNo'].map((c) => ({
              ObjectName: 'tsoShipPkg',
              ObjectType: 'U',
              ColumnName: c,
              TypeName: c === 'ShipTrackNo' || c === 'PackageNo' ? 'varchar' : 'int',
              MaxLength: 30,
              NumPrecision: 0,
              NumScale: 0,
              IsNullable: c === 'ShipTrackNo',
              IsIdentity: false,
              DefaultObjectId: 0,
            }))
          : [];
      }
      if (sql.includes('max("ShipKey")')) return [{ MaxShipKey: 3001 }];
      if (sql.includes('from "tsoShipment" as "s"')) {
        return [
          {
            ShipKey: 3001,
            TranID: '0000003001-SH',
            TranDate: new Date('2026-11-21T00:00:00Z'),
            TranStatus: 6,
            WhseID: 'MAIN',
            ShipLineKey: 4001,
            SOTranNo: 'AZ00000001',
            AmazonOrderId: '111-2223334-4445556',
            AmazonOrderItemId: '12345678901234',
            ItemID: 'WIDGET-RED',
            QtyShipped: 2,
            LineShipMethID: 'UPS-GND',
            HeaderShipMethID: null,
            ShipmentShipMethID: 'FEDEX-2D',
          },
        ];
      }
      if (sql.includes('"tsoShipPkg"')) return [{ ShipKey: 3001, PackageNo: '1', TrackingNo: '1Z999' }];
      return [];
    },
    (call) =>
      call.procedure === 'spGetNextSurrogateKey'
        ? { oNewKey: 77 }
        : { oRecsProcessed: 0, oFailedRecs: 0, oTotalRecs: 0, _oRetVal: 1, oContinue: 0 },
  );
}

describe('SQL Server adapter: what the catalog settles (review §3)', () => {
  it('without a configured package table and no candidate, shipments come back without packages instead of failing every poll; verify says why', async () => {
    const rec = recorded();
    const gw = createSqlServerGateway(config, { connector: rec.connector });
    const page = await gw.listShipments(undefined);
    expect(page.shipments.map((s) => [s.key, s.packages, s.lines[0]!.shipMethodId])).toEqual([
      ['3001', [], 'FEDEX-2D'],
    ]);
    expect(rec.statements.some((s) => s.sql.includes('tsoPackage'))).toBe(false);
    const findings = await gw.verify();
    expect(findings.filter((f) => f.severity === 'error').map((f) => f.subject)).toEqual(['package/tracking table']);
  });

  it('takes the one table the catalog shows with ShipKey and a tracking column, and reads tracking numbers from it', async () => {
    const gw = createSqlServerGateway(config, { connector: recorded({ packageTables: true }).connector });
    expect(await gw.proposePackageTables()).toEqual([
      { name: 'tsoShipPkg', packageNo: 'PackageNo', tracking: 'ShipTrackNo' },
    ]);
    expect((await gw.listShipments(undefined)).shipments[0]!.packages).toEqual([
      { packageNo: '1', trackingNumber: '1Z999' },
    ]);
    expect((await gw.verify()).filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('sends the stage-table flag under the name the catalog shows (@iUseStageTable on this build)', async () => {
    const rec = recorded({ stageFlag: 'iUseStageTable', packageTables: true });
    const gw = createSqlServerGateway(config, { connector: rec.connector });
    expect((await gw.verify()).filter((f) => f.severity === 'error')).toEqual([]);
    await gw
      .createSalesOrder(
        {
          customerId: 'AMAZON-US',
          amazonOrderId: '111-2223334-4445556',
          orderDate: '2026-11-20T00:00:00Z',
          currency: 'USD',
          warehouseId: 'MAIN',
          lines: [{ lineNo: 1, itemId: 'WIDGET-RED', quantity: 1, unitPrice: money('USD', 100) }],
        },
        { tranNo: 'AZ00000009' },
      )
      .catch(() => undefined); // the recorder creates nothing; only the call matters here
    const imp = rec.calls.find((c) => c.procedure === 'spSOapiSalesOrdIns')!;
    expect(imp.inputs.map((p) => p.name)).toContain('iUseStageTable');
    expect(imp.inputs.map((p) => p.name)).not.toContain('UseStageTable');
  });

  it('leaves out LanguageID, ShipWeight, the alias table and DlvryShipMethKey where the catalog lacks them', async () => {
    const rec = recorded({
      except: ['timItemDescription.LanguageID', 'timItem.ShipWeight', 'timItemAlias', 'tsoShipment.DlvryShipMethKey'],
      packageTables: true,
    });
    const gw = createSqlServerGateway(config, { connector: rec.connector });
    expect(await gw.resolveItems(['WIDGET-RED', 'AMZ-RED-WIDGET'])).toEqual({
      items: [],
      unknown: ['WIDGET-RED', 'AMZ-RED-WIDGET'],
    });
    await gw.listShipments(undefined);
    const sent = rec.statements.map((s) => s.sql).filter((s) => !s.includes('sys.'));
    for (const absent of ['"d"."LanguageID"', '"i"."ShipWeight"', '"timItemAlias"', '"s"."DlvryShipMethKey"'])
      expect(
        sent.filter((s) => s.includes(absent)),
        absent,
      ).toEqual([]);
    expect((await gw.verify()).map((f) => f.severity)).toEqual(['note', 'note', 'note', 'note']);
  });
});
