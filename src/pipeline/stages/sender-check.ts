// Recognises the desk's agents by their configured addresses and decides whether to believe them:
// by our server's Authentication-Results (RFC 8601, aligned DKIM/SPF/DMARC pass) or a trusted relay when
// the desk asks for it. Also reads the desk plus-tag (it+note@). Annotates only; never grants anything itself.

import type { Stage } from '../types.js';
import { continueWith } from '../types.js';
import { agentTrust } from '../../agents/trust.js';
import { firstPlusTag } from '../../agents/plus-address.js';

export const senderCheck: Stage = {
  name: 'sender-check',
  run(mail, _ann, ctx) {
    const agents = ctx.desk.agents;
    // A Bcc to it+note@ shows only in the envelope, which our own MTA records in Delivered-To / X-Original-To.
    const envelope = [...(mail.headers['x-original-to'] ?? []), ...(mail.headers['delivered-to'] ?? [])]
      .map((v) => v.trim().replace(/^<|>$/g, '').toLowerCase())
      .filter((v) => v.includes('@'));
    const plus = firstPlusTag([...mail.to.map((a) => a.address), ...mail.cc.map((a) => a.address), ...envelope], [ctx.desk.address]);
    const t = agentTrust(mail, {
      agents,
      ...ctx.desk.trust,
    });
    const agent = t.agent ? (agents.find((a) => a.address === t.agent) ?? { address: t.agent, name: '' }) : null;
    return continueWith({
      sender: agent ? { agent, trusted: t.trusted, reason: t.reason } : null,
      plusTag: plus?.tag ?? null,
    });
  },
};
