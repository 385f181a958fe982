import type { CatalogueItem } from '../transform/sku-resolution.ts';

/**
 * The ERP items an unknown SellerSKU is compared with to suggest up to three candidates (issue 5). Read-only.
 * A port of its own so the flow's deps stay small; `createOrderFlowDeps` implements it with Sage500Gateway.listItems.
 */
export interface ItemCatalogue {
  listItems(): Promise<readonly CatalogueItem[]>;
}
