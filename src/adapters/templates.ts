// Reply templates: templates/<lang>/<name>.text.liquid and .html.liquid, rendered with LiquidJS
// (logic-light, sandboxed; the HTML engine escapes every value, the text one does not need to).
// All templates are parsed at load so a broken one is reported with file:line before any mail is sent.

import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Liquid, type Template } from 'liquidjs';
import { SportelloError } from '../errors.js';
import { LANGUAGES, type Language } from '../domain/routing.js';
import type { RenderedReply, ReplyRenderer } from '../ports.js';

const FILE = /^([a-z0-9-]+)\.(text|html)\.liquid$/;
const LIMITS = { parseLimit: 1e6, renderLimit: 1_000, memoryLimit: 1e7 } as const;

export interface TemplateProblem {
  readonly file: string;
  readonly line: number | null;
  readonly message: string;
}

type Parsed = Map<string, { text?: Template[]; html?: Template[] }>; // key "lang/name"

/** "lang/name" of every template with both parts on disk, without parsing them (for checks that need only names). */
export async function listTemplates(dir: string): Promise<string[]> {
  const parts = new Map<string, Set<string>>();
  for (const lang of LANGUAGES) {
    for (const f of await readdir(path.join(dir, lang)).catch(() => [] as string[])) {
      const m = FILE.exec(f);
      if (m) parts.set(`${lang}/${m[1]}`, (parts.get(`${lang}/${m[1]}`) ?? new Set()).add(m[2]!));
    }
  }
  return [...parts].filter(([, kinds]) => kinds.size === 2).map(([key]) => key).sort();
}

export async function loadTemplates(dir: string, fallback: Language = 'en'): Promise<ReplyRenderer & { names(): string[] }> {
  const text = new Liquid({ ...LIMITS, strictFilters: true, ownPropertyOnly: true });
  const html = new Liquid({ ...LIMITS, strictFilters: true, ownPropertyOnly: true, outputEscape: 'escape' });
  const parsed: Parsed = new Map();
  const problems: TemplateProblem[] = [];

  for (const lang of LANGUAGES) {
    const langDir = path.join(dir, lang);
    const files = await readdir(langDir).catch(() => [] as string[]);
    for (const f of files.sort()) {
      const m = FILE.exec(f);
      if (!m) continue;
      const file = path.join(langDir, f);
      const src = await readFile(file, 'utf8');
      const kind = m[2] as 'text' | 'html';
      try {
        const tpl = (kind === 'html' ? html : text).parse(src, file);
        const key = `${lang}/${m[1]}`;
        parsed.set(key, { ...parsed.get(key), [kind]: tpl });
      } catch (err) {
        const line = /line:(\d+)/.exec((err as Error).message)?.[1];
        problems.push({ file, line: line ? Number(line) : null, message: (err as Error).message.split('\n')[0] ?? String(err) });
      }
    }
  }
  const broken = new Set(problems.map((p) => p.file.replace(/\.(text|html)\.liquid$/, '')));
  for (const [key, t] of parsed) {
    if (broken.has(path.join(dir, key))) continue;
    if (!t.text || !t.html) problems.push({ file: path.join(dir, `${key}.${t.text ? 'html' : 'text'}.liquid`), line: null, message: 'missing: every template needs both a .text.liquid and an .html.liquid file' });
  }
  if (problems.length) {
    throw new SportelloError('TEMPLATE_INVALID', `templates in ${dir} have ${problems.length} problem(s):\n${problems.map((p) => `  ${p.file}${p.line ? `:${p.line}` : ''}: ${p.message}`).join('\n')}`, {
      context: { dir, problems },
      hint: 'fix the template syntax at the positions above (LiquidJS: {{ value }}, {% if %}…{% endif %})',
    });
  }

  return {
    names: () => [...parsed.keys()].sort(),
    render(name, language, vars): RenderedReply {
      const t = parsed.get(`${language}/${name}`) ?? parsed.get(`${fallback}/${name}`) ?? parsed.get(`en/${name}`);
      if (!t?.text || !t.html) {
        throw new SportelloError('TEMPLATE_INVALID', `no template "${name}" for ${language}, ${fallback} or en in ${dir}`, {
          hint: `create ${path.join(dir, fallback, `${name}.text.liquid`)} and .html.liquid`,
        });
      }
      return {
        subject: String(vars.subject ?? ''),
        text: text.renderSync(t.text, vars).replace(/\n{3,}/g, '\n\n').trim() + '\n',
        html: html.renderSync(t.html, vars).trim() + '\n',
      };
    },
  };
}
