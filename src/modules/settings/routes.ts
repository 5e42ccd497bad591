// HTTP for the admin's file upload configuration.
import { Type } from '@sinclair/typebox';
import type { Deps } from '../../deps.js';
import type { App } from '../../http/types.js';
import { staffOf } from '../../http/auth.js';
import { WsParams } from '../../http/types.js';
import { getFileSettings, putFileSettings } from './file-upload.js';

const SettingsBody = Type.Object({
  visitorUploadsEnabled: Type.Optional(Type.Boolean()),
  agentUploadsEnabled: Type.Optional(Type.Boolean()),
  visitorAllowedTypes: Type.Optional(Type.String({ maxLength: 1000 })),
  agentAllowedTypes: Type.Optional(Type.String({ maxLength: 1000 })),
  maxFileSizeKb: Type.Optional(Type.Integer()),
}, { additionalProperties: false });

export async function settingsRoutes(app: App, deps: Deps) {
  app.get('/api/workspaces/:ws/settings/file-upload', { config: { access: 'agent' }, schema: { tags: ['settings'], params: WsParams } }, async (request) => {
    // Agents may read the rules (their console checks files before sending); only admins change them.
    const ctx = staffOf(request);
    return getFileSettings(deps.db, ctx.workspaceId, deps.config.maxUploadMb);
  });
  app.put('/api/workspaces/:ws/settings/file-upload', { config: { access: 'admin' }, schema: { tags: ['settings'], params: WsParams, body: SettingsBody } }, async (request) => {
    const ctx = staffOf(request);
    return putFileSettings(deps.db, ctx.workspaceId, request.body as Record<string, unknown>, deps.config.maxUploadMb);
  });
}
