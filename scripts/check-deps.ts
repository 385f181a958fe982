// Offline dependency check (issue 13, finding 6): `npm audit` needs an advisory service this network cannot
// reach, so `npm test` runs this instead. It reads only files in the repository. What it checks, and what it
// does not, is in README.md ("Dependency check").
//
//   node scripts/check-deps.ts            check ./package-lock.json, ./package.json, ./node_modules
//   node scripts/check-deps.ts --json     the same, as JSON
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Hosts a locked package may be downloaded from (a lockfile entry naming another source fails the check). */
export const ALLOWED_REGISTRIES = ['https://registry.npmjs.org/'];

export interface Advisory {
  readonly id: string;
  readonly package: string;
  readonly vulnerable: string;
  readonly summary: string;
  readonly fixedIn?: string;
}

interface LockEntry {
  readonly version?: string;
  readonly resolved?: string;
  readonly integrity?: string;
  readonly link?: boolean;
  readonly optional?: boolean;
  readonly dev?: boolean;
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
}

export interface Lockfile {
  readonly lockfileVersion?: number;
  readonly packages?: Record<string, LockEntry>;
}

export interface Manifest {
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
}

export interface DepsReport {
  readonly packages: number;
  readonly problems: readonly string[];
  readonly advisoriesChecked: number;
}

type Triple = readonly [number, number, number, boolean];

function parseVersion(v: string): Triple | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?(\+.*)?$/.exec(v.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3]), m[4] !== undefined] : undefined;
}

function compare(a: Triple, b: Triple): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return a[3] === b[3] ? 0 : a[3] ? -1 : 1; // a prerelease sorts before its release
}

/** Whether `version` is in `range` (npm comparator sets: `>=1.0.0 <1.2.3 || >=2.0.0 <=2.0.1`, `<4.0.8`, `1.2.3`). */
export function inRange(version: string, range: string): boolean {
  const v = parseVersion(version);
  if (!v) return false;
  return range.split('||').some((set) =>
    set
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .every((comparator) => {
        const m = /^(<=|>=|<|>|=)?(.+)$/.exec(comparator);
        const bound = m ? parseVersion(m[2]!) : undefined;
        if (!m || !bound) throw new Error(`advisory range "${range}": cannot read "${comparator}"`);
        const c = compare(v, bound);
        switch (m[1]) {
          case '<':
            return c < 0;
          case '<=':
            return c <= 0;
          case '>':
            return c > 0;
          case '>=':
            return c >= 0;
          default:
            return c === 0;
        }
      }),
  );
}

/** `node_modules/a/node_modules/@s/b` -> `@s/b`. */
export const packageNameOf = (path: string): string =>
  path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);

/** Every check that needs no network. `installedVersion` reads node_modules (undefined: not installed). */
export function checkDependencies(input: {
  lock: Lockfile;
  manifest: Manifest;
  advisories: readonly Advisory[];
  installedVersion?: (path: string) => string | undefined;
}): DepsReport {
  const problems: string[] = [];
  const { lock, manifest } = input;
  if ((lock.lockfileVersion ?? 0) < 2)
    problems.push(
      `package-lock.json: lockfileVersion ${lock.lockfileVersion ?? 'missing'}; regenerate it with npm 7 or newer (integrity for every package)`,
    );
  const entries = Object.entries(lock.packages ?? {});
  const root = lock.packages?.[''];
  for (const field of ['dependencies', 'devDependencies'] as const) {
    const want = manifest[field] ?? {};
    const have = root?.[field] ?? {};
    for (const [name, range] of Object.entries(want)) {
      if (have[name] !== range)
        problems.push(
          `package.json ${field}.${name} is "${range}" but package-lock.json has ${have[name] === undefined ? 'nothing' : `"${have[name]}"`}: run npm install and commit the lockfile`,
        );
    }
    for (const name of Object.keys(have))
      if (!(name in want))
        problems.push(
          `package-lock.json lists ${field}.${name}, which package.json does not: run npm install and commit the lockfile`,
        );
  }
  let packages = 0;
  for (const [path, entry] of entries) {
    if (path === '') continue;
    packages += 1;
    const name = packageNameOf(path);
    if (entry.link) {
      problems.push(`${path}: a link to ${entry.resolved ?? 'a local folder'}; only registry packages are allowed`);
      continue;
    }
    if (!entry.version || !parseVersion(entry.version)) problems.push(`${path}: no exact version in package-lock.json`);
    if (!entry.integrity || !/^sha512-[A-Za-z0-9+/]+=*$/.test(entry.integrity))
      problems.push(
        `${path}: integrity is ${entry.integrity ? `"${entry.integrity.split('-')[0]}"` : 'missing'}; every package needs a sha512 integrity so npm ci verifies what it downloads`,
      );
    if (entry.resolved !== undefined && !ALLOWED_REGISTRIES.some((r) => entry.resolved!.startsWith(r)))
      problems.push(
        `${path}: resolved from ${entry.resolved.split('/').slice(0, 3).join('/')}, not from ${ALLOWED_REGISTRIES.join(' or ')}`,
      );
    if (input.installedVersion && entry.version) {
      const installed = input.installedVersion(path);
      if (installed === undefined) {
        if (!entry.optional) problems.push(`${path}: in package-lock.json but not installed: run npm ci`);
      } else if (installed !== entry.version)
        problems.push(`${path}: ${installed} installed, ${entry.version} locked: run npm ci`);
    }
    for (const a of input.advisories) {
      if (a.package === name && entry.version && inRange(entry.version, a.vulnerable)) {
        problems.push(
          `${path}@${entry.version}: ${a.id} (${a.summary}); vulnerable ${a.vulnerable}${a.fixedIn ? `, fixed in ${a.fixedIn}` : ''}`,
        );
      }
    }
  }
  return { packages, problems, advisoriesChecked: input.advisories.length };
}

function main(argv: readonly string[]): number {
  const dir = process.cwd();
  const read = <T>(file: string): T => JSON.parse(readFileSync(join(dir, file), 'utf8')) as T;
  const advisoryFile = fileURLToPath(new URL('./advisories.json', import.meta.url));
  const { advisories } = JSON.parse(readFileSync(advisoryFile, 'utf8')) as { advisories: Advisory[] };
  const hasModules = existsSync(join(dir, 'node_modules'));
  const report = checkDependencies({
    lock: read<Lockfile>('package-lock.json'),
    manifest: read<Manifest>('package.json'),
    advisories,
    ...(hasModules
      ? {
          installedVersion: (path: string) => {
            const file = join(dir, path, 'package.json');
            return existsSync(file)
              ? (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version
              : undefined;
          },
        }
      : {}),
  });
  if (argv.includes('--json')) console.log(JSON.stringify(report, null, 2));
  else if (report.problems.length === 0) {
    console.log(
      `deps: ${report.packages} locked packages: sha512 integrity, registry sources, package.json = lockfile${hasModules ? ', node_modules = lockfile' : ''}; none in ${report.advisoriesChecked} pinned advisories (scripts/advisories.json)`,
    );
  } else {
    for (const p of report.problems) console.error(`deps: ${p}`);
    console.error(`deps: ${report.problems.length} problem(s) in ${report.packages} locked packages`);
  }
  return report.problems.length === 0 ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1])
  process.exitCode = main(process.argv.slice(2));
