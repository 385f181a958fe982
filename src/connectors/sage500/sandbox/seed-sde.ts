import { SETTLEMENT_ACCOUNTS } from '../../../core/rules/settlement-accounts.ts';
import type { SageDb } from '../sql/db.ts';
import { seedChargeItems, seedDrawnKeyCounters, seedSettlementAccounts } from './seed.ts';

/**
 * The sandbox's second company: a German subsidiary in euros, beside the demo company in the same database as Sage
 * keeps several companies (facts §1.1: business ids unique per CompanyID, surrogate keys unique across the
 * database). It sells the demo's items through Amazon.de, so a second connection (a German seller, EUR) has a Sage
 * company of its own to book into: customer AMAZON-DE (currency EUR on its bill-to address, marketplace id in
 * UserFld1), one warehouse, German carriers as ship methods, the charge items and the GL chart the default rules
 * name, open fiscal periods and a journal.
 *
 * Keys are fixed so tests and docs can name them, in a band of their own (3000s) that the demo company, the test
 * helpers (items from 20,000, customers 650+) and the keys drawn from tciSurrogateKey (from 1000) do not reach; the
 * addresses are the exception, since tciAddress keys are drawn from 1000 up: they sit at 511-514, below the counter.
 */
export const SDE = {
  companyId: 'SDE',
  companyName: 'Sellbridge Demo GmbH',
  currency: 'EUR',
  marketplaceId: 'A1PA6795UKMFR9',
  customers: { DE: 'AMAZON-DE', FR: 'AMAZON-FR', IT: 'AMAZON-IT', ES: 'AMAZON-ES' },
  warehouse: 'LEJ',
  items: ['WIDGET-RED', 'WIDGET-BLUE', 'GADGET-PRO', 'CABLE-USB-C', 'MUG-LOGO'] as const,
  aliases: { 'AMZ-RED-WIDGET': 'WIDGET-RED' },
  shipMethods: ['DHL-PAKET', 'DHL-EXPRESS', 'DPD-CLASSIC'] as const,
  /** Amazon service level -> ShipMethID for a connection into this company (orders.shipMethods). */
  shipMethodsByServiceLevel: {
    STANDARD: 'DHL-PAKET',
    FREE_ECONOMY: 'DHL-PAKET',
    SCHEDULED: 'DHL-PAKET',
    EXPEDITED: 'DHL-EXPRESS',
    SECOND_DAY: 'DHL-EXPRESS',
    PRIORITY: 'DHL-EXPRESS',
    NEXT_DAY: 'DHL-EXPRESS',
    SAME_DAY: 'DHL-EXPRESS',
  },
  /** ShipMethID -> Amazon carrier code (orders.carriers). */
  carriers: {
    'DHL-PAKET': { carrierCode: 'DHL', shippingMethod: 'DHL Paket' },
    'DHL-EXPRESS': { carrierCode: 'DHL', shippingMethod: 'DHL Express' },
    'DPD-CLASSIC': { carrierCode: 'DPD', shippingMethod: 'DPD Classic' },
  },
} as const;

/** Sage's language id of German (Germany), as Windows LCIDs go; the demo company's descriptions are 1033. */
const LANGUAGE_DE = 1031;
const K = 3000;

export async function seedGermanCompany(db: SageDb): Promise<void> {
  const co = SDE.companyId;
  await db.insertInto('tsmCompany').values({ CompanyID: co, CompanyName: SDE.companyName, CurrID: 'EUR' }).execute();
  await db
    .insertInto('tciUnitMeasure')
    .values({ UnitMeasKey: K + 1, CompanyID: co, UnitMeasID: 'Stk' })
    .execute();
  const items = [
    { key: K + 101, id: 'WIDGET-RED', desc: 'Widget, rot', price: '18.99', weight: '0.5' },
    { key: K + 102, id: 'WIDGET-BLUE', desc: 'Widget, blau', price: '18.99', weight: '0.5' },
    { key: K + 103, id: 'GADGET-PRO', desc: 'Gadget Pro', price: '139.00', weight: '2.25' },
    { key: K + 104, id: 'CABLE-USB-C', desc: 'USB-C-Kabel 1 m', price: '8.99', weight: '0.1' },
    { key: K + 105, id: 'MUG-LOGO', desc: 'Tasse mit Logo', price: '11.50', weight: '0.4' },
  ];
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
        StockUnitMeasKey: K + 1,
        SalesUnitMeasKey: K + 1,
        ShipWeight: i.weight,
        UpdateDate: '2026-01-01T00:00:00',
        UserFld1: null,
        UserFld2: null,
        UserFld3: null,
        UserFld4: null,
      })),
    )
    .execute();
  await db
    .insertInto('timItemDescription')
    .values(items.map((i) => ({ ItemKey: i.key, LanguageID: LANGUAGE_DE, ShortDesc: i.desc, LongDesc: null })))
    .execute();
  await seedChargeItems(db, co, { offset: K, unitMeasKey: K + 1, languageId: LANGUAGE_DE });
  await db
    .insertInto('timItemAlias')
    .values([{ ItemAliasKey: K + 1, CompanyID: co, ItemAliasID: 'AMZ-RED-WIDGET', ItemKey: K + 101 }])
    .execute();
  await db
    .insertInto('timWarehouse')
    .values({ WhseKey: K + 201, CompanyID: co, WhseID: SDE.warehouse, Description: 'Lager Leipzig', UseBins: 1 })
    .execute();
  await db
    .insertInto('timWhseBin')
    .values({ WhseBinKey: K + 301, WhseKey: K + 201, WhseBinID: 'L-01', ExclFromAvail: 0, Type: 1 })
    .execute();
  const stock: [number, number][] = [
    [K + 101, 80],
    [K + 102, 50],
    [K + 103, 12],
    [K + 104, 300],
    [K + 105, 20],
  ];
  await db
    .insertInto('timWhseBinInvt')
    .values(
      stock.map(([item, qty]) => ({
        WhseBinKey: K + 301,
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
      items.map((i) => ({
        ItemKey: i.key,
        WhseKey: K + 201,
        QtyOnSO: '0',
        QtyOnPO: '0',
        QtyOnHold: '0',
        MinStockQty: '0',
        MaxStockQty: '0',
      })),
    )
    .execute();
  await db
    .insertInto('timPriceSheet')
    .values(
      items.map((i) => ({
        WhseKey: K + 201,
        ItemKey: i.key,
        EffectiveDate: '2026-01-01T00:00:00',
        CurrID: 'EUR',
        ListPrice: i.price,
        Sheet1Price: i.price,
        Sheet2Price: i.price,
        Sheet3Price: i.price,
        Sheet4Price: i.price,
      })),
    )
    .execute();
  await db
    .insertInto('tciShipMethod')
    .values([
      { ShipMethKey: K + 401, CompanyID: co, ShipMethID: 'DHL-PAKET', ShipMethDesc: 'DHL Paket' },
      { ShipMethKey: K + 402, CompanyID: co, ShipMethID: 'DHL-EXPRESS', ShipMethDesc: 'DHL Express' },
      { ShipMethKey: K + 403, CompanyID: co, ShipMethID: 'DPD-CLASSIC', ShipMethDesc: 'DPD Classic' },
    ])
    .execute();
  // Amazon's EU marketplaces, one customer each; Sage country codes are its own three-letter ones (facts §2.1).
  const customers = [
    { custKey: K + 601, addrKey: 511, id: SDE.customers.DE, name: 'Amazon.de marketplace', mkt: 'A1PA6795UKMFR9' },
    { custKey: K + 602, addrKey: 512, id: SDE.customers.FR, name: 'Amazon.fr marketplace', mkt: 'A13V1IB3VIYZZH' },
    { custKey: K + 603, addrKey: 513, id: SDE.customers.IT, name: 'Amazon.it marketplace', mkt: 'APJ6JRA9NG5V4' },
    { custKey: K + 604, addrKey: 514, id: SDE.customers.ES, name: 'Amazon.es marketplace', mkt: 'A1RKKUPIHCS9HS' },
  ];
  await db
    .insertInto('tciAddress')
    .values(
      customers.map((c) => ({
        AddrKey: c.addrKey,
        AddrName: 'Amazon EU S.a.r.l.',
        AddrLine1: '38 avenue John F. Kennedy',
        City: 'Luxembourg',
        StateID: '',
        PostalCode: 'L-1855',
        CountryID: 'LUX',
      })),
    )
    .execute();
  await db
    .insertInto('tglAccount')
    .values([
      {
        GLAcctKey: K + 701,
        CompanyID: co,
        GLAcctNo: '1010-00',
        Description: 'Amazon Verrechnung',
        Status: 1,
        PostingType: 1,
      },
      {
        GLAcctKey: K + 702,
        CompanyID: co,
        GLAcctNo: '4000-00',
        Description: 'Umsatz Amazon',
        Status: 1,
        PostingType: 1,
      },
      {
        GLAcctKey: K + 703,
        CompanyID: co,
        GLAcctNo: '6100-00',
        Description: 'Amazon Gebuehren',
        Status: 1,
        PostingType: 1,
      },
      {
        GLAcctKey: K + 704,
        CompanyID: co,
        GLAcctNo: '4100-00',
        Description: 'Versanderloese',
        Status: 1,
        PostingType: 3,
      },
    ])
    .execute();
  const periods = [];
  for (const year of [2025, 2026, 2027]) {
    for (let per = 1; per <= 12; per++) {
      const endDay = new Date(Date.UTC(year, per, 0)).getUTCDate();
      const mm = String(per).padStart(2, '0');
      periods.push({
        CompanyID: co,
        FiscYear: String(year),
        FiscPer: per,
        StartDate: `${year}-${mm}-01T00:00:00`,
        EndDate: `${year}-${mm}-${endDay}T23:59:59`,
        Status: year === 2025 ? 2 : 1,
      });
    }
  }
  await db.insertInto('tglFiscalPeriod').values(periods).execute();
  await seedSettlementAccounts(db, co, K + 710);
  const accounts = await db
    .selectFrom('tglAccount')
    .select(['GLAcctKey', 'GLAcctNo'])
    .where('CompanyID', '=', co)
    .execute();
  const accountKey = (no: string) => accounts.find((a) => a.GLAcctNo === no)?.GLAcctKey ?? null;
  await db
    .insertInto('tarCustClass')
    .values({
      CustClassKey: K + 901,
      CompanyID: co,
      CustClassID: 'AMAZON',
      ARAcctKey: accountKey(SETTLEMENT_ACCOUNTS.receivable),
    })
    .execute();
  await db
    .insertInto('tarCustomer')
    .values(
      customers.map((c) => ({
        CustKey: c.custKey,
        CompanyID: co,
        CustID: c.id,
        CustName: c.name,
        Status: 1,
        Hold: 0,
        PrimaryAddrKey: c.addrKey,
        DfltBillToAddrKey: c.addrKey,
        DfltShipToAddrKey: c.addrKey,
        CustClassKey: K + 901,
        UserFld1: c.mkt,
      })),
    )
    .execute();
  // Every EU marketplace bills in euros (the customer's currency is its bill-to address's CurrID).
  await db
    .insertInto('tarCustAddr')
    .values(customers.map((c) => ({ AddrKey: c.addrKey, CustKey: c.custKey, CustAddrID: 'MAIN', CurrID: 'EUR' })))
    .execute();
  const clearing = accountKey(SETTLEMENT_ACCOUNTS.receiptsClearing);
  if (clearing !== null)
    await db
      .insertInto('tcmCashAcct')
      .values({ CashAcctKey: K + 501, CompanyID: co, CashAcctID: 'AMAZON', GLAcctKey: clearing })
      .execute();
  // Rates into euros on the shared schedule (tmcCurrExchSchd has no CompanyID): a USD or GBP settlement of this
  // company is converted with them. Examples, like the demo company's.
  await db
    .insertInto('tmcCurrExchSchd')
    .values({ CurrExchSchdKey: 1, CurrExchSchdID: 'DAILY' })
    .onConflict((oc) => oc.doNothing())
    .execute();
  await db
    .insertInto('tmcCurrExchSchdDtl')
    .values([
      {
        CurrExchSchdKey: 1,
        EffectiveDate: '2026-01-01T00:00:00',
        SourceCurrID: 'USD',
        TargetCurrID: 'EUR',
        CurrExchRate: 0.9238,
        ExpirationDate: null,
      },
      {
        CurrExchSchdKey: 1,
        EffectiveDate: '2026-01-01T00:00:00',
        SourceCurrID: 'GBP',
        TargetCurrID: 'EUR',
        CurrExchRate: 1.173,
        ExpirationDate: null,
      },
    ])
    .onConflict((oc) => oc.doNothing())
    .execute();
  await db
    .insertInto('tglJournal')
    .values({ JrnlKey: K + 801, CompanyID: co, JrnlID: 'GJ', Description: 'Hauptbuch-Journal' })
    .execute();
  // The keys drawn at run time share the database's counters with the demo company; a file seeded before this
  // company existed already has them.
  await seedDrawnKeyCounters(db);
}
