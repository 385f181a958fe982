import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * The packages a process loads when it imports the CLI and the runtime's composition root (every command's way in),
 * read in a fresh Node with a module hook: mssql (tedious, @azure/identity: some 40 MB resident) and the AWS SQS
 * client are loaded at their first use only, so a sandbox or agent process and a `settlements import` go without.
 */
function packagesLoadedBy(modules: readonly string[]): string[] {
  const script = `
    import { registerHooks } from 'node:module';
    const seen = new Set();
    registerHooks({ load(url, context, next) { const m = /\\/node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(url); if (m) seen.add(m[1]); return next(url, context); } });
    for (const m of ${JSON.stringify(modules)}) await import(new URL(m, ${JSON.stringify(`file://${ROOT}`)}).href);
    console.log(JSON.stringify([...seen]));
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!) as string[];
}

describe('drivers loaded on first use', () => {
  it('the CLI and the runtime load neither mssql nor the AWS SQS client until they are used', () => {
    const loaded = packagesLoadedBy([
      'src/cli/main.ts',
      'src/bootstrap/index.ts',
      'src/cli/commands/settlements.ts',
      'src/connectors/sage500/create-gateway.ts',
    ]);
    expect(loaded).toContain('kysely'); // the hook saw the packages that are loaded
    expect(loaded).not.toContain('mssql');
    expect(loaded).not.toContain('tedious');
    expect(loaded).not.toContain('@aws-sdk/client-sqs');
  });

  it('an SQS client loads the SDK at its first command', async () => {
    const { createSqsClient } = await import('../../../src/connectors/amazon/notifications/sqs-consumer.ts');
    const { GetQueueAttributesCommand } = await import('@aws-sdk/client-sqs');
    const client = createSqsClient({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    // Nothing listens on port 9: the command reaches the SDK, which fails to connect (not a missing module).
    await expect(
      client.send(new GetQueueAttributesCommand({ QueueUrl: 'http://127.0.0.1:9/q', AttributeNames: ['All'] }), {
        abortSignal: AbortSignal.timeout(5000),
      }),
    ).rejects.toSatisfy((err: unknown) => !String(err).includes('Cannot find module'));
    client.destroy();
  });
});
