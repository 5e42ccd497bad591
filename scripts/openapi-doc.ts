// Writes the served OpenAPI document to a file (default .tmp/openapi.json) without listening: builds the app on a
// throwaway data directory, exactly as `npm start` would, and asks it for /api/openapi.json.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import { createApp } from '../src/app.js';

/** The document a freshly started server serves at /api/openapi.json. */
export async function servedOpenApiDocument(): Promise<Record<string, unknown>> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-openapi-'));
  try {
    const config = loadConfig({
      PARLEY_DATA_DIR: dataDir,
      PARLEY_SECRET_KEY: 'openapi-document-only-not-a-secret-0123456789',
      LOG_LEVEL: 'silent',
    });
    const parley = await createApp(config, { logger: pino({ level: 'silent' }) });
    await parley.app.ready();
    const res = await parley.app.inject({ method: 'GET', url: '/api/openapi.json' });
    await parley.close();
    return res.json();
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const out = process.argv[2] ?? '.tmp/openapi.json';
  const doc = await servedOpenApiDocument();
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify(doc, null, 2)}\n`);
}
