import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import { coerceError, isSellbridgeError } from '../../../core/errors.ts';
import type { Inbox } from '../../../runtime/inbox/inbox.ts';
import { parseNotification, subjectKey, type ParsedNotification } from './notification-parser.ts';

export interface SqsConsumerOptions {
  readonly queueUrl: string;
  /** The SQS client; build one with `createSqsClient` (endpoint configurable: the simulator serves SQS too). */
  readonly sqs: Pick<SQSClient, 'send'>;
  readonly inbox: Inbox;
  readonly connectionId?: string | null;
  /** Long-poll wait, 0..20 s. */
  readonly waitTimeSeconds?: number;
  readonly maxMessages?: number;
  /** How long a received message stays invisible to other consumers while we store it. */
  readonly visibilityTimeoutSeconds?: number;
  /** Called after each stored (or duplicate) notification, e.g. to enqueue work or count metrics. */
  readonly onNotification?: (
    n: ParsedNotification,
    outcome: { inboxId: string | undefined; duplicate: boolean },
  ) => void | Promise<void>;
  /** Called when a poll fails (network, credentials); the loop backs off and continues. */
  readonly onError?: (err: unknown) => void;
  /** Injected for tests: sleeps between failed polls. */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface PollResult {
  readonly received: number;
  readonly stored: number;
  readonly duplicates: number;
  readonly rejected: number;
  readonly deleted: number;
}

export const SQS_SOURCE = 'amazon-sqs';

/** What Sellbridge asks of an SQS client: sending commands. */
export type SqsSender = Pick<SQSClient, 'send' | 'destroy'>;

/**
 * An SQS client for the notification queue; `endpoint` points it at the simulator or a VPC endpoint. The AWS SDK is
 * loaded on the first command, not with this module: some 25 MB of resident memory that a process without an SQS
 * queue (and every CLI command, which loads this module through the doctor) paid for nothing. A literal import() so
 * the single executable's bundler still takes it in.
 */
export function createSqsClient(options: {
  readonly region: string;
  readonly endpoint?: string | undefined;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string } | undefined;
}): SqsSender {
  let client: Promise<SQSClient> | undefined;
  const send = async (...args: Parameters<SQSClient['send']>) => {
    client ??= import('@aws-sdk/client-sqs').then(
      ({ SQSClient }) =>
        new SQSClient({
          region: options.region,
          ...(options.endpoint ? { endpoint: options.endpoint } : {}),
          ...(options.credentials ? { credentials: options.credentials } : {}),
        }),
    );
    return (await client).send(...args);
  };
  // destroy() closes the SDK's sockets; a client that never sent has none (and no SDK loaded).
  const destroy = () => void client?.then((c) => c.destroy()).catch(() => undefined);
  return { send: send as SQSClient['send'], destroy };
}

/** The SQS client of the `amazon.sqs` settings (static keys when both are set, else the SDK's default chain). */
export function sqsClientFromSettings(sqs: {
  readonly region: string;
  readonly endpoint?: string | undefined;
  readonly accessKeyId?: string | undefined;
  readonly secretAccessKey?: string | undefined;
}): SqsSender {
  return createSqsClient({
    region: sqs.region,
    endpoint: sqs.endpoint,
    credentials:
      sqs.accessKeyId && sqs.secretAccessKey
        ? { accessKeyId: sqs.accessKeyId, secretAccessKey: sqs.secretAccessKey }
        : undefined,
  });
}

/**
 * Long-polls the SP-API notification queue. Each message is written to the inbox first (de-duplicated there
 * on NotificationId) and deleted from SQS only after that write committed: a crash in between redelivers the
 * message, and the inbox drops the copy (ARCHITECTURE.md principle 4). A message we cannot parse is kept in
 * the inbox as `rejected` with the reason, then deleted, so it does not loop forever.
 */
export function createSqsNotificationConsumer(options: SqsConsumerOptions) {
  const wait = options.waitTimeSeconds ?? 20;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));

  async function store(message: Message): Promise<'stored' | 'duplicate' | 'rejected'> {
    const body = message.Body ?? '';
    let parsed: ParsedNotification;
    try {
      parsed = parseNotification(body);
    } catch (err) {
      const e = coerceError(err);
      await options.inbox.accept({
        source: SQS_SOURCE,
        dedupeKey: `sqs-message:${message.MessageId ?? message.ReceiptHandle ?? body.length}`,
        kind: 'UNPARSEABLE',
        payload: body,
        status: 'rejected',
        error: `${e.code}: ${e.message}`,
        connectionId: options.connectionId ?? null,
      });
      return 'rejected';
    }
    const outcome = await options.inbox.accept({
      source: SQS_SOURCE,
      dedupeKey: parsed.notificationId,
      kind: parsed.notificationType,
      subject: subjectKey(parsed.subject),
      payload: JSON.stringify(parsed.document),
      connectionId: options.connectionId ?? null,
    });
    await options.onNotification?.(parsed, { inboxId: outcome.id, duplicate: outcome.duplicate });
    return outcome.duplicate ? 'duplicate' : 'stored';
  }

  return {
    /** One long poll: receive, store each message, delete the stored ones. */
    async pollOnce(signal?: AbortSignal): Promise<PollResult> {
      const { ReceiveMessageCommand, DeleteMessageBatchCommand } = await import('@aws-sdk/client-sqs');
      const response = await options.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: options.queueUrl,
          MaxNumberOfMessages: options.maxMessages ?? 10,
          WaitTimeSeconds: wait,
          VisibilityTimeout: options.visibilityTimeoutSeconds ?? 60,
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        }),
        signal ? { abortSignal: signal } : {},
      );
      const messages = response.Messages ?? [];
      const counts = { received: messages.length, stored: 0, duplicates: 0, rejected: 0, deleted: 0 };
      const done: Message[] = [];
      for (const message of messages) {
        try {
          const r = await store(message);
          if (r === 'stored') counts.stored++;
          else if (r === 'duplicate') counts.duplicates++;
          else counts.rejected++;
          done.push(message);
        } catch (err) {
          // Not stored (store down?): leave it in SQS; it becomes visible again after the visibility timeout.
          options.onError?.(err);
        }
      }
      if (done.length > 0) {
        const result = await options.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: options.queueUrl,
            Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
          }),
        );
        counts.deleted = result.Successful?.length ?? 0;
      }
      return counts;
    },

    /** Polls until `signal` aborts; failed polls back off (1 s doubling to 60 s) and never end the loop. */
    async run(signal: AbortSignal): Promise<void> {
      let backoff = 1000;
      while (!signal.aborted) {
        try {
          await this.pollOnce(signal);
          backoff = 1000;
        } catch (err) {
          if (signal.aborted) break;
          options.onError?.(isSellbridgeError(err) ? err : coerceError(err));
          await sleep(backoff);
          backoff = Math.min(60_000, backoff * 2);
        }
      }
    },
  };
}
