// `sportello templates check` and `sportello preview FILE.eml`: let admins see what people will
// receive before it is sent. Preview routes the mail exactly as the daemon would (rules, classifier,
// SLA, articles) at a given instant, renders the auto-reply (or, with --template, another mail the case
// leads to, filled by the same builders the daemon uses), and touches no store and no mail server.

import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import type { Config } from '../config/schema.js';
import { SportelloError } from '../errors.js';
import type { Logger } from '../log.js';
import { parseMail } from '../adapters/mime-on-demand.js';
import { loadTemplates } from '../adapters/templates.js';
import { loadRulesStrict } from './routing-commands.js';
import { buildRouting, modelCacheDir } from '../routing/router.js';
import { composeMessage, composeReply, type ComposeDeps } from '../shell/compose.js';
import { NEW_CONVERSATION, outgoingMail } from '../shell/outbound.js';
import { dueUpdateVars } from '../shell/update-case.js';
import { buildDeskRuntimes, type DeskRuntime } from '../shell/desk-runtime.js';
import { deskRef, type DeskView } from '../domain/desk.js';
import { buildAgentNotification } from '../agents/notification.js';
import { notTrustedVars, relayVars } from '../agents/agent-replies.js';
import { ratingRequestVars, ratingThanksVars } from '../agents/rating-mail.js';
import { escalationVars } from '../sla/escalation.js';
import { deskRulesOf } from '../rules/index.js';
import type { InboundMail } from '../domain/mail.js';
import type { RoutingDecision } from '../domain/routing.js';
import type { OutgoingMail } from '../ports.js';
import { baseAddress } from '../mail/address.js';
import type { CaseRecord } from '../ports.js';
import { promiseLine, shortTime } from './present.js';
import { withPromise } from '../routing/promise-plan.js';
import { deskHistory } from './promise-lines.js';

export interface TemplateCommandDeps {
  readonly config: (cmd: Command) => Promise<Config>;
  readonly logger: (cmd: Command) => Logger;
  readonly print: (s: string) => void;
}

export function addTemplateCommands(prog: Command, deps: TemplateCommandDeps): void {
  prog
    .command('templates')
    .description('reply templates')
    .command('check')
    .description('parse every template in the templates directory; print problems with file:line; exit 2 on any')
    .action(async (_o, cmd: Command) => {
      const config = await deps.config(cmd);
      const t = await loadTemplates(config.templatesDir);
      deps.print(`OK: ${t.names().length} templates (${t.names().join(', ')})`);
    });

  prog
    .command('preview')
    .description('show the auto-reply a mail would get (or, with --template, the notification, relay, rating request… it leads to), without storing or sending anything')
    .argument('<file>', '.eml file')
    .option('--desk <id>', 'desk (default: from the recipients)')
    .option('--at <iso>', 'pretend the mail arrives at this instant (ISO 8601), e.g. 2026-11-20T16:30:00+01:00')
    .option('--text-only', 'print only the text part')
    .addOption(new Option('--template <name>', 'show another mail this one leads to instead of the auto-reply').choices(['auto-reply', ...PREVIEWS]))
    .action(async (file: string, o: { desk?: string; at?: string; textOnly?: boolean; template?: string }, cmd: Command) => {
      const config = await deps.config(cmd);
      const now = o.at ? new Date(o.at) : new Date();
      if (Number.isNaN(now.getTime())) throw new SportelloError('USAGE', `--at "${o.at}" is not an ISO 8601 instant`, { hint: 'e.g. --at 2026-11-20T16:30:00+01:00' });
      const engine = await buildRouting(await loadRulesStrict(config), modelCacheDir(config), deps.logger(cmd));
      const renderer = await loadTemplates(config.templatesDir);
      const mail = await parseMail(await readFile(file));
      const recipients = [...mail.to, ...mail.cc].map((a) => baseAddress(a.address));
      const desk = o.desk ? config.desks.find((d) => d.id.toUpperCase() === o.desk!.toUpperCase()) : config.desks.find((d) => recipients.includes(d.address));
      if (!desk) throw new SportelloError('USAGE', `${file} is not addressed to any desk`, { hint: `pass --desk ${config.desks.map((d) => d.id).join('|')}` });
      const at = (iso: string | null) => shortTime(iso, config.timezone);
      const routing = engine.router(desk, mail);
      const rules = deskRulesOf(engine.ruleSet, desk.id);
      const sla = withPromise(engine.sla(desk, routing, now), rules, routing, await deskHistory(config, desk.id, rules, now), now);
      const articles = engine.articles(desk, mail, routing);
      const requester = mail.from ?? { address: 'unknown@invalid', name: '' };
      const kase: CaseRecord = {
        id: `${desk.prefix}-NEW`, desk: desk.id, number: 0, status: 'new', category: routing.category, priority: routing.priority,
        language: routing.language, requester, subject: mail.subject, createdAt: now.toISOString(), updatedAt: now.toISOString(),
        dueAt: sla?.dueAt ?? null, firstResponseDueAt: sla?.firstResponseDueAt ?? null, slaPolicy: sla?.policy ?? null, slaClock: null, routing,
        assignee: null, firstResponseAt: null, resolvedAt: null, closedAt: null, rating: null, waitUntil: null,
      };
      const composeDeps = { renderer, instance: config.instance, newId: () => 'preview' };
      const runtime = buildDeskRuntimes(config, { routing: () => engine, rulesOf: (id) => deskRulesOf(engine.ruleSet, id) }).find((d) => d.config.id === desk.id)!;
      const out = !o.template || o.template === 'auto-reply'
        ? composeReply(composeDeps, runtime.view, { intent: { kind: 'auto-reply', template: routing.template ?? 'auto-reply', to: requester, language: routing.language, sla, articles }, kase, mail })
        : otherTemplate(o.template, { deps: composeDeps, kase, desk: runtime, mail, now });
      deps.print(`Desk ${desk.id} · category ${routing.category} · priority ${routing.priority} · language ${routing.language}` +
        (sla ? ` · SLA ${sla.policy}: first response by ${at(sla.firstResponseDueAt)}, resolution by ${at(sla.dueAt)} (${config.timezone})${sla.open ? '' : ' (desk closed now)'}` : ' · no SLA'));
      deps.print(promiseLine(sla?.promise, config.timezone) ?? 'no promise: the desk has no calendar and SLA, or no database to learn from');
      if (routing.suppressAutoReply) deps.print('(a rule suppresses the auto-reply for this mail; shown anyway)');
      deps.print(`\nFrom: ${out.from.name} <${out.from.address}>\nTo: ${out.to.map((a) => a.address).join(', ')}\nSubject: ${out.subject}\n`);
      deps.print(out.text.trimEnd());
      if (!o.textOnly && out.html) deps.print(`\n--- HTML part ---\n${out.html.trimEnd()}`);
    });
}

/** Every other template `preview --template` can show, filled as the daemon fills it for this mail's case. */
const PREVIEWS = ['agent-notification', 'relay', 'agent-not-trusted', 'rating-request', 'rating-thanks', 'due-update', 'escalation'] as const;

interface PreviewInput {
  readonly deps: ComposeDeps;
  readonly kase: CaseRecord;
  readonly desk: DeskRuntime;
  readonly mail: InboundMail;
  readonly now: Date;
}

function otherTemplate(name: string, { deps, kase, desk: runtime, mail, now }: PreviewInput): OutgoingMail {
  const desk = runtime.view;
  const rules = runtime.rules();
  const language = kase.language ?? desk.language;
  const person = { name: kase.requester.name, address: kase.requester.address };
  const agent = desk.agents[0] ?? { address: `agent@${desk.address.split('@')[1]}`, name: 'Agent' };
  const caseRef = { id: kase.id, subject: kase.subject };
  // Agents read the desk's language, requesters their own (as the pipeline does).
  const message = (kind: 'notification' | 'relay' | 'not-trusted' | 'rating-request' | 'rating-thanks', vars: Record<string, unknown>, to = [kase.requester]) =>
    composeMessage(deps, desk, { intent: { kind, template: name, to, language: to[0] === kase.requester ? language : desk.language, vars, threadTo: 'this-mail', automatic: kind !== 'relay' }, kase, mail, requesterMessageId: null });
  switch (name) {
    case 'agent-notification':
      return message('notification', buildAgentNotification({
        language: desk.language, kind: 'new-case', case: { id: kase.id, subject: kase.subject, status: kase.status, category: kase.category, priority: kase.priority, assignee: null },
        requester: person, explanation: (kase.routing as RoutingDecision | null)?.explanation ?? null, dueText: null, text: mail.text, author: null, desk: deskRef(desk),
        help: { categories: desk.categories, agents: desk.agents.map((a) => a.address.split('@')[0]!) },
      }), [agent]);
    case 'relay':
      return message('relay', relayVars({ language, case: caseRef, requester: person, agent, desk: deskRef(desk), text: mail.text }));
    case 'agent-not-trusted':
      return message('not-trusted', notTrustedVars({ language: desk.language, case: caseRef, subject: mail.subject, agent, desk: deskRef(desk), reason: `${agent.address} could not be verified (preview)` }), [agent]);
    case 'rating-request':
      return message('rating-request', ratingRequestVars({ language, case: caseRef, requester: person, desk: deskRef(desk) }));
    case 'rating-thanks':
      return message('rating-thanks', ratingThanksVars({ language, case: caseRef, requester: person, desk: deskRef(desk), score: 5, comment: null }));
    case 'due-update':
      return rendered(deps, 'due-update', language, kase, desk, dueUpdateVars(runtime, { kase, changed: kase, from: kase.dueAt, to: new Date(new Date(kase.dueAt ?? now).getTime() + 86_400_000).toISOString(), now }));
    default: {
      // escalation: the breach mail as it would go out when the resolution target is used up.
      if (!rules?.calendar || !rules.escalation || !kase.dueAt) throw new SportelloError('USAGE', `desk ${desk.id} has no calendar, SLA or escalation in its rules: no escalation mail to show`, { hint: 'add calendar, sla and escalation to its rules file' });
      const policy = rules.sla && kase.slaPolicy ? rules.sla.policies[kase.slaPolicy] : undefined;
      const clock = { start: now, targetMinutes: policy?.resolutionMinutes ?? 0, pauses: [] };
      const threshold = rules.escalation.thresholds.at(-1)!;
      const vars = escalationVars({ case: { ...kase, requester: kase.requester }, calendar: rules.calendar, clock, threshold, language: rules.defaultLanguage, now: new Date(kase.dueAt) });
      return rendered(deps, 'escalation', rules.defaultLanguage, kase, desk, { ...vars, desk: deskRef(desk) }, [{ address: rules.escalation.address, name: '' }]);
    }
  }
}

/** A mail the desk starts (due-update, escalation), for display only: the rendered parts and the addresses. */
function rendered(deps: ComposeDeps, name: 'due-update' | 'escalation', language: CaseRecord['language'] & string, kase: CaseRecord, desk: DeskView, vars: Record<string, unknown>, to = [kase.requester]): OutgoingMail {
  const r = deps.renderer.render(name, language, vars);
  return outgoingMail(deps, { kind: name, desk, caseId: kase.id, to, content: r, thread: NEW_CONVERSATION });
}
