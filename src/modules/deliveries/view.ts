// Deliveries as the API shows them (secrets and file bytes never appear here).
import type { Db } from '../../db/index.js';
import { chatsRepo } from '../chats/repo.js';
import { filesRepo } from '../files/repo.js';
import type { DeliveriesTable, DeliveryKind } from '../../db/types.js';
import { deliveriesRepo } from './repo.js';

export interface DeliveryView {
  id: string;
  fileId: string;
  /** The file's name and the chat's short reference, in the delivery log (not in a file's own list). */
  fileName?: string;
  chatId: string;
  chatRef?: string;
  kind: DeliveryKind;
  status: DeliveriesTable['status'];
  attempts: number;
  nextAttemptAt: string | null;
  lastError?: string;
  remoteUid?: string;
  remoteUrl?: string;
  s3Key?: string;
  createdAt: string;
  updatedAt: string;
}

export function deliveryView(d: DeliveriesTable): DeliveryView {
  const v: DeliveryView = {
    id: d.id,
    fileId: d.file_id,
    chatId: d.chat_id,
    kind: d.kind,
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: d.status === 'pending' || d.status === 'failed' ? d.next_attempt_at : null,
    createdAt: d.created_at,
    updatedAt: d.updated_at,
  };
  if (d.last_error) v.lastError = d.last_error;
  if (d.remote_uid) v.remoteUid = d.remote_uid;
  if (d.remote_url) v.remoteUrl = d.remote_url;
  if (d.s3_key) v.s3Key = d.s3_key;
  return v;
}

export async function deliveriesByFile(db: Db, fileIds: string[]): Promise<Map<string, DeliveryView[]>> {
  const map = new Map<string, DeliveryView[]>();
  if (fileIds.length === 0) return map;
  const rows = await deliveriesRepo.ofFiles(db, fileIds).execute();
  for (const r of rows) {
    const list = map.get(r.file_id) ?? [];
    list.push(deliveryView(r));
    map.set(r.file_id, list);
  }
  return map;
}

/** Deliveries with their file's name and their chat's short reference, for the delivery log. */
export async function deliveryLogViews(db: Db, rows: DeliveriesTable[]): Promise<DeliveryView[]> {
  if (rows.length === 0) return [];
  const fileIds = [...new Set(rows.map((r) => r.file_id))];
  const chatIds = [...new Set(rows.map((r) => r.chat_id))];
  const [names, refs] = await Promise.all([filesRepo.namesOf(db, fileIds), chatsRepo.refsOf(db, chatIds)]);
  return rows.map((r) => {
    const v = deliveryView(r);
    const name = names.get(r.file_id);
    if (name !== undefined) v.fileName = name;
    const ref = refs.get(r.chat_id);
    if (ref !== undefined) v.chatRef = ref;
    return v;
  });
}
