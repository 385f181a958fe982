import type { Command } from 'commander';
import type { Runtime } from '../../bootstrap/index.ts';
import { moneyToDecimal } from '../../core/model/money.ts';
import type { InventoryFlowDeps, SyncScope } from '../../flows/inventory.ts';
import type { CliContext } from '../context.ts';
import { formatTable } from '../format.ts';

/**
 * `sellbridge inventory ...`: sync quantities (dry run shows what Amazon would show per SKU), reconcile
 * Sage with Amazon (CSV + JSON report with the likely cause of each difference, `--fix` sends corrections), and
 * the SKU links the sync works on. `prices sync` (prices.ts) shares `runListingSyncCommand`.
 */
export function registerInventoryCommands(program: Command, ctx: CliContext): void {
  const inventory = program
    .command('inventory')
    .description('inventory sync to Amazon listings (Feeds API), reconciliation and SKU links')
    .addHelpText(
      'after',
      `
Examples:
  sellbridge inventory link WIDGET-RED-US WIDGET-RED            the Amazon SKU draws on Sage item WIDGET-RED
  sellbridge inventory links import links.csv                   sku,itemId[,marketplaceId,productType,fulfillment]
  sellbridge inventory sync --dry-run                           what Amazon would show per changed SKU; nothing sent
  sellbridge inventory sync --wait                              send the changes and follow the feeds to the end
  sellbridge inventory reconcile --out reports                  Sage vs Amazon, CSV + JSON with likely causes
  sellbridge inventory reconcile --fix                          and send the rule quantity where that is the fix
  sellbridge inventory attributes                               mapped attributes checked by Amazon (VALIDATION_PREVIEW)

Rules (safety stock, expose %, caps, per-SKU overrides, warehouses) are in the config section \`inventory\`.`,
    );

  inventory
    .command('sync')
    .description('send quantity changes (Sage available after the rules, vs the last quantity sent) to Amazon')
    .option(
      '--dry-run',
      'show what Amazon would show for each changed SKU and the feeds that would be built; send nothing',
    )
    .option('--all', 'with --dry-run: list every SKU, not only the changed ones')
    .option(
      '--wait',
      'after building the feeds, submit and follow them here until Amazon finished (otherwise the worker does)',
    )
    .option('--connection <id>', 'connection id (default: inventory.connectionId)')
    .option('--json', 'print JSON')
    .action(async (opts: SyncOptions, cmd: Command) => runListingSyncCommand(ctx, cmd, 'quantity', opts));

  inventory
    .command('reconcile')
    .description(
      'compare Sage available with Amazon (Listings for MFN; for FBA what the FBA availability notifications stored, or FBA inventory read now where none were); report each difference with its likely cause',
    )
    .option('--fix', 'send the rule quantity again for every difference where that is the correction')
    .option('--out <dir>', 'directory for reconcile-<time>.csv and .json', 'reports')
    .option('--connection <id>', 'connection id (default: inventory.connectionId)')
    .option('--json', 'print the report as JSON')
    .action(async (opts: { fix?: boolean; out: string; connection?: string; json?: boolean }, cmd: Command) =>
      withInventory(ctx, cmd, opts.connection, async ({ deps, connectionId }) => {
        const { reconcileListings } = await import('../../flows/inventory-reconcile.ts');
        const { discrepanciesCsv } = await import('../../core/transform/inventory-reconcile.ts');
        const { mkdirSync, writeFileSync } = await import('node:fs');
        const { join } = await import('node:path');
        const report = await reconcileListings({ connectionId, ...(opts.fix ? { fix: true } : {}) }, deps);
        mkdirSync(opts.out, { recursive: true });
        const stamp = deps.clock.now().toISOString().replace(/[:.]/g, '-');
        const csv = join(opts.out, `reconcile-${stamp}.csv`);
        const json = join(opts.out, `reconcile-${stamp}.json`);
        writeFileSync(csv, discrepanciesCsv(report.discrepancies));
        writeFileSync(json, JSON.stringify({ connectionId, at: deps.clock.now().toISOString(), ...report }, null, 2));
        if (opts.json) return ctx.stdout(JSON.stringify(report, null, 2));
        ctx.stdout(`checked ${report.checked} SKUs: ${report.matching} match, ${report.discrepancies.length} differ`);
        for (const [cause, n] of Object.entries(report.byCause)) ctx.stdout(`  ${cause}: ${n}`);
        for (const [marketplaceId, source] of Object.entries(report.fbaSources))
          ctx.stdout(
            `  FBA quantities of ${marketplaceId}: ${source === 'notified' ? 'as the FBA availability notifications last reported them' : 'read from Amazon now (no FBA availability notification stored)'}`,
          );
        if (report.discrepancies.length)
          ctx.stdout(
            formatTable(
              report.discrepancies.slice(0, 50).map((d) => ({ ...d })),
              ['marketplaceId', 'sku', 'itemId', 'sageAvailable', 'ruleQuantity', 'amazon', 'cause', 'explanation'],
              70,
            ),
          );
        if (report.discrepancies.length > 50) ctx.stdout(`... ${report.discrepancies.length - 50} more in the files`);
        if (opts.fix) ctx.stdout(`fix: ${report.fixed} SKUs will be sent again (inventory.sync queued)`);
        ctx.stdout(`written: ${csv}, ${json}`);
      }),
    );

  inventory
    .command('attributes')
    .description(
      'custom fields -> listing attributes: the attribute changes the next sync would send, checked by Amazon in VALIDATION_PREVIEW mode (nothing saved)',
    )
    .option('--limit <n>', 'SKUs to preview (patchListingsItem, 5 per second)', '20')
    .option('--connection <id>', 'connection id (default: inventory.connectionId)')
    .option('--json', 'print JSON')
    .action(async (opts: { limit: string; connection?: string; json?: boolean }, cmd: Command) =>
      withInventory(ctx, cmd, opts.connection, async ({ deps, connectionId }) => {
        const { previewAttributeChanges } = await import('../../flows/preview-attributes.ts');
        const { customFieldMapOf } = await import('../../flows/inventory.ts');
        if ((await customFieldMapOf(connectionId, deps)).length === 0)
          return ctx.stdout('no custom-field map (inventory.customFieldMap): attributes are not managed');
        const result = await previewAttributeChanges(connectionId, deps, Number(opts.limit));
        if (opts.json) return ctx.stdout(JSON.stringify(result, null, 2));
        ctx.stdout(
          `${result.previews.length} SKU(s) previewed${result.more ? `, ${result.more} more not previewed` : ''}; ${result.issues.length} with unmappable item fields`,
        );
        if (result.previews.length)
          ctx.stdout(
            formatTable(
              result.previews.map((p) => ({
                marketplaceId: p.marketplaceId,
                sku: p.sku,
                attributes: p.attributes.join(' '),
                status: p.status,
                issues: p.issues.join('; '),
              })),
              ['marketplaceId', 'sku', 'attributes', 'status', 'issues'],
              80,
            ),
          );
        for (const i of result.issues) ctx.stdout(`cannot map ${i.sku}: ${i.reason}`);
      }),
    );

  inventory
    .command('link <sku> <itemId>')
    .description('link an Amazon SKU to the Sage item it draws on (several SKUs may share one item)')
    .option('--marketplace <id>', 'marketplace id (default: the first of amazon.marketplaceIds)')
    .option('--product-type <type>', 'Amazon product type named in PATCH messages', 'PRODUCT')
    .option('--fba', 'the SKU is fulfilled by Amazon (its quantity is never pushed)')
    .option('--connection <id>', 'connection id (default: inventory.connectionId)')
    .action(
      async (
        sku: string,
        itemId: string,
        opts: { marketplace?: string; productType: string; fba?: boolean; connection?: string },
        cmd: Command,
      ) =>
        withInventory(ctx, cmd, opts.connection, async ({ rt, deps, connectionId }) => {
          const marketplaceId = opts.marketplace ?? rt.config.amazon.marketplaceIds[0]!;
          await deps.state.upsertLinks(connectionId, [
            { sku, itemId, marketplaceId, productType: opts.productType, fulfillment: opts.fba ? 'FBA' : 'MFN' },
          ]);
          ctx.stdout(`linked ${sku} (${marketplaceId}, ${opts.fba ? 'FBA' : 'MFN'}) -> Sage item ${itemId}`);
        }),
    );

  inventory
    .command('links')
    .description('SKU links: list them, or import a CSV')
    .argument('[action]', '`list` (default) or `import`')
    .argument('[file]', 'CSV for import: sku,itemId[,marketplaceId,productType,fulfillment] with a header row')
    .option('--connection <id>', 'connection id (default: inventory.connectionId)')
    .action(async (action: string | undefined, file: string | undefined, opts: { connection?: string }, cmd: Command) =>
      withInventory(ctx, cmd, opts.connection, async ({ rt, deps, connectionId }) => {
        const { SellbridgeError } = await import('../../core/errors.ts');
        if (action === 'import') {
          if (!file) throw new SellbridgeError('SB_CLI_USAGE', 'inventory links import needs a CSV file');
          const { readFileSync } = await import('node:fs');
          const lines = readFileSync(file, 'utf8')
            .split(/\r?\n/)
            .filter((l) => l.trim() !== '');
          const rows = lines.slice(1).map((line, i) => {
            const [sku, itemId, marketplaceId, productType, fulfillment] = line.split(',').map((c) => c.trim());
            if (!sku || !itemId)
              throw new SellbridgeError('SB_CLI_USAGE', `${file} line ${i + 2}: sku and itemId are required`);
            if (fulfillment && fulfillment !== 'MFN' && fulfillment !== 'FBA')
              throw new SellbridgeError(
                'SB_CLI_USAGE',
                `${file} line ${i + 2}: fulfillment must be MFN or FBA, not "${fulfillment}"`,
              );
            return {
              sku,
              itemId,
              marketplaceId: marketplaceId || rt.config.amazon.marketplaceIds[0]!,
              productType: productType || 'PRODUCT',
              fulfillment: (fulfillment || 'MFN') as 'MFN' | 'FBA',
            };
          });
          await deps.state.upsertLinks(connectionId, rows);
          return ctx.stdout(`imported ${rows.length} SKU links`);
        }
        const links = await deps.state.links(connectionId);
        if (links.length === 0)
          return ctx.stdout('no SKU links (add them with `sellbridge inventory link` or `inventory links import`)');
        ctx.stdout(
          formatTable(
            links.map((l) => ({ ...l })),
            ['marketplaceId', 'sku', 'itemId', 'fulfillment', 'productType'],
          ),
        );
      }),
    );
}

export interface SyncOptions {
  dryRun?: boolean;
  all?: boolean;
  wait?: boolean;
  connection?: string;
  json?: boolean;
}

interface InventoryCli {
  rt: Runtime;
  deps: InventoryFlowDeps;
  connectionId: string;
}

/** Opens a client runtime and the inventory deps (progress to stderr every 10 %). */
export async function withInventory(
  ctx: CliContext,
  cmd: Command,
  connection: string | undefined,
  work: (c: InventoryCli) => Promise<void>,
): Promise<void> {
  const { openClientRuntime } = await import('../runtime.ts');
  const { createInventoryDeps, inventorySettingsFromConfig, storedInventorySettings } =
    await import('../../bootstrap/inventory.ts');
  const { lazyListingsChannel } = await import('../../bootstrap/inventory.ts');
  const rt = await openClientRuntime(ctx.config(cmd));
  try {
    const settings = inventorySettingsFromConfig(rt.config);
    const shown = new Map<string, number>();
    const deps = createInventoryDeps({
      store: rt.store,
      sage: rt.sage,
      channel: lazyListingsChannel(() => rt.amazon, settings.sellerId),
      clock: rt.clock,
      queue: rt.queue,
      settingsFor: () => settings,
      // The inventory rules and price sheets stored for the connection (admin API), as `sellbridge run` plans with them.
      currentSettings: storedInventorySettings(rt.store, rt.clock, settings, rt.config.orders.connectionId),
      onProgress: (step, done, total) => {
        const tenth = total === 0 ? 10 : Math.floor((done * 10) / total);
        if (total < 200 || shown.get(step) === tenth) return;
        shown.set(step, tenth);
        ctx.stderr(`${step}: ${'#'.repeat(tenth)}${'.'.repeat(10 - tenth)} ${done}/${total}`);
      },
    });
    await work({ rt, deps, connectionId: connection ?? rt.config.inventory.connectionId });
  } finally {
    await rt.close();
  }
}

function showValue(v: unknown): string {
  if (v === undefined) return '';
  if (typeof v === 'object' && v !== null && 'minor' in v && 'currency' in v) {
    const m = v as { minor: number; currency: string };
    return `${moneyToDecimal(m)} ${m.currency}`;
  }
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** `inventory sync` and `prices sync`. */
export async function runListingSyncCommand(
  ctx: CliContext,
  cmd: Command,
  scope: SyncScope,
  opts: SyncOptions,
): Promise<void> {
  await withInventory(ctx, cmd, opts.connection, async ({ deps, connectionId }) => {
    const flows = {
      ...(await import('../../flows/inventory.ts')),
      ...(await import('../../flows/sync-listings.ts')),
      ...(await import('../../flows/track-listing-feed.ts')),
    };
    if (opts.dryRun) {
      const { feedMessagesFromDeltas } = await import('../../core/transform/feed-messages-from-deltas.ts');
      const settings = deps.settingsFor(connectionId);
      const plan = await flows.planListingSync(connectionId, scope, deps);
      const batches = feedMessagesFromDeltas(plan.changes, { sellerId: settings.sellerId });
      const problems = batches.flatMap((b) => deps.channel.validateFeed(b.document));
      const changed = new Set(plan.changes.map((c) => `${c.marketplaceId}\u0000${c.sku}`));
      const targets = plan.delta.targets.filter((t) => opts.all || changed.has(`${t.marketplaceId}\u0000${t.sku}`));
      if (opts.json)
        return ctx.stdout(
          JSON.stringify(
            {
              changes: plan.changes,
              held: plan.held,
              blocked: plan.blocked,
              targets,
              feeds: batches.map((b) => ({
                marketplaceId: b.marketplaceId,
                messages: b.document.messages.length,
                bytes: b.bytes,
              })),
              problems,
            },
            null,
            2,
          ),
        );
      const rows = plan.changes.flatMap((c) =>
        c.changes.map((f) => ({
          marketplaceId: c.marketplaceId,
          sku: c.sku,
          field: f.kind === 'attribute' ? f.name : f.kind,
          from: showValue(f.from),
          to: showValue(f.to),
          lane: c.toZero && f.kind === 'quantity' ? 'fast' : 'feed',
          why: f.why,
        })),
      );
      ctx.stdout(
        `dry run (${scope}): ${plan.links.length} SKUs, ${plan.changes.length} to change, ${plan.held.length} held, ${plan.blocked.length} blocked; nothing sent`,
      );
      if (rows.length)
        ctx.stdout(formatTable(rows, ['marketplaceId', 'sku', 'field', 'from', 'to', 'lane', 'why'], 70));
      if (opts.all)
        ctx.stdout(
          formatTable(
            targets.map((t) => ({
              marketplaceId: t.marketplaceId,
              sku: t.sku,
              fulfillment: t.fulfillment,
              quantity: showValue(t.quantity),
              price: showValue(t.price),
            })),
            ['marketplaceId', 'sku', 'fulfillment', 'quantity', 'price'],
          ),
        );
      for (const h of plan.held) ctx.stdout(`held ${h.sku} (${h.marketplaceId}): ${h.why}`);
      for (const b of plan.blocked) ctx.stdout(`blocked ${b.sku} (${b.marketplaceId}) ${b.field}: ${b.reason}`);
      ctx.stdout(
        `would build ${batches.length} feed(s): ${batches.map((b) => `${b.marketplaceId} ${b.document.messages.length} messages ${b.bytes} bytes`).join('; ') || 'none'}; schema ${problems.length ? `PROBLEMS: ${problems.join('; ')}` : 'valid'}`,
      );
      return;
    }
    const outcome = await flows.syncListings({ connectionId, scope }, deps);
    if (opts.json && !opts.wait) return ctx.stdout(JSON.stringify(outcome, null, 2));
    ctx.stdout(
      `${scope} sync: ${outcome.links} SKUs, ${outcome.changes} changed; fast lane ${outcome.fastLane.sent} sent, ${outcome.fastLane.rejected} rejected; ${outcome.feeds.length} feed(s) queued (${outcome.feeds.map((f) => `${f.messages} messages`).join(', ') || 'none'}); ${outcome.held} held for approval; ${outcome.blocked} blocked`,
    );
    if (!opts.wait) return;
    const settings = deps.settingsFor(connectionId);
    for (const [i, feed] of outcome.feeds.entries()) {
      for (;;) {
        const step = await flows.trackListingFeed(
          { connectionId, feedRowId: feed.feedRowId },
          { ...deps, jobs: { enqueue: async () => ({ id: '', deduplicated: true }) } },
        );
        if (step.kind === 'finished') {
          ctx.stdout(
            `feed ${i + 1}/${outcome.feeds.length}: ${step.status}; accepted ${step.counts.accepted}, warnings ${step.counts.warnings}, rejected ${step.counts.rejected}; read back ${step.readBack}, not applied ${step.notApplied}`,
          );
          break;
        }
        ctx.stderr(
          `feed ${i + 1}/${outcome.feeds.length}: ${step.kind === 'submitted' ? `submitted ${step.feedId}` : step.status}`,
        );
        await new Promise((r) => setTimeout(r, Math.max(1_000, settings.feedPollMs)));
      }
    }
  });
}
