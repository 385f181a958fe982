import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { SHARED_PRESENT, SHARED_SKIP_MESSAGE } from '../../helpers/shared.ts';
import { loadConformance, type SpApiConformance } from '../../helpers/sp-api-conformance.ts';
import { SIMULATED_OPERATIONS } from '../../../src/simulator/amazon/index.ts';
import { createPrng } from '../../../src/simulator/amazon/prng.ts';
import { OrderGenerator, type FulfillmentStatus } from '../../../src/simulator/amazon/scenario.ts';
import { INCLUDED_DATA, orderToWire } from '../../../src/simulator/amazon/order-wire.ts';

if (!SHARED_PRESENT) console.warn(SHARED_SKIP_MESSAGE);

/** The simulator's own data against the models: its usage-plan table, and any order it can generate. */
describe.skipIf(!SHARED_PRESENT)('simulator data conforms to the models', () => {
  let c: SpApiConformance;
  beforeAll(() => {
    c = loadConformance();
  });

  it("every simulated operation exists in the models at that path, with the model's default rate and burst", () => {
    for (const op of SIMULATED_OPERATIONS) {
      // Not among the copied models: its plan is checked as published data in usage-plans.test.ts.
      if (op.name === 'definitions.getDefinitionsProductType') {
        expect([op.rate, op.burst], op.name).toEqual([5, 10]);
        continue;
      }
      const model = c.findOperation(op.method, op.path.replace(/\{[^}]+\}/g, 'x'));
      expect(model?.operationId, op.name).toBe(op.operationId);
      const description = String((model!.operation as unknown as { description?: string }).description ?? '');
      const plan =
        /\|\s*Rate \(requests per second\)\s*\|\s*Burst\s*\|\s*\n\|[-\s|]+\|\s*\n\|\s*([\d.]+)\s*\|\s*(\d+)\s*\|/.exec(
          description,
        );
      expect(plan, `${op.name} has a usage plan table`).not.toBeNull();
      expect([op.rate, op.burst], op.name).toEqual([Number(plan![1]), Number(plan![2])]);
    }
  });

  it('any generated order, with any includedData, is a valid getOrder response (property, 200 runs)', () => {
    const getOrder = c.findOperation('GET', '/orders/2026-01-01/orders/123-1234567-1234567')!;
    const statuses: FulfillmentStatus[] = ['PENDING', 'UNSHIPPED', 'PARTIALLY_SHIPPED', 'SHIPPED', 'CANCELLED'];
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.subarray([...INCLUDED_DATA]),
        fc.constantFrom(...statuses),
        fc.constantFrom('ATVPDKIKX0DER', 'A1PA6795UKMFR9', 'A1F83G8C2ARO7P'),
        (seed, includedData, status, marketplaceId) => {
          const generator = new OrderGenerator(createPrng(seed), {
            sellerId: 'S',
            unknownSkuRate: 0.2,
            giftRate: 0.5,
            businessRate: 0.5,
          });
          const order = generator.generate(Date.parse('2026-11-27T00:00:00Z'), { status, marketplaceId });
          if (status === 'PARTIALLY_SHIPPED') order.items[0]!.quantityShipped = 1;
          const result = c.validateResponse(
            {
              method: 'GET',
              path: `/orders/2026-01-01/orders/${order.orderId}`,
              query: {},
              requestBody: undefined,
              status: 200,
              responseHeaders: { 'x-amzn-RequestId': 'r', 'x-amzn-RateLimit-Limit': '0.5' },
              responseBody: { order: orderToWire(order, includedData) },
            },
            getOrder,
          );
          expect(result.errors).toEqual([]);
        },
      ),
      { numRuns: 200, seed: 20261127 },
    );
  });
});
