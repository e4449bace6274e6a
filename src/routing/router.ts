// Builds the router the pipeline's classify stage calls: the desk's rules first, then the text
// classifier trained from those same rules (cached on disk by content), with language detection.
// Built once per rules version and swapped whole on reload; never retrains on the hot path.

import path from 'node:path';
import { isPostgresUrl } from '../config/database.js';
import type { Config, DeskConfig } from '../config/schema.js';
import type { InboundMail } from '../domain/mail.js';
import type { RoutingDecision } from '../domain/routing.js';
import type { Logger } from '../log.js';
import type { ArticleRef, SlaPlan } from '../domain/plan.js';
import { route, trainingDocs, type RouteDeps, type RuleSet } from '../rules/index.js';
import { createLanguageDetector, loadOrTrain, type TextClassifier } from '../classify/index.js';
import { findArticles, planSla } from './schedule.js';

export type Router = (desk: DeskConfig, mail: InboundMail) => RoutingDecision;
export type SlaPlanner = (desk: DeskConfig, routing: RoutingDecision, now: Date) => SlaPlan | null;
export type ArticleFinder = (desk: DeskConfig, mail: InboundMail, routing: RoutingDecision) => readonly ArticleRef[];

export interface RoutingEngine {
  readonly ruleSet: RuleSet;
  readonly router: Router;
  readonly sla: SlaPlanner;
  readonly articles: ArticleFinder;
  /** The same decision logic without a desk config, for `sportello classify` and `rules test`. */
  readonly deps: RouteDeps;
  readonly classifiers: ReadonlyMap<string, TextClassifier | null>;
}

/** What a person writes fits in far less; a 20 MB body would cost seconds and a gigabyte to classify. */
export const ROUTING_TEXT_CHARS = 64 * 1024;

function capped(mail: InboundMail): InboundMail {
  return mail.text.length > ROUTING_TEXT_CHARS ? { ...mail, text: mail.text.slice(0, ROUTING_TEXT_CHARS) } : mail;
}

export function modelCacheDir(config: Config): string {
  // Beside a SQLite file; with no file (in memory, or a PostgreSQL URL, whose "directory" is no place) under the working directory.
  return config.database === ':memory:' || isPostgresUrl(config.database) ? path.resolve('var', 'cache') : path.join(path.dirname(config.database), 'cache');
}

export async function buildRouting(ruleSet: RuleSet, cacheDir: string, log: Logger): Promise<RoutingEngine> {
  const classifiers = new Map<string, TextClassifier | null>();
  for (const [deskId, desk] of Object.entries(ruleSet.desks)) {
    const docs = trainingDocs(ruleSet, deskId);
    if (docs.length === 0) {
      classifiers.set(deskId, null);
      continue;
    }
    const started = Date.now();
    const result = await loadOrTrain({ cacheDir, docs, options: { defaultLanguage: desk.defaultLanguage } });
    log.info({ desk: deskId, docs: docs.length, cached: result.cached, ms: Date.now() - started }, result.cached ? 'classifier loaded from cache' : 'classifier trained');
    classifiers.set(deskId, result.classifier);
  }
  // One detector for every mail (detectLanguage() would build eld's tables again for each).
  const languages = createLanguageDetector();
  const deps: RouteDeps = {
    detectLanguage: (text, fallback) => languages.detect(text, fallback).language,
    classify: (deskId, text, language) => classifiers.get(deskId)?.predict(text, language) ?? null,
  };
  return {
    ruleSet,
    deps,
    classifiers,
    router: (desk, mail) => route(ruleSet, desk.id, capped(mail), deps),
    sla: (desk, routing, now) => planSla(ruleSet.desks[desk.id], routing, now),
    articles: (desk, mail, routing) => findArticles(ruleSet.desks[desk.id], capped(mail), routing),
  };
}
