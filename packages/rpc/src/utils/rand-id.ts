/** Random id in the reference's shape: base36 random part + millisecond timestamp; never contains `.`. */
export function randId(): string {
  return Math.random().toString(36).slice(2, 12) + Date.now();
}
