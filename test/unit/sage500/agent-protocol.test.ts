import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MappingError, SellbridgeError } from '../../../src/core/errors.ts';
import type { Sage500Gateway } from '../../../src/core/ports/sage500-gateway.ts';
import { checkHubUrl } from '../../../src/connectors/sage500/remote/agent.ts';
import { createAgentHub } from '../../../src/connectors/sage500/remote/hub.ts';
import {
  AGENT_PROTOCOL,
  checkCall,
  compatibility,
  errorFromWire,
  errorToWire,
  OPERATION_NAMES,
  WRITE_OPERATIONS,
} from '../../../src/connectors/sage500/remote/protocol.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { createAgentRegistry } from '../../../src/runtime/agents/registry.ts';
import { systemClock } from '../../../src/runtime/clock.ts';
import { openStore } from '../../../src/runtime/store/store.ts';

const dir = mkdtempSync(join(tmpdir(), 'sb-agent-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('agent protocol', () => {
  it('lists every operation of the Sage500Gateway port but close, and says why each write is safe to resend', () => {
    const port: Record<Exclude<keyof Sage500Gateway, 'close'>, true> = {
      resolveItems: true,
      listItems: true,
      resolveWarehouses: true,
      resolveCustomers: true,
      resolveShipMethods: true,
      loadOrderContext: true,
      createSalesOrder: true,
      findSalesOrder: true,
      salesOrderTotalsOf: true,
      cancelSalesOrder: true,
      shipSalesOrder: true,
      recordCustomerReturn: true,
      cancelSalesOrderLine: true,
      updateSalesOrderShipTo: true,
      readItemFields: true,
      listShipments: true,
      shipmentChangesSince: true,
      getStock: true,
      stockChangesSince: true,
      receivableAccountsOf: true,
      exchangeRate: true,
      enterCashReceipt: true,
      invoicesOfOrders: true,
      getPrices: true,
      postJournal: true,
      validateGlAccounts: true,
      installExtensions: true,
      health: true,
    };
    expect([...OPERATION_NAMES].sort()).toEqual(Object.keys(port).sort());
    expect(Object.keys(WRITE_OPERATIONS).sort()).toEqual([
      'cancelSalesOrder',
      'cancelSalesOrderLine',
      'createSalesOrder',
      'enterCashReceipt',
      'installExtensions',
      'postJournal',
      'recordCustomerReturn',
      'shipSalesOrder',
      'updateSalesOrderShipTo',
    ]);
  });

  it('accepts typed arguments, optional trailing ones left out', () => {
    expect(checkCall({ t: 'call', id: '1', op: 'listShipments', args: [] })).toMatchObject({ ok: true });
    expect(checkCall({ t: 'call', id: '2', op: 'listShipments', args: ['42'] })).toMatchObject({
      ok: true,
      args: ['42'],
    });
    expect(checkCall({ t: 'call', id: '2b', op: 'shipmentChangesSince', args: ['120'] })).toMatchObject({
      ok: true,
      args: ['120'],
    });
    expect(checkCall({ t: 'call', id: '2d', op: 'shipmentChangesSince', args: ['120', ['3001']] })).toMatchObject({
      ok: true,
      args: ['120', ['3001']],
    });
    expect(checkCall({ t: 'call', id: '2c', op: 'shipmentChangesSince', args: [120] })).toMatchObject({ ok: false });
    // No version yet but shipments to read again: the hub's undefined arrives as JSON null.
    const nullFirst = JSON.parse(
      JSON.stringify({ t: 'call', id: '2e', op: 'shipmentChangesSince', args: [undefined, ['3001']] }),
    );
    expect(checkCall(nullFirst)).toMatchObject({ ok: true, args: [undefined, ['3001']] });
    expect(checkCall({ t: 'call', id: '3', op: 'listItems', args: [{ text: 'wid', limit: 5 }] })).toMatchObject({
      ok: true,
    });
    expect(checkCall({ t: 'call', id: '4', op: 'cancelSalesOrderLine', args: ['AMZ0000001', 2] })).toMatchObject({
      ok: true,
    });
    expect(checkCall({ t: 'call', id: '5', op: 'cancelSalesOrderLine', args: ['AMZ0000001', 0] })).toMatchObject({
      ok: false,
    });
    const shipTo = { name: 'A', lines: ['1 Main St'], city: 'X', region: 'CA', postalCode: '1', countryId: 'USA' };
    expect(checkCall({ t: 'call', id: '6', op: 'updateSalesOrderShipTo', args: ['AMZ0000001', shipTo] })).toMatchObject(
      { ok: true },
    );
    expect(
      checkCall({ t: 'call', id: '7', op: 'updateSalesOrderShipTo', args: ['AMZ0000001', { ...shipTo, phone: '1' }] }),
    ).toMatchObject({ ok: false });
    expect(checkCall({ t: 'call', id: '8', op: 'readItemFields', args: [['WIDGET-1']] })).toMatchObject({ ok: true });
  });

  it('checks the FBA shipment and customer return operations: typed arguments only, whole positive quantities', () => {
    expect(
      checkCall({
        t: 'call',
        id: 's',
        op: 'shipSalesOrder',
        args: ['AZ00000001', { shipDate: '2026-11-20T09:30:00Z' }],
      }),
    ).toMatchObject({ ok: true });
    expect(
      checkCall({ t: 'call', id: 's2', op: 'shipSalesOrder', args: ['AZ00000001', { shipDate: 'x', sql: 'DROP' }] }),
    ).toMatchObject({ ok: false });
    const refund = {
      amazonOrderId: '111-2223334-4445556',
      salesOrderTranNo: 'AZ00000001',
      reference: '98765432109876',
      returnDate: '2026-11-28T10:00:00Z',
      lines: [{ amazonOrderItemId: '12345678901234', quantity: 1 }],
    };
    expect(
      checkCall({ t: 'call', id: 'r', op: 'recordCustomerReturn', args: [refund, { tranNo: 'R00000001' }] }),
    ).toMatchObject({ ok: true });
    expect(
      checkCall({
        t: 'call',
        id: 'r2',
        op: 'recordCustomerReturn',
        args: [{ ...refund, lines: [{ amazonOrderItemId: '1', quantity: 0.5 }] }, { tranNo: 'R00000001' }],
      }),
    ).toMatchObject({ ok: false });
    // An FBA customer return (the returns report's line) says so; any other source is refused.
    expect(
      checkCall({
        t: 'call',
        id: 'r3',
        op: 'recordCustomerReturn',
        args: [{ ...refund, source: 'fba-return' }, { tranNo: 'R00000002' }],
      }),
    ).toMatchObject({ ok: true });
    expect(
      checkCall({
        t: 'call',
        id: 'r4',
        op: 'recordCustomerReturn',
        args: [{ ...refund, source: 'rma' }, { tranNo: 'R00000002' }],
      }),
    ).toMatchObject({ ok: false });
  });

  it('refuses unknown operations, inherited names and badly typed arguments, naming the fields', () => {
    for (const op of ['toString', 'hasOwnProperty', 'close', 'query', ''])
      expect(checkCall({ t: 'call', id: 'x', op, args: [] })).toMatchObject({
        ok: false,
        error: { code: 'SB_AGENT_OPERATION_REFUSED' },
      });
    const r = checkCall({
      t: 'call',
      id: 'y',
      op: 'getPrices',
      args: [{ itemIds: ['A'], warehouseId: 'MAIN', priceSheet: 'x', currency: 'USD' }],
    });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toBeInstanceOf(MappingError);
      expect((r.error as MappingError).issues.map((i) => i.field)).toEqual(['args.0.priceSheet']);
    }
  });

  it('carries errors across with their code, kind, wait and issues', () => {
    const unavailable = new SellbridgeError('SB_SAGE_UNAVAILABLE', 'down', {
      retryAfterMs: 1234,
      context: { op: 'x' },
    });
    const back = errorFromWire(errorToWire(unavailable));
    expect(back).toMatchObject({
      code: 'SB_SAGE_UNAVAILABLE',
      kind: 'unavailable',
      retryAfterMs: 1234,
      message: 'down',
    });
    const rejected = new MappingError('SB_SAGE_ORDER_REJECTED', 'order 1', [{ field: 'CustID', problem: 'unknown' }]);
    const back2 = errorFromWire(errorToWire(rejected));
    expect(back2).toBeInstanceOf(MappingError);
    expect(back2).toMatchObject({ code: 'SB_SAGE_ORDER_REJECTED', kind: 'mapping', message: rejected.message });
    expect(errorFromWire({ code: 'SB_FROM_THE_FUTURE', message: 'm' })).toMatchObject({ code: 'SB_SAGE_QUERY_FAILED' });
    expect(errorToWire(new Error('driver'))).toMatchObject({ code: 'SB_SAGE_QUERY_FAILED' });
  });

  it('refuses another protocol with the version to install', () => {
    expect(compatibility(String(AGENT_PROTOCOL), '0.1.0', '0.1.0')).toEqual({ ok: true });
    const r = compatibility('0', '0.0.9', '0.2.0');
    expect(r).toMatchObject({ ok: false });
    if (!r.ok) expect(r.message).toContain('install Sellbridge 0.2.0 on the agent');
  });

  it('wants TLS, plain http only to this machine and only when asked', () => {
    expect(checkHubUrl('https://hub.example.com').protocol).toBe('https:');
    expect(() => checkHubUrl('http://hub.example.com', true)).toThrow(/must be encrypted/);
    expect(() => checkHubUrl('http://127.0.0.1:8080')).toThrow(/must be encrypted/);
    expect(checkHubUrl('http://127.0.0.1:8080', true).port).toBe('8080');
  });
});

describe('agent hub without an agent', () => {
  it('fails calls at once with SB_AGENT_OFFLINE (unavailable, so the circuit opens) and reports health as not ok', async () => {
    const store = openStore({ url: `sqlite:${join(dir, 'state.db')}` });
    await store.migrate();
    const hub = createAgentHub({
      connectionId: 'default',
      registry: createAgentRegistry(store, systemClock),
      hubVersion: '0.1.0',
      logger: createLogger({ level: 'silent' }),
      requestTimeoutMs: 1000,
      heartbeatMs: 1000,
      offlineRetryMs: 777,
    });
    try {
      await expect(hub.gateway.createSalesOrder({} as never, { tranNo: 'AZ1' })).rejects.toMatchObject({
        code: 'SB_AGENT_OFFLINE',
        kind: 'unavailable',
        retryAfterMs: 777,
      });
      expect(await hub.gateway.health()).toMatchObject({ ok: false });
      expect(hub.status()).toMatchObject({ online: false, inFlight: 0 });
    } finally {
      await hub.close();
      await store.close();
    }
  });
});

describe('agent registry', () => {
  it('enrols once per token, authenticates the credential, refuses it once revoked', async () => {
    const store = openStore({ url: `sqlite:${join(dir, 'registry.db')}` });
    await store.migrate();
    const registry = createAgentRegistry(store, systemClock);
    try {
      const { token } = await registry.createEnrolment('shop-a', 'test');
      const cred = await registry.enrol(token, 'host-1');
      expect(cred.connectionId).toBe('shop-a');
      await expect(registry.enrol(token, 'host-2')).rejects.toMatchObject({ code: 'SB_AGENT_REFUSED' });
      expect(await registry.authenticate(cred.credential)).toMatchObject({
        ok: true,
        agent: { connectionId: 'shop-a' },
      });
      expect(await registry.authenticate(`${cred.agentId}.wrong`)).toMatchObject({ ok: false });
      await registry.revoke(cred.agentId, 'test');
      expect(await registry.authenticate(cred.credential)).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/revoked/),
      });
      const expired = await registry.createEnrolment('shop-a', 'test', -1);
      await expect(registry.enrol(expired.token, 'late')).rejects.toMatchObject({
        message: expect.stringMatching(/expired/),
      });
      // Only hashes are stored.
      const rows = await store.db
        .withTables<{ agents: { secret_hash: string } }>()
        .selectFrom('agents')
        .select('secret_hash')
        .execute();
      expect(rows.every((r) => !cred.credential.includes(r.secret_hash))).toBe(true);
    } finally {
      await store.close();
    }
  });
});
