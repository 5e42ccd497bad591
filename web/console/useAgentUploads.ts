// Sending the agent's files into a chat: small files picked together in one request (one message, a progress row
// and a Cancel per file), the others one resumable (tus) upload each with progress, pause and cancel; checked first
// against the operator rules when they are known; the server's refusal is shown as well and makes the rules be read
// again.
import { useCallback } from 'react';
import { enc, type ApiError } from '../ui/api.js';
import { checkFile, RULE_CODES } from '../ui/file-rules.js';
import type { Message } from '../ui/types.js';
import { useUploads } from '../ui/useUploads.js';
import { useAgentRules } from './useAgentRules.js';

export function useAgentUploads(
  workspaceId: string,
  chatId: string | undefined,
  onSent: (m: Message | undefined) => void,
) {
  const uploads = useUploads();
  const { rules, refresh } = useAgentRules(workspaceId);

  const attach = useCallback(
    (files: File[]) => {
      if (!chatId) return;
      uploads.clearRefusals();
      const accepted = files.filter((f) => {
        const why = rules ? checkFile(f, rules) : undefined;
        if (why) uploads.refuse(why, f.name);
        return !why;
      });
      const onError = (err: ApiError) => {
        if (RULE_CODES.includes(err.code)) refresh();
      };
      // Small files picked together in one request, so one message with several files; the others resumably (tus:
      // the session cookie authenticates, the chat is named in the metadata).
      const url = `/api/workspaces/${enc(workspaceId)}/chats/${enc(chatId)}/files`;
      uploads.sendPicked(accepted, { url }, { metadata: { chatId } }, onError, onSent);
    },
    [chatId, workspaceId, rules, uploads, refresh, onSent],
  );

  return { uploads, attach, rules };
}
