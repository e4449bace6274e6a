// Classification runs only for a mail that opens a case: follow-ups and our own mail keep their routing,
// and a rule's quarantine action stops the pipeline with the rule's reason.

import { describe, expect, it, vi } from 'vitest';
import { classify } from '../../../../src/pipeline/stages/classify.js';
import { INITIAL_ANNOTATIONS, type Annotations } from '../../../../src/pipeline/types.js';
import { context, mail, routing } from '../../../support/fakes.js';

describe('classify', () => {
  it.each([
    ['a follow-up', { match: { caseId: 'IT-1', status: 'open', via: 'references' } }],
    ['our own mail', { ownMail: 'sent from our own address it@example.test' }],
  ] as const)('skips %s without calling the router', (_label, over) => {
    const route = vi.fn(() => routing());
    const r = classify.run(mail(), { ...INITIAL_ANNOTATIONS, ...over } as Annotations, context({ route }));
    expect(r).toEqual({ next: {} });
    expect(route).not.toHaveBeenCalled();
  });

  it('routes a new mail once and passes the decision on', () => {
    const decision = routing({ category: 'printers', priority: 'high' });
    const route = vi.fn(() => decision);
    const m = mail();
    const r = classify.run(m, INITIAL_ANNOTATIONS, context({ route }));
    expect(r).toEqual({ next: { routing: decision } });
    expect(route).toHaveBeenCalledExactlyOnceWith(m);
  });

  it('stops with quarantine when a rule says so', () => {
    const r = classify.run(mail(), INITIAL_ANNOTATIONS, context({ route: () => routing({ quarantine: 'rules/it.yml:12 phishing' }) }));
    expect(r).toEqual({ stop: { action: 'quarantine', reason: 'rules/it.yml:12 phishing', code: 'RULE_QUARANTINE', stage: 'classify' } });
  });
});
