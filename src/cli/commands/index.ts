/**
 * The command table: each entry loads one subcommand's module, whose `register` adds it to the program.
 * Loaded on demand: `descent optimize …` imports optimize's module and what it needs, not every command's
 * (the ESM loader's work over the whole CLI was most of a command's start-up time).
 */
import type { Command } from 'commander';

type Register = (program: Command) => void;

/** Subcommand name → its module's `register`, in the order `descent --help` lists them. */
export const commandLoaders: Record<string, () => Promise<Register>> = {
  optimize: async () => (await import('./optimize.js')).register,
  lab: async () => (await import('./lab.js')).register,
  kmeans: async () => (await import('./kmeans.js')).register,
  train: async () => (await import('./train.js')).register,
  eval: async () => (await import('./eval.js')).register,
  ensemble: async () => (await import('./ensemble.js')).register,
  compare: async () => (await import('./compare.js')).register,
  demo: async () => (await import('./demo.js')).register,
  sweep: async () => (await import('./sweep.js')).register,
  worker: async () => (await import('./worker.js')).register,
};

/**
 * The registers `argv` needs: only its command's where its first word names one, else every command's
 * (for `--help`, `help NAME`, a missing or mistyped command, whose messages list them all).
 */
export async function commandsFor(argv: readonly string[]): Promise<Register[]> {
  const first = argv[0];
  const names = first !== undefined && Object.hasOwn(commandLoaders, first) ? [first] : Object.keys(commandLoaders);
  return Promise.all(names.map((name) => commandLoaders[name]()));
}
