// The database's part of /readyz: one round trip that proves a connection can be had and answers.
import { sql } from 'kysely';
import type { Db } from './index.js';

export const pingDatabase = async (db: Db): Promise<void> => {
  await sql`select 1`.execute(db);
};
