import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminEnv, type AdminEnv } from '../integration/server/admin-env.ts';
import { expectNamedRefusal, fuzzParams, fuzzTimeout, oddValue } from './fuzz-settings.ts';

/**
 * Every admin API endpoint that takes a body, enumerated from the OpenAPI document the route definitions make
 * (src/server/http/define.ts), driven through app.inject() against the real Fastify app with an admin token:
 * no 5xx, bounded answers, and every refusal carries an SB_ code (and, for a 400, names the field).
 */
interface Operation {
  readonly method: string;
  readonly path: string;
  readonly consumes: string;
  readonly properties: readonly string[];
  readonly columns: readonly string[];
}

let env: AdminEnv;
let operations: Operation[] = [];

function pathValue(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.uuid(),
    fc.constantFrom('default', '111-0000000-0000001', '%25', '_', '..%2F..', 'x'.repeat(400), 'sku-aliases'),
    fc.string({ minLength: 1, maxLength: 20 }).map(encodeURIComponent),
  );
}

/** A JSON body: the operation's own fields with odd values (mostly), or anything at all. */
function jsonBody(op: Operation): fc.Arbitrary<string> {
  const fields = op.properties.length
    ? fc
        .dictionary(fc.constantFrom(...op.properties), oddValue, { maxKeys: op.properties.length + 1 })
        .map((o) => JSON.stringify(o))
    : fc.constant('{}');
  return fc.oneof(
    { weight: 5, arbitrary: fields },
    { weight: 1, arbitrary: fc.json({ maxDepth: 4 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
    { weight: 1, arbitrary: fc.integer({ min: 65, max: 5_000 }).map((n) => `{"a":${'['.repeat(n)}${']'.repeat(n)}}`) },
  );
}

/** A CSV body: the operation's header (or a shuffled part of it) and odd cells, quoted or not, or raw text. */
function csvBody(op: Operation): fc.Arbitrary<string> {
  const csvCell = fc.oneof(
    fc.string({ maxLength: 15 }),
    fc.constantFrom('', '"', '""', '"a,b"', '=1+1', 'x'.repeat(300), 'UPS', '4000-00', 'USD', '*', 'default'),
  );
  const header = op.columns.length
    ? fc.shuffledSubarray([...op.columns], { minLength: 1 })
    : fc.array(fc.string({ maxLength: 10 }), { maxLength: 4 });
  const structured = fc
    .tuple(header, fc.array(fc.array(csvCell, { maxLength: 8 }), { maxLength: 6 }), fc.constantFrom('\n', '\r\n'))
    .map(([h, rows, eol]) => [h, ...rows].map((r) => r.join(',')).join(eol));
  return fc.oneof(
    { weight: 4, arbitrary: structured },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 100 }) },
  );
}

beforeAll(async () => {
  env = await adminEnv({ security: { authRateLimitPerMinute: 1_000_000 } });
  const doc = (await env.app.inject({ url: '/docs/openapi.json' })).json() as {
    paths: Record<
      string,
      Record<
        string,
        {
          requestBody?: { content: Record<string, { schema?: { properties?: Record<string, unknown> } }> };
          summary?: string;
        }
      >
    >;
  };
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      if (!op.requestBody) continue;
      const [consumes, media] = Object.entries(op.requestBody.content)[0]!;
      // CSV imports name their columns in the summary: "(header a,b,c)" or "(header connectionId?,sellerSku,itemId)".
      const columns =
        /header ([\w?,]+)/
          .exec(op.summary ?? '')?.[1]
          ?.split(',')
          .map((c) => c.replace('?', '')) ?? [];
      operations.push({
        method: method.toUpperCase(),
        path,
        consumes,
        properties: Object.keys(media.schema?.properties ?? {}),
        columns,
      });
    }
  }
  operations = operations.sort((a, b) => `${a.method} ${a.path}`.localeCompare(`${b.method} ${b.path}`));
});
afterAll(() => env.close());

async function call(op: Operation, params: readonly string[], payload: string, contentType: string) {
  let i = 0;
  const url = op.path.replace(/\{[^}]+\}/g, () => params[i++ % params.length]!);
  return env.app.inject({
    method: op.method as 'POST',
    url,
    headers: { ...env.as.admin, 'content-type': contentType },
    payload,
  });
}

function expectSound(res: { statusCode: number; body: string; json: () => unknown }, where: string): void {
  expect(res.statusCode, `${where}: ${res.body.slice(0, 300)}`).toBeLessThan(500);
  expect(res.body.length, where).toBeLessThan(256 * 1024);
  if (res.statusCode >= 400) {
    const body = res.json() as { code?: string };
    expect(body.code, `${where}: ${res.body.slice(0, 300)}`).toMatch(/^SB_/);
    if (res.statusCode === 400) expectNamedRefusal(body);
  }
}

describe('fuzz: admin API bodies through app.inject()', () => {
  it('finds the endpoints with bodies in the OpenAPI document (JSON and CSV)', () => {
    expect(operations.length).toBeGreaterThanOrEqual(10);
    expect(operations.some((o) => o.consumes === 'text/csv')).toBe(true);
  });

  it(
    'JSON bodies: no 5xx, bounded answers, SB_ codes, the field named',
    async () => {
      const jsonOps = operations.filter((o) => o.consumes !== 'text/csv');
      const input = fc
        .nat({ max: jsonOps.length - 1 })
        .chain((n) =>
          fc.tuple(
            fc.constant(jsonOps[n]!),
            fc.array(pathValue(), { minLength: 1, maxLength: 3 }),
            jsonBody(jsonOps[n]!),
            fc.constantFrom('application/json', 'application/json', 'application/json', 'text/plain', 'text/csv'),
          ),
        );
      await fc.assert(
        fc.asyncProperty(input, async ([op, params, payload, type]) => {
          const res = await call(op, params, payload, type);
          expectSound(res, `${op.method} ${op.path} (${type}) ${payload.slice(0, 200)}`);
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout(60),
  );

  it(
    'CSV mapping imports: no 5xx, bounded answers, every refused row named',
    async () => {
      const csvOps = operations.filter((o) => o.consumes === 'text/csv');
      const input = fc
        .nat({ max: csvOps.length - 1 })
        .chain((n) => fc.tuple(fc.constant(csvOps[n]!), csvBody(csvOps[n]!)));
      await fc.assert(
        fc.asyncProperty(input, async ([op, payload]) => {
          const res = await call(op, ['default'], payload, 'text/csv');
          expectSound(res, `${op.method} ${op.path} ${JSON.stringify(payload.slice(0, 200))}`);
          if (res.statusCode === 200) expect(typeof (res.json() as { imported?: unknown }).imported).toBe('number');
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout(60),
  );
});
