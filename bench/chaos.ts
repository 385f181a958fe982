// npm run bench -- chaos [--orders 5000] [--kills 50] [--workers 3] [--scale 10] [--store both|sqlite|postgres] [--bad-sku-rate 0.02] [--seed 13]
// The chaos run of issue 13 (test/integration/orders-e2e/chaos.ts) at full size: N orders through W worker processes
// and the API process (`sellbridge run --role api`, webhook), K SIGKILLs spread over them, every notification three
// times out of order, 10% 429 and 20% 5xx from the simulator, Amazon unreachable for 3 minutes and Sage for 5, both
// divided by --scale (wall time), then drain. Prints what was lost or doubled and the time to drain; every count
// should be 0 and the only dead letters the planted bad SKUs. PostgreSQL at SELLBRIDGE_TEST_PG_URL when reachable.
import { parseArgs } from 'node:util';
import { pgAvailable, type StoreKind } from '../test/helpers/queue-env.ts';
import { formatChaosReport, runChaos } from '../test/integration/orders-e2e/chaos.ts';

const { values } = parseArgs({
  options: {
    orders: { type: 'string', default: '5000' },
    kills: { type: 'string', default: '50' },
    workers: { type: 'string', default: '3' },
    scale: { type: 'string', default: '10' },
    store: { type: 'string', default: 'both' },
    'bad-sku-rate': { type: 'string', default: '0.02' },
    seed: { type: 'string', default: '13' },
    'drain-timeout-s': { type: 'string', default: '3600' },
  },
});
const N = Number(values.orders);
const scale = Number(values.scale);
const MINUTE = 60_000;
const stores: StoreKind[] = values.store === 'both' ? ['sqlite', 'postgres'] : [values.store as StoreKind];

for (const kind of stores) {
  if (kind === 'postgres' && !(await pgAvailable())) {
    console.log('PostgreSQL not reachable at SELLBRIDGE_TEST_PG_URL: skipping it');
    continue;
  }
  const started = Date.now();
  const report = await runChaos({
    kind,
    name: `bench-chaos-${kind}`,
    orders: N,
    workers: Number(values.workers),
    kills: Number(values.kills),
    seed: Number(values.seed),
    badSkuRate: Number(values['bad-sku-rate']),
    timeScale: 500,
    amazonOutage: { minMs: (3 * MINUTE) / scale, minRefused: 1 },
    sageOutage: { minMs: (5 * MINUTE) / scale, minRefused: 1 },
    drainTimeoutMs: Number(values['drain-timeout-s']) * 1000,
    trace: (what) => console.log(`[chaos ${kind} ${((Date.now() - started) / 1000).toFixed(0)} s] ${what}`),
  });
  console.log(
    `\nchaos: ${N} orders, ${values.workers} worker processes + the API process, ${values.kills} SIGKILLs, notifications x3 shuffled, 10% 429 / 20% 5xx, ` +
      `Amazon down ${((3 * MINUTE) / scale / 1000).toFixed(0)} s and Sage down ${((5 * MINUTE) / scale / 1000).toFixed(0)} s (3 and 5 minutes / ${scale})`,
  );
  console.log(formatChaosReport(report));
}
