import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createKeyring, generateKeyEntry, keyringFromConfig, parseKeys } from '../../../src/runtime/pii/keyring.ts';

const k = (id: string, fill: number) => ({ id, key: Buffer.alloc(32, fill) });

describe('PII keyring (AES-256-GCM)', () => {
  it('seals with the last key, opens with any key of the ring, never shows the plaintext', () => {
    const old = createKeyring([k('old', 1)]);
    const sealed = old.seal('Jane Planted, 1 Secret Lane', 'row-1');
    expect(sealed).toMatch(/^sb1\.old\./);
    expect(sealed).not.toContain('Jane');
    const both = createKeyring([k('old', 1), k('new', 2)]);
    expect(both.activeKeyId).toBe('new');
    expect(both.open(sealed, 'row-1')).toBe('Jane Planted, 1 Secret Lane');
    expect(both.keyIdOf(both.seal('x', 'r'))).toBe('new');
  });

  it('uses a fresh IV each time and binds the value to its row (AAD)', () => {
    const ring = createKeyring([k('a', 3)]);
    expect(ring.seal('same', 'r')).not.toBe(ring.seal('same', 'r'));
    const sealed = ring.seal('secret', 'order-1');
    expect(() => ring.open(sealed, 'order-2')).toThrow(expect.objectContaining({ code: 'SB_PII_DECRYPT_FAILED' }));
  });

  it('detects tampering and a wrong key', () => {
    const ring = createKeyring([k('a', 3)]);
    const parts = ring.seal('secret', 'r').split('.');
    parts[4] = Buffer.from('tampered').toString('base64url');
    expect(() => ring.open(parts.join('.'), 'r')).toThrow(expect.objectContaining({ code: 'SB_PII_DECRYPT_FAILED' }));
    const other = createKeyring([k('a', 4)]);
    expect(() => other.open(ring.seal('secret', 'r'), 'r')).toThrow(
      expect.objectContaining({ code: 'SB_PII_DECRYPT_FAILED' }),
    );
    const missing = createKeyring([k('b', 3)]);
    expect(() => missing.open(ring.seal('secret', 'r'), 'r')).toThrow(
      expect.objectContaining({ code: 'SB_PII_KEY_UNKNOWN' }),
    );
  });

  it('parses keys from config or a file, and says what is wrong with a bad entry', () => {
    const entry = generateKeyEntry('k2026');
    expect(parseKeys(`# comment\n${entry}\n`, 'file')).toHaveLength(1);
    expect(() => parseKeys('k1:c2hvcnQ=', 'security.piiKeys')).toThrow(/entry 1 is not "keyId:<base64 of 32 bytes>"/);
    const dir = mkdtempSync(join(tmpdir(), 'sb-keys-'));
    writeFileSync(join(dir, 'keys'), `${generateKeyEntry('one')}\n${generateKeyEntry('two')}\n`);
    expect(keyringFromConfig({ piiKeyFile: join(dir, 'keys') })!.activeKeyId).toBe('two');
    expect(keyringFromConfig({})).toBeUndefined();
    expect(() => keyringFromConfig({ piiKeyFile: join(dir, 'nope') })).toThrow(
      expect.objectContaining({ code: 'SB_PII_KEY_MISSING' }),
    );
  });
});
