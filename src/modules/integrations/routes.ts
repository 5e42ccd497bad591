// HTTP for the AWS S3 and External CallBack integrations (admins only).
import { Type } from '@sinclair/typebox';
import type { Deps } from '../../deps.js';
import type { App } from '../../http/types.js';
import { staffOf } from '../../http/auth.js';
import { WsParams } from '../../http/types.js';
import { getS3Settings, putS3Settings, testS3Settings } from './s3-settings.js';
import { getCallbackSettings, putCallbackSettings, testCallback } from './callback-settings.js';

const S3Body = Type.Object({
  accessKeyId: Type.Optional(Type.String({ maxLength: 256 })),
  secretAccessKey: Type.Optional(Type.String({ maxLength: 1024, description: 'Write-only: never returned. Leave out to keep the stored one.' })),
  region: Type.Optional(Type.String({ maxLength: 64 })),
  bucket: Type.Optional(Type.String({ maxLength: 63 })),
  folder: Type.Optional(Type.String({ maxLength: 512 })),
  endpoint: Type.Optional(Type.Union([Type.String({ maxLength: 2048 }), Type.Null()])),
  forcePathStyle: Type.Optional(Type.Boolean()),
  disabled: Type.Optional(Type.Boolean({ description: 'Disable AWS S3 File Store' })),
});
const CallbackBody = Type.Object({
  url: Type.Optional(Type.String({ maxLength: 2048 })),
  disabled: Type.Optional(Type.Boolean()),
  rotateSecret: Type.Optional(Type.Boolean({ description: 'Generate a new whsec_ signing secret' })),
});

export async function integrationsRoutes(app: App, deps: Deps) {
  app.get('/api/workspaces/:ws/integrations/s3', { config: { access: 'admin' }, schema: { tags: ['integrations'], params: WsParams } }, async (request) => getS3Settings(deps, staffOf(request).workspaceId));
  app.put('/api/workspaces/:ws/integrations/s3', { config: { access: 'admin' }, schema: { tags: ['integrations'], params: WsParams, body: S3Body } }, async (request) => putS3Settings(deps, staffOf(request).workspaceId, request.body));
  app.post('/api/workspaces/:ws/integrations/s3/test', { config: { access: 'admin' }, schema: { tags: ['integrations'], params: WsParams } }, async (request) => testS3Settings(deps, staffOf(request).workspaceId));

  app.get('/api/workspaces/:ws/integrations/callback', { config: { access: 'admin' }, schema: { tags: ['integrations'], params: WsParams } }, async (request) => getCallbackSettings(deps, staffOf(request).workspaceId));
  app.put('/api/workspaces/:ws/integrations/callback', { config: { access: 'admin' }, schema: { tags: ['integrations'], params: WsParams, body: CallbackBody } }, async (request) => putCallbackSettings(deps, staffOf(request).workspaceId, request.body));
  app.post('/api/workspaces/:ws/integrations/callback/test', { config: { access: 'admin' }, schema: { tags: ['integrations'], params: WsParams } }, async (request) => testCallback(deps, staffOf(request).workspaceId));
}
