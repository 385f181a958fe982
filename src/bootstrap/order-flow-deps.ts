import type { Circuit } from '../core/ports/circuit.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { AmazonMarketplace } from '../core/ports/amazon-marketplace.ts';
import type { ItemCatalogue } from '../core/ports/item-catalogue.ts';
import type { JobScheduler } from '../core/ports/job-scheduler.ts';
import type { Sage500Gateway } from '../core/ports/sage500-gateway.ts';
import { DEFAULT_MAPPING_RULES, type MappingRules } from '../core/rules/mapping-rules.ts';
import { tranNoFor } from '../connectors/sage500/tran-no.ts';
import type { OrderFlowDeps } from '../flows/index.ts';
import type { Store } from '../runtime/store/store.ts';
import { storeOrderLinks } from '../connectors/store/order-links.ts';
import { storeShipmentConfirmations } from '../connectors/store/shipment-confirmations.ts';
import { storeSkuAliases } from '../connectors/store/sku-aliases.ts';
import { storeWatermarks } from '../connectors/store/watermarks.ts';

export interface OrderFlowDepsInput {
  readonly store: Store;
  readonly amazon: AmazonMarketplace;
  readonly sage: Sage500Gateway;
  readonly clock: Clock;
  /** The job queue (structurally: anything with enqueue), for the fan-out of shipment confirmations. */
  readonly queue: JobScheduler;
  /** Per-connection mapping rules as they stand now; default DEFAULT_MAPPING_RULES for every connection. */
  readonly rulesFor?: (connectionId: string) => Promise<MappingRules>;
  /** Sage's circuit breaker, asked first by every order job. */
  readonly sageCircuit?: Circuit;
  /** Prefix of reserved TranNos (config sage500.tranNoPrefix). Default `AMZ`. */
  readonly tranNoPrefix?: string;
  /** Where unknown SKUs find suggestions; default: the gateway's `listItems`. */
  readonly catalogue?: ItemCatalogue;
  /** How long a claimed shipment confirmation belongs to its worker; default DEFAULT_SEND_FENCE_MS. */
  readonly sendFenceMs?: number;
}

/** Builds the deps of the order flows from the store and the two connectors (composition, not business). */
export function createOrderFlowDeps(input: OrderFlowDepsInput): OrderFlowDeps {
  const prefix = input.tranNoPrefix ?? 'AMZ';
  const rulesFor = input.rulesFor ?? (async () => DEFAULT_MAPPING_RULES);
  return {
    amazon: input.amazon,
    sage: input.sage,
    links: storeOrderLinks(input.store, input.clock, (n) => tranNoFor(prefix, n)),
    aliases: storeSkuAliases(input.store, input.clock),
    confirmations: storeShipmentConfirmations(input.store, input.clock),
    watermarks: storeWatermarks(input.store, input.clock),
    catalogue: input.catalogue ?? catalogueOf(input.sage),
    jobs: input.queue,
    rulesFor,
    carriersFor: async (connectionId) => (await rulesFor(connectionId)).carriers,
    ...(input.sageCircuit ? { sageCircuit: input.sageCircuit } : {}),
    ...(input.sendFenceMs !== undefined ? { sendFenceMs: input.sendFenceMs } : {}),
  };
}

/** Active Sage items through the gateway's `listItems` (the catalogue unknown-SKU suggestions compare against). */
function catalogueOf(sage: Sage500Gateway): ItemCatalogue {
  return { listItems: () => sage.listItems() };
}
