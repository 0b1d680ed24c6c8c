// struct neighbour and its state machine (net/core/neighbour.c): neigh_event_send, neigh_timer_handler,
// __neigh_update, neigh_invalidate, neigh_probe, neigh_event_ns and the output functions
// (neigh_resolve_output, neigh_connected_output, neigh_direct_output, neigh_output/neigh_hh_output).
import { TimerEntry, type Clock } from '../core/clock.js';
import { EINVAL, ENETDOWN, ENOBUFS, EPERM } from '../core/errno.js';
import { devHardHeader, type HhCache, type NetDevice } from '../core/netdevice.js';
import type { SkBuff } from '../core/skbuff.js';
import { EMPTY_BUFFER, slabAlloc } from '../core/slab.js';
import {
  NEIGH_UPDATE_F_ADMIN,
  NEIGH_UPDATE_F_EXT_LEARNED,
  NEIGH_UPDATE_F_ISROUTER,
  NEIGH_UPDATE_F_MANAGED,
  NEIGH_UPDATE_F_OVERRIDE,
  NEIGH_UPDATE_F_OVERRIDE_ISROUTER,
  NEIGH_UPDATE_F_USE,
  NEIGH_UPDATE_F_WEAK_OVERRIDE,
  NTF_EXT_LEARNED,
  NTF_MANAGED,
  NTF_ROUTER,
  NUD_CONNECTED,
  NUD_DELAY,
  NUD_FAILED,
  NUD_INCOMPLETE,
  NUD_IN_TIMER,
  NUD_NOARP,
  NUD_NONE,
  NUD_PERMANENT,
  NUD_PROBE,
  NUD_REACHABLE,
  NUD_STALE,
  NUD_VALID,
} from './nud.js';
import type { NeighParms } from './parms.js';
import type { NeighOps, NeighTable } from './table.js';

/** n->output: 0 or a negative errno; the packet is consumed either way. */
export type NeighOutputFn<K> = (n: Neighbour<K>, skb: SkBuff) => number;

/** Room for a cached link-layer header (HH_DATA_MOD-aligned, as hh_data). */
export const HH_DATA_LEN = 32;

/**
 * The arpQueue of every entry that never queued: most entries never do, and an empty array each
 * costs more than the rest of their queue bookkeeping. Only enqueue() may replace it; nothing
 * ever pushes onto it.
 */
const NO_QUEUE: SkBuff[] = [];
/** HZ/100: no neighbour timer is ever armed closer than this to "now". */
export const NEIGH_MIN_TIMER_MS = 10;

/** Placeholder ops until the protocol constructor picks real ones: everything is dropped. */
const UNSET_OPS: NeighOps<never> = {
  family: 0,
  solicit: () => {},
  errorReport: () => {},
  output: neighBlackhole,
  connectedOutput: neighBlackhole,
};

/**
 * Bits of Neighbour.bits: four booleans in one small integer instead of four tagged fields, and
 * above them the two byte-sized fields `type` (bits 8-15) and `protocol` (bits 16-23).
 */
const B_DEAD = 1;
const B_ON_GC_LIST = 2;
const B_CREATED_EXEMPT = 4;
const B_ON_MANAGED_LIST = 8;
const B_TYPE_SHIFT = 8;
const B_PROTOCOL_SHIFT = 16;

/**
 * struct neighbour. Its timer is embedded (the entry is the clock's TimerEntry; `timer` is the
 * entry itself), and its flags share one integer: at 100k entries every field counts.
 */
export class Neighbour<K> extends TimerEntry implements HhCache {
  // The lookup and fast-path fields come first so a chain walk and neigh_output touch one cache line.
  /** Hash chain. */
  next: Neighbour<K> | null = null;
  readonly primaryKey: K;
  readonly dev: NetDevice;
  nudState = NUD_NONE;
  /** Cached link-layer header (struct hh_cache, embedded); hhLen 0 and no storage until the first resolved transmission fills it. */
  hhLen = 0;
  hhData: Buffer = EMPTY_BUFFER;
  output: NeighOutputFn<K> = neighBlackhole;
  readonly tbl: NeighTable<K>;
  parms!: NeighParms;
  /** Link-layer address, dev.addrLen bytes, rewritten in place. */
  readonly ha: Buffer;
  ops: NeighOps<K> = UNSET_OPS as unknown as NeighOps<K>;
  /** NTF_* (ndm_flags) in the low byte, ext flags (NTF_MANAGED) above. */
  flags: number;
  private bits = B_DEAD;
  /** One reference belongs to the table while hashed, one to a pending timer. */
  refcnt = 1;
  probes = 0;
  updated: number;
  used: number;
  confirmed: number;
  /** Packets waiting for resolution, oldest first; the shared empty NO_QUEUE until the first one. */
  arpQueue: SkBuff[] = NO_QUEUE;
  arpQueueLenBytes = 0;
  /** gc_list links (oldest at the table's head). */
  gcPrev: Neighbour<K> | null = null;
  gcNext: Neighbour<K> | null = null;

  constructor(tbl: NeighTable<K>, dev: NetDevice, primaryKey: K, flags: number, now: number) {
    super();
    this.primaryKey = primaryKey;
    this.dev = dev;
    this.tbl = tbl;
    this.ha = slabAlloc(dev.addrLen);
    this.flags = flags;
    this.updated = now;
    this.used = now;
    this.confirmed = now;
  }

  /** The table's clock (the timer's base), read through the table: one field less per entry. */
  get clock(): Clock {
    return this.tbl.clock;
  }

  /** Protocol address type (RTN_* for IPv4 and IPv6, 0-255), set by the constructor; kept in `bits`. */
  get type(): number {
    return (this.bits >>> B_TYPE_SHIFT) & 0xff;
  }
  set type(v: number) {
    this.bits = (this.bits & ~(0xff << B_TYPE_SHIFT)) | ((v & 0xff) << B_TYPE_SHIFT);
  }

  /** NDA_PROTOCOL: who installed the entry (0 = unspecified; a u8 as in the kernel); kept in `bits`. */
  get protocol(): number {
    return (this.bits >>> B_PROTOCOL_SHIFT) & 0xff;
  }
  set protocol(v: number) {
    this.bits = (this.bits & ~(0xff << B_PROTOCOL_SHIFT)) | ((v & 0xff) << B_PROTOCOL_SHIFT);
  }

  /** The entry's cached header (neigh->hh) is part of the entry itself. */
  get hh(): HhCache {
    return this;
  }

  /** The entry's timer (neigh->timer) is the entry itself. */
  get timer(): TimerEntry {
    return this;
  }

  fire(): void {
    neighTimerHandler(this);
  }

  /** Unhashed; no new state may be installed. */
  get dead(): boolean {
    return (this.bits & B_DEAD) !== 0;
  }
  set dead(v: boolean) {
    this.bits = v ? this.bits | B_DEAD : this.bits & ~B_DEAD;
  }

  get onGcList(): boolean {
    return (this.bits & B_ON_GC_LIST) !== 0;
  }
  set onGcList(v: boolean) {
    this.bits = v ? this.bits | B_ON_GC_LIST : this.bits & ~B_ON_GC_LIST;
  }

  /** Created exempt from GC (loopback, admin PERMANENT/EXT_LEARNED) and not re-evaluated since. */
  get createdExempt(): boolean {
    return (this.bits & B_CREATED_EXEMPT) !== 0;
  }
  set createdExempt(v: boolean) {
    this.bits = v ? this.bits | B_CREATED_EXEMPT : this.bits & ~B_CREATED_EXEMPT;
  }

  get onManagedList(): boolean {
    return (this.bits & B_ON_MANAGED_LIST) !== 0;
  }
  set onManagedList(v: boolean) {
    this.bits = v ? this.bits | B_ON_MANAGED_LIST : this.bits & ~B_ON_MANAGED_LIST;
  }
}

// ---- references ------------------------------------------------------------------------------

export function neighHold<K>(n: Neighbour<K>): Neighbour<K> {
  n.refcnt++;
  return n;
}

export function neighRelease<K>(n: Neighbour<K>): void {
  if (--n.refcnt === 0) neighDestroy(n);
}

/** neigh_destroy(): the last reference is gone; only unhashed (dead) entries may go. */
function neighDestroy<K>(n: Neighbour<K>): void {
  const tbl = n.tbl;
  tbl.stats.destroys++;
  if (!n.dead) {
    // "Destroying alive neighbour": the kernel warns and leaks it; so do we.
    tbl.stats.extra.aliveDestroys++;
    return;
  }
  n.timer.del();
  purgeQueue(n);
  n.parms.refcnt--;
  tbl.entries--;
}

function purgeQueue<K>(n: Neighbour<K>): void {
  n.tbl.stats.extra.queuePurged += n.arpQueue.length;
  n.arpQueue.length = 0;
  n.arpQueueLenBytes = 0;
}

// ---- timers ----------------------------------------------------------------------------------

/** neigh_add_timer(): the pending timer holds a reference. */
function neighAddTimer<K>(n: Neighbour<K>, when: number): void {
  neighHold(n);
  // Timer-driven states report "used" no older than the last confirmation.
  if (n.used < n.confirmed) n.used = n.confirmed;
  if (n.timer.mod(when)) neighRelease(n); // double add: keep the count honest
}

/** neigh_del_timer(): only IN_TIMER states own a timer. */
export function neighDelTimer<K>(n: Neighbour<K>): boolean {
  if (n.nudState & NUD_IN_TIMER && n.timer.del()) {
    neighRelease(n);
    return true;
  }
  return false;
}

// ---- output selection ------------------------------------------------------------------------

/** neigh_suspect(): the address needs confirmation; leave the fast path. */
export function neighSuspect<K>(n: Neighbour<K>): void {
  n.output = n.ops.output;
}

/** neigh_connect(): the address is trusted; use the connected output. */
export function neighConnect<K>(n: Neighbour<K>): void {
  n.output = n.ops.connectedOutput;
}

/** neigh_confirm(): upper-layer proof of reachability (a TCP ACK, ...) — DELAY returns to REACHABLE. */
export function neighConfirm<K>(n: Neighbour<K>): void {
  n.confirmed = n.tbl.clock.now();
}

/** ucast + app + (PROBE ? mcast_reprobes : mcast_probes). */
export function neighMaxProbes<K>(n: Neighbour<K>): number {
  const p = n.parms;
  return p.ucastProbes + p.appProbes + (n.nudState & NUD_PROBE ? p.mcastReprobes : p.mcastProbes);
}

// ---- probing and failure ---------------------------------------------------------------------

/**
 * neigh_probe(): solicit with the newest queued packet (the protocol reads its source address),
 * then count the probe. The packet stays queued and must be treated as read-only.
 */
export function neighProbe<K>(n: Neighbour<K>): void {
  const q = n.arpQueue;
  const skb = q.length > 0 ? q[q.length - 1] : null;
  n.ops.solicit(n, skb);
  n.probes++;
}

/**
 * neigh_invalidate(): resolution failed. "Every queued packet goes to error_report" while the
 * entry stays FAILED (a report may re-enter the entry); whatever is left is dropped.
 */
export function neighInvalidate<K>(n: Neighbour<K>): void {
  const tbl = n.tbl;
  tbl.stats.resFailed++;
  n.updated = tbl.clock.now();
  const q = n.arpQueue;
  while (n.nudState === NUD_FAILED && q.length > 0) {
    const skb = q.shift()!;
    n.arpQueueLenBytes -= skb.truesize;
    n.ops.errorReport(n, skb);
  }
  purgeQueue(n);
}

/** neigh_app_ns(): tell userspace resolvers about a miss (RTM_GETNEIGH). */
export function neighAppNs<K>(n: Neighbour<K>): void {
  n.tbl.neighNotify(n, 'miss', 0);
}

/** __neigh_set_probe_once(): give a FAILED entry one more probe window. */
export function neighSetProbeOnce<K>(n: Neighbour<K>): void {
  if (n.dead) return;
  const now = n.tbl.clock.now();
  n.updated = now;
  if (!(n.nudState & NUD_FAILED)) return;
  n.nudState = NUD_INCOMPLETE;
  n.probes = neighMaxProbes(n);
  neighAddTimer(n, now + Math.max(n.parms.retransTime, NEIGH_MIN_TIMER_MS));
}

// ---- the timer -------------------------------------------------------------------------------

/** neigh_timer_handler(): armed on n.timer for IN_TIMER states; the pending timer held a reference. */
export function neighTimerHandler<K>(n: Neighbour<K>): void {
  const tbl = n.tbl;
  const now = tbl.clock.now();
  const state = n.nudState;
  if (!(state & NUD_IN_TIMER)) {
    neighRelease(n);
    return;
  }
  const p = n.parms;
  let next = now + 1000;
  let notify = false;
  if (state & NUD_REACHABLE) {
    if (now <= n.confirmed + p.reachableTime) {
      // Confirmed within ReachableTime: still reachable.
      next = n.confirmed + p.reachableTime;
    } else if (now <= n.used + p.delayProbeTime) {
      // Expired but used recently: give upper layers delay_probe_time to confirm.
      n.nudState = NUD_DELAY;
      n.updated = now;
      neighSuspect(n);
      next = now + p.delayProbeTime;
    } else {
      // Expired and idle: STALE, no timer until the next packet.
      n.nudState = NUD_STALE;
      n.updated = now;
      neighSuspect(n);
      notify = true;
    }
  } else if (state & NUD_DELAY) {
    if (now <= n.confirmed + p.delayProbeTime) {
      // Confirmed during DELAY: back to REACHABLE without probing.
      n.nudState = NUD_REACHABLE;
      n.updated = now;
      neighConnect(n);
      notify = true;
      next = n.confirmed + p.reachableTime;
    } else {
      // No confirmation: start unicast probing.
      n.nudState = NUD_PROBE;
      n.updated = now;
      n.probes = 0;
      notify = true;
      next = now + Math.max(p.retransTime, NEIGH_MIN_TIMER_MS);
    }
  } else {
    // INCOMPLETE or PROBE: retransmit.
    next = now + Math.max(p.retransTime, NEIGH_MIN_TIMER_MS);
  }

  if (n.nudState & (NUD_INCOMPLETE | NUD_PROBE) && n.probes >= neighMaxProbes(n)) {
    // Probes exhausted: FAILED, queued packets reported.
    n.nudState = NUD_FAILED;
    neighInvalidate(n);
    tbl.neighNotify(n, 'newneigh', 0);
    neighRelease(n);
    return;
  }
  if (notify) tbl.neighNotify(n, 'newneigh', 0);
  if (n.nudState & NUD_IN_TIMER) {
    if (next < now + NEIGH_MIN_TIMER_MS) next = now + NEIGH_MIN_TIMER_MS;
    if (!n.timer.mod(next)) neighHold(n);
  }
  if (n.nudState & (NUD_INCOMPLETE | NUD_PROBE)) neighProbe(n);
  neighRelease(n);
}

// ---- event_send ------------------------------------------------------------------------------

/**
 * neigh_event_send(): note the use; false means "transmit now", true means the packet was queued
 * (INCOMPLETE) or dropped. CONNECTED, DELAY and PROBE transmit at once.
 */
export function neighEventSend<K>(n: Neighbour<K>, skb: SkBuff | null): boolean {
  n.used = n.tbl.clock.now();
  if (n.nudState & (NUD_CONNECTED | NUD_DELAY | NUD_PROBE)) return false;
  return eventSendSlow(n, skb, true);
}

/** neigh_event_send_probe(): immediateOk false defers the first probe to the timer (managed refresh). */
export function neighEventSendProbe<K>(n: Neighbour<K>, skb: SkBuff | null, immediateOk: boolean): boolean {
  n.used = n.tbl.clock.now();
  if (n.nudState & (NUD_CONNECTED | NUD_DELAY | NUD_PROBE)) return false;
  return eventSendSlow(n, skb, immediateOk);
}

/** __neigh_event_send(). */
function eventSendSlow<K>(n: Neighbour<K>, skb: SkBuff | null, immediateOk: boolean): boolean {
  const tbl = n.tbl;
  const now = tbl.clock.now();
  const p = n.parms;
  if (n.dead) {
    // A flushed entry still referenced: a STALE one may send, anything else drops.
    if (n.nudState & NUD_STALE) return false;
    if (skb) tbl.stats.extra.eventSendDrops++;
    return true;
  }
  let immediateProbe = false;
  if (!(n.nudState & (NUD_STALE | NUD_INCOMPLETE))) {
    // NONE or FAILED: "start resolution if anything may be sent", else fail at once.
    if (p.mcastProbes + p.appProbes > 0) {
      n.probes = p.ucastProbes;
      neighDelTimer(n);
      n.nudState = NUD_INCOMPLETE;
      n.updated = now;
      let next: number;
      if (immediateOk) {
        immediateProbe = true;
        next = now + Math.max(p.retransTime, NEIGH_MIN_TIMER_MS);
      } else {
        next = now + 1;
      }
      neighAddTimer(n, next);
    } else {
      n.nudState = NUD_FAILED;
      n.updated = now;
      if (skb) tbl.stats.extra.eventSendDrops++;
      return true;
    }
  } else if (n.nudState & NUD_STALE) {
    // STALE: send with the old address, ask for confirmation within delay_probe_time.
    neighDelTimer(n);
    n.nudState = NUD_DELAY;
    n.updated = now;
    neighAddTimer(n, now + p.delayProbeTime);
  }

  let queued = false;
  if (n.nudState === NUD_INCOMPLETE) {
    if (skb) enqueue(n, skb);
    queued = true;
  }
  if (immediateProbe) neighProbe(n);
  return queued;
}

/** "Drop the oldest until the new packet fits; then append it, even if it alone is too big." */
function enqueue<K>(n: Neighbour<K>, skb: SkBuff): void {
  let q = n.arpQueue;
  if (q === NO_QUEUE) n.arpQueue = q = [];
  const limit = n.parms.queueLenBytes;
  while (n.arpQueueLenBytes + skb.truesize > limit && q.length > 0) {
    const old = q.shift()!;
    n.arpQueueLenBytes -= old.truesize;
    n.tbl.stats.unresDiscards++;
  }
  q.push(skb.own());
  n.arpQueueLenBytes += skb.truesize;
}

// ---- update ----------------------------------------------------------------------------------

function haEqual(a: Buffer, b: Buffer, len: number): boolean {
  for (let i = 0; i < len; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** neigh_update_hhs(): rewrite the cached header's destination after the address changed. */
export function neighUpdateHhs<K>(n: Neighbour<K>): void {
  const ops = n.dev.headerOps;
  const update = ops ? ops.cacheUpdate : null;
  if (update !== null && n.hh.hhLen !== 0) update(n.hh, n.dev, n.ha);
}

/** neigh_update_flags(): only administrative updates may set or clear EXT_LEARNED and MANAGED. */
function updateAdminFlags<K>(n: Neighbour<K>, flags: number): { notify: boolean; gc: boolean; managed: boolean } | null {
  if (!(flags & NEIGH_UPDATE_F_ADMIN)) return null;
  let want = flags & NEIGH_UPDATE_F_EXT_LEARNED ? NTF_EXT_LEARNED : 0;
  want |= flags & NEIGH_UPDATE_F_MANAGED ? NTF_MANAGED : 0;
  const diff = (n.flags ^ want) & (NTF_EXT_LEARNED | NTF_MANAGED);
  if (diff === 0) return null;
  n.flags ^= diff;
  return { notify: true, gc: (diff & NTF_EXT_LEARNED) !== 0, managed: (diff & NTF_MANAGED) !== 0 };
}

/** neigh_update_is_router(). */
function updateIsRouter<K>(n: Neighbour<K>, flags: number): boolean {
  const want = flags & NEIGH_UPDATE_F_ISROUTER ? NTF_ROUTER : 0;
  if (((n.flags ^ want) & NTF_ROUTER) === 0) return false;
  n.flags ^= NTF_ROUTER;
  return true;
}

/**
 * __neigh_update(): install a new state and/or link-layer address. lladdr null means "not
 * supplied". Returns 0 or a negative errno (EPERM for dead or static entries, EINVAL when an
 * address is needed and missing); `extack` receives the kernel's text for the two it names.
 */
export function neighUpdate<K>(n: Neighbour<K>, lladdr: Buffer | null, newState: number, flags: number, nlmsgPid = 0, extack?: { msg: string | null }): number {
  const tbl = n.tbl;
  const dev = n.dev;
  const now = tbl.clock.now();
  const old = n.nudState;
  let nu = newState;
  let err = -EPERM;
  let notify = false;
  let gcUpdate = false;
  let managedUpdate = false;
  let isRouterUpdate = false;
  let processQueue = false;

  out: {
    // 1. "Neighbor entry is now dead".
    if (n.dead) {
      if (extack) extack.msg = 'Neighbor entry is now dead';
      nu = old;
      break out;
    }
    // 2. Only the administrator touches NOARP and PERMANENT entries.
    if (!(flags & NEIGH_UPDATE_F_ADMIN) && old & (NUD_NOARP | NUD_PERMANENT)) break out;

    const fl = updateAdminFlags(n, flags);
    if (fl) {
      notify = true;
      gcUpdate = fl.gc;
      managedUpdate = fl.managed;
    }
    // 3. USE/MANAGED only drop PERMANENT; the caller's event_send does the rest.
    if (flags & (NEIGH_UPDATE_F_USE | NEIGH_UPDATE_F_MANAGED)) {
      nu = old & ~NUD_PERMANENT;
      n.nudState = nu;
      err = 0;
      break out;
    }
    // 4. Invalid new state: stop the timer, leave the fast path.
    if (!(nu & NUD_VALID)) {
      neighDelTimer(n);
      if (old & NUD_CONNECTED) neighSuspect(n);
      n.nudState = nu;
      err = 0;
      notify = (old & NUD_VALID) !== 0;
      if (old & (NUD_INCOMPLETE | NUD_PROBE) && nu & NUD_FAILED) {
        neighInvalidate(n);
        notify = true;
      }
      break out;
    }
    // 5. Which address: none needed, the same one, a new one, or "keep what we know".
    let sameAddr: boolean;
    if (dev.addrLen === 0) {
      sameAddr = true;
    } else if (lladdr !== null) {
      sameAddr = (old & NUD_VALID) !== 0 && haEqual(lladdr, n.ha, dev.addrLen);
    } else {
      err = -EINVAL;
      if (!(old & NUD_VALID)) {
        if (extack) extack.msg = 'No link layer address given';
        break out;
      }
      sameAddr = true;
    }
    // 6. Any connected-state update confirms, even if step 7 rejects it.
    if (nu & NUD_CONNECTED) n.confirmed = now;
    err = 0;
    isRouterUpdate = (flags & NEIGH_UPDATE_F_OVERRIDE_ISROUTER) !== 0;
    // 7. A valid entry keeps its address unless overridden; a request never demotes REACHABLE.
    if (old & NUD_VALID) {
      if (!sameAddr && !(flags & NEIGH_UPDATE_F_OVERRIDE)) {
        isRouterUpdate = false;
        if (flags & NEIGH_UPDATE_F_WEAK_OVERRIDE && old & NUD_CONNECTED) {
          sameAddr = true;
          nu = NUD_STALE;
        } else {
          break out;
        }
      } else if (sameAddr && nu === NUD_STALE && !(flags & NEIGH_UPDATE_F_ADMIN)) {
        nu = old;
      }
    }
    // 8. Only real changes move "updated" (it anchors the ARP locktime window).
    if (nu !== old || !sameAddr) n.updated = now;
    // 9. New state: restart the timer.
    if (nu !== old) {
      neighDelTimer(n);
      if (nu & NUD_PROBE) n.probes = 0;
      if (nu & NUD_IN_TIMER) neighAddTimer(n, now + (nu & NUD_REACHABLE ? n.parms.reachableTime : 0));
      n.nudState = nu;
      notify = true;
    }
    // 10. New address: copy in place, refresh the cached header.
    if (!sameAddr) {
      lladdr!.copy(n.ha, 0, 0, dev.addrLen);
      neighUpdateHhs(n);
      if (!(nu & NUD_CONNECTED)) n.confirmed = now - 2 * n.parms.baseReachableTime;
      notify = true;
    }
    if (nu === old) break out;
    // 11. Pick the output; a newly valid entry sends what was waiting.
    if (nu & NUD_CONNECTED) neighConnect(n);
    else neighSuspect(n);
    if (!(old & NUD_VALID)) processQueue = true;
  }

  if (isRouterUpdate && updateIsRouter(n, flags)) notify = true;
  if (notify) tbl.neighNotify(n, 'newneigh', nlmsgPid);
  if (processQueue) processArpQueue(n);
  if ((nu ^ old) & NUD_PERMANENT || gcUpdate) tbl.updateGcList(n);
  if (managedUpdate) tbl.updateManagedList(n);
  return err;
}

/** neigh_update_process_arp_queue(): send the waiting packets in order while the entry stays valid. */
function processArpQueue<K>(n: Neighbour<K>): void {
  const q = n.arpQueue;
  while (n.nudState & NUD_VALID && q.length > 0) {
    const skb = q.shift()!;
    n.arpQueueLenBytes -= skb.truesize;
    n.output(n, skb);
  }
  purgeQueue(n);
}

/**
 * neigh_event_ns(): a solicitation from `key` told us its address — look it up (creating it when
 * an address was given) and make it STALE with OVERRIDE. The result is held: release it.
 */
export function neighEventNs<K>(tbl: NeighTable<K>, lladdr: Buffer | null, key: K, dev: NetDevice): Neighbour<K> | null {
  const n = tbl.lookupCreate(key, dev, lladdr !== null || dev.addrLen === 0);
  if (n) neighUpdate(n, lladdr, NUD_STALE, NEIGH_UPDATE_F_OVERRIDE, 0);
  return n;
}

// ---- output ----------------------------------------------------------------------------------

/** neigh_blackhole(): dead or unconstructed entries drop everything. */
export function neighBlackhole<K>(n: Neighbour<K>, _skb: SkBuff): number {
  n.tbl.stats.extra.blackholeDrops++;
  return -ENETDOWN;
}

/** neigh_hh_init(): fill the header cache once, from the current address. */
export function neighHhInit<K>(n: Neighbour<K>): void {
  const ops = n.dev.headerOps;
  if (ops === null || ops.cache === null || n.hh.hhLen !== 0) return;
  if (n.hh.hhData.length === 0) n.hh.hhData = slabAlloc(HH_DATA_LEN);
  ops.cache(n.ha, n.hh, n.dev, n.tbl.protocol);
}

/** dev_hard_header() towards n.ha, then dev_queue_xmit(). */
function hardHeaderXmit<K>(n: Neighbour<K>, skb: SkBuff): number {
  const dev = n.dev;
  const proto = skb.protocol !== 0 ? skb.protocol : n.tbl.protocol;
  if (devHardHeader(skb, dev, proto, n.ha, null, skb.len) < 0) {
    n.tbl.stats.extra.hhFillFailed++;
    return -EINVAL;
  }
  return devXmit(n, skb);
}

function devXmit<K>(n: Neighbour<K>, skb: SkBuff): number {
  const net = n.dev.net;
  if (net === null) {
    n.tbl.stats.extra.blackholeDrops++;
    return -ENETDOWN;
  }
  return net.devQueueXmit(skb);
}

/** neigh_resolve_output(): "slow and careful" — resolve first, cache the header once, then send. */
export function neighResolveOutput<K>(n: Neighbour<K>, skb: SkBuff): number {
  if (neighEventSend(n, skb)) return 0;
  if (n.hh.hhLen === 0) neighHhInit(n);
  return hardHeaderXmit(n, skb);
}

/** neigh_connected_output(): build the header from n.ha without resolving. */
export function neighConnectedOutput<K>(n: Neighbour<K>, skb: SkBuff): number {
  return hardHeaderXmit(n, skb);
}

/** neigh_direct_output(): links without link-layer headers. */
export function neighDirectOutput<K>(n: Neighbour<K>, skb: SkBuff): number {
  return devXmit(n, skb);
}

/** neigh_hh_output(): prepend the cached header and transmit. Allocation-free. */
export function neighHhOutput(hh: HhCache, skb: SkBuff): number {
  const len = hh.hhLen;
  const off = skb.data - len;
  if (off < 0) return -ENOBUFS;
  skb.data = off;
  const src = hh.hhData;
  const dst = skb.buf;
  // A byte loop: for a 14-byte header it measured ~2.5× faster than Buffer#copy (a native call).
  for (let i = 0; i < len; i++) dst[off + i] = src[i];
  return skb.dev!.net!.devQueueXmit(skb);
}

/**
 * neigh_output(): the per-packet fast path. CONNECTED with a cached header → prepend and send;
 * anything else goes through n.output.
 */
export function neighOutput<K>(n: Neighbour<K>, skb: SkBuff, skipCache = false): number {
  const hh = n.hh;
  if (!skipCache && (n.nudState & NUD_CONNECTED) !== 0 && hh.hhLen !== 0) {
    if (skb.data < hh.hhLen) {
      n.tbl.stats.extra.hhHeadroomDrops++;
      return -ENOBUFS;
    }
    return neighHhOutput(hh, skb);
  }
  return n.output(n, skb);
}
