// Visitor uploads were turned off while the bot waited for files: no upload could answer its open requests (every
// one is refused 403), so they end now rather than at their timeout — an optional request goes on to its step's next
// (the bot then asks for no further file, runtime.ts walkFor), a required one hands the chat over to an agent, each
// with an event that says why. A request the bot no longer waits for (an agent has the chat) just closes. Runs as
// the bot.uploads_off job the settings change writes in its own transaction; turned on again meanwhile, it does
// nothing.
import type { Deps } from '../../deps.js';
import type { UploadRequestsTable } from '../../db/types.js';
import { AppError } from '../../errors.js';
import { chatsRepo } from '../chats/repo.js';
import { getFileSettings } from '../settings/file-upload.js';
import { botRepo } from './repo.js';
import { continuePastRequest } from './runtime.js';
import { closeWithoutBot } from './skip.js';
import type { LeadMessage } from './transition.js';

const BATCH = 200;

export async function onUploadsOff(deps: Deps, workspaceId: string) {
  for (;;) {
    const { visitorUploadsEnabled } = await getFileSettings(deps.db, workspaceId, deps.config.maxUploadMb);
    if (visitorUploadsEnabled) return;
    const open = await botRepo.openRequests(deps.db, workspaceId, BATCH);
    for (const request of open) await endRequest(deps, request);
    if (open.length < BATCH) return;
  }
}

async function endRequest(deps: Deps, request: UploadRequestsTable) {
  const lead: LeadMessage = {
    author_role: 'system',
    author_id: null,
    text: 'File sharing was turned off',
    kind: 'event',
    request_id: request.id,
    meta: JSON.stringify({ event: 'request_withdrawn' }),
  };
  try {
    const how = { status: 'expired' as const, lead, handoff: request.optional !== 1 };
    if (await continuePastRequest(deps, request.chat_id, request.id, how)) return;
    const chat = await chatsRepo.chatById(deps.db, request.chat_id);
    if (chat) await closeWithoutBot(deps, chat, request.id, 'expired', lead);
  } catch (err) {
    // Answered, skipped or timed out meanwhile: nothing left to end.
    if (!(err instanceof AppError && err.code === 'REQUEST_CLOSED')) throw err;
  }
}
