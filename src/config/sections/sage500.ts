import { z } from 'zod';
import { count, durationMs, MINUTE, SECOND, secret } from '../fields.ts';

/** Sage 500 gateway settings. Owned by the Sage 500 connector. */
export const sage500Section = z
  .strictObject({
    kind: z
      .enum(['sandbox', 'sqlserver', 'agent'])
      .default('sandbox')
      .describe(
        '`sandbox` uses the embedded Sage 500 sandbox (SQLite); `sqlserver` a real Sage 500 database; `agent` (hosted mode) sends every Sage operation to the `sellbridge agent` beside Sage, over the channel it opens to this hub',
      ),
    companyId: z.string().min(1).max(3).default('SOA').describe('Sage 500 CompanyID the connection writes to'),
    url: secret('SQL Server connection string (mssql://user:password@host:1433/database), when kind is sqlserver'),
    sandboxPath: z
      .string()
      .min(1)
      .default('./data/sage500-sandbox.db')
      .describe('Sandbox: SQLite file of the embedded Sage 500 sandbox (`:memory:` for a throw-away one)'),
    tranNoPrefix: z
      .string()
      .regex(/^[A-Z]{1,3}$/, 'one to three capital letters')
      .default('AZ')
      .describe(
        "Prefix of the sales order numbers (TranNo, 10 characters) Sellbridge reserves, so they never collide with Sage numbering; one connection per prefix in a Sage company (each keeps its own counter): a connection repeating an earlier one's prefix in its company does not start. A worker takes numbers from the counter one at a time while orders are few, in blocks of up to 32 while they come quickly; numbers a stopped worker held are gaps in the sequence",
      ),
    userId: z
      .string()
      .min(1)
      .max(30)
      .default('sellbridge')
      .describe(
        'Sage user id written to the GL batches and journals Sellbridge enters (OrigUserID, CreateUserID) and by the sandbox; on SQL Server the sales order import takes the creating user from Sage (spDMMigrUserIDGet)',
      ),
    packageTable: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a table name')
      .optional()
      .describe(
        'SQL Server: table holding shipment packages with tracking numbers, keyed by ShipKey. No public source names it, so there is no default: unset, the one table the catalog shows with ShipKey and a tracking column is used; `sellbridge sage500 discover` proposes one and writes it after confirmation',
      ),
    packageTrackingColumn: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a column name')
      .optional()
      .describe('SQL Server: column of the package table that holds the tracking number (set with packageTable)'),
    packageNoColumn: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a column name')
      .optional()
      .describe('SQL Server: column of the package table that numbers the package (set with packageTable)'),
    shipmentRewindKeys: count(
      'Shipments: how many ShipKeys behind the cursor are read again, so shipments committed late are not missed',
      500,
    ),
    shipmentPageKeys: count('Shipments: how many ShipKeys past the cursor one read covers', 5000, 1),
    changeTracking: z
      .strictObject({
        enabled: z
          .boolean()
          .default(false)
          .describe(
            'Read Sage changes from SQL Server change tracking (CHANGETABLE on timWhseBinInvt, timInventory, tsoShipment and tsoShipmentLog): the stock watch reads only items that changed and shipment polling only shipments that changed; `sage500 install-extensions` turns it on (ALTER DATABASE and ALTER TABLE rights needed); off = stock is read in full and shipments by the ShipKey cursor as before',
          ),
        retentionDays: count(
          'Change tracking retention set by install-extensions (CHANGE_RETENTION, days); a watermark older than it falls back to one full read',
          2,
          1,
        ),
      })
      .prefault({})
      .describe('Optional change-tracking mode (SQL Server change tracking; emulated by the sandbox)'),
    glJournalId: z
      .string()
      .min(1)
      .max(10)
      .default('GJ')
      .describe('GL journal (tglJournal.JrnlID) that settlement journals are entered in'),
    connectTimeoutMs: durationMs('SQL Server: how long to wait for a connection', 15 * SECOND),
    requestTimeoutMs: durationMs('SQL Server: how long one statement or procedure call may run', 60 * SECOND),
    unavailableRetryMs: durationMs('How long a job waits before it tries again after Sage was unavailable', MINUTE),
    importMaxCalls: count(
      'How many times spSOapiSalesOrdIns is called for one order while it answers @oContinue = 1',
      50,
      1,
    ),
    warehouseSimulator: z
      .strictObject({
        enabled: z.boolean().default(false).describe('Sandbox: pick and ship open orders by itself (demo)'),
        delayMs: durationMs('Sandbox: how old an open order must be before the simulator ships it', 30 * SECOND),
        partialEvery: count('Sandbox: every Nth order ships in two shipments (0 = never)', 3),
        packagesPerShipment: count('Sandbox: packages per shipment', 1, 1),
      })
      .prefault({})
      .describe('Sandbox warehouse simulator'),
    agent: z
      .strictObject({
        requestTimeoutMs: durationMs(
          'Hosted mode: how long a Sage operation waits for the agent to answer, reconnections included, before the job waits and tries again',
          60 * SECOND,
        ),
        heartbeatMs: durationMs(
          'Hosted mode: how often the hub pings the agent (latency, liveness, revocation take effect within one)',
          5 * SECOND,
        ),
      })
      .prefault({})
      .describe('Hosted mode (sage500.kind agent): the channel to the agent beside Sage'),
    faults: z
      .strictObject({
        unavailableForMs: durationMs('Sandbox: every call fails as unavailable for this long after start (0 = off)', 0),
        slowMs: durationMs('Sandbox: extra delay added to every call (0 = off)', 0),
      })
      .prefault({})
      .describe('Sandbox fault injection'),
  })
  .prefault({})
  .describe('Sage 500 ERP');

export type Sage500Config = z.output<typeof sage500Section>;
