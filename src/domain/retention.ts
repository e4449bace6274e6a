// What the store is asked to drop or erase: the retention cutoffs of one run and the person being
// erased. Plain records the store ports speak in; src/housekeeping/retention.ts decides their values.

/** ISO instants before which data goes; null = that kind of data is kept forever. */
export interface PurgeCutoffs {
  readonly rawBefore: string | null;
  readonly closedBefore: string | null;
}

/** An erase target: matches the address with any +tag, in any case ("Alice+HR@X" is alice@x). */
export interface ErasureTarget {
  readonly base: string;
  readonly placeholder: string;
  readonly matches: (address: string | null | undefined) => boolean;
  /** Replaces every occurrence of the address (with or without +tag) inside free text or JSON. */
  readonly scrub: (text: string) => string;
  /** Cheap pre-filter for SQL: the "@domain" part, lower-cased. */
  readonly domainNeedle: string;
}
