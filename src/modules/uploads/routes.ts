// HTTP for resumable uploads: /api/uploads/ (tus 1.0) handed raw to the tus server once Fastify has authenticated
// the caller and, for an existing upload, checked that it is the caller's own (404 otherwise, 410 when expired).
// Every refusal leaves here in the contract's JSON shape, the library's own plain-text errors included.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type DataStore, ERRORS, type Server } from '@tus/server';
import { sendNodeResponse } from 'srvx/node';
import { tusRequest } from './direct-body.js';
import type { Deps } from '../../deps.js';
import type { App } from '../../http/types.js';
import { AppError, unauthenticated } from '../../errors.js';
import { commitIsStale, finishUpload, ownedUpload, removeTusCopy, type UploadBytes } from './service.js';
import { asServerFault, errorBody, FILE_ID_HEADER, setTusContext, TUS_PATH, type TusRequestContext } from './tus.js';
import { errorResponse } from '../../http/openapi.js';
import { uploadsRepo } from './repo.js';
import { TUS_COLLECTION, TUS_UPLOAD, type TusOperation } from './tus-doc.js';

const METHODS = ['POST', 'HEAD', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** The contract's code for a status the tus library answered with on its own. */
function codeForStatus(status: number): string {
  const codes: Record<number, string> = {
    400: 'BAD_REQUEST',
    403: 'FORBIDDEN',
    404: 'NOT_FOUND',
    409: 'CONFLICT',
    410: 'UPLOAD_EXPIRED',
    412: 'BAD_REQUEST',
    413: 'FILE_TOO_LARGE',
    415: 'UNSUPPORTED_MEDIA_TYPE',
    423: 'CONFLICT',
    429: 'RATE_LIMITED',
    500: 'INTERNAL',
    503: 'UNAVAILABLE',
  };
  return codes[status] ?? (status >= 500 ? 'INTERNAL' : 'BAD_REQUEST');
}

/** The library's Response with our headers, and any error body turned into {error:{code,message}}. */
async function toContract(res: Response): Promise<Response> {
  const headers = new Headers(res.headers);
  headers.set('x-content-type-options', 'nosniff');
  headers.set('cache-control', 'no-store');
  if (res.status < 400) return new Response(res.body, { status: res.status, headers });
  const text = await res.text();
  let body: { error?: { code?: string; message?: string; retryAfterSeconds?: unknown } } | undefined;
  try {
    body = JSON.parse(text);
  } catch {}
  // 501: an extension Parley does not offer (concatenation, named in OPTIONS' Tus-Extension by its absence) was
  // asked for; the client's request, not a fault of the server (the contract's 500s are bugs and outages).
  if (res.status === 501) {
    return new Response(
      JSON.stringify(errorBody('BAD_REQUEST', 'Parley does not take concatenated (parallel) uploads: send one upload')),
      { status: 400, headers: jsonHeaders(headers) },
    );
  }
  if (!body?.error?.code) body = errorBody(codeForStatus(res.status), text.trim() || 'The upload request failed');
  const retry = body.error?.retryAfterSeconds;
  if (res.status === 429 || res.status === 503)
    headers.set('retry-after', String(typeof retry === 'number' ? Math.max(1, Math.ceil(retry)) : 1));
  return new Response(JSON.stringify(body), { status: res.status, headers: jsonHeaders(headers) });
}

/** A DELETE of an upload whose every byte has arrived: it is a File (or about to be one); delete that instead. */
function uploadComplete(fileId: string | null): AppError {
  return new AppError(
    'UPLOAD_COMPLETE',
    fileId
      ? 'This upload is complete: it is a file of the chat now; delete the file instead'
      : 'Every byte of this upload has arrived and it is being made a file of the chat; delete the file instead',
    fileId ? { fileId } : {},
  );
}

function jsonHeaders(headers: Headers): Headers {
  headers.set('content-type', 'application/json; charset=utf-8');
  headers.delete('content-length');
  return headers;
}

export async function uploadsRoutes(app: App, deps: Deps, tus: Server, store: DataStore & UploadBytes) {
  // tus bodies stream straight into the upload store: Fastify never reads or buffers them.
  app.addContentTypeParser('application/offset+octet-stream', (_request, _payload, done) => done(null));

  const handle = async (request: FastifyRequest, reply: FastifyReply) => {
    const { uploadId } = request.params as { uploadId?: string };
    const ctx: TusRequestContext = { actor: request.actor, log: request.log };
    if (request.method === 'POST' && uploadId)
      throw new AppError('BAD_REQUEST', 'Create uploads with POST /api/uploads/');
    if (request.method === 'POST' && !request.actor) throw unauthenticated();
    if (uploadId && request.method !== 'OPTIONS') {
      ctx.upload = await ownedUpload(deps, request.actor, uploadId);
      if (request.method === 'HEAD' && (ctx.upload.status === 'uploading' || commitIsStale(deps, ctx.upload))) {
        // Every byte stored but no File: the last PATCH's commit failed (storage or database down), or its node died
        // mid-commit (`committing` with a stale lease, taken over here).
        // A client resuming asks HEAD and, told the offset is the length, considers the upload done (tus-js-client
        // does): so the commit is finished here, and the answer names the File like a repeated last PATCH.
        const stored = await store.getUpload(uploadId).catch((err: { status_code?: number }) => {
          if (err?.status_code) return undefined; // the library's own answer (no such upload): tus says it below
          throw asServerFault(err);
        });
        if (stored?.size !== undefined && stored.offset === stored.size) {
          const fileId = await finishUpload(deps, store, ctx.upload, request.actor).catch((err: unknown) => {
            throw asServerFault(err);
          });
          ctx.upload = { ...ctx.upload, status: 'committed', file_id: fileId };
          // Once the answer is out, the tus copy goes, as after a last PATCH's commit (tus.ts, POST_FINISH).
          reply.raw.once('finish', () => removeTusCopy(store, uploadId, request.log));
        }
      }
      const done = ctx.upload;
      if (request.method === 'DELETE' && (done.status === 'committed' || done.status === 'committing'))
        throw uploadComplete(done.file_id);
      if (done.status === 'committed' && done.file_id) {
        // Its bytes are a File now: a client resuming it, or repeating the last PATCH, learns that it is complete.
        return reply
          .status(request.method === 'HEAD' ? 200 : 204)
          .header('tus-resumable', '1.0.0')
          .header('upload-offset', String(done.size))
          .header('upload-length', String(done.size))
          .header(FILE_ID_HEADER.toLowerCase(), done.file_id)
          .header('cache-control', 'no-store')
          .send();
      }
    }
    reply.hijack();
    setTusContext(request.raw, ctx);
    let response = await tus.handleWeb(tusRequest(request.raw, reply.raw));
    if (request.method === 'DELETE' && uploadId && response.status === ERRORS.INVALID_TERMINATION.status_code) {
      // The library refused to terminate a complete upload (its last PATCH ended while this DELETE waited for the
      // lock): say so in the contract's shape, naming the File once the commit has made it.
      // The library's headers (CORS, Tus-Resumable) stay; toContract sets the JSON ones.
      const refused = uploadComplete((await uploadsRepo.byId(deps.db, uploadId))?.file_id ?? null);
      const body = JSON.stringify(errorBody(refused.code, refused.message, refused.details));
      response = new Response(body, { status: refused.status, headers: response.headers });
    }
    // Hijacked, so the app's onSend hooks do not run: a completed upload's commit is made durable here.
    if (response.status < 400 && request.method !== 'HEAD' && request.method !== 'OPTIONS') await deps.flushWrites();
    await sendNodeResponse(reply.raw, await toContract(response));
  };

  // One route per method, so each protocol request is one operation of the document; the spellings tus clients
  // may use besides (no trailing slash, a method the URL does not serve) reach the same handler undocumented.
  const documented = new Map<string, TusOperation>([
    ...TUS_COLLECTION.map((op) => [`${op.method} ${TUS_PATH}/`, op] as const),
    ...TUS_UPLOAD.map((op) => [`${op.method} ${TUS_PATH}/:uploadId`, op] as const),
  ]);
  for (const url of [TUS_PATH, `${TUS_PATH}/`, `${TUS_PATH}/:uploadId`])
    for (const method of METHODS) {
      const op = documented.get(`${method} ${url}`);
      if (!op) {
        app.route({ method, url, schema: { hide: true }, handler: handle });
        continue;
      }
      app.route({
        method,
        url,
        config: {
          security: method === 'OPTIONS' ? [] : ['session', 'apiToken', 'visitorToken'],
          // Fastify's swagger names an own HEAD route "<id>-head"; the document keeps the name given here.
          openapi: { operationId: op.operationId, ...op.openapi },
          ...(method === 'HEAD' ? { swagger: { exposeHeadRoute: true } } : {}),
        },
        schema: {
          tags: ['uploads'],
          operationId: op.operationId,
          summary: op.summary,
          response: { ...op.success, ...Object.fromEntries(op.errors.map((s) => [s, errorResponse(s)])) },
        },
        handler: handle,
      });
    }
}
