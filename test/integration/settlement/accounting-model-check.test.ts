import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandboxGateway, type SandboxGateway } from '../../../src/connectors/sage500/sandbox-gateway.ts';
import { checkAccountingModel } from '../../../src/core/rules/settlement-accounts.ts';
import { DEFAULT_MAPPING_RULES } from '../../../src/core/rules/mapping-rules.ts';

/**
 * The invoiced-orders model checked against Sage (the sandbox's demo company): each marketplace customer's
 * receivable account, read from its customer class, is the account the settlement clears; a different one, a
 * customer without a class or an unknown customer is an error naming the fix.
 */
let sage: SandboxGateway;
const customers = Object.values(DEFAULT_MAPPING_RULES.customers);

beforeAll(async () => {
  sage = await createSandboxGateway({
    path: join(mkdtempSync(join(tmpdir(), 'sb-check-')), 'sage.db'),
    clock: { now: () => new Date('2026-10-20T00:00:00Z') },
    warehouseSimulator: { enabled: false },
  });
});
afterAll(async () => sage.close());

describe('accounting model vs Sage', () => {
  it("reads each marketplace customer's receivable account from its class", async () => {
    const found = await sage.receivableAccountsOf([...customers.map((c) => c.customerId), 'NOPE']);
    expect(found.filter((f) => f.customerId !== 'NOPE').every((f) => f.account === '1200-00')).toBe(true);
    expect(found.find((f) => f.customerId === 'NOPE')?.problem).toMatch(/no customer NOPE/);
  });

  it('invoiced-orders: matching receivable is ok; another account is an error naming both', async () => {
    const sageSide = await sage.receivableAccountsOf(customers.map((c) => c.customerId));
    const ok = checkAccountingModel(
      'invoiced-orders',
      { account: '1200-00', byCurrency: {} },
      customers,
      sageSide,
      await sage.validateGlAccounts(['1200-00']),
    );
    expect(ok.every((f) => f.level === 'ok')).toBe(true);
    const wrong = checkAccountingModel(
      'invoiced-orders',
      { account: '1050-00', byCurrency: {} },
      customers,
      sageSide,
      await sage.validateGlAccounts(['1050-00']),
    );
    const errors = wrong.filter((f) => f.level === 'error');
    expect(errors.length).toBe(customers.length);
    expect(errors[0]!.message).toMatch(/is 1200-00, the settlement clears 1050-00/);
  });

  it('a customer without a class is named', async () => {
    await sage.db.updateTable('tarCustomer').set({ CustClassKey: null }).where('CustID', '=', 'AMAZON-CA').execute();
    const [ca] = await sage.receivableAccountsOf(['AMAZON-CA']);
    expect(ca!.problem).toMatch(/has no customer class/);
  });
});
