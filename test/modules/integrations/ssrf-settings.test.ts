// With private callbacks not allowed (the default), URLs into the server's own network are refused when saved.
import { describe, expect, it } from 'vitest';
import { useServer } from '../../support/server.js';
import { call } from '../../support/client.js';

const s = useServer({ env: { PARLEY_ALLOW_PRIVATE_CALLBACKS: 'false' } });

describe('callback and S3 endpoints on private networks', () => {
  it.each([
    'http://127.0.0.1/hook',
    'http://169.254.169.254/latest/meta-data',
    'http://[::1]/hook',
    'http://10.0.0.1/hook',
    'http://localhost:8080/hook',
    'http://[::ffff:127.0.0.1]/x',
    'ftp://example.com/x',
    'not a url',
  ])('refuses the callback URL %s with 422 and a reason', async (url) => {
    const r = await call(s.url, 'PUT', `/api/workspaces/${s.workspaceId}/integrations/callback`, {
      cookie: s.owner,
      body: { url },
    });
    expect(r.status).toBe(422);
    expect(r.body.error.fields.url).toBeTruthy();
    // A private address names the one switch that allows it; other refusals do not mention it.
    if (/127\.|169\.254|::1|10\.0|localhost/.test(url))
      expect(r.body.error.fields.url).toContain('PARLEY_ALLOW_PRIVATE_CALLBACKS');
    expect(
      (await call(s.url, 'GET', `/api/workspaces/${s.workspaceId}/integrations/callback`, { cookie: s.owner })).body
        .configured,
    ).toBe(false);
  });

  it('refuses an S3 endpoint on loopback with 422', async () => {
    const r = await call(s.url, 'PUT', `/api/workspaces/${s.workspaceId}/integrations/s3`, {
      cookie: s.owner,
      body: {
        accessKeyId: 'AK',
        secretAccessKey: 'SK',
        region: 'us-east-1',
        bucket: 'bucket-a',
        folder: '',
        endpoint: 'http://127.0.0.1:9000',
      },
    });
    expect(r.status).toBe(422);
    expect(r.body.error.fields.endpoint).toMatch(/private/);
    expect(r.body.error.fields.endpoint).toContain('PARLEY_ALLOW_PRIVATE_CALLBACKS');
  });

  it('refuses again at send time: a delivery to a URL that became private fails without any request', async () => {
    // Saved while allowed (as a DNS answer may change later), then sent by a node that does not allow it.
    const now = new Date().toISOString();
    await s.parley.deps.db
      .insertInto('callback_integrations')
      .values({
        workspace_id: s.workspaceId,
        url: 'http://127.0.0.1:9/hook',
        disabled: 0,
        signing_secret_enc: s.parley.deps.keyring.encrypt('whsec_dGVzdA=='),
        updated_at: now,
      })
      .execute();
    const { testCallback } = await import('../../../src/modules/integrations/callback-settings.js');
    const r = await testCallback(s.parley.deps, s.workspaceId);
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r)).toMatch(/private/);
  });
});
