import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { itemIdFromSku, type CatalogueItem } from '../../../src/core/transform/sku-resolution.ts';

const RUNS = 300;

const idArb = fc.stringMatching(/^[A-Z0-9]{2,8}(-[A-Z0-9]{1,6})?$/);
const catalogueArb = fc.uniqueArray(
  fc.record({
    itemId: idArb,
    description: fc.string({ maxLength: 30 }),
    upc: fc.option(fc.stringMatching(/^\d{12}$/), { nil: undefined }),
  }),
  { selector: (c) => c.itemId, minLength: 1, maxLength: 30 },
) as fc.Arbitrary<CatalogueItem[]>;
const skuArb = fc.oneof(idArb, fc.string({ maxLength: 20 }), fc.stringMatching(/^ ?[a-z0-9]{2,8}(-[a-z0-9]{1,6})? ?$/));

describe('SKU resolution (fast-check)', () => {
  it(`is deterministic and independent of the catalogue's order (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(
        skuArb,
        catalogueArb,
        fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
        fc.integer(),
        (sku, catalogue, title, seed) => {
          const lookup = { aliases: {}, catalogue };
          const a = itemIdFromSku(sku, lookup, title);
          const b = itemIdFromSku(sku, lookup, title);
          expect(b).toEqual(a);
          const shuffled = [...catalogue].sort(
            (x, y) => ((x.itemId.charCodeAt(0) * 31 + seed) % 97) - ((y.itemId.charCodeAt(0) * 31 + seed) % 97),
          );
          expect(itemIdFromSku(sku, { aliases: {}, catalogue: shuffled }, title)).toEqual(a);
          if (a.kind === 'unknown') {
            expect(a.suggestions.length).toBeLessThanOrEqual(3);
            const ids = a.suggestions.map((s) => s.itemId);
            expect(new Set(ids).size).toBe(ids.length);
            for (const s of a.suggestions) expect(catalogue.some((c) => c.itemId === s.itemId)).toBe(true);
            for (let i = 1; i < a.suggestions.length; i++)
              expect(a.suggestions[i - 1]!.score).toBeGreaterThanOrEqual(a.suggestions[i]!.score);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('resolves an ItemID in any case and spacing to that item', () => {
    fc.assert(
      fc.property(catalogueArb, fc.nat(), (catalogue, pick) => {
        const item = catalogue[pick % catalogue.length]!;
        const r = itemIdFromSku(`  ${item.itemId.toLowerCase()} `, { aliases: {}, catalogue }, undefined);
        expect(r).toMatchObject({ kind: 'resolved', itemId: item.itemId });
      }),
      { numRuns: RUNS },
    );
  });
});
