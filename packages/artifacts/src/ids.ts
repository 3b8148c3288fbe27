/** Artifact ids, aliases and file paths: parsing and validation. */
import { randomBytes, randomUUID } from 'node:crypto';
import { invalid } from './errors.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ALIAS_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const WORKSPACE_RE = /^[A-Za-z0-9\-_|]+$/;

/** Where an `artifact_id` points: a row id, or a workspace and alias. */
export type ArtifactRef = { uuid: string } | { workspace: string; alias: string };

export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}

/** Parses `ws/alias`, a bare alias (in `contextWorkspace`) or a UUID. */
export function parseArtifactId(artifactId: unknown, contextWorkspace: string, what = 'artifact_id'): ArtifactRef {
  if (typeof artifactId !== 'string' || artifactId.trim() === '') throw invalid(`${what} must be a non-empty string`);
  const id = artifactId.trim();
  if (isUuid(id)) return { uuid: id };
  const parts = id.split('/');
  if (parts.length > 2) throw invalid(`Invalid ${what} ${JSON.stringify(id)}: expected "workspace/alias", an alias or a UUID`);
  const [workspace, alias] = parts.length === 2 ? [parts[0]!, parts[1]!] : [contextWorkspace, parts[0]!];
  if (!WORKSPACE_RE.test(workspace)) throw invalid(`Invalid workspace in ${what}: ${JSON.stringify(workspace)}`);
  validateAlias(alias, what);
  return { workspace, alias };
}

/** The reference's bound on a user-chosen alias (it flows into URLs and storage paths). */
export const MAX_ALIAS_LENGTH = 64;
const RESERVED_ALIASES = ['-', '~', '_'];

/** The reference's checks on a requested alias (or template, before it is filled). */
export function checkNewAlias(alias: string): void {
  if (RESERVED_ALIASES.includes(alias)) {
    throw invalid(`Alias '${alias}' is reserved and cannot be used. Please choose a different alias.`);
  }
  if (alias.length > MAX_ALIAS_LENGTH) {
    throw invalid(`Alias is too long (${alias.length} characters); the maximum is ${MAX_ALIAS_LENGTH}. Please choose a shorter alias.`);
  }
}

/** A user-chosen alias of a new artifact: {@link checkNewAlias}, then {@link validateAlias}. */
export function validateNewAlias(alias: string): void {
  checkNewAlias(alias);
  validateAlias(alias);
}

export function validateAlias(alias: string, what = 'alias'): void {
  if (!ALIAS_RE.test(alias) || alias.length > 255) {
    throw invalid(`Invalid ${what} ${JSON.stringify(alias)}: use letters, digits, '.', '_' and '-' (at most 255 characters)`);
  }
  if (isUuid(alias)) throw invalid('Alias should be a human readable string, it cannot be a UUID.');
}

/** UUIDv7 (time-ordered), the reference's artifact id format. */
export function uuid7(): string {
  const bytes = randomBytes(16);
  const ms = BigInt(Date.now());
  for (let i = 0; i < 6; i++) bytes[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const ADJECTIVES = ['brave', 'calm', 'eager', 'fancy', 'gentle', 'happy', 'jolly', 'keen', 'lively', 'merry', 'nice', 'proud', 'quick', 'silly', 'witty', 'zesty'];
const NOUNS = ['ant', 'bear', 'cat', 'dog', 'eel', 'fox', 'goat', 'hawk', 'ibis', 'lynx', 'mole', 'newt', 'owl', 'pig', 'seal', 'wolf'];
const VERBS = ['jumps', 'runs', 'sings', 'swims', 'reads', 'walks', 'talks', 'dances', 'flies', 'hops', 'naps', 'plays'];
const ADVERBS = ['boldly', 'calmly', 'gladly', 'kindly', 'loudly', 'neatly', 'openly', 'quietly', 'rarely', 'softly', 'swiftly', 'wisely'];

const pick = <T>(list: readonly T[]): T => list[randomBytes(2).readUInt16BE(0) % list.length]!;

/** A human-readable alias (`adjective-noun-verb-adverb`) for artifacts created without one. */
export function readableAlias(): string {
  return `${pick(ADJECTIVES)}-${pick(NOUNS)}-${pick(VERBS)}-${pick(ADVERBS)}`;
}

const PLACEHOLDER_RE = /\{(\w+)\}/g;

export function isAliasTemplate(alias: string): boolean {
  return alias.includes('{') && alias.includes('}');
}

/**
 * Fills an alias template: `{uuid}`, `{timestamp}`, `{user_id}` and the parent's `id_parts`
 * names (a list means a random choice). Unknown placeholders are an error.
 */
export function fillAliasTemplate(template: string, parts: Record<string, unknown>): string {
  const out = template.replace(PLACEHOLDER_RE, (_m, name: string) => {
    const value = parts[name];
    if (Array.isArray(value)) {
      if (value.length === 0) throw invalid(`id_parts.${name} is an empty list`);
      return String(pick(value));
    }
    if (value === undefined || value === null) {
      if (name === 'uuid') return randomUUID();
      throw invalid(`Unknown alias placeholder {${name}} (known: uuid, timestamp, user_id, zenodo_id and zenodo_conceptrecid with config.publish_to, and the collection's id_parts)`);
    }
    return String(value);
  });
  return out;
}

/**
 * Checks a file path inside an artifact and returns it normalised (no leading `./`). Rejects
 * absolute paths, `..` and `.` segments, empty segments, backslashes and control characters.
 */
export function validateFilePath(path: unknown, what = 'file_path'): string {
  if (typeof path !== 'string' || path.length === 0) throw invalid(`${what} must be a non-empty string`);
  if (path.length > 900) throw invalid(`${what} is too long (at most 900 characters)`);
   
  if (/[\u0000-\u001f\u007f]/.test(path)) throw invalid(`${what} must not contain control characters`);
  if (path.includes('\\')) throw invalid(`${what} must use '/' separators, not backslashes: ${JSON.stringify(path)}`);
  const trimmed = path.startsWith('./') ? path.slice(2) : path;
  if (trimmed.startsWith('/')) throw invalid(`${what} must be relative, not absolute: ${JSON.stringify(path)}`);
  const segments = trimmed.split('/');
  for (const s of segments) {
    if (s === '..') throw invalid(`${what} must not contain '..' (path traversal): ${JSON.stringify(path)}`);
    if (s === '.' || s === '') throw invalid(`${what} must not contain empty or '.' segments: ${JSON.stringify(path)}`);
  }
  return trimmed;
}

/** A directory path for listings: `''` (the root) or a valid relative path; a trailing `/` is allowed. */
export function validateDirPath(path: unknown): string {
  if (path === undefined || path === null || path === '' || path === '/' || path === '.') return '';
  if (typeof path !== 'string') throw invalid('dir_path must be a string');
  return validateFilePath(path.replace(/\/+$/, ''), 'dir_path');
}
