import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../src/bootstrap/doctor.ts';
import { piiVaultFromConfig } from '../../src/bootstrap/admin.ts';
import { loadConfig } from '../../src/config/load.ts';
import { systemClock } from '../../src/runtime/clock.ts';
import { connectionScope, REFRESH_TOKEN_SECRET } from '../../src/runtime/onboarding/amazon-authorization.ts';
import { generateKeyEntry } from '../../src/runtime/pii/keyring.ts';
import { openStore } from '../../src/runtime/store/store.ts';
import { createAmazonSimulator, type AmazonSimulator } from '../../src/simulator/amazon/index.ts';

/**
 * Issue 21: `sellbridge doctor` (subprocess) with two connections in sellbridge.yaml, on the SP-API simulator and one
 * Sage sandbox (companies SOA and SDE): each connection is checked and reported on its own: its Amazon token (`de` has
 * no refresh token in the file, only the one `connections authorize` stored, and that counts), its Sage company and
 * its mapping; `--connection` checks one; the exit code fails when any connection fails.
 */
const BIN = fileURLToPath(new URL('../../bin/sellbridge.js', import.meta.url));
const US = 'ATVPDKIKX0DER';
const DE = 'A1PA6795UKMFR9';
const SELLERS = [
  { sellerId: 'A1DOCTORUS', refreshToken: 'Atzr|doctor-us-token', marketplaceIds: [US] },
  { sellerId: 'A1DOCTORDE', refreshToken: 'Atzr|doctor-de-token', marketplaceIds: [DE] },
];
const dir = mkdtempSync(join(tmpdir(), 'sb-doctor-connections-'));
const piiKey = generateKeyEntry('k1');
let sim: AmazonSimulator;

function yaml(usCustomer: string): string {
  return `
store: { url: "sqlite:${join(dir, 'state.db')}" }
security: { piiKeys: "${piiKey}" }
amazon:
  endpoint: ${sim.url}
  lwaEndpoint: ${sim.url}/auth/o2/token
  lwaClientId: cid
  lwaClientSecret: secret
sage500: { kind: sandbox, sandboxPath: ${join(dir, 'sage.db')} }
connections:
  - id: us
    amazon: { sellerId: ${SELLERS[0]!.sellerId}, refreshToken: "${SELLERS[0]!.refreshToken}", marketplaceIds: [${US}] }
    orders:
      customers: { ${US}: { customerId: ${usCustomer}, currency: USD, warehouseId: MAIN } }
  - id: de
    amazon: { sellerId: ${SELLERS[1]!.sellerId}, region: eu, marketplaceIds: [${DE}] }
    sage500: { companyId: SDE, tranNoPrefix: AZD }
    orders:
      warehouseId: LEJ
      customers: { ${DE}: { customerId: AMAZON-DE, currency: EUR, warehouseId: LEJ } }
      shipMethods: { fallback: DHL-PAKET, byServiceLevel: { STANDARD: DHL-PAKET, FREE_ECONOMY: DHL-PAKET, SCHEDULED: DHL-PAKET, EXPEDITED: DHL-EXPRESS, SECOND_DAY: DHL-EXPRESS, PRIORITY: DHL-EXPRESS, NEXT_DAY: DHL-EXPRESS, SAME_DAY: DHL-EXPRESS } }
      chargeLines: { freight: { itemId: AMZ-CHARGE } }
`;
}
const GOOD = () => join(dir, 'good.yaml');
const BAD = () => join(dir, 'bad.yaml');

function sellbridge(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SELLBRIDGE_')));
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: dir, env, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
async function doctor(file: string, extra: string[] = []) {
  const { code, stdout, stderr } = await sellbridge(['-c', file, 'doctor', '--json', '--timeout', '5000', ...extra]);
  expect(stderr).toBe('');
  return { code, report: JSON.parse(stdout) as DoctorReport, raw: stdout };
}
const notOk = (r: DoctorReport) => r.checks.filter((c) => c.status !== 'ok' && c.status !== 'skipped').map((c) => c.id);

beforeAll(async () => {
  sim = await createAmazonSimulator({ seed: 2116, sellers: SELLERS, strictRefreshTokens: true });
  writeFileSync(GOOD(), yaml('AMAZON-US'));
  writeFileSync(BAD(), yaml('NOBODY'));
  const migrated = await sellbridge(['-c', GOOD(), 'migrate']);
  expect(migrated.code, migrated.stderr).toBe(0);
  // What `sellbridge connections authorize de` leaves behind: de's refresh token sealed in the store's vault.
  const config = loadConfig({ file: GOOD(), env: {} });
  const store = openStore(config.store);
  try {
    await piiVaultFromConfig(store, systemClock, config.security)!.putSecret(
      connectionScope('de'),
      REFRESH_TOKEN_SECRET,
      SELLERS[1]!.refreshToken,
      'test',
    );
  } finally {
    await store.close();
  }
}, 60_000);

afterAll(async () => {
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('sellbridge doctor with several connections (subprocess)', () => {
  it(
    'checks every connection, each with its own token, Sage company and mapping; exit 0',
    { timeout: 120_000 },
    async () => {
      const { code, report, raw } = await doctor(GOOD());
      const reports = report.connections ?? [];
      expect(reports.map((r) => r.connectionId)).toEqual(['us', 'de']);
      for (const r of reports) expect(notOk(r), `${r.connectionId}: ${raw}`).toEqual([]);
      expect(code).toBe(0);
      expect(report.status).toBe('ok');
      const de = reports[1]!;
      const check = (r: DoctorReport, id: string) => r.checks.find((c) => c.id === id)!;
      expect(check(de, 'config').detail).toContain('refresh token stored by `connections authorize`');
      expect(check(de, 'lwa-token').status).toBe('ok');
      expect(check(de, `sp-api:orders:${DE}`).status).toBe('ok');
      expect(check(de, 'sage').detail).toContain('company SDE');
      expect(check(de, 'mapping').status).toBe('ok');
      expect(check(reports[0]!, 'sage').detail).toContain('company SOA');
      expect(check(reports[0]!, 'mapping').detail).toContain('company SOA');
      for (const s of SELLERS) expect(raw).not.toContain(s.refreshToken);

      const text = await sellbridge(['-c', GOOD(), 'doctor', '--timeout', '5000']);
      expect(text.code).toBe(0);
      expect(text.stdout).toMatch(/^sellbridge doctor: connection us$/m);
      expect(text.stdout).toMatch(/^sellbridge doctor: connection de$/m);
      expect(text.stdout).toMatch(/^OK: 2 connections: us OK, de OK$/m);
    },
  );

  it('--connection checks only that one; an unknown id fails', { timeout: 120_000 }, async () => {
    const { code, report } = await doctor(GOOD(), ['--connection', 'de']);
    expect(code).toBe(0);
    expect(report.connectionId).toBe('de');
    expect(report.connections?.map((r) => r.connectionId)).toEqual(['de']);

    const unknown = await doctor(GOOD(), ['--connection', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.report.checks).toEqual([
      expect.objectContaining({ id: 'config', status: 'fail', detail: expect.stringContaining('no connection nope') }),
    ]);
  });

  it('one connection failing fails the run, and is named with its check', { timeout: 120_000 }, async () => {
    const { code, report } = await doctor(BAD());
    expect(code).toBe(2);
    expect(report.status).toBe('fail');
    const [us, de] = report.connections!;
    expect(notOk(us!)).toEqual(['mapping']);
    expect(us!.checks.find((c) => c.id === 'mapping')!.detail).toContain('NOBODY');
    expect(us!.checks.find((c) => c.id === 'mapping')!.fix).toContain('sellbridge connections check us');
    expect(de!.status).toBe('ok');

    const text = await sellbridge(['-c', BAD(), 'doctor', '--timeout', '5000']);
    expect(text.code).toBe(2);
    expect(text.stdout).toMatch(/^FAIL: 2 connections: us FAIL, de OK$/m);
  });
});
