// struct neigh_table (net/core/neighbour.c): neigh_table_init/clear, neigh_lookup, ___neigh_create,
// neigh_hash_grow, neigh_forced_gc, neigh_periodic_work, neigh_flush_dev/ifdown/carrier_down/changeaddr,
// neigh_remove_one, neigh_parms_alloc/release, neigh_add/neigh_delete, neigh_managed_work, notifications.
import type { Clock, Timer } from '../core/clock.js';
import { EEXIST, EINVAL, ENOBUFS, ENOENT } from '../core/errno.js';
import { IFF_LOOPBACK, type NetDevice } from '../core/netdevice.js';
import type { SkBuff } from '../core/skbuff.js';
import {
  Neighbour,
  type NeighOutputFn,
  neighBlackhole,
  neighDelTimer,
  neighEventSend,
  neighEventSendProbe,
  neighHold,
  neighRelease,
  neighUpdate,
} from './neighbour.js';
import {
  NEIGH_UPDATE_F_ADMIN,
  NEIGH_UPDATE_F_EXT_LEARNED,
  NEIGH_UPDATE_F_ISROUTER,
  NEIGH_UPDATE_F_MANAGED,
  NEIGH_UPDATE_F_OVERRIDE,
  NEIGH_UPDATE_F_OVERRIDE_ISROUTER,
  NEIGH_UPDATE_F_USE,
  NTF_EXT_LEARNED,
  NTF_EXT_SHIFT,
  NTF_MANAGED,
  NTF_OLD_MASK,
  NTF_PROXY,
  NTF_ROUTER,
  NTF_USE,
  NUD_FAILED,
  NUD_INCOMPLETE,
  NUD_IN_TIMER,
  NUD_NOARP,
  NUD_NONE,
  NUD_PERMANENT,
  NUD_VALID,
  nudStateNames,
} from './nud.js';
import { type NeighParmName, NeighParms, type NeighParmsOwner, type NeighParmsValues } from './parms.js';
import { IntKeyIndex } from './intindex.js';
import { Key16Index } from './keyindex16.js';
import { type PneighEntry, PneighTable } from './pneigh.js';

/** struct neigh_ops: how one protocol resolves and reports. */
export interface NeighOps<K> {
  family: number;
  /** Send a probe; skb is the newest queued packet (read-only) or null. */
  solicit(n: Neighbour<K>, skb: SkBuff | null): void;
  /** A queued packet could not be delivered (resolution failed). */
  errorReport(n: Neighbour<K>, skb: SkBuff): void;
  output: NeighOutputFn<K>;
  connectedOutput: NeighOutputFn<K>;
}

/** The protocol side of struct neigh_table. */
export interface NeighTableConfig<K> {
  /** 'arp_cache', 'ndisc_cache'. */
  id: string;
  family: number;
  keyLen: number;
  /** Ethertype used for cached headers (ETH_P_IP). */
  protocol: number;
  /** 32 well-mixed bits; the table uses the top ones. */
  hash(key: K, dev: NetDevice, hashRnd: number): number;
  keyEq(a: K, b: K): boolean;
  formatKey(key: K): string;
  /** Picks n.ops/n.output, may set NUD_NOARP and n.ha; n.parms is preset to parmsFor(dev). 0 or -errno. */
  constructor: (n: Neighbour<K>) => number;
  pconstructor?(pn: PneighEntry<K>): number;
  pdestructor?(pn: PneighEntry<K>): void;
  proxyRedo?(skb: SkBuff): void;
  isMulticast?(key: K): boolean;
  allowAdd?(dev: NetDevice): boolean;
  /**
   * Keys are 32-bit integers (IPv4): keep an open-addressed side index so lookupNoref touches no
   * entry it does not return. Default: on when keyLen is 4 and keys are numbers; false disables it.
   */
  intKeys?: boolean;
  /**
   * Keys are 16-byte arrays (IPv6): keep an open-addressed side index of their four words, so
   * lookupNoref and lookupNorefAt touch neither an entry nor a key object they do not return.
   * Default: on when keyLen is 16; false disables it.
   */
  byteKeys?: boolean;
  /** Invariant hook: does the cached header agree with n.ha? */
  hhCheck?(n: Neighbour<K>): boolean;
  defaults: Readonly<NeighParmsValues>;
  /** ndtc_entry_size as Linux reports it for this table (`ip -s ntable`); default arp_tbl's. */
  entrySize?: number;
  gcInterval: number;
  gcThresh1: number;
  gcThresh2: number;
  gcThresh3: number;
}

/** The counters of struct neigh_statistics, as `ip -s ntable` and /proc/net/stat/arp_cache show them. */
export interface NeighStatCounters {
  /** ndts_allocs: entries allocated (neigh_alloc), including ones freed again at once. */
  allocs: number;
  /** ndts_destroys: entries whose last reference went (neigh_destroy). */
  destroys: number;
  /** ndts_hash_grows: times the hash doubled its buckets (more entries than buckets). */
  hashGrows: number;
  /** ndts_lookups: counted lookups (neigh_lookup); the output path's lookup_noref is not counted. */
  lookups: number;
  /** ndts_hits: counted lookups that found an entry. */
  hits: number;
  /** ndts_res_failed: resolutions that failed, the entry going FAILED (neigh_invalidate). */
  resFailed: number;
  /** ndts_rcv_probes_mcast: multicast solicitations received; ARP never counts it, as in Linux. */
  rcvProbesMcast: number;
  /** ndts_rcv_probes_ucast: unicast solicitations received; ARP never counts it, as in Linux. */
  rcvProbesUcast: number;
  /** ndts_periodic_gc_runs: runs of neigh_periodic_work (every base_reachable_time/2). */
  periodicGcRuns: number;
  /** ndts_forced_gc_runs: neigh_forced_gc() runs on creation at gc_thresh2/gc_thresh3. */
  forcedGcRuns: number;
  /** ndts_unres_discards: packets dropped (oldest first) from a full queue_len_bytes queue. */
  unresDiscards: number;
  /** ndts_table_fulls: creations refused (ENOBUFS) at gc_thresh3 when forced GC freed nothing. */
  tableFulls: number;
}

/** struct neigh_statistics (`neigh.*`), plus drops the kernel does not count. */
export interface NeighStatistics extends NeighStatCounters {
  /** Drops the kernel does not count but tapstack does (`neigh.extra.*`). */
  extra: NeighExtraStats;
}

/** What the neighbour layer loses without a kernel counter to show it, one counter per reason. */
export interface NeighExtraStats {
  /** Queued packets thrown away when their entry was flushed, destroyed or left valid/failed. */
  queuePurged: number;
  /** Packets dropped by event_send: resolution impossible (no probes) or the entry is dead. */
  eventSendDrops: number;
  /** Packets sent into neigh_blackhole (dead/unconstructed entries, unregistered device). */
  blackholeDrops: number;
  /** Packets dropped because dev_hard_header() could not build their link-layer header. */
  hhFillFailed: number;
  /** Packets on the fast path without enough head room for the cached header (ENOBUFS). */
  hhHeadroomDrops: number;
  /** Proxy requests dropped because the proxy queue was past proxy_qlen (pneigh_enqueue). */
  proxyQueueDrops: number;
  /** Proxy requests dropped by ifdown/stop or because their device went down before replay. */
  proxyPurged: number;
  /** Last reference dropped on an entry still in the table (a refcount bug, as the kernel warns). */
  aliveDestroys: number;
}

/** A plain copy of one entry for the CLI, control channel and library users. */
export interface NeighSnapshot {
  /** Address family (AF_INET = 2). */
  family: number;
  /** The neighbour's address, dotted quad. */
  dst: string;
  /** The device's ifindex. */
  ifindex: number;
  /** The device's name. */
  dev: string;
  /** Lower-case hex bytes joined by ':'; only for VALID states. */
  lladdr: string | null;
  /** The raw n->ha whatever the state (a FAILED entry keeps its last MAC), as /proc/net/arp prints it. */
  ha: string;
  /** NUD_* bits (NUD_REACHABLE = 0x02, NUD_STALE = 0x04, ...). */
  state: number;
  /** The state's name(s) as iproute2 prints them: `['REACHABLE']`. */
  stateNames: string[];
  /** ndm_flags (NTF_*). */
  flags: number;
  /** NDA_FLAGS_EXT (NTF_EXT_MANAGED). */
  extFlags: number;
  /** NTF_ROUTER: the neighbour is a router. */
  isRouter: boolean;
  /** Probes sent in the current resolution. */
  probes: number;
  /** ndm_refcnt: references beyond the table's own, as `ip -s neigh` shows. */
  refcnt: number;
  /** Milliseconds since the entry was last used. */
  usedMs: number;
  /** Milliseconds since reachability was last confirmed. */
  confirmedMs: number;
  /** Milliseconds since the state last changed. */
  updatedMs: number;
  /** Removed from the table while still referenced (it only drops packets). */
  dead: boolean;
  /** NDA_PROTOCOL: who installed it (0 unset, 3 boot, 4 static, ...). */
  protocol: number;
  /** The route type of the address (RTN_UNICAST = 1, ...), as /proc/net/arp decides flags from. */
  type: number;
}

/** A plain copy of one proxy entry (`ip neigh show proxy`). */
export interface PneighSnapshot {
  /** Address family (AF_INET = 2). */
  family: number;
  /** The address the stack answers ARP for, dotted quad. */
  dst: string;
  /** The device's ifindex; 0 for an entry valid on every device. */
  ifindex: number;
  /** The device's name; null for an entry valid on every device. */
  dev: string | null;
  /** Always includes NTF_PROXY. */
  flags: number;
  /** NDA_PROTOCOL: who installed it. */
  protocol: number;
  /** Created with `nud permanent`: survives carrier loss. */
  permanent: boolean;
}

export type NeighEventType = 'newneigh' | 'delneigh' | 'miss';

export interface NeighEvent {
  type: NeighEventType;
  neigh: NeighSnapshot;
  /** Netlink port id of the request that caused it (0 = the kernel itself). */
  nlmsgPid: number;
}

export type NeighListener = (ev: NeighEvent) => void;

/**
 * struct netlink_ext_ack's message: where neigh_add() and __neigh_update() say why they refused
 * (NL_SET_ERR_MSG), the text iproute2 prints as "Error: MSG.".
 */
export interface NeighExtack {
  msg: string | null;
}

/** An `ip neigh add/change/replace` request (RTM_NEWNEIGH). */
export interface NeighAddRequest {
  /** ndm_state. */
  state: number;
  lladdr?: Buffer | null;
  /** ndm_flags: NTF_PROXY selects the proxy table; NTF_ROUTER, NTF_USE, NTF_EXT_LEARNED. */
  flags?: number;
  /** NDA_FLAGS_EXT: NTF_EXT_MANAGED. */
  extFlags?: number;
  protocol?: number;
  /** NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE. */
  create?: boolean;
  excl?: boolean;
  replace?: boolean;
  nlmsgPid?: number;
  /** Receives the extended-ack text of a refusal, as neigh_add() sets it. */
  extack?: NeighExtack;
}

/** "Forced GC may run again only 5 s after the last flush", and spares entries updated within 5 s. */
const FORCED_GC_WINDOW_MS = 5000;
/** neigh_forced_gc()'s time budget per run. */
const FORCED_GC_BUDGET_MS = 1;
/** reachable_time of every parms is re-drawn this often. */
const REACHABLE_RERANDOMISE_MS = 300_000;
/** Initial hash size: 1 << 3 buckets. */
const INITIAL_HASH_SHIFT = 3;

export class NeighTable<K> implements NeighParmsOwner {
  readonly id: string;
  readonly family: number;
  readonly keyLen: number;
  readonly protocol: number;
  readonly random: () => number;
  /** The default parms (ifindex 0). */
  readonly parms: NeighParms;
  gcInterval: number;
  gcThresh1: number;
  gcThresh2: number;
  gcThresh3: number;
  lastFlush: number;
  lastRand: number;
  readonly stats: NeighStatistics = {
    allocs: 0, destroys: 0, hashGrows: 0, lookups: 0, hits: 0, resFailed: 0, rcvProbesMcast: 0,
    rcvProbesUcast: 0, periodicGcRuns: 0, forcedGcRuns: 0, unresDiscards: 0, tableFulls: 0,
    extra: {
      queuePurged: 0, eventSendDrops: 0, blackholeDrops: 0, hhFillFailed: 0, hhHeadroomDrops: 0,
      proxyQueueDrops: 0, proxyPurged: 0, aliveDestroys: 0,
    },
  };
  /** tbl->entries: allocated and not yet destroyed (includes dead entries still referenced). */
  entries = 0;

  private readonly devParms = new Map<NetDevice, NeighParms>();
  private readonly hashFn: (key: K, dev: NetDevice, hashRnd: number) => number;
  private readonly keyEqFn: (a: K, b: K) => boolean;
  private buckets: (Neighbour<K> | null)[];
  private hashShift = INITIAL_HASH_SHIFT;
  /** 32 - hashShift: bucket = hash >>> hashDown. */
  private hashDown = 32 - INITIAL_HASH_SHIFT;
  private hashRndValue: number;
  private hashed = 0;
  /** Side index for integer keys (see NeighTableConfig.intKeys); null until the first such key. */
  private intIndex: IntKeyIndex<Neighbour<K>> | null = null;
  /** Side index for 16-byte keys (see NeighTableConfig.byteKeys); null for other tables. */
  private keyIndex16: Key16Index<Neighbour<K>> | null = null;
  /**
   * __neigh_lookup_noref(): the per-packet lookup — no statistics, no reference, no allocation.
   * One of lookupNorefKey16 and lookupNorefHashed, chosen by the table's keys when it is made.
   */
  readonly lookupNoref: (key: K, dev: NetDevice) => Neighbour<K> | null;
  /** lookupNorefAt's copy of the key, for byte-key tables without the side index. */
  private atKey: Buffer | null = null;
  private gcCount = 0;
  private gcHead: Neighbour<K> | null = null;
  private gcTail: Neighbour<K> | null = null;
  private readonly managed = new Set<Neighbour<K>>();
  private readonly pneigh: PneighTable<K>;
  private readonly gcTimer: Timer<NeighTable<K>>;
  private readonly managedTimer: Timer<NeighTable<K>>;
  private listeners: NeighListener[] = [];
  private started = false;
  /** Set by stop(): timers were cancelled and entries left as they were. */
  private frozen = false;

  constructor(
    readonly cfg: NeighTableConfig<K>,
    readonly clock: Clock,
    opts?: { random?: () => number },
  ) {
    this.id = cfg.id;
    this.family = cfg.family;
    this.keyLen = cfg.keyLen;
    this.protocol = cfg.protocol;
    this.random = opts?.random ?? Math.random;
    this.hashFn = cfg.hash;
    this.keyEqFn = cfg.keyEq;
    this.gcInterval = cfg.gcInterval;
    this.gcThresh1 = cfg.gcThresh1;
    this.gcThresh2 = cfg.gcThresh2;
    this.gcThresh3 = cfg.gcThresh3;
    this.parms = new NeighParms(cfg.defaults, null, this);
    this.buckets = new Array<Neighbour<K> | null>(1 << INITIAL_HASH_SHIFT).fill(null);
    this.hashRndValue = this.newHashRnd();
    // Seeded from hash_rnd rather than a draw of its own, so the table's random stream is unchanged.
    if (cfg.keyLen === 16 && cfg.byteKeys !== false) this.keyIndex16 = new Key16Index(Math.imul(this.hashRndValue ^ 0x5bd1e995, 0x27d4eb2f) | 1);
    this.lookupNoref = this.keyIndex16 !== null ? this.lookupNorefKey16 : this.lookupNorefHashed;
    const now = clock.now();
    this.lastFlush = now;
    this.lastRand = now + this.parms.reachableTime * 20;
    this.gcTimer = clock.timer<NeighTable<K>>((t) => t.periodicWork(), this);
    this.managedTimer = clock.timer<NeighTable<K>>((t) => t.managedWork(), this);
    this.pneigh = new PneighTable<K>(clock, {
      keyEq: (a, b) => cfg.keyEq(a, b),
      pconstructor: cfg.pconstructor ? (pn) => cfg.pconstructor!(pn) : undefined,
      pdestructor: cfg.pdestructor ? (pn) => cfg.pdestructor!(pn) : undefined,
      proxyRedo: cfg.proxyRedo ? (skb) => cfg.proxyRedo!(skb) : undefined,
      random: this.random,
      counters: this.stats.extra,
    });
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  /** Arms the periodic GC (first run after reachable_time, as neigh_table_init queues it). */
  start(): void {
    if (this.started) return;
    this.started = true;
    const wasFrozen = this.frozen;
    this.frozen = false;
    const now = this.clock.now();
    this.gcTimer.mod(now + Math.max(this.parms.reachableTime, 10));
    // Entries frozen by stop() resume their state machine.
    if (wasFrozen) for (const n of this.list()) {
      if (n.nudState & NUD_IN_TIMER && !n.timer.pending) {
        neighHold(n);
        n.timer.mod(now);
      }
    }
    if (this.managed.size > 0 && !this.managedTimer.pending) this.managedTimer.mod(now + this.parms.intervalProbeTimeMs);
  }

  /** True after stop() until the next start(). */
  get isFrozen(): boolean {
    return this.frozen;
  }

  /**
   * Cancels every timer — GC, managed refresh, proxy queue, and each entry's — and drops queued
   * proxy requests. Entries stay in the table, frozen; {@link clear} also flushes them.
   */
  stop(): void {
    this.started = false;
    this.frozen = true;
    this.gcTimer.del();
    this.managedTimer.del();
    this.pneigh.purge();
    this.pneigh.proxyTimer.del();
    for (const n of this.list()) {
      if (n.timer.del()) neighRelease(n);
    }
  }

  /** neigh_table_clear(): stop, then flush every entry and proxy entry. */
  clear(): void {
    this.stop();
    this.ifdown(null);
  }

  get isStarted(): boolean {
    return this.started;
  }

  // ---- parms ---------------------------------------------------------------------------------

  /** neigh_parms_alloc(): per-device parms cloned from the defaults, reachable_time drawn anew. */
  parmsAlloc(dev: NetDevice): NeighParms {
    const have = this.devParms.get(dev);
    if (have) return have;
    const p = new NeighParms(this.parms.values(), dev, this);
    this.devParms.set(dev, p);
    return p;
  }

  /** neigh_parms_release(): entries can no longer be created with it. */
  parmsRelease(dev: NetDevice): void {
    const p = this.devParms.get(dev);
    if (!p) return;
    this.devParms.delete(dev);
    p.dead = true;
  }

  /** The device's parms, or the default. */
  parmsFor(dev: NetDevice | null): NeighParms {
    return (dev && this.devParms.get(dev)) || this.parms;
  }

  /** Every parms of the table: the default first, then per device (tbl->parms_list). */
  parmsList(): NeighParms[] {
    return [this.parms, ...this.devParms.values()];
  }

  /** A sysctl write on the default (propagates to devices that have not set the value). */
  setDefaultParm(name: NeighParmName, value: number): void {
    this.parms.set(name, value);
  }

  /** neigh_copy_dflt_parms(). */
  copyDefaultParm(name: NeighParmName): void {
    const v = this.parms.get(name);
    for (const p of this.devParms.values()) p.inherit(name, v);
  }

  // ---- hash ----------------------------------------------------------------------------------

  private newHashRnd(): number {
    return ((Math.floor(this.random() * 0x100000000) >>> 0) | 1) >>> 0;
  }

  get hashRnd(): number {
    return this.hashRndValue;
  }

  /** Number of hash buckets (1 << hash_shift). */
  get hashBuckets(): number {
    return this.buckets.length;
  }

  /** Entries in the hash. */
  get size(): number {
    return this.hashed;
  }

  /** gc_entries: entries subject to GC (not PERMANENT, not externally learned). */
  get gcEntries(): number {
    return this.gcCount;
  }

  /** Packets waiting in the proxy queue. */
  get proxyQueueLength(): number {
    return this.pneigh.queueLength;
  }

  private bucketOf(key: K, dev: NetDevice): number {
    return this.hashFn(key, dev, this.hashRndValue) >>> this.hashDown;
  }

  /** neigh_hash_grow(): double the buckets with a fresh hash_rnd. */
  private grow(): void {
    this.stats.hashGrows++;
    const old = this.buckets;
    this.hashShift++;
    this.hashDown = 32 - this.hashShift;
    this.hashRndValue = this.newHashRnd();
    const nb = new Array<Neighbour<K> | null>(1 << this.hashShift).fill(null);
    for (let i = 0; i < old.length; i++) {
      let n = old[i];
      while (n !== null) {
        const next = n.next;
        const h = this.bucketOf(n.primaryKey, n.dev);
        n.next = nb[h];
        nb[h] = n;
        n = next;
      }
    }
    this.buckets = nb;
  }

  private indexAdd(n: Neighbour<K>): void {
    if (this.keyIndex16 !== null) {
      this.keyIndex16.add(n.primaryKey as unknown as Uint8Array, n);
      return;
    }
    if (this.intIndex === null) {
      if (this.cfg.intKeys === false || typeof n.primaryKey !== 'number' || this.keyLen !== 4) return;
      this.intIndex = new IntKeyIndex<Neighbour<K>>(this.newHashRnd() | 0);
    }
    this.intIndex.add(n.primaryKey as unknown as number, n);
  }

  private unhash(n: Neighbour<K>): boolean {
    const h = this.bucketOf(n.primaryKey, n.dev);
    let prev: Neighbour<K> | null = null;
    for (let c = this.buckets[h]; c !== null; prev = c, c = c.next) {
      if (c !== n) continue;
      if (prev === null) this.buckets[h] = c.next;
      else prev.next = c.next;
      c.next = null;
      this.hashed--;
      this.intIndex?.delete(n.primaryKey as unknown as number, n);
      this.keyIndex16?.delete(n.primaryKey as unknown as Uint8Array, n);
      return true;
    }
    return false;
  }

  // ---- lookup / create -----------------------------------------------------------------------

  /**
   * lookupNoref() of a table of 16-byte byte keys (nd_tbl): its key index answers. A method of
   * its own, not a branch of one lookup all tables share: V8 keeps call feedback and optimized
   * code per function, and one shared lookup, made hot with this branch by one table's fill,
   * grew too big to be inlined into the other table's per-packet callers.
   */
  private lookupNorefKey16(key: K, dev: NetDevice): Neighbour<K> | null {
    return (this.keyIndex16 as Key16Index<Neighbour<K>>).getKey(key as unknown as Uint8Array, dev);
  }

  /** lookupNoref() of any other table: the integer-key index once it exists, else the hash chains. */
  private lookupNorefHashed(key: K, dev: NetDevice): Neighbour<K> | null {
    const idx = this.intIndex;
    if (idx !== null) return idx.get(key as unknown as number, dev);
    let n = this.buckets[this.hashFn(key, dev, this.hashRndValue) >>> this.hashDown];
    const eq = this.keyEqFn;
    while (n !== null) {
      if (n.dev === dev && eq(n.primaryKey, key)) return n;
      n = n.next;
    }
    return null;
  }

  /**
   * __neigh_lookup_noref() for tables whose keys are keyLen-byte arrays, with the key read where
   * it lies (keyLen bytes of `buf` at `off`: a packet's next-hop address), so the output path
   * needs no copy of it to look up. No statistics, no reference, no allocation.
   */
  lookupNorefAt(buf: Uint8Array, off: number, dev: NetDevice): Neighbour<K> | null {
    const k16 = this.keyIndex16;
    if (k16 !== null) return k16.get(buf, off, dev);
    const key = (this.atKey ??= Buffer.alloc(this.keyLen));
    for (let i = 0; i < key.length; i++) key[i] = buf[off + i];
    return this.lookupNoref(key as unknown as K, dev);
  }

  /**
   * __neigh_lookup_noref() for tables of 32-bit integer keys, the key given signed or unsigned
   * (its 32 bits are what count). Per-packet callers pass it signed (`| 0`): a key kept unsigned
   * at or above 2^31 (an IPv4 address from 128.0.0.0 up: 192.168/16, 172.16/12) is no small
   * integer for V8, and handing one to a call that was not inlined boxes it — 16 B per packet.
   */
  lookupNorefInt(key: number, dev: NetDevice): Neighbour<K> | null {
    const idx = this.intIndex;
    if (idx !== null) return idx.get(key | 0, dev);
    return this.lookupNoref((key >>> 0) as unknown as K, dev);
  }

  /**
   * lookupNorefAt() for a 16-byte key the caller holds as its four big-endian 32-bit words
   * (signed: `| 0`) — bytes it has read already, so they are not read again. Only for tables of
   * keyLen 16 with byte keys.
   */
  lookupNorefWords(w0: number, w1: number, w2: number, w3: number, dev: NetDevice): Neighbour<K> | null {
    const k16 = this.keyIndex16;
    if (k16 !== null) return k16.getWords(w0, w1, w2, w3, dev);
    const key = (this.atKey ??= Buffer.alloc(this.keyLen));
    key.writeInt32BE(w0 | 0, 0);
    key.writeInt32BE(w1 | 0, 4);
    key.writeInt32BE(w2 | 0, 8);
    key.writeInt32BE(w3 | 0, 12);
    return this.lookupNoref(key as unknown as K, dev);
  }

  /**
   * __neigh_lookup() for byte-array keys read in place (keyLen bytes of `buf` at `off`): a counted
   * lookup, and on a miss, when asked, an entry created with a copy of the key of its own. Held;
   * null when absent (or creation failed).
   */
  lookupCreateAt(buf: Uint8Array, off: number, dev: NetDevice, create: boolean): Neighbour<K> | null {
    this.stats.lookups++;
    const n = this.lookupNorefAt(buf, off, dev);
    if (n !== null) {
      this.stats.hits++;
      neighHold(n);
      return n;
    }
    if (!create) return null;
    const c = this.create(Buffer.from(buf.subarray(off, off + this.keyLen)) as unknown as K, dev, true);
    return typeof c === 'number' ? null : c;
  }

  /** neigh_lookup(): counts lookups and hits; the result is held — release it. */
  lookup(key: K, dev: NetDevice): Neighbour<K> | null {
    this.stats.lookups++;
    const n = this.lookupNoref(key, dev);
    if (n !== null) {
      this.stats.hits++;
      neighHold(n);
    }
    return n;
  }

  /** __neigh_lookup(): lookup, creating on a miss when asked; null on failure. Held. */
  lookupCreate(key: K, dev: NetDevice, create: boolean): Neighbour<K> | null {
    const n = this.lookup(key, dev);
    if (n || !create) return n;
    const c = this.create(key, dev, true);
    return typeof c === 'number' ? null : c;
  }

  /**
   * ___neigh_create(): allocate (forcing GC near the thresholds), run the protocol constructor,
   * hash it. Returns the entry (held if wantRef) or a negative errno (-ENOBUFS when the table is
   * full). An existing entry for the same key and device is returned instead of a duplicate.
   */
  create(
    key: K,
    dev: NetDevice,
    wantRef = true,
    flags = 0,
    exemptFromGc = (dev.flags & IFF_LOOPBACK) !== 0,
  ): Neighbour<K> | number {
    const now = this.clock.now();
    if (!exemptFromGc && !this.allocAllowed(now)) return -ENOBUFS;
    const n = new Neighbour<K>(this, dev, key, flags, now);
    this.stats.allocs++;
    this.entries++;
    n.parms = this.parmsFor(dev);
    const err = this.cfg.constructor(n);
    n.parms.refcnt++;
    if (err < 0) return this.createFailed(n, exemptFromGc, err);
    n.confirmed = now - 2 * n.parms.baseReachableTime;
    if (this.entries > this.buckets.length) this.grow();
    if (n.parms.dead) return this.createFailed(n, exemptFromGc, -EINVAL);
    const h = this.bucketOf(key, dev);
    for (let c = this.buckets[h]; c !== null; c = c.next) {
      if (c.dev === dev && this.keyEqFn(c.primaryKey, key)) {
        if (wantRef) neighHold(c);
        this.createFailed(n, exemptFromGc, 0);
        return c;
      }
    }
    n.dead = false;
    n.createdExempt = exemptFromGc;
    // Already counted in gc_entries by allocAllowed().
    if (!exemptFromGc) this.gcListAdd(n, false);
    if (flags & NTF_MANAGED) this.managedAdd(n);
    if (wantRef) neighHold(n);
    n.next = this.buckets[h];
    this.buckets[h] = n;
    this.hashed++;
    this.indexAdd(n);
    return n;
  }

  /** neigh_alloc()'s admission: count the entry, force GC at the thresholds, fail when full. */
  private allocAllowed(now: number): boolean {
    const entries = this.gcCount++;
    if (entries >= this.gcThresh3 || (entries >= this.gcThresh2 && now > this.lastFlush + FORCED_GC_WINDOW_MS)) {
      if (this.forcedGc() === 0 && entries >= this.gcThresh3) {
        this.stats.tableFulls++;
        this.gcCount--;
        return false;
      }
    }
    return true;
  }

  private createFailed(n: Neighbour<K>, exempt: boolean, err: number): number {
    if (!exempt) this.gcCount--;
    neighRelease(n);
    return err;
  }

  // ---- removal -------------------------------------------------------------------------------

  /** neigh_mark_dead(). */
  private markDead(n: Neighbour<K>): void {
    n.dead = true;
    if (n.onGcList) this.gcListDel(n);
    if (n.onManagedList) this.managedDel(n);
  }

  /** neigh_cleanup_and_release(): RTM_DELNEIGH, then drop the table's reference. */
  private cleanupAndRelease(n: Neighbour<K>): void {
    this.neighNotify(n, 'delneigh', 0);
    neighRelease(n);
  }

  /** neigh_remove_one(): unlink an entry nobody else references. */
  removeOne(n: Neighbour<K>): boolean {
    if (n.dead || n.refcnt !== 1) return false;
    this.unhash(n);
    this.markDead(n);
    this.cleanupAndRelease(n);
    return true;
  }

  /** Alias of {@link removeOne} (neigh_remove_one). */
  remove(n: Neighbour<K>): boolean {
    return this.removeOne(n);
  }

  /**
   * neigh_flush_one(): unlink even if referenced. "The most unpleasant situation": a referenced
   * entry is made harmless — queue purged, output blackhole, state NOARP (if it was valid) or NONE.
   */
  private flushOne(n: Neighbour<K>): void {
    this.unhash(n);
    neighDelTimer(n);
    this.markDead(n);
    if (n.refcnt !== 1) {
      this.stats.extra.queuePurged += n.arpQueue.length;
      n.arpQueue.length = 0;
      n.arpQueueLenBytes = 0;
      n.output = neighBlackhole;
      n.nudState = n.nudState & NUD_VALID ? NUD_NOARP : NUD_NONE;
    }
    this.cleanupAndRelease(n);
  }

  /** neigh_flush_dev()/neigh_flush_table(). */
  private flushDev(dev: NetDevice | null, skipPerm: boolean): void {
    const victims = this.list().filter((n) => (dev === null || n.dev === dev) && !(skipPerm && n.nudState & NUD_PERMANENT));
    for (const n of victims) if (!n.dead) this.flushOne(n);
  }

  /** neigh_changeaddr(): the device's own address changed — flush all its entries, PERMANENT too. */
  changeaddr(dev: NetDevice): void {
    this.flushDev(dev, false);
  }

  /** neigh_ifdown(): device down/unregistered — flush everything on it, proxy entries and queued proxy requests too. */
  ifdown(dev: NetDevice | null): void {
    this.ifdownInternal(dev, false);
  }

  /** neigh_carrier_down(): as ifdown but PERMANENT entries (and permanent proxy entries) stay. */
  carrierDown(dev: NetDevice): void {
    this.ifdownInternal(dev, true);
  }

  private ifdownInternal(dev: NetDevice | null, skipPerm: boolean): void {
    this.flushDev(dev, skipPerm);
    this.pneigh.ifdown(dev, skipPerm);
    this.pneigh.purge();
  }

  // ---- garbage collection --------------------------------------------------------------------

  private gcListAdd(n: Neighbour<K>, count = true): void {
    n.onGcList = true;
    n.gcPrev = this.gcTail;
    n.gcNext = null;
    if (this.gcTail) this.gcTail.gcNext = n;
    else this.gcHead = n;
    this.gcTail = n;
    if (count) this.gcCount++;
  }

  private gcListDel(n: Neighbour<K>): void {
    if (n.gcPrev) n.gcPrev.gcNext = n.gcNext;
    else this.gcHead = n.gcNext;
    if (n.gcNext) n.gcNext.gcPrev = n.gcPrev;
    else this.gcTail = n.gcPrev;
    n.gcPrev = n.gcNext = null;
    n.onGcList = false;
    this.gcCount--;
  }

  /** neigh_update_gc_list(): PERMANENT and externally learned entries are exempt from GC. */
  updateGcList(n: Neighbour<K>): void {
    if (n.dead) return;
    n.createdExempt = false;
    const exempt = (n.nudState & NUD_PERMANENT) !== 0 || (n.flags & NTF_EXT_LEARNED) !== 0;
    if (exempt && n.onGcList) this.gcListDel(n);
    else if (!exempt && !n.onGcList) this.gcListAdd(n); // to the tail: cleaning takes from the front
  }

  /**
   * neigh_forced_gc(): oldest first, remove unreferenced entries that are FAILED, NOARP, multicast
   * or not updated for 5 s, until gc_entries is down to gc_thresh2. Returns how many went.
   */
  private forcedGc(): number {
    const now = this.clock.now();
    const maxClean = this.gcCount - this.gcThresh2;
    const tref = now - FORCED_GC_WINDOW_MS;
    const isMc = this.cfg.isMulticast;
    // "Don't spend more than 1 ms": checked every 16 candidates, against real time like ktime.
    const tmax = performance.now() + FORCED_GC_BUDGET_MS;
    let loop = 0;
    let shrunk = 0;
    this.stats.forcedGcRuns++;
    let n = this.gcHead;
    while (n !== null) {
      const next = n.gcNext;
      if (n.refcnt === 1) {
        const st = n.nudState;
        const remove = st === NUD_FAILED || st === NUD_NOARP ||
          (isMc !== undefined && this.cfg.isMulticast!(n.primaryKey)) ||
          !(n.updated >= tref && n.updated <= now);
        if (remove && this.removeOne(n)) shrunk++;
        if (shrunk >= maxClean) break;
        if (++loop === 16) {
          // Out of time: stop without recording a flush, as the kernel's "goto unlock" does.
          if (performance.now() > tmax) return shrunk;
          loop = 0;
        }
      }
      n = next;
    }
    this.lastFlush = now;
    return shrunk;
  }

  /**
   * neigh_periodic_work(): re-draw reachable_time every 300 s; below gc_thresh1 nothing else.
   * Otherwise drop unreferenced entries that are FAILED or unused for gc_staletime, skipping
   * PERMANENT, IN_TIMER and externally learned ones.
   */
  private periodicWork(): void {
    const now = this.clock.now();
    this.stats.periodicGcRuns++;
    if (now > this.lastRand + REACHABLE_RERANDOMISE_MS) {
      this.lastRand = now;
      for (const p of this.parmsList()) p.rerandomise();
    }
    if (this.entries >= this.gcThresh1) {
      const victims: Neighbour<K>[] = [];
      for (const n of this.list()) {
        const st = n.nudState;
        if (st & (NUD_PERMANENT | NUD_IN_TIMER) || n.flags & NTF_EXT_LEARNED) continue;
        if (n.used < n.confirmed && n.confirmed <= now) n.used = n.confirmed;
        if (n.refcnt === 1 && (st === NUD_FAILED || !(now >= n.used && now < n.used + n.parms.gcStaletime))) {
          victims.push(n);
        }
      }
      for (const n of victims) {
        if (n.dead || n.refcnt !== 1) continue;
        this.unhash(n);
        this.markDead(n);
        this.cleanupAndRelease(n);
      }
    }
    // "Cycle through all hash buckets every BASE_REACHABLE_TIME/2".
    this.gcTimer.mod(now + Math.max(this.parms.baseReachableTime >> 1, 10));
  }

  // ---- managed entries -----------------------------------------------------------------------

  private managedAdd(n: Neighbour<K>): void {
    n.onManagedList = true;
    this.managed.add(n);
    if (!this.managedTimer.pending) this.managedTimer.mod(this.clock.now() + this.parms.intervalProbeTimeMs);
  }

  private managedDel(n: Neighbour<K>): void {
    n.onManagedList = false;
    this.managed.delete(n);
    if (this.managed.size === 0) this.managedTimer.del();
  }

  /** neigh_update_managed_list(). */
  updateManagedList(n: Neighbour<K>): void {
    if (n.dead) return;
    const want = (n.flags & NTF_MANAGED) !== 0;
    if (want && !n.onManagedList) this.managedAdd(n);
    else if (!want && n.onManagedList) this.managedDel(n);
  }

  /** neigh_managed_work(): keep managed entries resolved, every interval_probe_time_ms. */
  private managedWork(): void {
    for (const n of [...this.managed]) neighEventSendProbe(n, null, false);
    if (this.managed.size > 0) this.managedTimer.mod(this.clock.now() + this.parms.intervalProbeTimeMs);
  }

  // ---- iteration and snapshots ---------------------------------------------------------------

  /** Every hashed entry, in bucket order (a copy: safe against changes while iterating). */
  list(): Neighbour<K>[] {
    const out: Neighbour<K>[] = [];
    for (const head of this.buckets) for (let n = head; n !== null; n = n.next) out.push(n);
    return out;
  }

  /** neigh_for_each(). */
  forEach(fn: (n: Neighbour<K>) => void): void {
    for (const n of this.list()) fn(n);
  }

  snapshot(n: Neighbour<K>): NeighSnapshot {
    const now = this.clock.now();
    const dev = n.dev;
    return {
      family: this.family,
      dst: this.cfg.formatKey(n.primaryKey),
      ifindex: dev.ifindex,
      dev: dev.name,
      lladdr: n.nudState & NUD_VALID && dev.addrLen > 0 ? formatLladdr(n.ha, dev.addrLen) : null,
      ha: formatLladdr(n.ha, dev.addrLen),
      state: n.nudState,
      stateNames: nudStateNames(n.nudState),
      flags: n.flags & NTF_OLD_MASK,
      extFlags: n.flags >>> NTF_EXT_SHIFT,
      isRouter: (n.flags & NTF_ROUTER) !== 0,
      probes: n.probes,
      refcnt: n.refcnt - 1,
      usedMs: now - n.used,
      confirmedMs: now - n.confirmed,
      updatedMs: now - n.updated,
      dead: n.dead,
      protocol: n.protocol,
      type: n.type,
    };
  }

  // ---- notifications -------------------------------------------------------------------------

  subscribe(listener: NeighListener): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /** __neigh_notify(): the snapshot is built only when someone listens. */
  neighNotify(n: Neighbour<K>, type: NeighEventType, nlmsgPid: number): void {
    const ls = this.listeners;
    if (ls.length === 0) return;
    const ev: NeighEvent = { type, neigh: this.snapshot(n), nlmsgPid };
    for (const l of ls) l(ev);
  }

  // ---- management (rtnetlink) ----------------------------------------------------------------

  /**
   * neigh_add() (RTM_NEWNEIGH): `ip neigh add` = create+excl, `change` = replace, `replace` =
   * create+replace. Administrative: static entries may be changed; without replace a new lladdr
   * on a valid entry is ignored. Returns 0 or a negative errno.
   */
  neighAdd(key: K, dev: NetDevice | null, req: NeighAddRequest): number {
    let flags = NEIGH_UPDATE_F_ADMIN | NEIGH_UPDATE_F_OVERRIDE | NEIGH_UPDATE_F_OVERRIDE_ISROUTER;
    const ndmFlags = (req.flags ?? 0) | ((req.extFlags ?? 0) << NTF_EXT_SHIFT);
    const lladdr = req.lladdr ?? null;
    const protocol = req.protocol ?? 0;
    const refuse = (msg: string): number => {
      if (req.extack) req.extack.msg = msg;
      return -EINVAL;
    };
    if (dev && lladdr && lladdr.length < dev.addrLen) return refuse('Invalid link address');
    if (ndmFlags & NTF_PROXY) {
      if (ndmFlags & NTF_MANAGED) return refuse('Invalid NTF_* flag combination');
      return this.pneigh.create(key, dev, ndmFlags, protocol, (req.state & NUD_PERMANENT) !== 0);
    }
    if (!dev) return refuse('Device not specified');
    if (this.cfg.allowAdd && !this.cfg.allowAdd(dev)) return -EINVAL;
    let n = this.lookup(key, dev);
    if (n === null) {
      const perm = (req.state & NUD_PERMANENT) !== 0;
      if (!req.create) return -ENOENT;
      if (perm && ndmFlags & NTF_MANAGED) return refuse('Invalid NTF_* flag for permanent entry');
      const exempt = perm || (ndmFlags & NTF_EXT_LEARNED) !== 0;
      const c = this.create(key, dev, true, ndmFlags & (NTF_EXT_LEARNED | NTF_MANAGED), exempt);
      if (typeof c === 'number') return c;
      n = c;
    } else {
      if (req.excl) {
        neighRelease(n);
        return -EEXIST;
      }
      if (!req.replace) flags &= ~(NEIGH_UPDATE_F_OVERRIDE | NEIGH_UPDATE_F_OVERRIDE_ISROUTER);
    }
    if (protocol) n.protocol = protocol;
    if (ndmFlags & NTF_EXT_LEARNED) flags |= NEIGH_UPDATE_F_EXT_LEARNED;
    if (ndmFlags & NTF_ROUTER) flags |= NEIGH_UPDATE_F_ISROUTER;
    if (ndmFlags & NTF_MANAGED) flags |= NEIGH_UPDATE_F_MANAGED;
    if (ndmFlags & NTF_USE) flags |= NEIGH_UPDATE_F_USE;
    const err = neighUpdate(n, lladdr, req.state, flags, req.nlmsgPid ?? 0, req.extack);
    if (err === 0 && ndmFlags & (NTF_USE | NTF_MANAGED)) neighEventSend(n, null);
    neighRelease(n);
    return err;
  }

  /**
   * neigh_delete() (RTM_DELNEIGH): FAILED by the administrator, then removed if nobody else holds
   * it. Proxy entries need an exact device match. 0, -ENOENT or -EINVAL.
   */
  neighDelete(key: K, dev: NetDevice | null, proxy = false, nlmsgPid = 0): number {
    if (proxy) return this.pneigh.delete(key, dev);
    if (!dev) return -EINVAL;
    const n = this.lookup(key, dev);
    if (n === null) return -ENOENT;
    const err = neighUpdate(n, null, NUD_FAILED, NEIGH_UPDATE_F_OVERRIDE | NEIGH_UPDATE_F_ADMIN, nlmsgPid);
    neighRelease(n);
    this.removeOne(n);
    return err;
  }

  /**
   * neigh_get() (RTM_GETNEIGH for one entry): a counted neigh_lookup (lookups, and hits when
   * found); the entry is shown while that lookup still holds it, so its ref is one higher than in
   * a dump, as `ip -s neigh get` shows on Linux. Null when there is no such entry.
   */
  neighGet(key: K, dev: NetDevice): NeighSnapshot | null {
    const n = this.lookup(key, dev);
    if (n === null) return null;
    const s = this.snapshot(n);
    neighRelease(n);
    return s;
  }

  /** `ip neigh flush`: neighDelete for every entry (on dev, if given) the filter accepts. Returns how many were deleted. */
  flush(dev: NetDevice | null, filter: (n: Neighbour<K>) => boolean, nlmsgPid = 0): number {
    let count = 0;
    for (const n of this.list()) {
      if (n.dead || (dev !== null && n.dev !== dev) || !filter(n)) continue;
      if (this.neighDelete(n.primaryKey, n.dev, false, nlmsgPid) === 0) count++;
    }
    return count;
  }

  // ---- proxy ---------------------------------------------------------------------------------

  /** pneigh_lookup(): an entry without a device matches any device. */
  pneighLookup(key: K, dev: NetDevice | null, create: boolean): PneighEntry<K> | null {
    return this.pneigh.lookup(key, dev, create);
  }

  /** pneigh_create(): create or update flags/protocol/permanence. 0 or -errno. */
  pneighCreate(key: K, dev: NetDevice | null, flags = 0, protocol = 0, permanent = false): number {
    return this.pneigh.create(key, dev, flags, protocol, permanent);
  }

  pneighDelete(key: K, dev: NetDevice | null): number {
    return this.pneigh.delete(key, dev);
  }

  pneighForEach(fn: (pn: PneighEntry<K>) => void): void {
    this.pneigh.forEach(fn);
  }

  /** pneigh_enqueue(): reply to a proxied request after a random delay in [0, proxy_delay). */
  pneighEnqueue(skb: SkBuff, parms: NeighParms): void {
    this.pneigh.enqueue(skb, parms);
  }

  pneighSnapshot(pn: PneighEntry<K>): PneighSnapshot {
    return {
      family: this.family,
      dst: this.cfg.formatKey(pn.key),
      ifindex: pn.dev ? pn.dev.ifindex : 0,
      dev: pn.dev ? pn.dev.name : null,
      flags: (pn.flags & NTF_OLD_MASK) | NTF_PROXY,
      protocol: pn.protocol,
      permanent: pn.permanent,
    };
  }

  // ---- invariants ----------------------------------------------------------------------------

  /** Human-readable violations of the table's invariants; empty when all hold. */
  checkInvariants(): string[] {
    const v: string[] = [];
    const name = (n: Neighbour<K>): string => `${this.cfg.formatKey(n.primaryKey)} dev ${n.dev.name}`;
    let count = 0;
    for (let b = 0; b < this.buckets.length; b++) {
      for (let n = this.buckets[b]; n !== null; n = n.next) {
        count++;
        this.checkEntry(n, b, name(n), v);
      }
    }
    if (count !== this.hashed) v.push(`hash chains hold ${count} entries, size says ${this.hashed}`);
    const idx = this.intIndex;
    if (idx !== null) {
      if (idx.size !== this.hashed) v.push(`integer index holds ${idx.size} entries, hash ${this.hashed}`);
      for (const n of this.list()) {
        if (idx.get(n.primaryKey as unknown as number, n.dev) !== n) v.push(`${name(n)}: missing from the integer index`);
      }
    }
    const k16 = this.keyIndex16;
    if (k16 !== null) {
      if (k16.size !== this.hashed) v.push(`16-byte key index holds ${k16.size} entries, hash ${this.hashed}`);
      for (const n of this.list()) {
        if (k16.getKey(n.primaryKey as unknown as Uint8Array, n.dev) !== n) v.push(`${name(n)}: missing from the 16-byte key index`);
      }
    }
    if (this.entries < this.hashed) v.push(`entries ${this.entries} < hashed ${this.hashed}`);
    let gcLen = 0;
    let prev: Neighbour<K> | null = null;
    for (let n = this.gcHead; n !== null; prev = n, n = n.gcNext) {
      gcLen++;
      if (n.gcPrev !== prev) v.push(`gc list back-link broken at ${name(n)}`);
      if (n.dead) v.push(`dead entry ${name(n)} on the gc list`);
    }
    if (prev !== this.gcTail) v.push('gc list tail pointer is wrong');
    if (gcLen !== this.gcCount) v.push(`gc list holds ${gcLen} entries, gc_entries says ${this.gcCount}`);
    for (const n of this.managed) if (!(n.flags & NTF_MANAGED) || n.dead) v.push(`${name(n)} on the managed list without NTF_MANAGED`);
    if ((this.managed.size > 0) !== this.managedTimer.pending && !this.frozen) {
      v.push(`managed list has ${this.managed.size} entries but its timer is ${this.managedTimer.pending ? '' : 'not '}pending`);
    }
    if (this.started && !this.gcTimer.pending) v.push('table started but the GC timer is not pending');
    const queued = this.pneigh.queuedPerParms();
    for (const p of this.parmsList()) {
      const q = queued.get(p) ?? 0;
      if (p.qlen !== q) v.push(`parms ${p.ifindex}: qlen ${p.qlen} but ${q} queued`);
    }
    if ((this.pneigh.queueLength > 0) !== this.pneigh.proxyTimer.pending) {
      v.push(`proxy queue holds ${this.pneigh.queueLength} packets but its timer is ${this.pneigh.proxyTimer.pending ? '' : 'not '}pending`);
    }
    return v;
  }

  private checkEntry(n: Neighbour<K>, bucket: number, id: string, v: string[]): void {
    if (n.dead) v.push(`${id}: dead entry still hashed`);
    if (this.bucketOf(n.primaryKey, n.dev) !== bucket) v.push(`${id}: in bucket ${bucket}, hashes elsewhere`);
    if (n.refcnt < 1) v.push(`${id}: refcnt ${n.refcnt}`);
    const inTimer = (n.nudState & NUD_IN_TIMER) !== 0;
    if (inTimer !== n.timer.pending && !(this.frozen && !n.timer.pending)) {
      v.push(`${id}: state ${nudStateNames(n.nudState).join(',')} but timer ${n.timer.pending ? 'pending' : 'idle'}`);
    }
    if (n.timer.pending && n.refcnt < 2) v.push(`${id}: pending timer without its reference`);
    let bytes = 0;
    for (const s of n.arpQueue) bytes += s.truesize;
    if (bytes !== n.arpQueueLenBytes) v.push(`${id}: queue holds ${bytes} bytes, arpQueueLenBytes ${n.arpQueueLenBytes}`);
    if (n.arpQueue.length > 0 && n.nudState !== NUD_INCOMPLETE) {
      v.push(`${id}: ${n.arpQueue.length} packets queued in state ${nudStateNames(n.nudState).join(',')}`);
    }
    const exemptState = (n.nudState & NUD_PERMANENT) !== 0 || (n.flags & NTF_EXT_LEARNED) !== 0;
    if (n.onGcList && exemptState) v.push(`${id}: exempt from GC but on the gc list`);
    if (!n.onGcList && !exemptState && !n.createdExempt) v.push(`${id}: subject to GC but not on the gc list`);
    if ((n.flags & NTF_MANAGED) !== 0 !== n.onManagedList) v.push(`${id}: NTF_MANAGED and managed list disagree`);
    if (n.hh.hhLen !== 0 && this.cfg.hhCheck && !this.cfg.hhCheck(n)) v.push(`${id}: cached header does not match lladdr`);
  }
}

/** Lower-case hex bytes joined by ':'. */
export function formatLladdr(ha: Buffer, len: number): string {
  const parts: string[] = [];
  for (let i = 0; i < len; i++) parts.push(ha[i].toString(16).padStart(2, '0'));
  return parts.join(':');
}
