// SHA-256 of a large file on a worker thread. On the event loop's thread the hash took 0.84 ms of the ~3.2 ms of
// main-thread CPU per MiB of a 1 GiB upload, and held it near 310 MB/s on a machine whose disk took 510 MB/s; with
// the hash here the same upload ran at 281–308 MB/s against 212–267 in interleaved pairs (without any hash at all,
// 375–424: the bound; issue 18, twenty-third session). Small files keep hashing inline: the hash is a small part of
// their cost, and the worker's round trip would come on top.
//
// The bytes are copied into BATCH_BYTES buffers that are transferred to the worker in order (the pipeline goes on
// writing the originals). Past MAX_IN_FLIGHT bytes not yet hashed, update() hands back a promise to wait on before
// the next chunk: the upload's stream waits for the worker, memory does not grow. One worker for the process, shared
// by every upload; it keeps one running hash per stream and forgets it at the digest or when the stream is dropped.
import crypto from 'node:crypto';
import { Worker } from 'node:worker_threads';

/** Requests (or files) of at least this many bytes are hashed off the event loop's thread. */
export const OFF_THREAD_MIN_BYTES = 8 * 1024 * 1024;
const BATCH_BYTES = 256 * 1024;
const MAX_IN_FLIGHT = 4 * 1024 * 1024;
/** Batch buffers kept for reuse (4 MiB, what one upload may have in flight): more at once are made and let go. */
const FREE_BUFFERS = 16;

// Run as a CommonJS script (eval), so that it needs no file of its own in dist/ or src/.
const WORKER = `
const { parentPort } = require('node:worker_threads');
const crypto = require('node:crypto');
const hashes = new Map();
parentPort.on('message', (m) => {
  if (m.op === 'update') {
    let hash = hashes.get(m.id);
    if (!hash) hashes.set(m.id, (hash = crypto.createHash('sha256')));
    hash.update(new Uint8Array(m.bytes, 0, m.length));
    // The buffer goes back to be filled again: no allocation (and no unmapping) per batch.
    parentPort.postMessage({ op: 'hashed', id: m.id, length: m.length, bytes: m.bytes }, [m.bytes]);
  } else if (m.op === 'digest') {
    const hash = hashes.get(m.id) ?? crypto.createHash('sha256');
    hashes.delete(m.id);
    parentPort.postMessage({ op: 'digest', id: m.id, hex: hash.digest('hex') });
  } else if (m.op === 'drop') {
    hashes.delete(m.id);
  } else if (m.op === 'held') {
    parentPort.postMessage({ op: 'held', id: m.id, count: hashes.size });
  }
});
`;

interface Waiter<T> {
  resolve(value: T): void;
  reject(err: Error): void;
}

interface StreamState {
  inFlight: number;
  caughtUp?: Waiter<void>;
  digest?: Waiter<string>;
}

type Reply =
  | { op: 'hashed'; id: number; length: number; bytes: ArrayBuffer }
  | { op: 'digest'; id: number; hex: string }
  | { op: 'held'; id: number; count: number };

class HashWorker {
  private readonly worker = new Worker(WORKER, { eval: true });
  private readonly streams = new Map<number, StreamState>();
  private readonly queries = new Map<number, Waiter<number>>();
  /** Batch buffers back from the worker, to be filled again. */
  private readonly free: ArrayBuffer[] = [];
  private nextId = 1;
  failed?: Error;

  constructor(onFailed: () => void) {
    // Never what keeps the process alive: a digest awaited belongs to a request, whose socket does that.
    this.worker.unref();
    this.worker.on('message', (m: Reply) => this.onReply(m));
    const fail = (err: Error) => {
      if (this.failed) return;
      this.failed = err;
      onFailed();
      for (const s of this.streams.values()) {
        s.caughtUp?.reject(err);
        s.digest?.reject(err);
      }
      for (const q of this.queries.values()) q.reject(err);
      this.streams.clear();
      this.queries.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`The hashing worker stopped (exit code ${code})`)));
  }

  buffer(): Uint8Array {
    return new Uint8Array(this.free.pop() ?? new ArrayBuffer(BATCH_BYTES));
  }

  open(): number {
    if (this.failed) throw this.failed;
    const id = this.nextId++;
    this.streams.set(id, { inFlight: 0 });
    return id;
  }

  send(id: number, bytes: ArrayBuffer, length: number): Promise<void> | undefined {
    if (this.failed) throw this.failed;
    const s = this.streams.get(id)!;
    s.inFlight += length;
    this.worker.postMessage({ op: 'update', id, bytes, length }, [bytes]);
    if (s.inFlight <= MAX_IN_FLIGHT) return undefined;
    return new Promise((resolve, reject) => {
      s.caughtUp = { resolve, reject };
    });
  }

  digest(id: number): Promise<string> {
    if (this.failed) return Promise.reject(this.failed);
    const s = this.streams.get(id)!;
    const hex = new Promise<string>((resolve, reject) => {
      s.digest = { resolve, reject };
    });
    this.worker.postMessage({ op: 'digest', id });
    return hex;
  }

  drop(id: number): void {
    if (this.failed || !this.streams.delete(id)) return;
    this.worker.postMessage({ op: 'drop', id });
  }

  /** How many running hashes the worker holds (tests: none is left behind). */
  held(): Promise<number> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    const count = new Promise<number>((resolve, reject) => this.queries.set(id, { resolve, reject }));
    this.worker.postMessage({ op: 'held', id });
    return count;
  }

  private onReply(m: Reply) {
    if (m.op === 'held') {
      this.queries.get(m.id)?.resolve(m.count);
      this.queries.delete(m.id);
      return;
    }
    if (m.op === 'hashed' && this.free.length < FREE_BUFFERS) this.free.push(m.bytes);
    const s = this.streams.get(m.id);
    if (!s) return; // dropped meanwhile
    if (m.op === 'hashed') {
      s.inFlight -= m.length;
      if (s.caughtUp && s.inFlight <= MAX_IN_FLIGHT / 2) {
        s.caughtUp.resolve();
        s.caughtUp = undefined;
      }
      return;
    }
    this.streams.delete(m.id);
    digestsOffThread++;
    s.digest?.resolve(m.hex);
  }
}

let shared: HashWorker | undefined;
let digestsOffThread = 0;
const hashWorker = (): HashWorker => {
  shared ??= new HashWorker(() => {
    shared = undefined; // the next stream starts a new worker
  });
  return shared;
};

/** Digests the worker has made so far in this process (tests: proof that a file was hashed off the thread). */
export const offThreadDigests = (): number => digestsOffThread;

/** Running hashes the worker holds now (0 when no worker runs). */
export const offThreadHashesHeld = (): Promise<number> => shared?.held() ?? Promise.resolve(0);

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** A running SHA-256 over a stream's chunks, wherever it is computed. */
export interface StreamSha256 {
  /** Takes `chunk`; a promise when the hash is behind: wait for it before the next chunk. */
  update(chunk: Uint8Array): Promise<void> | undefined;
  /** The hex digest of everything taken; the stream is done with. */
  digest(): Promise<string>;
  /** Forgets the stream (an upload refused or failed). */
  drop(): void;
}

/** On the calling thread: never behind, its digest at once. */
export class InlineSha256 implements StreamSha256 {
  private readonly hash = crypto.createHash('sha256');

  update(chunk: Uint8Array): undefined {
    this.hash.update(chunk);
    return undefined;
  }

  digest(): Promise<string> {
    try {
      return Promise.resolve(this.hash.digest('hex'));
    } catch (err) {
      return Promise.reject(err); // asked twice
    }
  }

  drop(): void {}
}

/** Inline for a small file, on the worker thread for a large one (see OFF_THREAD_MIN_BYTES). */
export const streamSha256 = (offThread: boolean): StreamSha256 =>
  offThread ? new OffThreadSha256() : new InlineSha256();

/**
 * A running SHA-256 computed on the shared worker thread. It reaches the worker with its first full batch: one made
 * and then left unused (an upload refused before its bytes) costs nothing there.
 */
export class OffThreadSha256 implements StreamSha256 {
  private opened?: { worker: HashWorker; id: number };
  private batch?: Uint8Array;
  private used = 0;
  private finished = false;

  /** Takes `chunk` (copied); a promise when the worker is behind: wait for it before the next chunk. */
  update(chunk: Uint8Array): Promise<void> | undefined {
    if (this.finished) throw new Error('This hash was finished or dropped already');
    let wait: Promise<void> | undefined;
    for (let offset = 0; offset < chunk.length; ) {
      this.batch ??= (this.opened?.worker ?? hashWorker()).buffer();
      const n = Math.min(chunk.length - offset, BATCH_BYTES - this.used);
      this.batch.set(chunk.subarray(offset, offset + n), this.used);
      this.used += n;
      offset += n;
      if (this.used === BATCH_BYTES) wait = this.send() ?? wait;
    }
    return wait;
  }

  /** The hex digest of everything taken; the stream is done with. */
  digest(): Promise<string> {
    if (this.finished) return Promise.reject(new Error('This hash was finished or dropped already'));
    this.finished = true;
    if (!this.opened && this.used === 0) return Promise.resolve(EMPTY_SHA256);
    try {
      // The digest comes after the last batch is hashed: no need to wait for the worker to catch up first.
      this.send()?.catch(() => {});
      const { worker, id } = this.open();
      return worker.digest(id);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Forgets the stream (an upload refused or failed): the worker lets its hash go. */
  drop(): void {
    if (this.finished) return;
    this.finished = true;
    this.batch = undefined;
    if (this.opened) this.opened.worker.drop(this.opened.id);
  }

  private open(): { worker: HashWorker; id: number } {
    if (!this.opened) {
      const worker = hashWorker();
      this.opened = { worker, id: worker.open() };
    }
    return this.opened;
  }

  private send(): Promise<void> | undefined {
    if (this.used === 0 || !this.batch) return undefined;
    const bytes = this.batch.buffer as ArrayBuffer;
    const length = this.used;
    this.batch = undefined;
    this.used = 0;
    const { worker, id } = this.open();
    return worker.send(id, bytes, length);
  }
}
