/**
 * `descent lab [--port N] [--no-open]`: serves the interactive playground on 127.0.0.1 only and
 * prints its URL; runs until interrupted (Ctrl-C).
 */
import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { inputError } from '../../errors.js';
import { startLabServer } from '../lab-server.js';

const DEFAULT_PORT = 8080;

interface LabFlags {
  port?: string;
  open: boolean;
}

/** Parses --port: an integer 0..65535 (0 picks a free port). */
export function parsePort(text: string): number {
  if (!/^\d+$/.test(text.trim())) throw inputError(`--port: expected an integer 0..65535, got '${text}'`);
  const port = Number(text);
  if (port > 65535) throw inputError(`--port: expected an integer 0..65535, got '${text}'`);
  return port;
}

export function register(program: Command): void {
  program
    .command('lab')
    .description('serve the interactive optimizer playground on 127.0.0.1 (loopback only) and open it in a browser')
    .option('--port <n>', `port on 127.0.0.1; 0 picks a free one (default ${DEFAULT_PORT})`)
    .option('--no-open', 'do not open a browser; only print the URL')
    .action(async (flags: LabFlags) => {
      const port = flags.port === undefined ? DEFAULT_PORT : parsePort(flags.port);
      const lab = await startLabServer({ port });
      process.stdout.write(`descent lab: serving the playground at ${lab.url} (loopback only; Ctrl-C to stop)\n`);
      if (flags.open) openBrowser(lab.url);
      // Keep the command running until the user stops it, then close sockets cleanly.
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void lab.close().then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}

/** Best effort: a missing opener only means the user opens the printed URL themselves. */
function openBrowser(url: string): void {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  try {
    const child = spawn(cmd, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => process.stdout.write(`descent lab: could not start '${cmd}'; open ${url} yourself\n`));
    child.unref();
  } catch {
    process.stdout.write(`descent lab: could not start '${cmd}'; open ${url} yourself\n`);
  }
}
