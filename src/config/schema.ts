import { z } from 'zod';
import { count, durationMs, MINUTE, SECOND } from './fields.ts';
import { amazonSection } from './sections/amazon.ts';
import { sage500Section } from './sections/sage500.ts';
import { inventorySection } from './sections/inventory.ts';
import { settlementsSection } from './sections/settlements.ts';
import { ordersSection } from './sections/orders.ts';
import { securitySection } from './sections/security.ts';
import { serverSection } from './sections/server.ts';

/**
 * The one declaration of Sellbridge's configuration (STYLE.md §8.6). Load order: these defaults, then
 * `sellbridge.yaml`, then `SELLBRIDGE_*` environment variables, then command-line flags. `docs/configuration.md`
 * is generated from this file (`npm run docs:gen`); `npm run docs:check` fails when it is stale.
 */

const storeSection = z
  .strictObject({
    url: z
      .string()
      .regex(/^(sqlite:|postgres:\/\/|postgresql:\/\/)/, 'a sqlite: path or a postgres:// URL')
      .default('sqlite:./data/sellbridge.db')
      .describe(
        'Where Sellbridge keeps its state: `sqlite:<path>` (embedded, one process) or `postgres://…` (several workers). `sqlite::memory:` for throw-away runs. A password in the URL is masked wherever the URL is shown',
      ),
    busyTimeoutMs: durationMs('SQLite: how long a writer waits for a lock before failing', 5 * SECOND),
    poolSize: count('PostgreSQL: connections per process', 10, 1),
    schema: z
      .string()
      .regex(/^[a-z_][a-z0-9_]*$/, 'a lower-case SQL identifier')
      .default('sellbridge')
      .describe('PostgreSQL: schema for Sellbridge tables (pg-boss uses `<schema>_jobs`)'),
  })
  .prefault({})
  .describe('State store');

const jobsSection = z
  .strictObject({
    concurrency: count('Jobs one process runs at the same time', 4, 1),
    maxAttempts: count('Attempts per job before a retryable failure is dead-lettered', 8, 1),
    backoffBaseMs: durationMs('First retry delay; doubles with each attempt', 2 * SECOND),
    backoffMaxMs: durationMs('Longest retry delay', 15 * MINUTE),
    leaseMs: durationMs(
      'How long a worker holds a job; a job held by a process that died runs again after this',
      60 * SECOND,
    ),
    pollIntervalMs: durationMs('How often an idle worker looks for due jobs', 500),
    backstopPollMs: durationMs(
      'PostgreSQL: how often an idle worker looks for jobs no notification announced (jobs delayed or retried by another process, leases of dead processes)',
      30 * SECOND,
    ),
    shutdownGraceMs: durationMs('On SIGTERM: how long in-flight jobs may finish before they are released', 30 * SECOND),
    keepCompletedMs: durationMs('How long finished jobs stay visible in `sellbridge jobs list`', 24 * 60 * MINUTE),
  })
  .prefault({})
  .describe('Durable jobs');

const logSection = z
  .strictObject({
    level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info').describe('Log level'),
    format: z.enum(['json', 'pretty']).default('json').describe('`json` for log shippers, `pretty` for a terminal'),
    windowsEventLog: z
      .boolean()
      .default(false)
      .describe(
        'Windows only: also write errors to the Application event log (source `Sellbridge`, via eventcreate.exe; at most 20 a minute). `sellbridge service install` sets it for the Windows service',
      ),
  })
  .prefault({})
  .describe('Logging (secrets and buyer PII are always redacted)');

export const configSchema = z
  .strictObject({
    store: storeSection,
    jobs: jobsSection,
    log: logSection,
    server: serverSection,
    security: securitySection,
    amazon: amazonSection,
    sage500: sage500Section,
    inventory: inventorySection,
    settlements: settlementsSection,
    orders: ordersSection,
  })
  .describe('Sellbridge configuration');

/** What a user writes (file, env, flags): everything optional. */
export type SellbridgeConfigInput = z.input<typeof configSchema>;
/** What the program uses: validated, defaulted, deep-frozen. */
export type ResolvedConfig = DeepReadonly<z.output<typeof configSchema>>;

export type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;
