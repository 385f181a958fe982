/**
 * SellerSKU -> Sage ItemID aliases kept by Sellbridge per connection (Celigo-style item aliases, ANCHORS.md
 * §3). Sage's own aliases (timItemAlias) and UPCs are resolved by the gateway; this table covers SKUs Sage
 * does not know. Keys are matched exactly first, then case- and whitespace-insensitively.
 */
export type SkuAliases = Readonly<Record<string, string>>;

export const DEFAULT_SKU_ALIASES: SkuAliases = {};
