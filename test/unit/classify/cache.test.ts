import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cacheKey, loadOrTrain } from '../../../src/classify/index.js';
import { HELD_OUT, TRAIN } from './phrases.js';

describe('loadOrTrain', () => {
  let cacheDir: string;
  beforeEach(() => {
    cacheDir = path.join(mkdtempSync(path.join(tmpdir(), 'sportello-classify-')), 'nested', 'cache');
  });
  afterEach(() => {
    rmSync(path.dirname(path.dirname(cacheDir)), { recursive: true, force: true });
  });

  it('trains and writes on a miss, then loads the same model on a hit', async () => {
    const first = await loadOrTrain({ cacheDir, docs: TRAIN });
    expect(first.cached).toBe(false);
    expect(first.outcome.kind).toBe('miss');
    expect(readdirSync(cacheDir)).toEqual([`classifier-${cacheKey(TRAIN)}.json`]);

    const second = await loadOrTrain({ cacheDir, docs: TRAIN });
    expect(second.cached).toBe(true);
    expect(second.outcome).toEqual({ kind: 'hit', file: first.outcome.file });
    for (const [text, language] of HELD_OUT) {
      expect(second.classifier.predict(text, language)).toEqual(first.classifier.predict(text, language));
    }
  });

  it.each([
    ['a changed text', [{ ...TRAIN[0]!, text: 'He olvidado la clave' }, ...TRAIN.slice(1)], {}],
    ['a changed label', [{ ...TRAIN[0]!, label: 'hardware' }, ...TRAIN.slice(1)], {}],
    ['an added document', [...TRAIN, { text: 'router roto', label: 'network', language: 'es' as const }], {}],
    ['changed options', TRAIN, { model: { seed: 7 } }],
  ])('%s retrains under a new key', async (_name, docs, options) => {
    await loadOrTrain({ cacheDir, docs: TRAIN });
    const changed = await loadOrTrain({ cacheDir, docs, options });
    expect(changed.cached).toBe(false);
    expect(cacheKey(docs, options)).not.toBe(cacheKey(TRAIN));
    expect(readdirSync(cacheDir)).toHaveLength(2);
  });

  it('the key ignores options spelt out at their default values', () => {
    expect(cacheKey(TRAIN, { model: { seed: 42 }, defaultLanguage: 'en' })).toBe(cacheKey(TRAIN));
  });

  it.each([
    ['not JSON', '{"format": "sportello-text-cl'],
    ['JSON of another shape', '{"hello": "world"}'],
    ['empty', ''],
  ])('a corrupt cache file (%s) is retrained and replaced, not fatal', async (_name, content) => {
    const { outcome } = await loadOrTrain({ cacheDir, docs: TRAIN });
    writeFileSync(outcome.file, content);
    const again = await loadOrTrain({ cacheDir, docs: TRAIN });
    expect(again.cached).toBe(false);
    expect(again.outcome.kind).toBe('corrupt');
    const healed = await loadOrTrain({ cacheDir, docs: TRAIN });
    expect(healed.cached).toBe(true);
  });

  it('an unwritable cache directory still returns a trained classifier', async () => {
    // A plain file where the cache's parent directory should be: mkdir fails with ENOTDIR.
    const parent = path.dirname(cacheDir);
    rmSync(parent, { recursive: true, force: true });
    writeFileSync(parent, 'not a directory');
    const result = await loadOrTrain({ cacheDir, docs: TRAIN });
    expect(result.cached).toBe(false);
    expect(result.outcome.kind).toBe('unwritable');
    expect(result.classifier.predict('printers not printing', 'en')[0]?.category).toBe('hardware');
  });
});
