// Instance secrets: AES-256-GCM for secrets at rest and HMAC keys for signed URLs, all derived from one master key
// (PARLEY_SECRET_KEY, or 32 random bytes generated once into the data directory with mode 0600).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface Keyring {
  encrypt(plain: string): string;
  decrypt(sealed: string): string;
  /** decrypt, or undefined when the secret was sealed with another master key (PARLEY_SECRET_KEY changed). */
  tryDecrypt(sealed: string): string | undefined;
  hmac(purpose: string, data: string): string;
}

export function loadMasterKey(secretKey: string | undefined, dataDir: string): Buffer {
  if (secretKey) return crypto.createHash('sha256').update(secretKey).digest();
  const file = path.join(dataDir, 'secret.key');
  fs.mkdirSync(dataDir, { recursive: true });
  try {
    fs.writeFileSync(file, crypto.randomBytes(32).toString('base64'), { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
}

export function createKeyring(master: Buffer): Keyring {
  const derive = (purpose: string) => Buffer.from(crypto.hkdfSync('sha256', master, Buffer.alloc(0), purpose, 32));
  const encKey = derive('parley:encrypt:v1');
  const hmacKeys = new Map<string, Buffer>();
  return {
    encrypt(plain) {
      const iv = crypto.randomBytes(12);
      const cipher = crypto.createCipheriv('aes-256-gcm', encKey, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return `v1.${iv.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}.${body.toString('base64url')}`;
    },
    decrypt(sealed) {
      const [v, iv, tag, body] = sealed.split('.');
      if (v !== 'v1' || !iv || !tag || body === undefined) throw new Error('unreadable sealed secret');
      const decipher = crypto.createDecipheriv('aes-256-gcm', encKey, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    },
    tryDecrypt(sealed) {
      try {
        return this.decrypt(sealed);
      } catch {
        return undefined;
      }
    },
    hmac(purpose, data) {
      let key = hmacKeys.get(purpose);
      if (!key) hmacKeys.set(purpose, (key = derive(`parley:hmac:${purpose}`)));
      return crypto.createHmac('sha256', key).update(data).digest('base64url');
    },
  };
}
