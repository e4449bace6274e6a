// Our own Message-IDs: "sportello.<case>.<unique>@<desk domain>" (RFC 5322 msg-id without brackets).
// The case id inside is only a hint: follow-up matching trusts the stored message table, which knows
// every id we sent. Must never produce two equal ids: the unique part comes from an injected generator.

export function ownMessageId(caseId: string, deskAddress: string, unique: string): string {
  const domain = deskAddress.split('@')[1] ?? 'localhost';
  return `sportello.${caseId}.${unique}@${domain}`;
}

const OWN = /^sportello\.([A-Z][A-Z0-9]{0,9}-[1-9][0-9]{0,8})\.[A-Za-z0-9_-]+@(.+)$/;

/** The case id named by one of our Message-IDs sent from one of `domains`, or null. */
export function caseIdFromOwnMessageId(id: string, domains: readonly string[]): string | null {
  const m = OWN.exec(id);
  if (!m) return null;
  return domains.includes(m[2]!.toLowerCase()) ? m[1]! : null;
}
