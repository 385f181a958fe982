import { Kysely, sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { prepared, preparedByShape } from '../../../src/runtime/store/prepared.ts';
import { createNodeSqliteDatabase, NodeSqliteDialect } from '../../../src/runtime/store/node-sqlite-dialect.ts';

interface Db {
  t: { id: number; name: string; grp: string };
}
const { database, raw } = createNodeSqliteDatabase(':memory:', 1000);
raw.exec(
  "create table t (id integer primary key, name text, grp text); insert into t values (1, 'a', 'x'), (2, 'b', 'x'), (3, 'c', 'y')",
);
const db = new Kysely<Db>({ dialect: new NodeSqliteDialect(database) });
afterAll(async () => {
  await db.destroy();
});

describe('prepared queries (built and compiled once per handle)', () => {
  it('runs with the values of each call, builds once, and keeps constants of the shape', async () => {
    let builds = 0;
    const byGroup = prepared((d: Kysely<Db>, grp: string, above: number) => {
      builds++;
      return d
        .selectFrom('t')
        .select(['id', 'name'])
        .where('grp', '=', grp)
        .where('id', '>', above)
        .where('name', '<>', 'zz')
        .orderBy('id');
    });
    expect(await byGroup(db, 'x', 0).execute()).toEqual([
      { id: 1, name: 'a' },
      { id: 2, name: 'b' },
    ]);
    expect(await byGroup(db, 'x', 1).executeTakeFirst()).toEqual({ id: 2, name: 'b' });
    expect(await byGroup(db, 'y', 0).execute()).toEqual([{ id: 3, name: 'c' }]);
    expect(await byGroup(db, 'q', 0).executeTakeFirst()).toBeUndefined();
    expect(builds).toBe(1);
    // The same values compiled as a query builder would (the T-SQL checks compile these).
    expect(byGroup(db, 'y', 2).compile().parameters).toEqual(['y', 2, 'zz']);
    // Another handle (another dialect or plugins) compiles its own.
    await byGroup(
      db.withPlugin({ transformQuery: (a) => a.node, transformResult: async (a) => a.result }),
      'x',
      0,
    ).execute();
    expect(builds).toBe(2);
  });

  it('refuses a value the builder transforms, inlines or drops, at its first run', async () => {
    const upper = prepared((d: Kysely<Db>, name: string) =>
      d.selectFrom('t').selectAll().where('name', 'like', `%${name}%`),
    );
    expect(() => upper(db, 'a')).toThrow(/transforms a value/);
    const inlined = prepared((d: Kysely<Db>, name: string) =>
      d.selectFrom('t').selectAll().where('name', '=', sql.lit(name)),
    );
    expect(() => inlined(db, 'a')).toThrow(/inlines a value/);
    const dropped = prepared((d: Kysely<Db>, _name: string) => d.selectFrom('t').selectAll());
    expect(() => dropped(db, 'a')).toThrow(/binds 0 of its 1 values/);
    const changed = prepared((d: Kysely<Db>, name: string) =>
      d.selectFrom('t').selectAll().where('name', '=', name.toUpperCase()),
    );
    expect(() => changed(db, 'a')).toThrow(/binds 0 of its 1 values/);
  });

  it('by shape: one template per shape and number of values; a value used twice is bound twice', async () => {
    let builds = 0;
    const named = preparedByShape(
      (s: { readonly order: 'asc' | 'desc' }) => s.order,
      (d: Kysely<Db>, s: { readonly order: 'asc' | 'desc' }, grp: string, ...names: string[]) => {
        builds++;
        return d
          .selectFrom('t')
          .select('id')
          .where((eb) => eb.or([eb('grp', '=', grp), eb('name', '=', grp)]))
          .where('name', 'in', names)
          .orderBy('id', s.order);
      },
    );
    const ids = async (order: 'asc' | 'desc', grp: string, ...names: string[]) =>
      (await named(db, { order }, grp, ...names).execute()).map((r) => r.id);
    expect(await ids('asc', 'x', 'a', 'b')).toEqual([1, 2]);
    expect(await ids('asc', 'x', 'b', 'c')).toEqual([2]);
    expect(await ids('desc', 'x', 'a', 'b')).toEqual([2, 1]);
    expect(await ids('asc', 'c', 'c')).toEqual([3]);
    expect(await ids('asc', 'x', 'a', 'b', 'c')).toEqual([1, 2]);
    // asc with 2, desc with 2, asc with 1 and asc with 3 names; the second asc with 2 reused its template.
    expect(builds).toBe(4);
  });
});
