// Atomic rate counters (modules/limits/): one row per key and fixed window, incremented in one statement, so limits
// hold under concurrent bursts and across nodes sharing the database.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  await db.schema
    .createTable('rate_counters')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('count', dialect === 'postgres' ? 'bigint' : 'integer', (c) => c.notNull())
    .addColumn('window_ends', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('rate_counters_window_ends').on('rate_counters').column('window_ends').execute();
}
