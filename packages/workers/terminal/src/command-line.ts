/**
 * The startup command of a terminal session: a string split the way a POSIX shell splits words
 * (quotes and backslashes), or an argv array; and the executable looked up on PATH before the
 * pty is spawned, because a pty reports a missing program only as output of the forked child.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

export class CommandLineError extends Error {}

/** Splits a command line into words; `'...'`, `"..."` and `\x` quote as in a POSIX shell. */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new CommandLineError(`Unterminated single quote in startup_command: ${line}`);
      word += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      for (;;) {
        if (i >= line.length) throw new CommandLineError(`Unterminated double quote in startup_command: ${line}`);
        const d = line[i]!;
        if (d === '"') break;
        if (d === '\\' && i + 1 < line.length && '"\\$`\n'.includes(line[i + 1]!)) {
          word += line[i + 1];
          i += 2;
        } else {
          word += d;
          i++;
        }
      }
      inWord = true;
      i++;
    } else if (c === '\\') {
      if (i + 1 >= line.length) throw new CommandLineError(`Trailing backslash in startup_command: ${line}`);
      word += line[i + 1];
      inWord = true;
      i += 2;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** The argv of a manifest's `startup_command` (default `/bin/bash`). */
export function startupArgv(command: unknown): string[] {
  if (command == null) return ['/bin/bash'];
  let argv: string[];
  if (typeof command === 'string') argv = splitCommandLine(command);
  else if (Array.isArray(command) && command.every((a) => typeof a === 'string')) argv = command as string[];
  else throw new CommandLineError('startup_command must be a string or an array of strings');
  if (argv.length === 0 || !argv[0]) throw new CommandLineError('startup_command is empty');
  return argv;
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The path of an executable: as given when it has a slash, else the first match on PATH. */
export function resolveExecutable(name: string, cwd: string, pathVar: string): string {
  if (name.includes('/')) {
    const full = isAbsolute(name) ? name : resolve(cwd, name);
    if (isExecutableFile(full)) return full;
    throw new CommandLineError(`${name}: no such executable file`);
  }
  for (const dir of pathVar.split(delimiter)) {
    if (!dir) continue;
    const full = join(dir, name);
    if (isExecutableFile(full)) return full;
  }
  throw new CommandLineError(`${name}: command not found on PATH`);
}
