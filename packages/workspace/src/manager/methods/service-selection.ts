/** Picking one of several matching services by `mode` (`get_service_info(config={mode})`). */
import { InvalidArgumentError } from '@hypha/service';
import { withTimeout } from '../workspace-manager.js';
import type { WorkspaceManager } from '../workspace-manager.js';

const pickRandom = (keys: string[]) => keys[Math.floor(Math.random() * keys.length)]!;

export async function selectKey(m: WorkspaceManager, keys: string[], mode: string, selectTimeout: number): Promise<string> {
  switch (mode) {
    case 'random':
      return pickRandom(keys);
    case 'first':
      return keys[0]!;
    case 'last':
      return keys[keys.length - 1]!;
    case 'min_load':
      // Load is not tracked per client; every candidate counts as equally loaded.
      return pickRandom(keys);
    case 'native:random': {
      const local = keys.filter((k) => {
        const p = m.registry.parse(k);
        return m.router.getLocal(`${p.workspace}/${p.clientId}`) !== undefined;
      });
      return pickRandom(local.length ? local : keys);
    }
    default:
      if (mode.startsWith('select:')) return selectByFunction(m, keys, mode, selectTimeout);
      throw new InvalidArgumentError(
        `Invalid mode: ${mode}. Mode must be 'random', 'first', 'last', 'exact', 'min_load', 'native:random', or 'select:criteria:function' format (e.g., 'select:min:get_load')`,
      );
  }
}

/** `select:<criteria>:<function>`: calls `<function>()` on every candidate and compares the answers. */
async function selectByFunction(m: WorkspaceManager, keys: string[], mode: string, selectTimeout: number): Promise<string> {
  const parts = mode.split(':');
  if (parts.length !== 3) {
    throw new InvalidArgumentError(`Invalid select mode format: ${mode}. Expected 'select:criteria:function'`);
  }
  const [, criteria, fnName] = parts as [string, string, string];
  if (!['min', 'max', 'first_success'].includes(criteria)) {
    throw new InvalidArgumentError(`Invalid selection criteria: ${criteria} (expected min, max or first_success)`);
  }
  const peer = m.requirePeer();
  const results = await Promise.all(
    keys.map(async (key) => {
      const p = m.registry.parse(key);
      try {
        const svc = await peer.getRemoteService(`${p.workspace}/${p.clientId}:${p.serviceId}`, { timeout: selectTimeout });
        const fn = svc?.[fnName];
        if (typeof fn !== 'function') return null;
        const value = await withTimeout(fn(), selectTimeout * 1000);
        return { key, value };
      } catch (err) {
        // A candidate that cannot answer is not selectable; the others still are. Say which.
        m.router.onError(`select:${fnName} skipped ${key}: it did not answer`, err);
        return null;
      }
    }),
  );
  const ok = results.filter((r): r is { key: string; value: unknown } => r !== null);
  if (ok.length === 0) throw new Error(`No service responded to ${fnName} for selection mode ${mode}`);
  if (criteria === 'first_success') return ok[0]!.key;
  const numeric = ok.filter((r) => typeof r.value === 'number') as Array<{ key: string; value: number }>;
  if (numeric.length === 0) throw new Error(`Selection function ${fnName} returned no numeric values`);
  numeric.sort((a, b) => a.value - b.value);
  return criteria === 'min' ? numeric[0]!.key : numeric[numeric.length - 1]!.key;
}
