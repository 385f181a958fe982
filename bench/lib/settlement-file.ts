// A generated Amazon settlement flat file (V2, tab-separated) of about a given size, for the settlement benchmarks:
// one order's rows repeated (principal, tax, shipping, fees, promotion, withheld tax; every fifth order refunded),
// a summary row whose total is the sum of every amount, so the journal built from it balances.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { SETTLEMENT_V2_COLUMNS } from '../../src/connectors/amazon/settlement/parse-settlement.ts';

// The V2 columns the parser knows, plus the optional promotion-id column Amazon adds for promotions.
const COLUMNS = [...SETTLEMENT_V2_COLUMNS, 'promotion-id'];

/** One order's rows (amounts in cents); refunds every fifth order. */
const TEMPLATE: readonly [string, string, string, number][] = [
  ['Order', 'ItemPrice', 'Principal', 2599],
  ['Order', 'ItemPrice', 'Tax', 208],
  ['Order', 'ItemPrice', 'Shipping', 499],
  ['Order', 'ItemFees', 'Commission', -390],
  ['Order', 'ItemFees', 'FBAPerUnitFulfillmentFee', -322],
  ['Order', 'Promotion', 'Principal', -100],
  ['Order', 'ItemWithheldTax', 'MarketplaceFacilitatorTax-Principal', -208],
];
const REFUND: readonly [string, string, string, number][] = [
  ['Refund', 'ItemPrice', 'Principal', -2599],
  ['Refund', 'ItemFees', 'RefundCommission', -78],
];

export const us = (cents: number) => {
  const abs = Math.abs(cents);
  const whole = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${cents < 0 ? '-' : ''}${whole}.${String(abs % 100).padStart(2, '0')}`;
};

export async function generateSettlementFile(
  file: string,
  targetBytes: number,
): Promise<{ orders: number; rows: number; totalCents: number }> {
  const id = '99999999001';
  const rowOf = (order: number, [type, amountType, description, cents]: readonly [string, string, string, number]) => {
    const orderId = `111-${String(order).padStart(7, '0')}-${String(order % 9973).padStart(7, '0')}`;
    const day = String(1 + (order % 14)).padStart(2, '0');
    const cells = [
      id,
      '',
      '',
      '',
      '',
      '',
      type,
      orderId,
      '',
      type === 'Refund' ? `amzn1:${order}` : '',
      '',
      'Amazon.com',
      amountType,
      description,
      us(cents),
      'AFN',
      `10/${day}/26`,
      `2026-10-${day} 15:30:00 UTC`,
      `5${String(order).padStart(13, '0')}`,
      '',
      '',
      `SKU-${order % 500}`,
      '1',
      amountType === 'Promotion' ? 'PROMO-1' : '',
    ];
    return `${cells.join('\t')}\n`;
  };
  // Size of one order's block, to know the total before the summary row is written.
  const perOrder =
    TEMPLATE.reduce((s, r) => s + rowOf(1_000_000, r).length, 0) +
    REFUND.reduce((s, r) => s + rowOf(1_000_000, r).length, 0) / 5;
  const orders = Math.max(1, Math.ceil(targetBytes / perOrder));
  let totalCents = 0;
  for (let o = 0; o < orders; o++) {
    for (const r of TEMPLATE) totalCents += r[3];
    if (o % 5 === 0) for (const r of REFUND) totalCents += r[3];
  }
  const out = createWriteStream(file, { highWaterMark: 1 << 20 });
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write(`${COLUMNS.join('\t')}\n`);
  await write(
    `${[id, '2026-10-01 07:00:00 UTC', '2026-10-15 07:00:00 UTC', '2026-10-17 07:00:00 UTC', us(totalCents), 'USD', ...Array(COLUMNS.length - 6).fill('')].join('\t')}\n`,
  );
  let rows = 0;
  let buffer = '';
  for (let o = 0; o < orders; o++) {
    for (const r of TEMPLATE) {
      buffer += rowOf(o, r);
      rows++;
    }
    if (o % 5 === 0) {
      for (const r of REFUND) {
        buffer += rowOf(o, r);
        rows++;
      }
    }
    if (buffer.length > 1 << 20) {
      await write(buffer);
      buffer = '';
    }
  }
  await write(buffer);
  out.end();
  await once(out, 'finish');
  return { orders, rows, totalCents };
}
