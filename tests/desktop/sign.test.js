// Signing and verifying in the real window, with the demo services and the virtual ID card in
// pcscd (signet-demo --virtual-card): the PIN typed in the window's dialog, the outputs judged by
// pyHanko, poppler and libdigidocpp.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startApp, required, root, pictureSpread, saveShot, typePin as typePinIn } from './harness.js';
import { startDemo, pdfWithPages, runPeer } from './demo.js';

let demo;
let app;
let browser;
let docs;

before(async () => {
  demo = await startDemo();
  docs = path.join(demo.dir, 'docs');
  mkdirSync(docs);
  app = await startApp(demo.env);
  browser = app.browser;
  await browser.$('[data-testid="card-state"][data-ready="yes"]').waitForExist({
    timeout: 20000,
    timeoutMsg: 'the window never showed the virtual card as ready',
  });
  assert.match(await browser.$('[data-testid="profile-badge"]').getText(), /demo/);
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

/** Opens `files` with Signet the way the file manager does: a second launch hands them over. */
async function openWith(files) {
  const second = spawn(required('SIGNET_DESKTOP_BIN'), files, {
    stdio: 'ignore',
    env: { ...process.env, ...demo.env },
  });
  const code = await new Promise((resolve) => second.once('exit', resolve));
  assert.equal(code, 0, 'the second launch did not hand over and exit');
}

function shot(name) {
  return saveShot(browser, name);
}

async function nav(section) {
  // A PIN dialog left open by a failed test would block the window: close it first.
  const cancel = await browser.$('[data-testid="pin-cancel"]');
  if (await cancel.isDisplayed()) await cancel.click();
  await browser.$(`[data-testid="nav-${section}"]`).click();
}

function typePin(pin) {
  return typePinIn(browser, pin);
}

async function waitForResult() {
  const result = await browser.$('[data-testid="sign-result"], [data-testid="error-notice"]');
  await result.waitForExist({ timeout: 60000, timeoutMsg: 'signing never finished' });
  const notice = await browser.$('[data-testid="error-notice"]');
  if (await notice.isExisting()) assert.fail(`signing failed: ${await notice.getText()}`);
  return browser.$$('[data-testid="sign-output"]').map((o) => o.getText());
}

/** The grey-level spread of a region of page `page` of `pdf` rendered at 72 dpi (1 px = 1 pt). */
function regionSpread(pdf, page, { x, y, width, height }) {
  const prefix = path.join(demo.dir, `render-${page}-${Date.now()}`);
  execFileSync('pdftoppm', ['-f', String(page), '-l', String(page), '-r', '72', '-png', '-singlefile', pdf, prefix]);
  const cut = `${prefix}-cut.png`;
  const top = Math.round(842 - y - height);
  execFileSync('convert', [`${prefix}.png`, '-crop', `${width}x${height}+${Math.round(x)}+${top}`, '+repage', cut]);
  return pictureSpread(cut);
}

test('a PDF signed in the window with the ID card, its signature visible on page 2', async () => {
  const contract = pdfWithPages(path.join(docs, 'contract.pdf'), 2, 'I agree to pay 100 EUR');
  await openWith([contract]);
  const why = await browser.$('[data-testid="sign-why"]');
  await why.waitForDisplayed({ timeout: 15000, timeoutMsg: 'the opened PDF did not reach the Sign screen' });
  assert.match(await why.getText(), /PDFs get their signature inside the file itself/);

  await browser.$('[data-testid="sign-visible"]').click();
  await browser.$('[data-testid="sign-page"]').selectByAttribute('value', '2');
  const box = await browser.$('[data-testid="sign-box"]');
  assert.match(await box.getAttribute('aria-valuetext'), /page 2/);
  // The page itself is drawn under the box (pdf.js, from the file the person chose): some
  // pixels are dark where the page's text is.
  await browser.waitUntil(
    async () =>
      browser.execute(() => {
        const canvas = document.querySelector('[data-testid="page-preview"]');
        if (!(canvas instanceof HTMLCanvasElement) || canvas.width === 0) return false;
        const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let dark = 0;
        for (let i = 0; i < pixels.length; i += 4) if (pixels[i] < 100 && pixels[i + 3] > 0) dark += 1;
        return dark > 20;
      }),
    { timeout: 15000, timeoutMsg: 'the page preview was not drawn' },
  );
  await shot('sign-review-en-light');

  await browser.$('[data-testid="sign-submit"]').click();
  // A wrong PIN2 first: the dialog says so and shows the tries left.
  const dialog = await browser.$('[data-testid="pin-dialog"]');
  await dialog.waitForDisplayed({ timeout: 20000 });
  assert.match(await browser.$('[data-testid="pin-signer"]').getText(), /Mari Tamm \(38001085718\)/);
  assert.match(await browser.$('[data-testid="pin-documents"]').getText(), /contract\.pdf/);
  assert.match(await browser.$('[data-testid="pin-tries"]').getText(), /3/);
  await shot('pin-dialog-en-light');
  await typePin('11111');
  const retry = await browser.$('[data-testid="pin-retry"]');
  await retry.waitForDisplayed({ timeout: 20000, timeoutMsg: 'a wrong PIN2 was not asked again' });
  assert.match(await browser.$('[data-testid="pin-tries"]').getText(), /2/);
  assert.equal(await browser.$('[data-testid="pin-input"]').getValue(), '', 'the field keeps a PIN');
  await shot('pin-dialog-retry-en-light');
  await typePin('12345');

  const [output] = await waitForResult();
  assert.equal(output, path.join(docs, 'contract.signed.pdf'));
  await shot('sign-result-en-light');

  // pyHanko finds it intact and trusted.
  const checked = runPeer('pyhanko', [
    'sign', 'validate', '--no-revocation-check',
    '--trust', path.join(demo.profile, 'trust/root.pem'), '--trust-replace', output,
  ]);
  assert.ok(checked.ok && checked.text.includes('INTACT:TRUSTED'), checked.text);
  // The appearance is drawn on page 2, where it was placed, and not on page 1.
  const place = { x: 595 - 180 - 36, y: 36, width: 180, height: 60 };
  assert.ok(regionSpread(output, 2, place) > 0.05, 'nothing is drawn where the signature was placed on page 2');
  assert.ok(regionSpread(output, 1, place) < 0.01, 'page 1 has something drawn where page 2 has the signature');
});

test('three files signed into one container are Valid to libdigidocpp', async () => {
  await nav('sign');
  const files = [
    pdfWithPages(path.join(docs, 'deed.pdf'), 1, 'Deed'),
    path.join(docs, 'annex.txt'),
    path.join(docs, 'map.csv'),
  ];
  writeFileSync(files[1], 'Annex 1\n');
  writeFileSync(files[2], 'x,y\n1,2\n');
  const again = await browser.$('[data-testid="sign-again"]');
  if (await again.isExisting()) await again.click();
  await openWith(files);
  const why = await browser.$('[data-testid="sign-why"]');
  await why.waitUntil(async function () { return /one signed container/.test(await this.getText()); }, {
    timeout: 15000,
    timeoutMsg: 'a PDF with two other files was not proposed as one container',
  });
  await browser.$('[data-testid="sign-submit"]').click();
  await browser.$('[data-testid="pin-dialog"]').waitForDisplayed({ timeout: 20000 });
  assert.equal((await browser.$$('[data-testid="pin-documents"] li')).length, 3);
  await typePin('12345');
  const [output] = await waitForResult();
  assert.equal(output, path.join(docs, 'deed.asice'));
  const peer = runPeer('python', [
    path.join(root, 'tests/peers/digidoc.py'), 'validate',
    '--tsl', path.join(demo.profile, 'trust/tsl.xml'),
    '--tslcert', path.join(demo.profile, 'trust/tsl-signer.der'), output,
  ]);
  assert.ok(peer.ok, peer.text);
  const verdict = JSON.parse(peer.text)[output];
  assert.deepEqual(verdict.signatures.map((s) => s.status), ['Valid'], peer.text);
  assert.deepEqual([...verdict.files].sort(), ['annex.txt', 'deed.pdf', 'map.csv']);
});

test('a PDF whose page was changed after signing is shown as changed, and how', async () => {
  const signed = path.join(docs, 'contract.signed.pdf');
  const tampered = path.join(docs, 'contract.tampered.pdf');
  const script = path.join(demo.dir, 'tamper.py');
  writeFileSync(
    script,
    [
      'import sys',
      'from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter',
      'from pyhanko.pdf_utils import generic',
      'with open(sys.argv[1], "rb") as f:',
      '    w = IncrementalPdfFileWriter(f)',
      '    page = w.root["/Pages"]["/Kids"][0].get_object()',
      '    swapped = generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 760 Td (I agree to pay 900 EUR) Tj ET")',
      '    page["/Contents"] = w.add_object(swapped)',
      '    w.update_container(page)',
      '    with open(sys.argv[2], "wb") as out:',
      '        w.write(out)',
    ].join('\n'),
  );
  const made = runPeer('python', [script, signed, tampered]);
  assert.ok(made.ok && existsSync(tampered), made.text);
  await nav('verify');
  await openWith([tampered]);
  const badge = await browser.$('[data-testid="verify-result"] [data-testid="verdict"]');
  await badge.waitForExist({ timeout: 30000, timeoutMsg: 'no verdict for the tampered PDF' });
  assert.equal(await badge.getAttribute('data-verdict'), 'notValid');
  assert.equal(await badge.getText(), 'Not valid');
  const changes = await browser.$('[data-testid="changes"]');
  assert.match(await changes.getText(), /Content changed on page 1/);
  // The version that was signed is saved beside it: the signed bytes, byte for byte.
  await browser.$('[data-testid="save-signed-version"]').click();
  const saved = await browser.$('[data-testid="saved-signed-version"]');
  await saved.waitForDisplayed({ timeout: 15000, timeoutMsg: 'the signed version was not saved' });
  const savedPath = await saved.getText();
  assert.equal(savedPath, path.join(docs, 'contract.tampered.as-signed.pdf'));
  assert.deepEqual(readFileSync(savedPath), readFileSync(signed).subarray(0, readFileSync(savedPath).length));
  const judged = runPeer('pyhanko', [
    'sign', 'validate', '--no-revocation-check',
    '--trust', path.join(demo.profile, 'trust/root.pem'), '--trust-replace', savedPath,
  ]);
  assert.ok(judged.ok && judged.text.includes('INTACT:TRUSTED'), judged.text);
  await shot('verify-tampered-en-light');
});

test('a container signed by libdigidocpp is valid in the window', async () => {
  const note = path.join(docs, 'note.txt');
  writeFileSync(note, 'signed by the peer\n');
  const container = path.join(docs, 'peer.asice');
  const made = runPeer('python', [
    path.join(root, 'tests/peers/digidoc.py'), 'sign',
    '--tsl', path.join(demo.profile, 'trust/tsl.xml'),
    '--tslcert', path.join(demo.profile, 'trust/tsl-signer.der'),
    '--tsa', demo.tsa, '--p12', path.join(demo.profile, 'identity.p12'),
    '--password', demo.password, '--profile', 'time-stamp', container, note,
  ]);
  assert.ok(made.ok && existsSync(container), made.text);
  await nav('verify');
  await openWith([container]);
  const result = await browser.$(`[data-testid="verify-result"]`);
  await browser.waitUntil(async () => (await result.getText()).includes('peer.asice'), {
    timeout: 30000,
    timeoutMsg: 'the container was not verified',
  });
  const badge = await result.$('[data-testid="verdict"]');
  assert.equal(await badge.getAttribute('data-verdict'), 'valid', await result.getText());
  assert.match(await result.$('[data-testid="signer"]').getText(), /Mari Tamm \(38001085718\)/);
  assert.match(await browser.$('[data-testid="verify-trust"]').getText(), /Trusted list \(EE\) of/);
  await shot('verify-container-en-light');
  assert.ok(readFileSync(container).length > 0);
});

test('every screen in Estonian, English and Russian, light and dark, saved for review', async () => {
  await nav('sign');
  const again = await browser.$('[data-testid="sign-again"]');
  if (await again.isExisting()) await again.click();
  await openWith([path.join(docs, 'contract.pdf')]);
  await browser.$('[data-testid="sign-replace"]').waitForDisplayed({
    timeout: 15000,
    timeoutMsg: 'an existing output was not pointed out',
  });
  await browser.$('[data-testid="sign-replace"]').click();
  for (const locale of ['et', 'en', 'ru']) {
    for (const theme of ['light', 'dark']) {
      await nav('settings');
      await browser.$('[data-testid="language-select"]').selectByAttribute('value', locale);
      await browser.$('[data-testid="theme-select"]').selectByAttribute('value', theme);
      await browser.waitUntil(async () => (await browser.execute(() => document.documentElement.dataset.theme)) === theme);
      const suffix = `${locale}-${theme}`;
      await shot(`settings-${suffix}`);
      await nav('sign');
      await shot(`sign-review-${suffix}`);
      await browser.$('[data-testid="sign-submit"]').click();
      await browser.$('[data-testid="pin-dialog"]').waitForDisplayed({ timeout: 20000 });
      await shot(`pin-dialog-${suffix}`);
      await browser.$('[data-testid="pin-cancel"]').click();
      // A cancel the person chose is said plainly, not as an error.
      const notice = await browser.$('[data-testid="sign-cancelled"]');
      await notice.waitForDisplayed({ timeout: 20000, timeoutMsg: 'a cancelled signature said nothing' });
      assert.equal(await browser.$('[data-testid="error-notice"]').isExisting(), false);
      await shot(`sign-cancelled-${suffix}`);
      await nav('verify');
      await shot(`verify-${suffix}`);
      await nav('data');
      await shot(`data-${suffix}`);
      await nav('batch');
      await shot(`batch-${suffix}`);
      await nav('access');
      await shot(`access-${suffix}`);
      await nav('card');
      await shot(`card-${suffix}`);
      await nav('consents');
      await shot(`consents-${suffix}`);
    }
  }
  // Nothing was written by the cancelled signatures: the earlier output is as it was.
  const checked = runPeer('pyhanko', [
    'sign', 'validate', '--no-revocation-check',
    '--trust', path.join(demo.profile, 'trust/root.pem'), '--trust-replace', path.join(docs, 'contract.signed.pdf'),
  ]);
  assert.ok(checked.ok && checked.text.includes('INTACT:TRUSTED'), checked.text);
});
