// The app's idle(): the event bus and the workers drain each other, so a job that emits an event whose listener
// queues more work is not left half done when idle() resolves.
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createEventBus, untilQuiet } from '../../src/events.js';
import { countStatement, withStatementTally } from '../../src/db/statements.js';

describe('untilQuiet', () => {
  it('waits again for the bus when the workers emitted while draining', async () => {
    const bus = createEventBus(pino({ level: 'silent' }));
    const heard: string[] = [];
    bus.on('chat.created', async (p) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      heard.push(p.chatId);
    });
    let rounds = 0;
    const workers = {
      async idle() {
        // The first drain runs a job that emits (after the bus was settled); the second finds nothing.
        if (rounds++ === 0) bus.emitLater('chat.created', { chatId: 'c1', workspaceId: 'w' });
      },
    };
    await untilQuiet(bus, workers);
    expect(heard).toEqual(['c1']);
    expect(bus.busy).toBe(false);
    expect(rounds).toBe(2);
  });
});

describe('emitLater', () => {
  it("runs its listeners outside the emitting request's statement tally", async () => {
    const bus = createEventBus(pino({ level: 'silent' }));
    bus.on('chat.created', async () => {
      countStatement(); // the bot's greeting: statements of its own, after the session's answer
    });
    const tally = { n: 0 };
    await withStatementTally(tally, async () => {
      countStatement();
      bus.emitLater('chat.created', { chatId: 'c1', workspaceId: 'w' });
      // The request is still running (not answered yet) when the event loop reaches the listener.
      await new Promise((resolve) => setTimeout(resolve, 20));
    });
    await bus.settled();
    expect(tally.n).toBe(1);
  });
});
