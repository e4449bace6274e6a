import { describe, expect, it } from 'vitest';
import type { SparseVector } from '../../../src/classify/features.js';
import {
  DEFAULT_LINEAR_OPTIONS,
  linearScores,
  seededRandom,
  softmax,
  trainLinear,
  type LinearOptions,
} from '../../../src/classify/linear-model.js';

/** Three classes, each owning two of six features, plus a shared noise feature. */
function toySet(): { xs: SparseVector[]; ys: Int32Array } {
  const random = seededRandom(7);
  const xs: SparseVector[] = [];
  const ys: number[] = [];
  for (let i = 0; i < 90; i++) {
    const c = i % 3;
    const own = 2 * c + (random() < 0.5 ? 0 : 1);
    const values = [1, 0.3 + random() * 0.3];
    const norm = Math.hypot(...values);
    xs.push({ indices: Int32Array.of(own, 6), values: Float32Array.from(values, (v) => v / norm) });
    ys.push(c);
  }
  return { xs, ys: Int32Array.from(ys) };
}

const argmax = (s: Float64Array): number => s.indexOf(Math.max(...s));

describe('trainLinear', () => {
  const { xs, ys } = toySet();

  it.each<[string, Partial<LinearOptions>]>([
    ['log (SGD softmax)', { loss: 'log' }],
    ['log without averaging', { loss: 'log', average: false }],
    ['log without class balancing', { loss: 'log', balanced: false }],
    ['hinge (SGD Crammer-Singer)', { loss: 'hinge', lambda: 1e-4 }],
    ['svm (dual coordinate descent)', { loss: 'svm', lambda: 1e-3, epochs: 50 }],
    ['svm with NB scaling', { loss: 'svm', lambda: 1e-3, epochs: 50, nbScale: true }],
  ])('%s learns a separable toy set perfectly', (_name, overrides) => {
    const model = trainLinear(xs, ys, 3, 7, { ...DEFAULT_LINEAR_OPTIONS, ...overrides });
    const correct = xs.filter((x, i) => argmax(linearScores(model, x)) === ys[i]).length;
    expect(correct).toBe(xs.length);
  });

  it('balancing lifts the recall of a rare class the unbalanced model drowns', () => {
    // 60 examples of class 0, 6 of class 1; both share feature 0, class 1 alone has a faint feature 1.
    const skewed: SparseVector[] = [];
    const labels: number[] = [];
    for (let i = 0; i < 66; i++) {
      const rare = i % 11 === 0;
      const values = rare ? [1, 0.15] : [1, 0];
      const norm = Math.hypot(...values);
      skewed.push({ indices: Int32Array.of(0, 1), values: Float32Array.from(values, (v) => v / norm) });
      labels.push(rare ? 1 : 0);
    }
    const ys = Int32Array.from(labels);
    const rareScore = (balanced: boolean): number => {
      const model = trainLinear(skewed, ys, 2, 2, { ...DEFAULT_LINEAR_OPTIONS, balanced });
      const x = skewed[0] as SparseVector;
      return softmax(linearScores(model, x))[1] as number;
    };
    expect(rareScore(true)).toBeGreaterThan(rareScore(false));
  });

  it('is deterministic for a seed', () => {
    const a = trainLinear(xs, ys, 3, 7, DEFAULT_LINEAR_OPTIONS);
    const b = trainLinear(xs, ys, 3, 7, DEFAULT_LINEAR_OPTIONS);
    expect(Buffer.from(a.weights.buffer)).toEqual(Buffer.from(b.weights.buffer));
    expect(Array.from(a.bias)).toEqual(Array.from(b.bias));
  });

  it('a different seed changes the weights but not what is learnt', () => {
    const a = trainLinear(xs, ys, 3, 7, DEFAULT_LINEAR_OPTIONS);
    const b = trainLinear(xs, ys, 3, 7, { ...DEFAULT_LINEAR_OPTIONS, seed: 1234 });
    expect(Array.from(a.weights)).not.toEqual(Array.from(b.weights));
    for (const x of xs) expect(argmax(linearScores(b, x))).toBe(argmax(linearScores(a, x)));
  });

  it('a feature never seen in training contributes nothing', () => {
    const model = trainLinear(xs, ys, 3, 8, DEFAULT_LINEAR_OPTIONS);
    expect(Array.from(model.weights.subarray(7 * 3, 8 * 3))).toEqual([0, 0, 0]);
  });
});

describe('softmax', () => {
  it.each([[[0, 0, 0]], [[1, 2, 3]], [[1000, -1000, 999]], [[-5e4, -5e4 - 1]]])('of %j sums to 1 within [0,1]', (scores) => {
    const p = softmax(Float64Array.from(scores));
    expect(p.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
    for (const v of p) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
  });
});

describe('seededRandom', () => {
  it('repeats its sequence for a seed and stays in [0,1)', () => {
    const a = seededRandom(99);
    const b = seededRandom(99);
    const xs = Array.from({ length: 100 }, () => a());
    expect(xs).toEqual(Array.from({ length: 100 }, () => b()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Set(xs).size).toBe(100);
  });
});
