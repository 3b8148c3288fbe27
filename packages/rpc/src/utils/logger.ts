/** Minimal logger contract; `console` satisfies it. */
export interface Logger {
  debug(message: string, ...details: unknown[]): void;
  info(message: string, ...details: unknown[]): void;
  warn(message: string, ...details: unknown[]): void;
  error(message: string, ...details: unknown[]): void;
}

const noop = (): void => {};

/** Drops everything (`silent: true` or `logger: null`). */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };

/** Default: quiet on success; warnings and errors go to the console with an `[hypha-rpc]` tag. */
export const defaultLogger: Logger = {
  debug: noop,
  info: noop,
  warn: (message, ...details) => console.warn(`[hypha-rpc] ${message}`, ...details),
  error: (message, ...details) => console.error(`[hypha-rpc] ${message}`, ...details),
};
