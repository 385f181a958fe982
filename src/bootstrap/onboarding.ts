import type { ResolvedConfig } from '../config/schema.ts';
import { exchangeAuthorizationCode } from '../connectors/amazon/sp-api/lwa-authorization-code.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { MappingCheckGateway } from '../flows/check-mapping.ts';
import type { Logger } from '../observability/logger.ts';
import { createAmazonAuthorization } from '../runtime/onboarding/amazon-authorization.ts';
import type { PiiVault } from '../runtime/pii/vault.ts';
import type { Store } from '../runtime/store/store.ts';
import type { AppDeps } from '../server/context.ts';
import { checkConnection, configuredConnectionIds } from './connection-check.ts';

export interface OnboardingWiringInput {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The runtime's Sage gateway (behind its circuit): the Connections page's mapping check reads through it. */
  readonly sage?: MappingCheckGateway;
}

/** How long a mapping check result is shown before the Connections page runs it again. */
const CHECK_TTL_MS = 60_000;

/**
 * Onboarding a seller (issue 21): Amazon's authorization workflow over the store and the PII vault, for the admin
 * API, the dashboard and `sellbridge connections authorize`. Connections are the configuration's and the store's.
 */
export function wireOnboarding(
  runtime: OnboardingWiringInput,
  config: ResolvedConfig,
  pii: PiiVault | undefined,
): NonNullable<AppDeps['onboarding']> {
  const amazon = config.amazon;
  const configured = configuredConnectionIds(config);
  const authorization = createAmazonAuthorization(
    {
      region: amazon.region,
      applicationId: amazon.applicationId,
      lwaClientId: amazon.lwaClientId,
      lwaClientSecret: amazon.lwaClientSecret,
      lwaEndpoint: amazon.lwaEndpoint,
      consentUrl: amazon.consentUrl,
      redirectUri: amazon.redirectUri,
      beta: amazon.consentBeta,
      stateTtlMs: amazon.consentStateTtlMs,
      requestTimeoutMs: amazon.requestTimeoutMs,
    },
    {
      store: runtime.store,
      clock: runtime.clock,
      logger: runtime.logger,
      vault: pii,
      exchangeCode: ({ timeoutMs, ...rest }) =>
        exchangeAuthorizationCode({ ...rest, ...(timeoutMs ? { timeoutMs } : {}) }),
      connectionExists: async (id) =>
        configured.includes(id) ||
        (await runtime.store.db.selectFrom('connections').select('id').where('id', '=', id).executeTakeFirst()) !==
          undefined,
    },
  );
  const checks = new Map<
    string,
    { at: number; result: Promise<{ ok: boolean; summary: string; checkedAt: string }> }
  >();
  const sage = runtime.sage;
  return {
    authorization,
    tokenConfigured: (id) => configured.includes(id) && Boolean(amazon.refreshToken),
    ...(sage
      ? {
          check: async (id: string) => {
            if (!configured.includes(id)) return null;
            const now = runtime.clock.now().getTime();
            const cached = checks.get(id);
            if (cached && now - cached.at < CHECK_TTL_MS) return cached.result;
            const result = checkConnection(config, id, sage).then((r) => ({
              ok: r.check.ok,
              summary: r.summary,
              checkedAt: new Date(now).toISOString(),
            }));
            checks.set(id, { at: now, result });
            result.catch(() => checks.delete(id));
            return result;
          },
        }
      : {}),
  };
}
