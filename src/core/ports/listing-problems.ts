/** An issue Amazon reports on a listing (getListingsItem `issues`): the cause behind a status or enforcement. */
export interface ListingIssueCause {
  readonly code: string;
  readonly message: string;
  readonly severity: string;
  readonly attributeNames?: readonly string[];
  readonly enforcements?: readonly string[];
}

/** What Amazon last said of a listing's status and issues (LISTINGS_ITEM_STATUS_CHANGE / _ISSUES_CHANGE). */
export interface ListingProblem {
  readonly connectionId: string;
  readonly marketplaceId: string;
  readonly sku: string;
  readonly asin?: string;
  /** BUYABLE / DISCOVERABLE / DELETED as last notified; undefined when no status notification came. */
  readonly statuses?: readonly string[];
  readonly severities?: readonly string[];
  readonly enforcementActions?: readonly string[];
  /** The issues read back from getListingsItem after the notification (the causes); undefined until read. */
  readonly issues?: readonly ListingIssueCause[];
  readonly eventTime: string;
  readonly updatedAt: string;
}

/** The listing problems a connection knows (store table `listing_problems`). */
export interface ListingProblems {
  /** Stores the issues read back for a SKU (the causes of its last notification). */
  recordIssues(
    connectionId: string,
    marketplaceId: string,
    sku: string,
    issues: readonly ListingIssueCause[],
  ): Promise<void>;
  /**
   * SKUs with a problem: not BUYABLE, or an ERROR/WARNING severity, or an enforcement action; `all` lists every
   * SKU a notification spoke of.
   */
  list(
    connectionId: string | undefined,
    options?: { readonly all?: boolean; readonly limit?: number },
  ): Promise<ListingProblem[]>;
}
