// The one job runner (src/jobs/): jobs get a status (queued or dead), attempts counted against a maximum, and the
// last error of a failed attempt. Existing rows (bot timeouts) become queued jobs with a fresh count.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('jobs')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('queued'))
    .execute();
  await db.schema
    .alterTable('jobs')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('jobs')
    .addColumn('max_attempts', 'integer', (c) => c.notNull().defaultTo(5))
    .execute();
  await db.schema.alterTable('jobs').addColumn('last_error', 'text').execute();
  await db.schema.createIndex('jobs_status_run_at').on('jobs').columns(['status', 'run_at']).execute();
}
