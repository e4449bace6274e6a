// Decides whether the daemon is ready: every desk connected and authenticated with a pass no older than
// twice the poll interval, the store writable, SMTP accepting our login, rules and templates loaded.
// Pure: reads a HealthSnapshot and the time, never a connection; a missing fact is a problem, not a pass.

import type { HealthSnapshot, Readiness, ReadinessProblem } from './snapshot.js';

export function readiness(snapshot: HealthSnapshot, now: Date): Readiness {
  const problems: ReadinessProblem[] = [];
  const staleAfterMs = 2 * snapshot.pollSeconds * 1000;
  for (const desk of snapshot.desks) {
    // Another daemon of the fleet works it: its readiness is that daemon's to report.
    if (desk.state === 'elsewhere') continue;
    if (desk.state === 'starting') {
      problems.push({ desk: desk.id, component: 'desk', code: 'STARTING', message: `desk ${desk.id} has not connected to its mailbox yet` });
    } else if (desk.state === 'down') {
      problems.push({ desk: desk.id, component: 'desk', code: desk.problem?.code ?? 'IMAP_CONNECT', message: desk.problem?.message ?? `desk ${desk.id} is not connected` });
    } else if (desk.lastPassAt && now.getTime() - Date.parse(desk.lastPassAt) > staleAfterMs) {
      const ageS = Math.round((now.getTime() - Date.parse(desk.lastPassAt)) / 1000);
      problems.push({ desk: desk.id, component: 'desk', code: 'STALE_PASS', message: `desk ${desk.id} last completed a pass ${ageS} s ago (more than 2 × pollSeconds = ${staleAfterMs / 1000} s)` });
    }
  }
  if (snapshot.store) problems.push({ component: 'store', code: snapshot.store.code, message: snapshot.store.message });
  if (snapshot.smtp) problems.push({ component: 'smtp', code: snapshot.smtp.code, message: snapshot.smtp.message });
  if (snapshot.rules) problems.push({ component: 'rules', code: snapshot.rules.code, message: snapshot.rules.message });
  if (snapshot.templates) problems.push({ component: 'templates', code: snapshot.templates.code, message: snapshot.templates.message });
  return { ready: problems.length === 0, problems };
}
