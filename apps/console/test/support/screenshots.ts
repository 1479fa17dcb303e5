import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

/**
 * With CONSOLE_SCREENSHOT_DIR set, saves a full-page screenshot there (to look at what a test saw);
 * otherwise does nothing, so `npm test` never writes into the repository.
 */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.CONSOLE_SCREENSHOT_DIR;
  if (!dir) return;
  await mkdir(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}
