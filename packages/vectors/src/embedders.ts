/**
 * Turning text into vectors for a collection's `embedding_model`. Nothing is downloaded at run
 * time: the built-in `hashing` embedder needs no weights (feature hashing of words and character
 * trigrams, for offline use and tests), and other model names load an ONNX model that the
 * operator placed under the model directory, through `@huggingface/transformers` when installed.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InvalidArgumentError, UnavailableError } from '@hypha/service';
import { loadTransformersEmbedder } from './transformers-embedder.js';

export interface Embedder {
  readonly model: string;
  embed(texts: string[]): Promise<number[][]>;
}

/** Environment variable naming the directory of local ONNX models (also `--embedding-model-dir`). */
export const MODEL_DIR_ENV = 'HYPHA_EMBEDDING_MODEL_DIR';

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Deterministic, weightless: similar wordings share features, so similar texts score higher. */
export class HashingEmbedder implements Embedder {
  readonly model: string;

  constructor(readonly dimension = 384) {
    this.model = `hashing-${dimension}`;
  }

  async embed(texts: string[]): Promise<number[][]> {
    return texts.map((t) => this.embedOne(t));
  }

  private embedOne(text: string): number[] {
    const v = new Float64Array(this.dimension);
    const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
    const add = (feature: string, weight: number) => {
      const h = fnv1a(feature);
      v[h % this.dimension]! += (h & 0x80000000 ? -1 : 1) * weight;
    };
    for (const w of words) {
      add(`w:${w}`, 1);
      const padded = `^${w}$`;
      for (let i = 0; i + 3 <= padded.length; i++) add(`t:${padded.slice(i, i + 3)}`, 0.5);
    }
    let norm = 0;
    for (const x of v) norm += x * x;
    norm = Math.sqrt(norm) || 1;
    return Array.from(v, (x) => x / norm);
  }
}

export interface EmbedderOptions {
  /** Where local ONNX models live (`<dir>/<org>/<name>`). @default $HYPHA_EMBEDDING_MODEL_DIR */
  modelDir?: string | null;
  /** The dimension a hashing embedder produces (the collection's). */
  dimension?: number;
}

/**
 * The embedder for a collection's `embedding_model`: `hashing` (or `hashing-<dim>`) is built in;
 * `fastembed:<org>/<name>` and `<org>/<name>` need that model in the model directory.
 * @throws InvalidArgumentError for a model name it cannot use, UnavailableError when the model
 *   or `@huggingface/transformers` is missing.
 */
export async function resolveEmbedder(model: unknown, o: EmbedderOptions = {}): Promise<Embedder> {
  if (typeof model !== 'string' || model.trim() === '') {
    throw new InvalidArgumentError(`embedding_model must be a model name, got ${JSON.stringify(model)}`);
  }
  const hashing = /^(?:hypha:)?hashing(?:-(\d+))?$/.exec(model);
  if (hashing) return new HashingEmbedder(hashing[1] ? Number(hashing[1]) : (o.dimension ?? 384));
  const name = model.replace(/^fastembed:/, '');
  if (!/^[\w.-]+\/[\w.-]+$/.test(name) || name.split('/').some((part) => /^\.+$/.test(part))) {
    throw new InvalidArgumentError(`Unknown embedding model "${model}": use "hashing" or "<org>/<name>" of a local ONNX model`);
  }
  const dir = o.modelDir ?? process.env[MODEL_DIR_ENV];
  if (!dir || !existsSync(join(dir, name))) {
    throw new UnavailableError(
      `Embedding model "${model}" is not available on this server: no model at ${dir ? join(dir, name) : '(no model directory)'}. ` +
        `Models are never downloaded; place the ONNX model there (set ${MODEL_DIR_ENV}), or use "hashing".`,
    );
  }
  return loadTransformersEmbedder(model, resolve(dir, name));
}
