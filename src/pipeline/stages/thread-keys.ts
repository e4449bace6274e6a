// Extracts what could tie a mail to an existing case: referenced Message-IDs (RFC 5322 §3.6.4
// In-Reply-To, then References newest first) and this desk's subject tags. Keys only: whether
// they really match is decided after the lookup, by follow-up-match.

import type { Stage } from '../types.js';
import { continueWith } from '../types.js';
import { findCaseTags } from '../../mail/subject.js';

export const threadKeys: Stage = {
  name: 'thread-keys',
  run(mail, _ann, ctx) {
    const ids = [...mail.inReplyTo, ...[...mail.references].reverse()].filter((id) => id.length > 0);
    const tags = findCaseTags(mail.subject).filter((t) => t.startsWith(`${ctx.desk.prefix}-`));
    return continueWith({ threadKeys: { messageIds: [...new Set(ids)], tags: [...new Set(tags)] } });
  },
};
