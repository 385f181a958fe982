import type { Kysely } from 'kysely';
import type { Migration, MigrationProvider } from 'kysely/migration';
import * as m0001 from './0001-foundation.ts';
import * as m0002 from './0002-rate-buckets.ts';
import * as m0003 from './0003-inbox.ts';
import * as m0004 from './0004-listings.ts';
import * as m0005 from './0005-order-links.ts';
import * as m0006 from './0006-order-sightings.ts';
import * as m0007 from './0007-settlements.ts';
import * as m0008 from './0008-listing-sync.ts';
import * as m0009 from './0009-admin-auth.ts';
import * as m0010 from './0010-pii-vault.ts';
import * as m0011 from './0011-mapping-rules.ts';
import * as m0013 from './0013-token-names-unique.ts';
import * as m0014 from './0014-dead-letter-per-key.ts';
import * as m0015 from './0015-notification-handlers.ts';
import * as m0019 from './0019-agents.ts';
import * as m0017 from './0017-order-fittings-and-hand-links.ts';
import * as m0016 from './0016-settlement-order-kinds.ts';
import * as m0023 from './0023-order-changes.ts';
import * as m0024 from './0024-customer-return-units.ts';
import * as m0026 from './0026-engine-status.ts';
import * as m0027 from './0027-connection-registry.ts';
import * as m0028 from './0028-connection-mappings.ts';
import * as m0029 from './0029-amazon-authorization.ts';
import * as m0030 from './0030-throughput-by-connection.ts';
import * as m0031 from './0031-sku-alias-keys.ts';
import * as m0033 from './0033-jobs-next.ts';
import * as m0034 from './0034-link-ship-by.ts';
import * as m0035 from './0035-link-created-from.ts';

import type { StoreDialect } from './types.ts';

interface StoreMigration {
  up(db: Kysely<unknown>, dialect: StoreDialect): Promise<void>;
}

/**
 * Versioned migrations, in code so they ship inside the package. One file per migration, named
 * `NNNN-what.ts`; never edit a released one, add the next and list it here.
 */
const MIGRATIONS: Record<string, StoreMigration> = {
  '0001-foundation': m0001,
  '0002-rate-buckets': m0002,
  '0003-inbox': m0003,
  '0004-listings': m0004,
  '0005-order-links': m0005,
  '0006-order-sightings': m0006,
  '0007-settlements': m0007,
  '0008-listing-sync': m0008,
  '0009-admin-auth': m0009,
  '0010-pii-vault': m0010,
  '0011-mapping-rules': m0011,
  '0013-token-names-unique': m0013,
  '0014-dead-letter-per-key': m0014,
  '0015-notification-handlers': m0015,
  '0019-agents': m0019,
  '0017-order-fittings-and-hand-links': m0017,
  '0016-settlement-order-kinds': m0016,
  '0023-order-changes': m0023,
  '0024-customer-return-units': m0024,
  '0026-engine-status': m0026,
  '0027-connection-registry': m0027,
  '0028-connection-mappings': m0028,
  '0029-amazon-authorization': m0029,
  '0030-throughput-by-connection': m0030,
  '0031-sku-alias-keys': m0031,
  '0033-jobs-next': m0033,
  '0034-link-ship-by': m0034,
  '0035-link-created-from': m0035,
};

/** The migration names this binary knows, oldest first. */
export const MIGRATION_NAMES: readonly string[] = Object.keys(MIGRATIONS).sort();

/** `upTo`: apply only the migrations up to and including this name (tests of upgrades from an older store). */
export function migrationProvider(dialect: StoreDialect, upTo?: string): MigrationProvider {
  return {
    getMigrations: async () =>
      Object.fromEntries(
        Object.entries(MIGRATIONS)
          .filter(([name]) => upTo === undefined || name <= upTo)
          .map(([name, m]): [string, Migration] => [name, { up: (db) => m.up(db, dialect) }]),
      ),
  };
}
