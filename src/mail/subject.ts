// Subject handling: reply/forward prefixes in es/it/en/de/fr/nl/nordic clients, and our case tag "[IT-12]".
// Trusts nothing about the subject for identity: a tag is only a hint that follow-up matching must verify.
// Must never strip words that merely start like a prefix ("Rif" only with its colon, "I:" only as a prefix).

// Longer alternatives first so "Fwd" wins over "Fw" and "RE" over "R". Each may carry a counter: "Re[2]:", "AW(3):".
// es/it/en/pt: RE RV R Rif I Fwd Fw Inoltro Enc; de: AW WG Antw; fr: TR; nl: Antw Doorst; nordic: SV VS VB VL
// Videresend Vidarebefordrat; pl: Odp PD; tr: YNT İLT.
const PREFIX_WORDS = [
  'Vidarebefordrat', 'Videresend', 'Inoltro', 'Antwort', 'Doorst', 'Antw', 'Fwd', 'Fw', 'Rif', 'Ref', 'RE', 'RV', 'AW',
  'WG', 'SV', 'VS', 'VB', 'VL', 'TR', 'Odp', 'PD', 'YNT', 'İLT', 'Enc', 'R', 'I',
];
const PREFIX = new RegExp(
  `^\\s*(?:${PREFIX_WORDS.join('|')})\\s*(?:\\[\\d+\\]|\\(\\d+\\))?\\s*[:：]\\s*`,
  'iu',
);
const LIST_TAG = /^\s*\[[^\]\s][^\]]{0,40}\]\s*/u;

/** Removes any number of leading reply/forward prefixes ("RE: R: Fwd: AW[2]: …"). */
export function stripReplyPrefixes(subject: string): string {
  let s = subject.replace(/\s+/gu, ' ').trim();
  for (let i = 0; i < 100; i++) {
    const next = s.replace(PREFIX, '');
    if (next === s) break;
    s = next;
  }
  return s;
}

const TAG = /\[([A-Z][A-Z0-9]{0,9})-([1-9][0-9]{0,8})\]/giu;

/** Every case tag in the subject, in order of appearance, e.g. ["IT-12"]. */
export function findCaseTags(subject: string): string[] {
  return [...subject.matchAll(TAG)].map((m) => `${m[1]!.toUpperCase()}-${m[2]!}`);
}

/** A subject as a case keeps it: no reply/forward prefixes and no case tags (ours or other cases'). */
export function caseSubject(subject: string): string {
  let s = subject;
  for (let i = 0; i < 10; i++) {
    const next = stripReplyPrefixes(s.replace(TAG, ' ').replace(/\s+/gu, ' ').trim());
    if (next === s) break;
    s = next;
  }
  return s;
}

/** "[IT-12] original subject": prefixes and every case tag removed first, so tags never pile up. */
export function tagSubject(caseId: string, subject: string): string {
  const s = caseSubject(subject);
  return s ? `[${caseId}] ${s}` : `[${caseId}]`;
}

/** Subject for comparing threads: no prefixes, no case tags, no list tags, case-folded. */
export function baseSubject(subject: string): string {
  let s = stripReplyPrefixes(subject.replace(TAG, ' '));
  for (let i = 0; i < 5 && LIST_TAG.test(s); i++) s = stripReplyPrefixes(s.replace(LIST_TAG, ''));
  return s.toLowerCase();
}
