// The text classifier's public surface: language detection, tokenising, training, prediction,
// serialisation and the on-disk cache. Callers import from here, never from the files behind it.
export { createLanguageDetector, detectLanguage, type LanguageDetector, type LanguageGuess } from './language.js';
export { foldAccents, stemWord, tokenize, words, type TokenizeOptions } from './tokenize.js';
export { DEFAULT_FEATURE_OPTIONS, type FeatureOptions } from './features.js';
export { DEFAULT_LINEAR_OPTIONS, type LinearOptions } from './linear-model.js';
export {
  DEFAULT_CLASSIFIER_OPTIONS,
  MODEL_VERSION,
  resolveOptions,
  restoreClassifier,
  trainClassifier,
  type ClassifierJson,
  type ClassifierOptions,
  type ClassifierOptionsInput,
  type TextClassifier,
  type TrainingDoc,
} from './classifier.js';
export { cacheKey, loadOrTrain, type CacheOutcome, type LoadedClassifier, type LoadOrTrainInput } from './cache.js';
