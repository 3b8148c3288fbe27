/** The server package's version, read from its package.json (found from sources and from the bundle). */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function serverVersion(from: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(from));
  for (let i = 0; i < 6; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === '@hypha/server' && pkg.version) return pkg.version;
    }
    dir = dirname(dir);
  }
  throw new Error('hypha-server: cannot find the package.json of @hypha/server');
}
