/**
 * Where queued tasks live. A queue is addressed by its full key (`<workspace>:q:<name>`, the
 * reference's Redis list key); tasks are JSON strings. Every backend keeps the same order: tasks
 * come out in the order they were pushed (FIFO), and a task given back (`nack`, or a reservation
 * whose visibility timeout ran out) is the next one out.
 */

/** A task handed out by `reserve`: it stays owned by the consumer until `ack`, `nack` or expiry. */
export interface Reservation {
  id: string;
  payload: string;
}

export interface QueueBackend {
  /** Appends a task. */
  push(key: string, payload: string): Promise<void>;
  /**
   * Takes the next task; waits up to `timeoutSeconds` for one (0: does not wait).
   * @returns the task, or null when none came in time.
   */
  pop(key: string, timeoutSeconds: number): Promise<string | null>;
  /** The number of tasks waiting (reserved ones are not counted). */
  length(key: string): Promise<number>;
  /** The next `n` tasks in pop order, left in place. */
  peek(key: string, n: number): Promise<string[]>;
  /**
   * Takes the next task like `pop`, but keeps it reserved for `visibilitySeconds`: unless it is
   * acknowledged in that time it goes back to the head of the queue and is delivered again.
   */
  reserve(key: string, timeoutSeconds: number, visibilitySeconds: number): Promise<Reservation | null>;
  /** Completes a reservation. @returns false when it is unknown or already expired. */
  ack(key: string, id: string): Promise<boolean>;
  /** Gives a reserved task back at once (next out). @returns false when unknown or expired. */
  nack(key: string, id: string): Promise<boolean>;
  close(): Promise<void>;
}
