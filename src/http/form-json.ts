// Downloads started by a browser form stream straight to disk; a download through fetch() is held as a Blob until it
// is complete. So routes that answer a large download (zips) also take their JSON body as the form field `request`
// (application/x-www-form-urlencoded), validated by the same schema. Only in the scope it is registered in: every
// other route keeps answering 415 for a form body.
import type { FastifyInstance } from 'fastify';
import { parseJson } from './json-body.js';

export function acceptFormJson(scope: FastifyInstance) {
  scope.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 1024 * 1024 },
    (_request, body, done) => {
      const text = new URLSearchParams(String(body)).get('request');
      if (!text) return done(null, undefined);
      try {
        done(null, parseJson(text));
      } catch (err) {
        done(err as Error, undefined);
      }
    },
  );
}
