// `npm run bench -- quota [--seconds 15] [--scale 60] [--workers 4] [--store sqlite|postgres|both]`
//
// Four worker processes share one seller's getOrder usage plan (0.5 rps, burst 30, time-scaled in the
// simulator) through one store (SQLite file, and PostgreSQL when reachable). Prints achieved / allowed rate
// and the share of 429s. Allowed = burst + rate × duration (the server's bucket starts full), so allowed/s
// includes the burst spread over the run. Never fails on timings: it prints figures.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { createAmazonSimulator, DEFAULT_SELLER } from '../src/simulator/amazon/index.ts';
import { openStore } from '../src/runtime/store/store.ts';
import { pgAvailable } from '../test/helpers/queue-env.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '15' },
    scale: { type: 'string', default: '60' },
    workers: { type: 'string', default: '4' },
    store: { type: 'string', default: 'both' },
    pg: { type: 'string', default: process.env['SELLBRIDGE_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test' },
  },
});
const seconds = Number(values.seconds);
const scale = Number(values.scale);
const workers = Number(values.workers);
const PLAN = { rate: 0.5, burst: 30 }; // Orders 2026-01-01 getOrder, sp-api-facts.md §6
const rate = PLAN.rate * scale;
const workerFile = fileURLToPath(new URL('./quota/worker.ts', import.meta.url));

interface Counts {
  ok: number;
  throttled: number;
  other: number;
}

interface Worker {
  ready: Promise<void>;
  done: Promise<Counts>;
  start(window: { startAt: number; endAt: number }): void;
}

function startWorker(config: object): Worker {
  const child = fork(workerFile, [JSON.stringify(config)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let onReady!: () => void;
  const ready = new Promise<void>((r) => (onReady = r));
  const done = new Promise<Counts>((resolve, reject) => {
    child.on('message', (m) => (m === 'ready' ? onReady() : resolve(m as Counts)));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? undefined : reject(new Error(`worker exited with ${code}`))));
  });
  return { ready, done, start: (window) => child.send(window) };
}

async function runOn(kind: 'sqlite' | 'postgres'): Promise<string[]> {
  const sim = await createAmazonSimulator({ seed: 7, orders: 20, timeScale: scale });
  const dir = mkdtempSync(join(tmpdir(), 'sb-quota-'));
  const storeUrl = kind === 'sqlite' ? `sqlite:${join(dir, 'quota.db')}` : values.pg!;
  // A fixed schema, emptied of this bench's buckets instead of dropped: a DROP SCHEMA while another process
  // migrates breaks that migration (Kysely's migrator introspects every schema).
  const schema = 'bench_quota';
  const store = openStore({ url: storeUrl, schema });
  try {
    await store.migrate();
    await sql`DELETE FROM rate_buckets WHERE key LIKE 'bench-app|%'`.execute(store.db);
    const orderIds = sim.control.orders().map((o) => o.orderId);
    const procs = Array.from({ length: workers }, () =>
      startWorker({
        simUrl: sim.url,
        storeUrl,
        schema,
        refreshToken: DEFAULT_SELLER.refreshToken,
        sellerId: DEFAULT_SELLER.sellerId,
        orderIds,
        rate,
        burst: PLAN.burst,
        startAt: 0,
        endAt: 0,
        concurrency: 2,
      }),
    );
    await Promise.all(procs.map((p) => p.ready));
    const startAt = Date.now() + 200;
    for (const p of procs) p.start({ startAt, endAt: startAt + seconds * 1000 });
    const results = await Promise.all(procs.map((p) => p.done));
    if (process.env['QUOTA_DEBUG']) console.log(JSON.stringify(results));
    const ok = results.reduce((a, r) => a + r.ok, 0);
    const throttled = results.reduce((a, r) => a + r.throttled, 0);
    const other = results.reduce((a, r) => a + r.other, 0);
    const allowed = PLAN.burst + rate * seconds;
    const calls = ok + throttled + other;
    return [
      kind,
      String(workers),
      String(seconds),
      `${rate.toFixed(1)}/s + ${PLAN.burst}`,
      (allowed / seconds).toFixed(2),
      (ok / seconds).toFixed(2),
      String(Math.round(allowed)),
      String(ok),
      (ok / allowed).toFixed(3),
      String(calls),
      String(throttled),
      `${((100 * throttled) / Math.max(1, calls)).toFixed(2)}%`,
      String(other),
    ];
  } finally {
    await store.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const kinds: ('sqlite' | 'postgres')[] = [];
if (values.store === 'sqlite' || values.store === 'both') kinds.push('sqlite');
if (values.store === 'postgres' || values.store === 'both') {
  if (await pgAvailable(values.pg!)) kinds.push('postgres');
  else console.log(`PostgreSQL not reachable at ${values.pg}: skipped`);
}

console.log(
  `quota bench: getOrder plan ${PLAN.rate} rps burst ${PLAN.burst}, time scale ×${scale}, ${workers} worker processes × 2 lanes, ${seconds} s`,
);
const header = [
  'store',
  'workers',
  'seconds',
  'plan (scaled)',
  'allowed/s',
  'achieved/s',
  'allowed calls',
  'succeeded',
  'achieved/allowed',
  'calls',
  '429s',
  '429 share',
  'other errors',
];
const rows: string[][] = [];
for (const kind of kinds) rows.push(await runOn(kind));
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(line(r));
