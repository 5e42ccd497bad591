// The delivery-target port: where a file is forwarded once accepted (the workspace's S3 bucket, its HTTP callback).
// Each adapter is one file beside this one (s3.ts, callback.ts) and passes the same contract suite
// (test/modules/deliveries/targets/targets.test.ts): it refuses private addresses unless allowed, refuses a file
// whose bytes do not match its recorded size, streams with flat memory, and reports every failure as a reason,
// never a throw.
import type { Readable } from 'node:stream';

export interface DeliveryFile {
  name: string;
  contentType: string;
  /** The recorded size; a source yielding more or fewer bytes fails the send (exact-bytes.ts). */
  size: number;
  /** A fresh stream of the file's bytes; a target may open it more than once (the callback signs, then sends). */
  open: () => Promise<Readable>;
}

export interface DeliveryRequest {
  /** The delivery's id: the callback's webhook-id, the same on every retry so receivers can de-duplicate. */
  deliveryId: string;
  file: DeliveryFile;
  /** The file's metadata as text fields (the callback sends them before the file). */
  fields: Record<string, string>;
  /** The object key fixed when the delivery was planned (S3). */
  key?: string;
}

export type DeliveryOutcome =
  /** note: delivered, with a remark for the attempt log (a callback answer not in the expected format). */
  | { ok: true; httpStatus?: number; uid?: string; url?: string; note?: string }
  /** final: retrying cannot help (the target is gone or switched off). */
  | { ok: false; httpStatus?: number; error: string; final?: boolean };

/** A deleted file's copy to remove: the object key (S3), or the file.deleted event for the receiver (callback). */
export interface DeletionRequest {
  deliveryId: string;
  key?: string;
  event: { type: 'file.deleted'; fileId: string; chatID: string; uid?: string };
}

export interface DeliveryTarget {
  readonly kind: 's3' | 'callback';
  /** Sends one file; resolves with the outcome and a plain reason on failure, never rejects. */
  send(request: DeliveryRequest): Promise<DeliveryOutcome>;
  /** Deletes the forwarded copy of a deleted file (s3-delete, callback-event); never rejects. */
  deleteCopy(request: DeletionRequest): Promise<DeliveryOutcome>;
}
