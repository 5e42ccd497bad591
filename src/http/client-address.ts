// Who the client is, for an HTTP request and a socket's handshake alike: one reading of PARLEY_TRUST_PROXY
// (config.ts), applied by @fastify/proxy-addr as Fastify does for request.ip. Each address in X-Forwarded-For is
// believed only while the hop that added it is trusted, so behind a listed proxy a client's own forged header is
// never its address; `true` trusts every hop (the left-most address wins) and is for a proxy that overwrites the
// header; `false` ignores it. The failed-handshake limiter of sockets (realtime/socket-limits.ts) and the per-address
// limits of HTTP routes therefore count the same address.
import type { IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';
import type { TrustProxy } from '../config.js';

export type TrustFn = (address: string, hop: number) => boolean;

export function trustFunction(setting: TrustProxy): TrustFn {
  if (setting === true) return () => true;
  if (setting === false) return () => false;
  return proxyAddr.compile(setting);
}

/** The client's address as Fastify's request.ip has it: the nearest hop that is not a trusted proxy. */
export function clientAddress(req: IncomingMessage, trust: TrustFn): string {
  const addrs = proxyAddr.all(req, trust);
  return addrs[addrs.length - 1] ?? req.socket.remoteAddress ?? 'unknown';
}
