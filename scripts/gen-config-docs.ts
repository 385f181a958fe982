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
    '## `connections`: the Amazon seller <-> Sage company pairs this process serves',
    '',
    'The top-level `amazon`, `sage500`, `orders`, `inventory` and `settlements` blocks below are the connection',
    '`default` (`orders.connectionId`) when there is no `connections:` list: a file written before connections existed',
    'works unedited. A `connections:` list names the connections one process serves, one entry each: `id` (lower-case',
    "letters, digits, `-` and `_`, at most 40; it becomes the entry's `orders.connectionId`, `inventory.connectionId` and",
    '`settlements.connectionId`, so each connection keeps its listing and settlement state under its own id; an explicit',
    'value that differs is refused, named by its path) and any of the blocks `amazon`, `sage500`, `orders`,',
    '`inventory`, `settlements`, each with the settings below. Every entry is a complete configuration: its blocks are',
    'merged over the top-level ones (which then hold what the connections share), the environment and flags win over both',
    'and apply to every entry. Duplicate ids, bad ids, unknown keys and bad values are refused (SB_CFG_INVALID) and',
    'named by their place in the list (`connections.1.id`, `connections.2.orders.warehouseId`). An entry whose',
    '`amazon.sellerId` differs from the top-level one does not inherit the top-level `amazon.refreshToken` (a token is',
    "one seller's consent): it gives its own, or uses the one `sellbridge connections authorize <id>` stored for it.",
    'Each connection runs its own engine in the one process: its own Amazon rate buckets (per application, seller and',
    'region), Sage gateway, watermarks, schedules, inbox entries and dead letters, its jobs keyed and dispatched by',
    'connection id. The Sage circuit is per Sage server: connections whose companies are on one server (`sqlserver`:',
    'the same host, port or named instance and database of `sage500.url`, whatever the login; `sandbox`: the same',
    '`sandboxPath` file; `agent`: never, each agent is its own) share one circuit, so the server down is learned once',
    "and probed once, and each of them waits (the first connection's `orders.sageCircuit` settings apply to it); a",
    'server down never touches another server\'s connections. The gauge `sellbridge_circuit_state{target="sage500"}`',
    "and each connection's engine status still carry every connection (`connection` label), showing its server's",
    'circuit. Connections that share an SQS queue URL share one consumer, which routes each notification by its',
    'SellerId (and marketplace). Webhooks: `POST /webhooks/amazon/<id>` (`/webhooks/amazon` is',
    '`default`, or the only connection). Connections can also be added, paused, resumed and removed while the',
    'engine runs (`sellbridge connections add|pause|resume|remove`, `/api/v1/connections`); the store keeps them.',
    "`sellbridge connections check [id]` compares a connection's order mapping (`orders.customers`, `warehouseId`,",
    '`shipMethods`, `chargeLines`, `fba`, and the TranNo prefix of an edit) and its sync side with its Sage company:',
    "the inventory warehouses (`inventory.warehouseIds`) and price sheets' warehouses (`inventory.prices`) when the",
    'inventory sync is enabled or they are set, and the settlement GL accounts (bank / clearing, per currency, rules,',
    'suspense, receivable or cash-application clearing) when settlements are enabled or their accounts are set, each',
    'problem named by its path (`inventory.warehouseIds.1`) and what Sage has. The edits stored through the',
    'admin API are laid over this file first. A connection that fails the check does not start, and its',
    'work waits with the reason (`sellbridge connections list`). Hosted mode (`sage500.kind: agent`) serves any',
    'number of connections in one process, each through its own agent (enrolled for that connection) on the one',
    "HTTP server's agent channel; an agent connection's Sage is reached only once its agent is online, so it is not",
    'checked at start or when added (its agent verifies the Sage catalog when it starts).',
    '',
    '```yaml',
    'connections:',
    '  - id: us-main',
    '    amazon: { sellerId: A1EXAMPLE, marketplaceIds: [ATVPDKIKX0DER] }',
    '    sage500: { kind: sqlserver, companyId: SOA }',
    '    orders:',
    '      customers:',
    '        ATVPDKIKX0DER: { customerId: AMAZON-US, currency: USD, warehouseId: MAIN }',
    '  - id: de',
    '    amazon: { sellerId: A2EXAMPLE, region: eu, marketplaceIds: [A1PA6795UKMFR9] }',
    '    sage500: { kind: sqlserver, companyId: SDE }',
    '    orders:',
    '      customers:',
    '        A1PA6795UKMFR9: { customerId: AMAZON-DE, currency: EUR, warehouseId: MAIN }',
    '    inventory: { warehouseIds: [MAIN], prices: { A1PA6795UKMFR9: { currency: EUR } } }',
    '    settlements: { bankClearingAccount: "1051-00", receivableAccount: "1210-00" }',
    '```',
    '',
    'The order mapping settings (`orders.customers`, `warehouseId`, `shipMethods`, `carriers`, `pricing`, `chargeLines`,',
    '`skuAliases`, `addressLines`, `addressPolicy`) and the order policies (`orders.fba`, `sage500.tranNoPrefix`,',
    '`orders.refunds`, `orders.fbaReturns`) are also editable per connection, without a restart, through the',
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
