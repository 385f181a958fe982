// npm run bench -- settlement [--mb 200] [--cap 32] [--keep]
// Reads a generated Flat File V2 settlement of about --mb megabytes (written to a temp dir, deleted at the end) with
// Sellbridge's streaming parser + journal builder (every row parsed, categorized and summed into a balanced journal)
// and, for scale, with csv-parse (tab-separated, columns by header, records counted) on the same file in the same
// run. Each reader runs in its own child process so its peak RSS (getrusage maxRSS) is its own; an idle child
// (node + the same imports, reading nothing) gives the baseline. Flat memory: the Sellbridge reader runs once more with
// V8's old space capped at --cap MB (0 = skip); it completes, so what it keeps does not grow with the file.
// Figures vary with the machine; compare the ratios.
import { spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateSettlementFile as generate, us } from './lib/settlement-file.ts';

const SELF = fileURLToPath(import.meta.url);
const { values } = parseArgs({
  options: {
    mb: { type: 'string', default: '200' },
    cap: { type: 'string', default: '32' },
    keep: { type: 'boolean', default: false },
    child: { type: 'string' },
    file: { type: 'string' },
  },
  allowPositionals: true,
});

interface ChildResult {
  readonly reader: string;
  readonly ms: number;
  readonly rows: number;
  readonly maxRssMb: number;
  readonly note: string;
}

async function runChild(reader: string, file: string): Promise<void> {
  // Same imports in every child, so the baseline counts them.
  const { createSettlementParser } = await import('../src/connectors/amazon/settlement/index.ts');
  const { createSettlementJournalBuilder } = await import('../src/core/transform/journal-from-settlement.ts');
  const { parse } = await import('csv-parse');
  const t = performance.now();
  let rows = 0;
  let note: string;
  if (reader === 'sellbridge') {
    const builder = createSettlementJournalBuilder();
    const parser = createSettlementParser({
      keepTransactions: false,
      onTransaction: (tx) => {
        rows++;
        builder.add(tx);
      },
    });
    const stream = createReadStream(file, { highWaterMark: 1 << 20 });
    stream.setEncoding('utf8');
    for await (const chunk of stream) parser.write(chunk as string);
    const settlement = parser.end();
    const [journal] = builder.finish(settlement);
    const sum = journal!.lines.reduce((s, l) => s + l.amount.minor, 0);
    note = `${journal!.lines.length} journal lines, deposit ${journal!.lines[0]!.amount.minor / 100} ${journal!.currency}, ${sum === 0 ? 'balanced' : 'NOT balanced'}`;
  } else if (reader === 'csv-parse') {
    const csv = createReadStream(file, { highWaterMark: 1 << 20 }).pipe(
      parse({ delimiter: '\t', columns: true, quote: false, relax_column_count: false }),
    );
    for await (const record of csv) {
      void record;
      rows++;
    }
    rows -= 1; // the summary row
    note = 'records as objects by header name, no values read';
  } else {
    note = 'imports only';
  }
  const ms = performance.now() - t;
  const result: ChildResult = { reader, ms, rows, maxRssMb: process.resourceUsage().maxRSS / 1024, note };
  process.stdout.write(JSON.stringify(result));
}

async function runParent(): Promise<void> {
  const mb = Number(values.mb);
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-settlement-'));
  const file = join(dir, 'settlement.tsv');
  try {
    let t = performance.now();
    const generated = await generate(file, mb * 1024 * 1024);
    const bytes = statSync(file).size;
    const sizeMb = bytes / (1024 * 1024);
    console.log(
      `generated ${sizeMb.toFixed(1)} MB, ${generated.rows.toLocaleString('en-US')} rows (${generated.orders.toLocaleString('en-US')} orders), total ${us(generated.totalCents)} USD in ${((performance.now() - t) / 1000).toFixed(1)} s -> ${file}`,
    );
    const run = (reader: string, nodeArgs: readonly string[] = []): ChildResult => {
      t = performance.now();
      const child = spawnSync(process.execPath, [...nodeArgs, SELF, '--child', reader, '--file', file], {
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      });
      if (child.status !== 0) throw new Error(`${reader} child failed (${child.status}): ${child.stderr}`);
      return JSON.parse(child.stdout) as ChildResult;
    };
    const idle = run('idle');
    const results = [run('sellbridge'), run('csv-parse')];
    const cap = Number(values.cap);
    if (cap > 0) results.push({ ...run('sellbridge', [`--max-old-space-size=${cap}`]), reader: `sb@heap${cap}` });
    console.log('');
    console.log('reader       MB/s     rows/s       seconds  peak RSS MB  (above idle)  rows       note');
    for (const r of results) {
      const sec = r.ms / 1000;
      console.log(
        `${r.reader.padEnd(11)}  ${(sizeMb / sec).toFixed(1).padStart(6)}  ${Math.round(r.rows / sec)
          .toLocaleString('en-US')
          .padStart(
            11,
          )}  ${sec.toFixed(2).padStart(7)}  ${r.maxRssMb.toFixed(0).padStart(11)}  ${(r.maxRssMb - idle.maxRssMb).toFixed(0).padStart(12)}  ${String(r.rows).padEnd(9)}  ${r.note}`,
      );
    }
    console.log(`idle child (node + imports): peak RSS ${idle.maxRssMb.toFixed(0)} MB`);
    const [sb, cp] = results as [ChildResult, ChildResult];
    if (cap > 0)
      console.log(
        `sb@heap${cap}: the Sellbridge reader again with V8 old space capped at ${cap} MB (--max-old-space-size): it completes, so its memory is flat in the file size`,
      );
    console.log(
      `\nratio sellbridge / csv-parse: throughput ${(cp.ms / sb.ms).toFixed(2)}x, peak RSS ${(sb.maxRssMb / cp.maxRssMb).toFixed(2)}x`,
    );
    if (sb.rows !== generated.rows)
      console.log(`WARNING: sellbridge read ${sb.rows} rows, generated ${generated.rows}`);
  } finally {
    if (!values.keep) rmSync(dir, { recursive: true, force: true });
    else console.log(`kept ${file}`);
  }
}

if (values.child) {
  await runChild(values.child, values.file!);
} else {
  await runParent();
}
