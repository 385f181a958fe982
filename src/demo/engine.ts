import type { ResolvedConfig } from '../config/schema.ts';
import { createRuntime, type Runtime } from '../bootstrap.ts';
import { createOrderFlowDeps } from '../app/order-flow-deps.ts';
import { createAmazonConnector } from '../connectors/amazon/create-amazon-connector.ts';
import { openSandboxGateway } from '../connectors/sage500/create-gateway.ts';
import { ORDER_SYNC_QUEUE, ORDER_WORK_PRIORITY, orderSyncKey, registerOrderFlows, SHIPMENT_POLL_QUEUE, shipmentPollKey } from '../flows/index.ts';
import { createInbox } from '../runtime/inbox/inbox.ts';
import type { Logger } from '../observability/logger.ts';

/**
 * The engine the demo drives: the real runtime from `createRuntime` (store, queue, dead letters) started as a worker.
 * Everything Amazon/Sage is built from `config` (SP-API client over HTTP, SQS intake, the sandbox gateway).
 */
export interface DemoEngine {
  readonly runtime: Runtime;
  close(): Promise<void>;
}

export const DEMO_CONNECTION_ID = 'default';

/** Starts the runtime as a worker with the order flows, the SQS intake and a frequent shipment poll. */
export async function startDemoEngine(config: ResolvedConfig, options: { logger?: Logger; shipmentPollMs?: number } = {}): Promise<DemoEngine> {
  const runtime = await createRuntime(config, { role: 'worker', ...(options.logger ? { logger: options.logger } : {}) });
  const { store, clock, queue } = runtime;
  // TEMPORARY hand wiring until createRuntime registers the order flows (issue 5, helper 5A).
  const enqueueSync = async (amazonOrderId: string) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await queue.enqueue(ORDER_SYNC_QUEUE, { connectionId: DEMO_CONNECTION_ID, amazonOrderId }, { key: orderSyncKey(amazonOrderId), dedupe: true, priority: ORDER_WORK_PRIORITY });
        return;
      } catch (err) {
        if ((err as { code?: string }).code !== 'SB_STORE_UNAVAILABLE' || attempt >= 5) throw err;
      }
    }
  };
  const amazon = createAmazonConnector(config.amazon, {
    store,
    clock,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    inbox: createInbox(store, clock),
    connectionId: DEMO_CONNECTION_ID,
    onNotification: async (n) => {
      if (n.subject.kind === 'order') await enqueueSync(n.subject.orderId);
    },
  });
  const sage = await openSandboxGateway(config.sage500, clock);
  registerOrderFlows(queue, createOrderFlowDeps({ store, amazon: amazon.marketplace, sage, clock, queue, tranNoPrefix: config.sage500.tranNoPrefix }));
  await queue.start();
  const abort = new AbortController();
  const intake = amazon.intake?.run(abort.signal);
  const timer = setInterval(() => {
    void queue.enqueue(SHIPMENT_POLL_QUEUE, { connectionId: DEMO_CONNECTION_ID }, { key: shipmentPollKey(DEMO_CONNECTION_ID), dedupe: true, priority: ORDER_WORK_PRIORITY }).catch(() => undefined);
  }, options.shipmentPollMs ?? 500);
  return {
    runtime,
    async close() {
      clearInterval(timer);
      abort.abort();
      await intake?.catch(() => undefined);
      await runtime.close();
      await sage.close();
    },
  };
}
