// Compound archive extensions: a real .tar.gz/.tgz/.tar.bz2/.tar.xz is shared where its family is allowed (or any
// type is), refused where it is not, and its bytes must really be what the extension says.
import { beforeAll, describe, expect, it } from 'vitest';
import { useServer } from '../../support/server.js';
import { call, upload, widgetSession } from '../../support/client.js';
import { pdf, tarball } from '../../support/fixtures.js';
import { extensionAllowed, extensionOf } from '../../../src/modules/files/extensions.js';

const s = useServer({ env: { PARLEY_VISITOR_FILES_PER_MINUTE: '1000' } });
let visitorToken: string;
beforeAll(async () => {
  visitorToken = (await widgetSession(s.url, s.widgetKey)).visitorToken;
});

const allow = (types: string) =>
  call(s.url, 'PUT', `/api/workspaces/${s.workspaceId}/settings/file-upload`, {
    cookie: s.owner,
    body: { visitorAllowedTypes: types },
  });
const send = (name: string, data: Buffer) =>
  upload(s.url, '/api/widget/chat/files', [{ name, data }], { token: visitorToken });

describe('compound extensions', () => {
  it('reads the compound extension of a name', () => {
    expect(extensionOf('Backup 2024.TAR.GZ')).toBe('tar.gz');
    expect(extensionOf('site.tgz')).toBe('tgz');
    expect(extensionOf('logs.tar.xz')).toBe('tar.xz');
    expect(extensionOf('notes.gz')).toBe('gz');
    expect(extensionOf('.tar.gz')).toBe('gz');
    expect(extensionAllowed('tar.gz', ['gz'])).toBe(true);
    expect(extensionAllowed('tgz', ['tar.gz'])).toBe(true);
    expect(extensionAllowed('tar.gz', ['zip'])).toBe(false);
  });

  it.each([
    ['backup.tar.gz', 'gz', 'tar.gz'],
    ['backup.tar.gz', 'tar.gz', 'tar.gz'],
    ['backup.tar.gz', 'tgz', 'tar.gz'],
    ['backup.tar.gz', '', 'tar.gz'],
    ['backup.tgz', 'gz', 'tgz'],
    ['backup.tgz', 'tar.gz', 'tgz'],
    ['backup.tgz', '', 'tgz'],
  ])('shares a real %s where "%s" is allowed', async (name, allowed, extension) => {
    expect((await allow(allowed)).status).toBe(200);
    const r = await send(name, tarball('gz'));
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.files[0]).toMatchObject({ name, extension });
  });

  it.each([
    ['logs.tar.bz2', 'bz2', 'tar.bz2'],
    ['logs.tar.xz', 'tar.xz', 'tar.xz'],
  ] as const)('shares a real %s where "%s" is allowed', async (name, allowed, compression) => {
    expect((await allow(allowed)).status).toBe(200);
    const r = await send(name, tarball(compression === 'tar.xz' ? 'xz' : 'bz2'));
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  });

  it('refuses a .tar.gz where only zip is allowed', async () => {
    await allow('zip');
    const r = await send('backup.tar.gz', tarball('gz'));
    expect(r.status).toBe(415);
    expect(r.body.error.code).toBe('FILE_TYPE_NOT_ALLOWED');
  });

  it('refuses a .tar.gz whose bytes are not gzip', async () => {
    await allow('');
    const r = await send('backup.tar.gz', pdf());
    expect(r.status).toBe(415);
    expect(r.body.error.code).toBe('CONTENT_MISMATCH');
    const xz = await send('backup.tgz', tarball('xz'));
    expect(xz.body.error.code).toBe('CONTENT_MISMATCH');
  });
});
