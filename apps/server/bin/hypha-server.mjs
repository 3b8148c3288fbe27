#!/usr/bin/env node
// `hypha-server [flags]`: runs the bundled server (dist/start/main.js), building it first in a
// source checkout when it is missing or stale (scripts/start.mjs).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const launcher = join(root, 'scripts', 'start.mjs');
const bundle = join(root, 'dist', 'start', 'main.js');
await import(pathToFileURL(existsSync(launcher) ? launcher : bundle).href);
