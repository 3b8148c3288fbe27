/**
 * One repository: its objects and refs live in the blob store under `prefix` (the source of
 * truth); a bare repository in the local cache mirrors them so the system `git` can serve it.
 * Every operation first brings the cache up to the stored state; every change is written back
 * (new packs first, then the state) before it is reported as done.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { BlobStore } from '@hypha/storage';
import { gitText, runGit } from './git-process.js';
import { Mutex } from './limits.js';
import type { SharedLock } from './shared-lock.js';
import { emptyState, isPackName, parseState, type RepoState } from './repo-state.js';

/** Configuration of every cache repository. */
const CACHE_CONFIG: Array<[string, string]> = [
  // Every push keeps its pack as one file (never loose objects), so it is uploaded as it came.
  ['receive.unpackLimit', '1'],
  ['transfer.unpackLimit', '1'],
  // No background gc: packs are only ever added, and the stored state lists them.
  ['gc.auto', '0'],
  ['receive.autogc', 'false'],
  ['core.logAllRefUpdates', 'false'],
  ['uploadpack.allowTipSHA1InWant', 'true'],
  ['uploadpack.allowReachableSHA1InWant', 'true'],
];

export interface GitRepoOptions {
  store: BlobStore;
  /** Key prefix in the store, ending with `/`. */
  prefix: string;
  /** Path of the cache bare repository. */
  dir: string;
  /** Branch HEAD names in a repository that has no stored state yet. */
  defaultBranch: string;
  /** Excludes other instances while a change is made (a cluster); without it, only this process. */
  sharedLock?: SharedLock;
}

export class GitRepo {
  readonly prefix: string;
  readonly dir: string;
  readonly store: BlobStore;
  readonly defaultBranch: string;
  /** Serialises syncing and every change of this repository. */
  readonly lock = new Mutex();
  private state: RepoState | null = null;
  private stateEtag: string | null = null;
  private initialised = false;
  private readonly sharedLock: SharedLock | null;

  constructor(o: GitRepoOptions) {
    this.sharedLock = o.sharedLock ?? null;
    this.prefix = o.prefix;
    this.dir = o.dir;
    this.store = o.store;
    this.defaultBranch = o.defaultBranch;
  }

  get stateKey(): string {
    return `${this.prefix}state.json`;
  }

  packKey(name: string, ext: 'pack' | 'idx'): string {
    return `${this.prefix}objects/pack/${name}.${ext}`;
  }

  /** Creates the stored state of an empty repository when there is none yet. */
  async create(defaultBranch = this.defaultBranch): Promise<void> {
    await this.lock.run(async () => {
      if (await this.store.head(this.stateKey)) return;
      await this.store.put(this.stateKey, Buffer.from(JSON.stringify(emptyState(defaultBranch))));
    });
  }

  /** Brings the cache up to the stored state (takes the lock). */
  async sync(): Promise<RepoState> {
    return this.lock.run(() => this.syncLocked());
  }

  /**
   * Runs `fn` on an up-to-date cache under the lock, then stores what it changed (new packs, then
   * refs and HEAD). If storing fails the cache is reset to the stored state.
   */
  async change<T>(fn: (current: RepoState) => Promise<T>): Promise<T> {
    return this.lock.run(() => this.exclusive(async () => {
      const current = await this.syncLocked();
      let result: T;
      try {
        result = await fn(current);
        await this.persistLocked(current);
      } catch (err) {
        this.stateEtag = null; // next sync rewrites the cache refs from the store
        await this.syncLocked().catch(() => undefined);
        throw err;
      }
      return result;
    }));
  }

  /** Runs `fn` holding the shared lock of this repository, when there is one. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.sharedLock ? this.sharedLock.run(this.stateKey, fn) : fn();
  }

  /** The stored state as last synced. */
  current(): RepoState {
    if (!this.state) throw new Error('git repository used before sync');
    return this.state;
  }

  private async ensureCache(): Promise<void> {
    if (this.initialised) return;
    const exists = await stat(join(this.dir, 'HEAD')).then(() => true, () => false);
    if (!exists) {
      await mkdir(this.dir, { recursive: true });
      await runGit(['init', '--bare', '--quiet', this.dir]);
    }
    // One write of the settings instead of a `git config` per key.
    const { readFile } = await import('node:fs/promises');
    const base = (await readFile(join(this.dir, 'config'), 'utf8')).split('\n# hypha-cache settings')[0]!.trimEnd();
    const sections = new Map<string, string[]>();
    for (const [k, v] of CACHE_CONFIG) {
      const [section, key] = k.split('.');
      sections.set(section!, [...(sections.get(section!) ?? []), `\t${key} = ${v}`]);
    }
    const extra = [...sections].map(([section, lines]) => `[${section}]\n${lines.join('\n')}`).join('\n');
    await writeFile(join(this.dir, 'config'), `${base}\n# hypha-cache settings\n${extra}\n`);
    this.initialised = true;
  }

  private async readState(): Promise<{ state: RepoState; etag: string | null }> {
    const info = await this.store.head(this.stateKey);
    if (!info) return { state: emptyState(this.defaultBranch), etag: null };
    if (info.etag === this.stateEtag && this.state) return { state: this.state, etag: info.etag };
    const { body } = await this.store.get(this.stateKey);
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(Buffer.from(c as Uint8Array));
    return { state: parseState(Buffer.concat(chunks).toString('utf8'), this.stateKey), etag: info.etag };
  }

  private async syncLocked(): Promise<RepoState> {
    await this.ensureCache();
    const { state, etag } = await this.readState();
    if (etag !== null && etag === this.stateEtag && this.state) return this.state;
    const packDir = join(this.dir, 'objects', 'pack');
    await mkdir(packDir, { recursive: true });
    const local = new Set(await this.localPacks());
    for (const name of state.packs) {
      if (local.has(name)) continue;
      // The .idx last: git only looks at packs that have an index.
      await this.download(this.packKey(name, 'pack'), join(packDir, `${name}.pack`));
      await this.download(this.packKey(name, 'idx'), join(packDir, `${name}.idx`));
    }
    await this.writeRefs(state);
    this.state = state;
    this.stateEtag = etag;
    return state;
  }

  private async download(key: string, path: string): Promise<void> {
    const tmp = `${path}.tmp-${process.pid}`;
    const { body } = await this.store.get(key);
    await pipeline(body, createWriteStream(tmp));
    await rename(tmp, path);
  }

  /** Pack basenames present in the cache. */
  async localPacks(): Promise<string[]> {
    const names = await readdir(join(this.dir, 'objects', 'pack')).catch(() => [] as string[]);
    return names.filter((n) => n.endsWith('.idx')).map((n) => n.slice(0, -4)).filter(isPackName);
  }

  private async writeRefs(state: RepoState): Promise<void> {
    const lines = Object.entries(state.refs)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, oid]) => `${oid} ${name}\n`);
    const packed = join(this.dir, 'packed-refs');
    await writeFile(`${packed}.tmp`, `# pack-refs with: sorted\n${lines.join('')}`);
    await rename(`${packed}.tmp`, packed);
    await rm(join(this.dir, 'refs'), { recursive: true, force: true });
    await mkdir(join(this.dir, 'refs', 'heads'), { recursive: true });
    await mkdir(join(this.dir, 'refs', 'tags'), { recursive: true });
    await writeFile(join(this.dir, 'HEAD'), `ref: ${state.head}\n`);
  }

  /** Reads refs and HEAD from the cache. */
  async readCacheRefs(): Promise<{ head: string; refs: Record<string, string> }> {
    const out = await gitText(['for-each-ref', '--format=%(objectname) %(refname)'], { gitDir: this.dir });
    const refs: Record<string, string> = {};
    for (const line of out.split('\n')) {
      if (!line) continue;
      const [oid, name] = line.split(' ');
      refs[name!] = oid!;
    }
    const head = await gitText(['symbolic-ref', 'HEAD'], { gitDir: this.dir });
    return { head, refs };
  }

  private async persistLocked(previous: RepoState): Promise<void> {
    // Objects written by plumbing commands are loose: put them into a pack of their own.
    const counts = await gitText(['count-objects'], { gitDir: this.dir });
    if (!/^0 objects/.test(counts)) await runGit(['repack', '-d', '-q'], { gitDir: this.dir });
    const known = new Set(previous.packs);
    const packs = [...previous.packs];
    for (const name of await this.localPacks()) {
      if (known.has(name)) continue;
      const packDir = join(this.dir, 'objects', 'pack');
      for (const ext of ['pack', 'idx'] as const) {
        const path = join(packDir, `${name}.${ext}`);
        const { size } = await stat(path);
        await this.store.put(this.packKey(name, ext), createReadStream(path), { size });
      }
      packs.push(name);
    }
    const { head, refs } = await this.readCacheRefs();
    const next: RepoState = { version: 1, head, refs, packs };
    if (JSON.stringify(next) === JSON.stringify(previous)) return;
    await this.putState(next);
  }

  private async putState(state: RepoState): Promise<void> {
    const stored = await this.store.put(this.stateKey, Buffer.from(JSON.stringify(state)));
    this.state = state;
    this.stateEtag = stored.etag;
  }
}
