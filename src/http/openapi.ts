// The OpenAPI 3.1 document at /api/openapi.json, built from the routes' own schemas. Every route gets an
// operationId, a summary, tags, its security (session cookie, API token, visitor token or none) and a response for
// each status it can answer: its success schema and, for every contract error status, the shared Error component.
// Fastify serialises responses with these same schemas, so the document cannot drift from what is sent.
import fastifySwagger from '@fastify/swagger';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { callbackJsonSchema } from '../modules/deliveries/callback-schema.js';
import { registerComponents } from './components.js';
import { closeObjects } from './validation.js';

export type Security = 'session' | 'apiToken' | 'visitorToken' | 'signedUrl';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route, for the document (derived from `access` and the path when absent). */
    security?: Security[];
    /** Parts of the operation its schema cannot carry without Fastify validating them (tus protocol headers, a
     * raw body): merged into the document as they are. */
    openapi?: Record<string, unknown>;
  }
}

const ERROR_TEXT: Record<number, string> = {
  400: 'Malformed input (BAD_REQUEST, INVALID_FILE_NAME, MALFORMED_MULTIPART)',
  401: 'No or invalid credentials (UNAUTHENTICATED)',
  403:
    'Not allowed for this role, uploads turned off, a cookie-signed request from another site, or a widget on a ' +
    'website its workspace did not allow (FORBIDDEN, UPLOADS_DISABLED, CROSS_SITE_REQUEST, ORIGIN_NOT_ALLOWED)',
  404: 'Nothing of that id visible to the caller (NOT_FOUND)',
  409: 'The chat is closed or the request was already answered (CHAT_CLOSED, REQUEST_CLOSED, CONFLICT)',
  410: 'The resumable upload expired (UPLOAD_EXPIRED)',
  412: 'Tus-Resumable is missing or not 1.0.0 (BAD_REQUEST)',
  423: 'Another request is writing this upload right now (CONFLICT); retry',
  413: 'Over the size limit (FILE_TOO_LARGE, PAYLOAD_TOO_LARGE)',
  414: 'A path parameter is too long (URI_TOO_LONG)',
  415: 'Type not allowed, bytes not matching, or a body type the route does not take',
  416: 'A range outside the file (RANGE_NOT_SATISFIABLE)',
  422: 'Invalid body: wrong types, null, unknown fields (VALIDATION_FAILED, with fields)',
  429: 'Too many requests, or uploads at once (RATE_LIMITED, TOO_MANY_UPLOADS, with Retry-After)',
  500: 'A bug; the log has the cause and the request id (INTERNAL)',
  503: 'A dependency is down; retry later (UNAVAILABLE, with Retry-After)',
  507: 'The workspace storage quota would be exceeded (QUOTA_EXCEEDED)',
};

const TAGS = [
  ['auth', 'Sign-in, sessions and API tokens'],
  ['workspaces', 'Workspaces, members and the embed snippet'],
  ['widget', 'The visitor widget (visitor token)'],
  ['chats', "Agents' chat queue, assignment and messages"],
  ['files', 'Uploads, downloads, List File and deletion'],
  ['settings', 'File upload configuration'],
  ['integrations', 'AWS S3 and External CallBack'],
  ['deliveries', 'The delivery log, re-send and back-fill'],
  ['bot', 'Bot flows'],
  ['audit', 'Audit log'],
  ['lifecycle', 'Retention, export and erasure'],
  ['uploads', 'Resumable uploads (tus 1.0): create, resume, finish, abandon'],
].map(([name, description]) => ({ name: name!, description: description! }));

const openApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/** `PUT /api/workspaces/:ws/settings/file-upload` → `putWorkspacesSettingsFileUpload`. */
function operationIdOf(method: string, url: string): string {
  const words = url
    .split('/')
    .filter((p) => p && p !== 'api')
    .map((p) => (p.startsWith(':') ? (p === ':ws' ? '' : `By-${p.slice(1)}`) : p))
    .flatMap((p) => p.split(/[^A-Za-z0-9]+/))
    .filter(Boolean);
  return method.toLowerCase() + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

/** Routes that check credentials themselves rather than through `access`. */
const OWN_SECURITY: Record<string, Security[]> = {
  'GET /api/auth/me': ['session', 'apiToken', 'visitorToken'],
  'POST /api/auth/logout': ['session'],
  'PUT /api/auth/password': ['session'],
  'GET /api/workspaces': ['session', 'apiToken'],
  'POST /api/workspaces': ['session'],
  'GET /api/files/:fileId': ['session', 'apiToken', 'visitorToken'],
  'GET /api/files/:fileId/content': ['session', 'apiToken', 'visitorToken', 'signedUrl'],
  'GET /api/files/:fileId/thumbnail': ['session', 'apiToken', 'visitorToken', 'signedUrl'],
};

function securityOf(route: RouteOptions): Security[] {
  const declared = route.config?.security ?? OWN_SECURITY[`${[route.method].flat()[0]} ${route.url}`];
  if (declared) return declared;
  if (route.config?.access) return ['session', 'apiToken'];
  if (route.url.startsWith('/api/widget/chat')) return ['visitorToken'];
  return [];
}

const SCHEMES: Record<Security, object> = {
  session: { type: 'apiKey', in: 'cookie', name: 'parley_session', description: 'The console/admin sign-in cookie' },
  apiToken: { type: 'http', scheme: 'bearer', description: 'An API token: acts as an admin of its one workspace' },
  visitorToken: { type: 'http', scheme: 'bearer', description: "The widget's visitor token" },
  signedUrl: { type: 'apiKey', in: 'query', name: 'sig', description: 'A signed download URL (with exp)' },
};

/** The error statuses a route can answer, from what it takes and who may call it. */
function errorStatuses(route: RouteOptions, multipart: boolean): number[] {
  const s = route.schema as { params?: unknown; querystring?: unknown; body?: unknown } | undefined;
  // Any route may meet bad input, missing or insufficient credentials, a rate limit, a bug or a dependency outage.
  const statuses = new Set([400, 401, 403, 404, 422, 429, 500, 503]);
  if (route.url.includes(':')) statuses.add(414);
  if (s?.body || multipart) [413, 415].forEach((c) => statuses.add(c));
  if (route.method !== 'GET') statuses.add(409);
  if (multipart) statuses.add(507);
  if (/\/(content|thumbnail)$/.test(route.url)) statuses.add(416);
  return [...statuses].sort();
}

/** A documented error status answered with the shared Error component. */
export const errorResponse = (status: number) => ({
  description: ERROR_TEXT[status] ?? 'An error',
  ...Type.Ref('Error'),
});

type Extras = Map<string, Record<string, unknown>>;

/** Completes each route's schema for the document and the serialiser (runs once per route, on registration). */
function describeRoute(route: RouteOptions, extras: Extras) {
  if (!route.url.startsWith('/api/')) return;
  // Fastify's own HEAD twin of a GET is not an operation; a HEAD route of its own (tus) asks to be one.
  const ownHead = (route.config as { swagger?: { exposeHeadRoute?: boolean } } | undefined)?.swagger?.exposeHeadRoute;
  if (route.method === 'HEAD' && !ownHead) return;
  const schema = (route.schema ??= {}) as Record<string, unknown>;
  if (schema.hide) return;
  // One route serving several methods (the tus protocol endpoint) cannot be one operation; it is left out of the
  // document until it is split into one route per method.
  if ([route.method].flat().length > 1) {
    schema.hide = true;
    return;
  }
  const method = [route.method].flat()[0]!;
  if (route.config?.openapi) extras.set(`${method.toLowerCase()} ${openApiPath(route.url)}`, route.config.openapi);
  const security = securityOf(route);
  const multipart = Array.isArray(schema.consumes) && (schema.consumes as string[]).includes('multipart/form-data');
  schema.operationId ??= operationIdOf(method, route.url);
  schema.summary ??= (schema.description as string | undefined)?.split(/[.;]/)[0] ?? `${method} ${route.url}`;
  schema.security ??= security.length ? security.map((name) => ({ [name]: [] })) : [];
  const response = (schema.response ??= {}) as Record<string, unknown>;
  if (!Object.keys(response).some((k) => k.startsWith('2'))) {
    response['2xx'] = { description: 'Success' };
  }
  // Success answers are exact, like the shared components: every object is closed to fields it does not name.
  for (const [status, answer] of Object.entries(response)) if (status.startsWith('2')) closeObjects(answer);
  for (const status of errorStatuses(route, multipart)) {
    response[status] ??= { description: ERROR_TEXT[status], ...Type.Ref('Error') };
  }
  // Downloads revalidate: a matching If-None-Match (strong, weak or *) answers 304 with no body.
  if (method === 'GET' && /\/(content|thumbnail)$/.test(route.url)) {
    response[304] ??= { description: 'Not modified: If-None-Match matched the ETag' };
  }
}

export async function registerOpenApi(app: FastifyInstance) {
  registerComponents(app);
  const extras: Extras = new Map();
  app.addHook('onRoute', (route) => describeRoute(route, extras));
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Parley API',
        version: '1',
        description: 'Live chat with first-class file sharing. Errors: {"error": {"code", "message", ...details}}.',
        license: { name: 'Proprietary', identifier: 'LicenseRef-Parley' },
      },
      servers: [{ url: '/', description: 'This Parley server' }],
      tags: TAGS,
      components: { securitySchemes: SCHEMES as never },
      webhooks: {
        fileCallback: {
          post: {
            operationId: 'fileCallback',
            // Parley signs the request (Standard Webhooks headers); the receiver needs no credentials of ours.
            security: [],
            summary: 'A file forwarded to the workspace callback URL (see docs/integrations.md)',
            tags: ['integrations'],
            requestBody: {
              required: true,
              content: {
                'multipart/form-data': {
                  schema: {
                    allOf: [
                      callbackJsonSchema.$defs.fields,
                      {
                        type: 'object',
                        properties: { file: { type: 'string', contentMediaType: 'application/octet-stream' } },
                      },
                    ],
                  },
                },
              },
            },
            responses: {
              '200': {
                description: 'The answer Parley expects',
                content: { 'application/json': { schema: callbackJsonSchema.$defs.answer } },
              },
            },
          },
        },
      },
    } as never,
    transformObject: (documents) => {
      const openapiObject = (documents as { openapiObject: { paths?: Record<string, Record<string, object>> } })
        .openapiObject;
      const paths = openapiObject.paths ?? {};
      for (const [where, extra] of extras) {
        const [method, path] = where.split(' ') as [string, string];
        if (paths[path]?.[method]) Object.assign(paths[path][method], extra);
      }
      return openapiObject as never;
    },
    refResolver: {
      // Shared schemas become components named by their $id ("Error" → #/components/schemas/Error).
      buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`),
    },
  });
}

export { openApiPath };
