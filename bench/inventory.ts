// npm run bench -- inventory [--skus N] [--changed 3,30] [--sample S]
// Issue 7: time and peak memory to compute the listing delta and build JSON_LISTINGS_FEEDs for N SKUs (pure core),
// then the whole inventory.sync + listing.feed flow on the embedded store against the SP-API simulator over HTTP
// (Sage read from an in-memory gateway so Sage's speed is not measured): feeds built and API calls used, against
// the budget ceil(changes / 25,000) feeds. Figures vary with the machine; compare the ratios.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { inventorySettingsFromConfig } from '../src/bootstrap/inventory.ts';
import { storeListingState } from '../src/connectors/store/listing-state.ts';
import { storeWatermarks } from '../src/connectors/store/watermarks.ts';
import { configSchema } from '../src/config/schema.ts';
import { createListingsChannel, listingsFeedProblems } from '../src/connectors/amazon/listings-channel.ts';
import type { ItemPrice, StockLevel } from '../src/core/model/inventory.ts';
import { DEFAULT_LISTING_SYNC_RULES, type ListingLink, type SentListingState } from '../src/core/model/listing.ts';
import { feedMessagesFromDeltas, MAX_MESSAGES_PER_FEED } from '../src/core/transform/feed-messages-from-deltas.ts';
import { listingDeltaFromSage } from '../src/core/transform/listing-delta.ts';
import { LISTING_FEED_QUEUE, type InventoryFlowDeps } from '../src/flows/inventory.ts';
import { syncListings } from '../src/flows/sync-listings.ts';
import { trackListingFeed } from '../src/flows/track-listing-feed.ts';
import { createAmazonSimulator, DEFAULT_SELLER } from '../src/simulator/amazon/index.ts';
import { freshStore } from '../test/helpers/queue-env.ts';
import { SHARED_PRESENT, sharedPath } from '../test/helpers/shared.ts';
import { connectToSimulator } from '../test/helpers/simulator-connection.ts';

const { values } = parseArgs({
  options: {
    skus: { type: 'string', default: '100000' },
    changed: { type: 'string', default: '3,30' },
    sample: { type: 'string', default: '50' },
  },
});
const N = Number(values.skus);
const CHANGED = values.changed.split(',').map(Number);
const SAMPLE = Number(values.sample);
const US = DEFAULT_SELLER.marketplaceIds[0]!;
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const ms = (t0: number): number => Math.round(performance.now() - t0);

const skus = Array.from({ length: N }, (_, i) => `SKU-${String(i).padStart(6, '0')}`);
const links: ListingLink[] = skus.map((sku) => ({
  sku,
  itemId: sku,
  marketplaceId: US,
  currency: 'USD',
  productType: 'PRODUCT',
  fulfillment: 'MFN',
}));
const lastSent: SentListingState[] = skus.map((sku) => ({
  sku,
  marketplaceId: US,
  quantity: 10,
  price: { currency: 'USD', minor: 1000 },
}));
const prices: ItemPrice[] = skus.map((itemId) => ({
  itemId,
  warehouseId: 'MAIN',
  priceSheet: 'list',
  price: { currency: 'USD', minor: 1000 },
  effectiveDate: '2026-01-01',
}));
function stockWith(percent: number): StockLevel[] {
  const every = Math.round(100 / percent);
  // Changed items go to 7 (never 0, so the fast lane stays out of the feed figures).
  return skus.map((itemId, i) => ({ itemId, warehouseId: 'MAIN', onHand: 10, available: i % every === 0 ? 7 : 10 }));
}

let official: ((doc: unknown) => boolean) | undefined;
if (SHARED_PRESENT) {
  const schema = JSON.parse(
    readFileSync(sharedPath('sp-api-models', 'schemas', 'feeds', 'listings-feed-schema-v2.json'), 'utf8'),
  ) as Record<string, unknown>;
  delete schema['$schema'];
  const ajv = new Ajv({ strict: false, allErrors: true });
  (addFormatsModule as unknown as (a: Ajv) => Ajv)(ajv);
  official = ajv.compile(schema);
}

console.log(
  `inventory bench: ${N.toLocaleString('en-US')} SKUs, one marketplace; official schema ${official ? 'loaded from ../shared' : 'absent (structural twin only)'}`,
);
console.log('\n1) pure core: delta (stock + price rules, last sent) and feed building, per changed share');
console.log(
  '(delta ms: first run / warm run; heap peak: above the heap before the run, inputs excluded, after a forced GC)',
);
console.log(
  'changed   changes  delta ms  feeds ms  validate ms  feeds  budget  messages/feed   max bytes   heap peak   rss peak',
);
for (const percent of CHANGED) {
  const stock = stockWith(percent);
  gc();
  const heap0 = process.memoryUsage().heapUsed;
  let heapPeak = heap0;
  const sampleHeap = () => void (heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed));
  let t = performance.now();
  const delta = listingDeltaFromSage({ links, stock, prices, lastSent, rules: DEFAULT_LISTING_SYNC_RULES });
  const deltaMs = ms(t);
  sampleHeap();
  t = performance.now();
  listingDeltaFromSage({ links, stock, prices, lastSent, rules: DEFAULT_LISTING_SYNC_RULES });
  const warmMs = ms(t);
  t = performance.now();
  const batches = feedMessagesFromDeltas(delta.changes, { sellerId: DEFAULT_SELLER.sellerId });
  const feedsMs = ms(t);
  sampleHeap();
  t = performance.now();
  const problems =
    batches.flatMap((b) => listingsFeedProblems(b.document)).length +
    batches.filter((b) => official && !official(b.document)).length;
  const validateMs = ms(t);
  sampleHeap();
  const budget = Math.ceil(delta.changes.length / MAX_MESSAGES_PER_FEED);
  console.log(
    `${String(percent).padStart(5)} %  ${String(delta.changes.length).padStart(8)}  ${`${deltaMs}/${warmMs}`.padStart(8)}  ${String(feedsMs).padStart(8)}  ${String(validateMs).padStart(11)}  ${String(batches.length).padStart(5)}  ${String(budget).padStart(6)}  ${batches
      .map((b) => b.document.messages.length)
      .join('+')
      .padStart(
        13,
      )}  ${String(Math.max(...batches.map((b) => b.bytes))).padStart(10)}  ${mb(heapPeak - heap0).padStart(10)}  ${mb(process.resourceUsage().maxRSS * 1024).padStart(9)}${problems ? `  SCHEMA PROBLEMS ${problems}` : ''}`,
  );
}

console.log(
  `\n2) the flow: inventory.sync + listing.feed on SQLite against the simulator over HTTP (read-back sample ${SAMPLE})`,
);
const calls = new Map<string, number>();
const sim = await createAmazonSimulator({
  seed: 5,
  orders: 0,
  limits: false,
  scenario: { skus },
  onExchange: (e) => {
    const op = e.operation ?? e.kind;
    calls.set(op, (calls.get(op) ?? 0) + 1);
  },
});
try {
  console.log('changed   changes  sync ms  track ms  feeds  budget  API calls (by operation)');
  for (const percent of CHANGED) {
    const store = await freshStore('sqlite', `bench-inventory-${percent}`);
    const state = storeListingState(store, { now: () => new Date() });
    await state.upsertLinks('bench', links);
    await state.saveSent(
      'bench',
      lastSent.map((s) => ({ state: s, itemId: s.sku })),
    );
    const stock = stockWith(percent);
    const queued: { queue: string; payload: unknown }[] = [];
    const settings = inventorySettingsFromConfig(
      configSchema.parse({
        amazon: { sellerId: DEFAULT_SELLER.sellerId },
        inventory: { readBackSample: SAMPLE, feedsPer5Min: 100 },
      }) as never,
    );
    const deps: InventoryFlowDeps = {
      sage: {
        getStock: async (ids) => {
          const want = new Set(ids);
          return stock.filter((s) => want.has(s.itemId));
        },
        getPrices: async (q) => {
          const want = new Set(q.itemIds);
          return prices.filter((p) => want.has(p.itemId));
        },
      },
      channel: createListingsChannel({ client: connectToSimulator(sim.url).client, sellerId: DEFAULT_SELLER.sellerId }),
      state,
      watermarks: storeWatermarks(store, { now: () => new Date() }),
      jobs: {
        enqueue: async (queue, payload) => (
          queued.push({ queue, payload }),
          { id: String(queued.length), deduplicated: false }
        ),
      },
      clock: { now: () => new Date() },
      settingsFor: () => settings,
    };
    calls.clear();
    let t = performance.now();
    const outcome = await syncListings({ connectionId: 'bench', scope: 'quantity' }, deps);
    const syncMs = ms(t);
    t = performance.now();
    for (let job = queued.shift(); job; job = queued.shift()) {
      if (job.queue !== LISTING_FEED_QUEUE) continue;
      const step = await trackListingFeed(job.payload, deps);
      if (step.kind === 'submitted') {
        sim.control.processFeeds();
        await sim.control.waitForFeed(step.feedId);
      }
    }
    const trackMs = ms(t);
    const total = [...calls.values()].reduce((a, b) => a + b, 0);
    const byOp = [...calls.entries()]
      .sort()
      .map(([op, n]) => `${op.split('.').pop()} ${n}`)
      .join(', ');
    console.log(
      `${String(percent).padStart(5)} %  ${String(outcome.changes).padStart(8)}  ${String(syncMs).padStart(7)}  ${String(trackMs).padStart(8)}  ${String(outcome.feeds.length).padStart(5)}  ${String(Math.ceil(outcome.changes / MAX_MESSAGES_PER_FEED)).padStart(6)}  ${total} (${byOp})`,
    );
    await store.close();
  }
} finally {
  await sim.close();
}
console.log(
  `\nrss peak of the whole run ${mb(process.resourceUsage().maxRSS * 1024)}; feeds never exceed ceil(changes / ${MAX_MESSAGES_PER_FEED.toLocaleString('en-US')}).`,
);
