import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../src/bootstrap/doctor.ts';
import { createAmazonSimulator, type AmazonSimulator } from '../../src/simulator/amazon/index.ts';
import { dropSchemas, PG_URL, waitUntil } from '../helpers/queue-env.ts';
import { simulatorConfigOverrides } from '../helpers/simulator-connection.ts';

/**
 * The single executables `npm run package` writes to release/ (issue 16). The Linux one is copied into an empty
 * folder and runs `--version`, `demo`, `doctor` and serves the dashboard from its embedded asset; the Windows one
 * is checked to be a PE file holding the NODE_SEA_BLOB resource with the SEA fuse flipped. Building takes about a
 * minute, so this file does not build: it skips, saying so, when release/ has not been made (.ci/run makes it).
 */
const RELEASE = fileURLToPath(new URL('../../release/', import.meta.url));
const LINUX = join(RELEASE, 'sellbridge-linux-x64');
const WINDOWS = join(RELEASE, 'sellbridge-win-x64.exe');
const built = existsSync(LINUX) && existsSync(WINDOWS);
if (!built)
  console.warn(
    'single-executable tests skipped: run `npm run package` first (release/sellbridge-linux-x64, release/sellbridge-win-x64.exe)',
  );

const dir = mkdtempSync(join(tmpdir(), 'sb-sea-'));
const exe = join(dir, 'sellbridge');
let sim: AmazonSimulator | undefined;
let child: ChildProcess | undefined;

/** This process's environment without Sellbridge's settings or Node's options. */
const cleanEnv = () =>
  Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('SELLBRIDGE_') && !k.startsWith('NODE_')),
  );

function run(args: string[], timeout = 60_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(exe, args, { cwd: dir, env: cleanEnv(), timeout }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(() => {
  if (built) copyFileSync(LINUX, exe);
});
afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!built)('single executables (release/)', () => {
  it('Linux: prints version, commit and Node from a folder with nothing else in it', async () => {
    expect(readdirSync(dir)).toEqual(['sellbridge']);
    const { code, stdout } = await run(['--version']);
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(
      /^sellbridge \d+\.\d+\.\d+ \(commit [0-9a-f]{12}(-dirty)?, node \d+\.\d+\.\d+, linux-x64\)$/,
    );
  });

  it('Linux: runs the demo end to end', { timeout: 120_000 }, async () => {
    const { code, stdout, stderr } = await run(['demo', '--orders', '8', '--json'], 110_000);
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout) as {
      mismatches: unknown[];
      summary: { received: number; confirmed: number };
      expected: { received: number };
    };
    expect(result.mismatches).toEqual([]);
    // --orders counts the US seller's orders; the German connection plays its own beside them (issue 21's demo).
    expect(result.summary.received).toBe(result.expected.received);
    expect(result.summary.received).toBeGreaterThan(8);
    expect(result.summary.confirmed).toBeGreaterThan(0);
  });

  it('Linux: doctor against the simulator and the Sage sandbox is all OK', { timeout: 60_000 }, async () => {
    sim = await createAmazonSimulator({ seed: 3 });
    const sets = [
      ...simulatorConfigOverrides(sim.url),
      { path: 'store.url', value: 'sqlite:./state/sellbridge.db' },
      { path: 'sage500.sandboxPath', value: './state/sage.db' },
    ].flatMap((s) => ['--set', `${s.path}=${s.value}`]);
    expect((await run([...sets, 'migrate'])).code).toBe(0);
    const { code, stdout } = await run([...sets, 'doctor', '--json']);
    const report = JSON.parse(stdout) as DoctorReport;
    expect(
      report.checks.filter((c) => c.status === 'fail' || c.status === 'warn'),
      stdout,
    ).toEqual([]);
    expect(code).toBe(0);
  });

  it('Linux: serves the dashboard from the embedded asset', { timeout: 60_000 }, async () => {
    const env = cleanEnv();
    child = spawn(
      exe,
      [
        '--set',
        'store.url=sqlite:./api/sellbridge.db',
        '--set',
        'server.port=0',
        '--set',
        'server.host=127.0.0.1',
        'run',
        '--role',
        'api',
      ],
      { cwd: dir, env },
    );
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    await waitUntil(async () => /http:\/\/127\.0\.0\.1:\d+\/healthz/.test(out), 30_000, 'the API to listen');
    const base = /(http:\/\/127\.0\.0\.1:\d+)\/healthz/.exec(out)![1]!;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const page = await fetch(`${base}/dashboard/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script type="module" src="js/main.js"></script>');
    expect((await fetch(`${base}/dashboard/js/pages/doctor.js`)).status).toBe(200);
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  });

  // The dependencies most commands never touch are lazy chunks (scripts/sea-chunks.ts): nothing above loads
  // PostgreSQL, pg-boss or the SQL Server driver, so these load theirs from the executable's assets.
  it('Linux: a PostgreSQL store loads the pg and pg-boss chunks and runs', { timeout: 60_000 }, async () => {
    const schema = `sea_${process.pid}`;
    await dropSchemas(schema);
    try {
      const sets = ['--set', `store.url=${PG_URL}`, '--set', `store.schema=${schema}`];
      const migrated = await run([...sets, 'migrate']);
      expect(migrated.code, migrated.stderr).toBe(0);
      const once = await run([...sets, 'run', '--once']);
      expect(once.code, once.stderr).toBe(0);
      expect(once.stdout).toContain('store postgres');
    } finally {
      await dropSchemas(schema);
    }
  });

  it(
    'the bundle loads no dependency chunk for a SQLite `run --once`, and pg and pg-boss for a PostgreSQL one',
    { timeout: 60_000 },
    async () => {
      // The bundle the executable holds, run by node from release/build/: there the loader reads each chunk from
      // chunks/ beside it, which a preloaded hook on readFileSync reports.
      const hook = join(dir, 'trace-chunks.cjs');
      writeFileSync(
        hook,
        "const fs = require('node:fs'); const read = fs.readFileSync; fs.readFileSync = function (p, ...a) { const m = /chunks[\\\\/]([^\\\\/]+)\\.cjs$/.exec(String(p)); if (m) process.stderr.write('chunk ' + m[1] + '\\n'); return read.call(this, p, ...a); };",
      );
      const bundle = join(RELEASE, 'build', 'sellbridge.cjs');
      const chunksOf = async (sets: string[]) => {
        const r = await new Promise<{ code: number; stderr: string }>((resolve) =>
          execFile(
            process.execPath,
            ['--require', hook, bundle, ...sets, 'run', '--once'],
            { cwd: dir, env: cleanEnv() },
            (err, _o, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr }),
          ),
        );
        expect(r.code, r.stderr).toBe(0);
        return [...r.stderr.matchAll(/^chunk (\S+)$/gm)].map((m) => m[1]).sort();
      };
      expect(
        await chunksOf([
          '--set',
          'store.url=sqlite:./chunks-trace/sellbridge.db',
          '--set',
          'sage500.sandboxPath=./chunks-trace/sage.db',
        ]),
      ).toEqual([]);
      const schema = `sea_trace_${process.pid}`;
      await dropSchemas(schema);
      try {
        const pgSets = [
          '--set',
          `store.url=${PG_URL}`,
          '--set',
          `store.schema=${schema}`,
          '--set',
          'sage500.sandboxPath=./chunks-trace/sage.db',
        ];
        expect(await chunksOf(pgSets)).toEqual(['pg', 'pg-boss']);
      } finally {
        await dropSchemas(schema);
      }
    },
  );

  it('Linux: a SQL Server Sage loads the mssql chunk (a refused connection, named as such)', async () => {
    const { code, stdout, stderr } = await run([
      '--set',
      'store.url=sqlite:./mssql/sellbridge.db',
      '--set',
      'sage500.kind=sqlserver',
      '--set',
      'sage500.url=mssql://sa:x@127.0.0.1:1/SOA',
      'connections',
      'check',
    ]);
    expect(code).not.toBe(0);
    // The driver itself answered (tedious's connection error), not a stub that failed to load it.
    expect(stdout + stderr).toMatch(/Failed to connect to 127\.0\.0\.1:1|ECONNREFUSED/);
    expect(stdout + stderr).not.toMatch(/is not a function|is not a constructor|Cannot find module/);
  });

  it('Windows: a PE file holding the NODE_SEA_BLOB resource, with the SEA fuse flipped', () => {
    const bin = readFileSync(WINDOWS);
    expect(bin.subarray(0, 2).toString('latin1')).toBe('MZ');
    const peOffset = bin.readUInt32LE(0x3c);
    expect(bin.subarray(peOffset, peOffset + 4).toString('latin1')).toBe('PE\0\0');
    expect(bin.readUInt16LE(peOffset + 4)).toBe(0x8664); // machine: x64
    // Resource names in a PE resource directory are UTF-16LE.
    expect(bin.includes(Buffer.from('NODE_SEA_BLOB', 'utf16le'))).toBe(true);
    expect(bin.includes(Buffer.from('NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2:1', 'latin1'))).toBe(true);
    // The blob itself carries the bundle: a string only Sellbridge's code has.
    expect(bin.includes(Buffer.from('SB_STORE_NEWER_THAN_BINARY', 'latin1'))).toBe(true);
  });
});
