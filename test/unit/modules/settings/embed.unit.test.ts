// Issue 17 item 7: the allowed-origin rules of the embed settings, and the widget colour's readable text.
import { describe, expect, it } from 'vitest';
import {
  checkEmbedOrigin,
  DEFAULT_EMBED,
  frameAncestors,
  normaliseOrigin,
  originAllowed,
} from '../../../../src/modules/settings/embed.js';
import { brandStyle, whiteContrast } from '../../../../web/widget/brand.js';

describe('normaliseOrigin', () => {
  it.each([
    [' https://Bücher.example:443 ', 'https://xn--bcher-kva.example'],
    ['HTTP://Shop.Example.com:80/', 'http://shop.example.com'],
    ['http://[::1]:8080', 'http://[::1]:8080'],
    ['http://localhost:3000', 'http://localhost:3000'],
    ['https://*.Example.com:8443/', 'https://*.example.com:8443'],
  ])('%s → %s', (raw, origin) => {
    expect(normaliseOrigin(raw)).toBe(origin);
  });

  it.each([
    'example.com',
    '*',
    'https://*',
    'https://*.com',
    'https://*.*.example.com',
    'https://*.10.0.0.1',
    'https://a.example.com/x',
    'https://a.example.com?x',
    'https://a.example.com#x',
    'https://user:pw@a.example.com',
    'ftp://a.example.com',
    'javascript:alert(1)',
    'null',
    'https://a.com;script-src *',
    'https://a.com;x',
    'https://a.com,b.com',
    "https://a'b.com",
    'https://a_b.com',
    'https://a.com.',
    'https://-a.com',
  ])('refuses %s', (raw) => {
    expect(normaliseOrigin(raw)).toBeUndefined();
  });
});

describe('originAllowed', () => {
  const list = ['https://*.example.com:8443', 'http://localhost:3000', 'https://shop.example.org'];
  it.each([
    ['https://a.b.example.com:8443', true],
    ['https://example.com:8443', false],
    ['https://a.example.com', false],
    ['http://a.example.com:8443', false],
    ['https://aexample.com:8443', false],
    ['http://localhost:3000', true],
    ['http://localhost:3001', false],
    ['https://SHOP.example.org', true],
    ['https://shop.example.org.evil.test', false],
    ['null', false],
  ])('%s → %s', (origin, allowed) => {
    expect(originAllowed(origin, list)).toBe(allowed);
  });
});

describe('checkEmbedOrigin and frameAncestors', () => {
  const own = ['https://chat.example.com'];
  const embed = { ...DEFAULT_EMBED, allowedOrigins: ['https://shop.example.com'] };
  const refused = (f: () => void) => expect(f).toThrow(expect.objectContaining({ code: 'ORIGIN_NOT_ALLOWED' }));

  it('lets anything through while the list is empty, with no frame-ancestors', () => {
    expect(() => checkEmbedOrigin(DEFAULT_EMBED, { own })).not.toThrow();
    expect(frameAncestors(DEFAULT_EMBED)).toBeUndefined();
  });

  it('judges a page by its Origin, the iframe by the page it names, and passes Parley itself', () => {
    expect(() => checkEmbedOrigin(embed, { own, origin: 'https://shop.example.com' })).not.toThrow();
    refused(() =>
      checkEmbedOrigin(embed, { own, origin: 'https://evil.test', embedOrigin: 'https://shop.example.com' }),
    );
    expect(() =>
      checkEmbedOrigin(embed, { own, origin: own[0], embedOrigin: 'https://shop.example.com' }),
    ).not.toThrow();
    refused(() => checkEmbedOrigin(embed, { own, origin: own[0], embedOrigin: 'https://evil.test' }));
    expect(() => checkEmbedOrigin(embed, { own, origin: own[0] })).not.toThrow();
    expect(() => checkEmbedOrigin(embed, { own, embedOrigin: 'https://shop.example.com' })).not.toThrow();
    refused(() => checkEmbedOrigin(embed, { own }));
    expect(frameAncestors(embed)).toBe("frame-ancestors 'self' https://shop.example.com");
  });
});

describe('brandStyle', () => {
  it('puts white text on a dark colour and takes it as the accent', () => {
    expect(whiteContrast('#0f766e')).toBeGreaterThan(4.5);
    expect(brandStyle('#0f766e')).toMatchObject({
      '--w-brand': '#0f766e',
      '--w-on-brand': '#fff',
      '--p-accent': '#0f766e',
    });
  });

  it('puts near-black text on a light colour and leaves the accent (text on white) alone', () => {
    const style = brandStyle('#fde047') as Record<string, string>;
    expect(style['--w-on-brand']).toBe('#111827');
    expect(style['--p-accent']).toBeUndefined();
  });

  it('ignores a missing or malformed colour', () => {
    expect(brandStyle(undefined)).toEqual({});
    expect(brandStyle('red')).toEqual({});
  });
});
