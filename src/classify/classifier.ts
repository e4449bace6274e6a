// Decides a mail's category when no rule did: TF-IDF features + a seeded linear model, every
// category scored in [0,1] (softmax, summing to 1) so the caller can threshold and keep a top three.
// Must never report confidence without evidence: a text with no known term scores all categories equally.
import { SportelloError } from '../errors.js';
import { LANGUAGES, type CategoryScore, type Language } from '../domain/routing.js';
import { DEFAULT_FEATURE_OPTIONS, fitFeatures, Vectorizer, type FeatureOptions } from './features.js';
import { createLanguageDetector, type LanguageDetector } from './language.js';
import { DEFAULT_LINEAR_OPTIONS, linearScores, softmax, trainLinear, type LinearOptions, type LinearWeights } from './linear-model.js';

/** Bump when features, model or JSON layout change: it invalidates every cached model. */
export const MODEL_VERSION = 2;
const FORMAT = 'sportello-text-classifier';

export interface TrainingDoc {
  readonly text: string;
  readonly label: string;
  /** Detected from the text (falling back to `defaultLanguage`) when absent. */
  readonly language?: Language;
}

export interface ClassifierOptions {
  readonly features: FeatureOptions;
  readonly model: LinearOptions;
  /** Language assumed when a text is too short or ambiguous to detect. */
  readonly defaultLanguage: Language;
}

export const DEFAULT_CLASSIFIER_OPTIONS: ClassifierOptions = {
  features: DEFAULT_FEATURE_OPTIONS,
  model: DEFAULT_LINEAR_OPTIONS,
  defaultLanguage: 'en',
};

export interface ClassifierOptionsInput {
  readonly features?: Partial<FeatureOptions>;
  readonly model?: Partial<LinearOptions>;
  readonly defaultLanguage?: Language;
}

export function resolveOptions(input: ClassifierOptionsInput = {}): ClassifierOptions {
  return {
    features: { ...DEFAULT_FEATURE_OPTIONS, ...input.features },
    model: { ...DEFAULT_LINEAR_OPTIONS, ...input.model },
    defaultLanguage: input.defaultLanguage ?? DEFAULT_CLASSIFIER_OPTIONS.defaultLanguage,
  };
}

export interface ClassifierJson {
  readonly format: typeof FORMAT;
  readonly version: number;
  readonly options: ClassifierOptions;
  readonly categories: readonly string[];
  readonly terms: readonly string[];
  /** Float32 arrays as base64 of their little-endian bytes: exact and ~4× smaller than decimals. */
  readonly idf: string;
  readonly weights: string;
  readonly bias: string;
}

export interface TextClassifier {
  /** Categories in a fixed order (sorted). */
  readonly categories: readonly string[];
  /** Every category with a score in [0,1], highest first; scores sum to 1. */
  predict(text: string, language?: Language): CategoryScore[];
  toJSON(): ClassifierJson;
}

/**
 * Trains a classifier from labelled documents (rule example phrases, keywords, a labelled corpus).
 * @example trainClassifier([{ text: 'no puedo imprimir', label: 'hardware', language: 'es' }, …])
 */
export function trainClassifier(
  docs: readonly TrainingDoc[],
  input: ClassifierOptionsInput = {},
  detector: LanguageDetector = createLanguageDetector(),
): TextClassifier {
  const options = resolveOptions(input);
  if (docs.length === 0) {
    throw new SportelloError('CLASSIFIER_NO_DATA', 'cannot train a text classifier without labelled documents', {
      hint: 'add example phrases or keywords to the categories in the rules files',
    });
  }
  const categories = [...new Set(docs.map((d) => d.label))].sort();
  const labelIndex = new Map(categories.map((c, i) => [c, i]));
  const withLanguage = docs.map((d) => ({
    text: d.text,
    language: d.language ?? detector.detect(d.text, options.defaultLanguage).language,
  }));
  const { vectorizer, vectors } = fitFeatures(withLanguage, options.features);
  const labels = Int32Array.from(docs, (d) => labelIndex.get(d.label) as number);
  const weights = trainLinear(vectors, labels, categories.length, vectorizer.dimension, options.model);
  return buildClassifier(options, categories, vectorizer, weights, detector);
}

function buildClassifier(
  options: ClassifierOptions,
  categories: readonly string[],
  vectorizer: Vectorizer,
  model: LinearWeights,
  detector: LanguageDetector,
): TextClassifier {
  return {
    categories,
    predict(text, language) {
      const lang = language ?? detector.detect(text, options.defaultLanguage).language;
      const x = vectorizer.vectorize(text, lang);
      const probabilities =
        x.indices.length === 0
          ? new Float64Array(categories.length).fill(1 / categories.length)
          : softmax(linearScores(model, x));
      return categories
        .map((category, i) => ({ category, score: probabilities[i] as number }))
        .sort((a, b) => b.score - a.score || (a.category < b.category ? -1 : 1));
    },
    toJSON() {
      return {
        format: FORMAT,
        version: MODEL_VERSION,
        options,
        categories,
        terms: vectorizer.terms,
        idf: toBase64(vectorizer.idf),
        weights: toBase64(model.weights),
        bias: toBase64(model.bias),
      };
    },
  };
}

/** Rebuilds a classifier from `toJSON()` output; predictions are bit-identical to the original. */
export function restoreClassifier(json: unknown, detector: LanguageDetector = createLanguageDetector()): TextClassifier {
  const invalid = (why: string): SportelloError =>
    new SportelloError('CLASSIFIER_MODEL_INVALID', `stored text classifier is unusable: ${why}`, {
      hint: 'delete the cached model; it is retrained from the rules on the next start',
    });
  if (typeof json !== 'object' || json === null) throw invalid('not an object');
  const j = json as Partial<ClassifierJson>;
  if (j.format !== FORMAT) throw invalid('unknown format');
  if (j.version !== MODEL_VERSION) throw invalid(`model version ${String(j.version)}, expected ${MODEL_VERSION}`);
  if (!Array.isArray(j.categories) || !Array.isArray(j.terms)) throw invalid('missing fields');
  if (!isOptions(j.options)) throw invalid('missing or malformed options');
  if (typeof j.idf !== 'string' || typeof j.weights !== 'string' || typeof j.bias !== 'string') {
    throw invalid('missing arrays');
  }
  const k = j.categories.length;
  const idf = fromBase64(j.idf);
  const weights = fromBase64(j.weights);
  const bias = fromBase64(j.bias);
  if (k === 0 || idf.length !== j.terms.length || weights.length !== j.terms.length * k || bias.length !== k) {
    throw invalid('array sizes do not match the vocabulary and categories');
  }
  const vectorizer = new Vectorizer({ options: j.options.features, terms: j.terms, idf });
  const model: LinearWeights = { classes: k, dimension: j.terms.length, weights, bias };
  return buildClassifier(j.options, j.categories, vectorizer, model, detector);
}

// Checks the fields prediction reads, so a hand-edited file fails here and not on the first mail.
function isOptions(value: unknown): value is ClassifierOptions {
  const o = value as Partial<ClassifierOptions> | undefined;
  const f = o?.features;
  return (
    typeof f === 'object' &&
    f !== null &&
    typeof f.wordNgrams === 'number' &&
    (f.charNgrams === null || Array.isArray(f.charNgrams)) &&
    typeof f.sublinearTf === 'boolean' &&
    typeof f.stopWords === 'boolean' &&
    typeof f.stem === 'boolean' &&
    LANGUAGES.some((l) => l === o?.defaultLanguage)
  );
}

function toBase64(values: Float32Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

function fromBase64(text: string): Float32Array {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.byteLength % 4 !== 0) return new Float32Array(0);
  // Copy into a fresh, aligned buffer: Buffer's pool offset may not be a multiple of 4.
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}
