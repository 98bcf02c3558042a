// The real signet-desktop window, driven through WebKitWebDriver under Xvfb.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { startApp, required, workspaceVersion, pictureSpread } from './harness.js';

let app;
let browser;

before(async () => {
  app = await startApp();
  browser = app.browser;
});

after(async () => {
  await app?.stop();
});

test('the page shows the version the Rust side reports', async () => {
  const version = await browser.$('[data-testid="app-version"]');
  await version.waitUntil(async function () { return (await this.getText()) !== ''; }, {
    timeout: 15000,
    timeoutMsg: 'the version never appeared: the app_info command did not answer',
  });
  const shown = await version.getText();
  assert.equal(shown, workspaceVersion());
  // The command line reports the same version from the same signet-api function.
  const cli = execFileSync(required('SIGNET_CLI_BIN'), ['info', '--json'], { encoding: 'utf8' });
  assert.equal(JSON.parse(cli).version, shown);
  // In a browser preview the UI falls back to mock data; the real window must not.
  assert.equal(await browser.$('[data-testid="preview-badge"]').isExisting(), false);
});

test('switching the language to Estonian and back relabels the window', async () => {
  await browser.$('[data-testid="nav-settings"]').click();
  const select = await browser.$('[data-testid="language-select"]');
  await select.waitForDisplayed({ timeout: 5000 });

  await select.selectByAttribute('value', 'et');
  const sign = await browser.$('[data-testid="nav-sign"]');
  await sign.waitUntil(async function () { return (await this.getText()) === 'Allkirjasta'; }, {
    timeout: 5000,
    timeoutMsg: 'the Sign section was not relabelled in Estonian',
  });
  assert.equal(await browser.execute(() => document.documentElement.lang), 'et');
  assert.equal(await browser.$('[data-testid="section-title"]').getText(), 'Seaded');

  await select.selectByAttribute('value', 'en');
  await sign.waitUntil(async function () { return (await this.getText()) === 'Sign'; }, {
    timeout: 5000,
    timeoutMsg: 'the Sign section was not relabelled back in English',
  });
  assert.equal(await browser.execute(() => document.documentElement.lang), 'en');
  assert.equal(await browser.$('[data-testid="section-title"]').getText(), 'Settings');
});

test('the window is drawn: a screenshot of it is not blank', async () => {
  const artifacts = required('SIGNET_ARTIFACTS');
  mkdirSync(artifacts, { recursive: true });
  await browser.$('[data-testid="nav-sign"]').click();
  await browser.$('[data-testid="section-title"]').waitUntil(
    async function () { return (await this.getText()) === 'Sign'; },
    { timeout: 5000, timeoutMsg: 'clicking Sign did not open the Sign section' },
  );
  const page = path.join(artifacts, 'window.png');
  await browser.saveScreenshot(page);
  assert.ok(pictureSpread(page) > 0.02, 'the WebDriver screenshot of the page is blank');
  // The X screen, cut to the window's rectangle: proves the window is mapped on the display and
  // drawn there, not only rendered off screen.
  const screen = path.join(artifacts, 'screen.png');
  execFileSync('import', ['-window', 'root', screen]);
  const { x, y, width, height } = await browser.getWindowRect();
  assert.ok(width > 300 && height > 200, `the window is too small: ${width}x${height}`);
  const cut = path.join(artifacts, 'screen-window.png');
  execFileSync('convert', [screen, '-crop', `${width}x${height}+${Math.max(0, x)}+${Math.max(0, y)}`, '+repage', cut]);
  assert.ok(pictureSpread(cut) > 0.02, 'the window on the X screen is blank');
});

test('the app writes its rotating log file in its data folder', async () => {
  const logs = path.join(required('SIGNET_E2E_DATA_HOME'), 'ee.signet.Signet', 'logs');
  assert.ok(existsSync(logs), `no log folder at ${logs}`);
  const files = readdirSync(logs).filter((name) => /^signet\..+\.log$/.test(name));
  assert.equal(files.length, 1, `expected one log file, found ${files.join(', ')}`);
  const text = readFileSync(path.join(logs, files[0]), 'utf8');
  assert.match(text, /Signet desktop started/);
  assert.match(text, /version="?\d+\.\d+\.\d+/);
});

test('a second launch hands over to the running window and exits', async () => {
  const { spawn } = await import('node:child_process');
  const second = spawn(required('SIGNET_DESKTOP_BIN'), [], { stdio: 'ignore' });
  const code = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      second.kill();
      reject(new Error('the second instance kept running: single-instance is not in force'));
    }, 15000);
    second.once('exit', (status) => { clearTimeout(timer); resolve(status); });
  });
  assert.equal(code, 0);
  // The first window is still there and answering.
  assert.equal(await browser.$('[data-testid="app-version"]').getText(), workspaceVersion());
});
