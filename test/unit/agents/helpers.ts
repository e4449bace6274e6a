// Shared by the agents tests: the corpora (test/support/corpora.ts) and a minimal InboundMail builder.
import { fileURLToPath } from 'node:url';
import type { InboundMail } from '../../../src/domain/mail.js';

export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export { CORPORA, corpusFile as corpus } from '../../support/corpora.js';

export function inbound(over: Partial<InboundMail> = {}): InboundMail {
  return {
    messageId: 'm1@example.test',
    inReplyTo: [],
    references: [],
    subject: 'Printer',
    from: { address: 'maria@example.test', name: 'María' },
    replyTo: [],
    to: [{ address: 'it@example.test', name: '' }],
    cc: [],
    date: '2026-03-02T09:00:00.000Z',
    headers: {},
    text: '',
    html: null,
    attachments: [],
    size: 100,
    returnPath: 'maria@example.test',
    ...over,
  };
}
