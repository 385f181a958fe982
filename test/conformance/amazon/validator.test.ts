import { beforeAll, describe, expect, it } from 'vitest';
import { SHARED_PRESENT, SHARED_SKIP_MESSAGE } from '../../helpers/shared.ts';
import { loadConformance, type SpApiConformance } from '../../helpers/sp-api-conformance.ts';

if (!SHARED_PRESENT) console.warn(SHARED_SKIP_MESSAGE);

/** The validator must fail what is wrong, or a green conformance suite proves nothing. */
describe.skipIf(!SHARED_PRESENT)('sp-api-conformance validator', () => {
  let c: SpApiConformance;
  beforeAll(() => {
    c = loadConformance();
  });

  it('finds operations by method and path template, preferring literal segments', () => {
    expect(c.findOperation('GET', '/orders/2026-01-01/orders/123-1234567-1234567')?.operationId).toBe('getOrder');
    expect(c.findOperation('GET', '/orders/2026-01-01/orders')?.operationId).toBe('searchOrders');
    expect(c.findOperation('POST', '/notifications/v1/destinations')?.operationId).toBe('createDestination');
    expect(c.findOperation('GET', '/nothing/here')).toBeUndefined();
  });

  it('reports bad query values, undeclared parameters, missing headers and bad bodies', () => {
    const result = c.validateExchange({
      method: 'GET',
      path: '/orders/2026-01-01/orders/1',
      query: { includedData: 'FOO', bogus: '1' },
      requestBody: undefined,
      status: 200,
      responseHeaders: {},
      responseBody: { order: { orderId: 1, createdTime: 'yesterday' } },
    });
    expect(result.errors.join('\n')).toMatch(/includedData.*allowed values/);
    expect(result.errors.join('\n')).toMatch(/bogus is not declared/);
    expect(result.errors.join('\n')).toMatch(/x-amzn-RequestId is missing/);
    expect(result.errors.join('\n')).toMatch(/createdTime must match format "date-time"/);
  });

  it('checks request bodies against the model', () => {
    const result = c.validateExchange({
      method: 'POST',
      path: '/orders/v0/orders/1/shipmentConfirmation',
      query: {},
      requestBody: { marketplaceId: 'ATVPDKIKX0DER', packageDetail: {} },
      status: 204,
      responseHeaders: { 'x-amzn-RequestId': 'r' },
      responseBody: undefined,
    });
    expect(result.errors.some((e) => e.includes("required property 'carrierCode'"))).toBe(true);
  });

  it('validates the bundled notification and feed examples, and rejects a broken notification', () => {
    expect(
      c.validateNotification({ notificationType: 'FEED_PROCESSING_FINISHED', payload: {} }).length,
    ).toBeGreaterThan(0);
    expect(c.validateNotification({ NotificationType: 'NOPE' })).toEqual(['unknown notification type NOPE']);
  });

  it("accepts every static sandbox example embedded in Amazon's models (VERIFIED.md: 85 in the six main APIs)", () => {
    let checked = 0;
    const failures: string[] = [];
    // The six APIs VERIFIED.md checked; Finances' own examples break its date-time format (e.g. asOfDate).
    const six = /^(orders|feeds|reports|fba-inventory|listings-items|notifications)-api-model\//;
    for (const op of c.operations.filter((o) => six.test(o.model))) {
      for (const [status, response] of Object.entries(
        op.operation.responses as Record<
          string,
          {
            schema?: unknown;
            headers?: Record<string, unknown>;
            'x-amzn-api-sandbox'?: { static?: { response?: unknown }[] };
          }
        >,
      )) {
        // 204 examples carry `{}` where the model declares no body.
        if (!response.schema) continue;
        for (const example of response['x-amzn-api-sandbox']?.static ?? []) {
          if (example.response === undefined) continue;
          const headers = Object.fromEntries(Object.keys(response.headers ?? {}).map((h) => [h, 'x']));
          const result = c.validateResponse(
            {
              method: op.method,
              path: op.template,
              query: {},
              requestBody: undefined,
              status: Number(status),
              responseHeaders: headers,
              responseBody: example.response,
            },
            op,
          );
          checked++;
          if (result.errors.length)
            failures.push(`${op.model}#${op.operationId} ${status}: ${result.errors.join('; ')}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBe(85);
  });
});
