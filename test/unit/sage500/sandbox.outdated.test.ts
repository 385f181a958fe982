import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { createSandboxGateway } from '../../../src/connectors/sage500/sandbox-gateway.ts';

describe('sandbox file made by an older Sellbridge', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sellbridge-sage500-old-'));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('names the missing columns and the reset command on every call, and works again after reset', async () => {
    const path = join(dir, 'sandbox.db');
    await (await createSandboxGateway({ path })).close();
    // The file as it was before StgSOLine got GLAcctNo and TradeDiscAmt.
    const raw = new DatabaseSync(path);
    raw.exec('ALTER TABLE StgSOLine DROP COLUMN GLAcctNo');
    raw.exec('ALTER TABLE StgSOLine DROP COLUMN TradeDiscAmt');
    raw.close();
    const gw = await createSandboxGateway({ path });
    try {
      await expect(gw.resolveItems(['WIDGET-RED'])).rejects.toMatchObject({
        code: 'SB_SAGE_SCHEMA_MISSING',
        message: expect.stringContaining('StgSOLine.TradeDiscAmt, StgSOLine.GLAcctNo'),
      });
      expect((await gw.health()).detail).toContain('sage500 sandbox --reset');
      await gw.reset();
      expect((await gw.resolveItems(['WIDGET-RED'])).unknown).toEqual([]);
    } finally {
      await gw.close();
    }
  });

  it('names a Sage table added since (the multi-currency rates), but not an optional one it does without', async () => {
    const path = join(dir, 'sandbox-tables.db');
    await (await createSandboxGateway({ path })).close();
    const raw = new DatabaseSync(path);
    raw.exec('DROP TABLE tmcCurrExchSchdDtl');
    raw.exec('DROP TABLE tarPendCustPmtAppl');
    raw.close();
    const gw = await createSandboxGateway({ path });
    try {
      const err = (await gw.resolveItems(['WIDGET-RED']).catch((e: unknown) => e)) as Error;
      expect(err).toMatchObject({ code: 'SB_SAGE_SCHEMA_MISSING' });
      expect(err.message).toContain('missing tmcCurrExchSchdDtl');
      expect(err.message).not.toContain('tarPendCustPmtAppl');
    } finally {
      await gw.close();
    }
  });
});
