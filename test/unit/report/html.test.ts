// The report page as text: every chart of every desk present even without data, text from mail and
// configuration escaped, nothing that would be fetched at view time, light and dark colours declared.

import { describe, expect, it } from 'vitest';
import { CHARTS, escapeHtml, renderReport } from '../../../src/report/html.js';
import { deskStats } from '../../../src/stats/report.js';
import { categoryStats, histogram, DURATION_BUCKETS, AGE_BUCKETS, type PromiseStatsCase } from '../../../src/stats/promises.js';
import type { DeskReport, ReportData } from '../../../src/report/types.js';

const NOW = new Date('2026-11-27T16:00:00Z');

function desk(id: string, name: string, cases: PromiseStatsCase[]): DeskReport {
  return {
    desk: id,
    name,
    stats: deskStats(id, cases, cases.map((c) => c.createdAt), null, 'Europe/Madrid'),
    categories: categoryStats(id, cases, null, NOW),
    weeks: [{ week: '2026-W48', kept: 2, missed: 1 }],
    firstResponse: histogram([30, 200], DURATION_BUCKETS),
    resolution: histogram([300], DURATION_BUCKETS),
    backlogAges: histogram([], AGE_BUCKETS),
    ratings: [0, 0, 1, 0, 2],
  };
}

const kase = (over: Partial<PromiseStatsCase>): PromiseStatsCase => ({
  id: 'IT-1', desk: 'IT', status: 'resolved', category: 'hardware', createdAt: '2026-11-23T09:00:00Z', firstResponseAt: null, resolvedAt: null, dueAt: null, firstResponseDueAt: null, rating: null, promise: null, reopened: 0, ...over,
});

describe('renderReport', () => {
  const data: ReportData = {
    generatedAt: NOW.toISOString(),
    sinceDays: 90,
    desks: [desk('IT', 'IT <script>alert(1)</script>', [kase({ category: '"><img src=x onerror=alert(1)>' })]), desk('HR', 'HR Desk', [])],
  };
  const html = renderReport(data);

  it('draws every chart for every desk, with data or without', () => {
    for (const id of ['IT', 'HR']) {
      const section = html.slice(html.indexOf(`id="desk-${id}"`));
      for (const chart of CHARTS) expect(section).toContain(`data-chart="${chart}"`);
    }
    expect(html).toContain('No forecast cases resolved in this period');
  });

  it('escapes desk names and categories', () => {
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain(escapeHtml('IT <script>alert(1)</script>'));
  });

  it('is self-contained and declares light and dark colours', () => {
    expect(html).not.toMatch(/\b(?:src|href)\s*=\s*["']?(?:https?:)?\/\//i);
    expect(html).toContain('@media (prefers-color-scheme:dark)');
    expect(html).toContain('<meta name="color-scheme" content="light dark">');
    expect(html.match(/<script>/g)).toHaveLength(1);
  });
});

describe('escapeHtml', () => {
  it.each([
    ['a & b', 'a &amp; b'],
    ['<b>"x"</b>', '&lt;b&gt;&quot;x&quot;&lt;/b&gt;'],
    ["it's", 'it&#39;s'],
  ])('%s', (input, out) => expect(escapeHtml(input)).toBe(out));
});
