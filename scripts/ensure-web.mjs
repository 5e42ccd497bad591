// Builds the web front ends when web/dist is missing (e.g. npm ci ran with --ignore-scripts).
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';
if (!existsSync(new URL('../web/dist/index.html', import.meta.url))) {
  execSync('npx vite build --logLevel warn', { stdio: 'inherit', cwd: new URL('..', import.meta.url) });
}
