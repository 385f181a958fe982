import type { Sage500Gateway } from '../../../core/ports/sage500-gateway.ts';
import { adapterUsage } from '../usage.ts';
import { verifyCatalog, type PackageTableSetting, type VerifyFinding } from '../verify.ts';
import type { GatewayOptions, SageBackend } from './backend.ts';
import { catalogueMethods } from './catalogue.ts';
import { createGatewayContext } from './context.ts';
import { glJournalMethods } from './gl-journals.ts';
import { salesOrderMethods } from './sales-orders.ts';
import { proposePackageTables } from './schema-facts.ts';
import { shipmentMethods } from './shipments.ts';

export type { GatewayOptions, JournalTransaction, SageBackend, SalesOrderImportCall } from './backend.ts';

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

/**
 * The steps of each gateway method over a small `SageBackend`, in four parts spread together: the item
 * catalogue, sales orders, shipments and GL journals. Every method is wrapped: fault hook first, then driver
 * errors mapped to Sellbridge errors.
 */
export function createGateway(backend: SageBackend, options: GatewayOptions): Sage500Adapter {
  const ctx = createGatewayContext(backend, options);
  const parts: Omit<Sage500Gateway, 'installExtensions' | 'health' | 'close'> = {
    ...catalogueMethods(ctx),
    ...salesOrderMethods(ctx),
    ...shipmentMethods(ctx),
    ...glJournalMethods(ctx),
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
    installExtensions: guarded('installExtensions', () => backend.installExtensions()),
    verify: guarded('verify', async () => {
      const { catalog } = await ctx.catalog();
      const facts = await ctx.facts();
      return verifyCatalog(
        catalog,
        {
          packageTable: facts.packageTable,
          ...(facts.packageTableFrom ? { packageTableFrom: facts.packageTableFrom } : {}),
        },
        adapterUsage(),
      );
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
