import { overlaySettlementGl } from '../core/rules/sync-edits.ts';
import { randomUUID } from 'node:crypto';
import { refundRowOf, refundsFromSettlementRows, type RefundRow } from '../core/transform/refunds-from-settlement.ts';
import { MappingError, SellbridgeError, coerceError } from '../core/errors.ts';
import type { CashReceiptResult } from '../core/model/cash-receipt.ts';
import type { JournalBatch } from '../core/model/journal.ts';
import { money, moneyToDecimal, type Money } from '../core/model/money.ts';
import { ownCopy, type Settlement, type SettlementTransaction } from '../core/model/settlement.ts';
import { settlementAccountRuleFor } from '../core/rules/settlement-accounts.ts';
import {
  convertMinor,
  journalInHomeCurrency,
  rateFromAmounts,
  rateFromDecimal,
  type ExactRate,
} from '../core/transform/exchange-rate.ts';
import type {
  OrderStage,
  PostedSettlementJournal,
  QuarantineEntry,
  SettlementOrderSum,
  StagedOrderSum,
  SettlementSummary,
} from '../core/ports/settlement-ledger.ts';
import type { SettlementFile } from '../core/ports/settlement-reports.ts';
import { createSettlementJournalBuilder, reversalOf } from '../core/transform/journal-from-settlement.ts';
import { parsePayload } from './job-payload.ts';
import { emptyKinds, settledKindOf, type SettledKind } from '../core/transform/three-way-reconciliation.ts';
import { journalFingerprint } from '../core/transform/fingerprint.ts';
import {
  CLAIM_LEASE_MS,
  SETTLEMENT_IMPORT_QUEUE,
  type SettlementFlowDeps,
  type SettlementImportOutcome,
  type SettlementSettings,
} from './settlement.ts';

/** Reads, checks and posts one settlement file exactly once (see the header). */
export async function importSettlement(
  connectionId: string,
  file: SettlementFile,
  deps: Pick<
    SettlementFlowDeps,
    | 'sage'
    | 'ledger'
    | 'clock'
    | 'settingsFor'
    | 'storedGlRules'
    | 'storedSettlementGl'
    | 'onQuarantine'
    | 'depositConversion'
    | 'onCashReceipt'
    | 'onRefunds'
    | 'refundsWanted'
  >,
  options: {
    readonly dryRun?: boolean;
    /** Orders whose sums are held before they are staged in the store (default ORDERS_IN_MEMORY; tests lower it). */
    readonly ordersInMemory?: number;
  } = {},
): Promise<SettlementImportOutcome> {
  const fromConfig = deps.settingsFor(connectionId);
  const bank = (await deps.storedSettlementGl?.(connectionId)) ?? [];
  const configured = bank.length ? { ...fromConfig, rules: overlaySettlementGl(fromConfig.rules, bank) } : fromConfig;
  const stored = (await deps.storedGlRules?.(connectionId)) ?? [];
  const settings = stored.length
    ? { ...configured, rules: { ...configured.rules, rules: [...stored, ...configured.rules.rules] } }
    : configured;
  const builder = createSettlementJournalBuilder(settings.rules, {
    detail: settings.detail,
    postDate: settings.postDate === 'split-month-end' ? 'split-month-end' : 'deposit-date',
  });
  const cash = settings.cashApplication;
  const clearingOf = (t: SettlementTransaction): number => {
    if (!cash) return 0;
    const rule = settlementAccountRuleFor(settings.rules, t, {
      currency: t.amount.currency,
      marketplace: t.marketplaceName,
    });
    return rule?.account === cash.clearingAccount ? t.amount.minor : 0;
  };
  const dryRun = options.dryRun === true;
  // A dry run posts nothing, so it needs no per-order sums; otherwise they go to the store in batches.
  const orders = dryRun ? undefined : orderSums(connectionId, deps.ledger, options.ordersInMemory);
  let rows = 0;
  let settlement: Settlement | undefined;
  // Refund rows (reduced to their refund fields), kept for `onRefunds` (Amazon refunds as Sage customer returns,
  // issue 17) only when there is one to tell and the refunds mode wants them at the start of this import: they are
  // the one thing an import holds that grows with the file (a fifth of a large settlement's orders can be refunds).
  const tellRefunds = !dryRun && deps.onRefunds !== undefined && ((await deps.refundsWanted?.(connectionId)) ?? true);
  const refundRows: RefundRow[] | undefined = tellRefunds ? [] : undefined;
  try {
    settlement = await file.read((t) => {
      rows += 1;
      builder.add(t);
      if (refundRows) {
        const refund = refundRowOf(t);
        if (refund) refundRows.push(refund);
      }
      if (t.orderId && orders) return orders.add(t, clearingOf(t));
      return undefined;
    });
    const orderStage = orders ? await orders.done() : [];
    const journals = await inHomeCurrency(connectionId, builder.finish(settlement), settlement, settings, deps);
    const summary: SettlementSummary = {
      settlementId: settlement.settlementId,
      currency: settlement.currency,
      total: settlement.total,
      periodStart: settlement.periodStart,
      periodEnd: settlement.periodEnd,
      depositDate: settlement.depositDate,
      rows,
    };
    const outcome = await postExactlyOnce(
      connectionId,
      summary,
      file.source,
      journals,
      orderStage,
      deps,
      dryRun,
      settings.model ?? 'custom rules',
    );
    const receipts =
      cash && outcome.kind !== 'dry-run' && deps.sage.enterCashReceipt
        ? await enterCashReceipts(connectionId, settlement, journals, orders!.read(), cash, deps)
        : undefined;
    // After the journal is in (a failed post queues nothing); the refund jobs are keyed, so a re-import queues none twice.
    if (refundRows && deps.onRefunds) await deps.onRefunds(connectionId, refundsFromSettlementRows(refundRows));
    return { ...outcome, extraColumns: settlement.extraColumns, ...receipts };
  } catch (err) {
    const error = coerceError(err);
    if (error instanceof MappingError && error.code.startsWith('SB_SETTLE_')) {
      const entry: QuarantineEntry = {
        connectionId,
        source: file.source,
        code: error.code,
        message: error.message,
        issues: error.issues,
        ...(settlement?.settlementId || typeof error.context['settlementId'] === 'string'
          ? { settlementId: settlement?.settlementId ?? String(error.context['settlementId']) }
          : {}),
      };
      if (!options.dryRun) {
        const id = await deps.ledger.quarantine(entry);
        deps.onQuarantine?.({ ...entry, id });
      }
    }
    throw err;
  } finally {
    await orders?.drop();
  }
}

/**
 * An import's per-order sums (order id and currency -> minor units, row count, kinds, cleared), summed in integer
 * minor units as the rows arrive. Up to `inMemory` orders are held (default ORDERS_IN_MEMORY); beyond that, when
 * the ledger can stage, each full batch is written to the store (`stageOrders`, the file's reader waiting on it)
 * and memory is flat at any settlement size; markPosted then moves the staged sums into the settlement's rows.
 */
export const ORDERS_IN_MEMORY = 10_000;

interface OrderSumsAccumulator {
  /** Adds one row; a promise while a full batch is being staged (the reader's backpressure). */
  add(t: SettlementTransaction, cleared: number): Promise<void> | undefined;
  /** After the last row: the sums, or the stage holding them (the last batch written). */
  done(): Promise<readonly SettlementOrderSum[] | OrderStage>;
  /** The sums with their cleared amounts (cash application), from memory or read back from the stage. */
  read(): AsyncIterable<StagedOrderSum>;
  /** Deletes the stage, if any (best effort: a leftover stage is never read as a settlement's rows). */
  drop(): Promise<void>;
}

function orderSums(
  connectionId: string,
  ledger: SettlementFlowDeps['ledger'],
  inMemory = ORDERS_IN_MEMORY,
): OrderSumsAccumulator {
  type Sum = {
    amazonOrderId: string;
    currency: string;
    minor: number;
    rows: number;
    kinds: Record<SettledKind, number>;
    cleared: number;
  };
  let sums = new Map<string, Sum>();
  const canStage = Boolean(ledger.stageOrders && ledger.stagedOrders && ledger.dropStage);
  let stage: { stageId: string; parts: number } | undefined;
  let writing: Promise<void> = Promise.resolve();
  const flush = (): Promise<void> => {
    const batch = [...sums.values()];
    sums = new Map();
    stage ??= { stageId: randomUUID(), parts: 0 };
    const target = stage;
    const part = target.parts++;
    writing = writing.then(() => ledger.stageOrders!(connectionId, { ...target }, part, batch));
    return writing;
  };
  return {
    add(t, cleared) {
      const key = `${t.orderId}\u0000${t.amount.currency}`;
      let sum = sums.get(key);
      if (!sum) {
        sum = {
          // A copy: the parser's cells are slices of the chunk they were read from, and a held slice keeps its
          // whole 64 KB chunk alive (the sums of one batch would otherwise hold the batch's share of the file).
          amazonOrderId: ownCopy(t.orderId!),
          currency: t.amount.currency,
          minor: 0,
          rows: 0,
          kinds: emptyKinds(),
          cleared: 0,
        };
        sums.set(`${sum.amazonOrderId}\u0000${sum.currency}`, sum);
      }
      sum.minor += t.amount.minor;
      sum.cleared += cleared;
      sum.rows += 1;
      sum.kinds[settledKindOf(t)] += t.amount.minor;
      return canStage && sums.size >= inMemory ? flush() : undefined;
    },
    async done() {
      if (stage && sums.size > 0) void flush();
      await writing;
      if (stage) return { ...stage };
      return [...sums.values()].map(({ cleared: _cleared, ...sum }) => sum);
    },
    async *read() {
      if (stage) yield* ledger.stagedOrders!(connectionId, { ...stage });
      else yield* sums.values();
    },
    async drop() {
      if (!stage) return;
      await writing.catch(() => undefined);
      await ledger.dropStage!(connectionId, { ...stage }).catch(() => undefined);
    },
  };
}

async function postExactlyOnce(
  connectionId: string,
  summary: SettlementSummary,
  source: string,
  journals: readonly JournalBatch[],
  orders: readonly SettlementOrderSum[] | OrderStage,
  deps: Pick<SettlementFlowDeps, 'sage' | 'ledger' | 'clock'>,
  dryRun: boolean,
  model: string,
): Promise<DistributiveOmit<SettlementImportOutcome, 'extraColumns'>> {
  const fingerprint = journalFingerprint(journals);
  const id = summary.settlementId;
  if (dryRun) {
    const existing = await deps.ledger.get(connectionId, id);
    const wouldBe = !existing
      ? 'posted'
      : existing.fingerprint === fingerprint
        ? existing.state === 'posted'
          ? 'unchanged'
          : 'posted'
        : existing.state === 'posted'
          ? 'corrected'
          : 'posted';
    return { kind: 'dry-run', settlementId: id, journals, wouldBe, ...(existing ? { existing } : {}) };
  }

  const { record } = await deps.ledger.reserve(connectionId, summary, source, { fingerprint, journals });
  if (record.state === 'posted' && record.fingerprint === fingerprint) {
    return { kind: 'unchanged', settlementId: id, revision: record.revision, journals: record.journals };
  }
  if (record.state === 'posting') {
    if (record.pending?.fingerprint !== fingerprint) {
      // An earlier import of other content stopped half way; what of it reached Sage is unknown, so it is not
      // overwritten: import that file again to finish it, then this one corrects it.
      throw new SellbridgeError(
        'SB_SETTLE_IN_PROGRESS',
        `settlement ${id}: an earlier import with other content has not finished (${record.lastError ?? 'no error recorded'}); import that file again first, then this one`,
        {
          context: { settlementId: id, revision: record.revision },
        },
      );
    }
    if (!(await deps.ledger.claim(connectionId, id, CLAIM_LEASE_MS))) {
      throw new SellbridgeError(
        'SB_SETTLE_BUSY',
        `settlement ${id}: another import is posting it right now; run again in a moment (it will then be a no-op)`,
        {
          context: { settlementId: id },
          retryAfterMs: 30_000,
        },
      );
    }
    const posted = await postAll(connectionId, id, revised(journals, record.revision), deps);
    const done = await deps.ledger.markPosted(
      connectionId,
      id,
      { fingerprint, journals: posted, orders },
      {
        action: 'settlement.posted',
        detail: {
          settlementId: id,
          revision: record.revision,
          source,
          references: posted.map((j) => j.reference),
          batches: posted.map((j) => j.batchNo),
          total: summary.total.minor,
          model,
          currency: summary.currency,
        },
      },
    );
    return { kind: 'posted', settlementId: id, revision: done.revision, journals: posted };
  }

  // A corrected settlement: reverse what was posted, post the new journals (revision-suffixed references).
  let current = record;
  if (current.state === 'posted')
    current = await deps.ledger.beginCorrection(connectionId, summary, source, current.revision, {
      fingerprint,
      journals,
    });
  if (current.pending?.fingerprint !== fingerprint) {
    throw new SellbridgeError(
      'SB_SETTLE_IN_PROGRESS',
      `settlement ${id}: a correction with other content is in progress (revision ${current.revision}); import that file again first`,
      {
        context: { settlementId: id, revision: current.revision },
      },
    );
  }
  const revision = current.revision;
  const mainDate = journals[0]?.postDate ?? summary.depositDate.slice(0, 10);
  const reversals = current.journals.map((j) => reversalOf(j, `${j.reference}:R${revision}`, mainDate));
  const reversed = await postAll(connectionId, id, reversals, deps);
  const posted = await postAll(connectionId, id, revised(journals, revision), deps);
  await deps.ledger.markPosted(
    connectionId,
    id,
    { fingerprint, journals: posted, orders },
    {
      action: 'settlement.corrected',
      detail: {
        settlementId: id,
        revision,
        previousRevision: current.journals.length ? revision - 1 : 0,
        source,
        reversed: reversed.map((j) => j.reference),
        references: posted.map((j) => j.reference),
        total: summary.total.minor,
        model,
        currency: summary.currency,
      },
    },
  );
  return { kind: 'corrected', settlementId: id, revision, reversed, journals: posted };
}

/**
 * Journals in another currency than the Sage company's home currency get the rate Sage needs and every line's
 * home-currency amount (core/transform/exchange-rate.ts): from Sage's rate table on the deposit date, or from the
 * deposit's financial event group (ConvertedTotal / OriginalTotal), as settlements.exchangeRate says. No rate: the
 * settlement is quarantined (SB_SETTLE_EXCHANGE_RATE_MISSING), nothing is posted. Without `exchangeRate` on the
 * gateway (a test double) journals stay as built.
 */
async function inHomeCurrency(
  connectionId: string,
  journals: readonly JournalBatch[],
  settlement: Settlement,
  settings: SettlementSettings,
  deps: Pick<SettlementFlowDeps, 'sage' | 'depositConversion'>,
): Promise<JournalBatch[]> {
  if (!deps.sage.exchangeRate) return [...journals];
  const source = settings.exchangeRate?.source ?? 'sage-rate-table';
  const schedule = settings.exchangeRate?.schedule;
  const missing = (problem: string) =>
    new MappingError(
      'SB_SETTLE_EXCHANGE_RATE_MISSING',
      `settlement ${settlement.settlementId}`,
      [{ field: 'exchange rate', problem }],
      { context: { settlementId: settlement.settlementId } },
    );
  const out: JournalBatch[] = [];
  const rates = new Map<string, { home: string; rate: ExactRate; detail: string } | undefined>();
  for (const journal of journals) {
    if (!rates.has(journal.currency)) {
      const answer = await deps.sage.exchangeRate({
        currency: journal.currency,
        date: settlement.depositDate,
        ...(schedule ? { schedule } : {}),
      });
      const home = answer.homeCurrency;
      if (!home || home === journal.currency.toUpperCase()) rates.set(journal.currency, undefined);
      else if (source === 'deposit') {
        const deposit = await deps.depositConversion?.(connectionId, {
          total: settlement.total,
          periodStart: settlement.periodStart,
          depositDate: settlement.depositDate,
        });
        if (!deposit)
          throw missing(
            `source deposit: no financial event group with OriginalTotal ${moneyToDecimal(settlement.total)} ${settlement.currency} paid out around ${settlement.depositDate.slice(0, 10)}`,
          );
        if (deposit.converted.currency !== home || deposit.original.currency !== journal.currency.toUpperCase())
          throw missing(
            `source deposit: the deposit was paid in ${deposit.converted.currency}, the Sage company's home currency is ${home}`,
          );
        rates.set(journal.currency, {
          home,
          rate: rateFromAmounts(deposit.original, deposit.converted),
          detail: `deposit ${moneyToDecimal(deposit.original)} ${deposit.original.currency} = ${moneyToDecimal(deposit.converted)} ${deposit.converted.currency} (financial event group ${deposit.groupId})`,
        });
      } else {
        if (!answer.rate) throw missing(`source sage-rate-table: ${answer.problem ?? 'no rate'}`);
        rates.set(journal.currency, {
          home,
          rate: rateFromDecimal(answer.rate),
          detail: `Sage rate schedule ${answer.schedule ?? '?'}, effective ${answer.effectiveDate?.slice(0, 10) ?? '?'}`,
        });
      }
    }
    const r = rates.get(journal.currency);
    out.push(r ? journalInHomeCurrency(journal, r.home, r.rate, source, r.detail) : journal);
  }
  return out;
}

/**
 * settlements.cashApplication: one pending AR cash receipt per currency of the money the settlement credited to the
 * receipts clearing account, applied by the gateway to the orders' invoices. Exactly once by its reference. A
 * failure never undoes the posted journals: it is reported on the outcome and the next import of the same
 * settlement (unchanged) tries again.
 */
async function enterCashReceipts(
  connectionId: string,
  settlement: Settlement,
  journals: readonly JournalBatch[],
  orders: AsyncIterable<StagedOrderSum>,
  cash: NonNullable<SettlementSettings['cashApplication']>,
  deps: Pick<SettlementFlowDeps, 'sage' | 'onCashReceipt' | 'onCashReceiptError'>,
): Promise<{ cashReceipts: CashReceiptResult[]; cashReceiptError?: string }> {
  const byCurrency = new Map<string, { amazonOrderId: string; amount: Money }[]>();
  for await (const o of orders) {
    if (o.cleared === 0) continue;
    const list = byCurrency.get(o.currency) ?? [];
    list.push({ amazonOrderId: o.amazonOrderId, amount: money(o.currency, o.cleared) });
    byCurrency.set(o.currency, list);
  }
  const cashReceipts: CashReceiptResult[] = [];
  const errors: string[] = [];
  for (const [currency, list] of byCurrency) {
    const amount = money(
      currency,
      list.reduce((s, o) => s + o.amount.minor, 0),
    );
    const customerId = cash.customerFor(currency);
    if (!customerId) {
      errors.push(`${currency}: no marketplace customer (settlements.cashApplication.customerByCurrency)`);
      continue;
    }
    const exchange = journals.find((j) => j.currency === currency)?.exchange;
    const rate = exchange?.rate ?? '1';
    try {
      const receipt = await deps.sage.enterCashReceipt!({
        reference: `receipt:${settlement.settlementId}:${currency}`,
        customerId,
        cashAccountId: cash.cashAccount,
        tranDate: settlement.depositDate,
        amount,
        exchangeRate: rate,
        amountHome: exchange ? convertMinor(amount, exchange.homeCurrency, rateFromDecimal(rate)).home : amount,
        orders: list,
      });
      cashReceipts.push(receipt);
      await deps.onCashReceipt?.(connectionId, settlement.settlementId, receipt);
    } catch (err) {
      const e = coerceError(err);
      errors.push(`${currency}: ${e.code}: ${e.message}`);
    }
  }
  if (errors.length > 0) deps.onCashReceiptError?.(settlement.settlementId, errors.join('; '));
  return { cashReceipts, ...(errors.length ? { cashReceiptError: errors.join('; ') } : {}) };
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

async function postAll(
  connectionId: string,
  settlementId: string,
  batches: readonly JournalBatch[],
  deps: Pick<SettlementFlowDeps, 'sage' | 'ledger'>,
): Promise<PostedSettlementJournal[]> {
  const out: PostedSettlementJournal[] = [];
  for (const batch of batches) {
    try {
      const result = await deps.sage.postJournal(batch);
      out.push({ ...batch, batchKey: result.batchKey, batchNo: result.batchNo, outcome: result.outcome });
    } catch (err) {
      await deps.ledger.noteError(connectionId, settlementId, `${coerceError(err).code}: ${coerceError(err).message}`);
      throw err;
    }
  }
  return out;
}

/** Revision 1 keeps the plain reference; later revisions get `:V<n>` (each is its own idempotency key in Sage). */
function revised(journals: readonly JournalBatch[], revision: number): JournalBatch[] {
  return journals.map((j) => (revision <= 1 ? j : { ...j, reference: `${j.reference}:V${revision}` }));
}

/** `settlement.import`: `{ connectionId, reportId, reportDocumentId }` -> download -> importSettlement. */
export async function importSettlementReport(
  payload: unknown,
  deps: SettlementFlowDeps,
): Promise<SettlementImportOutcome> {
  const { connectionId, reportId, reportDocumentId } = parsePayload(SETTLEMENT_IMPORT_QUEUE, payload, [
    'connectionId',
    'reportId',
    'reportDocumentId',
  ] as const);
  const file = await deps.reports.open(connectionId, { reportId, reportDocumentId });
  const outcome = await importSettlement(connectionId, file, deps);
  if (deps.reconcile && (outcome.kind === 'posted' || outcome.kind === 'corrected'))
    await deps
      .reconcile(connectionId, outcome.settlementId)
      .catch((err: unknown) => deps.onReconcileError?.(outcome.settlementId, err));
  return outcome;
}
