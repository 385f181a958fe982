import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { getAsset, isSea } from 'node:sea';
import type { FastifyInstance, FastifyReply } from 'fastify';

/**
 * The operator dashboard: a small single-page app of static files (HTML, CSS, vanilla ES modules, no
 * build step) served under /dashboard. It talks only to the admin API (/api/v1) with the session cookie that
 * POST /api/v1/auth/login sets, so it holds no secret of its own.
 *
 * Every response carries a strict Content-Security-Policy: scripts and styles only from this origin, nothing
 * inline, no frames. The pages are written for it (no inline scripts, no style attributes; charts are SVG built
 * with DOM calls), so the policy costs nothing and blunts any injection that slipped past the escaping.
 */
export const DASHBOARD_PREFIX = '/dashboard';

export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
};

interface Asset {
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
}

export interface DashboardOptions {
  /** Folder of the static files; default: `public/` beside this module (or in the source tree when run from dist/). */
  readonly root?: string;
}

/**
 * Where the static files are. Next to this module when running the TypeScript source; `tsc` does not copy them to
 * dist/, so a build run from a checkout falls back to the source tree.
 */
export function dashboardRoot(): string | undefined {
  const beside = fileURLToPath(new URL('./public/', import.meta.url));
  if (existsSync(beside)) return beside;
  const source = fileURLToPath(new URL('../../../src/server/dashboard/public/', import.meta.url));
  return existsSync(source) ? source : undefined;
}

/** Reads every file under `root` once (the whole app is a few dozen kB), keyed by its URL path. */
function loadAssets(root: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) {
        walk(full);
        continue;
      }
      const type = CONTENT_TYPES[extname(name).toLowerCase()];
      if (!type) continue; // READMEs and the like are not served
      const body = readFileSync(full);
      const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
      assets.set('/' + relative(root, full).split(sep).join('/'), { body, type, etag });
    }
  };
  walk(root);
  return assets;
}

/**
 * In the single executable the files travel inside as one SEA asset, `dashboard.json`
 * (`{ "/index.html": "<base64>", ... }`, written by scripts/package.ts).
 */
function seaAssets(): Map<string, Asset> | undefined {
  if (!isSea()) return undefined;
  const files = JSON.parse(getAsset('dashboard.json', 'utf8')) as Record<string, string>;
  const assets = new Map<string, Asset>();
  for (const [path, base64] of Object.entries(files)) {
    const type = CONTENT_TYPES[extname(path).toLowerCase()];
    if (!type) continue;
    const body = Buffer.from(base64, 'base64');
    assets.set(path, { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });
  }
  return assets;
}

function secure(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', DASHBOARD_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY');
}

/**
 * Registers GET /dashboard (redirect), /dashboard/ (the app shell) and /dashboard/<file>. The shell is never
 * cached (it names the modules); the modules revalidate by ETag, so a new release is picked up on reload.
 */
export function registerDashboard(app: FastifyInstance, options: DashboardOptions = {}): void {
  const embedded = options.root === undefined ? seaAssets() : undefined;
  const root = embedded ? 'embedded' : (options.root ?? dashboardRoot());
  const assets = embedded ?? (root ? loadAssets(root) : new Map<string, Asset>());

  app.get(DASHBOARD_PREFIX, async (_req, reply) => secure(reply).redirect(`${DASHBOARD_PREFIX}/`, 302));

  app.get<{ Params: { '*': string } }>(`${DASHBOARD_PREFIX}/*`, async (req, reply) => {
    const path = '/' + (req.params['*'] || 'index.html');
    const asset = assets.get(path);
    if (!asset) {
      const message = root
        ? `no dashboard file ${path}`
        : 'the dashboard files are missing from this installation (src/server/dashboard/public)';
      return secure(reply).code(404).type('text/plain; charset=utf-8').send(message);
    }
    secure(reply).type(asset.type).header('etag', asset.etag);
    reply.header('cache-control', path === '/index.html' ? 'no-store' : 'no-cache');
    if (req.headers['if-none-match'] === asset.etag) return reply.code(304).send();
    return reply.send(asset.body);
  });
}
