import { describe, expect, it } from 'vitest';
import {
  confirmShipment,
  pollShipments,
  SHIPMENT_CONFIRM_QUEUE,
  SHIPMENT_POLL_QUEUE,
  SHIPMENT_CT_FULL_READS,
  SHIPMENT_CT_RESUME,
  SHIPMENT_CT_WATERMARK,
  SHIPMENT_WATERMARK,
} from '../../../src/flows/confirm-shipment.ts';
import type { ShipmentChanges } from '../../../src/core/ports/sage500-gateway.ts';
import { syncOrder } from '../../../src/flows/sync-order.ts';
import { anOrder, CONN, fakes, type Fakes } from './fakes.ts';
import { sageShipment } from '../../helpers/sage-shipment.ts';

const ID = '111-0000001-0000001';

async function createdOrder(
  f: Fakes,
  lines = [
    { sku: 'WIDGET-RED', quantityOrdered: 2 },
    { sku: 'MUG-LOGO', quantityOrdered: 1 },
  ],
): Promise<string> {
  f.amazon.orders.set(ID, anOrder({}, lines));
  const out = await syncOrder({ connectionId: CONN, amazonOrderId: ID }, f.deps);
  if (out.kind !== 'created') throw new Error(out.kind);
  return out.tranNo;
}

/** A created order whose Sage shipment (one package) was polled: the fakes and the queued confirm job's payload. */
async function onePolledPackage(): Promise<{ f: Fakes; job: unknown }> {
  const f = fakes();
  const tranNo = await createdOrder(f);
  f.sage.shipmentPages.push({ shipments: [sageShipment(tranNo, '42', ['1'])], cursor: 'c1', more: false });
  await pollShipments({ connectionId: CONN }, f.deps);
  return { f, job: f.enqueued[0]!.payload };
}

const runConfirmJobs = async (f: Fakes) => {
  const jobs = f.enqueued.filter((j) => j.queue === SHIPMENT_CONFIRM_QUEUE).splice(0);
  f.enqueued.length = 0;
  return Promise.all(jobs.map((j) => confirmShipment(j.payload, f.deps)));
};

describe('pollShipments in change-tracking mode (in-memory ports)', () => {
  it('a full read by the cursor runs until caught up, counted once; then only changes are read, from the version taken before it', async () => {
    const f = fakes();
    const tranNo = await createdOrder(f);
    const answers: ShipmentChanges[] = [];
    const asked: (string | undefined)[] = [];
    Object.assign(f.sage, {
      shipmentChangesSince: async (since: string | undefined) => {
        asked.push(since);
        return answers.shift()!;
      },
    });
    const s1 = sageShipment(tranNo, '42', ['1']);
    const s2 = sageShipment(tranNo, '43', ['2']);
    const wm = (name: string) => f.watermarks.get(`${CONN}|${name}`);

    // First: no version yet, so the cursor path, over two pages; counted once.
    answers.push({ tracking: 'full', version: '10', reason: 'first' });
    f.sage.shipmentPages.push(
      { shipments: [s1], cursor: 'c1', more: true },
      { shipments: [], cursor: 'c2', more: false },
    );
    expect(await pollShipments({ connectionId: CONN }, f.deps)).toEqual({
      shipments: 1,
      queued: 1,
      more: true,
      via: 'cursor',
      fullRead: 'first',
    });
    expect([wm(SHIPMENT_CT_RESUME), wm(SHIPMENT_CT_WATERMARK), wm(SHIPMENT_CT_FULL_READS)]).toEqual([
      '10',
      undefined,
      '1',
    ]);
    // The next page continues the full read without asking change tracking again.
    expect(await pollShipments({ connectionId: CONN }, f.deps)).toMatchObject({ via: 'cursor', more: false });
    expect(asked).toEqual([undefined]);
    expect([wm(SHIPMENT_CT_RESUME), wm(SHIPMENT_CT_WATERMARK), wm(SHIPMENT_CT_FULL_READS)]).toEqual(['', '10', '1']);

    // Then only changed shipments, from version 10; the cursor is not read.
    answers.push({ tracking: 'changes', version: '12', shipments: [s2] });
    f.enqueued.length = 0;
    expect(await pollShipments({ connectionId: CONN }, f.deps)).toEqual({
      shipments: 1,
      queued: 1,
      more: false,
      via: 'tracking',
    });
    expect(asked).toEqual([undefined, '10']);
    expect(f.sage.cursorsAsked).toEqual([undefined, 'c1']);
    expect(f.enqueued.map((e) => e.queue)).toEqual([SHIPMENT_CONFIRM_QUEUE]);
    expect(wm(SHIPMENT_CT_WATERMARK)).toBe('12');

    // Past the retention: one more full read by the cursor, counted.
    answers.push({ tracking: 'full', version: '30', reason: 'expired' });
    expect(await pollShipments({ connectionId: CONN }, f.deps)).toMatchObject({
      via: 'cursor',
      fullRead: 'expired',
      more: false,
    });
    expect(f.sage.cursorsAsked).toEqual([undefined, 'c1', 'c2']);
    expect([wm(SHIPMENT_CT_WATERMARK), wm(SHIPMENT_CT_FULL_READS)]).toEqual(['30', '2']);

    // Tracking off in Sage: the cursor, as without it, nothing counted.
    answers.push({ tracking: 'off', reason: 'not on' });
    expect(await pollShipments({ connectionId: CONN }, f.deps)).toMatchObject({ via: 'cursor' });
    expect(wm(SHIPMENT_CT_FULL_READS)).toBe('2');
  });
});

describe('pollShipments + confirmShipment with in-memory ports', () => {
  it('confirms each package exactly once, across re-read pages and re-run jobs; cursor stored; lifecycle reaches confirmed', async () => {
    const f = fakes();
    const tranNo = await createdOrder(f);
    const s = sageShipment(tranNo, '42', ['1']);
    f.sage.shipAll(tranNo);
    f.sage.shipmentPages.push(
      { shipments: [s], cursor: 'c1', more: true },
      { shipments: [s], cursor: 'c2', more: false },
    );
    expect(await pollShipments({ connectionId: CONN }, f.deps)).toEqual({
      shipments: 1,
      queued: 1,
      more: true,
      via: 'cursor',
    });
    expect(f.enqueued.map((e) => e.queue)).toEqual([SHIPMENT_CONFIRM_QUEUE, SHIPMENT_POLL_QUEUE]);
    expect(f.enqueued[0]!.key).toBe(`shipment.confirm:${ID}`);
    expect(f.watermarks.get(`${CONN}|${SHIPMENT_WATERMARK}`)).toBe('c1');
    const confirmJob = f.enqueued[0]!.payload;
    expect(await confirmShipment(confirmJob, f.deps)).toEqual({
      packages: [{ kind: 'confirmed', packageReferenceId: '1' }],
    });
    // The rewind window reads the shipment again: nothing new is queued.
    f.enqueued.length = 0;
    expect(await pollShipments({ connectionId: CONN }, f.deps)).toEqual({
      shipments: 1,
      queued: 0,
      more: false,
      via: 'cursor',
    });
    expect(f.sage.cursorsAsked).toEqual([undefined, 'c1']);
    // A duplicate confirm job does not call Amazon again.
    expect(await confirmShipment(confirmJob, f.deps)).toEqual({
      packages: [{ kind: 'already-confirmed', packageReferenceId: '1' }],
    });
    expect(f.amazon.confirms).toHaveLength(1);
    expect(f.amazon.confirms[0]).toEqual({
      orderId: ID,
      marketplaceId: 'ATVPDKIKX0DER',
      packageReferenceId: '1',
      carrierCode: 'UPS',
      shippingMethod: 'UPS Ground',
      trackingNumber: '1ZTRACK420',
      shipDate: '2026-11-27T10:00:00.000Z',
      lines: [
        { lineId: '10000000000001', quantity: 2 },
        { lineId: '10000000000002', quantity: 1 },
      ],
    });
    expect((await f.links.get(CONN, ID))!.state).toBe('confirmed');
  });

  it('a shipment from the FBA warehouse (an FBA order booked in Sage) is never queued for confirmation, even with a package', async () => {
    const f = fakes();
    const tranNo = await createdOrder(f);
    const fromFba = { ...sageShipment(tranNo, '43', ['1']), warehouseId: 'fba ' };
    f.sage.shipmentPages.push({ shipments: [fromFba], cursor: 'c1', more: false });
    const deps = { ...f.deps, amazonFulfilledWarehouse: 'FBA' };
    expect(await pollShipments({ connectionId: CONN }, deps)).toEqual({
      shipments: 1,
      queued: 0,
      more: false,
      via: 'cursor',
    });
    expect(f.enqueued).toEqual([]);
    expect(f.watermarks.get(`${CONN}|${SHIPMENT_WATERMARK}`)).toBe('c1');
    // Without the setting the same shipment would be confirmed: the guard is what keeps it from Amazon.
    f.sage.shipmentPages.push({ shipments: [fromFba], cursor: 'c2', more: false });
    expect(await pollShipments({ connectionId: CONN }, f.deps)).toMatchObject({ queued: 1 });
  });

  it('the FBA warehouse as it stands now (fbaWarehouseFor: an order-policies edit) wins over the configured one', async () => {
    const f = fakes();
    const tranNo = await createdOrder(f);
    const fromEast = { ...sageShipment(tranNo, '44', ['1']), warehouseId: 'EAST' };
    f.sage.shipmentPages.push({ shipments: [fromEast], cursor: 'c1', more: false });
    const edited = { ...f.deps, amazonFulfilledWarehouse: 'FBA', fbaWarehouseFor: async () => 'EAST' };
    expect(await pollShipments({ connectionId: CONN }, edited)).toMatchObject({ shipments: 1, queued: 0 });
    expect(f.enqueued).toEqual([]);
    // No edit (undefined): the configured FBA warehouse applies, and EAST's shipment is confirmed.
    f.sage.shipmentPages.push({ shipments: [fromEast], cursor: 'c2', more: false });
    const unedited = { ...f.deps, amazonFulfilledWarehouse: 'FBA', fbaWarehouseFor: async () => undefined };
    expect(await pollShipments({ connectionId: CONN }, unedited)).toMatchObject({ queued: 1 });
  });

  it('after an unknown outcome (timeout after Amazon took it) the retry reads the order and does not send again', async () => {
    const { f, job } = await onePolledPackage();
    f.amazon.failAfterEffect = 1;
    await expect(confirmShipment(job, f.deps)).rejects.toMatchObject({ code: 'SB_AMZ_TIMEOUT', kind: 'transient' });
    const getsBefore = f.amazon.gets.length;
    expect(await confirmShipment(job, f.deps)).toEqual({
      packages: [{ kind: 'found-at-amazon', packageReferenceId: '1' }],
    });
    expect(f.amazon.gets.length).toBe(getsBefore + 1);
    expect(f.amazon.confirms).toHaveLength(1);
  });

  it('after a failure before Amazon took it, the retry checks the order, then sends once more', async () => {
    const { f, job } = await onePolledPackage();
    const real = f.amazon.confirmShipment.bind(f.amazon);
    f.amazon.confirmShipment = async () => {
      throw Object.assign(new Error('socket hang up'));
    };
    await expect(confirmShipment(job, f.deps)).rejects.toThrow('socket hang up');
    f.amazon.confirmShipment = real;
    expect(await confirmShipment(job, f.deps)).toEqual({ packages: [{ kind: 'confirmed', packageReferenceId: '1' }] });
    expect(f.amazon.confirms).toHaveLength(1);
    expect([...f.confirmations.rows.values()][0]!.sendAttempts).toBe(2);
  });

  it('two workers on one package (a lease lost under load): the second waits while the first call may be in flight, and never sends', async () => {
    const { f, job } = await onePolledPackage();
    const real = f.amazon.confirmShipment.bind(f.amazon);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    f.amazon.confirmShipment = async (s) => {
      await gate;
      return real(s);
    };
    const first = confirmShipment(job, f.deps);
    await expect(confirmShipment({ ...(job as object) }, f.deps)).rejects.toMatchObject({
      code: 'SB_ORD_CONFIRM_IN_FLIGHT',
      kind: 'unavailable',
    });
    release();
    expect(await first).toEqual({ packages: [{ kind: 'confirmed', packageReferenceId: '1' }] });
    expect(await confirmShipment(job, f.deps)).toEqual({
      packages: [{ kind: 'already-confirmed', packageReferenceId: '1' }],
    });
    expect(f.amazon.confirms).toHaveLength(1);
  });

  it('a claim left by a dead worker: past the fence the order is read and the package sent once', async () => {
    const { f, job } = await onePolledPackage();
    const key = [...f.confirmations.rows.values()][0]!;
    expect(await f.confirmations.claimSend(key)).toBe(true); // the worker that died after claiming
    await expect(confirmShipment(job, f.deps)).rejects.toMatchObject({ code: 'SB_ORD_CONFIRM_IN_FLIGHT' });
    f.confirmations.staleSending = true;
    const getsBefore = f.amazon.gets.length;
    expect(await confirmShipment(job, f.deps)).toEqual({ packages: [{ kind: 'confirmed', packageReferenceId: '1' }] });
    expect(f.amazon.gets.length).toBe(getsBefore + 1);
    expect(f.amazon.confirms).toHaveLength(1);
  });

  it('a partial shipment then the rest: two packages with references 1 and 2; shipped-partially then confirmed', async () => {
    const f = fakes();
    const tranNo = await createdOrder(f);
    f.sage.shipmentPages.push({
      shipments: [sageShipment(tranNo, '50', ['1'], 'USPS-PRI', [['10000000000001', 2]])],
      cursor: 'c1',
      more: false,
    });
    await pollShipments({ connectionId: CONN }, f.deps);
    await runConfirmJobs(f);
    expect((await f.links.get(CONN, ID))!.state).toBe('shipped-partially');
    f.sage.shipAll(tranNo);
    f.sage.shipmentPages.push({
      shipments: [sageShipment(tranNo, '51', ['1'], 'USPS-PRI', [['10000000000002', 1]])],
      cursor: 'c2',
      more: false,
    });
    await pollShipments({ connectionId: CONN }, f.deps);
    await runConfirmJobs(f);
    expect(f.amazon.confirms.map((c) => [c.packageReferenceId, c.carrierCode, c.lines])).toEqual([
      ['1', 'USPS', [{ lineId: '10000000000001', quantity: 2 }]],
      ['2', 'USPS', [{ lineId: '10000000000002', quantity: 1 }]],
    ]);
    expect((await f.links.get(CONN, ID))!.state).toBe('confirmed');
  });

  it("a poll's new packages cost one record write and one queue write, whatever their number, one job per order; a crash before the jobs were queued queues them at the next poll (issue 15)", async () => {
    const f = fakes();
    const tranNo = await createdOrder(f);
    const page = {
      shipments: [sageShipment(tranNo, '60', ['1', '2']), sageShipment(tranNo, '61', ['1'])],
      cursor: 'c1',
      more: false,
    };
    const batches: number[] = [];
    let lose = true;
    const deps = {
      ...f.deps,
      jobs: {
        ...f.deps.jobs,
        enqueueMany: async (queue: string, items: Parameters<typeof f.deps.jobs.enqueueMany>[1]) => {
          batches.push(items.length);
          // The first poll dies before its jobs are queued.
          if (lose) throw new Error('killed before the jobs were queued');
          return f.deps.jobs.enqueueMany(queue, items);
        },
      },
    };
    f.sage.shipmentPages.push(page, page);
    await expect(pollShipments({ connectionId: CONN }, deps)).rejects.toThrow('killed');
    expect(f.confirmations.recordManyCalls).toBe(1);
    expect(f.enqueued).toEqual([]);
    // The watermark did not move: the next poll reads the same page, finds the records pending and queues them.
    expect(f.watermarks.get(`${CONN}|${SHIPMENT_WATERMARK}`)).toBeUndefined();
    lose = false;
    expect(await pollShipments({ connectionId: CONN }, deps)).toMatchObject({ shipments: 2, queued: 3 });
    expect(f.confirmations.recordManyCalls).toBe(1); // nothing new to record
    // One job for the order's three packages (issue 15).
    expect(batches).toEqual([1, 1]);
    expect(f.enqueued.map((e) => e.key)).toEqual([`shipment.confirm:${ID}`]);
    expect(f.enqueued[0]!.payload).toMatchObject({
      packages: [
        { shipmentKey: '60', packageNo: '1' },
        { shipmentKey: '60', packageNo: '2' },
        { shipmentKey: '61', packageNo: '1' },
      ],
    });
    expect(f.watermarks.get(`${CONN}|${SHIPMENT_WATERMARK}`)).toBe('c1');
    const outcomes = [];
    for (const j of f.enqueued.splice(0)) outcomes.push(await confirmShipment(j.payload, f.deps));
    expect(outcomes.flatMap((o) => o.packages.map((p) => p.packageReferenceId))).toEqual(['1', '2', '3']);
    expect(f.amazon.confirms.map((c) => c.packageReferenceId)).toEqual(['1', '2', '3']);
  });

  it('killed after the package was marked confirmed and before the link moved: the re-run moves the order to confirmed (issue 13, chaos run)', async () => {
    const { f, job } = await onePolledPackage();
    f.sage.shipAll(f.links.rows.get(`${CONN}|${ID}`)!.tranNo!);
    // The dead worker's effect: the package is confirmed at Amazon and in its record, the link not moved yet.
    const key = [...f.confirmations.rows.values()][0]!;
    await f.confirmations.claimSend(key);
    await f.amazon.confirmShipment({
      orderId: ID,
      marketplaceId: 'ATVPDKIKX0DER',
      packageReferenceId: '1',
      carrierCode: 'UPS',
      trackingNumber: 'T',
      shipDate: '2026-11-27T10:00:00.000Z',
      lines: [],
    });
    await f.confirmations.setState(key, 'confirmed');
    expect((await f.links.get(CONN, ID))!.state).toBe('created');
    expect(await confirmShipment(job, f.deps)).toEqual({
      packages: [{ kind: 'already-confirmed', packageReferenceId: '1' }],
    });
    expect((await f.links.get(CONN, ID))!.state).toBe('confirmed');
    expect(f.amazon.confirms).toHaveLength(1);
  });

  it('a package of an order whose link has not recorded the Sage order yet waits (no attempt spent, nothing sent) until order.sync records it (issue 13, chaos run)', async () => {
    const f = fakes();
    const tranNo = await createdOrder(f);
    // Sage shipped the order while order.sync was between Sage's commit and its record: the poll reads the link so.
    const link = f.links.rows.get(`${CONN}|${ID}`)!;
    const { salesOrderKey: _k, ...withoutKey } = link;
    f.links.rows.set(`${CONN}|${ID}`, { ...withoutKey, state: 'reserved' });
    f.sage.shipmentPages.push({ shipments: [sageShipment(tranNo, '42', ['1'])], cursor: 'c1', more: false });
    await pollShipments({ connectionId: CONN }, f.deps);
    const job = f.enqueued[0]!.payload;
    // A link before creation does not go with the job: the job reads it, and waits.
    expect(job).not.toHaveProperty('link');
    await expect(confirmShipment(job, f.deps)).rejects.toMatchObject({
      code: 'SB_ORD_NOT_CREATED_YET',
      kind: 'unavailable',
    });
    expect(f.amazon.confirms).toHaveLength(0);
    // order.sync runs again: it finishes the creation (issue 13, finding 2); the confirmation then goes through.
    expect(await syncOrder({ connectionId: CONN, amazonOrderId: ID }, f.deps)).toMatchObject({
      kind: 'already-created',
    });
    f.sage.shipAll(link.tranNo!);
    expect(await confirmShipment(job, f.deps)).toEqual({ packages: [{ kind: 'confirmed', packageReferenceId: '1' }] });
    expect((await f.links.get(CONN, ID))!.state).toBe('confirmed');
  });

  it('the link the poll read goes with the job, which moves the order without reading it again (issue 15)', async () => {
    const { f, job } = await onePolledPackage();
    expect(job).toMatchObject({ link: { state: 'created', tranNo: 'AMZ0000001' } });
    let reads = 0;
    const get = f.links.get.bind(f.links);
    f.links.get = async (c, id) => (reads++, get(c, id));
    f.sage.shipAll('AMZ0000001');
    expect(await confirmShipment(job, f.deps)).toEqual({ packages: [{ kind: 'confirmed', packageReferenceId: '1' }] });
    expect(reads).toBe(0);
    expect((await get(CONN, ID))!.state).toBe('confirmed');
    // (A job whose link moved on since is the store's compare-and-set to catch: order-flow-store.test.ts.)
    // A link that is not this order's is ignored (read instead).
    const other = { ...(job as object), link: { ...(job as { link: object }).link, amazonOrderId: 'X' } };
    expect(await confirmShipment(other, f.deps)).toMatchObject({ packages: [{ kind: 'already-confirmed' }] });
    expect(reads).toBe(1);
  });

  /** A created, fully shipped order whose two packages (one shipment) were polled: the one job queued for them. */
  async function twoPolledPackages(): Promise<{ f: Fakes; job: unknown; advances: string[] }> {
    const f = fakes();
    const tranNo = await createdOrder(f);
    f.sage.shipAll(tranNo);
    f.sage.shipmentPages.push({ shipments: [sageShipment(tranNo, '70', ['1', '2'])], cursor: 'c1', more: false });
    expect(await pollShipments({ connectionId: CONN }, f.deps)).toMatchObject({ queued: 2 });
    expect(f.enqueued).toHaveLength(1);
    const advances: string[] = [];
    const advance = f.links.advance.bind(f.links);
    f.links.advance = async (key, current, to, u) => (advances.push(to), advance(key, current, to, u));
    return { f, job: f.enqueued[0]!.payload, advances };
  }

  it('one job confirms all the packages of an order: one claim for them, each sent once, one lifecycle move (issue 15)', async () => {
    const { f, job, advances } = await twoPolledPackages();
    expect(job).toMatchObject({
      connectionId: CONN,
      amazonOrderId: ID,
      packages: [
        { shipmentKey: '70', packageNo: '1' },
        { shipmentKey: '70', packageNo: '2' },
      ],
      link: { state: 'created' },
    });
    expect(await confirmShipment(job, f.deps)).toEqual({
      packages: [
        { kind: 'confirmed', packageReferenceId: '1' },
        { kind: 'confirmed', packageReferenceId: '2' },
      ],
    });
    expect(f.confirmations.claimPendingManyCalls).toBe(1);
    expect(f.amazon.confirms.map((c) => c.packageReferenceId)).toEqual(['1', '2']);
    expect(advances).toEqual(['confirmed']);
    expect((await f.links.get(CONN, ID))!.state).toBe('confirmed');
    // The job again (a duplicate): nothing sent, the order moved along again (idempotent).
    expect(await confirmShipment(job, f.deps)).toEqual({
      packages: [
        { kind: 'already-confirmed', packageReferenceId: '1' },
        { kind: 'already-confirmed', packageReferenceId: '2' },
      ],
    });
    expect(f.amazon.confirms).toHaveLength(2);
  });

  it('the second package fails: the first stays confirmed and moves the order; the retry reads the order and sends only the second', async () => {
    const { f, job, advances } = await twoPolledPackages();
    const real = f.amazon.confirmShipment.bind(f.amazon);
    f.amazon.confirmShipment = async (s) => {
      if (s.packageReferenceId === '2') throw new Error('socket hang up');
      return real(s);
    };
    await expect(confirmShipment(job, f.deps)).rejects.toThrow('socket hang up');
    const states = () => [...f.confirmations.rows.values()].map((r) => [r.packageReferenceId, r.state, r.sendAttempts]);
    expect(states()).toEqual([
      ['1', 'confirmed', 1],
      ['2', 'unknown', 1],
    ]);
    expect(advances).toEqual(['shipped-partially']);
    expect((await f.links.get(CONN, ID))!.state).toBe('shipped-partially');
    f.amazon.confirmShipment = real;
    const getsBefore = f.amazon.gets.length;
    expect(await confirmShipment(job, f.deps)).toEqual({
      packages: [
        { kind: 'already-confirmed', packageReferenceId: '1' },
        { kind: 'confirmed', packageReferenceId: '2' },
      ],
    });
    // `unknown`: Amazon's order was read before the second package was sent again; the first was not sent again.
    expect(f.amazon.gets.length).toBe(getsBefore + 1);
    expect(f.amazon.confirms.map((c) => c.packageReferenceId)).toEqual(['1', '2']);
    expect(states()).toEqual([
      ['1', 'confirmed', 1],
      ['2', 'confirmed', 2],
    ]);
    expect((await f.links.get(CONN, ID))!.state).toBe('confirmed');
  });

  it('the first package fails: the second, claimed but never sent, is handed back pending (no attempt counted) for the retry', async () => {
    const { f, job, advances } = await twoPolledPackages();
    f.amazon.failAfterEffect = 1;
    await expect(confirmShipment(job, f.deps)).rejects.toMatchObject({ code: 'SB_AMZ_TIMEOUT' });
    expect([...f.confirmations.rows.values()].map((r) => [r.state, r.sendAttempts])).toEqual([
      ['unknown', 1],
      ['pending', 0],
    ]);
    expect(advances).toEqual([]);
    expect(await confirmShipment(job, f.deps)).toEqual({
      packages: [
        { kind: 'found-at-amazon', packageReferenceId: '1' },
        { kind: 'confirmed', packageReferenceId: '2' },
      ],
    });
    expect(f.amazon.confirms.map((c) => c.packageReferenceId)).toEqual(['1', '2']);
    expect((await f.links.get(CONN, ID))!.state).toBe('confirmed');
  });

  it("a package refused for good (no Amazon order item) does not hold up the order's other package; the job then fails with it", async () => {
    const { f, job, advances } = await twoPolledPackages();
    const [first] = f.confirmations.rows;
    f.confirmations.rows.set(first![0], { ...first![1], detail: { ...first![1].detail, lines: [] } });
    await expect(confirmShipment(job, f.deps)).rejects.toMatchObject({
      code: 'SB_ORD_SHIPMENT_UNMAPPED',
      kind: 'validation',
    });
    expect(f.amazon.confirms.map((c) => c.packageReferenceId)).toEqual(['2']);
    expect([...f.confirmations.rows.values()].map((r) => r.state)).toEqual(['unknown', 'confirmed']);
    expect(advances).toEqual(['shipped-partially']);
  });

  it('a batch claim too old to start a call under (slow calls before it) is handed back and taken again before the call', async () => {
    const { f, job } = await twoPolledPackages();
    // A fence of 0: every claim is already too old when its call would start.
    expect(await confirmShipment(job, { ...f.deps, sendFenceMs: 0 })).toMatchObject({
      packages: [{ kind: 'confirmed' }, { kind: 'confirmed' }],
    });
    expect(f.confirmations.claimPendingManyCalls).toBe(3);
    expect([...f.confirmations.rows.values()].map((r) => [r.state, r.sendAttempts])).toEqual([
      ['confirmed', 1],
      ['confirmed', 1],
    ]);
    expect(f.amazon.confirms).toHaveLength(2);
  });

  it("a job queued before one job carried an order's packages (shipmentKey and packageNo: one package) is still confirmed", async () => {
    const { f } = await twoPolledPackages();
    const old = { connectionId: CONN, amazonOrderId: ID, shipmentKey: '70', packageNo: '2' };
    expect(await confirmShipment(old, f.deps)).toEqual({
      packages: [{ kind: 'confirmed', packageReferenceId: '2' }],
    });
    expect(f.amazon.confirms.map((c) => c.packageReferenceId)).toEqual(['2']);
    expect((await f.links.get(CONN, ID))!.state).toBe('shipped-partially');
    await expect(
      confirmShipment({ connectionId: CONN, amazonOrderId: ID, packages: [{ shipmentKey: '70' }] }, f.deps),
    ).rejects.toMatchObject({ code: 'SB_JOB_PAYLOAD_INVALID' });
    await expect(
      confirmShipment({ connectionId: CONN, amazonOrderId: ID, packages: [] }, f.deps),
    ).rejects.toMatchObject({ code: 'SB_JOB_PAYLOAD_INVALID' });
  });

  it('a confirm job for an unrecorded package is SB_ORD_CONFIRMATION_MISSING; a bad payload is SB_JOB_PAYLOAD_INVALID', async () => {
    const f = fakes();
    await expect(
      confirmShipment({ connectionId: CONN, amazonOrderId: ID, shipmentKey: '1', packageNo: '1' }, f.deps),
    ).rejects.toMatchObject({ code: 'SB_ORD_CONFIRMATION_MISSING', kind: 'validation' });
    await expect(confirmShipment({ connectionId: CONN }, f.deps)).rejects.toMatchObject({
      code: 'SB_JOB_PAYLOAD_INVALID',
    });
    await expect(pollShipments(undefined, f.deps)).rejects.toMatchObject({ code: 'SB_JOB_PAYLOAD_INVALID' });
  });

  it('Sage unavailable during a poll is kind unavailable and leaves the cursor where it was', async () => {
    const f = fakes();
    f.sage.unavailable = true;
    await expect(pollShipments({ connectionId: CONN }, f.deps)).rejects.toMatchObject({ kind: 'unavailable' });
    expect(f.watermarks.size).toBe(0);
  });
});
