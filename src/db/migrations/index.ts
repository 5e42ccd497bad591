// The ordered list of migrations. Add new ones at the end; never edit an applied one.
import type { Kysely } from 'kysely';
import * as m0001 from './0001_initial.js';
import * as m0002 from './0002_job_runner.js';

export interface Migration {
  name: string;
  up(db: Kysely<any>, dialect: 'sqlite' | 'postgres'): Promise<void>;
}

export const migrations: Migration[] = [
  { name: '0001_initial', up: m0001.up },
  { name: '0002_job_runner', up: m0002.up },
];
