// Runs the ordered steps over one mail: merges each stage's annotations, pauses once at the lookup
// point for the shell's facts (and at a candidates point for the desk's live cases, when it is wanted), and returns the first plan a stage stops with (stripped of outgoing mail when
// the mail is imported). A stage that throws is a bug: the mail is quarantined with the stage's name,
// never dropped, and the run goes on with the next mail.

import type { InboundMail } from '../domain/mail.js';
import type { Plan } from '../domain/plan.js';
import type { Annotations, CandidatesWanted, Facts, PipelineContext, PipelineStep, ThreadKeys } from './types.js';
import { INITIAL_ANNOTATIONS } from './types.js';
import { describeError } from '../errors.js';
import { silenceImported } from './imported.js';

export type Lookup = (keys: ThreadKeys, mail: InboundMail) => Promise<Facts>;
/** The desk's live cases, as a candidates point asks for them (merged into the facts). */
export type CandidatesLookup = (wanted: CandidatesWanted) => Promise<Pick<Facts, 'groupCandidates' | 'incidentCandidates'>>;

export interface PipelineOutcome {
  readonly plan: Plan;
  readonly annotations: Annotations;
  /** Name of the stage that produced the plan. */
  readonly decidedBy: string;
}

export async function runPipeline(
  steps: readonly PipelineStep[],
  mail: InboundMail,
  ctx: PipelineContext,
  lookup: Lookup,
  candidates: CandidatesLookup,
): Promise<PipelineOutcome> {
  let ann: Annotations = INITIAL_ANNOTATIONS;
  for (const step of steps) {
    if ('lookup' in step) {
      // Lookup failures are the store's (transient); they propagate so the shell retries the mail later.
      ann = { ...ann, facts: await lookup(ann.threadKeys, mail) };
      continue;
    }
    if ('candidates' in step) {
      // A wrong order in the steps is a bug in the code, not in this mail: it propagates like a store failure.
      if (!ann.facts) throw new Error(`candidates point ${step.name} comes before the lookup`);
      let wanted;
      try {
        wanted = step.wanted(mail, ann, ctx);
      } catch (err) {
        return failed(step.name, err, ann);
      }
      if (wanted) ann = { ...ann, facts: { ...ann.facts, ...(await candidates(step.candidates)) } };
      continue;
    }
    let result;
    try {
      result = step.run(mail, ann, ctx);
    } catch (err) {
      return failed(step.name, err, ann);
    }
    // Every plan leaves through here, so imported mail cannot slip a reply past whichever stage decided.
    if ('stop' in result) return { plan: ctx.imported ? silenceImported(result.stop, ctx.imported) : result.stop, annotations: ann, decidedBy: step.name };
    ann = { ...ann, ...result.next };
  }
  return {
    plan: { action: 'quarantine', reason: 'no stage produced a plan (pipeline bug)', code: 'PIPELINE_STAGE', stage: 'run' },
    annotations: ann,
    decidedBy: 'run',
  };
}

function failed(name: string, err: unknown, ann: Annotations): PipelineOutcome {
  return {
    plan: { action: 'quarantine', reason: `stage ${name} failed: ${describeError(err)}`, code: 'PIPELINE_STAGE', stage: name },
    annotations: ann,
    decidedBy: name,
  };
}
