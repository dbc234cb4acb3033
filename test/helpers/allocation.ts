// Measures heap allocation of a piece of work directly, as bytes added to V8's young generation.
// Counting garbage collections (the earlier approach) is noisy: the test runner and a busy CI machine
// trigger collections of their own. Here each window starts from an empty young generation (a forced
// full GC), runs `rounds` of the work (small enough that even 64 B per round cannot fill the young
// generation), and reads how much the young generation grew. A window in which a collection happened
// anyway (the young generation shrank) is thrown away and measured again.
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const youngBytes = (): number => {
  let used = 0;
  for (const s of getHeapSpaceStatistics()) if (s.space_name === 'new_space') used += s.space_used_size;
  return used;
};

/** Median bytes allocated per call of `work(rounds)` over `windows` clean windows, minus the probe's own cost. */
export function bytesAllocated(work: (rounds: number) => void, rounds: number, windows = 7): number {
  const measure = (fn: (k: number) => void): number => {
    const deltas: number[] = [];
    for (let attempt = 0; deltas.length < windows && attempt < windows * 4; attempt++) {
      gc();
      const before = youngBytes();
      fn(rounds);
      const after = youngBytes();
      if (after >= before) deltas.push(after - before);
    }
    if (deltas.length === 0) throw new Error('every measuring window saw a garbage collection');
    deltas.sort((a, b) => a - b);
    return deltas[deltas.length >> 1];
  };
  const probe = measure(() => {}); // what reading the statistics itself allocates
  return Math.max(0, measure(work) - probe);
}
