import type { ResolvedConfig } from '../config/schema.ts';
import type { SpApiClient } from '../connectors/amazon/sp-api/client.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { JobScheduler } from '../core/ports/job-scheduler.ts';
import type { Sage500Gateway } from '../core/ports/sage500-gateway.ts';
import { DEFAULT_SETTLEMENT_ACCOUNT_RULES, SETTLEMENT_ACCOUNTS, type SettlementAccountRules } from '../core/rules/settlement-accounts.ts';
import {
  registerSettlementHandlers,
  SETTLEMENT_DISCOVER_QUEUE,
  settlementDiscoverKey,
  type QuarantineEntry,
  type SettlementFlowDeps,
  type SettlementHandlerRegistry,
  type SettlementReports,
  type SettlementSettings,
} from '../flows/settlement.ts';
import type { Store } from '../runtime/store/store.ts';
import { storeWatermarks } from './order-flow-store.ts';
import { settlementReportsFromClient } from './settlement-files.ts';
import { storeSettlementLedger } from './settlement-store.ts';

export type SettlementConfig = ResolvedConfig['settlements'];

/** The flows' settings from the `settlements` config section: configured rules first, then the seeded ones. */
export function settlementSettingsFromConfig(config: SettlementConfig): SettlementSettings {
  const custom = config.rules.map((r) => ({
    transactionType: r.transactionType, amountType: r.amountType, amountDescription: r.amountDescription, account: r.account, label: r.label,
    ...(r.marketplace ? { marketplace: r.marketplace } : {}), ...(r.currency ? { currency: r.currency } : {}),
  }));
  const rules: SettlementAccountRules = {
    bankAccount: config.bankClearingAccount,
    bankAccountByCurrency: { ...config.bankAccountByCurrency },
    rules: [...custom, ...(config.useDefaultRules ? DEFAULT_SETTLEMENT_ACCOUNT_RULES : [])],
    ...(config.suspenseAccount ? { suspenseAccount: config.suspenseAccount } : {}),
  };
  return { rules, detail: config.summarize, postDate: config.postingDate, lookbackDays: config.lookbackDays };
}

export interface SettlementDepsInput {
  readonly store: Store;
  readonly sage: Pick<Sage500Gateway, 'postJournal'>;
  readonly clock: Clock;
  /** The job queue (structurally: anything with enqueue), for discovery's fan-out. */
  readonly queue: JobScheduler;
  readonly config: SettlementConfig;
  /** SP-API client of a connection; or `reports` directly (tests). One of the two is needed for discovery. */
  readonly clientFor?: (connectionId: string) => SpApiClient;
  readonly reports?: SettlementReports;
  /** Alert hook for quarantined files (bootstrap: a warn log line naming the source and code). */
  readonly onQuarantine?: (entry: QuarantineEntry & { readonly id: string }) => void;
}

/** Builds the settlement flows' deps from the store and the connectors (composition, not business). */
export function createSettlementDeps(input: SettlementDepsInput): SettlementFlowDeps {
  const settings = settlementSettingsFromConfig(input.config);
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
  return {
    sage: input.sage,
    ledger: storeSettlementLedger(input.store, input.clock),
    reports,
    watermarks: storeWatermarks(input.store, input.clock),
    jobs: input.queue,
    clock: input.clock,
    settingsFor: () => settings,
    ...(input.onQuarantine ? { onQuarantine: input.onQuarantine } : {}),
  };
}

/** Registers `settlement.discover` and `settlement.import` on the queue; call before `queue.start()`. */
export function registerSettlementFlows(queue: SettlementHandlerRegistry, deps: SettlementFlowDeps): void {
  registerSettlementHandlers(queue, deps);
}

/** The discovery schedule for runtime/scheduler.ts (`scheduler.add(settlementDiscoverySchedule(config))`). */
export function settlementDiscoverySchedule(config: SettlementConfig) {
  return {
    name: SETTLEMENT_DISCOVER_QUEUE,
    queue: SETTLEMENT_DISCOVER_QUEUE,
    key: settlementDiscoverKey(config.connectionId),
    payload: { connectionId: config.connectionId },
    everyMs: config.discoveryEveryMs,
  } as const;
}

/** The clearing account the defaults use (for messages and docs). */
export const DEFAULT_CLEARING_ACCOUNT = SETTLEMENT_ACCOUNTS.clearing;
