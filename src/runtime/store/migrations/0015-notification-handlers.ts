import type { Kysely } from 'kysely';
import type { StoreDialect } from './types.ts';

/**
 * Every SP-API notification type gets a handler:
 * - `inbox.event_time` (Amazon's EventTime) and `inbox.outcome` (`handled`, `ignored`: about nothing of ours,
 *   `unhandled`: a type without a handler, acknowledged and counted) feed the notification lag and count metrics;
 * - `listing_problems`: what LISTINGS_ITEM_STATUS_CHANGE / LISTINGS_ITEM_ISSUES_CHANGE said of a SKU, with the
 *   issues read back from getListingsItem (the causes);
 * - `fba_stock`: FBA availability per SKU and marketplace from FBA_INVENTORY_AVAILABILITY_CHANGES, for
 *   reconciliation;
 * - `work_sightings`: which path found a unit of work first (`event` or `poll`), per kind (feed, report, ...):
 *   the push-miss share for every kind (orders keep `order_sightings`).
 */
export async function up(db: Kysely<unknown>, _dialect: StoreDialect): Promise<void> {
  await db.schema.alterTable('inbox').addColumn('event_time', 'text').execute();
  await db.schema.alterTable('inbox').addColumn('outcome', 'text').execute();
  await db.schema.createIndex('inbox_processed').on('inbox').columns(['processed_at']).execute();
  await db.schema
    .createTable('listing_problems')
    .addColumn('connection_id', 'text', (c) => c.notNull())
    .addColumn('marketplace_id', 'text', (c) => c.notNull())
    .addColumn('sku', 'text', (c) => c.notNull())
    .addColumn('asin', 'text')
    .addColumn('statuses', 'text')
    .addColumn('severities', 'text')
    .addColumn('enforcement_actions', 'text')
    .addColumn('issues', 'text')
    .addColumn('event_time', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('listing_problems_pk', ['connection_id', 'marketplace_id', 'sku'])
    .execute();
  await db.schema
    .createTable('fba_stock')
    .addColumn('connection_id', 'text', (c) => c.notNull())
    .addColumn('marketplace_id', 'text', (c) => c.notNull())
    .addColumn('sku', 'text', (c) => c.notNull())
    .addColumn('fnsku', 'text')
    .addColumn('fulfillable', 'integer', (c) => c.notNull())
    .addColumn('inbound', 'integer', (c) => c.notNull())
    .addColumn('reserved', 'integer', (c) => c.notNull())
    .addColumn('unfulfillable', 'integer', (c) => c.notNull())
    .addColumn('event_time', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('fba_stock_pk', ['connection_id', 'marketplace_id', 'sku'])
    .execute();
  await db.schema
    .createTable('work_sightings')
    .addColumn('connection_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('first_via', 'text', (c) => c.notNull())
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('work_sightings_pk', ['connection_id', 'kind', 'subject'])
    .execute();
  await db.schema.createIndex('work_sightings_seen').on('work_sightings').columns(['first_seen_at']).execute();
}
