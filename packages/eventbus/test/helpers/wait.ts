/** Poll `check` until it returns a value other than undefined/false, or fail after `timeoutMs`. */
export async function waitFor<T>(check: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Collects what a bus handler receives. */
export class Inbox<T = unknown> {
  readonly items: { data: T; event: string }[] = [];
  readonly handler = (data: T, event: string): void => {
    this.items.push({ data, event });
  };

  async next(count = 1, what = 'messages'): Promise<{ data: T; event: string }[]> {
    await waitFor(() => this.items.length >= count, `${count} ${what} (got ${this.items.length})`);
    return this.items.slice(0, count);
  }
}
