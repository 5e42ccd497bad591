// The Redis link between nodes: the events one turn of the event loop publishes (a message goes to the chat's
// visitor and to the workspace's agents) leave for Redis in one write, and every one of them arrives.
import pino from 'pino';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { connectRedisLink } from '../../src/realtime/redis-link.js';
import { eventually } from '../support/eventually.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('the Redis link', () => {
  it('sends the publishes of one turn in one write, and each arrives', async () => {
    const link = await connectRedisLink(REDIS_URL, pino({ level: 'silent' }), () => {});
    const listener = new Redis(REDIS_URL);
    try {
      const channel = `parley-test-link-${process.pid}-${Date.now()}`;
      const got: string[] = [];
      await listener.subscribe(channel);
      listener.on('message', (_channel, message) => got.push(message));
      const stream = (link.pub as unknown as { stream: { write: (...args: unknown[]) => boolean } }).stream;
      const write = stream.write.bind(stream);
      let writes = 0;
      stream.write = (...args: unknown[]) => {
        writes += 1;
        return write(...args);
      };
      await Promise.all([link.pub.publish(channel, 'to the visitor'), link.pub.publish(channel, 'to the agents')]);
      expect(writes).toBe(1);
      await eventually(() => expect(got).toEqual(['to the visitor', 'to the agents']));
    } finally {
      listener.disconnect();
      await link.close();
    }
  });
});
