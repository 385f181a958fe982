import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerOrders } from '../../../src/bootstrap/orders.ts';
import { loadConfig } from '../../../src/config/load.ts';
import type { OrderWiringInput } from '../../../src/bootstrap/orders.ts';
import { SHIPMENT_POLL_QUEUE } from '../../../src/flows/index.ts';
import { createMetrics } from '../../../src/observability/metrics.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import { adminEnv, type AdminEnv } from '../server/admin-env.ts';

/**
 * A carrier edited through the admin API reaches the shipment flow's carrier rules at the next job, without a
 * restart: the order wiring reads the stored carriers when a job starts (shipment.poll picks the carrier code of
 * each package from `carriersFor`, unit-tested in package-shipments-from-shipment.test.ts).
 */
describe('carrier override reaches the order flows', () => {
  let env: AdminEnv;
  beforeAll(async () => {
    env = await adminEnv();
  });
  afterAll(() => env.close());

  it('shipment.poll after a PUT sees the stored carrier; the defaults again after the list is emptied', async () => {
    const handlers = new Map<string, (payload: unknown) => Promise<unknown>>();
    const wiring = registerOrders({
      config: loadConfig({ env: {} }),
      store: env.store,
      clock: { now: () => new Date() },
      logger: silentLogger(),
      metrics: createMetrics(),
      queue: {
        register: (name: string, h: (payload: unknown) => Promise<unknown>) => handlers.set(name, h),
        enqueue: async () => ({ id: '1', deduplicated: false }),
      },
      scheduler: { add: () => undefined },
      inbox: {},
      amazon: {},
      sage: { listShipments: async () => ({ shipments: [], cursor: 'c1', more: false }) },
    } as unknown as OrderWiringInput);
    const poll = async () => handlers.get(SHIPMENT_POLL_QUEUE)!({ connectionId: wiring.connectionId });

    await poll();
    expect((await wiring.deps.carriersFor(wiring.connectionId))['UPS-GND']).toEqual({
      carrierCode: 'UPS',
      shippingMethod: 'UPS Ground',
    });

    const put = await env.app.inject({
      method: 'PUT',
      url: '/api/v1/mappings/carriers',
      headers: env.as.operator,
      payload: {
        rows: [
          { shipMethId: 'ups-gnd', carrierCode: 'UPS', shippingMethod: 'UPS Ground Saver' },
          { shipMethId: 'MDX', carrierCode: 'Other', carrierName: 'MDX Courier' },
        ],
      },
    });
    expect(put.statusCode).toBe(200);
    await poll();
    const carriers = await wiring.deps.carriersFor(wiring.connectionId);
    expect(carriers['ups-gnd']).toEqual({ carrierCode: 'UPS', shippingMethod: 'UPS Ground Saver' });
    expect(carriers['UPS-GND']).toBeUndefined(); // the default of the same id (case-insensitive) is replaced
    expect(carriers.MDX).toEqual({ carrierCode: 'Other', carrierName: 'MDX Courier' });
    expect(carriers['FEDEX-GND']).toBeDefined();
    expect((await wiring.deps.rulesFor(wiring.connectionId)).carriers).toEqual(carriers);

    await env.app.inject({
      method: 'PUT',
      url: '/api/v1/mappings/carriers',
      headers: env.as.operator,
      payload: { rows: [] },
    });
    await poll();
    expect((await wiring.deps.carriersFor(wiring.connectionId))['UPS-GND']).toEqual({
      carrierCode: 'UPS',
      shippingMethod: 'UPS Ground',
    });
  });
});
