import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  OPERATION_PRIORITY,
  SANDBOX_USAGE_PLAN,
  USAGE_PLANS,
  usagePlanFor,
} from '../../../src/connectors/amazon/sp-api/usage-plans.ts';
import {
  MARKETPLACES,
  marketplacesOutsideRegion,
  resolveEndpoint,
} from '../../../src/connectors/amazon/sp-api/regions.ts';
import { SHARED_PRESENT, SHARED_SKIP_MESSAGE, sharedPath } from '../../helpers/shared.ts';

/** The usage-plan table printed in each operation's description in Amazon's models: `| 0.5 | 30 |`. */
function modelPlans(): Map<string, { rate: number; burst: number }> {
  const plans = new Map<string, { rate: number; burst: number }>();
  const root = sharedPath('sp-api-models', 'models');
  for (const dir of readdirSync(root)) {
    for (const file of readdirSync(`${root}/${dir}`)) {
      const model = JSON.parse(readFileSync(`${root}/${dir}/${file}`, 'utf8')) as {
        paths: Record<string, Record<string, { operationId?: string; description?: string }>>;
      };
      for (const ops of Object.values(model.paths))
        for (const op of Object.values(ops)) {
          const m = op?.description && /\|\s*([\d.]+)\s*\|\s*(\d+)\s*\|/.exec(op.description);
          if (op?.operationId && m) plans.set(`${file}#${op.operationId}`, { rate: Number(m[1]), burst: Number(m[2]) });
        }
    }
  }
  return plans;
}

const FILES: Record<string, string> = {
  orders: 'orders_2026-01-01.json',
  ordersV0: 'ordersV0.json',
  tokens: 'tokens_2021-03-01.json',
  feeds: 'feeds_2021-06-30.json',
  reports: 'reports_2021-06-30.json',
  listings: 'listingsItems_2021-08-01.json',
  fbaInventory: 'fbaInventory.json',
  notifications: 'notifications.json',
  finances: 'finances_2024-06-19.json',
};
/** Operations of an API whose plan is in another model file than the API's (Finances v0 beside 2024-06-19). */
const OPERATION_FILES: Record<string, string> = {
  'finances.listFinancialEventGroups': 'financesV0.json',
};

/**
 * Operations whose model is not among the copied models (shared/sp-api-models): their plan as Amazon's published
 * API reference shows it (Product Type Definitions API 2020-09-01, getDefinitionsProductType: 5 requests per second,
 * burst 10), checked here as data so a change is deliberate. Not verified against a model file.
 */
const PLANS_WITHOUT_COPIED_MODEL: Readonly<Record<string, { rate: number; burst: number }>> = {
  'definitions.getDefinitionsProductType': { rate: 5, burst: 10 },
};

describe.skipIf(!SHARED_PRESENT)('usage plans as data', () => {
  it("every default equals the plan in Amazon's model description", () => {
    const plans = modelPlans();
    const mismatches: string[] = [];
    for (const [name, plan] of Object.entries(USAGE_PLANS)) {
      const published = PLANS_WITHOUT_COPIED_MODEL[name];
      if (published) {
        if (published.rate !== plan.rate || published.burst !== plan.burst)
          mismatches.push(`${name}: ours ${plan.rate}/${plan.burst}, published ${published.rate}/${published.burst}`);
        continue;
      }
      const [api, operationId] = name.split('.') as [string, string];
      const model = plans.get(`${OPERATION_FILES[name] ?? FILES[api]}#${operationId}`);
      if (!model) mismatches.push(`${name}: no plan in the model`);
      else if (model.rate !== plan.rate || model.burst !== plan.burst)
        mismatches.push(`${name}: ours ${plan.rate}/${plan.burst}, model ${model.rate}/${model.burst}`);
    }
    expect(mismatches).toEqual([]);
  });
});
describe.skipIf(SHARED_PRESENT)('usage plans as data', () => {
  it.skip(SHARED_SKIP_MESSAGE, () => undefined);
});

describe('usage plans, priorities and regions', () => {
  it('overrides win, then the sandbox plan, then the default; unknown operations have none', () => {
    expect(usagePlanFor('orders.getOrder')).toEqual({ rate: 0.5, burst: 30 });
    expect(usagePlanFor('orders.getOrder', { sandbox: true })).toEqual(SANDBOX_USAGE_PLAN);
    expect(usagePlanFor('orders.getOrder', { overrides: { 'orders.getOrder': { burst: 40 } } })).toEqual({
      rate: 0.5,
      burst: 40,
    });
    expect(usagePlanFor('nope.nothing')).toBeUndefined();
  });

  it('order and shipment operations are high priority, inventory and listings low', () => {
    expect(OPERATION_PRIORITY['orders.getOrder']).toBe('high');
    expect(OPERATION_PRIORITY['ordersV0.confirmShipment']).toBe('high');
    expect(OPERATION_PRIORITY['listings.patchListingsItem']).toBe('low');
    expect(OPERATION_PRIORITY['fbaInventory.getInventorySummaries']).toBe('low');
  });

  it('resolves regional, sandbox and override endpoints; spots marketplaces outside the region', () => {
    expect(resolveEndpoint({ region: 'eu' })).toBe('https://sellingpartnerapi-eu.amazon.com');
    expect(resolveEndpoint({ region: 'fe', sandbox: true })).toBe('https://sandbox.sellingpartnerapi-fe.amazon.com');
    expect(resolveEndpoint({ region: 'na', override: 'http://127.0.0.1:4567/' })).toBe('http://127.0.0.1:4567');
    // One setting for connections of several regions: each gets its region's simulator endpoint.
    expect(resolveEndpoint({ region: 'eu', override: 'http://127.0.0.1:4567/{region}' })).toBe(
      'http://127.0.0.1:4567/eu',
    );
    expect(marketplacesOutsideRegion('na', ['ATVPDKIKX0DER', 'A1PA6795UKMFR9'])).toEqual(['A1PA6795UKMFR9']);
    expect(MARKETPLACES['A1VC38T7YXB528']).toEqual({ country: 'JP', region: 'fe' });
  });
});
