#!/usr/bin/env bash
# Proves an installed release (scripts/release.sh install) works with no dev tools: `npx parley start` on the
# embedded default (SQLite + local disk in a temp data dir), /readyz, the demo, console and admin pages, and one
# visitor upload that downloads back with the same sha256. Used by .ci/run and the Dockerfile's runtime stage.
set -euo pipefail
dir="${1:?usage: release-check.sh INSTALL_DIR}"
cd "$dir"

data="$(mktemp -d)"
port="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
log="$data/server.log"
PORT="$port" HOST=127.0.0.1 PARLEY_DATA_DIR="$data/data" PARLEY_ADMIN_EMAIL=release@example.test \
  PARLEY_ADMIN_PASSWORD=release-check-password setsid npx --no-install parley start >"$log" 2>&1 &
pid=$!
cleanup() {
  kill -- -"$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -rf "$data"
}
trap cleanup EXIT

PARLEY_URL="http://127.0.0.1:$port" node --input-type=module - <<'JS' || { echo "release-check: failed; server log:" >&2; cat "$log" >&2; exit 1; }
import crypto from 'node:crypto';
const base = process.env.PARLEY_URL;
const fail = (msg) => { throw new Error(msg); };
const deadline = Date.now() + 180_000;
for (;;) {
  const ok = await fetch(`${base}/readyz`).then((r) => r.status === 200, () => false);
  if (ok) break;
  if (Date.now() > deadline) fail('/readyz did not answer 200');
  await new Promise((r) => setTimeout(r, 500));
}
for (const page of ['/', '/console/', '/admin/']) {
  const res = await fetch(base + page);
  const text = await res.text();
  if (res.status !== 200 || !/<script/i.test(text)) fail(`${page} is not the built front end (${res.status})`);
}
const { widgetKey } = await (await fetch(`${base}/api/demo`)).json();
const session = await fetch(`${base}/api/widget/${widgetKey}/session`, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}',
});
const { visitorToken } = await session.json();
const bytes = Buffer.concat([Buffer.from('%PDF-1.4\n'), crypto.randomBytes(200_000), Buffer.from('\n%%EOF\n')]);
const form = new FormData();
form.append('file', new Blob([bytes], { type: 'application/pdf' }), 'release-check.pdf');
const up = await fetch(`${base}/api/widget/chat/files`, {
  method: 'POST', headers: { authorization: `Bearer ${visitorToken}` }, body: form,
});
if (up.status !== 201) fail(`upload answered ${up.status}: ${await up.text()}`);
const { files } = await up.json();
const down = await fetch(base + files[0].url, { headers: { authorization: `Bearer ${visitorToken}` } });
const got = Buffer.from(await down.arrayBuffer());
const sha = (b) => crypto.createHash('sha256').update(b).digest('hex');
if (down.status !== 200 || sha(got) !== sha(bytes)) fail('the uploaded file did not download byte for byte');
console.log(`release-check: ${base} ready; demo, console and admin served; upload and download verified`);
JS
# The idle collector gives the allocator's free pages back through glibc's malloc_trim, reached by koffi's prebuilt
# binary (src/memory.ts): installed and loadable without dev tools.
node --input-type=module -e "
const { trimNative } = await import('./node_modules/parley/dist/memory.js');
if (process.platform === 'linux' && !trimNative()) throw new Error('malloc_trim is not reachable (koffi)');
console.log('release-check: malloc_trim reachable through koffi');
"
# npx does not forward SIGTERM to the server it started, so the server runs in its own process group (setsid) and the
# whole group gets the signal, as a process manager would send it; npx may exit with the signal's status, so the
# server is judged by its log: a clean stop ends with its "stopped" line.
kill -TERM -- -"$pid"
wait "$pid" || true
for _ in $(seq 1 30); do
  if grep -q '"msg":"stopped"' "$log"; then break; fi
  sleep 0.5
done
grep -q '"msg":"stopped"' "$log" || { echo "release-check: the server did not stop cleanly" >&2; cat "$log" >&2; exit 1; }
if grep -v '^PARLEY-PASSWORD ' "$log" | grep -v '^{' | grep -q .; then
  echo "release-check: non-JSON log lines:" >&2
  grep -v '^{' "$log" >&2
  exit 1
fi
trap - EXIT
rm -rf "$data"
