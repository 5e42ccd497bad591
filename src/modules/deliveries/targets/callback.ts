// Sends one file to a workspace's HTTP callback: a Standard-Webhooks-signed multipart/form-data POST.
// The file is streamed twice (once through the HMAC, once to the network) and never buffered; every network
// outcome comes back as a CallbackResult with a plain reason, never as a thrown error.
import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { assertPublicUrl, createGuardedDispatcher, SsrfError } from './ssrf.js';
import { createPayloadSigner } from './signing.js';
import { exactBytes, FileReadError } from './exact-bytes.js';
import type { DeliveryFile, DeliveryTarget } from './index.js';
import { sendCallbackEvent } from './callback-event.js';

/** The file; `open` is called twice per send (sign, then send), and both streams must yield the same bytes. */
export type CallbackFile = DeliveryFile;

export interface SendCallbackOptions {
  url: string;
  signingSecret: string;
  /** The delivery id, sent as webhook-id (the same on every retry so receivers can de-duplicate). */
  deliveryId: string;
  timestampSec?: number;
  /** Text fields, sent before the file: chatID, fileId, fileName, mimeType, size, sha256, uploaderRole, ... */
  fields: Record<string, string>;
  file: CallbackFile;
  allowPrivate: boolean;
  connectTimeoutMs?: number;
  /** Whole exchange (send + answer); default 30 s plus one second per MB of file. */
  timeoutMs?: number;
}

export type CallbackResult =
  | { ok: true; httpStatus: number; uid?: string; url?: string; note?: string; responseBody: string }
  | { ok: false; httpStatus?: number; error: string; responseBody?: string };

const MAX_ANSWER_BYTES = 64 * 1024;
const USER_AGENT = 'Parley-Webhooks/1';

interface MultipartFrame {
  boundary: string;
  head: Buffer;
  tail: Buffer;
  contentLength: number;
}

// Per the HTML form-submission algorithm that RFC 7578 defers to: ", CR and LF in a name or file name are
// percent-encoded. The exact name is also sent losslessly in the fileName text field.
function escapeQuoted(value: string): string {
  return value.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

const MEDIA_TYPE = /^[\w!#$&^.+-]+\/[\w!#$&^.+-]+(\s*;[\x20-\x7e]*)?$/;

/** The file's content type if it is a well-formed media type; otherwise octet-stream, so it cannot add a header. */
function safeContentType(contentType: string): string {
  const trimmed = contentType.trim();
  return MEDIA_TYPE.test(trimmed) ? trimmed : 'application/octet-stream';
}

/** Everything around the file's bytes. One random boundary per send, so both passes produce identical bodies. */
function frameMultipart(fields: Record<string, string>, file: CallbackFile): MultipartFrame {
  const boundary = `----ParleyBoundary${crypto.randomBytes(16).toString('hex')}`;
  let head = '';
  for (const [name, value] of Object.entries(fields)) {
    head += `--${boundary}\r\nContent-Disposition: form-data; name="${escapeQuoted(name)}"\r\n\r\n${value}\r\n`;
  }
  head +=
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${escapeQuoted(file.name)}"\r\n` +
    `Content-Type: ${safeContentType(file.contentType)}\r\n\r\n`;
  const headBytes = Buffer.from(head, 'utf8');
  const tailBytes = Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8');
  return { boundary, head: headBytes, tail: tailBytes, contentLength: headBytes.length + file.size + tailBytes.length };
}

async function* bodyChunks(frame: MultipartFrame, file: CallbackFile): AsyncGenerator<Buffer> {
  yield frame.head;
  yield* exactBytes(file);
  yield frame.tail;
}

/** Reads the answer, or undefined once it passes MAX_ANSWER_BYTES (the rest is abandoned, not downloaded). */
async function readAnswer(body: Dispatcher.ResponseData['body']): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += (chunk as Buffer).length;
    if (total > MAX_ANSWER_BYTES) {
      body.destroy();
      return undefined;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** What the attempt log says when a receiver took the file but did not answer as the contract asks. */
export const UNEXPECTED_ANSWER = 'answer not in the expected format';

/**
 * Judges a 2xx answer by the contract: {"status":0,"uid":…,"url"?} succeeds with its uid; {"status":1,"message":…}
 * is a refusal, retried. Any other 2xx means the receiver took the file: it counts as delivered (with a note in the
 * attempt log) so that it is never sent twice.
 */
function judgeAnswer(httpStatus: number, responseBody: string): CallbackResult {
  let answer: unknown;
  try {
    answer = JSON.parse(responseBody);
  } catch {
    return { ok: true, httpStatus, note: UNEXPECTED_ANSWER, responseBody };
  }
  if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) {
    return { ok: true, httpStatus, note: UNEXPECTED_ANSWER, responseBody };
  }
  // NUL characters (a JSON "\u0000") are dropped from what is kept: PostgreSQL text cannot hold them, and an outcome
  // that cannot be recorded leaves the delivery leased, to be sent again and again.
  const { status, uid: rawUid, url: rawUrl, message: rawMessage } = answer as Record<string, unknown>;
  const [uid, url, message] = [rawUid, rawUrl, rawMessage].map((v) => (typeof v === 'string' ? withoutNul(v) : v));
  if (status === 1) {
    const reason = typeof message === 'string' && message ? message.slice(0, 500) : 'no message given';
    return { ok: false, httpStatus, error: `receiver refused: ${reason}`, responseBody };
  }
  const uidText = typeof uid === 'number' && Number.isFinite(uid) ? String(uid) : typeof uid === 'string' ? uid : '';
  if (status !== 0 || !uidText) return { ok: true, httpStatus, note: UNEXPECTED_ANSWER, responseBody };
  return { ok: true, httpStatus, uid: uidText, url: webUrl(url), responseBody };
}

/**
 * The receiver's access URL, kept only when it is an absolute http(s) URL: the admin pages and integrators' own
 * tools show it as a link, so a `javascript:` or `data:` "URL" from a receiver never reaches them.
 */
function webUrl(url: unknown): string | undefined {
  if (typeof url !== 'string' || url.length > 2048) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? url : undefined;
  } catch {
    return undefined;
  }
}

const withoutNul = (text: string) => (text.includes('\u0000') ? text.replaceAll('\u0000', '') : text);

/** The first error code along an error's causes (undici and happy-eyeballs wrap the socket's error). */
function findCause(err: unknown): { code?: string; ssrf?: SsrfError; file?: FileReadError } {
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  const found: { code?: string; ssrf?: SsrfError; file?: FileReadError } = {};
  while (queue.length > 0) {
    const current = queue.shift();
    if (!current || typeof current !== 'object' || seen.has(current)) continue;
    seen.add(current);
    if (current instanceof SsrfError) found.ssrf ??= current;
    if (current instanceof FileReadError) found.file ??= current;
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') found.code ??= code;
    queue.push((current as { cause?: unknown }).cause, ...((current as { errors?: unknown[] }).errors ?? []));
  }
  return found;
}

function describeFailure(err: unknown, timedOut: boolean, timeoutMs: number, connectTimeoutMs: number): string {
  if (timedOut) return `timed out after ${timeoutMs} ms`;
  const { code, ssrf, file } = findCause(err);
  if (ssrf) return ssrf.message;
  if (file) return file.message;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
      return 'connection reset by the receiver';
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return `could not connect within ${connectTimeoutMs} ms`;
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return `timed out after ${timeoutMs} ms`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
  }
  if (code && /CERT|TLS|SSL/.test(code)) return `TLS handshake failed (${code})`;
  return `request failed: ${(err as Error)?.message ?? String(err)}`;
}

/** POSTs the file and its fields to the callback URL and reports what happened. */
export async function sendCallback(opts: SendCallbackOptions): Promise<CallbackResult> {
  const connectTimeoutMs = opts.connectTimeoutMs ?? 5000;
  const timeoutMs = opts.timeoutMs ?? 30_000 + Math.ceil(opts.file.size / 1000); // 30 s + 1 MB/s
  const timestampSec = opts.timestampSec ?? Math.floor(Date.now() / 1000);

  try {
    await assertPublicUrl(opts.url, { allowPrivate: opts.allowPrivate, what: 'callback URL' });
  } catch (err) {
    return { ok: false, error: err instanceof SsrfError ? err.message : String(err) };
  }

  // Standard Webhooks signs the raw body, so the whole body goes through the HMAC before the first byte is sent.
  const frame = frameMultipart(opts.fields, opts.file);
  let signature: string;
  try {
    const signer = createPayloadSigner(opts.signingSecret, opts.deliveryId, timestampSec);
    for await (const chunk of bodyChunks(frame, opts.file)) signer.update(chunk);
    signature = signer.signature();
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }

  const { request } = await import('undici');
  const dispatcher = await createGuardedDispatcher({ allowPrivate: opts.allowPrivate, connectTimeoutMs });
  const abort = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort.abort();
  }, timeoutMs);
  try {
    const response = await request(opts.url, {
      method: 'POST',
      dispatcher,
      signal: abort.signal,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      headers: {
        'content-type': `multipart/form-data; boundary=${frame.boundary}`,
        'content-length': String(frame.contentLength),
        'user-agent': USER_AGENT,
        'webhook-id': opts.deliveryId,
        'webhook-timestamp': String(timestampSec),
        'webhook-signature': signature,
      },
      body: Readable.from(bodyChunks(frame, opts.file), { objectMode: false }),
    });
    const httpStatus = response.statusCode;
    const answer = await readAnswer(response.body);
    if (answer === undefined && httpStatus >= 200 && httpStatus < 300) {
      // A 2xx means the receiver took the file, whatever it says after: never sent again (the contract), only not
      // read past MAX_ANSWER_BYTES.
      return {
        ok: true,
        httpStatus,
        note: `${UNEXPECTED_ANSWER} (over ${MAX_ANSWER_BYTES / 1024} KiB)`,
        responseBody: '',
      };
    }
    const responseBody = answer ?? '';
    if (httpStatus >= 300 && httpStatus < 400) {
      // Following a redirect would let a public URL bounce us to a private one, and would re-send the file.
      const error = `receiver answered HTTP ${httpStatus}; redirects are not followed`;
      return { ok: false, httpStatus, error, responseBody };
    }
    if (httpStatus < 200 || httpStatus >= 300) {
      return { ok: false, httpStatus, error: `receiver answered HTTP ${httpStatus}`, responseBody };
    }
    return judgeAnswer(httpStatus, responseBody);
  } catch (err) {
    return { ok: false, error: describeFailure(err, timedOut, timeoutMs, connectTimeoutMs) };
  } finally {
    clearTimeout(timer);
    await dispatcher.destroy().catch(() => undefined);
  }
}

/** The callback as a delivery target: every send is signed with the workspace's secret and guarded against SSRF. */
export function createCallbackTarget(o: {
  url: string;
  signingSecret: string;
  allowPrivate: boolean;
  /** The exchange's time limit for a file of this size. */
  timeoutMs?: (size: number) => number;
  connectTimeoutMs?: number;
}): DeliveryTarget {
  return {
    kind: 'callback',
    async send(request) {
      const r = await sendCallback({
        url: o.url,
        signingSecret: o.signingSecret,
        deliveryId: request.deliveryId,
        fields: request.fields,
        file: request.file,
        allowPrivate: o.allowPrivate,
        timeoutMs: o.timeoutMs?.(request.file.size),
        connectTimeoutMs: o.connectTimeoutMs,
      });
      return r.ok
        ? { ok: true, httpStatus: r.httpStatus, uid: r.uid, url: r.url, note: r.note }
        : { ok: false, httpStatus: r.httpStatus, error: r.error };
    },
    deleteCopy: (request) =>
      sendCallbackEvent({
        url: o.url,
        signingSecret: o.signingSecret,
        deliveryId: request.deliveryId,
        event: request.event,
        allowPrivate: o.allowPrivate,
        connectTimeoutMs: o.connectTimeoutMs,
      }),
  };
}
