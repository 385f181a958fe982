import type { SkuAliases } from '../rules/sku-aliases.ts';

/** The per-connection SellerSKU -> Sage ItemID alias table an operator maintains (store table `sku_aliases`). */
export interface SkuAliasSource {
  aliasesFor(connectionId: string): Promise<SkuAliases>;
  /** Adds or replaces one alias. */
  setAlias(connectionId: string, sellerSku: string, itemId: string): Promise<void>;
}
