// HTTP for the AWS S3 and External CallBack integrations (admins only).
import { Type } from '@sinclair/typebox';
import { CallbackSettingsSchema, CallbackTestResultSchema, S3SettingsSchema, S3TestResultSchema } from './schemas.js';
import type { Deps } from '../../deps.js';
import type { App } from '../../http/types.js';
import { staffOf } from '../../http/auth.js';
import { WsParams } from '../../http/types.js';
import { getS3Settings, putS3Settings, testS3Settings } from './s3-settings.js';
import { getCallbackSettings, putCallbackSettings, testCallback } from './callback-settings.js';
import { auditActor } from '../../http/audit.js';
import { formSaved, withAudit } from '../audit/record.js';

const S3Body = Type.Object({
  accessKeyId: Type.Optional(Type.String({ maxLength: 256 })),
  secretAccessKey: Type.Optional(
    Type.String({ maxLength: 1024, description: 'Write-only: never returned. Leave out to keep the stored one.' }),
  ),
  region: Type.Optional(Type.String({ maxLength: 64 })),
  bucket: Type.Optional(Type.String({ maxLength: 63 })),
  folder: Type.Optional(Type.String({ maxLength: 512 })),
  endpoint: Type.Optional(Type.Union([Type.String({ maxLength: 2048 }), Type.Null()])),
  forcePathStyle: Type.Optional(Type.Boolean()),
  disabled: Type.Optional(Type.Boolean({ description: 'Disable AWS S3 File Store' })),
  deleteCopies: Type.Optional(Type.Boolean({ description: 'Also delete forwarded copies' })),
});
const CallbackBody = Type.Object({
  url: Type.Optional(Type.String({ maxLength: 2048 })),
  disabled: Type.Optional(Type.Boolean()),
  rotateSecret: Type.Optional(Type.Boolean({ description: 'Generate a new whsec_ signing secret' })),
  deleteCopies: Type.Optional(Type.Boolean({ description: 'Also delete forwarded copies (file.deleted events)' })),
});

export async function integrationsRoutes(app: App, deps: Deps) {
  app.get(
    '/api/workspaces/:ws/integrations/s3',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['integrations'],
        operationId: 'getS3Settings',
        summary: 'The AWS S3 settings (the secret key never appears)',
        params: WsParams,
        response: { 200: Type.Ref(S3SettingsSchema) },
      },
    },
    async (request) => getS3Settings(deps, staffOf(request).workspaceId),
  );
  app.put(
    '/api/workspaces/:ws/integrations/s3',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['integrations'],
        operationId: 'putS3Settings',
        summary: 'Saves the AWS S3 settings; the secret key is write-only',
        params: WsParams,
        body: S3Body,
        response: { 200: Type.Ref(S3SettingsSchema) },
      },
    },
    async (request) => {
      const ctx = staffOf(request);
      // Field names only: the secret key's value never reaches the audit log.
      const entry = formSaved('integration.changed', ctx.workspaceId, 'integration:s3', request.body);
      return withAudit(deps.db, auditActor(request), entry, (trx) =>
        putS3Settings({ ...deps, db: trx }, ctx.workspaceId, request.body),
      );
    },
  );
  app.post(
    '/api/workspaces/:ws/integrations/s3/test',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['integrations'],
        operationId: 'testS3Connection',
        summary: 'Test connection: writes and deletes a small object',
        description:
          'With settings in the body, tests those over the saved ones (the form before saving); saves nothing.',
        params: WsParams,
        body: Type.Optional(S3Body),
        response: { 200: Type.Ref(S3TestResultSchema) },
      },
    },
    async (request) => testS3Settings(deps, staffOf(request).workspaceId, request.body ?? {}),
  );

  app.get(
    '/api/workspaces/:ws/integrations/callback',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['integrations'],
        operationId: 'getCallbackSettings',
        summary: 'The External CallBack settings with the signing secret',
        params: WsParams,
        response: { 200: Type.Ref(CallbackSettingsSchema) },
      },
    },
    async (request) => getCallbackSettings(deps, staffOf(request).workspaceId),
  );
  app.put(
    '/api/workspaces/:ws/integrations/callback',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['integrations'],
        operationId: 'putCallbackSettings',
        summary: 'Saves the External CallBack settings (rotateSecret makes a new secret)',
        params: WsParams,
        body: CallbackBody,
        response: { 200: Type.Ref(CallbackSettingsSchema) },
      },
    },
    async (request) => {
      const ctx = staffOf(request);
      const entry = formSaved('integration.changed', ctx.workspaceId, 'integration:callback', request.body);
      return withAudit(deps.db, auditActor(request), entry, (trx) =>
        putCallbackSettings({ ...deps, db: trx }, ctx.workspaceId, request.body),
      );
    },
  );
  app.post(
    '/api/workspaces/:ws/integrations/callback/test',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['integrations'],
        operationId: 'testCallback',
        summary: 'Sends a test callback and reports the answer',
        description: 'With a url, tests that address (the form before saving); nothing is saved.',
        params: WsParams,
        body: Type.Optional(Type.Object({ url: Type.Optional(Type.String({ maxLength: 2000 })) })),
        response: { 200: Type.Ref(CallbackTestResultSchema) },
      },
    },
    async (request) => testCallback(deps, staffOf(request).workspaceId, request.body ?? {}),
  );
}
