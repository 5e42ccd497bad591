// HTTP for List File's bulk actions (admins): delete a selection (with the forwarded copies, when configured),
// download a selection or everything matching the filters as one zip, and export the filtered list as CSV; the zip
// and the CSV are streamed page by page, so neither a million rows nor gigabytes of files ever sit in memory.
import { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import type { Deps } from '../../deps.js';
import type { App } from '../../http/types.js';
import { staffOf } from '../../http/auth.js';
import { auditActor } from '../../http/audit.js';
import { acceptFormJson } from '../../http/form-json.js';
import { notJson, queryTime, WsParams } from '../../http/types.js';
import { csvLine } from '../../csv.js';
import { recordAudit } from '../audit/record.js';
import { deletionDate, getRetention } from '../lifecycle/retention.js';
import { AppError, validationFailed } from '../../errors.js';
import { chatsRepo } from '../chats/repo.js';
import { listFiles } from './service.js';
import { purgeFiles } from './purge.js';
import { filesRepo } from './repo.js';
import { uniquePaths, zipStream, type ZipEntry } from './zip.js';
import type { FilesTable } from '../../db/types.js';

const ListQuery = Type.Object({
  chatId: Type.Optional(Type.String({ maxLength: 64 })),
  uploaderRole: Type.Optional(Type.Union([Type.Literal('visitor'), Type.Literal('agent'), Type.Literal('bot')])),
  type: Type.Optional(Type.String({ maxLength: 20 })),
  from: Type.Optional(Type.String({ format: 'date-time' })),
  to: Type.Optional(Type.String({ format: 'date-time' })),
  q: Type.Optional(Type.String({ maxLength: 200 })),
});

type Filter = {
  chatId?: string;
  uploaderRole?: 'visitor' | 'agent' | 'bot';
  type?: string;
  from?: string;
  to?: string;
  q?: string;
};

const ZipBody = Type.Object(
  {
    fileIds: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { minItems: 1, maxItems: 1000 })),
    filter: Type.Optional(
      Type.Object(
        {
          chatId: Type.Optional(Type.String({ maxLength: 64 })),
          uploaderRole: Type.Optional(
            Type.Union([Type.Literal('visitor'), Type.Literal('agent'), Type.Literal('bot')]),
          ),
          type: Type.Optional(Type.String({ maxLength: 20 })),
          from: Type.Optional(Type.String({ format: 'date-time' })),
          to: Type.Optional(Type.String({ format: 'date-time' })),
          q: Type.Optional(Type.String({ maxLength: 200 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

/** The files a zip holds, read a page at a time as the zip is written: a selection, or all that match a filter. */
async function* zipEntries(deps: Deps, workspaceId: string, body: { selected?: FilesTable[]; filter?: Filter }) {
  const unique = uniquePaths();
  const toEntries = async (rows: FilesTable[]): Promise<ZipEntry[]> => {
    const refs = await chatsRepo.refsOf(
      deps.db,
      rows.map((f) => f.chat_id),
    );
    // A quarantined file (infected, not released) is never served, not even in a zip.
    return rows
      .filter((f) => f.scan !== 'infected' || f.released_at)
      .map((f) => ({
        path: unique(`${refs.get(f.chat_id) ?? f.chat_id}/${f.name}`),
        key: f.storage_key,
        size: Number(f.size),
        mtime: new Date(f.created_at),
      }));
  };
  if (body.selected) {
    for (let i = 0; i < body.selected.length; i += 200) yield* await toEntries(body.selected.slice(i, i + 200));
    return;
  }
  const f = body.filter ?? {};
  let cursor: string | undefined;
  for (;;) {
    const page = await listFiles(deps, workspaceId, { ...f, cursor, limit: 200 });
    yield* await toEntries(page.rows);
    if (!page.nextCursor) return;
    cursor = page.nextCursor;
  }
}

/**
 * The selected files, every one of them this workspace's: an id that is not (another workspace's, or a file deleted
 * meanwhile — the two look the same) refuses the whole action with 404 naming those ids, and nothing is done.
 */
async function selection(deps: Deps, workspaceId: string, fileIds: string[]): Promise<FilesTable[]> {
  const ids = [...new Set(fileIds)];
  const rows: FilesTable[] = [];
  for (let i = 0; i < ids.length; i += 200)
    rows.push(...(await filesRepo.inWorkspace(deps.db, workspaceId, ids.slice(i, i + 200))));
  if (rows.length < ids.length) {
    const found = new Set(rows.map((r) => r.id));
    const missing = ids.filter((id) => !found.has(id));
    const which = missing.length === 1 ? 'One of the selected files is' : `${missing.length} of the selected files are`;
    const message = `${which} not in this workspace (deleted meanwhile, or never here); nothing was done`;
    throw new AppError('NOT_FOUND', message, { missing });
  }
  return rows;
}

export async function filesBulkRoutes(app: App, deps: Deps) {
  app.post(
    '/api/workspaces/:ws/files/delete',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['files'],
        summary: 'Deletes the selected files (bulk)',
        params: WsParams,
        body: Type.Object(
          { fileIds: Type.Array(Type.String({ maxLength: 64 }), { minItems: 1, maxItems: 1000 }) },
          { additionalProperties: false },
        ),
        response: {
          202: Type.Object({
            deleted: Type.Integer({ minimum: 0, description: 'How many of the selected files were deleted' }),
          }),
        },
      },
    },
    async (request, reply) => {
      const ctx = staffOf(request);
      // Another workspace's ids are not found here (404, as for any foreign id): nothing is touched or revealed.
      const files = await selection(deps, ctx.workspaceId, request.body.fileIds);
      let deleted = 0;
      for (let i = 0; i < files.length; i += 100)
        deleted += await purgeFiles(deps, files.slice(i, i + 100), auditActor(request), 'bulk');
      return reply.status(202).send({ deleted });
    },
  );

  // The admin's browser posts a form here, so that the zip streams to disk (http/form-json.ts).
  await app.register(async (scope: App) => {
    acceptFormJson(scope);
    scope.post(
      '/api/workspaces/:ws/files/zip',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['files'],
          description: 'Streams the selected files, or all files matching the filter, as one zip (flat memory)',
          params: WsParams,
          body: ZipBody,
          response: { 200: notJson('application/zip', 'The files as one zip (attachment files.zip)') },
        },
      },
      async (request, reply) => {
        const ctx = staffOf(request);
        const body = request.body;
        if (!body.fileIds && !body.filter)
          throw validationFailed({ fileIds: 'Give fileIds, or a filter ({} for all)' });
        // Checked before the first byte: the zip's entries are read while it streams.
        const filter = body.filter && {
          ...body.filter,
          from: queryTime(body.filter.from, 'filter.from'),
          to: queryTime(body.filter.to, 'filter.to'),
        };
        const selected = body.fileIds && (await selection(deps, ctx.workspaceId, body.fileIds));
        await recordAudit(deps.db, auditActor(request), {
          workspaceId: ctx.workspaceId,
          action: 'files.zip_downloaded',
          details: body.fileIds ? { selected: body.fileIds.length } : { filter: body.filter },
        });
        return reply
          .type('application/zip')
          .header('content-disposition', 'attachment; filename="files.zip"')
          .header('cache-control', 'no-store')
          .send(zipStream(deps.storage, zipEntries(deps, ctx.workspaceId, { selected, filter })));
      },
    );
  });

  app.get(
    '/api/workspaces/:ws/files.csv',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['files'],
        summary: "List File's filtered rows as CSV",
        params: WsParams,
        querystring: ListQuery,
        response: { 200: notJson('text/csv', "List File's filtered rows as CSV (attachment files.csv)") },
      },
    },
    async (request, reply) => {
      const ctx = staffOf(request);
      const q = request.query;
      // Checked before the first byte: the rows are read while the CSV streams.
      const from = queryTime(q.from, 'from');
      const to = queryTime(q.to, 'to');
      const retention = await getRetention(deps.db, ctx.workspaceId);
      await recordAudit(deps.db, auditActor(request), {
        workspaceId: ctx.workspaceId,
        action: 'files.exported',
        details: { filter: q },
      });
      async function* lines() {
        yield csvLine([
          'id',
          'chatId',
          'name',
          'size',
          'mimeType',
          'extension',
          'uploaderRole',
          'createdAt',
          'deleteAt',
        ]);
        let cursor: string | undefined;
        for (;;) {
          const page = await listFiles(deps, ctx.workspaceId, {
            ...q,
            from,
            to,
            cursor,
            limit: 500,
          });
          for (const f of page.rows)
            yield csvLine([
              f.id,
              f.chat_id,
              f.name,
              Number(f.size),
              f.mime_type,
              f.extension,
              f.uploader_role,
              f.created_at,
              deletionDate(retention, f),
            ]);
          if (!page.nextCursor) return;
          cursor = page.nextCursor;
        }
      }
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="files.csv"')
        .send(Readable.from(lines()));
    },
  );
}
