// Sending the agent's files into a chat: one resumable (tus) upload per file with progress, pause and cancel, checked first against the
// operator rules when they are known; the server's refusal is shown as well and makes the rules be read again.
import { useCallback } from 'react';
import type { ApiError } from '../ui/api.js';
import { checkFile } from '../ui/file-rules.js';
import type { Message } from '../ui/types.js';
import { useUploads } from '../ui/useUploads.js';
import { useAgentRules } from './useAgentRules.js';

const RULE_CODES = ['UPLOADS_DISABLED', 'FILE_TYPE_NOT_ALLOWED', 'FILE_TOO_LARGE'];

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
      for (const f of accepted) {
        // Resumable (tus): the session cookie authenticates; the chat is named in the metadata.
        uploads
          .sendResumable(f, { metadata: { chatId } }, (err: ApiError) => {
            if (RULE_CODES.includes(err.code)) refresh();
          })
          .then((fileId) => fileId && onSent(undefined));
      }
    },
    [chatId, workspaceId, rules, uploads, refresh, onSent],
  );

  return { uploads, attach, rules };
}
