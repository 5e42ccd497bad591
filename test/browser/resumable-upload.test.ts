// Browser: a large upload from the widget survives a network cut (cut with the DevTools protocol at about half way)
// and a page reload, and arrives once with the right sha256; the server receives well under 60 % of it a second time.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CDPSession, Page } from 'playwright-core';
import { useServer } from '../support/server.js';
import { eventually } from '../support/eventually.js';
import { pdf } from '../support/fixtures.js';
import { chooseFiles, newPage, openDemoWidget, startBrowser } from '../support/browser.js';
import { startCountingProxy, type CountingProxy } from '../support/counting-proxy.js';

const browser = await startBrowser();
const MB = 1024 * 1024;

describe.skipIf(!browser)('resumable uploads in the widget', () => {
  const s = useServer({ env: { PARLEY_MAX_UPLOAD_MB: '300' } });
  let proxy: CountingProxy;
  let visitor: Page;
  let cdp: CDPSession;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-resumable-'));

  const throttle = (bytesPerSecond: number, offline = false) =>
    cdp.send('Network.emulateNetworkConditions', {
      offline,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: bytesPerSecond,
    });
  const progressOf = async (name: string) =>
    Number(
      await visitor
        .frameLocator('iframe[title="Parley chat"]')
        .getByRole('progressbar', { name: `Uploading ${name}` })
        .getAttribute('aria-valuenow', { timeout: 1000 })
        .catch(() => '-1'),
    );
  const writeFixture = (name: string, size: number) => {
    const bytes = pdf(size, name);
    const file = path.join(dir, name);
    fs.writeFileSync(file, bytes);
    return { file, sha256: crypto.createHash('sha256').update(bytes).digest('hex') };
  };
  const storedFile = async (name: string) =>
    s.parley.deps.db.selectFrom('files').selectAll().where('name', '=', name).executeTakeFirst();

  beforeAll(async () => {
    await s.asOwner('PUT', s.api('/settings/file-upload'), { maxFileSizeKb: 300 * 1024 });
    proxy = await startCountingProxy(s.url);
    ({ page: visitor } = await newPage(browser!));
    cdp = await visitor.context().newCDPSession(visitor);
    await cdp.send('Network.enable');
  });
  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('finishes a 200 MB upload cut off at about half way, with the right sha256, re-sending under 60 %', async () => {
    const size = 200 * MB;
    const { file, sha256 } = writeFixture('video.pdf', size);
    const widget = await openDemoWidget(visitor, proxy.url);
    await throttle(25 * MB);
    const start = proxy.uploadBytes();
    await chooseFiles(visitor, widget.getByRole('button', { name: 'Attach files' }), [file] as never);
    await eventually(async () => expect(await progressOf('video.pdf')).toBeGreaterThanOrEqual(45), {
      timeoutMs: 120_000,
      everyMs: 100,
    });
    await throttle(-1, true);
    const atCut = proxy.uploadBytes() - start;
    await new Promise((resolve) => setTimeout(resolve, 3000)); // the outage itself, not a wait for a result
    await throttle(-1);
    await widget.getByRole('link', { name: 'Download video.pdf' }).waitFor({ timeout: 180_000 });
    const row = await storedFile('video.pdf');
    expect(row).toMatchObject({ size, sha256 });
    const received = proxy.uploadBytes() - start;
    expect(atCut).toBeGreaterThan(0.3 * size);
    expect(received - size).toBeLessThan(0.6 * size);
    console.log(
      `resumable: 200 MB sent, server received ${(received / MB).toFixed(1)} MB (re-sent ${((received - size) / MB).toFixed(1)} MB)`,
    );
  });

  it('resumes after a page reload when the visitor picks the same file again', async () => {
    const size = 40 * MB;
    const { file, sha256 } = writeFixture('scan.pdf', size);
    let widget = await openDemoWidget(visitor, proxy.url);
    await throttle(4 * MB);
    const start = proxy.uploadBytes();
    await chooseFiles(visitor, widget.getByRole('button', { name: 'Attach files' }), [file] as never);
    await eventually(async () => expect(await progressOf('scan.pdf')).toBeGreaterThanOrEqual(40), {
      timeoutMs: 120_000,
      everyMs: 100,
    });
    await visitor.reload();
    await throttle(-1);
    await visitor.getByRole('button', { name: 'Open chat' }).click();
    widget = visitor.frameLocator('iframe[title="Parley chat"]');
    await widget.locator('textarea[aria-label="Message"]:not([disabled])').waitFor();
    await chooseFiles(visitor, widget.getByRole('button', { name: 'Attach files' }), [file] as never);
    await widget.getByRole('link', { name: 'Download scan.pdf' }).waitFor({ timeout: 120_000 });
    expect(await storedFile('scan.pdf')).toMatchObject({ size, sha256 });
    // It went on from where it stopped: far less than the file a second time.
    expect(proxy.uploadBytes() - start - size).toBeLessThan(0.6 * size);
  });

  it("starts again by itself when the server lost the upload's bytes (404 or 410 on a PATCH)", {
    timeout: 150_000,
  }, async () => {
    const size = 20 * MB; // three PATCHes of 8 MiB
    const { file, sha256 } = writeFixture('lost.pdf', size);
    const widget = await openDemoWidget(visitor, proxy.url);
    const uploads = path.join(s.parley.deps.config.dataDir, 'uploads');
    let lost = '';
    // Before the second PATCH reaches the server, its upload's bytes vanish (removed by hand, a disk swapped).
    await visitor.context().route('**/api/uploads/*', async (route) => {
      const id = new URL(route.request().url()).pathname.split('/').pop()!;
      const offset = Number(route.request().headers()['upload-offset'] ?? 0);
      if (!lost && route.request().method() === 'PATCH' && offset > 0) {
        lost = id;
        for (const name of fs.readdirSync(uploads)) if (name.startsWith(id)) fs.rmSync(path.join(uploads, name));
      }
      await route.continue();
    });
    try {
      await chooseFiles(visitor, widget.getByRole('button', { name: 'Attach files' }), [file] as never);
      await widget.getByRole('link', { name: 'Download lost.pdf' }).waitFor({ timeout: 120_000 });
    } finally {
      await visitor.context().unroute('**/api/uploads/*');
    }
    expect(lost).not.toBe('');
    expect(await storedFile('lost.pdf')).toMatchObject({ size, sha256 });
    expect(await widget.getByRole('alert').count()).toBe(0);
  });
});
