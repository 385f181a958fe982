#!/usr/bin/env node
// Runs the compiled CLI when it exists (npm install builds it through `prepare`);
// inside a source checkout without a build, Node 22.18+/24 can run the TypeScript directly.
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

const compiled = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const source = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const entry = existsSync(compiled) ? compiled : source;
const { main } = await import(pathToFileURL(entry).href);
process.exitCode = await main(process.argv.slice(2));
