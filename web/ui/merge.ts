// Merging message batches (initial load, refetch after reconnect, live events) without duplicates.
// A message seen again replaces the old copy: it may carry fresher file URLs or a deleted file.
import type { Message } from './types.js';

export function mergeMessages(current: Message[], incoming: Message[]): Message[] {
  if (incoming.length === 0) return current;
  const byId = new Map(current.map((m, i) => [m.id, i]));
  const next = current.slice();
  for (const m of incoming) {
    const at = byId.get(m.id);
    if (at === undefined) {
      byId.set(m.id, next.length);
      next.push(m);
    } else next[at] = m;
  }
  return next;
}
