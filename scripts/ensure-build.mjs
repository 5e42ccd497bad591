// `npm start`'s prestart: rebuilds (npm run build) only when dist/ or web/dist/ is missing or older than its sources,
// so a checkout whose `npm ci` built everything starts at once, and an edited checkout never runs stale code.
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Newest modification time (ms) of any file under dir, skipping the given sub-folders; 0 when missing. */
function newest(dir, skip = []) {
  let latest = 0;
  if (!fs.existsSync(dir)) return 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!skip.includes(full)) latest = Math.max(latest, newest(full, skip));
    } else latest = Math.max(latest, fs.statSync(full).mtimeMs);
  }
  return latest;
}

const mtime = (file) => (fs.existsSync(file) ? fs.statSync(file).mtimeMs : 0);
const serverBuilt = mtime(path.join(root, 'dist/main.js'));
const webBuilt = mtime(path.join(root, 'web/dist/index.html'));
const stale = [];
if (!serverBuilt || newest(path.join(root, 'src')) > serverBuilt) stale.push('dist/');
if (!webBuilt || newest(path.join(root, 'web'), [path.join(root, 'web/dist')]) > webBuilt) stale.push('web/dist/');

if (stale.length > 0) {
  if (!fs.existsSync(path.join(root, 'node_modules/.bin/tsc'))) {
    console.error(
      `parley: ${stale.join(' and ')} missing or out of date, and the build tools are not installed (run npm ci)`,
    );
    process.exit(1);
  }
  console.error(`parley: building (${stale.join(' and ')} missing or older than the sources)`);
  execSync('npm run build --silent', { stdio: 'inherit', cwd: root });
  // An incremental build rewrites only what changed (nothing, for a source saved unchanged): dist/main.js is marked
  // as built now, or every later start would build again.
  const main = path.join(root, 'dist/main.js');
  if (fs.existsSync(main)) fs.utimesSync(main, new Date(), new Date());
}
