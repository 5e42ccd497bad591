// A chat as plain text for the visitor to keep: every message with its time and author, then the files' list.
import { authorLabel } from './MessageList.js';
import { formatSize } from './format.js';
import type { Message } from './types.js';

export function transcriptText(chatRef: string | undefined, messages: Message[]): string {
  const lines = [`Conversation${chatRef ? ` #${chatRef}` : ''}`, `Saved ${new Date().toISOString()}`, ''];
  const files: string[] = [];
  for (const m of messages) {
    const who = m.authorRole === 'system' || m.kind === 'event' ? '—' : authorLabel(m) || m.authorRole;
    const names = (m.files ?? []).map((f) => ('name' in f ? `${f.name} (${formatSize(f.size)})` : '(deleted file)'));
    const text = [m.text, names.length ? `[${names.join(', ')}]` : ''].filter(Boolean).join(' ');
    if (text) lines.push(`[${m.createdAt}] ${who}: ${text}`);
    for (const f of m.files ?? [])
      if ('name' in f) files.push(`- ${f.name}, ${formatSize(f.size)}, ${who}, ${m.createdAt}`);
  }
  lines.push('', files.length ? 'Files:' : 'No files.', ...files, '');
  return lines.join('\n');
}

/** Offers the transcript as a .txt download. */
export function downloadTranscript(chatRef: string | undefined, messages: Message[]) {
  const blob = new Blob([transcriptText(chatRef, messages)], { type: 'text/plain;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = `chat-${chatRef ?? 'transcript'}.txt`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
