// Starts tauri-driver (which starts WebKitWebDriver, which starts the real signet-desktop) and
// connects a WebdriverIO session to it. Used by every *.test.js in this folder.
import { spawn, execFileSync } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import assert from 'node:assert/strict';
import { remote } from 'webdriverio';

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, '../..');

export function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run these tests with \`cargo xtask test\``);
  return value;
}

/** The version of the workspace, as Cargo.toml declares it. */
export function workspaceVersion() {
  const manifest = readFileSync(path.join(root, 'Cargo.toml'), 'utf8');
  const section = manifest.split('[workspace.package]')[1] ?? '';
  const match = section.match(/^version\s*=\s*"([^"]+)"/m);
  if (!match) throw new Error('no version in [workspace.package] of Cargo.toml');
  return match[1];
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port, child, what, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`tauri-driver exited with ${child.exitCode}`);
    const open = await new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => { socket.destroy(); resolve(true); });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not listen on port ${port} within ${timeoutMs} ms`);
}

/** Starts the app under tauri-driver (with `env` added to its environment); returns `{ browser, stop }`. */
export async function startApp(env = {}) {
  const application = required('SIGNET_DESKTOP_BIN');
  const driverBin = required('TAURI_DRIVER');
  const port = await freePort();
  const nativePort = await freePort();
  const driver = spawn(driverBin, ['--port', String(port), '--native-port', String(nativePort)], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, ...env },
  });
  try {
    await waitForPort(port, driver, 'tauri-driver');
    // tauri-driver starts WebKitWebDriver and forwards the session to it: on a loaded machine
    // WebKitWebDriver may not listen yet when tauri-driver does, and the session would be refused.
    await waitForPort(nativePort, driver, 'WebKitWebDriver');
    const browser = await remote({
      hostname: '127.0.0.1',
      port,
      logLevel: 'warn',
      connectionRetryCount: 0,
      capabilities: {
        'tauri:options': { application },
        'wdio:enforceWebDriverClassic': true,
      },
    });
    const stop = async () => {
      try {
        await browser.deleteSession();
      } finally {
        driver.kill();
        // The app exits with its session; one left behind (a slow, loaded machine) would keep
        // this test process waiting on the output it inherited, so end it here.
        const exact = application.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        try { execFileSync('pkill', ['-TERM', '-f', `^${exact}( |$)`]); } catch { /* none left */ }
        // Wait until it is gone: a new session started while it still exits would reach the
        // old instance (single instance) and fail.
        for (let i = 0; i < 100; i += 1) {
          try {
            execFileSync('pgrep', ['-f', `^${exact}( |$)`]);
          } catch {
            break; // pgrep found none
          }
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    };
    return { browser, stop };
  } catch (err) {
    driver.kill();
    throw err;
  }
}

/** The standard deviation of a picture's pixels (0 for a blank, single-colour picture). */
export function pictureSpread(file) {
  const out = execFileSync('convert', [file, '-colorspace', 'Gray', '-format', '%[fx:standard_deviation]', 'info:'], {
    encoding: 'utf8',
  });
  return Number.parseFloat(out.trim());
}

/**
 * Saves what the window shows now as `SIGNET_ARTIFACTS/<name>.png`, after two frames (so that
 * what the DOM holds is painted), and fails when the picture is blank.
 */
export async function saveShot(browser, name) {
  const artifacts = required('SIGNET_ARTIFACTS');
  mkdirSync(artifacts, { recursive: true });
  const file = path.join(artifacts, `${name}.png`);
  await browser.executeAsync((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())));
  await browser.saveScreenshot(file);
  assert.ok(pictureSpread(file) > 0.02, `the screenshot ${name} is blank`);
}

/** Types `pin` into the window's PIN dialog, once it shows, and sends it. */
export async function typePin(browser, pin) {
  const input = await browser.$('[data-testid="pin-input"]');
  await input.waitForDisplayed({ timeout: 20000, timeoutMsg: 'no PIN dialog appeared' });
  await input.setValue(pin);
  await browser.$('[data-testid="pin-submit"]').click();
}
