// Turns a desk's rules (calendar, SLA policies, knowledge articles) into what a new case is told:
// first-response and resolution due times in business time, whether the desk is open, when it opens,
// on-call contact, and up to three articles. Pure: `now` is passed in, the calendar does the time math.

import type { InboundMail } from '../domain/mail.js';
import type { RoutingDecision } from '../domain/routing.js';
import type { ArticleRef, SlaPlan } from '../domain/plan.js';
import { addBusinessMinutes, isOpen, nextOpening } from '../sla/index.js';
import { suggestArticles } from '../knowledge/index.js';
import type { DeskRules } from '../rules/index.js';
import { slaPolicyFor } from '../rules/sla-policy.js';

export function planSla(desk: DeskRules | undefined, routing: RoutingDecision, now: Date): SlaPlan | null {
  const calendar = desk?.calendar;
  const policy = desk ? slaPolicyFor(desk, routing) : null;
  if (!calendar || !policy) return null;
  const open = isOpen(calendar, now);
  return {
    policy: policy.name,
    firstResponseMinutes: policy.firstResponseMinutes,
    resolutionMinutes: policy.resolutionMinutes,
    firstResponseDueAt: addBusinessMinutes(calendar, now, policy.firstResponseMinutes).toISOString(),
    dueAt: addBusinessMinutes(calendar, now, policy.resolutionMinutes).toISOString(),
    timezone: calendar.timezone,
    open,
    opensAt: open ? null : nextOpening(calendar, now).toISOString(),
    onCall: calendar.onCall,
  };
}

export function findArticles(desk: DeskRules | undefined, mail: InboundMail, routing: RoutingDecision): ArticleRef[] {
  if (!desk || desk.articles.length === 0) return [];
  return suggestArticles(desk.articles, {
    desk: desk.id,
    category: routing.category,
    language: routing.language,
    subject: mail.subject,
    text: mail.text,
  }).map((s) => ({ id: s.id, title: s.title, url: s.url, body: s.body }));
}
