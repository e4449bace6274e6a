// `npm run demo`: the whole loop on the local mail stack. Brings the stack up (installing Dovecot and
// Postfix on first use), empties the mailboxes, sends sample employee mails in Spanish, Italian and
// English to it@ and hr@, runs Sportello, then a follow-up, an agent's answer from his mail client,
// the resolution and the rating, printing cases and every mail as it arrived.

import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/load.js';
import { buildApp } from '../src/app.js';
import { createLogger } from '../src/log.js';
import { casesTable, caseText } from '../src/cli/present.js';
import { readInbox, runMailstack, sendMail, waitForMessages, type InboxMessage } from '../test/support/mailstack.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const db = path.join(repo, 'var', 'demo.db');
const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const section = (title: string) => console.log(`\n${bold(`━━ ${title} ${'━'.repeat(Math.max(0, 70 - title.length))}`)}`);

const SAMPLES = [
  { from: 'alice', to: 'it', subject: 'No puedo entrar en el correo', text: 'Hola,\n\ndesde esta mañana no puedo entrar en el correo: me dice que la contraseña es incorrecta.\n¿Me la podéis restablecer?\n\nGracias,\nAlice' },
  { from: 'carlo', to: 'it', subject: 'La stampante del secondo piano non stampa', text: 'Buongiorno,\n\nla stampante del secondo piano non stampa più, la spia è arancione.\n\nGrazie,\nCarlo' },
  { from: 'alice', to: 'hr', subject: 'Question about my payslip', text: 'Hi,\n\nmy November payslip does not include the overtime I worked in October. Could you check?\n\nThanks,\nAlice' },
  { from: 'carlo', to: 'hr', subject: 'Richiesta ferie ad agosto', text: 'Buongiorno,\n\nvorrei chiedere due settimane di ferie dal 3 al 14 agosto.\n\nCordiali saluti,\nCarlo' },
];

function show(user: string, m: InboxMessage): void {
  console.log(`\n  ${bold(`${user}@example.test INBOX`)}  From: ${m.headers.get('from') ?? m.from}  Subject: ${m.subject}`);
  console.log(`  Auto-Submitted: ${m.headers.get('auto-submitted') ?? '-'}   In-Reply-To: ${m.inReplyTo ?? '-'}`);
  console.log(m.text.trim().split('\n').map((l) => `  │ ${l}`).join('\n'));
}

async function main() {
  section('1. Local mail stack (Dovecot + Postfix on 127.0.0.1)');
  await runMailstack(['up'], { timeoutMs: 600_000, echo: true });
  await runMailstack(['reset'], { echo: true });
  rmSync(db, { force: true });
  rmSync(`${db}-wal`, { force: true });
  rmSync(`${db}-shm`, { force: true });

  const config = await loadConfig(path.join(repo, 'sportello.yml'), { db });
  const app = await buildApp(config, { log: createLogger({ level: process.env.SPORTELLO_LOG_LEVEL ?? 'warn' }) });
  try {
    // First contact (startFrom: now, the default): each checkpoint starts at the mailbox's current end, so
    // only mail that arrives from now on is answered; old mail would be left untouched.
    const start = await app.once();
    console.log(`  first start: ${Object.entries(start.desks).map(([desk, r]) => `${desk} ${JSON.stringify(r)}`).join(', ')}`);

    section('2. Employees write to the team aliases');
    for (const m of SAMPLES) {
      await sendMail(m);
      console.log(`  ${m.from}@example.test → ${m.to}@example.test   “${m.subject}”`);
    }
    await waitForMessages('it', 2);
    await waitForMessages('hr', 2);

    section('3. Sportello processes the mailboxes (sportello once)');
    const first = await app.once();
    for (const [desk, r] of Object.entries(first.desks)) console.log(`  ${desk}: ${JSON.stringify(r)}`);
    console.log(`  replies sent: ${first.outbox.sent}`);

    section('4. Cases');
    console.log(casesTable(await app.store.listCases({}), config.timezone));

    section('5. Auto-replies as they arrived in the requesters\' mailboxes');
    await waitForMessages('alice', 2);
    await waitForMessages('carlo', 2);
    for (const user of ['alice', 'carlo']) for (const m of await readInbox(user)) show(user, m);

    section('6. Alice answers the auto-reply; the answer joins her case');
    const ack = (await readInbox('alice')).find((m) => m.subject.startsWith('[IT-'))!;
    await sendMail({
      from: 'alice',
      to: 'it',
      subject: `Re: ${ack.subject}`,
      inReplyTo: ack.messageId!,
      references: [...ack.references, ack.messageId!],
      text: `Lo he intentado desde otro ordenador y tampoco funciona.\n\nEl ${new Date().toLocaleDateString('es-ES')}, IT Service Desk escribió:\n> ${ack.text.trim().split('\n').join('\n> ')}`,
    });
    await waitForMessages('it', 3);
    const second = await app.once();
    console.log(`  IT: ${JSON.stringify(second.desks.IT)}   mails sent: ${second.outbox.sent} (agent notifications; a follow-up gets no second auto-reply)`);
    const caseId = /\[(IT-\d+)\]/.exec(ack.subject)![1]!;

    section('7. Bob, an agent, was notified and answers from his own mail client');
    const bobInbox = await readInbox('bob');
    const note = bobInbox.filter((m) => m.subject.includes(caseId)).at(-1)!;
    show('bob', note);
    await sendMail({
      from: 'bob',
      to: 'it',
      subject: `Re: ${note.subject}`,
      inReplyTo: note.messageId!,
      references: [...note.references, note.messageId!],
      text: `#priority high\nHola Alice, te he restablecido la contraseña: te llegará un SMS con la temporal.\n\nBob\n\nOn ${new Date().toUTCString()}, IT Service Desk wrote:\n> ${note.text.trim().split('\n').slice(0, 3).join('\n> ')}`,
    });
    await waitForMessages('it', 4);
    await app.once();
    await waitForMessages('alice', 3);
    show('alice', (await readInbox('alice')).at(-1)!);

    section('8. Bob resolves the case; Alice gets the survey and answers "5"');
    await sendMail({ from: 'bob', to: 'it', subject: `Re: ${note.subject}`, inReplyTo: note.messageId!, references: [note.messageId!], text: '#resolve' });
    await waitForMessages('it', 5);
    await app.once();
    await waitForMessages('alice', 4);
    const survey = (await readInbox('alice')).at(-1)!;
    show('alice', survey);
    await sendMail({ from: 'alice', to: 'it', subject: `Re: ${survey.subject}`, inReplyTo: survey.messageId!, references: [survey.messageId!], text: '5\n\n¡Muy rápidos, gracias!' });
    await waitForMessages('it', 6);
    await app.once();
    console.log(`\n${caseText((await app.store.getCaseDetail(caseId))!, config.timezone)}`);

    section('Done');
    console.log(`  Database: ${path.relative(repo, db)}. Try: npx sportello cases list --db ${path.relative(repo, db)}`);
    console.log(`                      npx sportello cases show ${caseId} --json --db ${path.relative(repo, db)}`);
    console.log('  The mail stack stays up; stop it with: bash scripts/mailstack.sh down');
  } finally {
    await app.close();
  }
}

main().catch((err: unknown) => {
  console.error(`\ndemo failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
