import { describe, expect, it } from 'vitest';
import { useServer } from '../../support/server.js';
import { eventually } from '../../support/eventually.js';
import { call, login, upload, widgetSession, addMember } from '../../support/client.js';
import { pdf, png } from '../../support/fixtures.js';
import { collect, connect } from '../../support/sockets.js';

const s = useServer();

describe('the side panel and List File', () => {
  it("lists a chat's files newest first, from both sides", async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    await upload(s.url, '/api/widget/chat/files', [{ name: 'first.pdf', data: pdf() }], { token: v.visitorToken });
    await upload(
      s.url,
      `/api/workspaces/${s.workspaceId}/chats/${v.chat.id}/files`,
      [{ name: 'second.png', data: await png() }],
      { cookie: s.owner },
    );
    const r = await call(s.url, 'GET', `/api/workspaces/${s.workspaceId}/chats/${v.chat.id}/files`, {
      cookie: s.owner,
    });
    expect(r.body.files.map((f: any) => [f.name, f.uploaderRole])).toEqual([
      ['second.png', 'agent'],
      ['first.pdf', 'visitor'],
    ]);
  });

  it('filters List File by chat, uploader, type, date range and name, with a cursor', async () => {
    const ws = (await call(s.url, 'POST', '/api/workspaces', { cookie: s.owner, body: { name: 'Listing' } })).body
      .workspace;
    const v1 = await widgetSession(s.url, ws.widgetKey);
    const v2 = await widgetSession(s.url, ws.widgetKey);
    await upload(s.url, '/api/widget/chat/files', [{ name: 'Contract 2026.pdf', data: pdf() }], {
      token: v1.visitorToken,
    });
    const t0 = new Date().toISOString();
    await upload(s.url, '/api/widget/chat/files', [{ name: 'photo.png', data: await png() }], {
      token: v2.visitorToken,
    });
    await upload(
      s.url,
      `/api/workspaces/${ws.id}/chats/${v1.chat.id}/files`,
      [{ name: 'reply_100%.pdf', data: pdf() }],
      { cookie: s.owner },
    );
    const list = async (q: string) =>
      (await call(s.url, 'GET', `/api/workspaces/${ws.id}/files${q}`, { cookie: s.owner })).body;
    expect((await list('')).files.map((f: any) => f.name)).toEqual([
      'reply_100%.pdf',
      'photo.png',
      'Contract 2026.pdf',
    ]);
    expect((await list(`?chatId=${v1.chat.id}`)).files.map((f: any) => f.name)).toEqual([
      'reply_100%.pdf',
      'Contract 2026.pdf',
    ]);
    expect((await list('?uploaderRole=agent')).files.map((f: any) => f.name)).toEqual(['reply_100%.pdf']);
    expect((await list('?type=png')).files.map((f: any) => f.name)).toEqual(['photo.png']);
    expect((await list(`?from=${encodeURIComponent(t0)}`)).files.map((f: any) => f.name)).toEqual([
      'reply_100%.pdf',
      'photo.png',
    ]);
    expect((await list(`?to=${encodeURIComponent(t0)}`)).files.map((f: any) => f.name)).toEqual(['Contract 2026.pdf']);
    expect((await list('?q=contract')).files.map((f: any) => f.name)).toEqual(['Contract 2026.pdf']);
    expect((await list('?q=100%25')).files.map((f: any) => f.name)).toEqual(['reply_100%.pdf']);
    expect((await list('?q=_')).files.map((f: any) => f.name)).toEqual(['reply_100%.pdf']);
    const p1 = await list('?limit=2');
    expect(p1.files).toHaveLength(2);
    const p2 = await list(`?limit=2&cursor=${p1.nextCursor}`);
    expect(p2.files.map((f: any) => f.name)).toEqual(['Contract 2026.pdf']);
    expect(p2.nextCursor).toBeNull();
    expect(p1.files[0].deliveries).toEqual([]);
  });

  it('keeps List File and deletion for admins: an agent gets 403', async () => {
    await addMember(s.url, s.owner, s.workspaceId, {
      email: 'ag@example.test',
      password: 'agent-password',
      role: 'agent',
    });
    const agent = await login(s.url, 'ag@example.test', 'agent-password');
    expect((await call(s.url, 'GET', `/api/workspaces/${s.workspaceId}/files`, { cookie: agent })).status).toBe(403);
    expect(
      (await call(s.url, 'DELETE', `/api/workspaces/${s.workspaceId}/files/whatever`, { cookie: agent })).status,
    ).toBe(403);
  });

  it('deletes a file: row, bytes and thumbnail gone, the chat shows it as deleted, and both sides are told', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const r = await upload(
      s.url,
      '/api/widget/chat/files',
      [
        { name: 'gone.png', data: await png() },
        { name: 'stays.pdf', data: pdf() },
      ],
      { token: v.visitorToken },
    );
    const [gone, stays] = r.body.files;
    // The thumbnail is made after the answer; wait for it so that its removal is tested too.
    const row = await eventually(async () => {
      const x = await s.parley.deps.db
        .selectFrom('files')
        .selectAll()
        .where('id', '=', gone.id)
        .executeTakeFirstOrThrow();
      expect(x.thumbnail_key).toBeTruthy();
      return x;
    });
    // The job goes on to the PDF, then announces the message (message.updated): let it finish, so the first
    // message.updated the socket sees below is the deletion's, not the thumbnail's.
    await s.parley.idle();
    const visitorSocket = await connect(s.url, { token: v.visitorToken });
    const deleted = collect(visitorSocket, 'file.deleted');
    const updated = collect(visitorSocket, 'message.updated');
    expect(
      (await call(s.url, 'DELETE', `/api/workspaces/${s.workspaceId}/files/${gone.id}`, { cookie: s.owner })).status,
    ).toBe(204);
    expect(await deleted.next()).toMatchObject({ fileId: gone.id, messageId: r.body.message.id });
    const live = await updated.next((p) => p.message.id === r.body.message.id);
    expect(live.message.files[0]).toEqual({ id: gone.id, deleted: true });
    expect(await s.parley.deps.storage.stat(row.storage_key)).toBeUndefined();
    expect(await s.parley.deps.storage.stat(row.thumbnail_key!)).toBeUndefined();
    expect((await call(s.url, 'GET', `/api/files/${gone.id}`, { cookie: s.owner })).status).toBe(404);
    const msgs = await call(s.url, 'GET', '/api/widget/chat/messages', { token: v.visitorToken });
    const m = msgs.body.messages.find((x: any) => x.id === r.body.message.id);
    expect(m.files).toEqual([
      { id: gone.id, deleted: true },
      expect.objectContaining({ id: stays.id, name: 'stays.pdf' }),
    ]);
    expect(
      (await call(s.url, 'DELETE', `/api/workspaces/${s.workspaceId}/files/${gone.id}`, { cookie: s.owner })).status,
    ).toBe(404);
    visitorSocket.close();
  });
});
