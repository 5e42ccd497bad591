// The visitor's session: an anonymous token kept in localStorage per widget key, exchanged for the chat and its rules.
// Posting the session again with the token resumes the chat and re-reads the upload rules. In preview mode (the admin's
// bot preview) nothing is stored, so every preview starts as a new visitor.
import { api, enc } from '../ui/api.js';
import type { ChatStatus, UploadRules } from '../ui/types.js';

export interface WidgetSession {
  visitorToken: string;
  chat: { id: string; status: ChatStatus };
  uploads: UploadRules;
}

const storageKey = (widgetKey: string) => `parley.visitorToken.${widgetKey}`;
const preview = new URLSearchParams(location.search).get('preview') === '1';

function readToken(widgetKey: string): string | undefined {
  if (preview) return undefined;
  try {
    return localStorage.getItem(storageKey(widgetKey)) ?? undefined;
  } catch {
    return undefined; // storage blocked (e.g. strict third-party settings): the chat still works for this page view
  }
}

function writeToken(widgetKey: string, token: string) {
  if (preview) return;
  try {
    localStorage.setItem(storageKey(widgetKey), token);
  } catch {
    /* see readToken */
  }
}

export async function openSession(widgetKey: string, knownToken?: string): Promise<WidgetSession> {
  const visitorToken = knownToken ?? readToken(widgetKey);
  const session = await api<WidgetSession>(`/api/widget/${enc(widgetKey)}/session`, { body: visitorToken ? { visitorToken } : {} });
  writeToken(widgetKey, session.visitorToken);
  return session;
}
