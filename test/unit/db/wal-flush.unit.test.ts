// The SQLite log flusher shares fsyncs between the requests waiting at once (group commit), and a caller never rides
// on an fsync that began before its call.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createWalFlusher } from '../../../src/db/wal-flush.js';

describe('createWalFlusher', () => {
  it('runs one fsync for a lone caller, and one more for everyone who asked while it ran', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-wal-'));
    const wal = path.join(dir, 'parley.db-wal');
    fs.writeFileSync(wal, 'frames');
    const f = createWalFlusher(wal);
    await f.flush();
    expect(f.flushes).toBe(1);
    const first = f.flush();
    const later = Array.from({ length: 20 }, () => f.flush());
    await Promise.all([first, ...later]);
    expect(f.flushes).toBe(3);
    await f.close();
    fs.rmSync(dir, { recursive: true });
  });

  it('resolves when there is no log file yet (nothing written since the last checkpoint)', async () => {
    const f = createWalFlusher(path.join(os.tmpdir(), `parley-missing-${process.pid}.db-wal`));
    await expect(f.flush()).resolves.toBeUndefined();
    await f.close();
  });
});
