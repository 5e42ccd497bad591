// What the widget tells about the visitor (page URL, referrer, browser, language, time zone) and what the embedding
// page tells with Parley('identify', {name, email, ...attributes}). Stored as JSON on the chat (chats.visitor_info).
// Everything comes from the visitor's browser, so it is cleaned here: control characters stripped, lengths capped,
// only http(s) URLs kept, an IANA time zone the runtime knows. The context (page, language, time zone) is dropped
// quietly when malformed (a chat never fails over it); identify's fields are refused with 422 naming the field.
import type { Static } from '@sinclair/typebox';
import { validationFailed } from '../../errors.js';
import type { ChatSchema, VisitorDetailsSchema } from './schemas.js';
import { stripInvisible } from '../../text.js';

/** As agents see it (Chat.visitor): identify's attributes as strings, the user agent from the request. */
export type VisitorInfo = Static<typeof ChatSchema>['visitor'];

/** The body the widget sends (session start, navigation, identify); the user agent comes from the request header. */
export type VisitorInput = Static<typeof VisitorDetailsSchema>;

export const MAX_URL = 2048;
export const MAX_NAME = 200;
export const MAX_EMAIL = 254;
export const MAX_ATTRIBUTES = 20;
export const MAX_ATTRIBUTE_KEY = 64;
export const MAX_ATTRIBUTE_VALUE = 500;
const MAX_USER_AGENT = 512;

/** Invisible controls removed (text.ts), trimmed, cut to `max` characters; undefined when nothing is left. */
export function cleanText(v: unknown, max: number): string | undefined {
  if (typeof v !== 'string') return undefined;
  const s = stripInvisible(v).trim().slice(0, max).trim();
  return s || undefined;
}

/** An absolute http(s) URL, cleaned and capped; anything else (javascript:, relative, garbage) is dropped. */
export function cleanUrl(v: unknown): string | undefined {
  const s = cleanText(v, 10 * MAX_URL);
  if (!s) return undefined;
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  url.username = '';
  url.password = '';
  return url.href.slice(0, MAX_URL);
}

export function cleanLanguage(v: unknown): string | undefined {
  const s = cleanText(v, 35);
  return s && /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(s) ? s : undefined;
}

export function cleanTimeZone(v: unknown): string | undefined {
  const s = cleanText(v, 64);
  if (!s || !/^[A-Za-z0-9_+\-/]+$/.test(s)) return undefined;
  try {
    return new Intl.DateTimeFormat('en', { timeZone: s }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

const cleanOffset = (v: unknown) =>
  typeof v === 'number' && Number.isInteger(v) && Math.abs(v) <= 14 * 60 ? v : undefined;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ATTRIBUTE_KEY = /^[A-Za-z][\w.-]*$/;

/** identify's fields: refused (422) when they cannot be what they claim, so the integrator sees the mistake. */
function identity(input: VisitorInput): Pick<VisitorInfo, 'name' | 'email' | 'attributes'> {
  const out: Pick<VisitorInfo, 'name' | 'email' | 'attributes'> = {};
  const errors: Record<string, string> = {};
  if (input.name !== undefined) {
    out.name = cleanText(input.name, MAX_NAME);
    if (typeof input.name === 'string' && input.name.length > MAX_NAME) errors.name = `At most ${MAX_NAME} characters`;
  }
  if (input.email !== undefined) {
    out.email = cleanText(input.email, MAX_EMAIL);
    if (out.email && (out.email.length > MAX_EMAIL || !EMAIL.test(out.email))) errors.email = 'Not an e-mail address';
  }
  if (input.attributes !== undefined) {
    const entries = Object.entries(input.attributes);
    if (entries.length > MAX_ATTRIBUTES) errors.attributes = `At most ${MAX_ATTRIBUTES} attributes`;
    const attributes: Record<string, string> = {};
    const badKeys: number[] = [];
    for (const [i, [k, v]] of entries.slice(0, MAX_ATTRIBUTES).entries()) {
      if (k.length > MAX_ATTRIBUTE_KEY || !ATTRIBUTE_KEY.test(k)) {
        // Named by position: a refused key is not echoed back (api.md).
        badKeys.push(i + 1);
        errors.attributes =
          `Attribute ${badKeys.join(', ')} (counted from 1): a name of letters, digits, _ . - ` +
          `(at most ${MAX_ATTRIBUTE_KEY}), starting with a letter`;
        continue;
      }
      const value = cleanText(String(v), MAX_ATTRIBUTE_VALUE);
      if (String(v).length > MAX_ATTRIBUTE_VALUE)
        errors[`attributes.${k}`] = `At most ${MAX_ATTRIBUTE_VALUE} characters`;
      if (value) attributes[k] = value;
    }
    out.attributes = attributes;
  }
  if (Object.keys(errors).length) throw validationFailed(errors);
  return out;
}

/**
 * The cleaned fields of `input` (and the user agent of the request): only those given are returned, so merging them
 * over the stored info changes what was sent and keeps the rest. An identify field sent empty clears it.
 */
export function cleanVisitorInput(input: VisitorInput | undefined, userAgent?: string): Partial<VisitorInfo> {
  const out: Partial<VisitorInfo> = { ...identity(input ?? {}) };
  const ua = cleanText(userAgent, MAX_USER_AGENT);
  if (ua) out.userAgent = ua;
  if (!input) return out;
  if (input.pageUrl !== undefined) out.pageUrl = cleanUrl(input.pageUrl);
  if (input.referrer !== undefined) out.referrer = cleanUrl(input.referrer);
  const language = cleanLanguage(input.language);
  if (language) out.language = language;
  const timeZone = cleanTimeZone(input.timeZone);
  if (timeZone) out.timeZone = timeZone;
  const utcOffset = cleanOffset(input.utcOffset);
  if (utcOffset !== undefined) out.utcOffset = utcOffset;
  return out;
}

export function parseVisitorInfo(json: string | null): VisitorInfo {
  if (!json) return {};
  try {
    const v = JSON.parse(json) as unknown;
    return v && typeof v === 'object' ? (v as VisitorInfo) : {};
  } catch {
    return {};
  }
}

/** The stored info with `patch` over it (undefined values remove a field), as stored JSON; null when empty. */
export function mergeVisitorInfo(stored: string | null, patch: Partial<VisitorInfo>): string | null {
  const merged: Record<string, unknown> = { ...parseVisitorInfo(stored), ...patch };
  for (const [k, v] of Object.entries(merged)) {
    if (v === undefined || (typeof v === 'object' && v !== null && Object.keys(v).length === 0)) delete merged[k];
  }
  return Object.keys(merged).length ? JSON.stringify(merged) : null;
}
