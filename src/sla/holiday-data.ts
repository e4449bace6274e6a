// Reads date-holidays' table for only the countries a calendar names: importing the package keeps the whole
// world's table (~800 KB of JSON, ~15 MB of memory) for the life of the process, and its parser only once a
// holiday is first asked for. Trusts the installed date-holidays; must never keep the whole table after a read.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** The parts of date-holidays' data file that are read here. */
interface HolidayTable {
  readonly version?: unknown;
  readonly license?: unknown;
  readonly names?: unknown;
  readonly holidays: Readonly<Record<string, CountryData>>;
}
interface CountryData {
  readonly states?: Readonly<Record<string, { readonly regions?: Readonly<Record<string, unknown>> }>>;
  readonly regions?: Readonly<Record<string, unknown>>;
}

/** What a calendar asks of date-holidays: the dated holidays of a year. */
export interface HolidayParser {
  getHolidays(year: number): readonly { readonly date: string; readonly start: Date; readonly end: Date; readonly type: string }[];
}
type ParserClass = new (data: unknown, country: string, ...rest: unknown[]) => HolidayParser;

/** Which country, state (date-holidays' "region" in our config) and region codes date-holidays knows. */
export interface HolidayCatalogue {
  hasCountry(country: string): boolean;
  /** The states of a known country ([] when it has none). */
  states(country: string): readonly string[];
  /** The regions of a known state ([] when it has none). */
  regions(country: string, state: string): readonly string[];
}

// Resolved from date-holidays' own folder: its parser and data file are its business, not a dependency of ours.
const fromPackage = createRequire(createRequire(import.meta.url).resolve('date-holidays/package.json'));

function readTable(): HolidayTable {
  return JSON.parse(readFileSync(fromPackage.resolve('./data/holidays.json'), 'utf8')) as HolidayTable;
}

let catalogue: HolidayCatalogue | null = null;
const countries = new Map<string, unknown>();

/** date-holidays' codes, read once; only the codes are kept. */
export function holidayCatalogue(): HolidayCatalogue {
  if (catalogue) return catalogue;
  const table = readTable().holidays;
  const codes = new Map<string, Map<string, readonly string[]>>();
  for (const [country, data] of Object.entries(table)) {
    // As date-holidays' getStates: a country's "states", else its "regions".
    const states = data.states ?? data.regions ?? {};
    codes.set(country, new Map(Object.entries(states).map(([s, d]) => [s, Object.keys((d as { regions?: object } | null)?.regions ?? {})])));
  }
  catalogue = {
    hasCountry: (c) => codes.has(c),
    states: (c) => [...(codes.get(c)?.keys() ?? [])],
    regions: (c, s) => codes.get(c)?.get(s) ?? [],
  };
  return catalogue;
}

/**
 * A fresh date-holidays parser for one country (state, region and options as date-holidays takes them),
 * over that country's rules and every country they borrow days from (`_days`), nothing else.
 */
export function holidayParser(country: string, ...rest: unknown[]): HolidayParser {
  let data = countries.get(country);
  if (data === undefined) {
    const table = readTable();
    data = { version: table.version, license: table.license, names: table.names, holidays: countryCut(table.holidays, country) };
    countries.set(country, data);
  }
  const Parser = fromPackage('date-holidays-parser') as { default?: ParserClass } & ParserClass;
  return new (Parser.default ?? Parser)(data, country, ...rest);
}

/** `country` and, transitively, every country its rules take days from ("_days": "FR" or ["IC", "regions", …]). */
export function countryCut(all: Readonly<Record<string, unknown>>, country: string): Record<string, unknown> {
  const cut: Record<string, unknown> = {};
  const add = (code: string) => {
    if (code in cut || !(code in all)) return;
    cut[code] = all[code];
    for (const ref of borrowed(all[code])) add(ref);
  };
  add(country);
  return cut;
}

function borrowed(node: unknown, out: string[] = []): string[] {
  if (node === null || typeof node !== 'object') return out;
  for (const [key, value] of Object.entries(node)) {
    if (key === '_days') {
      const first = Array.isArray(value) ? value[0] : value;
      if (typeof first === 'string') out.push(first);
    } else borrowed(value, out);
  }
  return out;
}
