// One worker process of `npm run bench -- quota`: calls getOrder as fast as the shared bucket allows between
// the start and end times its parent sends, then sends back its counts. Started by bench/quota.ts (fork).
import { createSpApiConnection } from '../../src/connectors/amazon/sp-api/connection.ts';
import { HttpError } from '../../src/connectors/amazon/sp-api/http-client.ts';
import { createStoreRateLimiter } from '../../src/runtime/rate-limit/store-rate-limiter.ts';
import { openStore } from '../../src/runtime/store/store.ts';

interface WorkerConfig {
  simUrl: string;
  storeUrl: string;
  schema: string;
  refreshToken: string;
  sellerId: string;
  orderIds: string[];
  rate: number;
  burst: number;
  startAt: number;
  endAt: number;
  concurrency: number;
}

const cfg = JSON.parse(process.argv[2]!) as WorkerConfig;
const store = openStore({ url: cfg.storeUrl, schema: cfg.schema, poolSize: cfg.concurrency + 1 });
const limiter = createStoreRateLimiter(store);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const conn = createSpApiConnection(
  {
    region: 'na',
    endpoint: cfg.simUrl,
    lwaEndpoint: `${cfg.simUrl}/auth/o2/token`,
    lwaClientId: 'bench-client',
    lwaClientSecret: 'bench-secret',
    refreshToken: cfg.refreshToken,
    sellerId: cfg.sellerId,
    applicationId: 'bench-app',
    usagePlans: { 'orders.getOrder': { rate: cfg.rate, burst: cfg.burst } },
    maxRateWaitMs: 60_000,
  },
  { clock: { now: () => new Date() }, sleep, limiter },
);

const counts = { ok: 0, throttled: 0, other: 0, firstOkAt: 0, lastOkAt: 0 };
await conn.tokens.getToken({ kind: 'seller' });
// Open the store's connection(s) before the window starts (a first PostgreSQL connect takes a while).
await limiter.take('warm-up', { plan: { rate: 1000, burst: 1000 } });
// Tell the parent we are ready; it answers with the common start and end times once every worker is.
const window = await new Promise<{ startAt: number; endAt: number }>((resolve) => {
  process.once('message', (m) => resolve(m as { startAt: number; endAt: number }));
  process.send!('ready');
});
cfg.startAt = window.startAt;
cfg.endAt = window.endAt;
await sleep(Math.max(0, cfg.startAt - Date.now()));

async function loop(lane: number): Promise<void> {
  let i = lane;
  while (Date.now() < cfg.endAt) {
    const orderId = cfg.orderIds[i++ % cfg.orderIds.length]!;
    try {
      await conn.client.getOrder(orderId);
      if (Date.now() > cfg.endAt) break;
      counts.ok++;
      counts.lastOkAt = Date.now() - cfg.startAt;
      if (!counts.firstOkAt) counts.firstOkAt = counts.lastOkAt;
    } catch (err) {
      if (err instanceof HttpError && err.status === 429) {
        counts.throttled++;
        if (process.env['QUOTA_DEBUG']) process.stderr.write(`429 at ${Date.now() - cfg.startAt}\n`);
      } else counts.other++;
    }
  }
}
await Promise.all(Array.from({ length: cfg.concurrency }, (_, lane) => loop(lane)));
await store.close();
process.send!(counts);
process.disconnect();
