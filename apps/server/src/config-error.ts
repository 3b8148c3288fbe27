/** A flag or environment value the server cannot use; the CLI prints its message on one line. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}
