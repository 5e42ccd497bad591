#!/usr/bin/env node
// The `parley` command (the contract's "Command line"): start, migrate, create-admin, reset-password, backup and
// restore. Every command reads the same environment as the server (src/config.ts); a bad value names the variable.
import './preflight.js'; // first: V8 settings before anything allocates
import { ConfigError, loadConfig, type Config } from './config.js';
import { createDb, type DbHandle } from './db/index.js';
import { AppError } from './errors.js';
import { createInstanceAdmin, generatePassword, resetPassword } from './modules/auth/operator.js';

const USAGE = `usage: parley <command>
  start [--workers N]             run the server (same as npm start); N processes behind one port (PARLEY_WORKERS;
                                  default: every core with DATABASE_URL and REDIS_URL, else 1)
  migrate                         apply database migrations and exit
  create-admin --email E [--name N]
                                  create an instance admin; password from stdin, or generated and printed once
  reset-password <email>          set a new password (from stdin, or generated and printed); signs the user out
  backup --to DIR                 copy the database, the stored files and the secret key into DIR (online)
  restore --from DIR              restore a backup into PARLEY_DATA_DIR / DATABASE_URL (server stopped)`;

class UsageError extends Error {}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i === -1) return undefined;
  const value = args[i + 1];
  if (!value || value.startsWith('--')) throw new UsageError(`${name} needs a value`);
  return value;
}

/** A password piped on stdin (first line), or undefined when stdin is a terminal or empty. */
async function passwordFromStdin(): Promise<string | undefined> {
  if (process.stdin.isTTY) return undefined;
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  const line = text.split(/\r?\n/)[0] ?? '';
  return line.length > 0 ? line : undefined;
}

async function withDb<T>(config: Config, fn: (handle: DbHandle) => Promise<T>): Promise<T> {
  let handle: DbHandle;
  try {
    handle = await createDb({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      preparedStatements: config.pgPreparedStatements,
    });
  } catch (err) {
    const variable = config.databaseUrl ? 'DATABASE_URL' : 'PARLEY_DATA_DIR';
    throw new ConfigError(variable, `cannot open the database (${(err as Error).message})`);
  }
  try {
    return await fn(handle);
  } finally {
    await handle.close();
  }
}

async function run(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (command === 'start') {
    const workers = option(args, '--workers');
    if (workers !== undefined) {
      if (!/^\d+$/.test(workers) || Number(workers) < 1) throw new UsageError('--workers needs a whole number ≥ 1');
      // The server reads (and validates) it with the rest of the environment; cluster workers inherit it.
      process.env.PARLEY_WORKERS = workers;
    }
    const { runServer } = await import('./main.js');
    await runServer();
    return -1; // the server keeps the process alive
  }
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return command ? 0 : 64;
  }
  const config = loadConfig();
  switch (command) {
    case 'migrate':
      await withDb(config, async () => {});
      console.log('parley: the database is up to date');
      return 0;
    case 'create-admin': {
      const email = option(args, '--email');
      if (!email) throw new UsageError('create-admin needs --email E');
      const given = await passwordFromStdin();
      const password = given ?? generatePassword();
      await withDb(config, ({ db }) => createInstanceAdmin(db, { email, name: option(args, '--name'), password }));
      console.log(`parley: created the instance admin ${email.toLowerCase()}`);
      if (!given) process.stdout.write(`PARLEY-PASSWORD email=${email.toLowerCase()} password=${password}\n`);
      return 0;
    }
    case 'reset-password': {
      const email = args.find((a) => !a.startsWith('--'));
      if (!email) throw new UsageError('reset-password needs the email of the user');
      const given = await passwordFromStdin();
      const password = given ?? generatePassword();
      await withDb(config, ({ db }) => resetPassword(db, { email, password }));
      console.log(`parley: new password set for ${email.toLowerCase()}; their sessions are signed out`);
      if (!given) process.stdout.write(`PARLEY-PASSWORD email=${email.toLowerCase()} password=${password}\n`);
      return 0;
    }
    case 'backup':
    case 'restore': {
      const dir = option(args, command === 'backup' ? '--to' : '--from');
      if (!dir) throw new UsageError(`${command} needs ${command === 'backup' ? '--to' : '--from'} DIR`);
      const { backup, restore } = await import('./backup.js');
      const summary = command === 'backup' ? await backup(config, dir) : await restore(config, dir);
      console.log(`parley: ${summary}`);
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

run(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      console.error(`parley: ${err.message}\n${USAGE}`);
      process.exit(64);
    }
    if (err instanceof ConfigError) {
      console.error(`parley: configuration error: ${err.message}`);
      process.exit(78);
    }
    if (err instanceof AppError) {
      console.error(`parley: ${err.message}`);
      process.exit(1);
    }
    console.error(`parley: ${(err as Error).message ?? err}`);
    process.exit(1);
  },
);
