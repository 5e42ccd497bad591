// List File's "Delete selected" (POST …/files/delete): a selection holding an id that is not this workspace's file
// (another workspace's, or one that never was — the two answer alike) is refused whole with 404 naming those ids, and
// nothing is deleted; a selection of the workspace's own files is deleted.
import { describe, expect, it } from 'vitest';
import { useServer } from '../../support/server.js';
import { upload, widgetSession } from '../../support/client.js';
import { pdf } from '../../support/fixtures.js';

const s = useServer();

describe('bulk delete', () => {
  it('refuses a selection with a foreign or unknown id with 404 and deletes nothing', async () => {
    const ws = (await s.asOwner('POST', '/api/workspaces', { name: 'bulk-delete' })).body.workspace;
    const other = (await s.asOwner('POST', '/api/workspaces', { name: 'bulk-delete-other' })).body.workspace;
    const send = async (widgetKey: string, name: string) => {
      const v = await widgetSession(s.url, widgetKey);
      return (await upload(s.url, '/api/widget/chat/files', [{ name, data: pdf() }], { token: v.visitorToken })).body
        .files[0] as { id: string };
    };
    const f1 = await send(ws.widgetKey, 'one.pdf');
    const f2 = await send(ws.widgetKey, 'two.pdf');
    const theirs = await send(other.widgetKey, 'theirs.pdf');
    const names = async (id: string) =>
      (await s.asOwner('GET', `/api/workspaces/${id}/files`)).body.files.map((f: { name: string }) => f.name).sort();

    for (const stranger of [theirs.id, 'no-such-file-id']) {
      const refused = await s.asOwner('POST', `/api/workspaces/${ws.id}/files/delete`, {
        fileIds: [f1.id, stranger, f2.id],
      });
      expect(refused.status).toBe(404);
      expect(refused.body).toEqual({
        error: { code: 'NOT_FOUND', message: expect.stringMatching(/nothing was done/), missing: [stranger] },
      });
    }
    expect(await names(ws.id)).toEqual(['one.pdf', 'two.pdf']);
    expect(await names(other.id)).toEqual(['theirs.pdf']);

    const done = await s.asOwner('POST', `/api/workspaces/${ws.id}/files/delete`, { fileIds: [f1.id, f2.id, f1.id] });
    expect(done.status).toBe(202);
    expect(done.body).toEqual({ deleted: 2 });
    expect(await names(ws.id)).toEqual([]);
    // Deleted files are not this workspace's any more: a second try is 404 too, like any id it cannot see.
    const again = await s.asOwner('POST', `/api/workspaces/${ws.id}/files/delete`, { fileIds: [f1.id] });
    expect(again.status).toBe(404);
  });
});
