// The API's shapes as the browser apps use them. The server's own view types are the source of truth (style rule 4):
// they are imported as types only, so nothing of the server reaches the bundle.
import type { DeliveryView } from '../../src/modules/deliveries/view.js';
import type { FileView } from '../../src/modules/files/view.js';
import type { ChatView, DeletedFile, MessageView } from '../../src/modules/chats/view.js';
import type { FileUploadSettings } from '../../src/modules/settings/file-upload.js';

export type { DeletedFile, FileUploadSettings };
export type UploaderRole = FileView['uploaderRole'];
export type ChatStatus = ChatView['status'];
export type Delivery = DeliveryView;
export type DeliveryStatus = DeliveryView['status'];
export type ChatFile = FileView & { deliveries?: DeliveryView[]; deleted?: false };
export type MessageFile = ChatFile | DeletedFile;
export type UploadRequest = NonNullable<MessageView['request']>;
export type Message = Omit<MessageView, 'files'> & { files?: MessageFile[] };
/** A chat as the console lists it; the widget only knows id and status until it loads more. */
export type Chat = Pick<ChatView, 'id' | 'status'> & Partial<Omit<ChatView, 'id' | 'status'>>;

/** One side's upload rules: the widget session's `uploads`, or one half of the admin settings. */
export interface UploadRules {
  enabled: boolean;
  allowedTypes: string;
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
