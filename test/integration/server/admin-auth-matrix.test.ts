import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../../src/runtime/auth/roles.ts';
import { adminEnv, type AdminEnv } from './admin-env.ts';

/**
 * Every documented endpoint (read from the OpenAPI document, so a new route cannot skip this): 401 without
 * authentication, 403 for the role just below the one it needs, and a clear 400 on bad input.
 */
type Op = { method: string; path: string; role: Role | 'public'; hasInput: boolean };

const LOWER: Record<Role, Role | undefined> = { viewer: undefined, operator: 'viewer', admin: 'operator' };
const UUID = '00000000-0000-4000-8000-000000000000';

function concrete(path: string): string {
  return path
    .replace('{id}', path.includes('/tokens/') ? UUID : path.includes('sku-aliases') ? 'default%3ASKU-1' : 'x1')
    .replace('{amazonOrderId}', '111-0000000-0000000');
}

/** One bad request per endpoint that takes input; the test checks the table covers them all. */
const BAD: Record<string, { url: string; payload?: unknown; contentType?: string; field: string }> = {
  'POST /api/v1/auth/login': { url: '/api/v1/auth/login', payload: { username: 'a' }, field: 'password' },
  'GET /api/v1/orders': { url: '/api/v1/orders?state=lost', field: 'state' },
  'GET /api/v1/orders/at-risk': { url: '/api/v1/orders/at-risk?withinMs=-1', field: 'withinMs' },
  'GET /api/v1/orders/{amazonOrderId}': { url: '/api/v1/orders/111?foo=1', field: '(root)' },
  'GET /api/v1/orders/{amazonOrderId}/preview': { url: '/api/v1/orders/111/preview?foo=1', field: '(root)' },
  'GET /api/v1/orders/{amazonOrderId}/pii': { url: '/api/v1/orders/111/pii?foo=1', field: '(root)' },
  'GET /api/v1/dead-letters': { url: '/api/v1/dead-letters?status=lost', field: 'status' },
  'GET /api/v1/dead-letters/{id}': { url: `/api/v1/dead-letters/${'x'.repeat(101)}`, field: 'id' },
  'POST /api/v1/dead-letters/{id}/replay': {
    url: '/api/v1/dead-letters/x1/replay',
    payload: { payloud: {} },
    field: '(root)',
  },
  'POST /api/v1/dead-letters/replay': { url: '/api/v1/dead-letters/replay', payload: {}, field: 'code' },
  'POST /api/v1/dead-letters/{id}/preview': {
    url: '/api/v1/dead-letters/x1/preview',
    payload: { set: 'shipTo.city=X' },
    field: 'set',
  },
  'POST /api/v1/orders/{amazonOrderId}/link': { url: '/api/v1/orders/111/link', payload: {}, field: 'tranNo' },
  'POST /api/v1/dead-letters/{id}/discard': {
    url: '/api/v1/dead-letters/x1/discard',
    payload: { reason: ' ' },
    field: 'reason',
  },
  'GET /api/v1/mappings/sku-aliases': { url: '/api/v1/mappings/sku-aliases?limit=0', field: 'limit' },
  'POST /api/v1/mappings/sku-aliases': {
    url: '/api/v1/mappings/sku-aliases',
    payload: { sellerSku: '', itemId: 'A' },
    field: 'sellerSku',
  },
  'DELETE /api/v1/mappings/sku-aliases/{id}': { url: '/api/v1/mappings/sku-aliases/no-colon', field: 'id' },
  'GET /api/v1/mappings/sku-aliases.csv': { url: '/api/v1/mappings/sku-aliases.csv?foo=1', field: '(root)' },
  'POST /api/v1/mappings/sku-aliases.csv': {
    url: '/api/v1/mappings/sku-aliases.csv',
    payload: 'sellerSku,itemId\n,WIDGET\n',
    contentType: 'text/csv',
    field: 'sellerSku',
  },
  'GET /api/v1/mappings/carriers': { url: '/api/v1/mappings/carriers?foo=1', field: '(root)' },
  'GET /api/v1/mappings/gl-rules': { url: '/api/v1/mappings/gl-rules?foo=1', field: '(root)' },
  'PUT /api/v1/mappings/carriers': {
    url: '/api/v1/mappings/carriers',
    payload: { rows: [{ shipMethId: 'UPS-GND', carrierCode: '' }] },
    field: 'carrierCode',
  },
  'GET /api/v1/mappings/carriers.csv': { url: '/api/v1/mappings/carriers.csv?effective=maybe', field: 'effective' },
  'POST /api/v1/mappings/carriers.csv': {
    url: '/api/v1/mappings/carriers.csv',
    payload: 'shipMethId,carrierCode\n,UPS\n',
    contentType: 'text/csv',
    field: 'shipMethId',
  },
  'PUT /api/v1/mappings/gl-rules': {
    url: '/api/v1/mappings/gl-rules',
    payload: { rows: [{ transactionType: 'Order', amountType: '*', amountDescription: '*', account: '', label: 'x' }] },
    field: 'account',
  },
  'PUT /api/v1/mappings/custom-fields': {
    url: '/api/v1/mappings/custom-fields',
    payload: { rows: [{ source: 'UserFld12', attribute: 'brand', kind: 'text' }] },
    field: 'source',
  },
  'GET /api/v1/mappings/custom-fields.csv': { url: '/api/v1/mappings/custom-fields.csv?foo=1', field: '(root)' },
  'POST /api/v1/mappings/custom-fields.csv': {
    url: '/api/v1/mappings/custom-fields.csv',
    payload: 'source,attribute,kind,maxLength\nUserFld1,brand,text,many\n',
    contentType: 'text/csv',
    field: 'maxLength',
  },
  'GET /api/v1/mappings/gl-rules.csv': { url: '/api/v1/mappings/gl-rules.csv?foo=1', field: '(root)' },
  'POST /api/v1/mappings/gl-rules.csv': {
    url: '/api/v1/mappings/gl-rules.csv',
    payload:
      'transactionType,amountType,amountDescription,account,label,currency\nOrder,*,*,4000-00,x,\nOrder,*,*,4000-00,x,USDX\n',
    contentType: 'text/csv',
    field: 'currency',
  },
  'GET /api/v1/mappings/custom-fields': { url: '/api/v1/mappings/custom-fields?foo=1', field: '(root)' },
  'GET /api/v1/mappings/customers': { url: '/api/v1/mappings/customers?foo=1', field: '(root)' },
  'PUT /api/v1/connections/{id}': { url: '/api/v1/connections/Bad%20Id', payload: {}, field: 'id' },
  'POST /api/v1/connections': { url: '/api/v1/connections', payload: { id: 'Bad Id' }, field: 'id' },
  'DELETE /api/v1/connections/{id}': { url: `/api/v1/connections/${'x'.repeat(101)}`, field: 'id' },
  'POST /api/v1/connections/{id}/pause': {
    url: '/api/v1/connections/default/pause',
    payload: { reason: 5 },
    field: 'reason',
  },
  'POST /api/v1/connections/{id}/resume': { url: `/api/v1/connections/${'x'.repeat(101)}/resume`, field: 'id' },
  'POST /api/v1/connections/{id}/authorize': {
    url: `/api/v1/connections/${'x'.repeat(101)}/authorize`,
    field: 'id',
  },
  'GET /api/v1/connections/{id}/mappings': { url: `/api/v1/connections/${'x'.repeat(101)}/mappings`, field: 'id' },
  'GET /api/v1/connections/{id}/mappings/{kind}': { url: '/api/v1/connections/default/mappings/nope', field: 'kind' },
  'PUT /api/v1/connections/{id}/mappings/{kind}': {
    url: '/api/v1/connections/default/mappings/customers',
    payload: { rows: [{ marketplaceId: 'x', customerId: 'SHOP-US', currency: 'USD' }] },
    field: 'marketplaceId',
  },
  'GET /api/v1/overview': { url: `/api/v1/overview?connectionId=${'x'.repeat(101)}`, field: 'connectionId' },
  'GET /api/v1/feeds': { url: '/api/v1/feeds?limit=-1', field: 'limit' },
  'GET /api/v1/settlements': { url: '/api/v1/settlements?limit=abc', field: 'limit' },
  'GET /api/v1/settlements/{id}': { url: `/api/v1/settlements/${'x'.repeat(101)}`, field: 'id' },
  'GET /api/v1/settlements/{id}/three-way': {
    url: `/api/v1/settlements/${'x'.repeat(101)}/three-way`,
    field: 'id',
  },
  'GET /api/v1/inventory/discrepancies': { url: '/api/v1/inventory/discrepancies?limit=0', field: 'limit' },
  'GET /api/v1/inventory/listing-problems': { url: '/api/v1/inventory/listing-problems?all=maybe', field: 'all' },
  'GET /api/v1/inventory/fba-stock': {
    url: '/api/v1/inventory/fba-stock?marketplace=' + 'M'.repeat(30),
    field: 'marketplace',
  },
  'GET /api/v1/audit': { url: '/api/v1/audit?limit=501', field: 'limit' },
  'POST /api/v1/tokens': { url: '/api/v1/tokens', payload: { name: 'ci', role: 'root' }, field: 'role' },
  'DELETE /api/v1/tokens/{id}': { url: '/api/v1/tokens/not-a-uuid', field: 'id' },
  'GET /api/v1/agents': { url: '/api/v1/agents?connectionId=Bad%20Id', field: 'connectionId' },
  'GET /api/v1/doctor': { url: '/api/v1/doctor?connection=Bad%20Id', field: 'connection' },
  'POST /api/v1/agents/enrolments': {
    url: '/api/v1/agents/enrolments',
    payload: { connectionId: 'Bad Id' },
    field: 'connectionId',
  },
  'DELETE /api/v1/agents/{id}': { url: `/api/v1/agents/${'x'.repeat(101)}`, field: 'id' },
  'POST /agent/v1/enrol': { url: '/agent/v1/enrol', payload: {}, field: 'token' },
  'POST /api/v1/users': {
    url: '/api/v1/users',
    payload: { name: 'bob smith', role: 'viewer', password: 'long enough password' },
    field: 'name',
  },
};

describe('admin API: authentication, roles and validation on every endpoint', () => {
  let env: AdminEnv;
  let ops: Op[];
  beforeAll(async () => {
    env = await adminEnv();
    const doc = (await env.app.inject('/docs/openapi.json')).json() as {
      paths: Record<string, Record<string, { description: string; parameters: unknown[]; requestBody?: unknown }>>;
    };
    ops = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({
        method: method.toUpperCase(),
        path,
        role: /Least role: \*\*(\w+)\*\*/.exec(op.description)![1] as Role | 'public',
        hasInput: op.parameters.length > 0 || op.requestBody !== undefined,
      })),
    );
  });
  afterAll(() => env.close());

  it('documents at least the contract endpoints', () => {
    expect(ops.length).toBeGreaterThanOrEqual(34);
  });

  it('answers 401 without credentials and with a wrong token on every non-public endpoint', async () => {
    const failures: string[] = [];
    for (const op of ops.filter((o) => o.role !== 'public')) {
      for (const headers of [{}, { authorization: 'Bearer sbt_wrong' }]) {
        const res = await env.app.inject({
          method: op.method as 'GET',
          url: concrete(op.path),
          headers,
          ...(op.method === 'GET' || op.method === 'DELETE' ? {} : { payload: {} }),
        });
        if (res.statusCode !== 401 || typeof res.json().error !== 'string')
          failures.push(`${op.method} ${op.path} ${JSON.stringify(headers)} -> ${res.statusCode}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('answers 403 to the role just below the one an endpoint needs, naming the role needed', async () => {
    const checked: string[] = [];
    const failures: string[] = [];
    for (const op of ops.filter((o) => o.role !== 'public' && LOWER[o.role as Role])) {
      const res = await env.app.inject({
        method: op.method as 'GET',
        url: concrete(op.path),
        headers: env.as[LOWER[op.role as Role]!],
        ...(op.method === 'GET' || op.method === 'DELETE' ? {} : { payload: {} }),
      });
      checked.push(`${op.method} ${op.path}`);
      if (res.statusCode !== 403 || !String(res.json().error).includes(op.role))
        failures.push(`${op.method} ${op.path} -> ${res.statusCode} ${res.body}`);
    }
    expect(failures).toEqual([]);
    // Operator endpoints (replay, discard, aliases) and admin ones (tokens, users, connections) are all among them.
    expect(checked).toEqual(
      expect.arrayContaining([
        'POST /api/v1/dead-letters/{id}/replay',
        'POST /api/v1/mappings/sku-aliases',
        'POST /api/v1/tokens',
        'PUT /api/v1/connections/{id}',
        'GET /api/v1/users',
      ]),
    );
  });

  it('answers a clear 400 naming the bad field on every endpoint that takes input', async () => {
    const withInput = ops.filter((o) => o.hasInput).map((o) => `${o.method} ${o.path}`);
    expect(withInput.filter((k) => !BAD[k])).toEqual([]);
    const failures: string[] = [];
    for (const [key, bad] of Object.entries(BAD)) {
      const method = key.split(' ')[0] as 'GET';
      const res = await env.app.inject({
        method,
        url: bad.url,
        headers: { ...env.as.admin, ...(bad.contentType ? { 'content-type': bad.contentType } : {}) },
        ...(bad.payload !== undefined ? { payload: bad.payload as string } : {}),
      });
      const body = res.json() as { error?: string; issues?: Array<{ field: string }> };
      if (res.statusCode !== 400 || !body.error || !(body.issues ?? []).some((i) => i.field === bad.field))
        failures.push(`${key} -> ${res.statusCode} ${res.body}`);
    }
    expect(failures).toEqual([]);
  });

  it('bootstrap token (server.adminToken) has the admin role; a viewer token reads', async () => {
    expect(
      (
        await env.app.inject({
          url: '/api/v1/me',
          headers: { authorization: 'Bearer bootstrap-admin-token-0123456789' },
        })
      ).json().user,
    ).toMatchObject({ role: 'admin', actor: 'token:bootstrap' });
    expect((await env.app.inject({ url: '/api/v1/overview', headers: env.as.viewer })).statusCode).toBe(200);
    expect((await env.app.inject({ url: '/metrics', headers: env.as.viewer })).statusCode).toBe(200);
    expect((await env.app.inject({ url: '/metrics' })).statusCode).toBe(401);
  });
});
