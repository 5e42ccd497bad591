// The goals table both benches end with: each goal, what the run measured, and "met" or the distance left.
export type Goal = [goal: string, measured: string, verdict: string];

/** The verdict for a figure that must reach at least `goal`: "met", or how far short (and what share of the goal). */
export function atLeast(value: number, goal: number, show: (n: number) => string): string {
  return value >= goal ? 'met' : `${show(goal - value)} short (${((value / goal) * 100).toFixed(0)} % of the goal)`;
}

export function printGoals(title: string, goals: Goal[]) {
  if (goals.length === 0) return;
  console.log(`\n${title}`);
  const width = [Math.max(...goals.map((g) => g[0].length)), Math.max(...goals.map((g) => g[1].length))];
  for (const [goal, measured, verdict] of goals)
    console.log(`${goal.padEnd(width[0]!)}  ${measured.padEnd(width[1]!)}  ${verdict}`);
}

/** Event-loop delay: p99 and max, in ms. */
export type Delay = { p99: number; max: number };

/**
 * A stall from an event-loop monitor's reading (seconds): the monitor records the time between its timer's
 * callbacks, which includes its own interval (an idle loop reads the interval), so the stall is what lies beyond it.
 */
export const stallMs = (readingSeconds: number, intervalMs: number) => Math.max(0, readingSeconds * 1000 - intervalMs);

/** The worst of several phases' delays (each figure its own maximum), or none. */
export const worstDelay = (delays: Delay[]): Delay =>
  delays.reduce((w, d) => ({ p99: Math.max(w.p99, d.p99), max: Math.max(w.max, d.max) }), { p99: 0, max: 0 });

/** The verdict for "no stall over ~5 ms": judged on the longest stall. */
export const stallVerdict = (d: Delay) => (d.max <= 5 ? 'met' : `max ${(d.max / 5).toFixed(0)}× the ~5 ms goal`);
