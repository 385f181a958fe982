import type { AmazonRefund } from '../core/transform/refunds-from-settlement.ts';
import { enqueueRefunds } from '../flows/record-refund.ts';
import type { ResolvedConfig } from '../config/schema.ts';
import type { SpApiClient } from '../connectors/amazon/sp-api/client.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { JobScheduler } from '../core/ports/job-scheduler.ts';
import type { Sage500Gateway } from '../core/ports/sage500-gateway.ts';
import {
  DEFAULT_SETTLEMENT_ACCOUNT_RULES,
  invoicedOrderRules,
  settlementAccountRuleOf,
  type SettlementAccountRules,
} from '../core/rules/settlement-accounts.ts';
import type { HandlerRegistry } from '../core/ports/handler-registry.ts';
import { registerSettlementHandlers } from '../flows/index.ts';
import {
  SETTLEMENT_DISCOVER_QUEUE,
  settlementDiscoverKey,
  type SettlementFlowDeps,
  type SettlementSettings,
} from '../flows/settlement.ts';
import { type QuarantineEntry } from '../core/ports/settlement-ledger.ts';
import { type SettlementReports } from '../core/ports/settlement-reports.ts';
import type { Store } from '../runtime/store/store.ts';
import { storeMappingRules } from '../connectors/store/mapping-rules.ts';
import { storeConnectionSyncEdits } from '../connectors/store/connection-sync-edits.ts';
import { storeWorkSightings } from '../connectors/store/work-sightings.ts';
import { storeWatermarks } from '../connectors/store/watermarks.ts';
import { settlementReportsFromClient } from '../connectors/amazon/settlement/settlement-files.ts';
import { storeSettlementLedger } from '../connectors/store/settlement-ledger.ts';
import { recordCashReceipt } from '../connectors/store/settlement-cash.ts';
import { depositConversionFromClient, type DepositQuery } from '../connectors/amazon/settlement/deposit-conversion.ts';
import { DEFAULT_MAPPING_RULES, type MappingRules } from '../core/rules/mapping-rules.ts';
import {
  recordReconciliation,
  settlementForReconciliation,
  settlementPagesForReconciliation,
} from '../connectors/store/settlement-reconciliation.ts';
import type { Money } from '../core/model/money.ts';
import { mappingRulesFromConfig } from './mapping.ts';
import { returnModesOf } from './order-policies.ts';
import { threeWayTally, type ThreeWayDeps } from '../flows/three-way.ts';

export type SettlementConfig = ResolvedConfig['settlements'];

/**
 * The flows' settings from the `settlements` config section: configured rules first, then the accounting model's
 * (`invoiced-orders`: order amounts to the receivable), then the seeded ones.
 */
export function settlementSettingsFromConfig(
  config: SettlementConfig,
  customers: MappingRules['customers'] = DEFAULT_MAPPING_RULES.customers,
): SettlementSettings {
  const custom = config.rules.map(settlementAccountRuleOf);
  const invoiced = config.accountingModel === 'invoiced-orders';
  // Cash applied in Sage: the order money goes to the receipts clearing account; the receipt, once Sage posts it,
  // moves it to the receivable (docs/settlements.md "Cash applied in Sage").
  const cash = invoiced && config.cashApplication.enabled ? config.cashApplication : undefined;
  const model = invoiced
    ? cash
      ? invoicedOrderRules(cash.clearingAccount, {})
      : invoicedOrderRules(config.receivableAccount, config.receivableAccountByCurrency)
    : [];
  const rules: SettlementAccountRules = {
    bankAccount: config.bankClearingAccount,
    bankAccountByCurrency: { ...config.bankAccountByCurrency },
    rules: [...custom, ...model, ...(config.useDefaultRules ? DEFAULT_SETTLEMENT_ACCOUNT_RULES : [])],
    ...(config.suspenseAccount ? { suspenseAccount: config.suspenseAccount } : {}),
  };
  return {
    model: config.accountingModel,
    receivableAccount: config.receivableAccount,
    receivableAccountByCurrency: { ...config.receivableAccountByCurrency },
    rules,
    detail: config.summarize,
    postDate: config.postingDate,
    lookbackDays: config.lookbackDays,
    exchangeRate: {
      source: config.exchangeRate.source,
      ...(config.exchangeRate.schedule ? { schedule: config.exchangeRate.schedule } : {}),
    },
    ...(cash
      ? {
          cashApplication: {
            cashAccount: cash.cashAccount,
            clearingAccount: cash.clearingAccount,
            customerFor: (currency: string) =>
              cash.customerByCurrency[currency.toUpperCase()] ??
              Object.values(customers).find((c) => c.currency === currency.toUpperCase())?.customerId,
          },
        }
      : {}),
  };
}

export interface SettlementDepsInput {
  readonly store: Store;
  /** With `salesOrderTotalsOf`, a settlement a job posts is reconciled three ways right after. */
  readonly sage: Pick<Sage500Gateway, 'postJournal'> &
    Partial<Pick<Sage500Gateway, 'exchangeRate' | 'enterCashReceipt' | 'invoicesOfOrders' | 'salesOrderTotalsOf'>>;
  readonly clock: Clock;
  /** The job queue (structurally: anything with enqueue), for discovery's fan-out. */
  readonly queue: JobScheduler;
  readonly config: SettlementConfig;
  /** SP-API client of a connection; or `reports` directly (tests). One of the two is needed for discovery. */
  readonly clientFor?: (connectionId: string) => SpApiClient;
  readonly reports?: SettlementReports;
  /** Told when the reconciliation after a job's import fails (bootstrap: a warn log line). */
  readonly onReconcileError?: (settlementId: string, error: unknown) => void;
  /** Told when a settlement's cash receipt could not be entered (bootstrap: a warn log line). */
  readonly onCashReceiptError?: (settlementId: string, message: string) => void;
  /** Alert hook for quarantined files (bootstrap: a warn log line naming the source and code). */
  readonly onQuarantine?: (entry: QuarantineEntry & { readonly id: string }) => void;
  /** `orders.refunds`: `customer-return` queues one `refund.record` job per refund an imported settlement holds. */
  readonly refunds?: 'off' | 'customer-return';
  /** The refunds mode as it stands at each import (an order-policies edit, bootstrap/order-policies.ts); wins over `refunds`. */
  readonly refundsNow?: () => Promise<'off' | 'customer-return'>;
  /** The order mapping's customers (orders.customers): cash receipts of a currency go to its customer. */
  readonly customers?: MappingRules['customers'];
  /**
   * The connection whose stored edits apply (its engine's, orders.connectionId; the admin API keeps edits under it);
   * unset = the job's connectionId.
   */
  readonly editsConnectionId?: string;
}

/** Builds the settlement flows' deps from the store and the connectors (composition, not business). */
export function createSettlementDeps(input: SettlementDepsInput): SettlementFlowDeps {
  const settings = settlementSettingsFromConfig(input.config, input.customers);
  const storedRules = storeMappingRules(input.store, input.clock);
  const syncEdits = storeConnectionSyncEdits(input.store, input.clock);
  const editsOf = (connectionId: string) => input.editsConnectionId ?? connectionId;

  const numberFormat = input.config.numberFormat;
  const reports: SettlementReports =
    input.reports ??
    (input.clientFor
      ? settlementReportsFromClient(input.clientFor, { numberFormat })
      : {
          list: async () => ({ reports: [] }),
          open: async () => {
            throw new Error('settlement reports: no SP-API client configured');
          },
        });
  const deps: SettlementFlowDeps = {
    sage: input.sage,
    ledger: storeSettlementLedger(input.store, input.clock),
    reports,
    watermarks: storeWatermarks(input.store, input.clock),
    jobs: input.queue,
    clock: input.clock,
    settingsFor: () => settings,
    // Operator-edited GL rules (mapping_rules, admin API) go before the configured/seeded ones; importSettlement
    // reads them from the store at the start of every import, so an edit needs no restart.
    storedGlRules: (connectionId) => storedRules.glRules(editsOf(connectionId)),
    // The bank / clearing accounts stored per connection (admin API `settlement-gl`), read the same way.
    storedSettlementGl: async (connectionId) => (await syncEdits.edits(editsOf(connectionId)))['settlement-gl'] ?? [],
    sightings: storeWorkSightings(input.store, input.clock),
    ...(input.clientFor
      ? {
          depositConversion: (connectionId: string, deposit: DepositQuery) =>
            depositConversionFromClient(input.clientFor!(connectionId))(deposit),
        }
      : {}),
    onCashReceipt: (connectionId, settlementId, receipt) =>
      recordCashReceipt(input.store, input.clock, connectionId, settlementId, receipt),
    ...(input.onQuarantine ? { onQuarantine: input.onQuarantine } : {}),
    ...(input.refundsNow || input.refunds === 'customer-return'
      ? {
          onRefunds: async (connectionId: string, refunds: readonly AmazonRefund[]) => {
            const mode = input.refundsNow ? await input.refundsNow() : input.refunds;
            if (mode === 'customer-return') await enqueueRefunds(input.queue, connectionId, refunds);
          },
          refundsWanted: async () =>
            (input.refundsNow ? await input.refundsNow() : input.refunds) === 'customer-return',
        }
      : {}),
    ...(input.sage.salesOrderTotalsOf
      ? {
          // After a job's import only the totals are kept (the audit entry): the orders are read in pages.
          reconcile: (connectionId: string, settlementId: string) =>
            threeWayTally(
              connectionId,
              settlementId,
              createThreeWayDeps({
                store: input.store,
                clock: input.clock,
                sage: input.sage as ThreeWayDeps['sage'],
                readInvoices: input.config.accountingModel === 'invoiced-orders',
              }),
            ),
        }
      : {}),
    ...(input.onReconcileError ? { onReconcileError: input.onReconcileError } : {}),
    ...(input.onCashReceiptError ? { onCashReceiptError: input.onCashReceiptError } : {}),
  };
  return deps;
}

/**
 * The three-way reconciliation's deps: the store's settlement and per-order sums, Sage's sales orders, the bank
 * deposits given (`sellbridge settlements reconcile --three-way --bank file.csv`), each result kept for the metric.
 */
export function createThreeWayDeps(input: {
  readonly store: Store;
  readonly clock: Clock;
  readonly sage: ThreeWayDeps['sage'];
  readonly bankDeposit?: (settlementId: string) => Money | undefined;
  /** `invoiced-orders`: Sage's side is its invoices (see ThreeWayDeps.readInvoices). */
  readonly readInvoices?: boolean;
}): ThreeWayDeps {
  return {
    settlement: (connectionId, settlementId) => settlementForReconciliation(input.store, connectionId, settlementId),
    settlementPages: (connectionId, settlementId) =>
      settlementPagesForReconciliation(input.store, connectionId, settlementId),
    sage: input.sage,
    ...(input.readInvoices ? { readInvoices: true } : {}),
    ...(input.bankDeposit ? { bankDeposit: input.bankDeposit } : {}),
    onReconciled: (connectionId, result) => recordReconciliation(input.store, input.clock, connectionId, result),
  };
}

/** Registers `settlement.discover` and `settlement.import` on the queue; call before `queue.start()`. */
export function registerSettlementFlows(queue: HandlerRegistry, deps: SettlementFlowDeps): void {
  registerSettlementHandlers(queue, deps);
}

/** The connection settlements are kept under: settlements.connectionId, else orders.connectionId. */
export function settlementConnectionId(config: Pick<ResolvedConfig, 'settlements' | 'orders'>): string {
  return config.settlements.connectionId ?? config.orders.connectionId;
}

/** The discovery schedule for runtime/scheduler.ts (`scheduler.add(settlementDiscoverySchedule(config, id))`). */
export function settlementDiscoverySchedule(config: SettlementConfig, connectionId: string) {
  return {
    name: `${SETTLEMENT_DISCOVER_QUEUE} (${connectionId})`,
    queue: SETTLEMENT_DISCOVER_QUEUE,
    key: settlementDiscoverKey(connectionId),
    payload: { connectionId },
    everyMs: config.discoveryEveryMs,
  } as const;
}

/** What bootstrap's FlowWiring offers that the settlement flows use (structural). */
export interface SettlementWiringInput {
  readonly config: Pick<ResolvedConfig, 'settlements' | 'orders'>;
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: { warn(obj: object, msg: string): void };
  readonly queue: JobScheduler & HandlerRegistry;
  readonly scheduler: { add(schedule: ReturnType<typeof settlementDiscoverySchedule>): void };
  readonly amazonConnector: () => { readonly connection: { readonly client: SpApiClient } };
  readonly sage: Pick<
    Sage500Gateway,
    'postJournal' | 'findSalesOrder' | 'exchangeRate' | 'enterCashReceipt' | 'invoicesOfOrders' | 'salesOrderTotalsOf'
  >;
}

/**
 * bootstrap/index.ts's one line for the settlement flows: registers `settlement.discover` and `settlement.import`, and (when
 * settlements.enabled) the discovery schedule. A quarantined file is logged as a warning (the alert; the job's dead
 * letter carries the diagnosis).
 */
export function registerSettlements(w: SettlementWiringInput): { deps: SettlementFlowDeps; connectionId: string } {
  const connectionId = settlementConnectionId(w.config);
  const deps = createSettlementDeps({
    store: w.store,
    sage: w.sage,
    clock: w.clock,
    queue: w.queue,
    config: w.config.settlements,
    refunds: w.config.orders.refunds,
    refundsNow: returnModesOf(w.store, w.clock, w.config.orders.connectionId, w.config.orders).refunds,
    customers: mappingRulesFromConfig(w.config.orders).customers,
    editsConnectionId: w.config.orders.connectionId,
    clientFor: () => w.amazonConnector().connection.client,
    onReconcileError: (settlementId, err) =>
      w.logger.warn(
        { settlementId, error: err instanceof Error ? err.message : String(err) },
        `settlement ${settlementId} posted; its three-way reconciliation failed (run sellbridge settlements reconcile --three-way ${settlementId})`,
      ),
    onCashReceiptError: (settlementId, message) =>
      w.logger.warn(
        { settlementId, error: message },
        `settlement ${settlementId} posted; its cash receipt in Sage was not entered (the next import of it tries again)`,
      ),
    onQuarantine: (e) =>
      w.logger.warn(
        {
          quarantineId: e.id,
          source: e.source,
          settlementId: e.settlementId ?? null,
          code: e.code,
          issues: e.issues.length,
        },
        `settlement file ${e.source} quarantined: ${e.code}`,
      ),
  });
  registerSettlementFlows(w.queue, deps);
  if (w.config.settlements.enabled) w.scheduler.add(settlementDiscoverySchedule(w.config.settlements, connectionId));
  return { deps, connectionId };
}
