import { defaultLogger, silentLogger, type Logger } from '../utils/logger.js';

export type { Logger };

/** `null` means silent, `undefined` the quiet default (warnings and errors only). */
export function resolveLogger(logger: Logger | null | undefined): Logger {
  if (logger === null) return silentLogger;
  return logger ?? defaultLogger;
}

/** A loggable string for an unknown thrown value. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
