#!/usr/bin/env node
// The contract's CLI entry: a shim over the compiled build (npm ci builds it via `prepare`).
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
