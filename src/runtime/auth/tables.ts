import type { Kysely } from 'kysely';
import type { Store } from '../store/store.ts';
import type { Database } from '../store/tables.ts';

/** Row types of migration 0009-admin-auth and 0010-pii-vault (kept beside their only users). */
export type AuthTables = {
  api_tokens: {
    id: string;
    name: string;
    role: string;
    token_hash: string;
    created_by: string;
    created_at: string;
    last_used_at: string | null;
    revoked_at: string | null;
  };
  admin_users: {
    name: string;
    role: string;
    password_hash: string;
    failed_logins: number;
    locked_until: string | null;
    created_at: string;
    updated_at: string;
  };
  admin_sessions: {
    id_hash: string;
    actor: string;
    name: string;
    role: string;
    created_at: string;
    expires_at: string;
  };
  buyer_pii: {
    connection_id: string;
    amazon_order_id: string;
    key_id: string;
    sealed: string;
    delivered_at: string | null;
    purge_after: string | null;
    created_at: string;
    updated_at: string;
  };
  sealed_secrets: {
    scope: string;
    name: string;
    key_id: string;
    sealed: string;
    updated_by: string;
    updated_at: string;
  };
};

export type AuthDb = Kysely<Database & AuthTables>;
export const authTables = (store: Store): AuthDb => store.db.withTables<AuthTables>();
