// Sending the visitor's files: checked against the session's rules (and a bot request's types) before any byte
// leaves, then small files picked together in one multipart request (one message with several files), the others
// one resumable (tus) upload each (several files answering one bot request go in one multipart request), with
// refusals and a rules refresh on server refusals.
import { useCallback, useState } from 'react';
import { api, enc, type ApiError } from '../ui/api.js';
import { checkFile, RULE_CODES, UPLOADS_OFF, withExtraTypes } from '../ui/file-rules.js';
import type { Message, UploadRequest } from '../ui/types.js';
import { useUploads } from '../ui/useUploads.js';
import type { WidgetSession } from './session.js';

const FILES_URL = '/api/widget/chat/files';

interface Answer {
  message?: Message;
}

export function useWidgetFiles(
  session: WidgetSession | undefined,
  addMessages: (m: Message[]) => void,
  refreshSession: () => Promise<WidgetSession>,
) {
  const uploads = useUploads();
  const [closedRequests, setClosedRequests] = useState<Record<string, string>>({});
  const [busyRequest, setBusyRequest] = useState<string>();

  const closeRequest = useCallback((id: string, text: string) => setClosedRequests((c) => ({ ...c, [id]: text })), []);

  const onServerError = useCallback(
    (err: ApiError, requestId?: string) => {
      if (RULE_CODES.includes(err.code)) refreshSession().catch(() => undefined);
      if (err.code === 'CHAT_CLOSED') refreshSession().catch(() => undefined);
      if (err.code === 'REQUEST_CLOSED' && requestId) closeRequest(requestId, 'This request is closed');
    },
    [refreshSession, closeRequest],
  );

  const attach = useCallback(
    (files: File[], request?: UploadRequest) => {
      if (!session) return;
      uploads.clearRefusals();
      // A bot request is answered even if the side's switch is off: the server decides that; types and size still apply.
      const rules = request
        ? { ...withExtraTypes(session.uploads, request.allowedTypes), enabled: true }
        : session.uploads;
      if (!rules.enabled) {
        uploads.refuse(UPLOADS_OFF);
        return;
      }
      const accepted = files.filter((f) => {
        const why = checkFile(f, rules);
        if (why) uploads.refuse(why, f.name);
        return !why;
      });
      if (accepted.length === 0) return;
      const target = { url: FILES_URL, token: session.visitorToken };
      if (!request) {
        // Small files picked together in one request, so one message; the others resumably (tus), each its own
        // message, which arrives over the socket like any other.
        uploads.sendPicked(
          accepted,
          target,
          { token: session.visitorToken },
          (err) => onServerError(err),
          (m) => m && addMessages([m]),
        );
        return;
      }
      const max = Math.max(1, request.maxFiles || 1);
      if (accepted.length > max) {
        uploads.refuse(`Send at most ${max} file${max > 1 ? 's' : ''} here`);
        return;
      }
      setBusyRequest(request.id);
      if (accepted.length === 1) {
        // One file answers the request resumably; several go in one multipart request, so they answer it together.
        uploads
          .sendResumable(accepted[0]!, { token: session.visitorToken, metadata: { requestId: request.id } }, (err) =>
            onServerError(err, request.id),
          )
          .then((id) => id && closeRequest(request.id, 'Sent'))
          .finally(() => setBusyRequest(undefined));
        return;
      }
      uploads
        .sendTogether<Answer>(accepted, { ...target, fields: { requestId: request.id } }, (err) =>
          onServerError(err, request.id),
        )
        .then((a) => {
          if (!a) return;
          closeRequest(request.id, 'Sent');
          if (a.message) addMessages([a.message]);
        })
        .finally(() => setBusyRequest(undefined));
    },
    [session, uploads, addMessages, onServerError, closeRequest],
  );

  const skip = useCallback(
    async (request: UploadRequest) => {
      if (!session) return;
      setBusyRequest(request.id);
      try {
        await api(`/api/widget/chat/requests/${enc(request.id)}/skip`, {
          method: 'POST',
          body: {},
          token: session.visitorToken,
        });
        closeRequest(request.id, 'Skipped');
      } catch (e) {
        const err = e as ApiError;
        if (err.code === 'REQUEST_CLOSED') closeRequest(request.id, 'This request is closed');
        else uploads.refuse(err.message);
      } finally {
        setBusyRequest(undefined);
      }
    },
    [session, uploads, closeRequest],
  );

  return { uploads, attach, skip, closedRequests, busyRequest };
}
