import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createSettlementParser, parseSettlementReport } from '../../../src/connectors/amazon/settlement/index.ts';
import { MappingError } from '../../../src/core/errors.ts';
import { settlementDifference } from '../../../src/core/model/settlement.ts';
import { journalFromSettlement } from '../../../src/core/transform/journal-from-settlement.ts';
import { SHARED_PRESENT, SHARED_SKIP_MESSAGE, sharedPath } from '../../helpers/shared.ts';
import { amountRow, summary, tsv, V2_COLUMNS } from './tsv.ts';

const ID = '12345678901';

function parseError(text: string): MappingError {
  try {
    parseSettlementReport(text);
  } catch (err) {
    expect(err).toBeInstanceOf(MappingError);
    return err as MappingError;
  }
  throw new Error('expected the file to be refused');
}

describe('parseSettlementReport: Flat File V2', () => {
  it('reads a US file with promotion-id: thousands separators, UTC dates, every field of an amount row', () => {
    const text = tsv(
      [...V2_COLUMNS, 'promotion-id'],
      [
        summary(ID, '1,219.56'),
        amountRow(ID, 'Order', 'ItemPrice', 'Principal', '1,234.56', {
          'shipment-id': 'DxYz123',
          'fulfillment-id': 'AFN',
          'order-item-code': '50000000000001',
          sku: 'SB-WIDGET-001',
          'quantity-purchased': '2',
          'merchant-order-id': 'M-1',
        }),
        amountRow(ID, 'Order', 'Promotion', 'Principal', '-15.00', { 'promotion-id': 'PROMO-15' }),
      ],
    );
    const s = parseSettlementReport(text);
    expect(s).toMatchObject({
      settlementId: ID,
      currency: 'USD',
      total: { currency: 'USD', minor: 121956 },
      periodStart: '2026-10-01T07:00:00.000Z',
      periodEnd: '2026-10-15T07:00:00.000Z',
      depositDate: '2026-10-17T07:00:00.000Z',
      layout: 'v2',
      extraColumns: [],
    });
    expect(s.transactions).toEqual([
      {
        row: 3,
        transactionType: 'Order',
        amountType: 'ItemPrice',
        amountDescription: 'Principal',
        amount: { currency: 'USD', minor: 123456 },
        orderId: '111-0000001-0000001',
        merchantOrderId: 'M-1',
        shipmentId: 'DxYz123',
        marketplaceName: 'Amazon.com',
        fulfillmentId: 'AFN',
        orderItemCode: '50000000000001',
        sku: 'SB-WIDGET-001',
        postedAt: '2026-10-03T15:30:00.000Z',
        quantity: 2,
      },
      {
        row: 4,
        transactionType: 'Order',
        amountType: 'Promotion',
        amountDescription: 'Principal',
        amount: { currency: 'USD', minor: -1500 },
        orderId: '111-0000001-0000001',
        marketplaceName: 'Amazon.com',
        promotionId: 'PROMO-15',
        postedAt: '2026-10-03T15:30:00.000Z',
      },
    ]);
    expect(settlementDifference(s).minor).toBe(0);
  });

  it('reads an EU file without promotion-id: 1.234,56 and 95,00, day-first dates, ISO dates with an offset', () => {
    const text = tsv(V2_COLUMNS, [
      summary(ID, '1.139,56', 'EUR', {
        'settlement-start-date': '01.10.2026 07:00:00 UTC',
        'deposit-date': '2026-10-17T09:00:00+02:00',
      }),
      amountRow(ID, 'Order', 'ItemPrice', 'Principal', '1.234,56', {
        'marketplace-name': 'Amazon.de',
        'posted-date': '03.10.26',
        'posted-date-time': '03.10.2026 15:30:00 UTC',
      }),
      amountRow(ID, 'Order', 'ItemFees', 'Commission', '-95,00', {
        'marketplace-name': 'Amazon.de',
        'posted-date': '04.10.26',
        'posted-date-time': '',
      }),
    ]);
    const s = parseSettlementReport(text);
    expect(s.currency).toBe('EUR');
    expect(s.total.minor).toBe(113956);
    expect(s.periodStart).toBe('2026-10-01T07:00:00.000Z');
    expect(s.depositDate).toBe('2026-10-17T07:00:00.000Z');
    expect(s.transactions.map((t) => [t.amount.minor, t.postedAt])).toEqual([
      [123456, '2026-10-03T15:30:00.000Z'],
      [-9500, '2026-10-04T00:00:00.000Z'],
    ]);
    expect(s.transactions.some((t) => 'promotionId' in t)).toBe(false);
  });

  it('reads amounts that fit both formats by the file format (told, or detected from the other values)', () => {
    const rows = [summary(ID, '1,234'), amountRow(ID, 'Order', 'ItemPrice', 'Principal', '1,234')];
    // "1,234" alone reads either way: marketplace Amazon.com -> US -> 1234.00
    expect(parseSettlementReport(tsv(V2_COLUMNS, rows)).total.minor).toBe(123400);
    // told EU: 1,234 has three decimals, which USD does not have
    expect(() => parseSettlementReport(tsv(V2_COLUMNS, rows), { numberFormat: 'eu' })).toThrow(
      /row 2, column total-amount: expected an amount with the decimals of USD/,
    );
    // another value tells: 0,50 is EU, so 1.234 is one thousand two hundred thirty-four
    const eu = [
      summary(ID, '1.234,50', 'EUR'),
      amountRow(ID, 'Order', 'ItemPrice', 'Principal', '1.234'),
      amountRow(ID, 'Order', 'ItemPrice', 'Shipping', '0,50'),
    ];
    expect(parseSettlementReport(tsv(V2_COLUMNS, eu)).transactions.map((t) => t.amount.minor)).toEqual([123400, 50]);
  });

  it('accepts a BOM, CRLF line ends, blank trailing lines, and chunks split anywhere', () => {
    const rows = [
      summary(ID, '10.00'),
      amountRow(ID, 'Order', 'ItemPrice', 'Principal', '12.00'),
      amountRow(ID, 'Order', 'ItemFees', 'Commission', '-2.00'),
    ];
    const plain = parseSettlementReport(tsv(V2_COLUMNS, rows));
    const crlf = `\uFEFF${tsv(V2_COLUMNS, rows, '\r\n')}\r\n\r\n`;
    expect(parseSettlementReport(crlf)).toEqual(plain);
    for (const size of [1, 7, 64]) {
      const parser = createSettlementParser();
      for (let i = 0; i < crlf.length; i += size) parser.write(crlf.slice(i, i + size));
      expect(parser.end()).toEqual(plain);
    }
  });

  it('keeps and reports columns Amazon does not document', () => {
    const s = parseSettlementReport(
      tsv(
        [...V2_COLUMNS, 'promotion-id', 'x-new-column'],
        [summary(ID, '1.00'), amountRow(ID, 'Order', 'ItemPrice', 'Principal', '1.00', { 'x-new-column': 'abc' })],
      ),
    );
    expect(s.extraColumns).toEqual(['x-new-column']);
    expect(s.transactions[0]!.extra).toEqual({ 'x-new-column': 'abc' });
  });

  it('refuses a file with a renamed column, naming the missing column and the unknown one', () => {
    const columns = V2_COLUMNS.map((c) => (c === 'amount' ? 'amount-value' : c));
    const err = parseError(
      tsv(columns, [
        summary(ID, '1.00'),
        { ...amountRow(ID, 'Order', 'ItemPrice', 'Principal', ''), 'amount-value': '1.00' },
      ]),
    );
    expect(err.code).toBe('SB_SETTLE_FILE_INVALID');
    expect(err.issues).toEqual([
      { field: 'row 1, column amount', problem: 'missing: expected the Flat File V2 column "amount"' },
      { field: 'row 1', problem: 'found columns Amazon does not document: amount-value' },
    ]);
  });

  it('lists every malformed row and field (row number, column, expected, found) in one error, dropping nothing silently', () => {
    const text =
      tsv(V2_COLUMNS, [
        summary(ID, '10.00'),
        amountRow(ID, 'Order', 'ItemPrice', 'Principal', '12,3,4.5'),
        amountRow(ID, 'Order', 'ItemPrice', 'Tax', '1.00', { 'posted-date-time': '2026-13-03 15:30:00 UTC' }),
        amountRow(ID, '', 'ItemPrice', 'Shipping', '1.00', { 'quantity-purchased': 'two' }),
        amountRow('999', 'Order', 'ItemFees', 'Commission', ''),
      ]) + `${ID}\t\t\tOrder\n`;
    const err = parseError(text);
    expect(err.code).toBe('SB_SETTLE_FILE_INVALID');
    expect(err.context).toMatchObject({ settlementId: ID, issues: 7 });
    expect(err.issues.map((i) => i.field)).toEqual([
      'row 3, column amount',
      'row 4, column posted-date-time',
      'row 5, column transaction-type',
      'row 5, column quantity-purchased',
      'row 6, column settlement-id',
      'row 6, column amount',
      'row 7',
    ]);
    expect(err.issues[0]!.problem).toBe(
      'expected an amount in the file\'s US format (e.g. 1,234.56), found "12,3,4.5"',
    );
    expect(err.issues[5]!.problem).toMatch(/found nothing/);
    expect(err.issues[6]!.problem).toBe('expected 23 tab-separated fields, found 4 (truncated or misaligned line)');
    expect(err.message).toContain(`settlement file ${ID}: row 3, column amount: expected an amount`);
  });

  it('refuses a file whose first data row is not the summary, and a second summary row', () => {
    expect(
      parseError(tsv(V2_COLUMNS, [amountRow(ID, 'Order', 'ItemPrice', 'Principal', '1.00')])).issues[0]!.field,
    ).toBe('row 2, column total-amount');
    const second = parseError(tsv(V2_COLUMNS, [summary(ID, '1.00'), summary(ID, '1.00')]));
    expect(second.issues).toEqual([
      { field: 'row 3, column total-amount', problem: 'a second settlement summary row (the summary is row 2)' },
    ]);
    expect(parseError('').issues[0]!.field).toBe('file');
  });

  it('refuses bad summary fields: currency, dates without a zone, end before start', () => {
    const err = parseError(
      tsv(V2_COLUMNS, [
        summary(ID, '1.00', 'US', {
          'deposit-date': '2026-10-17 07:00:00',
          'settlement-end-date': '2026-09-01 00:00:00 UTC',
        }),
      ]),
    );
    expect(err.issues.map((i) => i.field)).toEqual([
      'row 2, column currency',
      'row 2, column deposit-date',
      'row 2, column settlement-end-date',
    ]);
  });

  it('caps a long list of issues and counts the rest', () => {
    const rows = [
      summary(ID, '1.00'),
      ...Array.from({ length: 30 }, () => amountRow(ID, 'Order', 'ItemPrice', 'Principal', 'x')),
    ];
    try {
      parseSettlementReport(tsv(V2_COLUMNS, rows), { maxIssues: 5 });
      expect.unreachable();
    } catch (err) {
      const issues = (err as MappingError).issues;
      expect(issues).toHaveLength(6);
      expect(issues[5]).toEqual({ field: 'file', problem: 'and 25 more problems' });
      expect((err as MappingError).context['issues']).toBe(30);
    }
  });
});

describe('the retired V1 flat file (Airbyte fixture in ../shared)', () => {
  it.skipIf(!SHARED_PRESENT)(
    `reads it as legacy rows, and its total does not reconcile with its rows ${SHARED_PRESENT ? '' : SHARED_SKIP_MESSAGE}`,
    () => {
      const text = readFileSync(
        sharedPath('sp-api-samples', 'GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE.airbyte-fixture.tsv'),
        'utf8',
      );
      const s = parseSettlementReport(text);
      expect(s.layout).toBe('legacy');
      expect(s.settlementId).toBe('12345678901');
      expect(s.total).toEqual({ currency: 'USD', minor: 123456 });
      expect(
        s.transactions.map((t) => [
          t.row,
          t.transactionType,
          t.amountType,
          t.amountDescription,
          t.amount.minor,
          t.orderId,
          t.sku,
        ]),
      ).toEqual([
        [3, 'Order', 'ItemPrice', 'Principal', 1999, '111-1111111-1111111', 'SKU-1'],
        [3, 'Order', 'ItemFees', 'FBAPerUnitFulfillmentFee', -322, '111-1111111-1111111', 'SKU-1'],
      ]);
      expect(s.transactions[0]!.postedAt).toBe('2023-01-03T10:00:00.000Z');
      // The fixture's summary says 1234.56 but its one row nets 16.77: no journal, the difference explained.
      expect(settlementDifference(s).minor).toBe(1677 - 123456);
      expect(() => journalFromSettlement(s)).toThrow(
        /total-amount: the rows add up to 16.77 USD but total-amount is 1234.56 USD \(rows minus total: -1217.79\)/,
      );
    },
  );
});

describe('zero amounts', () => {
  it('reads "-0.00" as zero, not negative zero', () => {
    const s = parseSettlementReport(
      tsv(V2_COLUMNS, [summary(ID, '-0.00'), amountRow(ID, 'Order', 'ItemPrice', 'Principal', '-0.00')]),
    );
    expect(Object.is(s.total.minor, 0)).toBe(true);
    expect(Object.is(s.transactions[0]!.amount.minor, 0)).toBe(true);
  });
});

describe('streaming', () => {
  it('hands each transaction over as soon as its line is read, and keeps none when told so', () => {
    const seen: number[] = [];
    const parser = createSettlementParser({
      numberFormat: 'us',
      keepTransactions: false,
      onTransaction: (t) => seen.push(t.amount.minor),
    });
    parser.write(tsv(V2_COLUMNS, [summary(ID, '10.00'), amountRow(ID, 'Order', 'ItemPrice', 'Principal', '12.00')]));
    expect(seen).toEqual([1200]);
    parser.write(tsv(V2_COLUMNS, [amountRow(ID, 'Order', 'ItemFees', 'Commission', '-2.00')]).split('\n')[1]! + '\n');
    expect(seen).toEqual([1200, -200]);
    const s = parser.end();
    expect(s.transactions).toEqual([]);
    expect(s.total.minor).toBe(1000);
  });

  it('holds rows back only until a value tells the number format', () => {
    const seen: number[] = [];
    const parser = createSettlementParser({ onTransaction: (t) => seen.push(t.amount.minor) });
    const [head, sum, ambiguous, plain, telling] = tsv(V2_COLUMNS, [
      summary(ID, '1,247', 'USD', { 'marketplace-name': '' }),
      amountRow(ID, 'Order', 'ItemPrice', 'Principal', '1,234', { 'marketplace-name': '' }),
      amountRow(ID, 'Order', 'ItemPrice', 'Shipping', '13', { 'marketplace-name': '' }),
      amountRow(ID, 'Order', 'ItemPrice', 'Tax', '0.00', { 'marketplace-name': '' }),
    ]).split('\n');
    parser.write(`${head}\n${sum}\n${ambiguous}\n${plain}\n`);
    expect(seen).toEqual([]); // 1,247 / 1,234 / 13 read both ways: nothing is decided yet
    parser.write(`${telling}\n`);
    expect(seen).toEqual([123400, 1300, 0]); // 0.00 reads US only: the held rows follow
    const s = parser.end();
    expect(s.total.minor).toBe(124700);
    expect(s.transactions.map((t) => t.amount.minor)).toEqual([123400, 1300, 0]);
  });
});
