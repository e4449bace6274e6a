// The service report people look at: `sportello report` writes one self-contained HTML file from a
// real store with twelve weeks of history; Debian's headless Chromium (no network) loads it, light and
// dark, with no console error and every chart drawn; the running daemon serves the same page at /report.
// Screenshots land in test/artifacts/ (git-ignored) for a person to look at.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { CHARTS } from '../../src/report/html.js';
import { REPO, stackConfigYaml, tempDb, testApp, manualClock } from '../support/app.js';
import { runCli } from '../support/cli.js';
import { chromiumInstalled, openPage } from '../support/chromium.js';
import { SEED_NOW, seedReportHistory } from '../support/report-seed.js';

const ARTIFACTS = path.join(REPO, 'test/artifacts');

describe('sportello report', () => {
  it('writes one self-contained HTML file that Chromium shows with every chart and no console error', async () => {
    expect(chromiumInstalled(), 'install it with: bash scripts/browser.sh install').toBe(true);
    const db = tempDb();
    const dir = path.dirname(db);
    const cfg = path.join(dir, 'sportello.yml');
    writeFileSync(cfg, stackConfigYaml(db));
    const seeded = await seedReportHistory(db);
    expect(seeded.cases).toBeGreaterThan(100);
    const out = path.join(dir, 'report.html');
    const r = await runCli(['report', '--out', out, '--since', '90', '--desk', 'IT', '--at', SEED_NOW.toISOString(), '--config', cfg]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^wrote .*report\.html \(IT, last 90 days, \d+ KiB\)\n$/);
    const html = readFileSync(out, 'utf8');
    // Self-contained: nothing is fetched at view time.
    expect(html).not.toMatch(/\b(?:src|href)\s*=\s*["']?(?:https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(/i);

    mkdirSync(ARTIFACTS, { recursive: true });
    for (const dark of [false, true]) {
      const page = await openPage(`file://${out}`, { dark });
      try {
        expect(await page.evaluate<string | null>("document.documentElement.getAttribute('data-ready')")).toBe('1');
        const charts = await page.evaluate<Record<string, number>>(
          `Object.fromEntries([...document.querySelectorAll('#desk-IT figure[data-chart]')].map((f) => [f.dataset.chart, f.querySelectorAll('svg rect, svg line').length]))`,
        );
        expect(Object.keys(charts).sort()).toEqual([...CHARTS].sort());
        for (const id of CHARTS) expect(charts[id], `chart ${id} draws nothing`).toBeGreaterThan(0);
        const size = await page.evaluate<{ w: number; h: number }>("(() => { const r = document.querySelector('figure[data-chart=\"peak-hours\"] svg').getBoundingClientRect(); return { w: r.width, h: r.height }; })()");
        expect(size.w).toBeGreaterThan(300);
        expect(size.h).toBeGreaterThan(80);
        const background = await page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
        expect(background).toBe(dark ? 'rgb(17, 21, 26)' : 'rgb(246, 247, 249)');
        writeFileSync(path.join(ARTIFACTS, `report-${dark ? 'dark' : 'light'}.png`), await page.screenshot());
        expect(page.errors).toEqual([]);
      } finally {
        await page.close();
      }
    }
  }, 120_000);

  it('is served by the daemon at /report (and refuses a bad ?since)', async () => {
    const db = tempDb();
    await seedReportHistory(db, 60);
    const config = parseConfig(stackConfigYaml(db, 'http: { listen: "127.0.0.1:0" }', undefined, 'none'), { file: path.join(REPO, 'sportello.yml') });
    const app = await testApp(config, { clock: manualClock(SEED_NOW.toISOString()) });
    const stop = new AbortController();
    const running = app.run(stop.signal);
    try {
      const url = (await app.listening())!;
      const res = await fetch(`${url}/report?since=90&desk=it`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const html = await res.text();
      expect(html).toContain('<section class="desk" id="desk-IT">');
      for (const id of CHARTS) expect(html).toContain(`data-chart="${id}"`);
      expect((await fetch(`${url}/report?since=soon`)).status).toBe(400);
      expect((await fetch(`${url}/report?desk=XX`)).status).toBe(404);
    } finally {
      stop.abort();
      await running;
    }
  }, 60_000);
});
