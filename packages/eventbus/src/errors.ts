/** Codes of errors raised by event bus implementations (never sent over the wire). */
export type EventBusErrorCode =
  | 'CIRCUIT_OPEN'
  | 'BACKEND_UNAVAILABLE'
  | 'CLOSED'
  | 'INVALID_ARGUMENT'
  | 'HANDLER_FAILED';

/** Base class for every error raised by `@hypha/eventbus`. */
export class EventBusError extends Error {
  readonly code: EventBusErrorCode;

  constructor(code: EventBusErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'EventBusError';
    this.code = code;
  }
}

/**
 * Raised without touching the backend while the circuit breaker is open (too many consecutive
 * backend failures). `cause` holds the last backend error.
 */
export class CircuitOpenError extends EventBusError {
  constructor(message: string, options?: ErrorOptions) {
    super('CIRCUIT_OPEN', message, options);
    this.name = 'CircuitOpenError';
  }
}

/** True for any error raised by this package (works across bundles: checks the name and code). */
export function isEventBusError(err: unknown): err is EventBusError {
  return (
    err instanceof EventBusError ||
    (err instanceof Error &&
      typeof (err as { code?: unknown }).code === 'string' &&
      (err.name === 'EventBusError' || err.name === 'CircuitOpenError'))
  );
}

/** True when the error comes from an open circuit breaker. */
export function isCircuitOpenError(err: unknown): err is CircuitOpenError {
  return isEventBusError(err) && err.code === 'CIRCUIT_OPEN';
}
