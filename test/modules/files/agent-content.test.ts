// An agent's file meets the same content checks as a visitor's (Chatwoot #9214, #9038: executables shared freely,
// no scanning): bytes that do not match the extension and malware are refused on the agent's multipart and tus
// routes alike, and nothing of them is stored for the visitor to download.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useServer } from '../../support/server.js';
import { upload, widgetSession } from '../../support/client.js';
import { pe } from '../../support/fixtures.js';
import { snapshot } from '../../support/leftovers.js';
import { EICAR, EICAR_SIGNATURE, startClamd, type Clamd } from '../../support/clamd.js';
import { tusUpload } from '../../support/tus.js';

let clamd: Clamd;
beforeAll(async () => {
  clamd = await startClamd();
}, 60_000);
afterAll(async () => {
  await clamd?.close();
});

const s = useServer(() => ({ env: { PARLEY_CLAMAV: clamd.address } }));

async function expectNothingStored(send: () => Promise<{ status: number; body: any }>, status: number) {
  const before = await snapshot(s);
  const r = await send();
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(await snapshot(s)).toEqual(before);
  return r.body.error;
}

describe("an agent's file", () => {
  it('is refused when its bytes are an executable dressed as a PDF, by multipart and by tus', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const auth = { cookie: s.owner };
    const multipart = await expectNothingStored(
      () => upload(s.url, s.api(`/chats/${v.chat.id}/files`), [{ name: 'invoice.pdf', data: pe() }], auth),
      415,
    );
    expect(multipart.code).toBe('CONTENT_MISMATCH');
    const tus = await expectNothingStored(
      () => tusUpload(s.url, auth, pe(), { filename: 'invoice.pdf', chatId: v.chat.id }),
      415,
    );
    expect(tus.code).toBe('CONTENT_MISMATCH');
  });

  it('is refused when the scanner finds malware, naming the signature', async () => {
    const v = await widgetSession(s.url, s.widgetKey);
    const err = await expectNothingStored(
      () =>
        upload(s.url, s.api(`/chats/${v.chat.id}/files`), [{ name: 'notes.txt', data: EICAR }], { cookie: s.owner }),
      422,
    );
    expect(err).toMatchObject({ code: 'MALWARE_DETECTED', signature: EICAR_SIGNATURE });
  });
});
