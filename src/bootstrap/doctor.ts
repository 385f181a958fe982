import { existsSync, statfsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ResolvedConfig } from '../config/schema.ts';
import { connectionSettingsFromConfig } from '../connectors/amazon/create-amazon-connector.ts';
import { sqsClientFromSettings } from '../connectors/amazon/notifications/sqs-consumer.ts';
import { createSpApiConnection } from '../connectors/amazon/sp-api/connection.ts';
import { HttpError, type FetchFn } from '../connectors/amazon/sp-api/http-client.ts';
import { NOTIFICATIONS_GRANT, SELLER_GRANT } from '../connectors/amazon/sp-api/lwa-token.ts';
import {
  LWA_TOKEN_ENDPOINT,
  MARKETPLACES,
  marketplacesOutsideRegion,
  resolveEndpoint,
} from '../connectors/amazon/sp-api/regions.ts';
import { verifySage500 } from '../connectors/sage500/verify-at-start.ts';
import { lastSightingAt } from '../connectors/store/order-sightings.ts';
import { isSellbridgeError } from '../core/errors.ts';
import type { CheckStatus, DoctorCheck, DoctorReport } from '../core/model/doctor-report.ts';
import type { Clock } from '../core/ports/clock.ts';
import { systemClock } from '../runtime/clock.ts';
import { openStore, parseStoreUrl } from '../runtime/store/store.ts';
import { createAgentRegistry } from '../runtime/agents/registry.ts';
import { migrationLevel } from '../runtime/store/migration-level.ts';
import { storedRefreshTokenLookup } from '../runtime/onboarding/amazon-authorization.ts';
import { connectionConfigs } from '../config/load.ts';
import { piiVaultFromConfig } from './admin.ts';
import { checkConnection } from './connection-check.ts';

export type { CheckStatus, DoctorCheck, DoctorReport } from '../core/model/doctor-report.ts';

/**
 * `sellbridge doctor`: one report per connection (every connection of sellbridge.yaml, or the one asked for) that says whether this installation can reach what it
 * needs, each check OK / WARN / FAIL with the fix in words. It reads and asks; it changes nothing (no migration,
 * no token stored, no message taken off the queue). A check whose precondition failed is `skipped`, so the one
 * thing that is wrong is named once. Details never carry a secret or buyer data.
 */
export interface DoctorDeps {
  readonly clock?: Clock;
  readonly fetch?: FetchFn;
  /** How long each network check may take (default 10 s). */
  readonly timeoutMs?: number;
}

/** Clock skew that SigV4 / LWA reject (5 minutes) and the point where we warn. */
const SKEW_FAIL_MS = 5 * 60_000;
const SKEW_WARN_MS = 60_000;
const DISK_FAIL_BYTES = 200 * 1024 ** 2;
const DISK_WARN_BYTES = 1024 ** 3;
const LAST_ORDER_WARN_MS = 48 * 3_600_000;

/** Exit code of `sellbridge doctor`: 0 all OK, 1 warnings only, 2 at least one failure. */
export function doctorExitCode(report: Pick<DoctorReport, 'status'>): number {
  return report.status === 'fail' ? 2 : report.status === 'warn' ? 1 : 0;
}

/** The report for a configuration that could not be loaded: the one check that matters. */
export function configFailureReport(problem: string, clock: Clock = systemClock): DoctorReport {
  return {
    connectionId: 'default',
    checkedAt: clock.now().toISOString(),
    status: 'fail',
    checks: [
      {
        id: 'config',
        status: 'fail',
        detail: problem,
        fix: 'Fix each listed setting (sellbridge.yaml, SELLBRIDGE_* variables or --set), then run `sellbridge config check`.',
      },
    ],
  };
}

function amazonProblem(err: unknown, what: string): { detail: string; fix: string } {
  if (err instanceof HttpError) {
    const where = `${err.status ? `HTTP ${err.status}` : 'no answer'}${err.amazonCode ? ` ${err.amazonCode}` : ''}${err.requestId ? `, request ${err.requestId}` : ''}`;
    switch (err.code) {
      case 'SB_AMZ_LWA_REJECTED':
        return {
          detail: `Login with Amazon refused the credentials (${where})`,
          fix: 'Check amazon.lwaClientId and amazon.lwaClientSecret; re-authorize the seller if the refresh token was revoked, and set the new amazon.refreshToken.',
        };
      case 'SB_AMZ_ACCESS_DENIED':
        return {
          detail: `Amazon denied ${what} (${where})`,
          fix: 'Add the role this API needs to the SP-API application and re-authorize the seller, or check that the seller authorized this region.',
        };
      case 'SB_AMZ_THROTTLED':
        return {
          detail: `Amazon throttled ${what} (${where})`,
          fix: 'Try again in a minute; if it persists, another process is using the same quota.',
        };
      case 'SB_AMZ_TIMEOUT':
      case 'SB_AMZ_NETWORK':
        return {
          detail: `${what}: Amazon could not be reached (${where})`,
          fix: 'Check the network, the proxy and amazon.endpoint; see docs/deploy.md for the hosts Sellbridge must reach.',
        };
      default:
        return {
          detail: `${what} failed: ${err.message}`,
          fix: 'Read the message; if Amazon rejected the request, report it with the request id (a Sellbridge bug is likely).',
        };
    }
  }
  return {
    detail: `${what} failed: ${isSellbridgeError(err) ? `${err.code} ` : ''}${err instanceof Error ? err.message : String(err)}`,
    fix: 'Check the network, the proxy and the endpoint settings.',
  };
}

async function withTimeout<T>(ms: number, what: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error(`${what}: no answer within ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([work(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const worstOf = (statuses: readonly CheckStatus[]): DoctorReport['status'] =>
  statuses.includes('fail') ? 'fail' : statuses.includes('warn') ? 'warn' : 'ok';

/**
 * `sellbridge doctor` for every connection sellbridge.yaml defines (or only `connection`), one after the other: the
 * result is the first checked connection's report (so a one-connection setup reads as before) with `status` the worst
 * of all and `connections` every connection's report. An unknown `connection` is a failed `config` check.
 */
export async function runDoctorForConnections(
  config: ResolvedConfig,
  deps: DoctorDeps = {},
  connection?: string,
  /** Connections added through the API that the calling process runs (the CLI has none). */
  added: readonly ResolvedConfig[] = [],
): Promise<DoctorReport> {
  const clock = deps.clock ?? systemClock;
  const all = [...connectionConfigs(config), ...added];
  const chosen = connection === undefined ? all : all.filter((c) => c.orders.connectionId === connection);
  if (!chosen.length) {
    const failed = configFailureReport(
      `no connection ${connection}: this configuration has ${all.map((c) => c.orders.connectionId).join(', ')}`,
      clock,
    );
    return { ...failed, connectionId: connection ?? 'default', connections: [failed] };
  }
  const reports: DoctorReport[] = [];
  for (const c of chosen) reports.push(await runDoctor(c, deps));
  return { ...reports[0]!, status: worstOf(reports.map((r) => r.status)), connections: reports };
}

/**
 * The refresh token `sellbridge connections authorize` sealed for the connection, when sellbridge.yaml gives none:
 * read from the store's vault without creating anything (undefined when there is no store file, no PII key, no
 * migrated store or no token).
 */
async function storedRefreshTokenOf(config: ResolvedConfig, clock: Clock): Promise<string | undefined> {
  const { dialect, path } = parseStoreUrl(config.store.url);
  if (dialect === 'sqlite' && (path === ':memory:' || !existsSync(resolve(path)))) return undefined;
  try {
    const store = openStore(config.store);
    try {
      const vault = piiVaultFromConfig(store, clock, config.security);
      return await storedRefreshTokenLookup(vault)(config.orders.connectionId);
    } finally {
      await store.close();
    }
  } catch {
    return undefined; // no vault table yet, a key that does not open it: the token counts as missing
  }
}

/** Runs every check for one connection (`config` is that connection's configuration, from connectionConfigs). */
export async function runDoctor(config: ResolvedConfig, deps: DoctorDeps = {}): Promise<DoctorReport> {
  const clock = deps.clock ?? systemClock;
  const fetchFn: FetchFn = deps.fetch ?? ((input, init) => fetch(input, init));
  const timeoutMs = deps.timeoutMs ?? 10_000;
  const checks: DoctorCheck[] = [];
  const add = (id: string, status: CheckStatus, detail: string, fix?: string) =>
    checks.push({ id, status, detail, ...(fix && status !== 'ok' && status !== 'skipped' ? { fix } : {}) });
  // A connection without amazon.refreshToken may have one stored by `sellbridge connections authorize`: it counts.
  const storedToken = config.amazon.refreshToken ? undefined : await storedRefreshTokenOf(config, clock);
  const amazon = storedToken ? { ...config.amazon, refreshToken: storedToken } : config.amazon;

  // --- configuration -------------------------------------------------------------------------------
  const configWarnings: string[] = [];
  const configFailures: string[] = [];
  const missing = [
    !amazon.lwaClientId && 'amazon.lwaClientId',
    !amazon.lwaClientSecret && 'amazon.lwaClientSecret',
    !amazon.refreshToken && 'amazon.refreshToken (or one stored by `sellbridge connections authorize`)',
  ].filter((m): m is string => typeof m === 'string');
  if (missing.length) configFailures.push(`missing ${missing.join(', ')}`);
  if (amazon.mode === 'simulator' && !amazon.endpoint)
    configFailures.push('amazon.mode is simulator but amazon.endpoint is not set');
  const outside = marketplacesOutsideRegion(amazon.region, amazon.marketplaceIds).filter((id) => MARKETPLACES[id]);
  if (outside.length) configFailures.push(`marketplace(s) ${outside.join(', ')} not served by region ${amazon.region}`);
  const unknownMarketplaces = amazon.marketplaceIds.filter((id) => !MARKETPLACES[id]);
  if (unknownMarketplaces.length) configWarnings.push(`unknown marketplace id(s) ${unknownMarketplaces.join(', ')}`);
  if (!amazon.sellerId)
    configWarnings.push('amazon.sellerId is not set (Listings Items calls and rate buckets need it)');
  if (config.sage500.kind === 'sqlserver' && !config.sage500.url)
    configFailures.push('sage500.kind is sqlserver but sage500.url is not set');
  if (configFailures.length)
    add(
      'config',
      'fail',
      configFailures.join('; '),
      'Set the named settings in sellbridge.yaml, SELLBRIDGE_* variables or --set; `sellbridge config check` lists every problem.',
    );
  else if (configWarnings.length)
    add('config', 'warn', configWarnings.join('; '), 'Set the named settings; see docs/configuration.md.');
  else
    add(
      'config',
      'ok',
      `valid (store ${parseStoreUrl(config.store.url).dialect}, Sage ${config.sage500.kind} company ${config.sage500.companyId}, Amazon ${amazon.mode} ${amazon.region} ${amazon.marketplaceIds.join(',')}${storedToken ? ', refresh token stored by `connections authorize`' : ''})`,
    );

  // --- store ---------------------------------------------------------------------------------------
  let lastOrderAt: string | null | undefined;
  const storeFile = parseStoreUrl(config.store.url);
  // Opening a SQLite path creates the file: a missing store is reported, never made by doctor.
  if (storeFile.dialect === 'sqlite' && storeFile.path !== ':memory:' && !existsSync(resolve(storeFile.path)))
    add(
      'store',
      'fail',
      `the store ${resolve(storeFile.path)} does not exist`,
      'Run `sellbridge migrate` (`sellbridge run` also creates it), and check store.url and the working directory of the service.',
    );
  else
    try {
      const store = openStore(config.store);
      try {
        const level = await withTimeout(timeoutMs, 'store', () => migrationLevel(store));
        if (level.unknown.length)
          add(
            'store',
            'fail',
            `the store was migrated by a newer Sellbridge (${level.unknown.join(', ')}); this binary knows up to ${level.latestKnown}`,
            'Run the Sellbridge version that migrated this store, or restore a backup made before the upgrade.',
          );
        else if (level.pending.length)
          add(
            'store',
            'warn',
            `reachable; ${level.pending.length} migration(s) pending (${level.pending.join(', ')})`,
            'Run `sellbridge migrate` (`sellbridge run` also migrates at start).',
          );
        else add('store', 'ok', `reachable, migrated to ${level.latestKnown}`);
        // Sightings by poll and by notification (the inbox's outcome column is migration 0015's).
        if (!level.pending.includes('0015-notification-handlers') && !level.unknown.length)
          lastOrderAt = await lastSightingAt(store, config.orders.connectionId);
      } finally {
        await store.close();
      }
    } catch (err) {
      add(
        'store',
        'fail',
        `cannot open the store: ${isSellbridgeError(err) ? `${err.code} ` : ''}${err instanceof Error ? err.message.replace(/\/\/[^@/]*@/, '//***@') : String(err)}`,
        'Check store.url: for PostgreSQL that the server runs and accepts this user; for SQLite that the folder exists and is writable by the service account.',
      );
    }

  // --- Amazon: LWA token, one cheap call per API the flows use, notifications -----------------------
  const conn = createSpApiConnection(connectionSettingsFromConfig(amazon), {
    clock,
    sleep: async () => undefined,
    fetch: fetchFn,
  });
  let token = false;
  if (missing.length) add('lwa-token', 'skipped', 'no LWA credentials configured');
  else {
    try {
      await withTimeout(timeoutMs, 'Login with Amazon', () => conn.tokens.getToken(SELLER_GRANT));
      token = true;
      add(
        'lwa-token',
        'ok',
        `Login with Amazon issued an access token for the seller${storedToken ? ' (with the refresh token stored by `connections authorize`)' : ''}`,
      );
    } catch (err) {
      const p = amazonProblem(err, 'the token request');
      const host = amazon.lwaEndpoint ?? LWA_TOKEN_ENDPOINT;
      const unreachable = !(err instanceof HttpError) || !err.status;
      add(
        'lwa-token',
        'fail',
        unreachable ? `Login with Amazon (${host}) could not be reached: ${p.detail}` : p.detail,
        unreachable
          ? `Allow HTTPS to ${new URL(host).host} (firewall, proxy); check amazon.lwaEndpoint if it is set.`
          : p.fix,
      );
    }
  }
  const apis: { id: string; what: string; call: () => Promise<unknown> }[] = [
    ...amazon.marketplaceIds.map((id) => ({
      id: `sp-api:orders:${id}`,
      what: `Orders API (searchOrders, ${id})`,
      call: () =>
        conn.client.searchOrders({
          marketplaceIds: [id],
          createdAfter: new Date(clock.now().getTime() - 24 * 3_600_000).toISOString(),
          maxResultsPerPage: 1,
        }),
    })),
    {
      id: 'sp-api:feeds',
      what: 'Feeds API (getFeeds: inventory and prices)',
      call: () => conn.client.getFeeds({ feedTypes: ['JSON_LISTINGS_FEED'], pageSize: 1 }),
    },
    {
      id: 'sp-api:reports',
      what: 'Reports API (getReports: settlements)',
      call: () => conn.client.getReports({ pageSize: 1, reportTypes: ['GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2'] }),
    },
  ];
  for (const api of apis) {
    if (!token) {
      add(api.id, 'skipped', `${api.what}: needs an access token`);
      continue;
    }
    try {
      await withTimeout(timeoutMs, api.what, () => api.call());
      add(api.id, 'ok', `${api.what} answered`);
    } catch (err) {
      const p = amazonProblem(err, api.what);
      add(api.id, 'fail', p.detail, p.fix);
    }
  }
  if (!token) add('sp-api:notifications', 'skipped', 'Notifications API: needs an access token');
  else {
    try {
      await withTimeout(timeoutMs, 'Notifications API', async () => {
        await conn.tokens.getToken(NOTIFICATIONS_GRANT);
        return conn.client.getSubscription('ORDER_CHANGE');
      });
      add('sp-api:notifications', 'ok', 'Notifications API answered (grantless token, ORDER_CHANGE subscription read)');
    } catch (err) {
      const p = amazonProblem(err, 'Notifications API (grantless token, getSubscription)');
      add('sp-api:notifications', amazon.sqs.queueUrl ? 'fail' : 'warn', p.detail, p.fix);
    }
  }

  // --- SQS -------------------------------------------------------------------------------------------
  if (!amazon.sqs.queueUrl) add('sqs', 'skipped', 'amazon.sqs.queueUrl is not set: orders come in by polling only');
  else {
    const sqs = sqsClientFromSettings(amazon.sqs);
    try {
      const { GetQueueAttributesCommand } = await import('@aws-sdk/client-sqs');
      const out = await withTimeout(timeoutMs, 'SQS', (signal) =>
        sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: amazon.sqs.queueUrl,
            AttributeNames: ['ApproximateNumberOfMessages'],
          }),
          { abortSignal: signal },
        ),
      );
      add('sqs', 'ok', `queue readable (${out.Attributes?.ApproximateNumberOfMessages ?? '?'} message(s) waiting)`);
    } catch (err) {
      const name = (err as { name?: string }).name ?? 'Error';
      add(
        'sqs',
        'fail',
        `the notification queue ${amazon.sqs.queueUrl} cannot be read: ${name}: ${err instanceof Error ? err.message : String(err)}`,
        `Check amazon.sqs.queueUrl${amazon.sqs.endpoint ? ' and amazon.sqs.endpoint' : ''}, amazon.sqs.region, the AWS credentials (amazon.sqs.accessKeyId/secretAccessKey or the instance role: sqs:ReceiveMessage, sqs:GetQueueAttributes) and that HTTPS to the SQS host is allowed.`,
      );
    } finally {
      sqs.destroy();
    }
  }

  // --- Sage 500 ----------------------------------------------------------------------------------------
  let sageReached = false;
  if (config.sage500.kind === 'agent') await checkAgents(config, add);
  else
    try {
      const report = await withTimeout(Math.max(timeoutMs, config.sage500.connectTimeoutMs + 5_000), 'Sage 500', () =>
        verifySage500(config.sage500),
      );
      add('sage', 'ok', `Sage 500 reachable (${config.sage500.kind}, company ${config.sage500.companyId})`);
      if (report.errors > 0)
        add(
          'sage-verify',
          'fail',
          `${report.summary}: ${report.lines.slice(0, 5).join(' | ')}`,
          'Run `sellbridge sage500 verify` for every finding and its remedy; `sellbridge run` refuses to start until they are fixed.',
        );
      else if (report.summary.includes(' 0 warnings')) add('sage-verify', 'ok', report.summary);
      else add('sage-verify', 'warn', report.summary, 'Run `sellbridge sage500 verify` and read the warnings.');
      sageReached = true;
    } catch (err) {
      const detail = err instanceof Error ? err.message.replace(/\/\/[^@/]*@/g, '//***@') : String(err);
      add(
        'sage',
        'fail',
        `Sage 500 (${config.sage500.kind}, company ${config.sage500.companyId}) cannot be reached: ${isSellbridgeError(err) ? `${err.code} ` : ''}${detail}`,
        config.sage500.kind === 'sqlserver'
          ? 'Check sage500.url (host, port 1433 or the named instance, database, user), that SQL Server accepts TCP connections from this host and that the login can read the Sage database.'
          : 'Check sage500.sandboxPath: its folder must exist and be writable.',
      );
      add('sage-verify', 'skipped', 'needs a Sage 500 connection');
    }
  await checkMappingOf(config, sageReached, timeoutMs, add);

  // --- clock skew against Amazon's Date header -------------------------------------------------------
  const probes = [
    amazon.lwaEndpoint ?? LWA_TOKEN_ENDPOINT,
    resolveEndpoint({ region: amazon.region, sandbox: amazon.sandbox, override: amazon.endpoint }),
  ];
  let skewed = false;
  for (const url of probes) {
    try {
      const res = await withTimeout(timeoutMs, 'clock', (signal) => fetchFn(url, { method: 'HEAD', signal }));
      const date = res.headers.get('date');
      if (!date) continue;
      const skew = clock.now().getTime() - Date.parse(date);
      const host = new URL(url).host;
      const words = `${Math.round(Math.abs(skew) / 1000)} s ${skew >= 0 ? 'ahead of' : 'behind'} ${host}`;
      if (Math.abs(skew) > SKEW_FAIL_MS)
        add(
          'clock',
          'fail',
          `this machine's clock is ${words}: Amazon rejects signed requests and tokens beyond 5 minutes`,
          'Synchronise the clock (Windows: w32tm /resync; Linux: timedatectl set-ntp true).',
        );
      else if (Math.abs(skew) > SKEW_WARN_MS)
        add(
          'clock',
          'warn',
          `this machine's clock is ${words}`,
          'Synchronise the clock with NTP (Windows: w32tm /resync; Linux: timedatectl set-ntp true).',
        );
      else add('clock', 'ok', `within ${Math.max(1, Math.round(Math.abs(skew) / 1000))} s of ${host}`);
      skewed = true;
      break;
    } catch {
      // try the next host
    }
  }
  if (!skewed) add('clock', 'skipped', 'no Amazon host answered with a Date header');

  // --- disk space of the store's folder --------------------------------------------------------------
  const { dialect, path } = parseStoreUrl(config.store.url);
  if (dialect === 'postgres')
    add('disk', 'skipped', "the store is on PostgreSQL: watch the database server's disk there");
  else if (path === ':memory:') add('disk', 'skipped', 'the store is in memory');
  else {
    // The folder may not exist yet (a store still to be created): measure the disk it will be on.
    let folder = dirname(resolve(path));
    while (!existsSync(folder) && dirname(folder) !== folder) folder = dirname(folder);
    try {
      const s = statfsSync(folder);
      const free = s.bavail * s.bsize;
      const words = `${(free / 1024 ** 3).toFixed(1)} GiB free in ${folder}`;
      if (free < DISK_FAIL_BYTES)
        add(
          'disk',
          'fail',
          words,
          'Free disk space or move store.url to a larger disk; SQLite stops writing when the disk is full.',
        );
      else if (free < DISK_WARN_BYTES)
        add(
          'disk',
          'warn',
          words,
          'Free disk space soon; backups (`sellbridge backup`) need as much again as the store.',
        );
      else add('disk', 'ok', words);
    } catch (err) {
      add(
        'disk',
        'warn',
        `cannot read the free space of ${folder}: ${(err as Error).message}`,
        'Check that the store folder exists (it is created by `sellbridge migrate`).',
      );
    }
  }

  // --- time since the last order -----------------------------------------------------------------------
  if (lastOrderAt === undefined) add('last-order', 'skipped', 'needs a migrated store');
  else if (lastOrderAt === null) add('last-order', 'ok', 'no order seen yet for this connection (a new installation)');
  else {
    const age = clock.now().getTime() - Date.parse(lastOrderAt);
    const hours = Math.round(age / 360_000) / 10;
    if (age > LAST_ORDER_WARN_MS)
      add(
        'last-order',
        'warn',
        `the last order was seen ${hours} h ago (${lastOrderAt})`,
        'If the seller sells daily, check the intake: `sellbridge run` must be running, and the SQS queue and order polling must work (see the checks above).',
      );
    else add('last-order', 'ok', `the last order was seen ${hours} h ago`);
  }

  return {
    connectionId: config.orders.connectionId,
    checkedAt: clock.now().toISOString(),
    status: worstOf(checks.map((c) => c.status)),
    checks,
  };
}

/** The connection's order mapping against its Sage company (`sellbridge connections check`), once Sage answered. */
async function checkMappingOf(
  config: ResolvedConfig,
  sageReached: boolean,
  timeoutMs: number,
  add: (id: string, status: CheckStatus, detail: string, fix?: string) => void,
): Promise<void> {
  const id = config.orders.connectionId;
  if (config.sage500.kind === 'agent') {
    add('mapping', 'skipped', 'hosted mode: the mapping is checked against Sage when the connection starts');
    return;
  }
  if (!sageReached) {
    add('mapping', 'skipped', 'needs a Sage 500 connection');
    return;
  }
  const fix = `Run \`sellbridge connections check ${id}\` for every problem, then fix orders.customers, warehouseId, shipMethods, chargeLines or fba of the connection (or the record in Sage); \`sellbridge run\` does not start a connection whose check fails.`;
  try {
    const report = await withTimeout(Math.max(timeoutMs, config.sage500.connectTimeoutMs + 5_000), 'mapping', () =>
      checkConnection(config, id),
    );
    const errors = report.check.problems.filter((p) => p.severity === 'error').length;
    const warnings = report.check.problems.length - errors;
    if (errors) add('mapping', 'fail', `${report.summary}: ${report.lines.slice(0, 5).join(' | ')}`, fix);
    else if (warnings) add('mapping', 'warn', `${report.summary}: ${report.lines.slice(0, 5).join(' | ')}`, fix);
    else add('mapping', 'ok', report.summary);
  } catch (err) {
    const detail = err instanceof Error ? err.message.replace(/\/\/[^@/]*@/g, '//***@') : String(err);
    add('mapping', 'fail', `the order mapping could not be checked: ${detail}`, fix);
  }
}

const MARK: Record<CheckStatus, string> = { ok: 'OK  ', warn: 'WARN', fail: 'FAIL', skipped: 'skip' };

/**
 * The report as lines for a terminal: each connection's checks; with several connections, a last line with each
 * connection's status.
 */
export function formatDoctorReport(report: DoctorReport): string[] {
  const reports = report.connections?.length ? report.connections : [report];
  const lines = reports.flatMap((r, i) => [...(i > 0 ? [''] : []), ...formatConnectionReport(r)]);
  if (reports.length > 1)
    lines.push(
      '',
      `${report.status.toUpperCase()}: ${reports.length} connections: ${reports.map((r) => `${r.connectionId} ${r.status.toUpperCase()}`).join(', ')}`,
    );
  return lines;
}

function formatConnectionReport(report: DoctorReport): string[] {
  const lines = [`sellbridge doctor: connection ${report.connectionId}`];
  for (const c of report.checks) {
    lines.push(`${MARK[c.status]}  ${c.id}: ${c.detail}`);
    if (c.fix) lines.push(`      fix: ${c.fix}`);
  }
  const counts = (s: CheckStatus) => report.checks.filter((c) => c.status === s).length;
  lines.push(
    `${report.status.toUpperCase()}: ${counts('ok')} ok, ${counts('warn')} warning(s), ${counts('fail')} failure(s), ${counts('skipped')} skipped`,
  );
  return lines;
}

/** Hosted mode: Sage is reached through the agent beside it; the check is whether one is online for the connection. */
async function checkAgents(
  config: ResolvedConfig,
  add: (id: string, status: 'ok' | 'warn' | 'fail' | 'skipped', detail: string, fix?: string) => void,
): Promise<void> {
  const connectionId = config.orders.connectionId;
  try {
    const store = openStore(config.store);
    try {
      const agents = (await createAgentRegistry(store, systemClock).list(connectionId)).filter((a) => !a.revokedAt);
      const online = agents.find((a) => a.online);
      if (online)
        add(
          'sage',
          'ok',
          `Sage 500 reached through agent ${online.name} (${online.id}, Sellbridge ${online.version ?? '?'}, heartbeat ${online.latencyMs ?? '?'} ms, ${online.inFlight} in flight)`,
        );
      else
        add(
          'sage',
          'fail',
          agents.length
            ? `no agent of connection ${connectionId} is online (${agents.length} enrolled; last seen ${agents.map((a) => a.lastSeenAt ?? 'never').join(', ')})`
            : `no agent is enrolled for connection ${connectionId}`,
          'Start `sellbridge agent --hub <this hub> [--token <enrolment token>]` beside Sage (a token: `sellbridge agents enrol`), and check that it can reach this hub over HTTPS.',
        );
    } finally {
      await store.close();
    }
  } catch (err) {
    add('sage', 'fail', `cannot read the agents: ${err instanceof Error ? err.message : String(err)}`);
  }
  add('sage-verify', 'skipped', 'hosted mode: the agent verifies the Sage catalog when it starts');
}
