import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSandboxGateway } from '../../../src/connectors/sage500/sandbox-gateway.ts';
import { money } from '../../../src/core/model/money.ts';

describe('createSalesOrder is idempotent by TranNo (property, sandbox)', () => {
  it('any mix of repeated and concurrent calls yields one sales order per TranNo, created exactly once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 3 }), {
          minLength: 1,
          maxLength: 4,
        }),
        async (waves) => {
          const gw = await createSandboxGateway({ path: ':memory:' });
          try {
            const outcomes = new Map<number, string[]>();
            // Each wave runs its calls concurrently; waves run one after the other (retries after a crash or a timeout).
            for (const wave of waves) {
              const results = await Promise.all(
                wave.map((i) =>
                  gw.createSalesOrder(
                    {
                      customerId: 'AMAZON-US',
                      amazonOrderId: `111-0000000-000000${i}`,
                      orderDate: '2026-11-20T00:00:00Z',
                      currency: 'USD',
                      warehouseId: 'MAIN',
                      lines: [{ lineNo: 1, itemId: 'WIDGET-BLUE', quantity: i + 1, unitPrice: money('USD', 1999) }],
                    },
                    { tranNo: `AZ0000000${i}` },
                  ),
                ),
              );
              wave.forEach((i, n) => outcomes.set(i, [...(outcomes.get(i) ?? []), results[n]!.outcome]));
            }
            const rows = await gw.db.selectFrom('tsoSalesOrder').select('TranNo').orderBy('TranNo').execute();
            expect(rows.map((r) => r.TranNo)).toEqual([...outcomes.keys()].sort().map((i) => `AZ0000000${i}`));
            for (const list of outcomes.values()) expect(list.filter((o) => o === 'created')).toHaveLength(1);
            // Stock committed once per order, whatever the number of calls.
            const [blue] = await gw.getStock(['WIDGET-BLUE'], ['MAIN']);
            expect(blue!.available).toBe(40 - [...outcomes.keys()].reduce((sum, i) => sum + i + 1, 0));
            expect(await gw.db.selectFrom('StgSalesOrder').select('RowKey').execute()).toEqual([]);
          } finally {
            await gw.close();
          }
        },
      ),
      { numRuns: 15 },
    );
  });
});
