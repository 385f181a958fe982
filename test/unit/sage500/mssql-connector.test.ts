import { describe, expect, it } from 'vitest';
import { mssqlConfigFromUrl, rpcValue } from '../../../src/connectors/sage500/mssql-connector.ts';

describe('mssql connector configuration (no server needed)', () => {
  it('reads the connection URL, with TLS on by default', () => {
    const cfg = mssqlConfigFromUrl({
      url: 'mssql://sb%40user:p%3Ass@sql1.example:1433/mas500_app?trustServerCertificate=true&instanceName=SAGE',
      connectTimeoutMs: 1000,
      requestTimeoutMs: 2000,
    });
    expect(cfg).toMatchObject({
      server: 'sql1.example',
      port: 1433,
      user: 'sb@user',
      password: 'p:ss',
      database: 'mas500_app',
      connectionTimeout: 1000,
      requestTimeout: 2000,
    });
    expect(cfg.options).toEqual({ encrypt: true, trustServerCertificate: true, instanceName: 'SAGE' });
    expect(() => mssqlConfigFromUrl({ url: 'postgres://x/y', connectTimeoutMs: 1, requestTimeoutMs: 1 })).toThrow(
      /mssql:\/\//,
    );
  });

  it('sends DateTime procedure values as UTC instants whatever the local time zone', () => {
    expect(rpcValue({ sqlType: { type: 'DateTime' }, value: '2026-11-15T00:00:00' })).toEqual(
      new Date(Date.UTC(2026, 10, 15)),
    );
    expect(rpcValue({ sqlType: { type: 'VarChar', length: 3 }, value: 'SOA' })).toBe('SOA');
  });
});
