// The demo services with the virtual ID card (signet-demo --virtual-card), for the tests that sign
// and verify in the real window: a local PKI with OCSP and TSA, a signed trusted list, the demo
// identity on a virtual card in pcscd.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { required, root } from './harness.js';

/** Starts signet-demo; resolves when it says "ready", with its folder, password and controls. */
export async function startDemo() {
  const dir = mkdtempSync(path.join(tmpdir(), 'signet-e2e-demo-'));
  const profile = path.join(dir, 'profile');
  const child = spawn(required('SIGNET_DEMO_BIN'), ['--dir', profile, '--virtual-card'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let output = '';
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`signet-demo did not get ready:\n${output}`)), 90000);
    child.stdout.on('data', (chunk) => {
      output += chunk.toString();
      if (/^signet-demo: ready$/m.test(output) && /virtual ID card/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`signet-demo exited with ${code}:\n${output}`));
    });
  });
  await ready;
  const password = output.match(/^identity password: (.+)$/m)?.[1];
  const tsa = output.match(/time-stamping authority\s+(\S+)/)?.[1];
  if (!password || !tsa) throw new Error(`signet-demo's summary lacks the password or the TSA:\n${output}`);
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return {
    dir,
    profile,
    password,
    tsa,
    env: { SIGNET_PROFILE: 'demo', SIGNET_PROFILE_DIR: profile },
    /** Pulls the virtual card out ("remove") or puts it back ("insert"). */
    card: (action) => child.stdin.write(`${action}\n`),
    /** What signet-demo has printed so far (it says whether the card went in or out). */
    output: () => output,
    stop,
  };
}

/** A PDF of `pages` pages, each showing a line of text, with a correct cross-reference table. */
export function pdfWithPages(file, pages, text = 'Contract') {
  const objects = [];
  const kids = [];
  const font = 3 + pages * 2;
  objects[1] = '<< /Type /Catalog /Pages 2 0 R >>';
  for (let i = 0; i < pages; i += 1) {
    const page = 3 + i * 2;
    const content = page + 1;
    kids.push(`${page} 0 R`);
    objects[page] =
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 ${font} 0 R >> >> /Contents ${content} 0 R >>`;
    const stream = `BT /F1 24 Tf 72 760 Td (${text}, page ${i + 1}) Tj ET`;
    objects[content] = `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`;
  }
  objects[2] = `<< /Type /Pages /Kids [${kids.join(' ')}] /Count ${pages} >>`;
  objects[font] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>';
  let pdf = '%PDF-1.7\n';
  const offsets = [];
  for (let n = 1; n < objects.length; n += 1) {
    offsets[n] = Buffer.byteLength(pdf);
    pdf += `${n} 0 obj\n${objects[n]}\nendobj\n`;
  }
  const xref = Buffer.byteLength(pdf);
  pdf += `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
  for (let n = 1; n < objects.length; n += 1) pdf += `${String(offsets[n]).padStart(10, '0')} 00000 n \n`;
  pdf += `trailer\n<< /Size ${objects.length} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  writeFileSync(file, pdf);
  return file;
}

/** A program of the peers' virtual environment (pyHanko, Python with pydigidoc). */
export function peer(name) {
  const venv = process.env.SIGNET_PEERS_VENV ?? path.join(root, 'target/peers/venv');
  const program = path.join(venv, 'bin', name);
  if (!existsSync(program)) throw new Error(`${program} is missing: run \`cargo xtask setup\``);
  return program;
}

/** Runs a peer program; returns its output (stdout and stderr) and exit status. */
export function runPeer(name, args) {
  try {
    const out = execFileSync(peer(name), args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { ok: true, text: out };
  } catch (err) {
    return { ok: false, text: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}
