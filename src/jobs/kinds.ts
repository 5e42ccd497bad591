// The durable job kinds and their payloads, named once. A payload is JSON in the jobs table, so it holds ids and
// small values only; the handler reads the current truth from the database when it runs.

export interface JobPayloads {
  /** A bot upload request's time ran out (round 0), or its reminder's did (round 1). */
  'bot.upload_timeout': { chatId: string; requestId: string; round: number };
  /** Thumbnails for the images of one accepted message, then message.updated. */
  'files.thumbnails': { messageId: string; fileIds: string[] };
}

export type JobKind = keyof JobPayloads;
