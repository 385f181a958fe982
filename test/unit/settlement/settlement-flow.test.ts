import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSettlementReport } from '../../../src/connectors/amazon/settlement/index.ts';
import { SellbridgeError } from '../../../src/core/errors.ts';
import type { JournalBatch, PostedJournal } from '../../../src/core/model/journal.ts';
import { journalFingerprint } from '../../../src/core/transform/fingerprint.ts';
import { discoverSettlements } from '../../../src/flows/discover-settlements.ts';
import { importSettlement, importSettlementReport } from '../../../src/flows/post-settlement.ts';
import {
  SETTLEMENT_DISCOVER_QUEUE,
  SETTLEMENT_IMPORT_QUEUE,
  SETTLEMENT_WATERMARK,
  type SettlementFlowDeps,
} from '../../../src/flows/settlement.ts';
import { type SettlementFile, type SettlementReportRef } from '../../../src/core/ports/settlement-reports.ts';
import { type SettlementLedger, type SettlementRecord } from '../../../src/core/ports/settlement-ledger.ts';
import { DEFAULT_SETTLEMENT_ACCOUNTS } from '../../../src/core/rules/settlement-accounts.ts';

/** The settlement flows on in-memory fakes: discovery paging and watermark, payload checks, the exactly-once states. */
const NOW = new Date('2026-11-20T12:00:00Z');

function fakes(pages: { reports: SettlementReportRef[]; nextToken?: string }[] = []) {
  const enqueued: { queue: string; payload: unknown; key?: string }[] = [];
  const marks = new Map<string, string>();
  const listed: { createdSince: string; nextToken?: string }[] = [];
  const posted: JournalBatch[] = [];
  const records = new Map<string, SettlementRecord>();
  const claimed = new Set<string>();
  const ledger: SettlementLedger = {
    get: async (_c, id) => records.get(id),
    async reserve(connectionId, s, source, pending) {
      const have = records.get(s.settlementId);
      if (have) return { record: have, created: false };
      const record: SettlementRecord = {
        ...s,
        connectionId,
        state: 'posting',
        revision: 1,
        fingerprint: pending.fingerprint,
        journals: [],
        pending,
        source,
        createdAt: '',
        updatedAt: '',
      };
      records.set(s.settlementId, record);
      return { record, created: true };
    },
    async beginCorrection(_c, s, _source, from, pending) {
      const r = records.get(s.settlementId)!;
      const next = { ...r, state: 'correcting' as const, revision: from + 1, pending };
      records.set(s.settlementId, next);
      return next;
    },
    async markPosted(_c, id, p) {
      claimed.delete(id);
      const r = { ...records.get(id)!, state: 'posted' as const, fingerprint: p.fingerprint, journals: p.journals };
      delete (r as { pending?: unknown }).pending;
      records.set(id, r);
      return r;
    },
    async claim(_c, id) {
      if (claimed.has(id)) return false;
      claimed.add(id);
      return true;
    },
    noteError: async (_c, id) => void claimed.delete(id),
    quarantine: async () => 'q1',
  };
  const deps: SettlementFlowDeps = {
    sage: {
      postJournal: async (b): Promise<PostedJournal> => (
        posted.push(b),
        { outcome: 'created', batchKey: String(posted.length), batchNo: posted.length }
      ),
    },
    ledger,
    reports: {
      async list(_c, q) {
        listed.push(q);
        return pages.shift() ?? { reports: [] };
      },
      open: async (_c, ref) =>
        fileOf(
          `report:${ref.reportId}`,
          readFileSync(
            new URL('../../fixtures/golden-settlement/01-us-orders-fees/input.tsv', import.meta.url),
            'utf8',
          ),
        ),
    },
    watermarks: { get: async (_c, n) => marks.get(n), set: async (_c, n, v) => void marks.set(n, v) },
    jobs: {
      enqueue: async (queue, payload, o) => {
        enqueued.push({ queue, payload, ...(o?.key ? { key: o.key } : {}) });
        return { id: String(enqueued.length), deduplicated: false };
      },
    },
    clock: { now: () => NOW },
    settingsFor: () => ({
      rules: DEFAULT_SETTLEMENT_ACCOUNTS,
      detail: 'account',
      postDate: 'deposit',
      lookbackDays: 90,
    }),
  };
  return { deps, enqueued, marks, listed, posted, records };
}

function fileOf(source: string, text: string): SettlementFile {
  return {
    source,
    async read(onTransaction) {
      const s = parseSettlementReport(text);
      for (const t of s.transactions) onTransaction(t);
      return { ...s, transactions: [] };
    },
  };
}

const ref = (n: number, at: string): SettlementReportRef => ({
  reportId: `R${n}`,
  reportDocumentId: `D${n}`,
  createdTime: at,
});

describe('settlement.discover', () => {
  it('first run looks back lookbackDays; pages follow with the same createdSince; the watermark moves to the newest report after the last page', async () => {
    const f = fakes([
      { reports: [ref(1, '2026-11-01T00:00:00.000Z'), ref(2, '2026-11-15T00:00:00.000Z')], nextToken: 'T2' },
      { reports: [ref(3, '2026-11-05T00:00:00.000Z')] },
    ]);
    const one = await discoverSettlements({ connectionId: 'c1' }, f.deps);
    expect(one).toMatchObject({ reports: 2, queued: 2, more: true });
    expect(f.listed[0]).toEqual({ createdSince: '2026-08-22T12:00:00.000Z' });
    expect(f.marks.size).toBe(0); // not before the last page
    const next = f.enqueued.find((e) => e.queue === SETTLEMENT_DISCOVER_QUEUE)!;
    expect(next.payload).toEqual({
      connectionId: 'c1',
      nextToken: 'T2',
      createdSince: '2026-08-22T12:00:00.000Z',
      newest: '2026-11-15T00:00:00.000Z',
    });

    await discoverSettlements(next.payload, f.deps);
    expect(f.listed[1]).toEqual({ createdSince: '2026-08-22T12:00:00.000Z', nextToken: 'T2' });
    expect(f.marks.get(SETTLEMENT_WATERMARK)).toBe('2026-11-15T00:00:00.000Z');
    expect(f.enqueued.filter((e) => e.queue === SETTLEMENT_IMPORT_QUEUE).map((e) => [e.key, e.payload])).toEqual([
      ['settlement.import:R1', { connectionId: 'c1', reportId: 'R1', reportDocumentId: 'D1' }],
      ['settlement.import:R2', { connectionId: 'c1', reportId: 'R2', reportDocumentId: 'D2' }],
      ['settlement.import:R3', { connectionId: 'c1', reportId: 'R3', reportDocumentId: 'D3' }],
    ]);

    await discoverSettlements({ connectionId: 'c1' }, f.deps);
    expect(f.listed[2]).toEqual({ createdSince: '2026-11-15T00:00:00.000Z' });
  });

  it('a bad payload is SB_JOB_PAYLOAD_INVALID (dead letter at once)', async () => {
    const f = fakes();
    await expect(discoverSettlements({}, f.deps)).rejects.toMatchObject({ code: 'SB_JOB_PAYLOAD_INVALID' });
    await expect(importSettlementReport({ connectionId: 'c1', reportId: 'R1' }, f.deps)).rejects.toMatchObject({
      code: 'SB_JOB_PAYLOAD_INVALID',
      context: { fields: ['reportDocumentId'] },
    });
  });
});

describe('importSettlement exactly once', () => {
  const text = readFileSync(
    new URL('../../fixtures/golden-settlement/01-us-orders-fees/input.tsv', import.meta.url),
    'utf8',
  );

  it('posts once; the same file again posts nothing; the report job posts the same way', async () => {
    const f = fakes();
    expect(
      (await importSettlementReport({ connectionId: 'c1', reportId: 'R1', reportDocumentId: 'D1' }, f.deps)).kind,
    ).toBe('posted');
    expect((await importSettlement('c1', fileOf('file:x', text), f.deps)).kind).toBe('unchanged');
    expect(f.posted.map((b) => b.reference)).toEqual(['settlement:10000000001:USD']);
  });

  it('other content while the first post is unfinished is refused (SB_SETTLE_IN_PROGRESS), not posted over it', async () => {
    const f = fakes();
    const failing = {
      ...f.deps,
      sage: {
        postJournal: async () =>
          Promise.reject(new SellbridgeError('SB_SAGE_UNAVAILABLE', 'down', { retryAfterMs: 1 })),
      },
    };
    await expect(importSettlement('c1', fileOf('file:a', text), failing)).rejects.toMatchObject({
      code: 'SB_SAGE_UNAVAILABLE',
    });
    const lines = text.trimEnd().split('\n');
    const extra = lines
      .find((l) => l.includes('\tCommission\t'))!
      .replace(/\tCommission\t-?[\d,.]+\t/, '\tCommission\t-1.00\t');
    const other = [lines[0], lines[1]!.replace('1,156.16', '1,155.16'), ...lines.slice(2), extra].join('\n');
    const error = await importSettlement('c1', fileOf('file:b', other), f.deps).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SB_SETTLE_IN_PROGRESS', kind: 'validation' });
    expect(f.posted).toHaveLength(0);
    // The first file again finishes it.
    expect((await importSettlement('c1', fileOf('file:a', text), f.deps)).kind).toBe('posted');
  });

  it('the fingerprint changes with any amount, account or date, and not with the source', () => {
    const base: JournalBatch = {
      reference: 'settlement:1:USD',
      postDate: '2026-10-17',
      currency: 'USD',
      lines: [{ account: '1050-00', amount: { currency: 'USD', minor: 100 }, comment: 'x' }],
    };
    const fp = journalFingerprint([base]);
    expect(journalFingerprint([{ ...base }])).toBe(fp);
    expect(journalFingerprint([{ ...base, postDate: '2026-10-18' }])).not.toBe(fp);
    expect(
      journalFingerprint([{ ...base, lines: [{ ...base.lines[0]!, amount: { currency: 'USD', minor: 101 } }] }]),
    ).not.toBe(fp);
  });
});

describe('importSettlement and the refunds mode', () => {
  const text = readFileSync(
    new URL('../../fixtures/golden-settlement/02-refund-negative-deposit/input.tsv', import.meta.url),
    'utf8',
  );

  it('tells the refunds when the mode wants them (or says nothing), and keeps none when it does not', async () => {
    for (const wanted of [undefined, true, false]) {
      const f = fakes();
      const told: unknown[][] = [];
      const deps: SettlementFlowDeps = {
        ...f.deps,
        onRefunds: async (_c, refunds) => void told.push([...refunds]),
        ...(wanted === undefined ? {} : { refundsWanted: async () => wanted }),
      };
      expect((await importSettlement('c1', fileOf('file:refunds', text), deps)).kind).toBe('posted');
      if (wanted === false) expect(told).toEqual([]);
      else expect(told).toEqual([[expect.objectContaining({ reference: expect.any(String) })]]);
    }
  });
});
