// The tus locker across nodes: one Redis key per upload (SET NX with a TTL the holder keeps extending), so two nodes
// never write one upload at once. A request that finds the lock taken publishes a release request; the node holding
// it asks its request to let go (tus then ends that PATCH, typically a client that already reconnected elsewhere).
import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import { ERRORS, type Lock, type Locker, type RequestRelease } from '@tus/server';
import { AppError } from '../../errors.js';

const KEY = (id: string) => `parley:tus:lock:${id}`;
const CHANNEL = 'parley:tus:release';
const TTL_MS = 30_000;
const ACQUIRE_TIMEOUT_MS = 30_000;
const RETRY_MS = 100;

/** Redis down while a request wants an upload's lock: the server's fault, retry later (not a 500). */
const lockUnavailable = (cause: unknown) =>
  new AppError(
    'UNAVAILABLE',
    'Uploads cannot be locked right now (Redis is unavailable); retry shortly',
    { retryAfterSeconds: 1 },
    { cause },
  );

/** Deletes or extends the key only while it still holds our token (a lapsed lock may belong to someone else now). */
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const EXTEND = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

export class RedisLocker implements Locker {
  readonly client: Redis;
  private readonly subscriber: Redis;
  /** Locks held by requests of this node, with their release callbacks. */
  readonly held = new Map<string, RequestRelease>();

  constructor(redisUrl: string) {
    this.client = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
    this.subscriber = new Redis(redisUrl);
    this.client.on('error', () => {}); // a failed command rejects where it is used
    this.subscriber.on('error', () => {});
    void this.subscriber.subscribe(CHANNEL).catch(() => {});
    this.subscriber.on('message', (_channel, id: string) => void this.held.get(id)?.());
  }

  newLock(id: string): Lock {
    return new RedisLock(this, id);
  }

  async close(): Promise<void> {
    this.subscriber.disconnect();
    this.client.disconnect();
  }
}

class RedisLock implements Lock {
  private readonly token = crypto.randomBytes(12).toString('hex');
  private heartbeat?: NodeJS.Timeout;

  constructor(
    private readonly locker: RedisLocker,
    private readonly id: string,
  ) {}

  async lock(signal: AbortSignal, requestRelease: RequestRelease): Promise<void> {
    const { client } = this.locker;
    const deadline = Date.now() + ACQUIRE_TIMEOUT_MS;
    let asked = 0;
    while (!signal.aborted && Date.now() < deadline) {
      const taken = await client.set(KEY(this.id), this.token, 'PX', TTL_MS, 'NX').catch((err: unknown) => {
        throw lockUnavailable(err);
      });
      if (taken === 'OK') {
        this.locker.held.set(this.id, requestRelease);
        this.heartbeat = setInterval(
          () => void client.eval(EXTEND, 1, KEY(this.id), this.token, TTL_MS).catch(() => {}),
          TTL_MS / 3,
        );
        return;
      }
      if (Date.now() - asked > 500) {
        asked = Date.now();
        await client.publish(CHANNEL, this.id).catch((err: unknown) => {
          throw lockUnavailable(err);
        });
      }
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
    throw ERRORS.ERR_LOCK_TIMEOUT;
  }

  async unlock(): Promise<void> {
    clearInterval(this.heartbeat);
    if (this.locker.held.get(this.id)) this.locker.held.delete(this.id);
    // Redis down at this point must not fail a request whose bytes are already written (a final PATCH would lose
    // its commit): the key lapses by itself within TTL_MS.
    await this.locker.client.eval(RELEASE, 1, KEY(this.id), this.token).catch(() => {});
  }
}
