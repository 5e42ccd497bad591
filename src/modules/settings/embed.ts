// The widget's embed settings per workspace: its colour, the corner it sits in, a greeting shown at the top of the
// chat, and the websites allowed to embed it. An empty list lets any website embed the widget (the default).
//
// Origins are written as scheme://host[:port] (http or https; no path, query, user or fragment) and stored
// normalised (lower case, default port dropped, IDN as punycode). `https://*.example.com` admits every subdomain of
// example.com (not example.com itself; list both for both). Parley's own origin is always admitted: the demo page
// and the admin's bot preview embed the widget from it.
//
// Enforced twice: the widget session refuses a website not in the list (403 ORIGIN_NOT_ALLOWED), and the widget page
// (/widget/) carries `Content-Security-Policy: frame-ancestors 'self' <origins>`, so browsers refuse to show the
// chat inside any other page at all.
import type { Db } from '../../db/index.js';
import { AppError, validationFailed } from '../../errors.js';
import { nowIso } from '../../ids.js';
import { embedRepo, embedRows } from './embed-repo.js';
import { stripInvisibleKeepLines } from '../../text.js';

export type WidgetPosition = 'bottom-right' | 'bottom-left';

export interface Appearance {
  color: string;
  position: WidgetPosition;
  greeting: string;
}

export interface EmbedSettings extends Appearance {
  allowedOrigins: string[];
}

export const DEFAULT_EMBED: EmbedSettings = {
  color: '#2563eb',
  position: 'bottom-right',
  greeting: '',
  allowedOrigins: [],
};
export const MAX_GREETING = 300;
export const MAX_ORIGINS = 50;
const POSITIONS: WidgetPosition[] = ['bottom-right', 'bottom-left'];

interface EmbedColumns {
  color: string | null;
  position: WidgetPosition | null;
  greeting: string | null;
  allowed_origins: string | null;
}

function fromRow(row: EmbedColumns | undefined): EmbedSettings {
  if (!row?.color) return { ...DEFAULT_EMBED, allowedOrigins: [] };
  return {
    color: row.color,
    position: row.position ?? DEFAULT_EMBED.position,
    greeting: row.greeting ?? '',
    allowedOrigins: row.allowed_origins ? row.allowed_origins.split('\n') : [],
  };
}

export const appearanceOf = ({ color, position, greeting }: EmbedSettings): Appearance => ({
  color,
  position,
  greeting,
});

export async function getEmbedSettings(db: Db, workspaceId: string): Promise<EmbedSettings> {
  return fromRow(await embedRows.get(db, workspaceId));
}

/** A widget key's workspace id and embed settings, in one statement; undefined for an unknown key. */
export async function widgetByKey(db: Db, widgetKey: string) {
  const row = await embedRepo.widgetByKey(db, widgetKey);
  return row ? { workspaceId: row.id, embed: fromRow(row) } : undefined;
}

/**
 * `" HTTPS://Shop.Example.com:443/ "` → `https://shop.example.com`; `https://*.example.com` kept as a wildcard;
 * undefined for anything that is not an http(s) origin (a path, a query, a user, `*` alone, `*.com`).
 */
export function normaliseOrigin(raw: string): string | undefined {
  const text = raw.trim();
  const m = /^(https?):\/\/(\*\.)?([^/?#@\s*]+)\/?$/i.exec(text);
  if (!m) return undefined;
  const [, scheme, wildcard, hostPort] = m;
  let url: URL;
  try {
    url = new URL(`${scheme!.toLowerCase()}://${hostPort}`);
  } catch {
    return undefined;
  }
  if (url.username || url.password || url.pathname !== '/' || url.search || url.hash || !url.hostname) return undefined;
  // Host names of letters, digits and hyphens (IDN as punycode), or an IPv6 literal: nothing else reaches the
  // frame-ancestors header (a ';' or ',' there would add to the policy).
  if (!/^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]*[a-z0-9])?$|^\[[0-9a-f:.]+\]$/.test(url.hostname))
    return undefined;
  if (wildcard) {
    // A wildcard stands for subdomains of a registrable-looking name: *.example.com, not *.com or *.10.0.0.1.
    if (!url.hostname.includes('.') || /^[\d.]+$/.test(url.hostname) || url.hostname.startsWith('[')) return undefined;
    return `${url.protocol}//*.${url.host}`;
  }
  return url.origin;
}

/** Whether `origin` (as a browser sends it) is one of `allowed` (normalised entries, wildcards included). */
export function originAllowed(origin: string, allowed: string[]): boolean {
  const exact = normaliseOrigin(origin);
  if (!exact || exact.includes('*')) return false;
  return allowed.some((entry) => {
    if (!entry.includes('://*.')) return entry === exact;
    const [scheme, rest] = entry.split('://*.') as [string, string];
    const visitor = new URL(exact);
    const base = new URL(`${scheme}://${rest}`);
    return (
      visitor.protocol === base.protocol && visitor.port === base.port && visitor.hostname.endsWith(`.${base.hostname}`)
    );
  });
}

export async function putEmbedSettings(
  db: Db,
  workspaceId: string,
  input: Partial<EmbedSettings>,
): Promise<EmbedSettings> {
  const next = await getEmbedSettings(db, workspaceId);
  const fields: Record<string, string> = {};
  if (input.color !== undefined) {
    if (/^#[0-9a-f]{6}$/i.test(input.color)) next.color = input.color.toLowerCase();
    else fields.color = 'Write the colour as #rrggbb, for example #2563eb';
  }
  if (input.position !== undefined) {
    if (POSITIONS.includes(input.position)) next.position = input.position;
    else fields.position = 'Choose bottom-right or bottom-left';
  }
  if (input.greeting !== undefined) {
    const greeting = stripInvisibleKeepLines(input.greeting).trim();
    if (greeting.length > MAX_GREETING) fields.greeting = `Keep the greeting to ${MAX_GREETING} characters`;
    else next.greeting = greeting;
  }
  if (input.allowedOrigins !== undefined) {
    const entries = input.allowedOrigins.map((o) => o.trim()).filter(Boolean);
    // Named by position, never quoted: an answer does not echo the request back (api.md).
    const bad = entries.flatMap((o, i) => (normaliseOrigin(o) === undefined ? [i + 1] : []));
    if (bad.length)
      fields.allowedOrigins =
        `${bad.length === 1 ? 'Entry' : 'Entries'} ${bad.join(', ')} (counted from 1, empty lines skipped) ` +
        'not an origin: write scheme://host[:port] without a path, ' +
        'e.g. https://www.your-shop.com or https://*.your-shop.com';
    else if (entries.length > MAX_ORIGINS) fields.allowedOrigins = `List at most ${MAX_ORIGINS} origins`;
    else next.allowedOrigins = [...new Set(entries.map((o) => normaliseOrigin(o)!))];
  }
  if (Object.keys(fields).length) throw validationFailed(fields);
  await embedRows.put(db, {
    workspace_id: workspaceId,
    color: next.color,
    position: next.position,
    greeting: next.greeting,
    allowed_origins: next.allowedOrigins.join('\n'),
    updated_at: nowIso(),
  });
  return next;
}

/** Where a widget request comes from, as far as the server can tell. */
export interface RequestOrigin {
  /** The request's Origin header (a page calling the API itself, or the widget iframe: Parley's own origin). */
  origin?: string;
  /** The page embedding the widget iframe, as the widget reports it (the iframe's own requests come from Parley). */
  embedOrigin?: string;
  /** Parley's own origins (PARLEY_PUBLIC_URL's and the one the request was addressed to). */
  own: string[];
}

/**
 * Refuses (403 ORIGIN_NOT_ALLOWED) a widget request from a website the workspace did not list. A page calling the
 * API itself is judged by its Origin header; the widget iframe (Origin: Parley's own) by the embedding page it
 * names. Parley's own pages pass; a request naming no website at all is refused once a list is set.
 */
export function checkEmbedOrigin(embed: EmbedSettings, from: RequestOrigin): void {
  if (embed.allowedOrigins.length === 0) return;
  const own = (o: string) => from.own.includes(normaliseOrigin(o) ?? '');
  const site = from.origin && !own(from.origin) ? from.origin : from.embedOrigin;
  if (site === undefined) {
    if (from.origin) return; // Parley's own page (the demo page, the admin's bot preview, the widget opened alone)
    throw new AppError('ORIGIN_NOT_ALLOWED', 'This widget only runs on the websites its admin listed; name yours');
  }
  if (own(site) || originAllowed(site, embed.allowedOrigins)) return;
  // The website is not quoted back (an answer never echoes the request): the loader names its own page.
  throw new AppError('ORIGIN_NOT_ALLOWED', 'This widget is not allowed on this website; its admin lists where it runs');
}

/** The widget page's Content-Security-Policy, or undefined when any website may embed it. */
export function frameAncestors(embed: EmbedSettings): string | undefined {
  if (embed.allowedOrigins.length === 0) return undefined;
  return `frame-ancestors 'self' ${embed.allowedOrigins.join(' ')}`;
}
