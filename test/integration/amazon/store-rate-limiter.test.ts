import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createStoreRateLimiter } from '../../../src/runtime/rate-limit/store-rate-limiter.ts';
import { openStore, type Store } from '../../../src/runtime/store/store.ts';
import { PG_URL, pgAvailable } from '../../helpers/queue-env.ts';

// One schema per file, never dropped: Kysely's migrator introspects every schema of the database, so a DROP
// SCHEMA while another test run migrates makes that migration fail. Keys are unique per run instead.
const SCHEMA = 'sb_amz_rate_test';
const RUN = randomUUID().slice(0, 8);
const dir = mkdtempSync(join(tmpdir(), 'sb-rate-'));
const opened: Store[] = [];
afterAll(async () => {
  for (const s of opened) await s.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

const PG = await pgAvailable();

const backends = [
  { name: 'sqlite', open: () => openStore({ url: `sqlite:${join(dir, 'rate.db')}` }), enabled: true },
  { name: 'postgres', open: () => openStore({ url: PG_URL, schema: SCHEMA, poolSize: 4 }), enabled: PG },
];

describe.each(backends)('store rate limiter on $name', ({ name, open, enabled }) => {
  // Two stores stand for two processes on PostgreSQL. node:sqlite is synchronous, so two SQLite connections in
  // one process would block each other's event loop: there one store serves both (bench/quota.ts uses processes).
  it.skipIf(!enabled)(`two limiters never hand out more than the burst at one instant`, async () => {
    const a = open();
    const b = name === 'postgres' ? open() : a;
    opened.push(a);
    if (b !== a) opened.push(b);
    await a.migrate();
    const t = 1_000_000;
    const la = createStoreRateLimiter(a, { now: () => t, safety: 1 });
    const lb = createStoreRateLimiter(b, { now: () => t, safety: 1 });
    const plan = { rate: 1, burst: 5 };
    const waits = await Promise.all(
      Array.from({ length: 12 }, (_, i) => (i % 2 ? la : lb).take(`app|seller-${RUN}|na|orders.getOrder`, { plan })),
    );
    expect(waits.filter((w) => w === 0)).toHaveLength(5);
    expect(Math.min(...waits.filter((w) => w > 0))).toBeGreaterThan(0);
  });

  it.skipIf(!enabled)('low priority keeps the reserve; the server rate and a 429 drain are shared', async () => {
    const s = open();
    opened.push(s);
    await s.migrate();
    let t = 5_000_000;
    const l = createStoreRateLimiter(s, { now: () => t, safety: 1 });
    const plan = { rate: 1, burst: 5 }; // reserve 1
    const key = `k-${Math.random()}`;
    for (let i = 0; i < 4; i++) expect(await l.take(key, { plan, priority: 'low' })).toBe(0);
    expect(await l.take(key, { plan, priority: 'low' })).toBeGreaterThan(0);
    expect(await l.take(key, { plan, priority: 'high' })).toBe(0);
    await l.setRate(key, 10);
    expect(await l.take(key, { plan })).toBe(100);
    t += 100;
    expect(await l.take(key, { plan })).toBe(0);
    t += 1000;
    await l.drain(key);
    expect(await l.take(key, { plan })).toBe(100);
  });

  it.skipIf(!enabled)('leases tokens in batches: fewer statements than takes, never more than the bucket', async () => {
    const a = open();
    const b = name === 'postgres' ? open() : a;
    opened.push(a);
    if (b !== a) opened.push(b);
    await a.migrate();
    let t = 9_000_000;
    // rate 1/s: a lease lives 1 s; burst 40: up to 8 tokens per statement.
    const la = createStoreRateLimiter(a, { now: () => t, safety: 1 });
    const lb = createStoreRateLimiter(b, { now: () => t, safety: 1 });
    const plan = { rate: 1, burst: 40 };
    const key = `lease-${RUN}-${Math.random()}`;
    expect(await la.take(key, { plan })).toBe(0); // la holds 7 more in memory
    const before = b.statements();
    let zeros = 0;
    for (let i = 0; i < 40; i++) if ((await lb.take(key, { plan })) === 0) zeros++;
    // 32 left in the store after la's lease; lb never gets la's 7.
    expect(zeros).toBe(32);
    // 32 tokens in leases of 8: 4 leases plus a create-and-read and a few reads for the waits.
    expect(b.statements() - before).toBeLessThan(20);
    for (let i = 0; i < 7; i++) expect(await la.take(key, { plan })).toBe(0);
    expect(await la.take(key, { plan })).toBeGreaterThan(0);
    // A lease not spent within its life goes back into the bucket with the holder's next take.
    t += 2_000; // 2 tokens refilled
    expect(await la.take(key, { plan })).toBe(0); // la leases both (1 kept)
    t += 1_000; // la's spare expired unspent; 1 more refilled
    for (let i = 0; i < 5; i++) if ((await lb.take(key, { plan })) === 0) zeros++;
    expect(zeros).toBe(33); // only the refill: la's spare is still out
    expect(await la.take(key, { plan })).toBe(0); // gives its spare back and takes one
    expect(await lb.take(key, { plan })).toBeGreaterThan(0);
  });
});
