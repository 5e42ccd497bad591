// The poll loop's bookkeeping: a claim round under way is waited for, so a caller draining the queue (idle()) never
// concludes "nothing due, nothing running" while another round holds a claimed item that has not started yet.
import { describe, expect, it } from 'vitest';
import { createPollLoop } from '../../../src/jobs/loop.js';

describe('poll loop', () => {
  it('runOnce() and settled() wait for a claim round already under way', async () => {
    const ran: string[] = [];
    let release!: () => void;
    const claimGate = new Promise<void>((r) => (release = r));
    let queue = ['job-1'];
    const loop = createPollLoop<string>({
      pollMs: 1000,
      concurrency: 1,
      claim: async () => {
        await claimGate;
        const items = queue;
        queue = [];
        return items;
      },
      run: async (item) => {
        await new Promise((r) => setTimeout(r, 20));
        ran.push(item);
      },
      onError: (err) => {
        throw err;
      },
    });
    const first = loop.runOnce(); // a round is claiming (the background timer's, in the server)
    const second = loop.runOnce(); // the drain's round: must not resolve before the first round has claimed
    let secondDone = false;
    void second.then(() => (secondDone = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(secondDone).toBe(false);
    release();
    expect(await first).toBe(1);
    await second;
    await loop.settled();
    expect(ran).toEqual(['job-1']);
    expect(loop.inFlight).toBe(0);
  });
});
