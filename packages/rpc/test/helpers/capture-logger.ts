import type { Logger } from '../../src/index.js';

/** A logger that records entries (and prints nothing). */
export function captureLogger() {
  const entries: Array<{ level: string; message: string }> = [];
  const log = (level: string) => (message: string) => {
    entries.push({ level, message });
  };
  const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  return {
    logger,
    entries,
    messages: (level: string) => entries.filter((e) => e.level === level).map((e) => e.message),
  };
}
