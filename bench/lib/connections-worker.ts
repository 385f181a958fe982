// The measured process of `npm run bench -- connections`: N connections in ONE process, started as the build can
// run them, then idle or taking orders until SIGTERM.
//   SB_BENCH_CONFIGS: JSON list of config files. `runtimes` mode (what runs connections today): one createRuntime
//     per file, each its own engine (store file, queue, scheduler, SQS intake, Amazon client) for one connection.
//   SB_BENCH_MODE: `runtimes` (default) or `list` (one createRuntime on one file whose `connections:` list has N
//     entries: the multi-connection runtime).
// Every connection's Sage company is reached through a sandbox gateway on one shared sandbox file (one SQLite
// connection per file per process), injected so its SQLite time can be told apart from Sellbridge's own.
// Prints `ready {"connections":N,"rssBytes":..,"heapBytes":..}` (memory added by the connections, after a GC), then
// on SIGUSR2 `stats {...}`: CPU since ready, store statements, Sage SQLite time, RSS and heap now.
import { writeFileSync } from 'node:fs';
import inspector from 'node:inspector';
import { createRuntime, type Runtime } from '../../src/bootstrap/index.ts';
import { loadConfig } from '../../src/config/load.ts';
import { createSandboxGateway, type SandboxGateway } from '../../src/connectors/sage500/sandbox-gateway.ts';
import { silentLogger } from '../../src/observability/logger.ts';

const env = process.env;
const files = JSON.parse(env['SB_BENCH_CONFIGS'] ?? '[]') as string[];
const mode = env['SB_BENCH_MODE'] ?? 'runtimes';
const gc = (globalThis as { gc?: () => void }).gc;
const settle = async () => {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((r) => setTimeout(r, 50));
  }
};

await settle();
const before = process.memoryUsage();
const runtimes: Runtime[] = [];
const sandboxes: SandboxGateway[] = [];
let connections = 0;
for (const file of mode === 'list' ? files.slice(0, 1) : files) {
  const config = loadConfig({ file, env: {} });
  const s = config.sage500;
  const sandbox = await createSandboxGateway({
    measureCpu: true,
    path: s.sandboxPath,
    companyId: s.companyId,
    warehouseSimulator: { enabled: false },
  });
  sandboxes.push(sandbox);
  const runtime = await createRuntime(config, {
    role: 'worker',
    logger: silentLogger(),
    migrate: false,
    sage: sandbox,
  });
  await runtime.start();
  runtimes.push(runtime);
  connections += mode === 'list' ? Number(env['SB_BENCH_CONNECTIONS'] ?? 1) : 1;
}
await settle();
const after = process.memoryUsage();
const cpuAtReady = process.cpuUsage();
process.stdout.write(
  `ready ${JSON.stringify({ connections, rssBytes: after.rss - before.rss, heapBytes: after.heapUsed - before.heapUsed })}\n`,
);

const stats = () => {
  const cpu = process.cpuUsage(cpuAtReady);
  const mem = process.memoryUsage();
  return {
    cpuMs: (cpu.user + cpu.system) / 1000,
    storeStatements: runtimes.reduce((n, r) => n + r.store.statements(), 0),
    // One SQLite connection per sandbox file per process: every gateway reports the same figures.
    sageMs: (sandboxes[0]?.sqlite.cpuMicros ?? 0) / 1000,
    rssBytes: mem.rss,
    heapBytes: mem.heapUsed,
  };
};
// SB_BENCH_PROFILE=<file> with SB_BENCH_PROFILE_SNAPSHOTS=<from>,<to>: a CPU profile between those stats snapshots
// (1-based), e.g. one measured run, written to <file> for comparing where the time goes at 1 and 100 connections.
const profileFile = env['SB_BENCH_PROFILE'];
const [profileFrom, profileTo] = (env['SB_BENCH_PROFILE_SNAPSHOTS'] ?? '0,0').split(',').map(Number);
const profiler = profileFile ? new inspector.Session() : undefined;
profiler?.connect();
let snapshots = 0;
process.on('SIGUSR2', () => {
  if (env['SB_BENCH_GC_ON_STATS']) gc?.();
  snapshots++;
  if (profiler && snapshots === profileFrom) {
    profiler.post('Profiler.enable');
    profiler.post('Profiler.start');
  }
  if (profiler && snapshots === profileTo)
    profiler.post('Profiler.stop', (err, res) => {
      if (!err) writeFileSync(profileFile!, JSON.stringify(res.profile));
    });
  process.stdout.write(`stats ${JSON.stringify(stats())}\n`);
});
process.once('SIGTERM', () => {
  void Promise.allSettled(runtimes.map((r) => r.close())).then(() => process.exit(0));
});
