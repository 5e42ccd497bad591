// Counts the SQL statements one unit of work issues (an HTTP request): round trips are the hot paths' budget
// (issue 18), reported in the request log and held by test/http/statement-budget.test.ts. Kysely's log hook calls
// countStatement() for every statement; the count follows the request through its async continuations.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface StatementTally {
  n: number;
}

const scope = new AsyncLocalStorage<StatementTally>();

/** Runs `fn` (and everything it starts) with its statements counted into `tally`. */
export function withStatementTally<T>(tally: StatementTally, fn: () => T): T {
  return scope.run(tally, fn);
}

export function countStatement(): void {
  const tally = scope.getStore();
  if (tally) tally.n++;
}

/**
 * Runs `fn` (and everything it starts) outside any tally: work a request leaves to run after its answer (an event
 * emitted for later) is not the request's, whichever of the two the event loop happens to reach first.
 */
export function untallied<T>(fn: () => T): T {
  return scope.exit(fn);
}
