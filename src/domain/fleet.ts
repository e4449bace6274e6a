// Several daemons on one PostgreSQL store: which mailboxes this instance should hold, given the lease
// rows and the live instances. Trusts only the rows and the injected clock (hosts keep time by NTP, well
// under the lease period). Must never take a lease another live owner renews, and never keep an owner's
// epoch when the owner changes: the epoch is the fencing token every mailbox commit checks.

/** Lease names: one heartbeat row per daemon, one per mailbox, one for the periodic work. */
export const INSTANCE_PREFIX = 'instance:';
export const MAILBOX_PREFIX = 'mailbox:';
export const HOUSEKEEPING_LEASE = 'housekeeping';

export const instanceLease = (token: string) => `${INSTANCE_PREFIX}${token}`;
export const mailboxLease = (desk: string) => `${MAILBOX_PREFIX}${desk}`;

/** One row of the lease table. A released lease keeps its row (owner null) so its epoch only grows. */
export interface FleetLease {
  readonly name: string;
  /** The holder's instance token; null when released. */
  readonly owner: string | null;
  readonly host: string | null;
  readonly pid: number | null;
  readonly heartbeatAt: string | null;
  readonly leaseUntil: string | null;
  /** Increases on every change of owner; a commit under an older epoch is rolled back. */
  readonly epoch: number;
}

/** The instance deciding. */
export interface FleetMember {
  readonly token: string;
  readonly host: string;
  readonly pid: number;
}

export interface FleetView {
  readonly leases: readonly FleetLease[];
  /** The desk ids this instance is configured for (every instance is configured alike). */
  readonly mailboxes: readonly string[];
  readonly me: FleetMember;
  readonly now: Date;
  readonly ttlMs: number;
  /** A `once` holds the store's writer lease: register, but take, keep and renew nothing (its leases run out). */
  readonly blocked?: boolean;
}

export interface FleetPlan {
  /** Live instance tokens (ours included), sorted. */
  readonly live: readonly string[];
  /** ceil(mailboxes / live instances): the most mailboxes one instance should hold. */
  readonly share: number;
  /** Rows to write in the same transaction: our heartbeat, mailboxes renewed or taken, housekeeping. */
  readonly put: readonly FleetLease[];
  /** Heartbeat rows of instances whose lease ran out (their mailbox rows stay, keeping the epochs). */
  readonly drop: readonly string[];
  /** Mailboxes we hold after this decision, with the epoch to fence commits with (giveBack ones included). */
  readonly held: ReadonlyMap<string, number>;
  /** Held mailboxes over our share: stop their desk loops first, then release them (releaseMailbox). */
  readonly giveBack: readonly string[];
  /** Whether we hold the housekeeping lease (escalations, auto-close, promise watch, daily jobs). */
  readonly housekeeping: boolean;
  /** Mailboxes taken now from another owner whose lease ran out: who, and their last heartbeat (failover time). */
  readonly takeovers: readonly Takeover[];
}

export interface Takeover {
  readonly desk: string;
  readonly from: string;
  readonly lastHeartbeatAt: string | null;
  readonly leaseUntil: string | null;
  readonly at: string;
  readonly epoch: number;
}

const live = (l: FleetLease, now: Date) => l.owner !== null && l.leaseUntil !== null && Date.parse(l.leaseUntil) > now.getTime();

/**
 * One heartbeat's decision. Our own unexpired leases are renewed with their epoch; free or expired ones
 * are taken (epoch + 1) in desk order until we hold our fair share; a lease held live by another owner is
 * never touched. Holding more than the share (a new instance joined) gives the excess back, last desks
 * first, so the newcomer finds them free on its next heartbeat.
 */
export function planFleet(view: FleetView): FleetPlan {
  const { now, me } = view;
  const byName = new Map(view.leases.map((l) => [l.name, l]));
  const until = new Date(now.getTime() + view.ttlMs).toISOString();
  const stamp = { host: me.host, pid: me.pid, heartbeatAt: now.toISOString(), leaseUntil: until };
  const renew = (name: string): FleetLease => {
    const cur = byName.get(name);
    const mine = cur !== undefined && cur.owner === me.token && live(cur, now);
    return { name, owner: me.token, ...stamp, epoch: mine ? cur.epoch : (cur?.epoch ?? 0) + 1 };
  };

  const instances = view.leases.filter((l) => l.name.startsWith(INSTANCE_PREFIX));
  const liveTokens = new Set(instances.filter((l) => live(l, now)).map((l) => l.name.slice(INSTANCE_PREFIX.length)));
  liveTokens.add(me.token);
  const liveList = [...liveTokens].sort();
  const drop = instances.filter((l) => !live(l, now) && l.name !== instanceLease(me.token)).map((l) => l.name);

  const mailboxes = [...new Set(view.mailboxes)].sort();
  const share = mailboxes.length === 0 ? 0 : Math.ceil(mailboxes.length / liveList.length);
  const status = (desk: string): 'mine' | 'free' | 'taken' => {
    const cur = byName.get(mailboxLease(desk));
    if (!cur || !live(cur, now)) return 'free';
    return cur.owner === me.token ? 'mine' : 'taken';
  };
  const kept = view.blocked ? [] : mailboxes.filter((d) => status(d) === 'mine');
  const keep = kept.slice(0, share);
  const giveBack = kept.slice(share);
  const take = view.blocked ? [] : mailboxes.filter((d) => status(d) === 'free').slice(0, Math.max(0, share - keep.length));

  const put: FleetLease[] = [{ name: instanceLease(me.token), owner: me.token, ...stamp, epoch: byName.get(instanceLease(me.token))?.epoch ?? 0 }];
  const held = new Map<string, number>();
  // Given-back mailboxes are renewed once more: their loops must stop before the row is released.
  for (const desk of [...keep, ...giveBack, ...take].sort()) {
    const row = renew(mailboxLease(desk));
    put.push(row);
    held.set(desk, row.epoch);
  }
  const hk = byName.get(HOUSEKEEPING_LEASE);
  const housekeeping = !view.blocked && (!hk || !live(hk, now) || hk.owner === me.token);
  if (housekeeping) put.push(renew(HOUSEKEEPING_LEASE));
  const takeovers = take.flatMap((desk): Takeover[] => {
    const cur = byName.get(mailboxLease(desk));
    return cur?.owner && cur.owner !== me.token ? [{ desk, from: cur.owner, lastHeartbeatAt: cur.heartbeatAt, leaseUntil: cur.leaseUntil, at: now.toISOString(), epoch: held.get(desk)! }] : [];
  });
  return { live: liveList, share, put, drop, held, giveBack, housekeeping, takeovers };
}

/** The row that gives a mailbox back (after its desk loop stopped): owner cleared, epoch kept. */
export function released(lease: FleetLease): FleetLease {
  return { ...lease, owner: null, host: null, pid: null, leaseUntil: null };
}

/** Who owns each mailbox now, for `sportello status` and /readyz. */
export interface MailboxOwner {
  readonly desk: string;
  /** Null when nobody holds it (free, or its holder's lease ran out). */
  readonly owner: string | null;
  readonly host: string | null;
  readonly pid: number | null;
  readonly epoch: number;
  readonly leaseUntil: string | null;
}

export function mailboxOwners(leases: readonly FleetLease[], mailboxes: readonly string[], now: Date): MailboxOwner[] {
  const byName = new Map(leases.map((l) => [l.name, l]));
  return mailboxes.map((desk) => {
    const l = byName.get(mailboxLease(desk));
    const held = l !== undefined && live(l, now);
    return { desk, owner: held ? l.owner : null, host: held ? l.host : null, pid: held ? l.pid : null, epoch: l?.epoch ?? 0, leaseUntil: held ? l.leaseUntil : null };
  });
}
