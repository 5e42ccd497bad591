// SSRF defence for every URL a workspace admin gives us (callback URL, S3 endpoint): only public addresses are called.
// Checked twice: before a request (assertPublicUrl) and again at connect time (guarded lookup), so DNS rebinding
// cannot swap in a private address between the check and the connection. Never put URL credentials in a message.
import dns from 'node:dns';
import net from 'node:net';
import type { Agent } from 'undici';

/** Said with every private-address refusal, so the operator knows the one switch that allows it. */
export const PRIVATE_HINT = '; set PARLEY_ALLOW_PRIVATE_CALLBACKS=true on the server to allow it (local testing only)';

export type SsrfReason = 'invalid-url' | 'protocol' | 'private-address' | 'unresolvable';

/** A refusal to call a URL, with a message an admin can act on. */
export class SsrfError extends Error {
  override readonly name = 'SsrfError';
  readonly code = 'ERR_SSRF_REFUSED';
  constructor(
    message: string,
    readonly reason: SsrfReason,
  ) {
    super(message);
  }
}

// Everything that is not ordinary public unicast: a request there reaches the host itself, its network, cloud
// metadata (169.254.169.254 is inside 169.254/16) or nothing meaningful.
const BLOCKED_V4: Array<[string, number]> = [
  ['0.0.0.0', 8], // "this network", includes 0.0.0.0
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, includes 255.255.255.255
];
const BLOCKED_V6: Array<[string, number]> = [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['64:ff9b:1::', 48], // local-use NAT64
  ['fc00::', 7], // unique-local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // deprecated site-local, still routed by some stacks
  ['ff00::', 8], // multicast
];

const blocked = new net.BlockList();
for (const [address, prefix] of BLOCKED_V4) blocked.addSubnet(address, prefix, 'ipv4');
for (const [address, prefix] of BLOCKED_V6) blocked.addSubnet(address, prefix, 'ipv6');

/** The eight 16-bit groups of a valid IPv6 address (a trailing dotted quad is folded into the last two). */
function ipv6Groups(ip: string): number[] {
  let text = ip;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = text.slice(0, dotted.index) + ((a << 8) | b).toString(16) + ':' + ((c << 8) | d).toString(16);
  }
  const [head, tail] = text.split('::');
  const parse = (part: string | undefined) => (part ? part.split(':').map((group) => parseInt(group, 16)) : []);
  const first = parse(head);
  const last = parse(tail);
  const zeros = text.includes('::') ? 8 - first.length - last.length : 0;
  return [...first, ...new Array<number>(zeros).fill(0), ...last];
}

/** The IPv4 address carried inside an IPv6 one (mapped, compatible, NAT64, 6to4), which is what the packet reaches. */
function embeddedIpv4(ip: string): string | undefined {
  const g = ipv6Groups(ip);
  const toV4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  const zeroUpTo = (n: number) => g.slice(0, n).every((group) => group === 0);
  if (zeroUpTo(5) && (g[5] === 0xffff || g[5] === 0)) return toV4(g[6]!, g[7]!); // ::ffff:a.b.c.d and ::a.b.c.d
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((group) => group === 0)) return toV4(g[6]!, g[7]!);
  if (g[0] === 0x2002) return toV4(g[1]!, g[2]!);
  return undefined;
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * True for any address that is not public unicast (see the tables above), including IPv4 hidden in IPv6.
 * Anything that is not an IP address at all also answers true, so a guard built on this fails closed.
 */
export function isPrivateAddress(ip: string): boolean {
  let address = stripBrackets(ip.trim());
  const zone = address.indexOf('%');
  if (zone >= 0) address = address.slice(0, zone);
  const family = net.isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family !== 6) return true;
  if (blocked.check(address, 'ipv6')) return true;
  const v4 = embeddedIpv4(address);
  return v4 !== undefined && blocked.check(v4, 'ipv4');
}

export interface PublicUrlOptions {
  /** PARLEY_ALLOW_PRIVATE_CALLBACKS: skip the address checks (local testing). Protocols are still checked. */
  allowPrivate: boolean;
  /** Allowed schemes, "https" or "https:"; default http and https. */
  protocols?: string[];
  /** How messages name the URL, e.g. "callback URL" or "S3 endpoint". Default "URL". */
  what?: string;
}

/** Parses `rawUrl` and throws SsrfError unless it is http(s) and every address its host resolves to is public. */
export async function assertPublicUrl(rawUrl: string, options: PublicUrlOptions): Promise<URL> {
  const what = options.what ?? 'URL';
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new SsrfError(`${what} is not a valid URL`, 'invalid-url');
  }
  const protocols = (options.protocols ?? ['http', 'https']).map((p) => (p.endsWith(':') ? p : `${p}:`));
  if (!protocols.includes(url.protocol)) {
    const allowed = protocols.map((p) => p.slice(0, -1)).join(' or ');
    throw new SsrfError(`${what} must use ${allowed}, not ${url.protocol.slice(0, -1)}`, 'protocol');
  }
  if (options.allowPrivate) return url;

  const host = stripBrackets(url.hostname);
  if (net.isIP(host)) {
    if (isPrivateAddress(host))
      throw new SsrfError(`${what} points to a private address (${host})${PRIVATE_HINT}`, 'private-address');
    return url;
  }
  let addresses: dns.LookupAddress[];
  try {
    addresses = await dns.promises.lookup(host, { all: true, verbatim: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'lookup failed';
    throw new SsrfError(`${what} host ${host} could not be resolved (${code})`, 'unresolvable');
  }
  // Any private answer refuses the URL: the connection could pick that one.
  const privateOne = addresses.find((entry) => isPrivateAddress(entry.address));
  if (privateOne) {
    throw new SsrfError(
      `${what} resolves to a private address (${privateOne.address})${PRIVATE_HINT}`,
      'private-address',
    );
  }
  return url;
}

/**
 * A net/http `lookup` that resolves normally, then refuses the connection if any answer is private. Give it to
 * anything that connects by host name. Literal IP hosts never reach a lookup, so check those separately.
 */
export function createGuardedLookup(): net.LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '');
      const privateOne = addresses.find((entry) => isPrivateAddress(entry.address));
      if (privateOne) {
        const refusal = new SsrfError(
          `refused to connect to ${hostname}: it resolves to a private address (${privateOne.address})${PRIVATE_HINT}`,
          'private-address',
        );
        return callback(refusal, '');
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0]!;
      return callback(null, first.address, first.family);
    });
  };
}

export interface GuardedDispatcherOptions {
  allowPrivate: boolean;
  connectTimeoutMs: number;
}

/**
 * An undici Agent that re-checks every address at connect time, so a rebinding DNS answer cannot reach a private
 * host between assertPublicUrl and the connection.
 */
export async function createGuardedDispatcher({
  allowPrivate,
  connectTimeoutMs,
}: GuardedDispatcherOptions): Promise<Agent> {
  // undici loads on the first delivery, not at start-up (idle memory of a server without integrations).
  const { Agent, buildConnector } = await import('undici');
  if (allowPrivate) return new Agent({ connect: { timeout: connectTimeoutMs } });
  const connectByName = buildConnector({ timeout: connectTimeoutMs, lookup: createGuardedLookup() });
  return new Agent({
    connect(options, callback) {
      const host = stripBrackets(options.hostname);
      // net.connect skips the lookup for a literal IP, so the guarded lookup alone would let it through.
      if (net.isIP(host) && isPrivateAddress(host)) {
        callback(new SsrfError(`refused to connect to a private address (${host})`, 'private-address'), null);
        return;
      }
      connectByName(options, callback);
    },
  });
}
