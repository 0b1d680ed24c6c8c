// What RTM_GETNEIGHTBL reports for a table (net/core/neighbour.c neightbl_fill_info,
// neightbl_fill_parms): plain JSON-safe data for the control channel and `ip ntable`.
import type { NeighTable } from './table.js';
import { unresQlen, type NeighParms } from './parms.js';

/** One neigh_parms (NDTA_PARMS); times in ms. */
export interface NtableParmsView {
  /** NDTPA_IFINDEX; 0 for the table default (which carries no ifindex). */
  ifindex: number;
  /** Device name; null for the table default. */
  dev: string | null;
  refcnt: number;
  reachableTime: number;
  baseReachableTime: number;
  retransTime: number;
  gcStaletime: number;
  delayProbeTime: number;
  /** NDTPA_QUEUE_LEN: the packet-count form of queue_len_bytes (unres_qlen). */
  queueLen: number;
  queueLenBytes: number;
  appProbes: number;
  ucastProbes: number;
  mcastProbes: number;
  mcastReprobes: number;
  anycastDelay: number;
  proxyDelay: number;
  proxyQlen: number;
  locktime: number;
  intervalProbeTimeMs: number;
}

/** struct ndt_config. */
export interface NtableConfigView {
  keyLen: number;
  entrySize: number;
  entries: number;
  /** Milliseconds since the last flush, as the kernel's u32 (wraps like jiffies_to_msecs). */
  lastFlushAgoMs: number;
  /** Milliseconds since reachable_time was last re-drawn (u32; "negative" ages wrap). */
  lastRandAgoMs: number;
  hashRnd: number;
  hashMask: number;
  hashChainGc: number;
  proxyQlen: number;
}

/** struct ndt_stats (summed over CPUs). */
export interface NtableStatsView {
  allocs: number;
  destroys: number;
  hashGrows: number;
  resFailed: number;
  lookups: number;
  hits: number;
  rcvProbesMcast: number;
  rcvProbesUcast: number;
  periodicGcRuns: number;
  forcedGcRuns: number;
  unresDiscards: number;
  tableFulls: number;
}

export interface NtableView {
  family: number;
  name: string;
  thresh1: number;
  thresh2: number;
  thresh3: number;
  gcIntervalMs: number;
  config: NtableConfigView;
  stats: NtableStatsView;
  /** The default parms first, then per-device parms in the kernel's list order (newest first). */
  parms: NtableParmsView[];
}

/**
 * ndtc_entry_size of Linux's arp_tbl (sizeof(struct neighbour) + key) on the capture kernel
 * (6.18, x86_64). tapstack has no C struct to measure; it reports Linux's figure.
 */
export const LINUX_ARP_ENTRY_SIZE = 336;

/** neightbl_fill_parms() for one parms. */
export function ntableParmsView(p: NeighParms): NtableParmsView {
  return {
    ifindex: p.ifindex,
    dev: p.dev ? p.dev.name : null,
    refcnt: p.refcnt,
    reachableTime: p.reachableTime,
    baseReachableTime: p.baseReachableTime,
    retransTime: p.retransTime,
    gcStaletime: p.gcStaletime,
    delayProbeTime: p.delayProbeTime,
    queueLen: unresQlen(p),
    queueLenBytes: p.queueLenBytes,
    appProbes: p.appProbes,
    ucastProbes: p.ucastProbes,
    mcastProbes: p.mcastProbes,
    mcastReprobes: p.mcastReprobes,
    anycastDelay: p.anycastDelay,
    proxyDelay: p.proxyDelay,
    proxyQlen: p.proxyQlen,
    locktime: p.locktime,
    intervalProbeTimeMs: p.intervalProbeTimeMs,
  };
}

/** A u32 millisecond age as the kernel computes it (jiffies_to_msecs(now - t), truncated). */
function agoU32(now: number, t: number): number {
  return Math.floor(now - t) >>> 0;
}

/** Everything `ip [-s] ntable` shows for one table, read at `now` (the table clock, ms). */
export function ntableView<K>(tbl: NeighTable<K>, now: number, opts: { entrySize?: number } = {}): NtableView {
  const [dflt, ...devs] = tbl.parmsList();
  const s = tbl.stats;
  return {
    family: tbl.family,
    name: tbl.id,
    thresh1: tbl.gcThresh1,
    thresh2: tbl.gcThresh2,
    thresh3: tbl.gcThresh3,
    gcIntervalMs: tbl.gcInterval,
    config: {
      keyLen: tbl.keyLen,
      entrySize: opts.entrySize ?? LINUX_ARP_ENTRY_SIZE,
      entries: tbl.entries,
      lastFlushAgoMs: agoU32(now, tbl.lastFlush),
      lastRandAgoMs: agoU32(now, tbl.lastRand),
      hashRnd: tbl.hashRnd >>> 0,
      hashMask: tbl.hashBuckets - 1,
      hashChainGc: 0,
      proxyQlen: tbl.proxyQueueLength,
    },
    stats: {
      allocs: s.allocs, destroys: s.destroys, hashGrows: s.hashGrows, resFailed: s.resFailed,
      lookups: s.lookups, hits: s.hits, rcvProbesMcast: s.rcvProbesMcast, rcvProbesUcast: s.rcvProbesUcast,
      periodicGcRuns: s.periodicGcRuns, forcedGcRuns: s.forcedGcRuns, unresDiscards: s.unresDiscards,
      tableFulls: s.tableFulls,
    },
    // neigh_parms_alloc() inserts each device's parms right after the default: newest first.
    parms: [ntableParmsView(dflt!), ...devs.reverse().map(ntableParmsView)],
  };
}
