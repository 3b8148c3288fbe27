/**
 * An embedder on `@huggingface/transformers` (an optional dependency): an ONNX feature-extraction
 * model read from a local directory, mean-pooled and normalised. The library is told never to
 * reach the network (`allowRemoteModels = false`, `local_files_only`), and the model is given by
 * its absolute path, so nothing is looked up anywhere else.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UnavailableError } from '@hypha/service';
import type { Embedder } from './embedders.js';

/** The files a model directory must hold (the library reads these). */
export const MODEL_FILES = ['config.json', 'tokenizer.json', join('onnx', 'model.onnx')] as const;

type Extractor = (texts: string[], o: { pooling: 'mean'; normalize: boolean }) => Promise<{ tolist(): number[][] }>;

async function loadLibrary(model: string): Promise<any> {
  try {
    return await import(/* @vite-ignore */ '@huggingface/transformers' as string);
  } catch (err) {
    throw new UnavailableError(
      `Embedding model "${model}" needs the package @huggingface/transformers, which is not installed (install it next to @hypha/vectors)`,
      { cause: err },
    );
  }
}

/**
 * Loads the model in `path` (an absolute directory with `config.json`, `tokenizer.json` and
 * `onnx/model.onnx`).
 * @throws UnavailableError naming the path when a file is missing or the model cannot be loaded.
 */
export async function loadTransformersEmbedder(model: string, path: string): Promise<Embedder> {
  const missing = MODEL_FILES.filter((f) => !existsSync(join(path, f)));
  if (missing.length > 0) {
    throw new UnavailableError(`Embedding model "${model}" at ${path} is incomplete: missing ${missing.join(', ')}`);
  }
  const lib = await loadLibrary(model);
  lib.env.allowRemoteModels = false;
  lib.env.allowLocalModels = true;
  let extractor: Extractor;
  try {
    extractor = await lib.pipeline('feature-extraction', path, { local_files_only: true, dtype: 'fp32' });
  } catch (err) {
    throw new UnavailableError(`Embedding model "${model}" at ${path} could not be loaded: ${(err as Error).message}`, { cause: err });
  }
  return {
    model,
    async embed(texts: string[]) {
      if (texts.length === 0) return [];
      const out = await extractor(texts, { pooling: 'mean', normalize: true });
      return out.tolist();
    },
  };
}
