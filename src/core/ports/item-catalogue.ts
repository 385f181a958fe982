import type { CatalogueItem } from '../transform/sku-resolution.ts';

/**
 * The ERP items an unknown SellerSKU is compared with to suggest up to three candidates (issue 5). Read-only.
 * The Sage500Gateway port has no catalogue listing yet; the deps factory implements this beside it.
 */
export interface ItemCatalogue {
  listItems(): Promise<readonly CatalogueItem[]>;
}
