// A second signature on a container, in the real window: a container signed with the virtual ID
// card on the command line, then "Add my signature" on the Verify screen (PIN2 typed in the
// dialog that names the container) — changed in place, both signatures valid to the window and to
// libdigidocpp. Also the Settings' folder for signed files: a file signed in the window lands
// there. The folder chooser is answered by SIGNET_E2E_PICK_FOLDER (debug builds only).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startApp, required, root, saveShot, typePin as typePinIn } from './harness.js';
import { startDemo, pdfWithPages, runPeer } from './demo.js';

let demo;
let app;
let browser;
let docs;
let picked;

before(async () => {
  demo = await startDemo();
  docs = path.join(demo.dir, 'docs');
  picked = path.join(demo.dir, 'signed-here');
  mkdirSync(docs);
  mkdirSync(picked);
  pdfWithPages(path.join(docs, 'deed.pdf'), 1, 'Deed');
  writeFileSync(path.join(docs, 'notes.txt'), 'notes for the deed\n');
  // The first signature: the command line, with the virtual card (PIN2 on standard input),
  // before the window opens (one card session at a time). pcscd may take a moment to see the
  // card the demo has just put in (after the previous file's demo took its own out).
  const deadline = Date.now() + 20000;
  for (;;) {
    try {
      execFileSync(required('SIGNET_CLI_BIN'), ['card', 'status'], { env: { ...process.env, ...demo.env }, stdio: 'ignore' });
      break;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`the virtual card never became ready for the command line: ${err}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  execFileSync(
    required('SIGNET_CLI_BIN'),
    [
      'sign', path.join(docs, 'deed.pdf'), path.join(docs, 'notes.txt'),
      '--format', 'asice', '--container', path.join(docs, 'deed.asice'), '--token', 'pcsc', '--pin-stdin',
    ],
    { input: '12345\n', env: { ...process.env, ...demo.env }, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  app = await startApp({ ...demo.env, SIGNET_E2E_PICK_FOLDER: picked });
  browser = app.browser;
  await browser.$('[data-testid="card-state"][data-ready="yes"]').waitForExist({
    timeout: 20000,
    timeoutMsg: 'the window never showed the virtual card as ready',
  });
  await setLook('en', 'light');
});

after(async () => {
  await app?.stop();
  await demo?.stop();
});

async function setLook(locale, theme) {
  await nav('settings');
  await browser.$('[data-testid="language-select"]').selectByAttribute('value', locale);
  await browser.$('[data-testid="theme-select"]').selectByAttribute('value', theme);
  await browser.waitUntil(
    async () =>
      (await browser.execute(() => [document.documentElement.lang, document.documentElement.dataset.theme].join(' '))) ===
      `${locale} ${theme}`,
  );
}

async function openWith(files) {
  const second = spawn(required('SIGNET_DESKTOP_BIN'), files, { stdio: 'ignore', env: { ...process.env, ...demo.env } });
  assert.equal(await new Promise((resolve) => second.once('exit', resolve)), 0, 'the second launch did not hand over and exit');
}

function shot(name) {
  return saveShot(browser, name);
}

async function nav(section) {
  const cancel = await browser.$('[data-testid="pin-cancel"]');
  if (await cancel.isDisplayed()) await cancel.click();
  await browser.$(`[data-testid="nav-${section}"]`).click();
}

function typePin(pin) {
  return typePinIn(browser, pin);
}

/** The verdicts of the signatures shown for the one file verified, once there are `count`. */
async function verdicts(count) {
  const result = await browser.$('[data-testid="verify-result"]');
  await browser.waitUntil(
    async () => (await result.isExisting()) && (await result.$$('[data-testid="signer"]').length) === count,
    { timeout: 60000, timeoutMsg: `the container was not shown with ${count} signature(s)` },
  );
  return result.$$('[data-testid="signature"] [data-testid="verdict"]').map((b) => b.getAttribute('data-verdict'));
}

/** libdigidocpp's verdict on a container: its signatures' statuses and its files. */
function digidoc(container) {
  const peer = runPeer('python', [
    path.join(root, 'tests/peers/digidoc.py'), 'validate',
    '--tsl', path.join(demo.profile, 'trust/tsl.xml'),
    '--tslcert', path.join(demo.profile, 'trust/tsl-signer.der'), container,
  ]);
  assert.ok(peer.ok, peer.text);
  return JSON.parse(peer.text)[container];
}

test('a signature added to a container in the window: changed in place, both signatures valid', async () => {
  const container = path.join(docs, 'deed.asice');
  assert.deepEqual(digidoc(container).signatures.map((s) => s.status), ['Valid']);
  await nav('verify');
  await openWith([container]);
  assert.deepEqual(await verdicts(1), ['valid']);
  const cosign = await browser.$('[data-testid="cosign"]');
  await cosign.waitForDisplayed({ timeout: 10000, timeoutMsg: 'no "Add my signature" for an ASiC-E container' });
  assert.match(await browser.$('[data-testid="cosign-in-place"]').getText(), /deed\.asice is changed in place/);
  await cosign.scrollIntoView();
  await shot('verify-cosign-en-light');

  await browser.$('[data-testid="cosign-submit"]').click();
  await browser.$('[data-testid="pin-dialog"]').waitForDisplayed({ timeout: 20000 });
  assert.match(await browser.$('[data-testid="pin-signer"]').getText(), /Mari Tamm \(38001085718\)/);
  assert.match(await browser.$('[data-testid="pin-documents"]').getText(), /deed\.asice/);
  await shot('cosign-pin-dialog-en-light');
  await typePin('12345');

  const done = await browser.$('[data-testid="cosign-done"], [data-testid="cosign"] [data-testid="error-notice"]');
  await done.waitForExist({ timeout: 90000, timeoutMsg: 'adding the signature never finished' });
  const notice = await browser.$('[data-testid="cosign"] [data-testid="error-notice"]');
  if (await notice.isExisting()) assert.fail(`adding the signature failed: ${await notice.getText()}`);
  assert.match(await done.getText(), /Mari Tamm \(38001085718\) signed deed\.asice/);
  assert.deepEqual(await verdicts(2), ['valid', 'valid']);
  await shot('verify-cosigned-en-light');

  // In place: the same file, now with two signatures over the same two files, for libdigidocpp.
  assert.ok(!existsSync(path.join(docs, 'deed-2.asice')));
  const verdict = digidoc(container);
  assert.deepEqual(verdict.signatures.map((s) => s.status), ['Valid', 'Valid'], JSON.stringify(verdict));
  assert.deepEqual([...verdict.files].sort(), ['deed.pdf', 'notes.txt']);
  // And for Signet's command line.
  const cli = JSON.parse(
    execFileSync(required('SIGNET_CLI_BIN'), ['verify', '--json', container], {
      encoding: 'utf8',
      env: { ...process.env, ...demo.env },
    }),
  );
  const file = cli.files?.[0] ?? cli;
  assert.deepEqual(file.signatures.map((s) => s.indication), ['TOTAL-PASSED', 'TOTAL-PASSED'], JSON.stringify(cli));
});

test('signed files go to the folder chosen in Settings', async () => {
  await nav('settings');
  await browser.$('[data-testid="settings-output-choose"]').click();
  await browser.waitUntil(async () => (await browser.$('[data-testid="settings-output-dir"]').getText()) === picked, {
    timeout: 10000,
    timeoutMsg: 'the folder picked was not shown',
  });
  await browser.$('[data-testid="settings-save"]').click();
  await browser.$('[data-testid="settings-saved"]').waitForDisplayed({ timeout: 10000 });
  await shot('settings-output-folder-en-light');

  const letter = path.join(docs, 'letter.txt');
  writeFileSync(letter, 'a letter\n');
  await nav('sign');
  const again = await browser.$('[data-testid="sign-again"]');
  if (await again.isExisting()) await again.click();
  await openWith([letter]);
  const outputs = await browser.$('[data-testid="sign-outputs"]');
  await browser.waitUntil(async () => (await outputs.isExisting()) && (await outputs.getText()).includes(picked), {
    timeout: 15000,
    timeoutMsg: 'the proposal does not write into the folder chosen in Settings',
  });
  await browser.$('[data-testid="sign-submit"]').click();
  await typePin('12345');
  const result = await browser.$('[data-testid="sign-result"], [data-testid="error-notice"]');
  await result.waitForExist({ timeout: 60000, timeoutMsg: 'signing never finished' });
  const notice = await browser.$('[data-testid="error-notice"]');
  if (await notice.isExisting()) assert.fail(`signing failed: ${await notice.getText()}`);
  const output = await browser.$('[data-testid="sign-output"]').getText();
  assert.equal(output, path.join(picked, 'letter.asice'));
  assert.ok(existsSync(output) && !existsSync(path.join(docs, 'letter.asice')));
  assert.deepEqual(digidoc(output).signatures.map((s) => s.status), ['Valid']);
  assert.ok(readFileSync(output).length > 0);

  // Back to "next to the original" for the tests after this one.
  await nav('settings');
  await browser.$('[data-testid="settings-output-beside"]').click();
  await browser.$('[data-testid="settings-save"]').click();
});

test('adding a signature, in Estonian, English and Russian, light and dark, saved for review', async () => {
  const container = path.join(docs, 'deed.asice');
  // Verified afresh: the note about the signature added earlier is gone.
  await nav('verify');
  await openWith([container]);
  await browser.waitUntil(async () => !(await browser.$('[data-testid="cosign-done"]').isExisting()), {
    timeout: 15000,
    timeoutMsg: 'the container opened again was not verified afresh',
  });
  assert.deepEqual(await verdicts(2), ['valid', 'valid']);
  for (const locale of ['et', 'en', 'ru']) {
    for (const theme of ['light', 'dark']) {
      await setLook(locale, theme);
      const suffix = `${locale}-${theme}`;
      await browser.$('[data-testid="settings-output"]').scrollIntoView();
      await shot(`settings-output-${suffix}`);
      await nav('verify');
      await browser.$('[data-testid="cosign"]').scrollIntoView();
      await shot(`verify-cosign-${suffix}`);
      await browser.$('[data-testid="cosign-submit"]').click();
      await browser.$('[data-testid="pin-dialog"]').waitForDisplayed({ timeout: 20000 });
      await shot(`cosign-pin-dialog-${suffix}`);
      await browser.$('[data-testid="pin-cancel"]').click();
      const cancelled = await browser.$('[data-testid="cosign-cancelled"]');
      await cancelled.waitForDisplayed({ timeout: 20000, timeoutMsg: 'a cancelled signature said nothing' });
      await shot(`cosign-cancelled-${suffix}`);
    }
  }
  // Nothing was added by the cancelled ones.
  assert.deepEqual(digidoc(container).signatures.map((s) => s.status), ['Valid', 'Valid']);
  // The window keeps its language for the next test file: English, as most expect.
  await setLook('en', 'light');
});
