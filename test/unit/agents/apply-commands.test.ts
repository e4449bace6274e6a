// One agent mail against a case: all-or-nothing, the reply/status-command order, field changes only when they
// change, who receives the text, and the SLA pause computed from the first to the last status.
import { describe, expect, it } from 'vitest';
import { applyCommands, type CaseState } from '../../../src/agents/apply-commands.js';
import { parseCommandBlock, type CommandVocabulary } from '../../../src/agents/commands.js';

const NOW = new Date('2026-03-10T12:00:00.000Z');
const VOCAB: CommandVocabulary = { categories: ['network', 'hardware'], agents: [{ address: 'maria@example.test' }, { address: 'luca@example.test' }] };
const state = (over: Partial<CaseState> = {}): CaseState => ({ status: 'open', assignee: null, priority: 'normal', category: 'network', resolvedAt: null, ...over });

function run(text: string, over: Partial<CaseState> = {}) {
  const p = parseCommandBlock(text, VOCAB);
  return applyCommands(state(over), p.commands, p.errors, { now: NOW, actor: 'maria@example.test', resolvedAt: over.resolvedAt ?? null, hasBody: p.body !== '' });
}

describe('applyCommands', () => {
  it.each([
    // text, status before, status after (undefined = unchanged), relayTo, pause
    ['Could you restart it?', 'new', 'waiting', 'requester', 'start'],
    ['Could you restart it?', 'waiting', undefined, 'requester', null],
    ['#note vendor called', 'open', undefined, 'agents', null],
    ['#note\n\n--\nMaría', 'open', undefined, null, null],
    ['#resolve\nReplaced the toner.', 'open', 'resolved', 'requester', 'start'],
    ['#resolve', 'waiting', 'resolved', null, null],
    ['#close', 'resolved', 'closed', null, null],
    ['#reopen\nDoes it still fail?', 'resolved', 'waiting', 'requester', null],
    ['#reopen', 'closed', 'open', null, 'end'],
    ['#wait 2d\nPlease send the serial number.', 'open', 'waiting', 'requester', 'start'],
    ['#note #resolve internal only', 'open', 'resolved', 'agents', 'start'],
    ['#priority high', 'new', undefined, null, null],
  ] as const)('%j on %s', (text, before, after, relayTo, pause) => {
    const out = run(text, { status: before });
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.changes.status).toBe(after);
    expect(out.relayTo).toBe(relayTo);
    expect(out.pause).toBe(pause);
  });

  it('applies field changes and logs each one', () => {
    const out = run('#assign luca #priority urgent #category hardware #wait 4h');
    expect(out).toMatchObject({
      ok: true,
      changes: { assignee: 'luca@example.test', priority: 'urgent', category: 'hardware', status: 'waiting', waitUntil: '2026-03-10T16:00:00.000Z' },
    });
    expect(out.ok && out.events.map((e) => e.type)).toEqual(['status-changed', 'waiting-until', 'assigned', 'priority-changed', 'category-changed']);
  });

  it('logs nothing for a value the case already has', () => {
    const out = run('#priority normal #category network #assign maria', { assignee: 'maria@example.test' });
    expect(out).toEqual({ ok: true, changes: {}, pause: null, events: [], relayTo: null, applied: expect.any(Array) });
  });

  it('a parse error refuses the whole mail', () => {
    const out = run('#assign luca\n#priority extreme\nHello');
    expect(out).toMatchObject({ ok: false, lifecycleErrors: [] });
    expect(!out.ok && out.commandErrors.map((e) => e.code)).toEqual(['bad-value']);
  });

  it.each([
    ['#resolve', 'closed', 'invalid'],
    ['#resolve\nFixed again.', 'resolved', 'already'],
    ['#reopen', 'open', 'already'],
    ['#wait 1d', 'resolved', 'invalid'],
  ] as const)('%j on a %s case is refused as a whole (%s)', (text, status, code) => {
    const out = run(`#assign luca ${text}`, { status });
    expect(out).toMatchObject({ ok: false, commandErrors: [] });
    expect(!out.ok && out.lifecycleErrors.map((e) => e.code)).toEqual([code]);
  });

  it('records a note only when it has text', () => {
    const out = run('#note the vendor ships Monday');
    expect(out.ok && out.events).toEqual([{ type: 'note-added', actor: 'maria@example.test', data: {} }]);
  });
});

describe('#eta', () => {
  it('becomes a change the shell promises, with an event', () => {
    const r = run('#eta 2026-12-10');
    expect(r).toMatchObject({ ok: true, changes: { eta: { date: '2026-12-10' } }, relayTo: null });
    if (r.ok) expect(r.events).toContainEqual({ type: 'eta-set', actor: 'maria@example.test', data: { value: '2026-12-10' } });
  });
});
