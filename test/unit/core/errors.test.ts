import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { coerceError, ERROR_CATALOGUE, MappingError, SellbridgeError } from '../../../src/core/errors.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('error catalogue', () => {
  it('has every SB_ code that src/ uses, with a kind, a meaning and a fix', () => {
    const used = new Set<string>();
    for (const file of sourceFiles(join(ROOT, 'src'))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/'(SB_[A-Z0-9_]*[A-Z0-9])'/g)) used.add(m[1]!);
    }
    const missing = [...used].filter((c) => !(c in ERROR_CATALOGUE));
    expect(missing, 'codes used in src/ but not in ERROR_CATALOGUE').toEqual([]);
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
      expect(code).toMatch(/^SB_[A-Z0-9]+_[A-Z0-9_]+$/);
      expect(entry.meaning.length, code).toBeGreaterThan(10);
      expect(entry.fix.length, code).toBeGreaterThan(5);
    }
  });

  it('is documented in docs/errors.md: no code missing, none stale', () => {
    const doc = readFileSync(join(ROOT, 'docs/errors.md'), 'utf8');
    const documented = [...doc.matchAll(/^\| `(SB_[A-Z0-9_]+)` \|/gm)].map((m) => m[1]).sort();
    expect(documented).toEqual(Object.keys(ERROR_CATALOGUE).sort());
  });

  it('classifies by kind: permanent ones are not retryable; throttled carries its wait', () => {
    expect(new SellbridgeError('SB_JOB_PAYLOAD_INVALID', 'x').retryable).toBe(false);
    const throttled = new SellbridgeError('SB_STORE_UNAVAILABLE', 'busy', { retryAfterMs: 1500 });
    expect(throttled.retryable).toBe(true);
    expect(throttled.retryAfterMs).toBe(1500);
  });

  it('lists every bad field of a record in one mapping error', () => {
    const err = new MappingError('SB_JOB_PAYLOAD_INVALID', 'order 111-222', [
      { field: 'items[0].sku', problem: 'unknown SKU ABC', suggestions: ['ABC-1'] },
      { field: 'shippingAddress.country', problem: 'no Sage country code for XX' },
    ]);
    expect(err.message).toBe(
      'order 111-222: items[0].sku: unknown SKU ABC; shippingAddress.country: no Sage country code for XX',
    );
    expect(err.toJSON().issues).toHaveLength(2);
  });

  it('wraps foreign errors as internal, keeping the cause', () => {
    const cause = new TypeError('boom');
    const err = coerceError(cause);
    expect(err.code).toBe('SB_JOB_HANDLER_CRASHED');
    expect(err.kind).toBe('internal');
    expect(err.cause).toBe(cause);
    expect(coerceError(err)).toBe(err);
  });
});
