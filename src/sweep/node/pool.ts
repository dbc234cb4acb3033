/**
 * A pool of worker processes (child_process.fork of child.ts), each running one run at a time: a run that
 * crashes or exhausts memory takes its own process down, never the sweep. Children sit in their own process
 * group, so a Ctrl-C at the terminal reaches the coordinator only, which stops them itself.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SweepKind } from '../spec.js';
import type { RunOutcome } from './execute.js';

/** The child died while running (killed, out of memory): the run has no outcome and may be retried. */
export class WorkerDiedError extends Error {}

interface Slot {
  child: ChildProcess;
  busy?: { id: number; resolve: (o: RunOutcome) => void; reject: (e: Error) => void };
}

interface Waiting {
  kind: SweepKind;
  spec: Record<string, unknown>;
  resolve: (o: RunOutcome) => void;
  reject: (e: Error) => void;
  onStart?: () => void;
}

const childUrl = new URL(import.meta.url.endsWith('.ts') ? './child.ts' : './child.js', import.meta.url);

export class ProcessPool {
  private readonly slots: Slot[] = [];
  private readonly waiting: Waiting[] = [];
  private nextId = 1;
  private closed = false;

  constructor(readonly size: number) {
    if (!(Number.isInteger(size) && size >= 1)) throw new Error(`ProcessPool: size must be an integer >= 1, got ${size}`);
  }

  /** Runs one spec in a free worker process (starting one if fewer than `size` exist); `onStart` when it is handed to one. */
  run(kind: SweepKind, spec: Record<string, unknown>, onStart?: () => void): Promise<RunOutcome> {
    if (this.closed) return Promise.reject(new Error('ProcessPool: closed'));
    return new Promise((resolve, reject) => {
      this.waiting.push({ kind, spec, resolve, reject, onStart });
      this.dispatch();
    });
  }

  private spawn(): Slot {
    const execArgv = childUrl.pathname.endsWith('.ts') ? ['--import', 'tsx'] : [];
    const child = fork(fileURLToPath(childUrl), [], { execArgv, detached: true, stdio: ['ignore', 'ignore', 'inherit', 'ipc'], serialization: 'advanced' });
    const slot: Slot = { child };
    child.on('message', (m: { type: string; id?: number; outcome?: RunOutcome; error?: string }) => {
      if ((m.type === 'outcome' || m.type === 'refused') && slot.busy && m.id === slot.busy.id) {
        const { resolve } = slot.busy;
        slot.busy = undefined;
        resolve(m.outcome ?? { ok: false, metrics: [], error: m.error ?? 'refused', exitCode: 2, seconds: 0 });
        this.dispatch();
      }
    });
    child.on('exit', (code, signal) => {
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      if (slot.busy) {
        slot.busy.reject(new WorkerDiedError(`the worker process died during the run (${signal ?? `exit status ${code}`})`));
        slot.busy = undefined;
      }
      if (!this.closed) this.dispatch();
    });
    this.slots.push(slot);
    return slot;
  }

  private dispatch(): void {
    while (this.waiting.length) {
      let slot = this.slots.find((s) => !s.busy && s.child.connected);
      if (!slot) {
        if (this.slots.length >= this.size) return;
        slot = this.spawn();
      }
      const job = this.waiting.shift()!;
      const id = this.nextId++;
      slot.busy = { id, resolve: job.resolve, reject: job.reject };
      job.onStart?.();
      slot.child.send({ type: 'run', id, kind: job.kind, spec: job.spec });
    }
  }

  /** Stops every worker process (a run in progress is abandoned; its promise rejects). */
  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiting.splice(0)) w.reject(new Error('ProcessPool: closed'));
    await Promise.all(this.slots.map((s) => new Promise<void>((done) => {
      if (s.child.exitCode !== null || s.child.signalCode !== null) return done();
      s.child.once('exit', () => done());
      s.child.kill('SIGTERM');
    })));
  }
}
