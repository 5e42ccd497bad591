// The durable job kinds and their payloads, named once. A payload is JSON in the jobs table, so it holds ids and
// small values only; the handler reads the current truth from the database when it runs.

export interface JobPayloads {
  /** A bot upload request's time ran out (round 0), or its reminder's did (round 1). */
  'bot.upload_timeout': { chatId: string; requestId: string; round: number };
  /** Visitor uploads were turned off: the workspace's open upload requests end (the bot goes on or hands over). */
  'bot.uploads_off': { workspaceId: string };
  /** Thumbnails for the images of one accepted message, then message.updated. */
  'files.thumbnails': { messageId: string; fileIds: string[] };
  /** A resumable upload's expiry time came: if still unfinished, its bytes and parts are removed. */
  'uploads.expire': { uploadId: string };
  /** An erased visitor's resumable upload: its tus bytes (and S3 parts) are removed; the row is already gone. */
  'uploads.remove': { uploadId: string };
  /** Bytes, thumbnails and previews of deleted files (their rows are already gone). */
  'files.delete_blobs': { keys: string[] };
  /** The hourly retention pass over every workspace; batched, and re-queued until nothing is due. */
  'lifecycle.retention': Record<string, never>;
  /** A visitor's erasure: their chats, messages, files and uploads, and the forwarded copies. */
  'lifecycle.erase_visitor': { workspaceId: string; visitorId: string };
  /** Crash leftovers in storage: partial writes and bytes no file row holds (at start, then hourly). */
  'files.reconcile': Record<string, never>;
  /** Upload-store bytes of uploads without a row (at start, then hourly). */
  'uploads.reconcile': Record<string, never>;
  /** Scans the pending files of a held message from storage, then releases it (clean) or quarantines (infected). */
  'files.scan': { messageId: string };
}

export type JobKind = keyof JobPayloads;
