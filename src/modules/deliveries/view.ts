// Deliveries as the API shows them (secrets and file bytes never appear here).
import type { Db } from '../../db/index.js';
import type { DeliveriesTable } from '../../db/types.js';

export interface DeliveryView {
  id: string;
  fileId: string;
  chatId: string;
  kind: 's3' | 'callback';
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
    id: d.id, fileId: d.file_id, chatId: d.chat_id, kind: d.kind, status: d.status, attempts: d.attempts,
    nextAttemptAt: d.status === 'pending' || d.status === 'failed' ? d.next_attempt_at : null, createdAt: d.created_at, updatedAt: d.updated_at,
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
  const rows = await db.selectFrom('deliveries').selectAll().where('file_id', 'in', fileIds).orderBy('id').execute();
  for (const r of rows) {
    const list = map.get(r.file_id) ?? [];
    list.push(deliveryView(r));
    map.set(r.file_id, list);
  }
  return map;
}
