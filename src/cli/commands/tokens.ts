import { userInfo } from 'node:os';
import { Option, type Command } from 'commander';
import type { AuthService } from '../../runtime/auth/auth-service.ts';
import type { CliContext } from '../context.ts';
import { formatTable } from '../format.ts';

async function withAuth(ctx: CliContext, cmd: Command, work: (auth: AuthService) => Promise<void>): Promise<void> {
  const config = ctx.config(cmd);
  const { openStore } = await import('../../runtime/store/store.ts');
  const { createAuthService } = await import('../../runtime/auth/auth-service.ts');
  const { systemClock } = await import('../../runtime/clock.ts');
  const store = openStore(config.store);
  try {
    await store.migrate();
    await work(
      createAuthService(store, systemClock, { settings: { minPasswordLength: config.security.minPasswordLength } }),
    );
  } finally {
    await store.close();
  }
}
export { withAuth };

export const cliActor = () => `cli:${userInfo().username}`;

/** `sellbridge tokens`: API tokens of the admin API (roles viewer, operator, admin). */
export function registerTokensCommands(program: Command, ctx: CliContext): void {
  const tokens = program
    .command('tokens')
    .description('API tokens for the admin API and dashboard: create (shown once), list, revoke')
    .addHelpText(
      'after',
      `
Roles: viewer reads; operator also replays/discards dead letters and edits mappings; admin also manages
tokens, users and connections. Use a token as "Authorization: Bearer <token>" or sign in with it on the dashboard.

Examples:
  sellbridge tokens create --name grafana --role viewer
  sellbridge tokens list
  sellbridge tokens revoke <id>`,
    );

  tokens
    .command('create')
    .description('create a token; it is printed once and stored only as a SHA-256 hash')
    .requiredOption('--name <name>', 'what the token is for (shown in the audit log as token:<name>)')
    .addOption(
      new Option('--role <role>', 'what it may do').choices(['viewer', 'operator', 'admin']).makeOptionMandatory(),
    )
    .action(async (opts: { name: string; role: 'viewer' | 'operator' | 'admin' }, cmd: Command) =>
      withAuth(ctx, cmd, async (auth) => {
        const { token, info } = await auth.createToken({ name: opts.name, role: opts.role, actor: cliActor() });
        ctx.stdout(token);
        ctx.stderr(
          `token ${info.name} (${info.role}, id ${info.id}) created; it is shown only this once, store it now`,
        );
      }),
    );

  tokens
    .command('list')
    .description('list tokens (never their value)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) =>
      withAuth(ctx, cmd, async (auth) => {
        const list = await auth.listTokens();
        if (opts.json) return ctx.stdout(JSON.stringify(list, null, 2));
        if (list.length === 0) return ctx.stdout('no tokens');
        ctx.stdout(
          formatTable(
            list.map((t) => ({ ...t, lastUsedAt: t.lastUsedAt ?? '', revokedAt: t.revokedAt ?? '' })),
            ['id', 'name', 'role', 'createdBy', 'createdAt', 'lastUsedAt', 'revokedAt'],
          ),
        );
      }),
    );

  tokens
    .command('revoke <id>')
    .description('revoke a token at once (kept in the list for the record)')
    .action(async (id: string, _opts: unknown, cmd: Command) =>
      withAuth(ctx, cmd, async (auth) => {
        await auth.revokeToken(id, cliActor());
        ctx.stdout(`token ${id} revoked`);
      }),
    );
}
