// Small pieces every command file shares: whole-number arguments and the name an admin's change is
// recorded under (cli:$USER). Parsing only; never touches the store or the config.

import { SportelloError } from '../errors.js';

/** A --limit or row number: a whole number of at least 1, or a USAGE error naming what was given. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new SportelloError('USAGE', `"${value}" is not a positive whole number`, { hint: 'e.g. --limit 50' });
  return n;
}

/** Who made a change from the command line, as events and audit rows record it. */
export const cliActor = (): string => `cli:${process.env.USER ?? 'admin'}`;
