import type { config as MssqlConfig } from 'mssql';

// The connection settings of the SQL Server adapter, read from `sage500.url`, kept apart from the adapter so that
// reading a URL (sageServerKey, at every start) does not load the driver (mssql, tedious: some 40 MB of memory).

export interface MssqlConnectorOptions {
  /** mssql://user:password@host:1433/database?encrypt=true&trustServerCertificate=true&instanceName=SAGE */
  readonly url: string;
  readonly connectTimeoutMs: number;
  readonly requestTimeoutMs: number;
}

export function mssqlConfigFromUrl(options: MssqlConnectorOptions): MssqlConfig {
  const u = new URL(options.url);
  if (u.protocol !== 'mssql:' && u.protocol !== 'sqlserver:') throw new Error('sage500.url must start with mssql://');
  const flag = (name: string, dflt: boolean) => (u.searchParams.has(name) ? u.searchParams.get(name) === 'true' : dflt);
  return {
    server: u.hostname,
    ...(u.port ? { port: Number(u.port) } : {}),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.replace(/^\//, '')),
    connectionTimeout: options.connectTimeoutMs,
    requestTimeout: options.requestTimeoutMs,
    options: {
      encrypt: flag('encrypt', true),
      trustServerCertificate: flag('trustServerCertificate', false),
      ...(u.searchParams.get('instanceName') ? { instanceName: u.searchParams.get('instanceName')! } : {}),
    },
    pool: { min: 0, max: 4 },
  };
}
