// Reply templates: templates/<lang>/<name>.text.liquid and .html.liquid, rendered with LiquidJS
// (logic-light, sandboxed; the HTML engine escapes every value, the text one does not need to).
// All templates are parsed at load so a broken one is reported with file:line before any mail is sent,
// and every variable a template uses is checked against what its kind receives (domain/template-vars.ts).

import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Liquid, type Template } from 'liquidjs';
import { SportelloError } from '../errors.js';
import { LANGUAGES, type Language } from '../domain/routing.js';
import type { RenderedReply, ReplyRenderer } from '../ports.js';
import { declaredVars, templateVariables, unknownVariable } from '../domain/template-vars.js';
import { suggestion } from '../rules/index.js';

const FILE = /^([a-z0-9-]+)\.(text|html)\.liquid$/;
const LIMITS = { parseLimit: 1e6, renderLimit: 1_000, memoryLimit: 1e7 } as const;

export interface TemplateProblem {
  readonly file: string;
  readonly line: number | null;
  readonly column?: number;
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
  // Partials ({% render 'footer.text.liquid' %}) resolve inside the templates directory only: a template
  // must never read another file of the host (the config, its secrets) into a mail.
  const confined = { root: [path.resolve(dir)], partials: [path.resolve(dir)], layouts: [path.resolve(dir)], extname: '' };
  const text = new Liquid({ ...LIMITS, ...confined, strictFilters: true, ownPropertyOnly: true });
  const html = new Liquid({ ...LIMITS, ...confined, strictFilters: true, ownPropertyOnly: true, outputEscape: 'escape' });
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
        const engine = kind === 'html' ? html : text;
        const tpl = engine.parse(src, file);
        const key = `${lang}/${m[1]}`;
        parsed.set(key, { ...parsed.get(key), [kind]: tpl });
        problems.push(...undefinedVariables(engine, tpl, m[1]!, file));
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
    problems.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0)));
    throw new SportelloError('TEMPLATE_INVALID', `templates in ${dir} have ${problems.length} problem(s):\n${problems.map((p) => `  ${p.file}${p.line ? `:${p.line}${p.column ? `:${p.column}` : ''}` : ''}: ${p.message}`).join('\n')}`, {
      context: { dir, problems },
      hint: 'fix the templates at the positions above (LiquidJS: {{ value }}, {% if %}…{% endif %}; the variables of each kind are listed in README.md, "Templates")',
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
      const visible = declaredVars(name, vars);
      return {
        subject: String(vars.subject ?? ''),
        text: text.renderSync(t.text, visible).replace(/\n{3,}/g, '\n\n').trim() + '\n',
        html: html.renderSync(t.html, visible).trim() + '\n',
      };
    },
  };
}

/**
 * Variables the template uses that its kind never receives: LiquidJS's static analysis lists every
 * global (loop and assigned locals excluded) with its position; each is walked through the declared shape.
 */
function undefinedVariables(engine: Liquid, tpl: Template[], name: string, file: string): TemplateProblem[] {
  const shape = templateVariables(name);
  const problems: TemplateProblem[] = [];
  for (const uses of Object.values(engine.analyzeSync(tpl, { partials: false }).globals)) {
    for (const v of uses) {
      const segments = v.toArray();
      const path: string[] = [];
      for (const segment of segments) {
        if (typeof segment !== 'string') break;
        path.push(segment);
      }
      const unknown = unknownVariable(shape, path);
      if (!unknown) continue;
      const last = unknown.path.split('.').at(-1)!;
      const prefix = unknown.path.includes('.') ? unknown.path.slice(0, unknown.path.lastIndexOf('.') + 1) : '';
      const meant = suggestion(last, unknown.known).replace(/"([^"]+)"/, `"${prefix}$1"`);
      problems.push({
        file,
        line: v.location.row,
        column: v.location.col,
        message: `unknown variable "${unknown.path}"${meant}; ${name} templates get: ${prefix ? `${prefix.slice(0, -1)}.{${unknown.known.join(', ')}}` : unknown.known.join(', ')}`,
      });
    }
  }
  return problems;
}
