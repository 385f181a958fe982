import type { ConfigProblem } from './load.ts';

type Mutable = Record<string, unknown>;

/** The blocks a `connections:` entry may carry besides its id (issue 21). */
export const CONNECTION_BLOCKS = ['amazon', 'sage500', 'orders'] as const;
const ID = /^[a-z0-9][a-z0-9_-]{0,39}$/;

const isMapping = (v: unknown): v is Mutable => !!v && typeof v === 'object' && !Array.isArray(v);

function deepMerge(base: Mutable, over: Mutable): Mutable {
  const out: Mutable = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isMapping(v) && isMapping(out[k]) ? deepMerge(out[k], v) : v;
  return out;
}

/**
 * Folds the file's `connections:` list into the top-level blocks, which mean the connection `default` when there is
 * no list (issue 21). One entry: `{id, amazon?, sage500?, orders?}`; its blocks are merged over the top-level ones
 * (a value in the entry wins; the environment and flags still win over both) and its id becomes
 * `orders.connectionId`. More than one entry is refused: one process serves one connection until the multi-connection
 * runtime exists. Returns the paths that came from the entry (for error messages); problems are appended.
 */
export function foldConnections(raw: Mutable, source: string, problems: ConfigProblem[]): string[] {
  if (!('connections' in raw)) return [];
  const list = raw.connections;
  delete raw.connections;
  const problem = (path: string, expected: string, received: string, message: string) =>
    problems.push({ path, source, expected, received, message });
  if (!Array.isArray(list)) {
    problem('connections', 'a list of one connection', typeof list, 'must be a list (`- id: ...`)');
    return [];
  }
  if (list.length === 0) return [];
  if (list.length > 1) {
    problem(
      'connections',
      'one entry',
      `${list.length} entries (${list.map((c) => (isMapping(c) ? String(c.id) : '?')).join(', ')})`,
      'several connections in one process are not supported yet: keep one entry here and run one Sellbridge process (with its own sellbridge.yaml and store) per connection',
    );
    return [];
  }
  const entry = list[0];
  if (!isMapping(entry)) {
    problem('connections.0', 'a mapping with id, amazon, sage500, orders', typeof entry, 'must be a mapping');
    return [];
  }
  let ok = true;
  for (const key of Object.keys(entry))
    if (key !== 'id' && !(CONNECTION_BLOCKS as readonly string[]).includes(key)) {
      problem(`connections.0.${key}`, 'id, amazon, sage500 or orders', key, 'unknown setting of a connection');
      ok = false;
    }
  const id = entry.id;
  if (typeof id !== 'string' || !ID.test(id)) {
    problem(
      'connections.0.id',
      'lower-case letters, digits, - and _ (at most 40)',
      JSON.stringify(id ?? null),
      'every connection needs an id',
    );
    ok = false;
  }
  for (const block of CONNECTION_BLOCKS)
    if (block in entry && !isMapping(entry[block])) {
      problem(
        `connections.0.${block}`,
        'a mapping',
        typeof entry[block],
        `must be a mapping like the top-level ${block}`,
      );
      ok = false;
    }
  const ordersId = isMapping(entry.orders) ? entry.orders.connectionId : undefined;
  const topId = isMapping(raw.orders) ? raw.orders.connectionId : undefined;
  for (const [path, other] of [
    ['connections.0.orders.connectionId', ordersId],
    ['orders.connectionId', topId],
  ] as const)
    if (other !== undefined && other !== id) {
      problem(path, `the connection's id ${JSON.stringify(id)}`, JSON.stringify(other), 'contradicts connections.0.id');
      ok = false;
    }
  if (!ok) return [];
  const moved: string[] = [];
  for (const block of CONNECTION_BLOCKS) {
    const value = entry[block];
    if (!isMapping(value)) continue;
    raw[block] = isMapping(raw[block]) ? deepMerge(raw[block], value) : value;
    collectPaths(value, [block], moved);
  }
  raw.orders = { ...(isMapping(raw.orders) ? raw.orders : {}), connectionId: id };
  moved.push('orders.connectionId');
  return moved;
}

function collectPaths(node: Mutable, path: string[], out: string[]): void {
  for (const [k, v] of Object.entries(node)) {
    const p = [...path, k];
    out.push(p.join('.'));
    if (isMapping(v)) collectPaths(v, p, out);
  }
}
