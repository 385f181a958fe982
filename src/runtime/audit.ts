import type { Db, Tx } from './store/store.ts';
import type { AuditRow } from './store/tables.ts';

/** One operator action. `detail` holds ids and operator-entered values only, never buyer PII or secrets. */
export interface AuditEntry {
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly detail?: Readonly<Record<string, unknown>>;
}

export async function writeAudit(db: Db | Tx, entry: AuditEntry, at: Date): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      at: at.toISOString(),
      actor: entry.actor,
      action: entry.action,
      target: entry.target,
      detail: JSON.stringify(entry.detail ?? {}),
    })
    .execute();
}

export async function listAudit(db: Db, options: { limit?: number; target?: string } = {}): Promise<AuditRow[]> {
  let q = db
    .selectFrom('audit_log')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(options.limit ?? 50);
  if (options.target) q = q.where('target', '=', options.target);
  return q.execute();
}
