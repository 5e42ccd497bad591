// File names are data: shown as the user wrote them, minus what could disguise or escape; extensions as the
// allow-lists name them, compound archives included.
import { describe, expect, it } from 'vitest';
import { cleanFileName, extensionAllowed, extensionOf, formFileName } from '../../../../src/modules/files/names.js';
import { acceptFor } from '../../../../web/ui/file-rules.js';

describe('cleanFileName', () => {
  it('keeps Unicode names as they are', () => {
    expect(cleanFileName('Contrat signé – 2024.pdf')).toBe('Contrat signé – 2024.pdf');
  });

  it('turns path separators into underscores, so a name never reaches another folder', () => {
    expect(cleanFileName('../../etc/passwd')).toBe('.._.._etc_passwd');
    expect(cleanFileName('C:\\Windows\\win.ini')).toBe('C:_Windows_win.ini');
  });

  it('drops control characters and the bidi overrides that disguise an extension', () => {
    expect(cleanFileName('invoice\u202Efdp.exe')).toBe('invoicefdp.exe');
    expect(cleanFileName('a\u0000b\nc.txt')).toBe('abc.txt');
  });

  it('has no name for nothing, dots, spaces or separators alone', () => {
    for (const raw of [undefined, '', '   ', '..', '/', ' ./\\ ']) expect(cleanFileName(raw)).toBeUndefined();
  });

  it('caps the name at 255 UTF-8 bytes and keeps its extension', () => {
    const name = cleanFileName(`${'é'.repeat(300)}.pdf`)!;
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(255);
    expect(name.endsWith('.pdf')).toBe(true);
  });
});

describe('extensionOf and extensionAllowed', () => {
  it.each([
    ['Report.PDF', 'pdf'],
    ['backup.tar.gz', 'tar.gz'],
    ['logs.TAR.XZ', 'tar.xz'],
    ['.tar.gz', 'gz'],
    ['.bashrc', ''],
    ['README', ''],
    ['trailing.', ''],
  ])('reads the extension of %s as %j', (name, ext) => {
    expect(extensionOf(name)).toBe(ext);
  });

  it('admits a compound archive where its family is allowed, and anything where the list is empty', () => {
    expect(extensionAllowed('tar.gz', ['tgz'])).toBe(true);
    expect(extensionAllowed('tar.gz', ['gz'])).toBe(true);
    expect(extensionAllowed('tar.gz', ['zip'])).toBe(false);
    expect(extensionAllowed('exe', [])).toBe(true);
    expect(extensionAllowed('exe', ['pdf'])).toBe(false);
  });
});

describe('acceptFor (file inputs offer the allow-list)', () => {
  it('lists each allowed ending, with the compound archive names an entry admits', () => {
    expect(acceptFor('pdf|png')).toBe('.pdf,.png');
    expect(acceptFor(' .PDF | png ')).toBe('.pdf,.png');
    expect(acceptFor('tar.gz')).toBe('.tar.gz,.tgz');
    expect(acceptFor('gz')).toBe('.gz,.tar.gz,.tgz');
    expect(acceptFor('')).toBeUndefined();
    expect(acceptFor(undefined)).toBeUndefined();
  });
});

describe('formFileName', () => {
  it('undoes the HTML form encoding of a name: %22 is a quote again, %0D and %0A go, other escapes stay', () => {
    expect(formFileName('say %22hi%22%0D%0A.txt')).toBe('say "hi".txt');
    expect(formFileName('100%25 %41.txt')).toBe('100%25 %41.txt');
    expect(formFileName('%%0D22.txt')).toBe('%22.txt');
    expect(formFileName(undefined)).toBeUndefined();
  });
});
