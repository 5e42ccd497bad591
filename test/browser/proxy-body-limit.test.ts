// Browser: behind a reverse proxy that refuses request bodies over 1 MiB (nginx's default client_max_body_size 1m),
// the widget's uploads still arrive (Rocket.Chat #25732: uploads failed past a proxy's request-size limit). The
// proxy's own 413 (not Parley's FILE_TOO_LARGE) makes the resumable client send smaller chunks from where it was.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FrameLocator, Page } from 'playwright-core';
import { useServer } from '../support/server.js';
import { pdf } from '../support/fixtures.js';
import { chooseFiles, newPage, openDemoWidget, startBrowser } from '../support/browser.js';
import { startCountingProxy, type CountingProxy } from '../support/counting-proxy.js';

const browser = await startBrowser();
const MiB = 1024 * 1024;

describe.skipIf(!browser)('uploads behind a proxy with a 1 MiB body limit', () => {
  const s = useServer();
  let proxy: CountingProxy;
  let visitor: Page;

  beforeAll(async () => {
    proxy = await startCountingProxy(s.url, { maxBodyBytes: MiB });
    ({ page: visitor } = await newPage(browser!));
  });
  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
  });

  it('sends a 3 MB and a 9 MB file through it in smaller chunks; both arrive whole', async () => {
    const widget = await openDemoWidget(visitor, proxy.url);
    // 3 MB would go in the creation request, 9 MB in 8 MiB PATCHes: both over the proxy's limit.
    const files = [
      { name: 'small-scan.pdf', mimeType: 'application/pdf', buffer: pdf(3 * MiB, 'small') },
      { name: 'large-scan.pdf', mimeType: 'application/pdf', buffer: pdf(9 * MiB, 'large') },
    ];
    await sendThrough(widget, files);
  });

  it('sends two small files picked together one by one when the proxy refuses them in one request', async () => {
    const widget = await openDemoWidget(visitor, proxy.url);
    // 1.4 MB in one request is over the proxy's limit; each alone is not.
    const files = [
      { name: 'page-1.pdf', mimeType: 'application/pdf', buffer: pdf(700 * 1024, 'page 1') },
      { name: 'page-2.pdf', mimeType: 'application/pdf', buffer: pdf(700 * 1024, 'page 2') },
    ];
    await sendThrough(widget, files);
  });

  const sendThrough = async (widget: FrameLocator, files: { name: string; mimeType: string; buffer: Buffer }[]) => {
    await chooseFiles(visitor, widget.getByRole('button', { name: 'Attach files' }), files);
    for (const f of files) await widget.getByRole('link', { name: `Download ${f.name}` }).waitFor({ timeout: 30_000 });
    expect(await widget.getByRole('alert').count()).toBe(0);
    const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
    const stored = await s.parley.deps.db
      .selectFrom('files')
      .select(['name', 'size', 'sha256'])
      .where(
        'name',
        'in',
        files.map((f) => f.name),
      )
      .execute();
    expect(stored.sort((a, b) => a.name.localeCompare(b.name))).toEqual(
      files
        .map((f) => ({ name: f.name, size: f.buffer.length, sha256: sha(f.buffer) }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    );
  };
});
