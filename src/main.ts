// Entry point: read the config, build the app, listen, and shut down gracefully on SIGTERM/SIGINT.
// A configuration or connection problem prints one line naming the variable, without a stack trace.
import { ConfigError, loadConfig } from './config.js';
import { createApp } from './app.js';

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`parley: configuration error: ${err.message}`);
      process.exit(78);
    }
    throw err;
  }
  let parley;
  try {
    parley = await createApp(config);
  } catch (err) {
    console.error(`parley: cannot start: ${(err as Error).message}`);
    process.exit(1);
  }
  const { bootstrapResult, deps } = parley;
  let url: string;
  try {
    url = await parley.listen();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const msg = e.code === 'EADDRINUSE' ? `PORT: ${config.port} is already in use` : `cannot listen: ${e.message}`;
    console.error(`parley: ${msg}`);
    await parley.close().catch(() => {});
    process.exit(1);
  }
  if (bootstrapResult.created) {
    deps.log.info({ email: bootstrapResult.email }, 'created the owner admin and the Default workspace');
    if (bootstrapResult.generatedPassword) {
      // Printed once, on first start only: the operator must note it now.
      console.log(`\n  Owner admin: ${bootstrapResult.email}\n  Password:    ${bootstrapResult.generatedPassword}\n  (printed once; set PARLEY_ADMIN_EMAIL/PARLEY_ADMIN_PASSWORD to choose them)\n`);
    }
  }
  console.log(`Parley is running on ${url}  (demo: ${url}/  console: ${url}/console/  admin: ${url}/admin/)`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    deps.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await parley.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

void main();
