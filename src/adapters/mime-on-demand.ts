// The MIME parser loaded on first use (mailparser, html-to-text, libmime: ~6 MB resident): the daemon
// parses in worker threads, so its main thread needs it only when workers fail to start or an agent's
// attachments are relayed, and most commands never. Same functions, same results as mime-parser.ts.
import type { parseMail as ParseMail, extractAttachments as ExtractAttachments } from './mime-parser.js';

export const parseMail: typeof ParseMail = async (...args) => (await import('./mime-parser.js')).parseMail(...args);

export const extractAttachments: typeof ExtractAttachments = async (...args) => (await import('./mime-parser.js')).extractAttachments(...args);
