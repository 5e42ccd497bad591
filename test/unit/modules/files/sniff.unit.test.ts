// Content sniffing: the first bytes must be what the extension says; a renamed executable or HTML never passes.
import { describe, expect, it } from 'vitest';
import { sniff } from '../../../../src/modules/files/sniff.js';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
const PE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(58), Buffer.from([0x40, 0, 0, 0]), Buffer.from('PE\0\0')]);
const ELF = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), Buffer.alloc(57)]);

describe('sniff', () => {
  it('accepts bytes that match their extension and names the type to serve', async () => {
    expect(await sniff('pdf', PDF)).toEqual({ ok: true, mimeType: 'application/pdf' });
    expect(await sniff('png', PNG)).toEqual({ ok: true, mimeType: 'image/png' });
    expect(await sniff('txt', Buffer.from('plain words\n'))).toMatchObject({ ok: true });
  });

  it('refuses a PNG renamed .pdf and says what it really is', async () => {
    expect(await sniff('pdf', PNG)).toEqual({ ok: false, reason: 'The contents are a PNG file, not .pdf' });
  });

  it('refuses executables dressed as documents or text', async () => {
    expect(await sniff('pdf', PE)).toMatchObject({ ok: false });
    expect(await sniff('txt', ELF)).toMatchObject({ ok: false });
  });

  it('refuses HTML sent as .csv, and binary sent as text', async () => {
    const html = Buffer.from('<!doctype html><html><script>alert(1)</script></html>');
    expect(await sniff('csv', html)).toMatchObject({ ok: false, reason: expect.stringMatching(/markup/) });
    expect(await sniff('csv', Buffer.from([0, 1, 2, 3, 0, 0, 0, 0]))).toMatchObject({ ok: false });
  });

  it('refuses an empty file claimed to be a PDF', async () => {
    expect(await sniff('pdf', Buffer.alloc(0))).toMatchObject({ ok: false });
  });
});
