import type { Expression, SqlBool } from 'kysely';
import { SellbridgeError } from '../core/errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { EnqueueOptions, JobHandler, JobQueue } from '../runtime/queue/job-queue.ts';

/** The connection a job belongs to: its payload's `connectionId`; a job without one (queued before issue 21) is `default`. */
export function connectionIdOfPayload(payload: unknown): string {
  const id =
    typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>)['connectionId'] : undefined;
  return typeof id === 'string' && id.trim() !== '' ? id.trim() : DEFAULT_CONNECTION_ID;
}

export const DEFAULT_CONNECTION_ID = 'default';

/**
 * The connection a job key names: `<id>/...` for a connection other than `default` (see `scoped` below), when `known`
 * says `<id>` is one; `default` otherwise (a job event carries the key, not the payload).
 */
export function connectionIdOfKey(key: string, known: (id: string) => boolean): string {
  const slash = key.indexOf('/');
  const id = slash > 0 ? key.slice(0, slash) : '';
  return id && known(id) ? id : DEFAULT_CONNECTION_ID;
}

/** Whether a connection's jobs may run now; when not, the reason each waiting job carries. */
export type ConnectionGate = (
  connectionId: string,
) => { readonly runs: true } | { readonly runs: false; readonly reason: string };

/**
 * The one job queue of the process shared by every connection (issue 21): each queue name is registered once on the
 * real queue with a dispatcher that hands a job to the handler its connection registered (`payload.connectionId`,
 * `default` when absent). A job of a paused, unchecked, removed or unknown connection waits (SB_CONNECTION_WAITING,
 * no attempt spent) with the reason. Each connection's engine gets a `scoped` view: its enqueues carry its id in
 * the payload and, for any connection but `default` (whose keys stay as they were, so pending jobs of an older
 * store still de-duplicate), in the job key.
 */
export interface QueueRouter {
  scoped(connectionId: string): JobQueue;
  /** Drops a connection's handlers (its jobs then wait as `unknown`). */
  remove(connectionId: string): void;
  /** The real queue started: a queue name registered later gets its worker when it is registered. */
  markStarted(): void;
}

export function createQueueRouter(
  queue: JobQueue,
  gate: ConnectionGate,
  logger: Logger,
  waitMs: () => number = () => 15_000,
): QueueRouter {
  const handlers = new Map<string, Map<string, JobHandler>>();
  let started = false;
  const dispatcher =
    (name: string): JobHandler =>
    async (payload, context) => {
      const id = connectionIdOfPayload(payload);
      const open = gate(id);
      const handler = handlers.get(name)?.get(id);
      if (!open.runs || !handler)
        throw new SellbridgeError(
          'SB_CONNECTION_WAITING',
          `${name} job of connection ${id} waits: ${open.runs ? 'the connection does not run in this process' : open.reason}`,
          { retryAfterMs: waitMs(), context: { connectionId: id, queue: name } },
        );
      return handler(payload, context);
    };
  return {
    scoped(connectionId) {
      const keyed = connectionId !== DEFAULT_CONNECTION_ID;
      const withId = (payload: unknown): unknown =>
        keyed && typeof payload === 'object' && payload !== null && !Array.isArray(payload)
          ? { ...(payload as Record<string, unknown>), connectionId }
          : payload;
      const withKey = (options: EnqueueOptions | undefined): EnqueueOptions | undefined =>
        keyed && options?.key !== undefined && !options.key.startsWith(`${connectionId}/`)
          ? { ...options, key: `${connectionId}/${options.key}` }
          : options;
      return {
        engine: queue.engine,
        enqueue: (name, payload, options) => queue.enqueue(name, withId(payload), withKey(options)),
        ...(queue.enqueueIf
          ? {
              enqueueIf: (
                name: string,
                payload: unknown,
                options: Omit<EnqueueOptions, 'tx'>,
                guard: Expression<SqlBool>,
              ) => queue.enqueueIf!(name, withId(payload), withKey(options) ?? {}, guard),
            }
          : {}),
        enqueueMany: (name, items, options) =>
          queue.enqueueMany(
            name,
            items.map((i) => ({ payload: withId(i.payload), ...(i.options ? { options: withKey(i.options) } : {}) })),
            options,
          ),
        register(name, handler, options) {
          let byConnection = handlers.get(name);
          if (!byConnection) {
            byConnection = new Map();
            handlers.set(name, byConnection);
            if (started)
              logger.info(
                { queue: name, connectionId },
                `queue ${name} is new to this running worker: its worker starts`,
              );
            queue.register(name, dispatcher(name), options);
          }
          byConnection.set(connectionId, handler);
        },
        async start() {
          started = true;
          await queue.start();
        },
        stop: (options) => queue.stop(options),
        getJob: (id) => queue.getJob(id),
        listJobs: (filter) => queue.listJobs(filter),
        counts: (filter) => queue.counts(filter),
        onEvent: (listener) => queue.onEvent(listener),
      };
    },
    markStarted() {
      started = true;
    },
    remove(connectionId) {
      for (const byConnection of handlers.values()) byConnection.delete(connectionId);
    },
  };
}
