// The shape of a rules file (rules/*.yml): one zod v4 schema that validates at load time and
// generates rules/schema.json for editors (z.toJSONSchema, io "input"). Strict objects everywhere so
// typos surface as unknown keys with a did-you-mean; never loosen a level to "accept anything".
import RE2 from 're2';
import * as z from 'zod';

import { LANGUAGES, PRIORITIES } from '../domain/routing.js';
import { calendarSpecSchema } from '../sla/calendar-spec.js';
import { escalationThresholdsSchema } from '../sla/escalation.js';
import { ForecastSpec } from '../forecast/settings.js';
import { DURATION_PATTERN, parseDuration } from './duration.js';

/** Category every desk has implicitly: where mail goes when no rule or confident classifier decides. */
export const TRIAGE = 'triage';

/** Regexes run on attacker-supplied mail, so they compile with RE2 (linear time, no backtracking). */
export function compilePattern(pattern: string): RE2 {
  return new RE2(stripMarks(pattern), 'iu');
}

/** Accent stripping shared with folding; case is left to the regex `i` flag so `\S`, `\W` keep meaning. */
export function stripMarks(s: string): string {
  return s.normalize('NFD').replace(/\p{M}+/gu, '');
}

const nonEmpty = z.string().trim().min(1);
const oneOrMany = z.union([nonEmpty, z.array(nonEmpty).min(1)]);
const pattern = nonEmpty.check(
  z.superRefine((value, ctx) => {
    try {
      compilePattern(value);
    } catch (err) {
      ctx.addIssue({
        code: 'custom',
        message: err instanceof Error ? err.message : String(err),
        params: { rule: 'BAD_REGEX' },
        input: value,
      });
    }
  }),
);
const language = z.enum(LANGUAGES);

const stringOperators = {
  contains: oneOrMany.optional().describe('Matches when the value contains any of these (case- and accent-insensitive).'),
  equals: oneOrMany.optional().describe('Matches when the whole value equals any of these.'),
  startsWith: oneOrMany.optional(),
  endsWith: oneOrMany.optional(),
  in: z.array(nonEmpty).min(1).optional().describe('Same as equals with a list.'),
  regex: z.union([pattern, z.array(pattern).min(1)]).optional().describe('RE2 syntax, case-insensitive, run on accent-stripped text.'),
  exists: z.boolean().optional().describe('true: the field has at least one non-empty value; false: it has none.'),
};

export const StringTest = z.strictObject(stringOperators);
export const AddressTest = z.strictObject({
  ...stringOperators,
  domain: oneOrMany.optional().describe('The address is in this domain or one of its subdomains.'),
});
export const NumberTest = z.strictObject({
  gt: z.number().nonnegative().optional(),
  gte: z.number().nonnegative().optional(),
  lt: z.number().nonnegative().optional(),
  lte: z.number().nonnegative().optional(),
});
export const AttachmentTest = z.strictObject({
  name: StringTest.optional(),
  type: StringTest.optional(),
  size: NumberTest.optional().describe('Bytes.'),
});
export const LanguageTest = z.union([language, z.array(language).min(1)]);

export interface ConditionSpec {
  from?: z.infer<typeof AddressTest>;
  to?: z.infer<typeof AddressTest>;
  cc?: z.infer<typeof AddressTest>;
  subject?: z.infer<typeof StringTest>;
  body?: z.infer<typeof StringTest>;
  headers?: Record<string, z.infer<typeof StringTest>>;
  attachment?: z.infer<typeof AttachmentTest>;
  size?: z.infer<typeof NumberTest>;
  language?: z.infer<typeof LanguageTest>;
  any?: ConditionSpec[];
  all?: ConditionSpec[];
  not?: ConditionSpec;
}

/** Several keys in one condition must all hold; `{}` always holds. */
export const Condition: z.ZodType<ConditionSpec> = z.strictObject({
  from: AddressTest.optional(),
  to: AddressTest.optional().describe('Any To address.'),
  cc: AddressTest.optional().describe('Any Cc address.'),
  subject: StringTest.optional(),
  body: StringTest.optional().describe('The plain-text body.'),
  headers: z.record(z.string().min(1), StringTest).optional().describe('Header name → test; any value of the header may match.'),
  attachment: AttachmentTest.optional().describe('Some attachment satisfies every test given.'),
  size: NumberTest.optional().describe('Size of the raw message in bytes.'),
  language: LanguageTest.optional().describe('The detected language is one of these.'),
  get any(): z.ZodOptional<z.ZodArray<z.ZodType<ConditionSpec>>> {
    return z.array(Condition).min(1).optional();
  },
  get all(): z.ZodOptional<z.ZodArray<z.ZodType<ConditionSpec>>> {
    return z.array(Condition).min(1).optional();
  },
  get not(): z.ZodOptional<z.ZodType<ConditionSpec>> {
    return Condition.optional();
  },
});

export const Actions = z.strictObject({
  category: nonEmpty.optional().describe('A category id of this desk.'),
  priority: z.enum(PRIORITIES).optional(),
  assignee: nonEmpty.optional(),
  tags: z.array(nonEmpty).optional(),
  sla: nonEmpty.optional().describe('Name of an SLA policy.'),
  template: nonEmpty.optional().describe('Name of a reply template.'),
  suppressAutoReply: z.boolean().optional(),
  quarantine: nonEmpty.optional().describe('Quarantine the mail; the text is the reason.'),
  notify: z.union([z.email(), z.array(z.email()).min(1)]).optional(),
  stop: z.boolean().optional().describe('Evaluate no further rules after this one.'),
});

export const RuleSpec = z.strictObject({
  name: nonEmpty,
  // Not .describe(): that clones the schema and KEY_NOUNS looks schemas up by identity.
  when: Condition,
  then: Actions,
});

const perLanguage = z.strictObject({
  es: z.array(nonEmpty).optional(),
  it: z.array(nonEmpty).optional(),
  en: z.array(nonEmpty).optional(),
});

export const CategorySpec = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9_-]*$/, 'category ids are lower-case letters, digits, "-" and "_"'),
  names: z.strictObject({ es: nonEmpty, it: nonEmpty, en: nonEmpty }),
  keywords: perLanguage.optional().describe('Training words for the text classifier.'),
  examples: perLanguage.optional().describe('Training phrases for the text classifier.'),
});

export const CorpusSpec = z.strictObject({
  file: nonEmpty.describe('CSV path, relative to this rules file.'),
  language: language,
  textColumn: nonEmpty.default('text'),
  labelColumn: nonEmpty.default('label'),
  labels: z.record(nonEmpty, nonEmpty).describe('CSV label → category id; rows with other labels are skipped.'),
});

// The calendar is calendarSpecSchema's fields minus `id` (the desk id names it). Field-level checks
// (zone, "HH:MM-HH:MM" intervals, dates) run here; the spec-wide ones (a weekday with hours, known
// holiday country/region/city) run when the loader calls createCalendar, mapped back to the same keys.
const { id: _calendarId, ...calendarFields } = calendarSpecSchema.shape;
export const CalendarSpec = z.strictObject(calendarFields);
const weekHours = calendarFields.hours;
const holidaySource = calendarFields.holidays.unwrap();
const onCall = calendarFields.onCall.unwrap();

const duration = z
  .string()
  .check(
    z.superRefine((value, ctx) => {
      const parsed = parseDuration(value);
      if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed, input: value });
    }),
  )
  .meta({ pattern: DURATION_PATTERN, examples: ['30m', '4h', '1h30m'] });

const policyName = z.string().regex(/^[a-z][a-z0-9_-]*$/, 'policy names are lower-case letters, digits, "-" and "_"');

export const SlaPolicySpec = z
  .strictObject({
    firstResponse: duration.describe('Business time until the first answer: "30m", "4h", "1h30m" (no days: their length varies).'),
    resolution: duration.describe('Business time until the case is resolved; the requester\'s waiting time is not counted.'),
  })
  .superRefine((policy, ctx) => {
    const first = parseDuration(policy.firstResponse);
    const resolution = parseDuration(policy.resolution);
    if (typeof first === 'number' && typeof resolution === 'number' && resolution < first) {
      ctx.addIssue({ code: 'custom', message: `"${policy.resolution}" is shorter than firstResponse "${policy.firstResponse}"`, path: ['resolution'] });
    }
  });

const priorityPolicies = z.strictObject({
  low: nonEmpty.optional(),
  normal: nonEmpty.optional(),
  high: nonEmpty.optional(),
  urgent: nonEmpty.optional(),
});

export const SlaSpec = z.strictObject({
  policies: z
    .record(policyName, SlaPolicySpec)
    .refine((policies) => Object.keys(policies).length > 0, 'needs at least one policy')
    .describe('Policy name → targets in business time on the desk calendar.'),
  default: nonEmpty.describe('Policy of a case nothing else chose one for.'),
  byPriority: priorityPolicies.optional().describe('Priority → policy; a category\'s policy (byCategory) wins over it.'),
  byCategory: z.record(nonEmpty, nonEmpty).optional().describe('Category id → policy; a rule\'s `sla` action wins over it.'),
});

export const EscalationSpec = z.strictObject({
  address: z.email().describe('Who gets one mail per threshold per case.'),
  thresholds: escalationThresholdsSchema,
});
const threshold = escalationThresholdsSchema.unwrap().element;

export const IncidentsSpec = z.strictObject({
  window: duration.default('45m').describe('How far back similar open cases count, in clock time: "45m", "1h30m".'),
  minRequesters: z.int().min(2).max(1000).default(3).describe('Different requesters (the new one included) reporting the same problem before an incident opens.'),
  threshold: z.number().min(0).max(1).default(0.65).describe('Minimum similarity (0–1) of two reports of one problem; higher links less and more surely.'),
});

export const DeskSpec = z.strictObject({
  defaultLanguage: language.default('en'),
  threshold: z.number().min(0).max(1).describe('Minimum classifier score to accept its category.'),
  corpus: CorpusSpec.optional(),
  categories: z.array(CategorySpec).min(1),
  rules: z.array(RuleSpec).default([]),
  calendar: CalendarSpec.optional(),
  sla: SlaSpec.optional(),
  escalation: EscalationSpec.optional(),
  forecast: ForecastSpec.optional().describe('Promises from the desk\'s own history; defaults apply when absent.'),
  incidents: IncidentsSpec.optional().describe('Group reports of one outage from several people into an incident; absent: off.'),
  knowledge: nonEmpty
    .optional()
    .describe('Folder of self-service articles (Markdown), relative to this rules file; default knowledge/<desk id in lower case> when that folder exists.'),
});

/** Top level: one key per section; calendars, SLA and escalation live inside each desk. */
export const RulesFile = z.strictObject({
  desks: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'desk ids are letters, digits, "-" and "_"'), DeskSpec).optional(),
});

export type RulesFileSpec = z.output<typeof RulesFile>;
export type DeskSpecT = z.output<typeof DeskSpec>;
export type RuleSpecT = z.output<typeof RuleSpec>;
export type ActionsSpec = z.output<typeof Actions>;
export type CategorySpecT = z.output<typeof CategorySpec>;
export type StringTestSpec = z.output<typeof AddressTest>;
export type NumberTestSpec = z.output<typeof NumberTest>;
export type SlaSpecT = z.output<typeof SlaSpec>;
export type EscalationSpecT = z.output<typeof EscalationSpec>;

/** What an unknown key is called in messages, by the strict object it appeared in. */
export const KEY_NOUNS: ReadonlyMap<z.ZodType, string> = new Map<z.ZodType, string>([
  [RulesFile, 'section'],
  [DeskSpec, 'desk setting'],
  [CorpusSpec, 'corpus setting'],
  [CategorySpec, 'category field'],
  [CategorySpec.shape.names, 'language'],
  [perLanguage, 'language'],
  [RuleSpec, 'rule field'],
  [Actions, 'action'],
  [Condition, 'condition'],
  [StringTest, 'operator'],
  [AddressTest, 'operator'],
  [NumberTest, 'operator'],
  [AttachmentTest, 'attachment test'],
  [CalendarSpec, 'calendar setting'],
  [weekHours, 'weekday'],
  [holidaySource, 'holiday setting'],
  [onCall, 'on-call setting'],
  [SlaSpec, 'SLA setting'],
  [SlaPolicySpec, 'policy field'],
  [priorityPolicies, 'priority'],
  [EscalationSpec, 'escalation setting'],
  [IncidentsSpec, 'incidents setting'],
  [threshold, 'threshold field'],
  [ForecastSpec, 'forecast setting'],
]);

/** The JSON Schema committed as rules/schema.json. */
export function rulesJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(RulesFile, { io: 'input', unrepresentable: 'any' }),
    title: 'Sportello rules file',
  };
}
