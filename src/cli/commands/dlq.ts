import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { Option, type Command } from 'commander';
import type { Runtime } from '../../bootstrap/index.ts';
import { SellbridgeError } from '../../core/errors.ts';
import type { CliContext } from '../context.ts';
import { formatTable } from '../format.ts';
import { isOverridePath, OVERRIDE_PATHS, overridesFromPairs } from '../../core/transform/order-overrides.ts';

const defaultActor = () => `cli:${userInfo().username}`;

export function registerDlqCommands(program: Command, ctx: CliContext): void {
  const dlq = program
    .command('dlq')
    .description('the dead-letter queue: records that could not be processed, with the reason; inspect, fix, replay')
    .addHelpText(
      'after',
      `
Examples:
  sellbridge dlq list --code SB_MAP_SKU_UNKNOWN
  sellbridge dlq show <id>
  sellbridge dlq replay <id>                       run it again as it was (after fixing the cause)
  sellbridge dlq replay <id> --payload fixed.json  run it again with a corrected payload
  sellbridge dlq replay <id> --set shipTo.city="Rancho Sta Margarita" --set lines[1].sku=WIDGET-BLUE
                                                   an order corrected field by field: prints the Sage order it
                                                   would create first, replays only when that maps (--force anyway)
  sellbridge dlq replay <id> --set customerId=AMAZON-US2 --dry-run   the preview only
  sellbridge dlq discard <id> --reason "test order"`,
    );

  const withRuntime = async (cmd: Command, work: (rt: Runtime) => Promise<void>) =>
    (await import('../runtime.ts')).withClientRuntime(ctx.config(cmd, isOverridePath), work);

  dlq
    .command('list')
    .description('list dead letters, newest first (open ones unless --status says otherwise)')
    .option('--code <code>', 'only this error code, e.g. SB_MAP_SKU_UNKNOWN')
    .option('--queue <name>', 'only this queue, e.g. order.sync')
    .addOption(
      new Option('--status <status>', 'which ones').choices(['open', 'replayed', 'discarded', 'all']).default('open'),
    )
    .option('--limit <n>', 'how many to show', '50')
    .option('--json', 'print JSON instead of a table')
    .action(
      async (
        opts: {
          code?: string;
          queue?: string;
          status: 'open' | 'replayed' | 'discarded' | 'all';
          limit: string;
          json?: boolean;
        },
        cmd: Command,
      ) =>
        withRuntime(cmd, async (rt) => {
          const letters = await rt.deadLetters.list({
            status: opts.status,
            limit: Number(opts.limit),
            ...(opts.code ? { code: opts.code } : {}),
            ...(opts.queue ? { queue: opts.queue } : {}),
          });
          if (opts.json) return ctx.stdout(JSON.stringify(letters, null, 2));
          if (letters.length === 0)
            return ctx.stdout(`no ${opts.status === 'all' ? '' : `${opts.status} `}dead letters`);
          ctx.stdout(
            formatTable(
              letters.map((l) => ({
                id: l.id,
                queue: l.queue,
                key: l.jobKey,
                code: l.error.code,
                attempts: l.attempts,
                lastFailedAt: l.lastFailedAt,
                status: l.status,
                message: l.error.message,
              })),
              ['id', 'queue', 'key', 'code', 'attempts', 'lastFailedAt', 'status', 'message'],
            ),
          );
        }),
    );

  dlq
    .command('show <id>')
    .description('show one dead letter: error, every bad field, payload, attempts and what happened to it')
    .action(async (id: string, _opts: unknown, cmd: Command) =>
      withRuntime(cmd, async (rt) => {
        const l = await rt.deadLetters.get(id);
        const lines = [
          `dead letter ${l.id}  [${l.status}]`,
          `queue:        ${l.queue}   job ${l.jobId}   key ${l.jobKey}`,
          `error:        ${l.error.code} (${l.error.kind})`,
          `message:      ${l.error.message}`,
          ...(l.error.issues ?? []).map(
            (i) =>
              `  - ${i.field}: ${i.problem}${i.suggestions?.length ? ` (suggestions: ${i.suggestions.join(', ')})` : ''}`,
          ),
          `context:      ${JSON.stringify(l.error.context)}`,
          `attempts:     ${l.attempts}   first failed ${l.firstFailedAt}   last failed ${l.lastFailedAt}`,
          ...(l.status !== 'open'
            ? [
                `resolved:     ${l.status} at ${l.resolvedAt} by ${l.resolvedBy}${l.replayJobId ? ` as job ${l.replayJobId}` : ''}`,
              ]
            : []),
          'payload:',
          JSON.stringify(l.payload, null, 2),
        ];
        ctx.stdout(lines.join('\n'));
      }),
    );

  dlq
    .command('replay <id>')
    .description(
      'queue the dead letter again as a fresh job (all attempts available), optionally with a corrected payload or, for an order, corrected fields (--set)',
    )
    .option('--payload <file>', 'JSON file with the corrected payload (- reads standard input)')
    .option(
      '--set <path=value>',
      `correct one field of the order (repeatable): ${OVERRIDE_PATHS}; the paths are those the dead letter's issues name`,
      (v: string, all: string[] = []) => [...all, v],
    )
    .option('--dry-run', 'with --set: print the Sage order it would create and stop')
    .option('--force', 'with --set: replay even when the preview still has issues')
    .option('--json', 'with --set: print the preview and outcome as JSON')
    .option('--actor <name>', 'who does this, for the audit log', defaultActor())
    .action(
      async (
        id: string,
        opts: { payload?: string; set?: string[]; dryRun?: boolean; force?: boolean; json?: boolean; actor: string },
        cmd: Command,
      ) =>
        withRuntime(cmd, async (rt) => {
          // The program's own `--set` (settings) takes every `--set` pair; the order corrections are those with an
          // order path, which no setting has.
          const global = cmd.optsWithGlobals<{ set?: string[] }>().set ?? [];
          const corrections = [
            ...new Set([...(opts.set ?? []), ...global.filter((p) => isOverridePath(p.split('=')[0]!.trim()))]),
          ];
          if (corrections.length > 0) {
            if (opts.payload !== undefined)
              throw new SellbridgeError('SB_CLI_USAGE', 'use either --payload or --set, not both');
            return replayWithSet(rt, id, corrections, opts);
          }
          const payload = opts.payload === undefined ? undefined : readPayload(opts.payload);
          const { jobId, deduplicated } = await rt.deadLetters.replay(id, {
            actor: opts.actor,
            ...(payload !== undefined ? { payload } : {}),
          });
          ctx.stdout(
            deduplicated
              ? `dead letter ${id} replayed: a job with the same key was already waiting (${jobId}); it will do the work`
              : `dead letter ${id} replayed as job ${jobId}; follow it with: sellbridge jobs list`,
          );
        }),
    );

  async function replayWithSet(
    rt: Runtime,
    id: string,
    pairs: readonly string[],
    opts: { dryRun?: boolean; force?: boolean; json?: boolean; actor: string },
  ): Promise<void> {
    const repair = await import('../../server/order-repair.ts');
    const { formatPreview } = await import('./orders.ts');
    const overrides = overridesFromPairs(pairs);
    const d = { store: rt.store, clock: rt.clock, deadLetters: rt.deadLetters, orders: rt.orders.deps };
    const result = opts.dryRun
      ? { ...(await repair.previewReplay(d, id, overrides)), replayed: false }
      : await repair.replayWithOverrides(d, id, overrides, {
          actor: opts.actor,
          ...(opts.force ? { force: true } : {}),
        });
    const stuck = result.preview.issues.length > 0;
    if (opts.json) ctx.stdout(JSON.stringify(result, null, 2));
    else {
      ctx.stdout(formatPreview(result.preview, { replay: true }));
      ctx.stdout(
        result.replayed
          ? `dead letter ${id} replayed with ${Object.keys(result.payload.overrides).length} correction(s) as job ${'jobId' in result ? result.jobId : ''}${stuck ? ' (forced: the preview still has issues)' : ''}`
          : opts.dryRun
            ? `dry run: dead letter ${id} not replayed`
            : `dead letter ${id} not replayed: the corrected order still has issues (fix them with more --set, or --force)`,
      );
    }
    if (!result.replayed && (stuck || !opts.dryRun)) process.exitCode = 1;
  }

  dlq
    .command('discard <id>')
    .description('close the dead letter without running it (kept for the record, audited)')
    .option('--reason <text>', 'why, for the audit log')
    .option('--actor <name>', 'who does this, for the audit log', defaultActor())
    .action(async (id: string, opts: { reason?: string; actor: string }, cmd: Command) =>
      withRuntime(cmd, async (rt) => {
        await rt.deadLetters.discard(id, { actor: opts.actor, ...(opts.reason ? { reason: opts.reason } : {}) });
        ctx.stdout(`dead letter ${id} discarded`);
      }),
    );
}

function readPayload(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new SellbridgeError('SB_DLQ_PAYLOAD_INVALID', `cannot read payload file ${file}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new SellbridgeError('SB_DLQ_PAYLOAD_INVALID', `payload ${file} is not valid JSON: ${(err as Error).message}`);
  }
}
