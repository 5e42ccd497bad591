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
