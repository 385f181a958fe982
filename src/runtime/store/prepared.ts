import { createQueryId, type Compilable, type CompiledQuery, type Kysely, type RootOperationNode } from 'kysely';

/**
 * A query of a fixed shape built and compiled once per database handle, then run with new values (issue 15: Kysely's
 * building and compiling were about a fifth of an order's CPU, most of it for the same few queries every order).
 *
 * `build` is called once per handle with a marker in place of each value; where the markers land among the compiled
 * parameters is where later values go. So `build` must pass its values straight into the query (`where(col, '=',
 * value)`, `values({...})`): a value it branches on, transforms or inlines would not be a parameter, and the first run
 * refuses it with a clear error rather than run a wrong query. A call with another number of values (an `in` list of
 * another length, spread as the last values) gets a template of its own; another branch is another prepared query, or
 * a shape of `preparedByShape`.
 *
 * The cache is per handle (a WeakMap): a store with other plugins, or another dialect, compiles its own. A transaction
 * is a handle of its own, so inside one a query is compiled for that transaction only (as without this).
 */
export function prepared<DB, P extends readonly unknown[], O>(
  build: (db: Kysely<DB>, ...values: P) => Compilable<O>,
): (db: Kysely<DB>, ...values: P) => PreparedRun<O> {
  const run = preparedByShape(
    (_: undefined) => '',
    (db: Kysely<DB>, _shape: undefined, ...values: P) => build(db, ...values),
  );
  return (db, ...values) => run(db, undefined, ...values);
}

/**
 * As `prepared`, for a query whose shape depends on `shape` (which branch, how many values in an `in`): one template
 * per handle and `key(shape)`. `build` may branch on `shape` freely; its values are bound as with `prepared`.
 */
export function preparedByShape<DB, S, P extends readonly unknown[], O>(
  key: (shape: S) => string,
  build: (db: Kysely<DB>, shape: S, ...values: P) => Compilable<O>,
): (db: Kysely<DB>, shape: S, ...values: P) => PreparedRun<O> {
  const templates = new WeakMap<Kysely<DB>, Map<string, Template<O>>>();
  return (db, shape, ...values) => {
    let byShape = templates.get(db);
    if (!byShape) templates.set(db, (byShape = new Map()));
    // The number of values is part of the shape (an `in` list of another length is another query).
    const k = `${key(shape)}#${values.length}`;
    let template = byShape.get(k);
    if (!template) {
      template = templateOf(build(db, shape, ...(markers(values.length) as unknown as P)).compile(), values.length);
      byShape.set(k, template);
    }
    const compiled: CompiledQuery<O> = {
      ...template.compiled,
      queryId: createQueryId(),
      parameters: template.slots.map((s) => (s.kind === 'constant' ? s.constant : values[s.index])),
    };
    return {
      execute: async () => (await db.executeQuery(compiled)).rows,
      executeTakeFirst: async () => (await db.executeQuery(compiled)).rows[0],
      compile: () => compiled,
      toOperationNode: () => compiled.query,
    };
  };
}

/** A prepared query with its values, to run or (like a query builder: the T-SQL checks) to compile. */
export interface PreparedRun<O> extends Compilable<O> {
  execute(): Promise<O[]>;
  executeTakeFirst(): Promise<O | undefined>;
  toOperationNode(): RootOperationNode;
}

const MARK = '\u0000sellbridge-prepared-value-';
const markers = (n: number) => Array.from({ length: n }, (_, i) => `${MARK}${i}`);

type Slot =
  { readonly kind: 'constant'; readonly constant: unknown } | { readonly kind: 'value'; readonly index: number };
interface Template<O> {
  readonly compiled: CompiledQuery<O>;
  readonly slots: readonly Slot[];
}

function templateOf<O>(compiled: CompiledQuery<O>, count: number): Template<O> {
  if (compiled.sql.includes(MARK))
    throw new Error(`prepared query inlines a value instead of binding it: ${compiled.sql}`);
  const seen = new Set<number>();
  const slots = compiled.parameters.map((p): Slot => {
    if (typeof p === 'string' && p.startsWith(MARK)) {
      const index = Number(p.slice(MARK.length));
      seen.add(index);
      return { kind: 'value', index };
    }
    if (typeof p === 'string' && p.includes(MARK))
      throw new Error(`prepared query transforms a value before binding it: ${compiled.sql}`);
    return { kind: 'constant', constant: p };
  });
  if (seen.size !== count)
    throw new Error(
      `prepared query binds ${seen.size} of its ${count} values (one is branched on or dropped): ${compiled.sql}`,
    );
  return { compiled, slots };
}
