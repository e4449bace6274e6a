// Replays labelled bursts (test/fixtures/incidents/bursts.yml) through the grouping decision exactly
// as the pipeline meets them — one mail at a time, each against the cases opened before it — and
// scores the result pairwise: two mails are "together" when they end in the same incident.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { CaseStatus } from '../../src/domain/case.js';
import type { Language } from '../../src/domain/routing.js';
import { decideGrouping, type GroupCandidate, type GroupingSettings } from '../../src/incidents/grouping.js';
import { categoryVocabulary, type CategoryVocabulary } from '../../src/incidents/similarity.js';
import type { InboundMail } from '../../src/domain/mail.js';
import { loadRulesOrThrow, route } from '../../src/rules/index.js';
import { buildRouting } from '../../src/routing/router.js';
import { silentLogger } from '../../src/log.js';

export interface BurstMail {
  readonly at: number;
  readonly from: string;
  readonly group: string | null;
  readonly subject: string;
  readonly text: string;
}
export interface Scenario {
  readonly name: string;
  readonly start: string;
  readonly mails: readonly BurstMail[];
}

export const BURSTS_FILE = new URL('../../test/fixtures/incidents/bursts.yml', import.meta.url);

export function readBursts(file: URL | string = BURSTS_FILE): Scenario[] {
  return (parse(readFileSync(file, 'utf8')) as { scenarios: Scenario[] }).scenarios;
}

/** What the router said about one mail (category and language), supplied by the caller. */
export type Categorize = (mail: BurstMail) => { readonly category: string; readonly language: Language };

export interface ReplayedMail extends BurstMail {
  readonly scenario: string;
  readonly category: string;
  /** The incident it ended in, or null. */
  readonly incident: string | null;
}

export function replay(scenarios: readonly Scenario[], categorize: Categorize, settings: GroupingSettings, vocabulary: (category: string) => CategoryVocabulary | null): ReplayedMail[] {
  const out: ReplayedMail[] = [];
  for (const s of scenarios) {
    const cases: (GroupCandidate & { mail: BurstMail })[] = [];
    let incidents = 0;
    for (const [i, m] of [...s.mails].sort((a, b) => a.at - b.at).entries()) {
      const now = new Date(Date.parse(s.start) + m.at * 60_000);
      const routed = categorize(m);
      const text = `${m.subject}\n${m.text}`;
      const decision = decideGrouping({ requester: m.from, category: routed.category, language: routed.language, text }, cases, settings, now, vocabulary(routed.category));
      const id = `C${i + 1}`;
      let incident: string | null = null;
      if (decision.kind === 'join') incident = decision.incident;
      if (decision.kind === 'form') {
        incident = `I${++incidents}`;
        cases.push({ id: incident, kind: 'incident', status: 'open' as CaseStatus, category: routed.category, requester: 'it@example.test', createdAt: now.toISOString(), incident: null, language: null, text: '', mail: m });
        for (const member of decision.members) {
          const k = cases.findIndex((c) => c.id === member);
          cases[k] = { ...cases[k]!, incident };
        }
      }
      cases.push({ id, kind: 'case', status: 'new', category: routed.category, requester: m.from, createdAt: now.toISOString(), incident, language: routed.language, text, mail: m });
    }
    for (const c of cases) {
      if (c.kind !== 'case') continue;
      out.push({ ...c.mail, scenario: s.name, category: c.category ?? 'triage', incident: c.incident === null ? null : `${s.name}#${c.incident}` });
    }
  }
  return out;
}

export interface PairScores {
  readonly precision: number;
  readonly recall: number;
  readonly truePairs: number;
  readonly predictedPairs: number;
  readonly correctPairs: number;
}

/** Pairwise precision and recall of the grouping (pairs of mails from different people only). */
export function pairScores(mails: readonly ReplayedMail[]): PairScores {
  let truePairs = 0;
  let predictedPairs = 0;
  let correctPairs = 0;
  for (let i = 0; i < mails.length; i++) {
    for (let j = i + 1; j < mails.length; j++) {
      const a = mails[i]!;
      const b = mails[j]!;
      if (a.scenario !== b.scenario || a.from === b.from) continue;
      const same = a.group !== null && a.group === b.group;
      const together = a.incident !== null && a.incident === b.incident;
      if (same) truePairs++;
      if (together) predictedPairs++;
      if (same && together) correctPairs++;
    }
  }
  return {
    precision: predictedPairs === 0 ? 1 : correctPairs / predictedPairs,
    recall: truePairs === 0 ? 1 : correctPairs / truePairs,
    truePairs,
    predictedPairs,
    correctPairs,
  };
}

function asMail(m: BurstMail): InboundMail {
  return {
    messageId: null, inReplyTo: [], references: [], subject: m.subject, from: { address: m.from, name: '' }, replyTo: [],
    to: [{ address: 'it@example.test', name: '' }], cc: [], date: null, headers: {}, text: m.text, html: null, attachments: [], size: m.text.length, returnPath: m.from,
  };
}

/** Routes every burst mail with the rules in `rulesDir` (desk IT, its trained classifier) and replays the grouping. */
export async function replayWithRules(scenarios: readonly Scenario[], rulesDir: string, cacheDir: string, settings: GroupingSettings): Promise<ReplayedMail[]> {
  const ruleSet = await loadRulesOrThrow(rulesDir);
  const engine = await buildRouting(ruleSet, cacheDir, silentLogger());
  const desk = ruleSet.desks.IT!;
  const vocab = new Map(desk.categories.map((c) => [c.id, categoryVocabulary(c.examples, c.keywords)]));
  return replay(scenarios, (m) => {
    const r = route(ruleSet, 'IT', asMail(m), engine.deps);
    return { category: r.category, language: r.language };
  }, settings, (c) => vocab.get(c) ?? null);
}
