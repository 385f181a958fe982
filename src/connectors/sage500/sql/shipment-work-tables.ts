/**
 * The session work tables Sage's pick-list and shipment procedures read and write (`#tso…Wrk`, review R6: Net4Sage's
 * `SOUtils.ShipmentHandler` creates them on its connection before `spsoGetIMAvailQty`, `spsoCreatePickList`,
 * `spsoCreateShipLines`, `spsoGenShip` and `spsoGenerateShipments`). They are temp tables, so they exist only on the
 * shipment's own connection, and they are dropped with it. Where Sage has a permanent table of the same shape the
 * copy is taken from it (`SELECT * INTO … WHERE 1 = 0`), so the database's own columns are used; the others are
 * declared with the columns the one public caller gives them (single source: **L**; `sage500 verify` cannot see
 * temp tables, a failing procedure answers its return value and the shipment's transaction is rolled back).
 */

/** Work tables copied from Sage's permanent tables of the same shape. */
const COPIED: readonly (readonly [temp: string, from: string])[] = [
  ['#tsoCreatePickHdrWrk', 'tsoCreatePickHdrWrk'],
  ['#tsoPickListWrk', 'tsoPickListWrk'],
  ['#tsoGenShipHdrWrk', 'tsoGenShipHdrWrk'],
  ['#tsoGenShipLineWrk', 'tsoGenShipLineWrk'],
  ['#tsoShipmentLog', 'tsoShipmentLog'],
  ['#tsoPendShipment', 'tsoPendShipment'],
  ['#tsoShipLine', 'tsoShipLine'],
  ['#tsoShipLineDist', 'tsoShipLineDist'],
  ['#timInvtDistWrk', 'timInvtDistWrk'],
];

/** Sage's permanent tables the copies are taken from (not in tables.ts: only their shape is used, never a column). */
export const WORK_TABLE_TEMPLATES: readonly string[] = COPIED.map(([, from]) => from);

const Q = 'decimal(15,8)';
/** Column types, grouped: every column of a group has the group's type, NULL allowed unless listed in `notNull`. */
interface Declared {
  readonly name: string;
  readonly groups: readonly (readonly [type: string, columns: string])[];
  readonly notNull?: readonly string[];
}

const PICK_WORK_COLUMNS: Declared['groups'] = [
  [
    'int',
    'LineDistKey LineKey OrderKey TranType CrHold LineHold OrderHold CustKey DeliveryMethod ItemKey LineNbr ' +
      'OrderLineUnitMeasKey ShipMethKey ShipToAddrKey ShipToCustAddrKey ShipUnitMeasKey ShipWhseKey ShipFOBKey ' +
      'TranNoRelChngOrd ShipPriority RcvgWhseKey StockUnitMeasKey StockAllocSeq KitShipLineKey ShipLineDistKey ' +
      'ShipLineKey SubstituteItemKey ShipLineUpdateCounter ShipLineDistUpdateCounter UpdateCounterviolation ShipKey ' +
      'ShipmentCommitStatus InvtTranKey SubstiStatus WhseBinKey InvtLotKey',
  ],
  [
    'bit',
    'AllowImmedShipFromPick AllowSubItem AllowAutoSub CustReqShipComplete ItemReqShipComplete TrackQtyAtBin WhseUseBin AllowDecimalQty CompItemQty',
  ],
  [Q, 'FreightAmt QtyOrdered QtyOnBO QtyToPick QtyPendingShip QtyToPickByOrderUOM QtyAvail QtyPicked QtyDist QtyShort'],
  ['smallint', 'TrackMeth ItemType PickStatus ShortPick StatusDistWarning StatusOverShipment IsDistComplete Status'],
  ['datetime', 'Expiration ShipDate InvtLotExpirationDate'],
  ['varchar(300)', 'ItemDesc ShipToCustAddress SubstituteItemDesc'],
  ['varchar(200)', 'LineHoldReason OrderHoldReason'],
  ['varchar(100)', 'CustName'],
  ['varchar(50)', 'TranTypeText ShipToCustAddrID WhseBinID InvtLotNo'],
  ['varchar(30)', 'CustID RcvgWhseID ShipWhseID ItemID'],
  ['varchar(20)', 'DeliveryMethodID'],
  ['varchar(10)', 'OrderLineUnitMeasID ShipUnitMeasID ShipMethID'],
  ['varchar(5)', 'StatusCustShipCompleteViolation StatusItemShipCompLeteViolation StatusDistQtyShort'],
];
const PICK_WORK_NOT_NULL = ['LineDistKey', 'LineKey', 'OrderKey', 'TranType', 'CrHold', 'LineHold', 'OrderHold'];

const DECLARED: readonly Declared[] = [
  { name: '#tsoCreatePickWrk1', groups: PICK_WORK_COLUMNS, notNull: PICK_WORK_NOT_NULL },
  { name: '#tsoCreatePickWrk2', groups: PICK_WORK_COLUMNS, notNull: PICK_WORK_NOT_NULL },
  {
    name: '#QtyAvailWrk',
    groups: [
      ['bit', 'CompItemQty'],
      ['int', 'ItemKey KitLineKey LineKey StockUnitMeasKey TranType TranUnitMeasKey WhseKey'],
      ['smallint', 'ItemType TrackMeth'],
      [Q, 'QtyAvail'],
    ],
    notNull: [
      'ItemKey',
      'ItemType',
      'LineKey',
      'QtyAvail',
      'StockUnitMeasKey',
      'TranType',
      'TranUnitMeasKey',
      'WhseKey',
      'TrackMeth',
    ],
  },
  {
    name: '#tsoPickSumTotal',
    groups: [
      [Q, 'PendQty'],
      ['int', 'UserKey'],
    ],
  },
  {
    name: '#PickListOption',
    groups: [
      [
        'smallint',
        'BinSortOrder InclAbbrShipToAddr InclBinLoc InclBTOKitList InclComments InclKitCompInd InclNonStock InclPriority ' +
          'InclShipCompIeteInd InclShipDate InclShipMethod InclShipToAddr InclSubInd RptFormat SortByZone',
      ],
    ],
  },
  {
    name: '#tarCreditCheckWrk',
    groups: [
      ['int', 'CustKey SOKey SeqNo'],
      [Q, 'TranAmt CreditApprovedAmt'],
      ['smallint', 'CreditStatus CustCreditLimitFailure NACreditLimitFailure CustAgingFailure'],
      ['varchar(50)', 'CreditAuthUserID'],
    ],
    notNull: ['CustKey', 'SOKey', 'TranAmt'],
  },
  {
    name: '#tsoPickItemsToDist',
    groups: [
      ['bit', 'AutoSubstituteOccurred CompItemQty CustShipCompleteViolation SingleLotNotAvail UseSubstitutes'],
      [
        'int',
        'CustAddrKey DistributionWarning InvtTranKey ItemKey KitShipLineKey PickedItemKey PrioritySeqNo ShipCompleteViolation ' +
          'ShipLineKey ShortPick ShipLineUpdateCounter TransitInvtTranKey TranType TranUOMKey UpdateCounterviolation WhseKey',
      ],
      [Q, 'QtyPicked QtyToPick'],
      ['varchar(100)', 'PickLineID'],
    ],
  },
  {
    name: '#InvtTranBinLotCount',
    groups: [
      ['int', 'ShipLineKey ItemKey WhseKey InvtTranKey DistBinCount MultipleBin DistLotCount MultipleLot'],
      ['smallint', 'TrackMeth'],
    ],
  },
  { name: '#tsoGenShipLineKeys', groups: [['int', 'ShipLineKey']] },
  { name: '#tsoGenShipLineExKeys', groups: [['int', 'ShipLineKey']] },
  {
    name: '#tsoFrtMethod',
    groups: [
      ['int', 'ShipKey ShipLineKey'],
      ['smallint', 'FrtMethod'],
    ],
  },
];

function createStatement(table: Declared): string {
  const notNull = new Set(table.notNull ?? []);
  const columns = table.groups.flatMap(([type, names]) =>
    names.split(' ').map((c) => `${c} ${type} ${notNull.has(c) ? 'NOT NULL' : 'NULL'}`),
  );
  return `CREATE TABLE ${table.name} (${columns.join(', ')})`;
}

/**
 * The statements that create every work table on the shipment's connection, in order. `#tsoPickListSeqWrk` (the
 * order in which the pick list takes orders) has an identity column, as its one public caller declares it.
 */
export function shipmentWorkTableDdl(): readonly string[] {
  return [
    ...DECLARED.map(createStatement),
    ...COPIED.map(([temp, from]) => `SELECT * INTO ${temp} FROM ${from} WHERE 1 = 0`),
    'CREATE TABLE #tsoPickListSeqWrk (SeqNo int IDENTITY(1,1) NOT NULL, TranType int NULL, TranKey int NULL)',
  ];
}

/** Every work table's name, to drop them when the shipment is done. */
export function shipmentWorkTables(): readonly string[] {
  return [...DECLARED.map((t) => t.name), ...COPIED.map(([temp]) => temp), '#tsoPickListSeqWrk'];
}

/** One picked order line distribution into the pick work table (holds 0: the candidates are not on hold). */
export const INSERT_PICK_CANDIDATE =
  'INSERT INTO #tsoCreatePickWrk1 (LineDistKey, LineKey, OrderKey, TranType, CrHold, LineHold, OrderHold) VALUES (@1, @2, @3, @4, 0, 0, 0)';

/** The pick list takes the orders not on hold first, then those on hold (as Sage's Create Pick List does). */
export const SEQUENCE_PICK_ORDERS: readonly string[] = [
  'INSERT INTO #tsoPickListSeqWrk (TranType, TranKey) SELECT TranType, TranKey FROM #tsoCreatePickHdrWrk WHERE CrHold = 0 AND Hold = 0',
  'INSERT INTO #tsoPickListSeqWrk (TranType, TranKey) SELECT TranType, TranKey FROM #tsoCreatePickHdrWrk WHERE CrHold = 1 OR Hold = 1',
];

/**
 * The ship lines Generate Shipments takes. Net4Sage takes only lines whose warehouse allows shipping straight from
 * the pick (`AllowImmedShipFromPick = 1`); an Amazon-fulfilled order has left Amazon's warehouse already, so every
 * ship line the pick made is taken (inferred, **I**: no source shows a caller that overrides the option).
 */
export const SELECT_LINES_TO_SHIP =
  'INSERT INTO #tsoGenShipLineKeys (ShipLineKey) SELECT ShipLineKey FROM #tsoCreatePickWrk2 WHERE ShipLineKey IS NOT NULL';
