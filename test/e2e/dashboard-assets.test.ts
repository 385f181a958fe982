import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/observability/metrics.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import type { JobQueue } from '../../src/runtime/queue/job-queue.ts';
import type { Store } from '../../src/runtime/store/store.ts';
import { buildApp } from '../../src/server/app.ts';
import { dashboardRoot } from '../../src/server/dashboard/index.ts';
import { freshStore, makeQueue } from '../helpers/queue-env.ts';

/**
 * The dashboard's files as the server serves them (app.inject, no browser): content types, security headers,
 * caching, and three static checks that keep it safe and consistent without a browser: no inline script or style
 * attribute (the CSP forbids them), no HTML-string DOM APIs (API data must enter as text), and every module import
 * and every admin API endpoint the pages call exists.
 */
const root = dashboardRoot()!;
const files = (function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
})(root);
const scripts = files.filter((f) => f.endsWith('.js'));

let store: Store;
let queue: JobQueue;
let app: FastifyInstance;

beforeAll(async () => {
  store = await freshStore('sqlite', 'dashboard-assets');
  queue = await makeQueue(store);
  app = buildApp({ store, queue, metrics: createMetrics(), logger: silentLogger(), adminToken: 'assets-test-token' });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await store?.close();
});

describe('dashboard files served under /dashboard', () => {
  it('/dashboard redirects to the app shell, which is HTML with a CSP that allows scripts from this origin only and is never cached', async () => {
    const r = await app.inject({ method: 'GET', url: '/dashboard' });
    expect(r.statusCode).toBe(302);
    expect(r.headers.location).toBe('/dashboard/');
    const shell = await app.inject({ method: 'GET', url: '/dashboard/' });
    expect(shell.statusCode).toBe(200);
    expect(shell.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(shell.headers['content-security-policy']).toContain("script-src 'self'");
    expect(shell.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(shell.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(shell.headers['x-content-type-options']).toBe('nosniff');
    expect(shell.headers['cache-control']).toBe('no-store');
    expect(shell.body).toContain('<script type="module" src="js/main.js"></script>');
  });

  it('every file is served with its content type and an ETag that answers 304 when unchanged; unknown files and READMEs are 404', async () => {
    const types: Record<string, RegExp> = {
      '.js': /^text\/javascript/,
      '.css': /^text\/css/,
      '.html': /^text\/html/,
      '.svg': /^image\/svg\+xml/,
    };
    const served = files.filter((f) => Object.keys(types).some((ext) => f.endsWith(ext)));
    expect(served.length).toBeGreaterThanOrEqual(15);
    for (const f of served) {
      const url = `/dashboard/${relative(root, f).split('\\').join('/')}`;
      const r = await app.inject({ method: 'GET', url });
      expect(r.statusCode, url).toBe(200);
      expect(r.headers['content-type'], url).toMatch(types[f.slice(f.lastIndexOf('.'))]!);
      expect(r.body, url).toBe(readFileSync(f, 'utf8'));
      const again = await app.inject({ method: 'GET', url, headers: { 'if-none-match': String(r.headers.etag) } });
      expect(again.statusCode, url).toBe(304);
    }
    const missing = await app.inject({ method: 'GET', url: '/dashboard/js/nope.js' });
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toContain('no dashboard file /js/nope.js');
    expect((await app.inject({ method: 'GET', url: '/dashboard/../../package.json' })).statusCode).toBe(404);
  });

  it('has no inline script, no style attribute and no HTML-string DOM API (the CSP and text-only rendering hold)', () => {
    const html = readFileSync(join(root, 'index.html'), 'utf8');
    for (const tag of html.match(/<script\b[^>]*>/g) ?? []) expect(tag).toMatch(/\bsrc=/);
    expect(html).not.toMatch(/\sstyle=|\son[a-z]+=/i);
    for (const f of scripts) {
      const src = readFileSync(f, 'utf8');
      expect(src, f).not.toMatch(/\.innerHTML|\.outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function\(/);
      expect(src, f).not.toMatch(/setAttribute\(['"]style['"]/);
    }
  });

  it('every module import resolves to a served file', () => {
    for (const f of scripts) {
      const src = readFileSync(f, 'utf8');
      for (const m of src.matchAll(/(?:from\s+|import\()\s*'(\.{1,2}\/[^']+)'/g)) {
        const target = resolve(dirname(f), m[1]!);
        expect(files, `${relative(root, f)} imports ${m[1]}`).toContain(target);
      }
    }
    // The router's lazy page modules are named relative to js/main.js.
    const main = readFileSync(join(root, 'js', 'main.js'), 'utf8');
    for (const m of main.matchAll(/module: '(\.\/pages\/[^']+)'/g)) expect(files).toContain(resolve(root, 'js', m[1]!));
  });

  it('every admin API endpoint the pages call exists (answers 401 without a session, never "no route")', async () => {
    const calls = new Set<string>();
    for (const f of scripts) {
      const src = readFileSync(f, 'utf8');
      for (const m of src.matchAll(
        /api\(\s*(['`])(\/[^'`]*)\1(?:,\s*\{\s*(?:[a-z]+:[^,}]*,\s*)*?method:\s*'([A-Z]+)')?/g,
      )) {
        calls.add(`${m[3] ?? 'GET'} ${m[2]!.replace(/\$\{[^}]+\}/g, 'x')}`);
      }
      // Actions posted through a helper (replay, replay all like this); Prettier may break the call over lines.
      for (const m of src.matchAll(/act\(\s*e,\s*(['`])(\/[^'`]*)\1/g))
        calls.add(`POST ${m[2]!.replace(/\$\{[^}]+\}/g, 'x')}`);
      // Paths held in a table (e.g. the read-only mapping panels).
      for (const m of src.matchAll(/path: '(\/[a-z/-]+)'/g)) calls.add(`GET ${m[1]}`);
    }
    expect(calls).toContain('POST /dead-letters/x/replay');
    expect(calls.size).toBeGreaterThanOrEqual(20);
    for (const call of calls) {
      const [method, path] = call.split(' ') as ['GET' | 'POST' | 'DELETE', string];
      const r = await app.inject({
        method,
        url: `/api/v1${path}`,
        ...(method === 'GET' || method === 'DELETE' ? {} : { payload: {} }),
      });
      expect(r.body, call).not.toContain('no route');
      expect([400, 401], call).toContain(r.statusCode); // login is public: an empty body is a 400
    }
  });
});
