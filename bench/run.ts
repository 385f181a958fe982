// `npm run bench -- <name> [args]` runs bench/<name>.ts in its own process and passes the args on.
// Benchmarks print figures and ratios; they never fail on timings.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const available = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  .map((f) => f.slice(0, -3))
  .sort();
const [name, ...args] = process.argv.slice(2);
if (!name || name === '--help' || !existsSync(`${dir}${name}.ts`)) {
  console.log(`usage: npm run bench -- <name> [args]\navailable: ${available.join(', ')}`);
  process.exit(name && name !== '--help' ? 2 : 0);
}
const result = spawnSync(process.execPath, [`${dir}${name}.ts`, ...args], { stdio: 'inherit' });
process.exit(result.status ?? 1);
