import { readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { SellbridgeError } from '../core/errors.ts';
import { CONFIG_LEAVES, SECRET_PATHS, type ConfigLeaf } from './introspect.ts';
import { configSchema, type ResolvedConfig } from './schema.ts';
import { connectionEntryCount, duplicateConnectionIds, foldConnections } from './connections.ts';

/** One problem found in the configuration; all of them are reported at once. */
export interface ConfigProblem {
  /** Dotted path, e.g. `jobs.leaseMs`. */
  readonly path: string;
  /** Where the bad value came from: file, env variable name, or flag. */
  readonly source: string;
  readonly expected: string;
  /** The value received, or `[redacted]` for secrets. */
  readonly received: string;
  readonly message: string;
}

export class ConfigError extends SellbridgeError {
  readonly problems: readonly ConfigProblem[];
  constructor(problems: readonly ConfigProblem[]) {
    super(
      'SB_CFG_INVALID',
      `configuration has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n` +
        problems.map((p, i) => `  ${i + 1}. ${formatProblem(p)}`).join('\n'),
      { context: { problems: problems.length } },
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export function formatProblem(p: ConfigProblem): string {
  return `${p.path || '(root)'} [${p.source}]: ${p.message} (expected ${p.expected}, received ${p.received})`;
}

export interface LoadOptions {
  /** Path of the YAML file; when absent, `./sellbridge.yaml` is read if it exists. */
  readonly file?: string | undefined;
  /** Usually `process.env`; only `SELLBRIDGE_*` names are read. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** `--set path=value` flags and named flags, already split into path and raw value. */
  readonly overrides?: readonly { readonly path: string; readonly value: string }[];
}

type Mutable = Record<string, unknown>;

const DEFAULT_FILE = 'sellbridge.yaml';

/**
 * Builds the resolved configuration: defaults < file < env < flags. Validates once, reports every problem
 * with path, source, expected and received value, and returns a deep-frozen object.
 * @throws ConfigError (SB_CFG_INVALID) listing every problem; SellbridgeError SB_CFG_FILE_UNREADABLE.
 */
export function loadConfig(options: LoadOptions = {}): ResolvedConfig {
  const sources = new Map<string, string>();
  const raw: Mutable = readFileLayer(options.file, sources);
  const fileSource = sources.values().next().value ?? 'file';
  const entries = connectionEntryCount(raw);
  if (entries <= 1) return resolveLayers(raw, sources, fileSource, 0, options);
  // Several connections (issue 21): each entry is resolved on its own copy of the file, so each is a complete,
  // validated configuration; the first is the process's own (store, jobs, server...: the same in every copy).
  const problems: ConfigProblem[] = duplicateConnectionIds(raw, fileSource);
  const resolved: ResolvedConfig[] = [];
  for (let i = 0; i < entries; i++) {
    try {
      resolved.push(resolveLayers(structuredClone(raw), new Map(sources), fileSource, i, options));
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.problems);
    }
  }
  if (problems.length > 0) {
    // A top-level mistake is found once per entry: report it once.
    const seen = new Set<string>();
    throw new ConfigError(problems.filter((p) => !seen.has(formatProblem(p)) && !!seen.add(formatProblem(p))));
  }
  CONNECTION_CONFIGS.set(resolved[0]!, resolved);
  return resolved[0]!;
}

/** The connections a loaded configuration defines, one complete configuration each (one, itself, without a list). */
const CONNECTION_CONFIGS = new WeakMap<ResolvedConfig, readonly ResolvedConfig[]>();

/**
 * Every connection of `config`, as `loadConfig` resolved them: the `connections:` list's entries in order, or the
 * configuration itself (the connection `orders.connectionId`, `default` unless set) without a list.
 */
export function connectionConfigs(config: ResolvedConfig): readonly ResolvedConfig[] {
  return CONNECTION_CONFIGS.get(config) ?? [config];
}

function resolveLayers(
  raw: Mutable,
  sources: Map<string, string>,
  fileSource: string,
  index: number,
  options: LoadOptions,
): ResolvedConfig {
  const problems: ConfigProblem[] = [];
  // A `connections:` entry means its blocks (issue 21); without a list the top-level blocks are the connection `default`.
  const id = (raw.connections as { id?: unknown }[] | undefined)?.[index]?.id;
  const entrySource = `${fileSource}, connections entry ${String(id)}`;
  for (const path of foldConnections(raw, fileSource, problems, index)) sources.set(path, entrySource);
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (!name.startsWith('SELLBRIDGE_') || value === undefined) continue;
    const leaf = CONFIG_LEAVES.find((l) => l.env === name);
    if (!leaf) {
      problems.push({
        path: name,
        source: 'env',
        expected: 'a known SELLBRIDGE_* variable',
        received: 'set',
        message: `unknown environment variable ${name}${suggest(
          name,
          CONFIG_LEAVES.map((l) => l.env),
        )}`,
      });
      continue;
    }
    applyRaw(raw, leaf, value, `env ${name}`, sources, problems);
  }

  for (const { path, value } of options.overrides ?? []) {
    const leaf = CONFIG_LEAVES.find((l) => l.path.join('.') === path);
    if (!leaf) {
      problems.push({
        path,
        source: 'flag',
        expected: 'a known setting path',
        received: path,
        message: `unknown setting${suggest(
          path,
          CONFIG_LEAVES.map((l) => l.path.join('.')),
        )}`,
      });
      continue;
    }
    applyRaw(raw, leaf, value, `flag --set ${path}`, sources, problems);
  }

  const result = configSchema.safeParse(raw, { reportInput: true });
  if (!result.success) problems.push(...result.error.issues.flatMap((issue) => problemsFromIssue(issue, sources)));
  if (problems.length > 0 || !result.success)
    // A bad value that came from the entry is named where it is written: connections.<i>.<path>.
    throw new ConfigError(
      problems.map((p) =>
        p.source === entrySource && !p.path.startsWith('connections')
          ? { ...p, path: `connections.${index}.${p.path}` }
          : p,
      ),
    );
  return deepFreeze(result.data) as ResolvedConfig;
}

function readFileLayer(file: string | undefined, sources: Map<string, string>): Mutable {
  const path = file ?? DEFAULT_FILE;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (file === undefined && (err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new SellbridgeError('SB_CFG_FILE_UNREADABLE', `cannot read config file ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text) ?? {};
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos ? ` at line ${err.linePos[0].line}` : '';
    throw new SellbridgeError(
      'SB_CFG_FILE_UNREADABLE',
      `config file ${path} is not valid YAML${where}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new SellbridgeError(
      'SB_CFG_FILE_UNREADABLE',
      `config file ${path} must hold a mapping of sections, not ${typeof parsed}`,
    );
  }
  markSources(parsed as Mutable, [], `file ${path}`, sources);
  return parsed as Mutable;
}

function markSources(node: Mutable, path: string[], source: string, sources: Map<string, string>): void {
  for (const [k, v] of Object.entries(node)) {
    const p = [...path, k];
    sources.set(p.join('.'), source);
    if (v && typeof v === 'object' && !Array.isArray(v)) markSources(v as Mutable, p, source, sources);
  }
}

/** Converts a string from env or a flag to the leaf's type; a bad conversion is one problem. */
function applyRaw(
  raw: Mutable,
  leaf: ConfigLeaf,
  value: string,
  source: string,
  sources: Map<string, string>,
  problems: ConfigProblem[],
): void {
  const dotted = leaf.path.join('.');
  let converted: unknown = value;
  if (leaf.type === 'integer' || leaf.type === 'number') {
    converted = value.trim() === '' ? NaN : Number(value);
    if (Number.isNaN(converted)) {
      problems.push({
        path: dotted,
        source,
        expected: leaf.type,
        received: show(dotted, value),
        message: 'not a number',
      });
      return;
    }
  } else if (leaf.type === 'boolean') {
    if (!['true', 'false', '1', '0'].includes(value)) {
      problems.push({
        path: dotted,
        source,
        expected: 'true or false',
        received: show(dotted, value),
        message: 'not a boolean',
      });
      return;
    }
    converted = value === 'true' || value === '1';
  } else if (leaf.type === 'object') {
    // A table setting (e.g. orders.customers) from the environment or a flag is written as JSON.
    try {
      converted = JSON.parse(value);
    } catch {
      problems.push({
        path: dotted,
        source,
        expected: 'a JSON object',
        received: show(dotted, value),
        message: 'not JSON',
      });
      return;
    }
  } else if (leaf.type === 'array') {
    converted = value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }
  let node = raw;
  for (const key of leaf.path.slice(0, -1)) {
    const next = node[key];
    if (!next || typeof next !== 'object' || Array.isArray(next)) node[key] = {};
    node = node[key] as Mutable;
  }
  node[leaf.path.at(-1)!] = converted;
  sources.set(dotted, source);
}

function problemsFromIssue(issue: z.core.$ZodIssue, sources: Map<string, string>): ConfigProblem[] {
  const path = issue.path.map(String).join('.');
  const source = sources.get(path) ?? 'default';
  if (issue.code === 'unrecognized_keys') {
    const known = CONFIG_LEAVES.map((l) => l.path.join('.'));
    return issue.keys.map((key) => {
      const full = path ? `${path}.${key}` : key;
      return {
        path: full,
        source: sources.get(full) ?? source,
        expected: 'a known setting',
        received: key,
        message: `unknown setting${suggest(full, known)}`,
      };
    });
  }
  return [
    {
      path,
      source,
      expected: expectedOf(issue),
      received: show(path, (issue as { input?: unknown }).input),
      message: issue.message,
    },
  ];
}

function expectedOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.expected;
    case 'invalid_value':
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_format':
      return issue.message;
    case 'too_small':
      return `${issue.inclusive === false ? '>' : '>='} ${String(issue.minimum)}${issue.origin === 'string' ? ' characters' : ''}`;
    case 'too_big':
      return `${issue.inclusive === false ? '<' : '<='} ${String(issue.maximum)}${issue.origin === 'string' ? ' characters' : ''}`;
    default:
      return issue.message;
  }
}

function show(path: string, value: unknown): string {
  if (SECRET_PATHS.includes(path)) return '[redacted]';
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(typeof value === 'string' ? maskUrlPassword(value) : value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** " (did you mean X?)" for a near miss, by edit distance. */
function suggest(name: string, candidates: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 4))
    ? ` (did you mean ${best}?)`
    : '';
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** A copy of the config with every secret replaced, for `config print` and logs. */
export function redactConfig(config: ResolvedConfig): unknown {
  const copy = structuredClone(config) as Mutable;
  for (const path of SECRET_PATHS) {
    const keys = path.split('.');
    let node: Mutable | undefined = copy;
    for (const k of keys.slice(0, -1)) node = node?.[k] as Mutable | undefined;
    const last = keys.at(-1)!;
    if (node && node[last] !== undefined) node[last] = '[redacted]';
  }
  const store = copy['store'] as Mutable;
  store['url'] = maskUrlPassword(String(store['url']));
  return copy;
}

/** postgres://user:secret@host/db -> postgres://user:***@host/db */
export function maskUrlPassword(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]+:)[^@]*@/i, '$1***@');
}

/**
 * A connection added while the engine runs (admin API, CLI; issue 21): its blocks (`amazon`, `sage500`, `orders`...)
 * merged over `base` (the process's configuration) as a sellbridge.yaml entry would be, validated with the same
 * schema; its id becomes the `connectionId` of orders, inventory and settlements. Returns the complete configuration, or every problem with its path inside the entry (`orders.warehouseId`).
 */
export function resolveConnectionEntry(
  base: ResolvedConfig,
  id: string,
  entry: Readonly<Record<string, unknown>>,
): { readonly config: ResolvedConfig } | { readonly problems: readonly ConfigProblem[] } {
  const raw = structuredClone(base) as unknown as Mutable;
  for (const block of ['orders', 'inventory', 'settlements']) delete (raw[block] as Mutable).connectionId;
  const problems: ConfigProblem[] = [];
  raw.connections = [{ ...entry, id }];
  foldConnections(raw, 'connection', problems, 0);
  if (problems.length)
    return { problems: problems.map((p) => ({ ...p, path: p.path.replace(/^connections\.0\.?/, '') || 'id' })) };
  const result = configSchema.safeParse(raw, { reportInput: true });
  if (!result.success)
    return {
      problems: result.error.issues
        .flatMap((issue) => problemsFromIssue(issue, new Map()))
        .map((p) => ({ ...p, source: 'connection' })),
    };
  return { config: deepFreeze(result.data) as ResolvedConfig };
}
