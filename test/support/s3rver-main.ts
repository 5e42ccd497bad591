// Runs startS3rver (./s3rver.ts) in its own process: `node --import tsx s3rver-main.ts <bucket>...` prints
// "S3RVER <endpoint>" once listening and removes its files on SIGTERM.
import { startS3rver } from './s3rver.js';

const server = await startS3rver(process.argv.slice(2));
process.stdout.write(`S3RVER ${server.endpoint}\n`);
process.once('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
