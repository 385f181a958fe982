import type { ResolvedConfig } from '../config/schema.ts';
import { openSage500Gateway } from '../connectors/sage500/create-gateway.ts';
import { checkHubUrl, loadOrEnrol, startAgent, type RunningAgent } from '../connectors/sage500/remote/agent.ts';
import { assertSage500Verified } from '../connectors/sage500/verify-at-start.ts';
import { createLogger, type Logger } from '../observability/logger.ts';
import { SELLBRIDGE_VERSION } from '../runtime/version.ts';

export interface AgentProcessOptions {
  readonly hub: string;
  readonly token?: string;
  readonly credentialFile: string;
  readonly allowInsecureLocalhost?: boolean;
  readonly signal: AbortSignal;
  readonly logger?: Logger;
}

/**
 * `sellbridge agent`, composed: the local Sage 500 gateway of `config.sage500` (sandbox or SQL Server, verified
 * before anything runs, as `sellbridge run` does), the agent channel to the hub, a local logger. Returns once the
 * agent is started; `agent.done` settles when it stops.
 */
export async function startAgentProcess(
  config: ResolvedConfig,
  options: AgentProcessOptions,
): Promise<{ agent: RunningAgent; verifySummary: string; close(): Promise<void> }> {
  const logger = options.logger ?? createLogger({ level: config.log.level, format: config.log.format });
  const report = await assertSage500Verified(config.sage500);
  const gateway = await openSage500Gateway(config.sage500);
  const agent = startAgent({
    hub: options.hub,
    ...(options.token ? { token: options.token } : {}),
    credentialFile: options.credentialFile,
    gateway,
    logger,
    version: SELLBRIDGE_VERSION,
    allowInsecureLocalhost: options.allowInsecureLocalhost ?? false,
    signal: options.signal,
  });
  return { agent, verifySummary: report.summary, close: () => gateway.close() };
}

/** `sellbridge agent --enrol-only`: exchanges the token for the credential file and stops (before installing the service). */
export async function enrolAgent(
  config: ResolvedConfig,
  options: { hub: string; token: string; credentialFile: string; allowInsecureLocalhost?: boolean },
): Promise<{ agentId: string; connectionId: string }> {
  const logger = createLogger({ level: config.log.level, format: config.log.format });
  const stored = await loadOrEnrol({
    hub: checkHubUrl(options.hub, options.allowInsecureLocalhost),
    token: options.token,
    credentialFile: options.credentialFile,
    version: SELLBRIDGE_VERSION,
    logger,
  });
  return { agentId: stored.agentId, connectionId: stored.connectionId };
}
