/**
 * JSON for files a person writes (spec files) and metadata descent reads back: standard JSON
 * (JSON.parse, with its position in the message), plus the checks JSON.parse skips:
 * - a key given twice in one object is refused (JSON.parse keeps the last silently, so a first
 *   `"lr": -1` would be ignored);
 * - `__proto__`, `constructor` and `prototype` are refused as keys (they name object machinery, not settings);
 * - a UTF-8 byte order mark at the start is skipped, as in every text input of descent;
 * - nesting is bounded (64 levels), so a crafted file cannot exhaust the stack.
 * Pure (no Node APIs): runs in the browser too.
 */
import { inputError, quoteValue } from '../errors.js';

/** Keys refused in every object: they are object machinery in JavaScript, never a setting. */
export const FORBIDDEN_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype'];
/** Deepest nesting of objects and arrays accepted. */
export const MAX_DEPTH = 64;

/** Parses `text` as strict JSON; errors are input errors that start with `where`. */
export function parseStrictJson(text: string, where: string): unknown {
  const t = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let value: unknown;
  try {
    value = JSON.parse(t);
  } catch (err) {
    throw inputError(`${where}: not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  checkKeys(t, where);
  return value;
}

/** Walks valid JSON text and refuses duplicate and forbidden keys, naming the key's path. */
function checkKeys(text: string, where: string): void {
  const n = text.length;
  let i = 0;
  const ws = () => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const str = (): string => {
    let j = i + 1;
    while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
    const s = JSON.parse(text.slice(i, j + 1)) as string;
    i = j + 1;
    return s;
  };
  const value = (path: string, depth: number): void => {
    if (depth > MAX_DEPTH) throw inputError(`${where}: nested deeper than ${MAX_DEPTH} levels at ${path || 'the top'}; expected a flat settings file`);
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const keys = new Set<string>();
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        const key = str();
        const at = path ? `${path}.${key}` : key;
        if (FORBIDDEN_KEYS.includes(key)) throw inputError(`${where}: ${quoteValue(at)}: the key ${quoteValue(key)} is not allowed (it is not a setting)`);
        if (keys.has(key)) throw inputError(`${where}: ${quoteValue(at)} is given twice; expected each key once`);
        keys.add(key);
        ws();
        i++; // ':'
        value(at, depth + 1);
        ws();
        if (text[i++] === ',') continue;
        return;
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (let k = 0; ; k++) {
        value(`${path}[${k}]`, depth + 1);
        ws();
        if (text[i++] === ',') continue;
        return;
      }
    } else if (c === '"') str();
    else while (i < n && !(text[i] === ',' || text[i] === ']' || text[i] === '}' || text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  value('', 0);
}
