import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mappingRulesFromConfig } from '../../../src/bootstrap/mapping.ts';
import { ConfigError, connectionConfigs, loadConfig } from '../../../src/config/load.ts';

function yamlFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sb-connections-'));
  const path = join(dir, 'sellbridge.yaml');
  writeFileSync(path, text);
  return path;
}

function problems(file: string, env: Record<string, string> = {}) {
  try {
    loadConfig({ file, env });
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

const ONE = `
jobs: { concurrency: 2 }
sage500:
  tranNoPrefix: AZ
  userId: shared
connections:
  - id: us-main
    amazon:
      sellerId: A1SELLER
      marketplaceIds: [ATVPDKIKX0DER]
    sage500:
      kind: sandbox
      companyId: US1
    orders:
      customers:
        ATVPDKIKX0DER: { customerId: SHOP-US, currency: USD }
      warehouseId: DALLAS
`;

describe('a connections: list in sellbridge.yaml (issue 21)', () => {
  it('one entry carries the id and the amazon, sage500 and orders blocks; the top-level ones fill the rest', () => {
    const config = loadConfig({ file: yamlFile(ONE), env: {} });
    expect(config.orders.connectionId).toBe('us-main');
    expect(config.sage500.companyId).toBe('US1');
    expect(config.sage500.kind).toBe('sandbox');
    expect(config.sage500.userId).toBe('shared'); // top-level value the entry does not set
    expect(config.amazon.marketplaceIds).toEqual(['ATVPDKIKX0DER']);
    expect(config.jobs.concurrency).toBe(2);
    const rules = mappingRulesFromConfig(config.orders);
    expect(rules.customers).toEqual({ ATVPDKIKX0DER: { customerId: 'SHOP-US', currency: 'USD' } });
    expect(rules.warehouseId).toBe('DALLAS');
  });

  it('the environment still wins over the entry', () => {
    const config = loadConfig({ file: yamlFile(ONE), env: { SELLBRIDGE_SAGE500_COMPANY_ID: 'ENV' } });
    expect(config.sage500.companyId).toBe('ENV');
  });

  it('without a list the top-level blocks are the connection default, as before', () => {
    const config = loadConfig({ file: yamlFile('sage500:\n  companyId: SOA\n'), env: {} });
    expect(config.orders.connectionId).toBe('default');
  });

  it('several entries: one complete configuration per connection, the first is the process own', () => {
    const config = loadConfig({
      file: yamlFile(`
jobs: { concurrency: 3 }
sage500: { userId: shared }
connections:
  - id: us
    amazon: { sellerId: A1US, marketplaceIds: [ATVPDKIKX0DER] }
    sage500: { companyId: US1 }
  - id: eu
    amazon: { sellerId: A1EU, region: eu, marketplaceIds: [A1PA6795UKMFR9] }
    sage500: { companyId: EU1 }
    orders:
      customers:
        A1PA6795UKMFR9: { customerId: AMAZON-DE, currency: EUR }
`),
      env: {},
    });
    const all = connectionConfigs(config);
    expect(all.map((c) => c.orders.connectionId)).toEqual(['us', 'eu']);
    expect(all[0]).toBe(config);
    expect(all.map((c) => c.sage500.companyId)).toEqual(['US1', 'EU1']);
    expect(all.map((c) => c.amazon.sellerId)).toEqual(['A1US', 'A1EU']);
    expect(all[1]!.amazon.region).toBe('eu');
    expect(all.map((c) => c.sage500.userId)).toEqual(['shared', 'shared']);
    expect(all[1]!.jobs.concurrency).toBe(3);
    expect(mappingRulesFromConfig(all[1]!.orders).customers).toEqual({
      A1PA6795UKMFR9: { customerId: 'AMAZON-DE', currency: 'EUR' },
    });
  });

  it("a connection of another seller never inherits the top-level refresh token (one seller's consent)", () => {
    const config = loadConfig({
      file: yamlFile(`
amazon: { sellerId: A1US, refreshToken: "Atzr|us-token", marketplaceIds: [ATVPDKIKX0DER] }
connections:
  - id: us
  - id: us-ca
    amazon: { sellerId: A1US, marketplaceIds: [A2EUQ1WTGCTBG2] }
  - id: eu
    amazon: { sellerId: A1EU, region: eu, marketplaceIds: [A1PA6795UKMFR9] }
  - id: eu2
    amazon: { sellerId: A1EU2, refreshToken: "Atzr|eu2-token", marketplaceIds: [A1PA6795UKMFR9] }
`),
      env: {},
    });
    const tokens = Object.fromEntries(
      connectionConfigs(config).map((c) => [c.orders.connectionId, c.amazon.refreshToken]),
    );
    // The same seller keeps it; another seller has its own or none (then the one `connections authorize` stored).
    expect(tokens).toEqual({ us: 'Atzr|us-token', 'us-ca': 'Atzr|us-token', eu: undefined, eu2: 'Atzr|eu2-token' });
  });

  it('without a list there is one connection, default', () => {
    const config = loadConfig({ file: yamlFile('sage500:\n  companyId: SOA\n'), env: {} });
    expect(connectionConfigs(config).map((c) => c.orders.connectionId)).toEqual(['default']);
  });

  it('names duplicate ids, bad ids, unknown keys and bad values by their place in the list', () => {
    const err = problems(
      yamlFile(`
connections:
  - id: us
    sage500: { companyId: US1 }
  - id: us
    sage500: { companyId: EU1 }
  - id: Bad Id
  - id: eu
    inventory: []
  - id: de
    orders: { warehouseId: TOOLONGWH }
`),
    );
    expect(err.problems.map((p) => p.path).sort()).toEqual([
      'connections.1.id',
      'connections.2.id',
      'connections.3.inventory',
      'connections.4.orders.warehouseId',
    ]);
    expect(err.problems.find((p) => p.path === 'connections.1.id')!.message).toContain('duplicate connection id');
  });

  it('names a bad entry: no id, an unknown block, a contradicting connectionId', () => {
    const err = problems(
      yamlFile(`
orders: { connectionId: other }
connections:
  - pricing: {}
    sage500: { companyId: US1 }
`),
    );
    expect(err.problems.map((p) => p.path).sort()).toEqual([
      'connections.0.id',
      'connections.0.pricing',
      'orders.connectionId',
    ]);
  });

  it('a bad value inside the entry is reported with its path and that it came from the entry', () => {
    const err = problems(
      yamlFile(`
connections:
  - id: us-main
    orders:
      warehouseId: TOOLONGWH
`),
    );
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]!.path).toBe('connections.0.orders.warehouseId');
    expect(err.problems[0]!.source).toContain('connections entry us-main');
  });

  it('an entry carries inventory and settlements blocks too, merged over the top-level ones', () => {
    const config = loadConfig({
      file: yamlFile(`
inventory: { safetyStock: 2, warehouseIds: [MAIN] }
settlements: { bankClearingAccount: "1050-00", receivableAccount: "1200-00" }
connections:
  - id: us
  - id: eu
    inventory: { warehouseIds: [EUWH], exposePercent: 50 }
    settlements: { bankClearingAccount: "1051-00", enabled: true }
`),
      env: {},
    });
    const [us, eu] = connectionConfigs(config);
    expect(us!.inventory.warehouseIds).toEqual(['MAIN']);
    expect(eu!.inventory.warehouseIds).toEqual(['EUWH']);
    expect(eu!.inventory.exposePercent).toBe(50);
    expect(eu!.inventory.safetyStock).toBe(2); // top-level value the entry does not set
    expect(us!.settlements.bankClearingAccount).toBe('1050-00');
    expect(eu!.settlements.bankClearingAccount).toBe('1051-00');
    expect(eu!.settlements.enabled).toBe(true);
    expect(us!.settlements.enabled).toBe(false);
    expect(eu!.settlements.receivableAccount).toBe('1200-00');
  });

  it("each entry's inventory and settlements state is kept under the entry's id, not under default", () => {
    const config = loadConfig({
      file: yamlFile(`
connections:
  - id: us
  - id: eu
    inventory: { connectionId: eu }
`),
      env: {},
    });
    const all = connectionConfigs(config);
    expect(all.map((c) => c.inventory.connectionId)).toEqual(['us', 'eu']);
    expect(all.map((c) => c.settlements.connectionId)).toEqual(['us', 'eu']);
  });

  it('without a list inventory stays under default and settlements follow orders.connectionId, as before', () => {
    const config = loadConfig({ file: yamlFile('sage500:\n  companyId: SOA\n'), env: {} });
    expect(config.inventory.connectionId).toBe('default');
    expect(config.settlements.connectionId).toBeUndefined();
  });

  it('a contradicting inventory or settlements connectionId is named by its path', () => {
    const err = problems(
      yamlFile(`
inventory: { connectionId: us }
connections:
  - id: us
    settlements: { connectionId: other }
  - id: eu
    inventory: { connectionId: eu }
    settlements: { connectionId: us }
`),
    );
    const paths = err.problems.map((p) => p.path).sort();
    expect(paths).toEqual([
      'connections.0.settlements.connectionId',
      'connections.1.settlements.connectionId',
      'inventory.connectionId',
    ]);
    const top = err.problems.find((p) => p.path === 'inventory.connectionId')!;
    expect(top.message).toContain('contradicts connections.1.id');
    expect(top.received).toBe('"us"');
  });
});
