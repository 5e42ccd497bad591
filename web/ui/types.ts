// The API contract's shapes as the browser apps use them (see docs/api.md); extra server fields are optional.
// Types only: no runtime code here.

export type UploaderRole = 'visitor' | 'agent' | 'bot';
export type ChatStatus = 'bot' | 'waiting' | 'open' | 'closed';
export type DeliveryStatus = 'pending' | 'succeeded' | 'failed' | 'dead';

export interface Delivery {
  id: string;
  fileId: string;
  kind: 's3' | 'callback';
  status: DeliveryStatus;
  attempts: number;
  lastError?: string | null;
  remoteUid?: string | null;
  remoteUrl?: string | null;
  s3Key?: string | null;
  updatedAt: string;
}

export interface ChatFile {
  id: string;
  chatId: string;
  name: string;
  size: number;
  mimeType: string;
  extension: string;
  sha256?: string;
  uploaderRole: UploaderRole;
  uploaderId?: string | null;
  createdAt: string;
  url: string;
  thumbnailUrl?: string;
  requestId?: string;
  remoteUid?: string;
  remoteUrl?: string;
  deliveries?: Delivery[];
  deleted?: false;
}

export interface DeletedFile {
  id: string;
  deleted: true;
}

export type MessageFile = ChatFile | DeletedFile;

export interface UploadRequest {
  id: string;
  prompt: string;
  allowedTypes: string;
  maxFiles: number;
  optional: boolean;
  status?: 'open' | 'answered' | 'skipped' | 'expired';
}

export interface Message {
  id: string;
  chatId: string;
  authorRole: 'visitor' | 'agent' | 'bot' | 'system';
  authorId?: string;
  text?: string;
  files?: MessageFile[];
  kind: 'text' | 'file' | 'upload_request' | 'event';
  request?: UploadRequest;
  buttons?: { label: string }[];
  event?: string;
  createdAt: string;
}

export interface Chat {
  id: string;
  workspaceId?: string;
  status: ChatStatus;
  assigneeId?: string | null;
  createdAt?: string;
  updatedAt?: string;
  lastMessageAt?: string | null;
}

/** One side's upload rules: the widget session's `uploads`, or one half of the admin settings. */
export interface UploadRules {
  enabled: boolean;
  allowedTypes: string;
  maxFileSizeKb: number;
}

export interface FileUploadSettings {
  visitorUploadsEnabled: boolean;
  agentUploadsEnabled: boolean;
  visitorAllowedTypes: string;
  agentAllowedTypes: string;
  maxFileSizeKb: number;
}

export interface User {
  id: string;
  email: string;
  name: string;
  role?: string;
}

export interface WorkspaceRef {
  id: string;
  name: string;
  role: 'admin' | 'agent';
  widgetKey?: string;
}

export interface Me {
  user: User;
  workspaces: WorkspaceRef[];
}

export function isDeleted(f: MessageFile): f is DeletedFile {
  return f.deleted === true;
}
