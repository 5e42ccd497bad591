// A complete Parley callback receiver (Node.js 20+, no dependencies): checks the signature over the raw bytes, reads
// the multipart `file` and `chatID`, keeps the file, and answers {"status":0,"uid":…,"url":…} so Parley records it
// and never sends it again. Run: PARLEY_SECRET=whsec_… PORT=8080 node callback-receiver.mjs [folder]
// Parley's test suite runs this file as a real process against a real server (test/modules/integrations).
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { verifyCallback } from './verify-callback.mjs';

const secret = process.env.PARLEY_SECRET ?? '';
if (!/^whsec_[A-Za-z0-9+/=]{16,}$/.test(secret)) {
  // Without the secret anyone could sign a request (an HMAC with an empty key is easy to make).
  console.error('Set PARLEY_SECRET to the signing secret shown on the External CallBack page (whsec_…)');
  process.exit(1);
}
const folder = process.argv[2] ?? 'received';
const publicBase = process.env.PUBLIC_BASE ?? 'https://files.example.com';
await fs.mkdir(folder, { recursive: true });

const answer = (res, code, body) => {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

const server = http.createServer(async (req, res) => {
  try {
    // Kept as bytes (never decoded to text) until the signature is checked. For very large files, stream to a
    // temporary file while hashing instead of holding the body in memory.
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const raw = Buffer.concat(chunks);
    if (!verifyCallback(secret, req.headers, raw)) return answer(res, 401, { status: 1, error: 'bad signature' });
    if (!String(req.headers['content-type']).startsWith('multipart/form-data')) {
      // JSON events (file.deleted when "Also delete forwarded copies" is on): delete your copy of body.uid here.
      const event = JSON.parse(raw.toString('utf8'));
      console.log('event', event.type, event.uid ?? event.fileId);
      return answer(res, 200, { status: 0 });
    }
    const form = await new Response(raw, { headers: { 'content-type': req.headers['content-type'] } }).formData();
    const file = form.get('file');
    const chatID = String(form.get('chatID') ?? '');
    const uid = crypto.randomUUID();
    // Never trust the sent name for a path: keep its last segment, with a unique prefix.
    const name = `${uid}-${path.basename(file.name).replace(/[^\w.-]+/g, '_')}`;
    await fs.writeFile(path.join(folder, name), Buffer.from(await file.arrayBuffer()));
    console.log('file', chatID, file.name, file.size);
    // status 0 = taken: Parley records uid and url and does not send this file again.
    // status 1 = refused: Parley retries later. Any other 2xx counts as delivered, noted as an unexpected answer.
    return answer(res, 200, { status: 0, uid, url: `${publicBase}/${name}` });
  } catch (err) {
    console.error(err);
    answer(res, 500, { status: 1, error: 'could not store the file' });
  }
});
server.listen(Number(process.env.PORT ?? 8080), process.env.HOST ?? '0.0.0.0', () =>
  console.log(`listening on ${server.address().port}`),
);
