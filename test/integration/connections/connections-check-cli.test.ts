import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { createCliContext, type CliContext } from '../../../src/cli/context.ts';
import { createSandboxGateway } from '../../../src/connectors/sage500/sandbox-gateway.ts';
import { storeConnectionSyncEdits } from '../../../src/connectors/store/connection-sync-edits.ts';
import { storeMappingRules } from '../../../src/connectors/store/mapping-rules.ts';
import { systemClock } from '../../../src/runtime/clock.ts';
import { openStore } from '../../../src/runtime/store/store.ts';
import { addSageCustomer } from './sage-customers.ts';

/**
 * Issue 21: `sellbridge connections check [id]` compares the order mapping of sellbridge.yaml with the Sage company
 * (the sandbox) and names every problem by its setting path and what Sage has; `sellbridge run` refuses to start a
 * connection whose check fails. In process, as the other CLI tests.
 */
const dir = mkdtempSync(join(tmpdir(), 'sb-connections-check-'));
const sandboxPath = join(dir, 'sandbox.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  const sandbox = await createSandboxGateway({ path: sandboxPath });
  try {
    await addSageCustomer(sandbox, { key: 650, id: 'SHOP-EU', currency: 'EUR' });
    await addSageCustomer(sandbox, { key: 651, id: 'OLD-SHOP', currency: 'USD', status: 2 });
    // An inactive charge item (timItem.Status 2).
    await sandbox.db
      .insertInto('timItem')
      .values({ ItemKey: 190, CompanyID: 'SOA', ItemID: 'OLD-CHARGE', ItemType: 1, Status: 2, StdPrice: '0' })
      .execute();
  } finally {
    await sandbox.close();
  }
});

async function run(args: string[], yaml: string) {
  const file = join(dir, `sellbridge-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, yaml);
  const out: string[] = [];
  const err: string[] = [];
  const ctx: CliContext = { ...createCliContext({}), stdout: (t) => out.push(t), stderr: (t) => err.push(t) };
  try {
    const code = await main(
      [...args, '--config', file, '--set', 'sage500.kind=sandbox', '--set', `sage500.sandboxPath=${sandboxPath}`],
      ctx,
    );
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    process.exitCode = undefined; // in process: the check's exit code would otherwise carry over to the next command
  }
}

const GOOD = `
orders:
  customers:
    ATVPDKIKX0DER: { customerId: AMAZON-US, currency: USD, warehouseId: EAST }
    A1PA6795UKMFR9: { customerId: SHOP-EU, currency: EUR }
`;

const BAD = `
orders:
  customers:
    ATVPDKIKX0DER: { customerId: NOBODY, currency: USD }
    A2EUQ1WTGCTBG2: { customerId: AMAZON-CA, currency: USD }
    A1F83G8C2ARO7P: { customerId: OLD-SHOP, currency: USD, warehouseId: NOWHR }
  warehouseId: MAIN
  shipMethods:
    byServiceLevel: { STANDARD: UPS-GND, NEXT_DAY: TELEPORT }
  chargeLines:
    giftWrap: { itemId: NO-SUCH-ITEM }
    rounding: { itemId: OLD-CHARGE }
    promotions: { glAccountNo: 9999-00 }
  fba: { policy: record-shipped, warehouseId: AMZFBA }
`;

describe('sellbridge connections check (CLI, on the sandbox)', () => {
  it('is clean with the defaults and with a good mapping (exit 0)', async () => {
    const defaults = await run(['connections', 'check'], '# nothing set\n');
    expect(defaults, defaults.out + defaults.err).toMatchObject({ code: 0 });
    expect(defaults.out).toContain(
      'connections check default (sandbox, company SOA): 3 customers, 1 warehouses, 3 ship methods, 6 charge items, 3 GL accounts looked up; 0 errors, 0 warnings',
    );
    const good = await run(['connections', 'check', 'default'], GOOD);
    expect(good, good.err).toMatchObject({ code: 0 });
    expect(good.out).toContain('2 customers, 2 warehouses');
    expect(good.out).toContain('0 errors');
  });

  it('names every problem with its setting path and what Sage has (exit 1)', async () => {
    const bad = await run(['connections', 'check'], BAD);
    expect(bad.code, bad.err).toBe(1);
    const lines = bad.out.split('\n');
    const expected = [
      'ERROR orders.customers.ATVPDKIKX0DER.customerId = NOBODY: Sage has no customer NOBODY (tarCustomer.CustID)',
      'ERROR orders.customers.A2EUQ1WTGCTBG2.currency = USD: Sage has customer AMAZON-CA in CAD, not USD',
      'ERROR orders.customers.A1F83G8C2ARO7P.customerId = OLD-SHOP: Sage has customer OLD-SHOP inactive, not active',
      'ERROR orders.customers.A1F83G8C2ARO7P.warehouseId = NOWHR: Sage has no warehouse NOWHR (timWarehouse.WhseID)',
      'ERROR orders.fba.warehouseId = AMZFBA: Sage has no warehouse AMZFBA (timWarehouse.WhseID)',
      'ERROR orders.shipMethods.byServiceLevel.NEXT_DAY = TELEPORT: Sage has no ship method TELEPORT (tciShipMethod.ShipMethID)',
      'ERROR orders.chargeLines.giftWrap.itemId = NO-SUCH-ITEM: Sage has no item NO-SUCH-ITEM (timItem.ItemID)',
      'ERROR orders.chargeLines.rounding.itemId = OLD-CHARGE: Sage has item OLD-CHARGE but it is not active',
    ];
    for (const line of expected) expect(lines).toContain(line);
    expect(
      lines.some((l) =>
        l.startsWith('ERROR orders.chargeLines.promotions.glAccountNo = 9999-00: Sage GL account 9999-00:'),
      ),
    ).toBe(true);
    // Nothing that is fine is reported: MAIN, UPS-GND, the other charge items and accounts.
    expect(bad.out).not.toContain('orders.warehouseId');
    expect(bad.out).not.toContain('byServiceLevel.STANDARD');
    expect(bad.out).toContain('9 errors, 0 warnings: orders would fail in Sage with this mapping');
  });

  it('checks the single entry of a connections: list by its id; with several entries each one, or the one named', async () => {
    const listed = `connections:\n  - id: us-main\n    orders:\n      customers:\n        ATVPDKIKX0DER: { customerId: NOBODY, currency: USD }\n`;
    const one = await run(['connections', 'check', 'us-main'], listed);
    expect(one.code, one.err).toBe(1);
    expect(one.out).toContain('ERROR orders.customers.ATVPDKIKX0DER.customerId = NOBODY: Sage has no customer NOBODY');
    expect(one.out).toContain('connections check us-main (sandbox, company SOA)');
    const several = `connections:\n  - id: us\n  - id: eu\n    orders:\n      customers:\n        ATVPDKIKX0DER: { customerId: NOBODY, currency: USD }\n`;
    const two = await run(['connections', 'check'], several);
    expect(two.code, two.err).toBe(1);
    expect(two.out).toContain('connections check us (sandbox, company SOA)');
    expect(two.out).toContain('connections check eu (sandbox, company SOA)');
    expect(two.out).toContain('ERROR orders.customers.ATVPDKIKX0DER.customerId = NOBODY');
    const us = await run(['connections', 'check', 'us'], several);
    expect(us.code, us.err).toBe(0);
    expect(us.out).not.toContain('NOBODY');
  });

  it('judges the sync side: inventory and price-sheet warehouses, settlement GL accounts, by their setting paths', async () => {
    // Settlements enabled: their accounts are judged (the sandbox has 1010-00 and 4000-00, no 1200-00, 9999-00 closed).
    const yaml = `
inventory:
  warehouseIds: [MAIN, NOWH]
  prices:
    ATVPDKIKX0DER: { priceSheet: list, currency: USD, warehouseId: GHOST }
settlements:
  enabled: true
  bankClearingAccount: 1010-00
  bankAccountByCurrency: { EUR: 9999-00 }
  receivableAccount: 4000-00
  rules:
    - { transactionType: Order, amountType: ItemFees, account: 5555-00 }
`;
    const bad = await run(['connections', 'check'], yaml);
    expect(bad.code, bad.err).toBe(1);
    const lines = bad.out.split('\n');
    expect(lines).toContain('ERROR inventory.warehouseIds.1 = NOWH: Sage has no warehouse NOWH (timWarehouse.WhseID)');
    expect(lines).toContain(
      'ERROR inventory.prices.ATVPDKIKX0DER.warehouseId = GHOST: Sage has no warehouse GHOST (timWarehouse.WhseID)',
    );
    expect(
      lines.some((l) =>
        l.startsWith('ERROR settlements.bankAccountByCurrency.EUR = 9999-00: Sage GL account 9999-00:'),
      ),
    ).toBe(true);
    expect(
      lines.some((l) => l.startsWith('ERROR settlements.rules.0.account = 5555-00: Sage GL account 5555-00:')),
    ).toBe(true);
    expect(bad.out).not.toContain('inventory.warehouseIds.0');
    expect(bad.out).not.toContain('settlements.bankClearingAccount');
    expect(bad.out).not.toContain('settlements.receivableAccount');
    expect(bad.out).toContain(
      '4 errors, 0 warnings: the inventory and price sync, settlement journals would fail in Sage with this mapping',
    );
    // Settlements not used: the default accounts (1050-00, not in the sandbox) are not judged.
    const unused = await run(['connections', 'check'], 'inventory:\n  warehouseIds: [MAIN, EAST]\n');
    expect(unused, unused.out + unused.err).toMatchObject({ code: 0 });
    expect(unused.out).not.toContain('settlements.');
  });

  it('judges the stored sync edits laid over sellbridge.yaml (inventory, settlement-gl, gl-rules)', async () => {
    const url = `sqlite:${join(dir, 'edits.db')}`;
    const store = openStore({ url });
    try {
      await store.migrate();
      const sync = storeConnectionSyncEdits(store, systemClock);
      await sync.replace('default', 'inventory', [{ warehouseIds: ['EAST', 'NOWH2'] }], 'user:ada');
      await sync.replace('default', 'settlement-gl', [{ currency: '*', bankAccount: '9998-00' }], 'user:ada');
      await storeMappingRules(store, systemClock).replace(
        'default',
        'gl',
        [{ transactionType: 'Order', amountType: '*', amountDescription: '*', account: '7777-00', label: 'X' }],
        'user:ada',
      );
    } finally {
      await store.close();
    }
    const checked = await run(['connections', 'check', '--store', url], '# nothing set\n');
    expect(checked.code, checked.out + checked.err).toBe(1);
    const lines = checked.out.split('\n');
    expect(lines).toContain(
      'ERROR inventory.warehouseIds.1 = NOWH2: Sage has no warehouse NOWH2 (timWarehouse.WhseID) (the stored inventory edit)',
    );
    expect(
      lines.some(
        (l) =>
          l.startsWith('ERROR settlements.bankClearingAccount = 9998-00: Sage GL account 9998-00:') &&
          l.endsWith('(the stored settlement-gl edit)'),
      ),
    ).toBe(true);
    expect(lines.some((l) => l.startsWith('ERROR gl-rules.0.account = 7777-00: Sage GL account 7777-00:'))).toBe(true);
  });

  it('connections add takes inventory and settlements blocks, checked against the Sage company', async () => {
    const store = `sqlite:${join(dir, 'add.db')}`;
    const file = (name: string, text: string) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    };
    const bad = file(
      'bad-add.yaml',
      'id: eu\ninventory: { warehouseIds: [NOWH] }\nsettlements: { accountingModel: settlement-revenue, bankClearingAccount: 7777-00 }\n',
    );
    const refused = await run(['connections', 'add', bad, '--store', store], '# nothing set\n');
    expect(refused.code, refused.out + refused.err).not.toBe(0);
    expect(refused.err).toContain('inventory.warehouseIds.0');
    expect(refused.err).toContain('Sage has no warehouse NOWH');
    expect(refused.err).toContain('settlements.bankClearingAccount');
    // Without a prefix of its own it would reserve default's TranNos (AZ) in the same Sage company.
    expect(refused.err).toContain('sage500.tranNoPrefix: "AZ": TranNo prefix AZ is connection default\'s');
    const good = file(
      'good-add.yaml',
      'id: eu\nsage500: { tranNoPrefix: AZE }\ninventory: { warehouseIds: [MAIN, EAST] }\nsettlements: { accountingModel: settlement-revenue, bankClearingAccount: 1010-00 }\n',
    );
    const added = await run(['connections', 'add', good, '--store', store], '# nothing set\n');
    expect(added, added.out + added.err).toMatchObject({ code: 0 });
    expect(added.out).toContain('eu');
    const check = await run(['connections', 'list', '--json', '--store', store], '# nothing set\n');
    expect(check.code, check.err).toBe(0);
    expect(check.out).toContain('"eu"');
  });

  it('refuses a connection id this configuration does not have', async () => {
    const other = await run(['connections', 'check', 'europe'], GOOD);
    expect(other.code).not.toBe(0);
    expect(other.err).toContain('no connection europe: this configuration has only default');
  });

  it('sellbridge run refuses to start the connection whose check fails, with the reasons; starts once it passes', async () => {
    const store = `sqlite:${join(dir, 'store.db')}`;
    const refused = await run(['run', '--once', '--store', store], BAD);
    expect(refused.code).not.toBe(0);
    expect(refused.err).toContain('SB_MAP_CONNECTION_INVALID');
    expect(refused.err).toContain('connection default was not started');
    expect(refused.err).toContain('orders.customers.ATVPDKIKX0DER.customerId = NOBODY: Sage has no customer NOBODY');
    expect(refused.err).toContain('orders.shipMethods.byServiceLevel.NEXT_DAY = TELEPORT');
    const started = await run(['run', '--once', '--store', store], GOOD);
    expect(started, started.err).toMatchObject({ code: 0 });
    expect(started.out).toContain('connections check default (sandbox, company SOA)');
    expect(started.out).toContain('sellbridge run --once');
  });
});
