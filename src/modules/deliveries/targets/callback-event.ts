// Sends an event (file.deleted) to the workspace's callback as signed JSON: Standard Webhooks headers over the exact
// body bytes, so the official verification libraries accept it. Any 2xx is success; everything else is a reason,
// never a throw. Redirects are not followed (a public URL must not bounce Parley into a private network).
import { assertPublicUrl, createGuardedDispatcher, SsrfError } from './ssrf.js';
import { signPayload } from './signing.js';
import type { DeliveryOutcome } from './index.js';

export interface CallbackEventOptions {
  url: string;
  signingSecret: string;
  /** webhook-id: the delivery id, the same on every retry. */
  deliveryId: string;
  event: Record<string, unknown>;
  allowPrivate: boolean;
  connectTimeoutMs?: number;
  timeoutMs?: number;
  timestampSec?: number;
}

export async function sendCallbackEvent(o: CallbackEventOptions): Promise<DeliveryOutcome> {
  const timeoutMs = o.timeoutMs ?? 30_000;
  try {
    await assertPublicUrl(o.url, { allowPrivate: o.allowPrivate, what: 'callback URL' });
  } catch (err) {
    return { ok: false, error: err instanceof SsrfError ? err.message : String(err) };
  }
  const body = Buffer.from(JSON.stringify(o.event), 'utf8');
  const timestampSec = o.timestampSec ?? Math.floor(Date.now() / 1000);
  let signature: string;
  try {
    signature = signPayload(o.signingSecret, o.deliveryId, timestampSec, body);
  } catch (err) {
    return { ok: false, error: (err as Error).message, final: true };
  }
  const { request } = await import('undici');
  const dispatcher = await createGuardedDispatcher({
    allowPrivate: o.allowPrivate,
    connectTimeoutMs: o.connectTimeoutMs ?? 5000,
  });
  try {
    const response = await request(o.url, {
      method: 'POST',
      dispatcher,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Parley-Webhooks/1',
        'webhook-id': o.deliveryId,
        'webhook-timestamp': String(timestampSec),
        'webhook-signature': signature,
      },
      body,
    });
    await response.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
    const httpStatus = response.statusCode;
    if (httpStatus >= 200 && httpStatus < 300) return { ok: true, httpStatus };
    return { ok: false, httpStatus, error: `receiver answered HTTP ${httpStatus}` };
  } catch (err) {
    const code = (err as { code?: string; cause?: { code?: string } }).cause?.code ?? (err as { code?: string }).code;
    return { ok: false, error: `request failed: ${code ?? (err as Error).message}` };
  } finally {
    await dispatcher.destroy().catch(() => undefined);
  }
}
