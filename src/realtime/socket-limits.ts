// What one socket may send: every client event spends from a token bucket (sync, which reads the database, costs
// more); typing is relayed at most once per window per chat; a socket that keeps sending far past its budget is cut.
// One client — visitor tokens are free to mint — must never make the node busy for everyone else.
import { TokenBucket } from '../modules/limits/token-bucket.js';

export interface SocketLimits {
  /** Sustained client events per second (the bucket refills at this rate; it holds three seconds' worth). */
  eventsPerSecond: number;
  /** Every socket's access is checked again this often (changes no node announced). */
  recheckEveryMs: number;
  /** Handshakes with a wrong or revoked credential one address may make per minute before its handshakes are
   * refused without a database lookup, until a minute without failures has passed. */
  failedHandshakesPerMinute: number;
  /** Sockets one client (a visitor, a signed-in user, an API token) may hold open on this node at once. */
  socketsPerClient: number;
}

/** Tokens one `sync` costs: it reads up to 500 messages. */
export const SYNC_COST = 5;
/** A chat's typing is relayed at most once per this window, per socket (the front ends send one every 2 s and show
 * it for 4 s: a little less than their pace, so network jitter never swallows one). */
export const TYPING_EVERY_MS = 1500;
const DROP_WINDOW_MS = 10_000;

export type Verdict = 'ok' | 'drop' | 'cut';

/** One socket's budget. `now` is injectable for unit tests. */
export function eventBudget(limits: Pick<SocketLimits, 'eventsPerSecond'>, now: () => number = Date.now) {
  const start = now();
  const bucket = new TokenBucket(limits.eventsPerSecond * 3, limits.eventsPerSecond / 1000, start);
  // Dropped events within one window before the socket is cut: a flood, not a client that is merely eager.
  const cutAfterDrops = limits.eventsPerSecond * 100;
  let dropWindowStart = start;
  let drops = 0;
  const typingRelayedAt = new Map<string, number>();
  return {
    spend(cost = 1): Verdict {
      const t = now();
      if (bucket.take(t, cost)) return 'ok';
      if (t - dropWindowStart > DROP_WINDOW_MS) {
        dropWindowStart = t;
        drops = 0;
      }
      drops += 1;
      return drops > cutAfterDrops ? 'cut' : 'drop';
    },
    /** Whether this typing signal is relayed (the first of a window) or folded into the one already sent. */
    relayTyping(chatId: string): boolean {
      const t = now();
      const previous = typingRelayedAt.get(chatId);
      if (previous !== undefined && t - previous < TYPING_EVERY_MS) return false;
      if (typingRelayedAt.size >= 100) typingRelayedAt.clear();
      typingRelayedAt.set(chatId, t);
      return true;
    },
  };
}

/**
 * Failed handshakes by client address: each costs a credential lookup, and tokens can be guessed or replayed in a
 * loop. Past the limit an address is refused at once (RATE_LIMITED) for a minute from the failure that reached it.
 * Refused tries do not prolong it: they cost no lookup, and they are mostly good clients reconnecting (every few
 * seconds) from the same address — counting them kept an office or a proxy locked out for as long as anyone there had
 * the console open. Good handshakes are not counted (many visitors may share one address: an office, a mobile
 * carrier). Bounded memory: the oldest addresses go first.
 */
export function handshakeGuard(perMinute: number, now: () => number = Date.now, maxAddresses = 10_000) {
  const WINDOW_MS = 60_000;
  const seen = new Map<string, { count: number; since: number }>();
  const entry = (address: string) => {
    const e = seen.get(address);
    if (e && now() - e.since > WINDOW_MS) {
      seen.delete(address);
      return undefined;
    }
    return e;
  };
  return {
    /** Whether the address may try a handshake now. */
    allowed(address: string): boolean {
      const e = entry(address);
      return !e || e.count < perMinute;
    },
    failed(address: string): void {
      const e = entry(address);
      if (e) {
        if (e.count >= perMinute) return; // already locked: the minute runs from the failure that locked it
        e.count += 1;
        if (e.count >= perMinute) e.since = now();
        return;
      }
      if (seen.size >= maxAddresses) seen.delete(seen.keys().next().value!);
      seen.set(address, { count: 1, since: now() });
    },
  };
}

/**
 * Open sockets per client on this node: a visitor token costs nothing to mint but each socket holds memory and a
 * share of every broadcast, so one client opening hundreds is refused (RATE_LIMITED) past `max`. Tabs of one person
 * share the count.
 */
export function clientSockets(max: number) {
  const open = new Map<string, number>();
  return {
    /** Whether the client has room for one more (checked at the handshake, before the socket is made). */
    hasRoom: (client: string) => (open.get(client) ?? 0) < max,
    /** Counts a connected socket; false (and not counted) when the client is already at `max`. */
    take(client: string): boolean {
      const n = open.get(client) ?? 0;
      if (n >= max) return false;
      open.set(client, n + 1);
      return true;
    },
    release(client: string) {
      const n = (open.get(client) ?? 1) - 1;
      if (n <= 0) open.delete(client);
      else open.set(client, n);
    },
  };
}
