// SSRF address checks: admin-supplied URLs never lead Parley to loopback, private networks or cloud metadata.
// Pure checks (plus the resolver's answer for "localhost"); nothing is ever sent anywhere.
import { describe, expect, it } from 'vitest';
import { assertPublicUrl, isPrivateAddress, SsrfError } from '../../../../../src/modules/deliveries/targets/ssrf.js';

describe('isPrivateAddress', () => {
  it.each([
    '127.0.0.1',
    '127.255.0.9',
    '10.0.0.1',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fe80::1%eth0',
    'fc00::1',
    'fd12:3456::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:169.254.169.254',
    '64:ff9b::a9fe:a9fe',
    '2002:7f00:1::',
    '[::1]',
  ])('counts %s as private', (ip) => {
    expect(isPrivateAddress(ip)).toBe(true);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])(
    'counts %s as public',
    (ip) => {
      expect(isPrivateAddress(ip)).toBe(false);
    },
  );

  it('fails closed on something that is not an IP address', () => {
    expect(isPrivateAddress('example.com')).toBe(true);
  });
});

describe('assertPublicUrl', () => {
  it.each([
    ['http://127.0.0.1:8080/hook', /private address \(127\.0\.0\.1\)/],
    ['http://169.254.169.254/latest/meta-data/', /private address \(169\.254\.169\.254\)/],
    ['http://[::1]/hook', /private address \(::1\)/],
    ['http://10.0.0.1/hook', /private address \(10\.0\.0\.1\)/],
    ['http://[::ffff:127.0.0.1]/hook', /private address/],
    ['http://localhost:3000/hook', /callback URL resolves to a private address \((127\.0\.0\.1|::1)\)/],
    ['http://user:pw@0x7f.1/hook', /private address \(127\.0\.0\.1\)/],
  ])('refuses %s', async (url, message) => {
    const refusal = assertPublicUrl(url, { allowPrivate: false, what: 'callback URL' });
    await expect(refusal).rejects.toBeInstanceOf(SsrfError);
    await expect(refusal).rejects.toThrow(message);
  });

  it('never repeats the credentials of a URL in its refusal', async () => {
    const refusal = await assertPublicUrl('http://admin:hunter2@127.0.0.1/', { allowPrivate: false }).catch((e) => e);
    expect(refusal).toBeInstanceOf(SsrfError);
    expect((refusal as SsrfError).message).not.toMatch(/hunter2|admin/);
  });

  it('refuses other protocols, even when private addresses are allowed', async () => {
    const ftp = assertPublicUrl('ftp://x', { allowPrivate: false });
    await expect(ftp).rejects.toThrow(/must use http or https, not ftp/);
    await expect(assertPublicUrl('ftp://x', { allowPrivate: true })).rejects.toThrow(/not ftp/);
    await expect(assertPublicUrl('file:///etc/passwd', { allowPrivate: true })).rejects.toThrow(SsrfError);
    await expect(assertPublicUrl('not a url', { allowPrivate: true })).rejects.toThrow(/not a valid URL/);
  });

  it.each([
    'http://127.0.0.1',
    'http://169.254.169.254',
    'http://[::1]',
    'http://10.0.0.1',
    'http://[::ffff:127.0.0.1]',
    'http://localhost',
  ])('lets %s through when private addresses are allowed (local testing)', async (url) => {
    await expect(assertPublicUrl(url, { allowPrivate: true })).resolves.toBeInstanceOf(URL);
  });

  it('accepts a public literal address without looking anything up', async () => {
    const url = await assertPublicUrl('https://93.184.215.14/hook', { allowPrivate: false });
    expect(url.hostname).toBe('93.184.215.14');
  });
});
