import { SETTLEMENT_ACCOUNTS } from '../../../core/rules/settlement-accounts.ts';
import type { SageDb } from '../sql/db.ts';

/**
 * The demo company of the sandbox: items with aliases and UPCs, two warehouses with bins and stock, price
 * sheets with history, ship methods, one customer per Amazon marketplace (marketplace id in UserFld1), GL
 * accounts and open fiscal periods. Keys are fixed so tests and docs can name them; tciSurrogateKey is set
 * above them so keys drawn later never collide.
 */
export const DEMO = {
  companyId: 'SOA',
  customers: { US: 'AMAZON-US', CA: 'AMAZON-CA', UK: 'AMAZON-UK', held: 'AMAZON-HOLD' },
  warehouses: ['MAIN', 'EAST'] as const,
  items: ['WIDGET-RED', 'WIDGET-BLUE', 'GADGET-PRO', 'CABLE-USB-C', 'MUG-LOGO'] as const,
  /** Misc (non-stock) items the order transforms put on charge lines (src/core/rules/gl-accounts.ts). */
  chargeItems: [
    'AMZ-TAX',
    'AMZ-MF-TAX',
    'AMZ-GIFTWRAP',
    'AMZ-ROUNDING',
    'AMZ-PROMO',
    'AMZ-CHARGE',
    'AMZ-FREIGHT',
  ] as const,
  aliases: { 'AMZ-RED-WIDGET': 'WIDGET-RED', B0CABLE001: 'CABLE-USB-C' },
  upcs: { '012345678905': 'GADGET-PRO' },
  shipMethods: ['UPS-GND', 'FEDEX-2D', 'USPS-PRI'] as const,
  glAccounts: {
    clearing: '1010-00',
    sales: '4000-00',
    fees: '6100-00',
    shipping: '4100-00',
    inactive: '9999-00',
    salesTax: '2300-00',
    marketplaceTax: '2310-00',
    promotions: '4050-00',
  },
} as const;

/** Sage's ItemType of a misc (non-stock) item [I]; stocked types are 5 and above (facts §2.5). */
const ITEM_TYPE_MISC = 1;

export async function seedDemoCompany(db: SageDb, companyId: string = DEMO.companyId): Promise<void> {
  const co = companyId;
  await db
    .insertInto('tsmCompany')
    .values({ CompanyID: co, CompanyName: 'Sellbridge Demo Company', CurrID: 'USD' })
    .execute();
  await db.insertInto('tciUnitMeasure').values({ UnitMeasKey: 1, CompanyID: co, UnitMeasID: 'Each' }).execute();
  const items = [
    // UserFld1 is the brand and UserFld2 the colour, as the default custom-field map reads them (a site's own use
    // of the item custom fields); LongDesc the product description.
    { key: 101, id: 'WIDGET-RED', desc: 'Widget, red', price: '19.99', weight: '0.5', brand: 'Acme', colour: 'Red' },
    { key: 102, id: 'WIDGET-BLUE', desc: 'Widget, blue', price: '19.99', weight: '0.5', brand: 'Acme', colour: 'Blue' },
    { key: 103, id: 'GADGET-PRO', desc: 'Gadget Pro', price: '149.00', weight: '2.25', brand: 'Gizmo Works' },
    { key: 104, id: 'CABLE-USB-C', desc: 'USB-C cable 1 m', price: '9.49', weight: '0.1' },
    { key: 105, id: 'MUG-LOGO', desc: 'Mug with logo', price: '12.00', weight: '0.4' },
  ] as { key: number; id: string; desc: string; price: string; weight: string; brand?: string; colour?: string }[];
  const longDesc: Readonly<Record<string, string>> = {
    'WIDGET-RED': 'A sturdy red widget for everyday use.',
    'WIDGET-BLUE': 'A sturdy blue widget for everyday use.',
  };
  await db
    .insertInto('timItem')
    .values(
      items.map((i) => ({
        ItemKey: i.key,
        CompanyID: co,
        ItemID: i.id,
        ItemType: 5,
        Status: 1,
        StdPrice: i.price,
        StockUnitMeasKey: 1,
        SalesUnitMeasKey: 1,
        ShipWeight: i.weight,
        UpdateDate: '2026-01-01T00:00:00',
        UserFld1: i.brand ?? null,
        UserFld2: i.colour ?? null,
        UserFld3: null,
        UserFld4: null,
      })),
    )
    .execute();
  await db
    .insertInto('timItemDescription')
    .values(
      items.map((i) => ({ ItemKey: i.key, LanguageID: 1033, ShortDesc: i.desc, LongDesc: longDesc[i.id] ?? null })),
    )
    .execute();
  await seedChargeItems(db, co);
  await db
    .insertInto('timItemUnitOfMeas')
    .values([
      { ItemKey: 103, TargetUnitMeasKey: 1, UPC: '012345678905' },
      { ItemKey: 101, TargetUnitMeasKey: 1, UPC: '012345678912' },
    ])
    .execute();
  await db
    .insertInto('timItemAlias')
    .values([
      { ItemAliasKey: 1, CompanyID: co, ItemAliasID: 'AMZ-RED-WIDGET', ItemKey: 101 },
      { ItemAliasKey: 2, CompanyID: co, ItemAliasID: 'B0CABLE001', ItemKey: 104 },
    ])
    .execute();
  await db
    .insertInto('timWarehouse')
    .values([
      { WhseKey: 201, CompanyID: co, WhseID: 'MAIN', Description: 'Main warehouse', UseBins: 1 },
      { WhseKey: 202, CompanyID: co, WhseID: 'EAST', Description: 'East coast warehouse', UseBins: 1 },
      // Stock Amazon holds (FBA): orders Amazon fulfilled are booked as shipped from here (orders.fba record-shipped).
      { WhseKey: 203, CompanyID: co, WhseID: 'FBA', Description: 'Amazon FBA (stock at Amazon)', UseBins: 1 },
    ])
    .execute();
  await db
    .insertInto('timWhseBin')
    .values([
      { WhseBinKey: 301, WhseKey: 201, WhseBinID: 'A-01', ExclFromAvail: 0, Type: 1 },
      { WhseBinKey: 302, WhseKey: 201, WhseBinID: 'QC-HOLD', ExclFromAvail: 1, Type: 1 },
      { WhseBinKey: 303, WhseKey: 202, WhseBinID: 'E-01', ExclFromAvail: 0, Type: 1 },
      { WhseBinKey: 304, WhseKey: 203, WhseBinID: 'FBA-01', ExclFromAvail: 0, Type: 1 },
    ])
    .execute();
  const stock: [number, number, number][] = [
    [301, 101, 120],
    [302, 101, 5],
    [301, 102, 40],
    [301, 103, 8],
    [301, 104, 500],
    [301, 105, 0],
    [303, 101, 30],
    [303, 103, 2],
    [303, 104, 75],
    [303, 105, 24],
    [304, 101, 60],
    [304, 102, 60],
    [304, 103, 20],
    [304, 104, 200],
  ];
  await db
    .insertInto('timWhseBinInvt')
    .values(
      stock.map(([bin, item, qty]) => ({
        WhseBinKey: bin,
        ItemKey: item,
        QtyOnHand: String(qty),
        PendQtyIncrease: '0',
        PendQtyDecrease: '0',
      })),
    )
    .execute();
  await db
    .insertInto('timInventory')
    .values(
      items.flatMap((i) =>
        [201, 202, 203].map((w) => ({
          ItemKey: i.key,
          WhseKey: w,
          QtyOnSO: '0',
          QtyOnPO: '0',
          QtyOnHold: '0',
          MinStockQty: '0',
          MaxStockQty: '0',
        })),
      ),
    )
    .execute();
  // Price history: an old row, the current row, and a future row that must not be picked yet.
  await db
    .insertInto('timPriceSheet')
    .values(
      items.flatMap((i) =>
        [201, 202].flatMap((w) =>
          [
            ['2025-01-01T00:00:00', 0.9],
            ['2026-01-01T00:00:00', 1],
            ['2099-01-01T00:00:00', 1.5],
          ].map(([date, factor]) => {
            const cents = Math.round(Number(i.price) * 100 * Number(factor));
            const p = (off: number) => ((cents - off) / 100).toFixed(2);
            return {
              WhseKey: w,
              ItemKey: i.key,
              EffectiveDate: String(date),
              CurrID: 'USD',
              ListPrice: p(0),
              Sheet1Price: p(100),
              Sheet2Price: p(150),
              Sheet3Price: p(200),
              Sheet4Price: p(250),
            };
          }),
        ),
      ),
    )
    .execute();
  await db
    .insertInto('tciShipMethod')
    .values([
      { ShipMethKey: 401, CompanyID: co, ShipMethID: 'UPS-GND', ShipMethDesc: 'UPS Ground' },
      { ShipMethKey: 402, CompanyID: co, ShipMethID: 'FEDEX-2D', ShipMethDesc: 'FedEx 2Day' },
      { ShipMethKey: 403, CompanyID: co, ShipMethID: 'USPS-PRI', ShipMethDesc: 'USPS Priority Mail' },
    ])
    .execute();
  await db
    .insertInto('tciAddress')
    .values([
      {
        AddrKey: 501,
        AddrName: 'Amazon.com Services',
        AddrLine1: '410 Terry Ave N',
        City: 'Seattle',
        StateID: 'WA',
        PostalCode: '98109',
        CountryID: 'USA',
      },
      {
        AddrKey: 502,
        AddrName: 'Amazon.com.ca ULC',
        AddrLine1: '120 Bremner Blvd',
        City: 'Toronto',
        StateID: 'ON',
        PostalCode: 'M5J 0A8',
        CountryID: 'CAN',
      },
      {
        AddrKey: 503,
        AddrName: 'Amazon EU SARL UK',
        AddrLine1: '1 Principal Place',
        City: 'London',
        StateID: '',
        PostalCode: 'EC2A 2FA',
        CountryID: 'GBR',
      },
    ])
    .execute();
  await db
    .insertInto('tarCustomer')
    .values([
      {
        CustKey: 601,
        CompanyID: co,
        CustID: 'AMAZON-US',
        CustName: 'Amazon.com marketplace',
        Status: 1,
        Hold: 0,
        PrimaryAddrKey: 501,
        DfltShipToAddrKey: 501,
        UserFld1: 'ATVPDKIKX0DER',
      },
      {
        CustKey: 602,
        CompanyID: co,
        CustID: 'AMAZON-CA',
        CustName: 'Amazon.ca marketplace',
        Status: 1,
        Hold: 0,
        PrimaryAddrKey: 502,
        DfltShipToAddrKey: 502,
        UserFld1: 'A2EUQ1WTGCTBG2',
      },
      {
        CustKey: 603,
        CompanyID: co,
        CustID: 'AMAZON-UK',
        CustName: 'Amazon.co.uk marketplace',
        Status: 1,
        Hold: 0,
        PrimaryAddrKey: 503,
        DfltShipToAddrKey: 503,
        UserFld1: 'A1F83G8C2ARO7P',
      },
      {
        CustKey: 604,
        CompanyID: co,
        CustID: 'AMAZON-HOLD',
        CustName: 'Amazon test customer on hold',
        Status: 1,
        Hold: 1,
        PrimaryAddrKey: 501,
        DfltShipToAddrKey: 501,
        UserFld1: null,
      },
    ])
    .execute();
  await db
    .insertInto('tglAccount')
    .values([
      { GLAcctKey: 701, CompanyID: co, GLAcctNo: '1010-00', Description: 'Amazon clearing', Status: 1, PostingType: 1 },
      { GLAcctKey: 702, CompanyID: co, GLAcctNo: '4000-00', Description: 'Sales Amazon', Status: 1, PostingType: 1 },
      { GLAcctKey: 703, CompanyID: co, GLAcctNo: '6100-00', Description: 'Amazon fees', Status: 1, PostingType: 1 },
      { GLAcctKey: 704, CompanyID: co, GLAcctNo: '4100-00', Description: 'Shipping income', Status: 1, PostingType: 3 },
      { GLAcctKey: 705, CompanyID: co, GLAcctNo: '9999-00', Description: 'Closed account', Status: 2, PostingType: 1 },
      {
        GLAcctKey: 706,
        CompanyID: co,
        GLAcctNo: '9000-00',
        Description: 'Units (statistical)',
        Status: 1,
        PostingType: 2,
      },
    ])
    .execute();
  const periods = [];
  for (const year of [2025, 2026, 2027]) {
    for (let per = 1; per <= 12; per++) {
      const start = `${year}-${String(per).padStart(2, '0')}-01T00:00:00`;
      const endDay = new Date(Date.UTC(year, per, 0)).getUTCDate();
      const end = `${year}-${String(per).padStart(2, '0')}-${endDay}T23:59:59`;
      // 2025 is closed: a journal dated then must be refused.
      periods.push({
        CompanyID: co,
        FiscYear: String(year),
        FiscPer: per,
        StartDate: start,
        EndDate: end,
        Status: year === 2025 ? 2 : 1,
      });
    }
  }
  await db.insertInto('tglFiscalPeriod').values(periods).execute();
  await seedSettlementAccounts(db, co);
  // One customer class for the marketplace customers; its receivable account is the settlement chart's.
  const receivable = await db
    .selectFrom('tglAccount')
    .select('GLAcctKey')
    .where('CompanyID', '=', co)
    .where('GLAcctNo', '=', SETTLEMENT_ACCOUNTS.receivable)
    .executeTakeFirst();
  await db
    .insertInto('tarCustClass')
    .values({ CustClassKey: 901, CompanyID: co, CustClassID: 'AMAZON', ARAcctKey: receivable?.GLAcctKey ?? null })
    .execute();
  await db.updateTable('tarCustomer').set({ CustClassKey: 901 }).where('CompanyID', '=', co).execute();
  // Each marketplace customer bills to its primary address, whose customer settings carry its currency (tarCustAddr).
  await db
    .updateTable('tarCustomer')
    .set((eb) => ({ DfltBillToAddrKey: eb.ref('PrimaryAddrKey') }))
    .where('CompanyID', '=', co)
    .execute();
  await db
    .insertInto('tarCustAddr')
    .values([
      { AddrKey: 501, CustKey: 601, CustAddrID: 'MAIN', CurrID: 'USD' },
      { AddrKey: 502, CustKey: 602, CustAddrID: 'MAIN', CurrID: 'CAD' },
      { AddrKey: 503, CustKey: 603, CustAddrID: 'MAIN', CurrID: 'GBP' },
    ])
    .execute();
  await seedCashAndRates(db, co);
  await db
    .insertInto('tglJournal')
    .values({ JrnlKey: 801, CompanyID: co, JrnlID: 'GJ', Description: 'General journal' })
    .execute();
  await seedDrawnKeyCounters(db);
}

/**
 * The counters of the keys drawn at run time (orders, shipments, journals, addresses), above every fixed seed key;
 * one set per database, shared by its companies (kept when a company seeded later finds them).
 */
export async function seedDrawnKeyCounters(db: SageDb): Promise<void> {
  await db
    .insertInto('tciSurrogateKey')
    .values(
      [
        'tsoSalesOrdLog',
        'tsoSOLine',
        'tsoSOLineDist',
        'tsoShipment',
        'tsoShipLine',
        'tsoShipLineDist',
        'tsoPackage',
        'tglJournalHdr',
        'tciBatchLog',
        'tciAddress',
        'tarCustPmt',
      ].map((name) => ({ TableName: name, NextKey: 1000 })),
    )
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/**
 * Settlement cash and currencies: the cash account AR receipts of settlements are deposited to (its GL account the
 * receipts clearing account) and a EUR -> USD rate schedule (multi-currency's tmcCurrExchSchd / tmcCurrExchSchdDtl).
 * Fixed keys; the rates are examples.
 */
export async function seedCashAndRates(db: SageDb, co: string): Promise<void> {
  const clearing = await db
    .selectFrom('tglAccount')
    .select('GLAcctKey')
    .where('CompanyID', '=', co)
    .where('GLAcctNo', '=', SETTLEMENT_ACCOUNTS.receiptsClearing)
    .executeTakeFirst();
  if (clearing)
    await db
      .insertInto('tcmCashAcct')
      .values({ CashAcctKey: 501, CompanyID: co, CashAcctID: 'AMAZON', GLAcctKey: clearing.GLAcctKey })
      .execute();
  await db.insertInto('tmcCurrExchSchd').values({ CurrExchSchdKey: 1, CurrExchSchdID: 'DAILY' }).execute();
  await db
    .insertInto('tmcCurrExchSchdDtl')
    .values([
      {
        CurrExchSchdKey: 1,
        EffectiveDate: '2026-01-01T00:00:00',
        SourceCurrID: 'EUR',
        TargetCurrID: 'USD',
        CurrExchRate: 1.08,
        ExpirationDate: '2026-09-30T00:00:00',
      },
      {
        CurrExchSchdKey: 1,
        EffectiveDate: '2026-10-01T00:00:00',
        SourceCurrID: 'EUR',
        TargetCurrID: 'USD',
        CurrExchRate: 1.0825,
        ExpirationDate: null,
      },
      {
        CurrExchSchdKey: 1,
        EffectiveDate: '2026-01-01T00:00:00',
        SourceCurrID: 'GBP',
        TargetCurrID: 'USD',
        CurrExchRate: 1.27,
        ExpirationDate: null,
      },
      {
        CurrExchSchdKey: 1,
        EffectiveDate: '2026-01-01T00:00:00',
        SourceCurrID: 'CAD',
        TargetCurrID: 'USD',
        CurrExchRate: 0.73,
        ExpirationDate: null,
      },
    ])
    .execute();
}

/**
 * The charge lines' misc items and GL accounts (src/core/rules/gl-accounts.ts): part of the demo company, and
 * added on their own to a SQL Server test company seeded before they existed. Fixed keys, like the rest.
 */
export async function seedChargeItems(
  db: SageDb,
  co: string,
  keys: { readonly offset: number; readonly unitMeasKey: number; readonly languageId: number } = {
    offset: 0,
    unitMeasKey: 1,
    languageId: 1033,
  },
): Promise<void> {
  // Charge items as Sage models them: misc items (ItemType 1 [I]; >= 5 are stocked), no stock, no price, no
  // inventory rows, so nothing is reserved or shipped for them. Ids and descriptions as DEFAULT_CHARGE_LINES.
  const charges = [
    { key: 201, id: 'AMZ-TAX', desc: 'Sales tax collected on Amazon' },
    { key: 202, id: 'AMZ-MF-TAX', desc: 'Marketplace facilitator tax' },
    { key: 203, id: 'AMZ-GIFTWRAP', desc: 'Amazon gift wrap' },
    { key: 204, id: 'AMZ-ROUNDING', desc: 'Rounding of unit prices' },
    { key: 205, id: 'AMZ-PROMO', desc: 'Amazon promotions' },
    { key: 206, id: 'AMZ-CHARGE', desc: 'Amazon other charges' },
    // For the optional freight-as-a-line rule (pricing.lines.freight, e.g. on 4100-00 Shipping income).
    { key: 207, id: 'AMZ-FREIGHT', desc: 'Amazon shipping' },
  ];
  await db
    .insertInto('timItem')
    .values(
      charges.map((i) => ({
        ItemKey: i.key + keys.offset,
        CompanyID: co,
        ItemID: i.id,
        ItemType: ITEM_TYPE_MISC,
        Status: 1,
        StdPrice: '0',
        StockUnitMeasKey: keys.unitMeasKey,
        SalesUnitMeasKey: keys.unitMeasKey,
        ShipWeight: null,
        UpdateDate: '2026-01-01T00:00:00',
      })),
    )
    .execute();
  await db
    .insertInto('timItemDescription')
    .values(
      charges.map((i) => ({
        ItemKey: i.key + keys.offset,
        LanguageID: keys.languageId,
        ShortDesc: i.desc,
        LongDesc: null,
      })),
    )
    .execute();
  await db
    .insertInto('tglAccount')
    .values([
      {
        GLAcctKey: 707 + keys.offset,
        CompanyID: co,
        GLAcctNo: '2300-00',
        Description: 'Sales tax payable',
        Status: 1,
        PostingType: 1,
      },
      {
        GLAcctKey: 708 + keys.offset,
        CompanyID: co,
        GLAcctNo: '2310-00',
        Description: 'Marketplace facilitator tax',
        Status: 1,
        PostingType: 1,
      },
      {
        GLAcctKey: 709 + keys.offset,
        CompanyID: co,
        GLAcctNo: '4050-00',
        Description: 'Amazon promotions',
        Status: 1,
        PostingType: 1,
      },
    ])
    .execute();
}

/**
 * The rest of the placeholder settlement chart (src/core/rules/settlement-accounts.ts) that the accounts above do
 * not already cover, so `sellbridge settlements import` posts on a fresh sandbox with the default rules. Keys from
 * 710 up, in the chart's order.
 */
export async function seedSettlementAccounts(db: SageDb, co: string, firstKey = 710): Promise<void> {
  const have = new Set(
    (await db.selectFrom('tglAccount').select('GLAcctNo').where('CompanyID', '=', co).execute()).map((r) => r.GLAcctNo),
  );
  const missing = Object.entries(SETTLEMENT_ACCOUNTS).filter(([, account]) => !have.has(account));
  if (missing.length === 0) return;
  await db
    .insertInto('tglAccount')
    .values(
      missing.map(([name, account], i) => ({
        GLAcctKey: firstKey + i,
        CompanyID: co,
        GLAcctNo: account,
        Description: `Amazon ${name}`.slice(0, 30),
        Status: 1,
        PostingType: 1,
      })),
    )
    .execute();
}
