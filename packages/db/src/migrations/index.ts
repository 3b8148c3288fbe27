import type { Migration } from 'kysely';
import { artifactsMigration } from './0001-artifacts.js';

/**
 * Every migration, by name. Names sort in the order they must run; never rename or edit a
 * migration that has shipped, add a new one instead.
 */
export const migrations: Readonly<Record<string, Migration>> = {
  '0001-artifacts': artifactsMigration,
};
