// Table types that drive every Kysely query. One schema for SQLite and PostgreSQL:
// times are ISO-8601 text, booleans are 0/1 integers, JSON is text.
import type { Generated, Selectable } from 'kysely';

export interface UsersTable {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  is_owner: number;
  created_at: string;
}
export interface SessionsTable {
  id: string; // sha256 of the cookie token
  user_id: string;
  created_at: string;
  expires_at: string;
}
export interface WorkspacesTable {
  id: string;
  name: string;
  widget_key: string;
  created_at: string;
  /** The owner-set storage quota in bytes; null = none. */
  quota_bytes: number | null;
}
export interface MembershipsTable {
  workspace_id: string;
  user_id: string;
  role: 'admin' | 'agent';
  created_at: string;
}
export interface ApiTokensTable {
  id: string;
  workspace_id: string;
  name: string;
  token_hash: string;
  created_by: string | null;
  created_at: string;
  last_used_at: string | null;
}
export interface VisitorsTable {
  id: string;
  workspace_id: string;
  token_hash: string;
  created_at: string;
}
export interface ChatsTable {
  id: string;
  workspace_id: string;
  /** The short reference shown everywhere (modules/chats/ref.ts); unique per workspace. */
  ref: string;
  visitor_id: string;
  status: 'bot' | 'waiting' | 'open' | 'closed';
  assignee_id: string | null;
  bot_flow_version: number | null;
  bot_state: string | null; // JSON
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  last_message_at: string | null;
  /** JSON: modules/chats/visitor-details.ts (page, browser, language, time zone, identify's name/e-mail/attributes). */
  visitor_info: string | null;
  /** When the visitor started waiting for an agent (hand-over, or oldest unanswered message); null otherwise. */
  waiting_since: string | null;
}
export type MessageRow = Selectable<MessagesTable>;
export interface MessagesTable {
  seq: Generated<number>;
  id: string;
  chat_id: string;
  workspace_id: string;
  author_role: 'visitor' | 'agent' | 'bot' | 'system';
  author_id: string | null;
  text: string | null;
  kind: 'text' | 'file' | 'upload_request' | 'event';
  file_ids: string | null; // JSON array, in upload order; a deleted file stays listed as deleted
  request_id: string | null;
  meta: string | null; // JSON (buttons, event data)
  created_at: string;
  /** 1 while its files wait for their malware scan: only the author's side sees it. */
  held: Generated<number>;
}
/** Row type of files (what a select returns); FilesColumns is the table, whose newer columns have defaults. */
export type FilesTable = Selectable<FilesColumns>;
export interface FilesColumns {
  id: string;
  workspace_id: string;
  chat_id: string;
  message_id: string | null;
  name: string;
  size: number;
  mime_type: string;
  extension: string;
  sha256: string;
  storage_key: string;
  thumbnail_key: string | null;
  uploader_role: 'visitor' | 'agent' | 'bot';
  uploader_id: string | null;
  request_id: string | null;
  remote_uid: string | null;
  remote_url: string | null;
  created_at: string;
  /** Malware scan: skipped (no scanner), pending (held until the scan job runs), clean, infected (quarantined). */
  scan: Generated<FileScan>;
  scan_signature: Generated<string | null>;
  scanned_at: Generated<string | null>;
  /** An admin released a quarantined file after confirming. */
  released_at: Generated<string | null>;
  released_by: Generated<string | null>;
}
export type FileScan = 'pending' | 'clean' | 'infected' | 'skipped';
export interface ContentSafetySettingsTable {
  workspace_id: string;
  when_scanner_down: 'refuse' | 'accept';
  strip_photo_metadata: number;
  updated_at: string;
}
export interface EmbedSettingsTable {
  workspace_id: string;
  /** #rrggbb */
  color: string;
  position: 'bottom-right' | 'bottom-left';
  greeting: string;
  /** Normalised origins, one per line; '' = any website. */
  allowed_origins: string;
  updated_at: string;
}
export interface FileSettingsTable {
  workspace_id: string;
  visitor_uploads_enabled: number;
  agent_uploads_enabled: number;
  visitor_allowed_types: string;
  agent_allowed_types: string;
  max_file_size_kb: number;
  updated_at: string;
}
export interface S3IntegrationsTable {
  workspace_id: string;
  access_key_id: string;
  secret_enc: string | null;
  region: string;
  bucket: string;
  folder: string;
  endpoint: string | null;
  force_path_style: number;
  disabled: number;
  updated_at: string;
  /** "Also delete forwarded copies": deleting a file deletes its object in this bucket too. */
  delete_copies: Generated<number>;
}
export interface CallbackIntegrationsTable {
  workspace_id: string;
  url: string;
  disabled: number;
  signing_secret_enc: string;
  updated_at: string;
  /** "Also delete forwarded copies": deleting a file sends the receiver a signed file.deleted event. */
  delete_copies: Generated<number>;
}
export interface DeliveriesTable {
  id: string;
  workspace_id: string;
  file_id: string;
  chat_id: string;
  /** s3-delete and callback-event carry a deletion to the copies (the file row is gone by then). */
  kind: DeliveryKind;
  status: 'pending' | 'succeeded' | 'failed' | 'dead';
  attempts: number;
  next_attempt_at: string;
  lease_owner: string | null;
  lease_until: string | null;
  last_error: string | null;
  remote_uid: string | null;
  remote_url: string | null;
  s3_key: string | null;
  created_at: string;
  updated_at: string;
}
export type DeliveryKind = 's3' | 'callback' | 's3-delete' | 'callback-event';
export interface DeliveryAttemptsTable {
  id: string;
  delivery_id: string;
  started_at: string;
  finished_at: string | null;
  outcome: 'succeeded' | 'failed' | null;
  http_status: number | null;
  error: string | null;
}
export interface BotFlowsTable {
  workspace_id: string;
  version: number; // 0 = draft
  flow: string; // JSON
  created_at: string;
}
export interface UploadRequestsTable {
  id: string;
  workspace_id: string;
  chat_id: string;
  step_id: string;
  prompt: string;
  allowed_types: string;
  max_files: number;
  optional: number;
  status: 'open' | 'answered' | 'skipped' | 'expired';
  reminded: number;
  expires_at: string | null;
  created_at: string;
}
export interface JobsTable {
  id: string;
  kind: string;
  payload: string; // JSON
  run_at: string;
  lease_owner: string | null;
  lease_until: string | null;
  created_at: string;
  status: 'queued' | 'dead';
  /** Attempts started so far (counted when claimed). */
  attempts: number;
  max_attempts: number;
  last_error: string | null;
}
export interface AuditLogTable {
  id: string;
  /** null for entries about a person rather than a workspace (sign-in). */
  workspace_id: string | null;
  at: string;
  actor_id: string | null;
  actor_role: string;
  action: string;
  target: string | null;
  ip: string | null;
  user_agent: string | null;
  details: string; // JSON object: field names, counts; never secrets or personal data
}
export interface RetentionSettingsTable {
  workspace_id: string;
  files_days: number;
  visitor_files_days: number | null;
  agent_files_days: number | null;
  closed_chats_days: number | null;
  audit_days: number;
  updated_at: string;
}
/** A tus upload (src/modules/uploads/): its owner and what it becomes; the bytes are in the tus store. */
export interface ResumableUploadsTable {
  id: string;
  workspace_id: string;
  chat_id: string;
  uploader_role: 'visitor' | 'agent';
  uploader_id: string | null;
  name: string;
  extension: string;
  size: number;
  request_id: string | null;
  text: string | null;
  /** uploading → committing → committed; or expired / refused / terminated (bytes removed). */
  status: 'uploading' | 'committing' | 'committed' | 'expired' | 'refused' | 'terminated';
  file_id: string | null;
  created_at: string;
  expires_at: string;
  /** While `committing`: when the commit's lease was claimed or last renewed (its fencing token); else null. */
  committing_since: string | null;
}
export interface InvitationsTable {
  id: string;
  workspace_id: string;
  email: string;
  name: string;
  role: 'admin' | 'agent';
  token_hash: string;
  created_by: string | null;
  created_at: string;
  expires_at: string;
  accepted_at: string | null;
}
export interface LoginFailuresTable {
  key: string;
  at: string;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  workspaces: WorkspacesTable;
  memberships: MembershipsTable;
  invitations: InvitationsTable;
  api_tokens: ApiTokensTable;
  visitors: VisitorsTable;
  chats: ChatsTable;
  messages: MessagesTable;
  files: FilesColumns;
  file_settings: FileSettingsTable;
  content_safety_settings: ContentSafetySettingsTable;
  embed_settings: EmbedSettingsTable;
  s3_integrations: S3IntegrationsTable;
  callback_integrations: CallbackIntegrationsTable;
  deliveries: DeliveriesTable;
  delivery_attempts: DeliveryAttemptsTable;
  bot_flows: BotFlowsTable;
  upload_requests: UploadRequestsTable;
  jobs: JobsTable;
  login_failures: LoginFailuresTable;
  audit_log: AuditLogTable;
  retention_settings: RetentionSettingsTable;
  rate_counters: RateCountersTable;
  resumable_uploads: ResumableUploadsTable;
}

export interface RateCountersTable {
  key: string;
  count: number;
  /** ISO time when this window ends; the next hit after it starts a new window at 1. */
  window_ends: string;
}
