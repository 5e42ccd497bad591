// The tus 1.0 endpoint as OpenAPI operations: one per method, with the protocol's request headers (documented, not
// validated by Fastify: the tus server answers a bad one itself) and its response headers. Routes.ts registers them.
import { FILE_ID_HEADER } from './tus.js';

const header = (name: string, description: string, required = false, type = 'string') => ({
  name,
  in: 'header',
  required,
  description,
  schema: { type },
});
const TUS_RESUMABLE = header('Tus-Resumable', 'The protocol version: 1.0.0', true);
const UPLOAD_ID = { name: 'uploadId', in: 'path', required: true, schema: { type: 'string', maxLength: 64 } };
const BYTES = {
  required: true,
  content: { 'application/offset+octet-stream': { schema: { type: 'string', format: 'binary' } } },
};

const answerHeaders = (extra: Record<string, { type: string; description: string }> = {}) => ({
  'Tus-Resumable': { type: 'string', description: '1.0.0' },
  ...extra,
});
const offset = { 'Upload-Offset': { type: 'integer', description: 'Bytes received so far' } };
const fileId = {
  [FILE_ID_HEADER]: { type: 'string', description: 'Once the last byte is in: the File it became' },
};

export interface TusOperation {
  method: 'POST' | 'HEAD' | 'PATCH' | 'DELETE' | 'OPTIONS';
  operationId: string;
  summary: string;
  /** Statuses answered besides the shared error set (each documented with the Error component). */
  errors: number[];
  success: Record<number, { description: string; type: 'null'; headers: Record<string, unknown> }>;
  openapi: { description?: string; parameters: unknown[]; requestBody?: unknown };
}

export const TUS_COLLECTION: TusOperation[] = [
  {
    method: 'POST',
    operationId: 'createUpload',
    summary: 'Creates a resumable upload after the uploader side’s rules pass (creation, creation-with-upload)',
    errors: [409, 412, 413, 415, 507],
    success: {
      201: {
        description: 'Created; Location is the upload URL. With a body, the bytes sent so far are stored',
        type: 'null',
        headers: answerHeaders({
          Location: { type: 'string', description: 'The upload URL: /api/uploads/<id>' },
          ...offset,
          'Upload-Expires': { type: 'string', description: 'When an unfinished upload is removed (RFC 9110 date)' },
          ...fileId,
        }),
      },
    },
    openapi: {
      parameters: [
        TUS_RESUMABLE,
        header(
          'Upload-Length',
          'The file size in bytes (over the workspace maximum: 413 FILE_TOO_LARGE)',
          true,
          'integer',
        ),
        header(
          'Upload-Metadata',
          '"key base64(value)" pairs: filename (required), filetype, chatId, requestId, text',
          true,
        ),
        header('Content-Type', 'application/offset+octet-stream when the first bytes come with the request'),
      ],
      requestBody: { ...BYTES, required: false },
    },
  },
  {
    method: 'OPTIONS',
    operationId: 'describeUploads',
    summary: 'The tus versions, extensions and maximum size this server supports',
    errors: [],
    success: {
      204: {
        description: 'What the server supports',
        type: 'null',
        headers: {
          'Tus-Version': { type: 'string', description: '1.0.0' },
          'Tus-Extension': { type: 'string', description: 'creation,creation-with-upload,termination,expiration' },
          'Tus-Max-Size': { type: 'integer', description: "The instance's cap in bytes" },
        },
      },
    },
    openapi: { parameters: [] },
  },
];

export const TUS_UPLOAD: TusOperation[] = [
  {
    method: 'HEAD',
    operationId: 'getUploadOffset',
    summary: 'How many bytes of the upload are stored (where to resume)',
    errors: [410],
    success: {
      200: {
        description: 'The offset; a completed upload also names its File',
        type: 'null',
        headers: answerHeaders({
          ...offset,
          'Upload-Length': { type: 'integer', description: 'The declared size' },
          ...fileId,
        }),
      },
    },
    openapi: { parameters: [UPLOAD_ID, TUS_RESUMABLE] },
  },
  {
    method: 'PATCH',
    operationId: 'appendToUpload',
    summary: 'Appends bytes at Upload-Offset; the last byte checks and commits the file like a multipart upload',
    errors: [409, 410, 412, 413, 415, 423, 507],
    success: {
      204: {
        description: 'Stored; after the last byte the File exists (Parley-File-Id). Repeating it answers the same id',
        type: 'null',
        headers: answerHeaders({ ...offset, ...fileId }),
      },
    },
    openapi: {
      parameters: [
        UPLOAD_ID,
        TUS_RESUMABLE,
        header('Upload-Offset', 'Where these bytes start (must equal the stored offset, else 409)', true, 'integer'),
        header('Content-Type', 'application/offset+octet-stream', true),
      ],
      requestBody: BYTES,
    },
  },
  {
    method: 'DELETE',
    operationId: 'terminateUpload',
    summary: 'Abandons an unfinished upload and removes its bytes (termination)',
    errors: [409, 410],
    success: { 204: { description: 'Removed', type: 'null', headers: answerHeaders() } },
    openapi: {
      description: 'Every byte in: it is a File (or becoming one): 409 UPLOAD_COMPLETE (details.fileId)',
      parameters: [UPLOAD_ID, TUS_RESUMABLE],
    },
  },
];
