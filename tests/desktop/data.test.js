// The data side in the real window, with the demo federation and the virtual ID card: one PIN1
// for every agency, the holdings of each, an official's query that raises a desktop notification
// (watched on the private D-Bus session) and appears in the access log, verified.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startApp, required, saveShot } from './harness.js';
import { peer, startDemo } from './demo.js';

let demo;
let app;
let browser;
let monitor;
let notifications = '';
const here = path.dirname(fileURLToPath(import.meta.url));
// Where the window "picks" a folder (WebDriver cannot drive the system's chooser).
const picked = mkdtempSync(path.join(tmpdir(), 'signet-e2e-evidence-'));
// The vault's export, named by the day (UTC) it is made.
const exportFile = path.join(picked, `signet-vault-${new Date().toISOString().slice(0, 10)}.signetvault`);

before(async () => {
  demo = await startDemo();
  // Every Notify call on the session bus, as the notification daemon receives it.
  monitor = spawn('dbus-monitor', ['--session', "interface='org.freedesktop.Notifications',member='Notify'"], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  monitor.stdout.on('data', (chunk) => (notifications += chunk.toString()));
  app = await startApp({ ...demo.env, SIGNET_E2E_PICK_FOLDER: picked, SIGNET_E2E_PICK_FILE: exportFile });
  browser = app.browser;
  await browser.$('[data-testid="card-state"][data-ready="yes"]').waitForExist({ timeout: 20000 });
});

after(async () => {
  monitor?.kill();
  await app?.stop();
  await demo?.stop();
});

function shot(name) {
  return saveShot(browser, name);
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
  // A date is written in the window's language, not as the agency sends it (1980-01-08).
  const values = [];
  for (const value of await browser.$$('[data-testid="field-value"]')) values.push(await value.getText());
  assert.ok(values.includes('8 January 1980'), values.join(' | '));
  assert.ok(!values.some((v) => /^\d{4}-\d{2}-\d{2}$/.test(v)), values.join(' | '));
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
  // What was released is named as the agency names it in the holdings, in the window's language.
  assert.equal(await newest.$('[data-testid="access-what"]').getText(), 'Population register data');
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

test('switching a consent off, signed with PIN2, refuses the next matching query, with a receipt and a refused entry', async () => {
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
  // Cardiology records take the person's signature: PIN2 on the card signs the change itself,
  // and the request says what it signs.
  const input = await untilShown(browser, '[data-testid="pin-input"]', 'PIN2 was not asked to sign the change', false);
  const dialog = await browser.$('[data-testid="pin-dialog"]').getText();
  assert.match(dialog, /PIN2/);
  // The change in words, then the file that carries it.
  assert.match(
    await browser.$('[data-testid="pin-consent-change"]').getText(),
    /^Switch off: Tähe Hambakliinik OÜ \(EE\/COM\/10137319\) may see Cardiology records$/,
  );
  assert.match(dialog, /consent\.json/);
  await shot('consents-pin2-en-light');
  await input.setValue('12345');
  await browser.$('[data-testid="pin-submit"]').click();
  const receipt = await browser.$('[data-testid="consent-receipt"]');
  await receipt.waitForDisplayed({ timeout: 60000, timeoutMsg: 'no receipt for the signed change' });
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
  // What it asked for, in the agency's own words (nothing was released to name).
  const texts = [];
  for (const entry of await browser.$$('[data-testid="access-entry"]')) texts.push(await entry.getText());
  const refusedEntry = texts.find((text) => /Refused by your consent/.test(text)) ?? '';
  assert.match(refusedEntry, /Päring: Kardioloogia/);
  assert.doesNotMatch(refusedEntry, /getRecords/);
});

/** Waits for `selector` to show within `root`; answers PIN1 if an agency asks for a new login. */
async function untilShown(root, selector, what, answerPin1 = true) {
  try {
    await browser.waitUntil(
      async () => {
        if (answerPin1 && (await browser.$('[data-testid="pin-input"]').isDisplayed())) {
          await browser.$('[data-testid="pin-input"]').setValue('1234');
          await browser.$('[data-testid="pin-submit"]').click();
        }
        return root.$(selector).isDisplayed();
      },
      { timeout: 30000 },
    );
  } catch {
    await browser.saveScreenshot(path.join(required('SIGNET_ARTIFACTS'), 'failure-data.png'));
    const notices = [];
    for (const n of await browser.$$('[data-testid="error-notice"]')) notices.push(await n.getText());
    assert.fail(`${what}; the window says: ${notices.join(' | ') || '(no error shown)'}`);
  }
  return root.$(selector);
}

async function look(locale, theme) {
  await browser.$('[data-testid="nav-settings"]').click();
  await browser.$('[data-testid="language-select"]').selectByAttribute('value', locale);
  await browser.$('[data-testid="theme-select"]').selectByAttribute('value', theme);
  await browser.waitUntil(async () => (await browser.execute(() => document.documentElement.dataset.theme)) === theme);
}

test('"this is wrong" on a field and "report misuse" on a use are sent with verified receipts and listed with their state', async () => {
  await browser.$('[data-testid="nav-data"]').click();
  const set = await browser.$('[data-testid="data-set"]');
  await set.$('summary').click();
  const field = await set.$('[data-testid="field-wrong"]');
  await field.waitForDisplayed({ timeout: 10000, timeoutMsg: 'no field offers "This is wrong"' });
  await field.click();
  await set.$('[data-testid="correction-form"]').waitForDisplayed({ timeout: 5000 });
  // Sending with nothing written says what is missing and sends nothing.
  await set.$('[data-testid="case-send"]').click();
  await set.$('[data-testid="case-missing"]').waitForDisplayed({ timeout: 5000 });
  await set.$('[data-testid="case-value"]').setValue('Mari Tamm-Kask');
  await set.$('[data-testid="case-why"]').setValue('I married in March and took my husband’s name too.');
  // Written, the notice of what was missing is gone.
  await browser.waitUntil(async () => !(await set.$('[data-testid="case-missing"]').isExisting()), { timeout: 5000 });
  await shot('data-correction-form-en-light');
  await set.$('[data-testid="case-send"]').click();
  const receipt = await untilShown(set, '[data-testid="case-receipt"]', 'no receipt for the correction');
  assert.match(await receipt.getText(), /Correction sent to/);
  assert.match(await receipt.getText(), /receipt verified/);
  await shot('data-correction-receipt-en-light');

  // The officer's query of the population register, reported as misuse.
  await browser.$('[data-testid="nav-access"]').click();
  let entry;
  for (const e of await browser.$$('[data-testid="access-entry"]')) {
    if (/Traffic check on Narva road/.test(await e.getText())) entry = e;
  }
  assert.ok(entry, "the officer's query is not in the access log");
  await entry.$('[data-testid="access-report"]').click();
  await entry.$('[data-testid="misuse-form"]').waitForDisplayed({ timeout: 5000 });
  await entry.$('[data-testid="case-why"]').setValue('I was not on Narva road that day: nobody stopped me.');
  await entry.$('[data-testid="case-send"]').click();
  const reported = await untilShown(entry, '[data-testid="case-receipt"]', 'no receipt for the misuse report');
  assert.match(await reported.getText(), /Report sent to/);
  assert.match(await reported.getText(), /receipt verified/);
  await shot('access-report-receipt-en-light');

  // Both are listed from the agencies, each with its state in words.
  await browser.$('[data-testid="nav-data"]').click();
  await browser.$('[data-testid="cases-load"]').click();
  await untilShown(browser, '[data-testid="case"]', 'the cases were not listed');
  const cases = await browser.$$('[data-testid="case"]');
  const seen = [];
  for (const c of cases) seen.push(`${await c.getAttribute('data-kind')}:${await c.getAttribute('data-state')}`);
  assert.ok(seen.includes('correction:pending'), seen.join(', '));
  assert.ok(seen.includes('misuseReport:recorded'), seen.join(', '));
  const text = await browser.$('[data-testid="cases"]').getText();
  assert.match(text, /Waiting for the agency/);
  assert.match(text, /Mari Tamm-Kask/);
  // Named as My data and the access log name them, not by their ids.
  assert.match(text, /Name \(Population register data\)/);
  assert.match(text, /The query by Officer Kask/);
  await browser.$('[data-testid="cases"]').scrollIntoView();
  await shot('data-cases-en-light');

  // The agency's operator accepts the correction: the person is told on the desktop, and the
  // list shows the decision with the new value.
  let id;
  for (const c of await browser.$$('[data-testid="case"]')) {
    if ((await c.getAttribute('data-kind')) === 'correction') id = await c.getAttribute('data-id');
  }
  const node = path.join(path.dirname(required('SIGNET_DEMO_BIN')), 'signet-node');
  execFileSync(node, ['correction', 'accept', id, '--database', path.join(demo.profile, 'nodes', 'rr.db')], { stdio: 'ignore' });
  await browser.waitUntil(async () => /accepted your correction/.test(notifications), {
    timeout: 30000,
    timeoutMsg: `no notification of the decision reached the session bus:\n${notifications}`,
  });
  await browser.$('[data-testid="cases-load"]').click();
  await browser.waitUntil(
    async () => (await browser.$(`[data-testid="case"][data-id="${id}"]`).getAttribute('data-state')) === 'accepted',
    { timeout: 30000, timeoutMsg: 'the list does not show the correction accepted' },
  );
  assert.match(await browser.$(`[data-testid="case"][data-id="${id}"]`).getText(), /New value: Mari Tamm-Kask/);
  await browser.$('[data-testid="cases"]').scrollIntoView();
  await shot('data-cases-accepted-en-light');
  for (const [locale, theme] of [['et', 'dark'], ['ru', 'light']]) {
    await look(locale, theme);
    await browser.$('[data-testid="nav-data"]').click();
    await browser.$('[data-testid="cases"]').scrollIntoView();
    await shot(`data-cases-${locale}-${theme}`);
  }
  await look('en', 'light');
});

/** Reads the access log again and waits until it was read (its "as of" time changed). */
async function reloadAccess() {
  const asOf = browser.$('[data-testid="access-as-of"]');
  const before = (await asOf.isExisting()) ? await asOf.getText() : '';
  await browser.$('[data-testid="access-load"]').click();
  await browser.waitUntil(
    async () =>
      (await asOf.isExisting()) && (await asOf.getText()) !== before && (await browser.$('[data-testid="access-load"]').isEnabled()),
    { timeout: 60000, timeoutMsg: 'the access log was not read again' },
  );
}

/** Runs `sql` on an agency node's SQLite database, behind the running node's back. */
function tamper(agency, sql) {
  const db = path.join(demo.profile, 'nodes', `${agency}.db`);
  const changed = execFileSync(
    peer('python'),
    ['-c', 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); n=c.execute(sys.argv[2]).rowcount; c.commit(); print(n)', db, sql],
    { encoding: 'utf8' },
  ).trim();
  assert.equal(changed, '1', `${sql} changed ${changed} rows of ${db}`);
}

test("an agency that deletes or changes its log's entries raises alarms at the top of the window, kept until dismissed", async () => {
  await look('en', 'light');
  await browser.$('[data-testid="nav-access"]').click();
  // Read (and kept in the vault) as the agencies serve it now.
  await browser.pause(1100);
  await reloadAccess();
  assert.equal(await browser.$('[data-testid="alarm"]').isExisting(), false, 'an alarm before any tampering');
  // The population register deletes the officer's query; the health information system
  // rewrites why the dentist looked.
  tamper('rr', "DELETE FROM entries WHERE CAST(entry AS TEXT) LIKE '%Traffic check on Narva road%'");
  tamper(
    'tis',
    "UPDATE entries SET entry = CAST(REPLACE(CAST(entry AS TEXT), '\"purpose\":\"Ravi\"', '\"purpose\":\"Ravi kontroll\"') AS BLOB) WHERE idx = (SELECT min(idx) FROM entries WHERE CAST(entry AS TEXT) LIKE '%\"purpose\":\"Ravi\"%')",
  );
  await browser.pause(1100);
  await reloadAccess();
  const removed = await untilShown(browser, '[data-testid="alarm"][data-kind="entryRemoved"]', 'no alarm for the deleted entry');
  const changed = await untilShown(browser, '[data-testid="alarm"][data-kind="proofFailed"]', 'no alarm for the changed entry');
  assert.match(await removed.getText(), /a use of your data was removed from its access log/);
  assert.match(await removed.$('[data-testid="alarm-entry"]').getText(), /Traffic check on Narva road/);
  assert.match(await changed.getText(), /an entry of its access log failed its proof/);
  assert.match(await changed.getText(), /Data Protection Inspectorate/);
  // The deleted entry stays in the log from the vault's copy, marked.
  let kept;
  for (const e of await browser.$$('[data-testid="access-entry"]')) {
    if (/Traffic check on Narva road/.test(await e.getText())) kept = e;
  }
  assert.ok(kept, 'the deleted entry is no longer shown');
  assert.ok(await kept.$('[data-testid="access-removed"]').isExisting(), 'the deleted entry is not marked');
  await browser.$('#main').scrollIntoView();
  await shot('alarms-en-light');
  // Seen again, the same problems are the same two alarms.
  await browser.pause(1100);
  await reloadAccess();
  assert.equal((await browser.$$('[data-testid="alarm"]')).length, 2);

  // The evidence, saved in the folder the person picked: the item exactly as the node sent it.
  await changed.$('[data-testid="alarm-save"]').click();
  const saved = await untilShown(changed, '[data-testid="alarm-saved"]', 'the evidence was not saved');
  const file = (await saved.getText()).match(/(\/\S+\.json)/)?.[1];
  assert.ok(file && file.startsWith(picked), await saved.getText());
  const evidence = JSON.parse(readFileSync(file, 'utf8'));
  assert.equal(evidence.alarm.kind, 'proofFailed');
  assert.match(JSON.stringify(evidence.item.entry), /Ravi kontroll/);
  assert.match(evidence.checkpoints[0], /tis\.signet\.demo\/usage/);
  assert.deepEqual(readdirSync(picked), [path.basename(file)]);

  // Every data screen, logged in, in each language and theme.
  for (const [locale, theme] of [['et', 'dark'], ['ru', 'light'], ['en', 'dark'], ['et', 'light'], ['ru', 'dark']]) {
    await look(locale, theme);
    await browser.$('[data-testid="nav-access"]').click();
    await browser.$('#main').scrollIntoView();
    await shot(`alarms-${locale}-${theme}`);
    await browser.$('[data-testid="access-entries"]').scrollIntoView();
    await shot(`access-log-${locale}-${theme}`);
    await browser.$('[data-testid="nav-data"]').click();
    await browser.$('[data-testid="data-set"]').scrollIntoView();
    await shot(`data-holdings-${locale}-${theme}`);
    await browser.$('[data-testid="nav-consents"]').click();
    await browser.$('[data-testid="consent"]').scrollIntoView();
    await shot(`consents-${locale}-${theme}`);
  }
  await look('en', 'light');

  // Dismissed, the removal alarm goes; the other stays, on every screen.
  await browser.$('[data-testid="alarm"][data-kind="entryRemoved"] [data-testid="alarm-dismiss"]').click();
  await browser.waitUntil(async () => !(await browser.$('[data-testid="alarm"][data-kind="entryRemoved"]').isExisting()), {
    timeout: 10000,
    timeoutMsg: 'the dismissed alarm is still shown',
  });
  await browser.$('[data-testid="nav-sign"]').click();
  assert.ok(await browser.$('[data-testid="alarm"][data-kind="proofFailed"]').isDisplayed(), 'the alarm is not on the Sign screen');
});

/** The window as the X server sees it ("shown" or "hidden"), or closed as by its close button. */
function x11(action) {
  return execFileSync(peer('python'), [path.join(here, 'x11window.py'), action, 'Signet'], { encoding: 'utf8' }).trim();
}

test('closed to the tray, Signet still tells of a query; clicking the notification opens the entry in the window', async () => {
  // The access log was read: Signet listens. The person is on another screen, then closes the
  // window with its close button.
  await browser.$('[data-testid="nav-sign"]').click();
  assert.equal(x11('state'), 'shown');
  assert.equal(x11('close'), 'hidden', 'closing the window did not hide it');
  execFileSync('dunstctl', ['close-all']);
  const mark = notifications.length;
  officialQuery([
    '--as', 'ppa', '--at', 'rr', '--person', 'EE38001085718', '--data-set', 'population',
    '--purpose', 'Second traffic check at Tartu', '--user-name', 'Officer Kask',
    '--legal-basis', 'Police and Border Guard Act § 7', '--issue', 'CASE-2026-78',
  ]);
  await browser.waitUntil(async () => /Second traffic check at Tartu/.test(notifications.slice(mark)), {
    timeout: 15000,
    timeoutMsg: `no notification while the window was closed:\n${notifications.slice(mark)}`,
  });
  assert.equal(x11('state'), 'hidden', 'the notification alone brought the window back');
  // Still running in the tray, which says what is unread.
  const tooltip = await browser.executeAsync((done) => {
    window.__TAURI_INTERNALS__.invoke('tray_tooltip').then(done, (e) => done(String(e)));
  });
  assert.equal(tooltip, 'Signet — new uses of your data: 1');
  // A click on the notification (its default action, as dunst performs it): the window comes
  // back on the access log, at that entry.
  execFileSync('dunstctl', ['action', '0']);
  await browser.waitUntil(async () => x11('state') === 'shown', {
    timeout: 10000,
    timeoutMsg: 'clicking the notification did not bring the window back',
  });
  await browser.waitUntil(async () => (await browser.$('[data-testid="section-title"]').getText()) === 'Access log', {
    timeout: 10000,
    timeoutMsg: 'clicking the notification did not open the access log',
  });
  const opened = await browser.$('[data-testid="access-entry"][data-focused="yes"]');
  await opened.waitForDisplayed({ timeout: 10000, timeoutMsg: 'the entry the notification is about is not shown' });
  assert.match(await opened.getText(), /Second traffic check at Tartu/);
  await shot('access-opened-from-notification-en-light');
});

test('an agency switched off in Settings is not told on the desktop, and its use still appears in the access log', async () => {
  await browser.$('[data-testid="nav-settings"]').click();
  const settings = await browser.$('[data-testid="notify-settings"]');
  await settings.waitForDisplayed({ timeout: 10000 });
  let rr;
  for (const select of await settings.$$('[data-testid="notify-mode"]')) {
    const label = await browser.$(`label[for="${await select.getAttribute('id')}"]`).getText();
    if (/Rahvastikuregister/.test(label)) rr = select;
  }
  assert.ok(rr, 'the population register is not among the notification settings');
  await rr.selectByAttribute('value', 'off');
  await settings.$('[data-testid="notify-saved"]').waitForDisplayed({ timeout: 10000 });
  await shot('settings-notifications-en-light');
  const mark = notifications.length;
  officialQuery([
    '--as', 'ppa', '--at', 'rr', '--person', 'EE38001085718', '--data-set', 'population',
    '--purpose', 'Third check, switched off', '--user-name', 'Officer Kask',
    '--legal-basis', 'Police and Border Guard Act § 7', '--issue', 'CASE-2026-79',
  ]);
  await browser.$('[data-testid="nav-access"]').click();
  await browser.waitUntil(
    async () => {
      for (const e of await browser.$$('[data-testid="access-entry"]')) if (/Third check, switched off/.test(await e.getText())) return true;
      return false;
    },
    { timeout: 20000, timeoutMsg: 'the use did not appear in the access log' },
  );
  await browser.pause(2000);
  assert.doesNotMatch(notifications.slice(mark), /Third check, switched off/, 'a switched-off agency was told on the desktop');
  // Back to every query.
  await browser.$('[data-testid="nav-settings"]').click();
  await rr.selectByAttribute('value', 'everyQuery');
  await settings.$('[data-testid="notify-saved"]').waitForDisplayed({ timeout: 10000 });
  // Start at login: an autostart entry under the session's own config folder, running this
  // program in the background; removed when switched off.
  const entry = path.join(required('XDG_CONFIG_HOME'), 'autostart', 'signet.desktop');
  assert.ok(required('XDG_CONFIG_HOME').startsWith(tmpdir()), 'the test would write into a real home');
  assert.ok(required('HOME').startsWith(tmpdir()), 'the session keeps the real HOME');
  await settings.$('[data-testid="start-at-login"]').click();
  await browser.waitUntil(async () => existsSync(entry), { timeout: 10000, timeoutMsg: 'no autostart entry' });
  const text = readFileSync(entry, 'utf8');
  assert.match(text, /^\[Desktop Entry\]\nType=Application\n/);
  assert.ok(text.includes(`Exec="${required('SIGNET_DESKTOP_BIN')}" --background`), text);
  await settings.$('[data-testid="start-at-login"]').click();
  await browser.waitUntil(async () => !existsSync(entry), { timeout: 10000, timeoutMsg: 'the autostart entry stayed' });
});

test('the vault moves to another computer: exported under a passphrase, imported with it, a wrong one changing nothing', async () => {
  await look('en', 'light');
  await browser.$('[data-testid="nav-settings"]').click();
  const card = await browser.$('[data-testid="vault-transfer"]');
  await card.scrollIntoView();
  await card.$('[data-testid="transfer-export-pass"]').setValue('seven horses strong');
  await card.$('[data-testid="transfer-export-repeat"]').setValue('seven horses strong');
  await card.$('[data-testid="transfer-export"]').click();
  const done = await untilShown(card, '[data-testid="transfer-done"]', 'the vault was not exported', false);
  assert.match(await done.getText(), new RegExp(path.basename(exportFile).replace(/\./g, '\\.')));
  assert.equal(await card.$('[data-testid="transfer-export-pass"]').getValue(), '', 'the passphrase stayed in its field');
  const bytes = readFileSync(exportFile);
  assert.ok(bytes.subarray(0, 22).toString() === 'signet-vault-export 1\n', 'not an export file');
  for (const marker of ['Traffic check on Narva road', 'Mari Tamm-Kask']) {
    assert.ok(!bytes.includes(Buffer.from(marker)), `the export holds "${marker}" in plain text`);
  }
  await shot('settings-transfer-exported-en-light');
  // Imported with a wrong passphrase: refused, nothing changed; with the right one: the records.
  await card.$('[data-testid="transfer-pick"]').click();
  await card.$('[data-testid="transfer-import-pass"]').waitForDisplayed({ timeout: 5000 });
  await card.$('[data-testid="transfer-import-pass"]').setValue('seven horses wrong');
  await card.$('[data-testid="transfer-import"]').click();
  const refused = await untilShown(card, '[data-testid="error-notice"]', 'a wrong passphrase was not refused', false);
  assert.match(await refused.getText(), /passphrase/i);
  await card.$('[data-testid="transfer-import-pass"]').setValue('seven horses strong');
  await card.$('[data-testid="transfer-import"]').click();
  const imported = await untilShown(card, '[data-testid="transfer-done"]', 'the export was not imported', false);
  const records = Number((await imported.getText()).match(/Imported: (\d+) records/)?.[1]);
  assert.ok(records > 10, await imported.getText());
  await shot('settings-transfer-imported-en-light');
  // What was kept is still there: the alarm not dismissed.
  assert.ok(await browser.$('[data-testid="alarm"][data-kind="proofFailed"]').isExisting());
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
  // The alarm not dismissed is still at the top, read from the vault.
  await browser.$('[data-testid="alarm"][data-kind="proofFailed"]').waitForDisplayed({
    timeout: 10000,
    timeoutMsg: 'the alarm was not kept across a restart',
  });
  assert.equal(await browser.$('[data-testid="alarm"][data-kind="entryRemoved"]').isExisting(), false);
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
