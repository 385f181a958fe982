import type { ResolvedConfig } from '../config/schema.ts';
import { connectionConfigs } from '../config/load.ts';
import { openSage500Gateway } from '../connectors/sage500/create-gateway.ts';
import { SellbridgeError } from '../core/errors.ts';
import {
  checkMapping,
  formatMappingProblems,
  mappingCheckSummary,
  type MappingCheck,
  type MappingCheckGateway,
  type MappingProblem,
} from '../flows/check-mapping.ts';
import { effectiveCheckOf } from './effective-mapping.ts';
import { prefixHolder, prefixTakenProblem, sageCompanyOf } from './tran-no-prefixes.ts';

export interface ConnectionCheckReport {
  readonly check: MappingCheck;
  readonly lines: readonly string[];
  readonly summary: string;
}

/**
 * The connections this configuration defines: the `connections:` list's ids, or `orders.connectionId` (`default`
 * unless set) made of the top-level `amazon`, `sage500` and `orders` blocks.
 */
export function configuredConnectionIds(config: ResolvedConfig): readonly string[] {
  return connectionConfigs(config).map((c) => c.orders.connectionId);
}

/**
 * `sellbridge connections check [id]`: the connection's order mapping and its sync side (inventory warehouses, price
 * sheets' warehouses, settlement GL accounts when settlements are used), as sellbridge.yaml sets them with the stored
 * edits over them, against its Sage company. Opens its own gateway (the warehouse simulator off) unless one is given. Read-only.
 */
export async function checkConnection(
  config: ResolvedConfig,
  connectionId: string = config.orders.connectionId,
  gateway?: MappingCheckGateway,
): Promise<ConnectionCheckReport> {
  const own = connectionConfigs(config).find((c) => c.orders.connectionId === connectionId);
  if (!own)
    throw new SellbridgeError(
      'SB_CFG_INVALID',
      `no connection ${connectionId}: this configuration has only ${configuredConnectionIds(config).join(', ')} (orders.connectionId)`,
    );
  const settings = own.sage500;
  // What the flows will use: sellbridge.yaml with the edits stored through the admin API laid over it.
  const { rules, sync } = await effectiveCheckOf(own, connectionId);
  const where = `${settings.kind}, company ${settings.companyId}`;
  const shared = await sharedPrefixProblem(config, own, connectionId, rules.tranNoPrefix ?? settings.tranNoPrefix);
  const report = (checked: MappingCheck): ConnectionCheckReport => {
    const check = shared ? { ...checked, ok: false, problems: [...checked.problems, shared] } : checked;
    return { check, lines: formatMappingProblems(check), summary: mappingCheckSummary(check, where) };
  };
  if (gateway) return report(await checkMapping(gateway, connectionId, rules, sync));
  const opened = await openSage500Gateway({
    ...settings,
    warehouseSimulator: { ...settings.warehouseSimulator, enabled: false },
  });
  try {
    return report(await checkMapping(opened, connectionId, rules, sync));
  } finally {
    await opened.close();
  }
}

/**
 * The prefix problem `sellbridge run` would stop the connection for (tran-no-prefixes.ts): an earlier connection of
 * sellbridge.yaml reserves TranNos with the same prefix (its stored edit laid over it) in the same Sage company.
 */
async function sharedPrefixProblem(
  config: ResolvedConfig,
  own: ResolvedConfig,
  connectionId: string,
  prefix: string,
): Promise<MappingProblem | undefined> {
  const company = sageCompanyOf(own, connectionId);
  const all = connectionConfigs(config);
  // Only earlier entries hold a prefix against this one, and only in its company (no store read for the others).
  const earlier = all
    .slice(
      0,
      all.findIndex((c) => c.orders.connectionId === connectionId),
    )
    .filter((c) => sageCompanyOf(c, c.orders.connectionId) === company);
  const holders = await Promise.all(
    earlier.map(async (c) => {
      const id = c.orders.connectionId;
      return { id, company, prefix: (await effectiveCheckOf(c, id)).rules.tranNoPrefix ?? c.sage500.tranNoPrefix };
    }),
  );
  const holder = prefixHolder(holders, connectionId, company, prefix);
  return holder
    ? { path: 'sage500.tranNoPrefix', value: prefix, severity: 'error', problem: prefixTakenProblem(prefix, holder) }
    : undefined;
}

/**
 * `sellbridge run` (worker roles) calls this before it starts the connection: a mapping that names what Sage does not
 * have stops the start, with every problem, instead of dead-lettering every order. Throws SB_MAP_CONNECTION_INVALID.
 */
export async function assertConnectionChecked(
  config: ResolvedConfig,
  connectionId: string = config.orders.connectionId,
): Promise<ConnectionCheckReport> {
  const report = await checkConnection(config, connectionId);
  if (!report.check.ok) {
    const errors = formatMappingProblems({
      ...report.check,
      problems: report.check.problems.filter((p) => p.severity === 'error'),
    });
    throw new SellbridgeError(
      'SB_MAP_CONNECTION_INVALID',
      `connection ${report.check.connectionId} was not started: its mapping does not match Sage company ${config.sage500.companyId} (sellbridge connections check):\n${errors.join('\n')}`,
      { context: { connectionId: report.check.connectionId, errors: errors.length } },
    );
  }
  return report;
}
