/**
 * The one error the workspace package adds to the typed errors of `@hypha/service` (which it
 * throws everywhere else).
 */

/** A routing failure for one frame (forged sender, dead target, forbidden broadcast). */
export class RoutingError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RoutingError';
  }
}
