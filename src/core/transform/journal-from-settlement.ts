import { MappingError, type FieldIssue } from '../errors.ts';
import type { JournalBatch, JournalLine } from '../model/journal.ts';
import { money, moneyToDecimal } from '../model/money.ts';
import type { Settlement, SettlementTransaction } from '../model/settlement.ts';
import {
  bankAccountFor,
  DEFAULT_SETTLEMENT_ACCOUNTS,
  settlementAccountRuleFor,
  type SettlementAccountRule,
  type SettlementAccountRules,
} from '../rules/settlement-accounts.ts';

/**
 * A settlement becomes one balanced GL journal per currency. Sage's sign: debit positive, credit
 * negative, lines net to zero (sage500-facts.md §2.9). Amazon's sign is the seller's: a row the seller is paid
 * (+) is credited to its account (revenue, tax payable), a row charged (-) is debited (fees, refunds); the
 * deposit - the sum of the rows, which must equal `total-amount` to the cent - is debited to the bank clearing
 * account (credited when Amazon charges the seller). Lines are summed per account, or per account and order;
 * a line's comment starts with the settlement id (or the order id) so it survives Sage's 50 characters.
 *
 * Every unmapped category and a total that does not reconcile are collected into one MappingError:
 * SB_SETTLE_UNMAPPED when a category lacks an account (with the mismatch listed too, if any), otherwise
 * SB_SETTLE_TOTAL_MISMATCH.
 */
export interface SettlementJournalOptions {
  /** `account` (default): one line per account; `order`: one line per account and order id. */
  readonly detail?: 'account' | 'order';
  /**
   * The journal's date: the deposit date (default), the settlement end date, or `split-month-end`: rows posted
   * in a month before the deposit's month go on their own journal dated that month's last day (reference
   * `settlement:<id>:<CUR>:<YYYY-MM>`), each part balanced on the bank clearing account; the rest (and rows
   * without a posted date) on the deposit date.
   */
  readonly postDate?: 'deposit-date' | 'settlement-end-date' | 'split-month-end';
}

/** Idempotency key of a settlement's journal in one currency (also the Sage batch comment). */
export function settlementJournalReference(settlementId: string, currency: string): string {
  return `settlement:${settlementId}:${currency.toUpperCase()}`;
}

const COMMENT_MAX = 50;
const clip = (text: string): string => (text.length <= COMMENT_MAX ? text : text.slice(0, COMMENT_MAX));

interface Bucket {
  /** `YYYY-MM` of the rows' posted date with split-month-end, else ''. */
  part: string;
  account: string;
  orderId: string;
  labels: string[];
  minor: number;
}

interface Unmapped {
  readonly category: string;
  /** The first ten row numbers; `count` has them all. */
  readonly rows: number[];
  count: number;
  minor: number;
  readonly currency: string;
}

/** What the journal needs of a settlement besides its rows. */
export type SettlementHeader = Pick<Settlement, 'settlementId' | 'currency' | 'total' | 'periodEnd' | 'depositDate'>;

/**
 * The journal built row by row (for a parser's `onTransaction`): memory grows with the accounts (and orders,
 * with detail `order`) and the unmapped categories, never with the rows.
 */
export interface SettlementJournalBuilder {
  add(transaction: SettlementTransaction): void;
  /** The journals, one per currency (the settlement's first); throws like journalFromSettlement. */
  finish(header: SettlementHeader): JournalBatch[];
}

export function journalFromSettlement(
  settlement: Settlement,
  rules: SettlementAccountRules = DEFAULT_SETTLEMENT_ACCOUNTS,
  options: SettlementJournalOptions = {},
): JournalBatch[] {
  const builder = createSettlementJournalBuilder(rules, options);
  for (const t of settlement.transactions) builder.add(t);
  return builder.finish(settlement);
}

export function createSettlementJournalBuilder(
  rules: SettlementAccountRules = DEFAULT_SETTLEMENT_ACCOUNTS,
  options: SettlementJournalOptions = {},
): SettlementJournalBuilder {
  const detail = options.detail ?? 'account';
  const unmapped = new Map<string, Unmapped>();
  const buckets = new Map<string, Map<string, Bucket>>();
  /** Sum of the rows per currency, in first-seen order. */
  const rowTotals = new Map<string, number>();
  // A settlement has few distinct categories and many rows: resolve each category once.
  const resolved = new Map<string, SettlementAccountRule | undefined>();

  const split = options.postDate === 'split-month-end';
  const book = (
    currency: string,
    part: string,
    account: string,
    orderId: string,
    label: string,
    minor: number,
    keyExtra = '',
  ): void => {
    let perCurrency = buckets.get(currency);
    if (!perCurrency) buckets.set(currency, (perCurrency = new Map()));
    const key = `${part}\u0000${account}\u0000${orderId}\u0000${keyExtra}`;
    const bucket = perCurrency.get(key) ?? { part, account, orderId, labels: [], minor: 0 };
    if (!bucket.labels.includes(label)) bucket.labels.push(label);
    bucket.minor += minor;
    perCurrency.set(key, bucket);
  };

  const add = (t: SettlementTransaction): void => {
    const currency = t.amount.currency;
    rowTotals.set(currency, (rowTotals.get(currency) ?? 0) + t.amount.minor);
    const orderId = detail === 'order' ? (t.orderId ?? '') : '';
    const part = split && t.postedAt ? t.postedAt.slice(0, 7) : '';
    const ruleKey = `${t.transactionType}\u0000${t.amountType}\u0000${t.amountDescription}\u0000${currency}\u0000${t.marketplaceName ?? ''}`;
    let rule = resolved.get(ruleKey);
    if (!resolved.has(ruleKey))
      resolved.set(ruleKey, (rule = settlementAccountRuleFor(rules, t, { currency, marketplace: t.marketplaceName })));
    if (rule) {
      book(currency, part, rule.account, orderId, rule.label, -t.amount.minor);
      return;
    }
    const category = categoryName(t);
    if (rules.suspenseAccount !== undefined) {
      book(currency, part, rules.suspenseAccount, orderId, `UNMAPPED ${category}`, -t.amount.minor, category);
      return;
    }
    const key = `${currency}\u0000${normalized(category)}`;
    const entry = unmapped.get(key) ?? { category, rows: [], count: 0, minor: 0, currency };
    if (entry.rows.length < 10) entry.rows.push(t.row);
    entry.count += 1;
    entry.minor += t.amount.minor;
    unmapped.set(key, entry);
  };

  const finish = (settlement: SettlementHeader): JournalBatch[] => {
    const issues: FieldIssue[] = [];
    for (const u of unmapped.values()) {
      const rows =
        u.count <= u.rows.length ? u.rows.join(', ') : `${u.rows.join(', ')} and ${u.count - u.rows.length} more`;
      issues.push({
        field: `category ${u.category}`,
        problem: `no settlement account rule maps it (${u.count} row${u.count === 1 ? '' : 's'}: ${rows}; total ${moneyToDecimal(money(u.currency, u.minor))} ${u.currency})`,
      });
    }

    const rowsTotal = money(settlement.currency, rowTotals.get(settlement.currency) ?? 0);
    if (rowsTotal.minor !== settlement.total.minor) {
      const diff = money(settlement.currency, rowsTotal.minor - settlement.total.minor);
      issues.push({
        field: 'total-amount',
        problem: `the rows add up to ${moneyToDecimal(rowsTotal)} ${settlement.currency} but total-amount is ${moneyToDecimal(settlement.total)} ${settlement.currency} (rows minus total: ${moneyToDecimal(diff)})`,
      });
    }

    if (issues.length > 0) {
      const code = unmapped.size > 0 ? 'SB_SETTLE_UNMAPPED' : 'SB_SETTLE_TOTAL_MISMATCH';
      throw new MappingError(code, `settlement ${settlement.settlementId}`, issues, {
        context: {
          settlementId: settlement.settlementId,
          currency: settlement.currency,
          unmappedCategories: unmapped.size,
        },
      });
    }

    const date = (options.postDate === 'settlement-end-date' ? settlement.periodEnd : settlement.depositDate).slice(
      0,
      10,
    );
    const depositMonth = settlement.depositDate.slice(0, 7);
    const currencies = [settlement.currency, ...[...rowTotals.keys()].filter((c) => c !== settlement.currency)];
    return currencies.flatMap((currency) => {
      // Parts: months before the deposit's month (split-month-end only), then the deposit part ('').
      const parts = new Map<string, Bucket[]>([['', []]]);
      for (const b of buckets.get(currency)?.values() ?? []) {
        const part = b.part !== '' && b.part < depositMonth ? b.part : '';
        if (!parts.has(part)) parts.set(part, []);
        parts.get(part)!.push(b);
      }
      const merged = (list: Bucket[]): Bucket[] => {
        const byKey = new Map<string, Bucket>();
        for (const b of list) {
          const suspense = b.labels.some((l) => l.startsWith('UNMAPPED ')) ? b.labels.join('/') : '';
          const key = `${b.account}\u0000${b.orderId}\u0000${suspense}`;
          const have = byKey.get(key);
          if (have) {
            have.minor += b.minor;
            for (const l of b.labels) if (!have.labels.includes(l)) have.labels.push(l);
          } else byKey.set(key, { ...b, part: '', labels: [...b.labels] });
        }
        return [...byKey.values()];
      };
      const order = [...parts.keys()].filter((p) => p !== '').sort();
      order.push('');
      return order.map((part): JournalBatch => {
        const list = merged(parts.get(part)!);
        const deposit =
          part === '' && !split ? (rowTotals.get(currency) ?? 0) : -list.reduce((sum, b) => sum + b.minor, 0);
        const accountLines = list
          .filter((b) => b.minor !== 0)
          .sort((a, b) =>
            a.account === b.account
              ? a.orderId < b.orderId
                ? -1
                : a.orderId > b.orderId
                  ? 1
                  : 0
              : a.account < b.account
                ? -1
                : 1,
          )
          .map<JournalLine>((b) => ({
            account: b.account,
            amount: money(currency, b.minor),
            comment: clip(`${b.orderId || settlement.settlementId} ${b.labels.join('/')}`),
          }));
        const bank: JournalLine = {
          account: bankAccountFor(rules, currency),
          amount: money(currency, deposit),
          comment: clip(`${settlement.settlementId} Amazon deposit${part ? ` ${part}` : ''}`),
        };
        const reference = settlementJournalReference(settlement.settlementId, currency) + (part ? `:${part}` : '');
        return { reference, postDate: part ? monthEnd(part) : date, currency, lines: [bank, ...accountLines] };
      });
    });
  };

  return { add, finish };
}

/** `2026-10` -> `2026-10-31`. */
function monthEnd(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

/**
 * The journal that undoes `batch` (every line's sign turned), for a corrected settlement: same accounts, dated
 * `postDate`, its own reference (idempotency key of the reversal). A foreign-currency journal is undone at its own
 * rate: the home amounts are turned too, so the reversal takes back exactly what the journal put in home currency.
 */
export function reversalOf(batch: JournalBatch, reference: string, postDate: string): JournalBatch {
  const turned = (m: { currency: string; minor: number }) => money(m.currency, m.minor === 0 ? 0 : -m.minor);
  return {
    reference,
    postDate,
    currency: batch.currency,
    lines: batch.lines.map((l) => ({
      account: l.account,
      amount: turned(l.amount),
      comment: clip(`REV ${l.comment}`),
      ...(l.home ? { home: turned(l.home) } : {}),
    })),
    ...(batch.exchange ? { exchange: batch.exchange } : {}),
  };
}

function categoryName(t: SettlementTransaction): string {
  return `${t.transactionType} / ${t.amountType} / ${t.amountDescription}`;
}

function normalized(text: string): string {
  return text.toLowerCase().replace(/[\s_-]+/g, '');
}
