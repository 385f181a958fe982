import type { ResolvedConfig } from '../config/schema.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { Logger } from '../observability/logger.ts';
import { keyringFromConfig } from '../runtime/pii/keyring.ts';
import { registerPiiPurge } from '../runtime/pii/purge-job.ts';
import { createPiiVault, type PiiVault } from '../runtime/pii/vault.ts';
import type { JobQueue } from '../runtime/queue/job-queue.ts';
import type { Scheduler } from '../runtime/scheduler.ts';
import type { Store } from '../runtime/store/store.ts';
import type { AppDeps } from '../server/context.ts';
import { storeOrderStates } from '../connectors/store/order-links.ts';
import type { MappingCheckGateway } from '../flows/check-mapping.ts';
import { wireOnboarding } from './onboarding.ts';
import { connectionScope, REFRESH_TOKEN_SECRET } from '../runtime/onboarding/amazon-authorization.ts';

export interface AdminWiringInput {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly queue: Pick<JobQueue, 'register'>;
  readonly scheduler: Pick<Scheduler, 'add'>;
  readonly circuits?: () => readonly { target: string; state: string }[];
  /** The Amazon connector (the runtime's lazy getter: read only when /readyz asks); its LWA token source is probed. */
  readonly amazon?: {
    readonly connection: { readonly tokens: { getToken(grant: { readonly kind: 'seller' }): Promise<string> } };
  };
  /** The runtime's Sage gateway: the Connections page runs the mapping check through it. */
  readonly sage?: MappingCheckGateway;
  /**
   * The connections this process runs: the doctor checks those added through the API too, after reading the registry
   * (`refresh`): an API-role server hears of a connection another process added only when it reads it.
   */
  readonly connections?: {
    engines(): readonly { readonly config: ResolvedConfig }[];
    refresh?(): Promise<void>;
  };
}

/**
 * What `sellbridge run` adds for the admin API beyond the runtime: the PII vault when a key is configured (and its
 * scheduled `pii.purge` job), the server and security settings, and a Sage health probe from its circuit.
 * Call before `runtime.start()` so the purge handler is registered before the queue starts.
 */
export function wireAdmin(runtime: AdminWiringInput, config: ResolvedConfig): Partial<AppDeps> {
  const pii = piiVaultFromConfig(runtime.store, runtime.clock, config.security);
  if (pii)
    registerPiiPurge({
      queue: runtime.queue,
      scheduler: runtime.scheduler,
      vault: pii,
      everyMs: config.security.piiPurgeEveryMs,
      logger: runtime.logger,
    });
  else
    runtime.logger.info(
      'no PII key configured (security.piiKeys / security.piiKeyFile): buyer PII and connection credentials cannot be stored',
    );
  const circuits = runtime.circuits;
  const amazon = 'amazon' in runtime ? amazonTokenProbe(runtime, config, pii) : undefined;
  return {
    server: config.server,
    security: config.security,
    // The doctor report on demand (GET /api/v1/doctor, the dashboard's Health check page).
    // `connection`: one connection of sellbridge.yaml or one added through the API that this process runs
    // (undefined when there is none of that id).
    doctor: async (connection?: string) => {
      const { connectionConfigs } = await import('../config/load.ts');
      const configured = connectionConfigs(config);
      // Not read: the doctor reports what this process already knows (the registry's own check says why).
      await runtime.connections?.refresh?.().catch(() => undefined);
      const added = (runtime.connections?.engines() ?? [])
        .map((e) => e.config)
        .filter((c) => !configured.some((k) => k.orders.connectionId === c.orders.connectionId));
      if (connection !== undefined && ![...configured, ...added].some((c) => c.orders.connectionId === connection))
        return undefined;
      return (await import('./doctor.ts')).runDoctorForConnections(config, { clock: runtime.clock }, connection, added);
    },
    ...(pii ? { pii } : {}),
    // Onboarding a seller: Amazon's authorization workflow and the Connections page (issue 21).
    onboarding: wireOnboarding(runtime, config, pii),
    ...(circuits || amazon
      ? {
          health: {
            ...(circuits
              ? {
                  sage: async () => {
                    const c = circuits().find((x) => x.target.startsWith('sage'));
                    return c
                      ? { ok: c.state !== 'open', detail: `circuit ${c.state}` }
                      : { ok: true, detail: 'no circuit' };
                  },
                }
              : {}),
            ...(amazon ? { amazon } : {}),
          },
        }
      : {}),
  };
}

/**
 * /readyz `amazon`: ready when an LWA access token is cached and valid or can be obtained now (the token source
 * caches it, so a probe costs at most one LWA call per token lifetime). Without a refresh token (configured, or stored
 * for the connection by `sellbridge connections authorize`) there is nothing to check: ready, "not configured" (the
 * demo and Sage-only setups stay ready).
 */
function amazonTokenProbe(runtime: AdminWiringInput, config: ResolvedConfig, pii: PiiVault | undefined) {
  return async () => {
    if (!config.amazon.refreshToken) {
      const stored = pii
        ? (await pii.listSecrets(connectionScope(config.orders.connectionId))).some(
            (s) => s.name === REFRESH_TOKEN_SECRET,
          )
        : false;
      if (!stored) return { ok: true, detail: 'not configured (no amazon.refreshToken)' };
    }
    const open = runtime.circuits?.().filter((c) => c.target.startsWith('amazon.') && c.state === 'open') ?? [];
    if (open.length > 0) return { ok: false, detail: `circuit open: ${open.map((c) => c.target).join(', ')}` };
    try {
      await runtime.amazon!.connection.tokens.getToken({ kind: 'seller' });
      return { ok: true, detail: 'access token valid' };
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      return {
        ok: false,
        detail: `no access token: ${typeof code === 'string' ? `${code} ` : ''}${(err as Error).message}`,
      };
    }
  };
}

/** The PII vault over the store when a PII key is configured (security.piiKeys / piiKeyFile), else undefined. */
export function piiVaultFromConfig(
  store: Store,
  clock: Clock,
  security: ResolvedConfig['security'],
): PiiVault | undefined {
  const keyring = keyringFromConfig(security);
  return keyring
    ? createPiiVault(store, keyring, clock, {
        orders: storeOrderStates(store),
        retentionDays: security.piiRetentionDays,
      })
    : undefined;
}
