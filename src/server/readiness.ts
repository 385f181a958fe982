import { sql } from 'kysely';
import type { ServerContext } from './context.ts';

/** Store check plus the configured probes; `ok: null` is never produced here (absent probes are absent). */
export async function readiness(
  ctx: Pick<ServerContext, 'store' | 'health'>,
): Promise<Record<string, { ok: boolean; detail?: string; lastSyncAt?: string | null }>> {
  const checks: Record<string, { ok: boolean; detail?: string; lastSyncAt?: string | null }> = {};
  try {
    await sql`SELECT 1`.execute(ctx.store.db);
    checks['store'] = { ok: true };
  } catch (err) {
    checks['store'] = { ok: false, detail: (err as Error).message };
  }
  for (const [name, probe] of Object.entries(ctx.health ?? {})) {
    if (!probe) continue;
    try {
      checks[name] = await probe();
    } catch (err) {
      checks[name] = { ok: false, detail: (err as Error).message };
    }
  }
  return checks;
}
