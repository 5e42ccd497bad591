// `parley backup --to DIR` and `parley restore --from DIR`: the database (online), then the locally stored files,
// then the secret key, with a manifest. The database is copied first: files are written before their rows, so every
// row in the copy has its bytes in the files copied after it. S3-stored files stay in the bucket (use versioning).
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from './config.js';
import { dumpDatabase, restoreDatabase } from './db/dump.js';

const MANIFEST = 'parley-backup.json';
const FILES_DIR = 'files';
const KEY_FILE = 'secret.key';

interface Manifest {
  format: 1;
  createdAt: string;
  database: 'sqlite' | 'postgres';
  databaseFile: string;
  storage: 'local' | 's3';
  files: number;
  secretKey: 'file' | 'environment';
}

/** Copies a directory tree, skipping in-flight uploads (`.tmp/`); returns the number of files copied. */
function copyTree(from: string, to: string): number {
  if (!fs.existsSync(from)) return 0;
  let count = 0;
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    if (entry.name === '.tmp') continue;
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) count += copyTree(source, target);
    else if (entry.isFile()) {
      fs.copyFileSync(source, target, fs.constants.COPYFILE_EXCL);
      count++;
    }
  }
  return count;
}

export async function backup(config: Config, dir: string): Promise<string> {
  const target = path.resolve(dir);
  if (fs.existsSync(target) && fs.readdirSync(target).length > 0) throw new Error(`${target} is not empty`);
  fs.mkdirSync(target, { recursive: true });
  const databaseFile = await dumpDatabase(config, target);
  const files =
    config.storage === 'local' ? copyTree(path.join(config.dataDir, FILES_DIR), path.join(target, FILES_DIR)) : 0;
  const keySource = path.join(config.dataDir, KEY_FILE);
  const secretKey = config.secretKey ? 'environment' : 'file';
  if (!config.secretKey && fs.existsSync(keySource)) {
    fs.copyFileSync(keySource, path.join(target, KEY_FILE));
    fs.chmodSync(path.join(target, KEY_FILE), 0o600);
  }
  const manifest: Manifest = {
    format: 1,
    createdAt: new Date().toISOString(),
    database: config.databaseUrl ? 'postgres' : 'sqlite',
    databaseFile,
    storage: config.storage,
    files,
    secretKey,
  };
  fs.writeFileSync(path.join(target, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  const keyNote = secretKey === 'environment' ? 'the secret key is PARLEY_SECRET_KEY: keep it apart' : 'secret key';
  const filesNote = config.storage === 's3' ? 'files stay in the S3 bucket' : `${files} stored files`;
  return `backed up the ${manifest.database} database, ${filesNote} and ${keyNote} to ${target}`;
}

export async function restore(config: Config, dir: string): Promise<string> {
  const source = path.resolve(dir);
  const manifestFile = path.join(source, MANIFEST);
  if (!fs.existsSync(manifestFile)) throw new Error(`${manifestFile} is missing: not a Parley backup`);
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Manifest;
  const wanted = config.databaseUrl ? 'postgres' : 'sqlite';
  if (manifest.database !== wanted) {
    throw new Error(
      `this is a ${manifest.database} backup; set ${manifest.database === 'postgres' ? 'DATABASE_URL' : 'no DATABASE_URL'}`,
    );
  }
  if (manifest.secretKey === 'environment' && !config.secretKey) {
    throw new Error('this backup was made with PARLEY_SECRET_KEY set: set the same value before restoring');
  }
  const filesDir = path.join(config.dataDir, FILES_DIR);
  if (manifest.storage === 'local' && fs.existsSync(filesDir) && fs.readdirSync(filesDir).some((n) => n !== '.tmp')) {
    throw new Error(`${filesDir} is not empty; restore into a new PARLEY_DATA_DIR`);
  }
  await restoreDatabase(config, source);
  const files = manifest.storage === 'local' ? copyTree(path.join(source, FILES_DIR), filesDir) : 0;
  const key = path.join(source, KEY_FILE);
  if (fs.existsSync(key) && !config.secretKey) {
    fs.copyFileSync(key, path.join(config.dataDir, KEY_FILE), fs.constants.COPYFILE_EXCL);
    fs.chmodSync(path.join(config.dataDir, KEY_FILE), 0o600);
  }
  return `restored the ${manifest.database} database and ${files} stored files from ${source}`;
}
