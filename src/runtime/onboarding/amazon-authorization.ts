import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { SellbridgeError } from '../../core/errors.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { Logger } from '../../observability/logger.ts';
import { writeAudit } from '../audit.ts';
import type { PiiVault } from '../pii/vault.ts';
import type { Store } from '../store/store.ts';
import type { Database } from '../store/tables.ts';

/** Row types of migration 0029-amazon-authorization (kept beside their only user). */
export type AmazonAuthorizationTables = {
  amazon_auth_states: {
    state_hash: string;
    connection_id: string;
    actor: string;
    created_at: string;
    expires_at: string;
    used_at: string | null;
    outcome: string | null;
  };
  amazon_authorizations: {
    connection_id: string;
    selling_partner_id: string;
    authorized_by: string;
    authorized_at: string;
  };
};

/** The sealed secret that holds a connection's refresh token (scope `connection:<id>`). */
export const REFRESH_TOKEN_SECRET = 'amazon.refreshToken';
export const connectionScope = (connectionId: string): string => `connection:${connectionId}`;

/** Seller Central host per SP-API region (the consent page is on the seller's Seller Central). */
export const SELLER_CENTRAL_CONSENT: Readonly<Record<'na' | 'eu' | 'fe', string>> = {
  na: 'https://sellercentral.amazon.com/apps/authorize/consent',
  eu: 'https://sellercentral-europe.amazon.com/apps/authorize/consent',
  fe: 'https://sellercentral.amazon.co.jp/apps/authorize/consent',
};

export interface AmazonAuthorizationSettings {
  readonly region: 'na' | 'eu' | 'fe';
  readonly applicationId: string;
  readonly lwaClientId?: string | undefined;
  readonly lwaClientSecret?: string | undefined;
  readonly lwaEndpoint?: string | undefined;
  /** Seller Central consent page; default by region. */
  readonly consentUrl?: string | undefined;
  /** Sent as `redirect_uri` (must be one registered for the application); per call it may come from the request. */
  readonly redirectUri?: string | undefined;
  /** `version=beta`: the application is still in draft. */
  readonly beta?: boolean;
  /** How long a consent URL (its state) works. */
  readonly stateTtlMs: number;
  readonly requestTimeoutMs?: number;
}

export interface AmazonAuthorizationDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Seals the refresh token; without it nothing can be authorized (SB_AMZ_AUTH_NOT_CONFIGURED). */
  readonly vault: PiiVault | undefined;
  /** Whether a connection with this id exists (sellbridge.yaml or the store). */
  readonly connectionExists: (connectionId: string) => Promise<boolean>;
  /**
   * Login with Amazon's `grant_type=authorization_code` (exchangeAuthorizationCode in connectors/amazon, passed in by
   * bootstrap: the runtime layer does not know Amazon's wire).
   */
  readonly exchangeCode: (input: {
    code: string;
    clientId: string;
    clientSecret: string;
    redirectUri: string | undefined;
    endpoint: string | undefined;
    timeoutMs: number | undefined;
  }) => Promise<{ refreshToken: string }>;
}

export interface ConsentStart {
  readonly url: string;
  readonly expiresAt: string;
  readonly redirectUri: string | undefined;
}

export interface AuthorizationStatus {
  readonly connectionId: string;
  /** A refresh token is stored (sealed) for the connection. */
  readonly tokenStored: boolean;
  readonly sellingPartnerId: string | null;
  readonly authorizedAt: string | null;
  readonly authorizedBy: string | null;
}

export interface CallbackInput {
  readonly state: string;
  readonly code: string;
  readonly sellingPartnerId: string;
  /** The signed-in admin that brought the callback (`user:<name>`). */
  readonly actor: string;
  readonly redirectUri?: string | undefined;
}

export interface AmazonAuthorization {
  /** A consent URL for `connectionId` whose single-use state is bound to `actor` and expires after stateTtlMs. */
  start(connectionId: string, actor: string, options?: { redirectUri?: string | undefined }): Promise<ConsentStart>;
  /**
   * The callback: checks the state (known, unused, not expired, issued to `actor`; spent whatever the outcome),
   * exchanges the code at LWA, seals the refresh token, records the selling partner id. Audited.
   * @throws SB_AMZ_AUTH_STATE_INVALID, SB_AMZ_LWA_REJECTED (and LWA transport errors), SB_AMZ_AUTH_NOT_CONFIGURED
   */
  complete(input: CallbackInput): Promise<AuthorizationStatus>;
  status(connectionId: string): Promise<AuthorizationStatus>;
}

const hashState = (state: string) => createHash('sha256').update(state, 'utf8').digest('hex');
const SELLING_PARTNER_ID = /^[A-Za-z0-9]{1,64}$/;

/** Amazon's website authorization workflow for one deployment (any connection). */
export function createAmazonAuthorization(
  settings: AmazonAuthorizationSettings,
  deps: AmazonAuthorizationDeps,
): AmazonAuthorization {
  const db = deps.store.db.withTables<AmazonAuthorizationTables>() as Kysely<Database & AmazonAuthorizationTables>;
  const log = deps.logger.child({ component: 'amazon-authorization' });

  const requireConfigured = (redirectUri: string | undefined) => {
    const missing = [
      !settings.lwaClientId && 'amazon.lwaClientId',
      !settings.lwaClientSecret && 'amazon.lwaClientSecret',
      !redirectUri && 'amazon.redirectUri',
      !deps.vault && 'security.piiKeys',
    ].filter((x): x is string => Boolean(x));
    if (missing.length)
      throw new SellbridgeError(
        'SB_AMZ_AUTH_NOT_CONFIGURED',
        `Amazon authorization cannot run: set ${missing.join(', ')}`,
        { context: { missing } },
      );
  };

  const refuse = async (
    reason: 'unknown' | 'replayed' | 'expired' | 'foreign',
    actor: string,
    connectionId: string | null,
  ): Promise<never> => {
    // Logged without the state, the code or any token: who, which connection, why.
    log.warn({ reason, actor, connectionId }, `Amazon authorization callback refused: ${reason} state`);
    await writeAudit(
      deps.store.db,
      {
        actor,
        action: 'connection.authorize-refused',
        target: connectionId ? `connection:${connectionId}` : 'connection:?',
        detail: { reason },
      },
      deps.clock.now(),
    );
    const words = {
      unknown: 'is not one Sellbridge issued',
      replayed: 'was used already (each consent URL works once)',
      expired: 'has expired',
      foreign: 'was issued to another admin',
    } as const;
    throw new SellbridgeError('SB_AMZ_AUTH_STATE_INVALID', `the authorization state ${words[reason]}; start again`, {
      context: { reason, connectionId },
    });
  };

  const status: AmazonAuthorization['status'] = async (connectionId) => {
    const row = await db
      .selectFrom('amazon_authorizations')
      .selectAll()
      .where('connection_id', '=', connectionId)
      .executeTakeFirst();
    const secrets = deps.vault ? await deps.vault.listSecrets(connectionScope(connectionId)) : [];
    return {
      connectionId,
      tokenStored: secrets.some((s) => s.name === REFRESH_TOKEN_SECRET),
      sellingPartnerId: row?.selling_partner_id ?? null,
      authorizedAt: row?.authorized_at ?? null,
      authorizedBy: row?.authorized_by ?? null,
    };
  };

  return {
    status,
    async start(connectionId, actor, options = {}) {
      const redirectUri = settings.redirectUri ?? options.redirectUri;
      requireConfigured(redirectUri);
      if (!(await deps.connectionExists(connectionId)))
        throw new SellbridgeError('SB_AMZ_AUTH_CONNECTION_NOT_FOUND', `no connection "${connectionId}"`, {
          context: { connectionId },
        });
      const now = deps.clock.now();
      const state = randomBytes(32).toString('base64url');
      const expiresAt = new Date(now.getTime() + settings.stateTtlMs).toISOString();
      // Expired states are of no use to anyone; drop them as new ones are made (the table stays small).
      await db
        .deleteFrom('amazon_auth_states')
        .where('expires_at', '<', new Date(now.getTime() - 86_400_000).toISOString())
        .execute();
      await db
        .insertInto('amazon_auth_states')
        .values({
          state_hash: hashState(state),
          connection_id: connectionId,
          actor,
          created_at: now.toISOString(),
          expires_at: expiresAt,
          used_at: null,
          outcome: null,
        })
        .execute();
      const url = new URL(settings.consentUrl ?? SELLER_CENTRAL_CONSENT[settings.region]);
      url.searchParams.set('application_id', settings.applicationId);
      url.searchParams.set('state', state);
      if (settings.beta) url.searchParams.set('version', 'beta');
      if (redirectUri) url.searchParams.set('redirect_uri', redirectUri);
      await writeAudit(
        deps.store.db,
        { actor, action: 'connection.authorize-start', target: `connection:${connectionId}`, detail: { expiresAt } },
        now,
      );
      log.info({ connectionId, actor, expiresAt }, 'Amazon consent URL issued');
      return { url: url.toString(), expiresAt, redirectUri };
    },

    async complete(input) {
      const now = deps.clock.now();
      const stateHash = hashState(input.state);
      const row = await db
        .selectFrom('amazon_auth_states')
        .selectAll()
        .where('state_hash', '=', stateHash)
        .executeTakeFirst();
      if (!row) return refuse('unknown', input.actor, null);
      if (row.used_at) return refuse('replayed', input.actor, row.connection_id);
      // Spent now, whatever follows: a state seen by a foreign admin or after its time is burnt too.
      const spent = await db
        .updateTable('amazon_auth_states')
        .set({ used_at: now.toISOString(), outcome: 'pending' })
        .where('state_hash', '=', stateHash)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      if (Number(spent.numUpdatedRows) !== 1) return refuse('replayed', input.actor, row.connection_id);
      const mark = (outcome: string) =>
        db.updateTable('amazon_auth_states').set({ outcome }).where('state_hash', '=', stateHash).execute();
      if (row.expires_at <= now.toISOString()) {
        await mark('refused: expired');
        return refuse('expired', input.actor, row.connection_id);
      }
      if (row.actor !== input.actor) {
        await mark('refused: foreign');
        return refuse('foreign', input.actor, row.connection_id);
      }
      if (!SELLING_PARTNER_ID.test(input.sellingPartnerId)) {
        await mark('refused: selling_partner_id');
        throw new SellbridgeError(
          'SB_API_REQUEST_INVALID',
          'callback: selling_partner_id must be letters and digits (up to 64)',
          { context: { field: 'selling_partner_id' } },
        );
      }
      const redirectUri = settings.redirectUri ?? input.redirectUri;
      requireConfigured(redirectUri);
      let refreshToken: string;
      try {
        ({ refreshToken } = await deps.exchangeCode({
          code: input.code,
          clientId: settings.lwaClientId!,
          clientSecret: settings.lwaClientSecret!,
          redirectUri,
          endpoint: settings.lwaEndpoint,
          timeoutMs: settings.requestTimeoutMs,
        }));
      } catch (err) {
        await mark(`failed: ${(err as { code?: string }).code ?? 'error'}`);
        log.warn(
          { connectionId: row.connection_id, actor: input.actor, code: (err as { code?: string }).code },
          'Amazon authorization code exchange failed',
        );
        throw err;
      }
      await deps.vault!.putSecret(connectionScope(row.connection_id), REFRESH_TOKEN_SECRET, refreshToken, input.actor);
      await db
        .insertInto('amazon_authorizations')
        .values({
          connection_id: row.connection_id,
          selling_partner_id: input.sellingPartnerId,
          authorized_by: input.actor,
          authorized_at: now.toISOString(),
        })
        .onConflict((oc) =>
          oc.column('connection_id').doUpdateSet({
            selling_partner_id: input.sellingPartnerId,
            authorized_by: input.actor,
            authorized_at: now.toISOString(),
          }),
        )
        .execute();
      await mark('authorized');
      await writeAudit(
        deps.store.db,
        {
          actor: input.actor,
          action: 'connection.authorize',
          target: `connection:${row.connection_id}`,
          detail: { sellingPartnerId: input.sellingPartnerId },
        },
        now,
      );
      log.info(
        { connectionId: row.connection_id, actor: input.actor, sellingPartnerId: input.sellingPartnerId },
        'Amazon seller authorized; refresh token sealed',
      );
      return status(row.connection_id);
    },
  };
}

/**
 * The lookup the Amazon connector of a connection uses when no refresh token is configured: the one the
 * authorization workflow sealed for that connection id (undefined without a vault or a stored token).
 */
export function storedRefreshTokenLookup(
  vault: PiiVault | undefined,
): (connectionId: string) => Promise<string | undefined> {
  return async (connectionId) =>
    vault ? await vault.openSecret(connectionScope(connectionId), REFRESH_TOKEN_SECRET) : undefined;
}
