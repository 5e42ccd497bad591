// A TCP proxy in front of PostgreSQL that loses one COMMIT's answer: once armed with a table, the first transaction
// on a connection that inserts into that table has its COMMIT forwarded — PostgreSQL commits it — and then the
// application's side of the connection is cut before the answer comes back. The application cannot know whether its
// transaction committed (a failover, a pooler restart, a killed backend at the wrong moment). Run the server with
// PARLEY_PG_PREPARED_STATEMENTS=false, so that the INSERT's text crosses the wire every time.
import net from 'node:net';

export interface PgCutProxy {
  /** A database URL through the proxy, for `url` (a URL of the PostgreSQL behind it). */
  urlFor(url: string): string;
  /** Cuts the next transaction that inserts into `table` just after its COMMIT has gone out. */
  arm(table: string): void;
  /** Whether an armed cut happened. */
  readonly cuts: number;
  close(): Promise<void>;
}

const COMMIT = /Q[\s\S]{4}commit\0/i;

export async function startPgCutProxy(target: { host: string; port: number }): Promise<PgCutProxy> {
  let armed: string | undefined;
  let cuts = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((app) => {
    const db = net.connect(target.port, target.host);
    sockets.add(app).add(db);
    let inserted = false;
    let cut = false;
    app.on('data', (chunk: Buffer) => {
      if (cut) return;
      const text = chunk.toString('latin1');
      if (armed && text.includes(`insert into "${armed}"`)) inserted = true;
      db.write(chunk);
      if (armed && inserted && COMMIT.test(text)) {
        armed = undefined;
        cut = true;
        cuts++;
        app.destroy();
        // PostgreSQL reads the COMMIT before it sees this side close.
        setTimeout(() => db.end(), 500);
      }
    });
    db.on('data', (chunk: Buffer) => {
      if (!cut) app.write(chunk);
    });
    const close = () => {
      if (!cut) {
        app.destroy();
        db.destroy();
      }
    };
    app.on('error', close).on('close', close);
    db.on('error', close).on('close', () => {
      app.destroy();
      sockets.delete(db);
    });
    app.on('close', () => sockets.delete(app));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    urlFor(url) {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    arm(table) {
      armed = table;
    },
    get cuts() {
      return cuts;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
