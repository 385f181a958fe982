import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type Runtime } from '../../../src/bootstrap/index.ts';
import { checkConnection } from '../../../src/bootstrap/connection-check.ts';
import { prefixHolder } from '../../../src/bootstrap/tran-no-prefixes.ts';
import type { ResolvedConfig } from '../../../src/config/schema.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { createLogger } from '../../../src/observability/logger.ts';

/**
 * Each connection keeps its own TranNo counter, so a TranNo prefix is one connection's per Sage company (server and
 * CompanyID): a sellbridge.yaml connection that repeats an earlier one's prefix in the same company does not start
 * (its reason names sage500.tranNoPrefix), while the same prefix in another company or on another server is free.
 * The API's refusals (a new connection, an order-policies edit) are in three-connections.test.ts.
 */
const US = 'ATVPDKIKX0DER';
let dir: string;
let runtime: Runtime;
let config: ResolvedConfig;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sb-tranno-prefixes-'));
  const seller = (i: number) => `{ sellerId: A1PREFIX${i}, refreshToken: "Atzr|p${i}", marketplaceIds: [${US}] }`;
  const file = join(dir, 'sellbridge.yaml');
  writeFileSync(
    file,
    `
store: { url: "sqlite:${join(dir, 'sellbridge.db')}" }
amazon: { endpoint: "http://127.0.0.1:9", lwaEndpoint: "http://127.0.0.1:9/auth/o2/token", lwaClientId: c, lwaClientSecret: s }
sage500: { kind: sandbox, sandboxPath: ${join(dir, 'one.db')}, warehouseSimulator: { enabled: false } }
orders: { poll: { enabled: false }, shipmentPollEveryMs: 3600000 }
connections:
  - { id: first, amazon: ${seller(1)} }
  - { id: second, amazon: ${seller(2)} }
  - { id: de, amazon: ${seller(3)}, sage500: { companyId: SDE } }
  - { id: elsewhere, amazon: ${seller(4)}, sage500: { sandboxPath: ${join(dir, 'two.db')} } }
`,
  );
  config = loadConfig({ file, env: {} });
  runtime = await createRuntime(config, {
    role: 'worker',
    logger: createLogger({ level: 'silent', format: 'json' }),
  });
  await runtime.start();
}, 60_000);

afterAll(async () => {
  await runtime?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('TranNo prefixes: one connection per prefix and Sage company', () => {
  it('a sellbridge.yaml connection repeating an earlier prefix in the same company does not start, with the reason', async () => {
    const states = Object.fromEntries((await runtime.connections.list()).map((c) => [c.id, [c.state, c.reason]]));
    expect(states['first']).toEqual(['active', null]);
    expect(states['de']).toEqual(['active', null]); // same server, another company
    expect(states['elsewhere']).toEqual(['active', null]); // another server
    expect(states['second']![0]).toBe('failed');
    expect(states['second']![1]).toContain('sage500.tranNoPrefix: TranNo prefix AZ is connection first');
    expect(runtime.connections.current('second')!.running).toBe(false);
  });

  it('tells who holds a prefix in a connection’s company (a failed connection holds none)', async () => {
    expect(await runtime.connections.tranNoPrefixHolder('second', 'AZ')).toBe('first');
    expect(await runtime.connections.tranNoPrefixHolder('first', 'AZ')).toBeUndefined();
    expect(await runtime.connections.tranNoPrefixHolder('first', 'az')).toBeUndefined();
    expect(await runtime.connections.tranNoPrefixHolder('de', 'AZ')).toBeUndefined();
  });

  it('`connections check` names the same problem for the connection that would not start', async () => {
    const second = await checkConnection(config, 'second');
    expect(second.check.ok).toBe(false);
    expect(second.check.problems).toContainEqual(
      expect.objectContaining({ path: 'sage500.tranNoPrefix', value: 'AZ', severity: 'error' }),
    );
    expect(second.lines.join('\n')).toContain('TranNo prefix AZ is connection first');
    for (const id of ['first', 'de', 'elsewhere'])
      expect((await checkConnection(config, id)).check.problems.map((p) => p.path)).not.toContain(
        'sage500.tranNoPrefix',
      );
  });

  it('prefixHolder compares prefixes without case and ignores the asking connection', () => {
    const held = [
      { id: 'a', company: 'sandbox:/x.db#SOA', prefix: 'AZ' },
      { id: 'b', company: 'sandbox:/x.db#SDE', prefix: 'AZ' },
    ];
    expect(prefixHolder(held, 'c', 'sandbox:/x.db#SOA', 'az')).toBe('a');
    expect(prefixHolder(held, 'a', 'sandbox:/x.db#SOA', 'AZ')).toBeUndefined();
    expect(prefixHolder(held, 'c', 'sandbox:/y.db#SOA', 'AZ')).toBeUndefined();
  });
});
