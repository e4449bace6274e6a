// Renders the service report as ONE self-contained HTML file: inline CSS (light and dark through
// prefers-color-scheme), inline SVG charts drawn here, a few lines of inline JS; no network at view time.
// Pure: the figures come in (src/shell/report-data.ts). Must never reference an external resource and
// must escape every text that came from mail or configuration.
import type { DeskReport, ReportData } from './types.js';
import type { Bucket } from '../stats/promises.js';

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** The chart ids every desk section carries (the browser test checks each). */
export const CHARTS = ['peak-hours', 'first-response', 'resolution', 'promises-per-week', 'calibration', 'satisfaction', 'backlog-age'] as const;

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const pct = (x: number | null) => (x === null ? '–' : `${Math.round(x * 100)} %`);
const dur = (m: number | null) => (m === null ? '–' : m < 60 ? `${Math.round(m)} min` : m < 60 * 48 ? `${(m / 60).toFixed(1)} h` : `${(m / 1440).toFixed(1)} d`);

export function renderReport(data: ReportData): string {
  const period = `last ${data.sinceDays} day${data.sinceDays === 1 ? '' : 's'}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Sportello service report · ${escapeHtml(period)}</title>
<style>${CSS}</style>
</head>
<body>
<header class="top">
  <div>
    <h1>Service report</h1>
    <p class="sub">${escapeHtml(data.desks.map((d) => d.name).join(' · ') || 'no desks')} — ${escapeHtml(period)}</p>
  </div>
  <p class="sub">generated <time id="generated" datetime="${escapeHtml(data.generatedAt)}">${escapeHtml(data.generatedAt.replace('T', ' ').slice(0, 16))} UTC</time></p>
</header>
<main>
${data.desks.map(deskSection).join('\n')}
</main>
<footer>Business times count only the desk's working hours; time spent waiting on the requester is left out of promises. Figures come from Sportello's own records.</footer>
<script>${JS}</script>
</body>
</html>
`;
}

function deskSection(d: DeskReport): string {
  const all = d.categories[0];
  const s = d.stats;
  const kpis: [string, string, string][] = [
    ['Requests', String(s.opened), `${s.resolved} resolved`],
    ['Open now', String(s.backlog), all?.backlogOldestMinutes ? `oldest ${dur(all.backlogOldestMinutes)}` : 'no backlog'],
    ['Promises kept', pct(all?.promisesKept ?? null), `${all?.promised ?? 0} promised and resolved`],
    ['Forecast calibration', pct(all?.calibration ?? null), all?.quantileAsked ? `asked ${pct(all.quantileAsked)} · ${all.forecasts} cases` : 'no forecasts yet'],
    ['First response', dur(all?.medianFirstResponseBusinessMinutes ?? null), 'median, business time'],
    ['Resolution', dur(all?.medianResolutionBusinessMinutes ?? null), 'median, business time'],
    ['Reopened', pct(all?.reopenRate ?? null), 'of resolved cases'],
    ['Satisfaction', s.rating.average === null ? '–' : `${s.rating.average.toFixed(1)} / 5`, `${s.rating.count} rating${s.rating.count === 1 ? '' : 's'}`],
  ];
  return `<section class="desk" id="desk-${escapeHtml(d.desk)}">
<h2>${escapeHtml(d.name)} <span class="tag">${escapeHtml(d.desk)}</span></h2>
<div class="kpis">${kpis.map(([k, v, n]) => `<div class="kpi"><div class="k">${escapeHtml(k)}</div><div class="v">${escapeHtml(v)}</div><div class="n">${escapeHtml(n)}</div></div>`).join('')}</div>
<div class="grid">
${figure('peak-hours', 'When people write', `weekday × hour, ${escapeHtml(s.timezone)}${s.busiest ? ` · busiest ${DAYS[s.busiest.weekday]} ${String(s.busiest.hour).padStart(2, '0')}:00` : ''}`, heatmap(s.peakHours), 'wide')}
${figure('first-response', 'First response', 'cases by time to the first answer', bars(d.firstResponse, 'cases'))}
${figure('resolution', 'Resolution', 'cases by time to resolution', bars(d.resolution, 'cases'))}
${figure('promises-per-week', 'Promises kept per week', 'resolved by the first date told, by week of resolution', weekly(d))}
${figure('calibration', 'Forecast calibration', 'share resolved by the forecast date; the line is the share asked for', calibration(d))}
${figure('satisfaction', 'Satisfaction', 'ratings from 1 to 5', bars(d.ratings.map((n, i) => ({ label: `${i + 1}★`, count: n })), 'ratings', true))}
${figure('backlog-age', 'Backlog by age', 'open cases by time since they were opened', bars(d.backlogAges, 'cases', false, true))}
</div>
${categoryTable(d)}
</section>`;
}

function figure(id: string, title: string, note: string, svg: string, cls = ''): string {
  return `<figure class="chart ${cls}" data-chart="${id}"><figcaption><strong>${escapeHtml(title)}</strong><span>${note}</span></figcaption>${svg}</figure>`;
}

const W = 320;
const H = 170;
const PAD = { l: 30, r: 8, t: 14, b: 26 };

function frame(inner: string, label: string, w = W, h = H): string {
  return `<svg viewBox="0 0 ${w} ${h}" role="img" aria-label="${escapeHtml(label)}" preserveAspectRatio="xMidYMid meet">${inner}</svg>`;
}

function empty(label: string): string {
  return frame(`<text class="empty" x="${W / 2}" y="${H / 2}" text-anchor="middle">No ${escapeHtml(label)} in this period</text>`, label);
}

/** Vertical bars with value labels; `good` colours by a 1–5 scale, `warn` marks old backlog. */
function bars(buckets: readonly Bucket[], unit: string, good = false, warn = false): string {
  const max = Math.max(0, ...buckets.map((b) => b.count));
  if (max === 0) return empty(unit);
  const iw = W - PAD.l - PAD.r;
  const ih = H - PAD.t - PAD.b;
  const slot = iw / buckets.length;
  const bw = Math.min(44, slot * 0.68);
  const y = (v: number) => PAD.t + ih - (v / max) * ih;
  const parts = [`<line class="axis" x1="${PAD.l}" x2="${W - PAD.r}" y1="${PAD.t + ih}" y2="${PAD.t + ih}"/>`, `<text class="tick" x="${PAD.l - 6}" y="${PAD.t + 4}" text-anchor="end">${max}</text>`, `<line class="gridline" x1="${PAD.l}" x2="${W - PAD.r}" y1="${PAD.t}" y2="${PAD.t}"/>`];
  buckets.forEach((b, i) => {
    const x = PAD.l + slot * i + (slot - bw) / 2;
    const cls = good ? `bar s${i + 1}` : warn && i >= buckets.length - 2 ? 'bar warn' : 'bar';
    parts.push(`<rect class="${cls}" x="${x.toFixed(1)}" y="${y(b.count).toFixed(1)}" width="${bw.toFixed(1)}" height="${(PAD.t + ih - y(b.count)).toFixed(1)}" rx="3"><title>${escapeHtml(b.label)}: ${b.count} ${unit}</title></rect>`);
    if (b.count > 0) parts.push(`<text class="val" x="${(x + bw / 2).toFixed(1)}" y="${(y(b.count) - 3).toFixed(1)}" text-anchor="middle">${b.count}</text>`);
    parts.push(`<text class="tick" x="${(x + bw / 2).toFixed(1)}" y="${H - 8}" text-anchor="middle">${escapeHtml(b.label)}</text>`);
  });
  return frame(parts.join(''), unit);
}

function heatmap(rows: readonly (readonly number[])[]): string {
  const max = Math.max(0, ...rows.flat());
  const cw = 22;
  const ch = 18;
  const left = 34;
  const top = 6;
  const w = left + 24 * cw + 4;
  const h = top + 7 * ch + 22;
  const parts: string[] = [];
  rows.forEach((row, d) => {
    parts.push(`<text class="tick" x="${left - 6}" y="${top + d * ch + ch / 2 + 4}" text-anchor="end">${DAYS[d]}</text>`);
    row.forEach((n, hr) => {
      const level = max === 0 || n === 0 ? 0 : 0.15 + 0.85 * (n / max);
      parts.push(`<rect class="${n === 0 ? 'heat0' : 'heat'}" x="${left + hr * cw + 1}" y="${top + d * ch + 1}" width="${cw - 2}" height="${ch - 2}" rx="3"${n ? ` fill-opacity="${level.toFixed(2)}"` : ''}><title>${DAYS[d]} ${String(hr).padStart(2, '0')}:00 · ${n} mail${n === 1 ? '' : 's'}</title></rect>`);
    });
  });
  for (let hr = 0; hr < 24; hr += 3) parts.push(`<text class="tick" x="${left + hr * cw + cw / 2}" y="${h - 6}" text-anchor="middle">${String(hr).padStart(2, '0')}</text>`);
  if (max === 0) parts.push(`<text class="empty" x="${w / 2}" y="${top + 3.5 * ch + 4}" text-anchor="middle">No requester mail in this period</text>`);
  return frame(parts.join(''), 'mails by weekday and hour', w, h);
}

function weekly(d: DeskReport): string {
  const weeks = d.weeks.slice(-13);
  const max = Math.max(0, ...weeks.map((w) => w.kept + w.missed));
  if (max === 0) return empty('resolved promises');
  const iw = W - PAD.l - PAD.r;
  const ih = H - PAD.t - PAD.b;
  const slot = iw / weeks.length;
  const bw = Math.min(26, slot * 0.7);
  const hgt = (v: number) => (v / max) * ih;
  const parts = [`<line class="axis" x1="${PAD.l}" x2="${W - PAD.r}" y1="${PAD.t + ih}" y2="${PAD.t + ih}"/>`, `<text class="tick" x="${PAD.l - 6}" y="${PAD.t + 4}" text-anchor="end">${max}</text>`, `<line class="gridline" x1="${PAD.l}" x2="${W - PAD.r}" y1="${PAD.t}" y2="${PAD.t}"/>`];
  weeks.forEach((w, i) => {
    const x = PAD.l + slot * i + (slot - bw) / 2;
    const base = PAD.t + ih;
    const title = `${w.week}: ${w.kept} kept, ${w.missed} missed`;
    parts.push(`<rect class="bar" x="${x.toFixed(1)}" y="${(base - hgt(w.kept)).toFixed(1)}" width="${bw.toFixed(1)}" height="${hgt(w.kept).toFixed(1)}"><title>${title}</title></rect>`);
    if (w.missed) parts.push(`<rect class="bar warn" x="${x.toFixed(1)}" y="${(base - hgt(w.kept) - hgt(w.missed)).toFixed(1)}" width="${bw.toFixed(1)}" height="${hgt(w.missed).toFixed(1)}"><title>${title}</title></rect>`);
    if (weeks.length <= 8 || i % 2 === weeks.length % 2) parts.push(`<text class="tick" x="${(x + bw / 2).toFixed(1)}" y="${H - 8}" text-anchor="middle">${w.week.slice(5)}</text>`);
  });
  parts.push(`<g class="legend"><rect class="bar" x="${W - 112}" y="2" width="8" height="8"/><text class="tick" x="${W - 100}" y="10">kept</text><rect class="bar warn" x="${W - 66}" y="2" width="8" height="8"/><text class="tick" x="${W - 54}" y="10">missed</text></g>`);
  return frame(parts.join(''), 'promises kept per week');
}

function calibration(d: DeskReport): string {
  const rows = d.categories.filter((c) => c.forecasts > 0 && c.calibration !== null).slice(0, 7);
  if (!rows.length) return empty('forecast cases resolved');
  const left = 92;
  const rh = 20;
  const h = Math.max(H, 18 + rows.length * rh + 22);
  const iw = W - left - 40;
  const parts: string[] = [];
  rows.forEach((c, i) => {
    const y = 10 + i * rh;
    const label = c.category === '*' ? 'all' : c.category;
    const off = c.quantileAsked !== null && Math.abs(c.calibration! - c.quantileAsked) > 0.1;
    parts.push(`<text class="tick" x="${left - 6}" y="${y + 12}" text-anchor="end">${escapeHtml(label.length > 14 ? `${label.slice(0, 13)}…` : label)}</text>`);
    parts.push(`<rect class="track" x="${left}" y="${y + 2}" width="${iw}" height="${rh - 6}" rx="3"/>`);
    parts.push(`<rect class="bar${off ? ' warn' : ''}" x="${left}" y="${y + 2}" width="${(iw * c.calibration!).toFixed(1)}" height="${rh - 6}" rx="3"><title>${escapeHtml(label)}: ${pct(c.calibration)} of ${c.forecasts} resolved by the forecast (asked ${pct(c.quantileAsked)})</title></rect>`);
    parts.push(`<text class="val" x="${left + iw + 4}" y="${y + 12}">${pct(c.calibration)}</text>`);
    if (c.quantileAsked !== null) parts.push(`<line class="target" x1="${(left + iw * c.quantileAsked).toFixed(1)}" x2="${(left + iw * c.quantileAsked).toFixed(1)}" y1="${y}" y2="${y + rh - 2}"/>`);
  });
  return frame(parts.join(''), 'forecast calibration', W, h);
}

function categoryTable(d: DeskReport): string {
  const head = ['Category', 'Opened', 'Resolved', 'Promises kept', 'Calibration / asked', 'First response', 'Resolution', 'Reopened', 'Open', 'Oldest open', 'Satisfaction'];
  const rows = d.categories.map((c) => [
    c.category === '*' ? 'All categories' : c.category,
    String(c.opened),
    String(c.resolved),
    pct(c.promisesKept),
    c.forecasts ? `${pct(c.calibration)} / ${pct(c.quantileAsked)}` : '–',
    dur(c.medianFirstResponseBusinessMinutes),
    dur(c.medianResolutionBusinessMinutes),
    pct(c.reopenRate),
    String(c.backlog),
    dur(c.backlogOldestMinutes),
    c.satisfaction === null ? '–' : `${c.satisfaction.toFixed(1)} (${c.ratings})`,
  ]);
  return `<div class="tablewrap"><table><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r, i) => `<tr${i === 0 ? ' class="total"' : ''}>${r.map((v) => `<td>${escapeHtml(v)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table></div>`;
}

const CSS = `
:root{--bg:#f6f7f9;--card:#fff;--ink:#1d232b;--muted:#5f6b7a;--line:#e3e7ec;--accent:#2f6fde;--warn:#e0823a;--track:#edf1f6;--heat0:#eef1f5;
--s1:#d9534f;--s2:#e88b4d;--s3:#d8b541;--s4:#8cbf5a;--s5:#3fa36b;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--bg:#11151a;--card:#1a2027;--ink:#e6eaef;--muted:#9aa6b4;--line:#2a323c;--accent:#6ea2ff;--warn:#f0a15e;--track:#232b35;--heat0:#1f262f}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
.top{display:flex;justify-content:space-between;align-items:flex-end;gap:1rem;flex-wrap:wrap;padding:1.6rem 2rem 1rem;border-bottom:1px solid var(--line)}
h1{margin:0;font-size:1.6rem;letter-spacing:-.01em}
h2{margin:0 0 .9rem;font-size:1.25rem}
.sub{margin:.2rem 0 0;color:var(--muted);font-size:.9rem}
main{padding:1.2rem 2rem;max-width:1280px;margin:0 auto}
.desk{margin-bottom:2.2rem}
.tag{font-size:.75rem;font-weight:600;color:var(--muted);border:1px solid var(--line);border-radius:999px;padding:.05rem .5rem;vertical-align:middle}
.kpis{display:grid;grid-template-columns:repeat(auto-fill,minmax(128px,1fr));gap:.7rem;margin-bottom:1rem}
.kpi{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:.7rem .85rem}
.kpi .k{font-size:.78rem;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
.kpi .v{font-size:1.45rem;font-weight:650;margin:.1rem 0;font-variant-numeric:tabular-nums}
.kpi .n{font-size:.8rem;color:var(--muted)}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(340px,1fr));gap:.9rem}
.chart{margin:0;background:var(--card);border:1px solid var(--line);border-radius:10px;padding:.8rem .9rem .5rem}
.chart.wide{grid-column:1/-1}
.chart.wide svg{max-height:230px}
figcaption{display:flex;flex-direction:column;margin-bottom:.35rem}
figcaption span{color:var(--muted);font-size:.8rem}
svg{width:100%;height:auto;display:block}
svg text{fill:var(--muted);font-size:10px;font-family:inherit}
svg text.val{fill:var(--ink);font-weight:600}
svg text.empty{font-size:12px}
.bar{fill:var(--accent)}.bar.warn{fill:var(--warn)}
.s1{fill:var(--s1)}.s2{fill:var(--s2)}.s3{fill:var(--s3)}.s4{fill:var(--s4)}.s5{fill:var(--s5)}
.heat{fill:var(--accent)}.heat0{fill:var(--heat0)}.track{fill:var(--track)}
.axis{stroke:var(--line);stroke-width:1}.gridline{stroke:var(--line);stroke-dasharray:3 3}
.target{stroke:var(--ink);stroke-width:2;stroke-dasharray:2 2}
.tablewrap{overflow-x:auto;margin-top:1rem;background:var(--card);border:1px solid var(--line);border-radius:10px}
table{border-collapse:collapse;width:100%;font-size:.84rem;font-variant-numeric:tabular-nums}
th,td{padding:.45rem .55rem;text-align:right;white-space:nowrap;border-bottom:1px solid var(--line)}
th:first-child,td:first-child{text-align:left}
th{color:var(--muted);font-weight:600;font-size:.74rem;text-transform:uppercase;letter-spacing:.02em;white-space:normal;vertical-align:bottom}
tr.total td{font-weight:650}
tbody tr:last-child td{border-bottom:0}
footer{color:var(--muted);font-size:.8rem;padding:0 2rem 2rem;max-width:1280px;margin:0 auto}
`;

// Shows the generation time in the reader's own zone; everything else works without script.
const JS = `(function(){var t=document.getElementById('generated');if(!t)return;var d=new Date(t.getAttribute('datetime'));if(!isNaN(d.getTime()))t.textContent=d.toLocaleString(undefined,{dateStyle:'medium',timeStyle:'short'});document.documentElement.setAttribute('data-ready','1');})();`;
