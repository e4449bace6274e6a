// Decides what an SLA target such as "30m", "4h" or "1h30m" means: business minutes on the desk's
// calendar. Only hours and minutes are accepted: a business "day" has no fixed length (the IT desk's
// Friday is shorter than its Monday), so "2d" is rejected rather than guessed at as 8 or 24 hours.

/** Hours and/or minutes, in that order, with an optional space between: "4h", "30m", "1h 30m". */
const DURATION = /^(?:(\d+)h)?\s*(?:(\d+)m)?$/;

/** For editors (rules/schema.json); the loader's messages come from parseDuration. */
export const DURATION_PATTERN = '^(?:[0-9]+h(?:\\s*[0-9]+m)?|[0-9]+m)$';

/** A year of 8-hour working days, roughly; a larger target is a typo, not a service level. */
export const MAX_DURATION_MINUTES = 2000 * 60;

const UNIT_WORDS: Readonly<Record<string, string>> = { d: 'days', w: 'weeks', mo: 'months', y: 'years' };

/** Business minutes of `text`, or why it is not a duration (a message without the key's name). */
export function parseDuration(text: string): number | string {
  const trimmed = text.trim();
  const m = DURATION.exec(trimmed);
  if (m === null || (m[1] === undefined && m[2] === undefined)) {
    const unit = /^\d+(?:\.\d+)?\s*(d|w|mo|y)[a-z]*$/i.exec(trimmed)?.[1]?.toLowerCase();
    if (unit !== undefined) {
      return `"${text}" is in ${UNIT_WORDS[unit]}, which have no fixed length in business time; write hours, e.g. "16h" for two 8-hour days`;
    }
    if (/^\d+(?:\.\d+)?$/.test(trimmed)) return `"${text}" has no unit; write minutes ("30m") or hours ("4h")`;
    return `"${text}" is not a duration like "30m", "4h" or "1h30m"`;
  }
  const hours = Number(m[1] ?? 0);
  const minutes = Number(m[2] ?? 0);
  if (m[1] !== undefined && minutes >= 60) return `"${text}" has ${minutes} minutes after the hours; write "${hours + Math.floor(minutes / 60)}h${minutes % 60}m"`;
  const total = hours * 60 + minutes;
  if (total === 0) return `"${text}" is zero; a target must be at least "1m"`;
  if (total > MAX_DURATION_MINUTES) return `"${text}" is more than ${MAX_DURATION_MINUTES / 60}h of business time`;
  return total;
}
