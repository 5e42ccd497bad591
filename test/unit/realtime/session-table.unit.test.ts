// The primary's table of Socket.IO sessions (src/cluster.ts, `--workers N`): a request naming a session whose worker
// has not reported it yet waits for the report instead of going to any worker (which answers 400 "Session ID
// unknown": seen as "xhr post error" in a loaded run of test/realtime/workers.test.ts).
import { describe, expect, it } from 'vitest';
import { SessionTable } from '../../../src/cluster.js';

describe('SessionTable', () => {
  it('answers a known session at once', async () => {
    const t = new SessionTable<string>(5000);
    t.set('abc', 'worker 1');
    expect(await t.ownerOf('abc')).toBe('worker 1');
  });

  it('waits for a session reported after the request arrived, and routes it to that worker', async () => {
    const t = new SessionTable<string>(5000);
    const asked = t.ownerOf('late');
    setTimeout(() => t.set('late', 'worker 2'), 50);
    expect(await asked).toBe('worker 2');
  });

  it('gives up on a session nobody reports (expired), and forgets sessions of a worker that died', async () => {
    const t = new SessionTable<string>(50);
    expect(await t.ownerOf('gone')).toBeUndefined();
    t.set('a', 'worker 1');
    t.set('b', 'worker 2');
    t.deleteOwner('worker 1');
    t.delete('b', 'worker 1'); // not its owner: kept
    expect(await t.ownerOf('b')).toBe('worker 2');
    expect(await t.ownerOf('a')).toBeUndefined();
  });

  it('does not let random session ids pile up waiting requests', async () => {
    const t = new SessionTable<string>(5000, 1);
    const first = t.ownerOf('random-1');
    expect(await t.ownerOf('random-2')).toBeUndefined(); // over the cap: answered at once
    t.set('random-1', 'worker 1');
    expect(await first).toBe('worker 1');
  });
});
