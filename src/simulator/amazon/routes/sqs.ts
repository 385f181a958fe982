import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SIM_AWS_ACCOUNT, md5, type SqsQueue } from '../notifications.ts';
import type { SimulatorState } from '../state.ts';

/**
 * Enough of the Amazon SQS JSON protocol (`X-Amz-Target: AmazonSQS.<Action>`, content type
 * `application/x-amz-json-1.0`, as @aws-sdk/client-sqs 3.x speaks it) for a long-poll consumer:
 * ReceiveMessage, DeleteMessage, DeleteMessageBatch, ChangeMessageVisibility, SendMessage, GetQueueUrl,
 * CreateQueue, GetQueueAttributes, PurgeQueue. The SDK posts to the endpoint root or, by default, to the
 * QueueUrl itself (`useQueueUrlAsEndpoint`), so both `/` and `/<account>/<queue>` are served.
 *
 * Long polls are not time-scaled (they end as soon as a message arrives, or when the simulator closes).
 */
const JSON_10 = 'application/x-amz-json-1.0';
const MAX_WAIT_SECONDS = 20;

function sqsError(reply: FastifyReply, status: number, type: string, queryCode: string, message: string): FastifyReply {
  return reply
    .code(status)
    .header('content-type', JSON_10)
    .header('x-amzn-query-error', `${queryCode};Sender`)
    .send({ __type: `com.amazonaws.sqs#${type}`, message });
}

function baseUrl(request: FastifyRequest): string {
  return `${request.protocol}://${request.headers.host ?? '127.0.0.1'}`;
}

export function queueUrl(base: string, name: string): string {
  return `${base}/${SIM_AWS_ACCOUNT}/${name}`;
}

export function registerSqsRoutes(app: FastifyInstance, sim: SimulatorState): void {
  const hub = sim.notifications;

  const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    reply.header('x-amzn-RequestId', sim.requestId());
    const target = String(request.headers['x-amz-target'] ?? '');
    if (!target.startsWith('AmazonSQS.'))
      return sqsError(
        reply,
        400,
        'InvalidAction',
        'AWS.SimpleQueueService.InvalidAction',
        'Missing or unknown X-Amz-Target.',
      );
    const action = target.slice('AmazonSQS.'.length);
    const input = (request.body ?? {}) as Record<string, unknown>;
    const send = (body: unknown): FastifyReply => reply.code(200).header('content-type', JSON_10).send(body);

    if (action === 'GetQueueUrl' || action === 'CreateQueue') {
      const name = String(input.QueueName ?? '');
      const queue = hub.queue(name, action === 'CreateQueue');
      if (!name || !queue)
        return sqsError(
          reply,
          400,
          'QueueDoesNotExist',
          'AWS.SimpleQueueService.NonExistentQueue',
          'The specified queue does not exist.',
        );
      return send({ QueueUrl: queueUrl(baseUrl(request), queue.name) });
    }
    const url = String(input.QueueUrl ?? '');
    const queue: SqsQueue | undefined = url ? hub.queue(url.split('/').pop() ?? '', false) : undefined;
    if (!queue)
      return sqsError(
        reply,
        400,
        'QueueDoesNotExist',
        'AWS.SimpleQueueService.NonExistentQueue',
        'The specified queue does not exist.',
      );

    switch (action) {
      case 'ReceiveMessage': {
        const max = Math.min(10, Math.max(1, Number(input.MaxNumberOfMessages ?? 1)));
        const wait = Math.min(MAX_WAIT_SECONDS, Math.max(0, Number(input.WaitTimeSeconds ?? 0)));
        const visibility = Math.max(0, Number(input.VisibilityTimeout ?? 30));
        const wantsAttributes = [input.AttributeNames, input.MessageSystemAttributeNames].some(
          (a) => Array.isArray(a) && a.length > 0,
        );
        const messages = await queue.receive(sim, max, visibility * 1000, wait * 1000);
        if (messages.length === 0) return send({});
        return send({
          Messages: messages.map((m) => ({
            MessageId: m.messageId,
            ReceiptHandle: m.receiptHandle,
            MD5OfBody: m.md5,
            Body: m.body,
            ...(wantsAttributes
              ? { Attributes: { ApproximateReceiveCount: String(m.receiveCount), SentTimestamp: String(m.sentAtMs) } }
              : {}),
          })),
        });
      }
      case 'DeleteMessage':
        // Deleting twice (or after a redelivery changed the handle) is not an error in SQS either.
        queue.delete(String(input.ReceiptHandle ?? ''));
        return send({});
      case 'DeleteMessageBatch': {
        const entries = (input.Entries ?? []) as { Id: string; ReceiptHandle: string }[];
        for (const entry of entries) queue.delete(entry.ReceiptHandle);
        return send({ Successful: entries.map((e) => ({ Id: e.Id })), Failed: [] });
      }
      case 'ChangeMessageVisibility': {
        const message = queue.messages.find((m) => m.receiptHandle === input.ReceiptHandle);
        if (message) message.visibleAtMs = sim.now() + Number(input.VisibilityTimeout ?? 0) * 1000;
        return send({});
      }
      case 'SendMessage': {
        const message = queue.send(sim, String(input.MessageBody ?? ''));
        return send({ MessageId: message.messageId, MD5OfMessageBody: md5(message.body) });
      }
      case 'GetQueueAttributes': {
        const now = sim.now();
        return send({
          Attributes: {
            QueueArn: queue.arn,
            ApproximateNumberOfMessages: String(queue.messages.filter((m) => m.visibleAtMs <= now).length),
            ApproximateNumberOfMessagesNotVisible: String(queue.messages.filter((m) => m.visibleAtMs > now).length),
          },
        });
      }
      case 'PurgeQueue':
        queue.messages.length = 0;
        return send({});
      default:
        return sqsError(
          reply,
          400,
          'InvalidAction',
          'AWS.SimpleQueueService.InvalidAction',
          `The action ${action} is not valid for this endpoint.`,
        );
    }
  };

  app.post('/', { config: { kind: 'sqs' } }, handler);
  app.post('/:account/:queue', { config: { kind: 'sqs' } }, handler);
}
