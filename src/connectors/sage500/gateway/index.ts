import type { Sage500Gateway } from '../../../core/ports/sage500-gateway.ts';
import { adapterUsage } from '../usage.ts';
import { verifyCatalog, type PackageTableSetting, type VerifyFinding } from '../verify.ts';
import type { GatewayOptions, SageBackend } from './backend.ts';
import { catalogueMethods } from './catalogue.ts';
import { createGatewayContext } from './context.ts';
import { glJournalMethods } from './gl-journals.ts';
import { arCashMethods } from './ar-cash.ts';
import { salesOrderMethods } from './sales-orders.ts';
import { proposePackageTables } from './schema-facts.ts';
import { shipmentMethods } from './shipments.ts';
import { shipOrderMethods } from './ship-orders.ts';
import { customerReturnMethods } from './customer-returns.ts';
import { SHIPMENT_TRACKED_TABLES, STOCK_TRACKED_TABLES, TRACKED_TABLES } from '../sql/change-tracking.ts';

export type {
  GatewayOptions,
  JournalTransaction,
  PickCandidate,
  SageBackend,
  SalesOrderImportCall,
  ShipmentTransaction,
} from './backend.ts';

/** The Sage 500 gateway plus what only a Sage 500 database can answer about itself. */
export interface Sage500Adapter extends Sage500Gateway {
  /**
   * Reads the catalog for every table, view, column, procedure and parameter the adapter uses and reports
   * each difference that would fail (`error`) or deserves a look. Read-only.
   */
  verify(): Promise<readonly VerifyFinding[]>;
  /** Package/tracking tables the catalog suggests (tables keyed by ShipKey with a tracking-number column). Read-only. */
  proposePackageTables(): Promise<readonly PackageTableSetting[]>;
}

/** What verify says of change tracking: on or off, the retention, the tables, against what is configured. */
export function changeTrackingFindings(
  settings: {
    readonly retention: string | undefined;
    readonly autoCleanup: boolean;
    readonly tables: readonly string[];
  },
  configured: boolean,
): VerifyFinding[] {
  const missing = TRACKED_TABLES.filter((t) => !settings.tables.includes(t));
  const on = settings.retention !== undefined && missing.length === 0;
  if (on)
    return [
      {
        severity: 'note',
        subject: 'change tracking',
        problem: `on: retention ${settings.retention}, auto cleanup ${settings.autoCleanup ? 'on' : 'off'}, tables ${TRACKED_TABLES.join(', ')}${configured ? '' : ' (sage500.changeTracking.enabled is false: not used)'}`,
        remedy: configured ? 'none' : 'set sage500.changeTracking.enabled to read only changed stock and shipments',
      },
    ];
  // Off and not configured: an optional feature not in use, nothing to say.
  if (!configured) return [];
  const state =
    settings.retention === undefined
      ? 'off for the database'
      : `on for the database (retention ${settings.retention}) but off for ${missing.join(', ')}`;
  // Each reading falls back on its own: stock is read in full, shipments by the ShipKey cursor.
  const stockOff = settings.retention === undefined || STOCK_TRACKED_TABLES.some((t) => missing.includes(t));
  const shipmentsOff = settings.retention === undefined || SHIPMENT_TRACKED_TABLES.some((t) => missing.includes(t));
  const effects = [
    ...(stockOff ? ['stock is read in full at every watch'] : []),
    ...(shipmentsOff ? ['shipments are read by the ShipKey cursor'] : []),
  ];
  return [
    {
      severity: 'warning',
      subject: 'change tracking',
      problem: `${state}: ${effects.join('; ')}`,
      remedy:
        'run `sellbridge sage500 install-extensions` (ALTER DATABASE and ALTER TABLE rights), or `--print` it for a DBA',
    },
  ];
}

/**
 * The steps of each gateway method over a small `SageBackend`, in four parts spread together: the item
 * catalogue, sales orders, shipments and GL journals. Every method is wrapped: fault hook first, then driver
 * errors mapped to Sellbridge errors.
 */
export function createGateway(backend: SageBackend, options: GatewayOptions): Sage500Adapter {
  const ctx = createGatewayContext(backend, options);
  const orders = salesOrderMethods(ctx);
  const parts: Omit<Sage500Gateway, 'installExtensions' | 'health' | 'close'> = {
    ...catalogueMethods(ctx),
    ...orders,
    ...shipOrderMethods(ctx, orders.findSalesOrder),
    ...customerReturnMethods(ctx),
    ...shipmentMethods(ctx),
    ...glJournalMethods(ctx),
    ...arCashMethods(ctx),
  };
  const guarded =
    <A extends unknown[], R>(operation: string, fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        await backend.beforeCall?.(operation);
        return await fn(...args);
      } catch (err) {
        throw backend.classify(err, operation);
      }
    };
  const wrapped = Object.fromEntries(
    Object.entries(parts).map(([name, fn]) => [name, guarded(name, fn as (...args: unknown[]) => Promise<unknown>)]),
  ) as typeof parts;
  return {
    ...wrapped,
    installExtensions: guarded('installExtensions', async () => {
      const statements = [...(await backend.installExtensions())];
      // Change tracking is turned on only when configured (it needs ALTER on the database and adds write cost).
      const ct = options.changeTracking;
      if (ct?.enabled) statements.push(...(await backend.changeTracking.enable(ct.retentionDays)));
      return statements;
    }),
    verify: guarded('verify', async () => {
      const { catalog } = await ctx.catalog();
      const facts = await ctx.facts();
      return [
        ...verifyCatalog(
          catalog,
          {
            packageTable: facts.packageTable,
            ...(facts.packageTableFrom ? { packageTableFrom: facts.packageTableFrom } : {}),
          },
          adapterUsage(),
        ),
        ...changeTrackingFindings(await backend.changeTracking.settings(), options.changeTracking?.enabled === true),
      ];
    }),
    proposePackageTables: guarded('proposePackageTables', async () =>
      proposePackageTables(await backend.readTrackingCandidates()),
    ),
    async health() {
      try {
        await backend.beforeCall?.('health');
        return { ok: true, detail: await backend.ping() };
      } catch (err) {
        return { ok: false, detail: backend.classify(err, 'health').message };
      }
    },
    close: () => backend.close(),
  };
}
