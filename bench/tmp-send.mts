import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
const port = Number(process.env.MAILSTACK_SMTP_PORT);
const mk = (i: number) => ({
  from: { name: 'IT desk', address: 'it@example.test' }, to: ['ivo@example.test'], subject: `[IT-${i}] Re: Printer jammed — we have it`,
  messageId: `<sportello.IT-${i}.r1@example.test>`, inReplyTo: '<abc@example.test>', references: ['<abc@example.test>'],
  headers: { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All', 'X-Sportello-Case': `IT-${i}` },
  text: 'Hola Ivo,\n\nHemos recibido tu solicitud y abierto el caso IT-12. Lo resolveremos antes del martes 24 de noviembre a las 14:00 — según nuestro horario.\n\n'.repeat(4),
  envelope: { from: '', to: ['ivo@example.test'] },
});
const N = 1000;
for (const mode of ['full', 'raw', 'full', 'raw', 'full', 'raw']) {
  const t = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, pool: true, maxConnections: 4, maxMessages: 1000 });
  const c0 = process.cpuUsage(); const w0 = performance.now();
  await Promise.all(Array.from({ length: N }, async (_, i) => {
    const m = mk(i);
    if (mode === 'full') return t.sendMail(m);
    const raw = await new MailComposer(m).compile().build();
    return t.sendMail({ envelope: m.envelope, raw });
  }));
  const c = process.cpuUsage(c0);
  console.log(mode, 'cpu ms/send', ((c.user + c.system) / 1000 / N).toFixed(3), 'wall/s', (N / (performance.now() - w0) * 1000).toFixed(0));
  t.close();
}
