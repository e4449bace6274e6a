// Public face of the SLA core: business calendars, business-time arithmetic, SLA clocks with pauses
// and localized due dates. Everything here is pure and takes time as an argument;
// the rules loader embeds calendarSpecSchema, the shell supplies "now".
export { calendarSpecSchema, parseInterval, WEEKDAYS } from './calendar-spec.js';
export type { CalendarSpec, CalendarSpecInput, Weekday, WallInterval } from './calendar-spec.js';
export { createCalendar, onCallCalendar } from './calendar.js';
export type { BusinessCalendar, OnCallContact } from './calendar.js';
export { addBusinessMinutes, businessMinutesBetween, isOpen, nextOpening } from './business-time.js';
export type { Instant } from './business-time.js';
export { dueAt, elapsedBusinessMinutes, thresholdAt } from './sla-clock.js';
export type { SlaClock, SlaPause } from './sla-clock.js';
export { formatDue, formatDuration } from './format.js';
export type { FormatDueOptions, FormatDurationOptions } from './format.js';
