// The Redis link between nodes (REDIS_URL): the Socket.IO Redis adapter's two clients, made safe for outages.
// A publish while Redis is down fails at once and is logged, never thrown into the code that emitted (the adapter
// does not await its publishes, so a rejection would otherwise kill the process). Messages published while the link
// was down are lost to other nodes; when it comes back, onRecovered fires so the caller can make its clients catch up.
import { Redis } from 'ioredis';
import type { Logger } from 'pino';

export interface RedisLink {
  pub: Redis;
  sub: Redis;
  /** Both clients connected (readiness). */
  ready(): boolean;
  close(): Promise<void>;
}

export async function connectRedisLink(
  redisUrl: string,
  log: Logger,
  onRecovered: (info: { publishesLost: number }) => void,
): Promise<RedisLink> {
  // No offline queue on the publisher: a publish during an outage fails now instead of piling up in memory.
  // At start-up a Redis that does not answer is a configuration problem to report now (no retries); once
  // connected, an outage is retried for as long as it lasts.
  const noRetry = () => null;
  // Auto-pipelining: the publishes made in one turn of the event loop (a message goes to the chat's visitor and to
  // the workspace's agents) leave in one write: on a busy node each write to another process is what costs most.
  const pub = new Redis(redisUrl, {
    enableAutoPipelining: true,
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    retryStrategy: noRetry,
  });
  const sub = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: noRetry });
  let publishesLost = 0;
  let wasDown = false;
  let closing = false;
  for (const client of [pub, sub]) {
    // ioredis reconnects by itself; without a listener every outage would print an "unhandled error event".
    client.on('error', (err) => log.warn({ err: err.message }, 'redis connection problem'));
    client.on('close', () => {
      if (!closing) wasDown = true;
    });
  }
  const publish = pub.publish.bind(pub) as (channel: string, message: string | Buffer) => Promise<number>;
  (pub as unknown as { publish: typeof publish }).publish = (channel, message) =>
    publish(channel, message).catch((err: Error) => {
      publishesLost += 1;
      if (publishesLost === 1 || publishesLost % 100 === 0)
        log.error({ err: err.message, publishesLost }, 'redis is down: an event did not reach the other nodes');
      return 0;
    });
  // The adapter unsubscribes on close without handling the answer: with the link down (or closing) the rejection
  // would be unhandled. Leaving a channel on a dead connection has nothing left to undo.
  for (const method of ['unsubscribe', 'punsubscribe'] as const) {
    const original = sub[method].bind(sub) as (...channels: string[]) => Promise<unknown>;
    (sub as unknown as Record<string, unknown>)[method] = (...channels: string[]) =>
      original(...channels).catch((err: Error) => log.debug({ err: err.message, method }, 'redis unsubscribe failed'));
  }
  const maybeRecovered = () => {
    if (!wasDown || closing || pub.status !== 'ready' || sub.status !== 'ready') return;
    wasDown = false;
    const lost = publishesLost;
    publishesLost = 0;
    // ioredis resubscribes on reconnect; a round trip on the subscriber confirms it before clients reconnect.
    void sub
      .ping()
      .catch(() => {})
      .then(() => onRecovered({ publishesLost: lost }));
  };
  pub.on('ready', maybeRecovered);
  sub.on('ready', maybeRecovered);
  try {
    await Promise.all([pub.connect(), sub.connect()]);
  } catch (err) {
    pub.disconnect();
    sub.disconnect();
    throw Object.assign(new Error(`REDIS_URL: cannot connect to Redis (${(err as Error).message})`), {
      variable: 'REDIS_URL',
    });
  }
  wasDown = false;
  for (const client of [pub, sub]) client.options.retryStrategy = (times) => Math.min(100 * times, 2000);
  return {
    pub,
    sub,
    ready: () => pub.status === 'ready' && sub.status === 'ready',
    async close() {
      closing = true;
      await Promise.all([pub, sub].map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}
