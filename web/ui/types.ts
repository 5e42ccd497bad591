// The API's shapes as the browser apps use them, from the types generated out of the served OpenAPI document
// (web/ui/api-schema.ts, `npm run gen:api`): never restated by hand (style rules 4 and 18).
import type { components, paths } from './api-schema.js';

/** The document's shared schemas: File, Message, Chat, Delivery, User, Workspace, … */
export type Schemas = components['schemas'];

type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : undefined;
type Method = 'get' | 'post' | 'put' | 'delete';
/** The JSON body of an operation's success answer, e.g. `Answer<'/api/workspaces/{ws}/files', 'get'>`. */
export type Answer<P extends keyof paths, M extends Method> = paths[P][M] extends { responses: infer R }
  ? JsonOf<R[keyof R & (200 | 201 | 202)]>
  : never;
/** The JSON request body an operation takes. */
export type BodyOf<P extends keyof paths, M extends Method> = paths[P][M] extends {
  requestBody?: { content: { 'application/json': infer B } };
}
  ? B
  : never;

export type DeletedFile = Schemas['DeletedFile'];
export type FileUploadSettings = Schemas['FileUploadSettings'];
export type UploaderRole = Schemas['File']['uploaderRole'];
export type ChatStatus = Schemas['Chat']['status'];
export type Delivery = Schemas['Delivery'];
export type DeliveryStatus = Delivery['status'];
export type ChatFile = Schemas['File'] & { deleted?: false };
export type MessageFile = ChatFile | DeletedFile;
export type UploadRequest = NonNullable<Schemas['Message']['request']>;
export type Message = Omit<Schemas['Message'], 'files'> & { files?: MessageFile[] };
/** A chat as the console lists it; the widget only knows id and status until it loads more. */
export type Chat = Pick<Schemas['Chat'], 'id' | 'status'> & Partial<Omit<Schemas['Chat'], 'id' | 'status'>>;

/** One side's upload rules: the widget session's `uploads`, or one half of the admin settings. */
export type UploadRules = Schemas['UploadRules'];
export type User = Schemas['User'];
/** A workspace as the switcher shows it (the sign-in's list has no widget key). */
export type WorkspaceRef = Omit<Schemas['Workspace'], 'widgetKey' | 'createdAt'> & { widgetKey?: string };
/** A signed-in person (the staff apps use the session cookie, so `user` is set; useStaffSession checks). */
export type Me = Schemas['Me'] & { user: User };

export function isDeleted(f: MessageFile): f is DeletedFile {
  return f.deleted === true;
}
