// A notary's batch in the real window: 50 PDFs signed with the virtual ID card, PIN2 typed for
// each signature; the card pulled out at file 20 pauses the batch and putting it back continues
// it; every output valid to pyHanko with exactly one signature; the window answers meanwhile.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startApp, required, saveShot } from './harness.js';
import { startDemo, pdfWithPages, runPeer } from './demo.js';

const COUNT = 50;
const PULL_AT = 20;

let demo;
let app;
let browser;

before(async () => {
  demo = await startDemo();
  app = await startApp(demo.env);
  browser = app.browser;
  await browser.$('[data-testid="card-state"][data-ready="yes"]').waitForExist({ timeout: 20000 });
});

after(async () => {
  await app?.stop();
  await demo?.stop();
});

function shot(name) {
  return saveShot(browser, name);
}

test(`a batch of ${COUNT} PDFs survives a pulled card and signs each exactly once`, async () => {
  const deeds = path.join(demo.dir, 'deeds');
  mkdirSync(deeds);
  for (let i = 1; i <= COUNT; i += 1) {
    pdfWithPages(path.join(deeds, `deed-${String(i).padStart(3, '0')}.pdf`), 1, `Deed ${i}`);
  }
  await browser.$('[data-testid="nav-batch"]').click();
  const second = spawn(required('SIGNET_DESKTOP_BIN'), [deeds], { stdio: 'ignore', env: { ...process.env, ...demo.env } });
  assert.equal(await new Promise((resolve) => second.once('exit', resolve)), 0);
  const toSign = await browser.$('[data-testid="batch-to-sign"]');
  await toSign.waitForDisplayed({ timeout: 30000, timeoutMsg: 'the folder was not planned' });
  assert.equal(await toSign.getText(), String(COUNT));
  assert.equal(await browser.$('[data-testid="batch-out-dir"]').getText(), path.join(deeds, 'signed'));
  await shot('batch-plan-en-light');
  await browser.$('[data-testid="batch-run"]').click();

  let pulled = false;
  let clickedAround = false;
  for (let n = 1; n <= COUNT; n += 1) {
    const position = await browser.$('[data-testid="pin-position"]');
    try {
      await browser.waitUntil(async () => (await position.isExisting()) && (await position.getText()) === `Signature ${n} of ${COUNT}`, {
        timeout: 60000,
        timeoutMsg: `no PIN request for signature ${n}`,
      });
    } catch (err) {
      // Once the card was pulled and put back: whether signet-demo put it back.
      if (pulled) err.message += `; signet-demo said last:\n${demo.output().trim().split('\n').slice(-4).join('\n')}`;
      throw err;
    }
    if (n === PULL_AT && !pulled) {
      pulled = true;
      demo.card('remove');
      const input = await browser.$('[data-testid="pin-input"]');
      await input.setValue('12345');
      await browser.$('[data-testid="pin-submit"]').click();
      const waiting = await browser.$('[data-testid="batch-waiting-card"]');
      await waiting.waitForDisplayed({ timeout: 30000, timeoutMsg: 'a pulled card did not pause the batch' });
      await shot('batch-card-out-en-light');
      demo.card('insert');
      n -= 1; // the same file is asked again once the card is back
      continue;
    }
    if (n === 30 && !clickedAround) {
      // The window answers while the batch runs: the PIN dialog is modal, so the test reads the
      // page behind it and the card state, which keep updating.
      clickedAround = true;
      const progress = await browser.$('[data-testid="batch-progress"]').getText();
      assert.match(progress, /Signed 29 of 50/, progress);
    }
    const input = await browser.$('[data-testid="pin-input"]');
    await browser.waitUntil(async () => !(await input.getAttribute('disabled')), { timeout: 20000 });
    await input.setValue('12345');
    await browser.$('[data-testid="pin-submit"]').click();
  }
  const summary = await browser.$('[data-testid="batch-summary"]');
  await summary.waitForDisplayed({ timeout: 60000, timeoutMsg: 'the batch did not finish' });
  await shot('batch-done-en-light');
  const text = await summary.getText();
  assert.match(text, /Not signed: 0\. Left: 0\./, text);

  // Every output is there once, with one signature, valid to pyHanko.
  const out = path.join(deeds, 'signed');
  const outputs = readdirSync(out).filter((f) => f.endsWith('.pdf')).sort();
  assert.equal(outputs.length, COUNT);
  for (const f of outputs) {
    const count = readFileSync(path.join(out, f)).toString('latin1').split('/ByteRange').length - 1;
    assert.equal(count, 1, `${f} carries ${count} signatures`);
  }
  const script = path.join(demo.dir, 'validate_all.py');
  writeFileSync(
    script,
    [
      'import sys',
      'from pyhanko.keys import load_cert_from_pemder',
      'from pyhanko.pdf_utils.reader import PdfFileReader',
      'from pyhanko.sign.validation import validate_pdf_signature',
      'from pyhanko_certvalidator import ValidationContext',
      'vc = ValidationContext(trust_roots=[load_cert_from_pemder(sys.argv[1])], allow_fetching=False, revocation_mode="soft-fail")',
      'bad = []',
      'for name in sys.argv[2:]:',
      '    with open(name, "rb") as f:',
      '        sigs = PdfFileReader(f).embedded_signatures',
      '        st = validate_pdf_signature(sigs[0], vc)',
      '        if len(sigs) != 1 or not (st.intact and st.valid and st.trusted):',
      '            bad.append(f"{name}: {st.summary()}")',
      'print("\\n".join(bad) if bad else f"all {len(sys.argv) - 2} intact and trusted")',
      'sys.exit(1 if bad else 0)',
    ].join('\n'),
  );
  const checked = runPeer('python', [script, path.join(demo.profile, 'trust/root.pem'), ...outputs.map((f) => path.join(out, f))]);
  assert.ok(checked.ok, checked.text);
  // The journal lists each file signed once.
  const journal = readFileSync(path.join(out, '.signet-batch.jsonl'), 'utf8');
  const signedLines = journal
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l))
    .filter((entry) => entry.outputSha256);
  assert.equal(signedLines.length, COUNT, 'the journal does not list each file signed once');
  assert.equal(new Set(signedLines.map((entry) => entry.input)).size, COUNT, 'a file was signed twice');
  const report = readFileSync(path.join(out, 'signet-batch-report.csv'), 'utf8').trim().split('\n');
  assert.equal(report.length, COUNT + 1);
  assert.ok(report.slice(1).every((line) => line.includes(',signed,')), report.join('\n'));
});
