// Decides whether a trained classifier on disk can be reused: the file name is the sha256 of the
// training documents, the resolved options and MODEL_VERSION, so any change retrains.
// Must never fail start-up over a bad cache file: unreadable or corrupt files are retrained and replaced.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { LanguageDetector } from './language.js';
import {
  MODEL_VERSION,
  resolveOptions,
  restoreClassifier,
  trainClassifier,
  type ClassifierOptionsInput,
  type TextClassifier,
  type TrainingDoc,
} from './classifier.js';

export type CacheOutcome =
  | { readonly kind: 'hit'; readonly file: string }
  | { readonly kind: 'miss'; readonly file: string }
  /** The file existed but could not be used; `error` says why. It is overwritten. */
  | { readonly kind: 'corrupt'; readonly file: string; readonly error: unknown }
  /** The freshly trained model could not be saved; it is still returned and used. */
  | { readonly kind: 'unwritable'; readonly file: string; readonly error: unknown };

export interface LoadOrTrainInput {
  readonly cacheDir: string;
  readonly docs: readonly TrainingDoc[];
  readonly options?: ClassifierOptionsInput;
  readonly detector?: LanguageDetector;
}

export interface LoadedClassifier {
  readonly classifier: TextClassifier;
  /** True when the model came from the cache file, false when it was trained now. */
  readonly cached: boolean;
  /** What happened to the cache file, for the caller's log (the cache itself never logs). */
  readonly outcome: CacheOutcome;
}

/** Content key of a training run: documents in order, fully resolved options, model version. */
export function cacheKey(docs: readonly TrainingDoc[], options: ClassifierOptionsInput = {}): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ version: MODEL_VERSION, options: resolveOptions(options) }));
  for (const d of docs) hash.update(JSON.stringify([d.label, d.language ?? null, d.text]));
  return hash.digest('hex');
}

/**
 * Returns the cached classifier for exactly these documents and options, or trains one and caches it.
 * Throws only what training throws (e.g. no documents); cache problems are reported in `outcome`.
 * @example const { classifier, cached } = await loadOrTrain({ cacheDir: 'var/cache', docs });
 */
export async function loadOrTrain(input: LoadOrTrainInput): Promise<LoadedClassifier> {
  const file = path.join(input.cacheDir, `classifier-${cacheKey(input.docs, input.options)}.json`);
  let source: string | undefined;
  try {
    source = await readFile(file, 'utf8');
  } catch {
    source = undefined; // absent or unreadable: train below
  }
  let outcome: CacheOutcome = { kind: 'miss', file };
  if (source !== undefined) {
    try {
      const classifier = restoreClassifier(JSON.parse(source), input.detector);
      return { classifier, cached: true, outcome: { kind: 'hit', file } };
    } catch (error) {
      outcome = { kind: 'corrupt', file, error };
    }
  }
  const classifier = trainClassifier(input.docs, input.options, input.detector);
  // Write then rename, so a crash mid-write never leaves a truncated file under the real name.
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    await mkdir(input.cacheDir, { recursive: true });
    await writeFile(temporary, JSON.stringify(classifier.toJSON()));
    await rename(temporary, file);
  } catch (error) {
    outcome = { kind: 'unwritable', file, error };
  }
  return { classifier, cached: false, outcome };
}
