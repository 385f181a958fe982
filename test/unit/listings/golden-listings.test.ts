import { describe, expect, it } from 'vitest';
import { applyListingChanges, listingDeltaFromSage } from '../../../src/core/transform/listing-delta.ts';
import { goldenCases, readCase, rulesOf, runCase, summarize } from './golden-case.ts';

const cases = goldenCases();

describe('golden listing cases (test/fixtures/golden-listings/<case>/{input,expected}.json, worked out by hand)', () => {
  it('has at least six cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(6);
  });

  it.each(cases)('%s', (name) => {
    const { input, expected } = readCase(name);
    const run = runCase(input);
    expect(JSON.parse(JSON.stringify(summarize(run)))).toEqual(expected);
    // Every change says why, and sending the changes then computing again sends nothing.
    for (const c of run.delta.changes) for (const f of c.changes) expect(f.why).not.toBe('');
    const after = applyListingChanges(input.lastSent, run.delta.changes);
    const again = listingDeltaFromSage({
      links: input.links,
      stock: input.stock,
      prices: input.prices,
      lastSent: after,
      rules: rulesOf(input),
    });
    expect(again.changes.filter((c) => c.changes.some((f) => f.kind !== 'attribute'))).toEqual([]);
  });
});
