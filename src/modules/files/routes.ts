// HTTP for uploads (visitor and agent), file metadata and bytes, the side panel, List File and deletion.
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.js';
import type { App } from '../../http/types.js';
import { staffOf } from '../../http/auth.js';
import { Cursor, WsChatParams, WsParams } from '../../http/types.js';
import { AppError, notFound } from '../../errors.js';
import { visibleWorkspaceIds } from '../workspaces/access.js';
import { staffChat, visitorChat, visitorAudience } from '../chats/service.js';
import { deliveriesByFile } from '../deliveries/view.js';
import type { FilesTable } from '../../db/types.js';
import { acceptUpload, deleteFile, fileForStaff, fileForVisitor, listFiles } from './service.js';
import { fileView } from './view.js';
import { filesRepo } from './repo.js';
import { verifyFileUrl, type Variant } from './signed-url.js';
import { sendStored } from './download.js';

const FileParams = Type.Object({ fileId: Type.String({ minLength: 1, maxLength: 64 }) });
const SignedQuery = Type.Object({ exp: Type.Optional(Type.String({ maxLength: 20 })), sig: Type.Optional(Type.String({ maxLength: 100 })) });
const multipartDoc = {
  consumes: ['multipart/form-data'],
  description: 'multipart/form-data: one or more parts named `file`, an optional `text` field, and `requestId` when answering a bot upload request. The body is streamed, never buffered.',
};

/** The multipart request body of the upload routes, for the OpenAPI document (Fastify never parses these bodies). */
export const uploadRequestBody = {
  required: true,
  content: {
    'multipart/form-data': {
      schema: {
        type: 'object',
        required: ['file'],
        properties: {
          file: { type: 'array', items: { type: 'string', format: 'binary' }, description: 'One or more files' },
          text: { type: 'string', maxLength: 10_000, description: 'Optional message text sent with the files' },
          requestId: { type: 'string', description: "Widget only: the bot's upload request these files answer" },
        },
      },
    },
  },
};
export const UPLOAD_ROUTES = ['/api/widget/chat/files', '/api/workspaces/{ws}/chats/{chatId}/files'];

export async function filesRoutes(app: App, deps: Deps) {
  /** Upload errors close the connection: the rest of a refused body is never read. */
  const closeOnError = (reply: FastifyReply) => async <T>(work: () => Promise<T>) => {
    try {
      return await work();
    } catch (err) {
      reply.header('connection', 'close');
      throw err;
    }
  };

  app.post('/api/widget/chat/files', { schema: { tags: ['widget', 'files'], ...multipartDoc } }, async (request, reply) => {
    return closeOnError(reply)(async () => {
      const chat = await visitorChat(deps.db, request.actor);
      const result = await acceptUpload(deps, request.raw, { chat, uploaderRole: 'visitor', uploaderId: chat.visitor_id });
      return reply.status(201).send(result);
    });
  });

  app.post('/api/workspaces/:ws/chats/:chatId/files', { config: { access: 'agent' }, schema: { tags: ['files'], params: WsChatParams, ...multipartDoc } }, async (request, reply) => {
    return closeOnError(reply)(async () => {
      const ctx = staffOf(request);
      const chat = await staffChat(deps.db, ctx, request.params.chatId);
      const result = await acceptUpload(deps, request.raw, { chat, uploaderRole: 'agent', uploaderId: ctx.userId ?? null, staff: ctx });
      return reply.status(201).send(result);
    });
  });

  app.get('/api/workspaces/:ws/chats/:chatId/files', { config: { access: 'agent' }, schema: { tags: ['files'], params: WsChatParams } }, async (request) => {
    const ctx = staffOf(request);
    const chat = await staffChat(deps.db, ctx, request.params.chatId);
    const rows = await filesRepo.forChat(deps.db, chat.id);
    return { files: await staffViews(deps, rows) };
  });

  app.get('/api/widget/chat/files', { schema: { tags: ['widget', 'files'] } }, async (request) => {
    const chat = await visitorChat(deps.db, request.actor);
    const rows = await filesRepo.forChat(deps.db, chat.id);
    return { files: rows.map((r) => fileView(r, visitorAudience(deps))) };
  });

  app.get('/api/workspaces/:ws/files', { config: { access: 'admin' },
    schema: {
      tags: ['files'],
      params: WsParams,
      querystring: Type.Object({
        chatId: Type.Optional(Type.String({ maxLength: 64 })),
        uploaderRole: Type.Optional(Type.Union([Type.Literal('visitor'), Type.Literal('agent'), Type.Literal('bot')])),
        type: Type.Optional(Type.String({ maxLength: 20 })),
        from: Type.Optional(Type.String({ format: 'date-time' })),
        to: Type.Optional(Type.String({ format: 'date-time' })),
        q: Type.Optional(Type.String({ maxLength: 200 })),
        cursor: Cursor,
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
      }),
    },
  }, async (request) => {
    const ctx = staffOf(request);
    const q = request.query;
    const iso = (v?: string) => (v ? new Date(v).toISOString() : undefined);
    const { rows, nextCursor } = await listFiles(deps, ctx.workspaceId, { ...q, from: iso(q.from), to: iso(q.to), limit: q.limit ?? 50 });
    return { files: await staffViews(deps, rows), nextCursor };
  });

  app.delete('/api/workspaces/:ws/files/:fileId', { config: { access: 'admin' }, schema: { tags: ['files'], params: Type.Object({ ws: Type.String(), fileId: Type.String() }) } }, async (request, reply) => {
    const ctx = staffOf(request);
    await deleteFile(deps, ctx.workspaceId, request.params.fileId);
    return reply.status(204).send();
  });

  app.get('/api/files/:fileId', { schema: { tags: ['files'], params: FileParams } }, async (request) => {
    const f = await authorisedFile(deps, request, request.params.fileId, undefined);
    if (request.actor?.kind === 'visitor') return { file: fileView(f, visitorAudience(deps)) };
    return { file: (await staffViews(deps, [f]))[0] };
  });

  for (const variant of ['content', 'thumbnail'] as const) {
    app.get(`/api/files/:fileId/${variant}`, { schema: { tags: ['files'], params: FileParams, querystring: SignedQuery } }, async (request, reply) => {
      const { fileId } = request.params as { fileId: string };
      const f = await authorisedFile(deps, request, fileId, variant);
      if (variant === 'thumbnail') {
        if (!f.thumbnail_key) throw notFound('This file has no thumbnail');
        const stat = await deps.storage.stat(f.thumbnail_key);
        if (!stat) throw notFound('This file has no thumbnail');
        return sendStored(deps.storage, request, reply, { key: f.thumbnail_key, name: `${f.name}.webp`, mimeType: 'image/webp', size: stat.size, etag: `${f.sha256}-thumb` });
      }
      return sendStored(deps.storage, request, reply, { key: f.storage_key, name: f.name, mimeType: f.mime_type, size: Number(f.size), etag: f.sha256 });
    });
  }
}

async function staffViews(deps: Deps, rows: FilesTable[]) {
  const deliveries = await deliveriesByFile(deps.db, rows.map((r) => r.id));
  return rows.map((r) => ({ ...fileView(r, { kind: 'staff' }), deliveries: deliveries.get(r.id) ?? [] }));
}

/** The chat's visitor, members of the workspace, or a valid signed URL; anyone else gets 404. */
async function authorisedFile(deps: Deps, request: FastifyRequest, fileId: string, variant: Variant | undefined): Promise<FilesTable> {
  const q = request.query as { exp?: string; sig?: string };
  if (variant && (q.sig || q.exp)) {
    if (!verifyFileUrl(deps.keyring, fileId, variant, q.exp, q.sig)) throw notFound('No such file (or the link expired)');
    const f = await filesRepo.byId(deps.db, fileId);
    if (!f) throw notFound('No such file');
    return f;
  }
  const actor = request.actor;
  if (!actor) throw new AppError('NOT_FOUND', 'No such file');
  if (actor.kind === 'visitor') return fileForVisitor(deps, actor.visitorId, fileId);
  return fileForStaff(deps, await visibleWorkspaceIds(deps.db, actor), fileId);
}
