import { fbaReturnsReportsFromClient } from '../connectors/amazon/fba-returns-reports.ts';
import type { SpApiClient } from '../connectors/amazon/sp-api/client.ts';
import { storeOrderLinks } from '../connectors/store/order-links.ts';
import { storeReturnUnits } from '../connectors/store/return-units.ts';
import { storeWatermarks } from '../connectors/store/watermarks.ts';
import { tranNoFor } from '../connectors/sage500/tran-no.ts';
import type { AmazonMarketplace } from '../core/ports/amazon-marketplace.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { FbaReturnsReports } from '../core/ports/fba-returns-reports.ts';
import type { HandlerRegistry } from '../core/ports/handler-registry.ts';
import type { JobScheduler } from '../core/ports/job-scheduler.ts';
import type { Sage500Gateway } from '../core/ports/sage500-gateway.ts';
import {
  FBA_RETURN_RECORD_QUEUE,
  FBA_RETURNS_IMPORT_QUEUE,
  FBA_RETURNS_POLL_QUEUE,
  fbaReturnsPollKey,
  importFbaReturns,
  pollFbaReturns,
  recordFbaReturn,
  type FbaReturnsDeps,
} from '../flows/fba-returns.ts';
import type { Store } from '../runtime/store/store.ts';
import type { FlowWiring } from './wiring.ts';
import { returnModesOf } from './order-policies.ts';

/** Where the first report window starts when there is no watermark (Amazon keeps the data longer). */
export const FBA_RETURNS_LOOKBACK_DAYS = 30;

export interface FbaReturnsDepsInput {
  readonly store: Store;
  readonly clock: Clock;
  readonly queue: JobScheduler;
  readonly amazon: Pick<AmazonMarketplace, 'getOrder'>;
  readonly sage: Pick<Sage500Gateway, 'recordCustomerReturn'>;
  /** The report over the SP-API (or given directly, tests). */
  readonly reports: FbaReturnsReports;
  readonly tranNoPrefix?: string;
}

/** The FBA returns flows' deps from the store and the connectors (composition, not business). */
export function createFbaReturnsDeps(input: FbaReturnsDepsInput): FbaReturnsDeps {
  const prefix = input.tranNoPrefix ?? 'AMZ';
  return {
    reports: input.reports,
    watermarks: storeWatermarks(input.store, input.clock),
    jobs: input.queue,
    clock: input.clock,
    links: storeOrderLinks(input.store, input.clock, (n, p) => tranNoFor(p ?? prefix, n)),
    amazon: input.amazon,
    sage: input.sage,
    returnUnits: storeReturnUnits(input.store, input.clock),
    lookbackDays: FBA_RETURNS_LOOKBACK_DAYS,
  };
}

/** Registers `fba-returns.poll`, `fba-returns.import` and `fba-return.record`; call before `queue.start()`. */
export function registerFbaReturnHandlers(queue: HandlerRegistry, deps: FbaReturnsDeps): void {
  queue.register(FBA_RETURNS_POLL_QUEUE, (payload) => pollFbaReturns(payload, deps));
  queue.register(FBA_RETURNS_IMPORT_QUEUE, (payload) => importFbaReturns(payload, deps));
  queue.register(FBA_RETURN_RECORD_QUEUE, (payload) => recordFbaReturn(payload, deps));
}

/**
 * bootstrap/index.ts's one line for FBA customer returns: with Amazon credentials, the handlers and the
 * `fba-returns.poll` schedule every `orders.fbaReturnsEveryMs`; each poll asks Amazon for the report only while the
 * connection's mode (`orders.fbaReturns`, or its order-policies edit) is `customer-return`.
 */
export function registerFbaReturns(
  w: Pick<
    FlowWiring,
    'config' | 'store' | 'clock' | 'logger' | 'queue' | 'scheduler' | 'amazon' | 'amazonConnector' | 'sage'
  >,
): void {
  const { config } = w;
  if (!config.amazon.refreshToken) {
    if (config.orders.fbaReturns === 'customer-return')
      w.logger.info({}, 'FBA customer returns report off: amazon.refreshToken is not set');
    return;
  }
  const connectionId = config.orders.connectionId;
  // The mode is read at each poll: an order-policies edit turns the report on or off without a restart.
  const mode = returnModesOf(w.store, w.clock, connectionId, config.orders).fbaReturns;
  const clientFor = (): SpApiClient => w.amazonConnector().connection.client;
  const deps = createFbaReturnsDeps({
    store: w.store,
    clock: w.clock,
    queue: w.queue,
    amazon: w.amazon,
    sage: w.sage,
    reports: fbaReturnsReportsFromClient(clientFor, () => config.amazon.marketplaceIds),
    tranNoPrefix: config.sage500.tranNoPrefix,
  });
  const on = async () => (await mode()) === 'customer-return';
  // The handler asks too: a poll queued before an edit turned the mode off does nothing.
  registerFbaReturnHandlers(w.queue, { ...deps, enabled: on });
  w.scheduler.add({
    name: `${FBA_RETURNS_POLL_QUEUE} (${connectionId})`,
    queue: FBA_RETURNS_POLL_QUEUE,
    key: fbaReturnsPollKey(connectionId),
    payload: { connectionId },
    everyMs: config.orders.fbaReturnsEveryMs,
    // Off (the default), a period costs one read of the connection's mode, not a job.
    when: on,
  });
}
