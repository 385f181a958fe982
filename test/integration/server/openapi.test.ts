import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminEnv, type AdminEnv } from './admin-env.ts';

describe('OpenAPI document at /docs', () => {
  let env: AdminEnv;
  beforeAll(async () => {
    env = await adminEnv();
  });
  afterAll(() => env.close());

  it('is a valid OpenAPI 3.1 document (schema and semantic checks of swagger-parser)', async () => {
    const res = await env.app.inject('/docs/openapi.json');
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    const api = await SwaggerParser.validate(structuredClone(doc));
    expect(Object.keys(api.paths ?? {}).length).toBeGreaterThanOrEqual(28);
    // The validator does reject a broken document (a response without its required description).
    const broken = structuredClone(doc);
    broken.paths['/api/v1/audit'].get.responses['200'] = { content: {} };
    await expect(SwaggerParser.validate(broken)).rejects.toThrow();
  });

  it('lists every contract path and documents roles, inputs and errors', async () => {
    const doc = (await env.app.inject('/docs/openapi.json')).json() as {
      paths: Record<
        string,
        Record<string, { responses: Record<string, unknown>; parameters: Array<{ name: string }> }>
      >;
    };
    for (const path of [
      '/api/v1/auth/login',
      '/api/v1/auth/logout',
      '/api/v1/me',
      '/api/v1/overview',
      '/api/v1/orders',
      '/api/v1/orders/{amazonOrderId}',
      '/api/v1/orders/{amazonOrderId}/preview',
      '/api/v1/dead-letters',
      '/api/v1/dead-letters/{id}',
      '/api/v1/dead-letters/{id}/replay',
      '/api/v1/dead-letters/replay',
      '/api/v1/dead-letters/{id}/discard',
      '/api/v1/mappings/sku-aliases',
      '/api/v1/mappings/sku-aliases/{id}',
      '/api/v1/mappings/sku-aliases.csv',
      '/api/v1/connections',
      '/api/v1/connections/{id}',
      '/api/v1/feeds',
      '/api/v1/settlements',
      '/api/v1/settlements/{id}',
      '/api/v1/inventory/discrepancies',
      '/api/v1/audit',
      '/api/v1/tokens',
      '/api/v1/tokens/{id}',
      '/api/v1/users',
    ]) {
      expect(doc.paths[path], path).toBeDefined();
    }
    expect(Object.keys(doc.paths['/api/v1/dead-letters']!.get!.responses)).toEqual(
      expect.arrayContaining(['200', '400', '401', '403']),
    );
    expect(doc.paths['/api/v1/orders']!.get!.parameters.map((p) => p.name)).toEqual(
      expect.arrayContaining(['q', 'state', 'limit', 'cursor']),
    );
  });

  it('serves a readable HTML page at /docs without authentication or scripts', async () => {
    const res = await env.app.inject('/docs');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('/api/v1/dead-letters/:id/replay');
    expect(res.body).not.toContain('<script');
  });
});
