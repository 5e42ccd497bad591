// The baseline: a bare Node http server that streams each request body into a file (the practical limit on loopback).
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
const dir = process.argv[2];
let n = 0;
const server = http.createServer((req, res) => {
  const out = fs.createWriteStream(path.join(dir, `sink-${n++}`), { flush: true });
  req.pipe(out);
  out.on('close', () => res.writeHead(201, { 'content-type': 'application/json' }).end('{"ok":true}'));
});
server.listen(0, '127.0.0.1', () => console.log(`SINK ${server.address().port}`));
