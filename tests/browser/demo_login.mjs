// Drives headless Chromium through the demo login and consent pages of a real `oxydra serve all
// --dev --demo`, receives the authorization code on a loopback callback, redeems it, and keeps a
// screenshot of the consent page. Everything listens on 127.0.0.1; every wait is bounded.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [bin, outDir] = process.argv.slice(2);
const STEP_TIMEOUT = 20_000;
const b64url = (buf) => buf.toString('base64url');

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function withTimeout(promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), STEP_TIMEOUT);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// The server prints "<side> listening on <url>" once per listener.
function startServer(publicPort) {
  const env = {
    ...process.env,
    DATABASE_URL: 'memory',
    SYSTEM_SECRET: b64url(randomBytes(32)),
    OAUTH2_ISSUER_URL: `http://127.0.0.1:${publicPort}`,
    PUBLIC_HOST: '127.0.0.1',
    PUBLIC_PORT: String(publicPort),
    ADMIN_HOST: '127.0.0.1',
    ADMIN_PORT: '0',
    BCRYPT_COST: '4',
    OXYDRA_DEMO_USERS: 'alice:wonderland',
    LOG_LEVEL: 'warn',
  };
  const child = spawn(bin, ['serve', 'all', '--dev', '--demo'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const urls = {};
  const ready = new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`oxydra exited early (${code})`)));
    let buffer = '';
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      for (const m of buffer.matchAll(/(public|admin) listening on (\S+)/g)) urls[m[1]] = m[2];
      if (urls.public && urls.admin) resolve(urls);
    });
  });
  return { child, ready: withTimeout(ready, 'server start') };
}

function startCallback() {
  let deliver;
  const received = new Promise((resolve) => { deliver = resolve; });
  const srv = createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>Callback</title><h1>Code received</h1>');
    deliver(url.searchParams);
  });
  const listening = new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve(srv.address().port)));
  return { srv, listening, received: withTimeout(received, 'callback') };
}

async function main() {
  const publicPort = await freePort();
  const server = startServer(publicPort);
  const callback = startCallback();
  let browser;
  try {
    const urls = await server.ready;
    const redirect = `http://127.0.0.1:${await callback.listening}/callback`;
    const secret = b64url(randomBytes(24));
    const created = await fetch(`${urls.admin}/clients`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_id: 'browser-test', client_secret: secret, redirect_uris: [redirect],
        grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'],
        scope: 'openid offline profile',
      }),
    });
    if (created.status !== 201) throw new Error(`client create: ${created.status} ${await created.text()}`);

    const verifier = b64url(randomBytes(32));
    const challenge = b64url(createHash('sha256').update(verifier).digest());
    const state = b64url(randomBytes(12));
    const auth = new URL(`${urls.public}/oauth2/auth`);
    for (const [k, v] of Object.entries({
      client_id: 'browser-test', response_type: 'code', scope: 'openid offline profile', state,
      redirect_uri: redirect, code_challenge: challenge, code_challenge_method: 'S256',
    })) auth.searchParams.set(k, v);

    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = await browser.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT);
    await page.goto(auth.toString());
    await page.getByLabel('User name').fill('alice');
    await page.getByLabel('Password').fill('wonderland');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('button', { name: 'Allow' }).waitFor();
    const screenshot = join(outDir, 'demo-consent.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    await page.getByRole('button', { name: 'Allow' }).click();
    const params = await callback.received;
    if (params.get('state') !== state) throw new Error(`state mismatch: ${params}`);
    const code = params.get('code');
    if (!code) throw new Error(`no code in the callback: ${params}`);

    const basic = Buffer.from(`browser-test:${encodeURIComponent(secret)}`).toString('base64');
    const token = await fetch(`${urls.public}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirect, code_verifier: verifier }),
    });
    const body = await token.json();
    if (token.status !== 200 || !body.access_token) throw new Error(`token: ${token.status} ${JSON.stringify(body)}`);
    if (statSync(screenshot).size === 0) throw new Error('the screenshot is empty');
    console.log(`browser: logged in, consented, received a code and redeemed it; screenshot ${screenshot}`);
    console.log('browser: 1 passed, 0 failed');
  } finally {
    if (browser) await browser.close();
    callback.srv.close();
    server.child.kill('SIGTERM');
  }
}

main().catch((error) => {
  console.error(`browser test failed: ${error.stack || error}`);
  console.log('browser: 0 passed, 1 failed');
  process.exit(1);
});
