// HTTP for uploads (visitor and agent), file metadata and bytes, the side panel, List File and deletion.
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.js';
import type { App } from '../../http/types.js';
import { staffOf } from '../../http/auth.js';
import { Cursor, NoContent, notJson, queryTime, WsChatParams, WsParams } from '../../http/types.js';
import { decodeCursor, encodeCursor } from '../../db/keyset.js';
import { AppError, notFound } from '../../errors.js';
import { visibleWorkspaceIds, workspaceRole } from '../workspaces/access.js';
import { staffChat, visitorChat, visitorAudience } from '../chats/service.js';
import { deliveriesByFile } from '../deliveries/view.js';
import { chatsRepo } from '../chats/repo.js';
import type { FilesTable } from '../../db/types.js';
import { acceptUpload, deleteFile, fileForStaff, fileForVisitor, listFiles } from './service.js';
import { fileView, isServable, seesFile } from './view.js';
import { releaseQuarantined } from './release.js';
import { filesRepo } from './repo.js';
import { verifyFileUrl, type Variant } from './signed-url.js';
import { sendStored } from './download.js';
import { auditActor } from '../../http/audit.js';
import { settleUnreadBody } from '../../http/unread-body.js';
import { recordAudit } from '../audit/record.js';
import { deletionDate, getRetention } from '../lifecycle/retention.js';
import { UploadResultSchema } from '../chats/schemas.js';
import { FileListSchema, FilePageSchema, FileSchema } from './schemas.js';

const FilesAnswer = Type.Ref(FileListSchema);
const FileAnswer = Type.Object({ file: Type.Ref(FileSchema) });
const UploadAnswer = Type.Ref(UploadResultSchema);

const FileParams = Type.Object({ fileId: Type.String({ minLength: 1, maxLength: 64 }) });
const SignedQuery = Type.Object({
  exp: Type.Optional(Type.String({ maxLength: 20 })),
  sig: Type.Optional(Type.String({ maxLength: 100 })),
});
const multipartDoc = {
  consumes: ['multipart/form-data'],
  description: 'Multipart: `file` parts, optional `text`, `requestId` for a bot request; streamed, never buffered',
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
  /**
   * The rest of a refused upload's body is never read — unless it is small, then it is read and dropped first and
   * the connection stays usable; otherwise the connection closes after the answer (http/unread-body.ts).
   */
  const closeOnError =
    (reply: FastifyReply) =>
    async <T>(work: () => Promise<T>) => {
      try {
        return await work();
      } catch (err) {
        await settleUnreadBody(reply);
        throw err;
      }
    };

  app.post(
    '/api/widget/chat/files',
    { schema: { tags: ['widget', 'files'], ...multipartDoc, response: { 201: UploadAnswer } } },
    async (request, reply) => {
      return closeOnError(reply)(async () => {
        const chat = await visitorChat(deps.db, request.actor);
        const result = await acceptUpload(deps, request.raw, {
          chat,
          uploaderRole: 'visitor',
          uploaderId: chat.visitor_id,
        });
        return reply.status(201).send(result);
      });
    },
  );

  app.post(
    '/api/workspaces/:ws/chats/:chatId/files',
    {
      config: { access: 'agent' },
      schema: { tags: ['files'], params: WsChatParams, ...multipartDoc, response: { 201: UploadAnswer } },
    },
    async (request, reply) => {
      return closeOnError(reply)(async () => {
        const ctx = staffOf(request);
        const chat = await staffChat(deps.db, ctx, request.params.chatId);
        const result = await acceptUpload(deps, request.raw, {
          chat,
          uploaderRole: 'agent',
          uploaderId: ctx.userId ?? null,
          staff: ctx,
        });
        return reply.status(201).send(result);
      });
    },
  );

  app.get(
    '/api/workspaces/:ws/chats/:chatId/files',
    {
      config: { access: 'agent' },
      schema: {
        tags: ['files'],
        summary: "A chat's files, newest first (the side panel)",
        params: WsChatParams,
        response: { 200: FilesAnswer },
      },
    },
    async (request) => {
      const ctx = staffOf(request);
      const chat = await staffChat(deps.db, ctx, request.params.chatId);
      const rows = await filesRepo.forChat(deps.db, chat.id).execute();
      return {
        files: await staffViews(
          deps,
          rows.filter((r) => seesFile(r, 'staff')),
        ),
      };
    },
  );

  app.get(
    '/api/widget/chat/files',
    {
      schema: { tags: ['widget', 'files'], summary: "The files of the visitor's chat", response: { 200: FilesAnswer } },
    },
    async (request) => {
      const chat = await visitorChat(deps.db, request.actor);
      const rows = await filesRepo.forChat(deps.db, chat.id).execute();
      return { files: rows.filter((r) => seesFile(r, 'visitor')).map((r) => fileView(r, visitorAudience(deps))) };
    },
  );

  app.get(
    '/api/workspaces/:ws/files',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['files'],
        summary: 'List File: every file of the workspace, filtered, newest first',
        params: WsParams,
        querystring: Type.Object({
          chatId: Type.Optional(Type.String({ maxLength: 64 })),
          uploaderRole: Type.Optional(
            Type.Union([Type.Literal('visitor'), Type.Literal('agent'), Type.Literal('bot')]),
          ),
          type: Type.Optional(Type.String({ maxLength: 20 })),
          from: Type.Optional(Type.String({ format: 'date-time' })),
          to: Type.Optional(Type.String({ format: 'date-time' })),
          q: Type.Optional(Type.String({ maxLength: 200 })),
          cursor: Cursor,
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
        }),
        response: { 200: Type.Ref(FilePageSchema) },
      },
    },
    async (request) => {
      const ctx = staffOf(request);
      const q = request.query;
      const { rows, nextCursor } = await listFiles(deps, ctx.workspaceId, {
        ...q,
        cursor: decodeCursor('files', q.cursor),
        from: queryTime(q.from, 'from'),
        to: queryTime(q.to, 'to'),
        limit: q.limit ?? 50,
      });
      // When retention will delete each file (null: kept forever), shown in List File.
      const retention = await getRetention(deps.db, ctx.workspaceId);
      const views = await staffViews(deps, rows);
      const files = views.map((v, i) => ({ ...v, deleteAt: deletionDate(retention, rows[i]!) }));
      return { files, nextCursor: encodeCursor('files', nextCursor) };
    },
  );

  app.delete(
    '/api/workspaces/:ws/files/:fileId',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['files'],
        summary: 'Deletes a file and its bytes',
        params: Type.Object({ ws: Type.String(), fileId: Type.String() }),
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      const ctx = staffOf(request);
      await deleteFile(deps, ctx.workspaceId, request.params.fileId, auditActor(request));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/workspaces/:ws/files/:fileId/release',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['files'],
        description: 'Releases a quarantined (infected) file after the admin confirms: it is announced and forwarded.',
        params: Type.Object({ ws: Type.String(), fileId: Type.String() }),
        body: Type.Object({ confirm: Type.Literal(true) }, { additionalProperties: false }),
        response: { 200: FileAnswer },
      },
    },
    async (request) => {
      const ctx = staffOf(request);
      const f = await releaseQuarantined(
        deps,
        ctx.workspaceId,
        request.params.fileId,
        ctx.userId ?? null,
        auditActor(request),
      );
      return { file: (await staffViews(deps, [f]))[0] };
    },
  );

  app.get(
    '/api/files/:fileId',
    { schema: { tags: ['files'], summary: "A file's metadata", params: FileParams, response: { 200: FileAnswer } } },
    async (request) => {
      const f = await authorisedFile(deps, request, request.params.fileId, undefined);
      if (request.actor?.kind === 'visitor') return { file: fileView(f, visitorAudience(deps)) };
      return { file: (await staffViews(deps, [f]))[0] };
    },
  );

  for (const variant of ['content', 'thumbnail'] as const) {
    app.get(
      `/api/files/:fileId/${variant}`,
      {
        schema: {
          tags: ['files'],
          summary:
            variant === 'content'
              ? "A file's bytes, as an attachment (Range, ETag)"
              : "A file's WebP thumbnail (Range, ETag)",
          params: FileParams,
          querystring: SignedQuery,
          response: {
            200: notJson('application/octet-stream', 'The bytes, as an attachment (nosniff, sandboxing CSP, ETag)'),
            206: notJson('application/octet-stream', 'The requested range of the bytes (Range: bytes=…)'),
          },
        },
      },
      async (request, reply) => {
        const { fileId } = request.params as { fileId: string };
        const f = await authorisedFile(deps, request, fileId, variant);
        if (variant === 'thumbnail') {
          if (!f.thumbnail_key) throw notFound('This file has no thumbnail');
          const stat = await deps.storage.stat(f.thumbnail_key);
          if (!stat) throw notFound('This file has no thumbnail');
          return sendStored(deps.storage, request, reply, {
            key: f.thumbnail_key,
            name: `${f.name}.webp`,
            mimeType: 'image/webp',
            size: stat.size,
            etag: `${f.sha256}-thumb`,
          });
        }
        // Staff downloads are accountable; a visitor fetching their own chat's file is not a staff action. Only
        // bytes sent count (sendStored): a 304, a 416 or a HEAD is no download.
        const actor = request.actor;
        const staff = !(request.query as { sig?: string }).sig && (actor?.kind === 'user' || actor?.kind === 'token');
        const downloaded = async (ranged: boolean) => {
          await recordAudit(deps.db, auditActor(request), {
            workspaceId: f.workspace_id,
            action: 'file.downloaded',
            target: `file:${f.id}`,
            details: ranged ? { range: true } : {},
          });
        };
        const file = { key: f.storage_key, name: f.name, mimeType: f.mime_type, size: Number(f.size), etag: f.sha256 };
        return sendStored(deps.storage, request, reply, file, staff ? downloaded : undefined);
      },
    );
  }
}

async function staffViews(deps: Deps, rows: FilesTable[]) {
  const deliveries = await deliveriesByFile(
    deps.db,
    rows.map((r) => r.id),
  );
  const refs = await chatsRepo.refsOf(
    deps.db,
    rows.map((r) => r.chat_id),
  );
  return rows.map((r) => ({
    ...fileView(r, { kind: 'staff' }),
    chatRef: refs.get(r.chat_id) ?? '',
    deliveries: deliveries.get(r.id) ?? [],
  }));
}

/** Why a visible file's bytes are not served: held for its scan, or blocked as malware. */
function notServable(f: FilesTable): AppError {
  return new AppError(
    'FORBIDDEN',
    f.scan === 'pending' ? 'This file is held until its malware scan finishes' : 'File blocked: it contains malware',
    { scan: f.scan },
  );
}

/**
 * The chat's visitor, members of the workspace, or a valid signed URL; anyone else gets 404. A file held for its
 * malware scan is known only to its uploader's side and admins; its bytes (and a quarantined file's) are served
 * to nobody but admins (pending) or nobody at all (infected, until an admin releases it).
 */
async function authorisedFile(
  deps: Deps,
  request: FastifyRequest,
  fileId: string,
  variant: Variant | undefined,
): Promise<FilesTable> {
  const q = request.query as { exp?: string; sig?: string };
  if (variant && (q.sig || q.exp)) {
    if (!verifyFileUrl(deps.keyring, fileId, variant, q.exp, q.sig))
      throw notFound('No such file (or the link expired)');
    const f = await filesRepo.byId(deps.db, fileId);
    if (!f || !seesFile(f, 'visitor')) throw notFound('No such file');
    if (!isServable(f)) throw notServable(f);
    return f;
  }
  const actor = request.actor;
  if (!actor) throw new AppError('NOT_FOUND', 'No such file');
  if (actor.kind === 'visitor') {
    const f = await fileForVisitor(deps, actor.visitorId, fileId);
    if (!seesFile(f, 'visitor')) throw notFound('No such file');
    if (variant && !isServable(f)) throw notServable(f);
    return f;
  }
  const f = await fileForStaff(deps, await visibleWorkspaceIds(deps.db, actor), fileId);
  if (seesFile(f, 'staff') && (!variant || isServable(f))) return f;
  const admin = (await workspaceRole(deps.db, actor, f.workspace_id)) === 'admin';
  if (!seesFile(f, 'staff') && !admin) throw notFound('No such file');
  if (variant && !isServable(f) && !(admin && f.scan === 'pending')) throw notServable(f);
  return f;
}
