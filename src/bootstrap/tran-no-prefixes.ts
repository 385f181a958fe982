import type { ResolvedConfig } from '../config/schema.ts';
import { sageServerKey } from '../connectors/sage500/server-identity.ts';
import type { ConnectionMappingStore } from '../connectors/store/connection-mappings.ts';
import type { OrderPolicyEdit } from '../core/rules/order-policies.ts';
export { prefixTakenProblem } from '../core/rules/order-policies.ts';

/**
 * Each connection keeps its own TranNo counter (tran_no_sequences), so two connections that book into one Sage company
 * with one prefix would reserve the same sales order numbers: every second order would end in SB_SAGE_TRANNO_TAKEN and
 * the dead-letter queue. A prefix is therefore held by one connection per Sage company (its server and CompanyID).
 */
export interface PrefixHolder {
  readonly id: string;
  /** sageCompanyOf: the Sage server key and the CompanyID. */
  readonly company: string;
  readonly prefix: string;
}

/** The Sage company a connection books into: its server (no secret in it) and its CompanyID. */
export const sageCompanyOf = (config: ResolvedConfig, connectionId: string): string =>
  `${sageServerKey(config.sage500, connectionId)}#${config.sage500.companyId.trim().toUpperCase()}`;

/** The prefix a connection reserves TranNos with now: its order-policies edit, else sage500.tranNoPrefix. */
export async function effectivePrefix(
  edits: Pick<ConnectionMappingStore, 'get'>,
  config: ResolvedConfig,
  connectionId: string,
): Promise<string> {
  const row = (await edits.get(connectionId, 'order-policies')).rows[0] as OrderPolicyEdit | undefined;
  return row?.tranNoPrefix || config.sage500.tranNoPrefix;
}

/** The connection other than `id` that holds `prefix` in `company`, if any. */
export const prefixHolder = (
  holders: readonly PrefixHolder[],
  id: string,
  company: string,
  prefix: string,
): string | undefined =>
  holders.find((h) => h.id !== id && h.company === company && h.prefix.toUpperCase() === prefix.toUpperCase())?.id;
