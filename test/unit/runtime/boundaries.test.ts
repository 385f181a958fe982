import { ESLint } from 'eslint';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Which layer may import which, written out as the grid of docs/architecture.md: row = importing layer, column =
 * imported layer, `x` = allowed (a layer always imports itself). Every pair is linted below, so the lint rule and
 * this grid cannot drift apart, and a new folder under src fails until it has a row.
 */
const COLUMNS = [
  'core',
  'flows',
  'config',
  'observability',
  'runtime',
  'connectors/amazon',
  'connectors/sage500',
  'connectors/store',
  'simulator',
  'server',
  'bootstrap',
  'demo',
  'cli',
] as const;
const GRID: Record<(typeof COLUMNS)[number], string> = {
  //                    core flows config obs runtime amazon sage500 store simulator server bootstrap demo cli
  core: /*             */ 'x    .     .      .   .       .      .       .     .         .      .         .    .',
  flows: /*            */ 'x    x     .      .   .       .      .       .     .         .      .         .    .',
  config: /*           */ 'x    .     x      .   .       .      .       .     .         .      .         .    .',
  observability: /*    */ 'x    .     .      x   .       .      .       .     .         .      .         .    .',
  runtime: /*          */ 'x    .     .      x   x       .      .       .     .         .      .         .    .',
  'connectors/amazon': /**/ 'x    .     x      x   x       x      .       .     .         .      .         .    .',
  'connectors/sage500': /* */ 'x    .     x      x   x       .      x       .     .         .      .         .    .',
  'connectors/store': /* */ 'x    .     .      .   x       .      .       x     .         .      .         .    .',
  simulator: /*        */ '.    .     .      .   .       .      .       .     x         .      .         .    .',
  server: /*           */ 'x    x     x      x   x       x      .       x     .         x      .         .    .',
  bootstrap: /*        */ 'x    x     x      x   x       x      x       x     .         x      x         .    .',
  demo: /*             */ 'x    x     x      x   x       x      x       x     x         x      x         x    .',
  cli: /*              */ 'x    x     x      x   x       x      x       x     x         x      x         x    x',
};
const allowed = (from: (typeof COLUMNS)[number], to: (typeof COLUMNS)[number]) =>
  GRID[from].split(/\s+/)[COLUMNS.indexOf(to)] === 'x';

describe('import boundaries', () => {
  const eslint = new ESLint({ cwd: ROOT });
  const lint = async (filePath: string, code: string) => {
    const [result] = await eslint.lintText(code, { filePath: `${ROOT}${filePath}` });
    return result!.messages
      .filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'sellbridge/layers')
      .map((m) => m.message);
  };

  it('has a row for every folder under src and src/connectors', () => {
    const dirs = (p: string) =>
      readdirSync(`${ROOT}${p}`, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name);
    const folders = [
      ...dirs('src').filter((d) => d !== 'connectors'),
      ...dirs('src/connectors').map((d) => `connectors/${d}`),
    ];
    expect(folders.sort()).toEqual([...COLUMNS].sort());
  });

  it('lints every (from, to) layer pair: an import is an error exactly when the grid forbids it', async () => {
    const wrong: string[] = [];
    for (const from of COLUMNS) {
      for (const to of COLUMNS) {
        const depth = from.split('/').length;
        const errors = await lint(
          `src/${from}/probe.ts`,
          `import { x } from '${'../'.repeat(depth)}${to}/probe-target.ts';\nexport const y = x;\n`,
        );
        const expected = allowed(from, to) ? 0 : 1;
        if (errors.length !== expected) wrong.push(`${from} -> ${to}: ${errors.length} error(s), expected ${expected}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('only bootstrap, cli and demo may import bootstrap', async () => {
    const importers = COLUMNS.filter((from) => allowed(from, 'bootstrap'));
    expect(importers).toEqual(['bootstrap', 'demo', 'cli']);
    expect(
      await lint(
        'src/server/routes/probe.ts',
        "import { createRuntime } from '../../bootstrap/index.ts';\nexport const y = createRuntime;\n",
      ),
    ).toHaveLength(1);
    expect(
      await lint(
        'src/flows/probe.ts',
        "import { registerOrders } from '../bootstrap/orders.ts';\nexport const y = registerOrders;\n",
      ),
    ).toHaveLength(1);
    expect(
      await lint(
        'src/cli/commands/probe.ts',
        "import { createRuntime } from '../../bootstrap/index.ts';\nexport const y = createRuntime;\n",
      ),
    ).toHaveLength(0);
  });

  it('keeps Sellbridge tables behind the store connector: flows, core and runtime cannot reach connectors/store', async () => {
    expect(
      await lint(
        'src/flows/probe.ts',
        "import { storeOrderLinks } from '../connectors/store/order-links.ts';\nexport const y = storeOrderLinks;\n",
      ),
    ).toHaveLength(1);
    expect(
      await lint(
        'src/runtime/pii/probe.ts',
        "import { storeOrderStates } from '../../connectors/store/order-links.ts';\nexport const y = storeOrderStates;\n",
      ),
    ).toHaveLength(1);
    expect(
      await lint(
        'src/connectors/store/probe.ts',
        "import { syncOrder } from '../../flows/sync-order.ts';\nexport const y = syncOrder;\n",
      ),
    ).toHaveLength(1);
    // A sibling connector, reached with a short relative path, is still another layer.
    expect(
      await lint(
        'src/connectors/amazon/probe.ts',
        "import { storeWatermarks } from '../store/watermarks.ts';\nexport const y = storeWatermarks;\n",
      ),
    ).toHaveLength(1);
  });

  it('flags a file in a folder the table does not name', async () => {
    expect(
      (await lint('src/app/probe.ts', "import { x } from '../core/errors.ts';\nexport const y = x;\n")).join('\n'),
    ).toContain('not in the layer table');
  });

  it('keeps core pure: no runtime, connectors, node:* or I/O libraries', async () => {
    const errors = await lint(
      'src/core/model/bad.ts',
      "import { openStore } from '../../runtime/store/store.ts';\nimport { readFileSync } from 'node:fs';\nimport pg from 'pg';\nimport { z } from 'zod';\nexport const x = [openStore, readFileSync, pg, z];\n",
    );
    expect(errors).toHaveLength(3);
    expect(errors.join('\n')).toContain('core is pure');
  });

  it('keeps runtime free of Amazon, Sage and flows, and flows free of connectors', async () => {
    expect(
      await lint(
        'src/runtime/queue/bad.ts',
        "import { x } from '../../connectors/amazon/wire.ts';\nexport const y = x;\n",
      ),
    ).toHaveLength(1);
    expect(
      await lint('src/flows/bad.ts', "import { x } from '../connectors/sage500/tables.ts';\nexport const y = x;\n"),
    ).toHaveLength(1);
    expect(
      await lint('src/flows/good.ts', "import type { Clock } from '../core/ports/clock.ts';\nexport type C = Clock;\n"),
    ).toHaveLength(0);
  });
});
