// npm run bench -- settlement-import [--mb 50,400] [--paths file,download] [--forms sea,source] [--cap 0] [--runs 1] [--keep]
//
// Peak memory of a settlement import on the two paths a user has, each in the real Sellbridge process:
// - file:     `sellbridge settlements import <file>` (the CLI, a plain tab-separated file on disk);
// - download: `sellbridge run --once` after `settlements discover`: the worker lists the report at the SP-API
//             simulator, downloads its GZIP document and imports it (the job path of every hosted import).
// Each measured command is a child process of its own; its peak RSS comes from GNU time (%M), so the simulator (in
// this process) and the generator are outside it. Before each, the executable is dropped from the page cache
// (evictFromPageCache says why). The baseline is `run --once` with nothing to do. Store: SQLite,
// Sage: the sandbox, both fresh per run. Figures vary with the machine; compare the ratios.
// --forms: which Sellbridge is measured, each on the same files (the table names the form of every row):
// - sea:    the single executable (`npm run package -- --linux-only`, built here first): what the container image,
//           the service units and the release downloads run, with the node flags its sea-config.json gives it;
// - dist:   the npm package (`npm run build`, built here first): bin/sellbridge.js in a directory laid out as an
//           installed package runs dist/; plain `node`, no flags (an npm install gets none unless NODE_OPTIONS says);
// - source: `node bin/sellbridge.js` in this checkout (TypeScript through Node's type stripping, no flags): what a
//           developer runs, and what this benchmark measured before; shown beside for comparison.
// --runs N: every measured command (the baseline too) runs N times, each on a fresh store; a row shows the median
// peak RSS and, with N > 1, the range: single runs of the same command spread by up to 15 MB here (when V8's
// collections fall), so one run cannot tell apart changes smaller than that.
// --cap <MB> (0 = off): every measured command (the baseline too) runs with V8's old space capped at <MB> and a 2 MB
// young generation: an import that completes so is flat in the file size (what it keeps does not grow), and its
// peak RSS minus the baseline is the import's own; without the cap V8 lets a busy heap grow well past what is live.
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import {
  copyFileSync,
  createReadStream,
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createGzip } from 'node:zlib';
import { createAmazonSimulator } from '../src/simulator/amazon/index.ts';
import { simulatorConfigOverrides } from '../test/helpers/simulator-connection.ts';
import { envNameOf } from '../src/config/introspect.ts';
import { generateSettlementFile } from './lib/settlement-file.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'bin', 'sellbridge.js');
const { values } = parseArgs({
  options: {
    mb: { type: 'string', default: '50,400' },
    paths: { type: 'string', default: 'file,download' },
    forms: { type: 'string', default: 'sea,source' },
    cap: { type: 'string', default: '0' },
    runs: { type: 'string', default: '1' },
    keep: { type: 'boolean', default: false },
  },
  allowPositionals: true,
});
const sizes = values.mb.split(',').map(Number);
const paths = values.paths.split(',');
const cap = Number(values.cap);
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs: a whole number of at least 1, not ${values.runs}`);
const capFlags = cap > 0 ? [`--max-old-space-size=${cap}`, '--max-semi-space-size=2'] : [];
if (spawnSync('/usr/bin/time', ['--version']).status !== 0) {
  console.error('settlement-import: GNU time (/usr/bin/time, Debian package "time") is needed for peak RSS');
  process.exit(2);
}

/** A way to start Sellbridge: the command line before its arguments, and what it is. */
interface Form {
  readonly name: string;
  readonly argv: readonly string[];
  readonly env: Record<string, string>;
  readonly what: string;
}

const dir = mkdtempSync(join(tmpdir(), 'sb-bench-settlement-import-'));
const npm = (...args: string[]) => {
  const r = spawnSync('npm', args, { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm ${args.join(' ')} failed (${r.status}):\n${r.stdout}${r.stderr}`);
};
function formOf(name: string): Form {
  switch (name) {
    case 'source':
      return {
        name,
        argv: [process.execPath, ...capFlags, CLI],
        env: {},
        what: `node ${[...capFlags, 'bin/sellbridge.js'].join(' ')} in the checkout (TypeScript source, type stripping)`,
      };
    case 'dist': {
      npm('run', 'build');
      // An installed package: bin/ and dist/ beside package.json, no src/, so bin/sellbridge.js runs dist/.
      const pkg = join(dir, 'package');
      mkdirSync(join(pkg, 'bin'), { recursive: true });
      copyFileSync(CLI, join(pkg, 'bin', 'sellbridge.js'));
      copyFileSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
      symlinkSync(join(ROOT, 'dist'), join(pkg, 'dist'));
      symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'));
      return {
        name,
        argv: [process.execPath, ...capFlags, join(pkg, 'bin', 'sellbridge.js')],
        env: {},
        what: `node ${[...capFlags, 'bin/sellbridge.js'].join(' ')} of an installed package (dist/, npm run build)`,
      };
    }
    case 'sea': {
      npm('run', 'package', '--', '--linux-only');
      const exe = join(ROOT, 'release', 'sellbridge-linux-x64');
      const seaConfig = JSON.parse(readFileSync(join(ROOT, 'release', 'build', 'sea-config.json'), 'utf8')) as {
        execArgv?: string[];
      };
      const own = seaConfig.execArgv ?? [];
      return {
        name,
        argv: [exe],
        // --cap goes in through NODE_OPTIONS, which a single executable reads (its two flags are allowed there).
        // MALLOC_ARENA_MAX as the container image and the service units set it (Dockerfile, cli/service-units.ts).
        env: { MALLOC_ARENA_MAX: '2', ...(capFlags.length ? { NODE_OPTIONS: capFlags.join(' ') } : {}) },
        what: `release/sellbridge-linux-x64 (single executable, npm run package; its own node flags: ${own.join(' ') || 'none'}; MALLOC_ARENA_MAX=2 as its container and service units${capFlags.length ? `; NODE_OPTIONS=${capFlags.join(' ')}` : ''})`,
      };
    }
    default:
      throw new Error(`--forms: unknown form ${name} (sea, dist, source)`);
  }
}

/**
 * Drops the executable's pages from the page cache (GNU dd, `iflag=nocache`), so the command maps them as a program
 * read from disk does. A file just written in one go (postject's output, a node binary npm just unpacked) sits in
 * the page cache in large folios, and the kernel maps a whole folio on each fault: measured here, the same
 * executable peaked 30 MB higher right after it was written than after this (all of it shared, clean pages of the
 * file), which made the figures depend on when the file was last written rather than on Sellbridge.
 */
function evictFromPageCache(file: string): void {
  const r = spawnSync('dd', [`if=${file}`, 'iflag=nocache', 'count=0', 'status=none']);
  if (r.status !== 0) throw new Error(`dd could not drop ${file} from the page cache: ${r.stderr.toString()}`);
}

interface Measured {
  readonly rssMb: number;
  readonly seconds: number;
  readonly stdout: string;
  /** With --runs N > 1: the lowest and highest peak RSS of the N runs (rssMb and seconds are their medians). */
  readonly range?: readonly [number, number];
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Runs `once` --runs times: the median peak RSS and seconds, the range, the last run's output. */
async function repeated(once: () => Promise<Measured>): Promise<Measured> {
  const all: Measured[] = [];
  for (let i = 0; i < runs; i++) all.push(await once());
  const rss = all.map((m) => m.rssMb);
  return {
    rssMb: median(rss),
    seconds: median(all.map((m) => m.seconds)),
    stdout: all.at(-1)!.stdout,
    ...(runs > 1 ? { range: [Math.min(...rss), Math.max(...rss)] as const } : {}),
  };
}

/**
 * Runs the CLI under GNU time; throws with its output when it fails. Asynchronous: the simulator answers from this
 * process, so its event loop must keep running.
 */
async function measure(
  form: Form,
  args: readonly string[],
  env: Record<string, string>,
  cwd: string,
): Promise<Measured> {
  const timeFile = join(cwd, `time-${process.hrtime.bigint()}.txt`);
  evictFromPageCache(form.argv[0]!);
  try {
    const child = await promisify(execFile)('/usr/bin/time', ['-o', timeFile, '-f', '%M %e', ...form.argv, ...args], {
      cwd,
      env: { ...process.env, ...form.env, ...env },
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    const [kb, seconds] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
    return { rssMb: kb! / 1024, seconds: seconds!, stdout: child.stdout };
  } catch (err) {
    const e = err as { code?: number; stderr?: string };
    throw new Error(`sellbridge ${args.join(' ')} failed (${e.code}):\n${e.stderr}`, { cause: err });
  }
}

const sim = await createAmazonSimulator({ seed: 15 });
let run = 0;
const freshEnv = (): Record<string, string> => {
  run += 1;
  return {
    SELLBRIDGE_STORE_URL: `sqlite:${join(dir, `store-${run}.db`)}`,
    SELLBRIDGE_SAGE500_KIND: 'sandbox',
    SELLBRIDGE_SAGE500_SANDBOX_PATH: join(dir, `sage-${run}.db`),
    SELLBRIDGE_LOG_LEVEL: 'warn',
    ...Object.fromEntries(simulatorConfigOverrides(sim.url).map((s) => [envNameOf(s.path.split('.')), s.value])),
  };
};

const spread = (m: Measured) => (m.range ? ` [${m.range[0].toFixed(0)}-${m.range[1].toFixed(0)} MB]` : '');
const forms = values.forms.split(',').map(formOf);
const rows: { form: string; path: string; mb: number; m: Measured; note: string }[] = [];
const baseline = new Map<string, number>();
try {
  for (const form of forms) {
    const idle = await repeated(() => measure(form, ['run', '--once'], freshEnv(), dir));
    baseline.set(form.name, idle.rssMb);
    console.log(`form ${form.name}: ${form.what}`);
    console.log(`  baseline (run --once with nothing to do): peak RSS ${idle.rssMb.toFixed(0)} MB${spread(idle)}`);
  }
  for (const mb of sizes) {
    const file = join(dir, `settlement-${mb}.tsv`);
    const generated = await generateSettlementFile(file, mb * 1024 * 1024);
    const fileMb = statSync(file).size / (1024 * 1024);
    console.log(`generated ${fileMb.toFixed(0)} MB, ${generated.rows.toLocaleString('en-US')} rows`);
    let gzMb = 0;
    if (paths.includes('download')) {
      const gz = `${file}.gz`;
      await pipeline(createReadStream(file), createGzip(), createWriteStream(gz));
      const gzBytes = readFileSync(gz);
      gzMb = gzBytes.length / (1024 * 1024);
      sim.control.addSettlementReportBytes(gzBytes, { gzip: true });
      rmSync(gz);
    }
    for (const form of forms) {
      if (paths.includes('file')) {
        const m = await repeated(() => measure(form, ['settlements', 'import', file], freshEnv(), dir));
        rows.push({ form: form.name, path: 'file', mb: fileMb, m, note: m.stdout.split('\n')[0]!.slice(0, 60) });
      }
      if (paths.includes('download')) {
        let env = freshEnv();
        const m = await repeated(async () => {
          env = freshEnv();
          await measure(form, ['settlements', 'discover'], env, dir);
          return measure(form, ['run', '--once'], env, dir);
        });
        const listed = await promisify(execFile)(process.execPath, [CLI, 'settlements', 'list', '--json'], {
          cwd: dir,
          env: { ...process.env, ...env },
          encoding: 'utf8',
        });
        // The simulator keeps the reports of the smaller sizes and each run has a fresh store, so this run imports
        // every report listed so far (at 400 MB: the 50 MB one, then the 400 MB one), one after the other.
        const imported = Number(/settlement\.import completed: (\d+)/.exec(m.stdout)?.[1] ?? 0);
        const posted = imported >= 1 && listed.stdout.includes('report:');
        rows.push({
          form: form.name,
          path: 'download',
          mb: fileMb,
          m,
          note: `${gzMb.toFixed(0)} MB gzip document; ${imported} report(s) imported; settlement ${posted ? 'posted' : `NOT posted (${m.stdout.trim().split('\n').pop()})`}`,
        });
      }
    }
    if (!values.keep) rmSync(file);
  }
  console.log(
    `\n${runs > 1 ? `medians of ${runs} runs each (range in brackets)\n` : ''}form    path      file MB  peak RSS MB  above baseline  seconds  note`,
  );
  for (const f of forms)
    console.log(`${f.name.padEnd(6)}  baseline  ${''.padStart(7)}  ${baseline.get(f.name)!.toFixed(0).padStart(11)}`);
  for (const r of rows)
    console.log(
      `${r.form.padEnd(6)}  ${r.path.padEnd(8)}  ${r.mb.toFixed(0).padStart(7)}  ${r.m.rssMb.toFixed(0).padStart(11)}  ${(r.m.rssMb - baseline.get(r.form)!).toFixed(0).padStart(14)}  ${r.m.seconds.toFixed(1).padStart(7)}  ${r.note}${spread(r.m)}`,
    );
} finally {
  await sim.close();
  if (!values.keep) rmSync(dir, { recursive: true, force: true });
  else console.log(`kept ${dir}`);
}
