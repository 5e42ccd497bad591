// A plain HTTP reverse proxy in front of a test server that counts the request-body bytes of resumable uploads
// (/api/uploads/) reaching the server: "how much did the server receive" without touching the server. WebSocket
// upgrades are passed through as raw sockets. With `maxBodyBytes` it refuses a larger request body as nginx does
// with its default `client_max_body_size 1m`: 413 with an HTML page of its own, nothing forwarded.
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface CountingProxy {
  url: string;
  /** Upload body bytes forwarded to the server so far. */
  uploadBytes(): number;
  close(): Promise<void>;
}

export async function startCountingProxy(target: string, opts: { maxBodyBytes?: number } = {}): Promise<CountingProxy> {
  const to = new URL(target);
  let uploadBytes = 0;
  const server = http.createServer((req, res) => {
    if (opts.maxBodyBytes !== undefined && Number(req.headers['content-length'] ?? 0) > opts.maxBodyBytes) {
      // Read and dropped, then answered, so the browser sees the answer rather than a reset.
      req.resume();
      req.on('end', () =>
        res
          .writeHead(413, { 'content-type': 'text/html', connection: 'close' })
          .end('<html><head><title>413 Request Entity Too Large</title></head><body>nginx</body></html>'),
      );
      return;
    }
    const counted = req.url?.startsWith('/api/uploads');
    const upstream = http.request(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.on('data', (chunk: Buffer) => {
      if (counted) uploadBytes += chunk.length;
    });
    // A browser that drops the request (offline) drops it upstream too, as a real network cut would.
    req.on('close', () => {
      if (!req.complete) upstream.destroy();
    });
    req.pipe(upstream);
  });
  server.on('upgrade', (req, socket, head) => {
    const upstream = net.connect(Number(to.port), to.hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) upstream.write(head);
      socket.pipe(upstream).pipe(socket);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    uploadBytes: () => uploadBytes,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
