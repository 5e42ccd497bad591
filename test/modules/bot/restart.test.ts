// The bot's state and timers live in the database: a server stopped while the bot waits for a file, and started
// again on the same data dir and database, carries on where it was (the upload continues the flow, a pending
// timeout still fires).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../../support/server.js';
import { dropPgDatabase } from '../../support/databases.js';
import { call, login, upload, widgetSession } from '../../support/client.js';
import { eventually } from '../../support/eventually.js';
import { PDF, chatOf, lastUploadRequest, uploadFlow, visitorMessages } from './helpers.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bot-restart-'));
const servers: TestServer[] = [];
let databaseUrl: string | undefined;

afterAll(async () => {
  for (const s of servers) await s.close().catch(() => {});
  fs.rmSync(dataDir, { recursive: true, force: true });
  if (databaseUrl) {
    // The first server kept its PostgreSQL database for the second; drop it here.
    await dropPgDatabase(databaseUrl);
  }
});

describe('restarting while the bot waits', () => {
  it("continues the flow with the visitor's upload, and runs a timeout that was pending, after a restart", async () => {
    const first = await startServer({ dataDir, keep: true });
    servers.push(first);
    databaseUrl = first.databaseUrl;
    const owner = await login(first.url, first.admin.email, first.admin.password);

    // Visitor 1: the default flow, waiting for a document.
    const v1 = await widgetSession(first.url, first.widgetKey);
    await call(first.url, 'POST', '/api/widget/chat/messages', { token: v1.visitorToken, body: { text: 'Ada' } });
    await call(first.url, 'POST', '/api/widget/chat/messages', {
      token: v1.visitorToken,
      body: { text: 'Send us a document' },
    });
    const request = lastUploadRequest(await visitorMessages(first.url, v1.visitorToken)).request;

    // Visitor 2: another workspace whose upload step times out a few seconds from now.
    const ws = (await call(first.url, 'POST', '/api/workspaces', { cookie: owner, body: { name: 'Timers' } })).body
      .workspace;
    await call(first.url, 'PUT', `/api/workspaces/${ws.id}/bot`, {
      cookie: owner,
      body: { flow: uploadFlow({ timeoutSeconds: 3, onTimeout: 'next' }) },
    });
    await call(first.url, 'POST', `/api/workspaces/${ws.id}/bot/publish`, { cookie: owner, body: {} });
    const v2 = await widgetSession(first.url, ws.widgetKey);
    const pending = lastUploadRequest(await visitorMessages(first.url, v2.visitorToken)).request;
    expect(pending.status).toBe('open');
    await first.close();
    servers.splice(servers.indexOf(first), 1);

    const second = await startServer({ dataDir, databaseUrl });
    servers.push(second);
    const owner2 = await login(second.url, second.admin.email, second.admin.password);
    const sent = await upload(second.url, '/api/widget/chat/files', [{ name: 'id-card.pdf', data: PDF }], {
      token: v1.visitorToken,
      fields: { requestId: request.id },
    });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    expect((await chatOf(second.url, owner2, second.workspaceId, v1.chat.id)).status).toBe('waiting');
    const files = await call(second.url, 'GET', `/api/workspaces/${second.workspaceId}/chats/${v1.chat.id}/files`, {
      cookie: owner2,
    });
    expect(files.body.files.map((f: any) => f.name)).toEqual(['id-card.pdf']);

    await eventually(async () => {
      const chat = await chatOf(second.url, owner2, ws.id, v2.chat.id);
      expect(chat.status).toBe('waiting');
      return chat;
    });
    expect(lastUploadRequest(await visitorMessages(second.url, v2.visitorToken)).request.status).toBe('expired');
  });
});
