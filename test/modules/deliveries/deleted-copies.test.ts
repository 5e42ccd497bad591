// "Also delete forwarded copies" reaches every copy the receiver may hold (Chatwoot #947: deletions left files
// behind). A callback whose answer never came (a timeout) may have stored the file all the same: when the file is
// deleted, the receiver is told, like one that answered. The event follows the published schema: no uid it never gave.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Value } from '@sinclair/typebox/value';
import { type ServerHandle, useServer } from '../../support/server.js';
import { upload, widgetSession } from '../../support/client.js';
import { pdf } from '../../support/fixtures.js';
import { eventually } from '../../support/eventually.js';
import { answers, startReceiver, type Receiver } from '../../support/receiver.js';
import { CallbackDeletedEventSchema } from '../../../src/modules/deliveries/callback-schema.js';

/** A server forwarding to its own receiver with "also delete forwarded copies" on, for the enclosing describe. */
function forwarding(env: Record<string, string> = {}) {
  const s = useServer({ env });
  const f = { s, receiver: undefined as unknown as Receiver };
  let secret: string | undefined;
  beforeAll(async () => {
    f.receiver = await startReceiver(() => secret);
    const put = await s.asOwner('PUT', s.api('/integrations/callback'), {
      url: f.receiver.url,
      disabled: false,
      deleteCopies: true,
    });
    expect(put.status).toBe(200);
    secret = put.body.signingSecret;
  });
  afterAll(async () => {
    await f.receiver?.close();
  });
  return f;
}

async function forwardedFile(s: ServerHandle, name: string) {
  const v = await widgetSession(s.url, s.widgetKey);
  const r = await upload(s.url, '/api/widget/chat/files', [{ name, data: pdf(2000, name) }], { token: v.visitorToken });
  expect(r.status).toBe(201);
  return { file: r.body.files[0] as { id: string; chatId: string } };
}
const deliveriesOf = async (s: ServerHandle, fileId: string) =>
  (await s.asOwner('GET', s.api(`/deliveries?fileId=${fileId}`))).body.deliveries as any[];

describe('deleting a file whose callback copy may exist: a receiver that never answers', () => {
  // A short callback timeout for the receiver that never answers; the cases below keep the product's 30 s, since a
  // test process stalled past a short one would time out an answer (a refused file then counts as a possible copy).
  const f = forwarding({ PARLEY_CALLBACK_TIMEOUT_MS: '500' });

  it('tells the receiver that took the file but never answered (every attempt timed out)', async () => {
    const { s, receiver } = f;
    receiver.behave(answers.hang());
    const { file } = await forwardedFile(s, 'taken.pdf');
    await eventually(async () => expect((await deliveriesOf(s, file.id))[0]?.status).toBe('dead'), {
      timeoutMs: 20_000,
    });
    // The receiver got the bytes every time; Parley never heard back.
    expect(receiver.received.filter((r) => r.fields.fileId === file.id && r.file?.size === 2000).length).toBe(4);

    receiver.behave(answers.ok());
    expect((await s.asOwner('DELETE', s.api(`/files/${file.id}`))).status).toBe(204);
    await receiver.waitFor((all) => all.some((r) => r.json?.fileId === file.id));
    const event = receiver.received.find((r) => r.json?.fileId === file.id)!;
    expect(event.signatureValid).toBe(true);
    expect(event.json).toEqual({ type: 'file.deleted', fileId: file.id, chatID: file.chatId });
    expect(Value.Check(CallbackDeletedEventSchema, event.json)).toBe(true);
    await eventually(async () => {
      const sent = (await deliveriesOf(s, file.id)).find((d) => d.kind === 'callback-event');
      expect(sent?.status).toBe('succeeded');
    });
  });
});

describe('deleting a file whose callback copy may exist', () => {
  const f = forwarding();

  it('sends an event that follows the schema when the receiver took the file without naming a uid', async () => {
    const { s, receiver } = f;
    receiver.behave(answers.noUid());
    const { file } = await forwardedFile(s, 'no-uid.pdf');
    await eventually(async () => expect((await deliveriesOf(s, file.id))[0]?.status).toBe('succeeded'));
    expect((await s.asOwner('DELETE', s.api(`/files/${file.id}`))).status).toBe(204);
    await receiver.waitFor((all) => all.some((r) => r.json?.fileId === file.id));
    const event = receiver.received.find((r) => r.json?.fileId === file.id)!;
    expect(event.json).toEqual({ type: 'file.deleted', fileId: file.id, chatID: file.chatId });
    expect(Value.Check(CallbackDeletedEventSchema, event.json)).toBe(true);
  });

  it('sends nothing for a file the receiver refused with status 1: no copy exists', async () => {
    const { s, receiver } = f;
    receiver.behave(answers.status1('not for us'));
    const refused = (await forwardedFile(s, 'refused.pdf')).file;
    await eventually(async () => expect((await deliveriesOf(s, refused.id))[0]?.status).toBe('dead'));
    receiver.behave(answers.ok());
    expect((await s.asOwner('DELETE', s.api(`/files/${refused.id}`))).status).toBe(204);
    // A later file's event arrives; none came for the refused one.
    const { file: later } = await forwardedFile(s, 'later.pdf');
    await eventually(async () => expect((await deliveriesOf(s, later.id))[0]?.status).toBe('succeeded'));
    expect((await s.asOwner('DELETE', s.api(`/files/${later.id}`))).status).toBe(204);
    await receiver.waitFor((all) => all.some((r) => r.json?.fileId === later.id));
    expect(receiver.received.filter((r) => r.json?.fileId === refused.id)).toEqual([]);
    expect((await deliveriesOf(s, refused.id)).map((d) => d.kind)).toEqual(['callback']);
  });
});
