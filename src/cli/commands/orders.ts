import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import type { Runtime } from '../../bootstrap/index.ts';
import { SellbridgeError } from '../../core/errors.ts';
import { moneyToDecimal, type Money } from '../../core/model/money.ts';
import type { Order } from '../../core/model/order.ts';
import type { OrderPreview } from '../../flows/preview-order.ts';
import type { CliContext } from '../context.ts';
import { formatTable } from '../format.ts';

/** Amazon order ids: 3-7-7 characters, e.g. 113-1234567-1234567. */
const AMAZON_ORDER_ID = /^[A-Z0-9]{3}-\d{7}-\d{7}$/i;

export function registerOrdersCommands(program: Command, ctx: CliContext): void {
  const orders = program
    .command('orders')
    .description('Amazon orders on their way into Sage 500: preview the sales order, show where an order is')
    .addHelpText(
      'after',
      `
Examples:
  sellbridge orders preview 113-1234567-1234567     read the order at Amazon, print the Sage sales order it would become
  sellbridge orders preview order.json              the same for an order in a file: a getOrder answer (Orders API 2026-01-01)
                                                    with includedData PROCEEDS,PROMOTION,CANCELLATION,FULFILLMENT,PACKAGES,TAX,
                                                    or a Sellbridge order ({ "id", "lines" }, alone or under "order" as in test/fixtures/golden)
  sellbridge orders status 113-1234567-1234567      lifecycle state, Sage TranNo, packages, pending jobs, dead letters
  sellbridge orders status 113-1234567-1234567 --json
  sellbridge orders link 113-1234567-1234567 0000123456  the order was keyed into Sage by hand: link it (checked:
                                                    same lines and total) so its shipments confirm as usual
  sellbridge orders link 113-1234567-1234567 0000123456 --force   link although they differ (audited)`,
    );

  const withRuntime = async (cmd: Command, work: (rt: Runtime) => Promise<void>) =>
    (await import('../runtime.ts')).withClientRuntime(ctx.config(cmd), work);

  orders
    .command('preview <order>')
    .description(
      'print the Sage sales order order.sync would create for an Amazon order id or a JSON file, with every mapping problem; writes nothing (reads Amazon, and Sage through its read-only calls)',
    )
    .option('--connection <id>', 'connection whose aliases and mapping rules apply (default: orders.connectionId)')
    .option('--json', 'print the preview as JSON')
    .action(async (arg: string, opts: { connection?: string; json?: boolean }, cmd: Command) =>
      withRuntime(cmd, async (rt) => {
        const connectionId = opts.connection ?? rt.orders.connectionId;
        const order = await loadOrder(arg, rt);
        const { previewSalesOrder } = await import('../../flows/preview-order.ts');
        const { redactedPreview } = await import('../../server/order-repair.ts');
        const preview = redactedPreview(await previewSalesOrder(connectionId, order, rt.orders.deps));
        ctx.stdout(opts.json ? JSON.stringify(preview, null, 2) : formatPreview(preview));
        if (preview.issues.length > 0) process.exitCode = 1;
      }),
    );

  orders
    .command('status <amazonOrderId>')
    .description(
      'where an order is in its lifecycle (from the store only: no Amazon or Sage call): state, TranNo, packages, jobs, dead letters',
    )
    .option('--connection <id>', 'connection (default: orders.connectionId)')
    .option('--json', 'print the status as JSON (states as data)')
    .action(async (id: string, opts: { connection?: string; json?: boolean }, cmd: Command) =>
      withRuntime(cmd, async (rt) => {
        const { orderStatus } = await import('../../bootstrap/order-status.ts');
        const connectionId = opts.connection ?? rt.orders.connectionId;
        const report = await orderStatus(
          {
            store: rt.store,
            queue: rt.queue,
            deadLetters: rt.deadLetters,
            deps: rt.orders.deps,
            shipByWarningMs: rt.config.orders.shipByWarningMs,
          },
          connectionId,
          id.trim(),
        );
        const unknown = report.state === undefined && report.jobs.length === 0 && report.deadLetters.length === 0;
        if (opts.json) ctx.stdout(JSON.stringify(report, null, 2));
        else if (!unknown) {
          const lines = [
            `order ${report.amazonOrderId} (connection ${report.connectionId})`,
            `state:        ${report.state ?? '(not recorded yet)'}${report.stateMeaning ? ` - ${report.stateMeaning}` : ''}`,
            ...(report.next.length ? [`next:         ${report.next.join(', ')}`] : []),
            `sage:         ${report.tranNo ? `TranNo ${report.tranNo}${report.salesOrderKey ? ` (SOKey ${report.salesOrderKey})` : ' (reserved, not created yet)'}` : 'no sales order yet'}`,
            ...(report.lastError ? [`last error:   ${report.lastError}`] : []),
            ...(report.fitted
              ? [
                  `address:      fitted to Sage (${report.fitted.changes.map((c) => `${c.field} ${c.kind}: ${c.detail}`).join('; ')}); Amazon original ${report.fitted.originalKept ? 'kept sealed (GET /api/v1/orders/<id>/pii)' : 'not kept (no PII key configured)'}`,
                ]
              : []),
            ...(report.shipBy
              ? [
                  `ship by:      ${report.shipBy.latestShipDate}${report.shipBy.late ? ' - LATE: not shipped and the date has passed' : report.shipBy.atRisk ? ' - AT RISK of shipping late' : ''}`,
                ]
              : []),
            ...(report.changes
              ? [
                  ...report.changes.applied.map(
                    (a) =>
                      `changed:      ${a.kind}${a.lineNo !== undefined ? ` (Sage line ${a.lineNo}, Amazon item ${a.amazonOrderItemId})` : ''} at ${a.at}`,
                  ),
                  ...report.changes.differences.map((x) => `DIFFERENCE:   ${x.field}: ${x.problem}`),
                ]
              : []),
            `first seen:   ${report.firstSeenBy === 'poll' ? 'by polling (no notification announced it)' : report.firstSeenBy === 'push' ? 'by notification' : 'unknown'}`,
            ...(report.updatedAt ? [`updated:      ${report.updatedAt}`] : []),
          ];
          if (report.packages.length)
            lines.push(
              'packages:',
              indent(
                formatTable(report.packages, [
                  'shipmentKey',
                  'packageNo',
                  'packageReferenceId',
                  'state',
                  'sendAttempts',
                ]),
              ),
            );
          if (report.jobs.length)
            lines.push('jobs:', indent(formatTable(report.jobs, ['id', 'queue', 'state', 'attempt', 'runAt'])));
          if (report.deadLetters.length)
            lines.push(
              'dead letters (see `sellbridge dlq show <id>`):',
              indent(formatTable(report.deadLetters, ['id', 'queue', 'code', 'message'])),
            );
          ctx.stdout(lines.join('\n'));
        }
        if (unknown) {
          if (!opts.json)
            ctx.stderr(
              `Sellbridge has no record of order ${id} (connection ${connectionId}): no notification or poll has brought it in yet`,
            );
          process.exitCode = 1;
        }
      }),
    );

  orders
    .command('link <amazonOrderId> <tranNo>')
    .description(
      'link an Amazon order to a Sage sales order keyed by hand (e.g. to answer its dead letter): checked for the same goods lines and total, after which its Sage shipments are confirmed to Amazon as usual; audited',
    )
    .option('--connection <id>', 'connection (default: orders.connectionId)')
    .option('--force', 'link although lines or total differ (the differences are audited)')
    .option('--dry-run', 'check only: print what would be linked')
    .option('--json', 'print the result as JSON')
    .option('--actor <name>', 'who does this, for the audit log', `cli:${userInfo().username}`)
    .action(
      async (
        amazonOrderId: string,
        tranNo: string,
        opts: { connection?: string; force?: boolean; dryRun?: boolean; json?: boolean; actor: string },
        cmd: Command,
      ) =>
        withRuntime(cmd, async (rt) => {
          if (!AMAZON_ORDER_ID.test(amazonOrderId.trim()))
            throw new SellbridgeError(
              'SB_CLI_USAGE',
              `"${amazonOrderId}" is not an Amazon order id (like 113-1234567-1234567)`,
            );
          const { linkOrder } = await import('../../server/order-repair.ts');
          const r = await linkOrder(
            { store: rt.store, clock: rt.clock, deadLetters: rt.deadLetters, orders: rt.orders.deps },
            {
              connectionId: opts.connection ?? rt.orders.connectionId,
              amazonOrderId: amazonOrderId.trim(),
              tranNo: tranNo.trim(),
              actor: opts.actor,
              ...(opts.force ? { force: true } : {}),
              ...(opts.dryRun ? { dryRun: true } : {}),
            },
          );
          if (opts.json) return ctx.stdout(JSON.stringify(r, null, 2));
          ctx.stdout(
            [
              r.linked
                ? `order ${amazonOrderId} linked to Sage order ${r.tranNo} (SOKey ${r.salesOrderKey})${r.forced ? ' with --force' : ''}; its shipments will be confirmed to Amazon`
                : `dry run: order ${amazonOrderId} would be linked to Sage order ${r.tranNo} (SOKey ${r.salesOrderKey})`,
              ...r.differences.map((d) => `  difference: ${d}`),
              indent(
                formatTable(
                  r.lines.map((l) => ({ ...l })),
                  ['itemId', 'amazonOrderItemId', 'quantity'],
                ),
              ),
              ...(r.deadLettersClosed ? [`${r.deadLettersClosed} open dead letter(s) of the order closed`] : []),
            ].join('\n'),
          );
        }),
    );
}

/** An order from a JSON file (shapes: src/cli/order-file.ts) or read at Amazon by id. */
async function loadOrder(arg: string, rt: Runtime): Promise<Order> {
  if (existsSync(arg) || arg.toLowerCase().endsWith('.json')) {
    let doc: unknown;
    try {
      doc = JSON.parse(readFileSync(arg, 'utf8'));
    } catch (err) {
      throw new SellbridgeError('SB_CLI_USAGE', `cannot read ${arg} as JSON: ${(err as Error).message}`);
    }
    const { orderFromFileDocument } = await import('../order-file.ts');
    return orderFromFileDocument(doc, arg);
  }
  if (!AMAZON_ORDER_ID.test(arg.trim())) {
    throw new SellbridgeError(
      'SB_CLI_USAGE',
      `"${arg}" is neither a file nor an Amazon order id (like 113-1234567-1234567)`,
    );
  }
  return rt.orders.deps.amazon.getOrder(arg.trim(), { includePii: true });
}

export function formatPreview(p: OrderPreview, options: { readonly replay?: boolean } = {}): string {
  const money = (m: Money | undefined) => (m ? moneyToDecimal(m) : '');
  const head = [
    `Amazon order ${p.amazonOrderId} (connection ${p.connectionId})${options.replay ? ', as corrected' : ''}: order.sync would ${ACTION_WORDS[p.action] ?? p.action}${p.reason ? ` (${p.reason})` : ''}`,
  ];
  if (p.existing) head.push(`Sage already has sales order ${p.existing.tranNo} (${p.existing.status}) for it`);
  if (p.draft) {
    const d = p.draft;
    head.push(
      '',
      `customer ${d.customerId}   warehouse ${d.warehouseId}   ship method ${d.shipMethodId ?? '(none)'}   currency ${d.currency}   order date ${d.orderDate}${d.customerPoNo ? `   PO ${d.customerPoNo}` : ''}`,
      ...(d.shipTo
        ? [
            `ship to ${[d.shipTo.city, d.shipTo.region, d.shipTo.countryId].filter(Boolean).join(', ')} (name and street not shown)`,
          ]
        : []),
      '',
      formatTable(
        d.lines.map((l) => ({
          line: l.lineNo,
          item: l.itemId,
          sku: l.sellerSku ?? '',
          qty: l.quantity,
          unitPrice: money(l.unitPrice),
          discount: money(l.tradeDiscount),
          amount: money({
            currency: l.unitPrice.currency,
            minor: l.unitPrice.minor * l.quantity - (l.tradeDiscount?.minor ?? 0),
          }),
          charge: l.charge ?? '',
          gl: l.glAccountNo ?? '',
        })),
        ['line', 'item', 'sku', 'qty', 'unitPrice', 'discount', 'amount', 'charge', 'gl'],
      ),
      ...(d.freight ? [`freight ${money(d.freight)}`] : []),
      `total ${money({ currency: d.currency, minor: d.lines.reduce((s, l) => s + l.unitPrice.minor * l.quantity - (l.tradeDiscount?.minor ?? 0), 0) + (d.freight?.minor ?? 0) })} ${d.currency}`,
    );
  }
  if (p.issues.length > 0) {
    head.push('', `it would be dead-lettered: ${p.code}: ${p.message}`);
    for (const i of p.issues)
      head.push(
        `  - ${i.field}: ${i.problem}${i.suggestions?.length ? ` (suggested Sage items: ${i.suggestions.join(', ')})` : ''}`,
      );
  }
  if (!options.replay) head.push('', 'preview only: nothing was reserved, created or changed');
  return head.join('\n');
}

const ACTION_WORDS: Record<string, string> = {
  create: 'create this Sage sales order',
  wait: 'wait (the order is still pending at Amazon)',
  skip: 'skip the order',
  cancel: 'cancel the Sage sales order',
  flag: 'flag the order for a person',
  none: 'change nothing',
  'record-fba-shipped':
    "book the FBA order in the FBA warehouse and ship it there with Sage's shipment procedures (never confirmed to Amazon)",
};

const indent = (text: string) =>
  text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
