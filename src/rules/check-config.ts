// Checks rules against what only the configuration and the templates directory know: every desk of a
// rules file is a configured desk and every configured desk has rules; a rule's `assignee` is an agent
// of its desk (by address); a rule's `template` exists. Pure: problems with file:line:col, never a throw.
import { resolveAgent, type AgentRef } from '../agents/commands.js';
import { desksOf, isRecord } from './check-desks.js';
import type { ParsedFile } from './parse-file.js';
import { editDistance, suggestion, type RuleProblem } from '../admin-files/problems.js';

export interface RulesContext {
  /** The configured desks (sportello.yml) with their agents. */
  readonly desks: readonly { readonly id: string; readonly agents: readonly AgentRef[] }[];
  /** Names of the templates every language can render; null skips the template check. */
  readonly templates: ReadonlySet<string> | null;
  /** How the configuration file is named in messages, e.g. "sportello.yml". */
  readonly configFile: string;
  /** The rules directory as problem paths show it, e.g. "rules": a missing desk's file is named in it. */
  readonly rulesDir: string;
}

export function checkAgainstConfig(files: readonly ParsedFile[], ctx: RulesContext): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const configured = new Map(ctx.desks.map((d) => [d.id, d]));
  const sites = files.flatMap(desksOf);
  const declared = new Set(sites.map((s) => s.id));

  for (const site of sites) {
    const at = (path: (string | number)[], code: string, message: string, hint: string, key = false) => {
      const { line, column } = key ? site.file.locate.key(path) : site.file.locate.value(path);
      problems.push({ file: site.file.file, line, column, code, message, hint });
    };
    const desk = configured.get(site.id);
    if (!desk) {
      at(['desks', site.id], 'UNKNOWN_DESK', `desk "${site.id}" is not in ${ctx.configFile}${suggestion(site.id, configured.keys())}; its rules would never be used`,
        `desks in ${ctx.configFile}: ${[...configured.keys()].join(', ')}; rename the desk here or add it there`, true);
      continue;
    }
    const rules = site.raw['rules'];
    if (!Array.isArray(rules)) continue;
    rules.forEach((rule, index) => {
      const then = isRecord(rule) ? rule['then'] : undefined;
      if (!isRecord(then)) return;
      const name = isRecord(rule) && typeof rule['name'] === 'string' ? `rule "${rule['name']}"` : 'rule';
      const path = ['desks', site.id, 'rules', index, 'then'];
      const assignee = then['assignee'];
      if (typeof assignee === 'string' && !desk.agents.some((a) => a.address.toLowerCase() === assignee.trim().toLowerCase())) {
        const found = resolveAgent(assignee, desk.agents);
        const addresses = desk.agents.map((a) => a.address.toLowerCase());
        const local = 'suggestion' in found && found.suggestion !== null ? addresses.find((a) => a.startsWith(`${found.suggestion}@`)) : undefined;
        // Addresses share their domain, so any two look alike: only a one-letter slip counts as a typo.
        const typo = addresses.find((a) => editDistance(assignee.trim().toLowerCase(), a) <= 1);
        const meant = 'agent' in found ? found.agent : (local ?? typo);
        at([...path, 'assignee'], 'UNKNOWN_ASSIGNEE', `${name} assigns to "${assignee}", who is not an agent of desk ${site.id}${meant ? ` (did you mean "${meant}"?)` : ''}`,
          desk.agents.length ? `agents of ${site.id}: ${desk.agents.map((a) => a.address).join(', ')} (write the address)` : `desk ${site.id} has no agents in ${ctx.configFile}`);
      }
      const template = then['template'];
      if (ctx.templates && typeof template === 'string' && !ctx.templates.has(template)) {
        at([...path, 'template'], 'UNKNOWN_TEMPLATE', `${name} uses template "${template}", which does not exist${suggestion(template, ctx.templates)}`,
          `templates: ${[...ctx.templates].sort().join(', ')}; create templates/en/${template}.text.liquid and .html.liquid`);
      }
    });
  }

  for (const desk of ctx.desks) {
    if (declared.has(desk.id)) continue;
    const file = `${ctx.rulesDir}/${desk.id.toLowerCase()}.yml`;
    problems.push({
      file, line: 1, column: 1, code: 'DESK_WITHOUT_RULES',
      message: `desk ${desk.id} is in ${ctx.configFile} but no rules file declares it: every ${desk.id} mail would go to triage`,
      hint: `create ${file} with "desks: { ${desk.id}: … }", or remove the desk from ${ctx.configFile}`,
    });
  }
  return problems;
}
