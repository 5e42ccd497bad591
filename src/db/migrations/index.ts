// The ordered list of migrations. Add new ones at the end; never edit an applied one.
import type { Kysely } from 'kysely';
import * as m0001 from './0001_initial.js';
import * as m0002 from './0002_job_runner.js';
import * as m1400 from './1400_resumable_uploads.js';
import * as m1500 from './1500_content_safety.js';
import * as m1700 from './1700_chat_ref.js';
import * as m1600 from './1600_data_lifecycle.js';
import * as m1200 from './1200_rate_counters.js';
import * as m1701 from './1701_invitations.js';
import * as m1800 from './1800_list_file_at_scale.js';
import * as m1801 from './1801_one_statement_messages.js';
import * as m1710 from './1710_embed_settings.js';
import * as m1711 from './1711_visitor_details.js';
import * as m1401 from './1401_upload_commit_lease.js';
import * as m1802 from './1802_upload_request_indexes.js';

export interface Migration {
  name: string;
  up(db: Kysely<any>, dialect: 'sqlite' | 'postgres'): Promise<void>;
}

export const migrations: Migration[] = [
  { name: '0001_initial', up: m0001.up },
  { name: '0002_job_runner', up: m0002.up },
  { name: '1700_chat_ref', up: m1700.up },
  { name: '1600_data_lifecycle', up: m1600.up },
  { name: '1200_rate_counters', up: m1200.up },
  { name: '1400_resumable_uploads', up: m1400.up },
  { name: '1701_invitations', up: m1701.up },
  { name: '1500_content_safety', up: m1500.up },
  { name: '1800_list_file_at_scale', up: m1800.up },
  { name: '1801_one_statement_messages', up: m1801.up },
  { name: '1710_embed_settings', up: m1710.up },
  { name: '1711_visitor_details', up: m1711.up },
  { name: '1401_upload_commit_lease', up: m1401.up },
  { name: '1802_upload_request_indexes', up: m1802.up },
];
