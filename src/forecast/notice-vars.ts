// The variables of the mails about promises, in the reader's language: the update a requester gets
// before a promise is missed (promise-update), the note to agents that it went out (promise-alert), and
// the daily digest of categories whose forecast exceeds their SLA (forecast-digest). Pure; dates are
// formatted in the desk calendar's zone, durations in business time.
import type { Language } from '../domain/routing.js';
import { formatDue, formatDuration } from '../sla/index.js';
import type { DigestRow } from './digest.js';

export interface NoticeCase {
  readonly id: string;
  readonly subject: string;
  readonly category: string | null;
  readonly priority: string;
  readonly requester: { readonly name: string; readonly address: string };
}

export interface NoticeDesk {
  readonly id: string;
  readonly name: string;
  readonly address: string;
}

const PERCENT: Record<Language, string> = { es: 'es-ES', it: 'it-IT', en: 'en-GB' };
const percent = (language: Language, share: number) => new Intl.NumberFormat(PERCENT[language], { style: 'percent', maximumFractionDigits: 0 }).format(share);

const UPDATE_SUBJECT: Record<Language, string> = { es: 'Seguimos con su solicitud', it: 'Stiamo ancora lavorando alla sua richiesta', en: 'We are still working on your request' };
const ALERT_SUBJECT: Record<Language, string> = { es: 'Aviso enviado al solicitante', it: 'Aggiornamento inviato al richiedente', en: 'Update sent to the requester' };
const DIGEST_SUBJECT: Record<Language, string> = { es: 'Previsiones por encima del SLA', it: 'Previsioni oltre lo SLA', en: 'Forecasts above the SLA' };

/** promise-update (to the requester) and promise-alert (to agents) share these. */
export function promiseUpdateVars(input: {
  readonly case: NoticeCase;
  readonly desk: NoticeDesk;
  readonly language: Language;
  readonly timezone: string;
  readonly before: string;
  readonly after: string;
  readonly share: number;
  readonly now: Date;
  readonly audience: 'requester' | 'agents';
}): Record<string, unknown> {
  const { language, timezone, now } = input;
  const when = (iso: string) => formatDue(new Date(iso), { language, timezone, now });
  const label = input.audience === 'requester' ? UPDATE_SUBJECT[language] : ALERT_SUBJECT[language];
  return {
    subject: `[${input.case.id}] ${label}: ${input.case.subject}`,
    case: {
      id: input.case.id,
      subject: input.case.subject,
      category: input.case.category,
      priority: input.case.priority,
      requesterName: input.case.requester.name || null,
      requesterAddress: input.case.requester.address,
    },
    due: { before: when(input.before), after: when(input.after), later: input.after > input.before },
    share: percent(language, input.share),
    requester: { name: input.case.requester.name || null, address: input.case.requester.address },
    desk: input.desk,
  };
}

/** forecast-digest (to the escalation address). */
export function digestVars(rows: readonly DigestRow[], desk: NoticeDesk, language: Language, quantile: number): Record<string, unknown> {
  return {
    subject: `[${desk.id}] ${DIGEST_SUBJECT[language]}: ${rows.length}`,
    desk,
    percent: percent(language, quantile),
    count: rows.length,
    rows: rows.map((r) => ({
      category: r.category,
      priority: r.priority,
      policy: r.policy,
      sla: formatDuration(r.slaMinutes, language),
      forecast: formatDuration(r.forecastMinutes, language),
      comparable: r.comparable,
    })),
  };
}
