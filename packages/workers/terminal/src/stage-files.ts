/**
 * `files_to_stage` of a terminal app's manifest: files and folders of the app's artifact copied
 * into the session's working directory before the program starts. Items are `path`, `dir/`
 * (recursively), `source:target` and `dir/:target/`; targets stay inside the working directory.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { InvalidArgumentError, UnavailableError } from '@hypha/service';

export interface StageSource {
  /** `<server>/<ws>/artifacts/<app_id>/files` */
  baseUrl: string;
  token: string;
  /** Read the staged (uncommitted) version of the app. */
  stage: boolean;
}

type Progress = (type: string, message: string) => void;

function checkedItems(items: unknown): string[] {
  if (!Array.isArray(items)) throw new InvalidArgumentError(`manifest.files_to_stage must be a list of strings, got ${typeof items}`);
  for (const item of items) {
    if (typeof item !== 'string') throw new InvalidArgumentError(`manifest.files_to_stage: each item must be a string, got ${JSON.stringify(item)}`);
    if (!item.trim()) throw new InvalidArgumentError('manifest.files_to_stage: empty path');
  }
  return items as string[];
}

/** A target inside `root`, or an error naming the item. */
function inside(root: string, target: string, item: string): string {
  const full = resolve(root, target);
  const rel = relative(root, full);
  if (isAbsolute(target) || rel.startsWith('..') || isAbsolute(rel)) {
    throw new InvalidArgumentError(`manifest.files_to_stage: ${item} would be written outside the session directory`);
  }
  return full;
}

function checkSource(source: string, item: string): string {
  const clean = source.replace(/^\/+|\/+$/g, '');
  if (clean.split('/').some((seg) => seg === '..' || seg === '.')) throw new InvalidArgumentError(`manifest.files_to_stage: bad path ${item}`);
  return clean;
}

async function get(src: StageSource, path: string, dir: boolean): Promise<Response> {
  const encoded = path.split('/').filter(Boolean).map(encodeURIComponent).join('/');
  const url = `${src.baseUrl}/${encoded}${dir ? '/' : ''}?use_proxy=true${src.stage ? '&stage=true' : ''}`;
  const res = await fetch(url, { headers: { Authorization: `Bearer ${src.token}` } });
  if (res.status === 404) throw new UnavailableError(`${dir ? 'Directory' : 'File'} not found in the app's files: ${path}`);
  if (!res.ok) throw new UnavailableError(`Could not download ${path} from the app's files: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
  return res;
}

async function downloadFile(src: StageSource, source: string, target: string): Promise<void> {
  const body = Buffer.from(await (await get(src, source, false)).arrayBuffer());
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, body);
}

async function downloadDir(src: StageSource, source: string, target: string, root: string, item: string): Promise<number> {
  await mkdir(target, { recursive: true });
  const listing = (await (await get(src, source, true)).json()) as Array<{ name?: unknown; type?: unknown }>;
  if (!Array.isArray(listing)) throw new UnavailableError(`Listing of ${source} is not a list`);
  let count = 0;
  for (const entry of listing) {
    const name = String(entry.name ?? '');
    if (!name || name.includes('/') || name === '..' || name === '.') throw new UnavailableError(`Listing of ${source} has a bad name: ${JSON.stringify(entry.name)}`);
    const childTarget = inside(root, relative(root, resolve(target, name)), item);
    const childSource = source ? `${source}/${name}` : name;
    if (entry.type === 'directory') count += await downloadDir(src, childSource, childTarget, root, item);
    else {
      await downloadFile(src, childSource, childTarget);
      count++;
    }
  }
  return count;
}

/** Copies the listed files into `root`; returns how many files were written. */
export async function stageFiles(items: unknown, root: string, src: StageSource, progress: Progress): Promise<number> {
  const list = checkedItems(items);
  let total = 0;
  for (const item of list) {
    const colon = item.indexOf(':');
    const rawSource = colon < 0 ? item : item.slice(0, colon);
    const rawTarget = colon < 0 ? item : item.slice(colon + 1);
    const source = checkSource(rawSource, item);
    const target = inside(root, rawTarget.replace(/\/+$/, '') || '.', item);
    if (rawSource.endsWith('/')) {
      progress('info', `Downloading folder recursively: ${source} -> ${rawTarget}`);
      total += await downloadDir(src, source, target, root, item);
    } else {
      if (!source) throw new InvalidArgumentError(`manifest.files_to_stage: bad path ${item}`);
      progress('info', `Downloading file: ${source} -> ${rawTarget}`);
      await downloadFile(src, source, target);
      total++;
    }
  }
  return total;
}
