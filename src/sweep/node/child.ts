/**
 * A worker process of the pool (forked by pool.ts): takes run specs over IPC, one at a time, and answers with
 * each outcome. It takes nothing but {kind, spec} data; anything else is refused. It ends when its parent goes.
 */
import { executeRun } from './execute.js';
import type { SweepKind } from '../spec.js';

interface RunMessage {
  type: 'run';
  id: number;
  kind: SweepKind;
  spec: Record<string, unknown>;
}

const send = (m: unknown): void => {
  process.send?.(m);
};

process.on('disconnect', () => process.exit(0));
process.on('message', (raw: unknown) => {
  const m = raw as Partial<RunMessage>;
  if (m?.type !== 'run' || typeof m.id !== 'number' || (m.kind !== 'optimize' && m.kind !== 'train') || m.spec === null || typeof m.spec !== 'object') {
    send({ type: 'refused', id: m?.id, error: 'expected {type: "run", id, kind, spec}' });
    return;
  }
  executeRun(m.kind, m.spec).then(
    (outcome) => send({ type: 'outcome', id: m.id, outcome }),
    (err: unknown) => send({ type: 'outcome', id: m.id, outcome: { ok: false, metrics: [], error: `internal error: ${err instanceof Error ? err.message : String(err)}`, exitCode: 1, seconds: 0 } }),
  );
});
send({ type: 'ready' });
