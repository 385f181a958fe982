import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandboxGateway, type SandboxGateway } from '../../src/connectors/sage500/sandbox-gateway.ts';
import { EDIT_COLUMNS } from '../../src/connectors/store/connection-mappings.ts';
import { SYNC_EDIT_COLUMNS } from '../../src/connectors/store/connection-sync-edits.ts';
import { ROW_COLUMNS } from '../../src/connectors/store/mapping-rules.ts';
import { CONNECTION_MAPPING_KINDS } from '../../src/server/routes/connection-mappings.ts';
import { adminEnv, type AdminEnv } from '../integration/server/admin-env.ts';
import { expectNamedRefusal, fuzzParams, fuzzTimeout, oddValue } from './fuzz-settings.ts';

/**
 * `PUT /api/v1/connections/:id/mappings/:kind` (issue 21) with random rows, JSON and CSV, against an in-memory Sage
 * sandbox so the Sage check runs too: never a 5xx, every refusal an SB_ code naming the field (400) or the problem's
 * row path (422), bounded answers. Random rows are mostly the kind's own columns with odd or plausible values.
 */
let env: AdminEnv;
let sage: SandboxGateway;

const COLUMNS: Record<string, readonly string[]> = {
  ...EDIT_COLUMNS,
  carriers: ['shipMethId', 'carrierCode', 'carrierName', 'shippingMethod'],
  'sku-aliases': ['sellerSku', 'itemId'],
  ...SYNC_EDIT_COLUMNS,
  'gl-rules': ROW_COLUMNS.gl,
  'custom-fields': ROW_COLUMNS['custom-field'],
};
const plausible = fc.constantFrom(
  'ATVPDKIKX0DER',
  'A2EUQ1WTGCTBG2',
  '*',
  'AMAZON-US',
  'USD',
  'CAD',
  'MAIN',
  'UPS-GND',
  'STANDARD',
  'giftWrap',
  'AMZ-PROMO',
  '4050-00',
  'WIDGET-RED',
  'line-discount',
  'fit',
  '3',
  'UPS',
  'Other',
  'EAST',
  'MAIN|EAST',
  '1050-00',
  'sheet1',
  'UserFld1',
  'brand',
);
const value = fc.oneof({ weight: 3, arbitrary: plausible }, { weight: 2, arbitrary: oddValue });

beforeAll(async () => {
  sage = await createSandboxGateway({ path: ':memory:' });
  env = await adminEnv({ sage });
});
afterAll(async () => {
  await env.close();
  await sage.close();
});

function expectSound(res: { statusCode: number; body: string; json: () => unknown }, where: string): void {
  expect(res.statusCode, `${where}: ${res.body.slice(0, 300)}`).toBeLessThan(500);
  expect(res.body.length, where).toBeLessThan(256 * 1024);
  if (res.statusCode >= 400) {
    const body = res.json() as { code?: string; problems?: Array<{ path: string }> };
    expect(body.code, `${where}: ${res.body.slice(0, 300)}`).toMatch(/^SB_/);
    if (res.statusCode === 400 || res.statusCode === 422) expectNamedRefusal(body);
    if (res.statusCode === 422) for (const p of body.problems ?? []) expect(p.path).toMatch(/^rows\[\d+\]\.\w+$/);
  }
}

describe('fuzz: connection mapping edits', () => {
  it(
    'JSON and CSV rows: no 5xx, SB_ codes, each refusal named',
    async () => {
      const input = fc.constantFrom(...CONNECTION_MAPPING_KINDS).chain((kind) =>
        fc.tuple(
          fc.constant(kind),
          fc.array(fc.dictionary(fc.constantFrom(...COLUMNS[kind]!, 'extra'), value, { maxKeys: 5 }), {
            maxLength: 4,
          }),
          fc.boolean(),
          fc.constantFrom('default', 'default', 'other'),
        ),
      );
      await fc.assert(
        fc.asyncProperty(input, async ([kind, rows, csv, id]) => {
          const columns = COLUMNS[kind]!;
          const payload = csv
            ? [columns.join(','), ...rows.map((r) => columns.map((c) => String(r[c] ?? '')).join(','))].join('\n')
            : JSON.stringify({ rows });
          const res = await env.app.inject({
            method: 'PUT',
            url: `/api/v1/connections/${id}/mappings/${kind}`,
            headers: { ...env.as.operator, 'content-type': csv ? 'text/csv' : 'application/json' },
            payload,
          });
          expectSound(res, `PUT ${kind} ${csv ? 'csv' : 'json'} ${payload.slice(0, 200)}`);
          if (id === 'other') expect(res.statusCode).toBe(404);
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout(80),
  );
});
