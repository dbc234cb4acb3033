/**
 * One error type for everything the CLI reports.
 * kind 'input' → exit 2 (the user's input is wrong), kind 'run' → exit 1 (it failed while running).
 * The CLI prints `descent: error: <message>` as a single line.
 */
export type ErrorKind = 'input' | 'run';

export class DescentError extends Error {
  readonly kind: ErrorKind;
  constructor(kind: ErrorKind, message: string) {
    super(message);
    this.name = 'DescentError';
    this.kind = kind;
  }
}

/** Bad input: names what is at fault and what was expected. Exit 2. */
export function inputError(message: string): DescentError {
  return new DescentError('input', message);
}

/** A failure while running (divergence, a failed write). Exit 1. */
export function runError(message: string): DescentError {
  return new DescentError('run', message);
}

/** Result of a fallible parse: the CLI maps `ok: false` to one input error. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; path: string; expected: string };

export function unwrap<T>(r: Parsed<T>, what = ''): T {
  if (r.ok) return r.value;
  const where = what ? `${what}: ` : '';
  throw inputError(`${where}${r.path}: expected ${r.expected}`);
}

/** "unknown optimizer 'adamm'; known: sgd, adam, ..." */
export function unknownName(kind: string, name: string, known: readonly string[]): DescentError {
  return inputError(`unknown ${kind} '${name}'; expected one of: ${known.join(', ')}`);
}

/** Longest value (characters) shown in a message: a 5 MB cell must not become a 5 MB line. */
export const MAX_SHOWN = 80;

/**
 * Text from a file or the command line made safe for a message: control characters, quotes and
 * backslashes escaped (`\x1b`, `\n`, `\0`, `\'`), cut to `max` characters with the full length said,
 * so data can neither drive the terminal nor flood it.
 */
export function escapeText(value: unknown, max = MAX_SHOWN): string {
  const s = String(value);
  const cut = s.length > max ? s.slice(0, max) : s;
  let out = '';
  for (const ch of cut) {
    const c = ch.codePointAt(0)!;
    if (ch === "'" || ch === '\\') out += `\\${ch}`;
    else if (c === 0) out += '\\0';
    else if (c === 10) out += '\\n';
    else if (c === 13) out += '\\r';
    else if (c === 9) out += '\\t';
    else if (isControl(c)) out += hexEscape(c);
    else out += ch;
  }
  return s.length > max ? `${out}…(${s.length} characters)` : out;
}

/** `escapeText` in single quotes: how a message shows a value it did not choose ('x', '\x1b]0;…'). */
export function quoteValue(value: unknown, max = MAX_SHOWN): string {
  return `'${escapeText(value, max)}'`;
}

/**
 * Names for a message, comma-separated and escaped: the first `max`, then how many in all, so a
 * header of 200,000 columns is one short line.
 */
export function quoteList(names: readonly string[], max = 20): string {
  const shown = names.slice(0, max).map((n) => escapeText(n, 40)).join(', ');
  return names.length > max ? `${shown}, … (${names.length} in all)` : shown;
}

function isControl(c: number): boolean {
  return c < 0x20 || (c >= 0x7f && c < 0xa0) || c === 0x2028 || c === 0x2029 || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

function hexEscape(c: number): string {
  return c <= 0xff ? `\\x${c.toString(16).padStart(2, '0')}` : `\\u${c.toString(16).padStart(4, '0')}`;
}

/** Longest message line printed (characters): the last defence against a value that was not quoted. */
export const MAX_MESSAGE = 2000;

/** A message made safe for a terminal: every control character escaped, cut to MAX_MESSAGE characters. */
export function sanitizeMessage(message: string): string {
  // eslint-disable-next-line no-control-regex
  let s = message.replace(/[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (ch) => hexEscape(ch.codePointAt(0)!));
  if (s.length > MAX_MESSAGE) s = `${s.slice(0, MAX_MESSAGE)}… (message cut: ${s.length} characters)`;
  return s;
}
