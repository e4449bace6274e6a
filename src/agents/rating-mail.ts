// Decides the variables of the satisfaction mails: the request sent when a case is resolved (five one-click
// mailto links, or "reply with a number from 1 to 5") and the thanks after a rating. Subjects keep the case tag
// so the answer threads to the case. Builds variables only; must never send one twice (the caller records it).

import type { Language } from '../domain/routing.js';
import { tagSubject } from '../mail/subject.js';
import { ratingMailto, type Score } from './rating.js';

const SCORES: readonly Score[] = [1, 2, 3, 4, 5];

const SUBJECT: Readonly<Record<Language, { readonly request: string; readonly thanks: string }>> = {
  en: { request: 'How did we do?', thanks: 'Thank you for your rating' },
  es: { request: '¿Qué tal lo hicimos?', thanks: 'Gracias por su valoración' },
  it: { request: 'Come siamo andati?', thanks: 'Grazie per la valutazione' },
};

interface Base {
  readonly language: Language;
  readonly case: { readonly id: string; readonly subject: string };
  readonly requester: { readonly name: string; readonly address: string };
  readonly desk: { readonly id: string; readonly name: string; readonly address: string };
}

export function ratingRequestVars(input: Base): Record<string, unknown> {
  return {
    subject: `${tagSubject(input.case.id, input.case.subject)} · ${SUBJECT[input.language].request}`,
    language: input.language,
    case: input.case,
    requester: input.requester,
    desk: input.desk,
    ratings: SCORES.map((score) => ({ score, url: ratingMailto(input.desk.address, input.case.id, score, input.language) })),
  };
}

export function ratingThanksVars(input: Base & { readonly score: Score; readonly comment: string | null }): Record<string, unknown> {
  return {
    subject: `${tagSubject(input.case.id, input.case.subject)} · ${SUBJECT[input.language].thanks}`,
    language: input.language,
    case: input.case,
    requester: input.requester,
    desk: input.desk,
    score: input.score,
    comment: input.comment,
  };
}
