import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { SellbridgeError } from '../../core/errors.ts';
import type { PiiVault } from '../../runtime/pii/vault.ts';
import type { Store } from '../../runtime/store/store.ts';
import type { CliContext } from '../context.ts';

/** `sellbridge keys`: the AES-256-GCM keys that protect buyer PII and connection credentials at rest. */
export function registerKeysCommands(program: Command, ctx: CliContext): void {
  const keys = program
    .command('keys')
    .description('encryption keys of buyer PII and connection credentials (AES-256-GCM): generate, status, rotate')
    .addHelpText(
      'after',
      `
Keys are configured as "keyId:base64" entries in security.piiKeys (SELLBRIDGE_SECURITY_PII_KEYS, comma-separated)
or one per line in the file security.piiKeyFile. The LAST key encrypts; earlier ones only decrypt.

Rotation:
  1. sellbridge keys generate                    prints a new entry, e.g. k20261127ab12:…
  2. append it to security.piiKeys (or the key file), keep the old key before it
  3. sellbridge keys rotate                      re-encrypts every row under the new key
  4. remove the old key; restart Sellbridge`,
    );

  keys
    .command('generate')
    .description('print a new random key entry (keyId:base64 of 32 bytes) to add to the configuration')
    .option('--id <keyId>', 'key id (letters, digits, _ and -); default k<date><random>')
    .action(async (opts: { id?: string }) => {
      const { generateKeyEntry, parseKeys } = await import('../../runtime/pii/keyring.ts');
      const entry = opts.id ? generateKeyEntry(opts.id) : generateKeyEntry();
      parseKeys(entry, '--id'); // validates the id
      ctx.stdout(entry);
    });

  const withVault = async (cmd: Command, work: (v: PiiVault, db: Store) => Promise<void>) => {
    const config = ctx.config(cmd);
    const { keyringFromConfig } = await import('../../runtime/pii/keyring.ts');
    const keyring = keyringFromConfig(config.security);
    if (!keyring)
      throw new SellbridgeError(
        'SB_PII_KEY_MISSING',
        'no PII key configured: set security.piiKeys (SELLBRIDGE_SECURITY_PII_KEYS) or security.piiKeyFile; `sellbridge keys generate` makes one',
      );
    const { openStore } = await import('../../runtime/store/store.ts');
    const { storeOrderStates } = await import('../../connectors/store/order-links.ts');
    const { createPiiVault } = await import('../../runtime/pii/vault.ts');
    const { systemClock } = await import('../../runtime/clock.ts');
    const store = openStore(config.store);
    try {
      await store.migrate();
      await work(
        createPiiVault(store, keyring, systemClock, {
          orders: storeOrderStates(store),
          retentionDays: config.security.piiRetentionDays,
        }),
        store,
      );
    } finally {
      await store.close();
    }
  };

  keys
    .command('status')
    .description('the configured key ids, the active one, and how many stored rows each key protects')
    .action(async (_opts: unknown, cmd: Command) =>
      withVault(cmd, async (vault, store) => {
        const t = store.db.withTables<{ buyer_pii: { key_id: string }; sealed_secrets: { key_id: string } }>();
        const pii = await t
          .selectFrom('buyer_pii')
          .select((eb) => ['key_id', eb.fn.countAll().as('n')])
          .groupBy('key_id')
          .execute();
        const sec = await t
          .selectFrom('sealed_secrets')
          .select((eb) => ['key_id', eb.fn.countAll().as('n')])
          .groupBy('key_id')
          .execute();
        ctx.stdout(`active key: ${vault.keyring.activeKeyId}; configured: ${vault.keyring.keyIds.join(', ')}`);
        const ids = [...new Set([...vault.keyring.keyIds, ...pii.map((r) => r.key_id), ...sec.map((r) => r.key_id)])];
        for (const id of ids) {
          const p = Number(pii.find((r) => r.key_id === id)?.n ?? 0);
          const s = Number(sec.find((r) => r.key_id === id)?.n ?? 0);
          ctx.stdout(
            `  ${id}: ${p} buyer PII row(s), ${s} credential(s)${vault.keyring.keyIds.includes(id) ? '' : '  <- NOT in the keyring: these rows cannot be read'}`,
          );
        }
      }),
    );

  keys
    .command('rotate')
    .description('re-encrypt every stored buyer PII row and credential under the active (last) key; safe to run again')
    .action(async (_opts: unknown, cmd: Command) =>
      withVault(cmd, async (vault) => {
        const r = await vault.rotate(`cli:${userInfo().username}`);
        ctx.stdout(
          `keys rotate: ${r.reencrypted} row(s) re-encrypted under ${r.activeKeyId}, ${r.alreadyCurrent} already under it. Keys other than ${r.activeKeyId} can now be removed from the configuration.`,
        );
      }),
    );
}
