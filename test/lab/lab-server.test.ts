/**
 * The lab server's defences, driven with raw HTTP over a socket so that request targets reach the
 * server exactly as written (no client-side normalization): loopback-only binding, path traversal
 * in several encodings, symlinks out of the root, foreign Host headers (DNS rebinding), bounded
 * request sizes, methods, content types, no directory listing, and the port-in-use error.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, rmSync, existsSync } from 'node:fs';
import { tmpdir, networkInterfaces } from 'node:os';
import { join, resolve, sep } from 'node:path';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { startLabServer, isLocalHost, safeRelativePath, type LabServer } from '../../src/cli/lab-server.js';
import { DescentError } from '../../src/errors.js';

const SECRET = 'TOP-SECRET-OUTSIDE-THE-ROOT';
let dir: string;
let root: string;
let lab: LabServer;

interface RawResponse { status: number; headers: Record<string, string>; body: string }

/** Sends bytes as written and reads the whole response (the server closes or we time out). */
function raw(port: number, request: string, host = '127.0.0.1'): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const sock = connect({ port, host });
    const chunks: Buffer[] = [];
    // a hang guard (idle time on the socket): generous, since a starved server may be slow to answer
    sock.setTimeout(30_000, () => sock.destroy(new Error('timeout')));
    sock.on('data', (c) => chunks.push(c));
    sock.on('error', reject);
    sock.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const [head, ...rest] = text.split('\r\n\r\n');
      const lines = head.split('\r\n');
      const status = Number(lines[0].split(' ')[1]);
      const headers: Record<string, string> = {};
      for (const l of lines.slice(1)) {
        const i = l.indexOf(':');
        if (i > 0) headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
      }
      resolve({ status, headers, body: rest.join('\r\n\r\n') });
    });
    sock.write(request);
  });
}

const get = (target: string, host = `127.0.0.1:${lab.port}`, method = 'GET'): Promise<RawResponse> =>
  raw(lab.port, `${method} ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'descent-lab-'));
  root = join(dir, 'www');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>lab</title>');
  writeFileSync(join(root, 'assets', 'app.js'), 'export {};');
  writeFileSync(join(root, 'assets', 'style.css'), 'body{}');
  writeFileSync(join(dir, 'secret.txt'), SECRET);
  symlinkSync(join(dir, 'secret.txt'), join(root, 'link-out.txt'));
  symlinkSync(dir, join(root, 'dir-out'));
  lab = await startLabServer({ port: 0, root });
});

after(async () => {
  await lab?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('binds 127.0.0.1 only, never a wildcard address; prints a loopback URL', async () => {
  assert.equal(lab.address, '127.0.0.1');
  assert.match(lab.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  assert.ok(lab.port > 0);
  // Another interface of this machine (if it has one) must refuse the connection.
  const external = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal);
  if (external) {
    await assert.rejects(raw(lab.port, `GET / HTTP/1.1\r\nHost: ${external.address}:${lab.port}\r\n\r\n`, external.address), /ECONNREFUSED/);
  }
});

test('serves its files with correct content types; / is index.html; HEAD has no body', async () => {
  const index = await get('/');
  assert.equal(index.status, 200);
  assert.equal(index.headers['content-type'], 'text/html; charset=utf-8');
  assert.match(index.body, /<title>lab<\/title>/);
  assert.equal(index.headers['x-content-type-options'], 'nosniff');
  assert.match(index.headers['content-security-policy'], /default-src 'self'/);
  assert.equal((await get('/assets/app.js')).headers['content-type'], 'text/javascript; charset=utf-8');
  assert.equal((await get('/assets/style.css?v=1')).headers['content-type'], 'text/css; charset=utf-8');
  const head = await get('/index.html', undefined, 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.body, '');
  assert.equal(head.headers['content-length'], String('<!doctype html><title>lab</title>'.length));
});

test('path traversal is refused in every encoding, and nothing outside the root leaks', async () => {
  const attempts = [
    '/../secret.txt',
    '/assets/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E%2Fsecret.txt',
    '/..%2fsecret.txt',
    '/.%2e/secret.txt',
    '/%252e%252e/secret.txt', // double encoding
    '/..%5csecret.txt', // encoded backslash
    '/..\\secret.txt',
    '/%c0%ae%c0%ae/secret.txt', // overlong UTF-8 dot
    '/assets/../index.html', // refused outright, not normalized away
    '/./index.html',
    '/%00index.html',
    '/C:/Windows/win.ini',
    `//${dir.slice(1)}/secret.txt`, // absolute path (leading // still maps under the root)
    `${dir}/secret.txt`,
    `http://127.0.0.1:${0}/../secret.txt`, // absolute-form target
    '/link-out.txt', // symlink to a file outside
    '/dir-out/secret.txt', // symlinked directory outside
  ];
  for (const target of attempts) {
    const r = await get(target);
    assert.ok(r.status === 400 || r.status === 404, `${target}: expected 400 or 404, got ${r.status}`);
    assert.ok(!r.body.includes(SECRET), `${target}: leaked the file outside the root`);
  }
});

test('no directory listing: a directory is 404', async () => {
  assert.equal((await get('/assets/')).status, 404);
  assert.equal((await get('/assets')).status, 404);
});

test('a Host that is not local is rejected with 403 (DNS rebinding); local names with the port pass', async () => {
  const p = lab.port;
  for (const host of ['evil.example', `evil.example:${p}`, `127.0.0.1.nip.io:${p}`, `localhost.evil.example:${p}`, `localhost:${p + 1}`, `0.0.0.0:${p}`, `192.168.1.1:${p}`, '']) {
    const r = await get('/', host);
    assert.equal(r.status, 403, `Host '${host}'`);
    assert.doesNotMatch(r.body, /<title>/);
  }
  const noHost = await raw(p, 'GET / HTTP/1.0\r\n\r\n');
  assert.equal(noHost.status, 403);
  for (const host of [`localhost:${p}`, `127.0.0.1:${p}`, `[::1]:${p}`, `LOCALHOST:${p}`]) {
    assert.equal((await get('/', host)).status, 200, `Host '${host}'`);
  }
});

test('request size is bounded: long URL 414, huge headers 431, any body 413; only GET and HEAD', async () => {
  assert.equal((await get(`/${'a'.repeat(5000)}`)).status, 414);
  const big = await raw(lab.port, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${lab.port}\r\nX-Fill: ${'b'.repeat(20_000)}\r\nConnection: close\r\n\r\n`);
  assert.equal(big.status, 431);
  const body = await raw(lab.port, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${lab.port}\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello`);
  assert.equal(body.status, 413);
  const chunked = await raw(lab.port, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${lab.port}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n`);
  assert.equal(chunked.status, 413);
  for (const m of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
    const r = await raw(lab.port, `${m} / HTTP/1.1\r\nHost: 127.0.0.1:${lab.port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    assert.equal(r.status, 405, m);
    assert.equal(r.headers.allow, 'GET, HEAD');
  }
});

test('oversized requests are refused and the server stays up: a declared 1 GB body, a sent 1 MB body, a 64 KB URL, 20 at once', async () => {
  const p = lab.port;
  const up = async (after: string) => {
    const r = await get('/');
    assert.equal(r.status, 200, `server down after ${after}`);
    assert.match(r.body, /<title>lab<\/title>/);
  };
  // refused on the header alone: nothing of the body is read
  const declared = await raw(p, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${p}\r\nContent-Length: 1000000000\r\nConnection: close\r\n\r\n`);
  assert.equal(declared.status, 413);
  await up('a declared 1 GB body');
  // the refusal is read by the client, not lost to a reset: the server closes in stages (RFC 9112 section 9.6),
  // reading and dropping the rest of what was sent (Node 24's own close at once reset these connections)
  const sent = await raw(p, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${p}\r\nContent-Length: 1000000\r\n\r\n${'x'.repeat(1_000_000)}`);
  assert.equal(sent.status, 413);
  await up('a 1 MB body');
  // a URL past the header limit is stopped by the parser (431) before it reaches the handler's 414
  const longUrl = await get(`/${'a'.repeat(65_536)}`);
  assert.equal(longUrl.status, 431);
  assert.equal(longUrl.headers.connection, 'close');
  await up('a 64 KB URL');
  const statuses = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2
    ? raw(p, `GET /${'u'.repeat(100_000)} HTTP/1.1\r\nHost: 127.0.0.1:${p}\r\n\r\n`)
    : raw(p, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${p}\r\nContent-Length: 200000\r\n\r\n${'y'.repeat(200_000)}`)).then((r) => r.status)));
  assert.deepEqual(statuses, Array.from({ length: 20 }, (_, i) => (i % 2 ? 431 : 413)));
  await up('20 oversized requests at once');
});

test('nothing listens on the IPv6 loopback or the wildcard address: only 127.0.0.1', async () => {
  await assert.rejects(raw(lab.port, `GET / HTTP/1.1\r\nHost: [::1]:${lab.port}\r\n\r\n`, '::1'));
  assert.notEqual(lab.server.address(), null);
  const addr = lab.server.address() as { address: string; family: string };
  assert.equal(addr.address, '127.0.0.1');
  assert.equal(addr.family, 'IPv4');
});

test('port in use: an input error naming the flag', async () => {
  await assert.rejects(startLabServer({ port: lab.port, root }), (e: unknown) => {
    assert.ok(e instanceof DescentError);
    assert.equal(e.kind, 'input');
    assert.equal(e.message, `--port ${lab.port}: address in use; try another port`);
    return true;
  });
});

test('isLocalHost and safeRelativePath, case by case', () => {
  assert.equal(isLocalHost('localhost:8080', 8080), true);
  assert.equal(isLocalHost('[::1]:8080', 8080), true);
  assert.equal(isLocalHost('localhost', 80), true);
  assert.equal(isLocalHost('localhost', 8080), false);
  assert.equal(isLocalHost('127.0.0.2:8080', 8080), false);
  assert.equal(isLocalHost(undefined, 8080), false);
  assert.equal(safeRelativePath('/'), 'index.html');
  assert.equal(safeRelativePath('/assets/a.js?x=1#y'), 'assets/a.js');
  assert.equal(safeRelativePath('/a%20b.txt'), 'a b.txt');
  assert.equal(safeRelativePath('/%E0%A4%A'), null); // malformed percent-encoding
  assert.equal(safeRelativePath('*'), null);
});

const bin = join(import.meta.dirname, '..', '..', 'bin', 'descent.js');
const built = existsSync(join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js'));

test('CLI: --port in use exits 2 with the one-line error; a bad --port exits 2', () => {
  assert.ok(built, 'dist/cli/main.js is missing: run `npm run build` before the lab CLI tests');
  const busy = spawnSync(process.execPath, [bin, 'lab', '--port', String(lab.port), '--no-open'], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(busy.status, 2);
  assert.equal(busy.stderr, `descent: error: --port ${lab.port}: address in use; try another port\n`);
  const bad = spawnSync(process.execPath, [bin, 'lab', '--port', 'abc', '--no-open'], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(bad.status, 2);
  assert.equal(bad.stderr, "descent: error: --port: expected an integer 0..65535, got 'abc'\n");
});

test('property: any request target maps to null or to a path that stays under the root', () => {
  const root = resolve('/srv/www');
  const piece = fc.constantFrom('..', '.', '%2e', '%2E%2e', '%2f', '%5c', '\\', '/', '//', 'a', 'index.html', '%00', 'C:', '%25', '?', '#', '%c0%ae', '~');
  fc.assert(
    fc.property(fc.array(fc.oneof(piece, fc.string()), { maxLength: 12 }), (parts) => {
      const rel = safeRelativePath(`/${parts.join('')}`);
      if (rel === null) return;
      assert.ok(!rel.startsWith('/'), rel);
      assert.ok(!rel.split('/').includes('..'), rel);
      const full = resolve(root, rel);
      assert.ok(full.startsWith(root + sep), `${rel} escapes to ${full}`);
    }),
    { numRuns: 3000, seed: 42 },
  );
});

test('an unbuilt playground is a run error that says to build', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'descent-lab-empty-'));
  try {
    await assert.rejects(startLabServer({ port: 0, root: empty }), (e: unknown) => {
      assert.ok(e instanceof DescentError);
      assert.equal(e.kind, 'run');
      assert.match(e.message, /the playground is not built .*run 'npm run build' first/);
      return true;
    });
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});
