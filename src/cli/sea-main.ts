// Entry of the single executable (scripts/package.ts bundles this file with esbuild into CommonJS, Node's SEA
// runs it). Nothing else: the CLI is the same one `bin/sellbridge.js` runs from a checkout. No top-level await:
// a SEA main script is CommonJS.
import { main } from './main.ts';

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
