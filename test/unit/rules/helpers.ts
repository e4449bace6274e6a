// Test helpers for the rules engine: InboundMail builders, in-memory rules sources, and small
// deterministic stand-ins for the language detector and classifier (the real ones live elsewhere).
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import type { Address, InboundMail } from '../../../src/domain/mail.js';
import type { CategoryScore, Language } from '../../../src/domain/routing.js';
import { loadArticleSources } from '../../../src/knowledge/index.js';
import { loadRuleSources, type LoadKnowledge, type LoadResult, type RouteDeps, type RuleSet } from '../../../src/rules/index.js';
import { fold } from '../../../src/rules/normalize.js';
import { trainingDocs } from '../../../src/rules/training.js';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const rulesDir = path.join(repoRoot, 'rules');
export { CORPORA as corporaDir } from '../../support/corpora.js';

const address = (spec: string): Address => {
  const m = /^(.*)<(.+)>$/.exec(spec);
  return m ? { name: m[1]!.trim(), address: m[2]!.trim().toLowerCase() } : { name: '', address: spec.toLowerCase() };
};

export interface MailSpec extends Partial<Omit<InboundMail, 'from' | 'to' | 'cc'>> {
  from?: string | null;
  to?: string[];
  cc?: string[];
}

export function mail(spec: MailSpec = {}): InboundMail {
  const { from = 'Ana <ana@example.test>', to = ['it@example.test'], cc = [], ...rest } = spec;
  return {
    messageId: 'm1@example.test',
    inReplyTo: [],
    references: [],
    subject: '',
    replyTo: [],
    date: '2026-03-02T09:00:00.000Z',
    headers: {},
    text: '',
    html: null,
    attachments: [],
    size: 1000,
    returnPath: null,
    ...rest,
    from: from === null ? null : address(from),
    to: to.map(address),
    cc: cc.map(address),
  };
}

/**
 * Loads in-memory files named rules/<name>; corpus reads and knowledge folders come from `files`
 * too (a folder exists when some file lies under it; *.md files other than README.md are articles).
 */
export function loadSources(files: Record<string, string>): Promise<LoadResult> {
  const base = '/virtual';
  const sources = Object.entries(files)
    .filter(([name]) => /^[^/]+\.ya?ml$/.test(name))
    .map(([name, text]) => ({ file: `rules/${name}`, path: `${base}/rules/${name}`, text }));
  const loadKnowledge: LoadKnowledge = async (dir, desks) => {
    const folder = path.posix.relative(`${base}/rules`, dir);
    const inside = Object.entries(files).filter(([name]) => name.startsWith(`${folder}/`));
    if (inside.length === 0) return null;
    const articles = inside
      .filter(([name]) => name.endsWith('.md') && !name.endsWith('README.md'))
      .map(([name, text]) => ({ file: `rules/${name}`, text }));
    return loadArticleSources(articles, desks);
  };
  return loadRuleSources(sources, {
    base,
    readText: async (p) => {
      const name = path.posix.relative(`${base}/rules`, p);
      const text = files[name];
      if (text === undefined) throw new Error(`ENOENT: no such file '${name}'`);
      return text;
    },
    loadKnowledge,
  });
}

export async function loadValid(files: Record<string, string>): Promise<RuleSet> {
  const result = await loadSources(files);
  if (!result.ruleSet) throw new Error(`unexpected problems: ${JSON.stringify(result.problems, null, 2)}`);
  return result.ruleSet;
}

const STOPWORDS: Record<Language, readonly string[]> = {
  es: ['el', 'la', 'los', 'las', 'de', 'que', 'y', 'en', 'no', 'un', 'una', 'por', 'para', 'con', 'me', 'mi', 'hola', 'gracias', 'desde', 'necesito'],
  it: ['il', 'lo', 'la', 'gli', 'le', 'di', 'che', 'e', 'non', 'un', 'una', 'per', 'con', 'mi', 'ciao', 'grazie', 'buongiorno', 'sono', 'della', 'nella'],
  en: ['the', 'a', 'an', 'of', 'and', 'to', 'in', 'is', 'it', 'i', 'my', 'on', 'for', 'with', 'hi', 'thanks', 'hello', 'this', 'when', 'can'],
};

/** Counts stop words per language; ties and empty text fall back. */
export function fakeDetectLanguage(text: string, fallback: Language): Language {
  const words = fold(text).split(/[^a-z']+/);
  let best: Language = fallback;
  let bestHits = 0;
  for (const lang of ['es', 'it', 'en'] as const) {
    const hits = words.filter((w) => STOPWORDS[lang].includes(w)).length;
    if (hits > bestHits) {
      best = lang;
      bestHits = hits;
    }
  }
  return best;
}

/** Function words of four letters or more that carry no topic. */
const NOISE = new Set(['when', 'have', 'with', 'that', 'this', 'from', 'could', 'would', 'your', 'thanks', 'there', 'what', 'which', 'some', 'para', 'pero', 'como', 'esta', 'este', 'sono', 'della', 'nella', 'quando', 'dopo', 'anche', 'grazie', 'gracias', 'hola']);
const tokens = (text: string) => fold(text).split(/[^a-z0-9]+/).filter((t) => t.length >= 4 && !NOISE.has(t));

/**
 * A crude keyword classifier over trainingDocs: each mail token that is distinctive (seen in at most
 * two categories) votes for the categories it was seen in; scores are vote shares. Good enough to
 * check that the shipped keywords and examples separate the categories.
 */
export function fakeClassifier(ruleSet: RuleSet): RouteDeps['classify'] {
  const byDesk = new Map<string, Map<string, Set<string>>>();
  return (deskId, text) => {
    let index = byDesk.get(deskId);
    if (!index) {
      index = new Map();
      for (const doc of trainingDocs(ruleSet, deskId)) {
        for (const t of tokens(doc.text)) {
          const set = index.get(t) ?? new Set<string>();
          set.add(doc.label);
          index.set(t, set);
        }
      }
      byDesk.set(deskId, index);
    }
    if (index.size === 0) return null;
    const votes = new Map<string, number>();
    let total = 0;
    for (const t of new Set(tokens(text))) {
      const cats = index.get(t);
      if (!cats || cats.size > 2) continue;
      for (const c of cats) votes.set(c, (votes.get(c) ?? 0) + 1 / cats.size);
      total += 1;
    }
    if (total === 0) return [];
    return [...votes].map(([category, v]): CategoryScore => ({ category, score: v / total }));
  };
}

export function fakeDeps(ruleSet: RuleSet): RouteDeps {
  return { detectLanguage: fakeDetectLanguage, classify: fakeClassifier(ruleSet) };
}

/**
 * A valid IT desk with calendar, SLA, escalation and knowledge settings; tests break one line of
 * it with `.replace` and assert the problem's exact position. Line numbers are in the comments.
 */
export const SLA_DESK = [
  'desks:', //                                                    1
  '  IT:', //                                                     2
  '    threshold: 0.5', //                                        3
  '    categories:', //                                           4
  '      - { id: hardware, names: { es: h, it: h, en: h } }', //  5
  '      - { id: security, names: { es: s, it: s, en: s } }', //  6
  '    rules:', //                                                7
  '      - name: outage', //                                      8
  '        when: {}', //                                          9
  '        then: { sla: urgent }', //                             10
  '    calendar:', //                                             11
  '      timezone: Europe/Madrid', //                             12
  '      hours:', //                                              13
  "        mon: ['09:00-14:00', '15:00-18:00']", //               14
  "        fri: ['08:00-15:00']", //                              15
  '      holidays: { country: ES, region: MD }', //               16
  '    sla:', //                                                  17
  '      policies:', //                                           18
  '        standard: { firstResponse: 4h, resolution: 16h }', //  19
  '        urgent: { firstResponse: 30m, resolution: 4h }', //    20
  '      default: standard', //                                   21
  '      byPriority: { urgent: urgent, low: standard }', //       22
  '      byCategory: { security: urgent }', //                    23
  '    escalation:', //                                           24
  '      address: it-lead@example.test', //                       25
  '',
].join('\n');

/**
 * One IT desk on a plain UTC calendar (Mon–Fri 09:00–17:00, no holidays): 16 business hours standard,
 * 4 hours urgent (by priority), so a priority change moves the promised time.
 */
export const UTC_SLA_RULES = `
desks:
  IT:
    threshold: 0.5
    categories:
      - { id: hardware, names: { es: h, it: h, en: h } }
    rules:
      - { name: anything, when: {}, then: { category: hardware } }
    calendar:
      timezone: UTC
      hours: { mon: ['09:00-17:00'], tue: ['09:00-17:00'], wed: ['09:00-17:00'], thu: ['09:00-17:00'], fri: ['09:00-17:00'] }
    sla:
      policies: { standard: { firstResponse: 4h, resolution: 16h }, urgent: { firstResponse: 30m, resolution: 4h } }
      default: standard
      byPriority: { urgent: urgent }
`;
