import type { DemoCounts, DemoProgress, DemoResult } from './run-demo.ts';

/**
 * What the demo prints: progress while it runs (a live counter on a terminal, one line per stage and count change
 * otherwise, so logs and CI stay readable) and the summary table at the end.
 */
export function createProgressPrinter(
  write: (text: string) => void,
  isTty: boolean,
): { onProgress: (e: DemoProgress) => void; end: () => void } {
  let live = false;
  const endLive = () => {
    if (live) write('\n');
    live = false;
  };
  return {
    onProgress(e) {
      if (e.type === 'counts') {
        const line = `  ${countsLine(e.counts)}`;
        if (isTty) {
          write(`\r\x1b[2K${line}`);
          live = true;
        } else {
          write(`${line}\n`);
        }
        return;
      }
      endLive();
      write(e.type === 'stage' ? `${e.stage === 'done' ? '' : '> '}${e.text}\n` : `  ${e.text}\n`);
    },
    end: endLive,
  };
}

function countsLine(c: DemoCounts): string {
  return `received ${c.received} | created in Sage ${c.created} | cancelled ${c.cancelled} | shipped ${c.shipped} | confirmed to Amazon ${c.confirmed} | dead-lettered ${c.deadLettered}`;
}

/** The summary table (plain text, fixed columns). */
export function formatSummary(r: DemoResult): string {
  const s = r.summary;
  const rows: [string, string, string][] = [
    ['received', String(s.received), 'orders the engine took in from ORDER_CHANGE notifications (SQS)'],
    ['created in Sage', String(s.created), 'sales orders, each exactly once (TranNo reserved first)'],
    ['cancelled in Sage', String(s.cancelled), 'the buyer cancelled at Amazon after the order reached Sage'],
    [
      'shipped',
      String(s.shipped),
      `orders the Sage warehouse shipped; ${s.splitShipments} in two parts (split shipment)`,
    ],
    [
      'confirmed to Amazon',
      String(s.confirmed),
      `orders Amazon shows shipped; ${s.packagesConfirmed} of ${s.packagesShipped} packages confirmed${s.packagesConfirmedTwice ? `, ${s.packagesConfirmedTwice} TWICE` : ', each once'}`,
    ],
    ['dead-lettered', String(s.deadLettered.length), 'kept with the reason; `sellbridge dlq list` shows them'],
  ];
  const w0 = Math.max(...rows.map((x) => x[0].length));
  const w1 = Math.max(...rows.map((x) => x[1].length));
  const line = (a: string, b: string, c: string) => `  ${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`;
  const out = [
    '',
    'Summary',
    line('stage', '#'.padStart(w1), 'what it means'),
    line('-'.repeat(w0), '-'.repeat(w1), '-'.repeat(13)),
    ...rows.map(([a, b, c]) => line(a, b, c)),
  ];
  for (const d of s.deadLettered) out.push(`    ${d.amazonOrderId}  ${d.code}  ${d.reason}`);
  out.push('', ...formatConnections(r));
  out.push('');
  out.push(
    s.throttled > 0
      ? `Amazon answered 429 (rate limit) ${s.throttled} times; those requests waited for their tokens and nothing was lost.`
      : `Usage plans were on (time-scaled x${s.timeScale}); the client kept to them and Amazon answered no 429.`,
  );
  out.push(`Took ${(r.durationMs / 1000).toFixed(1)} s.`);
  if (r.mismatches.length)
    out.push('', `NOT AS EXPECTED (${r.mismatches.length}):`, ...r.mismatches.map((m) => `  - ${m}`));
  return out.join('\n');
}

/** One row per connection: the seller's marketplace and currency, its Sage company, and its orders' fate. */
function formatConnections(r: DemoResult): string[] {
  const head = [
    'connection',
    'seller (region)',
    'marketplace',
    'Sage company',
    'received',
    'created',
    'cancelled',
    'shipped',
    'confirmed',
    'dead-lettered',
  ];
  const rows = r.connections.map((c) => [
    c.id,
    `${c.sellerId} (${c.region.toUpperCase()})`,
    `${c.marketplace} (${c.currency})`,
    c.companyId,
    String(c.summary.received),
    String(c.summary.created),
    String(c.summary.cancelled),
    String(c.summary.shipped),
    String(c.summary.confirmed),
    String(c.summary.deadLettered),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  // Text columns left-aligned, counts right-aligned.
  const line = (cells: readonly string[]) =>
    `  ${cells.map((c, i) => (i < 4 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')}`.trimEnd();
  return ['Per connection', line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}
