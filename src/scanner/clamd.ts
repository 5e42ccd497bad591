// The clamd adapter: INSTREAM over TCP or a unix socket (the "z" form of clamd's protocol: NUL-terminated commands
// and answers). Each session is one connection; a chunk is a 4-byte big-endian length and the bytes; a zero length
// ends the stream. Socket failures and clamd's own errors become SCANNER_UNAVAILABLE.
import net from 'node:net';
import type { ClamavConfig } from '../config.js';
import { AppError } from '../errors.js';
import type { ScanSession, ScanVerdict, Scanner } from './index.js';

const CHUNK = 64 * 1024;

const unavailable = (why: string, cause?: unknown) =>
  new AppError(
    'SCANNER_UNAVAILABLE',
    'The malware scanner is not available; try again shortly',
    { retryAfterSeconds: 30 },
    { cause: cause ?? new Error(why) },
  );

function connect(config: ClamavConfig): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const a = config.address;
    const socket = a.kind === 'unix' ? net.connect(a.path) : net.connect(a.port, a.host);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(unavailable('connect timed out'));
    }, 5000);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(unavailable('connect failed', err));
    });
  });
}

/** Reads one NUL-terminated answer (or what came before the connection closed). */
function answerOf(socket: net.Socket, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(unavailable('clamd did not answer in time'));
    }, timeoutMs);
    const done = (err?: Error) => {
      clearTimeout(timer);
      socket.off('data', onData);
      const text = Buffer.concat(parts)
        .toString('utf8')
        .replace(/\0[\s\S]*$/, '');
      if (err && !text) reject(unavailable('clamd connection failed', err));
      else if (!text) reject(unavailable('clamd closed the connection without an answer'));
      else resolve(text.trim());
    };
    const onData = (d: Buffer) => {
      parts.push(d);
      if (d.includes(0)) {
        done();
        socket.end();
      }
    };
    socket.on('data', onData);
    socket.once('error', (err) => done(err));
    socket.once('close', () => done());
  });
}

/** "stream: OK" → clean; "stream: Name FOUND" → infected; anything else is clamd refusing the scan. */
export function parseAnswer(answer: string): ScanVerdict {
  const body = answer.replace(/^stream:\s*/, '');
  if (body === 'OK') return { infected: false };
  const found = body.match(/^(.+) FOUND$/);
  if (found) return { infected: true, signature: found[1]!.trim() };
  throw unavailable(`clamd answered "${answer}"`);
}

export function createClamdScanner(config: ClamavConfig): Scanner {
  return {
    maxStreamBytes: config.maxStreamBytes,
    async ping() {
      const socket = await connect(config);
      const answer = answerOf(socket, 5000);
      socket.write('zPING\0');
      if ((await answer) !== 'PONG') throw unavailable('clamd did not answer PONG');
    },
    async open(): Promise<ScanSession> {
      const socket = await connect(config);
      // clamd answers early only when it gives up (size limit, error); the answer is read once, at the end.
      const answer = answerOf(socket, config.timeoutMs);
      answer.catch(() => {});
      let failure: AppError | undefined;
      socket.on('error', (err) => {
        failure ??= unavailable('clamd connection failed', err);
      });
      socket.on('close', () => {
        failure ??= unavailable('clamd closed the connection');
      });
      socket.write('zINSTREAM\0');
      const send = (buf: Buffer) =>
        new Promise<void>((resolve, reject) => {
          if (failure) return reject(failure);
          const ok = socket.write(buf);
          if (ok) return resolve();
          const onDrain = () => {
            socket.off('close', onClose);
            resolve();
          };
          const onClose = () => {
            socket.off('drain', onDrain);
            reject(failure ?? unavailable('clamd closed the connection'));
          };
          socket.once('drain', onDrain);
          socket.once('close', onClose);
        });
      return {
        async write(chunk) {
          for (let at = 0; at < chunk.length; at += CHUNK) {
            const part = chunk.subarray(at, at + CHUNK);
            const len = Buffer.alloc(4);
            len.writeUInt32BE(part.length);
            await send(Buffer.concat([len, part]));
          }
        },
        async finish() {
          if (failure) throw failure;
          socket.write(Buffer.alloc(4));
          return parseAnswer(await answer);
        },
        abort() {
          socket.destroy();
        },
      };
    },
  };
}
