// The one way tests wait for something asynchronous: poll a check until it passes (an `expect` inside stops throwing),
// never a fixed sleep. On timeout the last failure is thrown, so the report shows what was still wrong. A check that
// returns `false` has not passed either, so `eventually(async () => x.status === 'done')` cannot pass by mistake.

export interface EventuallyOptions {
  /** Give up after this long (default 20 s). */
  timeoutMs?: number;
  /** Pause between tries (default 30 ms). */
  everyMs?: number;
}

/** Runs `check` until it returns without throwing (and not `false`), then returns its value. */
export async function eventually<T>(
  check: () => T | Promise<T>,
  { timeoutMs = 20_000, everyMs = 30 }: EventuallyOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await check();
      if (value === false) throw new Error('the check returned false');
      return value;
    } catch (err) {
      if (Date.now() > deadline) {
        if (err instanceof Error) err.message = `still failing after ${timeoutMs} ms: ${err.message}`;
        throw err;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
