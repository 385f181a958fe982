import { sql } from 'kysely';
import { SHIPMENT_TRAN_STATUS, TRAN_TYPE_CUSTOMER_SHIPMENT } from '../tables.ts';
import type { SageDb } from './db.ts';
import { selectChangedShipKeys, type ChangeSource } from './change-tracking.ts';

/**
 * Which shipments a read covers: a page of ShipKeys in (`from`, `to`] (the cursor path), or those whose
 * `tsoShipment` / `tsoShipmentLog` rows changed since a change-tracking version (CHANGETABLE, the same statement).
 */
export type ShipKeyFilter =
  | { readonly from: number; readonly to: number }
  | {
      readonly changedSince: number;
      readonly source: ChangeSource;
      /** ShipKeys read again whatever changed (shipments still waiting for a tracking number). */
      readonly recheck?: readonly number[];
    };

/**
 * Committed (6) or posted (3) customer shipments (810), one row per shipment line, with ShipKey in
 * (`from`, `to`] (a page of keys starting at the cursor minus the rewind window: a shipment is created pending and committed later, so a plain
 * key watermark would miss late commits; recipe §7b), or, in change-tracking mode, whose header or log row changed since a version. Quantity per line is summed from tsoShipLineDist; the
 * ship method is the shipment's own (tsoShipment.DlvryShipMethKey, review §3 item 14) where the catalog has that
 * column, else the SO line distribution's, else the order header's. The Amazon OrderItemId of a line comes from
 * our extension table tsoSOLine_AMZ (written in the import's transaction), never from tsoSOLine.UserFld1 (review
 * §3 item 20).
 */
export function selectShipmentLines(db: SageDb, companyId: string, keys: ShipKeyFilter, shipmentShipMethod: boolean) {
  const query = db
    .selectFrom('tsoShipment as s')
    .innerJoin('tsoShipmentLog as slog', 'slog.ShipKey', 's.ShipKey')
    .innerJoin('tsoShipLine as sl', 'sl.ShipKey', 's.ShipKey')
    .innerJoin('tsoSOLine as sol', 'sol.SOLineKey', 'sl.SOLineKey')
    .innerJoin('tsoSalesOrder as so', 'so.SOKey', 'sol.SOKey')
    .innerJoin('timItem as i', 'i.ItemKey', 'sl.ItemKey')
    .innerJoin('timWarehouse as w', 'w.WhseKey', 's.WhseKey')
    .leftJoin('tsoSalesOrder_AMZ as amz', 'amz.SOKey', 'so.SOKey')
    .leftJoin('tsoSOLine_AMZ as solx', 'solx.SOLineKey', 'sol.SOLineKey')
    .select((eb) => [
      's.ShipKey',
      's.TranID',
      's.TranDate',
      'slog.TranStatus',
      'w.WhseID',
      'sl.ShipLineKey',
      'so.TranNo as SOTranNo',
      'amz.AmazonOrderId',
      'solx.AmazonOrderItemId',
      'i.ItemID',
      eb
        .selectFrom('tsoShipLineDist as d')
        .select((e) => e.fn.sum<number | string | null>('d.QtyShipped').as('q'))
        .whereRef('d.ShipLineKey', '=', 'sl.ShipLineKey')
        .as('QtyShipped'),
      eb
        .selectFrom('tsoSOLineDist as sod')
        .innerJoin('tciShipMethod as sm', 'sm.ShipMethKey', 'sod.ShipMethKey')
        .select((e) => e.fn.max('sm.ShipMethID').as('m'))
        .whereRef('sod.SOLineKey', '=', 'sol.SOLineKey')
        .as('LineShipMethID'),
      eb
        .selectFrom('tciShipMethod as hm')
        .select('hm.ShipMethID')
        .whereRef('hm.ShipMethKey', '=', 'so.DfltShipMethKey')
        .as('HeaderShipMethID'),
      shipmentShipMethod
        ? eb
            .selectFrom('tciShipMethod as dm')
            .select('dm.ShipMethID')
            .whereRef('dm.ShipMethKey', '=', 's.DlvryShipMethKey')
            .as('ShipmentShipMethID')
        : sql<string | null>`NULL`.as('ShipmentShipMethID'),
    ])
    .where('s.CompanyID', '=', companyId)
    .where('s.TranType', '=', TRAN_TYPE_CUSTOMER_SHIPMENT)
    .where('slog.TranStatus', 'in', [SHIPMENT_TRAN_STATUS.posted, SHIPMENT_TRAN_STATUS.committed])
    .$call((q) =>
      'changedSince' in keys
        ? q.where((eb) => {
            const changed = eb(
              's.ShipKey',
              'in',
              selectChangedShipKeys(db, companyId, keys.changedSince, keys.source, TRAN_TYPE_CUSTOMER_SHIPMENT),
            );
            return keys.recheck?.length ? eb.or([changed, eb('s.ShipKey', 'in', [...keys.recheck])]) : changed;
          })
        : q.where('s.ShipKey', '>', keys.from).where('s.ShipKey', '<=', keys.to),
    );
  return query.orderBy('s.ShipKey').orderBy('sl.ShipLineKey');
}

/** The highest ShipKey of the company: a page's cursor never moves past it, however many keys a page spans. */
export function selectMaxShipKey(db: SageDb, companyId: string) {
  return db
    .selectFrom('tsoShipment')
    .select((eb) => eb.fn.max('ShipKey').as('MaxShipKey'))
    .where('CompanyID', '=', companyId);
}

/**
 * Packages with tracking numbers of the given shipments. No public source names the table or its columns
 * (review §3 item 4): they are configuration (or proposed by `sage500 discover` from the catalog), never a
 * default; identifiers are validated by the config schema and quoted here.
 */
export function selectPackages(
  db: SageDb,
  table: { name: string; packageNo: string; tracking: string },
  shipKeys: readonly number[],
) {
  return sql<{
    ShipKey: number;
    PackageNo: string | number;
    TrackingNo: string | null;
  }>`select ${sql.ref(`p.ShipKey`)}, ${sql.ref(`p.${table.packageNo}`)} as ${sql.ref('PackageNo')}, ${sql.ref(`p.${table.tracking}`)} as ${sql.ref('TrackingNo')} from ${sql.table(table.name)} as ${sql.ref('p')} where ${sql.ref('p.ShipKey')} in (${sql.join(shipKeys)}) order by ${sql.ref('p.ShipKey')}, ${sql.ref(`p.${table.packageNo}`)}`;
}
