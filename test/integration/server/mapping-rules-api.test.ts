import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminEnv, type AdminEnv } from './admin-env.ts';

/** Editable carriers and GL rules (issue 6): roles, row-numbered 400s, CSV round trip, all-or-nothing import, audit. */
describe('admin API: carrier and GL rule overrides', () => {
  let env: AdminEnv;
  beforeAll(async () => {
    env = await adminEnv();
  });
  afterAll(() => env.close());

  it('needs authentication to read and the operator role to change', async () => {
    expect((await env.app.inject({ url: '/api/v1/mappings/carriers' })).statusCode).toBe(401);
    expect(
      (
        await env.app.inject({
          method: 'PUT',
          url: '/api/v1/mappings/carriers',
          headers: env.as.viewer,
          payload: { rows: [] },
        })
      ).statusCode,
    ).toBe(403);
    expect(
      (
        await env.app.inject({
          method: 'POST',
          url: '/api/v1/mappings/gl-rules.csv',
          headers: { ...env.as.viewer, 'content-type': 'text/csv' },
          payload: 'x\n',
        })
      ).statusCode,
    ).toBe(403);
  });

  it('PUT names the bad row and field and saves nothing; a good list shows first, marked store', async () => {
    const bad = await env.app.inject({
      method: 'PUT',
      url: '/api/v1/mappings/carriers',
      headers: env.as.operator,
      payload: {
        rows: [
          { shipMethId: 'MDX', carrierCode: 'Other', shippingMethod: 'Courier' },
          { shipMethId: 'UPS-GND', carrierCode: '' },
        ],
      },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ row: 1, field: 'carrierName' }),
        expect.objectContaining({ row: 2, field: 'carrierCode' }),
      ]),
    );
    expect(
      (await env.app.inject({ url: '/api/v1/mappings/carriers', headers: env.as.viewer })).json().stored.rows,
    ).toEqual([]);

    const ok = await env.app.inject({
      method: 'PUT',
      url: '/api/v1/mappings/carriers',
      headers: env.as.operator,
      payload: { rows: [{ shipMethId: 'ups-gnd', carrierCode: 'UPS', shippingMethod: 'UPS Ground Saver' }] },
    });
    expect(ok.json()).toEqual({ saved: 1 });
    const view = (await env.app.inject({ url: '/api/v1/mappings/carriers', headers: env.as.viewer })).json();
    expect(view.source).toBe('store');
    expect(view.rules.carriers[0]).toMatchObject({
      shipMethId: 'ups-gnd',
      shippingMethod: 'UPS Ground Saver',
      source: 'store',
    });
    // The default UPS-GND is replaced (ids compare ignoring case), the other defaults stay.
    expect(
      view.rules.carriers.filter((c: { shipMethId: string }) => c.shipMethId.toUpperCase() === 'UPS-GND'),
    ).toHaveLength(1);
    expect(view.rules.carriers).toEqual(
      expect.arrayContaining([expect.objectContaining({ shipMethId: 'FEDEX-GND', source: 'defaults' })]),
    );
    const audit = (await env.app.inject({ url: '/api/v1/audit', headers: env.as.admin })).json();
    expect(JSON.stringify(audit)).toContain('mapping.carrier.replace');
  });

  it('GL rules: CSV export, edit in a spreadsheet, import round trip; a bad row imports nothing', async () => {
    const put = await env.app.inject({
      method: 'PUT',
      url: '/api/v1/mappings/gl-rules',
      headers: env.as.operator,
      payload: {
        rows: [
          {
            transactionType: 'Order',
            amountType: 'ItemFees',
            amountDescription: 'Commission',
            account: '6100-50',
            label: 'Amazon commission, US',
            currency: 'USD',
          },
        ],
      },
    });
    expect(put.statusCode).toBe(200);
    const csv = await env.app.inject({ url: '/api/v1/mappings/gl-rules.csv', headers: env.as.viewer });
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body).toBe(
      'transactionType,amountType,amountDescription,account,label,marketplace,currency\r\nOrder,ItemFees,Commission,6100-50,"Amazon commission, US",,USD\r\n',
    );

    const edited = csv.body + 'Refund,ItemPrice,Principal,4090-10,Refunds (edited),Amazon.com,\r\n';
    const imp = await env.app.inject({
      method: 'POST',
      url: '/api/v1/mappings/gl-rules.csv',
      headers: { ...env.as.operator, 'content-type': 'text/csv' },
      payload: edited,
    });
    expect(imp.json()).toEqual({ imported: 2 });
    const again = await env.app.inject({ url: '/api/v1/mappings/gl-rules.csv', headers: env.as.viewer });
    expect(again.body).toBe(edited);

    const bad = await env.app.inject({
      method: 'POST',
      url: '/api/v1/mappings/gl-rules.csv',
      headers: { ...env.as.operator, 'content-type': 'text/csv' },
      payload:
        'transactionType,amountType,amountDescription,account,label\nOrder,*,*,7000-00,ok\nOrder,*,*,,missing account\n',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().issues).toEqual([expect.objectContaining({ row: 3, field: 'account' })]);
    expect((await env.app.inject({ url: '/api/v1/mappings/gl-rules.csv', headers: env.as.viewer })).body).toBe(edited);

    const view = (await env.app.inject({ url: '/api/v1/mappings/gl-rules', headers: env.as.viewer })).json();
    expect(view.rules.settlementRules[0]).toMatchObject({ account: '6100-50', source: 'store' });
    expect(view.rules.settlementRules.at(-1).source).toBe('defaults');
  });

  it('carriers CSV: effective=true exports defaults too; an unknown column is refused', async () => {
    const all = await env.app.inject({ url: '/api/v1/mappings/carriers.csv?effective=true', headers: env.as.viewer });
    expect(all.body.split('\r\n')[0]).toBe('shipMethId,carrierCode,carrierName,shippingMethod');
    expect(all.body).toContain('FEDEX-GND,FedEx,,FedEx Ground');
    const bad = await env.app.inject({
      method: 'POST',
      url: '/api/v1/mappings/carriers.csv',
      headers: { ...env.as.operator, 'content-type': 'text/csv' },
      payload: 'shipMethId,carrier\nX,UPS\n',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().issues[0]).toMatchObject({ field: 'carrier' });
  });
});
