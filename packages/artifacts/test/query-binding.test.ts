import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Database } from '@hypha/db';
import { combine, filterConditions, keywordCondition, orderByClauses } from '../src/filters.js';
import { isArtifactError } from '../src/errors.js';

// Compiles queries (no database) to show that caller input only ever travels as parameters.
const db = new Kysely<Database>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (k) => new PostgresIntrospector(k),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

const EVIL = "x' OR '1'='1'); DROP TABLE artifacts; --";

function compile(conditions: ReturnType<typeof filterConditions>) {
  let q = db.selectFrom('artifacts').selectAll().where(combine(conditions, 'AND') as never);
  for (const o of orderByClauses('manifest.name>')) q = q.orderBy(o as never);
  return q.compile();
}

describe('filters and keywords compile to bound parameters', () => {
  it('keeps hostile values and keys out of the SQL text', () => {
    const { sql, parameters } = compile([
      keywordCondition(EVIL),
      ...filterConditions(
        {
          type: EVIL,
          created_by: EVIL,
          created_at: [0, 10],
          manifest: { [EVIL]: EVIL, tags: [EVIL], nested: { deep: { $in: [EVIL, 3] } }, $or: [{ a: EVIL }, { b: { $like: EVIL } }] },
          'config.permissions': { [EVIL]: 'rw' },
        },
        { parentUuid: null },
      ),
    ]);
    expect(sql).not.toContain('DROP');
    expect(sql).not.toContain("'1'='1'");
    expect(parameters.filter((p) => typeof p === 'string' && p.includes('DROP')).length).toBeGreaterThanOrEqual(8);
  });

  it('escapes LIKE metacharacters in keywords', () => {
    const { parameters } = db.selectFrom('artifacts').selectAll().where(keywordCondition('50%_off\\') as never).compile();
    expect(parameters).toContain('%50\\%\\_off\\\\%');
  });

  it('refuses unknown filter keys, operators and non-numeric ranges', () => {
    for (const bad of [{ [EVIL]: 1 }, { manifest: { a: { $regex: '.*' } } }, { view_count: EVIL }, { version: EVIL }]) {
      let caught: unknown;
      try {
        filterConditions(bad, { parentUuid: null });
      } catch (err) {
        caught = err;
      }
      expect(isArtifactError(caught, 'INVALID_INPUT')).toBe(true);
    }
  });

  it('takes order_by only from the column whitelist or manifest/config keys', () => {
    expect(() => orderByClauses('view_count>')).not.toThrow();
    expect(() => orderByClauses('config.priority<')).not.toThrow();
    for (const bad of ['id desc', 'secrets', `manifest.${EVIL}`, 'manifest.', 'id;', 'manifest.a)--']) {
      expect(() => orderByClauses(bad)).toThrow(/Invalid order_by/);
    }
  });
});
