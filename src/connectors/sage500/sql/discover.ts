/**
 * The read-only catalog queries of facts §8, as SQL text: where tracking numbers live, which API procedures
 * and staging tables exist, the real parameter names of the procedures we call, enum texts, custom-field
 * tables and our own extension tables. `sellbridge sage500 discover` runs them and prints the rows.
 */
export const DISCOVERY_QUERIES: readonly { readonly title: string; readonly sql: string }[] = [
  {
    title: 'Package / tracking-number columns (set sage500.packageTable and packageTrackingColumn from this)',
    sql: "SELECT t.name AS tbl, c.name AS col, TYPE_NAME(c.user_type_id) AS typ, c.max_length FROM sys.columns c JOIN sys.tables t ON t.object_id = c.object_id WHERE t.name LIKE 'tso%' AND (c.name LIKE '%Track%' OR t.name LIKE '%Pack%') ORDER BY t.name, c.column_id",
  },
  {
    title: 'API and key procedures present',
    sql: "SELECT name FROM sys.procedures WHERE name LIKE 'sp%api%' OR name LIKE 'spglGiveNext%' OR name LIKE 'spGetNext%' ORDER BY name",
  },
  {
    title: 'Parameters of the procedures Sellbridge calls (names must match sql/procedures.ts)',
    sql: "SELECT pr.name AS proc_name, p.parameter_id, p.name AS param, TYPE_NAME(p.user_type_id) AS typ, p.max_length, p.is_output FROM sys.parameters p JOIN sys.procedures pr ON pr.object_id = p.object_id WHERE pr.name IN ('spSOapiSalesOrdIns', 'spGetNextSurrogateKey', 'spGetNextBatch') ORDER BY pr.name, p.parameter_id",
  },
  { title: 'Staging tables', sql: "SELECT name FROM sys.tables WHERE name LIKE 'Stg%' ORDER BY name" },
  {
    title: 'Enum texts of this install',
    sql: "SELECT TableName, ColumnName, DBValue, LocalText FROM vListValidationString WHERE TableName IN ('tsoSalesOrder', 'tsoSOLine', 'tsoSOLineDist', 'tsoShipment', 'tsoShipmentLog', 'tglJournalHdr', 'tglBatch') ORDER BY TableName, ColumnName, DBValue",
  },
  {
    title: 'Custom field definition tables',
    sql: "SELECT name FROM sys.tables WHERE name LIKE '%UserFld%' OR name LIKE '%CustFld%' OR name LIKE '%CustomFld%' ORDER BY name",
  },
  { title: 'Item alias tables', sql: "SELECT name FROM sys.tables WHERE name LIKE 'timItem%Alias%' ORDER BY name" },
  {
    title: 'Sellbridge extension tables (_AMZ)',
    sql: "SELECT name FROM sys.tables WHERE name LIKE '%[_]AMZ' ORDER BY name",
  },
];
