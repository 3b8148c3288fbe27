/**
 * The state object of a repository in the blob store (`<prefix>state.json`): HEAD, every ref and
 * the packs that hold the objects. Packs are written before the state that names them, so a
 * reader of any state finds every object it needs; the state is replaced in one atomic put.
 */

export const ZERO_OID = '0000000000000000000000000000000000000000';

export interface RepoState {
  version: 1;
  /** Symbolic target of HEAD, e.g. `refs/heads/main`. */
  head: string;
  /** Full ref name to object id. */
  refs: Record<string, string>;
  /** Pack basenames (`pack-<sha>`) under `objects/pack/`. */
  packs: string[];
}

const OID_RE = /^[0-9a-f]{40}$/;
const PACK_RE = /^pack-[0-9a-f]{40}$/;

/** A ref name git would accept under `refs/` (the subset we store). */
export function isValidRefName(name: string): boolean {
  if (!name.startsWith('refs/') || name.endsWith('/') || name.endsWith('.lock') || name.endsWith('.')) return false;
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(name) || name.includes('..') || name.includes('//') || name.includes('@{')) return false;
  return name.split('/').every((part) => part.length > 0 && !part.startsWith('.'));
}

export function emptyState(defaultBranch: string): RepoState {
  return { version: 1, head: `refs/heads/${defaultBranch}`, refs: {}, packs: [] };
}

/** Parses and checks a stored state. @throws Error naming what is wrong */
export function parseState(text: string, key: string): RepoState {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`git state ${key} is not JSON: ${(err as Error).message}`);
  }
  const s = raw as Partial<RepoState>;
  if (!s || s.version !== 1 || typeof s.head !== 'string' || !s.refs || typeof s.refs !== 'object' || !Array.isArray(s.packs)) {
    throw new Error(`git state ${key} is malformed`);
  }
  for (const [name, oid] of Object.entries(s.refs)) {
    if (!isValidRefName(name) || typeof oid !== 'string' || !OID_RE.test(oid)) throw new Error(`git state ${key} has a bad ref ${JSON.stringify(name)}`);
  }
  for (const p of s.packs) if (typeof p !== 'string' || !PACK_RE.test(p)) throw new Error(`git state ${key} has a bad pack name ${JSON.stringify(p)}`);
  if (!isValidRefName(s.head)) throw new Error(`git state ${key} has a bad HEAD ${JSON.stringify(s.head)}`);
  return s as RepoState;
}

export function isOid(value: string): boolean {
  return OID_RE.test(value);
}

export function isPackName(value: string): boolean {
  return PACK_RE.test(value);
}
