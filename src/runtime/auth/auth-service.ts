import { randomUUID } from 'node:crypto';
import { SellbridgeError } from '../../core/errors.ts';
import type { Clock } from '../../core/ports/clock.ts';
import { writeAudit } from '../audit.ts';
import type { Store } from '../store/store.ts';
import { constantTimeEqual, hashPassword, randomSecret, sha256Hex, verifyPassword } from './hashing.ts';
import { isRole, type Principal, type Role } from './roles.ts';
import { authTables, type AuthTables } from './tables.ts';

export interface AuthSettings {
  /** Consecutive failed logins after which a user is locked (DPP: 10). */
  readonly lockoutThreshold: number;
  /** How long a user stays locked after the first `lockoutThreshold` failures; each later lock doubles it. */
  readonly lockoutMs: number;
  /** Longest lock the doubling reaches. */
  readonly lockoutMaxMs: number;
  readonly sessionTtlMs: number;
  /** Shortest password a user may be given (DPP: 12). */
  readonly minPasswordLength: number;
  /** log2 of scrypt's N for new hashes (15 = OWASP minimum); tests lower it. */
  readonly passwordHashLog2N: number;
}

export const DEFAULT_AUTH_SETTINGS: AuthSettings = {
  lockoutThreshold: 10,
  lockoutMs: 15 * 60_000,
  lockoutMaxMs: 24 * 3_600_000,
  sessionTtlMs: 8 * 3_600_000,
  minPasswordLength: 12,
  passwordHashLog2N: 15,
};

export interface ApiTokenInfo {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
}

export interface UserInfo {
  readonly name: string;
  readonly role: Role;
  readonly failedLogins: number;
  readonly lockedUntil: string | null;
  readonly createdAt: string;
}

export type LoginResult =
  | { readonly ok: true; readonly principal: Principal }
  | { readonly ok: false; readonly reason: 'invalid' | 'locked'; readonly lockedUntil?: string };

/**
 * Tokens, users and sessions of the admin API. Secrets are stored as hashes only: API tokens and session
 * ids as SHA-256 (they are 32 random bytes), passwords with scrypt. Changes are audited by the caller's actor.
 */
export interface AuthService {
  /** The principal of a bearer token (bootstrap admin token or a stored API token), or undefined. */
  verifyToken(token: string): Promise<Principal | undefined>;
  /** @throws SB_AUTH_TOKEN_EXISTS when a token (revoked ones included) has this name */
  createToken(input: { name: string; role: Role; actor: string }): Promise<{ token: string; info: ApiTokenInfo }>;
  listTokens(): Promise<ApiTokenInfo[]>;
  /** @throws SB_AUTH_TOKEN_NOT_FOUND */
  revokeToken(id: string, actor: string): Promise<void>;
  /** @throws SB_AUTH_USER_EXISTS, SB_AUTH_PASSWORD_WEAK */
  addUser(input: { name: string; role: Role; password: string; actor: string; replace?: boolean }): Promise<UserInfo>;
  listUsers(): Promise<UserInfo[]>;
  /**
   * Checks a password. Every attempt is counted before the password is checked (parallel guesses each count);
   * after `lockoutThreshold` consecutive failures the user is locked for `lockoutMs`, doubling with each later
   * failure up to `lockoutMaxMs`. While locked, no attempt is checked (the right password is refused too).
   */
  login(name: string, password: string): Promise<LoginResult>;
  createSession(principal: Principal): Promise<{ sessionId: string; expiresAt: string }>;
  verifySession(sessionId: string): Promise<Principal | undefined>;
  endSession(sessionId: string): Promise<void>;
}

export function createAuthService(
  store: Store,
  clock: Clock,
  options: { bootstrapToken?: string | undefined; settings?: Partial<AuthSettings> } = {},
): AuthService {
  const db = authTables(store);
  const settings = { ...DEFAULT_AUTH_SETTINGS, ...options.settings };
  const now = () => clock.now();
  // A dummy hash so a login for an unknown user costs the same scrypt time as a wrong password.
  const dummyHash = hashPassword('sellbridge-dummy-password', settings.passwordHashLog2N);

  const tokenInfo = (r: {
    id: string;
    name: string;
    role: string;
    created_by: string;
    created_at: string;
    last_used_at: string | null;
    revoked_at: string | null;
  }): ApiTokenInfo => ({
    id: r.id,
    name: r.name,
    role: isRole(r.role) ? r.role : 'viewer',
    createdBy: r.created_by,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  });
  const userInfo = (r: {
    name: string;
    role: string;
    failed_logins: number;
    locked_until: string | null;
    created_at: string;
  }): UserInfo => ({
    name: r.name,
    role: isRole(r.role) ? r.role : 'viewer',
    failedLogins: Number(r.failed_logins),
    lockedUntil: r.locked_until,
    createdAt: r.created_at,
  });

  return {
    async verifyToken(token) {
      if (!token) return undefined;
      if (options.bootstrapToken && constantTimeEqual(token, options.bootstrapToken)) {
        return { actor: 'token:bootstrap', name: 'bootstrap', role: 'admin', via: 'bearer' };
      }
      const row = await db
        .selectFrom('api_tokens')
        .selectAll()
        .where('token_hash', '=', sha256Hex(token))
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      if (!row || !isRole(row.role)) return undefined;
      await db.updateTable('api_tokens').set({ last_used_at: now().toISOString() }).where('id', '=', row.id).execute();
      return { actor: `token:${row.name}`, name: row.name, role: row.role, via: 'bearer' };
    },
    async createToken({ name, role, actor }) {
      const token = randomSecret('sbt_');
      const at = now();
      const row = {
        id: randomUUID(),
        name,
        role,
        token_hash: sha256Hex(token),
        created_by: actor,
        created_at: at.toISOString(),
        last_used_at: null,
        revoked_at: null,
      };
      const exists = () =>
        new SellbridgeError(
          'SB_AUTH_TOKEN_EXISTS',
          `an API token named ${name} exists already (names are unique, revoked tokens included)`,
          { context: { tokenName: name } },
        );
      // `bootstrap` is the actor name of server.adminToken (`token:bootstrap`).
      if (name === 'bootstrap') throw exists();
      await store.transaction(async (tx) => {
        const t = tx.withTables<AuthTables>();
        if (await t.selectFrom('api_tokens').select('id').where('name', '=', name).executeTakeFirst()) throw exists();
        // The unique index (migration 0013) catches a parallel create with the same name.
        await t
          .insertInto('api_tokens')
          .values(row)
          .execute()
          .catch((err: unknown) => {
            throw /unique|duplicate/i.test(String((err as Error).message)) ? exists() : err;
          });
        await writeAudit(
          tx,
          { actor, action: 'token.create', target: `api_token:${row.id}`, detail: { name, role } },
          at,
        );
      });
      return { token, info: tokenInfo(row) };
    },
    async listTokens() {
      return (await db.selectFrom('api_tokens').selectAll().orderBy('created_at', 'desc').execute()).map(tokenInfo);
    },
    async revokeToken(id, actor) {
      const at = now();
      await store.transaction(async (tx) => {
        const t = tx.withTables<AuthTables>();
        const row = await t
          .selectFrom('api_tokens')
          .select(['id', 'name', 'revoked_at'])
          .where('id', '=', id)
          .executeTakeFirst();
        if (!row)
          throw new SellbridgeError('SB_AUTH_TOKEN_NOT_FOUND', `API token ${id} does not exist`, {
            context: { tokenId: id },
          });
        if (!row.revoked_at)
          await t.updateTable('api_tokens').set({ revoked_at: at.toISOString() }).where('id', '=', id).execute();
        // Dashboard sessions opened with this token end with it.
        await t.deleteFrom('admin_sessions').where('actor', '=', `token:${row.name}`).execute();
        await writeAudit(
          tx,
          { actor, action: 'token.revoke', target: `api_token:${id}`, detail: { name: row.name } },
          at,
        );
      });
    },
    async addUser({ name, role, password, actor, replace }) {
      if (password.length < settings.minPasswordLength) {
        throw new SellbridgeError(
          'SB_AUTH_PASSWORD_WEAK',
          `the password of user ${name} must have at least ${settings.minPasswordLength} characters`,
          { context: { user: name } },
        );
      }
      const hash = await hashPassword(password, settings.passwordHashLog2N);
      const at = now().toISOString();
      await store.transaction(async (tx) => {
        const t = tx.withTables<AuthTables>();
        const existing = await t.selectFrom('admin_users').select('name').where('name', '=', name).executeTakeFirst();
        if (existing && !replace)
          throw new SellbridgeError('SB_AUTH_USER_EXISTS', `user ${name} already exists`, { context: { user: name } });
        if (existing) {
          await t
            .updateTable('admin_users')
            .set({ role, password_hash: hash, failed_logins: 0, locked_until: null, updated_at: at })
            .where('name', '=', name)
            .execute();
          // A reset (new password or role) signs the user out everywhere.
          await t.deleteFrom('admin_sessions').where('actor', '=', `user:${name}`).execute();
        } else {
          await t
            .insertInto('admin_users')
            .values({
              name,
              role,
              password_hash: hash,
              failed_logins: 0,
              locked_until: null,
              created_at: at,
              updated_at: at,
            })
            .execute();
        }
        await writeAudit(
          tx,
          { actor, action: existing ? 'user.replace' : 'user.add', target: `user:${name}`, detail: { role } },
          now(),
        );
      });
      const row = await db.selectFrom('admin_users').selectAll().where('name', '=', name).executeTakeFirstOrThrow();
      return userInfo(row);
    },
    async listUsers() {
      return (await db.selectFrom('admin_users').selectAll().orderBy('name').execute()).map(userInfo);
    },
    async login(name, password) {
      // Reserve the attempt before the (slow) scrypt check, in one conditional statement: parallel guesses each
      // count, and the guess that reaches the threshold sets the lock in the same statement, so no guess can
      // slip between "read the counter" and "write the counter". A locked or unknown user
      // reserves nothing and costs the same scrypt time, so the answer does not tell them apart.
      const at = now();
      const atIso = at.toISOString();
      const threshold = settings.lockoutThreshold;
      const firstLockUntil = new Date(at.getTime() + settings.lockoutMs).toISOString();
      const reserved = await db
        .updateTable('admin_users')
        .set((eb) => ({
          failed_logins: eb('failed_logins', '+', 1),
          locked_until: eb
            .case()
            .when('failed_logins', '>=', threshold - 1)
            .then(firstLockUntil)
            .else(null)
            .end(),
          updated_at: atIso,
        }))
        .where('name', '=', name)
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', atIso)]))
        .returning(['name', 'role', 'password_hash', 'failed_logins', 'locked_until'])
        .executeTakeFirst();
      if (!reserved) {
        await verifyPassword(password, await dummyHash);
        const row = await db
          .selectFrom('admin_users')
          .select('locked_until')
          .where('name', '=', name)
          .executeTakeFirst();
        return row?.locked_until && row.locked_until > atIso
          ? { ok: false, reason: 'locked', lockedUntil: row.locked_until }
          : { ok: false, reason: 'invalid' };
      }
      const ok = await verifyPassword(password, reserved.password_hash);
      if (ok && isRole(reserved.role)) {
        await db
          .updateTable('admin_users')
          .set({ failed_logins: 0, locked_until: null, updated_at: now().toISOString() })
          .where('name', '=', name)
          .execute();
        return {
          ok: true,
          principal: { actor: `user:${reserved.name}`, name: reserved.name, role: reserved.role, via: 'session' },
        };
      }
      const failures = Number(reserved.failed_logins);
      if (failures < threshold) return { ok: false, reason: 'invalid' };
      // Backoff: the counter is not reset by a lock, so each guess after a lock has expired locks again for
      // twice as long (lockoutMs, 2x, 4x ... at most lockoutMaxMs). Success or an admin reset clears it.
      const lockMs = Math.min(
        settings.lockoutMs * 2 ** Math.min(failures - threshold, 30),
        Math.max(settings.lockoutMaxMs, settings.lockoutMs),
      );
      const lockedUntil = new Date(at.getTime() + lockMs).toISOString();
      if (lockedUntil !== reserved.locked_until) {
        await db
          .updateTable('admin_users')
          .set({ locked_until: lockedUntil })
          .where('name', '=', name)
          .where('failed_logins', '=', failures)
          .execute();
      }
      await writeAudit(
        store.db,
        { actor: 'system', action: 'user.locked', target: `user:${name}`, detail: { failures, lockedUntil } },
        at,
      );
      return { ok: false, reason: 'locked', lockedUntil };
    },
    async createSession(principal) {
      const sessionId = randomSecret('sbs_');
      const at = now();
      const expiresAt = new Date(at.getTime() + settings.sessionTtlMs).toISOString();
      await db
        .insertInto('admin_sessions')
        .values({
          id_hash: sha256Hex(sessionId),
          actor: principal.actor,
          name: principal.name,
          role: principal.role,
          created_at: at.toISOString(),
          expires_at: expiresAt,
        })
        .execute();
      // Expired sessions are removed as new ones are made: no separate job needed.
      await db.deleteFrom('admin_sessions').where('expires_at', '<', at.toISOString()).execute();
      return { sessionId, expiresAt };
    },
    async verifySession(sessionId) {
      if (!sessionId) return undefined;
      const row = await db
        .selectFrom('admin_sessions')
        .selectAll()
        .where('id_hash', '=', sha256Hex(sessionId))
        .executeTakeFirst();
      if (!row || row.expires_at <= now().toISOString() || !isRole(row.role)) return undefined;
      return { actor: row.actor, name: row.name, role: row.role, via: 'session' };
    },
    async endSession(sessionId) {
      await db.deleteFrom('admin_sessions').where('id_hash', '=', sha256Hex(sessionId)).execute();
    },
  };
}
