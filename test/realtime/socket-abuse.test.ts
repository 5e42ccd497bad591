// One hostile client on a socket: floods, bursts of sync, malformed and oversized payloads. The server relays
// little, answers RATE_LIMITED, cuts a flood, never crashes, and everyone else keeps being served.
import type { Socket } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import { useServer } from '../support/server.js';
import { call } from '../support/client.js';
import { collect, connect } from '../support/sockets.js';
import { eventually } from '../support/eventually.js';

const s = useServer();

const disconnected = (socket: Socket) => new Promise<string>((resolve) => socket.once('disconnect', resolve));

describe('socket abuse', () => {
  it('coalesces a 50,000-event typing flood from one visitor, cuts that socket, and keeps serving others', async () => {
    const flooder = await s.visitor();
    const other = await s.visitor();
    const agent = await connect(s.url, {}, { cookie: s.owner });
    const typing = collect(agent, 'typing');
    const messages = collect(agent, 'message.created');
    const socket = await connect(s.url, { token: flooder.visitorToken });
    const cut = disconnected(socket);
    // Others are served while the flood runs: /healthz for anyone, a message from another visitor to the agent.
    let flooding = true;
    const health = (async () => {
      while (flooding) {
        expect((await call(s.url, 'GET', '/healthz')).status).toBe(200);
      }
    })();
    socket.emit('typing', { chatId: flooder.chat.id });
    // Generous waits: the machine may be busy with other suites (this test never asserts a time).
    await typing.next(() => true, 30_000);
    for (let i = 0; i < 50_000; i++) socket.emit('typing', { chatId: flooder.chat.id });
    expect(await cut).toBe('io server disconnect');
    const sent = await call(s.url, 'POST', '/api/widget/chat/messages', {
      token: other.visitorToken,
      body: { text: 'served during the flood' },
    });
    expect(sent.status).toBe(201);
    await messages.next((p) => p.message.text === 'served during the flood', 30_000);
    flooding = false;
    await health;
    // Of 50,001 typing signals, the agent was told a handful (one per 1.5 s window while the socket lasted).
    expect(typing.seen.length).toBeLessThan(10);
    agent.close();
  });

  it('answers a burst of sync calls past the budget with RATE_LIMITED', async () => {
    const v = await s.visitor();
    const socket = await connect(s.url, { token: v.visitorToken });
    const answers: any[] = await Promise.all(
      Array.from({ length: 20 }, () => socket.emitWithAck('sync', { chatId: v.chat.id, after: '' })),
    );
    expect(answers.filter((a) => Array.isArray(a.messages)).length).toBeGreaterThan(0);
    expect(answers.filter((a) => a.error?.code === 'RATE_LIMITED').length).toBeGreaterThan(0);
    expect(socket.connected).toBe(true);
    socket.close();
  });
});

describe('malformed socket payloads', () => {
  // A budget wide enough for the many probes below: this block is about payloads, not rates.
  const s = useServer({ env: { PARLEY_SOCKET_EVENTS_PER_S: '1000' } });

  it('survives malformed payloads without crashing or revealing anything; an oversized frame closes', async () => {
    const v = await s.visitor();
    const victim = await s.visitor();
    const socket = await connect(s.url, { token: v.visitorToken });
    const bad: unknown[] = [null, 42, 'x', [], {}, { chatId: {} }, { chatId: ['a'] }, { chatId: 'x'.repeat(5000) }];
    for (const payload of bad) socket.emit('typing', payload);
    for (const payload of bad) {
      const r: any = await socket.emitWithAck('sync', payload);
      expect(r).toEqual({ error: { code: 'NOT_FOUND' } });
    }
    const noPayload: any = await socket.emitWithAck('sync');
    expect(noPayload).toEqual({ error: { code: 'NOT_FOUND' } });
    const foreign: any = await socket.emitWithAck('sync', { chatId: victim.chat.id, after: '' });
    expect(foreign).toEqual({ error: { code: 'NOT_FOUND' } });
    const weirdAfter: any = await socket.emitWithAck('sync', { chatId: v.chat.id, after: { $gt: '' } });
    expect(weirdAfter).toEqual({ error: { code: 'NOT_FOUND' } });
    socket.emit('no-such-event', { chatId: v.chat.id });
    expect(socket.connected).toBe(true);

    const closed = disconnected(socket);
    socket.emit('typing', { chatId: v.chat.id, padding: 'x'.repeat(64 * 1024) });
    expect(await closed).toBe('transport close');
    // The server is fine, and the visitor can reconnect.
    expect((await call(s.url, 'GET', '/healthz')).status).toBe(200);
    const again = await connect(s.url, { token: v.visitorToken });
    const r: any = await again.emitWithAck('sync', { chatId: v.chat.id, after: '' });
    expect(Array.isArray(r.messages)).toBe(true);
    again.close();
  });
});

describe('handshakes with wrong credentials', () => {
  const t = useServer({ env: { PARLEY_TRUST_PROXY: '1', PARLEY_SOCKET_FAILED_HANDSHAKES_PER_MIN: '5' } });
  const from = (ip: string) => ({ 'x-forwarded-for': `${ip}, 10.0.0.1` });
  const refusal = (token: string, ip: string) =>
    connect(t.url, { token }, from(ip)).then(
      (socket) => {
        socket.close();
        return 'connected';
      },
      (err: Error) => err.message,
    );

  it('refuses an address without a lookup after too many wrong tokens; others are served', async () => {
    const good = await t.visitor();
    const answers: string[] = [];
    for (let i = 0; i < 8; i++) answers.push(await refusal(`wrong-token-${i}-${'x'.repeat(30)}`, '203.0.113.9'));
    expect(answers).toEqual([...Array(5).fill('UNAUTHENTICATED'), ...Array(3).fill('RATE_LIMITED')]);
    // Locked for the address, even with a good token; another address with the same token gets in.
    expect(await refusal(good.visitorToken, '203.0.113.9')).toBe('RATE_LIMITED');
    expect(await refusal(good.visitorToken, '198.51.100.7')).toBe('connected');
    // Good handshakes are never counted: many visitors behind one address connect.
    for (let i = 0; i < 8; i++) expect(await refusal(good.visitorToken, '192.0.2.44')).toBe('connected');
  });
});

describe('handshakes behind a listed proxy (found by QA)', () => {
  // The test client is the proxy (127.0.0.1); it appends the address it saw, as nginx's proxy_add_x_forwarded_for
  // does. Whatever a client writes into X-Forwarded-For itself stays to the left of that and is not believed.
  const t = useServer({ env: { PARLEY_TRUST_PROXY: 'loopback', PARLEY_SOCKET_FAILED_HANDSHAKES_PER_MIN: '5' } });
  const via = (forged: string, client: string) => ({ 'x-forwarded-for': `${forged}, ${client}` });
  const refusal = (token: string, headers: Record<string, string>) =>
    connect(t.url, { token }, headers).then(
      (socket) => {
        socket.close();
        return 'connected';
      },
      (err: Error) => err.message,
    );

  it('counts the address the proxy saw, not the one the client forged (the rule of request.ip)', async () => {
    const answers: string[] = [];
    for (let i = 0; i < 8; i++)
      answers.push(await refusal(`wrong-token-${i}-${'x'.repeat(30)}`, via(`203.0.113.${i + 1}`, '198.51.100.7')));
    expect(answers).toEqual([...Array(5).fill('UNAUTHENTICATED'), ...Array(3).fill('RATE_LIMITED')]);
    // Another client behind the same proxy is not held back.
    const good = await t.visitor();
    expect(await refusal(good.visitorToken, via('198.51.100.7', '198.51.100.8'))).toBe('connected');
    expect(await refusal(good.visitorToken, via('198.51.100.8', '198.51.100.7'))).toBe('RATE_LIMITED');
  });
});

describe('sockets per client', () => {
  const s = useServer({ env: { PARLEY_SOCKETS_PER_CLIENT: '3' } });
  const refusal = (auth: Record<string, unknown>, headers?: Record<string, string>) =>
    connect(s.url, auth, headers).then(
      (socket) => {
        socket.close();
        return 'connected';
      },
      (err: Error) => err.message,
    );

  it("refuses a visitor token's sockets past the cap, counts a closed one out, and leaves others alone", async () => {
    const v = await s.visitor();
    // Opened side by side: handshakes that all found room are closed past the cap once connected.
    const first = await Promise.allSettled(Array.from({ length: 8 }, () => connect(s.url, { token: v.visitorToken })));
    const open = first.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    await eventually(() => expect(open.filter((socket) => socket.connected)).toHaveLength(3));
    for (const r of first) if (r.status === 'rejected') expect((r.reason as Error).message).toBe('RATE_LIMITED');
    expect(await refusal({ token: v.visitorToken })).toBe('RATE_LIMITED');
    // Another visitor, and an agent, are not counted with it.
    expect(await refusal({ token: (await s.visitor()).visitorToken })).toBe('connected');
    expect(await refusal({}, { cookie: s.owner })).toBe('connected');
    // A closed socket frees its place.
    const closing = open.find((socket) => socket.connected)!;
    closing.close();
    await eventually(async () => expect(await refusal({ token: v.visitorToken })).toBe('connected'));
    for (const socket of open) socket.close();
  });

  it("counts a signed-in user's sockets (tabs) together", async () => {
    const tabs = [];
    for (let i = 0; i < 3; i++) tabs.push(await connect(s.url, {}, { cookie: s.owner }));
    expect(await refusal({}, { cookie: s.owner })).toBe('RATE_LIMITED');
    for (const tab of tabs) tab.close();
  });
});
