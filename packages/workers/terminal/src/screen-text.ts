/**
 * Terminal output as text: escape sequences and control codes removed, carriage-return
 * overwrites and backspaces applied, and, for `execute`, the command's echo and the prompt after
 * it dropped so that only what the command printed remains.
 */

// CSI (ESC [ ... final), OSC (ESC ] ... BEL or ESC \), charset selection, and two-byte escapes.
const CSI = /\x1b\[[0-?]*[ -/]*[@-~]/g;
const OSC = /\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?/g;
const CHARSET = /\x1b[()*+][0-9A-Za-z]/g;
const ESC2 = /\x1b[@-Z\\-_=>78]/g;
// C0 controls other than BS, TAB, LF, CR; and DEL.
const CONTROL = /[\x00-\x07\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f]/g;

/** Removes escape sequences and control codes (keeps \b, \t, \n, \r for {@link renderScreen}). */
export function stripTerminalCodes(text: string): string {
  return text.replace(OSC, '').replace(CSI, '').replace(CHARSET, '').replace(ESC2, '').replace(/\x1b/g, '').replace(CONTROL, '');
}

/** One line as it shows: `\r` returns to the line start and overwrites, `\b` steps back. */
function renderLine(line: string): string {
  const cells: string[] = [];
  let col = 0;
  for (const ch of line) {
    if (ch === '\r') col = 0;
    else if (ch === '\b') col = Math.max(0, col - 1);
    else {
      cells[col] = ch;
      col++;
    }
  }
  return Array.from(cells, (c) => c ?? ' ').join('');
}

/** The plain text a terminal shows for this output (what a select-and-copy would give). */
export function renderScreen(raw: string): string {
  return stripTerminalCodes(raw).split('\n').map(renderLine).join('\n');
}

const PROMPT_END = /(?:[$#%>]|>>>)\s*$/;

/** True when a line looks like a shell or REPL prompt (`user@host:~$ `, `# `, `>>> `). */
export function looksLikePrompt(line: string): boolean {
  return line.trim() !== '' && PROMPT_END.test(line);
}

/**
 * What a command printed: everything up to and including the line that echoes the command's last
 * line (a banner printed before it, a prompt, the echo) and the trailing prompts removed.
 */
export function visibleOutput(raw: string, command?: string): string {
  let lines = renderScreen(raw).split('\n');
  const echo = command?.trim().split('\n').pop()?.trim();
  const at = echo ? lines.findIndex((l) => l.includes(echo)) : -1;
  if (at >= 0) lines = lines.slice(at + 1);
  while (lines.length && (lines[lines.length - 1]!.trim() === '' || looksLikePrompt(lines[lines.length - 1]!))) lines.pop();
  while (lines.length && lines[0]!.trim() === '') lines.shift();
  return lines.join('\n').trim();
}

/** Output safe for xterm.js: printable text, the escapes it parses, and no stray control codes. */
export function filterForXterm(text: string): string {
  return text.replace(/[\x00-\x06\x0e-\x1a\x1c-\x1f\x7f]/g, '');
}
