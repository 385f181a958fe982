import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * Version, commit and Node version of this Sellbridge. The single executable (scripts/package.ts) replaces the
 * two `__SELLBRIDGE_*__` identifiers at bundle time; from a checkout or the npm package they are read from
 * package.json and git.
 */
declare const __SELLBRIDGE_VERSION__: string | undefined;
declare const __SELLBRIDGE_COMMIT__: string | undefined;

function packageVersion(): string {
  if (typeof __SELLBRIDGE_VERSION__ === 'string') return __SELLBRIDGE_VERSION__;
  // src/runtime/version.ts and dist/runtime/version.js are both two levels below the package root.
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string })
    .version;
}

export const SELLBRIDGE_VERSION: string = packageVersion();

/** The git commit (short), `unknown` outside a checkout. Runs git at most once, only when asked. */
export function sellbridgeCommit(): string {
  if (typeof __SELLBRIDGE_COMMIT__ === 'string') return __SELLBRIDGE_COMMIT__;
  try {
    return execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], {
      cwd: new URL('../..', import.meta.url),
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 2000,
    })
      .toString()
      .trim();
  } catch {
    return 'unknown';
  }
}

/** What `sellbridge --version` prints. */
export function versionLine(): string {
  return `sellbridge ${SELLBRIDGE_VERSION} (commit ${sellbridgeCommit()}, node ${process.versions.node}, ${process.platform}-${process.arch})`;
}
