/** What to do with orders Amazon fulfils itself (FBA/AFN): ignore them, or book them as shipped from an FBA warehouse. */
export type FbaPolicy = { readonly mode: 'skip' } | { readonly mode: 'record-shipped'; readonly warehouseId: string };

export interface StatusPolicy {
  readonly fba: FbaPolicy;
}

export const DEFAULT_STATUS_POLICY: StatusPolicy = { fba: { mode: 'skip' } };
