import type { Kysely } from 'kysely';
import type { StoreDialect } from './types.ts';

/**
 * `settlement_orders.kinds`: the order's settlement rows summed by kind (charged, promotion, fee, refund,
 * reimbursement, withheldTax, other; JSON of integer minor units) for the three-way reconciliation. Null for
 * settlements imported before it (import them again to fill it: the journals are unchanged, a no-op in Sage).
 * Numbered 0016 so it does not collide with a 0015 on another branch.
 */
export async function up(db: Kysely<unknown>, _dialect: StoreDialect): Promise<void> {
  await db.schema.alterTable('settlement_orders').addColumn('kinds', 'text').execute();
}
