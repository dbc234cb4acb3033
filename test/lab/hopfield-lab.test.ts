// The lab's Hopfield engine (no DOM): a stored glyph, corrupted, settles back to itself with the energy
// never rising; drawing and storing; the mode in the URL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HOPFIELD_GLYPHS, HopfieldLab, glyphPattern } from '../../src/lab/hopfield-lab.js';
import { hopfieldEnergy, hebbianWeights } from '../../src/demos/index.js';
import { decodeState, encodeState, defaultState } from '../../src/lab/state.js';

test('the glyphs T, O, X: stored, each corrupted by 20% settles back to it, energy non-increasing', () => {
  const lab = new HopfieldLab(12, 3);
  lab.storeGlyphs();
  assert.equal(lab.stored.length, 3);
  const all = new Int8Array(3 * lab.n);
  lab.stored.forEach((p, i) => all.set(p, i * lab.n));
  const w = hebbianWeights(all, lab.n);
  for (let k = 0; k < 3; k++) {
    lab.show(k);
    lab.corrupt(0.2);
    assert.ok(lab.overlaps()[k] < 0.7);
    let guard = 0;
    while (!lab.settled && guard++ < 100) lab.step(7);
    assert.ok(lab.settled);
    assert.equal(lab.overlaps()[k], 1, `glyph ${Object.keys(HOPFIELD_GLYPHS)[k]}`);
    for (let t = 1; t < lab.energy.length; t++) assert.ok(lab.energy[t] <= lab.energy[t - 1] + 1e-12);
    assert.ok(Math.abs(lab.energy[lab.energy.length - 1] - hopfieldEnergy(w, lab.state)) < 1e-9);
  }
});

test('drawing sets units and restarts the energy trace; store adds the picture; forget empties the memory', () => {
  const lab = new HopfieldLab(12, 1);
  lab.set(5, 1);
  lab.set(6, 1);
  assert.equal(lab.state[5], 1);
  assert.equal(lab.energy.length, 1);
  lab.store();
  assert.equal(lab.stored.length, 1);
  assert.ok(Math.abs(lab.load - 1 / 144) < 1e-15);
  assert.deepEqual(Array.from(lab.stored[0]), Array.from(lab.state));
  lab.storeRandom(5);
  assert.equal(lab.stored.length, 6);
  lab.forget();
  assert.equal(lab.stored.length, 0);
  assert.deepEqual(Array.from(glyphPattern(['#.'], 2)), [1, -1, -1, -1]);
});

test('the URL keeps the hopfield mode', () => {
  const s = defaultState();
  s.mode = 'hopfield';
  assert.equal(encodeState(s), 'mode=hopfield');
  assert.equal(decodeState('#mode=hopfield').state.mode, 'hopfield');
});
