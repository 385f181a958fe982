import { SellbridgeError } from '../../core/errors.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { ResolvedConfig } from '../../config/schema.ts';
import type { Sage500Adapter } from './gateway/index.ts';
import { createMssqlConnector } from './mssql-connector.ts';
import { createSandboxGateway, type SandboxGateway } from './sandbox-gateway.ts';
import { createSqlServerGateway } from './sqlserver-gateway.ts';

export type Sage500Settings = ResolvedConfig['sage500'];

/** The SQL Server adapter from configuration; connection errors come out as SB_SAGE_UNAVAILABLE. */
export async function openSqlServerGateway(settings: Sage500Settings, clock?: Clock): Promise<Sage500Adapter> {
  if (!settings.url)
    throw new SellbridgeError(
      'SB_CFG_INVALID',
      'sage500.url is required when sage500.kind is sqlserver (SELLBRIDGE_SAGE500_URL)',
    );
  const connector = await createMssqlConnector({
    url: settings.url,
    connectTimeoutMs: settings.connectTimeoutMs,
    requestTimeoutMs: settings.requestTimeoutMs,
  }).catch((err: unknown) => {
    throw new SellbridgeError(
      'SB_SAGE_UNAVAILABLE',
      `cannot connect to Sage 500: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err, retryAfterMs: settings.unavailableRetryMs },
    );
  });
  return createSqlServerGateway(
    {
      companyId: settings.companyId,
      userId: settings.userId,
      packageTable: settings.packageTable,
      packageNoColumn: settings.packageNoColumn,
      packageTrackingColumn: settings.packageTrackingColumn,
      shipmentRewindKeys: settings.shipmentRewindKeys,
      shipmentPageKeys: settings.shipmentPageKeys,
      glJournalId: settings.glJournalId,
      importMaxCalls: settings.importMaxCalls,
      unavailableRetryMs: settings.unavailableRetryMs,
      changeTracking: settings.changeTracking,
    },
    { connector, ...(clock ? { clock } : {}) },
  );
}

export function openSandboxGateway(settings: Sage500Settings, clock?: Clock): Promise<SandboxGateway> {
  return createSandboxGateway({
    path: settings.sandboxPath,
    companyId: settings.companyId,
    userId: settings.userId,
    shipmentRewindKeys: settings.shipmentRewindKeys,
    shipmentPageKeys: settings.shipmentPageKeys,
    importMaxCalls: settings.importMaxCalls,
    warehouseSimulator: settings.warehouseSimulator,
    faults: settings.faults,
    changeTracking: settings.changeTracking,
    ...(clock ? { clock } : {}),
  });
}

/** The gateway `sage500.kind` asks for (composition root and CLI). */
export function openSage500Gateway(settings: Sage500Settings, clock?: Clock): Promise<Sage500Adapter> {
  if (settings.kind === 'agent')
    return Promise.reject(
      new SellbridgeError(
        'SB_CFG_INVALID',
        "sage500.kind is agent (hosted mode): this process reaches Sage only through the agent channel; run this command where `sellbridge agent` runs, with that machine's sage500 settings",
      ),
    );
  return settings.kind === 'sqlserver' ? openSqlServerGateway(settings, clock) : openSandboxGateway(settings, clock);
}
