// The jobs table's owner, and the one lease query every durable queue shares: jobs here, and deliveries, which
// keep their own table and attempt log but claim, extend and release through these functions.
// PostgreSQL claims with FOR UPDATE SKIP LOCKED; SQLite with one UPDATE … WHERE id IN (SELECT …) RETURNING
// statement, which it runs atomically. A lease that lapses (its node died) makes the row claimable again.
import { sql, type Kysely } from 'kysely';
import type { Db, Dialect } from '../db/index.js';
import type { Database, JobsTable } from '../db/types.js';
import { newId, nowIso } from '../ids.js';
import type { JobKind, JobPayloads } from './kinds.js';

/** Where a leased queue keeps its rows: the table, its due-time column, and the statuses that may be claimed. */
export interface LeasedQueue<T extends 'jobs' | 'deliveries'> {
  table: T;
  dueColumn: T extends 'jobs' ? 'run_at' : 'next_attempt_at';
  claimable: string[];
  /** Only these kinds (jobs: a node claims only what it has handlers for). */
  kinds?: string[];
  /** Columns set on every claim besides the lease (e.g. updated_at). */
  onClaim?: (now: string) => Record<string, unknown>;
}

const untyped = (db: Db) => db as unknown as Kysely<any>;

/** Claims up to `limit` due rows for `owner` until now + leaseMs, oldest due first. */
export async function claimLeased<T extends 'jobs' | 'deliveries'>(
  db: Db,
  dialect: Dialect,
  queue: LeasedQueue<T>,
  owner: string,
  leaseMs: number,
  limit: number,
): Promise<Database[T][]> {
  if (limit <= 0 || queue.kinds?.length === 0) return [];
  const now = new Date();
  const at = now.toISOString();
  const q = untyped(db);
  const table: string = queue.table;
  const dueColumn: string = queue.dueColumn;
  let due = q
    .selectFrom(table)
    .select('id')
    .where('status', 'in', queue.claimable)
    .where(dueColumn, '<=', at)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', at)]))
    .$if(!!queue.kinds, (qb) => qb.where('kind', 'in', queue.kinds!))
    .orderBy(dueColumn)
    .orderBy('id')
    .limit(limit);
  if (dialect === 'postgres') due = due.forUpdate().skipLocked();
  const rows = await q
    .updateTable(table)
    .set({ lease_owner: owner, lease_until: new Date(now.getTime() + leaseMs).toISOString(), ...queue.onClaim?.(at) })
    .where('id', 'in', due)
    .returningAll()
    .execute();
  // RETURNING does not promise the subquery's order; keep "oldest due first" for the caller.
  return (rows as Database[T][]).sort(
    (a, b) => dueOf(a, queue).localeCompare(dueOf(b, queue)) || a.id.localeCompare(b.id),
  );
}

const dueOf = (row: { id: string }, queue: LeasedQueue<'jobs' | 'deliveries'>) =>
  (row as unknown as Record<string, string>)[queue.dueColumn]!;

/** Extends a lease while long work runs; false when the lease was lost (it lapsed, or an admin re-queued the row). */
export async function extendLease(
  db: Db,
  table: 'jobs' | 'deliveries',
  id: string,
  owner: string,
  leaseMs: number,
): Promise<boolean> {
  const r = await untyped(db)
    .updateTable(table as string)
    .set({ lease_until: new Date(Date.now() + leaseMs).toISOString() })
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export interface NewJob<K extends JobKind = JobKind> {
  kind: K;
  payload: JobPayloads[K];
  /** When it is due (default: now). */
  runAt?: string;
  maxAttempts?: number;
}

export const DEFAULT_MAX_ATTEMPTS = 5;

export const jobsRepo = {
  /** Writes a job; pass the transaction that makes it necessary so it exists exactly when that work committed. */
  async enqueue<K extends JobKind>(db: Db, job: NewJob<K>): Promise<string> {
    const row = jobRow(newId(), job);
    await db.insertInto('jobs').values(row).execute();
    return row.id;
  },

  /** Writes a job under a fixed id unless one with that id exists (a schedule several nodes may each set up). */
  async enqueueOnce<K extends JobKind>(db: Db, id: string, job: NewJob<K>): Promise<void> {
    await db
      .insertInto('jobs')
      .values(jobRow(id, job))
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  },

  claim: (db: Db, dialect: Dialect, kinds: string[], owner: string, leaseMs: number, limit: number) =>
    claimLeased(
      db,
      dialect,
      {
        table: 'jobs',
        dueColumn: 'run_at',
        claimable: ['queued'],
        kinds,
        // Counted at the claim, so a job that kills its process still uses up its attempts and ends dead.
        onClaim: () => ({ attempts: sql`attempts + 1` }),
      },
      owner,
      leaseMs,
      limit,
    ),

  /** A finished job is removed; a job whose lease passed to another node is left to that node. */
  finish: (db: Db, id: string, owner: string) =>
    db.deleteFrom('jobs').where('id', '=', id).where('lease_owner', '=', owner).execute(),

  /**
   * Records a failure: due again at `retryAt`, or dead (kept, with its last error) when there is none. `maxAttempts`
   * raises the job's limit (an attempt that did not count).
   */
  fail: (db: Db, id: string, owner: string, error: string, retryAt: string | null, maxAttempts?: number) =>
    db
      .updateTable('jobs')
      .set({
        status: retryAt ? 'queued' : 'dead',
        last_error: error.slice(0, 2000),
        run_at: retryAt ?? nowIso(),
        lease_owner: null,
        lease_until: null,
        ...(maxAttempts === undefined ? {} : { max_attempts: maxAttempts }),
      })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .execute(),

  /**
   * Jobs of these kinds that are due and not leased by another live node: `owner`'s own leases count, since a job
   * its claim round has just leased has not reached its run yet (an idle() that missed it returned too early).
   */
  async countDue(db: Db, kinds: string[], owner: string): Promise<number> {
    if (kinds.length === 0) return 0;
    const at = nowIso();
    const r = await db
      .selectFrom('jobs')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('status', '=', 'queued')
      .where('kind', 'in', kinds)
      .where('run_at', '<=', at)
      .where((eb) => {
        const free = [eb('lease_until', 'is', null), eb('lease_until', '<', at)];
        return eb.or([...free, eb('lease_owner', '=', owner)]);
      })
      .executeTakeFirstOrThrow();
    return Number(r.n);
  },

  byId: (db: Db, id: string) => db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst(),
};

/** A new queued job's row. */
function jobRow<K extends JobKind>(id: string, job: NewJob<K>): JobsTable {
  return {
    id,
    kind: job.kind,
    payload: JSON.stringify(job.payload),
    run_at: job.runAt ?? nowIso(),
    lease_owner: null,
    lease_until: null,
    created_at: nowIso(),
    status: 'queued',
    attempts: 0,
    max_attempts: job.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    last_error: null,
  };
}
