// A side's upload switch is the server's rule, not the widget's (Rocket.Chat #14840: visitors kept uploading with
// uploads off, because the setting lived only in the UI). Every way bytes can come in is refused once the side is
// off: multipart and tus, by cookie and by API token, a bot request's answer, and a tus upload begun before the switch
// and finished after it. Each refusal leaves nothing behind.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { useServer } from '../../support/server.js';
import { call, upload, widgetSession } from '../../support/client.js';
import { pdf } from '../../support/fixtures.js';
import { snapshot } from '../../support/leftovers.js';
import { eventually } from '../../support/eventually.js';
import { tusCreate, tusPatch, tusUpload } from '../../support/tus.js';
import { documentRequestOf, lastUploadRequest, visitorMessages } from '../bot/helpers.js';

const s = useServer({ env: { PARLEY_VISITOR_FILES_PER_MINUTE: '1000' } });

const setRules = (body: Record<string, unknown>) => s.asOwner('PUT', s.api('/settings/file-upload'), body);
afterEach(async () => {
  await setRules({ visitorUploadsEnabled: true, agentUploadsEnabled: true });
});

/** The files, messages, deliveries, objects and temp files of the workspace, and the tus store's unfinished uploads. */
const tusDir = () => path.join(s.dataDir, 'uploads');
const state = async () => ({
  ...(await snapshot(s)),
  tus: fs.existsSync(tusDir()) ? fs.readdirSync(tusDir()).length : 0,
});

async function expectDisabled(send: () => Promise<{ status: number; body: any }>, side: 'visitor' | 'agent') {
  const before = await state();
  const r = await send();
  expect(r.status, JSON.stringify(r.body)).toBe(403);
  expect(r.body.error).toMatchObject({
    code: 'UPLOADS_DISABLED',
    message: `File uploads are turned off for ${side}s`,
  });
  expect(await state()).toEqual(before);
}

describe('a side turned off', () => {
  it('refuses agents on every route: multipart and tus, by session cookie and by API token', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const token = (await s.asOwner('POST', s.api('/tokens'), { name: 'integration' })).body.token as string;
    const route = s.api(`/chats/${v.chat.id}/files`);
    const file = [{ name: 'answer.pdf', data: pdf() }];
    await setRules({ agentUploadsEnabled: false });
    for (const auth of [{ cookie: s.owner }, { token }]) {
      await expectDisabled(() => upload(s.url, route, file, auth), 'agent');
      await expectDisabled(
        () => tusCreate(s.url, auth, 5000, { filename: 'answer.pdf', chatId: v.chat.id }, pdf(5000)),
        'agent',
      );
      await expectDisabled(() => tusCreate(s.url, auth, 5000, { filename: 'answer.pdf', chatId: v.chat.id }), 'agent');
    }
    // The visitor's side is its own switch.
    const visitorFile = await upload(s.url, '/api/widget/chat/files', file, { token: v.visitorToken });
    expect(visitorFile.status).toBe(201);
  });

  it("refuses answers to the bot's upload request by multipart and by tus; the request ends", async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const request = await documentRequestOf(s.url, v.visitorToken);
    expect(request.status).toBe('open');
    await setRules({ visitorUploadsEnabled: false });
    const auth = { token: v.visitorToken };
    await expectDisabled(
      () =>
        upload(s.url, '/api/widget/chat/files', [{ name: 'id.pdf', data: pdf() }], {
          ...auth,
          fields: { requestId: request.id },
        }),
      'visitor',
    );
    await expectDisabled(() => tusCreate(s.url, auth, 5000, { filename: 'id.pdf', requestId: request.id }), 'visitor');
    await expectDisabled(() => tusUpload(s.url, auth, pdf(5000), { filename: 'id.pdf' }), 'visitor');
    // The request ends (it could never be answered: bot/uploads-off.ts); the session tells the widget uploads are off.
    await s.parley.idle();
    expect(lastUploadRequest(await visitorMessages(s.url, v.visitorToken)).request.status).toBe('expired');
    expect((await widgetSession(s.url, s.widgetKey, v.visitorToken)).uploads.enabled).toBe(false);
  });

  it('refuses at its last byte a tus upload begun while the side was on, and keeps none of its bytes', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const auth = { token: v.visitorToken };
    const bytes = pdf(600_000);
    const before = await state();
    const created = await tusCreate(s.url, auth, bytes.length, { filename: 'long.pdf' });
    expect(created.status).toBe(201);
    const first = await tusPatch(created.url!, auth, 0, bytes.subarray(0, 300_000));
    expect(first.status).toBe(204);

    await setRules({ visitorUploadsEnabled: false });
    const last = await tusPatch(created.url!, auth, 300_000, bytes.subarray(300_000));
    expect(last.status, JSON.stringify(last.body)).toBe(403);
    expect(last.body.error.code).toBe('UPLOADS_DISABLED');
    expect(last.headers.get('parley-file-id')).toBeNull();
    // No File, message or object; the tus copy goes too.
    await eventually(async () => expect(await state()).toEqual(before));
    const files = (await call(s.url, 'GET', '/api/widget/chat/files', { token: v.visitorToken })).body.files;
    expect(files).toEqual([]);
  });
});
