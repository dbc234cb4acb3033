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
