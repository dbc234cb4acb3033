/**
 * The lab's local static server: serves the built playground (dist/lab/www) and nothing else.
 *
 * Node-only (it is the server, not the playground), so it lives with the CLI, outside the browser-safe
 * core. Defences, each because a page on another origin, or another user of the machine, must not be
 * able to read local files or drive the lab:
 * - bound to 127.0.0.1 only, never a wildcard address;
 * - the Host header must name this server on loopback (localhost, 127.0.0.1 or [::1] with its
 *   port), which defeats DNS rebinding: a rebound hostname arrives with a foreign Host → 403;
 *   as RFC 9112 (section 3.2) requires, an HTTP/1.1 request with no Host, or any with more than one, gets 400
 *   (a second, foreign Host must not ride on a first, local one);
 * - keep-alive and pipelining per RFC 9112 (section 9.3): a refused request (403, 404, 405, 414)
 *   leaves the connection open, so requests pipelined behind it are answered in order; only a
 *   request whose framing cannot be trusted (a body, a bad Host) closes it;
 * - only GET and HEAD, no request body, bounded header size (Node's maxHeaderSize) and URL length;
 * - the path is percent-decoded once, refused if it holds `..`, a backslash, a NUL or a drive
 *   letter, and the resolved real path (symlinks followed) must stay inside the served root;
 * - regular files only: no directory listings; `/` serves index.html;
 * - a connection is closed in stages (RFC 9112 section 9.6), so the client reads the refusal (413, 431)
 *   instead of a reset: see lingeringClose.
 */
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { realpath, stat, readFile } from 'node:fs/promises';
import { dirname, extname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inputError, runError } from '../errors.js';

/** Longest request target accepted (bytes); a playground URL state is far shorter. */
export const MAX_URL_LENGTH = 4096;
/** Largest request header block accepted (bytes); larger ones get 431 from Node's parser. */
export const MAX_HEADER_BYTES = 8192;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

export interface LabServerOptions {
  /** Port on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** Directory to serve (default: the built playground next to this module, dist/lab/www). */
  root?: string;
}

export interface LabServer {
  /** `http://127.0.0.1:PORT/` */
  url: string;
  port: number;
  /** The listening socket's address (always 127.0.0.1). */
  address: string;
  server: Server;
  close(): Promise<void>;
}

/** The built playground: dist/lab/www (Vite's output), seen from dist/cli/lab-server.js. */
export function defaultLabRoot(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', 'lab', 'www');
}

/**
 * Starts the server on 127.0.0.1:port. Rejects with an input error when the port is taken
 * (`--port 8080: address in use; try another port`) or the root holds no index.html
 * (the playground was not built).
 */
export async function startLabServer(opts: LabServerOptions): Promise<LabServer> {
  const { port } = opts;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw inputError(`--port: expected an integer 0..65535, got ${port}`);
  const rootGiven = opts.root ?? defaultLabRoot();
  let root: string;
  try {
    root = await realpath(rootGiven);
    await stat(join(root, 'index.html'));
  } catch {
    throw runError(`lab: the playground is not built (no ${join(rootGiven, 'index.html')}); run 'npm run build' first`);
  }
  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (req, res) => {
    handle(req, res, root, () => actualPort).catch(() => send(res, 500, 'internal error'));
  });
  // what Node's parser refuses (a 64 KB URL or header block: 431) is answered here, with a lingering close:
  // Node's own answer closes at once, and from Node 24 on the client then gets a reset instead of the 431
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (lingering.has(socket)) return; // the rest of a refused request, being discarded
    const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
    if (err.code === 'ECONNRESET' || !socket.writable || (inFlight && inFlight.headersSent)) {
      socket.destroy();
      return;
    }
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : err.code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW' ? 413 : 400;
    const body = `${(STATUS_CODES[status] ?? 'bad request').toLowerCase()}\n`;
    lingeringClose(socket, `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  });
  // Slow or idle clients must not hold sockets forever.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  let actualPort = port;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') reject(inputError(`--port ${port}: address in use; try another port`));
      else if (err.code === 'EACCES') reject(inputError(`--port ${port}: permission denied; try a port above 1023`));
      else reject(runError(`lab: cannot listen on 127.0.0.1:${port}: ${err.message}`));
    });
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => resolve());
  });
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw runError('lab: the server has no TCP address');
  actualPort = addr.port;
  return {
    url: `http://127.0.0.1:${actualPort}/`,
    port: actualPort,
    address: addr.address,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** True when the Host header names this server on loopback. */
export function isLocalHost(host: string | undefined, port: number): boolean {
  if (!host) return false;
  const h = host.toLowerCase();
  for (const name of ['localhost', '127.0.0.1', '[::1]']) {
    if (h === `${name}:${port}`) return true;
    if (port === 80 && h === name) return true;
  }
  return false;
}

/**
 * Maps a request target to a path relative to the root, or null when it must be refused.
 * Decodes once; anything that could climb out or name another drive is refused outright
 * rather than normalized away, so `/a/../index.html` is refused too.
 */
export function safeRelativePath(target: string): string | null {
  if (!target.startsWith('/')) return null; // absolute-form and asterisk-form targets
  const q = target.search(/[?#]/);
  const rawPath = q >= 0 ? target.slice(0, q) : target;
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return null;
  }
  if (/[\\\0]/.test(decoded) || decoded.includes('%')) return null; // backslashes, NULs, double encoding
  if (/^\/*[a-zA-Z]:/.test(decoded)) return null; // drive letters
  const segments = decoded.split('/');
  if (segments.some((s) => s === '..' || s === '.')) return null;
  const rel = segments.filter((s) => s !== '').join('/');
  return rel === '' ? 'index.html' : rel;
}

/** How many Host header lines the request carried (Node keeps only the first in req.headers). */
export function hostFieldCount(req: IncomingMessage): number {
  let n = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i].toLowerCase() === 'host') n++;
  return n;
}

async function handle(req: IncomingMessage, res: ServerResponse, root: string, port: () => number): Promise<void> {
  const hosts = hostFieldCount(req);
  if (hosts > 1) return send(res, 400, 'bad request: more than one Host header', true);
  if (hosts === 0 && req.httpVersion === '1.1') return send(res, 400, 'bad request: no Host header (HTTP/1.1 requires one)', true);
  if (!isLocalHost(req.headers.host, port())) return send(res, 403, 'forbidden: this server answers only to localhost');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return send(res, 405, 'method not allowed');
  }
  const length = req.headers['content-length'];
  if ((length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined) {
    return send(res, 413, 'request body not allowed', true);
  }
  const target = req.url ?? '';
  if (target.length > MAX_URL_LENGTH) return send(res, 414, 'URL too long');
  const rel = safeRelativePath(target);
  if (rel === null) return send(res, 400, 'bad path');
  let real: string;
  try {
    real = await realpath(join(root, rel));
  } catch {
    return send(res, 404, 'not found');
  }
  // Symlinks are followed above; whatever they point at must still lie under the root.
  if (!real.startsWith(root + sep)) return send(res, 404, 'not found');
  const info = await stat(real);
  if (!info.isFile()) return send(res, 404, 'not found');
  const body = await readFile(real);
  res.statusCode = 200;
  securityHeaders(res);
  res.setHeader('Content-Type', CONTENT_TYPES[extname(real).toLowerCase()] ?? 'application/octet-stream');
  res.setHeader('Content-Length', body.length);
  res.end(req.method === 'HEAD' ? undefined : body);
}

function securityHeaders(res: ServerResponse): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cache-Control', 'no-cache');
  // Everything the playground needs is its own; no network requests elsewhere.
  res.setHeader(
    'Content-Security-Policy',
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'",
  );
}

/** How long, and how many bytes, a closing connection goes on reading what the client still sends. */
const LINGER_MS = 2_000;
const LINGER_BYTES = 4 << 20;
/** Sockets being closed in stages: further parser errors on them are the discarded rest of a refused request. */
const lingering = new WeakSet<Duplex>();

/**
 * Closes a connection in stages, as RFC 9112 (section 9.6) advises: `answer` (if any) and a half-close
 * (FIN), then what the client still sends (the body of a refused request, the rest of a 64 KB URL) is
 * read and dropped, unparsed, until the client closes, LINGER_MS pass or LINGER_BYTES arrive, and only
 * then the socket is closed. Closing at once with bytes unread makes the kernel send a reset, which
 * can reach the client before it has read the answer (ECONNRESET in place of the 413 or 431).
 */
function lingeringClose(socket: Duplex, answer?: string): void {
  if (lingering.has(socket)) return;
  lingering.add(socket);
  socket.removeAllListeners('data'); // the HTTP parser's reader: the rest is not parsed
  let dropped = 0;
  socket.on('data', (b: Buffer) => {
    dropped += b.length;
    if (dropped > LINGER_BYTES) socket.destroy();
  });
  socket.on('error', () => socket.destroy());
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  if (answer === undefined) socket.end();
  else socket.end(answer);
  socket.resume();
}

/** A short text answer; `close` ends the connection after it (only where the request's framing cannot be trusted). */
function send(res: ServerResponse, status: number, text: string, close = false): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = `${text}\n`;
  res.statusCode = status;
  securityHeaders(res);
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  if (close) {
    res.setHeader('Connection', 'close');
    // Node ends a 'Connection: close' response with socket.destroySoon(), a close at once: closed in stages instead
    const socket = res.socket;
    if (socket) socket.destroySoon = () => lingeringClose(socket);
  }
  res.end(body);
}
