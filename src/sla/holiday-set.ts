// Decides which local dates are public holidays for one calendar: date-holidays data (type "public"
// only; "observance", "optional", "bank" and "school" days are working days) plus explicit extra dates.
// Must never consult the real clock or a shared instance: each calendar owns its lookup and its cache.
import { DateTime } from 'luxon';
import { holidayParser, type HolidayParser } from './holiday-data.js';

export interface HolidaySource {
  readonly country: string;
  readonly region?: string | undefined;
  readonly city?: string | undefined;
}

/** `isHoliday("2026-12-08")` for local ISO dates; per-year sets are computed once, on first use. */
export interface HolidayLookup {
  isHoliday(isoDay: string): boolean;
}

export function createHolidayLookup(source: HolidaySource | undefined, extra: readonly string[]): HolidayLookup {
  const explicit = new Set(extra);
  // Built on the first question: loading rules builds every calendar, most never asked before a mail comes.
  let lib: HolidayParser | null = null;
  const byYear = new Map<number, ReadonlySet<string>>();

  const yearSet = (year: number): ReadonlySet<string> => {
    let set = byYear.get(year);
    if (!set) {
      if (source) lib ??= newHolidays(source);
      set = lib ? publicHolidayDates(lib, year) : new Set();
      byYear.set(year, set);
    }
    return set;
  };

  return {
    isHoliday(isoDay) {
      return explicit.has(isoDay) || yearSet(Number(isoDay.slice(0, 4))).has(isoDay);
    },
  };
}

function newHolidays(src: HolidaySource): HolidayParser {
  const country = src.country.toUpperCase();
  const opts = { types: ['public' as const] };
  if (src.region && src.city) return holidayParser(country, src.region.toUpperCase(), src.city.toUpperCase(), opts);
  if (src.region) return holidayParser(country, src.region.toUpperCase(), opts);
  return holidayParser(country, opts);
}

// `date` is the holiday's local calendar date ("2026-05-02 00:00:00"), independent of the host's
// zone; start/end only serve to spread the rare multi-day holiday over every date it covers.
function publicHolidayDates(lib: HolidayParser, year: number): ReadonlySet<string> {
  const dates = new Set<string>();
  for (const h of lib.getHolidays(year)) {
    if (h.type !== 'public') continue;
    const first = DateTime.fromISO(h.date.slice(0, 10), { zone: 'UTC' });
    const days = Math.max(1, Math.round((h.end.getTime() - h.start.getTime()) / 86_400_000));
    for (let i = 0; i < days; i++) dates.add(first.plus({ days: i }).toISODate()!);
  }
  return dates;
}
