// Measures the text classifier on the shared it-service-tickets corpus (English, 8 labels) with a
// fixed stratified 80/20 split, and with --compare the alternatives it was chosen over. Choices are
// made on validation splits carved from the training part; the test split is only reported.
// Usage: npx tsx bench/classify.ts [--compare] [--seed N]. The last line is the summary the lead tracks.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fitFeatures, type FeatureOptions } from '../src/classify/features.js';
import { linearScores, trainLinear, type LinearOptions } from '../src/classify/linear-model.js';
import { cacheKey, loadOrTrain, resolveOptions, trainClassifier, type TrainingDoc } from '../src/classify/index.js';
import { trainComplementNb, trainNatural } from './lib/baselines.js';
import { readTickets, requireCorpora, samplePerLabel, stratifiedSplit, type LabelledText } from './lib/corpus.js';
import { evaluate, type Evaluation } from './lib/metrics.js';
import { tokenize } from '../src/classify/tokenize.js';

const args = process.argv.slice(2);
const compare = args.includes('--compare');
const seedAt = args.indexOf('--seed');
const seed = seedAt >= 0 ? Number(args[seedAt + 1]) : 42;

const peakRssMb = (): number => process.resourceUsage().maxRSS / 1024;
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
const f3 = (n: number): string => n.toFixed(3);

interface Row {
  readonly name: string;
  readonly trainRows: number;
  readonly testRows: number;
  readonly evaluation: Evaluation;
  readonly trainSeconds: number;
  readonly msPerMessage: number;
}
const rows: Row[] = [];

function measure(name: string, train: readonly LabelledText[], test: readonly LabelledText[], fit: () => (text: string) => string): Row {
  const t0 = performance.now();
  const predict = fit();
  const t1 = performance.now();
  const predicted = test.map((r) => predict(r.text));
  const t2 = performance.now();
  const row: Row = {
    name,
    trainRows: train.length,
    testRows: test.length,
    evaluation: evaluate(
      test.map((r) => r.label),
      predicted,
    ),
    trainSeconds: (t1 - t0) / 1000,
    msPerMessage: (t2 - t1) / test.length,
  };
  rows.push(row);
  console.log(
    `${name.padEnd(44)} train ${String(train.length).padStart(5)} test ${String(test.length).padStart(5)}  ` +
      `acc ${f3(row.evaluation.accuracy)}  macro-F1 ${f3(row.evaluation.macroF1)}  ` +
      `train ${row.trainSeconds.toFixed(1).padStart(6)} s  ${row.msPerMessage.toFixed(3)} ms/msg  peak RSS ${peakRssMb().toFixed(0)} MB`,
  );
  return row;
}

const asDocs = (rs: readonly LabelledText[]): (TrainingDoc & { language: 'en' })[] =>
  rs.map((r) => ({ text: r.text, label: r.label, language: 'en' }));

/** A linear model over our own features, bypassing TextClassifier, to compare losses and features. */
function linearVariant(train: readonly LabelledText[], features: Partial<FeatureOptions>, model: Partial<LinearOptions>) {
  return () => {
    const options = resolveOptions({ features, model });
    const labels = [...new Set(train.map((r) => r.label))].sort();
    const { vectorizer, vectors } = fitFeatures(asDocs(train), options.features);
    const ys = Int32Array.from(train, (r) => labels.indexOf(r.label));
    const weights = trainLinear(vectors, ys, labels.length, vectorizer.dimension, options.model);
    return (text: string) => {
      const scores = linearScores(weights, vectorizer.vectorize(text, 'en'));
      let best = 0;
      scores.forEach((s, c) => {
        if (s > (scores[best] as number)) best = c;
      });
      return labels[best] as string;
    };
  };
}

function complementNbVariant(train: readonly LabelledText[]) {
  return () => {
    const options = resolveOptions({ features: { stem: false } });
    const labels = [...new Set(train.map((r) => r.label))].sort();
    const { vectorizer, vectors } = fitFeatures(asDocs(train), options.features);
    const ys = Int32Array.from(train, (r) => labels.indexOf(r.label));
    const predict = trainComplementNb(vectors, ys, labels.length, vectorizer.dimension);
    return (text: string) => labels[predict(vectorizer.vectorize(text, 'en'))] as string;
  };
}

function naturalVariant(kind: 'bayes' | 'logistic', train: readonly LabelledText[]) {
  return () => {
    const predict = trainNatural(
      kind,
      train.map((r) => ({ tokens: tokenize(r.text, 'en'), label: r.label })),
    );
    return (text: string) => predict(tokenize(text, 'en'));
  };
}

async function main(): Promise<void> {
  requireCorpora(['it-service-tickets']);
  const all = readTickets();
  const { train, test } = stratifiedSplit(all, 0.2, seed);
  console.log(`it-service-tickets: ${all.length} rows, split seed ${seed}: train ${train.length}, test ${test.length}`);
  console.log(`load average at start: ${load()} (2-core machine, shared with other work)`);

  if (compare) {
    console.log('\n-- alternatives (same split; natural on stratified subsets, with the chosen model on the same subsets) --');
    // natural's classifiers build a dense vector per document (deps.md §2): subsets only.
    const bayesTrain = samplePerLabel(train, 500, seed);
    const smallTest = samplePerLabel(test, 125, seed);
    measure('natural BayesClassifier (stems, stop words)', bayesTrain, smallTest, naturalVariant('bayes', bayesTrain));
    measure('chosen model, same subset', bayesTrain, smallTest, () => {
      const c = trainClassifier(asDocs(bayesTrain));
      return (text) => (c.predict(text, 'en')[0]?.category ?? '');
    });
    const lrTrain = samplePerLabel(train, 30, seed);
    measure('natural LogisticRegression (stems)', lrTrain, smallTest, naturalVariant('logistic', lrTrain));
    measure('chosen model, same subset', lrTrain, smallTest, () => {
      const c = trainClassifier(asDocs(lrTrain));
      return (text) => (c.predict(text, 'en')[0]?.category ?? '');
    });
    console.log('\n-- own sparse models on the full split (words = unigrams + bigrams unless noted) --');
    measure('complement NB, words', train, test, complementNbVariant(train));
    measure('SGD hinge (Crammer-Singer), words+stems', train, test, linearVariant(train, {}, { loss: 'hinge', lambda: 1e-5 }));
    measure('dual-CD linear SVM C≈0.33, words+stems', train, test, linearVariant(train, {}, { loss: 'svm', lambda: 8e-5, epochs: 30 }));
    measure('dual-CD NB-SVM C≈0.33, words+stems', train, test, linearVariant(train, {}, { loss: 'svm', lambda: 8e-5, epochs: 30, nbScale: true }));
    measure('SGD logistic, words+stems, stop words removed', train, test, linearVariant(train, { stopWords: true }, {}));
    measure('SGD logistic, unigrams+stems', train, test, linearVariant(train, { wordNgrams: 1 }, {}));
    measure('SGD logistic, words (no stems)', train, test, linearVariant(train, { stem: false }, {}));
    measure('SGD logistic, words+stems, class-balanced', train, test, linearVariant(train, {}, { balanced: true }));
    console.log('\n-- class balancing on validation splits (10 % of the training part; test rows unseen) --');
    for (const validationSeed of [7, 8]) {
      const { train: fit, test: validation } = stratifiedSplit(train, 0.1, validationSeed);
      for (const balanced of [false, true]) {
        measure(`validation seed ${validationSeed}, balanced=${balanced}`, fit, validation, linearVariant(fit, {}, { balanced }));
      }
    }
    console.log('\n-- chosen model --');
  }

  // The chosen model exactly as the daemon builds it: trainClassifier with default options.
  const cacheDir = mkdtempSync(path.join(tmpdir(), 'sportello-bench-'));
  try {
    let classifier = trainClassifier([{ text: 'warm up', label: 'x', language: 'en' }]);
    const chosen = measure('chosen: SGD multinomial logistic, words+stems', train, test, () => {
      classifier = trainClassifier(asDocs(train));
      return (text) => (classifier.predict(text, 'en')[0]?.category ?? '');
    });
    const docs = asDocs(train);
    const tSave = performance.now();
    const json = JSON.stringify(classifier.toJSON());
    const saveMs = performance.now() - tSave;
    // Seed the cache with this model instead of training a second time, then time a warm start.
    writeFileSync(path.join(cacheDir, `classifier-${cacheKey(docs)}.json`), json);
    const tWarm = performance.now();
    const warm = await loadOrTrain({ cacheDir, docs });
    const warmMs = performance.now() - tWarm;
    const sameTop = test.slice(0, 500).every((r) => warm.classifier.predict(r.text, 'en')[0]?.category === classifier.predict(r.text, 'en')[0]?.category);

    console.log('\nper-class F1 (chosen):');
    for (const [label, c] of chosen.evaluation.perClass) {
      console.log(`  ${label.padEnd(22)} F1 ${f3(c.f1)}  P ${f3(c.precision)}  R ${f3(c.recall)}  n ${c.support}`);
    }
    console.log(
      `model: ${classifier.toJSON().terms.length} terms, JSON ${(json.length / 1e6).toFixed(1)} MB (serialise ${saveMs.toFixed(0)} ms); ` +
        `warm start from cache ${warmMs.toFixed(0)} ms (cached=${warm.cached}, same predictions=${sameTop})`,
    );
    // What the daemon usually loads: a rules-sized model (60 example phrases per category).
    const small = asDocs(samplePerLabel(train, 60, seed));
    const tSmall = performance.now();
    await loadOrTrain({ cacheDir, docs: small });
    const smallTrainMs = performance.now() - tSmall;
    const tSmallWarm = performance.now();
    const smallWarm = await loadOrTrain({ cacheDir, docs: small });
    const smallWarmMs = performance.now() - tSmallWarm;
    console.log(
      `rules-sized model (${small.length} docs): train+save ${smallTrainMs.toFixed(0)} ms, ` +
        `warm start ${smallWarmMs.toFixed(1)} ms (cached=${smallWarm.cached})`,
    );
    console.log(`peak RSS ${peakRssMb().toFixed(0)} MB; load average at end: ${load()}`);
    console.log(
      `accuracy ${f3(chosen.evaluation.accuracy)} macro-F1 ${f3(chosen.evaluation.macroF1)} ` +
        `train ${chosen.trainSeconds.toFixed(1)} s classify ${chosen.msPerMessage.toFixed(2)} ms/msg`,
    );
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
