import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrderFlowDeps } from '../../../src/bootstrap/orders.ts';
import { orderStatus } from '../../../src/bootstrap/order-status.ts';
import type { AmazonMarketplace } from '../../../src/core/ports/amazon-marketplace.ts';
import type { Sage500Gateway } from '../../../src/core/ports/sage500-gateway.ts';
import { createSandboxGateway, type SandboxGateway } from '../../../src/connectors/sage500/sandbox-gateway.ts';
import { syncOrder } from '../../../src/flows/sync-order.ts';
import { systemClock } from '../../../src/runtime/clock.ts';
import { createDeadLetterService } from '../../../src/runtime/queue/dead-letters.ts';
import type { JobQueue } from '../../../src/runtime/queue/job-queue.ts';
import type { Store } from '../../../src/runtime/store/store.ts';
import { freshStore, makeQueue } from '../../helpers/queue-env.ts';
import { anOrder, FakeAmazon } from '../../unit/flows/fakes.ts';

/**
 * Issue 13, finding 2: the process dies after Sage committed the sales order and before the link moved to `created`
 * (and before the gateway wrote the Amazon extension rows). The next run of the same order.sync job must finish the
 * creation: record `created` with the Sage keys and repair tsoSalesOrder_AMZ / tsoSOLine_AMZ, without a second order.
 */
const CONN = 'default';
const dir = mkdtempSync(join(tmpdir(), 'sb-crash-commit-'));
let store: Store;
let sage: SandboxGateway;
let queue: JobQueue;

beforeAll(async () => {
  store = await freshStore('sqlite', 'crash-after-sage-commit');
  sage = await createSandboxGateway({ path: join(dir, 'sage.db') });
  queue = await makeQueue(store);
});

afterAll(async () => {
  await queue?.stop();
  await store?.close();
  await sage?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The real gateway, except that createSalesOrder dies between Sage's commit and the extension rows (a SIGKILL there). */
function dyingAfterCommit(real: SandboxGateway): Sage500Gateway {
  return new Proxy(real, {
    get(target, prop, receiver) {
      if (prop !== 'createSalesOrder') return Reflect.get(target, prop, receiver);
      const create: Sage500Gateway['createSalesOrder'] = async (draft, options) => {
        const created = await target.createSalesOrder(draft, options);
        const soKey = Number(created.order.key);
        await target.db.deleteFrom('tsoSOLine_AMZ').where('SOKey', '=', soKey).execute();
        await target.db.deleteFrom('tsoSalesOrder_AMZ').where('SOKey', '=', soKey).execute();
        throw new Error('killed after Sage committed the order (simulated SIGKILL)');
      };
      return create;
    },
  }) as unknown as Sage500Gateway;
}

const count = async (table: 'tsoSalesOrder' | 'tsoSalesOrder_AMZ' | 'tsoSOLine_AMZ', soKey?: number) => {
  let q = sage.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n'));
  if (soKey !== undefined) q = q.where('SOKey', '=', soKey);
  return Number((await q.executeTakeFirstOrThrow()).n);
};

describe('order.sync after a crash between the Sage commit and the link (issue 13)', () => {
  it('the retry records created with the Sage keys, repairs the extension rows and creates nothing twice', async () => {
    const fake = new FakeAmazon();
    const amazon: AmazonMarketplace = Object.assign(fake, {
      searchOrders: () => Promise.reject(new Error('not used')),
    });
    const order = anOrder({ id: '111-1300002-0000001' }, [
      { sku: 'WIDGET-RED', quantityOrdered: 2 },
      { sku: 'GADGET-PRO', quantityOrdered: 1 },
    ]);
    fake.orders.set(order.id, order);
    const job = { connectionId: CONN, amazonOrderId: order.id };
    const dying = createOrderFlowDeps({ store, amazon, sage: dyingAfterCommit(sage), clock: systemClock, queue });
    await expect(syncOrder(job, dying)).rejects.toThrow('simulated SIGKILL');
    const stuck = await dying.links.get(CONN, order.id);
    expect(stuck).toMatchObject({ state: 'reserved' });
    expect(stuck?.salesOrderKey ?? null).toBeNull();
    expect(await count('tsoSalesOrder')).toBe(1);
    expect(await count('tsoSalesOrder_AMZ')).toBe(0);

    // The job runs again in a fresh process.
    const deps = createOrderFlowDeps({ store, amazon, sage, clock: systemClock, queue });
    const outcome = await syncOrder(job, deps);
    expect(outcome).toMatchObject({ kind: 'already-created', tranNo: stuck!.tranNo });
    const link = await deps.links.get(CONN, order.id);
    expect(link).toMatchObject({ state: 'created', tranNo: stuck!.tranNo });
    const soKey = Number(link!.salesOrderKey);
    expect(soKey).toBeGreaterThan(0);
    expect(await count('tsoSalesOrder')).toBe(1);
    expect(await count('tsoSalesOrder_AMZ', soKey)).toBe(1);
    expect(await count('tsoSOLine_AMZ', soKey)).toBe(2);
    expect((await sage.findSalesOrder({ amazonOrderId: order.id }))?.key).toBe(String(soKey));

    const status = await orderStatus(
      { store, queue, deadLetters: createDeadLetterService(store, queue, systemClock), deps },
      CONN,
      order.id,
    );
    expect(status).toMatchObject({ state: 'created', tranNo: stuck!.tranNo, salesOrderKey: String(soKey) });

    // And it goes on with the normal lifecycle: once Amazon cancels it, the Sage order is cancelled.
    fake.orders.set(order.id, { ...order, status: 'cancelled' });
    expect(await syncOrder(job, deps)).toMatchObject({ kind: 'cancelled' });
    expect((await deps.links.get(CONN, order.id))?.state).toBe('cancelled');
  });
});
