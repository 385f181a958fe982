import { describe, expect, it } from 'vitest';
import {
  ORDER_SYNC_QUEUE,
  REFUND_RECORD_QUEUE,
  registerOrderFlows,
  SHIPMENT_CONFIRM_QUEUE,
  SHIPMENT_POLL_QUEUE,
} from '../../../src/flows/index.ts';
import { anOrder, CONN, fakes } from './fakes.ts';

describe('registerOrderFlows', () => {
  it('registers order.sync, shipment.poll, shipment.confirm and refund.record; the handlers run the flows with the given deps', async () => {
    const f = fakes();
    const handlers = new Map<string, (payload: unknown) => Promise<unknown>>();
    registerOrderFlows({ register: (queue, handler) => void handlers.set(queue, handler) }, f.deps);
    expect([...handlers.keys()]).toEqual([
      ORDER_SYNC_QUEUE,
      SHIPMENT_POLL_QUEUE,
      SHIPMENT_CONFIRM_QUEUE,
      REFUND_RECORD_QUEUE,
    ]);
    f.amazon.orders.set('111-0000001-0000001', anOrder());
    expect(
      await handlers.get(ORDER_SYNC_QUEUE)!({ connectionId: CONN, amazonOrderId: '111-0000001-0000001' }),
    ).toMatchObject({ kind: 'created' });
    expect(await handlers.get(SHIPMENT_POLL_QUEUE)!({ connectionId: CONN })).toEqual({
      shipments: 0,
      queued: 0,
      more: false,
      via: 'cursor',
    });
  });
});
