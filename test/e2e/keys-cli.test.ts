import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createAuthService } from '../../src/runtime/auth/auth-service.ts';
import { systemClock } from '../../src/runtime/clock.ts';
import { createKeyring, generateKeyEntry, parseKeys } from '../../src/runtime/pii/keyring.ts';
import { createPiiVault } from '../../src/runtime/pii/vault.ts';
import { openStore } from '../../src/runtime/store/store.ts';
import { storeOrderStates } from '../../src/connectors/store/order-links.ts';

const BIN = fileURLToPath(new URL('../../bin/sellbridge.js', import.meta.url));

function cli(args: string[], env: Record<string, string> = {}, input?: string) {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SELLBRIDGE_')));
  const r = spawnSync(process.execPath, [BIN, ...args], {
    env: { ...base, ...env },
    encoding: 'utf8',
    input: input ?? '',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('sellbridge keys / tokens / users (subprocess)', () => {
  it('keys generate + rotate: rows sealed under the old key are re-encrypted; the old key can then go', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-keys-'));
    const url = `sqlite:${join(dir, 'state.db')}`;
    const k1 = cli(['keys', 'generate', '--id', 'k1']).stdout.trim();
    const k2 = generateKeyEntry('k2');
    expect(k1).toMatch(/^k1:[A-Za-z0-9+/]{43}=$/);
    const store = openStore({ url });
    await store.migrate();
    const before = createPiiVault(store, createKeyring(parseKeys(k1, 'test')), systemClock, {
      orders: storeOrderStates(store),
    });
    await before.put({ connectionId: 'default', amazonOrderId: '111-1' }, { buyerName: 'Jane Planted' });
    await before.putSecret('connection:us', 'refreshToken', 'Atzr|planted', 'test');
    await store.close();

    const rotate = cli(['--store', url, 'keys', 'rotate'], { SELLBRIDGE_SECURITY_PII_KEYS: `${k1},${k2}` });
    expect(rotate.code).toBe(0);
    expect(rotate.stdout).toContain('2 row(s) re-encrypted under k2');
    const status2 = cli(['--store', url, 'keys', 'status'], { SELLBRIDGE_SECURITY_PII_KEYS: k2 });
    expect(status2.stdout).toContain('active key: k2');
    expect(status2.stdout).toContain('k2: 1 buyer PII row(s), 1 credential(s)');
    expect(status2.stdout).not.toContain('NOT in the keyring');

    const again = openStore({ url });
    const after = createPiiVault(again, createKeyring(parseKeys(k2, 'test')), systemClock, {
      orders: storeOrderStates(again),
    });
    expect(await after.get({ connectionId: 'default', amazonOrderId: '111-1' })).toEqual({ buyerName: 'Jane Planted' });
    expect(await after.openSecret('connection:us', 'refreshToken')).toBe('Atzr|planted');
    await again.close();

    const none = cli(['--store', url, 'keys', 'rotate']);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toContain('SB_PII_KEY_MISSING');
    expect(none.stderr).toContain('sellbridge keys generate');
  });

  it('tokens create prints the token once; users add reads the password from stdin', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-tokens-'));
    const url = `sqlite:${join(dir, 'state.db')}`;
    const created = cli(['--store', url, 'tokens', 'create', '--name', 'grafana', '--role', 'viewer']);
    expect(created.code).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^sbt_/);
    expect(created.stderr).toContain('shown only this once');
    const list = cli(['--store', url, 'tokens', 'list']);
    expect(list.stdout).toContain('grafana');
    expect(list.stdout).not.toContain(token);

    const added = cli(['--store', url, 'users', 'add', 'olga', '--role', 'operator'], {}, 'a long enough password\n');
    expect(added.stdout).toContain('user olga added with role operator');
    const weak = cli(['--store', url, 'users', 'add', 'bob', '--role', 'viewer'], {}, 'short\n');
    expect(weak.code).not.toBe(0);
    expect(weak.stderr).toContain('SB_AUTH_PASSWORD_WEAK');

    const store = openStore({ url });
    const auth = createAuthService(store, systemClock);
    expect(await auth.verifyToken(token)).toMatchObject({ role: 'viewer', actor: 'token:grafana' });
    expect(await auth.login('olga', 'a long enough password')).toMatchObject({
      ok: true,
      principal: { role: 'operator' },
    });
    await store.close();
  });
});
