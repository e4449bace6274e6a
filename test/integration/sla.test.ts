// Expected resolution time end to end on the real stack, with an injected clock: the Spanish auto-reply
// of a Friday-evening mail names Tuesday's due time, when work starts and how to reach on-call, and a
// fitting article; waiting on the requester pauses the clock; a priority change moves the due time and
// tells the requester; the escalation address gets one mail per threshold, never twice.

import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { readInbox, sendMail, waitForMessages } from '../support/mailstack.js';
import { freshStackEachTest, manualClock, REPO, stackConfig, testApp, waitForEmptyQueue } from '../support/app.js';

let app: App | null = null;
freshStackEachTest();

function rulesEscalatingTo(address: string): string {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'sportello-rules-')), 'rules');
  cpSync(path.join(REPO, 'rules'), dir, { recursive: true });
  const file = path.join(dir, 'it.yml');
  writeFileSync(file, readFileSync(file, 'utf8').replace('address: it-lead@example.test', `address: ${address}`));
  return dir;
}

describe('expected resolution time', () => {
  it('promises, pauses, moves and escalates, telling each person once', async () => {
    const clock = manualClock('2026-11-20T15:30:00Z'); // Friday 16:30 in Madrid: the IT desk closed at 15:00
    const at = (iso: string) => clock.set(iso);
    app = await testApp(stackConfig(undefined, rulesEscalatingTo('maria@example.test'), 'none'), { clock });

    await sendMail({ from: 'alice', to: 'it', subject: 'Contraseña caducada', text: 'Hola, no puedo entrar en el correo: dice que mi contraseña ha caducado. Gracias.' });
    await waitForMessages('it', 1);
    await app.once();
    const kase = (await app.store.getCaseDetail('IT-1'))!;
    expect(kase).toMatchObject({ category: 'access', language: 'es', slaPolicy: 'standard', firstResponseDueAt: '2026-11-23T12:00:00.000Z', dueAt: '2026-11-24T17:00:00.000Z' });

    await waitForMessages('alice', 1);
    const [ack] = await readInbox('alice');
    expect(ack!.text).toContain('Prevemos resolverlo antes del martes 24 de noviembre a las 18:00.');
    expect(ack!.text).toContain('empezaremos con su solicitud el lunes 23 de noviembre a las 9:00');
    expect(ack!.text).toContain('+34 910 000 000');
    expect(ack!.text).toContain('Restablecer una contraseña olvidada o caducada');

    // Monday 10:00: the desk asks alice something and waits; Tuesday 10:00 she answers.
    at('2026-11-23T09:00:00Z');
    expect(await app.updateCase('IT-1', { status: 'waiting' }, 'bob@example.test')).toMatchObject({ status: 'waiting', dueAt: null, dueMoved: false });
    at('2026-11-24T09:00:00Z');
    await sendMail({ from: 'alice', to: 'it', subject: `Re: ${ack!.subject}`, inReplyTo: ack!.messageId!, references: [ack!.messageId!], text: 'Ya he probado a cambiarla y no me deja.' });
    await waitForMessages('it', 2);
    await app.once();
    // One business day (8 h) was spent waiting on alice: the promise moves from Tuesday to Wednesday 18:00.
    expect(await app.store.getCaseDetail('IT-1')).toMatchObject({ status: 'open', dueAt: '2026-11-25T17:00:00.000Z' });

    // Raised to urgent: 4 h target, 1 h already used before the pause → due Tuesday 13:00; alice is told.
    const raised = await app.updateCase('IT-1', { priority: 'urgent' }, 'bob@example.test');
    expect(raised).toMatchObject({ dueAt: '2026-11-24T12:00:00.000Z', dueMoved: true });
    await waitForMessages('alice', 2);
    const notice = (await readInbox('alice'))[1]!;
    expect(notice.subject).toBe('[IT-1] Contraseña caducada');
    expect(notice.headers.get('auto-submitted')).toBe('auto-generated');
    expect(notice.text).toContain('Ahora: martes 24 de noviembre a las 13:00');

    // 12:30: three quarters of the 4 h are used → warning; 13:30: breached. Each mailed exactly once.
    at('2026-11-24T11:30:00Z');
    expect((await app.once()).escalations).toBe(1);
    expect((await app.once()).escalations).toBe(0);
    at('2026-11-24T12:30:00Z');
    expect((await app.once()).escalations).toBe(1);
    expect((await app.once()).escalations).toBe(0);
    await waitForMessages('maria', 2);
    await waitForEmptyQueue();
    const escalations = await readInbox('maria');
    expect(escalations.map((m) => m.subject)).toEqual([
      expect.stringMatching(/^\[IT-1\] SLA warning, 75\s?% used: Contraseña caducada$/),
      '[IT-1] SLA breached: Contraseña caducada',
    ]);
    const events = (await app.store.getCaseDetail('IT-1'))!.events.map((e) => e.type);
    expect(events).toEqual(expect.arrayContaining(['sla-started', 'sla-paused', 'sla-resumed', 'due-changed', 'sla-warning', 'sla-breach']));
    const metrics = (await app.scrapeMetrics()).body;
    expect(metrics).toMatch(/^sportello_sla_escalations_total\{desk="IT",threshold="warning"\} 1$/m);
    expect(metrics).toMatch(/^sportello_sla_escalations_total\{desk="IT",threshold="breach"\} 1$/m);
  });
});
