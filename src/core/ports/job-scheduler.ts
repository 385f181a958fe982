/**
 * The part of the job queue a flow may use to fan work out (a structural subset of runtime's JobQueue, so flows
 * stay free of runtime imports): enqueue with a business key, de-duplicated while pending, optionally delayed.
 */
export interface JobScheduler {
  enqueue(
    queue: string,
    payload: unknown,
    options?: {
      readonly key?: string;
      readonly dedupe?: boolean;
      readonly priority?: number;
      readonly delayMs?: number;
    },
  ): Promise<{ readonly id: string; readonly deduplicated: boolean }>;
}
