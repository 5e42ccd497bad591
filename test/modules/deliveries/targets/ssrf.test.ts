// SSRF defence at connect time: the guarded dispatcher refuses private addresses, DNS rebinding included. Real
// requests go to a loopback server only. The address checks themselves are unit tests (test/unit/…/ssrf.unit.test.ts).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGuardedDispatcher } from '../../../../src/modules/deliveries/targets/ssrf.js';

describe('the guarded dispatcher', () => {
  let server: http.Server;
  let port: number;
  let requestsSeen = 0;

  beforeAll(async () => {
    server = http.createServer((_req, res) => {
      requestsSeen += 1;
      res.end('reached');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('refuses at connect time a host name that resolves to loopback (the DNS-rebinding case)', async () => {
    const before = requestsSeen;
    const dispatcher = await createGuardedDispatcher({ allowPrivate: false, connectTimeoutMs: 2000 });
    try {
      const attempt = request(`http://localhost:${port}/`, { dispatcher });
      await expect(attempt).rejects.toThrow(/private address/);
    } finally {
      await dispatcher.destroy();
    }
    expect(requestsSeen).toBe(before);
  });

  it('refuses a literal private address, which never goes through a DNS lookup', async () => {
    const before = requestsSeen;
    const dispatcher = await createGuardedDispatcher({ allowPrivate: false, connectTimeoutMs: 2000 });
    try {
      const attempt = request(`http://127.0.0.1:${port}/`, { dispatcher });
      await expect(attempt).rejects.toThrow(/private address \(127\.0\.0\.1\)/);
    } finally {
      await dispatcher.destroy();
    }
    expect(requestsSeen).toBe(before);
  });

  it('connects to loopback when private addresses are allowed', async () => {
    const dispatcher = await createGuardedDispatcher({ allowPrivate: true, connectTimeoutMs: 2000 });
    try {
      const response = await request(`http://localhost:${port}/`, { dispatcher });
      expect(await response.body.text()).toBe('reached');
    } finally {
      await dispatcher.destroy();
    }
  });
});
