import { describe, expect, it } from 'vitest';
import { renderScreen, splitCommandLine, startupArgv, visibleOutput } from '../src/index.js';

describe('startup command and screen text', () => {
  it('splits a command line as a POSIX shell does', () => {
    expect(splitCommandLine(`python -m hypha.workers.conda --token "a b" --x 'c "d"' e\\ f`)).toEqual(['python', '-m', 'hypha.workers.conda', '--token', 'a b', '--x', 'c "d"', 'e f']);
    expect(splitCommandLine('  ')).toEqual([]);
    expect(splitCommandLine(`a ""`)).toEqual(['a', '']);
    expect(() => splitCommandLine('echo "x')).toThrow('Unterminated double quote in startup_command: echo "x');
    expect(startupArgv(undefined)).toEqual(['/bin/bash']);
    expect(() => startupArgv('')).toThrow('startup_command is empty');
  });

  it('renders output without escapes and extracts what a command printed', () => {
    expect(renderScreen('\x1b]0;title\x07ab\x1b[31mc\x1b[0m\r\nxy\bz\r\n100%\r 50%')).toBe('abc\nxz\n 50%');
    const raw = 'echo hi\r\n\x1b[?2004l\rhi\r\n\x1b[?2004hroot@vm:/tmp# ';
    expect(visibleOutput(raw, 'echo hi')).toBe('hi');
  });
});
