/**
 * The `descent` command line. Each command lives in ./commands/<name>.ts and
 * exports `register(program)`; errors become the contract's single line.
 */
import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { DescentError, inputError, sanitizeMessage } from '../errors.js';
import { commandsFor } from './commands/index.js';
import { refuseNonDecimalNumbers, refuseRepeatedOptions } from './repeated-options.js';

/** The package's version (package.json, two folders up from dist/cli or src/cli). */
export function packageVersion(): string {
  return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
}

/**
 * A reader that closes stdout early (`descent train --json | head -1`) ends the run quietly: EPIPE is
 * not an error of the run, and Node would otherwise print a stack trace for the unhandled 'error'.
 */
function quietOnClosedPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.listenerCount('error') > 0) continue;
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
}

export async function main(argv: string[]): Promise<number> {
  quietOnClosedPipes();
  const program = new Command();
  program
    .name('descent')
    .version(packageVersion(), '--version', 'print the version of descent and exit')
    .description('Train models by gradient descent, and see and compare how optimizers behave.')
    .exitOverride()
    .configureOutput({
      // commander's own messages ("error: unknown option '--x'") become the contract's line
      writeErr: (s) => {
        const line = s.trim().replace(/^error:\s*/, '');
        if (line) process.stderr.write(`descent: error: ${sanitizeMessage(line.split('\n')[0])}\n`);
      },
    });
  try {
    for (const register of await commandsFor(argv)) register(program);
    // commander would print the whole help to stderr as if it were an error, and exit 0
    if (argv.length === 0) throw inputError(`missing command; expected one of: ${program.commands.map((c) => c.name()).join(', ')} (descent --help describes them)`);
    refuseRepeatedOptions(program, argv);
    refuseNonDecimalNumbers(program, argv);
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    return report(err);
  }
}

/** Map any thrown value to an exit code, printing one `descent: error:` line. */
export function report(err: unknown): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.code === 'commander.version') return 0;
    return 2; // commander already printed its message through writeErr
  }
  if (process.env.DESCENT_DEBUG === '1' && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  if (err instanceof DescentError) {
    process.stderr.write(`descent: error: ${sanitizeMessage(oneLine(err.message))}\n`);
    return err.kind === 'input' ? 2 : 1;
  }
  const msg = err instanceof Error ? err.message : String(err);
  process.stderr.write(`descent: error: ${sanitizeMessage(oneLine(msg))} (internal error; set DESCENT_DEBUG=1 for a stack trace)\n`);
  return 1;
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, '; ');
}
