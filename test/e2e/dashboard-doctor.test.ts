import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../src/bootstrap/doctor.ts';
import {
  CHROMIUM_PRESENT,
  CHROMIUM_SKIP_MESSAGE,
  launchChromium,
  openPage,
  screenshot,
  signIn,
} from '../helpers/browser.ts';
import { adminEnv, type AdminEnv } from '../integration/server/admin-env.ts';

/**
 * The dashboard's Health check page in headless Chromium over the admin API (issue 21): every connection's doctor
 * checks, a section each (not only the first's), and `#/health?connection=<id>` one connection alone
 * (GET /api/v1/doctor?connection=). The doctor report is given (the real one is covered by test/e2e/doctor*.test.ts).
 * Screenshot: test-artifacts/dashboard/health-check.png.
 */
const USER = { name: 'ada', password: 'correct horse battery staple' };
const at = '2026-12-07T12:00:00.000Z';
const US: DoctorReport = {
  connectionId: 'us',
  checkedAt: at,
  status: 'ok',
  checks: [
    { id: 'config', status: 'ok', detail: 'valid' },
    { id: 'mapping', status: 'ok', detail: 'connections check us: 0 errors, 0 warnings' },
  ],
};
const DE: DoctorReport = {
  connectionId: 'de',
  checkedAt: at,
  status: 'fail',
  checks: [
    { id: 'config', status: 'ok', detail: 'valid' },
    {
      id: 'mapping',
      status: 'fail',
      detail: 'ERROR inventory.warehouseIds.0 = MAIN: Sage has no warehouse MAIN (timWarehouse.WhseID)',
      fix: 'Fix each listed setting',
    },
  ],
};
const asked: Array<string | undefined> = [];
let env: AdminEnv;
let base = '';
let browser: Browser;

describe.skipIf(!CHROMIUM_PRESENT)('dashboard Health check page in headless Chromium', () => {
  beforeAll(async () => {
    env = await adminEnv({
      doctor: async (connection) => {
        asked.push(connection);
        if (connection === undefined) return { ...US, status: 'fail', connections: [US, DE] };
        const one = [US, DE].find((r) => r.connectionId === connection);
        return one ? { ...one, connections: [one] } : undefined;
      },
    });
    await env.auth.addUser({ name: USER.name, role: 'admin', password: USER.password, actor: 'test' });
    await env.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(env.app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await env?.close();
  });

  it("shows every connection's checks, a section each; ?connection= shows one", async () => {
    const { context, page, problems } = await openPage(browser);
    try {
      await signIn(page, `${base}/dashboard/`, USER);
      await page.getByRole('heading', { name: 'Overview' }).waitFor();

      await page.goto(`${base}/dashboard/#/health`);
      await page.locator('#doctor section[data-connection="de"] table').waitFor();
      const sections = page.locator('#doctor section.doctor-connection');
      expect(await sections.evaluateAll((els) => els.map((e) => e.getAttribute('data-connection')))).toEqual([
        'us',
        'de',
      ]);
      expect(await page.locator('#doctor-summary').textContent()).toContain('2 connections');
      const de = (await page.locator('#doctor section[data-connection="de"]').textContent()) ?? '';
      expect(de).toContain('Failed');
      expect(de).toContain('inventory.warehouseIds.0 = MAIN');
      expect(await page.locator('#doctor section[data-connection="us"]').textContent()).toContain(
        'connections check us: 0 errors',
      );
      await screenshot(page, 'health-check');

      await page.goto(`${base}/dashboard/#/health?connection=de`);
      await expect
        .poll(async () => page.locator('#doctor section.doctor-connection').count(), { timeout: 10_000 })
        .toBe(1);
      await page.locator('#doctor section[data-connection="de"] table').waitFor();
      expect(await page.locator('#doctor-summary').textContent()).toContain('1 connection');

      await page.goto(`${base}/dashboard/#/health?connection=nowhere`);
      await page.getByText('No such connection').waitFor();
      expect(asked).toEqual([undefined, 'de', 'nowhere']);
      expect(problems.filter((p) => !/Failed to load resource/.test(p))).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);
});

if (!CHROMIUM_PRESENT) it.skip(CHROMIUM_SKIP_MESSAGE, () => undefined);
