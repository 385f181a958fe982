import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSettlementDeps } from '../../../src/bootstrap/settlements.ts';
import { settlementFileFromPath } from '../../../src/connectors/amazon/settlement/settlement-files.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { createSandboxGateway, type SandboxGateway } from '../../../src/connectors/sage500/sandbox-gateway.ts';
import { importSettlement } from '../../../src/flows/post-settlement.ts';
import { adminEnv, type AdminEnv } from '../server/admin-env.ts';
import { addSettlementAccounts } from '../settlement/sandbox-accounts.ts';

/** A GL rule edited through the admin API changes the account of the settlement journal (dry run), without a restart. */
describe('GL rule override reaches the settlement journal', () => {
  let env: AdminEnv;
  let sage: SandboxGateway;
  const clock = { now: () => new Date('2026-11-20T12:00:00Z') };
  beforeAll(async () => {
    env = await adminEnv();
    sage = await createSandboxGateway({
      path: join(mkdtempSync(join(tmpdir(), 'sb-gl-')), 'sage.db'),
      clock,
      warehouseSimulator: { enabled: false },
    });
    await addSettlementAccounts(sage);
  });
  afterAll(async () => {
    await sage.close();
    await env.close();
  });

  it('commission goes to the stored account once the rule is PUT, and back when the list is emptied', async () => {
    const file = decodeURIComponent(
      new URL('../../fixtures/golden-settlement/01-us-orders-fees/input.tsv', import.meta.url).pathname,
    );
    const deps = createSettlementDeps({
      store: env.store,
      sage,
      clock,
      queue: { enqueue: async () => ({ id: '1', deduplicated: false }) },
      config: loadConfig({ env: {} }).settlements,
    });
    const accountsOf = async () => {
      const out = await importSettlement('default', settlementFileFromPath(file), deps, { dryRun: true });
      if (out.kind !== 'dry-run') throw new Error(`expected a dry run, got ${out.kind}`);
      return out.journals.flatMap((j) => j.lines.map((l) => l.account));
    };
    const before = await accountsOf();
    expect(before).not.toContain('6100-77');

    const put = await env.app.inject({
      method: 'PUT',
      url: '/api/v1/mappings/gl-rules',
      headers: env.as.operator,
      payload: {
        rows: [
          {
            transactionType: '*',
            amountType: 'ItemFees',
            amountDescription: 'Commission',
            account: '6100-77',
            label: 'Commission (edited)',
          },
        ],
      },
    });
    expect(put.statusCode).toBe(200);
    const after = await accountsOf();
    expect(after).toContain('6100-77');
    expect(after.length).toBeGreaterThanOrEqual(before.length - 1);

    await env.app.inject({
      method: 'PUT',
      url: '/api/v1/mappings/gl-rules',
      headers: env.as.operator,
      payload: { rows: [] },
    });
    expect(await accountsOf()).toEqual(before);
  });
});
