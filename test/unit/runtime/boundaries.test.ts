import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The import-boundary rule of STYLE.md §8.1, checked on code that breaks it. */
describe('import boundaries', () => {
  const eslint = new ESLint({ cwd: ROOT });
  const lint = async (filePath: string, code: string) => {
    const [result] = await eslint.lintText(code, { filePath: `${ROOT}${filePath}` });
    return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
  };

  it('keeps core pure: no runtime, connectors, node:* or I/O libraries', async () => {
    const errors = await lint(
      'src/core/model/bad.ts',
      "import { openStore } from '../../runtime/store/store.ts';\nimport { readFileSync } from 'node:fs';\nimport pg from 'pg';\nimport { z } from 'zod';\nexport const x = [openStore, readFileSync, pg, z];\n",
    );
    expect(errors).toHaveLength(3);
    expect(errors.join('\n')).toContain('core is pure');
  });

  it('keeps runtime free of Amazon, Sage and flows, and flows free of connectors', async () => {
    expect(await lint('src/runtime/queue/bad.ts', "import { x } from '../../connectors/amazon/wire.ts';\nexport const y = x;\n")).toHaveLength(1);
    expect(await lint('src/flows/bad.ts', "import { x } from '../connectors/sage500/tables.ts';\nexport const y = x;\n")).toHaveLength(1);
    expect(await lint('src/flows/good.ts', "import type { Clock } from '../core/ports.ts';\nexport type C = Clock;\n")).toHaveLength(0);
  });
});
