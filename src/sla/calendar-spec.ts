// Decides whether a business-calendar spec (as written in config or rules files) is well formed:
// IANA zone (luxon's tz database), "HH:MM-HH:MM" intervals, known date-holidays country/region codes.
// Must never guess a fix: an invalid spec is rejected with the exact key that is wrong.
import { holidayCatalogue } from './holiday-data.js';
import { DateTime, IANAZone } from 'luxon';
import { z } from 'zod';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** One opening interval in wall-clock minutes since local midnight; end may be 1440 ("24:00"). */
export interface WallInterval {
  readonly start: number;
  readonly end: number;
}

const INTERVAL_RE = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/;

/** Parses "09:00-13:00" into minutes, or returns why it cannot. Exported for the rules loader's messages. */
export function parseInterval(text: string): WallInterval | string {
  const m = INTERVAL_RE.exec(text);
  if (!m) return `"${text}" is not an interval like "09:00-13:00"`;
  const [sh, sm, eh, em] = m.slice(1).map(Number) as [number, number, number, number];
  if (sh > 23 || sm > 59 || eh > 24 || em > 59 || (eh === 24 && em !== 0)) {
    return `"${text}" has a time that does not exist (use 00:00–23:59, or 24:00 as an end)`;
  }
  const start = sh * 60 + sm;
  const end = eh * 60 + em;
  if (end <= start) {
    return `"${text}" ends before it starts; split an overnight interval into "…-24:00" and "00:00-…"`;
  }
  return { start, end };
}

const intervalList = z.array(z.string()).default([]);

const weekHoursSchema = z
  .strictObject({
    mon: intervalList,
    tue: intervalList,
    wed: intervalList,
    thu: intervalList,
    fri: intervalList,
    sat: intervalList,
    sun: intervalList,
  })
  .superRefine((week, ctx) => {
    for (const day of WEEKDAYS) checkIntervals(week[day], [day], ctx);
  });

function checkIntervals(list: readonly string[], path: (string | number)[], ctx: z.RefinementCtx): void {
  const parsed: { iv: WallInterval; text: string }[] = [];
  list.forEach((text, i) => {
    const iv = parseInterval(text);
    if (typeof iv === 'string') ctx.addIssue({ code: 'custom', message: iv, path: [...path, i] });
    else parsed.push({ iv, text });
  });
  const sorted = [...parsed].sort((a, b) => a.iv.start - b.iv.start);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const cur = sorted[i]!;
    if (cur.iv.start < prev.iv.end) {
      ctx.addIssue({ code: 'custom', message: `"${prev.text}" and "${cur.text}" overlap`, path });
    }
  }
}

const isoDate = z.iso.date({ message: 'must be a date like "2026-12-24"' });

const extraWorkingDaySchema = z.union([
  isoDate,
  z.strictObject({ date: isoDate, hours: z.array(z.string()).min(1) }),
]);

const holidaySourceSchema = z.strictObject({
  /** ISO 3166-1 alpha-2, as date-holidays names countries: "ES", "IT". */
  country: z.string().min(2),
  /** date-holidays "state": ISO 3166-2 subdivision without the country, e.g. "MD", "CT"; for IT "62" (Lazio). */
  region: z.string().min(1).optional(),
  /** date-holidays "region" below the state, e.g. IT 62 → "RM" (Rome's 29 June). */
  city: z.string().min(1).optional(),
});

const onCallSchema = z.strictObject({
  hours: weekHoursSchema.optional(),
  address: z.string().min(1).optional(),
  phone: z.string().min(1).optional(),
});

export const calendarSpecSchema = z
  .strictObject({
    id: z.string().min(1),
    timezone: z.string().refine((zone) => IANAZone.isValidZone(zone), {
      message: 'is not an IANA time zone such as "Europe/Madrid"',
    }),
    hours: weekHoursSchema,
    holidays: holidaySourceSchema.optional(),
    extraHolidays: z.array(isoDate).default([]),
    extraWorkingDays: z.array(extraWorkingDaySchema).default([]),
    onCall: onCallSchema.optional(),
  })
  .superRefine((spec, ctx) => {
    if (WEEKDAYS.every((d) => spec.hours[d].length === 0)) {
      ctx.addIssue({ code: 'custom', message: 'no weekday has opening hours', path: ['hours'] });
    }
    if (spec.holidays) checkHolidaySource(spec.holidays, ctx);
    const holidays = new Set(spec.extraHolidays);
    spec.extraWorkingDays.forEach((entry, i) => {
      const date = typeof entry === 'string' ? entry : entry.date;
      if (holidays.has(date)) {
        ctx.addIssue({ code: 'custom', message: `${date} is also in extraHolidays`, path: ['extraWorkingDays', i] });
      }
      if (typeof entry !== 'string') {
        checkIntervals(entry.hours, ['extraWorkingDays', i, 'hours'], ctx);
      } else if (spec.hours[weekdayOf(date)].length === 0) {
        ctx.addIssue({
          code: 'custom',
          message: `${date} is a ${weekdayOf(date)}, which has no hours; write { date: "${date}", hours: [...] }`,
          path: ['extraWorkingDays', i],
        });
      }
    });
  });

export type CalendarSpecInput = z.input<typeof calendarSpecSchema>;
export type CalendarSpec = z.output<typeof calendarSpecSchema>;

function weekdayOf(isoDay: string): Weekday {
  return WEEKDAYS[DateTime.fromISO(isoDay, { zone: 'UTC' }).weekday - 1]!;
}

// date-holidays silently falls back to the country when a state is unknown, so the codes are
// checked against its own catalogue here rather than trusted.
function checkHolidaySource(src: z.output<typeof holidaySourceSchema>, ctx: z.RefinementCtx): void {
  const catalogue = holidayCatalogue();
  const country = src.country.toUpperCase();
  if (!catalogue.hasCountry(country)) {
    const message = `date-holidays does not know country "${src.country}"`;
    ctx.addIssue({ code: 'custom', message, path: ['holidays', 'country'] });
    return;
  }
  if (src.city && !src.region) {
    ctx.addIssue({ code: 'custom', message: 'a city needs its region', path: ['holidays', 'city'] });
    return;
  }
  if (!src.region) return;
  const states = catalogue.states(country);
  const region = src.region.toUpperCase();
  if (!states.includes(region)) {
    const known = states.join(', ') || 'none';
    ctx.addIssue({
      code: 'custom',
      message: `date-holidays does not know region "${src.region}" of ${country} (known: ${known})`,
      path: ['holidays', 'region'],
    });
    return;
  }
  if (!src.city) return;
  const cities = catalogue.regions(country, region);
  if (!cities.includes(src.city.toUpperCase())) {
    const known = cities.join(', ') || 'none';
    ctx.addIssue({
      code: 'custom',
      message: `date-holidays does not know city "${src.city}" in ${country}-${region} (known: ${known})`,
      path: ['holidays', 'city'],
    });
  }
}
