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
  visitor_id: string;
  status: 'bot' | 'waiting' | 'open' | 'closed';
  assignee_id: string | null;
  bot_flow_version: number | null;
  bot_state: string | null; // JSON
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  last_message_at: string | null;
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
}
export interface FilesTable {
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
}
export interface CallbackIntegrationsTable {
  workspace_id: string;
  url: string;
  disabled: number;
  signing_secret_enc: string;
  updated_at: string;
}
export interface DeliveriesTable {
  id: string;
  workspace_id: string;
  file_id: string;
  chat_id: string;
  kind: 's3' | 'callback';
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
export interface LoginFailuresTable {
  key: string;
  at: string;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  workspaces: WorkspacesTable;
  memberships: MembershipsTable;
  api_tokens: ApiTokensTable;
  visitors: VisitorsTable;
  chats: ChatsTable;
  messages: MessagesTable;
  files: FilesTable;
  file_settings: FileSettingsTable;
  s3_integrations: S3IntegrationsTable;
  callback_integrations: CallbackIntegrationsTable;
  deliveries: DeliveriesTable;
  delivery_attempts: DeliveryAttemptsTable;
  bot_flows: BotFlowsTable;
  upload_requests: UploadRequestsTable;
  jobs: JobsTable;
  login_failures: LoginFailuresTable;
}
