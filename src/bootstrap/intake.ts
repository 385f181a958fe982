import type { Expression, SqlBool } from 'kysely';
import type { ResolvedConfig } from '../config/schema.ts';
import { createSqsClient, createSqsNotificationConsumer } from '../connectors/amazon/notifications/sqs-consumer.ts';
import type { Logger } from '../observability/logger.ts';
import type { Clock } from '../core/ports/clock.ts';
import { systemClock } from '../runtime/clock.ts';
import { isSellbridgeError } from '../core/errors.ts';
import type { Inbox, InboxEntry, InboxTx } from '../runtime/inbox/inbox.ts';
import type { JobQueue } from '../runtime/queue/job-queue.ts';
import { ORDER_SYNC_QUEUE } from '../flows/index.ts';
import { enqueueOrderSync, orderSyncJobOptions } from './orders.ts';

/** The inbox kind of an order notification (NotificationType). */
export const ORDER_CHANGE = 'ORDER_CHANGE';

/** The Amazon order id of an ORDER_CHANGE inbox entry (its subject is `order:<id>`), or undefined for anything else. */
export function orderIdOf(entry: Pick<InboxEntry, 'kind' | 'subject'>): string | undefined {
  if (entry.kind !== ORDER_CHANGE || !entry.subject?.startsWith('order:')) return undefined;
  const id = entry.subject.slice('order:'.length).trim();
  return id === '' ? undefined : id;
}

/** What a handler is given: the accepted row's transaction, its id and the connection it belongs to. */
export interface NotificationContext<T> {
  readonly tx: InboxTx;
  readonly inboxId: string;
  readonly entry: InboxEntry;
  readonly connectionId: string;
  readonly payload: T;
  readonly now: Date;
}

/**
 * The handler of one notification type. `parse` reads and checks the document (Amazon's schema: a missing or
 * mistyped field throws SB_AMZ_NOTIFICATION_INVALID and the entry is kept `rejected` with the reason); `apply`
 * runs in the inbox row's transaction and queues the follow-up work there, so an acknowledged notification always
 * has its work (ARCHITECTURE.md principle 6). It says whether the notification was about something of ours.
 */
export interface NotificationHandler<T = unknown> {
  parse(document: unknown): T;
  apply(ctx: NotificationContext<T>): Promise<'handled' | 'ignored'>;
  /**
   * The same work as one write guarded by `guard` ("the inbox row is not there yet": Inbox.acceptGuarded), without
   * a transaction; present only when the handler can (its queue has `enqueueIf`: SQLite). Issue 15: the intake's
   * BEGIN, job, row and COMMIT become job and row.
   */
  applyGuarded?(ctx: GuardedNotificationContext<T>): Promise<'handled' | 'ignored'>;
}

/** What `applyGuarded` is given: no transaction and no row id (the row is inserted after the work). */
export interface GuardedNotificationContext<T> extends Omit<NotificationContext<T>, 'tx' | 'inboxId'> {
  readonly guard: Expression<SqlBool>;
}

export type NotificationHandlers = Readonly<Record<string, NotificationHandler>>;

/** SP-API EventTime (either key family) of a stored notification document, when it is a date. */
function eventTimeOf(document: unknown): string | undefined {
  if (typeof document !== 'object' || document === null) return undefined;
  const d = document as Record<string, unknown>;
  const t = d['EventTime'] ?? d['eventTime'];
  return typeof t === 'string' && Number.isFinite(Date.parse(t)) ? new Date(Date.parse(t)).toISOString() : undefined;
}

/**
 * The inbox as the intakes (SQS consumer, webhook) see it: a new entry of a type with a handler is checked and
 * handled in the inbox row's transaction, the row inserted processed with the handler's outcome; an entry of a type
 * without a handler is acknowledged, inserted processed with outcome `unhandled` (counted by
 * `sellbridge_notifications`) and never left pending. A duplicate (same NotificationId) inserts nothing and keeps
 * nothing of what its handler did (rolled back with the transaction). A handler with `applyGuarded` (ORDER_CHANGE on
 * SQLite) does its one write guarded by the row instead, without a transaction: a duplicate fails the guard and
 * writes nothing. A handler that fails fails the accept, as before: the source delivers the notification again.
 */
export function notificationDispatchingInbox(
  inbox: Inbox,
  handlers: NotificationHandlers,
  connectionId: string,
  clock: Clock = systemClock,
): Inbox {
  return {
    ...inbox,
    async accept(entry, then) {
      if ((entry.status ?? 'pending') !== 'pending') return inbox.accept(entry, then);
      let document: unknown;
      try {
        document = JSON.parse(entry.payload);
      } catch {
        document = undefined;
      }
      // The row names the connection its handler acts for: an ORDER_CHANGE row is that order's push sighting.
      const withTime: InboxEntry = {
        ...entry,
        connectionId: entry.connectionId ?? connectionId,
        eventTime: entry.eventTime ?? eventTimeOf(document) ?? null,
      };
      const handler: NotificationHandler | undefined = handlers[entry.kind];
      if (!handler)
        return inbox.acceptProcessed(withTime, async (tx, id) => {
          await then?.(tx, id);
          return 'unhandled';
        });
      let payload: unknown;
      try {
        payload = handler.parse(document);
      } catch (err) {
        if (!isSellbridgeError(err)) throw err;
        return inbox.accept({ ...withTime, status: 'rejected', error: `${err.code}: ${err.message}` }, then);
      }
      const context = { entry: withTime, connectionId: entry.connectionId ?? connectionId, payload, now: clock.now() };
      // One guarded write and the row, without a transaction, where the handler can (Inbox.acceptGuarded).
      if (handler.applyGuarded && !then)
        return inbox.acceptGuarded(withTime, (guard) => handler.applyGuarded!({ ...context, guard }));
      // The handler's work first, then the row, inserted processed with its outcome (no update after); a duplicate
      // inserts nothing and the inbox rolls the handler's work back (Inbox.acceptProcessed).
      return inbox.acceptProcessed(withTime, async (tx, id) => {
        await then?.(tx, id);
        return handler.apply({ ...context, tx, inboxId: id });
      });
    },
  };
}

/**
 * ORDER_CHANGE: queues the order's `order.sync` job (a second notification while it is pending joins it). The inbox
 * row itself records that push saw the order (order-sightings.ts reads it): nothing more to write. On a queue with
 * `enqueueIf` the job is queued guarded by the row, without a transaction (`applyGuarded`); a notification delivered
 * twice at the same moment may then queue the order twice, which the pending job's dedupe joins (or the idempotent
 * flow runs once more).
 */
export function orderChangeHandler(queue: Pick<JobQueue, 'enqueue' | 'enqueueIf'>): NotificationHandler {
  const enqueueIf = queue.enqueueIf?.bind(queue);
  return {
    // The intake's parser already required AmazonOrderId (the entry's subject); the flow re-reads the order.
    parse: (document) => document,
    async apply({ tx, entry, connectionId }) {
      const orderId = orderIdOf(entry);
      if (!orderId) return 'ignored';
      await enqueueOrderSync(queue, connectionId, orderId, tx);
      return 'handled';
    },
    ...(enqueueIf
      ? {
          async applyGuarded({ guard, entry, connectionId }) {
            const orderId = orderIdOf(entry);
            if (!orderId) return 'ignored';
            await enqueueIf(
              ORDER_SYNC_QUEUE,
              { connectionId, amazonOrderId: orderId },
              orderSyncJobOptions(orderId),
              guard,
            );
            return 'handled';
          },
        }
      : {}),
  };
}

/**
 * The inbox with the ORDER_CHANGE handler only (other types are acknowledged as unhandled): a second
 * notification of the same order while its job is pending joins that job (dedupe); one after it ran runs the
 * idempotent flow again, which re-reads the order and changes nothing that is already right.
 */
export function orderDispatchingInbox(
  inbox: Inbox,
  queue: Pick<JobQueue, 'enqueue' | 'enqueueIf'>,
  connectionId: string,
  clock: Clock = systemClock,
): Inbox {
  return notificationDispatchingInbox(inbox, { [ORDER_CHANGE]: orderChangeHandler(queue) }, connectionId, clock);
}

export interface OrderIntakeInput {
  readonly config: ResolvedConfig;
  readonly logger: Logger;
  readonly queue: Pick<JobQueue, 'enqueue'>;
  readonly inbox: Inbox;
  readonly connectionId: string;
  readonly signal: AbortSignal;
}

/**
 * The SQS long-poll intake, when `amazon.sqs.queueUrl` is set: each message goes to the inbox (with its order.sync
 * job) before it is deleted from SQS. Resolves when `signal` aborts; without a queue URL it resolves at once.
 */
export function startOrderIntake(input: OrderIntakeInput): Promise<void> {
  const sqs = input.config.amazon.sqs;
  if (!sqs.queueUrl) return Promise.resolve();
  const consumer = createSqsNotificationConsumer({
    queueUrl: sqs.queueUrl,
    sqs: createSqsClient({
      region: sqs.region,
      endpoint: sqs.endpoint,
      credentials:
        sqs.accessKeyId && sqs.secretAccessKey
          ? { accessKeyId: sqs.accessKeyId, secretAccessKey: sqs.secretAccessKey }
          : undefined,
    }),
    // The inbox given is the dispatching one (notificationDispatchingInbox): each type's handler runs in its row's
    // transaction (or guarded by its row), before the message is deleted from SQS.
    inbox: input.inbox,
    connectionId: input.connectionId,
    waitTimeSeconds: Math.min(20, sqs.waitTimeSeconds),
    maxMessages: Math.max(1, Math.min(10, sqs.maxMessages)),
    onError: (err) =>
      input.logger.warn(
        { err: (err as Error).message, code: (err as { code?: string }).code },
        'SQS intake: poll failed; backing off',
      ),
  });
  input.logger.info({ connectionId: input.connectionId }, 'SQS notification intake started');
  return consumer.run(input.signal);
}
