import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HashingEmbedder, resolveEmbedder } from '../src/index.js';

const cos = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);

describe('embedders', () => {
  it('the hashing embedder is deterministic, normalised, and ranks similar texts higher', async () => {
    const e = new HashingEmbedder(384);
    const [a, a2, b, c] = await e.embed(['This is a test document.', 'This is a test document.', 'Another test document', 'Quantum chromodynamics of gluons']);
    expect(a).toHaveLength(384);
    expect(a).toEqual(a2);
    expect(cos(a!, a!)).toBeCloseTo(1, 6);
    expect(cos(a!, b!)).toBeGreaterThan(cos(a!, c!) + 0.2);
  });

  it('resolves hashing models and refuses unknown or missing ones clearly, downloading nothing', async () => {
    expect((await resolveEmbedder('hashing', { dimension: 8 })).model).toBe('hashing-8');
    expect((await resolveEmbedder('hashing-16')).model).toBe('hashing-16');
    await expect(resolveEmbedder('no such model!')).rejects.toThrow('Unknown embedding model "no such model!"');
    await expect(resolveEmbedder(42)).rejects.toThrow('embedding_model must be a model name');
    const dir = await mkdtemp(join(tmpdir(), 'hypha-models-'));
    try {
      await expect(resolveEmbedder('fastembed:BAAI/bge-small-en-v1.5', { modelDir: dir })).rejects.toThrow(
        `Embedding model "fastembed:BAAI/bge-small-en-v1.5" is not available on this server: no model at ${join(dir, 'BAAI/bge-small-en-v1.5')}`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
