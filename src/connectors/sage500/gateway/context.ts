import type { Catalog } from '../catalog.ts';
import { adapterUsage } from '../usage.ts';
import { verifyObjectNames } from '../verify.ts';
import type { GatewayOptions, SageBackend } from './backend.ts';
import { schemaFactsFrom, type SchemaFacts } from './schema-facts.ts';

/** What every part of the gateway shares: the backend, the options, and the catalog facts read once. */
export interface GatewayContext {
  readonly backend: SageBackend;
  readonly options: GatewayOptions;
  readonly co: string;
  /** The catalog of every object the adapter uses (and tracking candidates when no package table is configured). */
  catalog(): Promise<{ catalog: Catalog; candidates: Catalog | undefined }>;
  facts(): Promise<SchemaFacts>;
}

export function createGatewayContext(backend: SageBackend, options: GatewayOptions): GatewayContext {
  let read: Promise<{ catalog: Catalog; candidates: Catalog | undefined }> | undefined;
  const catalog = () => {
    read ??= (async () => {
      const own = await backend.readCatalog(verifyObjectNames(adapterUsage(), options.packageTable));
      const candidates = options.packageTable ? undefined : await backend.readTrackingCandidates();
      // The candidates' columns join the catalog, so a discovered package table is verified like a configured one.
      const known = new Set(own.objects.map((o) => o.name));
      const extra = candidates
        ? {
            objects: candidates.objects.filter((o) => !known.has(o.name)),
            columns: candidates.columns.filter((c) => !known.has(c.object)),
          }
        : { objects: [], columns: [] };
      return {
        catalog: {
          objects: [...own.objects, ...extra.objects],
          columns: [...own.columns, ...extra.columns],
          parameters: own.parameters,
        },
        candidates,
      };
    })();
    // A failed read (Sage unavailable) is not kept: the next call reads again.
    read.catch(() => (read = undefined));
    return read;
  };
  return {
    backend,
    options,
    co: options.companyId,
    catalog,
    async facts() {
      const { catalog: c, candidates } = await catalog();
      return schemaFactsFrom(c, options.packageTable, options.packageTableFrom, candidates);
    },
  };
}
