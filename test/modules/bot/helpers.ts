// Helpers for bot tests: read a chat as the visitor or staff sees it, a flow with one upload step.
import { call } from '../../support/client.js';

export const PDF = '%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n';

export async function visitorMessages(base: string, token: string): Promise<any[]> {
  const r = await call(base, 'GET', '/api/widget/chat/messages?limit=500', { token });
  if (r.status !== 200) throw new Error(`messages: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.messages;
}

export const botTexts = (messages: any[]) =>
  messages.filter((m) => m.authorRole === 'bot').map((m) => m.text as string);

export async function chatOf(base: string, cookie: string, ws: string, chatId: string) {
  const r = await call(base, 'GET', `/api/workspaces/${ws}/chats/${chatId}`, { cookie });
  if (r.status !== 200) throw new Error(`chat: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.chat as { id: string; status: string };
}

export const lastUploadRequest = (messages: any[]) => [...messages].reverse().find((m) => m.kind === 'upload_request');

/** Walks a visitor of the default flow to its upload step (a name, then "Send us a document"): the open request. */
export async function documentRequestOf(base: string, token: string) {
  for (const text of ['Ada', 'Send us a document'])
    await call(base, 'POST', '/api/widget/chat/messages', { token, body: { text } });
  return lastUploadRequest(await visitorMessages(base, token)).request;
}

/** A small flow: greet, then one upload step with the given options, then a handoff. */
export function uploadFlow(upload: Record<string, unknown>) {
  return {
    start: 'hello',
    steps: [
      { id: 'hello', kind: 'message', text: 'Hello!', next: 'doc' },
      {
        id: 'doc',
        kind: 'upload',
        prompt: 'Send your invoice',
        allowedTypes: 'pdf',
        maxFiles: 1,
        optional: true,
        onTimeout: 'next',
        next: 'bye',
        ...upload,
      },
      { id: 'bye', kind: 'handoff', text: 'Over to a human.' },
    ],
  };
}
