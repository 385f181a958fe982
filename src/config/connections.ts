import type { ConfigProblem } from './load.ts';

type Mutable = Record<string, unknown>;

/** The blocks a `connections:` entry may carry besides its id (issue 21). */
export const CONNECTION_BLOCKS = ['amazon', 'sage500', 'orders', 'inventory', 'settlements'] as const;
/** The blocks whose `connectionId` is the entry's id (a contradicting explicit value is a problem). */
const ID_BLOCKS = ['orders', 'inventory', 'settlements'] as const;
const BLOCK_LIST = `id, ${CONNECTION_BLOCKS.slice(0, -1).join(', ')} or ${CONNECTION_BLOCKS.at(-1)}`;
const ID = /^[a-z0-9][a-z0-9_-]{0,39}$/;

const isMapping = (v: unknown): v is Mutable => !!v && typeof v === 'object' && !Array.isArray(v);

function deepMerge(base: Mutable, over: Mutable): Mutable {
  const out: Mutable = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isMapping(v) && isMapping(out[k]) ? deepMerge(out[k], v) : v;
  return out;
}

/**
 * Folds one entry of the file's `connections:` list into the top-level blocks, which mean the connection `default`
 * when there is no list (issue 21). An entry: `{id, amazon?, sage500?, orders?, inventory?, settlements?}`; its
 * blocks are merged over the top-level ones (a value in the entry wins; the environment and flags still win over
 * both) and its id becomes `orders.connectionId`, `inventory.connectionId` and `settlements.connectionId` (so each
 * connection's listing and settlement state is kept under its own id). `loadConfig` calls it once per entry on a copy of the file (`index` is the entry's
 * position, for the paths in messages). Returns the paths that came from the entry; problems are appended.
 */
export function foldConnections(raw: Mutable, source: string, problems: ConfigProblem[], index = 0): string[] {
  if (!('connections' in raw)) return [];
  const list = raw.connections;
  delete raw.connections;
  const problem = (path: string, expected: string, received: string, message: string) =>
    problems.push({ path, source, expected, received, message });
  if (!Array.isArray(list)) {
    problem('connections', 'a list of connections', typeof list, 'must be a list (`- id: ...`)');
    return [];
  }
  if (list.length === 0) return [];
  const at = `connections.${index}`;
  const entry = list[index];
  if (!isMapping(entry)) {
    problem(at, `a mapping with ${BLOCK_LIST}`, typeof entry, 'must be a mapping');
    return [];
  }
  let ok = true;
  for (const key of Object.keys(entry))
    if (key !== 'id' && !(CONNECTION_BLOCKS as readonly string[]).includes(key)) {
      problem(`${at}.${key}`, BLOCK_LIST, key, 'unknown setting of a connection');
      ok = false;
    }
  const id = entry.id;
  if (typeof id !== 'string' || !ID.test(id)) {
    problem(
      `${at}.id`,
      'lower-case letters, digits, - and _ (at most 40)',
      JSON.stringify(id ?? null),
      'every connection needs an id',
    );
    ok = false;
  }
  for (const block of CONNECTION_BLOCKS)
    if (block in entry && !isMapping(entry[block])) {
      problem(`${at}.${block}`, 'a mapping', typeof entry[block], `must be a mapping like the top-level ${block}`);
      ok = false;
    }
  for (const block of ID_BLOCKS) {
    const inEntry = isMapping(entry[block]) ? entry[block].connectionId : undefined;
    const top = isMapping(raw[block]) ? raw[block].connectionId : undefined;
    for (const [path, other] of [
      [`${at}.${block}.connectionId`, inEntry],
      [`${block}.connectionId`, top],
    ] as const)
      if (other !== undefined && other !== id) {
        problem(path, `the connection's id ${JSON.stringify(id)}`, JSON.stringify(other), `contradicts ${at}.id`);
        ok = false;
      }
  }
  if (!ok) return [];
  const moved: string[] = [];
  for (const block of CONNECTION_BLOCKS) {
    const value = entry[block];
    if (!isMapping(value)) continue;
    const base = isMapping(raw[block]) ? raw[block] : undefined;
    // A refresh token is one seller's consent: a connection of another seller never inherits it from the top-level
    // block (it gives its own, or uses the one `sellbridge connections authorize` stored for it).
    const otherSeller =
      block === 'amazon' &&
      typeof value.sellerId === 'string' &&
      base !== undefined &&
      base.sellerId !== value.sellerId;
    raw[block] = base ? deepMerge(base, value) : value;
    if (otherSeller && !('refreshToken' in value)) delete (raw[block] as Mutable).refreshToken;
    collectPaths(value, [block], moved);
  }
  for (const block of ID_BLOCKS) {
    raw[block] = { ...(isMapping(raw[block]) ? raw[block] : {}), connectionId: id };
    moved.push(`${block}.connectionId`);
  }
  return moved;
}

/** Duplicate ids in the list, each named at its second (third...) position. */
export function duplicateConnectionIds(raw: Mutable, source: string): ConfigProblem[] {
  const list = raw.connections;
  if (!Array.isArray(list)) return [];
  const seen = new Map<string, number>();
  const out: ConfigProblem[] = [];
  list.forEach((entry, i) => {
    const id = isMapping(entry) && typeof entry.id === 'string' ? entry.id : undefined;
    if (id === undefined) return;
    const first = seen.get(id);
    if (first === undefined) seen.set(id, i);
    else
      out.push({
        path: `connections.${i}.id`,
        source,
        expected: 'an id no other connection has',
        received: JSON.stringify(id),
        message: `duplicate connection id: connections.${first}.id is ${JSON.stringify(id)} too`,
      });
  });
  return out;
}

/** How many entries the file's `connections:` list has (0 without a list or when it is not a list). */
export function connectionEntryCount(raw: Mutable): number {
  return Array.isArray(raw.connections) ? raw.connections.length : 0;
}

function collectPaths(node: Mutable, path: string[], out: string[]): void {
  for (const [k, v] of Object.entries(node)) {
    const p = [...path, k];
    out.push(p.join('.'));
    if (isMapping(v)) collectPaths(v, p, out);
  }
}
