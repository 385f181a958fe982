import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkDependencies, inRange, type Advisory, type Lockfile } from '../../../scripts/check-deps.ts';

/** Issue 13 finding 6: the offline dependency check that `npm test` runs in place of `npm audit`. */
const GOOD = 'sha512-' + 'A'.repeat(86) + '==';
const lock = (packages: Lockfile['packages']): Lockfile => ({
  lockfileVersion: 3,
  packages: { '': { dependencies: { fastify: '^5.3.0' } }, ...packages },
});
const manifest = { dependencies: { fastify: '^5.3.0' } };

describe('scripts/check-deps.ts', () => {
  it('reads npm comparator ranges', () => {
    expect(inRange('5.2.9', '>=5.0.0 <5.3.2')).toBe(true);
    expect(inRange('5.3.2', '>=5.0.0 <5.3.2')).toBe(false);
    expect(inRange('2.0.1', '>=1.0.0 <=1.1.11 || >=2.0.0 <=2.0.1')).toBe(true);
    expect(inRange('1.1.12', '>=1.0.0 <=1.1.11 || >=2.0.0 <=2.0.1')).toBe(false);
    expect(inRange('5.3.2-rc.1', '<5.3.2')).toBe(true);
    expect(() => inRange('1.0.0', '~1.0')).toThrow(/cannot read/);
  });

  it('passes a clean lockfile and fails a planted advisory, naming the package, the id and the fix', () => {
    const advisories: Advisory[] = [
      {
        id: 'GHSA-test-0000-0000',
        package: 'fastify',
        vulnerable: '>=5.0.0 <5.3.2',
        summary: 'planted',
        fixedIn: '5.3.2',
      },
    ];
    expect(
      checkDependencies({
        lock: lock({ 'node_modules/fastify': { version: '5.3.2', integrity: GOOD } }),
        manifest,
        advisories,
      }).problems,
    ).toEqual([]);
    const bad = checkDependencies({
      lock: lock({ 'node_modules/x/node_modules/fastify': { version: '5.2.0', integrity: GOOD } }),
      manifest,
      advisories,
    });
    expect(bad.problems).toEqual([
      'node_modules/x/node_modules/fastify@5.2.0: GHSA-test-0000-0000 (planted); vulnerable >=5.0.0 <5.3.2, fixed in 5.3.2',
    ]);
  });

  it('fails missing or weak integrity, a foreign source, a link, lockfile drift from package.json and from node_modules', () => {
    const r = checkDependencies({
      lock: lock({
        'node_modules/a': { version: '1.0.0' },
        'node_modules/b': { version: '1.0.0', integrity: 'sha1-abc=' },
        'node_modules/c': { version: '1.0.0', integrity: GOOD, resolved: 'https://evil.example/c/-/c-1.0.0.tgz' },
        'node_modules/d': { link: true, resolved: '../d' },
        'node_modules/e': { version: '1.0.0', integrity: GOOD },
      }),
      manifest: { dependencies: { fastify: '^5.4.0' } },
      advisories: [],
      installedVersion: (path) => (path === 'node_modules/e' ? '1.0.1' : '1.0.0'),
    });
    const text = r.problems.join('\n');
    expect(text).toContain('node_modules/a: integrity is missing');
    expect(text).toContain('node_modules/b: integrity is "sha1"');
    expect(text).toContain('node_modules/c: resolved from https://evil.example');
    expect(text).toContain('node_modules/d: a link');
    expect(text).toContain('node_modules/e: 1.0.1 installed, 1.0.0 locked');
    expect(text).toContain('package.json dependencies.fastify is "^5.4.0"');
  });

  it('the repository itself passes, and every pinned advisory has an id, a readable range and a summary', () => {
    const root = new URL('../../../', import.meta.url);
    const { advisories } = JSON.parse(readFileSync(new URL('scripts/advisories.json', root), 'utf8')) as {
      advisories: Advisory[];
    };
    expect(advisories.length).toBeGreaterThan(0);
    for (const a of advisories) {
      expect(a.id).toMatch(/^GHSA-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$/);
      expect(() => inRange('1.0.0', a.vulnerable)).not.toThrow();
      expect(a.summary.length).toBeGreaterThan(5);
    }
    const report = checkDependencies({
      lock: JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as Lockfile,
      manifest: JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
        dependencies: Record<string, string>;
      },
      advisories,
    });
    expect(report.problems).toEqual([]);
  });
});
