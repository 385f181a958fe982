import { existsSync } from 'node:fs';
import type { ResolvedConfig } from '../config/schema.ts';
import { effectiveRulesOf } from '../connectors/store/connection-mappings.ts';
import type { MappingRules } from '../core/rules/mapping-rules.ts';
import { systemClock } from '../runtime/clock.ts';
import { migrationLevel } from '../runtime/store/migration-level.ts';
import { openStore, parseStoreUrl, type Store } from '../runtime/store/store.ts';
import { connectionRulesFromConfig } from './order-policies.ts';

/**
 * A connection's mapping as the flows will use it, for `sellbridge connections check` and the check `sellbridge run`
 * does at start (issue 21): sellbridge.yaml with the edits stored through the admin API laid over it, so the check
 * judges what will apply. Opens the store read-only when none is given; a store without migration 0028 (made before
 * mapping edits existed, or not migrated yet) has no edits, and the configuration alone applies. Read-only.
 */
export async function effectiveMappingOf(
  config: ResolvedConfig,
  connectionId: string,
  given?: Store,
): Promise<MappingRules> {
  const configured = connectionRulesFromConfig(config);
  // No store file yet: nothing was ever edited (and a check must not create one).
  const { dialect, path } = parseStoreUrl(config.store.url);
  if (!given && dialect === 'sqlite' && (path === ':memory:' || !existsSync(path))) return configured;
  const store = given ?? openStore(config.store);
  try {
    const level = await migrationLevel(store);
    if (!level.applied.includes('0028-connection-mappings')) return configured;
    return await effectiveRulesOf(store, systemClock, () => configured)(connectionId);
  } finally {
    if (!given) await store.close();
  }
}
