/**
 * Sage's stored procedures, called through the driver's RPC (`request.execute(name)`), which sends no SQL text
 * (node-sql-parser cannot parse `EXEC ... OUTPUT`, VERIFIED.md). Each function returns the procedure name and
 * its typed, named parameters; tests assert them, the SQL Server adapter sends them. All strings VarChar(n)
 * (Sage's columns are varchar; NVarChar would force implicit conversions, facts §6.2).
 */
export type SqlType =
  | { readonly type: 'VarChar'; readonly length: number }
  | { readonly type: 'Int' }
  | { readonly type: 'SmallInt' }
  | { readonly type: 'DateTime' };

export interface ProcedureParam {
  readonly name: string;
  readonly sqlType: SqlType;
  readonly value?: string | number | null;
}

export interface ProcedureCall {
  readonly procedure: string;
  readonly inputs: readonly ProcedureParam[];
  readonly outputs: readonly ProcedureParam[];
}

const varchar = (length: number): SqlType => ({ type: 'VarChar', length });
const INT: SqlType = { type: 'Int' };
const SMALLINT: SqlType = { type: 'SmallInt' };

/** The two names the stage-table flag goes by: R1's copy of the SO API, and every sibling DM API (R1c, R5, R7). */
export const STAGE_TABLE_FLAG_NAMES = ['UseStageTable', 'iUseStageTable'] as const;
export type StageTableFlagName = (typeof STAGE_TABLE_FLAG_NAMES)[number];

/**
 * spSOapiSalesOrdIns for one session (facts §4.3, recipe §7a step 2): parameter names from the procedure's
 * header (R1); their order is immaterial with named RPC parameters. `@iRptOption = 0` asks for every message in
 * tdmMigrationLogWrk; the stage-table flag (= 1: read StgSalesOrder/StgSOLine) is `@UseStageTable` in R1's copy
 * and `@iUseStageTable` in the sibling APIs (review §3 item 7): the gateway sends the name the catalog shows.
 */
export function salesOrderImportCall(
  companyId: string,
  sessionKey: number,
  stageTableFlag: StageTableFlagName = 'UseStageTable',
): ProcedureCall {
  return {
    procedure: 'spSOapiSalesOrdIns',
    inputs: [
      { name: 'iCancel', sqlType: SMALLINT, value: 0 },
      { name: 'iSessionKey', sqlType: INT, value: sessionKey },
      { name: 'iCompanyID', sqlType: varchar(3), value: companyId },
      { name: 'iRptOption', sqlType: INT, value: 0 },
      { name: 'iPrintWarnings', sqlType: SMALLINT, value: 1 },
      { name: stageTableFlag, sqlType: SMALLINT, value: 1 },
    ],
    outputs: [
      { name: 'oRecsProcessed', sqlType: INT },
      { name: 'oFailedRecs', sqlType: INT },
      { name: 'oTotalRecs', sqlType: INT },
      { name: '_oRetVal', sqlType: INT },
      { name: 'oContinue', sqlType: SMALLINT },
    ],
  };
}

/**
 * spGetNextSurrogateKey (facts §1.3). The names `@iTableName`/`@oNewKey` are confirmed by four independent
 * named-parameter callers (review §2.2: R5, R8).
 */
export function surrogateKeyCall(tableName: string): ProcedureCall {
  return {
    procedure: 'spGetNextSurrogateKey',
    inputs: [{ name: 'iTableName', sqlType: varchar(30), value: tableName }],
    outputs: [{ name: 'oNewKey', sqlType: INT }],
  };
}

/**
 * spGetNextBatch (names from S9): a GL general journal batch by default (module 3, batch type 301; recipe §7d step 1),
 * or another module's batch, e.g. AR cash receipts (module 5, batch type 503: S5 constants; Net4Sage calls the same
 * procedure with module 5 for its AR payment-application batches).
 */
export function nextBatchCall(args: {
  companyId: string;
  userId: string;
  comment: string;
  postDate: string;
  moduleNo?: number | undefined;
  batchType?: number | undefined;
}): ProcedureCall {
  return {
    procedure: 'spGetNextBatch',
    inputs: [
      { name: '_iCompanyID', sqlType: varchar(3), value: args.companyId },
      { name: '_iModuleNo', sqlType: SMALLINT, value: args.moduleNo ?? 3 },
      { name: '_iBatchType', sqlType: INT, value: args.batchType ?? 301 },
      { name: '_iUserID', sqlType: varchar(30), value: args.userId },
      { name: '_iDefBatchCmnt', sqlType: varchar(50), value: args.comment },
      { name: '_iPostDate', sqlType: { type: 'DateTime' }, value: args.postDate },
    ],
    outputs: [
      { name: '_oBatchKey', sqlType: INT },
      { name: '_oNextBatchNo', sqlType: INT },
      { name: '_oRetVal', sqlType: SMALLINT },
    ],
  };
}

/**
 * The key name staging sessions are drawn under: Sage's own migration-session counter, as Net@Work's DM import
 * does (R7; review §3 item 6). A private name starting at 1 would hand out keys Data Import Manager and other
 * integrations also use, and the SO API would then read their staging rows and step parameters.
 */
export const SESSION_KEY_NAME = 'tsmMigrateSession';

/**
 * Sage's journal-number counter (R6 calls it as `GiveNextJrnlNo(CompanyID, JrnlKey, 1, OUT JrnlNo, OUT RetVal)`;
 * the facts name it spglGiveNextJrnlNo). Its parameter names are in no source, so the call is described by
 * position and type, and the gateway sends it with the names the catalog lists for those positions. It runs in
 * the journal's transaction on the journal's connection, so the counter row stays locked until the journal is
 * in (review §3 item 9).
 */
export const JOURNAL_NUMBER_PROCEDURE = 'spglGiveNextJrnlNo';
export const JOURNAL_NUMBER_SIGNATURE: readonly { readonly sqlType: SqlType; readonly output: boolean }[] = [
  { sqlType: varchar(3), output: false },
  { sqlType: INT, output: false },
  { sqlType: INT, output: false },
  { sqlType: INT, output: true },
  { sqlType: INT, output: true },
];

export function journalNumberCall(
  parameterNames: readonly string[],
  args: { companyId: string; jrnlKey: number },
): ProcedureCall {
  const values = [args.companyId, args.jrnlKey, 1];
  const named = JOURNAL_NUMBER_SIGNATURE.map((p, i) => ({
    name: parameterNames[i]!.replace(/^@/, ''),
    sqlType: p.sqlType,
    ...(p.output ? {} : { value: values[i]! }),
  }));
  return { procedure: JOURNAL_NUMBER_PROCEDURE, inputs: named.slice(0, 3), outputs: named.slice(3) };
}

const DATETIME: SqlType = { type: 'DateTime' };

/**
 * Sage's pick-list and shipment procedures, in the order Net4Sage's `SOUtils.ShipmentHandler` calls them on one
 * connection after filling the session work tables (review R6; sql/shipment-work-tables.ts). Names, parameter
 * names and directions are as that one public caller sends them (**L**: single source); types are what its .NET
 * values map to, lengths of the string outputs are **I** (no source declares them): `sage500 verify` compares
 * every one with sys.parameters before the first FBA order. `@oRetVal = 1` is success for each (same source).
 * The session id `1` of `spsoGenShip`/`spsoGenerateShipments` is the caller's constant: the work tables are the
 * connection's own temp tables, so no other session's rows can be read.
 */
export function shipmentProcedureCalls(args: {
  companyId: string;
  userId: string;
  tranDate: string;
  businessDate: string;
}): {
  readonly availableQuantity: ProcedureCall;
  readonly creditCheck: ProcedureCall;
  readonly explodeKits: ProcedureCall;
  readonly createPickList: ProcedureCall;
  readonly createShipLines: ProcedureCall;
  readonly genShip: ProcedureCall;
  readonly generateShipments: ProcedureCall;
} {
  const company = { name: 'iCompanyID', sqlType: varchar(3), value: args.companyId };
  const retVal = { name: 'oRetVal', sqlType: INT };
  return {
    availableQuantity: {
      procedure: 'spsoGetIMAvailQty',
      inputs: [
        company,
        { name: 'iInclZeroAvail', sqlType: SMALLINT, value: 0 },
        { name: 'iImmediatePick', sqlType: SMALLINT, value: 0 },
        { name: 'iLockData', sqlType: SMALLINT, value: 0 },
        { name: 'iBusinessDate', sqlType: DATETIME, value: args.businessDate },
      ],
      outputs: [{ name: 'oSingleShipmentViolation', sqlType: INT }, retVal],
    },
    creditCheck: {
      procedure: 'spsoPickCreditCheck',
      // The order's customer is the marketplace's, paid by Amazon: no automatic release of a credit hold is asked.
      inputs: [
        { name: 'iCreditHoldAutoRelease', sqlType: SMALLINT, value: 0 },
        { name: 'iUserID', sqlType: varchar(30), value: args.userId },
      ],
      outputs: [retVal],
    },
    explodeKits: { procedure: 'spsoExplodePickKits', inputs: [], outputs: [retVal] },
    createPickList: {
      procedure: 'spsoCreatePickList',
      inputs: [company],
      outputs: [
        { name: 'oPickListKey', sqlType: INT },
        { name: 'oPickListNo', sqlType: varchar(10) },
        { name: 'oLogicalLockKey', sqlType: INT },
        retVal,
      ],
    },
    createShipLines: {
      procedure: 'spsoCreateShipLines',
      inputs: [
        company,
        { name: 'iTranDate', sqlType: DATETIME, value: args.tranDate },
        { name: 'iBusinessDate', sqlType: DATETIME, value: args.businessDate },
        { name: 'iEmptyBins', sqlType: SMALLINT, value: 0 },
        { name: 'iEmptyRandomBins', sqlType: SMALLINT, value: 0 },
        { name: 'iPickOrdQty', sqlType: SMALLINT, value: 0 },
      ],
      outputs: [{ name: 'oSession', sqlType: INT }, retVal],
    },
    genShip: {
      procedure: 'spsoGenShip',
      inputs: [
        { name: 'CompanyID', sqlType: varchar(3), value: args.companyId },
        { name: 'SessionID', sqlType: INT, value: 1 },
        { name: 'UsePickingComplete', sqlType: SMALLINT, value: 0 },
      ],
      outputs: [{ name: 'oShipCount', sqlType: INT }, { name: 'oExceptionCount', sqlType: INT }, retVal],
    },
    generateShipments: {
      procedure: 'spsoGenerateShipments',
      inputs: [
        { name: 'iSessionID', sqlType: INT, value: 1 },
        company,
        { name: 'iTranDate', sqlType: DATETIME, value: args.tranDate },
      ],
      outputs: [
        { name: 'oShipCount', sqlType: INT },
        retVal,
        { name: 'oMsgNo', sqlType: INT },
        { name: 'oLastShipNumber', sqlType: varchar(10) },
      ],
    },
  };
}

/**
 * Every procedure the adapter calls, as it calls it: `sellbridge sage500 verify` compares these with
 * sys.parameters (names, types, lengths, direction). A parameter listed with `names` may go by any of them.
 */
export function adapterProcedures(): readonly {
  readonly procedure: string;
  readonly byPosition: boolean;
  readonly params: readonly {
    readonly names: readonly string[];
    readonly sqlType: SqlType;
    readonly output: boolean;
  }[];
}[] {
  const named = (call: ProcedureCall) => ({
    procedure: call.procedure,
    byPosition: false,
    params: [
      ...call.inputs.map((p) => ({
        names: p.name === 'UseStageTable' ? [...STAGE_TABLE_FLAG_NAMES] : [p.name],
        sqlType: p.sqlType,
        output: false,
      })),
      ...call.outputs.map((p) => ({ names: [p.name], sqlType: p.sqlType, output: true })),
    ],
  });
  return [
    named(salesOrderImportCall('SOA', 1)),
    named(surrogateKeyCall('tglJournalHdr')),
    named(nextBatchCall({ companyId: 'SOA', userId: 'u', comment: '', postDate: '2026-01-01T00:00:00' })),
    ...Object.values(
      shipmentProcedureCalls({ companyId: 'SOA', userId: 'u', tranDate: '2026-01-01', businessDate: '2026-01-01' }),
    ).map(named),
    {
      procedure: JOURNAL_NUMBER_PROCEDURE,
      byPosition: true,
      params: JOURNAL_NUMBER_SIGNATURE.map((p) => ({ names: [], sqlType: p.sqlType, output: p.output })),
    },
  ];
}
