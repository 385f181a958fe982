import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { createSqsNotificationConsumer } from '../../../src/connectors/amazon/notifications/sqs-consumer.ts';
import { createInbox } from '../../../src/runtime/inbox/inbox.ts';
import { openStore, type Store } from '../../../src/runtime/store/store.ts';
import { PG_URL, pgAvailable } from '../../helpers/queue-env.ts';

// One schema per file, never dropped: Kysely's migrator introspects every schema of the database, so a DROP
// SCHEMA while another test run migrates makes that migration fail. Rows are told apart by a per-run id.
const SCHEMA = 'sb_amz_inbox_test';
const RUN = randomUUID().slice(0, 8);
const dir = mkdtempSync(join(tmpdir(), 'sb-sqs-'));
const opened: Store[] = [];
afterAll(async () => {
  for (const s of opened) await s.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

const PG = await pgAvailable();

const orderChange = (notificationId: string, orderId: string) =>
  JSON.stringify({
    NotificationVersion: '1.0',
    NotificationType: 'ORDER_CHANGE',
    PayloadVersion: '1.0',
    EventTime: '2026-11-27T12:00:00Z',
    Payload: {
      OrderChangeNotification: {
        SellerId: 'A1',
        AmazonOrderId: orderId,
        OrderChangeType: 'OrderStatusChange',
        Summary: { OrderStatus: 'Unshipped' },
      },
    },
    NotificationMetadata: {
      ApplicationId: 'app',
      SubscriptionId: 'sub',
      PublishTime: '2026-11-27T12:00:00Z',
      NotificationId: notificationId,
    },
  });

/** An in-memory SQS speaking the two commands the consumer sends. */
function fakeSqs(bodies: string[]) {
  let seq = 0;
  const queue = bodies.map((Body) => ({ MessageId: `${RUN}-m${++seq}`, ReceiptHandle: `rh${seq}`, Body }));
  const deleted: string[] = [];
  return {
    deleted,
    queue,
    async send(command: unknown) {
      if (command instanceof ReceiveMessageCommand)
        return { Messages: queue.splice(0, command.input.MaxNumberOfMessages ?? 1) };
      if (command instanceof DeleteMessageBatchCommand) {
        const entries = command.input.Entries ?? [];
        deleted.push(...entries.map((e) => e.ReceiptHandle!));
        return { Successful: entries.map((e) => ({ Id: e.Id })) };
      }
      throw new Error('unexpected command');
    },
  };
}

const backends = [
  { name: 'sqlite', enabled: true, open: () => openStore({ url: `sqlite:${join(dir, 'inbox.db')}` }) },
  { name: 'postgres', enabled: PG, open: () => openStore({ url: PG_URL, schema: SCHEMA, poolSize: 2 }) },
];

describe.each(backends)('SQS notification consumer on $name', ({ enabled, open }) => {
  it.skipIf(!enabled)(
    'stores each notification once (duplicates die in the inbox), keeps bad ones as rejected, deletes after storing',
    async () => {
      const store = open();
      opened.push(store);
      await store.migrate();
      const inbox = createInbox(store, { now: () => new Date('2026-11-27T12:00:00Z') });
      const sqs = fakeSqs([
        orderChange(`${RUN}-n1`, '113-1'),
        orderChange(`${RUN}-n2`, '113-2'),
        orderChange(`${RUN}-n1`, '113-1'),
        '{not json',
        orderChange(`${RUN}-n3`, '113-3'),
      ]);
      const seen: string[] = [];
      const consumer = createSqsNotificationConsumer({
        queueUrl: 'http://sqs/000000000000/q',
        sqs,
        inbox,
        maxMessages: 3,
        connectionId: RUN,
        onNotification: (n, o) =>
          void seen.push(`${n.notificationId.slice(RUN.length + 1)}:${o.duplicate ? 'dup' : 'new'}`),
      });
      const first = await consumer.pollOnce();
      const second = await consumer.pollOnce();
      expect(first).toEqual({ received: 3, stored: 2, duplicates: 1, rejected: 0, deleted: 3 });
      expect(second).toEqual({ received: 2, stored: 1, duplicates: 0, rejected: 1, deleted: 2 });
      expect(seen).toEqual(['n1:new', 'n2:new', 'n1:dup', 'n3:new']);
      expect(sqs.deleted).toHaveLength(5);
      expect(await inbox.count('pending', { connectionId: RUN })).toBe(3);
      const rejected = await inbox.list({ status: 'rejected', connectionId: RUN });
      expect(rejected).toHaveLength(1);
      expect(rejected[0]!.error).toContain('SB_AMZ_NOTIFICATION_INVALID');
      const pending = await inbox.list({ status: 'pending', connectionId: RUN });
      expect(pending.map((r) => r.subject).sort()).toEqual(['order:113-1', 'order:113-2', 'order:113-3']);
    },
  );

  it.skipIf(!enabled)('a message that cannot be stored is not deleted (SQS redelivers it)', async () => {
    const store = open();
    opened.push(store);
    await store.migrate();
    const inbox = createInbox(store, { now: () => new Date() });
    const failing = { ...inbox, accept: async () => Promise.reject(new Error('store down')) };
    const sqs = fakeSqs([orderChange(`${RUN}-x1`, '113-9')]);
    const errors: unknown[] = [];
    const consumer = createSqsNotificationConsumer({
      queueUrl: 'q',
      sqs,
      inbox: failing,
      onError: (e) => errors.push(e),
    });
    expect(await consumer.pollOnce()).toMatchObject({ received: 1, stored: 0, deleted: 0 });
    expect(sqs.deleted).toEqual([]);
    expect(errors).toHaveLength(1);
  });
});
