import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/**
 * Headless Chromium for the dashboard tests. playwright-core drives the system browser (installed by `.ci/run`
 * with apt-get); it never downloads one. Tests skip with CHROMIUM_SKIP_MESSAGE when the browser is absent.
 */
export const CHROMIUM_PATH = process.env['SELLBRIDGE_TEST_CHROMIUM'] ?? '/usr/bin/chromium';
export const CHROMIUM_PRESENT = existsSync(CHROMIUM_PATH);
export const CHROMIUM_SKIP_MESSAGE = `skipped: no Chromium at ${CHROMIUM_PATH}; install it with 'apt-get install -y chromium' (as .ci/run does) or point SELLBRIDGE_TEST_CHROMIUM at one`;

/** Screenshots are test artifacts (git-ignored), one PNG per page visited. */
export const ARTIFACTS_DIR = fileURLToPath(new URL('../../test-artifacts/dashboard/', import.meta.url));

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** What went wrong inside the page: console errors, uncaught exceptions, failed requests (CSP violations log as console errors). */
export interface PageProblems {
  readonly problems: string[];
}

/** A fresh context (own cookies) and page at the given viewport, recording the page's problems. */
export async function openPage(
  browser: Browser,
  viewport = { width: 1280, height: 900 },
): Promise<{ context: BrowserContext; page: Page } & PageProblems> {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  return { context, page, problems };
}

/** Opens `url` (a dashboard page), waits for the sign-in form and signs `user` in; the caller waits for its page. */
export async function signIn(
  page: Page,
  url: string,
  user: { readonly name: string; readonly password: string },
): Promise<void> {
  await page.goto(url);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.locator('#username').fill(user.name);
  await page.locator('#password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Saves a full-page screenshot as test-artifacts/dashboard/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
