// Browser: the admin's layout. On a tablet or a narrow window (800 × 700) the navigation's eight groups took ~310
// pixels above every page; there they fold behind one button naming the current page, and following a link folds
// them again. Wider, every link shows and the button does not. Storage usage's bars are empty for a side with
// nothing; Deliveries' Refresh sits beside its title.
import type { Locator } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { expectNoSeriousViolations } from '../support/axe.js';
import { newPage, signIn, startBrowser } from '../support/browser.js';
import { useServer } from '../support/server.js';

const browser = await startBrowser();

describe.skipIf(!browser)("the admin's layout", () => {
  const s = useServer();
  afterAll(async () => {
    await browser?.close();
  });

  it('folds the navigation behind a button naming the page, and folds it again after a link', async () => {
    const { page, context } = await newPage(browser!, { width: 800, height: 700 });
    await signIn(page, s.url, 'admin', s.admin);
    await page.goto(`${s.url}/admin/#/files`);
    const nav = page.getByRole('navigation', { name: 'Admin sections' });
    const toggle = nav.getByRole('button', { name: 'List File' });
    await expect.poll(() => toggle.getAttribute('aria-expanded')).toBe('false');
    await expect.poll(() => nav.getByRole('link', { name: 'Deliveries' }).isVisible()).toBe(false);
    // The page starts near the top of the window, not under the whole menu.
    const heading = page.getByRole('heading', { level: 1, name: 'List File' });
    expect((await heading.boundingBox())!.y).toBeLessThan(200);

    await toggle.click();
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    // Pressed, focused and hovered, the button's text stays readable on the dark bar (it was white on white).
    await toggle.hover();
    await expectNoSeriousViolations(page, 'the unfolded admin navigation', '.a-sidebar');
    await nav.getByRole('link', { name: 'Deliveries' }).click();
    await page.getByRole('heading', { level: 1, name: 'Deliveries' }).waitFor();
    const folded = nav.getByRole('button', { name: 'Deliveries' });
    await expect.poll(() => folded.getAttribute('aria-expanded')).toBe('false');
    expect(await nav.getByRole('link', { name: 'List File' }).isVisible()).toBe(false);
    await context.close();
  });

  it('shows every link and no button in a wide window; empty usage bars for no files', async () => {
    // 1024: a laptop, the narrowest width with the navigation beside the page.
    const { page, context } = await newPage(browser!, { width: 1024, height: 768 });
    await signIn(page, s.url, 'admin', s.admin);
    await page.goto(`${s.url}/admin/#/files`);
    const nav = page.getByRole('navigation', { name: 'Admin sections' });
    await nav.getByRole('link', { name: 'Deliveries' }).waitFor();
    expect(await nav.getByRole('button').count()).toBe(0);

    // No file yet: both sides read 0 B with an empty track (a 0 B row once showed a tiny share's 2-pixel bar).
    await nav.getByRole('link', { name: 'Storage usage' }).click();
    const sides = page.getByRole('list', { name: 'By side' });
    await expect.poll(() => sides.getByRole('listitem').first().innerText()).toMatch(/Visitors.*0 B · 0 files/s);
    expect(await sides.locator('.a-chart__bar').count()).toBe(0);

    // Deliveries' filters: the chat field is a field like the others (it was a bare, shorter box).
    await nav.getByRole('link', { name: 'Deliveries' }).click();
    await page.getByRole('heading', { level: 1, name: 'Deliveries' }).waitFor();
    const heights = await page
      .locator('.a-title-row')
      .locator('select, input')
      .evaluateAll((els) => els.map((e) => e.getBoundingClientRect().height));
    expect(heights).toHaveLength(3);
    expect(Math.max(...heights) - Math.min(...heights)).toBeLessThan(4);
    // Refresh sits beside the title, as on List File (last in the row, it went to a line of its own at 1024).
    const middle = async (l: Locator) => {
      const r = (await l.boundingBox())!;
      return r.y + r.height / 2;
    };
    const title = page.getByRole('heading', { level: 1, name: 'Deliveries' });
    const refresh = page.locator('.a-title-row').getByRole('button', { name: 'Refresh' });
    expect(Math.abs((await middle(title)) - (await middle(refresh)))).toBeLessThan(4);
    await context.close();
  });
});
