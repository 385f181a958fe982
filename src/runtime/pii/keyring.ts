import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SellbridgeError } from '../../core/errors.ts';

/**
 * AES-256-GCM keys for data at rest (buyer PII, connection credentials). A keyring holds every key that may still
 * decrypt something; the last one listed (the active key) encrypts. Sealed values carry their key id, so
 * rotation is: append a new key, run `sellbridge keys rotate` (re-encrypts every row under the active key), then
 * drop the old key.
 */
export interface Keyring {
  readonly activeKeyId: string;
  readonly keyIds: readonly string[];
  /** `sb1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts); `aad` binds the value to its row. */
  seal(plaintext: string, aad: string): string;
  /** @throws SB_PII_KEY_UNKNOWN, SB_PII_DECRYPT_FAILED */
  open(sealed: string, aad: string): string;
  keyIdOf(sealed: string): string;
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/** Parses `keyId:base64` entries separated by commas or new lines (blank lines and `#` comments ignored). */
export function parseKeys(text: string, source: string): Array<{ id: string; key: Buffer }> {
  const entries = text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter((s) => s && !s.startsWith('#'));
  return entries.map((entry, i) => {
    const at = entry.indexOf(':');
    const id = at > 0 ? entry.slice(0, at) : '';
    const key = at > 0 ? Buffer.from(entry.slice(at + 1), 'base64') : Buffer.alloc(0);
    if (!KEY_ID.test(id) || key.length !== 32) {
      throw new SellbridgeError(
        'SB_PII_KEY_INVALID',
        `${source}: entry ${i + 1} is not "keyId:<base64 of 32 bytes>" (key ids: letters, digits, _ and -, up to 32)`,
        {
          context: { source, entry: i + 1 },
        },
      );
    }
    return { id, key };
  });
}

export function createKeyring(keys: ReadonlyArray<{ id: string; key: Buffer }>): Keyring {
  if (keys.length === 0)
    throw new SellbridgeError(
      'SB_PII_KEY_MISSING',
      'no PII key configured: set security.piiKeys (SELLBRIDGE_SECURITY_PII_KEYS) or security.piiKeyFile; `sellbridge keys generate` makes one',
    );
  const byId = new Map(keys.map((k) => [k.id, k.key]));
  const active = keys[keys.length - 1]!;
  const parts = (sealed: string) => {
    const p = sealed.split('.');
    if (p.length !== 5 || p[0] !== 'sb1')
      throw new SellbridgeError('SB_PII_DECRYPT_FAILED', 'sealed value has an unknown format', { context: {} });
    return p as [string, string, string, string, string];
  };
  return {
    activeKeyId: active.id,
    keyIds: keys.map((k) => k.id),
    seal(plaintext, aad) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', active.key, iv);
      cipher.setAAD(Buffer.from(aad));
      const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [
        'sb1',
        active.id,
        iv.toString('base64url'),
        cipher.getAuthTag().toString('base64url'),
        ct.toString('base64url'),
      ].join('.');
    },
    open(sealed, aad) {
      const [, kid, iv, tag, ct] = parts(sealed);
      const key = byId.get(kid);
      if (!key)
        throw new SellbridgeError(
          'SB_PII_KEY_UNKNOWN',
          `data was encrypted with key ${kid}, which is not in the keyring; add it back to security.piiKeys`,
          { context: { keyId: kid } },
        );
      try {
        const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        d.setAAD(Buffer.from(aad));
        d.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([d.update(Buffer.from(ct, 'base64url')), d.final()]).toString('utf8');
      } catch {
        throw new SellbridgeError(
          'SB_PII_DECRYPT_FAILED',
          `data sealed with key ${kid} failed authentication (wrong key or tampered row)`,
          { context: { keyId: kid } },
        );
      }
    },
    keyIdOf: (sealed) => parts(sealed)[1],
  };
}

/** The keyring from config: `security.piiKeys`, else `security.piiKeyFile`; undefined when neither is set. */
export function keyringFromConfig(security: {
  readonly piiKeys?: string | undefined;
  readonly piiKeyFile?: string | undefined;
}): Keyring | undefined {
  if (security.piiKeys) return createKeyring(parseKeys(security.piiKeys, 'security.piiKeys'));
  if (security.piiKeyFile) {
    let text: string;
    try {
      text = readFileSync(security.piiKeyFile, 'utf8');
    } catch (err) {
      throw new SellbridgeError(
        'SB_PII_KEY_MISSING',
        `cannot read security.piiKeyFile ${security.piiKeyFile}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
        { context: { file: security.piiKeyFile } },
      );
    }
    return createKeyring(parseKeys(text, security.piiKeyFile));
  }
  return undefined;
}

/** A fresh `keyId:base64` entry (`sellbridge keys generate`). */
export function generateKeyEntry(
  id = `k${new Date().toISOString().slice(0, 10).replaceAll('-', '')}${randomBytes(2).toString('hex')}`,
): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}
