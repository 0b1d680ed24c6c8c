// What RTM_GETNEIGHTBL reports for a table (net/core/neighbour.c neightbl_fill_info,
// neightbl_fill_parms): plain JSON-safe data for the control channel and `ip ntable`.
import type { NeighStatCounters, NeighTable } from './table.js';
import { unresQlen, type NeighParms } from './parms.js';

/** One neigh_parms (NDTA_PARMS); times in ms. */
export interface NtableParmsView {
  /** NDTPA_IFINDEX; 0 for the table default (which carries no ifindex). */
  ifindex: number;
  /** Device name; null for the table default. */
  dev: string | null;
  /** NDTPA_REFCNT: 1 plus one per entry using these parms, as `ip ntable` prints it. */
  refcnt: number;
  /** NDTPA_REACHABLE_TIME: REACHABLE's lifetime, random in [½, 1½)·base, re-drawn every 300 s. */
  reachableTime: number;
  /** NDTPA_BASE_REACHABLE_TIME: the base reachable_time is drawn from. */
  baseReachableTime: number;
  /** NDTPA_RETRANS_TIME: interval between solicitations while resolving or probing. */
  retransTime: number;
  /** NDTPA_GC_STALETIME: periodic GC removes unreferenced entries unused for this long. */
  gcStaletime: number;
  /** NDTPA_DELAY_PROBE_TIME: how long DELAY waits for a confirmation before PROBE. */
  delayProbeTime: number;
  /** NDTPA_QUEUE_LEN: the packet-count form of queue_len_bytes (unres_qlen). */
  queueLen: number;
  /** NDTPA_QUEUE_LENBYTES: bytes (truesize) that may wait on one unresolved entry. */
  queueLenBytes: number;
  /** NDTPA_APP_PROBES: solicitations left to userspace resolvers (a `miss` event). */
  appProbes: number;
  /** NDTPA_UCAST_PROBES: unicast probes to the known address (PROBE) before broadcasting. */
  ucastProbes: number;
  /** NDTPA_MCAST_PROBES: broadcast solicitations before an unresolved entry goes FAILED. */
  mcastProbes: number;
  /** NDTPA_MCAST_REPROBES: broadcast probes in PROBE, after the unicast ones. */
  mcastReprobes: number;
  /** NDTPA_ANYCAST_DELAY: the longest random delay of anycast answers (IPv6; unused by ARP). */
  anycastDelay: number;
  /** NDTPA_PROXY_DELAY: proxied requests are answered after a random delay in [0, proxy_delay). */
  proxyDelay: number;
  /** NDTPA_PROXY_QLEN: proxied requests that may wait for their delay; more are dropped. */
  proxyQlen: number;
  /** NDTPA_LOCKTIME: ARP does not override an entry's MAC within this long of its last update. */
  locktime: number;
  /** NDTPA_INTERVAL_PROBE_TIME_MS: how often MANAGED (NTF_MANAGED) entries are re-probed. */
  intervalProbeTimeMs: number;
}

/** struct ndt_config (NDTA_CONFIG): the table's size, hash and flush state. */
export interface NtableConfigView {
  /** ndtc_key_len: bytes of a key (4 for IPv4). */
  keyLen: number;
  /** ndtc_entry_size: Linux's arp_tbl figure ({@link LINUX_ARP_ENTRY_SIZE}) unless given. */
  entrySize: number;
  /** ndtc_entries: entries in the table now. */
  entries: number;
  /** ndtc_last_flush: ms since forced GC last completed (u32, wraps like jiffies_to_msecs). */
  lastFlushAgoMs: number;
  /** ndtc_last_rand: ms since reachable_time was last re-drawn (u32; "negative" ages wrap). */
  lastRandAgoMs: number;
  /** ndtc_hash_rnd: the hash seed in use (re-drawn whenever the hash grows). */
  hashRnd: number;
  /** ndtc_hash_mask: hash buckets − 1. */
  hashMask: number;
  /** ndtc_hash_chain_gc: always 0, as Linux reports it. */
  hashChainGc: number;
  /** ndtc_proxy_qlen: proxied requests waiting in the proxy queue now. */
  proxyQlen: number;
}

/** struct ndt_stats (summed over CPUs): a snapshot of the table's counters. */
export type NtableStatsView = NeighStatCounters;

/** Everything RTM_GETNEIGHTBL reports for one table, as `ip [-s] ntable` shows it. */
export interface NtableView {
  /** ndtm_family (AF_INET = 2). */
  family: number;
  /** NDTA_NAME: the table's id (`arp_cache`). */
  name: string;
  /** NDTA_THRESH1 (gc_thresh1): below this many entries periodic GC removes nothing. */
  thresh1: number;
  /** NDTA_THRESH2 (gc_thresh2): from here on, creation forces GC if the last flush is over 5 s old. */
  thresh2: number;
  /** NDTA_THRESH3 (gc_thresh3): hard limit; creation forces GC, failing if it frees nothing. */
  thresh3: number;
  /** NDTA_GC_INTERVAL: reported only; periodic GC runs every base_reachable_time/2, as in Linux. */
  gcIntervalMs: number;
  /** NDTA_CONFIG: size, hash and flush state. */
  config: NtableConfigView;
  /** NDTA_STATS: the table's counters, as `ip -s ntable` prints them. */
  stats: NtableStatsView;
  /** The default parms first, then per-device parms in the kernel's list order (newest first). */
  parms: NtableParmsView[];
}

/**
 * ndtc_entry_size of Linux's arp_tbl (sizeof(struct neighbour) + key) on the capture kernel
 * (6.18, x86_64). tapstack has no C struct to measure; it reports Linux's figure.
 */
export const LINUX_ARP_ENTRY_SIZE = 336;

/**
 * nla_put_msecs(): jiffies_to_msecs() of the int as an unsigned long, an unsigned int on the wire —
 * a negative time (sysctl lets some through) shows as its u32, 4294962296 for -5000, as on Linux.
 */
const msecsU32 = (ms: number): number => ms >>> 0;

/** neightbl_fill_parms() for one parms. */
export function ntableParmsView(p: NeighParms): NtableParmsView {
  return {
    ifindex: p.ifindex,
    dev: p.dev ? p.dev.name : null,
    refcnt: p.refcnt,
    reachableTime: msecsU32(p.reachableTime),
    baseReachableTime: msecsU32(p.baseReachableTime),
    retransTime: msecsU32(p.retransTime),
    gcStaletime: msecsU32(p.gcStaletime),
    delayProbeTime: msecsU32(p.delayProbeTime),
    queueLen: unresQlen(p),
    queueLenBytes: p.queueLenBytes,
    appProbes: p.appProbes,
    ucastProbes: p.ucastProbes,
    mcastProbes: p.mcastProbes,
    mcastReprobes: p.mcastReprobes,
    anycastDelay: msecsU32(p.anycastDelay),
    proxyDelay: msecsU32(p.proxyDelay),
    proxyQlen: p.proxyQlen,
    locktime: msecsU32(p.locktime),
    intervalProbeTimeMs: msecsU32(p.intervalProbeTimeMs),
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
    gcIntervalMs: msecsU32(tbl.gcInterval),
    config: {
      keyLen: tbl.keyLen,
      entrySize: opts.entrySize ?? tbl.cfg.entrySize ?? LINUX_ARP_ENTRY_SIZE,
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
