// Generates docs/configuration.md and docs/errors.md from the config schema and the error catalogue.
// `--check` fails (exit 1) when a committed file differs from what would be generated.
import { readFileSync, writeFileSync } from 'node:fs';
import { CONFIG_LEAVES, CONFIG_SECTIONS } from '../src/config/introspect.ts';
import { ERROR_CATALOGUE } from '../src/core/errors.ts';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function configurationMd(): string {
  const out = [
    '# Configuration',
    '',
    '<!-- Generated from src/config/schema.ts by `npm run docs:gen`. Do not edit; `npm run docs:check` fails when stale. -->',
    '',
    'Sources, later wins: defaults < `sellbridge.yaml` (or `--config <file>`) < `SELLBRIDGE_*` environment < flags',
    '(`--set path=value`, `--store <url>`). `sellbridge init` writes a commented sample; `sellbridge config check`',
    'validates and lists every problem at once. Secrets are never printed: `sellbridge config print` redacts them.',
    '',
    '## `connections`: the Amazon seller <-> Sage company pair this process serves',
    '',
    'The top-level `amazon`, `sage500` and `orders` blocks below are the connection `default` (`orders.connectionId`).',
    'The same connection may be written as a `connections:` list of one entry: `id` (lower-case letters, digits, `-`',
    'and `_`; it becomes `orders.connectionId`) and any of the blocks `amazon`, `sage500`, `orders`, each with the',
    "settings below; the entry's values win over the top-level blocks, the environment and flags win over both. More",
    'than one entry is refused (SB_CFG_INVALID): several connections in one process are not supported yet, so run one',
    'process, with its own file and store, per connection. `sellbridge connections check [id]` compares the',
    "connection's order mapping (`orders.customers`, `warehouseId`, `shipMethods`, `chargeLines`, `fba`) with its Sage",
    'company; `sellbridge run` does it at start and refuses to start on an error.',
    '',
    '```yaml',
    'connections:',
    '  - id: us-main',
    '    amazon: { sellerId: A1EXAMPLE, marketplaceIds: [ATVPDKIKX0DER] }',
    '    sage500: { kind: sqlserver, companyId: SOA }',
    '    orders:',
    '      customers:',
    '        ATVPDKIKX0DER: { customerId: AMAZON-US, currency: USD, warehouseId: MAIN }',
    '```',
    '',
    'The order mapping settings (`orders.customers`, `warehouseId`, `shipMethods`, `carriers`, `pricing`, `chargeLines`,',
    '`skuAliases`, `addressLines`, `addressPolicy`) are also editable per connection, without a restart, through the',
    'admin API (`/api/v1/connections/<id>/mappings/<kind>`, JSON or CSV) and the dashboard; each edit is checked against',
    'the Sage company before it is stored, audited, and laid over what this file sets (docs/admin-api.md, "A',
    'connection\'s order mapping"). An empty edit returns a kind to this file.',
    '',
  ];
  for (const section of CONFIG_SECTIONS) {
    out.push(
      `## \`${section.key}\`: ${section.description}`,
      '',
      '| Setting | Environment | Default | Description |',
      '| --- | --- | --- | --- |',
    );
    for (const leaf of CONFIG_LEAVES.filter((l) => l.path[0] === section.key)) {
      const def = leaf.default === undefined ? '(none)' : `\`${JSON.stringify(leaf.default)}\``;
      const values = leaf.enum ? ` One of: ${leaf.enum.map((v) => `\`${String(v)}\``).join(', ')}.` : '';
      out.push(
        `| \`${leaf.path.join('.')}\` | \`${leaf.env}\` | ${def} | ${cell(leaf.description)}.${values}${leaf.secret ? ' **Secret.**' : ''} |`,
      );
    }
    out.push('');
  }
  return out.join('\n');
}

function errorsMd(): string {
  const out = [
    '# Error codes',
    '',
    '<!-- Generated from ERROR_CATALOGUE in src/core/errors.ts by `npm run docs:gen`. Do not edit. -->',
    '',
    'Every error Sellbridge raises on purpose carries one of these codes. The kind decides what the job queue does:',
    '`validation` and `mapping` go to the dead-letter queue at once; `transient` and `internal` are retried with',
    'backoff, then dead-lettered; `throttled` and `unavailable` wait and run again without spending an attempt;',
    '`config` stops the program at start-up.',
    '',
    '| Code | Kind | Meaning | How to fix |',
    '| --- | --- | --- | --- |',
  ];
  for (const [code, e] of Object.entries(ERROR_CATALOGUE).sort(([a], [b]) => a.localeCompare(b))) {
    out.push(`| \`${code}\` | ${e.kind} | ${cell(e.meaning)} | ${cell(e.fix)} |`);
  }
  out.push('');
  return out.join('\n');
}

const files: Record<string, string> = { 'docs/configuration.md': configurationMd(), 'docs/errors.md': errorsMd() };
const check = process.argv.includes('--check');
let stale = 0;
for (const [path, text] of Object.entries(files)) {
  if (check) {
    let current = '';
    try {
      current = readFileSync(path, 'utf8');
    } catch {
      /* missing counts as stale */
    }
    if (current !== text) {
      console.error(`${path} is stale: run \`npm run docs:gen\` and commit the result`);
      stale++;
    }
  } else {
    writeFileSync(path, text);
    console.log(`wrote ${path}`);
  }
}
process.exit(stale ? 1 : 0);
