import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { MIN_PART_SIZE, type CompletedPart, type PutOptions } from '../blob-store.js';
import { MultipartUploadError } from '../errors.js';
import { checkPartNumber } from '../keys.js';
import { abortReasonOr, etagOf, isMissing } from './fs-util.js';

const UPLOAD_ID = /^[0-9a-f]{32}$/;

type WriteTemp = (chunks: AsyncIterable<Uint8Array>, options: PutOptions) => Promise<string>;

/** Multipart uploads of the filesystem store: one folder per upload, one file per part. */
export class FsMultipart {
  readonly #dir: string;
  readonly #writeTemp: WriteTemp;

  constructor(dir: string, writeTemp: WriteTemp) {
    this.#dir = dir;
    this.#writeTemp = writeTemp;
  }

  async init(): Promise<void> {
    await mkdir(this.#dir, { recursive: true });
  }

  async create(key: string): Promise<string> {
    const uploadId = randomBytes(16).toString('hex');
    await mkdir(join(this.#dir, uploadId));
    await writeFile(join(this.#dir, uploadId, 'upload.json'), JSON.stringify({ key, createdAt: Date.now() }));
    return uploadId;
  }

  async uploadPart(
    key: string,
    uploadId: string,
    partNumber: number,
    chunks: AsyncIterable<Uint8Array>,
    options: PutOptions,
  ): Promise<{ etag: string }> {
    await this.#check(key, uploadId);
    const temp = await this.#writeTemp(chunks, options);
    const target = this.#partPath(uploadId, partNumber);
    try {
      const st = await stat(temp, { bigint: true });
      await rename(temp, target);
      return { etag: etagOf(st) };
    } catch (error) {
      await rm(temp, { force: true });
      if (isMissing(error)) throw new MultipartUploadError(`multipart upload ${uploadId} was completed or aborted meanwhile`, { cause: error });
      throw error;
    }
  }

  /** Concatenates the parts into `temp` after checking them; returns `temp`. */
  async assemble(key: string, uploadId: string, parts: CompletedPart[], temp: string, signal?: AbortSignal): Promise<string> {
    await this.#check(key, uploadId);
    if (parts.length === 0) throw new MultipartUploadError('completing a multipart upload needs at least one part');
    const paths: string[] = [];
    for (const [index, part] of parts.entries()) {
      checkPartNumber(part.partNumber);
      if (index > 0 && part.partNumber <= parts[index - 1].partNumber) {
        throw new MultipartUploadError(`parts must be listed in ascending part number order; ${part.partNumber} follows ${parts[index - 1].partNumber}`);
      }
      const path = this.#partPath(uploadId, part.partNumber);
      let st;
      try {
        st = await stat(path, { bigint: true });
      } catch (error) {
        if (isMissing(error)) throw new MultipartUploadError(`part ${part.partNumber} of upload ${uploadId} was not uploaded`, { cause: error });
        throw error;
      }
      if (unquote(part.etag) !== unquote(etagOf(st))) {
        throw new MultipartUploadError(`part ${part.partNumber} etag ${part.etag} does not match the uploaded part`);
      }
      if (index < parts.length - 1 && st.size < BigInt(MIN_PART_SIZE)) {
        throw new MultipartUploadError(`part ${part.partNumber} has ${st.size} bytes; every part but the last needs at least ${MIN_PART_SIZE}`);
      }
      paths.push(path);
    }
    async function* concatenated() {
      for (const path of paths) yield* createReadStream(path);
    }
    try {
      await pipeline(concatenated, createWriteStream(temp, { flags: 'wx' }), { signal });
    } catch (error) {
      await rm(temp, { force: true });
      throw abortReasonOr(error, signal);
    }
    return temp;
  }

  async abort(key: string, uploadId: string): Promise<void> {
    await this.#check(key, uploadId);
    await this.remove(uploadId);
  }

  async remove(uploadId: string): Promise<void> {
    await rm(join(this.#dir, uploadId), { recursive: true, force: true });
  }

  async #check(key: string, uploadId: string): Promise<void> {
    if (typeof uploadId !== 'string' || !UPLOAD_ID.test(uploadId)) {
      throw new MultipartUploadError(`no multipart upload ${JSON.stringify(uploadId)}`);
    }
    let meta: { key: string };
    try {
      meta = JSON.parse(await readFile(join(this.#dir, uploadId, 'upload.json'), 'utf8')) as { key: string };
    } catch (error) {
      if (isMissing(error)) throw new MultipartUploadError(`no multipart upload ${uploadId} (completed, aborted or never started)`, { cause: error });
      throw error;
    }
    if (meta.key !== key) throw new MultipartUploadError(`multipart upload ${uploadId} belongs to another key than "${key}"`);
  }

  #partPath(uploadId: string, partNumber: number): string {
    return join(this.#dir, uploadId, `part-${partNumber}`);
  }
}

function unquote(etag: string): string {
  return etag.replace(/^W\//, '').replace(/^"|"$/g, '');
}
