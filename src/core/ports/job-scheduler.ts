/**
 * The part of the job queue a flow may use to fan work out (a structural subset of runtime's JobQueue, so flows
 * stay free of runtime imports): enqueue with a business key, de-duplicated while pending, optionally delayed.
 */
export interface JobScheduler {
  enqueue(
    queue: string,
    payload: unknown,
    options?: ScheduleOptions,
  ): Promise<{ readonly id: string; readonly deduplicated: boolean }>;
  /**
   * Several jobs of one queue in one store statement, as `enqueue` one by one in this order; results likewise.
   * Every JobQueue has it; optional here so that fakes of flows that queue one job at a time need not: a flow that
   * batches requires it in its deps (ShipmentFlowDeps).
   */
  enqueueMany?(
    queue: string,
    items: readonly { readonly payload: unknown; readonly options?: ScheduleOptions }[],
  ): Promise<readonly { readonly id: string; readonly deduplicated: boolean }[]>;
}

export interface ScheduleOptions {
  readonly key?: string;
  readonly dedupe?: boolean;
  readonly priority?: number;
  readonly delayMs?: number;
}
