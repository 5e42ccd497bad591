// Issue 17: the visitor's browser as agents read it, and the server's cleaning of what the widget reports.
import { describe, expect, it } from 'vitest';
import { describeUserAgent } from '../../../web/ui/user-agent.js';
import { offsetLabel, visitorLocalTime } from '../../../web/ui/visitor-time.js';
import {
  cleanLanguage,
  cleanTimeZone,
  cleanUrl,
  cleanVisitorInput,
  mergeVisitorInfo,
} from '../../../src/modules/chats/visitor-details.js';

describe('describeUserAgent', () => {
  it.each([
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) ' +
        'AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
      'Chrome 131 on macOS',
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) ' +
        'AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91',
      'Edge 120 on Windows',
    ],
    ['Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0', 'Firefox 121 on Linux'],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) ' +
        'AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1',
      'Safari 17.1 on iOS 17.1',
    ],
    [
      'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) ' +
        'Chrome/120.0.6099.144 Mobile Safari/537.36',
      'Chrome 120 on Android 14',
    ],
    [
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) ' +
        'HeadlessChrome/131.0.0.0 Safari/537.36',
      'Headless Chrome 131 on Linux',
    ],
    ['curl/8.5.0', 'curl/8.5.0'],
  ])('%s', (ua, expected) => {
    expect(describeUserAgent(ua)).toBe(expected);
  });
});

describe('visitor time', () => {
  it('shows the time in the zone, or by the offset, and labels offsets', () => {
    const noon = new Date('2026-01-15T12:00:00Z');
    expect(visitorLocalTime(noon, 'Asia/Tokyo', undefined, 'en-GB')).toBe('21:00');
    expect(visitorLocalTime(noon, undefined, -210, 'en-GB')).toBe('08:30');
    expect(visitorLocalTime(noon)).toBeUndefined();
    expect(offsetLabel(60)).toBe('UTC+1');
    expect(offsetLabel(-210)).toBe('UTC−3:30');
    expect(offsetLabel(0)).toBe('UTC');
  });
});

describe('cleaning what the widget reports', () => {
  it('keeps http(s) URLs only, without credentials, capped at 2048', () => {
    expect(cleanUrl('https://a.example/x?y=1#z')).toBe('https://a.example/x?y=1#z');
    expect(cleanUrl('javascript:alert(1)')).toBeUndefined();
    expect(cleanUrl('/relative')).toBeUndefined();
    expect(cleanUrl('https://u:p@a.example/')).toBe('https://a.example/');
    expect(cleanUrl(`https://a.example/${'x'.repeat(3000)}`)).toHaveLength(2048);
  });
  it('keeps BCP 47 languages and IANA zones the runtime knows', () => {
    expect(cleanLanguage('fr-FR')).toBe('fr-FR');
    expect(cleanLanguage('<script>')).toBeUndefined();
    expect(cleanTimeZone('Europe/Paris')).toBe('Europe/Paris');
    expect(cleanTimeZone('Nowhere/Land')).toBeUndefined();
  });
  it('merges only the fields sent; an empty one clears', () => {
    const first = mergeVisitorInfo(null, cleanVisitorInput({ name: 'Alice', pageUrl: 'https://a.example/' }, 'UA'));
    const next = mergeVisitorInfo(first, cleanVisitorInput({ name: '' }));
    expect(JSON.parse(next!)).toEqual({ pageUrl: 'https://a.example/', userAgent: 'UA' });
    expect(mergeVisitorInfo(next, {})).toBe(next);
  });
});
