import type { SandboxGateway } from '../../../src/connectors/sage500/sandbox-gateway.ts';
import { SETTLEMENT_ACCOUNTS } from '../../../src/core/rules/settlement-accounts.ts';

/**
 * The sandbox's demo company has only some of the placeholder settlement chart (settlement-accounts.ts); this adds
 * the others (active, financial) so journals built with the default rules can be posted. Keys after the highest.
 */
export async function addSettlementAccounts(sandbox: SandboxGateway, extra: readonly string[] = []): Promise<void> {
  const have = new Set((await sandbox.db.selectFrom('tglAccount').select('GLAcctNo').execute()).map((r) => r.GLAcctNo));
  const wanted = [...new Set([...Object.values(SETTLEMENT_ACCOUNTS), ...extra])].filter((a) => !have.has(a));
  const max = await sandbox.db
    .selectFrom('tglAccount')
    .select((eb) => eb.fn.max('GLAcctKey').as('k'))
    .executeTakeFirst();
  let key = Math.max(760, Number(max?.k ?? 0) + 1);
  for (const account of wanted) {
    await sandbox.db
      .insertInto('tglAccount')
      .values({
        GLAcctKey: key++,
        CompanyID: 'SOA',
        GLAcctNo: account,
        Description: `Settlement ${account}`,
        Status: 1,
        PostingType: 1,
      })
      .execute();
  }
}
