// Chromium for the browser tests (playwright-core, the system's /usr/bin/chromium) and the steps the tests share:
// signing in, opening the widget on the demo page, choosing/dropping/pasting files, saving screenshots.
// Without a usable Chromium the browser tests are skipped locally, but fail under CI.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type Frame,
  type FrameLocator,
  type Locator,
  type Page,
} from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));

export interface FilePayload {
  name: string;
  mimeType: string;
  buffer: Buffer;
}

/** Starts headless Chromium; undefined (tests skip) when it cannot start, unless CI is set. */
export async function startBrowser(): Promise<Browser | undefined> {
  try {
    return await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  } catch (err) {
    if (process.env.CI) throw err;
    console.warn(`Browser tests skipped: Chromium did not start (${(err as Error).message.split('\n')[0]})`);
    return undefined;
  }
}

export async function newPage(
  browser: Browser,
  opts: { width?: number; height?: number } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: { width: opts.width ?? 1280, height: opts.height ?? 800 },
    acceptDownloads: true,
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
  return { context, page };
}

/** Signs in on /console/ or /admin/ through the login form. */
export async function signIn(
  page: Page,
  baseUrl: string,
  app: 'console' | 'admin',
  creds: { email: string; password: string },
) {
  await page.goto(`${baseUrl}/${app}/`);
  await page.getByLabel('Email').fill(creds.email);
  await page.getByLabel('Password').fill(creds.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** Opens the demo page, clicks the launcher and waits until the chat is ready to type in. */
export async function openDemoWidget(page: Page, baseUrl: string): Promise<FrameLocator> {
  await page.goto(`${baseUrl}/`);
  await page.getByRole('button', { name: 'Open chat' }).click();
  const widget = page.frameLocator('iframe[title="Parley chat"]');
  await widget.locator('textarea[aria-label="Message"]:not([disabled])').waitFor();
  return widget;
}

/** The widget iframe as a Frame, for dispatching drop and paste events inside it. */
export async function widgetFrame(page: Page): Promise<Frame> {
  const handle = await page.locator('iframe[title="Parley chat"]').elementHandle();
  const frame = await handle?.contentFrame();
  if (!frame) throw new Error('widget iframe not found');
  return frame;
}

/** Clicks something that opens the file picker and answers it with these files. */
export async function chooseFiles(page: Page, opener: Locator, files: FilePayload[]) {
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), opener.click()]);
  await chooser.setFiles(files);
}

type SerialFile = { name: string; type: string; base64: string };
const serial = (files: FilePayload[]): SerialFile[] =>
  files.map((f) => ({ name: f.name, type: f.mimeType, base64: f.buffer.toString('base64') }));

/** Drops files onto an element, as the OS would at the end of a drag: dragenter, dragover, drop. */
export async function dropFiles(frame: Frame, selector: string, files: FilePayload[]) {
  await frame.evaluate(
    ({ selector, files }) => {
      const dt = new DataTransfer();
      for (const f of files) {
        const bytes = Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0));
        dt.items.add(new File([bytes], f.name, { type: f.type }));
      }
      const target = document.querySelector(selector)!;
      for (const type of ['dragenter', 'dragover', 'drop']) {
        target.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
      }
    },
    { selector, files: serial(files) },
  );
}

/** Pastes files (e.g. a screenshot) into an element, as Ctrl+V with an image on the clipboard does. */
export async function pasteFiles(frame: Frame, selector: string, files: FilePayload[]) {
  await frame.evaluate(
    ({ selector, files }) => {
      const dt = new DataTransfer();
      for (const f of files) {
        const bytes = Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0));
        dt.items.add(new File([bytes], f.name, { type: f.type }));
      }
      const target = document.querySelector(selector) as HTMLElement;
      target.focus();
      target.dispatchEvent(new ClipboardEvent('paste', { bubbles: true, cancelable: true, clipboardData: dt }));
    },
    { selector, files: serial(files) },
  );
}

/** Saves a PNG under docs/screenshots/ when PARLEY_SCREENSHOTS=1 (`npm run screenshots`), so test runs leave the tree clean. */
export async function screenshot(page: Page, name: string) {
  if (process.env.PARLEY_SCREENSHOTS !== '1') return;
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}

/**
 * Records which of `texts` the page ever shows and then stops showing (a text node changed or removed), from now
 * on and after any navigation: a form that shows its defaults for one render before the saved settings is caught,
 * however quickly the next render replaces them. Resolves to a function giving the texts seen so far.
 */
export async function recordTextsReplaced(page: Page, texts: string[]): Promise<() => Promise<string[]>> {
  const watch = (needles: string[]) => {
    const w = window as unknown as { __replaced?: string[] };
    if (w.__replaced) return;
    const replaced: string[] = [];
    w.__replaced = replaced;
    const note = (text: string | null | undefined) => {
      for (const needle of needles) if (text?.includes(needle) && !replaced.includes(needle)) replaced.push(needle);
    };
    new MutationObserver((records) => {
      for (const r of records) {
        if (r.type === 'characterData') note(r.oldValue);
        for (const n of r.removedNodes) note(n.textContent);
      }
    }).observe(document, { subtree: true, childList: true, characterData: true, characterDataOldValue: true });
  };
  await page.addInitScript(watch, texts);
  await page.evaluate(watch, texts);
  return () => page.evaluate(() => [...((window as unknown as { __replaced?: string[] }).__replaced ?? [])]);
}

/** Holds the GETs of `pattern` until the returned function is called (the page shows what it shows while loading). */
export async function holdGets(page: Page, pattern: string): Promise<() => Promise<void>> {
  let release!: () => void;
  const held = new Promise<void>((r) => {
    release = r;
  });
  const handled: Promise<void>[] = [];
  await page.route(pattern, (route) => {
    const answer = (async () => {
      if (route.request().method() === 'GET') await held;
      await route.continue();
    })();
    handled.push(answer);
    return answer;
  });
  return async () => {
    release();
    await Promise.all(handled);
    await page.unroute(pattern);
  };
}
