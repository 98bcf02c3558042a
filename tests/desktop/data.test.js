// The data side in the real window, with the demo federation and the virtual ID card: one PIN1
// for every agency, the holdings of each, an official's query that raises a desktop notification
// (watched on the private D-Bus session) and appears in the access log, verified.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startApp, required, pictureSpread } from './harness.js';
import { startDemo } from './demo.js';

let demo;
let app;
let browser;
let monitor;
let notifications = '';

before(async () => {
  demo = await startDemo();
  // Every Notify call on the session bus, as the notification daemon receives it.
  monitor = spawn('dbus-monitor', ['--session', "interface='org.freedesktop.Notifications',member='Notify'"], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  monitor.stdout.on('data', (chunk) => (notifications += chunk.toString()));
  app = await startApp(demo.env);
  browser = app.browser;
  await browser.$('[data-testid="card-state"][data-ready="yes"]').waitForExist({ timeout: 20000 });
});

after(async () => {
  monitor?.kill();
  await app?.stop();
  await demo?.stop();
});

async function shot(name) {
  const file = path.join(required('SIGNET_ARTIFACTS'), `${name}.png`);
  await browser.executeAsync((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())));
  await browser.saveScreenshot(file);
  assert.ok(pictureSpread(file) > 0.02, `the screenshot ${name} is blank`);
}

test('one PIN1 shows what every demo agency holds', async () => {
  await browser.$('[data-testid="nav-data"]').click();
  await browser.$('[data-testid="data-load"]').click();
  const input = await browser.$('[data-testid="pin-input"]');
  await input.waitForDisplayed({ timeout: 20000, timeoutMsg: 'PIN1 was not asked' });
  assert.match(await browser.$('[data-testid="pin-dialog"]').getText(), /PIN1/);
  await input.setValue('1234');
  await browser.$('[data-testid="pin-submit"]').click();
  await browser.$('[data-testid="data-as-of"]').waitForDisplayed({ timeout: 60000, timeoutMsg: 'the holdings never came' });
  const listed = JSON.parse(readFileSync(path.join(demo.profile, 'data/nodes.json'), 'utf8')).nodes;
  const agencies = await browser.$$('[data-testid="agency"]');
  assert.equal(agencies.length, listed.length);
  for (const agency of agencies) {
    assert.equal(await agency.getAttribute('data-state'), 'answered', await agency.getText());
  }
  assert.ok((await browser.$$('[data-testid="data-set"]').length) > 0, 'no data set is shown');
  // Only one PIN was asked for all of them.
  assert.equal(await browser.$('[data-testid="pin-dialog"]').isExisting(), false);
  await shot('data-holdings-en-light');
});

test("an official's query raises a notification and appears in the access log, verified", async () => {
  await browser.$('[data-testid="nav-access"]').click();
  await browser.$('[data-testid="access-load"]').click();
  await browser.$('[data-testid="access-entries"]').waitForExist({ timeout: 30000 });
  const before = (await browser.$$('[data-testid="access-entry"]')).length;
  // The listener starts with the access log; give it a moment to open the streams. The person
  // looks at another screen meanwhile, so the new entry stays unread.
  await new Promise((resolve) => setTimeout(resolve, 2000));
  await browser.$('[data-testid="nav-data"]').click();
  const node = path.join(path.dirname(required('SIGNET_DEMO_BIN')), 'signet-node');
  execFileSync(node, [
    'official', 'query',
    '--federation', path.join(demo.profile, 'nodes/federation.json'),
    '--as', 'ppa', '--at', 'rr', '--person', 'EE38001085718', '--data-set', 'population',
    '--purpose', 'Traffic check on Narva road', '--user-name', 'Officer Kask',
    '--legal-basis', 'Police and Border Guard Act § 7', '--issue', 'CASE-2026-77',
  ], { stdio: 'ignore' });
  await browser.waitUntil(async () => /Traffic check on Narva road/.test(notifications), {
    timeout: 15000,
    timeoutMsg: `no desktop notification reached the session bus:\n${notifications}`,
  });
  assert.match(notifications, /looked at your data/);
  assert.doesNotMatch(notifications, /38001085718/, 'the notification carries the personal code');
  // The tray says it, in the window's language.
  const tooltip = () =>
    browser.executeAsync((done) => {
      window.__TAURI_INTERNALS__.invoke('tray_tooltip').then(done, (e) => done(String(e)));
    });
  await browser.waitUntil(async () => (await tooltip()) === 'Signet — new uses of your data: 1', {
    timeout: 10000,
    timeoutMsg: 'the tray does not show the unread use',
  });
  await browser.$('[data-testid="nav-access"]').click();
  await browser.waitUntil(async () => (await tooltip()) === 'Signet', {
    timeout: 10000,
    timeoutMsg: 'seeing the access log did not clear the unread mark',
  });
  await browser.waitUntil(async () => (await browser.$$('[data-testid="access-entry"]')).length > before, {
    timeout: 15000,
    timeoutMsg: 'the new entry did not appear in the access log',
  });
  const newest = await browser.$('[data-testid="access-entry"]');
  assert.match(await newest.getText(), /Traffic check on Narva road/);
  assert.match(await newest.getText(), /Officer Kask/);
  assert.ok(await newest.$('[data-testid="access-verified"]').isExisting(), 'the entry is not marked verified');
  await shot('access-log-en-light');
});

function officialQuery(args) {
  const node = path.join(path.dirname(required('SIGNET_DEMO_BIN')), 'signet-node');
  try {
    execFileSync(node, ['official', 'query', '--federation', path.join(demo.profile, 'nodes/federation.json'), ...args], {
      stdio: 'ignore',
    });
    return 'served';
  } catch (err) {
    if (err.status === 1) return 'refused';
    throw err;
  }
}

test('switching a consent off refuses the next matching query, with a receipt and a refused entry', async () => {
  const dentist = ['--as', 'dentist', '--at', 'tis', '--person', 'EE38001085718', '--data-set', 'cardiology', '--purpose', 'Ravi'];
  assert.equal(officialQuery(dentist), 'served', 'the demo consent lets the dentist see cardiology');
  await browser.$('[data-testid="nav-consents"]').click();
  await browser.$('[data-testid="consents-load"]').click();
  const consent = await browser.$('[data-testid="consent"][data-id="mari-lubab-hambaarstile-kardioloogia"]');
  await consent.waitForDisplayed({ timeout: 30000, timeoutMsg: "the dentist's consent is not listed" });
  assert.match(await consent.getText(), /Tähe Hambakliinik OÜ may see Cardiology records/);
  assert.equal(await consent.$('[data-testid="consent-state"]').getText(), 'On');
  await shot('consents-en-light');
  await consent.$('[data-testid="consent-switch"]').click();
  const receipt = await browser.$('[data-testid="consent-receipt"]');
  await receipt.waitForDisplayed({ timeout: 30000, timeoutMsg: 'no receipt for the change' });
  assert.match(await receipt.getText(), /Switched off/);
  assert.match(await receipt.getText(), /Verified/);
  await browser.waitUntil(
    async () => (await browser.$('[data-testid="consent"][data-id="mari-lubab-hambaarstile-kardioloogia"] [data-testid="consent-state"]').getText()) === 'Off',
    { timeout: 15000, timeoutMsg: 'the switch did not show Off after the change' },
  );
  await shot('consents-receipt-en-light');
  assert.equal(officialQuery(dentist), 'refused', 'the dentist was served after the consent was withdrawn');
  await browser.$('[data-testid="nav-access"]').click();
  await browser.waitUntil(async () => (await browser.$$('[data-testid="access-refused"]')).length > 0, {
    timeout: 20000,
    timeoutMsg: 'the refused query did not appear in the access log',
  });
  const refused = await browser.$('[data-testid="access-refused"]');
  assert.match(await refused.getText(), /Refused by your consent/);
});

test('with the agencies stopped, a restarted window shows the saved copy from the encrypted vault', async () => {
  await app.stop();
  await demo.stop();
  app = await startApp(demo.env);
  browser = app.browser;
  await browser.$('[data-testid="nav-data"]').click();
  const asOf = await browser.$('[data-testid="data-as-of"]');
  await asOf.waitForDisplayed({ timeout: 20000, timeoutMsg: 'no saved copy was shown' });
  assert.match(await asOf.getText(), /Showing the copy saved on/);
  const agencies = await browser.$$('[data-testid="agency"]');
  assert.ok(agencies.length > 0);
  const text = await browser.$('#main').getText();
  assert.match(text, /Population register data/);
  await shot('data-saved-copy-en-light');
  // What was shown is in no file of the data folder in plain text: it is in the vault.
  const marker = Buffer.from('Population register data');
  const dataDir = path.join(demo.profile, 'data');
  const files = execFileSync('find', [dataDir, '-type', 'f'], { encoding: 'utf8' }).trim().split('\n');
  assert.ok(files.some((f) => f.endsWith('vault.db')), `no vault in ${dataDir}: ${files.join(', ')}`);
  for (const file of files) {
    assert.ok(!readFileSync(file).includes(marker), `${file} holds the holdings in plain text`);
  }
});
