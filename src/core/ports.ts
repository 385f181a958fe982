/**
 * Interfaces the flows need (STYLE.md §8.2), one file each under `ports/`. Canonical terms only: no mssql,
 * Kysely or SP-API type may appear in them. Connectors implement them; `bootstrap.ts` wires them in.
 * The job queue port lives in `runtime/queue/job-queue.ts`: it is machinery, not business.
 */
export type { Clock } from './ports/clock.ts';
export type * from './ports/sage500-gateway.ts';
export type { AmazonMarketplace, OrderSearch, PackageShipment } from './ports/amazon-marketplace.ts';
export type { OrderLink, OrderLinks, OrderLinkUpdate } from './ports/order-links.ts';
export type { SkuAliasSource } from './ports/sku-alias-source.ts';
export type { ItemCatalogue } from './ports/item-catalogue.ts';
export type * from './ports/shipment-confirmations.ts';
export type { Watermarks } from './ports/watermarks.ts';
export type { JobScheduler } from './ports/job-scheduler.ts';
