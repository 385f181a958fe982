// npm run bench -- inventory [--skus N] [--changed 3,30] [--sample S] [--ct-changed 1] [--only core|flow|ct]
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
import { LISTING_FEED_QUEUE, planListingSync, type InventoryFlowDeps } from '../src/flows/inventory.ts';
import { watchStock } from '../src/flows/watch-stock.ts';
import { createSandboxGateway } from '../src/connectors/sage500/sandbox-gateway.ts';
import { addSandboxItems } from '../test/integration/inventory/sandbox-items.ts';
import { sql } from 'kysely';
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
    'ct-changed': { type: 'string', default: '1' },
    only: { type: 'string' },
  },
});
const section = (name: 'core' | 'flow' | 'ct'): boolean => values.only === undefined || values.only === name;
const CT_CHANGED = Number(values['ct-changed']);
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
if (section('core')) {
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
}

if (section('flow')) {
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
        channel: createListingsChannel({
          client: connectToSimulator(sim.url).client,
          sellerId: DEFAULT_SELLER.sellerId,
        }),
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
}

if (section('ct')) await changeTrackingSection();

console.log(
  `\nrss peak of the whole run ${mb(process.resourceUsage().maxRSS * 1024)}; feeds never exceed ceil(changes / ${MAX_MESSAGES_PER_FEED.toLocaleString('en-US')}).`,
);

/**
 * 3) Sage rows read per stock sync, today against change tracking: the sandbox (SQLite, change tracking emulated
 * by triggers) with N linked items, CT_CHANGED % of their bins changed by a bulk update. Today: inventory.watch
 * reads every linked item's stock (digest) and the quantity sync it queues reads them all again. With change
 * tracking: the watch reads the changed items from CHANGETABLE and the sync reads only their stock. Rows are the
 * rows Sage returns to Sellbridge (stock rows, changed-item rows).
 */
async function changeTrackingSection(): Promise<void> {
  console.log(`\n3) Sage rows read per stock sync: ${N.toLocaleString('en-US')} linked items, ${CT_CHANGED} % changed`);
  const sage = await createSandboxGateway({ path: ':memory:', changeTracking: { enabled: true, retentionDays: 2 } });
  try {
    const t = performance.now();
    const ids = await addSandboxItems(sage, N, { prefix: 'B-', qty: () => 10, firstKey: 100_000 });
    await sage.installExtensions();
    console.log(`(sandbox seeded in ${ms(t)} ms)`);
    const store = await freshStore('sqlite', 'bench-inventory-ct');
    const state = storeListingState(store, { now: () => new Date() });
    const itemLinks = ids.map((sku) => ({
      sku,
      itemId: sku,
      marketplaceId: US,
      productType: 'PRODUCT',
      fulfillment: 'MFN' as const,
    }));
    for (const connection of ['today', 'ct']) {
      await state.upsertLinks(connection, itemLinks);
      // What was sent before: 10 units each, Sage's quantity, so only the changed items are changes.
      await state.saveSent(
        connection,
        ids.map((sku) => ({ state: { sku, marketplaceId: US, quantity: 10 }, itemId: sku })),
      );
    }
    const settings = inventorySettingsFromConfig(
      configSchema.parse({ amazon: { sellerId: DEFAULT_SELLER.sellerId } }) as never,
    );
    let rows = 0;
    const counted = {
      getStock: async (i: readonly string[], w: readonly string[]) => {
        const r = await sage.getStock(i, w);
        rows += r.length;
        return r;
      },
      getPrices: (q: Parameters<typeof sage.getPrices>[0]) => sage.getPrices(q),
      stockChangesSince: async (since: string | undefined) => {
        const r = await sage.stockChangesSince(since);
        if (r.tracking === 'changes') rows += r.itemIds.length;
        return r;
      },
    };
    const queued: { payload: Record<string, unknown> }[] = [];
    const deps = (sageDeps: InventoryFlowDeps['sage']): InventoryFlowDeps => ({
      sage: sageDeps,
      channel: undefined as never, // planning only: nothing is sent
      state,
      watermarks: storeWatermarks(store, { now: () => new Date() }),
      jobs: {
        enqueue: async (_queue, payload) => (
          queued.push({ payload: payload as Record<string, unknown> }),
          { id: String(queued.length), deduplicated: false }
        ),
      },
      clock: { now: () => new Date() },
      settingsFor: () => settings,
    });
    const today = deps({ getStock: counted.getStock, getPrices: counted.getPrices });
    const tracked = deps(counted);
    // Baselines: each side has seen the stock once (the digest; the first change-tracking version).
    await watchStock({ connectionId: 'today' }, today);
    await watchStock({ connectionId: 'ct' }, tracked);
    const every = Math.round(100 / CT_CHANGED);
    await sql`UPDATE timWhseBinInvt SET QtyOnHand = 7 WHERE (ItemKey - 100000) % ${every} = 0`.execute(sage.db);
    const measure = async (connectionId: string, d: InventoryFlowDeps) => {
      rows = 0;
      queued.length = 0;
      const t0 = performance.now();
      await watchStock({ connectionId }, d);
      const job = queued[0]?.payload;
      const items = job?.['itemIds'] as string[] | undefined;
      const plan = job
        ? await planListingSync(connectionId, 'quantity', d, items ? new Set(items) : undefined)
        : undefined;
      return { rows, ms: ms(t0), changes: plan?.changes.length ?? 0 };
    };
    const a = await measure('today', today);
    const b = await measure('ct', tracked);
    console.log('mode              Sage rows read   changes found   ms (watch + plan)');
    console.log(
      `today (digest)    ${String(a.rows).padStart(14)}   ${String(a.changes).padStart(13)}   ${String(a.ms).padStart(17)}`,
    );
    console.log(
      `change tracking   ${String(b.rows).padStart(14)}   ${String(b.changes).padStart(13)}   ${String(b.ms).padStart(17)}`,
    );
    console.log(`ratio: ${(a.rows / Math.max(1, b.rows)).toFixed(1)}x fewer rows with change tracking`);
    await store.close();
  } finally {
    await sage.close();
  }
}
