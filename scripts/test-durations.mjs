// A node:test reporter that sums each test file's top-level test durations and prints the slowest files at the
// end (DESCENT_TEST_DURATIONS=N, default 15), so the suite's cost can be found without timing files one by one.
// scripts/run-tests.mjs adds it beside the usual TAP output when DESCENT_TEST_DURATIONS is set.
export default async function* durations(source) {
  const perFile = new Map();
  for await (const event of source) {
    if ((event.type === 'test:pass' || event.type === 'test:fail') && event.data.nesting === 0 && event.data.file) {
      const ms = event.data.details?.duration_ms ?? 0;
      perFile.set(event.data.file, (perFile.get(event.data.file) ?? 0) + ms);
    }
  }
  const top = Number(process.env.DESCENT_TEST_DURATIONS) || 15;
  const rows = [...perFile].sort((a, b) => b[1] - a[1]);
  const total = rows.reduce((a, [, ms]) => a + ms, 0);
  yield `\n# slowest test files (sum of their top-level tests; ${rows.length} files, ${(total / 1000).toFixed(1)} s in all):\n`;
  for (const [file, ms] of rows.slice(0, top)) yield `#   ${(ms / 1000).toFixed(1).padStart(7)} s  ${file.replace(process.cwd() + '/', '')}\n`;
}
