import { Option, type Command } from 'commander';
import { SellbridgeError } from '../../core/errors.ts';
import type { CliContext } from '../context.ts';
import { formatTable } from '../format.ts';
import { cliActor, withAuth } from './tokens.ts';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** `sellbridge users`: local users who sign in to the dashboard with a password. */
export function registerUsersCommands(program: Command, ctx: CliContext): void {
  const users = program
    .command('users')
    .description('local dashboard users (password hashed with scrypt; locked after 10 failed sign-ins)')
    .addHelpText(
      'after',
      `
The password is read from standard input (first line), never from a flag, so it stays out of the shell
history and the process list.

Examples:
  printf '%s\\n' "$PASSWORD" | sellbridge users add olga --role operator
  sellbridge users add olga --role operator --replace < pw.txt     new password, lockout lifted
  sellbridge users list`,
    );

  users
    .command('add <name>')
    .description('add a user (or with --replace reset one: new password and role, lockout lifted)')
    .addOption(
      new Option('--role <role>', 'what the user may do')
        .choices(['viewer', 'operator', 'admin'])
        .makeOptionMandatory(),
    )
    .option('--replace', 'reset an existing user')
    .action(async (name: string, opts: { role: 'viewer' | 'operator' | 'admin'; replace?: boolean }, cmd: Command) =>
      withAuth(ctx, cmd, async (auth) => {
        const password = (process.stdin.isTTY ? '' : await readStdin()).split(/\r?\n/)[0] ?? '';
        if (!password)
          throw new SellbridgeError(
            'SB_CLI_USAGE',
            'no password given: pipe it on standard input, e.g. printf "%s\\n" "$PASSWORD" | sellbridge users add <name> --role viewer',
          );
        const user = await auth.addUser({
          name,
          role: opts.role,
          password,
          actor: cliActor(),
          replace: opts.replace === true,
        });
        ctx.stdout(`user ${user.name} ${opts.replace ? 'reset' : 'added'} with role ${user.role}`);
      }),
    );

  users
    .command('list')
    .description('list users, their role and lockout state')
    .action(async (_opts: unknown, cmd: Command) =>
      withAuth(ctx, cmd, async (auth) => {
        const list = await auth.listUsers();
        if (list.length === 0) return ctx.stdout('no users');
        ctx.stdout(
          formatTable(
            list.map((u) => ({ ...u, lockedUntil: u.lockedUntil ?? '' })),
            ['name', 'role', 'failedLogins', 'lockedUntil', 'createdAt'],
          ),
        );
      }),
    );
}
