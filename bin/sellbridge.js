#!/usr/bin/env node
// Runs the compiled CLI when it exists (npm install builds it through `prepare`);
// inside a source checkout without a build, Node 22.18+/24 can run the TypeScript directly.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const compiled = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const source = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const entry = existsSync(compiled) ? compiled : source;
const { main } = await import(pathToFileURL(entry).href);
process.exitCode = await main(process.argv.slice(2));
