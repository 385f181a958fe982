import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { orderFromFileDocument } from '../../../src/cli/order-file.ts';
import { previewSalesOrder } from '../../../src/flows/preview-order.ts';
import { CONN, fakes } from '../flows/fakes.ts';

/** `sellbridge orders preview <file.json>` (issue 13, finding 5): every golden fixture of the repo is an order it reads. */
const GOLDEN = fileURLToPath(new URL('../../fixtures/golden/', import.meta.url));
const cases = readdirSync(GOLDEN, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

describe('orderFromFileDocument', () => {
  it.each(cases)('reads test/fixtures/golden/%s/input.json and previews it', async (name) => {
    const doc = JSON.parse(readFileSync(join(GOLDEN, name, 'input.json'), 'utf8')) as { order: { id: string } };
    const order = orderFromFileDocument(doc, `${name}/input.json`);
    expect(order.id).toBe(doc.order.id);
    const preview = await previewSalesOrder(CONN, order, fakes().deps);
    expect(preview.amazonOrderId).toBe(doc.order.id);
    expect(preview.draft !== undefined || preview.issues.length > 0).toBe(true);
  });

  it('names the field when the document is no order', () => {
    expect(() => orderFromFileDocument({ order: { lines: [] } }, 'x.json')).toThrow(/order\.id \(a string\)/);
    expect(() => orderFromFileDocument({ foo: 1 }, 'x.json')).toThrow(/neither orderId nor id/);
    expect(() => orderFromFileDocument([], 'x.json')).toThrow(/an array/);
    expect(() => orderFromFileDocument({ order: { orderId: 5 } }, 'x.json')).toThrow(/SB_CLI_USAGE|order\.orderId/);
  });
});
