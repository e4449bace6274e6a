// Decides how a due time and a business duration read in the requester's language (es, it, en):
// names and digits come from Intl (CLDR via Node's ICU), only the connecting words are ours.
// Must never format in the host's zone: the zone is always passed in.
import { SportelloError } from '../errors.js';
import type { Language } from '../domain/routing.js';
import { toMillis, type Instant } from './business-time.js';

// en-GB, not en-US: "Tuesday 24 November", day before month, 24-hour clock.
const LOCALE: Record<Language, string> = { es: 'es-ES', it: 'it-IT', en: 'en-GB' };

export interface FormatDueOptions {
  readonly language: Language;
  /** IANA zone the reader lives in, usually the calendar's. */
  readonly timezone: string;
  /** The year is shown only when it differs from now's (in `timezone`); without `now` it is always shown. */
  readonly now?: Instant;
}

/**
 * "martes 24 de noviembre a las 14:00", "martedì 24 novembre alle 14:00", "Tuesday 24 November at 14:00".
 * Time follows each locale's CLDR short form (es "9:00", it and en "09:00").
 */
export function formatDue(date: Instant, opts: FormatDueOptions): string {
  const ms = toMillis(date, 'date');
  const fmt = dueFormat(opts.language, opts.timezone);
  const { weekday, day, month, year, hour, minute } = partsOf(fmt, ms);
  const showYear = opts.now === undefined || partsOf(fmt, toMillis(opts.now, 'now')).year !== year;
  const time = `${hour}:${minute}`;
  const isOne = Number(hour) === 1; // "a la 1:00", "all'01:00": the article agrees with "una"
  switch (opts.language) {
    case 'es':
      return `${weekday} ${day} de ${month}${showYear ? ` de ${year}` : ''} ${isOne ? 'a la' : 'a las'} ${time}`;
    case 'it':
      return `${weekday} ${day} ${month}${showYear ? ` ${year}` : ''} ${isOne ? "all'" : 'alle '}${time}`;
    case 'en':
      return `${weekday} ${day} ${month}${showYear ? ` ${year}` : ''} at ${time}`;
  }
}

export interface FormatDurationOptions {
  /** "short" (default): "4 h 30 min"; "long": "4 horas y 30 minutos". */
  readonly style?: 'short' | 'long';
}

/**
 * A business duration in hours and minutes, rounded to the minute: es/it "4 h 30 min", en "4 hrs 30 mins"
 * (CLDR's short units). Days are never used: a business day is not 24 hours.
 */
export function formatDuration(minutes: number, language: Language, opts: FormatDurationOptions = {}): string {
  if (!Number.isFinite(minutes) || minutes < 0) {
    throw new SportelloError('SLA_INVALID_ARGUMENT', `a duration must be a finite number ≥ 0, got ${minutes}`, {
      context: { minutes },
    });
  }
  const locale = LOCALE[language];
  const unitDisplay = opts.style === 'long' ? 'long' : 'short';
  const total = Math.round(minutes);
  const h = Math.floor(total / 60);
  const m = total % 60;
  const unit = (value: number, u: 'hour' | 'minute') =>
    memo(`n|${locale}|${u}|${unitDisplay}`, () => new Intl.NumberFormat(locale, { style: 'unit', unit: u, unitDisplay })).format(value);
  const pieces = [...(h > 0 ? [unit(h, 'hour')] : []), ...(m > 0 || h === 0 ? [unit(m, 'minute')] : [])];
  if (pieces.length === 1 || unitDisplay === 'short') return pieces.join(' ');
  return memo(`l|${locale}`, () => new Intl.ListFormat(locale, { type: 'conjunction', style: 'long' })).format(pieces);
}

// Building an Intl formatter loads ICU data and costs ~1 ms; formatting with a built one costs µs. Every
// reply formats a due time, so formatters are kept per locale, zone and shape (a handful per desk).
const FORMATTERS = new Map<string, { format(value: never): string }>();
function memo<F extends { format(value: never): string }>(key: string, make: () => F): F {
  let f = FORMATTERS.get(key) as F | undefined;
  if (!f) FORMATTERS.set(key, (f = make()));
  return f;
}

type Parts = Partial<Record<Intl.DateTimeFormatPartTypes, string>>;

// CLDR's short time is "H:mm" in es but "HH:mm" in it and en-GB; Intl only honours that through
// timeStyle, which cannot be combined with weekday/month fields, so the hour width is spelled out here.
const HOUR: Record<Language, 'numeric' | '2-digit'> = { es: 'numeric', it: '2-digit', en: '2-digit' };

function dueFormat(language: Language, timeZone: string): Intl.DateTimeFormat {
  try {
    return memo(`d|${language}|${timeZone}`, () => new Intl.DateTimeFormat(LOCALE[language], {
      weekday: 'long',
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      hour: HOUR[language],
      minute: '2-digit',
      hourCycle: 'h23',
      timeZone,
    }));
  } catch (cause) {
    throw new SportelloError('SLA_INVALID_ARGUMENT', `"${timeZone}" is not a time zone Intl knows`, {
      cause,
      context: { timezone: timeZone },
    });
  }
}

function partsOf(fmt: Intl.DateTimeFormat, ms: number): Parts {
  const out: Parts = {};
  for (const p of fmt.formatToParts(ms)) if (p.type !== 'literal') out[p.type] = p.value;
  return out;
}
