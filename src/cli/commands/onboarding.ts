import type { Command } from 'commander';
import type { ResolvedConfig } from '../../config/schema.ts';
import { SellbridgeError } from '../../core/errors.ts';
import type { Store } from '../../runtime/store/store.ts';
import type { CliContext } from '../context.ts';

/**
 * Onboarding a seller (issue 21): `sellbridge connections authorize <id>` (Amazon's website authorization workflow)
 * and `sellbridge amazon subscribe <id>` (SQS destination + the notifications Sellbridge needs). Attached to the
 * `connections` and `amazon` commands registered before.
 */
export function registerOnboardingCommands(program: Command, ctx: CliContext): void {
  const connections = program.commands.find((c) => c.name() === 'connections');
  const amazon = program.commands.find((c) => c.name() === 'amazon');
  if (!connections || !amazon) throw new Error('register the connections and amazon commands first');

  const withStore = async <T>(config: ResolvedConfig, work: (store: Store) => Promise<T>): Promise<T> => {
    const { openStore } = await import('../../runtime/store/store.ts');
    const store = openStore(config.store);
    try {
      await store.migrate();
      return await work(store);
    } finally {
      await store.close();
    }
  };

  connections
    .command('authorize <id>')
    .description(
      "Amazon's website authorization workflow: prints the Seller Central consent URL for the connection, with a single-use state bound to the admin user --user that expires (amazon.consentStateTtlMs, default 10 min). The seller consents; Amazon sends the browser to amazon.redirectUri (this server's /oauth/amazon/callback), where that admin, signed in to the dashboard, completes it: the refresh token is sealed in the store and the selling partner id recorded. Needs amazon.applicationId, lwaClientId, lwaClientSecret, redirectUri and a PII key",
    )
    .requiredOption('--user <name>', 'the dashboard admin user who completes the authorization in the browser')
    .option('--json', 'print { connectionId, url, expiresAt } as JSON')
    .addHelpText(
      'after',
      `
Examples:
  sellbridge connections authorize default --user ada     consent URL for connection "default", completed by admin ada`,
    )
    .action(async (id: string, opts: { user: string; json?: boolean }, cmd: Command) => {
      const config = ctx.config(cmd);
      const { piiVaultFromConfig } = await import('../../bootstrap/admin.ts');
      const { wireOnboarding } = await import('../../bootstrap/onboarding.ts');
      const { systemClock } = await import('../../runtime/clock.ts');
      const { createLogger } = await import('../../observability/logger.ts');
      const { authTables } = await import('../../runtime/auth/tables.ts');
      const logger = createLogger({ level: 'warn', format: config.log.format, destination: process.stderr });
      const started = await withStore(config, async (store) => {
        const user = await authTables(store)
          .selectFrom('admin_users')
          .select(['name', 'role'])
          .where('name', '=', opts.user)
          .executeTakeFirst();
        if (!user || user.role !== 'admin')
          throw new SellbridgeError(
            'SB_API_REQUEST_INVALID',
            `--user ${opts.user}: ${user ? `has the ${user.role} role; authorizing a seller needs an admin` : 'no such dashboard user'} (sellbridge users add --role admin)`,
            { context: { field: 'user' } },
          );
        const pii = piiVaultFromConfig(store, systemClock, config.security);
        const { authorization } = wireOnboarding({ store, clock: systemClock, logger }, config, pii);
        return authorization.start(id, `user:${user.name}`);
      });
      if (opts.json) ctx.stdout(JSON.stringify({ connectionId: id, url: started.url, expiresAt: started.expiresAt }));
      else {
        ctx.stdout(`Open this URL as the seller of connection ${id} (it works once, until ${started.expiresAt}):`);
        ctx.stdout(started.url);
        ctx.stdout(
          `Amazon sends the browser back to ${started.redirectUri}; ${opts.user} must be signed in to the dashboard there.`,
        );
      }
    });

  amazon
    .command('subscribe <id>')
    .description(
      "creates, when missing, the notification destination for the connection's SQS queue (amazon.sqs.queueUrl) and the ORDER_CHANGE, FEED_PROCESSING_FINISHED and REPORT_PROCESSING_FINISHED subscriptions of its seller, then shows what exists; running it again creates nothing",
    )
    .option('--json', 'print the destination and subscriptions as JSON')
    .action(async (id: string, opts: { json?: boolean }, cmd: Command) => {
      const config = ctx.config(cmd);
      const { configuredConnectionIds } = await import('../../bootstrap/connection-check.ts');
      if (!configuredConnectionIds(config).includes(id))
        throw new SellbridgeError(
          'SB_AMZ_AUTH_CONNECTION_NOT_FOUND',
          `no connection "${id}" in this configuration (it has ${configuredConnectionIds(config).join(', ')})`,
          { context: { connectionId: id } },
        );
      const { sqsArnFromQueueUrl } = await import('../../connectors/amazon/doctor.ts');
      const arn = config.amazon.sqs.queueUrl
        ? sqsArnFromQueueUrl(config.amazon.sqs.queueUrl, config.amazon.sqs.region)
        : undefined;
      if (!arn)
        throw new SellbridgeError(
          'SB_CFG_INVALID',
          'amazon.sqs.queueUrl: set it to the SQS queue the notifications go to (https://sqs.<region>.amazonaws.com/<account>/<name>)',
          { context: { field: 'amazon.sqs.queueUrl' } },
        );
      const { piiVaultFromConfig } = await import('../../bootstrap/admin.ts');
      const { storedRefreshTokenLookup } = await import('../../runtime/onboarding/amazon-authorization.ts');
      const { createAmazonConnector } = await import('../../connectors/amazon/create-amazon-connector.ts');
      const { ensureSubscriptions } = await import('../../connectors/amazon/notifications/subscribe.ts');
      const { systemClock } = await import('../../runtime/clock.ts');
      const outcome = await withStore(config, async (store) => {
        const connector = createAmazonConnector(config.amazon, {
          store,
          clock: systemClock,
          sleep: (ms) => new Promise<void>((r) => setTimeout(r, ms)),
          connectionId: id,
          storedRefreshToken: storedRefreshTokenLookup(piiVaultFromConfig(store, systemClock, config.security)),
        });
        return ensureSubscriptions(connector.connection.client, { arn, destinationName: `sellbridge-${id}` });
      });
      if (opts.json) {
        ctx.stdout(JSON.stringify(outcome, null, 2));
        return;
      }
      const d = outcome.destination;
      ctx.stdout(`${d.created ? 'created' : 'exists '}  destination ${d.destinationId} (${d.name}) -> ${d.arn}`);
      for (const s of outcome.subscriptions)
        ctx.stdout(
          `${s.created ? 'created' : 'exists '}  ${s.type.padEnd(27)} subscription ${s.subscriptionId} (payload ${s.payloadVersion})${s.destinationId === d.destinationId ? '' : ` -> another destination ${s.destinationId}`}`,
        );
      const made = (d.created ? 1 : 0) + outcome.subscriptions.filter((s) => s.created).length;
      ctx.stdout(made ? `${made} created` : 'nothing to create: everything exists');
    });
}
