import { describe, expect, it } from 'vitest';
import type { FbaReturnsReports } from '../../../src/core/ports/fba-returns-reports.ts';
import type { ReturnUnits } from '../../../src/core/ports/return-units.ts';
import { unitsToEnter, type ReturnSource } from '../../../src/core/transform/return-reconciliation.ts';
import {
  FBA_RETURN_RECORD_QUEUE,
  FBA_RETURNS_IMPORT_QUEUE,
  importFbaReturns,
  OVERLAP_DAYS,
  pollFbaReturns,
  recordFbaReturn,
  type FbaReturnsDeps,
} from '../../../src/flows/fba-returns.ts';
import { recordRefund } from '../../../src/flows/record-refund.ts';

const NOW = new Date('2026-12-01T12:00:00.000Z');

/** The ReturnUnits contract in memory (the store's is exercised by the integration test). */
function memoryReturnUnits(): ReturnUnits {
  const rows: { order: string; item: string; source: ReturnSource; key: string; quantity: number; entered: number }[] =
    [];
  return {
    async decide(key, claims) {
      return claims.map((c) => {
        const ofItem = rows.filter((r) => r.order === key.amazonOrderId && r.item === c.amazonOrderItemId);
        const mine = ofItem.find((r) => r.source === key.source && r.key === key.sourceKey);
        if (mine) return { amazonOrderItemId: c.amazonOrderItemId, enter: mine.entered };
        const enter = unitsToEnter(ofItem, key.source, c.quantity);
        rows.push({
          order: key.amazonOrderId,
          item: c.amazonOrderItemId,
          source: key.source,
          key: key.sourceKey,
          quantity: c.quantity,
          entered: enter,
        });
        return { amazonOrderItemId: c.amazonOrderItemId, enter };
      });
    },
  };
}

function harness(over: Partial<FbaReturnsDeps> = {}) {
  const marks = new Map<string, string>();
  const queued: { queue: string; payload: unknown; key?: string }[] = [];
  const requested: { start: string; end: string }[] = [];
  const statuses: string[] = [];
  const sageCalls: unknown[] = [];
  const reports: FbaReturnsReports = {
    request: async (_c, w) => {
      requested.push(w);
      return `R${requested.length}`;
    },
    status: async () => {
      const s = statuses.shift() ?? 'IN_PROGRESS';
      return s === 'DONE' ? { processingStatus: s, reportDocumentId: 'DOC1' } : { processingStatus: s };
    },
    download: async () =>
      'return-date\torder-id\tsku\tquantity\tlicense-plate-number\n' +
      '2026-11-30T10:00:00Z\t111-1\tWIDGET-RED\t1\tLPN1\n' +
      '2026-11-30T10:00:00Z\t111-1\tWIDGET-RED\t1\tLPN1\n' +
      '2026-11-30T11:00:00Z\t111-1\tCABLE\t1\t\n' +
      '2026-11-30T11:00:00Z\t111-1\tCABLE\t2\t\n',
  };
  const deps: FbaReturnsDeps = {
    reports,
    watermarks: {
      get: async (_c, n) => marks.get(n),
      set: async (_c, n, v) => void marks.set(n, v),
    },
    jobs: {
      enqueue: async (queue, payload, o) => {
        queued.push({ queue, payload, ...(o?.key ? { key: o.key } : {}) });
        return { id: String(queued.length), deduplicated: false };
      },
    },
    clock: { now: () => NOW },
    links: {
      get: async (_c, id) => (id === '111-1' ? ({ tranNo: 'AMZ0000001', salesOrderKey: '7' } as never) : undefined),
    },
    amazon: {
      getOrder: async () =>
        ({ lines: [{ lineId: 'OI-RED', sku: 'WIDGET-RED', quantityOrdered: 2, quantityShipped: 2 }] }) as never,
    },
    sage: {
      recordCustomerReturn: async (draft, { tranNo }) => {
        sageCalls.push({ draft, tranNo });
        return { outcome: 'created', returnKey: '99', tranNo };
      },
    },
    returnUnits: memoryReturnUnits(),
    lookbackDays: 30,
    ...over,
  };
  return { deps, marks, queued, requested, statuses, sageCalls };
}

describe('fba-returns.poll', () => {
  it('requests a window, waits while Amazon works, queues the import once DONE and moves the watermark to the window end', async () => {
    const h = harness();
    const first = await pollFbaReturns({ connectionId: 'c' }, h.deps);
    expect(first).toMatchObject({ kind: 'requested', end: NOW.toISOString() });
    expect(h.requested[0]!.start).toBe(new Date(NOW.getTime() - (30 + OVERLAP_DAYS) * 86_400_000).toISOString());
    h.statuses.push('IN_PROGRESS', 'DONE');
    expect((await pollFbaReturns({ connectionId: 'c' }, h.deps)).kind).toBe('waiting');
    expect(await pollFbaReturns({ connectionId: 'c' }, h.deps)).toMatchObject({ kind: 'queued', reportId: 'R1' });
    expect(h.queued).toEqual([
      {
        queue: FBA_RETURNS_IMPORT_QUEUE,
        payload: { connectionId: 'c', reportId: 'R1', reportDocumentId: 'DOC1' },
        key: 'fba-returns.import:R1',
      },
    ]);
    // The next window starts OVERLAP_DAYS before the last end.
    await pollFbaReturns({ connectionId: 'c' }, h.deps);
    expect(h.requested[1]!.start).toBe(new Date(NOW.getTime() - OVERLAP_DAYS * 86_400_000).toISOString());
  });

  it('a CANCELLED report (no data) closes the window; a FATAL one is requested again', async () => {
    const h = harness();
    await pollFbaReturns({ connectionId: 'c' }, h.deps);
    h.statuses.push('FATAL');
    expect((await pollFbaReturns({ connectionId: 'c' }, h.deps)).kind).toBe('failed');
    expect((await pollFbaReturns({ connectionId: 'c' }, h.deps)).kind).toBe('requested');
    expect(h.requested[1]!.start).toBe(h.requested[0]!.start);
    h.statuses.push('CANCELLED');
    expect((await pollFbaReturns({ connectionId: 'c' }, h.deps)).kind).toBe('empty');
    expect(h.queued).toEqual([]);
  });
});

describe('fba-returns.import and fba-return.record', () => {
  it('queues one job per return line (rows of one key merged) and enters each line once, with its returned quantity', async () => {
    const h = harness();
    expect(await importFbaReturns({ connectionId: 'c', reportId: 'R1', reportDocumentId: 'DOC1' }, h.deps)).toEqual({
      lines: 2,
    });
    expect(h.queued.map((q) => [q.queue, q.key])).toEqual([
      [FBA_RETURN_RECORD_QUEUE, 'fba-return.record:111-1:LPN:LPN1'],
      [FBA_RETURN_RECORD_QUEUE, 'fba-return.record:111-1:2026-11-30T11:00:00.000Z|CABLE'],
    ]);
    expect((h.queued[1]!.payload as { line: { quantity: number } }).line.quantity).toBe(3);

    const red = h.queued[0]!.payload;
    expect(await recordFbaReturn(red, h.deps)).toMatchObject({ kind: 'created' });
    expect(await recordFbaReturn(red, h.deps)).toMatchObject({ kind: 'created' }); // gateway idempotent by TranNo
    expect(h.sageCalls).toHaveLength(2);
    expect((h.sageCalls[0] as { tranNo: string }).tranNo).toBe((h.sageCalls[1] as { tranNo: string }).tranNo);
    expect((h.sageCalls[0] as { draft: unknown }).draft).toMatchObject({
      salesOrderTranNo: 'AMZ0000001',
      lines: [{ amazonOrderItemId: 'OI-RED', quantity: 1 }],
    });
    // A SKU that is not an item of the order is dead-lettered with the reason.
    await expect(recordFbaReturn(h.queued[1]!.payload, h.deps)).rejects.toMatchObject({
      code: 'SB_FBA_RETURN_UNPLACED',
      issues: [{ field: 'sku', problem: 'CABLE is not an item of the Amazon order' }],
    });
  });

  it('an order with no Sage order from Sellbridge is dead-lettered; a line whose goods a refund entered enters nothing', async () => {
    const h = harness();
    const line = (amazonOrderId: string) => ({
      connectionId: 'c',
      line: { amazonOrderId, sku: 'WIDGET-RED', quantity: 1, returnDate: NOW.toISOString(), returnKey: 'LPN:X' },
    });
    await expect(recordFbaReturn(line('111-9'), h.deps)).rejects.toMatchObject({ code: 'SB_FBA_RETURN_UNPLACED' });
    // The refund of the same item first (through refund.record with the same ledger), then the return line.
    const refund = await recordRefund(
      {
        connectionId: 'c',
        refund: {
          amazonOrderId: '111-1',
          reference: 'ADJ1',
          postedAt: NOW.toISOString(),
          lines: [{ amazonOrderItemId: 'OI-RED', quantity: 1 }],
        },
      },
      { sage: h.deps.sage, links: h.deps.links, returnUnits: h.deps.returnUnits },
    );
    expect(refund.kind).toBe('created');
    expect(await recordFbaReturn(line('111-1'), h.deps)).toMatchObject({ kind: 'skipped' });
    expect(h.sageCalls).toHaveLength(1);
  });
});
