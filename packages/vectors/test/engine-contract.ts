/** One suite for every VectorEngine: collections, add/search/list/get/remove, filters, bad input. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page, VectorEngine, VectorRecord } from '../src/index.js';

const unit = (i: number, dim = 4): number[] => Array.from({ length: dim }, (_, k) => (k === i % dim ? 1 : 0.125 * k));

export function engineContract(name: string, open: () => Promise<{ engine: VectorEngine; close(): Promise<void> }>): void {
  describe(`${name} vector engine`, () => {
    let engine: VectorEngine;
    let close: () => Promise<void>;
    const coll = `ws-test/${randomUUID()}`;

    beforeAll(async () => {
      ({ engine, close } = await open());
      await engine.createCollection(coll, { dimension: 4, distanceMetric: 'cosine' });
      const items = Array.from({ length: 20 }, (_, i) => ({
        id: `v${String(i).padStart(2, '0')}`,
        vector: unit(i),
        manifest: { year: 2000 + i, tag: i % 2 ? 'odd' : 'even', title: `Item ${i}`, meta: { lang: i < 10 ? 'en' : 'fr' }, labels: i % 3 ? ['a'] : ['a', 'b'] },
      }));
      expect(await engine.addVectors(coll, items)).toHaveLength(20);
    }, 120_000);
    afterAll(async () => {
      await engine.deleteCollection(coll);
      await close();
    });

    it('finds the query vector itself first with _score 1 (cosine), manifest fields flattened', async () => {
      const found = (await engine.searchVectors(coll, { vector: unit(1), limit: 3 })) as VectorRecord[];
      expect(found).toHaveLength(3);
      expect(found[0]).toMatchObject({ id: 'v01', year: 2001, tag: 'odd', title: 'Item 1' });
      expect(found[0]!._score).toBeCloseTo(1, 5);
      expect(found[0]!.vector).toBeUndefined();
      expect(found[1]!._score as number).toBeLessThanOrEqual(found[0]!._score as number);
    });

    it('filters: ranges, comparisons, $in, $ne, $like, $regex, $all, nested keys, combined', async () => {
      const ids = async (filters: Record<string, unknown>) =>
        ((await engine.searchVectors(coll, { filters, limit: 100 })) as VectorRecord[]).map((r) => r.id).sort();
      expect(await ids({ year: [2003, 2005] })).toEqual(['v03', 'v04', 'v05']);
      expect(await ids({ year: { $gt: 2017 } })).toEqual(['v18', 'v19']);
      expect(await ids({ year: { $gte: 2018, $lt: 2019 } })).toEqual(['v18']);
      expect(await ids({ year: { $lte: 2001 } })).toEqual(['v00', 'v01']);
      expect(await ids({ title: { $in: ['Item 2', 'Item 7'] } })).toEqual(['v02', 'v07']);
      expect((await ids({ tag: { $ne: 'even' } })).length).toBe(10);
      expect(await ids({ title: { $like: 'item 1_' } })).toEqual(['v10', 'v11', 'v12', 'v13', 'v14', 'v15', 'v16', 'v17', 'v18', 'v19']);
      expect(await ids({ title: 'Item 1%' })).toHaveLength(11);
      expect(await ids({ title: { $regex: '^Item [34]$' } })).toEqual(['v03', 'v04']);
      expect(await ids({ labels: { $all: ['a', 'b'] } })).toEqual(['v00', 'v03', 'v06', 'v09', 'v12', 'v15', 'v18']);
      expect(await ids({ meta: { lang: 'fr' }, tag: 'even', year: [2000, 2014] })).toEqual(['v10', 'v12', 'v14']);
      expect(await ids({ year: [-2, -1] })).toEqual([]);
    });

    it('paginates with a total, orders by a field or _score, returns only the fields asked for', async () => {
      const page = (await engine.searchVectors(coll, { filters: { tag: 'odd' }, limit: 3, offset: 2, orderBy: '-year', pagination: true })) as Page;
      expect(page.total).toBe(10);
      expect(page.items.map((r) => r.year)).toEqual([2015, 2013, 2011]);
      expect(page).toMatchObject({ offset: 2, limit: 3 });
      const near = (await engine.searchVectors(coll, { vector: unit(2), limit: 2, returnFields: ['title', 'vector'], orderBy: '-_score' })) as VectorRecord[];
      expect(Object.keys(near[0]!).sort()).toEqual(['_score', 'id', 'title', 'vector']);
      expect(near[0]!.vector).toEqual(unit(2));
      const listed = (await engine.listVectors(coll, { limit: 5, offset: 0, pagination: true })) as Page;
      expect(listed.total).toBe(20);
      expect(listed.items.map((r) => r.id)).toEqual(['v00', 'v01', 'v02', 'v03', 'v04']);
    });

    it('gets, updates and removes vectors; counts them', async () => {
      const got = await engine.getVector(coll, 'v05');
      expect(got).toMatchObject({ id: 'v05', year: 2005, vector: unit(5) });
      await engine.addVectors(coll, [{ id: 'v05', vector: unit(6), manifest: { year: 1 } }]);
      expect((await engine.getVector(coll, 'v05')).year).toBe(2005);
      await engine.addVectors(coll, [{ id: 'v05', vector: unit(6), manifest: { year: 1 } }], { update: true });
      expect((await engine.getVector(coll, 'v05')).year).toBe(1);
      await engine.addVectors(coll, [{ id: 'extra', vector: unit(0) }]);
      expect(await engine.count(coll)).toBe(21);
      expect(await engine.removeVectors(coll, ['extra', 'missing'])).toBe(1);
      expect(await engine.count(coll)).toBe(20);
      await expect(engine.getVector(coll, 'extra')).rejects.toThrow('Vector extra not found');
    });

    it('refuses a wrong dimension, a non-numeric vector, an unknown operator and a duplicate collection', async () => {
      await expect(engine.addVectors(coll, [{ id: 'bad', vector: [1, 2] }])).rejects.toThrow('Vector bad has dimension 2, but the collection\'s dimension is 4');
      await expect(engine.addVectors(coll, [{ id: 'bad', vector: [1, 'x', 3, 4] as never }])).rejects.toThrow('element 1 is "x"');
      await expect(engine.searchVectors(coll, { filters: { year: { $near: 3 } } })).rejects.toThrow("Unknown filter operator '$near' on field 'year'");
      await expect(engine.searchVectors(coll, { filters: { year: { $gt: 'x' } } })).rejects.toThrow("Filter $gt on field 'year' needs a number");
      await expect(engine.searchVectors(coll, { vector: [1, 2, 3] })).rejects.toThrow('The query vector has dimension 3');
      await expect(engine.createCollection(coll, { dimension: 4, distanceMetric: 'cosine' })).rejects.toThrow('already exists');
      await expect(engine.createCollection(`${coll}-x`, { dimension: 0, distanceMetric: 'cosine' })).rejects.toThrow('dimension must be an integer');
      await expect(engine.createCollection(`${coll}-x`, { dimension: 4, distanceMetric: 'dot' as never })).rejects.toThrow('distance_metric must be one of');
      await expect(engine.searchVectors(`${coll}-none`, {})).rejects.toThrow('not found');
    });

    it('keeps filter keys and values out of the SQL text (injection attempts are plain data)', async () => {
      const evil = "x' OR '1'='1";
      const none = (await engine.searchVectors(coll, { filters: { tag: evil }, limit: 100 })) as VectorRecord[];
      expect(none).toEqual([]);
      const key = "tag' = 'odd' OR 'a'='a";
      expect((await engine.searchVectors(coll, { filters: { [key]: 'odd' }, limit: 100 })) as VectorRecord[]).toEqual([]);
      await expect(engine.searchVectors(coll, { filters: { tag: { $in: ["odd'); DROP TABLE x; --"] } } })).resolves.toEqual([]);
      await expect(engine.searchVectors(coll, { orderBy: 'year; DROP TABLE x' })).rejects.toThrow('order_by must be');
      await engine.addVectors(coll, [{ id: "q'uote", vector: unit(3), manifest: { "we'ird": "va'lue" } }]);
      expect((await engine.searchVectors(coll, { filters: { "we'ird": "va'lue" } })) as VectorRecord[]).toMatchObject([{ id: "q'uote" }]);
      expect(await engine.count(coll)).toBe(21);
      await engine.removeVectors(coll, ["q'uote"]);
    });

    it('an exact scan and a wider ef_search agree with nearest neighbours computed here; a bad ef_search is refused', async () => {
      const c = `${coll}-exact`;
      const dim = 8;
      let seed = 7;
      const rnd = () => ((seed = (seed * 48271) % 2147483647) / 2147483647) * 2 - 1;
      const items = Array.from({ length: 300 }, (_, i) => ({ id: `p${i}`, vector: Array.from({ length: dim }, rnd) }));
      await engine.createCollection(c, { dimension: dim, distanceMetric: 'cosine' });
      try {
        await engine.addVectors(c, items);
        const q = Array.from({ length: dim }, rnd);
        const cos = (a: number[]) => a.reduce((s2, x, i) => s2 + x * q[i]!, 0) / (Math.hypot(...a) * Math.hypot(...q));
        const want = [...items].sort((a, b) => cos(b.vector) - cos(a.vector)).slice(0, 10).map((x) => x.id);
        const exact = (await engine.searchVectors(c, { vector: q, limit: 10, exact: true })) as VectorRecord[];
        expect(exact.map((r) => r.id)).toEqual(want);
        expect(exact[0]!._score).toBeCloseTo(cos(items.find((x) => x.id === want[0])!.vector), 5);
        const wide = (await engine.searchVectors(c, { vector: q, limit: 10, efSearch: 1000 })) as VectorRecord[];
        expect(wide.map((r) => r.id)).toEqual(want);
        await expect(engine.searchVectors(c, { vector: q, efSearch: 0 })).rejects.toThrow('ef_search must be an integer from 1 to 1000, got 0');
      } finally {
        await engine.deleteCollection(c);
      }
    });

    it('scores l2 and inner_product collections', async () => {
      for (const [metric, expected] of [['l2', 1], ['inner_product', 1]] as const) {
        const c = `${coll}-${metric}`;
        await engine.createCollection(c, { dimension: 2, distanceMetric: metric });
        await engine.addVectors(c, [{ id: 'a', vector: [1, 0] }, { id: 'b', vector: [0, 1] }]);
        const r = (await engine.searchVectors(c, { vector: [1, 0], limit: 2 })) as VectorRecord[];
        expect(r.map((x) => x.id)).toEqual(['a', 'b']);
        expect(r[0]!._score).toBeCloseTo(expected, 5);
        await engine.deleteCollection(c);
        expect(await engine.collectionSpec(c)).toBeNull();
      }
    });
  });
}
