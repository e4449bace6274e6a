// `sportello rules check|test` and `sportello classify`: admin tools that read the config and the
// rules directory only. They never open the case store and never send mail; `classify` is a dry run.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import type { Config } from '../config/schema.js';
import { SportelloError } from '../errors.js';
import type { Logger } from '../log.js';
import { parseMail } from '../adapters/mime-on-demand.js';
import { formatProblem, loadRules, route, runRoutingFixtures, type RulesContext } from '../rules/index.js';
import { listTemplates } from '../adapters/templates.js';
import { rulesContext } from '../routing/rules-context.js';
import { buildRouting, modelCacheDir } from '../routing/router.js';
import { baseAddress } from '../mail/address.js';
import { deskRulesOf } from '../rules/index.js';
import { withPromise } from '../routing/promise-plan.js';
import { explainPromise } from '../forecast/index.js';
import { deskHistory } from './promise-lines.js';
import { promiseLine } from './present.js';

export interface RoutingCommandDeps {
  readonly config: (cmd: Command) => Promise<Config>;
  readonly logger: (cmd: Command) => Logger;
  readonly print: (s: string) => void;
}

export function addRoutingCommands(prog: Command, deps: RoutingCommandDeps): void {
  const rules = prog.command('rules').description('validate and test the routing rules in the rules directory');

  rules
    .command('check')
    .description('validate every rules file; print every problem with file:line:col; exit 2 on any')
    .action(async (_o, cmd: Command) => {
      const config = await deps.config(cmd);
      const loaded = await loadRules(config.rulesDir, await checkedAgainst(config));
      if (loaded.problems) {
        for (const p of loaded.problems) deps.print(`${formatProblem(p)}${p.hint ? `\n    ${p.hint}` : ''}`);
        throw new SportelloError('RULES_INVALID', `${loaded.problems.length} problem(s) in ${path.relative(process.cwd(), config.rulesDir) || '.'}`, {
          hint: 'fix the positions listed above; the daemon keeps the previous rules until they are valid',
        });
      }
      const { ruleSet } = loaded;
      for (const [id, desk] of Object.entries(ruleSet.desks)) {
        deps.print(`${id}: ${desk.categories.length} categories (${desk.categories.map((c) => c.id).join(', ')}), ${desk.rules.length} rules, threshold ${desk.threshold}`);
      }
      deps.print(`OK: ${ruleSet.files.length} file(s) valid`);
    });

  rules
    .command('test')
    .description('route the sample mails in rules/fixtures and report every mismatch with its explanation')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }, cmd: Command) => {
      const config = await deps.config(cmd);
      const engine = await buildRouting(await loadRulesStrict(config), modelCacheDir(config), deps.logger(cmd));
      const results = await runRoutingFixtures(engine.ruleSet, path.join(config.rulesDir, 'fixtures'), engine.deps, (raw) => parseMail(raw));
      const failed = results.filter((r) => !r.ok);
      if (o.json) deps.print(JSON.stringify(results, null, 2));
      else {
        for (const r of results) {
          const got = r.actual ? `${r.actual.desk}/${r.actual.category}/${r.actual.priority}` : 'nothing';
          const want = r.expected ? `${r.expected.desk}/${r.expected.category}/${r.expected.priority}` : 'no expectation';
          deps.print(`${r.ok ? 'ok  ' : 'FAIL'} ${r.file}: ${got}${r.ok ? '' : ` (expected ${want})`}${r.error ? ` — ${r.error}` : ''}`);
          if (!r.ok && r.explanation) deps.print(`       why: ${JSON.stringify(r.explanation)}`);
        }
        deps.print(`${results.length - failed.length} passed, ${failed.length} failed`);
      }
      if (failed.length) process.exitCode = 1;
    });

  prog
    .command('classify')
    .description('dry run: how would these mails be routed? (no store, nothing sent)')
    .argument('<files...>', '.eml files')
    .option('--desk <id>', 'desk to route to (default: from the recipients)')
    .option('--json', 'print one JSON object per message')
    .action(async (files: string[], o: { desk?: string; json?: boolean }, cmd: Command) => {
      const config = await deps.config(cmd);
      const engine = await buildRouting(await loadRulesStrict(config), modelCacheDir(config), deps.logger(cmd));
      const out = [];
      const now = new Date();
      for (const file of files) {
        const mail = await parseMail(await readFile(file));
        const recipients = [...mail.to, ...mail.cc].map((a) => baseAddress(a.address));
        const desk = o.desk
          ? config.desks.find((d) => d.id.toUpperCase() === o.desk!.toUpperCase())
          : config.desks.find((d) => recipients.includes(d.address));
        if (!desk) {
          throw new SportelloError('USAGE', o.desk ? `unknown desk ${o.desk}` : `${file} is not addressed to any desk (${recipients.join(', ') || 'no recipients'})`, {
            hint: `pass --desk ${config.desks.map((d) => d.id).join('|')}`,
          });
        }
        const d = route(engine.ruleSet, desk.id, mail, engine.deps);
        const rules = deskRulesOf(engine.ruleSet, desk.id);
        const sla = withPromise(engine.sla(desk, d, now), rules, d, await deskHistory(config, desk.id, rules, now), now);
        const promise = sla?.promise ?? null;
        out.push({ file, desk: desk.id, category: d.category, priority: d.priority, language: d.language, confidence: d.confidence, explanation: d.explanation, promise: promise ? { at: promise.at, source: promise.source, slaDueAt: promise.slaDueAt, why: explainPromise(promise) } : null, promiseText: promiseLine(promise, config.timezone) });
      }
      if (o.json) deps.print(out.map(({ promiseText: _text, ...r }) => JSON.stringify(r)).join('\n'));
      else {
        for (const r of out) {
          deps.print(`${r.file}: ${r.desk} → ${r.category} (${r.priority}, ${r.language}${r.confidence !== null ? `, ${r.confidence.toFixed(2)}` : ''}) — ${explain(r.explanation)}`);
          if (r.promiseText) deps.print(`  ${r.promiseText}`);
        }
      }
    });
}

/** Rules are checked against the configuration and the templates, as the daemon does at load. */
export async function checkedAgainst(config: Config): Promise<RulesContext> {
  return rulesContext(config, await listTemplates(config.templatesDir));
}

export async function loadRulesStrict(config: Config) {
  const loaded = await loadRules(config.rulesDir, await checkedAgainst(config));
  if (loaded.problems) {
    throw new SportelloError('RULES_INVALID', `rules are invalid:\n${loaded.problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`, { hint: 'run "sportello rules check"' });
  }
  return loaded.ruleSet;
}

function explain(e: { kind: string } & Record<string, unknown>): string {
  if (e.kind === 'rule') return `rule "${String(e.rule)}" at ${String(e.file)}:${String(e.line)}`;
  if (e.kind === 'classifier') {
    const top = (e.top as { category: string; score: number }[]).map((t) => `${t.category} ${t.score.toFixed(2)}`).join(', ');
    return `classifier: ${top} (threshold ${String(e.threshold)})`;
  }
  return String(e.reason);
}
