/**
 * A streamed zip (stored, no compression) of blobs. Entries are opened one at a time, as the
 * archive reaches them, so memory stays bounded whatever the number and size of the files.
 */
import { ZipArchive } from 'archiver';
import type { Readable } from 'node:stream';
import type { BlobStore } from '@hypha/storage';

export interface ZipEntry {
  /** Path inside the zip. */
  name: string;
  /** Blob key. */
  key: string;
}

export function createZipStream(store: BlobStore, entries: AsyncIterable<ZipEntry>): Readable {
  const archive = new ZipArchive({ store: true, highWaterMark: 1024 * 1024 });
  const iterator = entries[Symbol.asyncIterator]();
  const date = new Date();
  const next = async (): Promise<void> => {
    const item = await iterator.next();
    if (item.done) {
      await archive.finalize();
      return;
    }
    const { body } = await store.get(item.value.key);
    archive.append(body, { name: item.value.name, date });
  };
  const fail = (err: unknown) => archive.destroy(err instanceof Error ? err : new Error(String(err)));
  // The next blob is opened only when archiver has taken the previous one.
  archive.on('entry', () => void next().catch(fail));
  void next().catch(fail);
  return archive;
}
