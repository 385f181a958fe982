import type { ResolvedConfig } from '../config/schema.ts';
import { createSqsClient, createSqsNotificationConsumer } from '../connectors/amazon/notifications/sqs-consumer.ts';
import type { Logger } from '../observability/logger.ts';
import { notePushed } from '../connectors/store/order-sightings.ts';
import type { Clock } from '../core/ports/clock.ts';
import { systemClock } from '../runtime/clock.ts';
import { markProcessedIn, type Inbox, type InboxEntry } from '../runtime/inbox/inbox.ts';
import type { JobQueue } from '../runtime/queue/job-queue.ts';
import { enqueueOrderSync } from './orders.ts';

/** The inbox kind of an order notification (NotificationType). */
export const ORDER_CHANGE = 'ORDER_CHANGE';

/** The Amazon order id of an ORDER_CHANGE inbox entry (its subject is `order:<id>`), or undefined for anything else. */
export function orderIdOf(entry: Pick<InboxEntry, 'kind' | 'subject'>): string | undefined {
  if (entry.kind !== ORDER_CHANGE || !entry.subject?.startsWith('order:')) return undefined;
  const id = entry.subject.slice('order:'.length).trim();
  return id === '' ? undefined : id;
}

/**
 * The inbox as the intakes (SQS consumer, webhook) see it: a new ORDER_CHANGE entry queues its `order.sync` job in
 * the same transaction as the inbox row and marks the row processed, so an acknowledged notification always has
 * its job (ARCHITECTURE.md principle 6). A duplicate (same NotificationId) inserts nothing and queues nothing; a
 * second notification of the same order while its job is pending joins that job (dedupe); one after it ran runs
 * the idempotent flow again, which re-reads the order and changes nothing that is already right.
 */
export function orderDispatchingInbox(
  inbox: Inbox,
  queue: Pick<JobQueue, 'enqueue'>,
  connectionId: string,
  clock: Clock = systemClock,
): Inbox {
  return {
    ...inbox,
    accept(entry, then) {
      const orderId = (entry.status ?? 'pending') === 'pending' ? orderIdOf(entry) : undefined;
      if (!orderId) return inbox.accept(entry, then);
      return inbox.accept(entry, async (tx, id) => {
        await then?.(tx, id);
        const connection = entry.connectionId ?? connectionId;
        await enqueueOrderSync(queue, connection, orderId, tx);
        await notePushed(tx, connection, orderId, clock.now().toISOString());
        await markProcessedIn(tx, id, clock.now());
      });
    },
  };
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
    inbox: orderDispatchingInbox(input.inbox, input.queue, input.connectionId),
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
