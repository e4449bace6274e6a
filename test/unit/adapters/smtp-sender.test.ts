// The SMTP adapter against a scripted server on a loopback socket: a 535 to AUTH becomes SMTP_AUTH
// naming the server and the config keys (so the outbox pauses instead of failing replies), a 550 to RCPT
// stays SMTP_PERMANENT. The local Postfix offers no AUTH, hence the script.

import { afterEach, describe, expect, it } from 'vitest';
import { createSmtpSender } from '../../../src/adapters/smtp-sender.js';
import { isSportelloError, describeError } from '../../../src/errors.js';
import { closeScriptedSmtp, scriptedConfig, scriptedMail, scriptedSmtp } from '../../support/scripted-smtp.js';

afterEach(closeScriptedSmtp);

const mail = scriptedMail;
const smtp = scriptedConfig;

describe('createSmtpSender', () => {
  it('a 535 to AUTH is SMTP_AUTH, naming the server, the user and the config keys', async () => {
    const port = await scriptedSmtp({ EHLO: '250-scripted\r\n250 AUTH PLAIN LOGIN', AUTH: '535 5.7.8 Error: authentication failed' });
    const sender = createSmtpSender(smtp(port));
    const err = await sender.send(mail, '').catch((e: unknown) => e);
    sender.close();
    expect(isSportelloError(err, 'SMTP_AUTH')).toBe(true);
    expect(describeError(err)).toMatch(new RegExp(`^SMTP_AUTH: SMTP server 127\\.0\\.0\\.1:${port} rejected the login of sportello: .*535`));
    expect(describeError(err)).toContain('check smtp.user and smtp.password');
  });

  it('a 550 to RCPT stays SMTP_PERMANENT', async () => {
    const port = await scriptedSmtp({ EHLO: '250-scripted\r\n250 AUTH PLAIN LOGIN', AUTH: '235 2.7.0 ok', RCPT: '550 5.1.1 no such user' });
    const sender = createSmtpSender(smtp(port));
    const err = await sender.send(mail, '').catch((e: unknown) => e);
    sender.close();
    expect(isSportelloError(err, 'SMTP_PERMANENT')).toBe(true);
  });
});
