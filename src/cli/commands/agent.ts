import type { Command } from 'commander';
import { SellbridgeError } from '../../core/errors.ts';
import type { AgentRegistry } from '../../runtime/agents/registry.ts';
import type { CliContext } from '../context.ts';
import { formatTable } from '../format.ts';
import { cliActor } from './tokens.ts';

async function withAgents(
  ctx: CliContext,
  cmd: Command,
  work: (agents: AgentRegistry) => Promise<void>,
): Promise<void> {
  const config = ctx.config(cmd);
  const { openStore } = await import('../../runtime/store/store.ts');
  const { createAgentRegistry } = await import('../../runtime/agents/registry.ts');
  const { systemClock } = await import('../../runtime/clock.ts');
  const store = openStore(config.store);
  try {
    await store.migrate();
    await work(createAgentRegistry(store, systemClock));
  } finally {
    await store.close();
  }
}

/** `sellbridge agent` (beside Sage) and `sellbridge agents` (on the hub: enrol, list, revoke). */
export function registerAgentCommands(program: Command, ctx: CliContext): void {
  program
    .command('agent')
    .description(
      "hosted mode, on the customer's network beside Sage 500: dial out to the hub and run its Sage operations against this machine's sage500 settings (no inbound port)",
    )
    .requiredOption('--hub <url>', 'the hub, https://… (the only destination the agent connects to)')
    .option('--token <token>', 'single-use enrolment token from the hub (first start only)')
    .option(
      '--credential-file <file>',
      "where the agent's own credential is kept (0600)",
      './data/sellbridge-agent.json',
    )
    .option('--insecure-localhost', 'allow plain http:// to a hub on this machine (tests only)')
    .option(
      '--enrol-only',
      'exchange --token for the credential file, then stop (before `service install --agent-hub`)',
    )
    .addHelpText(
      'after',
      `
Examples:
  sellbridge agent --hub https://sellbridge.example.com --token sbe_…   first start: enrol, then run
  sellbridge agent --hub https://sellbridge.example.com                 later starts (credential file kept)
  sellbridge agent --hub https://… --token sbe_… --enrol-only --credential-file /var/lib/sellbridge/sellbridge-agent.json
  sellbridge service install --agent-hub https://…                     then run it as a service`,
    )
    .action(
      async (
        opts: { hub: string; token?: string; credentialFile: string; insecureLocalhost?: boolean; enrolOnly?: boolean },
        cmd: Command,
      ) => {
        const config = ctx.config(cmd);
        if (opts.enrolOnly) {
          if (!opts.token) throw new SellbridgeError('SB_CFG_INVALID', '--enrol-only needs --token <enrolment token>');
          const { enrolAgent } = await import('../../bootstrap/agent.ts');
          const r = await enrolAgent(config, {
            hub: opts.hub,
            token: opts.token,
            credentialFile: opts.credentialFile,
            allowInsecureLocalhost: opts.insecureLocalhost ?? false,
          });
          ctx.stdout(
            `enrolled as agent ${r.agentId} for connection ${r.connectionId}; credential in ${opts.credentialFile}`,
          );
          return;
        }
        const { startAgentProcess } = await import('../../bootstrap/agent.ts');
        const stop = new AbortController();
        process.once('SIGTERM', () => stop.abort());
        process.once('SIGINT', () => stop.abort());
        const running = await startAgentProcess(config, {
          hub: opts.hub,
          ...(opts.token ? { token: opts.token } : {}),
          credentialFile: opts.credentialFile,
          allowInsecureLocalhost: opts.insecureLocalhost ?? false,
          signal: stop.signal,
        });
        ctx.stdout(running.verifySummary);
        ctx.stdout(`sellbridge agent is running (hub ${new URL(opts.hub).origin})`);
        try {
          await running.agent.done;
        } finally {
          await running.close();
        }
        ctx.stdout('sellbridge agent stopped');
      },
    );

  const agents = program
    .command('agents')
    .description('hosted mode, on the hub: enrolment tokens for agents beside Sage, their state, revocation');
  agents
    .command('enrol')
    .description('print a single-use enrolment token for a connection (valid 24 h, stored as a SHA-256 hash)')
    .option('--connection <id>', 'the connection the agent serves (default orders.connectionId)')
    .action(async (opts: { connection?: string }, cmd: Command) =>
      withAgents(ctx, cmd, async (registry) => {
        const connectionId = opts.connection ?? ctx.config(cmd).orders.connectionId;
        const r = await registry.createEnrolment(connectionId, cliActor());
        ctx.stdout(r.token);
        ctx.stderr(
          `enrolment token for connection ${r.connectionId}, single use, valid until ${r.expiresAt}: run \`sellbridge agent --hub <this hub's https URL> --token <token>\` beside Sage`,
        );
      }),
    );
  agents
    .command('list')
    .description('agents with their connection, state, version, latency and operations in flight')
    .action(async (_opts: unknown, cmd: Command) =>
      withAgents(ctx, cmd, async (registry) => {
        const rows = await registry.list();
        ctx.stdout(
          formatTable(
            rows.map((a) => ({
              id: a.id,
              connection: a.connectionId,
              name: a.name,
              state: a.revokedAt ? `revoked ${a.revokedAt}` : a.online ? 'online' : 'offline',
              version: a.version ?? '',
              latency: a.latencyMs === null ? '' : `${a.latencyMs} ms`,
              inFlight: a.inFlight,
              lastSeen: a.lastSeenAt ?? '',
            })),
            ['id', 'connection', 'name', 'state', 'version', 'latency', 'inFlight', 'lastSeen'],
          ),
        );
      }),
    );
  agents
    .command('revoke <id>')
    .description('revoke an agent: its channel closes within one heartbeat and it cannot connect again')
    .action(async (id: string, _opts: unknown, cmd: Command) =>
      withAgents(ctx, cmd, async (registry) => {
        const a = await registry.revoke(id, cliActor());
        ctx.stdout(`agent ${a.id} (connection ${a.connectionId}) revoked at ${a.revokedAt}`);
      }),
    );
}
