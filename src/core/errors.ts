/**
 * The error model (STYLE.md §8.5). Every error Sellbridge raises on purpose is a `SellbridgeError` with a
 * stable `SB_<AREA>_<WHAT>` code from `ERROR_CATALOGUE`, a message that names the record and the field, and a
 * `context` of ids only (never buyer PII, never secrets). The `kind` decides what the job queue does:
 *
 * | kind          | queue action                                                  |
 * | ------------- | ------------------------------------------------------------- |
 * | validation    | dead letter at once (a retry cannot help)                     |
 * | mapping       | dead letter at once                                           |
 * | transient     | retry with capped exponential backoff and jitter              |
 * | throttled     | run again after `retryAfterMs`, no attempt spent              |
 * | unavailable   | run again after `retryAfterMs` (circuit open), no attempt spent |
 * | config        | printed once at start-up, then exit                           |
 * | internal      | a bug: retried like transient, then dead-lettered             |
 */

export type ErrorKind = 'validation' | 'mapping' | 'transient' | 'throttled' | 'unavailable' | 'config' | 'internal';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'fatal';

export interface CatalogueEntry {
  readonly kind: ErrorKind;
  /** What went wrong, in words an operator understands. */
  readonly meaning: string;
  /** What the operator (or consultant) does about it. */
  readonly fix: string;
}

/**
 * Every code Sellbridge can raise. `docs/errors.md` is generated from this table and a unit test fails when
 * a code used in `src/` is missing here, or when the docs are stale. Add codes in the block of their area.
 */
export const ERROR_CATALOGUE = {
  // --- configuration -------------------------------------------------------------------------------
  SB_CFG_INVALID: {
    kind: 'config',
    meaning: 'The configuration (file, SELLBRIDGE_* environment or flags) does not match the schema.',
    fix: 'Read every listed problem (path, expected, received), fix them, then run `sellbridge config check`.',
  },
  SB_CFG_FILE_UNREADABLE: {
    kind: 'config',
    meaning: 'The configuration file could not be read or is not valid YAML.',
    fix: 'Check the path given with --config and the YAML syntax at the reported line.',
  },
  // --- store ---------------------------------------------------------------------------------------
  SB_STORE_URL_INVALID: {
    kind: 'config',
    meaning: 'store.url is neither a sqlite: path nor a postgres:// URL.',
    fix: 'Use `sqlite:./data/sellbridge.db` (default) or `postgres://user@host:5432/db`.',
  },
  SB_STORE_UNAVAILABLE: {
    kind: 'unavailable',
    meaning: 'The state database cannot be reached or is locked for too long.',
    fix: 'Check that PostgreSQL is running and reachable, or that the SQLite file is on a local disk.',
  },
  SB_STORE_MIGRATION_FAILED: {
    kind: 'config',
    meaning: 'A schema migration failed; the store was left at the last good version.',
    fix: 'Read the cause, fix the database (permissions, disk), then run `sellbridge migrate` again.',
  },
  SB_STORE_NEWER_THAN_BINARY: {
    kind: 'config',
    meaning: 'The store was migrated by a newer Sellbridge than this one; migrating or running on it could lose data.',
    fix: 'Run the Sellbridge version that migrated the store (the message names both levels), or restore a backup made before the upgrade with `sellbridge restore`.',
  },
  SB_STORE_BACKUP_UNSUPPORTED: {
    kind: 'config',
    meaning:
      '`sellbridge backup`/`restore` copy SQLite stores only; a PostgreSQL store is backed up with the database tools.',
    fix: 'Use pg_dump / pg_restore as printed by the command (see docs/deploy.md, "Backups").',
  },
  SB_STORE_BACKUP_INVALID: {
    kind: 'validation',
    meaning: 'The file given to `sellbridge restore` is not a Sellbridge store, or was made by a newer Sellbridge.',
    fix: 'Give a file written by `sellbridge backup`; restore a newer store with the Sellbridge version that made it.',
  },
  SB_STORE_IN_USE: {
    kind: 'validation',
    meaning: 'The store to be replaced by `sellbridge restore` exists and may be in use by a running Sellbridge.',
    fix: 'Stop the service (`sellbridge service stop`), then run the restore again with --force.',
  },
  // --- jobs ----------------------------------------------------------------------------------------
  SB_JOB_PAYLOAD_INVALID: {
    kind: 'validation',
    meaning: 'A job payload does not have the shape its flow expects.',
    fix: 'Inspect the dead letter with `sellbridge dlq show <id>`, correct the payload and replay it with --payload.',
  },
  SB_JOB_KIND_UNKNOWN: {
    kind: 'validation',
    meaning: 'A job was queued for a kind no handler is registered for (often a version mismatch between processes).',
    fix: 'Run the same Sellbridge version on every worker, then replay the dead letter.',
  },
  SB_JOB_ATTEMPTS_EXHAUSTED: {
    kind: 'transient',
    meaning: 'A job failed with retryable errors on every allowed attempt.',
    fix: 'Read the last error in `sellbridge dlq show <id>`; once its cause is gone, replay the dead letter.',
  },
  SB_JOB_HANDLER_CRASHED: {
    kind: 'internal',
    meaning: 'A job handler threw something that is not a Sellbridge error (a bug, or an unclassified library error).',
    fix: 'Report it with the dead letter id; replay once fixed.',
  },
  SB_JOB_TIMEOUT: {
    kind: 'transient',
    meaning: 'A job ran longer than its lease and was abandoned.',
    fix: 'Usually transient; if it repeats, raise jobs.leaseMs or look for a slow dependency.',
  },
  // --- dead letters --------------------------------------------------------------------------------
  SB_DLQ_NOT_FOUND: {
    kind: 'validation',
    meaning: 'No dead letter has that id.',
    fix: 'List them with `sellbridge dlq list`.',
  },
  SB_DLQ_ALREADY_RESOLVED: {
    kind: 'validation',
    meaning: 'The dead letter was already replayed or discarded.',
    fix: 'Nothing to do; `sellbridge dlq show <id>` tells what happened to it.',
  },
  SB_DLQ_PAYLOAD_INVALID: {
    kind: 'validation',
    meaning:
      'The edited payload given to replay is not valid JSON, or a `--set path=value` override names a path that cannot be set, a line the order does not have, or an empty SKU or customer.',
    fix: 'Pass a JSON file with --payload <file> (or - for standard input); `--set` takes shipTo.{name|companyName|city|district|stateOrRegion|postalCode|countryCode}, shipTo.lines[0..4], lines[i].sku and customerId.',
  },
  // --- Amazon SP-API -------------------------------------------------------------------------------
  SB_AMZ_THROTTLED: {
    kind: 'throttled',
    meaning: 'Amazon answered 429 (quota exceeded), or the shared rate bucket for this operation is empty.',
    fix: 'Nothing: the job runs again after retryAfterMs without spending an attempt. If it is frequent, lower amazon.usagePlans for the operation.',
  },
  SB_AMZ_SERVER_ERROR: {
    kind: 'transient',
    meaning: 'Amazon answered with a 5xx status (internal error or service unavailable).',
    fix: 'Usually transient and retried with backoff; if it persists check the SP-API status page.',
  },
  SB_AMZ_TIMEOUT: {
    kind: 'transient',
    meaning: 'An SP-API (or LWA, or document) request got no answer within amazon.requestTimeoutMs.',
    fix: 'Retried with backoff; if it repeats check the network path to Amazon or raise amazon.requestTimeoutMs.',
  },
  SB_AMZ_NETWORK: {
    kind: 'transient',
    meaning: 'The connection to Amazon failed (DNS, TCP reset, TLS).',
    fix: 'Retried with backoff; check DNS, proxy and firewall rules for the SP-API and LWA hosts.',
  },
  SB_AMZ_UNAVAILABLE: {
    kind: 'unavailable',
    meaning:
      'The circuit of an Amazon endpoint family (LWA, orders, feeds, reports...) is open after consecutive network errors, timeouts or 5xx answers: Amazon is treated as down.',
    fix: 'Nothing: jobs wait retryAfterMs without spending attempts and one probe call tests Amazon again; if it lasts, check the network path and the SP-API status page (gauge sellbridge_circuit_state{target="amazon.<family>"}).',
  },
  SB_AMZ_REQUEST_REJECTED: {
    kind: 'validation',
    meaning:
      'Amazon rejected the request (4xx): a bad parameter, an unknown id, or a state that does not allow the call.',
    fix: 'Read the Amazon error code in the context (e.g. InvalidInput, NotFound); fix the record, then replay the dead letter.',
  },
  SB_AMZ_ACCESS_DENIED: {
    kind: 'validation',
    meaning:
      'Amazon refused the credentials (401 after one token refresh, or 403): missing role, revoked authorization, or wrong region.',
    fix: 'Run `sellbridge amazon doctor`; re-authorize the seller or add the missing role to the SP-API application.',
  },
  SB_AMZ_LWA_REJECTED: {
    kind: 'validation',
    meaning: 'Login with Amazon refused the token request (invalid client id/secret, or revoked refresh token).',
    fix: 'Check amazon.lwaClientId, amazon.lwaClientSecret and amazon.refreshToken; run `sellbridge amazon doctor`.',
  },
  SB_AMZ_CREDENTIALS_MISSING: {
    kind: 'config',
    meaning:
      'The Amazon connector needs LWA credentials (client id, client secret, refresh token) that are not configured.',
    fix: 'Set amazon.lwaClientId, amazon.lwaClientSecret and amazon.refreshToken (SELLBRIDGE_AMAZON_* variables).',
  },
  SB_AMZ_AUTH_STATE_INVALID: {
    kind: 'validation',
    meaning:
      "The callback of Amazon's authorization workflow carried a `state` that is unknown, already used, expired, or was issued to another admin; nothing was exchanged or stored.",
    fix: 'Sign in as the admin who asked for the consent URL and start again (`sellbridge connections authorize <id>` or the dashboard button); each URL works once, for a limited time.',
  },
  SB_AMZ_AUTH_CONNECTION_NOT_FOUND: {
    kind: 'validation',
    meaning: 'No connection has this id (neither in sellbridge.yaml nor in the store).',
    fix: 'Use the id of a configured connection (`orders.connectionId`, default `default`, or one listed by GET /api/v1/connections).',
  },
  SB_AMZ_AUTH_NOT_CONFIGURED: {
    kind: 'config',
    meaning:
      "Amazon's authorization workflow needs the application id, LWA client id and secret, a redirect URI and a PII key to seal the refresh token; one is missing.",
    fix: 'Set amazon.applicationId, amazon.lwaClientId, amazon.lwaClientSecret, amazon.redirectUri (or start it from the dashboard) and security.piiKeys.',
  },
  SB_AMZ_RESPONSE_INVALID: {
    kind: 'internal',
    meaning: "An SP-API response did not have the shape of Amazon's model (a contract change or a proxy in between).",
    fix: 'Report it with the operation and request id from the context; it is retried a few times, then dead-lettered.',
  },
  SB_AMZ_ORDER_INVALID: {
    kind: 'mapping',
    meaning: 'An Amazon order could not be turned into a canonical order (missing or malformed fields).',
    fix: 'Read the listed fields in the dead letter; most often an amount in an unexpected currency or format.',
  },
  SB_AMZ_REPORT_INVALID: {
    kind: 'mapping',
    meaning:
      'An Amazon report (the FBA customer returns report) is not the file Sellbridge expects: a required column is missing, or rows lack an order id, SKU, date or whole quantity. Nothing of the report is used.',
    fix: 'Read the listed rows and fields in the dead letter; download the report from Seller Central to compare, then replay the dead letter once Amazon serves a good file.',
  },
  SB_FBA_RETURN_UNPLACED: {
    kind: 'mapping',
    meaning:
      "A line of Amazon's FBA customer returns report cannot be placed in Sage: its order has no Sage sales order from Sellbridge (never booked, FBA policy `skip`), or its SKU is not an item of that Amazon order.",
    fix: 'Enter the customer return by hand in Sage 500 if the goods belong there (the order id, SKU and quantity are in the dead letter), or book the order and replay the dead letter; then resolve it.',
  },
  SB_AMZ_NOTIFICATION_INVALID: {
    kind: 'validation',
    meaning: 'An SP-API notification (SQS message or EventBridge event) is not a notification document we understand.',
    fix: 'Inspect the message; it is kept in the inbox as rejected and the polling safety net still catches the change.',
  },
  // --- Sage 500 ---
  SB_SAGE_UNAVAILABLE: {
    kind: 'unavailable',
    meaning: 'The Sage 500 database cannot be reached, a query timed out or the connection dropped.',
    fix: 'Check SQL Server, the network path and sage500.url; work resumes by itself once it answers.',
  },
  SB_AGENT_OFFLINE: {
    kind: 'unavailable',
    meaning:
      'Hosted mode: the Sellbridge agent beside Sage 500 is not connected to the hub, or did not answer an operation in time (sage500.agent.requestTimeoutMs). Nothing is known to have changed in Sage.',
    fix: 'Nothing for the jobs: they wait without spending attempts and the Sage circuit opens. Check that `sellbridge agent` runs on the customer side and can reach the hub (GET /api/v1/agents shows it online).',
  },
  SB_AGENT_OPERATION_REFUSED: {
    kind: 'validation',
    meaning:
      "The agent refused a request from the hub: the operation is not one of the Sage 500 gateway's named operations, or its arguments do not have the gateway's types (every bad field is named).",
    fix: 'Run the same Sellbridge version on the hub and the agent (the hub names the one to install); report it if versions match.',
  },
  SB_AGENT_REFUSED: {
    kind: 'config',
    meaning:
      'The hub refused the agent: its credential is unknown or revoked, it is enrolled for a connection this hub does not serve, its enrolment token is used or expired, or its version cannot talk to the hub (the message names the version to install).',
    fix: 'Enrol the agent again with a new token (`sellbridge agents enrol --connection <id>` on the hub), or install the version the message names.',
  },
  SB_AGENT_NOT_FOUND: {
    kind: 'validation',
    meaning: 'No agent has that id.',
    fix: 'List them with `sellbridge agents list` or GET /api/v1/agents.',
  },
  SB_SAGE_QUERY_FAILED: {
    kind: 'transient',
    meaning: 'The Sage 500 database answered a query with an unexpected error.',
    fix: 'Read the cause; if it repeats, run `sellbridge sage500 verify` to compare the database with what Sellbridge expects.',
  },
  SB_SAGE_ORDER_REJECTED: {
    kind: 'mapping',
    meaning:
      "Sage's import procedure spSOapiSalesOrdIns rejected the staged order; every message it wrote to tdmMigrationLogWrk is listed.",
    fix: 'Fix the named data in Sage (customer, item, warehouse) or the SKU mapping, then replay the dead letter; nothing was left staged.',
  },
  SB_SAGE_VALUE_TOO_LONG: {
    kind: 'mapping',
    meaning: 'A value does not fit its Sage 500 column (e.g. CustPONo and UserFld are 15 characters, ItemID 30).',
    fix: 'Shorten the value at its source or map it (SKU -> ItemID); every too-long field is listed.',
  },
  SB_SAGE_ORDER_INVALID: {
    kind: 'mapping',
    meaning:
      'A sales order draft cannot be staged: no lines, a line number used twice, a quantity that is not a whole number above 0, or a price in another currency (too-long values are listed too).',
    fix: 'Fix the order mapping named in the listed fields, then replay the dead letter.',
  },
  SB_SAGE_TRANNO_INVALID: {
    kind: 'validation',
    meaning: 'The reserved Sage TranNo is empty or longer than 10 characters.',
    fix: 'Check sage500.tranNoPrefix: prefix plus sequence must fit 10 characters.',
  },
  SB_SAGE_TRANNO_TAKEN: {
    kind: 'validation',
    meaning: 'A Sage sales order with the reserved TranNo exists but belongs to another Amazon order (or none).',
    fix: 'Check sage500.tranNoPrefix does not overlap numbers Sage or another tool issues; reserve a new TranNo for the order, then replay.',
  },
  SB_SAGE_ORDER_LINES_MISMATCH: {
    kind: 'validation',
    meaning:
      "Sage's sales order does not hold the Amazon order's lines one for one (another number of lines, or another item at a line position), so its lines cannot be linked to Amazon order items: the import numbers lines in staging order and each line is linked by its position. A new import is rolled back whole (nothing stays in Sage); an existing order is left unlinked.",
    fix: "Compare the sales order's lines in Sage with the Amazon order (a Sage-side rule may add, merge or expand lines); make the order hold the Amazon order's lines one for one and in the same order (or delete it in Sage), then replay the dead letter.",
  },
  SB_SAGE_ORDER_NOT_FOUND: {
    kind: 'validation',
    meaning: 'No Sage sales order has that TranNo in this company.',
    fix: 'Check the number with `sellbridge sage500 show order <TranNo>`.',
  },
  SB_SAGE_ORDER_NOT_CANCELABLE: {
    kind: 'validation',
    meaning:
      'The Sage sales order cannot be canceled: something was already shipped, or a pick list or shipment line points at it.',
    fix: 'Cancel or finish it in Sage 500 (remove it from the pick list or shipment, or handle the rest with a return or credit memo).',
  },
  SB_SAGE_ORDER_NOT_SHIPPABLE: {
    kind: 'validation',
    meaning:
      'The Sage sales order cannot be shipped by Sellbridge: it is canceled or closed, or some of it is already on a pick list or pending shipment.',
    fix: 'Finish or remove the pick list or pending shipment in Sage 500, then replay the order (`sellbridge dlq replay`).',
  },
  SB_SAGE_SHIPMENT_FAILED: {
    kind: 'transient',
    meaning:
      "One of Sage's shipment procedures (spsoCreatePickList, spsoCreateShipLines, spsoGenShip, spsoGenerateShipments) answered failure; its transaction was rolled back, so nothing was shipped.",
    fix: 'Retried automatically; if it keeps failing, generate the shipment once in Sage 500 (Create Pick List, then Generate Shipments) to see Sage’s message.',
  },
  SB_SAGE_RETURN_INVALID: {
    kind: 'mapping',
    meaning:
      'An Amazon refund cannot be entered as a Sage customer return: a refunded item is not a line of the Sage order, or more is refunded than the line shipped.',
    fix: 'Enter the return or credit memo by hand in Sage 500 (the refund and order ids are in the dead letter), then resolve the dead letter.',
  },
  SB_SAGE_LINE_NOT_FOUND: {
    kind: 'validation',
    meaning: 'The Sage sales order has no line with that line number.',
    fix: 'Check the order with `sellbridge sage500 show order <TranNo>`; the line map comes from the order as created.',
  },
  SB_SAGE_ORDER_NOT_CHANGEABLE: {
    kind: 'validation',
    meaning:
      "The Sage sales order's ship-to cannot be changed: something was already shipped, a pick list or shipment line points at it, or the order is canceled or closed.",
    fix: 'Change it in Sage 500 if it still matters (the order is flagged with the difference in `sellbridge orders status`).',
  },
  SB_SAGE_JOURNAL_UNBALANCED: {
    kind: 'validation',
    meaning: 'The GL journal lines do not net to zero, are empty or mix currencies.',
    fix: 'Check the settlement mapping that built the journal.',
  },
  SB_SAGE_GL_ACCOUNT_INVALID: {
    kind: 'mapping',
    meaning: 'One or more GL accounts do not exist, are not active or are not financial accounts in this company.',
    fix: 'Fix the GL account mapping (every bad account is listed) or the accounts in Sage, then replay.',
  },
  SB_SAGE_CASH_RECEIPT_INVALID: {
    kind: 'mapping',
    meaning:
      'The AR cash receipt of a settlement cannot be entered: the marketplace customer or the cash account is not in this Sage company, or the amount is not positive.',
    fix: 'Fix settlements.cashApplication (cashAccount) or the customer in Sage, then import the settlement again (the GL journal already posted stays as it is).',
  },
  SB_SAGE_FISCAL_PERIOD_CLOSED: {
    kind: 'validation',
    meaning: 'The journal date is not inside an open Sage fiscal period.',
    fix: 'Open the period in Sage GL (or create it), then replay the dead letter.',
  },
  SB_SAGE_SCHEMA_MISSING: {
    kind: 'config',
    meaning:
      "Sellbridge's extension tables (tsoSalesOrder_AMZ...) or a Sage object, column or procedure parameter it needs are missing or differ.",
    fix: 'Run `sellbridge sage500 verify`: it names each difference and its remedy (often `sellbridge sage500 install-extensions`).',
  },
  SB_MAP_CONNECTION_INVALID: {
    kind: 'config',
    meaning:
      "The connection's order mapping names what its Sage company does not have (an unknown or inactive customer, a customer in another currency, an unknown warehouse, ship method, charge item or GL account); found by `sellbridge connections check`, which `sellbridge run` runs at start.",
    fix: 'Fix each listed setting (its path in sellbridge.yaml is named) or create the record in Sage, then run `sellbridge connections check` again.',
  },
  SB_CONNECTION_WAITING: {
    kind: 'unavailable',
    meaning:
      "The job's connection is not running in this process: paused (`sellbridge connections pause`), not started because it failed `sellbridge connections check`, removed, or not (yet) known to this worker. The job waits, no attempt spent; the reason is on the job and in `sellbridge connections list`.",
    fix: 'Resume the connection (`sellbridge connections resume <id>`), fix what its check names, or add it again; its jobs then run by themselves.',
  },
  SB_CONNECTION_INVALID: {
    kind: 'validation',
    meaning:
      'A connection given to the admin API or the CLI is refused: a bad or taken id, unknown or bad settings, or a mapping its Sage company does not match. Nothing was stored.',
    fix: 'Fix every listed problem (each names its path) and send it again.',
  },
  SB_CONNECTION_NOT_FOUND: {
    kind: 'validation',
    meaning: 'No connection with this id is configured or stored.',
    fix: 'List them with `sellbridge connections list` (or GET /api/v1/connections).',
  },
  SB_MAP_EDIT_INVALID: {
    kind: 'validation',
    meaning:
      "A mapping edit sent to the admin API (`PUT /api/v1/connections/:id/mappings/:kind`) names what the connection's Sage company does not have (an unknown or inactive customer, a customer in another currency, an unknown warehouse (of the orders, the inventory rules or a price sheet), ship method, item or charge item, a GL account that is missing, inactive or not financial (charge items, settlement bank accounts, settlement GL rules)); `problems` lists each with its row path, the value and what Sage has. Nothing was stored.",
    fix: 'Correct each listed row (or create the record in Sage) and send the list again.',
  },
  SB_SAGE_SCHEMA_MISMATCH: {
    kind: 'config',
    meaning:
      'The Sage 500 database differs from what the adapter uses (a missing table, column or parameter, a shorter or other type, a NOT NULL column our inserts leave out); found by `sellbridge sage500 verify`, which `sellbridge run` runs at start.',
    fix: 'Apply the remedy printed with each finding (install-extensions, package table settings, or report the line), then run `sellbridge sage500 verify` again.',
  },
  // --- mapping -------------------------------------------------------------------------------------
  SB_MAP_SKU_UNKNOWN: {
    kind: 'mapping',
    meaning:
      'One or more SellerSKUs of an Amazon order match no Sage item (ItemID, Sage alias, UPC or Sellbridge alias); up to three similar Sage items are suggested for each.',
    fix: 'Add an alias SellerSKU -> ItemID for the connection (or the item in Sage), then replay the dead letter.',
  },
  SB_MAP_ORDER_INVALID: {
    kind: 'mapping',
    meaning:
      'An Amazon order cannot become a Sage sales order: every bad field is listed (unknown SKU, address that does not fit Sage, marketplace without a Sage customer, currency mismatch, amounts that do not add up).',
    fix: 'Fix each listed field in the mapping rules (aliases, customers per marketplace, country table) or in Sage, then replay the dead letter.',
  },
  SB_MAP_ADDRESS_INVALID: {
    kind: 'mapping',
    meaning:
      'A ship-to cannot become a Sage address: it has no Sage country code or lacks its city or street; or, under `orders.addressPolicy: dead-letter`, it does not fit Sage 500 as written (40-character lines, 20-character city, 3-character state and country, 10-character postal code, Latin script). Under the default `fit` policy length and script are fitted, never refused.',
    fix: 'Add the country to the country table, or replay with the address set (`sellbridge dlq replay <id> --set shipTo.city=...`); every field is listed.',
  },
  SB_MAP_AMOUNTS_INVALID: {
    kind: 'mapping',
    meaning:
      "An Amazon order's amounts cannot be booked exactly: not priced yet, mixed currencies, negative amounts, or a total that differs from its lines.",
    fix: 'Read the listed amounts; pending orders are retried when Amazon prices them, anything else needs the order checked in Seller Central.',
  },
  // --- orders flow ---------------------------------------------------------------------------------
  SB_ORD_SALES_ORDER_MISSING: {
    kind: 'validation',
    meaning: 'The store links an Amazon order to a Sage sales order (by its reserved TranNo) that Sage no longer has.',
    fix: 'Check in Sage whether the order was deleted; `sellbridge orders status <AmazonOrderId>` shows the TranNo. Replay the dead letter once decided.',
  },
  SB_ORD_LINK_REFUSED: {
    kind: 'validation',
    meaning:
      'An Amazon order cannot be linked to that Sage order (`sellbridge orders link`): its goods lines or total differ from the Amazon order, the Amazon order already has a Sage order, or the Sage order belongs to another Amazon order or is canceled. Every difference is listed.',
    fix: 'Correct the Sage order (or key the right one) and link again; when the difference is intended (a substitute item, a price agreed with the buyer), link with `--force`: the link and the differences are audited.',
  },
  SB_ORD_CONFIRMATION_MISSING: {
    kind: 'validation',
    meaning:
      'A shipment confirmation job names a package the store has no record of (the poll that records packages did not run for it).',
    fix: 'Discard the dead letter; the next shipment poll records the package and confirms it.',
  },
  SB_ORD_NOT_CREATED_YET: {
    kind: 'unavailable',
    meaning:
      "Sage shipped an order before order.sync recorded its sales order in the order link (order.sync is between Sage's commit and that record, or its worker died there).",
    fix: 'Nothing: the confirmation waits without spending attempts until order.sync has recorded the order (after a crash: once its job lease has run out), then confirms.',
  },
  SB_ORD_CONFIRM_IN_FLIGHT: {
    kind: 'unavailable',
    meaning:
      "Another worker has claimed this package's shipment confirmation and its call to Amazon may still be in flight (for instance its job lease ran out on a busy machine); two calls for one package are never made together.",
    fix: 'Nothing: the job waits and runs again; once the other call has finished (or its worker is taken for dead after the fence) the order is read and the package confirmed at most once.',
  },
  SB_ORD_SHIPMENT_UNMAPPED: {
    kind: 'validation',
    meaning:
      'A Sage shipment of a Sellbridge order has no line that names an Amazon order item, so Amazon cannot be told what shipped.',
    fix: 'Check the sales order lines in Sage (the Amazon OrderItemId of each line is kept in tsoSOLine_AMZ, written with the order in one transaction); confirm the package in Seller Central if needed.',
  },
  // --- settlements ---------------------------------------------------------------------------------
  SB_SETTLE_FILE_INVALID: {
    kind: 'validation',
    meaning:
      'A settlement flat file is malformed: a missing or renamed column, a truncated line, no summary row, or a value that is not an amount, date, currency or quantity. Every bad row and column is listed; nothing from the file is used.',
    fix: 'Read each listed row and column (expected, found); download the report again from Seller Central if it was cut short, then import it again.',
  },
  SB_SETTLE_UNMAPPED: {
    kind: 'mapping',
    meaning:
      'Settlement rows have a (transaction-type, amount-type, amount-description) that no settlement account rule maps to a GL account; every unmapped combination is listed with its rows and total.',
    fix: 'Add a rule for each listed combination to the settlement account rules (or configure a suspense account), then replay.',
  },
  SB_SETTLE_EXCHANGE_RATE_MISSING: {
    kind: 'mapping',
    meaning:
      "A settlement is in another currency than the Sage company's home currency and no exchange rate could be found where settlements.exchangeRate.source says (Sage's rate table on the deposit date, or the deposit's financial event group). Nothing is posted.",
    fix: 'Enter the rate in Sage (Multicurrency rate schedule) or switch the source, then import the settlement again (the quarantined file is kept).',
  },
  SB_SETTLE_TOTAL_MISMATCH: {
    kind: 'validation',
    meaning:
      "A settlement's rows do not add up to its total-amount (the deposit); the difference is given. No journal is built.",
    fix: 'Compare the file with the settlement in Seller Central (a row may be missing); import the complete report.',
  },
  SB_SETTLE_BUSY: {
    kind: 'unavailable',
    meaning:
      'Another import (a job or the CLI) is posting the same settlement right now; one import posts at a time so Sage gets each journal once.',
    fix: 'Nothing: a job runs again by itself; on the command line run the import again in a moment (it is then a no-op). A claim left by a crashed import expires after 5 minutes.',
  },
  SB_SETTLE_IN_PROGRESS: {
    kind: 'validation',
    meaning:
      'A settlement arrived with other content while an earlier import (or correction) of the same settlement id had not finished posting; what of the earlier one reached Sage is not known, so the new content is not posted over it.',
    fix: 'Import the earlier file again (it resumes and finishes, each journal once), then import the new one: it reverses and re-posts as a correction.',
  },
  // --- listings ------------------------------------------------------------------------------------
  SB_LIST_ATTRIBUTE_INVALID: {
    kind: 'mapping',
    meaning:
      'Sage item fields cannot become Amazon listing attributes: a required field is empty, a number or weight is not a number or out of range, a UPC has a bad check digit, a text is too long or not an allowed value. Every bad field is listed.',
    fix: 'Correct the listed item fields in Sage (UserFld, description, UPC, weight) or the custom-field map, then replay; the other SKUs were sent.',
  },
  SB_LIST_MESSAGE_REJECTED: {
    kind: 'mapping',
    meaning:
      "Amazon rejected one SKU's message in a JSON_LISTINGS_FEED (the processing report lists an ERROR for it); the other messages of the feed were applied.",
    fix: "Read Amazon's code and message in the dead letter (SKU, attribute), fix the listing or the mapping, then replay the dead letter.",
  },
  SB_LIST_PRICE_HELD: {
    kind: 'validation',
    meaning:
      'A price from Sage was not sent: it is not above 0, outside the configured minimum/maximum, or changes by more than the allowed percent and waits for approval.',
    fix: 'Check the price in the Sage price sheet; replay the dead letter to approve the change, or discard it to keep the current price.',
  },
  SB_LIST_FEED_INVALID: {
    kind: 'internal',
    meaning: 'A JSON_LISTINGS_FEED built by Sellbridge does not match the official feed schema; it was not uploaded.',
    fix: 'A bug: report it with the listed problems. Nothing was sent; the next sync builds the feed again.',
  },
  SB_LIST_FEED_BUDGET: {
    kind: 'throttled',
    meaning:
      'Amazon allows 5 JSON_LISTINGS_FEED submissions per 5 minutes per region; the budget is spent, the feed waits.',
    fix: 'Nothing to do: the feed is submitted when the budget frees up. Lower inventory.syncEveryMs if this is frequent.',
  },
  SB_LIST_MESSAGE_TOO_LARGE: {
    kind: 'mapping',
    meaning:
      "One SKU's feed message alone is larger than the feed size limit (10 MiB), usually a huge mapped attribute.",
    fix: 'Shorten the Sage field behind the mapped attribute, or remove it from the custom-field map.',
  },
  // --- admin API, auth and PII ----------------------------------------------------------------------
  SB_API_REQUEST_INVALID: {
    kind: 'validation',
    meaning:
      "An admin API request has a field (path, query or body) that does not match the endpoint's schema; `issues` names every bad field.",
    fix: 'Correct the listed fields; the OpenAPI document at /docs/openapi.json describes each endpoint.',
  },
  SB_API_BODY_INVALID: {
    kind: 'validation',
    meaning:
      'A request body could not be read: not JSON, nested deeper than 64 levels, a media type the endpoint does not take, or over server.bodyLimitBytes.',
    fix: 'Send a JSON body (or text/csv for CSV imports) within the size limit; the message says what was wrong.',
  },
  SB_API_NOT_FOUND: {
    kind: 'validation',
    meaning: 'No endpoint or record answers to this request (the message names which).',
    fix: 'Check the path against /docs, or the record id against the matching list endpoint.',
  },
  SB_API_REFUSED: {
    kind: 'validation',
    meaning:
      'The request was understood but refused (conflict, not wired in this process, or not allowed in this state); the message says why.',
    fix: 'Follow the message; the status (409, 501, ...) tells the kind of refusal.',
  },
  SB_AUTH_REQUIRED: {
    kind: 'validation',
    meaning:
      'The request carries no valid credentials (bearer token, session cookie, or webhook key), or the sign-in failed.',
    fix: 'Sign in, or send `Authorization: Bearer <token>` (`sellbridge tokens create`).',
  },
  SB_AUTH_FORBIDDEN: {
    kind: 'validation',
    meaning:
      'The caller is authenticated but its role is too low, or a cookie-authenticated write came from another origin.',
    fix: "Use a principal with the role the message names, from the dashboard's own origin.",
  },
  SB_AUTH_THROTTLED: {
    kind: 'throttled',
    meaning:
      'Too many sign-in attempts from this client address or for this user name (security.authRateLimitPerMinute).',
    fix: 'Wait for the Retry-After seconds; if it is not you, someone is guessing passwords (see the audit log, auth.login-failed).',
  },
  SB_AUTH_TOKEN_NOT_FOUND: {
    kind: 'validation',
    meaning: 'No API token has this id.',
    fix: 'List the tokens with GET /api/v1/tokens (or the dashboard) and use one of their ids.',
  },
  SB_AUTH_TOKEN_EXISTS: {
    kind: 'validation',
    meaning:
      'An API token with this name exists already (names are unique, revoked tokens included, so the audit log and session revocation name one token).',
    fix: 'Pick another name (for a replacement, e.g. ci-bot-2), then revoke the old token by its id.',
  },
  SB_AUTH_USER_EXISTS: {
    kind: 'validation',
    meaning: 'A local user with this name exists already.',
    fix: 'Pick another name, or reset the user (new password, lockout lifted) with `sellbridge users add --replace`.',
  },
  SB_AUTH_PASSWORD_WEAK: {
    kind: 'validation',
    meaning:
      "The password is shorter than security.minPasswordLength (default 12, as Amazon's Data Protection Policy asks).",
    fix: 'Use a longer password (a passphrase of several words works well).',
  },
  SB_PII_KEY_MISSING: {
    kind: 'config',
    meaning: 'Buyer PII or credentials must be encrypted, but no key is configured (or the key file cannot be read).',
    fix: 'Run `sellbridge keys generate`, put the line in security.piiKeys (SELLBRIDGE_SECURITY_PII_KEYS) or in the file named by security.piiKeyFile.',
  },
  SB_PII_KEY_INVALID: {
    kind: 'config',
    meaning: 'A PII key entry is not `keyId:<base64 of 32 bytes>`.',
    fix: 'Generate a key with `sellbridge keys generate` and copy the whole line.',
  },
  SB_PII_KEY_UNKNOWN: {
    kind: 'config',
    meaning: 'Stored data was encrypted with a key id that is no longer in the keyring.',
    fix: 'Add the old key back to security.piiKeys (before the active one), run `sellbridge keys rotate`, then remove it.',
  },
  SB_PII_DECRYPT_FAILED: {
    kind: 'internal',
    meaning:
      'Encrypted data failed authentication: the key with its id is not the one it was sealed with, or the row was altered.',
    fix: 'Check that security.piiKeys holds the right key for that id; a row altered outside Sellbridge cannot be recovered.',
  },
  // --- CLI -----------------------------------------------------------------------------------------
  SB_CLI_USAGE: {
    kind: 'validation',
    meaning: 'A command was called with missing or wrong arguments.',
    fix: 'Run the command with --help.',
  },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** Ids only: order ids, job ids, SKUs, operation names. Never names, addresses, e-mails or secrets. */
export type ErrorContext = Readonly<Record<string, string | number | boolean | null | readonly string[]>>;

export interface SellbridgeErrorOptions {
  readonly context?: ErrorContext;
  readonly cause?: unknown;
  /** For throttled/unavailable: how long to wait before the next try. */
  readonly retryAfterMs?: number;
  readonly logLevel?: LogLevel;
}

const RETRYABLE_KINDS: ReadonlySet<ErrorKind> = new Set(['transient', 'throttled', 'unavailable', 'internal']);

export class SellbridgeError extends Error {
  readonly code: ErrorCode;
  readonly kind: ErrorKind;
  readonly context: ErrorContext;
  readonly retryAfterMs: number | undefined;
  readonly logLevel: LogLevel;

  constructor(code: ErrorCode, message: string, options: SellbridgeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SellbridgeError';
    this.code = code;
    const kind = (ERROR_CATALOGUE as Record<string, CatalogueEntry>)[code]!.kind;
    this.kind = kind;
    this.context = options.context ?? {};
    this.retryAfterMs = options.retryAfterMs;
    this.logLevel = options.logLevel ?? (kind === 'validation' || kind === 'mapping' ? 'warn' : 'error');
  }

  /** Whether running the same work again can succeed without anyone changing anything. */
  get retryable(): boolean {
    return RETRYABLE_KINDS.has(this.kind);
  }

  toJSON(): SerializedError {
    return { code: this.code, kind: this.kind, message: this.message, context: this.context };
  }
}

/** One problem of a record: which field, what is wrong. Mapping errors list all of them at once. */
export interface FieldIssue {
  readonly field: string;
  readonly problem: string;
  /** Suggestions the operator may pick (e.g. similar Sage ItemIDs). */
  readonly suggestions?: readonly string[];
}

/** Bad data in one record; lists every bad field so a dead letter names all of them. */
const FIELD_CHARS = 200;
const PROBLEM_CHARS = 1000;
const MESSAGE_ISSUES = 50;
const clip = (text: string, max: number): string =>
  text.length > max ? `${text.slice(0, max)}... (${text.length} characters)` : text;

export class MappingError extends SellbridgeError {
  readonly issues: readonly FieldIssue[];
  constructor(code: ErrorCode, record: string, issues: readonly FieldIssue[], options: SellbridgeErrorOptions = {}) {
    // Bounded whatever the input (a malformed file was echoed whole): each field and problem is cut,
    // and the message lists the first MESSAGE_ISSUES; `issues` keeps them all (the producer caps their number).
    const bounded = issues.map((i) =>
      i.field.length > FIELD_CHARS || i.problem.length > PROBLEM_CHARS
        ? { ...i, field: clip(i.field, FIELD_CHARS), problem: clip(i.problem, PROBLEM_CHARS) }
        : i,
    );
    const list = bounded
      .slice(0, MESSAGE_ISSUES)
      .map((i) => `${i.field}: ${i.problem}`)
      .join('; ');
    super(
      code,
      `${clip(record, FIELD_CHARS)}: ${list}${bounded.length > MESSAGE_ISSUES ? `; and ${bounded.length - MESSAGE_ISSUES} more` : ''}`,
      options,
    );
    this.name = 'MappingError';
    this.issues = bounded;
  }

  override toJSON(): SerializedError {
    return { ...super.toJSON(), issues: this.issues };
  }
}

export interface SerializedError {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly message: string;
  readonly context: ErrorContext;
  readonly issues?: readonly FieldIssue[];
}

/**
 * Anything thrown by third-party code becomes a SellbridgeError here (Graphile's coerceError). An unknown
 * error is `internal`: retried a few times, then dead-lettered with its message (never its stack to users).
 */
export function coerceError(err: unknown): SellbridgeError {
  if (err instanceof SellbridgeError) return err;
  const message = err instanceof Error ? err.message : typeof err === 'string' ? err : JSON.stringify(err);
  return new SellbridgeError('SB_JOB_HANDLER_CRASHED', message || 'unknown error', { cause: err });
}

export function isSellbridgeError(err: unknown): err is SellbridgeError {
  return err instanceof SellbridgeError;
}
