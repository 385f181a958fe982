import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { Option, type Command } from 'commander';
import type { Runtime } from '../../bootstrap/index.ts';
import { SellbridgeError } from '../../core/errors.ts';
import type { CliContext } from '../context.ts';
import { formatTable } from '../format.ts';

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
  sellbridge dlq discard <id> --reason "test order"`,
    );

  const withRuntime = async (cmd: Command, work: (rt: Runtime) => Promise<void>) =>
    (await import('../runtime.ts')).withClientRuntime(ctx.config(cmd), work);

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
      'queue the dead letter again as a fresh job (all attempts available), optionally with a corrected payload',
    )
    .option('--payload <file>', 'JSON file with the corrected payload (- reads standard input)')
    .option('--actor <name>', 'who does this, for the audit log', defaultActor())
    .action(async (id: string, opts: { payload?: string; actor: string }, cmd: Command) =>
      withRuntime(cmd, async (rt) => {
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
