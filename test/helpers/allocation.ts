// Measures heap allocation of a piece of work directly, as bytes added to V8's young generation.
// Counting garbage collections (the earlier approach) is noisy: the test runner and a busy CI machine
// trigger collections of their own. Here each window starts from an empty young generation (a forced
// full GC), runs `rounds` of the work (small enough that even 64 B per round cannot fill the young
// generation), and reads how much the young generation grew. A window in which a collection happened
// anyway (the young generation shrank) is thrown away and measured again.
// Optimized code is compiled on a background thread: on a loaded machine that thread may not have run
// by the end of a test's warm-up, and the window would measure the interpreter's boxed numbers instead
// of the steady state (reproducible with node --concurrent-recompilation-delay=1000). So each window
// first waits for pending optimizations and installs them (V8's %FinalizeOptimization, a test hook), and the
// measured function is compiled as a whole right before its windows (see recompile's use below).
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
setFlagsFromString('--allow-natives-syntax');
/** Waits for background compile jobs and installs their code; a no-op where the V8 hook is missing. */
const finishPendingOptimizations = ((): (() => void) => {
  for (const hook of ['%FinalizeOptimization()', '%WaitForBackgroundOptimization()']) {
    try {
      const f = new Function(hook) as () => void;
      f();
      return f;
    } catch {
      // not in this V8: try the next
    }
  }
  return () => {};
})();

type Hook = (f: Function) => void;
/** V8's test hooks on one function (--allow-natives-syntax), or null in a V8 without them. */
const natives = ((): { prepare: Hook; optimizeOnNextCall: Hook; deoptimize: Hook } | null => {
  try {
    return {
      prepare: new Function('f', '%PrepareFunctionForOptimization(f)') as Hook,
      optimizeOnNextCall: new Function('f', '%OptimizeFunctionOnNextCall(f)') as Hook,
      deoptimize: new Function('f', '%DeoptimizeFunction(f)') as Hook,
    };
  } catch {
    return null;
  }
})();

/**
 * Compiles each of `fns` again with the optimizing compiler, from the feedback gathered so far, by calling
 * `run` once more after marking them; `inlinees` (functions `fns` should inline) first drop their own
 * optimized code. Without this, which calls V8 inlines depends on the order in which the warm-up's
 * background compiles happened to finish, that is, on the machine's load: V8 inlines a small function
 * (at most 27 bytecode bytes) anywhere, but counts into that size whatever the function's own optimized
 * code has inlined, so a small closure compiled first with its callee inlined no longer counts as small.
 * Where the V8 hooks are missing, only runs `run` twice.
 */
export function recompile(fns: Function[], run: () => void, inlinees: Function[] = []): void {
  if (!natives) {
    run();
    run();
    return;
  }
  for (const f of fns) natives.prepare(f);
  run();
  finishPendingOptimizations();
  // a function that has optimized code ignores the mark: drop that code first
  for (const f of [...fns, ...inlinees]) natives.deoptimize(f);
  for (const f of fns) natives.optimizeOnNextCall(f);
  run();
  finishPendingOptimizations();
}

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
      finishPendingOptimizations();
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
  // The measured function itself must run optimized, not only its loop: a function called a few times
  // whose loop runs long gets on-stack-replacement code for the loop, and every new call begins in the
  // interpreter until it enters that code again, boxing each double it computes (16 B a HeapNumber). On
  // Node 24 (V8 13) that entry came late in some windows: the optimizer-properties test measured sgd's
  // caller loop at 64 B a step in 2 of 7 windows, ~38 KB in 2 more (34 KB over 10,000 steps: the median),
  // 0 once `work` itself was compiled, while sgd's step code was optimized throughout. So `work` is
  // compiled as a whole before its windows; code it calls allocates as it would in any hot loop.
  recompile([work], () => work(rounds));
  return Math.max(0, measure(work) - probe);
}
