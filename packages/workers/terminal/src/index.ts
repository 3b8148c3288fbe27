export { TerminalWorker } from './terminal-worker.js';
export type { TerminalWorkerOptions, ExecuteConfig } from './terminal-worker.js';
export type { TerminalSessionInfo, TerminalSize } from './terminal-session.js';
export { splitCommandLine, startupArgv } from './command-line.js';
export { filterForXterm, looksLikePrompt, renderScreen, stripTerminalCodes, visibleOutput } from './screen-text.js';
export { ptyUnavailableReason } from './load-pty.js';
