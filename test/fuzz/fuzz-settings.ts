import fc from 'fast-check';
import { expect } from 'vitest';

/**
 * The fuzz suites (issue 13) run in `npm test` with a fixed seed and FUZZ_RUNS cases per property (default 60,
 * a few seconds in all); `npm run fuzz` sets FUZZ_RUNS=10000. FUZZ_SEED picks another seed; a failure prints
 * the seed and the shrunk counterexample (fast-check's report).
 */
export const FUZZ_RUNS = Number(process.env['FUZZ_RUNS'] ?? 60);
export const FUZZ_SEED = Number(process.env['FUZZ_SEED'] ?? 20261206);

/** fast-check parameters for one property: FUZZ_RUNS cases from FUZZ_SEED. */
export function fuzzParams(): fc.Parameters<unknown> {
  return { numRuns: FUZZ_RUNS, seed: FUZZ_SEED, endOnFailure: true };
}

/** Test timeout for a property at FUZZ_RUNS: grows with the runs so `npm run fuzz` does not time out. */
export const fuzzTimeout = (msPerRun: number): number => Math.max(60_000, FUZZ_RUNS * msPerRun);

/** Leaves an attacker or a broken upstream might send: odd strings, numbers, types, a long string. */
export const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      'NaN',
      '-0',
      '1e308',
      '0.001',
      '12,34',
      '1.234,56',
      '9999999999999999999',
      '\u0000',
      '\t\n',
      '<script>',
      "'; DROP TABLE x;--",
      '%',
      '_',
      '\\',
      '__proto__',
    ),
  },
  {
    weight: 2,
    arbitrary: fc.oneof(fc.integer(), fc.double(), fc.constant(Number.MAX_SAFE_INTEGER + 2), fc.constant(-1)),
  },
  { weight: 2, arbitrary: fc.constantFrom(null, undefined, true, false, [], {}) },
  { weight: 1, arbitrary: fc.json({ maxDepth: 3 }).map((j) => JSON.parse(j) as unknown) },
  { weight: 1, arbitrary: fc.integer({ min: 2_000, max: 40_000 }).map((n) => 'L'.repeat(n)) },
);

type Path = readonly (string | number)[];

function pathsOf(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => pathsOf(v, [...prefix, i], out));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) pathsOf(v, [...prefix, k], out);
  return out;
}

function setAt(root: unknown, path: Path, value: unknown, remove: boolean): unknown {
  if (path.length === 0) return value;
  const parent = path
    .slice(0, -1)
    .reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], root) as Record<
    string | number,
    unknown
  >;
  const key = path[path.length - 1]!;
  if (remove) {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
  } else parent[key] = value;
  return root;
}

/** A copy of `base` with 1-4 random fields replaced by odd values or removed: mostly-valid inputs that go deep. */
export function mutated<T>(base: T): fc.Arbitrary<unknown> {
  const paths = pathsOf(base).filter((p) => p.length > 0);
  return fc
    .array(fc.record({ at: fc.nat({ max: paths.length - 1 }), value: oddValue, remove: fc.boolean() }), {
      minLength: 1,
      maxLength: 4,
    })
    .map((ops) => {
      let doc: unknown = structuredClone(base);
      for (const op of ops) {
        const live = pathsOf(doc).filter((p) => p.length > 0);
        if (live.length === 0) break;
        doc = setAt(doc, live[op.at % live.length]!, op.value, op.remove);
      }
      return doc;
    });
}

/** A Sellbridge refusal: an SB_ code, a bounded message, and a named field (issues, or a location in the text). */
export function expectNamedRefusal(err: unknown, options: { code?: RegExp; maxMessage?: number } = {}): void {
  // An Error (code, message, issues, context.field) or an HTTP answer (code, error, issues, field).
  const e = err as {
    code?: unknown;
    message?: unknown;
    error?: unknown;
    field?: unknown;
    context?: { field?: unknown };
    issues?: ReadonlyArray<{ field?: unknown }>;
  };
  const message = String(e.message ?? e.error);
  expect(String(e.code), message).toMatch(options.code ?? /^SB_[A-Z0-9]+_[A-Z0-9_]+$/);
  expect(message.length).toBeLessThan(options.maxMessage ?? 12_000);
  const named =
    (e.issues ?? []).some((i) => typeof i.field === 'string' && i.field.length > 0) ||
    (typeof e.field === 'string' && e.field.length > 0) ||
    (typeof e.context?.field === 'string' && e.context.field.length > 0) ||
    /\b(body|query|path|row \d+|line \d+|column [\w-]+|file)\b|\(root\)/.test(message);
  expect(named, message).toBe(true);
}
