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

/**
 * spSOapiSalesOrdIns for one session (facts §4.3, recipe §7a step 2): parameter names from the procedure's
 * header; their order is [I], which named RPC parameters make irrelevant. `@iRptOption = 0` asks for every
 * message in tdmMigrationLogWrk; `@UseStageTable = 1` reads StgSalesOrder/StgSOLine.
 */
export function salesOrderImportCall(companyId: string, sessionKey: number): ProcedureCall {
  return {
    procedure: 'spSOapiSalesOrdIns',
    inputs: [
      { name: 'iCancel', sqlType: SMALLINT, value: 0 },
      { name: 'iSessionKey', sqlType: INT, value: sessionKey },
      { name: 'iCompanyID', sqlType: varchar(3), value: companyId },
      { name: 'iRptOption', sqlType: INT, value: 0 },
      { name: 'iPrintWarnings', sqlType: SMALLINT, value: 1 },
      { name: 'UseStageTable', sqlType: SMALLINT, value: 1 },
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
 * spGetNextSurrogateKey (facts §1.3). Sage's own callers pass the two parameters by position; the names
 * `@iTableName`/`@oNewKey` follow Sage's convention and are [I]: `sellbridge sage500 discover` prints the real
 * ones from sys.parameters.
 */
export function surrogateKeyCall(tableName: string): ProcedureCall {
  return {
    procedure: 'spGetNextSurrogateKey',
    inputs: [{ name: 'iTableName', sqlType: varchar(30), value: tableName }],
    outputs: [{ name: 'oNewKey', sqlType: INT }],
  };
}

/** spGetNextBatch for a GL general journal batch (module 3, batch type 301; recipe §7d step 1, names from S9). */
export function nextBatchCall(args: { companyId: string; userId: string; comment: string; postDate: string }): ProcedureCall {
  return {
    procedure: 'spGetNextBatch',
    inputs: [
      { name: '_iCompanyID', sqlType: varchar(3), value: args.companyId },
      { name: '_iModuleNo', sqlType: SMALLINT, value: 3 },
      { name: '_iBatchType', sqlType: INT, value: 301 },
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
