/**
 * Writes a tiny feature-extraction model that `@huggingface/transformers` loads from a local
 * directory: an ONNX graph with one Gather over a small embedding table (input_ids ->
 * last_hidden_state), a word-level tokenizer.json and a BERT config.json. The protobuf is encoded
 * here by hand (varints and length-delimited fields), so the test needs no model download.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

function varint(n: number | bigint): number[] {
  let v = BigInt(n);
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return out;
}
const key = (field: number, wire: number) => varint((field << 3) | wire);
const int = (field: number, n: number) => [...key(field, 0), ...varint(n)];
const bytes = (field: number, b: Uint8Array | number[]) => [...key(field, 2), ...varint(b.length), ...b];
const str = (field: number, s: string) => bytes(field, new TextEncoder().encode(s));
const msg = (field: number, parts: number[][]) => bytes(field, parts.flat());

const FLOAT = 1;
const INT64 = 7;

/** A ValueInfoProto: name and a tensor type whose dims are numbers or symbolic names. */
function valueInfo(field: number, name: string, elemType: number, dims: (number | string)[]) {
  const shape = dims.map((d) => msg(1, [typeof d === 'number' ? int(1, d) : str(2, d)]));
  return msg(field, [str(1, name), msg(2, [msg(1, [int(1, elemType), msg(2, shape)])])]);
}

/** Encodes a ModelProto computing `last_hidden_state = Gather(table, input_ids)`. */
export function gatherModel(table: number[][]): Uint8Array {
  const dim = table[0]!.length;
  const raw = new Uint8Array(new Float32Array(table.flat()).buffer);
  const initializer = msg(5, [int(1, table.length), int(1, dim), int(2, FLOAT), str(8, 'embeddings'), bytes(9, raw)]);
  const node = msg(1, [str(1, 'embeddings'), str(1, 'input_ids'), str(2, 'last_hidden_state'), str(3, 'lookup'), str(4, 'Gather')]);
  const graph = msg(7, [
    node,
    str(2, 'tiny-embedder'),
    initializer,
    valueInfo(11, 'input_ids', INT64, ['batch', 'sequence']),
    valueInfo(11, 'attention_mask', INT64, ['batch', 'sequence']),
    valueInfo(12, 'last_hidden_state', FLOAT, ['batch', 'sequence', dim]),
  ]);
  return new Uint8Array([...int(1, 8), ...str(2, 'hypha-test'), ...graph, ...msg(8, [str(1, ''), int(2, 13)])]);
}

/**
 * Writes the model under `<dir>/<name>` (`onnx/model.onnx`, `tokenizer.json`,
 * `tokenizer_config.json`, `config.json`). Token ids index `table`; id 0 is `[UNK]`.
 */
export async function writeTinyModel(dir: string, name: string, vocab: string[], table: number[][]): Promise<string> {
  const root = join(dir, name);
  await mkdir(join(root, 'onnx'), { recursive: true });
  await writeFile(join(root, 'onnx', 'model.onnx'), gatherModel(table));
  const ids = Object.fromEntries(['[UNK]', ...vocab].map((w, i) => [w, i]));
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [{ id: 0, content: '[UNK]', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }],
    normalizer: { type: 'Lowercase' },
    pre_tokenizer: { type: 'Whitespace' },
    post_processor: null,
    decoder: null,
    model: { type: 'WordLevel', vocab: ids, unk_token: '[UNK]' },
  };
  await writeFile(join(root, 'tokenizer.json'), JSON.stringify(tokenizer));
  await writeFile(join(root, 'tokenizer_config.json'), JSON.stringify({ tokenizer_class: 'PreTrainedTokenizer', unk_token: '[UNK]', pad_token: '[UNK]', model_max_length: 512 }));
  await writeFile(join(root, 'config.json'), JSON.stringify({ model_type: 'bert', architectures: ['BertModel'], hidden_size: table[0]!.length, vocab_size: table.length }));
  return root;
}
