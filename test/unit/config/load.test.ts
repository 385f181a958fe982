import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigError, loadConfig, redactConfig } from '../../../src/config/load.ts';
import { CONFIG_LEAVES } from '../../../src/config/introspect.ts';
import { sampleConfigYaml } from '../../../src/config/sample.ts';
import { configSchema } from '../../../src/config/schema.ts';

const FIXTURE = new URL('../../fixtures/config/five-mistakes.yaml', import.meta.url).pathname;
const NO_FILE = join(tmpdir(), 'no-such-sellbridge.yaml');

function yamlFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sb-config-'));
  const path = join(dir, 'sellbridge.yaml');
  writeFileSync(path, text);
  return path;
}

function problemsOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('config loading', () => {
  it('gives every setting a default, and the result is deep-frozen', () => {
    const config = loadConfig({ file: undefined, env: {} });
    expect(config.store.url).toBe('sqlite:./data/sellbridge.db');
    expect(config.jobs.maxAttempts).toBe(8);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.jobs)).toBe(true);
    expect(() => {
      (config.jobs as { concurrency: number }).concurrency = 99;
    }).toThrow(TypeError);
  });

  it('describes every leaf of the schema', () => {
    for (const leaf of CONFIG_LEAVES) expect(leaf.description, leaf.path.join('.')).not.toBe('');
  });

  it('applies defaults < file < SELLBRIDGE_* env < flags', () => {
    const file = yamlFile('jobs:\n  concurrency: 2\n  maxAttempts: 5\n  leaseMs: 1000\n');
    const config = loadConfig({
      file,
      env: { SELLBRIDGE_JOBS_MAX_ATTEMPTS: '6', SELLBRIDGE_JOBS_LEASE_MS: '2000', PATH: '/bin' },
      overrides: [{ path: 'jobs.leaseMs', value: '3000' }],
    });
    expect(config.jobs.concurrency).toBe(2); // file
    expect(config.jobs.maxAttempts).toBe(6); // env over file
    expect(config.jobs.leaseMs).toBe(3000); // flag over env
    expect(config.jobs.backoffBaseMs).toBe(2000); // default
  });

  it('reports all five mistakes of the sample at once, each with path, source, expected and received', () => {
    const err = problemsOf(() => loadConfig({ file: FIXTURE, env: {} }));
    expect(err.code).toBe('SB_CFG_INVALID');
    expect(err.problems.map((p) => p.path).sort()).toEqual([
      'jobs.concurrency',
      'jobs.leaseMS',
      'log.level',
      'server.port',
      'store.url',
    ]);
    const byPath = Object.fromEntries(err.problems.map((p) => [p.path, p]));
    expect(byPath['jobs.concurrency']).toMatchObject({ expected: '>= 1', received: '0' });
    expect(byPath['jobs.leaseMS']!.message).toContain('did you mean jobs.leaseMs?');
    expect(byPath['log.level']!.expected).toContain('"info"');
    expect(byPath['server.port']).toMatchObject({ expected: 'number', received: '"eighty"' });
    expect(byPath['store.url']!.received).toBe('"mysql://localhost/sellbridge"');
    for (const p of err.problems) expect(p.source).toBe(`file ${FIXTURE}`);
    expect(err.message).toContain('configuration has 5 problems');
  });

  it('names the environment variable and flag a bad value came from, and unknown variables', () => {
    const err = problemsOf(() =>
      loadConfig({
        env: { SELLBRIDGE_JOBS_CONCURRENCY: 'many', SELLBRIDGE_JOBS_CONCURENCY: '3' },
        overrides: [{ path: 'server.port', value: '99999' }],
      }),
    );
    const sources = err.problems.map((p) => `${p.path} <- ${p.source}`);
    expect(sources).toContain('jobs.concurrency <- env SELLBRIDGE_JOBS_CONCURRENCY');
    expect(sources).toContain('server.port <- flag --set server.port');
    expect(err.problems.find((p) => p.path === 'SELLBRIDGE_JOBS_CONCURENCY')!.message).toContain(
      'did you mean SELLBRIDGE_JOBS_CONCURRENCY?',
    );
  });

  it('never shows a secret: not in problems, not in the printed config; URL passwords are masked', () => {
    const err = problemsOf(() =>
      loadConfig({ env: { SELLBRIDGE_AMAZON_REFRESH_TOKEN: '', SELLBRIDGE_STORE_URL: 'mysql://u:hunter2@h/db' } }),
    );
    expect(JSON.stringify(err.problems)).not.toContain('hunter2');
    const config = loadConfig({
      env: {
        SELLBRIDGE_AMAZON_REFRESH_TOKEN: 'Atzr|secret-refresh',
        SELLBRIDGE_STORE_URL: 'postgres://u:hunter2@h/db',
      },
    });
    const printed = JSON.stringify(redactConfig(config));
    expect(printed).not.toContain('secret-refresh');
    expect(printed).not.toContain('hunter2');
    expect(printed).toContain('postgres://u:***@h/db');
  });

  it('writes a sample (sellbridge init) that parses and validates to the defaults', () => {
    const sample = sampleConfigYaml();
    expect(configSchema.parse(parse(sample))).toEqual(configSchema.parse({}));
    for (const leaf of CONFIG_LEAVES) expect(sample).toContain(leaf.env);
  });

  it('explains an unreadable or malformed file', () => {
    expect(() => loadConfig({ file: NO_FILE })).toThrow(/cannot read config file/);
    expect(() => loadConfig({ file: yamlFile('jobs: [unclosed\n') })).toThrow(/not valid YAML at line/);
  });
});
