// A tus request's body read straight from Node's request. @tus/server takes a web Request: srvx turns the Node request
// into one whose body is a web ReadableStream (Readable.toWeb), and the library turns that body back into a Node
// stream (Readable.fromWeb) to write it to the store — two adapters whose per-chunk promises were a fifth of the
// server's busy time in a 400 MiB resumable upload (issue 18 profile). Here the Request's body stands for the Node
// request itself, and the PATCH and POST handlers write the Node request to the store as the library's own
// writeToStore does (same proxy, size limit, abort and error handling), without the round trip through web streams.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type CancellationContext, ERRORS, EVENTS, type Server, StreamLimiter, type Upload } from '@tus/server';
import { NodeRequest } from 'srvx/node';

/** Stand-in bodies of the requests made here, each naming its Node request. */
const nodeBodies = new WeakMap<ReadableStream, IncomingMessage>();

/** The web Request tus is handed: headers, URL and signal from srvx; the body only a stand-in for `req`. */
export function tusRequest(req: IncomingMessage, res: ServerResponse): Request {
  const request = new NodeRequest({ req, res });
  let body: ReadableStream | null | undefined;
  Object.defineProperty(request, 'body', {
    get() {
      if (body === undefined) {
        body = request.method === 'GET' || request.method === 'HEAD' ? null : new ReadableStream();
        if (body) nodeBodies.set(body, req);
      }
      return body;
    },
  });
  return request;
}

interface BodyWriter {
  store: { write(stream: NodeJS.ReadableStream, id: string, offset: number): Promise<number> };
  listenerCount(event: string): number;
  writeToStore(body: ReadableStream | null, upload: Upload, max: number, context: CancellationContext): Promise<number>;
}

/** Makes the server's PATCH and POST handlers read a stand-in body's Node request directly. */
export function readBodiesDirectly(server: Server): void {
  for (const handler of [server.handlers.PATCH, server.handlers.POST] as unknown as BodyWriter[]) {
    const original = handler.writeToStore.bind(handler);
    handler.writeToStore = (body, upload, max, context) => {
      const req = body && nodeBodies.get(body);
      // A POST_RECEIVE listener wants the library's progress events: its own path then.
      if (!req || handler.listenerCount(EVENTS.POST_RECEIVE) > 0) return original(body, upload, max, context);
      return writeNodeBody(handler, req, upload, max, context);
    };
  }
}

/** @tus/server's BaseHandler.writeToStore (2.4), reading `req` where the library reads Readable.fromWeb(body). */
async function writeNodeBody(
  handler: BodyWriter,
  req: IncomingMessage,
  upload: Upload,
  maxFileSize: number,
  context: CancellationContext,
): Promise<number> {
  if (context.signal.aborted) throw ERRORS.ABORTED;
  // The proxy keeps a failure of the store's side from destroying the request (the client would see a hang-up
  // instead of the answer).
  const proxy = new PassThrough();
  let sourceError: unknown;
  let hasSourceError = false;
  const onSourceError = (error: Error) => {
    sourceError = error;
    hasSourceError = true;
    req.unpipe(proxy);
    // A request cut by its client aborts the signal first (the response closes); the bytes so far are then kept.
    if (!context.signal.aborted) proxy.destroy(error);
  };
  req.on('error', onSourceError);
  const onAbort = () => {
    req.unpipe(proxy);
    if (!proxy.destroyed) proxy.end();
  };
  context.signal.addEventListener('abort', onAbort, { once: true });
  try {
    // The last stage is handed the limiter itself (a Node stream), and the pipeline resolves with the new offset.
    const offset: unknown = await pipeline(
      req.pipe(proxy),
      new StreamLimiter(maxFileSize),
      (limited: AsyncIterable<Buffer>) =>
        handler.store.write(limited as unknown as NodeJS.ReadableStream, upload.id, upload.offset),
    );
    return offset as number;
  } catch (error) {
    req.unpipe(proxy);
    const isSourceError = hasSourceError && error === sourceError;
    const isAbortError = error instanceof Error && error.name === 'AbortError';
    throw isSourceError || isAbortError ? ERRORS.ABORTED : error;
  } finally {
    req.off('error', onSourceError);
    context.signal.removeEventListener('abort', onAbort);
  }
}
