/**
 * The core runs in browsers: every module under src/ outside the Node-only list below imports no Node
 * built-in (node:*, fs, path, worker_threads, ...), no Node-only module of its own, and uses no Node
 * globals (process, Buffer, require, __dirname, __filename). Checked on the TypeScript syntax tree, so
 * comments and strings do not count and `x.process` (a property) is not the global. The playground's
 * Vite bundle (dist/lab/www) is checked too: no Node built-in may reach the browser, not even as Vite's
 * empty "browser-external" stand-in.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

const repo = join(import.meta.dirname, '..', '..');
const src = join(repo, 'src');

/**
 * The Node-only modules, each for a reason: the CLI (files, processes, terminals, the lab's HTTP server,
 * PNG rasterizing), src/node (file readers), the worker-thread tensor backend, the atomic file writer and the output
 * policy's file checks, and the sweep's processes and store. Folders end in '/'.
 */
export const NODE_ONLY = ['cli/', 'node/', 'tensor/backend-node.ts', 'io/atomic-write.ts', 'io/output-policy.ts', 'sweep/node/'];

const NODE_GLOBALS = new Set(['process', 'Buffer', 'require', '__dirname', '__filename', 'global', 'setImmediate']);
const BUILTINS = new Set(builtinModules.flatMap((m) => [m, m.split('/')[0]]));

function isNodeOnly(rel: string): boolean {
  const p = rel.split(sep).join('/');
  return NODE_ONLY.some((n) => (n.endsWith('/') ? p.startsWith(n) : p === n));
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function isBuiltin(spec: string): boolean {
  return spec.startsWith('node:') || BUILTINS.has(spec) || BUILTINS.has(spec.split('/')[0]);
}

/** The module specifiers a file imports (static, type-only excluded, dynamic import(), require()) and the Node globals it uses. */
export function scanSource(text: string, fileName = 'x.ts'): { imports: string[]; globals: string[] } {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true, fileName.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const imports: string[] = [];
  const globals: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly && ts.isStringLiteral(node.moduleSpecifier)) imports.push(node.moduleSpecifier.text);
    else if (ts.isExportDeclaration(node) && !node.isTypeOnly && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) imports.push(node.moduleSpecifier.text);
    else if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) {
      const a = node.arguments[0];
      imports.push(a && ts.isStringLiteralLike(a) ? a.text : '<computed>');
    } else if (ts.isImportTypeNode(node)) {
      // `typeof import('node:fs')` in a type position erases at compile time
      return;
    }
    if (ts.isIdentifier(node) && NODE_GLOBALS.has(node.text)) {
      const p = node.parent;
      const isPropertyName = (ts.isPropertyAccessExpression(p) && p.name === node) || (ts.isPropertyAssignment(p) && p.name === node) ||
        (ts.isPropertySignature(p) && p.name === node) || (ts.isPropertyDeclaration(p) && p.name === node) || (ts.isMethodDeclaration(p) && p.name === node) ||
        (ts.isQualifiedName(p) && p.right === node);
      const isDeclared = (ts.isVariableDeclaration(p) || ts.isParameter(p) || ts.isBindingElement(p)) && p.name === node;
      if (!isPropertyName && !isDeclared) globals.push(node.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return { imports, globals };
}

test('scanSource sees imports and Node globals in code, not in comments, strings or property names', () => {
  const hit = scanSource(`import { readFileSync } from 'node:fs';\nimport path from 'path';\nexport { x } from 'worker_threads';\nconst w = await import('node:os');\nconst c = require('child_process');\nif (process.env.X) Buffer.from('a');\n`);
  assert.deepEqual(hit.imports, ['node:fs', 'path', 'worker_threads', 'node:os', 'child_process']);
  assert.deepEqual(hit.globals, ['require', 'process', 'Buffer']);
  const clean = scanSource(`// import fs from 'node:fs'; process.exit()\nconst s = "process.env and Buffer";\nconst o = { process: 1 };\no.process = 2;\nimport type { Stats } from 'node:fs';\nlet t: typeof import('node:fs');\n/* require('fs') */\n`);
  assert.deepEqual(clean.imports, []);
  assert.deepEqual(clean.globals, []);
});

test('no module outside the Node-only list uses Node: no built-in imports, no Node-only imports, no Node globals', () => {
  const files = walk(src);
  assert.ok(files.length > 50, `found only ${files.length} source files under src/`);
  for (const n of NODE_ONLY) assert.ok(existsSync(join(src, n)), `the Node-only list names src/${n}, which does not exist: keep the list true`);
  const problems: string[] = [];
  let checked = 0;
  for (const file of files) {
    const rel = relative(src, file);
    if (isNodeOnly(rel)) continue;
    checked++;
    const { imports, globals } = scanSource(readFileSync(file, 'utf8'), file);
    for (const spec of imports) {
      if (spec === '<computed>') problems.push(`${rel}: a dynamic import or require with a computed name (cannot be checked)`);
      else if (isBuiltin(spec)) problems.push(`${rel}: imports the Node built-in '${spec}'`);
      else if (spec.startsWith('.')) {
        const target = relative(src, resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
        if (isNodeOnly(target)) problems.push(`${rel}: imports the Node-only module src/${target.split(sep).join('/')}`);
      }
    }
    for (const g of new Set(globals)) problems.push(`${rel}: uses the Node global '${g}'`);
  }
  assert.ok(checked > 50, `checked only ${checked} core files`);
  assert.deepEqual(problems, [], `core modules must run in a browser; move Node-only code under src/cli (or add it to NODE_ONLY with a reason):\n${problems.join('\n')}`);
});

test('the playground bundle (dist/lab/www) holds no Node built-in', () => {
  const www = join(repo, 'dist', 'lab', 'www');
  assert.ok(existsSync(join(www, 'index.html')), 'dist/lab/www/index.html is missing: run `npm run build` (it builds the playground with Vite)');
  const scripts = readdirSync(join(www, 'assets')).filter((f) => f.endsWith('.js'));
  assert.ok(scripts.length >= 1, 'no JavaScript in dist/lab/www/assets');
  for (const f of scripts) {
    const text = readFileSync(join(www, 'assets', f), 'utf8');
    // Vite replaces a Node built-in imported by browser code with an empty module of this name
    assert.ok(!text.includes('__vite-browser-external'), `${f}: a Node built-in was bundled as Vite's browser-external stub`);
    assert.ok(!/\bfrom\s*["']node:|import\(\s*["']node:|require\(\s*["'](node:)?(fs|path|os|child_process|worker_threads|http|net|url|crypto|zlib)["']/.test(text), `${f}: imports a Node built-in`);
    assert.ok(!/\bprocess\.(env|argv|exit|cwd|platform|stdout|stderr)\b/.test(text), `${f}: uses Node's process object`);
  }
});
