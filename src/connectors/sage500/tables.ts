import type { ColumnType, Generated } from 'kysely';

/**
 * The Sage 500 tables and columns Sellbridge touches, with Sage's types and lengths (sage500-facts.md §2,
 * §4.2, §5). One declaration serves three purposes: the Kysely row types both adapters query with, the
 * sandbox's SQLite DDL (lengths enforced with CHECK constraints, so the sandbox rejects a value SQL Server
 * would truncate or reject), and the length checks done before staging (`rows-from-sales-order.ts`).
 *
 * It is also the description of the real shapes that `sellbridge sage500 verify` compares with the customer's
 * catalog, and the sandbox is built from it: a column declared NOT NULL without a default must be written by
 * every insert of ours, on SQL Server and in the sandbox alike.
 *
 * Column spec: `int`, `smallint`, `float`, `identity` (IDENTITY int, staging RowKey only), `datetime`,
 * `varchar(n)`, `decimal(p,s)`; a trailing `?` means NULL allowed; `=value` after it means the column has a
 * default (an insert may leave it out). Sage tables have no IDENTITY: keys come from `spGetNextSurrogateKey`
 * (facts §1.3). Where the public sources disagree or are silent, the table says so (`optionalColumns`,
 * `contested`, `optional`) and the adapter asks the catalog before it relies on the column.
 */
export type ColumnSpec = string;

export interface TableSpec {
  readonly columns: Readonly<Record<string, ColumnSpec>>;
  readonly primaryKey?: readonly string[];
  readonly unique?: readonly (readonly string[])[];
  /** Non-unique indexes (XIE<n><table>): only on Sellbridge's own tables, which install-extensions creates. */
  readonly indexes?: readonly (readonly string[])[];
  /** Sellbridge's own objects (suffix _AMZ), created by install-extensions. */
  readonly extension?: boolean;
  /** A view (read-only); the sandbox creates it from its own definition. */
  readonly view?: boolean;
  /**
   * No public source shows this table: the adapter uses it only when the catalog has it, and `verify` reports
   * its absence as a note, not a failure.
   */
  readonly optional?: boolean;
  /** Columns no public source shows: used only when the catalog confirms them (review §3 items 2, 3, 14). */
  readonly optionalColumns?: readonly string[];
  /** Columns whose type the sources contest: any of these type families is accepted (review §2.4 item 5). */
  readonly contested?: Readonly<Record<string, readonly ('char' | 'int' | 'decimal' | 'float' | 'datetime')[]>>;
  /** Where the shape comes from (review §1 ids), for the README and verify's messages. */
  readonly source?: string;
}

const t = <const C extends Record<string, ColumnSpec>>(spec: {
  columns: C;
  primaryKey?: string[];
  unique?: string[][];
  indexes?: (keyof C & string)[][];
  extension?: boolean;
  view?: boolean;
  optional?: boolean;
  optionalColumns?: (keyof C & string)[];
  contested?: Partial<Record<keyof C & string, ('char' | 'int' | 'decimal' | 'float' | 'datetime')[]>>;
  source?: string;
}) => spec;

export const SAGE_TABLES = {
  tciSurrogateKey: t({ columns: { TableName: 'varchar(30)', NextKey: 'int' }, primaryKey: ['TableName'] }),
  tsmCompany: t({
    columns: { CompanyID: 'varchar(3)', CompanyName: 'varchar(40)', CurrID: 'varchar(3)' },
    primaryKey: ['CompanyID'],
  }),
  tciAddress: t({
    columns: {
      AddrKey: 'int',
      AddrName: 'varchar(40)?',
      AddrLine1: 'varchar(40)?',
      AddrLine2: 'varchar(40)?',
      AddrLine3: 'varchar(40)?',
      AddrLine4: 'varchar(40)?',
      AddrLine5: 'varchar(40)?',
      City: 'varchar(20)?',
      StateID: 'varchar(3)?',
      PostalCode: 'varchar(10)?',
      CountryID: 'varchar(3)?',
    },
    primaryKey: ['AddrKey'],
  }),
  tarCustomer: t({
    columns: {
      CustKey: 'int',
      CompanyID: 'varchar(3)',
      CustID: 'varchar(12)',
      CustName: 'varchar(40)',
      Status: 'smallint',
      Hold: 'smallint',
      PrimaryAddrKey: 'int?',
      DfltBillToAddrKey: 'int?',
      DfltShipToAddrKey: 'int?',
      CustClassKey: 'int?',
      UserFld1: 'varchar(15)?',
      UserFld2: 'varchar(15)?',
      UserFld3: 'varchar(15)?',
      UserFld4: 'varchar(15)?',
    },
    primaryKey: ['CustKey'],
    unique: [['CompanyID', 'CustID']],
  }),
  // Customer address settings (facts §2.1, S6's clone of the table): the key is shared with tciAddress. The customer's
  // currency is the CurrID of its default bill-to address (tarCustomer.DfltBillToAddrKey): which address Sage takes
  // the order currency from is inferred [I] (no public source shows the SO API's choice); `connections check` reads it.
  tarCustAddr: t({
    columns: {
      AddrKey: 'int',
      CustKey: 'int',
      CustAddrID: 'varchar(15)',
      CurrID: 'varchar(3)',
    },
    primaryKey: ['AddrKey'],
    source: 'S6 (EAB_PRICINGIntegrationIntialization.sql clone); the currency of the bill-to address is inferred',
  }),
  // Customer classes (facts §2.1: tarCustomer.CustClassKey -> tarCustClass). The class's receivable GL account
  // (ARAcctKey) is in no public source: read only when the catalog has it (settlements check, invoiced-orders).
  tarCustClass: t({
    columns: {
      CustClassKey: 'int',
      CompanyID: 'varchar(3)',
      CustClassID: 'varchar(12)',
      ARAcctKey: 'int?',
    },
    primaryKey: ['CustClassKey'],
    unique: [['CompanyID', 'CustClassID']],
    optionalColumns: ['ARAcctKey'],
    source: 'CustClassKey/CompanyID/CustClassID: S6, an EF entity of tarCustClass; ARAcctKey unverified',
  }),
  tciUnitMeasure: t({
    columns: { UnitMeasKey: 'int', CompanyID: 'varchar(3)', UnitMeasID: 'varchar(6)' },
    primaryKey: ['UnitMeasKey'],
    unique: [['CompanyID', 'UnitMeasID']],
  }),
  timItem: t({
    columns: {
      ItemKey: 'int',
      CompanyID: 'varchar(3)',
      ItemID: 'varchar(30)',
      ItemType: 'smallint',
      Status: 'smallint',
      StdPrice: 'decimal(15,5)',
      StockUnitMeasKey: 'int?',
      SalesUnitMeasKey: 'int?',
      ShipWeight: 'decimal(16,8)?',
      UpdateDate: 'datetime?',
      UserFld1: 'varchar(15)?',
      UserFld2: 'varchar(15)?',
      UserFld3: 'varchar(15)?',
      UserFld4: 'varchar(15)?',
    },
    primaryKey: ['ItemKey'],
    unique: [['CompanyID', 'ItemID']],
    // ShipWeight: no public source has it (review §3 item 3); read only when the catalog shows it.
    // UserFld1..4: the facts (§5) confirm Sage's four varchar(15) custom fields on customers, SO headers and
    // shipments, but no public query reads them on timItem (S12 keeps item extras in its own timItemUDF_MAC):
    // unconfirmed, read only when the catalog shows them, and `sage500 verify` notes their absence.
    optionalColumns: ['ShipWeight', 'UserFld1', 'UserFld2', 'UserFld3', 'UserFld4'],
    source: 'R1, R3, R4',
  }),
  // Every public query joins descriptions on ItemKey alone; LanguageID is in no source (review §3 item 2).
  timItemDescription: t({
    columns: { ItemKey: 'int', LanguageID: 'int?', ShortDesc: 'varchar(40)', LongDesc: 'varchar(255)?' },
    primaryKey: ['ItemKey'],
    optionalColumns: ['LanguageID'],
    source: 'R1, R3',
  }),
  timItemUnitOfMeas: t({
    columns: { ItemKey: 'int', TargetUnitMeasKey: 'int', UPC: 'varchar(14)?' },
    primaryKey: ['ItemKey', 'TargetUnitMeasKey'],
  }),
  // No public source has an alias table (review §3 item 5): used only when the catalog has it.
  timItemAlias: t({
    columns: { ItemAliasKey: 'int', CompanyID: 'varchar(3)', ItemAliasID: 'varchar(30)', ItemKey: 'int' },
    primaryKey: ['ItemAliasKey'],
    unique: [['CompanyID', 'ItemAliasID']],
    optional: true,
  }),
  timWarehouse: t({
    columns: {
      WhseKey: 'int',
      CompanyID: 'varchar(3)',
      WhseID: 'varchar(6)',
      Description: 'varchar(30)',
      UseBins: 'smallint',
    },
    primaryKey: ['WhseKey'],
    unique: [['CompanyID', 'WhseID']],
  }),
  timWhseBin: t({
    columns: {
      WhseBinKey: 'int',
      WhseKey: 'int',
      WhseBinID: 'varchar(15)',
      ExclFromAvail: 'smallint',
      Type: 'smallint',
    },
    primaryKey: ['WhseBinKey'],
  }),
  timWhseBinInvt: t({
    columns: {
      WhseBinKey: 'int',
      ItemKey: 'int',
      QtyOnHand: 'decimal(16,8)',
      PendQtyIncrease: 'decimal(16,8)',
      PendQtyDecrease: 'decimal(16,8)',
    },
    primaryKey: ['WhseBinKey', 'ItemKey'],
  }),
  timInventory: t({
    columns: {
      ItemKey: 'int',
      WhseKey: 'int',
      QtyOnSO: 'decimal(16,8)',
      QtyOnPO: 'decimal(16,8)',
      QtyOnHold: 'decimal(16,8)',
      MinStockQty: 'decimal(16,8)',
      MaxStockQty: 'decimal(16,8)',
    },
    primaryKey: ['ItemKey', 'WhseKey'],
  }),
  timPriceSheet: t({
    columns: {
      WhseKey: 'int',
      ItemKey: 'int',
      EffectiveDate: 'datetime',
      CurrID: 'varchar(3)',
      ListPrice: 'decimal(15,5)',
      Sheet1Price: 'decimal(15,5)',
      Sheet2Price: 'decimal(15,5)',
      Sheet3Price: 'decimal(15,5)',
      Sheet4Price: 'decimal(15,5)',
    },
    primaryKey: ['WhseKey', 'ItemKey', 'EffectiveDate', 'CurrID'],
  }),
  tciShipMethod: t({
    columns: { ShipMethKey: 'int', CompanyID: 'varchar(3)', ShipMethID: 'varchar(15)', ShipMethDesc: 'varchar(30)' },
    primaryKey: ['ShipMethKey'],
    unique: [['CompanyID', 'ShipMethID']],
  }),
  tsoSalesOrder: t({
    columns: {
      SOKey: 'int',
      CompanyID: 'varchar(3)',
      TranType: 'int',
      TranNo: 'varchar(10)',
      TranNoRel: 'varchar(15)',
      TranID: 'varchar(13)',
      TranDate: 'datetime',
      CustKey: 'int',
      CustPONo: 'varchar(15)?',
      Status: 'smallint',
      CurrID: 'varchar(3)',
      DfltWhseKey: 'int?',
      DfltShipMethKey: 'int?',
      DfltShipToAddrKey: 'int?',
      SalesAmt: 'decimal(15,3)',
      FreightAmt: 'decimal(15,3)',
      TradeDiscAmt: 'decimal(15,3)',
      TranAmt: 'decimal(15,3)',
      OpenAmt: 'decimal(15,3)',
      TranCmnt: 'varchar(50)?',
      UserFld1: 'varchar(15)?',
      UserFld2: 'varchar(15)?',
      UserFld3: 'varchar(15)?',
      UserFld4: 'varchar(15)?',
      CreateDate: 'datetime',
      CreateUserID: 'varchar(30)',
      UpdateCounter: 'int',
    },
    primaryKey: ['SOKey'],
    unique: [['CompanyID', 'TranType', 'TranNoRel']],
  }),
  tsoSOLine: t({
    columns: {
      SOLineKey: 'int',
      SOKey: 'int',
      SOLineNo: 'int',
      ItemKey: 'int',
      ItemAliasKey: 'int?',
      Description: 'varchar(40)?',
      Status: 'smallint',
      UnitMeasKey: 'int?',
      UnitPrice: 'decimal(15,5)',
      UserFld1: 'varchar(15)?',
      UserFld2: 'varchar(15)?',
      UpdateCounter: 'int',
    },
    primaryKey: ['SOLineKey'],
  }),
  tsoSOLineDist: t({
    columns: {
      SOLineDistKey: 'int',
      SOLineKey: 'int',
      WhseKey: 'int?',
      QtyOrd: 'decimal(16,8)',
      QtyOpenToShip: 'decimal(16,8)',
      QtyShip: 'decimal(16,8)',
      ExtAmt: 'decimal(15,3)',
      TradeDiscAmt: 'decimal(15,3)',
      DeliveryMeth: 'smallint',
      ShipMethKey: 'int?',
      ShipToAddrKey: 'int?',
      RequestDate: 'datetime?',
      PromiseDate: 'datetime?',
      GLAcctKey: 'int?',
      Status: 'smallint',
      UpdateCounter: 'int',
    },
    primaryKey: ['SOLineDistKey'],
    // WhseKey NULL on misc/charge lines is possible (review §3 item 12, unverified): declared nullable, read with a left join.
  }),
  tsoShipment: t({
    columns: {
      ShipKey: 'int',
      CompanyID: 'varchar(3)',
      TranType: 'int',
      TranNo: 'varchar(10)',
      TranID: 'varchar(13)',
      TranDate: 'datetime',
      PostDate: 'datetime?',
      CustKey: 'int',
      WhseKey: 'int',
      DlvryShipMethKey: 'int?',
      TranCmnt: 'varchar(50)?',
      CreateDate: 'datetime',
    },
    primaryKey: ['ShipKey'],
    // DlvryShipMethKey: R5's shipment DTO only (L); the ship method is read from it when the catalog has it.
    optionalColumns: ['DlvryShipMethKey'],
    source: 'R3, R5',
  }),
  tsoShipLine: t({
    columns: { ShipLineKey: 'int', ShipKey: 'int', SOLineKey: 'int', ItemKey: 'int', ShipDate: 'datetime?' },
    primaryKey: ['ShipLineKey'],
  }),
  tsoShipLineDist: t({
    columns: { ShipLineDistKey: 'int', ShipLineKey: 'int', WhseBinKey: 'int?', QtyShipped: 'decimal(16,8)' },
    primaryKey: ['ShipLineDistKey'],
  }),
  tsoShipmentLog: t({
    columns: {
      ShipKey: 'int',
      CompanyID: 'varchar(3)',
      TranType: 'int',
      TranNo: 'varchar(10)',
      TranStatus: 'smallint',
    },
    primaryKey: ['ShipKey'],
  }),
  // The sandbox's package table. On SQL Server the package/tracking table is unknown (review §3 item 4): it is
  // configured (sage500.packageTable, ...Column) or proposed by `sage500 discover`, never assumed.
  tsoPackage: t({
    columns: {
      PackageKey: 'int',
      ShipKey: 'int',
      PackageNo: 'varchar(10)',
      TrackingNo: 'varchar(30)?',
      Weight: 'decimal(16,8)?',
    },
    primaryKey: ['PackageKey'],
    optional: true,
  }),
  tglAccount: t({
    columns: {
      GLAcctKey: 'int',
      CompanyID: 'varchar(3)',
      GLAcctNo: 'varchar(100)',
      Description: 'varchar(30)',
      Status: 'smallint',
      PostingType: 'smallint',
    },
    primaryKey: ['GLAcctKey'],
    unique: [['CompanyID', 'GLAcctNo']],
  }),
  tglFiscalPeriod: t({
    columns: {
      CompanyID: 'varchar(3)',
      FiscYear: 'varchar(5)',
      FiscPer: 'smallint',
      StartDate: 'datetime',
      EndDate: 'datetime',
      Status: 'smallint',
    },
    primaryKey: ['CompanyID', 'FiscYear', 'FiscPer'],
  }),
  tglJournal: t({
    columns: { JrnlKey: 'int', CompanyID: 'varchar(3)', JrnlID: 'varchar(10)', Description: 'varchar(30)' },
    primaryKey: ['JrnlKey'],
    unique: [['CompanyID', 'JrnlID']],
  }),
  tciBatchLog: t({
    columns: {
      BatchKey: 'int',
      BatchID: 'varchar(20)',
      BatchNo: 'int',
      BatchType: 'int',
      Status: 'smallint',
      PostStatus: 'int',
      SourceCompanyID: 'varchar(3)',
      PostCompanyID: 'varchar(3)',
      PostDate: 'datetime',
      OrigUserID: 'varchar(30)',
      CreateDate: 'datetime',
      UpdateCounter: 'int',
    },
    primaryKey: ['BatchKey'],
  }),
  // GL row shapes: every column R6 (Net4Sage GeneralJournalsBatch) writes, NOT NULL without default unless a
  // source shows otherwise, so an insert that leaves one out fails in the sandbox as it would on SQL Server.
  tglBatch: t({
    columns: {
      BatchKey: 'int',
      BatchCmnt: 'varchar(50)?',
      GeneralJrnlType: 'smallint',
      Hold: 'smallint',
      InterCompany: 'smallint',
      InterCompUsage: 'smallint',
      OrigUserID: 'varchar(30)',
      PostDate: 'datetime',
      Private: 'smallint',
      TranCtrl: 'decimal(15,3)',
      UpdateCounter: 'int',
    },
    primaryKey: ['BatchKey'],
    source: 'R6',
  }),
  tglJournalHdr: t({
    columns: {
      JrnlHdrKey: 'int',
      BatchKey: 'int',
      CheckNo: 'int',
      CompanyID: 'varchar(3)',
      CreateType: 'smallint',
      OffsetPost: 'smallint',
      JrnlKey: 'int',
      JrnlNo: 'int',
      CurrID: 'varchar(3)',
      CurrExchRate: 'float',
      Financial: 'smallint',
      GLAcctKey: 'int?',
      NextEntryNo: 'int',
      OutOfBalance: 'smallint',
      OutOfBalOverride: 'smallint',
      ReqOffsetAmt: 'decimal(15,3)',
      ReverseJrnl: 'smallint',
      SourceModule: 'varchar(3)',
      Status: 'smallint',
      CreateDate: 'datetime',
      CreateUserID: 'varchar(30)',
    },
    primaryKey: ['JrnlHdrKey'],
    // R6 writes "GL"; Sage's other SourceModule columns are smallint module numbers (R4): either is accepted,
    // and the adapter writes the form the catalog shows.
    contested: { SourceModule: ['char', 'int'] },
    source: 'R6 (row shape), R4 (SourceModule as smallint elsewhere)',
  }),
  tglJournalDetl: t({
    columns: {
      JrnlHdrKey: 'int',
      EntryNo: 'int',
      SeqNo: 'int',
      GLAcctKey: 'int',
      PostAmt: 'decimal(15,3)',
      PostAmtHC: 'decimal(15,3)',
      PostQty: 'decimal(16,8)',
      PostCmnt: 'varchar(50)?',
      RefNo: 'varchar(15)',
      TargetCompanyID: 'varchar(3)',
      TranDate: 'datetime',
    },
    primaryKey: ['JrnlHdrKey', 'EntryNo'],
    source: 'R6',
  }),
  tglJournalLog: t({
    columns: { CompanyID: 'varchar(3)', JrnlKey: 'int', JrnlNo: 'int', PostDate: 'datetime', TranStatus: 'smallint' },
    primaryKey: ['JrnlKey', 'JrnlNo'],
  }),
  // --- multi-currency (settlements.exchangeRate.source = sage-rate-table) ---------------------------------
  // tmcCurrExchSchdDtl's six columns: a public portal's `select * from tmcCurrExchSchdDtl` reader lists them in
  // order (CurrExchSchdKey, EffectiveDate, SourceCurrID, TargetCurrID, CurrExchRate float, ExpirationDate
  // nullable). tmcCurrExchSchd.CurrExchSchdID: a public view joining tarCustomer to it; the key joins the detail
  // (tarInvoice.CurrExchSchdKey, beacon's Hibernate model). Lengths and the direction (SourceCurrID = the foreign
  // currency, TargetCurrID = home) are inferred.
  tmcCurrExchSchd: t({
    columns: { CurrExchSchdKey: 'int', CurrExchSchdID: 'varchar(15)' },
    primaryKey: ['CurrExchSchdKey'],
    source: 'CurrExchSchdID: a public view (tarCustomer -> tmcCurrExchSchd); length inferred',
  }),
  tmcCurrExchSchdDtl: t({
    columns: {
      CurrExchSchdKey: 'int',
      EffectiveDate: 'datetime',
      SourceCurrID: 'varchar(3)',
      TargetCurrID: 'varchar(3)',
      CurrExchRate: 'float',
      ExpirationDate: 'datetime?',
    },
    primaryKey: ['CurrExchSchdKey', 'EffectiveDate', 'SourceCurrID', 'TargetCurrID'],
    source: "a public portal's reader of tmcCurrExchSchdDtl (column order and types); the key is inferred",
  }),
  // --- AR: invoices and cash receipts (settlements.cashApplication) --------------------------------------
  // tarInvoice / tarInvoiceDetl: beacon's generated Hibernate model of mas500 (every column below), and S5
  // (invtcommit) joining tsoShipLine.ShipLineKey = tarInvoiceDetl.ShipLineKey, tarInvoiceDetl.InvcKey -> invoice.
  tarInvoice: t({
    columns: {
      InvcKey: 'int',
      CompanyID: 'varchar(3)',
      CustKey: 'int',
      TranID: 'varchar(13)',
      TranNo: 'varchar(10)',
      TranType: 'int',
      TranDate: 'datetime',
      TranAmt: 'decimal(15,3)',
      TranAmtHC: 'decimal(15,3)',
      Balance: 'decimal(15,3)',
      BalanceHC: 'decimal(15,3)',
      CurrID: 'varchar(3)',
      CurrExchRate: 'float',
      BatchKey: 'int?',
    },
    primaryKey: ['InvcKey'],
    source: "beacon's Hibernate model of mas500 tarinvoice; TranID length as tsoShipment.TranID (facts §2.2)",
  }),
  tarInvoiceDetl: t({
    columns: { InvoiceLineKey: 'int', InvcKey: 'int', SOLineKey: 'int?', ShipLineKey: 'int?' },
    primaryKey: ['InvoiceLineKey'],
    source: "beacon's Hibernate model of mas500 tarinvoicedetl; S5 (ShipLineKey join)",
  }),
  // The cash account a receipt is deposited to. tcmCashAcct.CashAcctKey: a public AP query (tapVendPmt.CashAcctKey
  // -> tcmCashAcct.CashAcctKey -> tcmBank). CashAcctID and GLAcctKey are inferred from Sage's naming.
  tcmCashAcct: t({
    columns: { CashAcctKey: 'int', CompanyID: 'varchar(3)', CashAcctID: 'varchar(15)', GLAcctKey: 'int' },
    primaryKey: ['CashAcctKey'],
    source: 'CashAcctKey: a public AP query; CompanyID, CashAcctID, GLAcctKey inferred',
  }),
  // A pending (unposted) cash receipt, entered in a cash-receipts batch (BatchType 503, S5 constants) and posted by
  // a Sage user like a keyed one. No public source shows this table: its name follows Sage's pending-table naming
  // (tarPendInvoice, S5; tsoPendShipment, S5) and its columns the posted receipt's (tarCustPmt: CustPmtKey, CustKey,
  // TranNo, TranAmt, TranDate, CompanyID in an EF entity; TranID, CurrID, CurrExchRate, UnappliedAmt, UnappliedAmtHC
  // in Net4Sage's payment application) and AP's (tapVendPmt.CashAcctKey). `verify` checks every column on the
  // customer's database; without the table the receipt is refused, the GL journal still posts.
  tarPendCustPmt: t({
    columns: {
      CustPmtKey: 'int',
      CompanyID: 'varchar(3)',
      BatchKey: 'int',
      CustKey: 'int',
      CashAcctKey: 'int',
      TranNo: 'varchar(10)',
      TranID: 'varchar(13)',
      TranDate: 'datetime',
      TranAmt: 'decimal(15,3)',
      TranAmtHC: 'decimal(15,3)',
      UnappliedAmt: 'decimal(15,3)',
      UnappliedAmtHC: 'decimal(15,3)',
      CurrID: 'varchar(3)',
      CurrExchRate: 'float',
      CreateDate: 'datetime',
      CreateUserID: 'varchar(30)',
    },
    primaryKey: ['CustPmtKey'],
    optional: true,
    source: 'inferred (Sage naming; tarCustPmt columns from an EF entity and Net4Sage)',
  }),
  // The receipt's applications to invoices. Columns: Net4Sage's PaymentApplicationBatch (PendingCustomerPaymentAppl:
  // every column below); the table name is inferred like tarPendCustPmt's (AP's tapVendPmtAppl has ApplyFromPmtKey /
  // ApplyToVouchKey in a public query).
  tarPendCustPmtAppl: t({
    columns: {
      BatchKey: 'int',
      SeqNo: 'int',
      ApplyFromPmtKey: 'int',
      ApplyFromTranID: 'varchar(13)',
      ApplyFromTranDate: 'datetime',
      ApplyToInvcKey: 'int',
      ApplyToTranID: 'varchar(13)',
      ApplyToTranDate: 'datetime',
      CurrExchRate: 'float',
      PmtAmt: 'decimal(15,3)',
      PmtAmtIC: 'decimal(15,3)',
      DiscTakenAmt: 'decimal(15,3)',
      DiscTakenAmtIC: 'decimal(15,3)',
      WriteOffAmt: 'decimal(15,3)',
      WriteOffAmtIC: 'decimal(15,3)',
      RealGainLossAmt: 'decimal(15,3)',
      AppliedAtCreation: 'smallint',
      UpdateCounter: 'int',
      CreateDate: 'datetime',
      CreateUserID: 'varchar(30)',
    },
    primaryKey: ['BatchKey', 'SeqNo'],
    optional: true,
    source: 'Net4Sage PaymentApplicationBatch (columns, SeqNo per batch); the name and the key inferred',
  }),
  StgSalesOrder: t({
    columns: {
      RowKey: 'identity',
      SessionKey: 'int',
      ProcessStatus: 'smallint',
      Action: 'smallint?',
      TranNo: 'varchar(10)?',
      TranDate: 'datetime?',
      Status: 'varchar(25)?',
      CustID: 'varchar(12)?',
      CustPONo: 'varchar(15)?',
      CurrID: 'varchar(3)?',
      CurrExchRate: 'float?',
      DfltShipToAddrName: 'varchar(40)?',
      DfltShipToAddrLine1: 'varchar(40)?',
      DfltShipToAddrLine2: 'varchar(40)?',
      DfltShipToAddrLine3: 'varchar(40)?',
      DfltShipToAddrLine4: 'varchar(40)?',
      DfltShipToAddrLine5: 'varchar(40)?',
      DfltShipToCity: 'varchar(20)?',
      DfltShipToStateID: 'varchar(3)?',
      DfltShipToCountryID: 'varchar(3)?',
      DfltShipToPostalCode: 'varchar(10)?',
      DfltWarehouseID: 'varchar(6)?',
      DfltShipMethID: 'varchar(15)?',
      DfltShipPriority: 'smallint?',
      RequireSOAck: 'varchar(3)?',
      Hold: 'varchar(3)?',
      FreightAmt: 'decimal(15,3)?',
      TranCmnt: 'varchar(50)?',
      UserFld1: 'varchar(15)?',
      UserFld2: 'varchar(15)?',
      UserFld3: 'varchar(15)?',
      UserFld4: 'varchar(15)?',
    },
    primaryKey: ['RowKey'],
  }),
  StgSOLine: t({
    columns: {
      RowKey: 'identity',
      SessionKey: 'int',
      ProcessStatus: 'smallint',
      Action: 'smallint?',
      TranNo: 'varchar(10)?',
      SOLineNo: 'int?',
      ItemID: 'varchar(30)?',
      Description: 'varchar(40)?',
      QtyOrd: 'decimal(16,8)?',
      UnitMeasID: 'varchar(6)?',
      UnitPrice: 'decimal(15,5)?',
      ExtAmt: 'decimal(15,3)?',
      TradeDiscAmt: 'decimal(15,3)?',
      WarehouseID: 'varchar(6)?',
      ShipMethID: 'varchar(15)?',
      ShipPriority: 'smallint?',
      RequestDate: 'datetime?',
      PromiseDate: 'datetime?',
      Status: 'varchar(25)?',
      CmntOnly: 'varchar(3)?',
      ReqCert: 'varchar(3)?',
      Hold: 'varchar(3)?',
      DeliveryMeth: 'varchar(25)?',
      GLAcctNo: 'varchar(100)?',
      UserFld1: 'varchar(15)?',
      UserFld2: 'varchar(15)?',
    },
    primaryKey: ['RowKey'],
  }),
  // Lengths as the SO API's own message table declares them (R1); Status's type is not shown anywhere: either is accepted.
  tdmMigrationLogWrk: t({
    columns: {
      SessionKey: 'int',
      EntityID: 'varchar(255)?',
      ColumnID: 'varchar(35)?',
      ColumnValue: 'varchar(100)?',
      Status: 'smallint',
      Duplicate: 'smallint?',
      Comment: 'varchar(255)?',
    },
    contested: { Status: ['int', 'char'] },
    source: 'R1',
  }),
  // --- Sellbridge extension tables (suffix _AMZ, facts §5) -----------------------------------------
  tsoSalesOrder_AMZ: t({
    columns: {
      SOKey: 'int',
      CompanyID: 'varchar(3)',
      TranNo: 'varchar(10)',
      AmazonOrderId: 'varchar(19)',
      MarketplaceId: 'varchar(20)?',
      CreatedAt: 'datetime',
    },
    primaryKey: ['SOKey'],
    unique: [['CompanyID', 'AmazonOrderId']],
    extension: true,
  }),
  tsoSOLine_AMZ: t({
    columns: { SOLineKey: 'int', SOKey: 'int', AmazonOrderItemId: 'varchar(20)', SellerSKU: 'varchar(40)?' },
    primaryKey: ['SOLineKey'],
    // An order's line links are read by SOKey (selectLineLinks): without it each read scans every linked line.
    indexes: [['SOKey']],
    extension: true,
  }),
  tsoShipment_AMZ: t({
    columns: { ShipKey: 'int', PackageNo: 'varchar(10)', ConfirmedAt: 'datetime', AmazonOrderId: 'varchar(19)' },
    primaryKey: ['ShipKey', 'PackageNo', 'AmazonOrderId'],
    extension: true,
  }),
  // GL idempotency (review §3 item 13): the reference of every journal we entered, written in the same
  // transaction as the journal, unique per company. A Sage user can edit tglBatch.BatchCmnt; nobody edits this.
  tglBatch_AMZ: t({
    columns: {
      CompanyID: 'varchar(3)',
      Reference: 'varchar(50)',
      BatchKey: 'int',
      BatchNo: 'int',
      JrnlHdrKey: 'int',
      CreatedAt: 'datetime',
    },
    primaryKey: ['CompanyID', 'Reference'],
    extension: true,
  }),
  // Cash receipts we entered (settlements.cashApplication), one per settlement and customer: written in the
  // receipt's transaction, unique per company, so a re-run never makes a second receipt (like tglBatch_AMZ).
  tarCustPmt_AMZ: t({
    columns: {
      CompanyID: 'varchar(3)',
      Reference: 'varchar(50)',
      CustPmtKey: 'int',
      BatchKey: 'int',
      BatchNo: 'int',
      CreatedAt: 'datetime',
    },
    primaryKey: ['CompanyID', 'Reference'],
    extension: true,
  }),
  // --- views ----------------------------------------------------------------------------------------------
  vdvStockStatus: t({
    columns: {
      CompanyID: 'varchar(3)',
      WhseKey: 'int',
      WhseID: 'varchar(6)',
      ItemKey: 'int',
      ItemID: 'varchar(30)',
      ShortDesc: 'varchar(40)?',
      QtyOnHand: 'decimal(16,8)',
      QtyAvailable: 'decimal(16,8)',
      QtyOnHold: 'decimal(16,8)',
    },
    view: true,
    source: 'R3',
  }),
} as const;

export type SageTableName = keyof typeof SAGE_TABLES;

// ---- row types derived from the spec --------------------------------------------------------------------

type Base<S extends string> = S extends 'identity'
  ? Generated<number>
  : S extends 'int' | 'smallint' | 'float'
    ? number
    : S extends `varchar(${string})`
      ? string
      : // decimals go in as exact strings ("12.34") and come back as numbers (mssql, SQLite): see decimal.ts
        S extends `decimal(${string})`
        ? ColumnType<number | string, number | string, number | string>
        : S extends 'datetime'
          ? ColumnType<string | Date, string, string>
          : never;

type Nullable<T> =
  T extends ColumnType<infer S, infer I, infer U>
    ? ColumnType<S | null, I | null | undefined, U | null>
    : ColumnType<T | null, T | null | undefined, T | null>;

type WithDefault<T> =
  T extends ColumnType<infer S, infer I, infer U> ? ColumnType<S, I | undefined, U> : ColumnType<T, T | undefined, T>;

type ColumnOf<S extends string> = S extends `${infer B}=${string}`
  ? WithDefault<ColumnOf<B>>
  : S extends `${infer B}?`
    ? Nullable<Base<B>>
    : Base<S>;

type RowOf<C> = { -readonly [K in keyof C]: C[K] extends string ? ColumnOf<C[K]> : never };

/** Kysely database type for the Sage 500 application database (only what we touch). */
export type SageDatabase = { [T in SageTableName]: RowOf<(typeof SAGE_TABLES)[T]['columns']> };

/** Sage column length of a varchar column, or undefined for non-strings. */
export function columnLength(table: SageTableName, column: string): number | undefined {
  const spec = (SAGE_TABLES[table].columns as Record<string, string>)[column];
  const m = spec && /^varchar\((\d+)\)/.exec(spec);
  return m ? Number(m[1]) : undefined;
}

/** A column spec taken apart: base type, NULL allowed, default (text after `=`). */
export interface ParsedColumn {
  readonly base: string;
  readonly nullable: boolean;
  readonly defaultValue?: string;
}

export function parseColumnSpec(spec: ColumnSpec): ParsedColumn {
  const m = /^([^?=]+)(\?)?(?:=(.*))?$/.exec(spec);
  if (!m) throw new Error(`bad column spec ${spec}`);
  return { base: m[1]!, nullable: m[2] === '?', ...(m[3] !== undefined ? { defaultValue: m[3] } : {}) };
}

export function tableSpec(table: SageTableName): TableSpec {
  return SAGE_TABLES[table] as TableSpec;
}

// ---- Sage codes (facts §3) ----------------------------------------------------------------------------

export const TRAN_TYPE_SALES_ORDER = 801;
export const TRAN_TYPE_CUSTOMER_SHIPMENT = 810;
export const TRAN_TYPE_CUSTOMER_RETURN = 811;
export const SO_STATUS = {
  unacknowledged: 0,
  open: 1,
  inactive: 2,
  canceled: 3,
  closed: 4,
  incomplete: 5,
  'pending-approval': 6,
} as const;
export const SHIPMENT_TRAN_STATUS = { incomplete: 1, pending: 2, posted: 3, purged: 4, void: 5, committed: 6 } as const;
export const PROCESS_STATUS = { notProcessed: 0, processed: 1, failed: 2 } as const;
export const MIGRATION_LOG_STATUS = { info: 0, failure: 1, warning: 2, successful: 3 } as const;
export const LINE_STATUS = { open: 1, closed: 2 } as const;
export const GL_ACCOUNT_STATUS_ACTIVE = 1;
export const FISCAL_PERIOD_OPEN = 1;
export const BATCH_TYPE_GL_GENERAL = 301;
/** AR cash receipts (S5 constants: BatchTranTypeARCshRcpts); module AR = 5 (S5, Net4Sage). */
export const BATCH_TYPE_AR_CASH_RECEIPTS = 503;
export const MODULE_AR = 5;
export const MODULE_GL = 3;
