// Agent action: what a verified agent's mail does to a case — a reply relayed to the requester (never the
// quote), a reply-all recorded but not sent twice, notes to the other agents only, commands applied all or
// nothing, and the Outlook/Spanish/Italian quote headers (real corpus blocks) that must never leak to the requester.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentAction } from '../../../../src/pipeline/stages/agent-action.js';
import { INITIAL_ANNOTATIONS, type Annotations, type DeskView, type PipelineContext } from '../../../../src/pipeline/types.js';
import type { Address, InboundMail } from '../../../../src/domain/mail.js';
import type { Plan, ReplyIntent } from '../../../../src/domain/plan.js';
import type { CaseRecord } from '../../../../src/ports.js';
import { caseRecord, context, facts, mail } from '../../../support/fakes.js';
import { CORPORA, withoutCorpora } from '../../../support/corpora.js';

const BOB: Address = { address: 'bob@example.test', name: 'Bob' };
const MARIA: Address = { address: 'maria@example.test', name: 'María' };
const ALICE: Address = { address: 'alice@example.test', name: 'Alice' };
const DESK: Address = { address: 'it@example.test', name: 'IT Service Desk' };
const NOW = new Date('2026-03-02T09:00:00Z');

const ctxWith = (over: Partial<DeskView> = {}): PipelineContext => {
  const base = context({ now: NOW });
  return {
    ...base,
    desk: { ...base.desk, name: 'IT Service Desk', agents: [BOB, MARIA], categories: ['hardware', 'network'], ...over },
  };
};

interface Run {
  readonly text: string;
  readonly to?: readonly Address[];
  readonly cc?: readonly Address[];
  readonly from?: Address;
  readonly record?: Partial<CaseRecord>;
  readonly ann?: Partial<Annotations>;
  readonly ctx?: PipelineContext;
}

const run = (r: Run) => {
  const rec = caseRecord({ status: 'open', ...r.record });
  const m: InboundMail = mail({ from: r.from ?? BOB, to: r.to ?? [DESK], cc: r.cc ?? [], subject: 'Re: [IT-7] Printer jammed', text: r.text });
  const ann: Annotations = {
    ...INITIAL_ANNOTATIONS,
    facts: facts(),
    sender: { agent: BOB, trusted: true, reason: 'bob@example.test is an agent; sender verification is not configured' },
    match: { caseId: rec.id, status: rec.status, record: rec, via: 'references', lastRequesterMessageId: 'ask-1@client.example' },
    ...r.ann,
  };
  return agentAction.run(m, ann, r.ctx ?? ctxWith());
};

type Append = Extract<Plan, { action: 'append' }>;
const plan = (r: Run): Append => {
  const res = run(r);
  if (!('stop' in res) || res.stop.action !== 'append') throw new Error(`expected an append plan, got ${JSON.stringify(res)}`);
  return res.stop;
};
type MessageIntent = Exclude<ReplyIntent, { kind: 'auto-reply' }>;
const intents = (p: Append) => p.replies as readonly MessageIntent[];
const kinds = (p: Append) => p.replies.map((x) => x.kind);
const only = (p: Append, kind: MessageIntent['kind']): MessageIntent => {
  const found = intents(p).filter((x) => x.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind} intent, got ${found.length}`);
  return found[0]!;
};
const addressesOf = (x: MessageIntent) => x.to.map((a) => a.address);

describe('agent-action: an answer to the requester', () => {
  const QUOTED = [
    'Have you tried turning it off and on again?',
    '',
    'On Mon, 2 Mar 2026 at 09:00, IT Service Desk <it@example.test> wrote:',
    '> Hello, the printer is jammed again.',
  ].join('\n');

  it('relays the new text (no quote) to the requester, marks the first response and waits on the requester', () => {
    const p = plan({ text: QUOTED, record: { status: 'new' } });
    expect(p).toMatchObject({ action: 'append', caseId: 'IT-7', messageKind: 'agent', statusTo: 'waiting', requesterMessageId: 'ask-1@client.example' });
    expect(p.fields).toMatchObject({ firstResponse: true, resolved: false, closed: false, waitUntil: null });
    expect(kinds(p)).toEqual(['relay']);
    const relay = only(p, 'relay');
    expect(relay).toMatchObject({ template: 'relay', to: [ALICE], threadTo: 'requester', automatic: false, fromName: 'Bob (IT Service Desk)', language: 'en' });
    expect(relay.vars.text).toBe('Have you tried turning it off and on again?');
    expect(relay.vars.subject).toBe('[IT-7] Printer jammed');
    expect(p.events.map((e) => e.type)).toEqual(['status-changed', 'first-response', 'relayed']);
  });

  it('relays in the case language, not the desk language', () => {
    const relay = only(plan({ text: 'Ya está arreglada.', record: { language: 'es' } }), 'relay');
    expect(relay.language).toBe('es');
  });

  it('a later answer is not the first response', () => {
    const p = plan({ text: 'Any news?', record: { status: 'open', firstResponseAt: '2026-03-02T08:00:00.000Z' } });
    expect(p.fields?.firstResponse).toBe(false);
    expect(p.statusTo).toBe('waiting');
  });

  it.each([
    ['new', 'open'],
    ['open', null],
    ['waiting', null],
  ] as const)('with agentReplySetsWaiting off, a %s case goes to %s', (status, statusTo) => {
    const ctx = ctxWith({ lifecycle: { agentReplySetsWaiting: false, reopenWindowDays: 7, autoCloseDays: 14 } });
    const p = plan({ text: 'On it.', record: { status }, ctx });
    expect(p.statusTo).toBe(statusTo);
    expect(kinds(p)).toEqual(['relay']);
  });

  it('never relays the command lines', () => {
    const p = plan({ text: '#priority high\nI will look at it today.' });
    expect(only(p, 'relay').vars.text).toBe('I will look at it today.');
    expect(p.reroute).toEqual({ priority: 'high' });
  });

  it.each([
    ['in To', [DESK, ALICE], []],
    ['in Cc', [DESK], [ALICE]],
    ['in Cc, plus-addressed and in another case', [DESK], [{ address: 'Alice+Home@Example.test', name: '' }]],
  ] as const)('reply-all (requester %s) is recorded as a public reply and never relayed again', (_label, to, cc) => {
    const p = plan({ text: 'Replaced the fuser, please try again.', to, cc, record: { status: 'new' } });
    expect(kinds(p)).toEqual([]);
    expect(p.messageKind).toBe('agent');
    expect(p.statusTo).toBe('waiting');
    expect(p.fields?.firstResponse).toBe(true);
    expect(p.events.at(-1)).toMatchObject({ type: 'public-reply', actor: 'bob@example.test' });
    expect(p.events.some((e) => e.type === 'relayed')).toBe(false);
  });
});

describe('agent-action: internal notes', () => {
  it.each([
    ['a #note line', { text: '#note\nThe vendor comes tomorrow.' }],
    ['#note with the text on the same line', { text: '#note The vendor comes tomorrow.' }],
    ['the it+note@ plus-address', { text: 'The vendor comes tomorrow.', ann: { plusTag: 'note' } }],
    ['the plus-address in the Italian alias', { text: 'The vendor comes tomorrow.', ann: { plusTag: 'nota' } }],
  ] as const)('%s goes to the other agents only, never to the requester', (_label, r) => {
    const p = plan(r as Run);
    expect(p.messageKind).toBe('note');
    expect(p.statusTo).toBeNull();
    expect(p.fields?.firstResponse).toBe(false);
    expect(kinds(p)).toEqual(['note', 'confirmation']);
    const note = only(p, 'note');
    expect(note).toMatchObject({ template: 'agent-notification', to: [MARIA], threadTo: 'this-mail', automatic: true });
    expect(note.vars).toMatchObject({ kind: 'note', text: 'The vendor comes tomorrow.', author: { address: 'bob@example.test', name: 'Bob' } });
    // compose turns this into the Reply-To, so answering a note stays internal.
    expect(note.vars.noteAddress).toBe('it+note@example.test');
    expect(addressesOf(only(p, 'confirmation'))).toEqual(['bob@example.test']);
    expect(p.replies.flatMap((x) => (Array.isArray(x.to) ? x.to : [x.to])).map((a) => a.address)).not.toContain('alice@example.test');
    expect(p.events.map((e) => e.type)).toEqual(['note-added']);
  });

  it('a note on a desk with a single agent has nobody to tell, and still never relays', () => {
    const p = plan({ text: '#note\nCalled the vendor.', ctx: ctxWith({ agents: [BOB] }) });
    expect(kinds(p)).toEqual(['confirmation']);
    expect(p.messageKind).toBe('note');
  });

  it('mail to a vendor that only copies the desk is a note, not a relay', () => {
    const vendor = { address: 'service@printers.example', name: 'Printer Service' };
    const p = plan({ text: 'Hello, could you send a technician for the Ricoh on floor 2?', to: [vendor], cc: [DESK] });
    expect(p.messageKind).toBe('note');
    expect(kinds(p)).toEqual(['note', 'confirmation']);
    expect(addressesOf(only(p, 'note'))).toEqual(['maria@example.test']);
  });

  it('mail to the requester that copies the desk is a public reply, not a note', () => {
    const p = plan({ text: 'Fixed on my side.', to: [ALICE], cc: [DESK] });
    expect(p.messageKind).toBe('agent');
    expect(p.events.at(-1)?.type).toBe('public-reply');
  });
});

describe('agent-action: commands', () => {
  it.each([
    ['#assign maria', { fields: { assignee: 'maria@example.test' } }, ['assigned']],
    ['#assign me', { fields: { assignee: 'bob@example.test' } }, ['assigned']],
    ['#asigna María', { fields: { assignee: 'maria@example.test' } }, ['assigned']],
    ['#priority urgent', { reroute: { priority: 'urgent' } }, ['priority-changed']],
    ['#prioridad alta', { reroute: { priority: 'high' } }, ['priority-changed']],
    ['#category network', { reroute: { category: 'network' } }, ['category-changed']],
    ['#assign maria #priority high #category network', { reroute: { priority: 'high', category: 'network' }, fields: { assignee: 'maria@example.test' } }, ['assigned', 'priority-changed', 'category-changed']],
  ] as const)('%s sets only those fields, relays nothing and confirms', (text, expected, events) => {
    const p = plan({ text });
    expect(p).toMatchObject({ messageKind: 'agent', statusTo: null, ...expected });
    if (!('reroute' in expected)) expect(p.reroute).toEqual({});
    // A new assignee other than the writer is told, besides the writer's confirmation.
    const assigned = p.fields?.assignee !== undefined && p.fields.assignee !== 'bob@example.test';
    expect(kinds(p)).toEqual(assigned ? ['confirmation', 'notification'] : ['confirmation']);
    if (assigned) expect(p.replies.flatMap((r) => (r.kind === 'notification' ? r.to.map((a) => a.address) : []))).toEqual([p.fields!.assignee]);
    expect(p.events.map((e) => e.type)).toEqual(events);
  });

  it('a command that changes nothing (priority already normal) is confirmed without an event', () => {
    const p = plan({ text: '#priority normal' });
    expect(p.reroute).toEqual({});
    expect(p.events).toEqual([]);
    expect(kinds(p)).toEqual(['confirmation']);
  });

  it('#wait 2d waits on the requester until then, with the reply relayed', () => {
    const p = plan({ text: '#wait 2d\nCan you send a photo of the display?' });
    expect(p.statusTo).toBe('waiting');
    expect(p.fields?.waitUntil).toBe('2026-03-04T09:00:00.000Z');
    expect(kinds(p)).toEqual(['relay', 'confirmation']);
    expect(p.events.find((e) => e.type === 'waiting-until')?.data).toEqual({ until: '2026-03-04T09:00:00.000Z' });
  });

  it.each([
    ['#resolve with text', '#resolve\nThe fuser was replaced.', ['relay', 'confirmation', 'rating-request']],
    ['#resolve alone', '#resolve', ['confirmation', 'rating-request']],
    ['#resuelto (Spanish)', '#resuelto', ['confirmation', 'rating-request']],
  ] as const)('%s resolves the case and asks the requester for a rating', (_label, text, expected) => {
    const p = plan({ text, record: { status: 'waiting', waitUntil: '2026-03-09T09:00:00.000Z' } });
    expect(p.statusTo).toBe('resolved');
    expect(p.fields).toMatchObject({ resolved: true, closed: false, waitUntil: null });
    expect(kinds(p)).toEqual(expected);
    const rating = only(p, 'rating-request');
    expect(rating).toMatchObject({ template: 'rating-request', to: [ALICE], threadTo: 'requester', automatic: true });
    expect((rating.vars.ratings as unknown[]).length).toBe(5);
    if ((expected as readonly string[]).includes('relay')) expect(only(p, 'relay').vars.text).toBe('The fuser was replaced.');
  });

  it('#close closes without a survey', () => {
    const p = plan({ text: '#close' });
    expect(p.statusTo).toBe('closed');
    expect(p.fields).toMatchObject({ resolved: false, closed: true });
    expect(kinds(p)).toEqual(['confirmation']);
  });

  it('#reopen on a resolved case reopens it, and the text then waits on the requester', () => {
    const p = plan({ text: '#reopen\nSorry, one more question: which floor?', record: { status: 'resolved', resolvedAt: '2026-03-01T09:00:00.000Z' } });
    expect(p.statusTo).toBe('waiting');
    expect(kinds(p)).toEqual(['relay', 'confirmation']);
  });

  it.each([
    ['an unknown command', '#asign maria\nI will take it.', /#asign/],
    ['an unknown agent', '#assign pedro\nText.', /pedro/],
    ['an unknown priority', '#priority extreme', /extreme/],
    ['an unknown category', '#category plumbing', /plumbing/],
    ['a bad duration', '#wait soon', /soon/],
    ['two status commands', '#resolve #close', /#close cannot be combined/],
    ['a status the case cannot take (#reopen on an open case)', '#reopen\nBack again.', /already open/],
  ])('%s: only a command error to the agent, nothing applied or relayed', (_label, text, mentions) => {
    const p = plan({ text });
    expect(p).toMatchObject({ messageKind: 'agent', statusTo: null, requesterMessageId: 'ask-1@client.example' });
    expect(p.fields).toBeUndefined();
    expect(p.reroute).toBeUndefined();
    expect(kinds(p)).toEqual(['command-error']);
    const err = only(p, 'command-error');
    expect(err).toMatchObject({ template: 'agent-command-error', to: [BOB], threadTo: 'this-mail', automatic: true });
    expect((err.vars.errors as string[]).join('\n')).toMatch(mentions);
    expect(typeof err.vars.help).toBe('string');
    expect(p.events).toEqual([{ type: 'commands-refused', actor: 'bob@example.test', data: { block: text.split('\n').filter((l) => l.startsWith('#')) } }]);
  });
});

const QUOTE_CORPORA = ['forward-crisp-email-forward-parser', 'reply-discourse-trimmer', 'reply-crisp-email-reply-parser'];
const NO_CORPORA = withoutCorpora(import.meta.url, QUOTE_CORPORA);

describe('agent-action: a command above quoted history relays nothing', () => {
  const corpus = (file: string, fromLine?: RegExp): string => {
    const text = readFileSync(path.join(CORPORA, file), 'utf8');
    if (!fromLine) return text;
    const lines = text.split(/\r?\n/);
    const i = lines.findIndex((l) => fromLine.test(l));
    if (i < 0) throw new Error(`${file}: no line matches ${fromLine}`);
    return lines.slice(i).join('\n');
  };
  const NOTIFICATION = [
    'New case',
    'Requester: Alice <alice@example.test>',
    'Category: hardware',
    '',
    'Hello, the printer is jammed again.',
  ].join('\n');

  const OUTLOOK = ['________________________________', 'From: IT Service Desk <it@example.test>', 'Sent: Monday, March 2, 2026 10:00 AM', 'To: bob@example.test', 'Subject: [IT-7] Printer jammed', '', NOTIFICATION].join('\r\n');
  const handWritten: [string, string][] = [
    ['Outlook "From: … Sent: …" (written like the client)', OUTLOOK],
    ['Outlook "*From:* … *Sent:* …" (bold fields, from an HTML-only reply)', ['*From:* IT Service Desk <it@example.test>', '*Sent:* Monday, March 2, 2026 10:00 AM', '*To:* bob@example.test', '*Subject:* [IT-7] Printer jammed', '', NOTIFICATION].join('\n')],
  ];
  // Real quote blocks from the corpora; without them only the hand-written ones run.
  const realBlocks = (): [string, string][] => [
    ['Outlook 2013 "From: … Sent: …" (corpus)', corpus('forward-crisp-email-forward-parser/outlook_2013_en_body.txt')],
    ['Spanish "De: … Enviado: …" (corpus)', corpus('reply-discourse-trimmer/emails/embedded_email_spanish_2.txt', /^De: /)],
    ['Spanish "-----Mensaje original----- De: … Enviado:" (corpus)', corpus('reply-discourse-trimmer/emails/embedded_email_spanish_2.txt', /Mensaje original/)],
    ['Italian "Da: … Inviato: …" (corpus)', corpus('reply-crisp-email-reply-parser/email_13.txt', /^Da: /)],
    ['English "On … wrote:" (corpus, Outlook 2019)', corpus('forward-crisp-email-forward-parser/outlook_2019_en_body.txt')],
    ['Spanish "El … escribió:" (corpus, Outlook 2019)', corpus('forward-crisp-email-forward-parser/outlook_2019_es_body.txt')],
    ['Spanish "El … escribió:" (corpus, Gmail-style wrapped)', corpus('reply-discourse-trimmer/emails/embedded_email_spanish_1.txt', /^El jueves/)],
    ['Italian "Il giorno … ha scritto:" (corpus)', corpus('forward-crisp-email-forward-parser/outlook_2019_it_body.txt')],
    ['New Outlook Spanish "De: … Fecha: …" (corpus)', corpus('forward-crisp-email-forward-parser/new_outlook_2019_es_body.txt')],
    ['New Outlook Italian "Da: … Data: …" (corpus)', corpus('forward-crisp-email-forward-parser/new_outlook_2019_it_body.txt')],
  ];
  const quotes = [...handWritten, ...(NO_CORPORA ? [] : realBlocks())];
  const outlook2013 = (): [string, string][] => [['Outlook 2013 (corpus)', corpus('forward-crisp-email-forward-parser/outlook_2013_en_body.txt')]];
  const outlookQuotes = [handWritten[0]!, ...(NO_CORPORA ? [] : outlook2013())];

  it.each(quotes)('"#resolve" directly above %s', (_label, quote) => {
    const p = plan({ text: `#resolve\r\n${quote}` });
    expect(p.statusTo).toBe('resolved');
    expect(kinds(p)).toEqual(['confirmation', 'rating-request']);
    expect(p.events.some((e) => e.type === 'relayed')).toBe(false);
    // Nothing of the quote reaches anyone, not even inside the confirmation.
    const everything = JSON.stringify(p.replies);
    for (const probe of ['Aenean', 'Nulla', 'Etiam', 'Igual que siempre', 'codinghorror', 'jammed again', 'Visita el tema']) {
      expect(everything).not.toContain(probe);
    }
  });

  it.each(outlookQuotes)('a blank line between the command and the quote (%s) changes nothing', (_label, quote) => {
    const p = plan({ text: `#resolve\n\n\n${quote}` });
    expect(kinds(p)).toEqual(['confirmation', 'rating-request']);
  });

  it.each(outlookQuotes)('text above the quote (%s) is relayed without the quote', (_label, quote) => {
    const p = plan({ text: `#resolve\nDone, the fuser was replaced.\n\n${quote}` });
    expect(only(p, 'relay').vars.text).toBe('Done, the fuser was replaced.');
  });
});

describe('agent-action: not for this stage', () => {
  const next = (r: Run) => {
    const res = run(r);
    if (!('next' in res)) throw new Error(`expected the pipeline to continue, got ${JSON.stringify(res)}`);
    return res.next;
  };

  it.each([
    ['the agent is the case requester', { record: { requester: { address: 'bob@example.test', name: 'Bob' } } }],
    ['the agent is the requester, plus-addressed', { record: { requester: { address: 'Bob+Home@example.test', name: 'Bob' } } }],
    ['the agent could not be verified', { ann: { sender: { agent: BOB, trusted: false, reason: 'no pass' } } }],
    ['the sender is not an agent', { ann: { sender: null } }],
    ['no case matched', { ann: { match: null } }],
    ['the match carries no record', { ann: { match: { caseId: 'IT-7', status: 'open', via: 'references' } } }],
    ['the mail is machine-generated', { ann: { autoGenerated: 'Auto-Submitted: auto-replied' } }],
    ['the mail is our own', { ann: { ownMail: 'carries our loop header' } }],
  ] as const)('%s → continues untouched', (_label, r) => {
    expect(next({ text: '#resolve\nDone.', ...(r as Partial<Run>) })).toEqual({});
  });
});
