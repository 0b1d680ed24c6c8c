// struct neigh_parms and its knobs: neigh_parms_alloc/release, neigh_rand_reach_time,
// NEIGH_VAR_SET/data_state, neigh_copy_dflt_parms and the sysctl/netlink range checks.
import { EINVAL, StackError } from '../core/errno.js';
import type { NetDevice } from '../core/netdevice.js';
import { skbTruesize } from '../core/skbuff.js';

/** The settable per-table/per-device values (all times in ms). */
export interface NeighParmsValues {
  /** mcast_solicit: broadcast probes while INCOMPLETE (default 3). */
  mcastProbes: number;
  /** ucast_solicit: unicast probes in PROBE (default 3). */
  ucastProbes: number;
  /** app_solicit: probes left to a userspace daemon via `miss` events (default 0). */
  appProbes: number;
  /** mcast_resolicit: broadcast probes after the unicast ones in PROBE (default 0). */
  mcastReprobes: number;
  /** retrans_time: ms between probes (default 1000). */
  retransTime: number;
  /** base_reachable_time: REACHABLE lasts a random 0.5–1.5 times this, in ms (default 30000). */
  baseReachableTime: number;
  /** delay_first_probe_time: ms in DELAY before probing (default 5000). */
  delayProbeTime: number;
  /** interval_probe_time_ms: how often MANAGED entries are re-probed (default 5000). */
  intervalProbeTimeMs: number;
  /** gc_stale_time: ms an unused entry may stay before GC may take it (default 60000). */
  gcStaletime: number;
  /** unres_qlen_bytes: bytes (truesize) queued per unresolved entry (default 212992). */
  queueLenBytes: number;
  /** proxy_qlen: requests waiting for the proxy delay (default 64). */
  proxyQlen: number;
  /** anycast_delay: ms (kept for the uapi; ARP does not use it, default 1000). */
  anycastDelay: number;
  /** proxy_delay: maximum random ms before answering a proxied request (default 800). */
  proxyDelay: number;
  /** locktime: ms after an update during which another lladdr is ignored (default 1000). */
  locktime: number;
}

/** The name of one {@link NeighParmsValues} knob. */
export type NeighParmName = keyof NeighParmsValues;

/** ETH_FRAME_LEN: the frame size the deprecated packet-count queue limit is expressed in. */
export const ETH_FRAME_LEN = 1514;
const INT_MAX = 0x7fffffff;
/** SKB_TRUESIZE(ETH_FRAME_LEN): bytes one full frame costs against queue_len_bytes. */
export const UNRES_QLEN_TRUESIZE = skbTruesize(ETH_FRAME_LEN);

const INT_MIN = -0x80000000;

/**
 * Lowest value per knob. The kernel keeps each in an int; its sysctl handlers let negative times
 * through (base_reachable_time=-5 is stored as -5000 jiffies), the counts they refuse negative,
 * and netlink takes only unsigned values, so only the counts, queue sizes and
 * interval_probe_time_ms have a floor here.
 */
const MIN_VALUE: Readonly<Record<NeighParmName, number>> = {
  mcastProbes: 0, ucastProbes: 0, appProbes: 0, mcastReprobes: 0, retransTime: INT_MIN,
  baseReachableTime: INT_MIN, delayProbeTime: INT_MIN, intervalProbeTimeMs: 1, gcStaletime: INT_MIN,
  queueLenBytes: 0, proxyQlen: 0, anycastDelay: INT_MIN, proxyDelay: INT_MIN, locktime: INT_MIN,
};

/**
 * neigh_rand_reach_time(): uniform in [base/2, 3·base/2); 0 stays 0. As in the kernel the base is
 * an unsigned long (get_random_u32_below() takes its low 32 bits) and the result lands in an int,
 * so a negative base_reachable_time, or one past INT_MAX/1.5, gives a wrapped value.
 */
export function neighRandReachTime(base: number, random: () => number): number {
  return base !== 0 ? (Math.floor(random() * (base >>> 0)) + (base >> 1)) | 0 : 0;
}

/** What a parms object needs from its table: randomness and the list of device parms. */
export interface NeighParmsOwner {
  readonly random: () => number;
  /** neigh_copy_dflt_parms(): push a default to every device parms that has not set the value. */
  copyDefaultParm(name: NeighParmName): void;
}

export class NeighParms implements NeighParmsValues {
  /** Names accepted by {@link NeighParms.set}, in `ip ntable` order of appearance. */
  static readonly NAMES: readonly NeighParmName[] = Object.freeze([
    'mcastProbes', 'ucastProbes', 'appProbes', 'mcastReprobes', 'retransTime', 'baseReachableTime',
    'delayProbeTime', 'intervalProbeTimeMs', 'gcStaletime', 'queueLenBytes', 'proxyQlen',
    'anycastDelay', 'proxyDelay', 'locktime',
  ] as NeighParmName[]);

  mcastProbes: number;
  ucastProbes: number;
  appProbes: number;
  mcastReprobes: number;
  retransTime: number;
  baseReachableTime: number;
  delayProbeTime: number;
  intervalProbeTimeMs: number;
  gcStaletime: number;
  queueLenBytes: number;
  proxyQlen: number;
  anycastDelay: number;
  proxyDelay: number;
  locktime: number;
  /** The randomised ReachableTime actually used by the state machine. */
  reachableTime: number;
  /** Owning device; null for the table default. */
  readonly dev: NetDevice | null;
  /** Set by neigh_parms_release(): entries may no longer be created with these parms. */
  dead = false;
  refcnt = 1;
  /** Packets of this parms currently in the table's proxy queue. */
  qlen = 0;
  /** data_state: the knobs written on this object itself (so defaults no longer flow in). */
  private readonly written = new Set<NeighParmName>();

  constructor(values: Readonly<NeighParmsValues>, dev: NetDevice | null, private readonly owner: NeighParmsOwner) {
    this.mcastProbes = values.mcastProbes;
    this.ucastProbes = values.ucastProbes;
    this.appProbes = values.appProbes;
    this.mcastReprobes = values.mcastReprobes;
    this.retransTime = values.retransTime;
    this.baseReachableTime = values.baseReachableTime;
    this.delayProbeTime = values.delayProbeTime;
    this.intervalProbeTimeMs = values.intervalProbeTimeMs;
    this.gcStaletime = values.gcStaletime;
    this.queueLenBytes = values.queueLenBytes;
    this.proxyQlen = values.proxyQlen;
    this.anycastDelay = values.anycastDelay;
    this.proxyDelay = values.proxyDelay;
    this.locktime = values.locktime;
    this.dev = dev;
    this.reachableTime = neighRandReachTime(this.baseReachableTime, owner.random);
  }

  /** NDTPA_IFINDEX: 0 for the table default. */
  get ifindex(): number {
    return this.dev ? this.dev.ifindex : 0;
  }

  /**
   * set_bit(data_state) alone: what neigh_proc_update() does after a sysctl write the conversion
   * refused — the knob counts as written and no longer follows the default.
   */
  markWritten(name: NeighParmName): void {
    this.written.add(name);
  }

  /** True when this knob was written on this object (test_bit(data_state)). */
  isSet(name: NeighParmName): boolean {
    return this.written.has(name);
  }

  /**
   * Writes one knob the way a sysctl write does: validate, store, mark it as set; writing
   * base_reachable_time re-randomises reachable_time; a write on the table default is copied to
   * every device that has not set the value itself. `propagate = false` is the netlink path
   * (neightbl_set / `ip ntable change`), which the kernel does not copy to devices.
   */
  set(name: NeighParmName, value: number, propagate = true): void {
    checkParm(name, value);
    this.assign(name, value);
    this.written.add(name);
    if (name === 'baseReachableTime') this.reachableTime = neighRandReachTime(value, this.owner.random);
    if (propagate && this.dev === null) this.owner.copyDefaultParm(name);
  }

  /** Copies a default without marking it as set (neigh_copy_dflt_parms' per-device step). */
  inherit(name: NeighParmName, value: number): void {
    if (!this.written.has(name)) this.assign(name, value);
  }

  get(name: NeighParmName): number {
    return this[name];
  }

  /** A plain copy of the knobs. */
  values(): NeighParmsValues {
    const v = {} as NeighParmsValues;
    for (const k of NeighParms.NAMES) v[k] = this[k];
    return v;
  }

  /** Re-randomises reachable_time from base_reachable_time (periodic work, every 300 s). */
  rerandomise(): void {
    this.reachableTime = neighRandReachTime(this.baseReachableTime, this.owner.random);
  }

  private assign(name: NeighParmName, value: number): void {
    this[name] = value;
  }
}

function checkParm(name: NeighParmName, value: number): void {
  if (!(NeighParms.NAMES as readonly string[]).includes(name)) {
    throw new StackError(EINVAL, `unknown neighbour parameter "${String(name)}"`);
  }
  const min = MIN_VALUE[name];
  if (!Number.isInteger(value) || value < min || value > INT_MAX) {
    throw new StackError(EINVAL, `${name} must be an integer in ${min}..${INT_MAX}, got ${value}`);
  }
}

/** unres_qlen_max: the most packets unres_qlen takes (INT_MAX / SKB_TRUESIZE(ETH_FRAME_LEN)). */
export const UNRES_QLEN_MAX = Math.floor(INT_MAX / UNRES_QLEN_TRUESIZE);

/** The deprecated packet-count limit `ip ntable` shows as "queue": bytes / truesize of a full frame. */
export function unresQlen(p: NeighParms): number {
  return Math.floor(p.queueLenBytes / UNRES_QLEN_TRUESIZE);
}

/** Writing unres_qlen sets queue_len_bytes = packets × truesize of a full frame (proc_unres_qlen). */
export function setUnresQlen(p: NeighParms, packets: number, propagate = true): void {
  if (!Number.isInteger(packets) || packets < 0 || packets > UNRES_QLEN_MAX) {
    throw new StackError(EINVAL, `unres_qlen must be an integer in 0..${UNRES_QLEN_MAX}, got ${packets}`);
  }
  p.set('queueLenBytes', packets * UNRES_QLEN_TRUESIZE, propagate);
}
