// Lazy chunks of the single executable (issue 15, settlement memory).
//
// V8 keeps a script's whole source and pre-parses all of it when the script is loaded, so every byte of the bundle
// costs resident memory in every command, used or not: with one 8 MB bundle `sellbridge --version` peaked at 116 MB.
// Most of those bytes are dependencies a given command never touches (the SQL Server driver on a sandbox site,
// PostgreSQL and pg-boss on SQLite, Fastify outside `serve`, the SQS client without SQS). Each package in LAZY is
// therefore bundled on its own into a SEA asset, and the main bundle gets, in its place, a stub module with the same
// export names whose getters load the chunk the first time one of them is read (a module that is a function gets a
// callable stub). The source keeps its static imports; a module that read a lazy export at load time (a top-level
// call, `extends`) would load that chunk at start-up: test/e2e/single-executable.test.ts checks that a SQLite
// `run --once` loads none, and that the PostgreSQL and SQL Server paths load and use theirs.
//
// A stub must expose exactly what the real module does: the names come from loading each package here, and every
// built chunk is then loaded and its names compared (a mismatch fails the build).
import { createRequire } from 'node:module';
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runInThisContext } from 'node:vm';
import type { BuildOptions, Plugin } from 'esbuild';
import { build } from 'esbuild';

/**
 * Packages (or package entry points) loaded only on first use, each with its dependencies. Not here: what every
 * command needs at start-up (zod for the configuration, kysely, commander, pino, yaml, prom-client) and our own code.
 */
export const LAZY = [
  'mssql',
  'pg',
  'pg-boss',
  'fastify',
  '@aws-sdk/client-sqs',
  'ws',
  'ajv',
  'ajv/dist/2019.js',
  'ajv-formats',
  'transliteration',
] as const;

/** The asset name of a lazy entry's chunk. */
export const chunkAsset = (key: string): string => `chunks/${key.replace(/[^a-zA-Z0-9.-]/g, '_')}.cjs`;

/** The parameters a chunk's code is compiled with: CommonJS's five plus the loader and the module URL define. */
const CHUNK_PARAMS = [
  'exports',
  'require',
  'module',
  '__filename',
  '__dirname',
  '__sellbridgeChunk',
  '__sellbridgeMetaUrl',
];

/**
 * The loader the main bundle starts with (its banner). In the executable a chunk's source comes from the SEA asset;
 * run as a plain script (node release/build/sellbridge.cjs) it is read from the chunks/ folder beside it.
 */
export const loaderSource = (): string =>
  [
    "const __sellbridgeMetaUrl = require('node:url').pathToFileURL(__filename).href;",
    'const __sellbridgeChunk = (() => {',
    '  const loaded = new Map();',
    '  return function load(key) {',
    '    const cached = loaded.get(key);',
    '    if (cached) return cached.exports;',
    `    const asset = 'chunks/' + key.replace(/[^a-zA-Z0-9.-]/g, '_') + '.cjs';`,
    "    const sea = require('node:sea');",
    "    const source = sea.isSea() ? sea.getAsset(asset, 'utf8') : require('node:fs').readFileSync(require('node:path').join(__dirname, asset), 'utf8');",
    '    const module = { exports: {} };',
    '    loaded.set(key, module);',
    '    try {',
    `      const fn = require('node:vm').compileFunction(source, ${JSON.stringify(CHUNK_PARAMS)}, { filename: 'sellbridge:' + asset });`,
    '      fn.call(module.exports, module.exports, require, module, __filename, __dirname, load, __sellbridgeMetaUrl);',
    '    } catch (err) {',
    '      loaded.delete(key);',
    '      throw err;',
    '    }',
    '    return module.exports;',
    '  };',
    '})();',
  ].join('\n');

interface Shape {
  readonly names: readonly string[];
  readonly esModule: boolean;
  /** module.exports is a function (fastify, ws, pg's default export): the stub must be callable and constructible. */
  readonly callable: boolean;
}

/** A function's own properties the stub cannot redefine (or must not: they describe the stub itself). */
const FUNCTION_OWN = new Set(['length', 'name', 'prototype', 'arguments', 'caller']);

/** Export names of a module object, as esbuild's __toESM copies them. */
function shapeOf(m: unknown): Shape {
  const o = m as Record<string | symbol, unknown>;
  const esModule = o[Symbol.toStringTag] === 'Module' || o.__esModule === true;
  const callable = typeof m === 'function';
  const names = Object.getOwnPropertyNames(o).filter((n) => n !== '__esModule' && !(callable && FUNCTION_OWN.has(n)));
  return { names, esModule, callable };
}

const packageOf = (key: string): string =>
  key
    .split('/')
    .slice(0, key.startsWith('@') ? 2 : 1)
    .join('/');

function stubSource(key: string, shape: Shape): string {
  const lines = [`const load = () => __sellbridgeChunk(${JSON.stringify(key)});`];
  if (shape.callable)
    lines.push(
      'module.exports = function (...args) { const real = load(); return new.target ? Reflect.construct(real, args) : real.apply(this, args); };',
      'Object.defineProperty(module.exports, Symbol.hasInstance, { value: (x) => x instanceof load() });',
    );
  if (shape.esModule) lines.push('Object.defineProperty(module.exports, "__esModule", { value: true });');
  lines.push(
    `for (const name of ${JSON.stringify(shape.names)}) Object.defineProperty(module.exports, name, { enumerable: true, configurable: true, get: () => load()[name] });`,
  );
  return lines.join('\n');
}

/**
 * The esbuild plugin that puts stubs in place of the lazy entries, except `self` (the chunk being built). Only an
 * import that resolves into the same installed package as the application's own does is replaced: a dependency's
 * private copy of another version stays inside its chunk.
 */
function lazyPlugin(root: string, shapes: ReadonlyMap<string, Shape>, self?: string): Plugin {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const filter = new RegExp(`^(${LAZY.map(escape).join('|')})$`);
  return {
    name: 'sellbridge-lazy-chunks',
    setup(b) {
      b.onResolve({ filter }, async (args) => {
        if (args.path === self || (args.pluginData as { inner?: boolean } | undefined)?.inner) return undefined;
        const resolved = await b.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: { inner: true },
        });
        if (resolved.errors.length) return { errors: resolved.errors };
        const own = realpathSync(join(root, 'node_modules', packageOf(args.path)));
        if (!realpathSync(resolved.path).startsWith(own + '/')) return undefined;
        return { path: args.path, namespace: 'sellbridge-lazy' };
      });
      b.onLoad({ filter: /.*/, namespace: 'sellbridge-lazy' }, (args) => ({
        contents: stubSource(args.path, shapes.get(args.path)!),
        loader: 'js',
      }));
    },
  };
}

/** V8 keeps a one-byte source only when every character is Latin-1: each other one becomes its \u escape. */
export const asciiOnly = (source: string): string =>
  source.replace(/[\u0100-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

export interface Chunked {
  /** The esbuild plugin for the main bundle. */
  readonly plugin: Plugin;
  /** Asset name -> the chunk's file (ASCII source), under `outDir`. */
  readonly chunks: ReadonlyMap<string, string>;
}

/**
 * Builds every lazy chunk with the options of the main bundle into `outDir` (each at its asset name), then loads them
 * through the executable's own loader (loaderSource, run as a plain script: it reads chunks/ beside the bundle) and
 * checks each one's exports against its stub. `options` must not name entry points or outputs.
 */
export async function buildChunks(root: string, options: BuildOptions, outDir: string): Promise<Chunked> {
  const req = createRequire(join(root, 'package.json'));
  const shapes = new Map<string, Shape>(LAZY.map((key) => [key, shapeOf(req(key))]));
  const chunks = new Map<string, string>();
  for (const key of LAZY) {
    const result = await build({
      ...options,
      stdin: { contents: `module.exports = require(${JSON.stringify(key)});`, resolveDir: root, loader: 'js' },
      write: false,
      banner: undefined,
      plugins: [lazyPlugin(root, shapes, key)],
    });
    const file = join(outDir, chunkAsset(key));
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, asciiOnly(result.outputFiles[0]!.text));
    chunks.set(chunkAsset(key), file);
  }
  const load = runInThisContext(
    `(function (require, __filename, __dirname) {\n${loaderSource()}\nreturn __sellbridgeChunk;\n})`,
  )(req, join(outDir, 'sellbridge.cjs'), outDir) as (key: string) => unknown;
  for (const key of LAZY) {
    const got = shapeOf(load(key));
    const want = shapes.get(key)!;
    const missing = want.names.filter((n) => !got.names.includes(n));
    if (missing.length || got.esModule !== want.esModule || got.callable !== want.callable)
      throw new Error(
        `lazy chunk ${key}: its exports differ from the installed package's (missing ${missing.join(', ') || 'none'}; __esModule ${got.esModule} vs ${want.esModule}; callable ${got.callable} vs ${want.callable})`,
      );
  }
  return { plugin: lazyPlugin(root, shapes), chunks };
}
