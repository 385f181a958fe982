import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { globalOverrides, type CliContext, type GlobalOptions } from '../../../src/cli/context.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { createAmazonSimulator, DEFAULT_SELLER, type AmazonSimulator } from '../../../src/simulator/amazon/index.ts';

let sim: AmazonSimulator;
beforeAll(async () => {
  sim = await createAmazonSimulator({ seed: 3, orders: 2, limits: false, strictRefreshTokens: true });
});
afterAll(async () => sim.close());

async function doctor(extra: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const ctx: CliContext = {
    env: {},
    stdout: (t) => lines.push(t),
    stderr: (t) => lines.push(t),
    config: (cmd) =>
      loadConfig({ file: '/dev/null', env: {}, overrides: globalOverrides(cmd.optsWithGlobals<GlobalOptions>()) }),
  };
  const base = [
    `amazon.endpoint=${sim.url}`,
    `amazon.lwaEndpoint=${sim.url}/auth/o2/token`,
    'amazon.lwaClientId=cid',
    'amazon.lwaClientSecret=secret',
    `amazon.sellerId=${DEFAULT_SELLER.sellerId}`,
  ];
  const sets = [...base, ...extra].flatMap((s) => ['--set', s]);
  const code = await main(['amazon', 'doctor', ...sets], ctx);
  process.exitCode = undefined;
  if (process.env['DOCTOR_DEBUG']) console.log(lines.join('\n'));
  return { code, out: lines.join('\n') };
}

describe('sellbridge amazon doctor (against the simulator)', () => {
  it('says in words that the refresh token is refused, without printing it', async () => {
    const { code, out } = await doctor(['amazon.refreshToken=Atzr|revoked-token']);
    expect(code).toBe(1);
    expect(out).toMatch(/FAIL\s+token refresh: Login with Amazon refused the credentials/);
    expect(out).not.toContain('revoked-token');
  });

  it('says that simulator mode needs the simulator URL', async () => {
    const lines: string[] = [];
    const ctx: CliContext = {
      env: {},
      stdout: (t) => lines.push(t),
      stderr: (t) => lines.push(t),
      config: () => loadConfig({ file: '/dev/null', env: {} }),
    };
    const code = await main(['amazon', 'doctor'], ctx);
    process.exitCode = undefined;
    expect(code).toBe(1);
    expect(lines.join('\n')).toMatch(/FAIL\s+endpoint: amazon.mode is simulator but amazon.endpoint is not set/);
    expect(lines.join('\n')).toMatch(
      /FAIL\s+credentials: missing: amazon.lwaClientId, amazon.lwaClientSecret, amazon.refreshToken/,
    );
  });

  it('reports a marketplace outside the region', async () => {
    const { out } = await doctor([
      `amazon.refreshToken=${DEFAULT_SELLER.refreshToken}`,
      'amazon.marketplaceIds=ATVPDKIKX0DER,A1PA6795UKMFR9',
    ]);
    expect(out).toMatch(/FAIL\s+marketplaces: A1PA6795UKMFR9 \(DE\) is not served by region na/);
  });

  it('checks token refresh, marketplaces, destination and subscriptions', async () => {
    const { queueUrl } = sim.control.subscribe({ notificationType: 'ORDER_CHANGE' });
    const { out } = await doctor([
      `amazon.refreshToken=${DEFAULT_SELLER.refreshToken}`,
      `amazon.sqs.queueUrl=${queueUrl}`,
    ]);
    expect(out).toMatch(/ok\s+token refresh/);
    expect(out).toMatch(/ok\s+grantless token/);
    expect(out).toMatch(/ok\s+marketplace ATVPDKIKX0DER: orders can be read/);
    expect(out).toMatch(/ok\s+destination/);
    expect(out).toMatch(/ok\s+subscription ORDER_CHANGE/);
    expect(out).toMatch(/FAIL\s+subscription FEED_PROCESSING_FINISHED: the seller is not subscribed/);
  });
});
