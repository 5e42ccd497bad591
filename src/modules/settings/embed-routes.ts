// HTTP for the widget's embed settings: the admin's GET/PUT, the loader's public look-up of the widget's appearance
// (cross-origin, refused for websites not allowed), and the widget page's frame-ancestors header.
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.js';
import type { App } from '../../http/types.js';
import { WsParams } from '../../http/types.js';
import { staffOf } from '../../http/auth.js';
import { auditActor } from '../../http/audit.js';
import { notFound } from '../../errors.js';
import { formSaved, withAudit } from '../audit/record.js';
import { EmbedSettingsSchema, WidgetAppearanceSchema } from './schemas.js';
import {
  appearanceOf,
  checkEmbedOrigin,
  frameAncestors,
  getEmbedSettings,
  normaliseOrigin,
  putEmbedSettings,
  type RequestOrigin,
  widgetByKey,
} from './embed.js';

const EmbedBody = Type.Object(
  {
    color: Type.Optional(Type.String({ maxLength: 20 })),
    position: Type.Optional(Type.Union([Type.Literal('bottom-right'), Type.Literal('bottom-left')])),
    greeting: Type.Optional(Type.String({ maxLength: 2000 })),
    allowedOrigins: Type.Optional(Type.Array(Type.String({ maxLength: 300 }), { maxItems: 200 })),
  },
  { additionalProperties: false },
);

/**
 * Whether a request is for something under /widget/ (the iframe the loader creates: /widget/?key=…). Judged on the
 * percent-decoded path, as the static files answer it: `/widget/%69ndex.html` is the same page and must carry the
 * same policy (a raw-path match let it be framed anywhere).
 */
export function underWidget(url: string): boolean {
  const raw = url.split('?')[0] ?? '';
  try {
    return decodeURIComponent(raw).startsWith('/widget/');
  } catch {
    return false; // malformed escapes: the static files answer 400/404, not the page
  }
}

/** Where a widget request comes from: its Origin header, the embedding page it names, and Parley's own origins. */
export function requestOrigin(request: FastifyRequest, publicUrl: string, embedOrigin?: string): RequestOrigin {
  const origin = request.headers.origin;
  const addressed = request.headers.host ? normaliseOrigin(`${request.protocol}://${request.headers.host}`) : undefined;
  return {
    origin: typeof origin === 'string' ? origin : undefined,
    embedOrigin,
    own: [new URL(publicUrl).origin, ...(addressed ? [addressed] : [])],
  };
}

export async function embedRoutes(app: App, deps: Deps) {
  const path = '/api/workspaces/:ws/settings/embed';
  app.get(
    path,
    {
      config: { access: 'admin' },
      schema: {
        tags: ['settings'],
        summary: "The widget's colour, position, greeting and allowed websites",
        params: WsParams,
        response: { 200: Type.Ref(EmbedSettingsSchema) },
      },
    },
    async (request) => getEmbedSettings(deps.db, staffOf(request).workspaceId),
  );
  app.put(
    path,
    {
      config: { access: 'admin' },
      schema: {
        tags: ['settings'],
        summary: "Changes the widget's embed settings; applies to the next page load",
        params: WsParams,
        body: EmbedBody,
        response: { 200: Type.Ref(EmbedSettingsSchema) },
      },
    },
    async (request) => {
      const ctx = staffOf(request);
      const body = request.body;
      const entry = formSaved('settings.changed', ctx.workspaceId, 'settings:embed', body);
      return withAudit(deps.db, auditActor(request), entry, (trx) => putEmbedSettings(trx, ctx.workspaceId, body));
    },
  );

  app.get(
    '/api/widget/:widgetKey/appearance',
    {
      // The loader asks from the embedding website: readable from any origin (nothing here is private), and the
      // refusal of a website not allowed is readable too, so the loader can say why it shows nothing.
      onRequest: async (_request, reply) => {
        reply.header('access-control-allow-origin', '*');
        reply.header('vary', 'origin');
        reply.header('cache-control', 'no-store');
      },
      schema: {
        tags: ['widget'],
        summary: "The widget's look for the loader; 403 ORIGIN_NOT_ALLOWED on a website not allowed",
        params: Type.Object({ widgetKey: Type.String({ maxLength: 128 }) }),
        response: { 200: Type.Ref(WidgetAppearanceSchema) },
      },
    },
    async (request) => {
      const widget = await widgetByKey(deps.db, request.params.widgetKey);
      if (!widget) throw notFound('No such widget');
      const from = requestOrigin(request, deps.config.publicUrl);
      // A page's own script sends Origin on this cross-origin read; without one (Parley's own page, a script) the
      // look is public anyway.
      if (from.origin) checkEmbedOrigin(widget.embed, from);
      return appearanceOf(widget.embed);
    },
  );

  // Browsers show the widget page only inside the websites allowed (and Parley's own pages).
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.method !== 'GET' || !underWidget(request.url)) return payload;
    const key = new URLSearchParams(request.url.split('?')[1] ?? '').get('key');
    const widget = key ? await widgetByKey(deps.db, key.slice(0, 128)) : undefined;
    const policy = widget && frameAncestors(widget.embed);
    if (policy) reply.header('content-security-policy', policy);
    return payload;
  });
}
