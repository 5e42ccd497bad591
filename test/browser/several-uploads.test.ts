// Browser: a visitor picks several files at once (Chatwoot #3715: one attachment at a time) and each gets a row of
// its own with its own progress bar; Pause holds one upload while the others finish, and Resume finishes it from the
// bytes the server kept (Rocket.Chat #25732: no pause/resume). All arrive once, with the right bytes. Small files
// picked together go in one request, so one message, each still with its own row: its Cancel drops that file alone.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CDPSession, FrameLocator, Page } from 'playwright-core';
import { useServer } from '../support/server.js';
import { eventually } from '../support/eventually.js';
import { pdf, png } from '../support/fixtures.js';
import { snapshot } from '../support/leftovers.js';
import { chooseFiles, newPage, openDemoWidget, startBrowser } from '../support/browser.js';

const browser = await startBrowser();
const KB = 1024;

describe.skipIf(!browser)('several uploads at once in the widget', () => {
  const s = useServer();
  let visitor: Page;
  let widget: FrameLocator;
  let cdp: CDPSession;

  const throttle = (bytesPerSecond: number) =>
    cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: bytesPerSecond,
    });
  const bar = (name: string) => widget.getByRole('progressbar', { name: `Uploading ${name}` });
  const progressOf = async (name: string) => Number(await bar(name).getAttribute('aria-valuenow'));

  beforeAll(async () => {
    await s.asOwner('PUT', s.api('/settings/file-upload'), { maxFileSizeKb: 20 * KB });
    ({ page: visitor } = await newPage(browser!));
    cdp = await visitor.context().newCDPSession(visitor);
    await cdp.send('Network.enable');
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('shows each file with its own progress; Pause holds one while the others finish, Resume finishes it', async () => {
    widget = await openDemoWidget(visitor, s.url);
    const before = await snapshot(s);
    // Larger than one 8 MiB chunk, so it is created first and then sent in PATCHes that Pause can interrupt.
    const files = [
      { name: 'first.pdf', mimeType: 'application/pdf', buffer: pdf(400 * KB, 'first') },
      { name: 'second.pdf', mimeType: 'application/pdf', buffer: pdf(600 * KB, 'second') },
      { name: 'large.pdf', mimeType: 'application/pdf', buffer: pdf(9 * KB * KB, 'large') },
    ];
    await throttle(200 * KB);
    await chooseFiles(visitor, widget.getByRole('button', { name: 'Attach files' }), files);

    // One row each, named, each with its own bar.
    const rows = widget.getByRole('list', { name: 'Uploads in progress' }).getByRole('listitem');
    await expect.poll(() => rows.count()).toBe(3);
    for (const f of files) await bar(f.name).waitFor();
    await expect.poll(() => progressOf('large.pdf'), { timeout: 30_000 }).toBeGreaterThan(0);
    await widget.getByRole('button', { name: 'Pause upload of large.pdf' }).click();
    await widget.getByRole('button', { name: 'Resume upload of large.pdf' }).waitFor();
    const paused = await progressOf('large.pdf');
    expect(paused).toBeLessThan(100);

    // The other two finish while it waits; it does not move, and is no File yet.
    for (const name of ['first.pdf', 'second.pdf'])
      await widget.getByRole('link', { name: `Download ${name}` }).waitFor({ timeout: 30_000 });
    await expect.poll(() => rows.count()).toBe(1);
    expect(await progressOf('large.pdf')).toBe(paused);
    expect((await snapshot(s)).files).toBe(before.files + 2);
    // The server keeps what arrived before the pause.
    const upload = await s.parley.deps.db
      .selectFrom('resumable_uploads')
      .selectAll()
      .where('name', '=', 'large.pdf')
      .executeTakeFirstOrThrow();
    expect(upload.status).toBe('uploading');
    const kept = fs.statSync(path.join(s.dataDir, 'uploads', upload.id)).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(files[2]!.buffer.length);

    await throttle(-1);
    await widget.getByRole('button', { name: 'Resume upload of large.pdf' }).click();
    await widget.getByRole('link', { name: 'Download large.pdf' }).waitFor({ timeout: 30_000 });
    await expect.poll(() => rows.count()).toBe(0);

    // Each arrived once, byte for byte; nothing of the upload is left in the tus store.
    const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
    const stored = await s.parley.deps.db.selectFrom('files').select(['name', 'sha256']).orderBy('name').execute();
    expect(stored).toEqual(
      files.map((f) => ({ name: f.name, sha256: sha(f.buffer) })).sort((a, b) => a.name.localeCompare(b.name)),
    );
    await eventually(async () => {
      const left = fs.readdirSync(path.join(s.dataDir, 'uploads')).filter((n) => n.startsWith(upload.id));
      expect(left).toEqual([]);
    });
  });

  it('sends small files picked together as one message; Cancel on one row drops that file alone', async () => {
    const before = await snapshot(s);
    const files = ['a-form.pdf', 'b-form.pdf', 'c-form.pdf'].map((name) => ({
      name,
      mimeType: 'application/pdf',
      buffer: pdf(300 * KB, name),
    }));
    await throttle(100 * KB);
    await chooseFiles(visitor, widget.getByRole('button', { name: 'Attach files' }), files);
    const rows = widget.getByRole('list', { name: 'Uploads in progress' }).getByRole('listitem');
    await expect.poll(() => rows.count()).toBe(3);
    // The parts go in order: the first moves while the last has not started.
    await expect.poll(() => progressOf('a-form.pdf'), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await progressOf('c-form.pdf')).toBe(0);
    await widget.getByRole('button', { name: 'Cancel upload of b-form.pdf' }).click();
    await expect.poll(() => rows.count()).toBe(2);
    await throttle(-1);

    for (const name of ['a-form.pdf', 'c-form.pdf'])
      await widget.getByRole('link', { name: `Download ${name}` }).waitFor({ timeout: 30_000 });
    await expect.poll(() => rows.count()).toBe(0);
    const after = await snapshot(s);
    expect(after.files).toBe(before.files + 2);
    expect(after.messages).toBe(before.messages + 1);
    expect(after.tempFiles).toBe(0);
    const stored = await s.parley.deps.db
      .selectFrom('files')
      .select(['id', 'name'])
      .where('name', 'like', '%-form.pdf')
      .orderBy('name')
      .execute();
    expect(stored.map((f) => f.name)).toEqual(['a-form.pdf', 'c-form.pdf']);
    const message = await s.parley.deps.db
      .selectFrom('messages')
      .select('file_ids')
      .where('file_ids', 'like', `%${stored[0]!.id}%`)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(message.file_ids!).sort()).toEqual(stored.map((f) => f.id).sort());
  });

  it('still sends the others when one file picked together is refused for its bytes, and names that file', async () => {
    const before = await snapshot(s);
    const files = [
      { name: 'good-1.pdf', mimeType: 'application/pdf', buffer: pdf(20 * KB, 'good 1') },
      { name: 'fake.pdf', mimeType: 'application/pdf', buffer: await png() },
      { name: 'good-2.pdf', mimeType: 'application/pdf', buffer: pdf(20 * KB, 'good 2') },
    ];
    await chooseFiles(visitor, widget.getByRole('button', { name: 'Attach files' }), files);
    for (const name of ['good-1.pdf', 'good-2.pdf'])
      await widget.getByRole('link', { name: `Download ${name}` }).waitFor({ timeout: 30_000 });
    await expect.poll(() => widget.getByRole('alert').allInnerTexts()).toEqual([expect.stringContaining('fake.pdf')]);
    const after = await snapshot(s);
    expect(after.files).toBe(before.files + 2);
    expect(after.tempFiles).toBe(0);
    expect(await s.parley.deps.db.selectFrom('files').select('id').where('name', '=', 'fake.pdf').execute()).toEqual(
      [],
    );
  });
});
