import type { Insertable } from 'kysely';
import { decimalFromScaled, decimalText, scaledInteger } from '../decimal.ts';
import type { SalesOrderImportCall } from '../gateway/backend.ts';
import type { SageDb } from '../sql/db.ts';
import {
  LINE_STATUS,
  MIGRATION_LOG_STATUS,
  PROCESS_STATUS,
  SO_STATUS,
  TRAN_TYPE_SALES_ORDER,
  type SageDatabase,
} from '../tables.ts';
import { selectGlAccounts, unmaskedGlAccount } from '../sql/gl-journal.ts';
import { nextSurrogateKey } from './surrogate-keys.ts';

type LogRow = Insertable<SageDatabase['tdmMigrationLogWrk']>;

/**
 * The sandbox's spSOapiSalesOrdIns (facts §4.3), with the semantics Sellbridge depends on:
 * - only rows of `@iSessionKey` with ProcessStatus 0 are read; lines join the header by TranNo;
 * - one order per call (`@MAX_ROWS_PER_RUN = 1`), `@oContinue = 1` while unprocessed headers remain;
 * - TranNo is required; unknown customer, item, warehouse or ship method fail the order with messages in
 *   tdmMigrationLogWrk (Status 1) and ProcessStatus 2 on the header and its lines;
 * - success creates tsoSalesOrder / tsoSOLine / tsoSOLineDist with keys from tciSurrogateKey, raises
 *   timInventory.QtyOnSO, logs Status 3, and deletes the order's staging rows;
 * - the unique key (CompanyID, TranType, TranNoRel) rejects a TranNo that exists;
 * - an order for a customer on hold is created with Status 6 (pending approval), not 1;
 * - a line's GLAcctNo must name an active financial account (it lands in tsoSOLineDist.GLAcctKey), its
 *   TradeDiscAmt must not be negative (kept on the distribution, summed on the header); ExtAmt is staged gross
 *   and kept net of the discount on the distribution;
 * - the ship-to address (DfltShipToAddr*, lines 1..5) becomes a tciAddress row the order and its lines point at.
 * The message texts are ours (Sage's come from tsmLocalString); the columns they land in are Sage's.
 * Return values: 1 success, 2 failure (a record failed), as `@_oRetVal` (facts §3).
 */
export async function runSalesOrderImport(
  db: SageDb,
  companyId: string,
  sessionKey: number,
  userId: string,
  now: string,
): Promise<SalesOrderImportCall> {
  // Inside the caller's transaction when it has one (the adapter's import transaction), else in its own.
  return db.isTransaction ? importOne(db) : db.transaction().execute(importOne);
  async function importOne(tx: SageDb): Promise<SalesOrderImportCall> {
    const header = await tx
      .selectFrom('StgSalesOrder')
      .selectAll()
      .where('SessionKey', '=', sessionKey)
      .where('ProcessStatus', '=', PROCESS_STATUS.notProcessed)
      .orderBy('RowKey')
      .executeTakeFirst();
    if (!header) return { retVal: 1, continue: false, recsProcessed: 0, failedRecs: 0, totalRecs: 0 };

    const tranNo = header.TranNo?.trim() ?? '';
    const entity = tranNo || `Row ${header.RowKey}`;
    const log: LogRow[] = [];
    const fail = (entityId: string, column: string, value: string | null | undefined, comment: string) =>
      log.push({
        SessionKey: sessionKey,
        EntityID: entityId,
        ColumnID: column,
        ColumnValue: value ?? null,
        Status: MIGRATION_LOG_STATUS.failure,
        Duplicate: 0,
        Comment: comment,
      });

    const lines = tranNo
      ? await tx
          .selectFrom('StgSOLine')
          .selectAll()
          .where('SessionKey', '=', sessionKey)
          .where('TranNo', '=', tranNo)
          .where('ProcessStatus', '=', PROCESS_STATUS.notProcessed)
          // Like the SO API (R1, review §2.1): lines in RowKey order, numbered 1, 2, ... below.
          .orderBy('RowKey')
          .execute()
      : [];
    if (!tranNo)
      fail(entity, 'TranNo', null, 'TranNo is null. A sales order number is required to insert a sales order.');
    const customer = header.CustID
      ? await tx
          .selectFrom('tarCustomer')
          .select(['CustKey', 'Status', 'Hold'])
          .where('CompanyID', '=', companyId)
          .where('CustID', '=', header.CustID)
          .executeTakeFirst()
      : undefined;
    if (!customer)
      fail(
        entity,
        'CustID',
        header.CustID,
        `Invalid CustID: customer '${header.CustID ?? ''}' does not exist in company ${companyId}.`,
      );
    else if (customer.Status !== 1) fail(entity, 'CustID', header.CustID, `Customer '${header.CustID}' is not active.`);
    const whse = async (id: string | null | undefined) =>
      id
        ? await tx
            .selectFrom('timWarehouse')
            .select('WhseKey')
            .where('CompanyID', '=', companyId)
            .where('WhseID', '=', id)
            .executeTakeFirst()
        : undefined;
    const shipMeth = async (id: string | null | undefined) =>
      id
        ? await tx
            .selectFrom('tciShipMethod')
            .select('ShipMethKey')
            .where('CompanyID', '=', companyId)
            .where('ShipMethID', '=', id)
            .executeTakeFirst()
        : undefined;
    const dfltWhse = await whse(header.DfltWarehouseID);
    if (header.DfltWarehouseID && !dfltWhse)
      fail(
        entity,
        'DfltWarehouseID',
        header.DfltWarehouseID,
        `Invalid WarehouseID: '${header.DfltWarehouseID}' does not exist.`,
      );
    const dfltShip = await shipMeth(header.DfltShipMethID);
    if (header.DfltShipMethID && !dfltShip)
      fail(
        entity,
        'DfltShipMethID',
        header.DfltShipMethID,
        `Invalid ShipMethID: '${header.DfltShipMethID}' does not exist.`,
      );
    if (tranNo) {
      const dup = await tx
        .selectFrom('tsoSalesOrder')
        .select('SOKey')
        .where('CompanyID', '=', companyId)
        .where('TranType', '=', TRAN_TYPE_SALES_ORDER)
        .where('TranNoRel', '=', tranNo)
        .executeTakeFirst();
      if (dup) fail(entity, 'TranNo', tranNo, `Sales order '${tranNo}' already exists.`);
    }
    if (tranNo && lines.length === 0) fail(entity, 'SOLineNo', null, 'The sales order has no lines.');

    const resolved = [];
    for (const line of lines) {
      const lineEntity = `${tranNo}|Line ${line.SOLineNo ?? '?'}`;
      const item = line.ItemID
        ? await tx
            .selectFrom('timItem')
            .select(['ItemKey', 'SalesUnitMeasKey', 'Status'])
            .where('CompanyID', '=', companyId)
            .where('ItemID', '=', line.ItemID)
            .executeTakeFirst()
        : undefined;
      if (!item)
        fail(
          lineEntity,
          'ItemID',
          line.ItemID,
          `Invalid ItemID: item '${line.ItemID ?? ''}' does not exist in company ${companyId}.`,
        );
      else if (item.Status !== 1) fail(lineEntity, 'ItemID', line.ItemID, `Item '${line.ItemID}' is not active.`);
      const lineWhse = line.WarehouseID ? await whse(line.WarehouseID) : dfltWhse;
      if (!lineWhse)
        fail(
          lineEntity,
          'WarehouseID',
          line.WarehouseID ?? header.DfltWarehouseID,
          `Invalid WarehouseID: '${line.WarehouseID ?? header.DfltWarehouseID ?? ''}' does not exist.`,
        );
      const lineShip = line.ShipMethID ? await shipMeth(line.ShipMethID) : dfltShip;
      if (line.ShipMethID && !lineShip)
        fail(lineEntity, 'ShipMethID', line.ShipMethID, `Invalid ShipMethID: '${line.ShipMethID}' does not exist.`);
      const qty = Number(decimalText(line.QtyOrd ?? 0));
      if (!(qty > 0)) fail(lineEntity, 'QtyOrd', String(line.QtyOrd ?? ''), 'QtyOrd must be greater than zero.');
      // A line's GL account must be an active financial account (facts §6: Status 1, PostingType 1 or 3).
      // Masks are stripped first, as Sage's spDMMASGLMaskStrip does (R1): masked and unmasked both find the account.
      const glAcct = line.GLAcctNo
        ? (await selectGlAccounts(tx, companyId, [line.GLAcctNo]).execute()).find(
            (a) => unmaskedGlAccount(a.GLAcctNo) === unmaskedGlAccount(line.GLAcctNo!),
          )
        : undefined;
      if (line.GLAcctNo && (!glAcct || glAcct.Status !== 1 || (glAcct.PostingType !== 1 && glAcct.PostingType !== 3))) {
        fail(
          lineEntity,
          'GLAcctNo',
          line.GLAcctNo,
          `Invalid GLAcctNo: '${line.GLAcctNo}' is not an active financial account.`,
        );
      }
      const discount = scaledInteger(line.TradeDiscAmt ?? 0, 3);
      if (discount < 0)
        fail(lineEntity, 'TradeDiscAmt', decimalText(line.TradeDiscAmt ?? 0), 'TradeDiscAmt cannot be negative.');
      resolved.push({
        line,
        item,
        whseKey: lineWhse?.WhseKey,
        shipMethKey: lineShip?.ShipMethKey ?? null,
        qty,
        discount,
        glAcctKey: glAcct?.GLAcctKey ?? null,
      });
    }

    const remaining = async () =>
      Number(
        (
          await tx
            .selectFrom('StgSalesOrder')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('SessionKey', '=', sessionKey)
            .where('ProcessStatus', '=', PROCESS_STATUS.notProcessed)
            .executeTakeFirst()
        )?.n ?? 0,
      );

    if (log.length > 0) {
      await tx.insertInto('tdmMigrationLogWrk').values(log).execute();
      await tx
        .updateTable('StgSalesOrder')
        .set({ ProcessStatus: PROCESS_STATUS.failed })
        .where('RowKey', '=', header.RowKey)
        .execute();
      if (tranNo)
        await tx
          .updateTable('StgSOLine')
          .set({ ProcessStatus: PROCESS_STATUS.failed })
          .where('SessionKey', '=', sessionKey)
          .where('TranNo', '=', tranNo)
          .execute();
      const left = await remaining();
      return { retVal: 2, continue: left > 0, recsProcessed: 1, failedRecs: 1, totalRecs: left + 1 };
    }

    const soKey = await nextSurrogateKey(tx, 'tsoSalesOrdLog');
    // Amounts are decimal(15,3): summed as integers of thousandths, never as floats.
    // ExtAmt is staged gross (price x quantity) with TradeDiscAmt beside it, as R3's production integration
    // stages it; the distribution keeps the amount net of its discount, and the header the discounts' sum.
    const netOf = (r: { line: { ExtAmt?: unknown }; discount: number }) =>
      scaledInteger(r.line.ExtAmt ?? 0, 3) - r.discount;
    const salesCents = resolved.reduce((sum, r) => sum + netOf(r), 0);
    const discounts = resolved.reduce((sum, r) => sum + r.discount, 0);
    const freight = scaledInteger(header.FreightAmt ?? 0, 3);
    const amt = (thousandths: number) => decimalFromScaled(thousandths, 3);
    const text = (v: string | Date) => (typeof v === 'string' ? v : v.toISOString().slice(0, 19));
    // A one-time ship-to address becomes its own tciAddress row (AddrLine1..5), as Sage keeps it.
    const addr = {
      AddrName: header.DfltShipToAddrName ?? null,
      AddrLine1: header.DfltShipToAddrLine1 ?? null,
      AddrLine2: header.DfltShipToAddrLine2 ?? null,
      AddrLine3: header.DfltShipToAddrLine3 ?? null,
      AddrLine4: header.DfltShipToAddrLine4 ?? null,
      AddrLine5: header.DfltShipToAddrLine5 ?? null,
      City: header.DfltShipToCity ?? null,
      StateID: header.DfltShipToStateID ?? null,
      PostalCode: header.DfltShipToPostalCode ?? null,
      CountryID: header.DfltShipToCountryID ?? null,
    };
    let shipToAddrKey: number | null = null;
    if (Object.values(addr).some((v) => v !== null)) {
      shipToAddrKey = await nextSurrogateKey(tx, 'tciAddress');
      await tx
        .insertInto('tciAddress')
        .values({ AddrKey: shipToAddrKey, ...addr })
        .execute();
    }
    await tx
      .insertInto('tsoSalesOrder')
      .values({
        SOKey: soKey,
        CompanyID: companyId,
        TranType: TRAN_TYPE_SALES_ORDER,
        TranNo: tranNo,
        TranNoRel: tranNo,
        TranID: `${tranNo}-SO`,
        TranDate: text(header.TranDate ?? now),
        CustKey: customer!.CustKey,
        CustPONo: header.CustPONo ?? null,
        // A customer on hold leaves the order pending approval instead of open (facts §8.11).
        Status: customer!.Hold !== 0 ? SO_STATUS['pending-approval'] : SO_STATUS.open,
        CurrID: header.CurrID ?? 'USD',
        DfltWhseKey: dfltWhse?.WhseKey ?? null,
        DfltShipMethKey: dfltShip?.ShipMethKey ?? null,
        DfltShipToAddrKey: shipToAddrKey,
        SalesAmt: amt(salesCents),
        FreightAmt: amt(freight),
        TradeDiscAmt: amt(discounts),
        TranAmt: amt(salesCents + freight),
        OpenAmt: amt(salesCents + freight),
        TranCmnt: header.TranCmnt ?? null,
        UserFld1: header.UserFld1 ?? null,
        UserFld2: header.UserFld2 ?? null,
        UserFld3: header.UserFld3 ?? null,
        UserFld4: header.UserFld4 ?? null,
        CreateDate: now,
        CreateUserID: userId,
        UpdateCounter: 0,
      })
      .execute();
    for (const [i, r] of resolved.entries()) {
      const soLineKey = await nextSurrogateKey(tx, 'tsoSOLine');
      await tx
        .insertInto('tsoSOLine')
        .values({
          SOLineKey: soLineKey,
          SOKey: soKey,
          SOLineNo: i + 1,
          ItemKey: r.item!.ItemKey,
          ItemAliasKey: null,
          Description: r.line.Description ?? null,
          Status: LINE_STATUS.open,
          UnitMeasKey: r.item!.SalesUnitMeasKey ?? null,
          UnitPrice: decimalText(r.line.UnitPrice ?? 0),
          UserFld1: r.line.UserFld1 ?? null,
          UserFld2: r.line.UserFld2 ?? null,
          UpdateCounter: 0,
        })
        .execute();
      await tx
        .insertInto('tsoSOLineDist')
        .values({
          SOLineDistKey: await nextSurrogateKey(tx, 'tsoSOLineDist'),
          SOLineKey: soLineKey,
          WhseKey: r.whseKey!,
          QtyOrd: String(r.qty),
          QtyOpenToShip: String(r.qty),
          QtyShip: '0',
          ExtAmt: amt(netOf(r)),
          TradeDiscAmt: amt(r.discount),
          DeliveryMeth: 1,
          ShipMethKey: r.shipMethKey,
          ShipToAddrKey: shipToAddrKey,
          RequestDate: r.line.RequestDate ? text(r.line.RequestDate) : null,
          PromiseDate: r.line.PromiseDate ? text(r.line.PromiseDate) : null,
          GLAcctKey: r.glAcctKey,
          Status: LINE_STATUS.open,
          UpdateCounter: 0,
        })
        .execute();
      await tx
        .updateTable('timInventory')
        .set((eb) => ({ QtyOnSO: eb('QtyOnSO', '+', r.qty) }))
        .where('ItemKey', '=', r.item!.ItemKey)
        .where('WhseKey', '=', r.whseKey!)
        .execute();
    }
    await tx.deleteFrom('StgSOLine').where('SessionKey', '=', sessionKey).where('TranNo', '=', tranNo).execute();
    await tx.deleteFrom('StgSalesOrder').where('RowKey', '=', header.RowKey).execute();
    await tx
      .insertInto('tdmMigrationLogWrk')
      .values({
        SessionKey: sessionKey,
        EntityID: tranNo,
        ColumnID: null,
        ColumnValue: null,
        Status: MIGRATION_LOG_STATUS.successful,
        Duplicate: 0,
        Comment: `Sales order ${tranNo}-SO inserted.`,
      })
      .execute();
    const left = await remaining();
    return { retVal: 1, continue: left > 0, recsProcessed: 1, failedRecs: 0, totalRecs: left + 1 };
  }
}
