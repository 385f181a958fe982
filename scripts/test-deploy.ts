// `npm run test:deploy` (issue 16): the container image end to end, with plain podman commands.
//
// Builds localhost/sellbridge-base (debootstrap, once) and localhost/sellbridge (Dockerfile) from the Linux single
// executable, then runs what compose.yaml runs (a migration, one API process and two workers on PostgreSQL) with
// host networking against the SP-API simulator and a Sage sandbox started here, places orders at the simulator and
// waits until every one is shipped and confirmed at Amazon. The PostgreSQL is the test one on 127.0.0.1:5432
// (SELLBRIDGE_TEST_PG_URL), in a schema of its own. Exits 0 on success; skips (exit 0, says so) without podman.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createAmazonSimulator } from '../src/simulator/amazon/index.ts';
import { simulatorConfigOverrides } from '../test/helpers/simulator-connection.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PG_URL = process.env['SELLBRIDGE_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const log = (s: string) => process.stdout.write(`test:deploy: ${s}\n`);
const started = Date.now();

if (spawnSync('podman', ['--version']).status !== 0) {
  log('podman is not installed: skipped');
  process.exit(0);
}
const sh = (cmd: string, args: string[], opts: { quiet?: boolean } = {}) =>
  execFileSync(cmd, args, { cwd: ROOT, stdio: opts.quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit' })?.toString() ?? '';

if (!existsSync(join(ROOT, 'release', 'sellbridge-linux-x64'))) sh('node', ['scripts/package.ts', '--linux-only']);
sh('bash', ['scripts/build-base-image.sh']);
// chroot isolation: the Dockerfile's one RUN step needs no OCI runtime; docker format keeps the HEALTHCHECK.
sh('podman', [
  'build',
  '--quiet',
  '--isolation',
  'chroot',
  '--format',
  'docker',
  '-t',
  'localhost/sellbridge:test',
  '.',
]);
log(`image built (${Math.round((Date.now() - started) / 1000)} s)`);

// What the image promises: non-root, a HEALTHCHECK on /healthz, the executable as entrypoint.
const inspected = JSON.parse(sh('podman', ['image', 'inspect', 'localhost/sellbridge:test'], { quiet: true })) as {
  Config: { User?: string; Entrypoint?: string[]; Healthcheck?: { Test?: string[] } };
  Healthcheck?: { Test?: string[] };
  Size: number;
}[];
const config = inspected[0]!.Config;
const healthcheck = ((inspected[0]!.Healthcheck ?? config.Healthcheck)?.Test ?? []).join(' ');
if (
  config.User !== 'sellbridge' ||
  !healthcheck.includes('/healthz') ||
  config.Entrypoint?.[0] !== '/usr/local/bin/sellbridge'
)
  throw new Error(
    `image config: user ${config.User}, entrypoint ${config.Entrypoint?.join(' ')}, healthcheck ${healthcheck}`,
  );
log(`image: ${Math.round(inspected[0]!.Size / 1024 ** 2)} MB, user ${config.User}, HEALTHCHECK on /healthz`);

// Lowered limits: a rootful podman inside a container without CAP_SYS_RESOURCE cannot set its default ones.
const LIMITS = ['--ulimit', 'nofile=4096:4096', '--ulimit', 'nproc=4096:4096'];
const probe = spawnSync('podman', ['run', '--rm', ...LIMITS, 'localhost/sellbridge:test', '--version'], {
  encoding: 'utf8',
});
if (probe.status !== 0) {
  // The image still gets a smoke test: its root file system, as its user, runs the executable.
  const mnt = sh('podman', ['image', 'mount', 'localhost/sellbridge:test'], { quiet: true }).trim();
  try {
    const version = sh('chroot', ['--userspec=10001:10001', mnt, '/usr/local/bin/sellbridge', '--version'], {
      quiet: true,
    }).trim();
    log(`the image's executable runs in its root file system as uid 10001: ${version}`);
  } finally {
    spawnSync('podman', ['image', 'unmount', 'localhost/sellbridge:test']);
  }
  log(`SKIPPED the compose run: this machine cannot start containers (${probe.stderr.trim().split('\n').pop()})`);
  process.exit(0);
}
log(`containers start: ${probe.stdout.trim()}`);

const schema = `deploy_${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), 'sb-deploy-'));
const sim = await createAmazonSimulator({
  seed: 16,
  timeScale: 20,
  scenario: {
    skus: [{ sku: 'WIDGET-RED', title: 'Widget, red', priceMinor: 1999 }],
    unknownSkuRate: 0,
    afnRate: 0,
    pendingRate: 0,
    cancelledRate: 0,
    businessRate: 0,
    nonAsciiRate: 0,
    longAddressRate: 0,
  },
});
const { queueUrl } = sim.control.subscribe({ notificationType: 'ORDER_CHANGE', queueName: 'deploy' });
const names = [`sb-deploy-api-${process.pid}`, `sb-deploy-worker1-${process.pid}`, `sb-deploy-worker2-${process.pid}`];
const env = [
  ...simulatorConfigOverrides(sim.url).map(
    (s) =>
      `SELLBRIDGE_${s.path
        .replace('.', '_')
        .replace(/([a-z])([A-Z])/g, '$1_$2')
        .toUpperCase()}=${s.value}`,
  ),
  `SELLBRIDGE_STORE_URL=${PG_URL}`,
  `SELLBRIDGE_STORE_SCHEMA=${schema}`,
  `SELLBRIDGE_AMAZON_SQS_QUEUE_URL=${queueUrl}`,
  `SELLBRIDGE_AMAZON_SQS_ENDPOINT=${sim.url}`,
  'SELLBRIDGE_AMAZON_SQS_WAIT_TIME_SECONDS=1',
  'SELLBRIDGE_AMAZON_SQS_ACCESS_KEY_ID=sim',
  'SELLBRIDGE_AMAZON_SQS_SECRET_ACCESS_KEY=sim',
  'SELLBRIDGE_SAGE500_KIND=sandbox',
  'SELLBRIDGE_SAGE500_SANDBOX_PATH=/var/lib/sellbridge/sage.db',
  'SELLBRIDGE_SAGE500_WAREHOUSE_SIMULATOR_ENABLED=true',
  'SELLBRIDGE_SAGE500_WAREHOUSE_SIMULATOR_DELAY_MS=0',
  'SELLBRIDGE_ORDERS_SHIPMENT_POLL_EVERY_MS=500',
  'SELLBRIDGE_JOBS_POLL_INTERVAL_MS=100',
  'SELLBRIDGE_SERVER_HOST=127.0.0.1',
  'SELLBRIDGE_SERVER_PORT=18080',
  'SELLBRIDGE_LOG_LEVEL=warn',
].flatMap((e) => ['-e', e]);
// The two workers share the Sage sandbox (as they share a Sage database): one volume for all three.
const volume = ['-v', `${dir}:/var/lib/sellbridge:Z`];
execFileSync('chmod', ['0777', dir]);

let ok = false;
try {
  sh('podman', ['run', '--rm', ...LIMITS, '--network=host', ...volume, ...env, 'localhost/sellbridge:test', 'migrate']);
  sh(
    'podman',
    [
      'run',
      '-d',
      ...LIMITS,
      '--name',
      names[0]!,
      '--network=host',
      ...volume,
      ...env,
      'localhost/sellbridge:test',
      'run',
      '--role',
      'api',
    ],
    { quiet: true },
  );
  for (const n of names.slice(1))
    sh(
      'podman',
      [
        'run',
        '-d',
        ...LIMITS,
        '--name',
        n,
        '--network=host',
        ...volume,
        ...env,
        '--health-cmd',
        'kill -0 1',
        'localhost/sellbridge:test',
        'run',
        '--role',
        'worker',
      ],
      { quiet: true },
    );

  const until = async (what: string, ms: number, check: () => Promise<boolean>) => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (await check().catch(() => false)) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`timed out waiting for ${what}`);
  };
  await until('the API /healthz', 60_000, async () => (await fetch('http://127.0.0.1:18080/healthz')).ok);
  const health = spawnSync('podman', ['healthcheck', 'run', names[0]!]);
  log(
    `API healthcheck (the image's HEALTHCHECK on /healthz): ${health.status === 0 ? 'healthy' : `unhealthy: ${health.stdout}${health.stderr}`}`,
  );
  if (health.status !== 0) throw new Error('the HEALTHCHECK failed');

  const ids = sim.control.addOrders(6, { status: 'UNSHIPPED' }).map((o) => o.orderId);
  await until('every order shipped and confirmed at Amazon', 120_000, async () =>
    ids.every((id) => sim.control.order(id)?.status === 'SHIPPED' && sim.control.order(id)!.packages.length > 0),
  );
  // Both workers took part? Not guaranteed for 6 orders; that the set ran is what is checked here.
  log(
    `${ids.length} orders landed in Sage and came back shipped and confirmed (${Math.round((Date.now() - started) / 1000)} s)`,
  );
  ok = true;
} finally {
  if (!ok) for (const n of names) spawnSync('podman', ['logs', '--tail', '40', n], { stdio: 'inherit' });
  spawnSync('podman', ['rm', '-f', '-t', '5', ...names], { stdio: 'ignore' });
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE; DROP SCHEMA IF EXISTS "${schema}_jobs" CASCADE`);
  await client.end();
}
log(ok ? 'passed' : 'FAILED');
process.exit(ok ? 0 : 1);
