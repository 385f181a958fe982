import { resolve } from 'node:path';
import type { ResolvedConfig } from '../../config/schema.ts';
import { mssqlConfigFromUrl } from './mssql-connector.ts';

/**
 * Which Sage server a connection's company is on, as a key with no secret in it (it is logged): connections with the
 * same key share one Sage circuit (issue 21), so one server down is learned once and probed once.
 *
 * - `sqlserver`: `sqlserver://host:port/database` (or `host\instance` for a named instance without a port), read
 *   from `sage500.url` the way the mssql adapter reads it; the user and password are never part of it. Host and
 *   database compare case-insensitively (SQL Server names do). A URL that does not parse is the connection's own.
 * - `sandbox`: `sandbox:<absolute path of the SQLite file>`; `:memory:` is the connection's own (each opens its own).
 * - `agent`: `agent:<connection id>` (each connection's agent is its own way to Sage).
 */
export function sageServerKey(settings: ResolvedConfig['sage500'], connectionId: string): string {
  if (settings.kind === 'agent') return `agent:${connectionId}`;
  if (settings.kind === 'sandbox')
    return settings.sandboxPath === ':memory:'
      ? `sandbox:memory:${connectionId}`
      : `sandbox:${resolve(settings.sandboxPath)}`;
  if (!settings.url) return `sqlserver:unset:${connectionId}`;
  try {
    const c = mssqlConfigFromUrl({ url: settings.url, connectTimeoutMs: 0, requestTimeoutMs: 0 });
    const host = c.server.toLowerCase();
    const instance = c.options?.instanceName?.toLowerCase();
    const where = c.port !== undefined ? `${host}:${c.port}` : instance ? `${host}\\${instance}` : `${host}:1433`;
    return `sqlserver://${where}/${(c.database ?? '').toLowerCase()}`;
  } catch {
    return `sqlserver:unparsed:${connectionId}`;
  }
}
