/**
 * `--startup-functions PATH_OR_PACKAGE:export` (server-api §6.8): each entry names an ES module
 * (a file path, or a package resolved from the working directory) and an exported async function.
 * At boot every function is awaited in order with the `server` object of a client connected to the
 * `public` workspace as root, plus the auth hooks (see {@link startupServerApi}). A module that
 * cannot be loaded, a missing export or a function that throws stops the boot.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export class StartupFunctionError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StartupFunctionError';
  }
}

export interface StartupSpec {
  /** What was given, for messages. */
  spec: string;
  module: string;
  exportName: string;
}

/** Splits `module:export` at the last colon (module paths may hold colons, export names cannot). */
export function parseStartupSpec(spec: string): StartupSpec {
  const colon = spec.lastIndexOf(':');
  const exportName = spec.slice(colon + 1);
  if (colon <= 0 || !/^[A-Za-z_$][\w$]*$/.test(exportName)) {
    throw new StartupFunctionError(`Invalid startup function ${JSON.stringify(spec)}: expected PATH_OR_PACKAGE:exportName`);
  }
  return { spec, module: spec.slice(0, colon), exportName };
}

/** A file URL for paths (absolute, `./x`, or an existing file), else the resolved package entry. */
function moduleUrl(module: string, cwd: string): string {
  const looksLikePath = isAbsolute(module) || module.startsWith('.') || /\.(m?js|cjs|ts|mts)$/.test(module);
  if (looksLikePath || existsSync(resolve(cwd, module))) {
    const file = resolve(cwd, module);
    if (!existsSync(file)) throw new StartupFunctionError(`Startup module not found: ${file}`);
    return pathToFileURL(file).href;
  }
  try {
    return pathToFileURL(createRequire(join(cwd, 'package.json')).resolve(module)).href;
  } catch {
    // ESM-only packages have no `require` condition: let import() resolve the bare name.
    return module;
  }
}

export type StartupFunction = (server: Record<string, unknown>) => unknown;

/** Loads the function of one entry. @throws StartupFunctionError when the module or export is missing */
export async function loadStartupFunction(spec: StartupSpec, cwd = process.cwd()): Promise<StartupFunction> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(moduleUrl(spec.module, cwd))) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof StartupFunctionError) throw err;
    throw new StartupFunctionError(`Cannot load startup module ${spec.module}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const fn = mod[spec.exportName];
  if (typeof fn !== 'function') {
    const found = Object.keys(mod).filter((k) => typeof mod[k] === 'function');
    throw new StartupFunctionError(
      `Startup function ${spec.exportName} not found in ${spec.module} (exported functions: ${found.length ? found.join(', ') : 'none'})`,
    );
  }
  return fn as StartupFunction;
}

/** Loads every entry first (so a typo fails before anything runs), then awaits them in order. */
export async function runStartupFunctions(specs: string[], server: () => Promise<Record<string, unknown>>, cwd = process.cwd()): Promise<void> {
  const parsed = specs.map(parseStartupSpec);
  const fns: StartupFunction[] = [];
  for (const spec of parsed) fns.push(await loadStartupFunction(spec, cwd));
  if (fns.length === 0) return;
  const api = await server();
  for (const [i, fn] of fns.entries()) {
    try {
      await fn(api);
    } catch (err) {
      throw new StartupFunctionError(`Startup function ${parsed[i]!.spec} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
}
