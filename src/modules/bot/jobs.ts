// The bot's durable timers: an upload request's timeout is a "bot.upload_timeout" job due when the request expires,
// written in the same transaction as the request (transition.ts) and run by the one job runner (src/jobs/).
import type { JobPayloads } from '../../jobs/index.js';
import type { NewJob } from '../../jobs/repo.js';

export type UploadTimeoutPayload = JobPayloads['bot.upload_timeout'];

export function uploadTimeoutJob(payload: UploadTimeoutPayload, runAt: string): NewJob<'bot.upload_timeout'> {
  return { kind: 'bot.upload_timeout', payload, runAt };
}
