// HTTP for the admin's file upload configuration.
import { Type } from '@sinclair/typebox';
import { ContentSafetySettingsSchema, FileUploadSettingsSchema } from './schemas.js';
import type { Deps } from '../../deps.js';
import type { App } from '../../http/types.js';
import { staffOf } from '../../http/auth.js';
import { WsParams } from '../../http/types.js';
import { getFileSettings, putFileSettings } from './file-upload.js';
import { auditActor } from '../../http/audit.js';
import { formSaved, withAudit } from '../audit/record.js';
import { getContentSafety, putContentSafety } from './content-safety.js';
import { embedRoutes } from './embed-routes.js';

const SettingsBody = Type.Object(
  {
    visitorUploadsEnabled: Type.Optional(Type.Boolean()),
    agentUploadsEnabled: Type.Optional(Type.Boolean()),
    visitorAllowedTypes: Type.Optional(Type.String({ maxLength: 1000 })),
    agentAllowedTypes: Type.Optional(Type.String({ maxLength: 1000 })),
    maxFileSizeKb: Type.Optional(Type.Integer()),
  },
  { additionalProperties: false },
);

const ContentSafetyBody = Type.Object(
  {
    whenScannerDown: Type.Optional(Type.Union([Type.Literal('refuse'), Type.Literal('accept')])),
    stripPhotoMetadata: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export async function settingsRoutes(app: App, deps: Deps) {
  await embedRoutes(app, deps);
  app.get(
    '/api/workspaces/:ws/settings/content-safety',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['settings'],
        summary: 'Content safety: scanner outage policy and photo metadata',
        params: WsParams,
        response: { 200: Type.Ref(ContentSafetySettingsSchema) },
      },
    },
    async (request) => {
      const ctx = staffOf(request);
      return { ...(await getContentSafety(deps.db, ctx.workspaceId)), scannerConfigured: !!deps.scanner };
    },
  );
  app.put(
    '/api/workspaces/:ws/settings/content-safety',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['settings'],
        summary: 'Changes the content safety settings',
        params: WsParams,
        body: ContentSafetyBody,
        response: { 200: Type.Ref(ContentSafetySettingsSchema) },
      },
    },
    async (request) => {
      const ctx = staffOf(request);
      const entry = formSaved('settings.changed', ctx.workspaceId, 'settings:content-safety', request.body);
      const saved = await withAudit(deps.db, auditActor(request), entry, (trx) =>
        putContentSafety(trx, ctx.workspaceId, request.body),
      );
      return { ...saved, scannerConfigured: !!deps.scanner };
    },
  );

  app.get(
    '/api/workspaces/:ws/settings/file-upload',
    {
      config: { access: 'agent' },
      schema: {
        tags: ['settings'],
        operationId: 'getFileUploadSettings',
        summary: 'The file upload configuration (agents may read it)',
        params: WsParams,
        response: { 200: Type.Ref(FileUploadSettingsSchema) },
      },
    },
    async (request) => {
      // Agents may read the rules (their console checks files before sending); only admins change them.
      const ctx = staffOf(request);
      return getFileSettings(deps.db, ctx.workspaceId, deps.config.maxUploadMb);
    },
  );
  app.put(
    '/api/workspaces/:ws/settings/file-upload',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['settings'],
        operationId: 'putFileUploadSettings',
        summary: 'Changes the file upload configuration; applies to the very next upload',
        params: WsParams,
        body: SettingsBody,
        response: { 200: Type.Ref(FileUploadSettingsSchema) },
      },
    },
    async (request) => {
      const ctx = staffOf(request);
      const body = request.body as Record<string, unknown>;
      const entry = formSaved('settings.changed', ctx.workspaceId, 'settings:file-upload', body);
      const saved = await withAudit(deps.db, auditActor(request), entry, (trx) =>
        putFileSettings(trx, ctx.workspaceId, body, deps.config.maxUploadMb),
      );
      deps.jobs.wake(); // visitor uploads turned off: the bot's open requests end now (bot.uploads_off)
      return saved;
    },
  );
}
