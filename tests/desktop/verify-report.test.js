// The Verify screen's outputs in the real window: the report of a signed PDF and of a container
// saved as PDF and JSON (beside the file, numbered when taken, and in a picked folder), and a
// container's files extracted into a picked folder without replacing anything. The signed files
// are made with the command line and the demo identity; the folder chooser is answered by
// SIGNET_E2E_PICK_FOLDER (debug builds only: WebDriver cannot drive the system's chooser).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startApp, required, saveShot } from './harness.js';
import { startDemo, pdfWithPages, runPeer } from './demo.js';

let demo;
let app;
let browser;
let docs;
let picked;

/** Signs with the command line and the demo identity (its password on standard input). */
function cliSign(args) {
  execFileSync(
    required('SIGNET_CLI_BIN'),
    ['sign', ...args, '--token', `p12:${path.join(demo.profile, 'identity.p12')}`, '--pin-stdin'],
    { input: `${demo.password}\n`, env: { ...process.env, ...demo.env }, stdio: ['pipe', 'pipe', 'inherit'] },
  );
}

before(async () => {
  demo = await startDemo();
  docs = path.join(demo.dir, 'docs');
  picked = path.join(demo.dir, 'picked');
  mkdirSync(docs);
  mkdirSync(picked);
  pdfWithPages(path.join(docs, 'contract.pdf'), 1, 'I agree to pay 100 EUR');
  cliSign([path.join(docs, 'contract.pdf')]);
  pdfWithPages(path.join(docs, 'deed.pdf'), 1, 'Deed');
  writeFileSync(path.join(docs, 'notes.txt'), 'notes for the deed\n');
  cliSign([path.join(docs, 'deed.pdf'), path.join(docs, 'notes.txt'), '--format', 'asice', '--container', path.join(docs, 'deed.asice')]);
  app = await startApp({ ...demo.env, SIGNET_E2E_PICK_FOLDER: picked });
  browser = app.browser;
  // The window keeps the language an earlier test left: this one reads English.
  await browser.$('[data-testid="nav-settings"]').click();
  await browser.$('[data-testid="language-select"]').selectByAttribute('value', 'en');
  await browser.$('[data-testid="theme-select"]').selectByAttribute('value', 'light');
  await browser.waitUntil(async () => (await browser.execute(() => document.documentElement.lang)) === 'en');
});

after(async () => {
  await app?.stop();
  await demo?.stop();
});

async function openWith(files) {
  const second = spawn(required('SIGNET_DESKTOP_BIN'), files, { stdio: 'ignore', env: { ...process.env, ...demo.env } });
  assert.equal(await new Promise((resolve) => second.once('exit', resolve)), 0, 'the second launch did not hand over and exit');
}

function shot(name) {
  return saveShot(browser, name);
}

/** The texts of every element with `testid`, once there are `count` of them. */
async function texts(testid, count) {
  await browser.waitUntil(async () => (await browser.$$(`[data-testid="${testid}"]`).length) >= count, {
    timeout: 20000,
    timeoutMsg: `fewer than ${count} “${testid}” appeared`,
  });
  const notice = await browser.$('[data-testid="verify-report"] [data-testid="error-notice"], [data-testid="container-files"] [data-testid="error-notice"]');
  if (await notice.isExisting()) assert.fail(await notice.getText());
  return browser.$$(`[data-testid="${testid}"]`).map((e) => e.getText());
}

/** The text of a PDF, as poppler reads it. */
function pdfText(file) {
  return execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
}

async function verified(name) {
  const result = await browser.$('[data-testid="verify-result"]');
  await browser.waitUntil(async () => (await result.isExisting()) && (await result.getText()).includes(name), {
    timeout: 30000,
    timeoutMsg: `${name} was not verified`,
  });
  await browser.$('[data-testid="verify-report"]').waitForDisplayed({ timeout: 5000 });
}

test('the report of a signed PDF is saved as PDF and JSON, never over an earlier one', async () => {
  await browser.$('[data-testid="nav-verify"]').click();
  const signed = path.join(docs, 'contract.signed.pdf');
  await openWith([signed]);
  await verified('contract.signed.pdf');

  await browser.$('[data-testid="report-pdf"]').click();
  const [pdf] = await texts('report-saved', 1);
  assert.equal(pdf, path.join(docs, 'contract.signed.verification.pdf'));
  const text = pdfText(pdf);
  for (const expected of ['Signature verification report', 'contract.signed.pdf', 'Mari Tamm (38001085718)', 'Valid']) {
    assert.ok(text.includes(expected), `“${expected}” is missing from the PDF report:\n${text}`);
  }

  await browser.$('[data-testid="report-json"]').click();
  const json = (await texts('report-saved', 2))[1];
  assert.equal(json, path.join(docs, 'contract.signed.verification.json'));
  const report = JSON.parse(readFileSync(json, 'utf8'));
  assert.deepEqual(Object.keys(report).sort(), ['files', 'trustData', 'validationTime']);
  assert.equal(report.files[0].name, 'contract.signed.pdf');
  assert.match(report.files[0].signatures[0].signer, /Mari Tamm/);

  // Again beside the file: numbered, the first untouched.
  const first = readFileSync(pdf);
  await browser.$('[data-testid="report-pdf"]').click();
  assert.equal((await texts('report-saved', 3))[2], path.join(docs, 'contract.signed.verification-2.pdf'));
  assert.deepEqual(readFileSync(pdf), first);

  // Into the folder the person picks.
  await browser.$('[data-testid="report-in-folder"]').click();
  await browser.$('[data-testid="report-json"]').click();
  assert.equal((await texts('report-saved', 4))[3], path.join(picked, 'contract.signed.verification.json'));
  await shot('verify-report-en-light');
});

test('a container: its report, and its files extracted into a picked folder without replacing any', async () => {
  const container = path.join(docs, 'deed.asice');
  await openWith([container]);
  await verified('deed.asice');
  const listed = await texts('container-file', 2);
  assert.deepEqual([...listed].sort(), ['deed.pdf', 'notes.txt']);

  await browser.$('[data-testid="report-pdf"]').click();
  const [pdf] = await texts('report-saved', 1);
  assert.equal(pdf, path.join(docs, 'deed.verification.pdf'));
  const text = pdfText(pdf);
  for (const expected of ['deed.asice', 'notes.txt', 'Mari Tamm (38001085718)']) {
    assert.ok(text.includes(expected), `“${expected}” is missing from the container's PDF report:\n${text}`);
  }

  // One file.
  const buttons = await browser.$$('[data-testid="extract-file"]');
  const notesAt = listed.indexOf('notes.txt');
  await buttons[notesAt].click();
  const [one] = await texts('extracted', 1);
  assert.equal(one, path.join(picked, 'notes.txt'));
  assert.equal(readFileSync(one, 'utf8'), 'notes for the deed\n');

  // All: notes.txt is there already, so its second copy is numbered.
  await browser.$('[data-testid="extract-all"]').click();
  await browser.waitUntil(async () => existsSync(path.join(picked, 'notes-2.txt')), {
    timeout: 20000,
    timeoutMsg: 'extracting all did not write notes-2.txt',
  });
  const all = await texts('extracted', 2);
  assert.deepEqual([...all].sort(), [path.join(picked, 'deed.pdf'), path.join(picked, 'notes-2.txt')]);
  assert.deepEqual(readFileSync(path.join(picked, 'deed.pdf')), readFileSync(path.join(docs, 'deed.pdf')));
  assert.equal(readFileSync(path.join(picked, 'notes.txt'), 'utf8'), 'notes for the deed\n');
  await shot('verify-container-files-en-light');
});

test('an ASiC-S container: its one file listed and extracted the same way, and no second signature offered', async () => {
  // A time-stamped ASiC-S, as DigiDoc4 archives a document: the demo TSA's token over the file.
  const archived = path.join(docs, 'archived.asics');
  const script = path.join(demo.dir, 'asics.py');
  writeFileSync(
    script,
    [
      'import asyncio, hashlib, sys, zipfile',
      'from pyhanko.sign.timestamps import HTTPTimeStamper',
      'data = b"archived deed\\n"',
      'token = asyncio.run(HTTPTimeStamper(sys.argv[1]).async_timestamp(hashlib.sha256(data).digest(), "sha256"))',
      'with zipfile.ZipFile(sys.argv[2], "w") as z:',
      '    z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.etsi.asic-s+zip")',
      '    z.writestr("archived-deed.txt", data, compress_type=zipfile.ZIP_DEFLATED)',
      '    z.writestr("META-INF/timestamp.tst", token.dump())',
    ].join('\n'),
  );
  const made = runPeer('python', [script, demo.tsa, archived]);
  assert.ok(made.ok && existsSync(archived), made.text);
  await openWith([archived]);
  await verified('archived.asics');
  assert.deepEqual(await texts('container-file', 1), ['archived-deed.txt']);
  assert.equal(await browser.$('[data-testid="cosign"]').isExisting(), false, 'a signature is offered for an ASiC-S container');
  await browser.$('[data-testid="extract-file"]').click();
  await browser.waitUntil(async () => existsSync(path.join(picked, 'archived-deed.txt')), {
    timeout: 20000,
    timeoutMsg: 'the file of the ASiC-S container was not extracted',
  });
  assert.deepEqual(await texts('extracted', 1), [path.join(picked, 'archived-deed.txt')]);
  assert.equal(readFileSync(path.join(picked, 'archived-deed.txt'), 'utf8'), 'archived deed\n');
  await shot('verify-asics-files-en-light');
});

test('where dropped files go: the engine decides by content, only for files the person chose', async () => {
  // WebDriver cannot drive a native drop: the page's drop handler is covered by vitest
  // (ui/src/lib/shell/drop.test.ts). Here the command it calls, in the real window.
  const route = (files) =>
    browser.executeAsync((files, done) => {
      window.__TAURI_INTERNALS__
        .invoke('route_files', { files })
        .then((routed) => done({ routed }), (refusal) => done({ refusal })); // not `error`: WebdriverIO reads that as its own
    }, files);
  const chosen = [
    path.join(docs, 'contract.signed.pdf'),
    path.join(docs, 'deed.asice'),
    path.join(docs, 'archived.asics'),
    path.join(picked, 'notes.txt'),
    picked,
  ];
  const { routed, refusal } = await route(chosen);
  assert.equal(refusal, undefined, JSON.stringify(refusal));
  assert.deepEqual(
    routed.map((r) => [path.basename(r.path), r.destination]),
    [
      ['contract.signed.pdf', 'verify'],
      ['deed.asice', 'verify'],
      ['archived.asics', 'verify'],
      ['notes.txt', 'sign'],
      ['picked', 'batch'],
    ],
  );
  // A file the person did not choose (nor drop) in this window is refused, not classified.
  const refused = await route([path.join(docs, 'contract.pdf')]);
  assert.equal(refused.routed, undefined);
  assert.equal(refused.refusal?.code, 'INVALID_INPUT', JSON.stringify(refused));
});
