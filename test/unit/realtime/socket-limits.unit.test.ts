import { describe, expect, it } from 'vitest';
import { eventBudget, SYNC_COST, handshakeGuard } from '../../../src/realtime/socket-limits.js';

describe('a socket’s event budget', () => {
  it('lets a burst through, refills at the configured rate, and charges sync more', () => {
    let t = 0;
    const budget = eventBudget({ eventsPerSecond: 10 }, () => t);
    const verdicts = Array.from({ length: 31 }, () => budget.spend());
    expect(verdicts.filter((v) => v === 'ok')).toHaveLength(30);
    expect(verdicts.at(-1)).toBe('drop');
    t += 1000;
    expect(budget.spend(SYNC_COST)).toBe('ok');
    expect(budget.spend(SYNC_COST)).toBe('ok');
    expect(budget.spend(SYNC_COST)).toBe('drop');
  });

  it('cuts a socket that keeps flooding, but not one that pauses between bursts', () => {
    let t = 0;
    const flood = eventBudget({ eventsPerSecond: 10 }, () => t);
    const verdicts = Array.from({ length: 50_000 }, () => flood.spend());
    expect(verdicts.indexOf('cut')).toBe(30 + 1000);

    const eager = eventBudget({ eventsPerSecond: 10 }, () => t);
    for (let round = 0; round < 100; round++) {
      for (let i = 0; i < 40; i++) expect(eager.spend()).not.toBe('cut');
      t += 11_000;
    }
  });

  it('relays typing once per window per chat', () => {
    let t = 0;
    const budget = eventBudget({ eventsPerSecond: 10 }, () => t);
    expect(budget.relayTyping('a')).toBe(true);
    expect(budget.relayTyping('a')).toBe(false);
    expect(budget.relayTyping('b')).toBe(true);
    t += 1500;
    expect(budget.relayTyping('a')).toBe(true);
  });
});

describe('handshakeGuard', () => {
  it('locks an address past the limit for a minute, and forgets the oldest addresses', () => {
    let t = 0;
    const g = handshakeGuard(3, () => t, 2);
    for (let i = 0; i < 3; i++) {
      expect(g.allowed('a')).toBe(true);
      g.failed('a');
    }
    expect(g.allowed('a')).toBe(false);
    // Good clients behind the same address reconnect every few seconds while it is locked (found by QA: their
    // refused tries used to restart the minute, so the lock never lifted while anyone there kept a console open).
    for (let i = 0; i < 11; i++) {
      t += 5_000;
      g.failed('a');
      expect(g.allowed('a')).toBe(false);
    }
    t += 6_000;
    expect(g.allowed('a')).toBe(true);
    g.failed('b');
    g.failed('c');
    g.failed('d');
    expect(g.allowed('b')).toBe(true);
  });
});
