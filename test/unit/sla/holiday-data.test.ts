// One country's cut of date-holidays' table must give exactly what the whole package gives, and the codes
// the config is checked against must be the package's own.
import Holidays from 'date-holidays';
import { describe, expect, it } from 'vitest';
import { countryCut, holidayCatalogue, holidayParser } from '../../../src/sla/holiday-data.js';

const OPTS = { types: ['public' as const] };
const dates = (list: readonly { date: string; type: string }[]) => list.map((h) => `${h.date} ${h.type}`);

describe('holidayParser', () => {
  it.each([
    ['ES', []],
    ['ES', ['MD']],
    ['ES', ['CN']],
    ['IT', ['62', 'RM']],
    ['FR', []],
    ['GF', []],
    ['DE', ['BY']],
    ['US', []],
    ['AS', []],
  ] as const)('%s %j gives the same public holidays as date-holidays', (country, rest) => {
    for (const year of [2025, 2026, 2027]) {
      const ours = holidayParser(country, ...rest, OPTS).getHolidays(year);
      const theirs = new Holidays(country, ...(rest as [string, string]), OPTS).getHolidays(year);
      expect(dates(ours)).toEqual(dates(theirs));
    }
  });
});

describe('countryCut', () => {
  it('keeps the country and every country it borrows days from, transitively', () => {
    const all = { A: { _days: 'B', days: {} }, B: { states: { x: { _days: ['C', 'regions', 'r'] } } }, C: {}, D: {} };
    expect(Object.keys(countryCut(all, 'A')).sort()).toEqual(['A', 'B', 'C']);
    expect(Object.keys(countryCut(all, 'D'))).toEqual(['D']);
    expect(countryCut(all, 'ZZ')).toEqual({});
  });
});

describe('holidayCatalogue', () => {
  it('knows the countries, states and regions date-holidays knows', () => {
    const lib = new Holidays();
    const cat = holidayCatalogue();
    const countries = Object.keys(lib.getCountries());
    expect(countries.length).toBeGreaterThan(100);
    for (const country of countries) {
      expect(cat.hasCountry(country)).toBe(true);
      const states = Object.keys(lib.getStates(country) ?? {});
      expect([...cat.states(country)].sort()).toEqual([...states].sort());
      for (const state of states) expect([...cat.regions(country, state)].sort()).toEqual(Object.keys(lib.getRegions(country, state) ?? {}).sort());
    }
    expect(cat.hasCountry('XX')).toBe(false);
  });
});
