/**
 * The part of the job queue a flow may use to fan work out (a structural subset of runtime's JobQueue, so flows
 * stay free of runtime imports): enqueue with a business key, de-duplicated while pending.
 */
export interface JobScheduler {
  enqueue(queue: string, payload: unknown, options?: { readonly key?: string; readonly dedupe?: boolean; readonly priority?: number }): Promise<{ readonly id: string; readonly deduplicated: boolean }>;
}
