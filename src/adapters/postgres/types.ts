// Decides which JavaScript values PostgreSQL columns become, so that a PostgreSQL store returns what
// the SQLite store returns: BIGINT as a number (node-postgres' default is a string), TIMESTAMPTZ as the
// Date#toISOString() text SQLite keeps (the default is a Date). Per client (`new Client({ types })`):
// must never change node-postgres' process-wide parsers, or round a number silently.
import pg from 'pg';
import type { CustomTypesConfig } from 'pg';
import { SportelloError } from '../../errors.js';

const OID_INT8 = pg.types.builtins.INT8;
const OID_TIMESTAMPTZ = pg.types.builtins.TIMESTAMPTZ;
const defaultTimestamptz = pg.types.getTypeParser(OID_TIMESTAMPTZ, 'text') as (text: string) => Date | number;

/** A BIGINT as a number; beyond 2^53 it would round, so it is refused instead. */
export function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) {
    throw new SportelloError('STORE', `PostgreSQL returned the integer ${text}, beyond what a JavaScript number holds exactly`, {
      context: { value: text },
      hint: 'no Sportello column should hold such a number: look for a row written by another program',
    });
  }
  return n;
}

/** A TIMESTAMPTZ as Date#toISOString() writes it (UTC, milliseconds): the form the SQLite store keeps. */
export function parseTimestamptz(text: string): string {
  const value = defaultTimestamptz(text);
  if (typeof value === 'number' || Number.isNaN(value.getTime())) {
    // node-postgres turns 'infinity' into Infinity; Sportello never writes it, and no ISO text exists for it.
    throw new SportelloError('STORE', `PostgreSQL returned the time ${text}, which has no ISO 8601 form`, {
      context: { value: text },
      hint: 'no Sportello column should hold such a time: look for a row written by another program',
    });
  }
  return value.toISOString();
}

/** Pass as `types` to every pg Client or Pool a PostgreSQL store opens. */
export const PG_TYPES: CustomTypesConfig = Object.freeze({
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (format !== 'binary') {
      if (oid === OID_INT8) return parseInt8;
      if (oid === OID_TIMESTAMPTZ) return parseTimestamptz;
    }
    return pg.types.getTypeParser(oid, format);
  }) as CustomTypesConfig['getTypeParser'],
});
