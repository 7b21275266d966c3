/**
 * Browser tests of the built portal (tests/e2e). They run in the system's
 * Chromium (Debian's /usr/bin/chromium, or CHROMIUM_PATH); Playwright never
 * downloads a browser here. The global setup builds the example workspace once
 * and serves it on 127.0.0.1 (see tests/e2e/test-utils.ts).
 */
import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';
import { chromiumArgs, chromiumPath } from './scripts/lib/chromium.ts';

const CI = !!process.env.CI;
const chromium = chromiumPath;
if (!existsSync(chromium)) {
  throw new Error(
    `Chromium not found at ${chromium}. Install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH to a Chromium binary; the tests never download a browser.`,
  );
}

// The same flags `npm run pdf` uses (no network here; the sandbox cannot start as root).
const args = chromiumArgs;

export default defineConfig({
  testDir: './tests/e2e',
  testMatch: '**/*.spec.ts',
  globalSetup: './tests/e2e/test-utils.ts',
  outputDir: './test-results',
  forbidOnly: CI,
  retries: 0,
  fullyParallel: true,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: CI ? [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]] : [['list']],
  use: {
    browserName: 'chromium',
    launchOptions: { executablePath: chromium, args },
    // Offline machine: nothing outside 127.0.0.1 is reachable anyway.
    serviceWorkers: 'block',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
});
