// `npm run test:deploy`: the container set of compose.yaml, started as it is, with orders played through it.
//
// Builds localhost/sellbridge-base (debootstrap, once), localhost/sellbridge (Dockerfile) from the Linux single
// executable and localhost/sellbridge-postgres (deploy/postgres, Debian's PostgreSQL: no registry is reachable
// here), then `podman-compose up` on compose.yaml in a scratch project folder: PostgreSQL, one API process and two
// workers on their own network. A small override (the only difference from what a user runs) points them at the
// SP-API simulator started here (reached as host.containers.internal) and at a Sage sandbox in a volume the three
// Sellbridge containers share. Places orders at the simulator and waits until every one is shipped and confirmed
// at Amazon. Exits 0 on success; skips (exit 0, says so) without podman and podman-compose.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAmazonSimulator } from '../src/simulator/amazon/index.ts';
import { simulatorConfigOverrides } from '../test/helpers/simulator-connection.ts';
import { envNameOf } from '../src/config/introspect.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const log = (s: string) => process.stdout.write(`test:deploy: ${s}\n`);
const started = Date.now();

for (const tool of ['podman', 'podman-compose']) {
  if (spawnSync(tool, ['--version']).status !== 0) {
    log(`${tool} is not installed: skipped`);
    process.exit(0);
  }
}
const sh = (cmd: string, args: string[], opts: { quiet?: boolean; cwd?: string } = {}) =>
  execFileSync(cmd, args, {
    cwd: opts.cwd ?? ROOT,
    stdio: opts.quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
  })?.toString() ?? '';

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
sh('podman', [
  'build',
  '--quiet',
  '--isolation',
  'chroot',
  '--format',
  'docker',
  '-f',
  'deploy/postgres/Containerfile',
  '-t',
  'localhost/sellbridge-postgres:latest',
  '.',
]);
log(`images built (${Math.round((Date.now() - started) / 1000)} s)`);

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

// The OCI runtime. Debian's default, crun, refuses hosts with hybrid cgroups (v1 controllers beside a v2 mount, as
// in some container sandboxes); runc runs there with the cgroups it finds. A rootful podman inside such a sandbox
// also cannot raise its default file and process limits, so lower ones are set. The first that starts a container
// is written to a containers.conf that every podman and podman-compose call below reads (CONTAINERS_CONF).
const dir = mkdtempSync(join(tmpdir(), 'sb-deploy-'));
const limits = ['nofile=4096:4096', 'nproc=4096:4096'];
let runtime: string | undefined;
let lastError = '';
for (const candidate of ['crun', 'runc']) {
  const probe = spawnSync(
    'podman',
    [
      '--runtime',
      candidate,
      'run',
      '--rm',
      ...limits.flatMap((l) => ['--ulimit', l]),
      'localhost/sellbridge:test',
      '--version',
    ],
    { encoding: 'utf8' },
  );
  if (probe.status === 0) {
    runtime = candidate;
    log(`containers start with ${candidate}: ${probe.stdout.trim()}`);
    break;
  }
  lastError = `${candidate}: ${probe.stderr.trim().split('\n').pop()}`;
}
if (!runtime) {
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
  log(`SKIPPED the compose run: this machine cannot start containers (${lastError})`);
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}
writeFileSync(
  join(dir, 'containers.conf'),
  `[containers]\ndefault_ulimits = ${JSON.stringify(limits)}\n[engine]\nruntime = "${runtime}"\n`,
);
process.env['CONTAINERS_CONF'] = join(dir, 'containers.conf');

const sim = await createAmazonSimulator({
  seed: 16,
  timeScale: 20,
  host: '0.0.0.0',
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
// The containers reach the simulator through the host's address on their network.
const simUrl = sim.url.replace('0.0.0.0', 'host.containers.internal');
const { queueUrl } = sim.control.subscribe({ notificationType: 'ORDER_CHANGE', queueName: 'deploy' });
const port = 18000 + (process.pid % 1000);
const project = `sbdeploy${process.pid}`;

// The project folder a user would have: compose.yaml as shipped, .env, sellbridge.yaml; plus the test's override.
sh('cp', [join(ROOT, 'compose.yaml'), join(dir, 'compose.yaml')]);
const env: Record<string, string> = {
  POSTGRES_PASSWORD: `pw-${process.pid}`,
  SB_IMAGE: 'localhost/sellbridge:test',
  SB_POSTGRES_IMAGE: 'localhost/sellbridge-postgres:latest',
  SB_HTTP_PORT: String(port),
  SELLBRIDGE_SERVER_ADMIN_TOKEN: `admin-${process.pid}-0123456789abcdef`,
  ...Object.fromEntries(simulatorConfigOverrides(simUrl).map((s) => [envNameOf(s.path.split('.')), s.value])),
  SELLBRIDGE_AMAZON_SQS_QUEUE_URL: queueUrl.replace(new URL(queueUrl).host, new URL(simUrl).host),
  SELLBRIDGE_AMAZON_SQS_ENDPOINT: simUrl,
  SELLBRIDGE_AMAZON_SQS_WAIT_TIME_SECONDS: '1',
  SELLBRIDGE_AMAZON_SQS_ACCESS_KEY_ID: 'sim',
  SELLBRIDGE_AMAZON_SQS_SECRET_ACCESS_KEY: 'sim',
  SELLBRIDGE_SAGE500_KIND: 'sandbox',
  SELLBRIDGE_SAGE500_SANDBOX_PATH: '/var/lib/sellbridge/sage.db',
  SELLBRIDGE_SAGE500_WAREHOUSE_SIMULATOR_ENABLED: 'true',
  SELLBRIDGE_SAGE500_WAREHOUSE_SIMULATOR_DELAY_MS: '0',
  SELLBRIDGE_ORDERS_SHIPMENT_POLL_EVERY_MS: '500',
  SELLBRIDGE_JOBS_POLL_INTERVAL_MS: '100',
  SELLBRIDGE_LOG_LEVEL: 'warn',
};
writeFileSync(
  join(dir, '.env'),
  Object.entries(env)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n') + '\n',
);
writeFileSync(
  join(dir, 'sellbridge.yaml'),
  '# mounted read-only at /etc/sellbridge/sellbridge.yaml\nlog:\n  level: warn\n',
);
// The one addition: the Sage sandbox is a file the three Sellbridge containers share, as they share a Sage database.
writeFileSync(
  join(dir, 'compose.override.yaml'),
  [
    'services:',
    ...['api', 'worker'].flatMap((s) => [`  ${s}:`, '    volumes:', '      - sage:/var/lib/sellbridge']),
    'volumes:',
    '  sage:',
    '',
  ].join('\n'),
);
const compose = (args: string[], quiet = true) =>
  sh('podman-compose', ['-p', project, '-f', 'compose.yaml', '-f', 'compose.override.yaml', ...args], {
    cwd: dir,
    quiet,
  });

let ok = false;
try {
  compose(['up', '-d']);
  const containers = sh(
    'podman',
    ['ps', '--filter', `label=io.podman.compose.project=${project}`, '--format', '{{.Names}}'],
    {
      quiet: true,
    },
  )
    .trim()
    .split('\n')
    .filter(Boolean);
  log(`compose set up: ${containers.join(', ')}`);
  if (containers.length !== 4)
    throw new Error(`expected postgres, api and two workers, found ${containers.join(', ')}`);

  const until = async (what: string, ms: number, check: () => Promise<boolean>) => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (await check().catch(() => false)) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`timed out waiting for ${what}`);
  };
  await until(
    `the API /healthz on the published port ${port}`,
    120_000,
    async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok,
  );
  const api = containers.find((n) => n.includes('_api_'))!;
  const health = spawnSync('podman', ['healthcheck', 'run', api], { encoding: 'utf8' });
  log(
    `API healthcheck (the image's HEALTHCHECK on /healthz): ${health.status === 0 ? 'healthy' : `unhealthy: ${health.stdout}${health.stderr}`}`,
  );
  if (health.status !== 0) throw new Error('the HEALTHCHECK failed');
  const dashboard = await fetch(`http://127.0.0.1:${port}/api/v1/orders`);
  if (dashboard.status !== 401) throw new Error(`the admin API answered ${dashboard.status} without a token`);

  const ids = sim.control.addOrders(6, { status: 'UNSHIPPED' }).map((o) => o.orderId);
  await until('every order shipped and confirmed at Amazon', 180_000, async () =>
    ids.every((id) => sim.control.order(id)?.status === 'SHIPPED' && sim.control.order(id)!.packages.length > 0),
  );
  log(
    `${ids.length} orders landed in Sage and came back shipped and confirmed (${Math.round((Date.now() - started) / 1000)} s)`,
  );
  // The whole set still up: no container crashed or was restarted in a loop while the orders went through.
  const states = sh(
    'podman',
    ['ps', '-a', '--filter', `label=io.podman.compose.project=${project}`, '--format', '{{.Names}} {{.Status}}'],
    { quiet: true },
  ).trim();
  if (states.split('\n').filter((l) => / Up /.test(l)).length !== 4) throw new Error(`containers: ${states}`);
  log(`still running: ${states.replace(/\n/g, ', ')}`);
  ok = true;
} finally {
  if (!ok) {
    const names = sh(
      'podman',
      ['ps', '-a', '--filter', `label=io.podman.compose.project=${project}`, '--format', '{{.Names}}'],
      {
        quiet: true,
      },
    );
    for (const n of names.trim().split('\n').filter(Boolean)) {
      log(`--- ${n}`);
      spawnSync('podman', ['logs', '--tail', '40', n], { stdio: 'inherit' });
    }
  }
  spawnSync('podman-compose', ['-p', project, '-f', 'compose.yaml', '-f', 'compose.override.yaml', 'down', '-v'], {
    cwd: dir,
    stdio: 'ignore',
  });
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
}
log(ok ? 'passed' : 'FAILED');
process.exit(ok ? 0 : 1);
