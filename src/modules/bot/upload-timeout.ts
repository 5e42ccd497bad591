// What happens when an upload request's time runs out: remind once and wait the same time again, go on to the next
// step, or hand over. A stale job (the request was answered, skipped, or already handled) does nothing.
import type { Deps } from '../../deps.js';
import { AppError } from '../../errors.js';
import { chatsRepo } from '../chats/repo.js';
import { stepById } from './flow.js';
import { uploadTimeoutJob, type UploadTimeoutPayload } from './jobs.js';
import { botRepo } from './repo.js';
import { continuePastRequest, flowOf } from './runtime.js';
import { transition, type LeadMessage } from './transition.js';

export async function onUploadTimeout(deps: Deps, job: UploadTimeoutPayload) {
  try {
    await handle(deps, job);
  } catch (err) {
    // The visitor's upload or skip won the race: nothing left to time out.
    if (err instanceof AppError && err.code === 'REQUEST_CLOSED') return;
    throw err;
  }
}

async function handle(deps: Deps, job: UploadTimeoutPayload) {
  const request = await botRepo.request(deps.db, job.requestId);
  if (request?.status !== 'open' || request.reminded !== job.round) return;
  const chat = await chatsRepo.chatById(deps.db, job.chatId);
  if (!chat) return;
  const step = stepById(await flowOf(deps, chat), request.step_id);
  const onTimeout = step?.onTimeout ?? 'remind';

  if (onTimeout === 'remind' && job.round === 0 && step?.timeoutSeconds) {
    const expiresAt = new Date(Date.now() + step.timeoutSeconds * 1000).toISOString();
    await transition(deps, chat.id, async (_chat, state) => {
      if (state?.waiting !== 'upload' || state.requestId !== request.id) return null;
      const orSkip = request.optional ? ' (or press Skip)' : '';
      return {
        state,
        posts: [{ kind: 'text', stepId: request.step_id, text: `Just a reminder: ${request.prompt}${orSkip}` }],
        remindRequest: { id: request.id, expiresAt },
        jobs: [uploadTimeoutJob({ ...job, round: 1 }, expiresAt)],
      };
    });
    return;
  }
  const lead: LeadMessage = {
    author_role: 'system',
    author_id: null,
    text: 'The file request expired',
    kind: 'event',
    request_id: request.id,
    meta: JSON.stringify({ event: 'request_expired' }),
  };
  await continuePastRequest(deps, chat.id, request.id, { status: 'expired', lead, handoff: onTimeout === 'handoff' });
}
