/** The command table: each entry adds one subcommand to the program. */
import type { Command } from 'commander';
import { register as optimize } from './optimize.js';
import { register as lab } from './lab.js';
import { register as kmeans } from './kmeans.js';
import { register as train } from './train.js';
import { register as evalCmd } from './eval.js';
import { register as ensemble } from './ensemble.js';
import { register as compare } from './compare.js';
import { register as demo } from './demo.js';
import { register as sweep } from './sweep.js';
import { register as worker } from './worker.js';

export const commands: Array<(program: Command) => void> = [optimize, lab, kmeans, train, evalCmd, ensemble, compare, demo, sweep, worker];
