// `sportello templates check` and `sportello preview FILE.eml`: let admins see what people will
// receive before it is sent. Preview routes the mail exactly as the daemon would (rules, classifier,
// SLA, articles) at a given instant, renders the auto-reply, and touches no store and no mail server.

import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Config } from '../config/schema.js';
import { SportelloError } from '../errors.js';
import type { Logger } from '../log.js';
import { parseMail } from '../adapters/mime-parser.js';
import { loadTemplates } from '../adapters/templates.js';
import { loadRulesStrict } from './routing-commands.js';
import { buildRouting, modelCacheDir } from '../routing/router.js';
import { composeReply } from '../shell/compose.js';
import { baseAddress } from '../mail/address.js';
import type { CaseRecord } from '../ports.js';

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
    .description('show the auto-reply a mail would get (text and HTML), without storing or sending anything')
    .argument('<file>', '.eml file')
    .option('--desk <id>', 'desk (default: from the recipients)')
    .option('--at <iso>', 'pretend the mail arrives at this instant (ISO 8601), e.g. 2026-11-20T16:30:00+01:00')
    .option('--text-only', 'print only the text part')
    .action(async (file: string, o: { desk?: string; at?: string; textOnly?: boolean }, cmd: Command) => {
      const config = await deps.config(cmd);
      const now = o.at ? new Date(o.at) : new Date();
      if (Number.isNaN(now.getTime())) throw new SportelloError('USAGE', `--at "${o.at}" is not an ISO 8601 instant`, { hint: 'e.g. --at 2026-11-20T16:30:00+01:00' });
      const engine = await buildRouting(await loadRulesStrict(config), modelCacheDir(config), deps.logger(cmd));
      const renderer = await loadTemplates(config.templatesDir);
      const mail = await parseMail(await readFile(file));
      const recipients = [...mail.to, ...mail.cc].map((a) => baseAddress(a.address));
      const desk = o.desk ? config.desks.find((d) => d.id.toUpperCase() === o.desk!.toUpperCase()) : config.desks.find((d) => recipients.includes(d.address));
      if (!desk) throw new SportelloError('USAGE', `${file} is not addressed to any desk`, { hint: `pass --desk ${config.desks.map((d) => d.id).join('|')}` });
      const routing = engine.router(desk, mail);
      const sla = engine.sla(desk, routing, now);
      const articles = engine.articles(desk, mail, routing);
      const requester = mail.from ?? { address: 'unknown@invalid', name: '' };
      const kase: CaseRecord = {
        id: `${desk.prefix}-NEW`, desk: desk.id, number: 0, status: 'new', category: routing.category, priority: routing.priority,
        language: routing.language, requester, subject: mail.subject, createdAt: now.toISOString(), updatedAt: now.toISOString(),
        dueAt: sla?.dueAt ?? null, firstResponseDueAt: sla?.firstResponseDueAt ?? null, slaPolicy: sla?.policy ?? null, slaClock: null, routing,
        assignee: null, firstResponseAt: null, resolvedAt: null, closedAt: null, rating: null, waitUntil: null,
      };
      const out = composeReply(
        { renderer, instance: config.instance, newId: () => 'preview' },
        { kind: 'auto-reply', template: routing.template ?? 'auto-reply', to: requester, language: routing.language, sla, articles },
        kase, desk, mail,
      );
      deps.print(`Desk ${desk.id} · category ${routing.category} · priority ${routing.priority} · language ${routing.language}` +
        (sla ? ` · SLA ${sla.policy}: first response by ${sla.firstResponseDueAt}, resolution by ${sla.dueAt}${sla.open ? '' : ' (desk closed now)'}` : ' · no SLA'));
      if (routing.suppressAutoReply) deps.print('(a rule suppresses the auto-reply for this mail; shown anyway)');
      deps.print(`\nFrom: ${out.from.name} <${out.from.address}>\nTo: ${out.to.map((a) => a.address).join(', ')}\nSubject: ${out.subject}\n`);
      deps.print(out.text.trimEnd());
      if (!o.textOnly && out.html) deps.print(`\n--- HTML part ---\n${out.html.trimEnd()}`);
    });
}
