// Scores predictions against gold labels: accuracy, per-class F1 and their unweighted mean
// (macro-F1, which the small classes move as much as the large ones).
// Never drops a class that was predicted but absent from the gold set: it counts against macro-F1.

export interface Evaluation {
  readonly accuracy: number;
  readonly macroF1: number;
  readonly perClass: ReadonlyMap<string, { precision: number; recall: number; f1: number; support: number }>;
}

export function evaluate(gold: readonly string[], predicted: readonly string[]): Evaluation {
  const labels = [...new Set([...gold, ...predicted])].sort();
  let correct = 0;
  const tp = new Map<string, number>();
  const goldN = new Map<string, number>();
  const predN = new Map<string, number>();
  gold.forEach((g, i) => {
    const p = predicted[i] as string;
    goldN.set(g, (goldN.get(g) ?? 0) + 1);
    predN.set(p, (predN.get(p) ?? 0) + 1);
    if (g === p) {
      correct++;
      tp.set(g, (tp.get(g) ?? 0) + 1);
    }
  });
  const perClass = new Map<string, { precision: number; recall: number; f1: number; support: number }>();
  for (const l of labels) {
    const t = tp.get(l) ?? 0;
    const precision = t / (predN.get(l) || 1);
    const recall = t / (goldN.get(l) || 1);
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    perClass.set(l, { precision, recall, f1, support: goldN.get(l) ?? 0 });
  }
  const macroF1 = [...perClass.values()].reduce((s, c) => s + c.f1, 0) / labels.length;
  return { accuracy: correct / gold.length, macroF1, perClass };
}
