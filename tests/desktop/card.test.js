// The ID card page in the real window, with the virtual card in pcscd: holder and certificates,
// PIN2 changed, PIN1 blocked by wrong tries (the current value checked before the new one is
// asked) and unblocked with the PUK, the new values typed twice.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startApp, saveShot } from './harness.js';
import { startDemo } from './demo.js';

let demo;
let app;
let browser;

before(async () => {
  demo = await startDemo();
  app = await startApp(demo.env);
  browser = app.browser;
  await browser.$('[data-testid="card-state"][data-ready="yes"]').waitForExist({ timeout: 20000 });
  await browser.$('[data-testid="nav-card"]').click();
  await browser.$('[data-testid="card-holder"]').waitForDisplayed({ timeout: 20000 });
});

after(async () => {
  await app?.stop();
  await demo?.stop();
});

function shot(name) {
  return saveShot(browser, name);
}

async function answer(value, repeat) {
  const input = await browser.$('[data-testid="pin-input"]');
  await input.waitForDisplayed({ timeout: 20000 });
  await input.setValue(value);
  if (repeat !== undefined) await browser.$('[data-testid="pin-repeat"]').setValue(repeat);
  await browser.$('[data-testid="pin-submit"]').click();
}

async function tries(kind) {
  return browser.$(`[data-testid="card-tries-${kind}"]`).getText();
}

test('the card page names the holder and shows the tries left', async () => {
  const holder = await browser.$('[data-testid="card-holder"]').getText();
  assert.match(holder, /MARI TAMM/);
  assert.match(holder, /38001085718/);
  assert.equal(await tries('pin2'), 'Tries left: 3');
  await shot('card-en-light');
});

test('PIN2 is changed with the new value typed twice, a mismatch caught before it is sent', async () => {
  await browser.$('[data-testid="card-change-pin2"]').click();
  await answer('12345');
  await browser.$('[data-testid="pin-repeat"]').waitForDisplayed({ timeout: 20000 });
  await answer('54321', '54322');
  await browser.$('[data-testid="pin-mismatch"]').waitForDisplayed({ timeout: 5000 });
  await shot('card-new-pin-mismatch-en-light');
  await answer('54321', '54321');
  const done = await browser.$('[data-testid="card-done"]');
  await done.waitForDisplayed({ timeout: 20000, timeoutMsg: 'the change was not confirmed' });
  assert.equal(await done.getText(), 'PIN2 was changed.');
});

test('PIN1 blocked by three wrong tries is unblocked with the PUK', async () => {
  await browser.$('[data-testid="card-change-pin1"]').click();
  // The current value is checked on the card before the new one is asked: a wrong one is asked
  // again at once, with the tries now left, and the new value is never asked.
  for (const left of ['2', '1']) {
    await answer('9999');
    await browser.waitUntil(
      async () =>
        (await browser.$('[data-testid="pin-retry"]').isDisplayed()) &&
        (await browser.$('[data-testid="pin-tries"]').getText()).includes(left),
      { timeout: 20000, timeoutMsg: `the current PIN1 was not asked again with ${left} tries left` },
    );
    assert.equal(await browser.$('[data-testid="pin-repeat"]').isExisting(), false);
    if (left === '1') await shot('card-pin1-wrong-current-en-light');
  }
  await answer('9999');
  const notice = await browser.$('[data-testid="error-notice"]');
  await notice.waitForDisplayed({ timeout: 20000 });
  await browser.waitUntil(async () => (await tries('pin1')) === 'Blocked', {
    timeout: 10000,
    timeoutMsg: 'PIN1\'s count did not become "Blocked"',
  });
  assert.equal(await notice.getAttribute('data-code'), 'PIN_BLOCKED');
  await shot('card-pin1-blocked-en-light');
  await browser.$('[data-testid="card-unblock-pin1"]').click();
  await answer('17258403');
  await browser.$('[data-testid="pin-repeat"]').waitForDisplayed({ timeout: 20000 });
  await answer('4321', '4321');
  const done = await browser.$('[data-testid="card-done"]');
  await done.waitForDisplayed({ timeout: 20000 });
  assert.match(await done.getText(), /PIN1 was unblocked/);
  await browser.waitUntil(async () => (await tries('pin1')) === 'Tries left: 3', { timeout: 10000 });
});
