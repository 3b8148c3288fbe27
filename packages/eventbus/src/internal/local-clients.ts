import { EventBusError } from '../errors.js';

/** Split `<ws>/<client>` at the first `/`, with a clear error when the id is malformed. */
export function splitClientId(id: string): { workspace: string; client: string } {
  const slash = id.indexOf('/');
  if (slash <= 0 || slash === id.length - 1) {
    throw new EventBusError(
      'INVALID_ARGUMENT',
      `Invalid client id '${id}': expected '<workspace>/<client>' (workspace may be '*')`,
    );
  }
  return { workspace: id.slice(0, slash), client: id.slice(slash + 1) };
}

/**
 * The clients held by one bus instance. `*` as workspace (the manager, `*\/manager-<sid>`)
 * matches the client in any workspace.
 */
export class LocalClients {
  readonly #exact = new Set<string>();
  readonly #anyWorkspace = new Set<string>();

  add(id: string): void {
    const { workspace, client } = splitClientId(id);
    if (workspace === '*') this.#anyWorkspace.add(client);
    else this.#exact.add(id);
  }

  /** Returns true when the id was registered. */
  delete(id: string): boolean {
    const { workspace, client } = splitClientId(id);
    return workspace === '*' ? this.#anyWorkspace.delete(client) : this.#exact.delete(id);
  }

  has(id: string): boolean {
    return this.ownerOf(id) !== undefined;
  }

  /** The registered id that makes `id` local (itself, or `*\/<client>`), if any. */
  ownerOf(id: string): string | undefined {
    if (this.#exact.has(id)) return id;
    const slash = id.indexOf('/');
    if (slash <= 0) return undefined;
    const client = id.slice(slash + 1);
    return this.#anyWorkspace.has(client) ? `*/${client}` : undefined;
  }

  ids(): string[] {
    return [...this.#exact, ...[...this.#anyWorkspace].map((c) => `*/${c}`)];
  }

  clear(): void {
    this.#exact.clear();
    this.#anyWorkspace.clear();
  }
}

/**
 * The target client of a targeted event `<ws>/<client>:msg`, or undefined for broadcasts
 * (`<ws>/*:msg`) and every other event name (same rule as the reference).
 */
export function targetOf(event: string): string | undefined {
  if (!event.endsWith(':msg') || !event.includes('/') || event.endsWith('/*:msg')) return undefined;
  return event.slice(0, -4);
}
