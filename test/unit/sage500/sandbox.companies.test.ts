import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { createSandboxGateway } from '../../../src/connectors/sage500/sandbox-gateway.ts';
import { SDE } from '../../../src/connectors/sage500/sandbox/seed-sde.ts';
import { money } from '../../../src/core/model/money.ts';
import type { SalesOrderDraft } from '../../../src/core/model/sales-order.ts';

const germanOrder: SalesOrderDraft = {
  customerId: 'AMAZON-DE',
  amazonOrderId: '302-0000000-0000001',
  orderDate: '2026-11-20T12:00:00Z',
  currency: 'EUR',
  warehouseId: 'LEJ',
  shipMethodId: 'DHL-PAKET',
  lines: [
    {
      lineNo: 1,
      itemId: 'WIDGET-RED',
      quantity: 2,
      unitPrice: money('EUR', 1899),
      amazonOrderItemId: '22345678901234',
    },
    { lineNo: 2, itemId: 'AMZ-TAX', quantity: 1, unitPrice: money('EUR', 722), glAccountNo: '2300-00' },
  ],
};

describe('sandbox with two Sage companies (SOA and the German SDE)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sellbridge-sage500-companies-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('seeds SDE beside the demo company: EUR customers, its warehouse, ship methods, items and GL accounts', async () => {
    const de = await createSandboxGateway({ path: ':memory:', companyId: 'SDE' });
    try {
      expect((await de.health()).detail).toContain('company SDE (Sellbridge Demo GmbH)');
      const companies = await de.db
        .selectFrom('tsmCompany')
        .select(['CompanyID', 'CurrID'])
        .orderBy('CompanyID')
        .execute();
      expect(companies).toEqual([
        { CompanyID: 'SDE', CurrID: 'EUR' },
        { CompanyID: 'SOA', CurrID: 'USD' },
      ]);
      const customers = await de.resolveCustomers(['AMAZON-DE', 'AMAZON-US']);
      expect(customers.map((c) => [c.customerId, c.currency])).toEqual([['AMAZON-DE', 'EUR']]);
      expect((await de.resolveWarehouses(['LEJ', 'MAIN'])).map((w) => w.warehouseId)).toEqual(['LEJ']);
      expect((await de.resolveShipMethods([...SDE.shipMethods, 'UPS-GND'])).map((s) => s.shipMethodId).sort()).toEqual(
        [...SDE.shipMethods].sort(),
      );
      const items = await de.resolveItems(['WIDGET-RED', 'AMZ-RED-WIDGET', 'AMZ-TAX', 'WIDGET-PURPLE']);
      expect(items.unknown).toEqual(['WIDGET-PURPLE']);
      expect(await de.validateGlAccounts(['2300-00', '4000-00', '9999-00'])).toEqual([
        { account: '2300-00', valid: true },
        { account: '4000-00', valid: true },
        expect.objectContaining({ account: '9999-00', valid: false }),
      ]);
      expect(await de.getStock(['WIDGET-RED'], ['LEJ'])).toEqual([
        expect.objectContaining({ itemId: 'WIDGET-RED', warehouseId: 'LEJ' }),
      ]);
    } finally {
      await de.close();
    }
  });

  it('two gateways on one file book each order into its own company and never see the other company', async () => {
    const path = join(dir, 'two.db');
    // Opened at once, as a process with several connections does: the file is seeded once.
    const [us, de] = await Promise.all([
      createSandboxGateway({ path }),
      createSandboxGateway({ path, companyId: 'SDE' }),
    ]);
    try {
      const created = await de.createSalesOrder(germanOrder, { tranNo: 'DE00000001' });
      expect(created).toMatchObject({ outcome: 'created' });
      const so = await de.db
        .selectFrom('tsoSalesOrder as so')
        .innerJoin('tarCustomer as c', 'c.CustKey', 'so.CustKey')
        .select(['so.CompanyID', 'so.CurrID', 'c.CustID', 'so.TranAmt'])
        .where('so.TranNo', '=', 'DE00000001')
        .executeTakeFirstOrThrow();
      expect(so).toMatchObject({ CompanyID: 'SDE', CurrID: 'EUR', CustID: 'AMAZON-DE' });
      expect(Number(so.TranAmt)).toBe(45.2);
      expect((await de.findSalesOrder({ tranNo: 'DE00000001' }))?.customerId).toBe('AMAZON-DE');
      expect(await us.findSalesOrder({ tranNo: 'DE00000001' })).toBeUndefined();
      // The SDE customer is unknown to the demo company, so the same draft fails there.
      await expect(us.createSalesOrder(germanOrder, { tranNo: 'DE00000002' })).rejects.toMatchObject({
        code: expect.stringMatching(/^SB_/),
      });
      // One gateway closed twice (by a runtime, then by its owner) leaves the other's shared connection open.
      await us.close();
      await us.close();
      expect((await de.findSalesOrder({ tranNo: 'DE00000001' }))?.customerId).toBe('AMAZON-DE');
    } finally {
      await Promise.all([us.close(), de.close()]);
    }
  });

  it('a sandbox file made before SDE keeps working, and gets SDE when a connection asks for it', async () => {
    const path = join(dir, 'old.db');
    await (await createSandboxGateway({ path })).close();
    // The file as an older Sellbridge left it: only the demo company.
    const raw = new DatabaseSync(path);
    for (const t of [
      'tsmCompany',
      'tciUnitMeasure',
      'timItem',
      'timWarehouse',
      'tciShipMethod',
      'tarCustomer',
      'tglAccount',
      'tglFiscalPeriod',
      'tarCustClass',
      'tcmCashAcct',
      'tglJournal',
      'timItemAlias',
    ])
      raw.exec(`DELETE FROM ${t} WHERE CompanyID = 'SDE'`);
    raw.exec('DELETE FROM timItemDescription WHERE ItemKey >= 3000 AND ItemKey < 4000');
    raw.exec('DELETE FROM timWhseBin WHERE WhseBinKey >= 3000 AND WhseBinKey < 4000');
    raw.exec('DELETE FROM timWhseBinInvt WHERE ItemKey >= 3000 AND ItemKey < 4000');
    raw.exec('DELETE FROM timInventory WHERE ItemKey >= 3000 AND ItemKey < 4000');
    raw.exec('DELETE FROM timPriceSheet WHERE ItemKey >= 3000 AND ItemKey < 4000');
    raw.exec('DELETE FROM tarCustAddr WHERE AddrKey BETWEEN 511 AND 514');
    raw.exec('DELETE FROM tciAddress WHERE AddrKey BETWEEN 511 AND 514');
    raw.exec(`DELETE FROM tmcCurrExchSchdDtl WHERE TargetCurrID = 'EUR'`);
    raw.close();
    const us = await createSandboxGateway({ path });
    try {
      expect((await us.resolveCustomers(['AMAZON-US'])).map((c) => c.currency)).toEqual(['USD']);
      expect(await us.db.selectFrom('tsmCompany').select('CompanyID').execute()).toEqual([{ CompanyID: 'SOA' }]);
    } finally {
      await us.close();
    }
    const de = await createSandboxGateway({ path, companyId: 'SDE' });
    try {
      expect((await de.resolveCustomers(['AMAZON-DE'])).map((c) => c.currency)).toEqual(['EUR']);
      expect((await de.createSalesOrder(germanOrder, { tranNo: 'DE00000009' })).outcome).toBe('created');
    } finally {
      await de.close();
    }
  });

  it('an outdated file asks for a reset for SDE too, and reset brings both companies back', async () => {
    const path = join(dir, 'outdated.db');
    await (await createSandboxGateway({ path })).close();
    const raw = new DatabaseSync(path);
    raw.exec(`DELETE FROM tsmCompany WHERE CompanyID = 'SDE'`);
    raw.exec('ALTER TABLE StgSOLine DROP COLUMN GLAcctNo');
    raw.close();
    const de = await createSandboxGateway({ path, companyId: 'SDE' });
    try {
      await expect(de.resolveCustomers(['AMAZON-DE'])).rejects.toMatchObject({
        code: 'SB_SAGE_SCHEMA_MISSING',
        message: expect.stringContaining('sage500 sandbox --reset'),
      });
      await de.reset();
      expect((await de.resolveCustomers(['AMAZON-DE'])).map((c) => c.currency)).toEqual(['EUR']);
      expect((await de.db.selectFrom('tsmCompany').select('CompanyID').orderBy('CompanyID').execute()).length).toBe(2);
    } finally {
      await de.close();
    }
  });
});
