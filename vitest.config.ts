import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// One vitest project per workspace package that has a test/ folder.
const roots = ['packages', 'packages/workers', 'apps'];
const dirs = roots
  .flatMap((root) =>
    existsSync(root) ? readdirSync(root).map((d) => join(root, d)) : [],
  )
  .concat(['e2e', 'bench'])
  .filter((d) => existsSync(join(d, 'package.json')) && existsSync(join(d, 'test')));

export default defineConfig({
  resolve: { conditions: ['@hypha/source', 'node', 'default'] },
  ssr: { resolve: { conditions: ['@hypha/source', 'node', 'default'] } },
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    projects: dirs.map((dir) => ({
      extends: true,
      test: {
        name: dir.split('/').pop()!,
        root: dir,
        include: ['test/**/*.test.ts'],
      },
    })),
  },
});
