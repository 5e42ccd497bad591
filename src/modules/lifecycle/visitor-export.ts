// A visitor's data (GDPR art. 15 and 20): finding them (by chat, or by the name/email the bot collected or the
// embedding page gave with Parley('identify')) and the export zip: the transcript as JSON and as a readable HTML
// page (with the visitor details each chat recorded), and every file the visitor's chats hold. The zip is
// streamed (files are read from storage one at a time as it is written); only the transcript text is built in memory.
import type { Deps } from '../../deps.js';
import type { ChatsTable, FilesTable, MessageRow } from '../../db/types.js';
import { notFound } from '../../errors.js';
import { parseState } from '../bot/state.js';
import { chatsRepo } from '../chats/repo.js';
import { visitorOf } from '../chats/view.js';
import { isServable } from '../files/view.js';
import { uniquePaths, type ZipEntry } from '../files/zip.js';
import { lifecycleRepo } from './repo.js';
import { visitorRepo } from './visitor-repo.js';

export interface VisitorSummary {
  id: string;
  createdAt: string;
  name: string | null;
  email: string | null;
  chats: { id: string; ref: string; status: ChatsTable['status']; createdAt: string }[];
}

/**
 * What names the visitor: the name and e-mail of their chats' visitor details (Parley('identify') wins over the
 * bot's collected answers, as agents see it), the first found.
 */
export function identityOf(chats: ChatsTable[]): { name: string | null; email: string | null } {
  let name: string | null = null;
  let email: string | null = null;
  for (const c of chats) {
    const v = visitorOf(c);
    name ??= v.name ?? null;
    email ??= v.email ?? null;
  }
  return { name, email };
}

/** The texts a search may match: the bot's collected answers and identify's name, e-mail and attribute values. */
const answersOf = (c: ChatsTable) => {
  const v = visitorOf(c);
  return [
    ...Object.values(parseState(c.bot_state)?.vars ?? {}),
    ...[v.name, v.email].filter((x): x is string => !!x),
    ...Object.values(v.attributes ?? {}).map(String),
  ];
};

/** A page of the name/e-mail search holds at most this many visitors. */
export const VISITORS_PAGE = 50;
/** Candidates one page looks at, at most (the SQL match is loose: it also hits JSON keys and step ids). */
const CANDIDATES_PER_PAGE = 1000;
const CANDIDATE_BATCH = 100;

/**
 * Visitors of the workspace with a chat of that id or reference, or whose answers or identify details contain `q`,
 * a page at a time: `after` is the last candidate the previous page looked at (in visitor id order), and the answer's
 * `nextAfter` says where the next page starts (null when every candidate has been looked at).
 */
export async function findVisitors(
  deps: Deps,
  workspaceId: string,
  by: { chat?: string; q?: string; after?: string },
): Promise<{ visitors: VisitorSummary[]; nextAfter: string | null }> {
  let ids: string[] = [];
  let nextAfter: string | null = null;
  if (by.chat) {
    const chat = await chatsRepo.chatInWorkspace(deps.db, workspaceId, by.chat);
    if (chat) ids = [chat.visitor_id];
  } else if (by.q && by.q.trim().length >= 2) {
    const needle = by.q.trim().toLowerCase();
    let after = by.after;
    let looked = 0;
    scan: for (;;) {
      const candidates = await visitorRepo.visitorIdsByAnswer(deps.db, workspaceId, needle, CANDIDATE_BATCH, after);
      const chats = await visitorRepo.chatsOf(deps.db, candidates);
      for (const id of candidates) {
        // The SQL match may have hit the JSON's keys or step ids; only answers count.
        const own = chats.filter((c) => c.visitor_id === id);
        if (own.some((c) => answersOf(c).some((a) => a.toLowerCase().includes(needle)))) ids.push(id);
        after = id;
        looked++;
        if (ids.length === VISITORS_PAGE || looked === CANDIDATES_PER_PAGE) {
          nextAfter = id;
          break scan;
        }
      }
      if (candidates.length < CANDIDATE_BATCH) break;
    }
  }
  const chats = await visitorRepo.chatsOf(deps.db, ids);
  const out: VisitorSummary[] = [];
  for (const id of ids) {
    const visitor = await visitorRepo.visitor(deps.db, workspaceId, id);
    if (!visitor) continue;
    const own = chats.filter((c) => c.visitor_id === id);
    out.push({
      id,
      createdAt: visitor.created_at,
      ...identityOf(own),
      chats: own.map((c) => ({ id: c.id, ref: c.ref, status: c.status, createdAt: c.created_at })),
    });
  }
  return { visitors: out, nextAfter };
}

interface TranscriptFile {
  id: string;
  name: string;
  size: number;
  mimeType: string;
  sha256: string;
  uploaderRole: FilesTable['uploader_role'];
  /** Where the bytes are in the zip; null when withheld (held for its malware scan, or infected). */
  path: string | null;
  withheld?: 'pending' | 'infected';
}

/** The export's entries: transcript.json, transcript.html, then files/<chat ref>/<name>. */
export async function visitorExport(deps: Deps, workspaceId: string, visitorId: string) {
  const visitor = await visitorRepo.visitor(deps.db, workspaceId, visitorId);
  if (!visitor) throw notFound();
  const chats = await visitorRepo.chatsOf(deps.db, [visitorId]);
  const files = await lifecycleRepo.filesOfChats(
    deps.db,
    chats.map((c) => c.id),
  );
  const unique = uniquePaths();
  const fileEntries: ZipEntry[] = [];
  const described = new Map<string, TranscriptFile>();
  for (const chat of chats) {
    for (const f of files.filter((x) => x.chat_id === chat.id)) {
      const path = isServable(f) ? unique(`files/${chat.ref}/${f.name}`) : null;
      if (path) fileEntries.push({ path, key: f.storage_key, size: Number(f.size), mtime: new Date(f.created_at) });
      described.set(f.id, {
        id: f.id,
        name: f.name,
        size: Number(f.size),
        mimeType: f.mime_type,
        sha256: f.sha256,
        uploaderRole: f.uploader_role,
        path,
        ...(path ? {} : { withheld: f.scan === 'pending' ? 'pending' : 'infected' }),
      });
    }
  }
  const transcript = {
    exportedAt: new Date().toISOString(),
    visitor: { id: visitor.id, createdAt: visitor.created_at, ...identityOf(chats) },
    chats: [] as unknown[],
  };
  for (const chat of chats) {
    const messages: unknown[] = [];
    for (let after = 0; ; ) {
      const page = await visitorRepo.messagesOf(deps.db, chat.id, after, 500);
      messages.push(...page.map((m) => messageOut(m, described)));
      if (page.length < 500) break;
      after = page[page.length - 1]!.seq;
    }
    transcript.chats.push({
      id: chat.id,
      ref: chat.ref,
      status: chat.status,
      createdAt: chat.created_at,
      closedAt: chat.closed_at,
      // What the widget and identify recorded (page, referrer, browser, language, time zone, attributes).
      visitor: visitorOf(chat),
      answers: parseState(chat.bot_state)?.vars ?? {},
      messages,
    });
  }
  const entries: ZipEntry[] = [
    { path: 'transcript.json', contents: Buffer.from(JSON.stringify(transcript, null, 2)) },
    { path: 'transcript.html', contents: Buffer.from(transcriptHtml(transcript as Transcript)) },
    ...fileEntries,
  ];
  return { entries, chats: chats.length, files: fileEntries.length };
}

function messageOut(m: MessageRow, files: Map<string, TranscriptFile>) {
  const ids: string[] = m.file_ids ? JSON.parse(m.file_ids) : [];
  return {
    id: m.id,
    at: m.created_at,
    authorRole: m.author_role,
    kind: m.kind,
    text: m.text,
    files: ids.map((id) => files.get(id) ?? { id, deleted: true as const }),
  };
}

type Transcript = {
  exportedAt: string;
  visitor: { id: string; name: string | null; email: string | null };
  chats: {
    ref: string;
    createdAt: string;
    visitor?: Record<string, unknown>;
    messages: ReturnType<typeof messageOut>[];
  }[];
};

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The visitor details a chat recorded, as a definition list (attributes flattened as "attributes.key"). */
function detailsHtml(visitor: Record<string, unknown> | undefined): string {
  const rows: [string, string][] = [];
  for (const [k, v] of Object.entries(visitor ?? {})) {
    if (v && typeof v === 'object') for (const [a, x] of Object.entries(v)) rows.push([`${k}.${a}`, String(x)]);
    else if (v !== undefined && v !== null && v !== '') rows.push([k, String(v)]);
  }
  if (!rows.length) return '';
  return `<dl>${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>`;
}

/**
 * A link from transcript.html to an entry beside it in the zip: each segment encoded whole, so a name holding `#`,
 * `?` or `%` is one path segment, never a fragment, a query or an escape (encodeURI kept `#` and `?` as they were).
 */
const zipHref = (entry: string) => entry.split('/').map(encodeURIComponent).join('/');

/** A self-contained page (no scripts, no remote resources) that reads like the chat. */
export function transcriptHtml(t: Transcript): string {
  const who = [t.visitor.name, t.visitor.email].filter(Boolean).join(', ') || `Visitor ${t.visitor.id}`;
  const fileLine = (f: TranscriptFile | { id: string; deleted: true }) => {
    if ('deleted' in f) return '<li>(file deleted)</li>';
    const label = `${esc(f.name)} (${f.size} bytes)`;
    return f.path
      ? `<li><a href="${esc(zipHref(f.path))}">${label}</a></li>`
      : `<li>${label}, withheld: ${f.withheld}</li>`;
  };
  const chats = t.chats
    .map(
      (c) =>
        `<section><h2>Chat #${esc(c.ref)}, ${esc(c.createdAt)}</h2>${detailsHtml(c.visitor)}${c.messages
          .map(
            (m) =>
              `<article><p><strong>${esc(m.authorRole)}</strong> <time>${esc(m.at)}</time></p>` +
              `${m.text ? `<p>${esc(m.text)}</p>` : ''}` +
              `${m.files.length ? `<ul>${m.files.map(fileLine).join('')}</ul>` : ''}</article>`,
          )
          .join('\n')}</section>`,
    )
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Data export: ${esc(who)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem}
article{border-bottom:1px solid #ddd;padding:.5rem 0}</style></head>
<body><main><h1>Data export: ${esc(who)}</h1><p>Exported ${esc(t.exportedAt)}</p>
${chats}</main></body></html>
`;
}
