// Checks the SLA cross-references the schema cannot see, per desk: every policy a rule's `sla`
// action, `sla.default`, `byPriority` or `byCategory` names is declared in that desk's sla.policies;
// byCategory keys are categories of the desk; SLA needs a calendar and escalation needs SLA.
// Works on the raw YAML data like check-desks (best effort, never throws on odd shapes).
import { categoryIds, desksOf, isRecord, type DeskSite } from './check-desks.js';
import type { ParsedFile } from './parse-file.js';
import { suggestion, type RuleProblem } from '../admin-files/problems.js';
import { TRIAGE } from './schema.js';

export function checkSla(files: readonly ParsedFile[]): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const seen = new Set<string>();
  for (const desk of files.flatMap(desksOf)) {
    // A repeated desk is check-desks' DUPLICATE_DESK; checking its copy too would only add noise.
    if (seen.has(desk.id)) continue;
    seen.add(desk.id);
    problems.push(...checkDesk(desk));
  }
  return problems;
}

function checkDesk(desk: DeskSite): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const deskPath = ['desks', desk.id];
  const push = (path: (string | number)[], code: string, message: string, hint?: string, key = false) => {
    const { line, column } = key ? desk.file.locate.key(path) : desk.file.locate.value(path);
    problems.push({ file: desk.file.file, line, column, code, message, ...(hint === undefined ? {} : { hint }) });
  };

  const sla = desk.raw['sla'];
  const policies = isRecord(sla) && isRecord(sla['policies']) ? Object.keys(sla['policies']) : null;
  const checkPolicy = (path: (string | number)[], name: unknown, what: string) => {
    if (typeof name !== 'string') return;
    if (policies === null) {
      if (sla === undefined) push(path, 'UNKNOWN_SLA_POLICY', `${what} names SLA policy "${name}", but desk ${desk.id} has no sla section`, 'declare sla: { policies, default } in this desk');
      return;
    }
    if (policies.includes(name)) return;
    push(path, 'UNKNOWN_SLA_POLICY', `${what} names SLA policy "${name}", which desk ${desk.id} does not have${suggestion(name, policies)}`, `policies of ${desk.id}: ${policies.join(', ') || 'none'}`);
  };

  const rules = desk.raw['rules'];
  if (Array.isArray(rules)) {
    rules.forEach((rule, index) => {
      if (!isRecord(rule) || !isRecord(rule['then'])) return;
      const name = typeof rule['name'] === 'string' ? `rule "${rule['name']}"` : 'rule';
      checkPolicy([...deskPath, 'rules', index, 'then', 'sla'], rule['then']['sla'], name);
    });
  }

  if (isRecord(sla)) {
    const slaPath = [...deskPath, 'sla'];
    checkPolicy([...slaPath, 'default'], sla['default'], 'sla.default');
    const byPriority = sla['byPriority'];
    if (isRecord(byPriority)) {
      for (const [priority, name] of Object.entries(byPriority)) checkPolicy([...slaPath, 'byPriority', priority], name, `sla.byPriority.${priority}`);
    }
    const byCategory = sla['byCategory'];
    if (isRecord(byCategory)) {
      const ids = new Set([...categoryIds(desk).map((c) => c.id), TRIAGE]);
      for (const [category, name] of Object.entries(byCategory)) {
        if (!ids.has(category)) {
          push(
            [...slaPath, 'byCategory', category],
            'UNKNOWN_CATEGORY',
            `sla.byCategory names category "${category}", which desk ${desk.id} does not have${suggestion(category, ids)}`,
            `categories of ${desk.id}: ${[...ids].join(', ')}`,
            true,
          );
        }
        checkPolicy([...slaPath, 'byCategory', category], name, `sla.byCategory.${category}`);
      }
    }
    if (desk.raw['calendar'] === undefined) {
      push(slaPath, 'SLA_WITHOUT_CALENDAR', `desk ${desk.id} has SLA policies but no calendar to count business time on`, 'add calendar: { timezone, hours, holidays } to this desk', true);
    }
  }

  if (desk.raw['escalation'] !== undefined && sla === undefined) {
    push([...deskPath, 'escalation'], 'ESCALATION_WITHOUT_SLA', `desk ${desk.id} has an escalation address but no sla policies whose targets could be reached`, 'add sla: { policies, default } or remove escalation', true);
  }
  return problems;
}
