// Access changed where no running node could announce it — `parley reset-password` in another process signs the
// user out in the database only — still reaches the open socket: every socket is checked again periodically.
import { describe, expect, it } from 'vitest';
import { useServer } from '../support/server.js';
import { addMember, login } from '../support/client.js';
import { connect } from '../support/sockets.js';
import { runCli } from '../support/process.js';

const s = useServer({ env: { PARLEY_SOCKET_RECHECK_S: '1' } });

describe('the periodic socket check', () => {
  it('disconnects the socket of a user whose password the operator reset with the command line', async () => {
    const email = `reset-${Date.now()}@example.test`;
    await addMember(s.url, s.owner, s.workspaceId, { email, password: 'member password 1', role: 'agent' });
    const socket = await connect(s.url, {}, { cookie: await login(s.url, email, 'member password 1') });
    const cut = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    const env = {
      PARLEY_DATA_DIR: s.dataDir,
      PARLEY_SECRET_KEY: 'test-secret-key-shared-by-test-nodes',
      ...(s.databaseUrl ? { DATABASE_URL: s.databaseUrl } : {}),
    };
    const r = await runCli(['reset-password', email], env, 'a brand new password\n');
    expect(r.code, r.stderr).toBe(0);
    expect(await cut).toBe('io server disconnect');
  });
});
