import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerOrders } from '../../../src/bootstrap/orders.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { createSandboxGateway, type SandboxGateway } from '../../../src/connectors/sage500/sandbox-gateway.ts';
import type { AmazonMarketplace } from '../../../src/core/ports/amazon-marketplace.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { createMetrics } from '../../../src/observability/metrics.ts';
import { systemClock } from '../../../src/runtime/clock.ts';
import { createInbox } from '../../../src/runtime/inbox/inbox.ts';
import type { JobHandler, JobQueue } from '../../../src/runtime/queue/job-queue.ts';
import type { Store } from '../../../src/runtime/store/store.ts';
import { freshStore } from '../../helpers/queue-env.ts';
import { anOrder } from '../../unit/flows/fakes.ts';

/**
 * What one imported order costs the store: every statement the order.sync handler sends (through the wiring, as
 * `sellbridge run` registers it) is counted by a Kysely plugin on the store's connection (BEGIN/COMMIT are not
 * statements and are not counted). The same test on b3c08eb, before the link was threaded through the flow and
 * written with UPDATE ... RETURNING, counted 21; 13 after that, 12 since the TranNo is claimed with one upsert
 * (issue 15), and 13 again since the Amazon version the Sage order was made from is recorded (one upsert into
 * order_changes, so a later change of the order is compared with it). The bound fails the test if that grows.
 */
const MAX_STATEMENTS_PER_IMPORTED_ORDER = 13;

/** The store with every executed statement counted (transactions included: they run on the same plugin). */
function countingStore(store: Store): { store: Store; statements: () => number } {
  let n = 0;
  const plugin: KyselyPlugin = {
    transformQuery: (args) => args.node,
    transformResult: async (args) => {
      n++;
      return args.result;
    },
  };
  const db = store.db.withPlugin(plugin);
  return { store: { ...store, db, transaction: (work) => db.transaction().execute(work) }, statements: () => n };
}

const dir = mkdtempSync(join(tmpdir(), 'sb-round-trips-'));
let base: Store;
let sage: SandboxGateway;

beforeAll(async () => {
  base = await freshStore('sqlite', 'round-trips');
  sage = await createSandboxGateway({ path: join(dir, 'sage.db') });
});

afterAll(async () => {
  await sage.close();
  await base.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('store round trips of one imported order', () => {
  it(`creates the Sage order with at most ${MAX_STATEMENTS_PER_IMPORTED_ORDER} store statements`, async () => {
    const counted = countingStore(base);
    const handlers = new Map<string, JobHandler>();
    const queue = {
      register: (name: string, handler: JobHandler) => void handlers.set(name, handler),
      enqueue: async () => ({ id: 'x', deduplicated: false }),
    } as unknown as JobQueue;
    const order = anOrder({ id: '111-9000001-0000001' });
    const amazon = { getOrder: async () => order } as unknown as AmazonMarketplace;
    const config = loadConfig({ file: '/dev/null', overrides: [] });
    registerOrders({
      config,
      store: counted.store,
      clock: systemClock,
      logger: createLogger({ level: 'silent', format: 'json' }),
      metrics: createMetrics({ defaultMetrics: false }),
      queue,
      scheduler: { add: () => undefined } as never,
      inbox: createInbox(counted.store, systemClock),
      amazon,
      sage,
    });
    const before = counted.statements();
    const outcome = await handlers.get('order.sync')!(
      { connectionId: config.orders.connectionId, amazonOrderId: order.id },
      { attempt: 1 } as never,
    );
    const statements = counted.statements() - before;
    expect(outcome).toMatchObject({ kind: 'created' });
    console.log(`store statements for one imported order: ${statements}`);
    expect(statements).toBeLessThanOrEqual(MAX_STATEMENTS_PER_IMPORTED_ORDER);
  });
});
