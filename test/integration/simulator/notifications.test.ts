import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createAmazonSimulator, type AmazonSimulator } from '../../../src/simulator/amazon/index.ts';

let sim: AmazonSimulator;
let sqs: SQSClient;
let sellerToken = '';
let grantlessToken = '';

async function lwa(form: Record<string, string>): Promise<string> {
  const res = await fetch(`${sim.url}/auth/o2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: 'id', client_secret: 's', ...form }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

async function api(
  method: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: { 'x-amz-access-token': token, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

beforeAll(async () => {
  sim = await createAmazonSimulator({ seed: 5, timeScale: 1_000 });
  sellerToken = await lwa({ grant_type: 'refresh_token', refresh_token: 'Atzr|sim-refresh-token' });
  grantlessToken = await lwa({ grant_type: 'client_credentials', scope: 'sellingpartnerapi::notifications' });
  sqs = new SQSClient({
    endpoint: sim.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
  });
});
afterAll(async () => {
  sqs?.destroy();
  await sim?.close();
});

describe('simulator notifications', () => {
  it('rejects a seller token on a grantless operation', async () => {
    const res = await api('GET', '/notifications/v1/destinations', sellerToken);
    expect(res.status).toBe(403);
  });

  it('delivers ORDER_CHANGE through the SQS endpoint to @aws-sdk/client-sqs, and DeleteMessage removes it', async () => {
    const arn = sim.control.sqsArn('orders-queue');
    const dest = await api('POST', '/notifications/v1/destinations', grantlessToken, {
      name: 'orders',
      resourceSpecification: { sqs: { arn } },
    });
    expect(dest.status).toBe(200);
    const destinationId = (dest.json.payload as { destinationId: string }).destinationId;
    const sub = await api('POST', '/notifications/v1/subscriptions/ORDER_CHANGE', sellerToken, {
      payloadVersion: '1.0',
      destinationId,
    });
    expect(sub.status).toBe(200);
    expect(
      (
        await api('POST', '/notifications/v1/subscriptions/ORDER_CHANGE', sellerToken, {
          payloadVersion: '1.0',
          destinationId,
        })
      ).status,
    ).toBe(409);

    const order = sim.control.addOrder({ status: 'UNSHIPPED' });
    const queueUrl = sim.control.sqsQueueUrl('orders-queue');
    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 5 }),
    );
    expect(received.Messages).toHaveLength(1);
    const doc = JSON.parse(received.Messages![0]!.Body!);
    expect(doc.Payload.OrderChangeNotification.AmazonOrderId).toBe(order.orderId);
    expect(doc.Payload.OrderChangeNotification.Summary.OrderStatus).toBe('Unshipped');
    await sqs.send(
      new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: received.Messages![0]!.ReceiptHandle! }),
    );
    expect(sim.control.queueDepth('orders-queue')).toBe(0);

    sim.control.requestCancellation(order.orderId);
    const request = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 5 }));
    const change = JSON.parse(request.Messages![0]!.Body!).Payload.OrderChangeNotification;
    expect(change.OrderChangeType).toBe('BuyerRequestedChange');
    expect(change.Summary.OrderItems[0].IsBuyerRequestedCancel).toBe(true);
    await sqs.send(
      new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: request.Messages![0]!.ReceiptHandle! }),
    );
  });

  it('redelivers a message that was received but not deleted once its visibility runs out', async () => {
    const { queueUrl } = sim.control.subscribe({ notificationType: 'ORDER_CHANGE', queueName: 'redelivery' });
    sim.control.addOrder();
    const first = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        VisibilityTimeout: 30,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }))).Messages).toBeUndefined();
    sim.control.expireVisibility('redelivery');
    const second = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }),
    );
    expect(second.Messages![0]!.MessageId).toBe(first.Messages![0]!.MessageId);
    expect(second.Messages![0]!.Attributes?.ApproximateReceiveCount).toBe('2');
    await sqs.send(
      new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: second.Messages![0]!.ReceiptHandle! }),
    );
    expect(sim.control.queueDepth('redelivery')).toBe(0);
  });

  it('long-polls until a message arrives', async () => {
    const { queueUrl } = sim.control.subscribe({ notificationType: 'ORDER_CHANGE', queueName: 'poll-queue' });
    const pending = sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 20 }));
    const order = sim.control.addOrder();
    const received = await pending;
    // Two subscriptions (orders-queue from the previous test, poll-queue here): each queue gets its copy.
    expect(JSON.parse(received.Messages![0]!.Body!).Payload.OrderChangeNotification.AmazonOrderId).toBe(order.orderId);
  });

  it('duplicates and reorders deliveries on demand: same NotificationId twice, a held document after the next', async () => {
    const own = await createAmazonSimulator({ seed: 9 });
    const client = new SQSClient({
      endpoint: own.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    });
    try {
      const { queueUrl } = own.control.subscribe({ notificationType: 'ORDER_CHANGE', queueName: 'faulty' });
      own.control.injectNotificationFault('duplicate');
      const a = own.control.addOrder();
      own.control.injectNotificationFault('reorder');
      const b = own.control.addOrder();
      const c = own.control.addOrder();
      own.control.sendRawMessage('faulty', '{"NotificationType": "ORDER_CHANGE", "Payload": ');
      const received = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
      const bodies = received.Messages!.map((m) => m.Body!);
      expect(() => JSON.parse(bodies[4]!)).toThrow();
      const docs = bodies.slice(0, 4).map((body) => JSON.parse(body));
      expect(docs.map((d) => d.Payload.OrderChangeNotification.AmazonOrderId)).toEqual([
        a.orderId,
        a.orderId,
        c.orderId,
        b.orderId,
      ]);
      expect(docs[0].NotificationMetadata.NotificationId).toBe(docs[1].NotificationMetadata.NotificationId);
    } finally {
      client.destroy();
      await own.close();
    }
  });

  it('pushes EventBridge envelopes with detail to a webhook', async () => {
    const bodies: unknown[] = [];
    const server: Server = createServer((req, res) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => {
        bodies.push(JSON.parse(data));
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const address = server.address() as { port: number };
    sim.control.setEventBridgeWebhook(`http://127.0.0.1:${address.port}/hook`, { 'x-api-key': 'k' });
    const dest = await api('POST', '/notifications/v1/destinations', grantlessToken, {
      name: 'eb',
      resourceSpecification: { eventBridge: { accountId: '123456789012', region: 'us-east-1' } },
    });
    const destinationId = (dest.json.payload as { destinationId: string }).destinationId;
    expect(
      (
        await api('POST', '/notifications/v1/subscriptions/ORDER_CHANGE', sellerToken, {
          payloadVersion: '2.0',
          destinationId,
        })
      ).status,
    ).toBe(200);
    const delivered = sim.control.waitFor('webhook');
    const order = sim.control.addOrder();
    await delivered;
    const envelope = bodies.find(
      (b) =>
        (b as { detail?: { Payload?: { OrderChangeNotification?: { AmazonOrderId?: string } } } }).detail?.Payload
          ?.OrderChangeNotification?.AmazonOrderId === order.orderId,
    ) as Record<string, unknown>;
    expect(envelope['detail-type']).toBe('ORDER_CHANGE');
    expect(String(envelope.source)).toMatch(/^aws\.partner\/sellingpartnerapi\.amazon\.com/);
    await new Promise<void>((r) => server.close(() => r()));
  });
});
