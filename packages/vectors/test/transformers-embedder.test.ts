import { mkdtemp, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveEmbedder } from '../src/index.js';
import { writeTinyModel } from './tiny-onnx-model.js';

// Rows: [UNK], cat, kitten, car, truck. Cats point one way, vehicles another.
const VOCAB = ['cat', 'kitten', 'car', 'truck'];
const TABLE = [
  [0, 0, 0, 1],
  [1, 0, 0, 0],
  [0.9, 0.1, 0, 0],
  [0, 0, 1, 0],
  [0, 0.1, 0.9, 0],
];
const cos = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);

describe('@huggingface/transformers embedder on a local ONNX model', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hypha-onnx-'));
    await writeTinyModel(dir, 'test-org/tiny', VOCAB, TABLE);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs the model through the real library: mean-pooled, normalised rows of the table', async () => {
    const e = await resolveEmbedder('test-org/tiny', { modelDir: dir });
    expect(e.model).toBe('test-org/tiny');
    const [cat, kitten, car, mixed, unknown] = await e.embed(['cat', 'Kitten', 'car', 'cat truck', 'zebra']);
    expect(cat).toEqual([1, 0, 0, 0]);
    expect(car).toEqual([0, 0, 1, 0]);
    expect(unknown).toEqual([0, 0, 0, 1]);
    expect(kitten![0]).toBeCloseTo(0.9 / Math.hypot(0.9, 0.1), 5);
    // mean of [1,0,0,0] and [0,0.1,0.9,0], normalised
    const n = Math.hypot(0.5, 0.05, 0.45);
    expect(mixed![0]).toBeCloseTo(0.5 / n, 5);
    expect(mixed![2]).toBeCloseTo(0.45 / n, 5);
    expect(cos(cat!, kitten!)).toBeGreaterThan(cos(cat!, car!) + 0.5);
    expect(await e.embed([])).toEqual([]);
  });

  it('accepts the reference spelling fastembed:<org>/<name> and the HYPHA_EMBEDDING_MODEL_DIR variable', async () => {
    const before = process.env.HYPHA_EMBEDDING_MODEL_DIR;
    process.env.HYPHA_EMBEDDING_MODEL_DIR = dir;
    try {
      const e = await resolveEmbedder('fastembed:test-org/tiny');
      expect(await e.embed(['truck'])).toEqual([[0, expect.closeTo(0.1 / Math.hypot(0.1, 0.9), 5), expect.closeTo(0.9 / Math.hypot(0.1, 0.9), 5), 0]]);
    } finally {
      if (before === undefined) delete process.env.HYPHA_EMBEDDING_MODEL_DIR;
      else process.env.HYPHA_EMBEDDING_MODEL_DIR = before;
    }
  });

  it('names the path of a missing or incomplete model and refuses paths outside the directory', async () => {
    await expect(resolveEmbedder('test-org/absent', { modelDir: dir })).rejects.toThrow(`no model at ${join(dir, 'test-org/absent')}`);
    await expect(resolveEmbedder('test-org/tiny', { modelDir: join(dir, 'nowhere') })).rejects.toThrow(`no model at ${join(dir, 'nowhere', 'test-org/tiny')}`);
    await expect(resolveEmbedder('../tiny', { modelDir: dir })).rejects.toThrow('Unknown embedding model "../tiny"');
    await writeTinyModel(dir, 'test-org/broken', VOCAB, TABLE);
    await unlink(join(dir, 'test-org/broken/onnx/model.onnx'));
    await expect(resolveEmbedder('test-org/broken', { modelDir: dir })).rejects.toThrow(
      `Embedding model "test-org/broken" at ${join(dir, 'test-org/broken')} is incomplete: missing ${join('onnx', 'model.onnx')}`,
    );
  });
});
