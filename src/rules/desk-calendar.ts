// Builds a desk's business calendar from its validated `calendar:` section with the SLA core's
// createCalendar (the desk id becomes the calendar id), turning its spec-wide objections (no opening
// hours, a holiday region date-holidays does not know…) into problems at the offending key.
import * as z from 'zod';

import { isSportelloError } from '../errors.js';
import { createCalendar, type BusinessCalendar } from '../sla/index.js';
import { issueProblems, type ParsedFile } from './parse-file.js';
import type { RuleProblem } from '../admin-files/problems.js';
import type { DeskSpecT } from './schema.js';

export function deskCalendar(file: ParsedFile, deskId: string, spec: NonNullable<DeskSpecT['calendar']>): { calendar: BusinessCalendar | null; problems: RuleProblem[] } {
  const prefix = ['desks', deskId, 'calendar'];
  try {
    return { calendar: createCalendar({ id: deskId, ...spec }), problems: [] };
  } catch (err) {
    if (!isSportelloError(err, 'SLA_CALENDAR_INVALID')) throw err;
    const issues = err.cause instanceof z.ZodError ? err.cause.issues : [];
    const problems = issues.flatMap((issue) => issueProblems(issue, prefix, file.data, file.file, file.locate));
    if (problems.length === 0) {
      const { line, column } = file.locate.value(prefix);
      problems.push({ file: file.file, line, column, code: 'INVALID_VALUE', message: `calendar: ${err.message}` });
    }
    return { calendar: null, problems };
  }
}
