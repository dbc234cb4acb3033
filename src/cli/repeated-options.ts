/**
 * An option given twice (`--lr 0.1 ... --lr 1`) is refused: commander would keep the last silently, and a
 * recipe edited by appending flags would then run with a value its author did not see. Options that
 * collect a list (compare's --opt and --x0, whose default is []) may repeat.
 */
import type { Command, Option } from 'commander';
import { inputError, quoteValue } from '../errors.js';

/** Throws an input error naming the first option of `argv` (a command and its arguments) that is given more than once. */
export function refuseRepeatedOptions(program: Command, argv: readonly string[]): void {
  const cmd = program.commands.find((c) => c.name() === argv[0]);
  if (!cmd) return;
  const byLong = new Map<string, Option>();
  for (const o of cmd.options as Option[]) if (o.long) byLong.set(o.long, o);
  const seen = new Map<string, string>();
  for (let i = 1; i < argv.length; i++) {
    const token = argv[i];
    if (token === '--') break; // operands follow
    if (!token.startsWith('--')) continue;
    const eq = token.indexOf('=');
    const long = eq >= 0 ? token.slice(0, eq) : token;
    const option = byLong.get(long);
    if (!option) continue; // unknown: commander reports it
    let value = '';
    if (eq >= 0) value = token.slice(eq + 1);
    else if (option.required && i + 1 < argv.length) value = argv[++i]; // a required value is the next token, whatever it is
    else if (option.optional && i + 1 < argv.length && !argv[i + 1].startsWith('-')) value = argv[++i];
    if (option.variadic || Array.isArray(option.defaultValue)) continue;
    const key = option.attributeName();
    const shown = (v: string) => (v === '' ? long : `${long} ${v}`);
    const before = seen.get(key);
    if (before !== undefined) throw inputError(`${long}: given twice (${shown(before)}, then ${shown(value)}); expected it once`);
    seen.set(key, value);
  }
}

/** A value written in hexadecimal, binary or octal (`0x10`, `0b1`, `0o7`), alone or in a list (`0.9,0x10`, `step:gamma=0x1`). */
const NON_DECIMAL = /(?:^|[\s,;:=])[+-]?0[xXbBoO][0-9a-fA-F_]/;

/**
 * Refuses a number written other than in decimal in an option that takes numbers: JavaScript's
 * Number() reads `--lr 0x10` as 16, where torch and pandas take decimal numbers only. Options whose
 * value names a file, a folder or a column are left alone (a file may be called 0x10).
 */
export function refuseNonDecimalNumbers(program: Command, argv: readonly string[]): void {
  const cmd = program.commands.find((c) => c.name() === argv[0]);
  if (!cmd) return;
  const byLong = new Map<string, Option>();
  for (const o of cmd.options as Option[]) if (o.long) byLong.set(o.long, o);
  for (let i = 1; i < argv.length; i++) {
    const token = argv[i];
    if (token === '--') break;
    if (!token.startsWith('--')) continue;
    const eq = token.indexOf('=');
    const long = eq >= 0 ? token.slice(0, eq) : token;
    const option = byLong.get(long);
    if (!option || (!option.required && !option.optional)) continue;
    let value: string | undefined;
    if (eq >= 0) value = token.slice(eq + 1);
    else if (i + 1 < argv.length && (option.required || !argv[i + 1].startsWith('-'))) value = argv[++i];
    if (value === undefined) continue;
    const placeholder = option.flags.replace(/^[^<[]*/, '');
    if (/file|dir|column/i.test(placeholder) || long === '--data' || long === '--target') continue;
    if (NON_DECIMAL.test(value)) {
      throw inputError(`${long}: expected a decimal number, got ${quoteValue(value)} (hexadecimal, binary and octal numbers are not read)`);
    }
  }
}
