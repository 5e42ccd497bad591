// The visitor's session: an anonymous token kept in localStorage per widget key, exchanged for the chat and its rules.
// Posting the session again with the token resumes the chat (a closed one too, until the visitor starts a new one)
// and re-reads the upload rules. In preview mode (the admin's
// bot preview) nothing is stored, so every preview starts as a new visitor.
import { api, enc } from '../ui/api.js';
import type { Schemas } from '../ui/types.js';
import { visitorForSession } from './visitor.js';

export type WidgetSession = Schemas['WidgetSession'];

const storageKey = (widgetKey: string) => `parley.visitorToken.${widgetKey}`;
const params = new URLSearchParams(location.search);
const preview = params.get('preview') === '1';

/**
 * The page embedding this iframe, which the server checks against the workspace's allowed websites: the browser's
 * own word (location.ancestorOrigins, Chromium and Safari) before the loader's (Firefox); none when not in a frame.
 */
export function embeddingOrigin(): string | undefined {
  if (window.parent === window) return undefined;
  return location.ancestorOrigins?.[0] ?? params.get('embedOrigin') ?? undefined;
}

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

/**
 * Opens the session. A closed chat is kept (its history stays readable) unless `newChat` asks for a new conversation.
 */
export async function openSession(widgetKey: string, knownToken?: string, newChat = false): Promise<WidgetSession> {
  const visitorToken = knownToken ?? readToken(widgetKey);
  const session = await api<WidgetSession>(`/api/widget/${enc(widgetKey)}/session`, {
    body: {
      ...(visitorToken ? { visitorToken, ...(newChat ? {} : { keepClosed: true }) } : {}),
      ...(embeddingOrigin() ? { embedOrigin: embeddingOrigin() } : {}),
      visitor: visitorForSession(),
    },
  });
  writeToken(widgetKey, session.visitorToken);
  return session;
}
