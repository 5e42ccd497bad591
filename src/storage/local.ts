// The local blob store: each object is a file under rootDir, written through rootDir/.tmp and renamed into place, so
// a reader never sees half a file. It never buffers a whole stream, and never maps a key to a path outside rootDir.
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { groupedSync, type SyncDirectory } from '../group-sync.js';
import type { BlobStore, ByteRange } from './index.js';
import { blobMissing } from '../errors.js';
import { asFsStorageFault } from './faults.js';

/** Temp files live inside rootDir so that the final rename stays on one filesystem (and is atomic). */
const TMP_DIR = '.tmp';
const TMP_SUFFIX = '.part';

export interface LocalStoreOptions {
  /** fsyncs a directory (tests instrument it to prove a put waits for it); syncs are grouped per folder. */
  syncDirectory?: SyncDirectory;
}

export function createLocalStore(rootDir: string, opts: LocalStoreOptions = {}): BlobStore {
  const root = path.resolve(rootDir);
  const tmpDir = path.join(root, TMP_DIR);
  const syncDir = groupedSync(opts.syncDirectory ?? fsyncDirectory);
  /** The object's file's stat, or undefined when there is no such file (a folder is none either). */
  const fileInfo = async (key: string): Promise<fs.Stats | undefined> => {
    try {
      const info = await fsp.stat(keyToPath(root, key));
      return info.isFile() ? info : undefined;
    } catch (err) {
      if (isMissing(err as NodeJS.ErrnoException)) return undefined;
      throw asFsStorageFault(err);
    }
  };

  return {
    kind: 'local',

    async put(key, source) {
      // The source is consumed on every path: left paused, it would hold its socket open.
      try {
        return await writeDurably(keyToPath(root, key), tmpDir, source, syncDir);
      } catch (err) {
        source.destroy();
        // While writing, a missing folder is ours gone missing too (recursive mkdir on a read-only mount says ENOENT).
        throw asFsStorageFault(err, ['ENOENT', 'ENOTDIR']);
      }
    },

    async putFile(key, file) {
      try {
        return await linkDurably(keyToPath(root, key), file, syncDir);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        // Another file system (or one without hard links): the bytes are copied as any put's.
        if (code === 'EXDEV' || code === 'EPERM' || code === 'ENOTSUP' || code === 'EMLINK')
          return this.put(key, fs.createReadStream(file));
        if (code === 'ENOENT' && !(await exists(file))) throw err;
        throw asFsStorageFault(err, ['ENOENT', 'ENOTDIR']);
      }
    },

    async get(key, range) {
      const file = keyToPath(root, key);
      if (range) assertRange(range);
      // Open first, so a missing object rejects here rather than as a later stream error.
      const handle = await fsp.open(file, 'r').catch((err: NodeJS.ErrnoException) => {
        throw isMissing(err) ? notFound(key, err) : asFsStorageFault(err);
      });
      // A stat that fails on an open file is the disk failing (503), not the bytes gone.
      const isFile = await handle.stat().then(
        (info) => info.isFile(),
        async (err: unknown) => {
          await handle.close().catch(() => {});
          throw asFsStorageFault(err);
        },
      );
      if (!isFile) {
        await handle.close();
        throw notFound(key);
      }
      return handle.createReadStream(range ? { start: range.start, end: range.end } : {});
    },

    async localFile(key) {
      if (!(await fileInfo(key))) throw notFound(key);
      return keyToPath(root, key);
    },

    async stat(key) {
      const info = await fileInfo(key);
      return info && { size: info.size };
    },

    async delete(key) {
      // Empty parent directories are left in place: removing them would race a concurrent put into the same folder.
      await fsp.unlink(keyToPath(root, key)).catch((err: NodeJS.ErrnoException) => {
        if (!isMissing(err)) throw err;
      });
    },

    async check() {
      // A real write, not access(W_OK): it also catches a read-only mount and a full inode table.
      await fsp.mkdir(tmpDir, { recursive: true });
      const probe = path.join(tmpDir, `check-${crypto.randomUUID()}${TMP_SUFFIX}`);
      await fsp.writeFile(probe, '');
      await fsp.rm(probe, { force: true });
    },

    async listOlderThan(prefix, before) {
      const old: string[] = [];
      for (const key of await this.list(prefix)) {
        const info = await fsp.stat(keyToPath(root, key)).catch(() => undefined);
        if (info?.isFile() && info.mtimeMs < before) old.push(key);
      }
      return old;
    },

    sweepPartial: (before) => sweepTemp(root, Math.max(0, Date.now() - before)),

    async list(prefix) {
      // Walk only the deepest folder the prefix names completely, then filter on the rest.
      const folder = prefix.slice(0, prefix.lastIndexOf('/') + 1);
      const start = folder === '' ? root : keyToPath(root, folder.slice(0, -1));
      const keys: string[] = [];
      await walk(start, folder, keys);
      return keys.filter((key) => key.startsWith(prefix) && !key.startsWith(`${TMP_DIR}/`)).sort();
    },
  };
}

/**
 * Removes temp files older than olderThanMs, left behind by a crash mid-put. An upload in progress keeps touching its
 * temp file, so choose olderThanMs well above the longest pause a client may take. Resolves to the number removed.
 */
export async function sweepTemp(rootDir: string, olderThanMs: number): Promise<number> {
  const tmpDir = path.join(path.resolve(rootDir), TMP_DIR);
  const names = await fsp.readdir(tmpDir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[];
    throw err;
  });
  const cutoff = Date.now() - olderThanMs;
  let removed = 0;
  for (const name of names) {
    if (!name.endsWith(TMP_SUFFIX)) continue;
    const file = path.join(tmpDir, name);
    const info = await fsp.stat(file).catch(() => undefined);
    if (!info?.isFile() || info.mtimeMs > cutoff) continue;
    await fsp.rm(file, { force: true });
    removed += 1;
  }
  return removed;
}

/**
 * Keys are generated by Parley, but a key is still checked before it becomes a path: a traversal here would read or
 * overwrite any file the server can reach.
 */
function keyToPath(root: string, key: string): string {
  const segments = key.split('/');
  const unsafe =
    key.length === 0 ||
    key.includes('\\') ||
    key.includes('\0') ||
    path.isAbsolute(key) ||
    segments.some((segment) => segment === '' || segment === '.' || segment === '..') ||
    segments[0] === TMP_DIR;
  const resolved = path.join(root, ...segments);
  if (unsafe || !resolved.startsWith(root + path.sep)) {
    throw Object.assign(new Error(`Refusing unsafe storage key ${JSON.stringify(key)}`), { code: 'EINVALIDKEY' });
  }
  return resolved;
}

function assertRange(range: ByteRange): void {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new RangeError(`Invalid byte range ${start}-${end}`);
  }
}

const openFile = promisify(fs.open);

/**
 * Each fs.write is a hand-off to one of libuv's threads, and waking that thread costs the event loop more than the
 * bytes' copy (on this project's VMs under load, up to ~0.5 ms of the loop per 64 KiB network chunk). So a put's chunks
 * go to the file gathered into writes of at least this many bytes (the last one smaller): 4 writes per MiB, not 16+.
 * A put holds at most this much beyond the streams' own buffers.
 */
const WRITE_BYTES = 256 * 1024;

function gatherWrites(): Transform {
  let chunks: Buffer[] = [];
  let bytes = 0;
  const take = () => {
    const gathered = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, bytes);
    chunks = [];
    bytes = 0;
    return gathered;
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      bytes += chunk.length;
      done(null, bytes >= WRITE_BYTES ? take() : undefined);
    },
    flush(done) {
      done(null, bytes > 0 ? take() : undefined);
    },
  });
}

/** Opens a new temp file, making the temp folder only when it is missing (not a mkdir per put). */
async function openTemp(tmpDir: string, tmpPath: string): Promise<number> {
  try {
    return await openFile(tmpPath, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await fsp.mkdir(tmpDir, { recursive: true });
  return openFile(tmpPath, 'wx');
}

/**
 * Streams source into a temp file, fsyncs it, renames it to target and fsyncs the folders that changed. One stage
 * between the source and the file (gatherWrites; the stream counts the bytes it wrote), folders made only when
 * the rename finds them missing, and the target folder's fsync shared with the puts renaming into it meanwhile.
 */
async function writeDurably(
  target: string,
  tmpDir: string,
  source: Readable,
  syncDir: SyncDirectory,
): Promise<{ size: number }> {
  const tmpPath = path.join(tmpDir, `${crypto.randomUUID()}${TMP_SUFFIX}`);
  // Until the pipeline listens, a source that fails (an upload's inspector refusing the content while the temp file
  // opens) would emit 'error' to nobody and take the process down (found by CI on a tus upload's last PATCH); the
  // pipeline still sees the error, since the source stays errored.
  const ignoreUntilPiped = () => {};
  source.on('error', ignoreUntilPiped);
  try {
    return await writeTemp(target, tmpDir, tmpPath, source, syncDir);
  } finally {
    source.off('error', ignoreUntilPiped);
  }
}

async function writeTemp(
  target: string,
  tmpDir: string,
  tmpPath: string,
  source: Readable,
  syncDir: SyncDirectory,
): Promise<{ size: number }> {
  const fd = await openTemp(tmpDir, tmpPath);
  // `flush` fsyncs before the stream closes its descriptor. (A FileHandle stream with autoClose off, then
  // handle.sync()/close(), hangs forever on Node 20: the stream keeps a reference that close() waits for.)
  const out = fs.createWriteStream(tmpPath, { fd, flush: true, highWaterMark: 64 * 1024 });
  try {
    await pipeline(source, gatherWrites(), out);
    const dir = path.dirname(target);
    let firstCreated: string | undefined;
    try {
      await fsp.rename(tmpPath, target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      firstCreated = await fsp.mkdir(dir, { recursive: true });
      await fsp.rename(tmpPath, target);
    }
    await syncDirectories(dir, firstCreated, syncDir);
  } catch (err) {
    if (!out.closed) await once(out, 'close').catch(() => {});
    await fsp.rm(tmpPath, { force: true }).catch(() => {});
    throw err;
  }
  return { size: out.bytesWritten };
}

/**
 * fsyncs `file`'s bytes, links it in as `target` (making the target folder only when the link finds it missing) and
 * fsyncs the folders that changed, as a put does after its rename. The link's time is now: the store's age-based
 * sweeps must not take a new object for an old one because its bytes were written a while ago.
 */
async function linkDurably(target: string, file: string, syncDir: SyncDirectory): Promise<{ size: number }> {
  const handle = await fsp.open(file, 'r');
  let size: number;
  try {
    await handle.sync();
    size = (await handle.stat()).size;
  } finally {
    await handle.close();
  }
  const dir = path.dirname(target);
  let firstCreated: string | undefined;
  try {
    await fsp.link(file, target);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || !(await exists(file))) throw err;
    firstCreated = await fsp.mkdir(dir, { recursive: true });
    await fsp.link(file, target);
  }
  const now = new Date();
  await fsp.utimes(target, now, now);
  await syncDirectories(dir, firstCreated, syncDir);
  return { size };
}

const exists = (file: string) =>
  fsp.stat(file).then(
    () => true,
    () => false,
  );

/** fsyncs the folder holding the new name and, when mkdir made folders, each parent that gained one of them. */
async function syncDirectories(dir: string, firstCreated: string | undefined, syncDir: SyncDirectory): Promise<void> {
  const toSync = [dir];
  if (firstCreated) {
    for (let current = dir; current !== path.dirname(firstCreated); current = path.dirname(current)) {
      toSync.push(path.dirname(current));
    }
  }
  for (const folder of toSync) await syncDir(folder);
}

async function fsyncDirectory(folder: string): Promise<void> {
  const handle = await fsp.open(folder, 'r');
  try {
    await handle.sync();
  } catch (err) {
    // Some platforms (Windows) cannot fsync a directory; the rename is still done.
    if (!['EISDIR', 'EINVAL', 'EPERM'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
  } finally {
    await handle.close();
  }
}

async function walk(dir: string, keyPrefix: string, into: string[]): Promise<void> {
  let entries: fs.Dirent[];
  try {
    entries = await fsp.readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (isMissing(err as NodeJS.ErrnoException)) return;
    throw err;
  }
  for (const entry of entries) {
    const key = `${keyPrefix}${entry.name}`;
    if (entry.isDirectory()) await walk(path.join(dir, entry.name), `${key}/`, into);
    else if (entry.isFile()) into.push(key);
  }
}

function isMissing(err: NodeJS.ErrnoException): boolean {
  return err.code === 'ENOENT' || err.code === 'ENOTDIR';
}

/** The port's "no such object" (see storage/index.ts): a typed error, so callers never inspect vendor codes. */
function notFound(key: string, cause?: unknown): Error {
  return blobMissing(cause ?? new Error(`No stored object ${JSON.stringify(key)}`));
}
