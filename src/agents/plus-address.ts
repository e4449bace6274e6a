// Decides whether a recipient is one of our desk addresses with a "+tag" (RFC 5233 subaddress): it+note@ → note.
// Trusts only the address text; a tag is a request, never an authorisation — only a trusted agent's tag counts.
// Must never treat a tag on a foreign domain, or an empty tag ("it+@"), as ours.

export interface PlusTag {
  /** The desk address as configured (lower-case), e.g. "it@example.test". */
  readonly desk: string;
  /** The tag, lower-case, e.g. "note". */
  readonly tag: string;
}

/** Separates "local+tag@domain" into the base address and the tag (null when there is none). Lower-cases both. */
export function splitPlus(address: string): { readonly base: string; readonly tag: string | null } {
  const a = address.trim().toLowerCase();
  const at = a.lastIndexOf('@');
  if (at <= 0) return { base: a, tag: null };
  const local = a.slice(0, at);
  const plus = local.indexOf('+');
  if (plus < 0) return { base: a, tag: null };
  const tag = local.slice(plus + 1);
  return { base: `${local.slice(0, plus)}${a.slice(at)}`, tag: tag === '' ? null : tag };
}

/**
 * The desk and tag of a plus-address of one of our desks, or null.
 * @example plusTag('IT+Note@Example.test', ['it@example.test']) // → { desk: 'it@example.test', tag: 'note' }
 */
export function plusTag(address: string, deskAddresses: readonly string[]): PlusTag | null {
  const { base, tag } = splitPlus(address);
  if (tag === null) return null;
  const desk = deskAddresses.find((d) => d.trim().toLowerCase() === base);
  return desk === undefined ? null : { desk: desk.trim().toLowerCase(), tag };
}

/** The first desk plus-tag among the recipients (To, then Cc, as the caller orders them), or null. */
export function firstPlusTag(recipients: readonly string[], deskAddresses: readonly string[]): PlusTag | null {
  for (const r of recipients) {
    const t = plusTag(r, deskAddresses);
    if (t) return t;
  }
  return null;
}

/** "it@example.test" + "note" → "it+note@example.test"; null for an address without a domain. */
export function plusAddress(deskAddress: string, tag: string): string | null {
  const a = splitPlus(deskAddress).base;
  const at = a.lastIndexOf('@');
  return at <= 0 ? null : `${a.slice(0, at)}+${tag.toLowerCase()}${a.slice(at)}`;
}
