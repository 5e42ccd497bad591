// The console queue's line for a chat's last message.
import { expect, it } from 'vitest';
import { previewOf } from '../../../web/console/useQueue.js';
import type { Message } from '../../../web/ui/types.js';

const message = (m: Partial<Message>) =>
  ({ id: 'm', chatId: 'c', authorRole: 'visitor', kind: 'file', ...m }) as Message;

it('shows the text, else the files by name in plain words', () => {
  expect(previewOf(message({ text: 'Hello' }))).toBe('Hello');
  expect(previewOf(message({ files: [{ name: 'a.pdf' }] as Message['files'] }))).toBe('File: a.pdf');
  expect(previewOf(message({ files: [{ name: 'a.pdf' }, { id: 'x', deleted: true }] as Message['files'] }))).toBe(
    'Files: a.pdf, a deleted file',
  );
  expect(previewOf(message({}))).toBe('');
});
