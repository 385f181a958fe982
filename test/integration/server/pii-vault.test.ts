import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/observability/logger.ts';
import { systemClock } from '../../../src/runtime/clock.ts';
import { createKeyring } from '../../../src/runtime/pii/keyring.ts';
import { PII_PURGE_QUEUE, registerPiiPurge } from '../../../src/runtime/pii/purge-job.ts';
import { createPiiVault } from '../../../src/runtime/pii/vault.ts';
import type { JobQueue } from '../../../src/runtime/queue/job-queue.ts';
import { createScheduler } from '../../../src/runtime/scheduler.ts';
import type { Store } from '../../../src/runtime/store/store.ts';
import { freshStore, makeQueue, waitForEvent } from '../../helpers/queue-env.ts';
import { storeOrderStates } from '../../../src/connectors/store/order-links.ts';

const OLD = { id: 'old', key: Buffer.alloc(32, 1) };
const NEW = { id: 'new', key: Buffer.alloc(32, 2) };
const PII = {
  buyerName: 'Jane Planted',
  buyerEmail: 'jane@planted.example',
  phone: '+1 555 0100',
  shipTo: {
    name: 'Jane Planted',
    addressLines: ['1 Secret Lane'],
    city: 'Springfield',
    postalCode: '12345',
    countryCode: 'US',
  },
};
const ref = (n: number) => ({ connectionId: 'default', amazonOrderId: `111-000000${n}-000000${n}` });
const DAY = 86_400_000;

describe('PII vault: sealed at rest, purged after retention, re-encrypted on rotation', () => {
  let store: Store;
  let queue: JobQueue | undefined;
  beforeEach(async () => {
    store = await freshStore('sqlite', 'pii');
  });
  afterEach(async () => {
    await queue?.stop();
    queue = undefined;
    await store.close();
  });

  const link = (n: number, state: string, updatedAt: string) =>
    store.db
      .withTables<{ order_links: Record<string, string | null> }>()
      .insertInto('order_links')
      .values({
        connection_id: 'default',
        amazon_order_id: ref(n).amazonOrderId,
        state,
        tran_no: null,
        sales_order_key: null,
        marketplace_id: null,
        last_error: null,
        created_at: updatedAt,
        updated_at: updatedAt,
      })
      .execute();

  it('stores only ciphertext with its key id; the raw table holds no PII', async () => {
    const vault = createPiiVault(store, createKeyring([OLD]), systemClock, { orders: storeOrderStates(store) });
    await vault.put(ref(1), PII);
    const raw = JSON.stringify(
      await store.db
        .selectFrom('buyer_pii' as never)
        .selectAll()
        .execute(),
    );
    for (const planted of ['Jane', 'planted.example', '555 0100', 'Secret Lane', '12345'])
      expect(raw).not.toContain(planted);
    expect(raw).toContain('"key_id":"old"');
    expect(await vault.get(ref(1))).toEqual(PII);
    // A sealed value moved to another order does not open (row identity is authenticated data).
    const row = await store.db
      .withTables<{ buyer_pii: { sealed: string; amazon_order_id: string } }>()
      .selectFrom('buyer_pii')
      .select('sealed')
      .executeTakeFirstOrThrow();
    await vault.put(ref(2), { buyerName: 'x' });
    await store.db
      .withTables<{ buyer_pii: { sealed: string; amazon_order_id: string } }>()
      .updateTable('buyer_pii')
      .set({ sealed: row.sealed })
      .where('amazon_order_id', '=', ref(2).amazonOrderId)
      .execute();
    await expect(vault.get(ref(2))).rejects.toMatchObject({ code: 'SB_PII_DECRYPT_FAILED' });
  });

  it('purges N days after the order is done (confirmed/cancelled/skipped), keeps open orders, audits the purge', async () => {
    const vault = createPiiVault(store, createKeyring([OLD]), systemClock, {
      orders: storeOrderStates(store),
      retentionDays: 30,
    });
    const now = Date.now();
    await link(1, 'confirmed', new Date(now - 31 * DAY).toISOString()); // done 31 days ago: purge
    await link(2, 'confirmed', new Date(now - 29 * DAY).toISOString()); // done 29 days ago: keep
    await link(3, 'created', new Date(now - 90 * DAY).toISOString()); // still open: keep
    await link(4, 'cancelled', new Date(now - 40 * DAY).toISOString()); // cancelled: purge
    for (const n of [1, 2, 3, 4, 5]) await vault.put(ref(n), PII); // 5: no order link, stored now: keep for 30 days
    expect(await vault.purgeDue(new Date(now))).toEqual({ purged: 2 });
    expect(await vault.get(ref(1))).toBeUndefined();
    expect(await vault.get(ref(4))).toBeUndefined();
    expect(await vault.get(ref(2))).toEqual(PII);
    expect(await vault.get(ref(3))).toEqual(PII);
    expect((await vault.has(ref(2))).purgeAfter).toBe(new Date(now + DAY).toISOString());
    expect((await vault.has(ref(3))).purgeAfter).toBeNull();
    // Two days on, order 2 is past its 30 days too; order 5 (untracked) after 30 days from storage.
    expect(await vault.purgeDue(new Date(now + 2 * DAY))).toEqual({ purged: 1 });
    expect(await vault.purgeDue(new Date(now + 31 * DAY))).toEqual({ purged: 1 });
    const audit = await store.db.selectFrom('audit_log').selectAll().where('action', '=', 'pii.purge').execute();
    expect(audit.map((a) => JSON.parse(a.detail))).toEqual([{ purged: 2 }, { purged: 1 }, { purged: 1 }]);
  });

  it('starts the retention clock for every order state: done and stopped states when entered, pass-through states once idle for the whole period (issue 13)', async () => {
    const vault = createPiiVault(store, createKeyring([OLD]), systemClock, {
      orders: storeOrderStates(store),
      retentionDays: 30,
    });
    const now = Date.now();
    const ago = (days: number) => new Date(now - days * DAY).toISOString();
    // [state, days in it, purged now?]
    const cases: [string, number, boolean][] = [
      ['dead-lettered', 31, true], // waits for a person; nothing automatic needs the buyer data
      ['needs-attention', 31, true],
      ['dead-lettered', 5, false], // clock started 5 days ago: kept, purge_after set
      ['reserved', 31, true], // a pass-through state no job moved for 31 days: stuck
      ['received', 31, true],
      ['mapped', 31, true],
      ['waiting-for-pending', 31, true],
      ['reserved', 5, false], // still within one retention period: the flow may yet move it
      ['shipped', 90, false], // the Sage order is being fulfilled: the clock starts when it is done
      ['shipped-partially', 90, false],
    ];
    for (const [i, [state, days]] of cases.entries()) {
      await link(i + 1, state, ago(days));
      await vault.put(ref(i + 1), PII);
    }
    expect(await vault.purgeDue(new Date(now))).toEqual({ purged: cases.filter(([, , purged]) => purged).length });
    for (const [i, [state, days, purged]] of cases.entries())
      expect(await vault.get(ref(i + 1)), `${state} for ${days} days`).toEqual(purged ? undefined : PII);
    expect((await vault.has(ref(3))).purgeAfter).toBe(new Date(now + 25 * DAY).toISOString());
    expect((await vault.has(ref(8))).purgeAfter).toBeNull();
  });

  it('runs the purge as a scheduled pii.purge job on the queue', async () => {
    queue = await makeQueue(store);
    const vault = createPiiVault(store, createKeyring([OLD]), systemClock, {
      orders: storeOrderStates(store),
      retentionDays: 0,
    });
    await link(1, 'confirmed', new Date(Date.now() - DAY).toISOString());
    await vault.put(ref(1), PII);
    const scheduler = createScheduler({ queue, logger: silentLogger() });
    registerPiiPurge({ queue, scheduler, vault, everyMs: 3_600_000, logger: silentLogger() });
    await queue.start();
    const done = waitForEvent(queue, (e) => e.type === 'completed' && e.job.queue === PII_PURGE_QUEUE);
    await scheduler.tick();
    await done;
    expect(await vault.get(ref(1))).toBeUndefined();
  });

  it('rotate re-encrypts every row (PII and credentials) under the new key; the old key can then go', async () => {
    const before = createPiiVault(store, createKeyring([OLD]), systemClock, { orders: storeOrderStates(store) });
    for (const n of [1, 2, 3]) await before.put(ref(n), { ...PII, buyerName: `Buyer ${n}` });
    await before.putSecret('connection:us', 'refreshToken', 'Atzr|planted', 'test');
    // Old key removed before rotating: the rows cannot be read, with a message that says what to do.
    await expect(
      createPiiVault(store, createKeyring([NEW]), systemClock, { orders: storeOrderStates(store) }).get(ref(1)),
    ).rejects.toMatchObject({ code: 'SB_PII_KEY_UNKNOWN' });
    const during = createPiiVault(store, createKeyring([OLD, NEW]), systemClock, { orders: storeOrderStates(store) });
    await during.put(ref(4), PII); // written under the new key already
    expect(await during.rotate('test')).toEqual({ activeKeyId: 'new', reencrypted: 4, alreadyCurrent: 1 });
    expect(await during.rotate('test')).toEqual({ activeKeyId: 'new', reencrypted: 0, alreadyCurrent: 5 });
    const after = createPiiVault(store, createKeyring([NEW]), systemClock, { orders: storeOrderStates(store) });
    expect((await after.get(ref(2)))?.buyerName).toBe('Buyer 2');
    expect(await after.openSecret('connection:us', 'refreshToken')).toBe('Atzr|planted');
    const keyIds = await store.db
      .withTables<{ buyer_pii: { key_id: string } }>()
      .selectFrom('buyer_pii')
      .select('key_id')
      .distinct()
      .execute();
    expect(keyIds).toEqual([{ key_id: 'new' }]);
    const audit = await store.db.selectFrom('audit_log').selectAll().where('action', '=', 'keys.rotate').execute();
    expect(audit).toHaveLength(2);
  });
});
