#!/usr/bin/env node
// In a source checkout on a Node that strips types (22.18+, 24), run the TypeScript itself, so the CLI is
// never a stale build; otherwise (an installed package, or an older Node) run the build that `prepare` made.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(
    `Sellbridge needs Node.js 22.12 or newer (it uses the built-in node:sqlite); this is ${process.version}.\n` +
      'Install a current Node.js, e.g.: npm install -g --prefix /usr/local node@24',
  );
  process.exit(2);
}

// `sellbridge ... | head`: when the reader goes away, stop quietly (as cat and ls do) instead of dying with an
// unhandled EPIPE stack trace. Other stream errors still surface.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err && err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

const compiled = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const source = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const canRunSource = Boolean(process.features?.typescript) && existsSync(source);
const entry = canRunSource || !existsSync(compiled) ? source : compiled;
const { main } = await import(pathToFileURL(entry).href);
process.exitCode = await main(process.argv.slice(2));
