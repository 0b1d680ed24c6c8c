// The IPv6 routing table: net/ipv6/route.c (ip6_route_add/ip6_route_del, ip6_pol_route with
// rt6_select/find_rr_leaf/rt6_score_route/rt6_check_neigh, rt6_add_dflt_router/rt6_get_dflt_router,
// rt6_purge_dflt_routers, rt6_clean_tohost, route exceptions) and net/ipv6/ip6_fib.c
// (fib6_add_rt2node's order and duplicate rules, fib6_walk's dump order, fib6_run_gc/fib6_age);
// addrconf_prefix_route, addrconf_get_prefix_route and addrconf_f6i_alloc from net/ipv6/addrconf.c.
//
// Two tables, `local` (our addresses, ff00::/8) and `main`, each one array in the order the kernel's
// tree walk dumps it. That order also serves longest-prefix match: for a given destination the
// matching prefixes appear longest first, so a lookup is one scan that tries each matching prefix
// in turn ("backtracking" to the parent node, as fib6_backtrack does) without allocating.
import { EEXIST, EHOSTUNREACH, EINVAL, EACCES, ENETDOWN, ENETUNREACH, ENODEV, ESRCH, StackError } from '../core/errno.js';
import { ARPHRD_LOOPBACK, IFF_LOOPBACK, IFF_RUNNING, IFF_UP, NetDevice } from '../core/netdevice.js';
import { NUD_FAILED, NUD_VALID } from '../neighbour/nud.js';
import {
  IPV6_ADDR_LINKLOCAL,
  IPV6_ADDR_LOOPBACK,
  IPV6_ADDR_MAPPED,
  IPV6_ADDR_MULTICAST,
  IPV6_ADDR_UNICAST,
  formatIn6,
  in6Copy,
  in6FromWords,
  in6Word,
  ipv6AddrAny,
  ipv6AddrEqual,
  ipv6AddrIsLinkLocal,
  ipv6AddrType,
  ipv6Prefix,
  ipv6PrefixEqual,
} from './in6_addr.js';

// ---- constants ----------------------------------------------------------------------------------

// Route types (include/uapi/linux/rtnetlink.h): the same numbers as src/ipv4/fib.ts, declared again
// so that src/ipv6 does not import src/ipv4 (../shared/design.md: ipv6 depends on core, neighbour).
export const RTN_UNICAST = 1;
export const RTN_LOCAL = 2;
export const RTN_ANYCAST = 4;
export const RTN_MULTICAST = 5;
export const RTN_BLACKHOLE = 6;
export const RTN_UNREACHABLE = 7;
export const RTN_PROHIBIT = 8;

// Route flags (include/uapi/linux/ipv6_route.h, route.h). Kept unsigned (RTF_LOCAL is bit 31).
export const RTF_UP = 0x0001;
export const RTF_GATEWAY = 0x0002;
export const RTF_DYNAMIC = 0x0010;
export const RTF_MODIFIED = 0x0020;
export const RTF_REJECT = 0x0200;
export const RTF_DEFAULT = 0x00010000;
export const RTF_ALLONLINK = 0x00020000;
export const RTF_ADDRCONF = 0x00040000;
export const RTF_PREFIX_RT = 0x00080000;
export const RTF_ANYCAST = 0x00100000;
export const RTF_NONEXTHOP = 0x00200000;
export const RTF_EXPIRES = 0x00400000;
export const RTF_ROUTEINFO = 0x00800000;
export const RTF_CACHE = 0x01000000;
export const RTF_FLOW = 0x02000000;
export const RTF_POLICY = 0x04000000;
/** The RA preference bits; tapstack carries the preference in {@link Rt6Info.pref} instead. */
export const RTF_PREF_MASK = 0x18000000;
export const RTF_PCPU = 0x40000000;
export const RTF_LOCAL = 0x80000000;
/** RTF_RA_ROUTER: what an RA default route carries (rt6_clean_tohost, rt6_get_dflt_router). */
export const RTF_RA_ROUTER = RTF_ADDRCONF | RTF_DEFAULT;

/** IP6_RT_PRIO_USER: the metric of `ip -6 route add` without one, and of RA default routes. */
export const IP6_RT_PRIO_USER = 1024;
/** IP6_RT_PRIO_ADDRCONF: the metric of prefix (connected), link-local and multicast routes. */
export const IP6_RT_PRIO_ADDRCONF = 256;

// Lookup flags (include/net/ip6_route.h).
export const RT6_LOOKUP_F_IFACE = 0x00000001;
export const RT6_LOOKUP_F_REACHABLE = 0x00000002;
export const RT6_LOOKUP_F_HAS_SADDR = 0x00000004;
export const RT6_LOOKUP_F_IGNORE_LINKSTATE = 0x00000040;

// rt6_check_neigh results (enum rt6_nud_state).
const RT6_NUD_FAIL_HARD = -3;
const RT6_NUD_FAIL_PROBE = -2;
const RT6_NUD_SUCCEED = 1;

// Router preference as the RA carries it (include/uapi/linux/icmpv6.h ICMPV6_ROUTER_PREF_*).
export const ICMPV6_ROUTER_PREF_MEDIUM = 0x0;
export const ICMPV6_ROUTER_PREF_HIGH = 0x1;
export const ICMPV6_ROUTER_PREF_INVALID = 0x2;
export const ICMPV6_ROUTER_PREF_LOW = 0x3;

/** A valid or preferred lifetime of 0xffffffff seconds: forever (INFINITY_LIFE_TIME). */
export const INFINITY_LIFE_TIME = 0xffffffff;
/** net.ipv6.route.gc_interval (30 s): how long an unused redirect exception survives the gc. */
export const IP6_RT_GC_INTERVAL_MS = 30_000;
/** net.ipv6.route.mtu_expires (600 s): lifetime of a path-MTU exception. */
export const IP6_RT_MTU_EXPIRES_MS = 600_000;
/** Exceptions kept per route before the least recently used goes (rt6_exception_remove_oldest). */
export const FIB6_MAX_EXCEPTIONS = 256;

// ---- types --------------------------------------------------------------------------------------

/** rtm_protocol: who made the route ('boot' is what `ip -6 route add` sends without `proto`). */
export type Rt6Proto = 'kernel' | 'static' | 'boot' | 'ra';
/** The routing table: `local` holds our addresses and ff00::/8, `main` the rest. */
export type Rt6Table = 'local' | 'main';
/** Router preference (RFC 4191) of an RA route; every other route is 'medium'. */
export type Rt6Pref = 'low' | 'medium' | 'high';

/** One IPv6 route (struct fib6_info with its one nexthop), or a cached exception (struct rt6_info). */
export interface Rt6Info {
  /** The prefix, host bits zero (an exception: the destination itself). */
  dst: Buffer;
  /** Prefix length 0–128. */
  prefixLen: number;
  /** RTN_UNICAST, RTN_LOCAL, RTN_ANYCAST, RTN_MULTICAST, RTN_UNREACHABLE, RTN_BLACKHOLE, RTN_PROHIBIT. */
  type: number;
  /**
   * Output device. Reject routes (unreachable, blackhole, prohibit) are bound to the loopback
   * device as in Linux: {@link Fib6.loopback}, shown as `dev lo`.
   */
  dev: NetDevice;
  /** Next hop router, or null for an on-link route. */
  gw: Buffer | null;
  /** RTA_PREFSRC: the source address to use, or null to choose one (ipv6_dev_get_saddr). */
  prefsrc: Buffer | null;
  /** RTA_PRIORITY: lower wins among routes of the same prefix. */
  metric: number;
  proto: Rt6Proto;
  table: Rt6Table;
  /** RTF_* bits (unsigned). */
  flags: number;
  /** Absolute expiry on the stack clock in ms when RTF_EXPIRES is set; 0 otherwise. */
  expires: number;
  /** RA router preference: scores the route in rt6_score_route. */
  pref: Rt6Pref;
  /** RTAX_MTU metric: 0 for none (the device's MTU applies). */
  mtu: number;
  /** RTAX_HOPLIMIT metric: 0 for none (the device's hop_limit applies). */
  hoplimit: number;
  /** RTF_CACHE clones hanging off this route (redirects, path MTU); null when none. */
  exceptions: Rt6Info[] | null;
  /** For an exception, the route it was cloned from (rt6_info.from); null for table routes. */
  from: Rt6Info | null;
  /** For an exception, the last time a lookup handed it out (dst.lastuse), for its aging. */
  lastuse: number;
}

/** What `ip -6 route add` says (struct fib6_config). */
export interface Rt6Config {
  /** The prefix; host bits are cleared, as the kernel does (it does not refuse them). */
  dst: Uint8Array;
  prefixLen: number;
  /** Default RTN_UNICAST. */
  type?: number;
  /** Output device; may be left out when the gateway is reachable through an on-link route. */
  dev?: NetDevice | null;
  gw?: Uint8Array | null;
  prefsrc?: Uint8Array | null;
  /** 0 or absent: IP6_RT_PRIO_USER (1024), as ip6_route_info_create does. */
  metric?: number;
  /** Default 'boot' (iproute2's default rtm_protocol). */
  proto?: Rt6Proto;
  /** Default 'main' — 'local' for RTN_LOCAL and RTN_ANYCAST, as iproute2 picks it without `table`. */
  table?: Rt6Table;
  /** Absolute expiry in ms (`ip -6 route add ... expires SEC` = now + SEC*1000); 0/absent: none. */
  expires?: number;
  pref?: Rt6Pref;
  mtu?: number;
  hoplimit?: number;
  /** More RTF_* bits (RTF_ADDRCONF, RTF_PREFIX_RT, ...). */
  flags?: number;
}

/** Which routes `delRoute` may pick (the rtmsg fields `ip -6 route del` fills in); absent = any. */
export interface Rt6DelFilter {
  gw?: Uint8Array | null;
  dev?: NetDevice | null;
  /** 0 or absent: any metric (the lowest one goes first). */
  metric?: number;
  table?: Rt6Table;
  proto?: Rt6Proto;
}

/** How the table reaches the rest of the stack; every member is optional. */
export interface Fib6Options {
  /**
   * rt6_check_neigh: the NUD state of the gateway's entry in nd_tbl, or NUD_NONE (0) when there
   * is none. Without it every router counts as reachable.
   */
  neighState?: (dev: NetDevice, gw: Buffer) => number;
  /** The gateway's entry exists and has the router flag (NTF_ROUTER); ages redirect exceptions. */
  neighIsRouter?: (dev: NetDevice, gw: Buffer) => boolean;
  /**
   * rt6_probe: called for a gateway route considered by a host's lookup (router reachability
   * probing, RFC 4191). Linux sends an NS when the entry is not VALID, at most once per
   * rtr_probe_interval (60 s): that rate limit is the callee's.
   */
  probe?: (rt: Rt6Info) => void;
  /** net.ipv6.conf.all.forwarding: a router skips the reachability pass. Default: host. */
  forwarding?: () => boolean;
  /** The device reject routes use (net->loopback_dev); default a stand-in named `lo`. */
  loopback?: NetDevice;
  /** Every route added, changed (preference) or removed (inet6_rt_notify). */
  notify?: (event: 'RTM_NEWROUTE' | 'RTM_DELROUTE', rt: Rt6Info) => void;
}

/**
 * The loopback device reject routes are bound to when the stack has none of its own. It is up,
 * never registered, and drops whatever is sent through it.
 */
class Rt6LoopbackDev extends NetDevice {
  constructor() {
    super('lo');
    this.flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING;
    this.type = ARPHRD_LOOPBACK;
    this.addrLen = 0;
    this.mtu = 65536;
    this.hardHeaderLen = 0;
  }

  xmit(): number {
    return -ENETUNREACH;
  }
}

// ---- small pure helpers -------------------------------------------------------------------------

/** IPV6_DECODE_PREF: low 1, medium 2, high 3 — what rt6_score_route adds (shifted left by 2). */
export function ipv6DecodePref(pref: Rt6Pref): number {
  return pref === 'high' ? 3 : pref === 'low' ? 1 : 2;
}

/** The RA's 2-bit preference as a name; 10b (invalid) counts as medium, as ndisc_router_discovery does. */
export function rt6PrefFromBits(bits: number): Rt6Pref {
  switch (bits & 3) {
    case ICMPV6_ROUTER_PREF_HIGH: return 'high';
    case ICMPV6_ROUTER_PREF_LOW: return 'low';
    default: return 'medium';
  }
}

/** ICMPV6_ROUTER_PREF_* of a preference (the RTA_PREF value). */
export function rt6PrefBits(pref: Rt6Pref): number {
  return pref === 'high' ? ICMPV6_ROUTER_PREF_HIGH : pref === 'low' ? ICMPV6_ROUTER_PREF_LOW : ICMPV6_ROUTER_PREF_MEDIUM;
}

/** Unreachable, blackhole and prohibit routes: RTF_REJECT, bound to the loopback device. */
export function rt6IsRejectType(type: number): boolean {
  return type === RTN_UNREACHABLE || type === RTN_BLACKHOLE || type === RTN_PROHIBIT;
}

/**
 * ip6_rt_type_to_error: the errno a lookup ending on this route type gives (negative; 0 when
 * packets may pass). `ip -6 route get` prints it; output drops the packet with it.
 */
export function rt6RejectErrno(type: number): number {
  switch (type) {
    case RTN_BLACKHOLE: return -EINVAL;
    case RTN_UNREACHABLE: return -EHOSTUNREACH;
    case RTN_PROHIBIT: return -EACCES;
    default: return 0;
  }
}

/** rt6_need_strict: multicast, link-local and loopback destinations need the outgoing device. */
export function rt6NeedStrict(daddr: Uint8Array, off = 0): boolean {
  return (ipv6AddrType(daddr, off) & (IPV6_ADDR_MULTICAST | IPV6_ADDR_LINKLOCAL | IPV6_ADDR_LOOPBACK)) !== 0;
}

/** rt6_nexthop: the gateway, or the destination itself on an on-link route. */
export function rt6Nexthop(rt: Rt6Info, daddr: Uint8Array): Uint8Array {
  return rt.gw ?? daddr;
}

/**
 * The order of the kernel's tree walk (fib6_walk: left child, right child, then the node):
 * compare the bits both prefixes have; the one with a 0 at the first difference comes first; when
 * one contains the other, the longer (the descendant) comes first. Negative: a before b.
 */
export function fib6NodeCmp(a: Uint8Array, aLen: number, b: Uint8Array, bLen: number): number {
  const n = aLen < bLen ? aLen : bLen;
  const bytes = n >>> 3;
  for (let i = 0; i < bytes; i++) if (a[i] !== b[i]) return a[i] - b[i];
  const bits = n & 7;
  if (bits !== 0) {
    const mask = (0xff << (8 - bits)) & 0xff;
    const x = a[bytes] & mask;
    const y = b[bytes] & mask;
    if (x !== y) return x - y;
  }
  return bLen - aLen;
}

/** rt6_duplicate_nexthop: same device and same gateway (none equals none). */
function sameNexthop(a: Rt6Info, dev: NetDevice, gw: Uint8Array | null): boolean {
  if (a.dev !== dev) return false;
  if (a.gw === null || gw === null) return a.gw === null && gw === null;
  return ipv6AddrEqual(a.gw, 0, gw, 0);
}

function sameNode(r: Rt6Info, dst: Uint8Array, prefixLen: number): boolean {
  return r.prefixLen === prefixLen && ipv6PrefixEqual(r.dst, 0, dst, 0, prefixLen);
}

// ---- the lookup cache ---------------------------------------------------------------------------

/** Slots of the lookup cache (a power of two; direct-mapped). */
const RT6_CACHE_BITS = 6;
const RT6_CACHE_SLOTS = 1 << RT6_CACHE_BITS;
/** Device up flags one cached answer may depend on; a walk that consulted more is not cached. */
const RT6_CACHE_DEVS = 4;
/** Gateway reachability results one cached answer may depend on. */
const RT6_CACHE_NEIGHS = 4;

/** One remembered lookup: its key, the generation, the answer, and what the walk consulted. */
class Rt6CacheSlot {
  w0 = 0;
  w1 = 0;
  w2 = 0;
  w3 = 0;
  /** The table generation the answer was computed under; 0: empty. */
  gen = 0;
  strict = 0;
  oif: NetDevice | null = null;
  rt: Rt6Info | null = null;
  /** Inputs the walk consulted beyond the tables: devices' up flags, then gateways' reachability. */
  nDevs = 0;
  readonly devs: (NetDevice | null)[] = [null, null, null, null];
  /** Bit i: devs[i] was up. */
  devUp = 0;
  nNeighs = 0;
  readonly neighRts: (Rt6Info | null)[] = [null, null, null, null];
  readonly neighRes: number[] = [0, 0, 0, 0];
}

/**
 * The answers of recent lookups (what Linux keeps as per-cpu rt6_info clones and dst caches,
 * checked against the tree's serial number), direct-mapped by destination. A slot holds the key
 * (destination, oif, strict flags), the table generation it was computed under, the answer, and
 * everything else the walk consulted on the way: the up flag of each device whose route was
 * scored, and the rt6_check_neigh result of each gateway route scored in the reachability pass.
 * A hit needs the same key and generation and those inputs unchanged — so a cached answer is
 * exactly the one the walk would give now. Walks with a side effect (rt6_probe) are never cached.
 * Exceptions are looked up after the cache, every time (they age and are stamped per use).
 * Preallocated: filling and hitting allocate nothing.
 */
class Rt6LookupCache {
  readonly slots: Rt6CacheSlot[] = Array.from({ length: RT6_CACHE_SLOTS }, () => new Rt6CacheSlot());
  /** The walk in progress: what it consulted so far (Fib6.findMatch/scoreRoute note it here). */
  readonly walk = new Rt6CacheSlot();
  /** The walk consulted too much, or had a side effect: its answer is not cached. */
  uncacheable = false;

  /** The slot of a destination: its words mixed once (the key is compared in full). */
  slotOf(w0: number, w1: number, w2: number, w3: number): Rt6CacheSlot {
    return this.slots[Math.imul(w0 ^ w1 ^ w2 ^ w3 ^ (w3 >>> 16), 0x9e3779b1) >>> (32 - RT6_CACHE_BITS)];
  }

  beginWalk(): void {
    this.walk.nDevs = 0;
    this.walk.devUp = 0;
    this.walk.nNeighs = 0;
    this.uncacheable = false;
  }

  /** find_match read the device's up flag. */
  noteDev(dev: NetDevice): void {
    const w = this.walk;
    const n = w.nDevs;
    for (let i = 0; i < n; i++) if (w.devs[i] === dev) return;
    if (n === RT6_CACHE_DEVS) {
      this.uncacheable = true;
      return;
    }
    w.devs[n] = dev;
    if (dev.isUp) w.devUp |= 1 << n;
    w.nDevs = n + 1;
  }

  /** rt6_check_neigh gave `res` for the gateway of `rt`. */
  noteNeigh(rt: Rt6Info, res: number): void {
    const w = this.walk;
    const n = w.nNeighs;
    for (let i = 0; i < n; i++) if (w.neighRts[i] === rt) return;
    if (n === RT6_CACHE_NEIGHS) {
      this.uncacheable = true;
      return;
    }
    w.neighRts[n] = rt;
    w.neighRes[n] = res;
    w.nNeighs = n + 1;
  }

  /** Stores the finished walk's answer in `s`, unless it may not be cached. */
  fill(s: Rt6CacheSlot, w0: number, w1: number, w2: number, w3: number, gen: number, strict: number, oif: NetDevice | null, rt: Rt6Info | null): void {
    if (this.uncacheable) {
      s.gen = 0;
      return;
    }
    const w = this.walk;
    s.w0 = w0;
    s.w1 = w1;
    s.w2 = w2;
    s.w3 = w3;
    s.gen = gen;
    s.strict = strict;
    s.oif = oif;
    s.rt = rt;
    s.nDevs = w.nDevs;
    s.devUp = w.devUp;
    for (let i = 0; i < RT6_CACHE_DEVS; i++) s.devs[i] = i < w.nDevs ? w.devs[i] : null;
    s.nNeighs = w.nNeighs;
    for (let i = 0; i < RT6_CACHE_NEIGHS; i++) {
      s.neighRts[i] = i < w.nNeighs ? w.neighRts[i] : null;
      s.neighRes[i] = i < w.nNeighs ? w.neighRes[i] : 0;
    }
  }

  /** Forgets every answer (the generation wrapped around). */
  clear(): void {
    for (const s of this.slots) {
      s.gen = 0;
      s.oif = null;
      s.rt = null;
      s.devs.fill(null);
      s.neighRts.fill(null);
    }
  }
}

const FE80 = in6FromWords(0xfe800000, 0, 0, 0);
const FF00 = in6FromWords(0xff000000, 0, 0, 0);
const ANY = Buffer.alloc(16);

// ---- the table ----------------------------------------------------------------------------------

/**
 * The IPv6 FIB: the `local` and `main` tables with Linux's lookup, insertion, duplicate and
 * expiry rules. It holds no timer: {@link Fib6.gc} takes `now` and says when to call it again.
 */
export class Fib6 {
  /** The device reject routes go through (Linux: the loopback device). */
  readonly loopback: NetDevice;
  private readonly localTbl: Rt6Info[] = [];
  private readonly mainTbl: Rt6Info[] = [];
  private readonly o: Fib6Options;
  /**
   * Bumped by every change to the tables that can alter a lookup (fib6_update_sernum): a route
   * added, replaced or removed, a router's preference changed. Never 0 (an empty cache slot).
   */
  private gen = 1;
  private readonly cache = new Rt6LookupCache();

  constructor(opts: Fib6Options = {}) {
    this.o = opts;
    this.loopback = opts.loopback ?? new Rt6LoopbackDev();
  }

  /** Every route in the order `ip -6 route show table all` lists them: main, then local. */
  get all(): Rt6Info[] {
    return [...this.mainTbl, ...this.localTbl];
  }

  /** One table, in dump order (`ip -6 route show table main|local`). */
  table(t: Rt6Table): readonly Rt6Info[] {
    return t === 'local' ? this.localTbl : this.mainTbl;
  }

  /** The cached exceptions (`ip -6 route show cache`), in table order. */
  get cached(): Rt6Info[] {
    const out: Rt6Info[] = [];
    for (const r of this.all) if (r.exceptions) out.push(...r.exceptions);
    return out;
  }

  /** Routes through a device, of a protocol and/or in a table, in dump order. */
  routesBy(f: { dev?: NetDevice; proto?: Rt6Proto; table?: Rt6Table }): Rt6Info[] {
    const src = f.table ? this.table(f.table) : this.all;
    return src.filter((r) => (f.dev === undefined || r.dev === f.dev) && (f.proto === undefined || r.proto === f.proto));
  }

  private tbl(t: Rt6Table): Rt6Info[] {
    return t === 'local' ? this.localTbl : this.mainTbl;
  }

  /** The tables changed: every cached lookup answer is stale. */
  private changed(): void {
    this.gen = (this.gen + 1) | 0;
    if (this.gen === 0) {
      this.gen = 1;
      this.cache.clear();
    }
  }

  // ---- insertion and removal ----------------------------------------------------------------

  /**
   * fib6_add_rt2node: the route goes after every route of its prefix with a metric ≤ its own.
   * `excl` (NLM_F_EXCL, what `ip -6 route add` sends): any route of the same prefix and metric
   * refuses it. Without it (routes the kernel makes) only a route with the same nexthop does, and
   * that one takes over the new expiry (or loses its own). `replace` (NLM_F_REPLACE): the first
   * route of the same prefix and metric is replaced. Returns the route now in the table, or
   * throws EEXIST.
   */
  private fib6Add(rt: Rt6Info, excl: boolean, replace: boolean): Rt6Info {
    const t = this.tbl(rt.table);
    let i = 0;
    while (i < t.length && fib6NodeCmp(t[i].dst, t[i].prefixLen, rt.dst, rt.prefixLen) < 0) i++;
    for (; i < t.length && sameNode(t[i], rt.dst, rt.prefixLen); i++) {
      const it = t[i];
      if (it.metric === rt.metric) {
        if (replace) {
          t[i] = rt;
          this.changed();
          this.dropExceptions(it);
          this.o.notify?.('RTM_NEWROUTE', rt);
          return rt;
        }
        if (excl) throw new StackError(EEXIST);
        if (sameNexthop(it, rt.dev, rt.gw)) {
          if (!(it.flags & RTF_EXPIRES)) throw new StackError(EEXIST);
          if (!(rt.flags & RTF_EXPIRES)) {
            it.flags = (it.flags & ~RTF_EXPIRES) >>> 0;
            it.expires = 0;
          } else {
            it.expires = rt.expires;
          }
          if (rt.mtu) it.mtu = rt.mtu;
          throw new StackError(EEXIST);
        }
      }
      if (it.metric > rt.metric) break;
    }
    t.splice(i, 0, rt);
    this.changed();
    this.o.notify?.('RTM_NEWROUTE', rt);
    return rt;
  }

  /** Kernel-made routes: a duplicate leaves the existing one (refreshed) and returns it. */
  private fib6AddKernel(rt: Rt6Info): Rt6Info | null {
    try {
      return this.fib6Add(rt, false, false);
    } catch (e) {
      if (e instanceof StackError && e.code === 'EEXIST') return null;
      throw e;
    }
  }

  /** ip6_del_rt: removes a table route (and its exceptions). Returns whether it was there. */
  removeRoute(rt: Rt6Info): boolean {
    const t = this.tbl(rt.table);
    const i = t.indexOf(rt);
    if (i < 0) return false;
    t.splice(i, 1);
    this.changed();
    this.dropExceptions(rt);
    this.o.notify?.('RTM_DELROUTE', rt);
    return true;
  }

  private dropExceptions(rt: Rt6Info): void {
    rt.exceptions = null;
  }

  private newRt(dst: Uint8Array, prefixLen: number, dev: NetDevice, table: Rt6Table, proto: Rt6Proto, metric: number, type: number, flags: number): Rt6Info {
    return {
      dst: ipv6Prefix(dst, 0, prefixLen), prefixLen, type, dev, gw: null, prefsrc: null, metric, proto, table,
      flags: flags >>> 0, expires: 0, pref: 'medium', mtu: 0, hoplimit: 0, exceptions: null, from: null, lastuse: 0,
    };
  }

  /**
   * ip6_route_add (`ip -6 route add|replace`): validates as ip6_route_info_create/fib6_nh_init do
   * and inserts. Errors, with the texts iproute2 prints: EINVAL "Invalid prefix length", ENODEV
   * (no device and no gateway to find one), EINVAL "Gateway can not be a local address" /
   * "Invalid gateway address" / "Egress device not specified" (link-local gateway without dev),
   * EHOSTUNREACH (a global gateway with no on-link route to it), ENETDOWN "Nexthop device is not
   * up", EINVAL "Invalid source address", EEXIST (a route of the same prefix and metric — with any
   * gateway — is there; `replace` replaces it instead).
   */
  addRoute(cfg: Rt6Config, opts: { replace?: boolean } = {}): Rt6Info {
    const plen = cfg.prefixLen;
    if (!Number.isInteger(plen) || plen < 0 || plen > 128) throw new StackError(EINVAL, 'Invalid prefix length');
    const type = cfg.type ?? RTN_UNICAST;
    const table = cfg.table ?? (type === RTN_LOCAL || type === RTN_ANYCAST ? 'local' : 'main');
    let dev: NetDevice | null = cfg.dev ?? null;
    let gw: Buffer | null = cfg.gw && !ipv6AddrAny(cfg.gw, 0) ? in6Copy(cfg.gw, 0) : null;
    let flags = RTF_UP | (cfg.flags ?? 0);
    if (rt6IsRejectType(type)) {
      // Reject routes never leave the host: they hold the loopback device and no gateway.
      dev = this.loopback;
      gw = null;
      flags |= RTF_REJECT;
    } else {
      if (gw !== null) dev = this.validateGw(gw, dev);
      if (dev === null) throw new StackError(ENODEV);
      if (!dev.isUp) throw new StackError(ENETDOWN, 'Nexthop device is not up');
      if (gw !== null) flags |= RTF_GATEWAY;
      if (type === RTN_LOCAL) flags |= RTF_LOCAL;
      if (type === RTN_ANYCAST) flags |= RTF_ANYCAST;
    }
    let prefsrc: Buffer | null = null;
    if (cfg.prefsrc && !ipv6AddrAny(cfg.prefsrc, 0)) {
      if (!this.isLocalAddr(cfg.prefsrc, 0, dev)) throw new StackError(EINVAL, 'Invalid source address');
      prefsrc = in6Copy(cfg.prefsrc, 0);
    }
    if (cfg.expires) flags |= RTF_EXPIRES;
    const rt = this.newRt(cfg.dst, plen, dev, table, cfg.proto ?? 'boot', cfg.metric || IP6_RT_PRIO_USER, type, flags);
    rt.gw = gw;
    rt.prefsrc = prefsrc;
    rt.expires = cfg.expires ?? 0;
    rt.pref = cfg.pref ?? 'medium';
    rt.mtu = cfg.mtu ?? 0;
    rt.hoplimit = cfg.hoplimit ?? 0;
    return this.fib6Add(rt, !opts.replace, opts.replace === true);
  }

  /**
   * ip6_validate_gw: a gateway must not be ours, must be unicast, and unless it is link-local must
   * be reachable through an on-link (gatewayless, non-reject) route on `dev` — which then gives
   * the device when none was named. Returns the device.
   */
  private validateGw(gw: Buffer, dev: NetDevice | null): NetDevice {
    if (this.isLocalAddr(gw, 0, dev)) throw new StackError(EINVAL, 'Gateway can not be a local address');
    const t = ipv6AddrType(gw, 0);
    if (t !== (IPV6_ADDR_LINKLOCAL | IPV6_ADDR_UNICAST)) {
      if (!(t & (IPV6_ADDR_UNICAST | IPV6_ADDR_MAPPED))) throw new StackError(EINVAL, 'Invalid gateway address');
      // ip6_route_check_nh: a strict lookup of the gateway itself.
      const strict = RT6_LOOKUP_F_IFACE | RT6_LOOKUP_F_IGNORE_LINKSTATE;
      const r = this.tableLookup(this.localTbl, gw, 0, dev, strict) ?? this.tableLookup(this.mainTbl, gw, 0, dev, strict);
      if (r === null || r.flags & RTF_REJECT || r.gw !== null || (dev !== null && r.dev !== dev)) throw new StackError(EHOSTUNREACH);
      dev = r.dev;
    }
    if (dev === null) throw new StackError(EINVAL, 'Egress device not specified');
    return dev;
  }

  /**
   * ipv6_chk_addr (as far as the table knows): `addr` has a local route; a link-local one only
   * counts on `dev` (when given).
   */
  isLocalAddr(addr: Uint8Array, off: number, dev: NetDevice | null = null): boolean {
    const ll = ipv6AddrIsLinkLocal(addr, off);
    for (const r of this.localTbl) {
      if (r.type !== RTN_LOCAL || r.prefixLen !== 128 || !ipv6AddrEqual(r.dst, 0, addr, off)) continue;
      if (!ll || dev === null || r.dev === dev) return true;
    }
    return false;
  }

  /**
   * ip6_route_del (`ip -6 route del`): the first route of exactly this prefix in the table (main
   * unless said) that passes the filter. Returns it; ESRCH when there is none.
   */
  delRoute(dst: Uint8Array, prefixLen: number, f: Rt6DelFilter = {}): Rt6Info {
    const t = this.tbl(f.table ?? 'main');
    for (const r of t) {
      if (!sameNode(r, dst, prefixLen)) continue;
      if (f.dev && r.dev !== f.dev) continue;
      if (f.gw && !ipv6AddrAny(f.gw, 0) && (r.gw === null || !ipv6AddrEqual(r.gw, 0, f.gw, 0))) continue;
      if (f.metric && r.metric !== f.metric) continue;
      if (f.proto && r.proto !== f.proto) continue;
      this.removeRoute(r);
      return r;
    }
    throw new StackError(ESRCH);
  }

  /**
   * rt6_sync_down_dev (NETDEV_DOWN and NETDEV_UNREGISTER): every route through the device goes,
   * static ones included. `_keepAddrRoutes` is accepted and ignored: with keep_addr_on_down Linux
   * still flushes the routes and restores those of kept addresses at NETDEV_UP (measured).
   */
  flushDev(dev: NetDevice, _keepAddrRoutes = false): number {
    let n = 0;
    for (const t of [this.mainTbl, this.localTbl]) {
      for (let i = t.length - 1; i >= 0; i--) {
        if (t[i].dev === dev) {
          this.removeRoute(t[i]);
          n++;
        }
      }
    }
    return n;
  }

  // ---- lookup ---------------------------------------------------------------------------------

  /**
   * ip6_route_output → fib6_rule_lookup → ip6_pol_route: the local table, then main. `oif`
   * restricts to a device (RT6_LOOKUP_F_IFACE) for multicast/link-local destinations and whenever
   * the source is unspecified (pass RT6_LOOKUP_F_HAS_SADDR when the source is known: then the
   * device is only preferred). For input lookups pass the incoming device as `oif` with
   * RT6_LOOKUP_F_HAS_SADDR, as ip6_pol_route_input does. `now` (optional) skips expired
   * exceptions and stamps the one used. Allocates nothing; null means ENETUNREACH. A reject route
   * is returned as such ({@link rt6RejectErrno}). The table walk's answer comes from the lookup
   * cache when nothing it depends on has changed ({@link Rt6LookupCache}).
   */
  lookup(daddr: Uint8Array, off: number, oif: NetDevice | null, flags = 0, now = -1): Rt6Info | null {
    return this.lookupWords(in6Word(daddr, off, 0) | 0, in6Word(daddr, off, 1) | 0, in6Word(daddr, off, 2) | 0, in6Word(daddr, off, 3) | 0, daddr, off, oif, flags, now);
  }

  /**
   * lookup() for a caller that has read the destination daddr[off..off+16) as its four words
   * already (in6Word, as signed 32-bit numbers: `| 0`) — the ICMPv6 echo reply has.
   */
  lookupWords(w0: number, w1: number, w2: number, w3: number, daddr: Uint8Array, off: number, oif: NetDevice | null, flags = 0, now = -1): Rt6Info | null {
    let strict = flags & (RT6_LOOKUP_F_IFACE | RT6_LOOKUP_F_IGNORE_LINKSTATE);
    if (oif !== null && (!(flags & RT6_LOOKUP_F_HAS_SADDR) || rt6NeedStrict(daddr, off))) strict |= RT6_LOOKUP_F_IFACE;
    if (!(this.o.forwarding?.() ?? false)) strict |= RT6_LOOKUP_F_REACHABLE;
    const rt = this.cachedLookup(w0, w1, w2, w3, daddr, off, oif, strict);
    if (rt === null || rt.exceptions === null) return rt;
    return this.findCachedRt(rt, daddr, off, now) ?? rt;
  }

  /** The local table, then main — answered from the cache when the slot is still exact. */
  private cachedLookup(w0: number, w1: number, w2: number, w3: number, daddr: Uint8Array, off: number, oif: NetDevice | null, strict: number): Rt6Info | null {
    const c = this.cache;
    const s = c.slotOf(w0, w1, w2, w3);
    if (s.gen === this.gen && s.w3 === w3 && s.w0 === w0 && s.w1 === w1 && s.w2 === w2 && s.oif === oif && s.strict === strict &&
      this.cacheInputsHold(s)) {
      return s.rt;
    }
    c.beginWalk();
    const rt = this.tableLookup(this.localTbl, daddr, off, oif, strict) ?? this.tableLookup(this.mainTbl, daddr, off, oif, strict);
    c.fill(s, w0, w1, w2, w3, this.gen, strict, oif, rt);
    return rt;
  }

  /** The devices and gateways the slot's walk consulted still say what they said then. */
  private cacheInputsHold(s: Rt6CacheSlot): boolean {
    const nd = s.nDevs;
    let up = 0;
    for (let i = 0; i < nd; i++) if (((s.devs[i] as NetDevice).flags & IFF_UP) !== 0) up |= 1 << i;
    if (up !== s.devUp) return false;
    const nn = s.nNeighs;
    for (let i = 0; i < nn; i++) if (this.checkNeigh(s.neighRts[i] as Rt6Info) !== s.neighRes[i]) return false;
    return true;
  }

  /**
   * fib6_table_lookup: each matching prefix, longest first (rt6_select, then fib6_backtrack);
   * when none has a usable route with the reachability test, once more without it. So a shorter
   * prefix via a reachable router beats a longer one whose router is FAILED (measured).
   */
  private tableLookup(t: Rt6Info[], daddr: Uint8Array, off: number, oif: NetDevice | null, strict: number): Rt6Info | null {
    for (;;) {
      let i = 0;
      const n = t.length;
      let matched = false;
      while (i < n) {
        const r = t[i];
        if (!ipv6PrefixEqual(daddr, off, r.dst, 0, r.prefixLen)) {
          i++;
          continue;
        }
        matched = true;
        let j = i + 1;
        while (j < n && t[j].prefixLen === r.prefixLen && ipv6AddrEqual(t[j].dst, 0, r.dst, 0)) j++;
        const rt = this.findRrLeaf(t, i, j, oif, strict);
        if (rt !== null) return rt;
        i = j;
      }
      // No prefix matched at all: the pass without the reachability test would find none either.
      if (!matched || !(strict & RT6_LOOKUP_F_REACHABLE)) return null;
      strict &= ~RT6_LOOKUP_F_REACHABLE;
    }
  }

  /**
   * find_rr_leaf over one prefix's routes t[start, end) (metric order): the best score among the
   * lowest-metric routes; only when none of them qualifies, the best of all the others. Equal
   * scores keep the earlier route. (No round robin: with CONFIG_IPV6_ROUTER_PREF it never runs.)
   */
  private findRrLeaf(t: Rt6Info[], start: number, end: number, oif: NetDevice | null, strict: number): Rt6Info | null {
    const metric = t[start].metric;
    let mpri = -1;
    let match: Rt6Info | null = null;
    let cont = -1;
    for (let i = start; i < end; i++) {
      const rt = t[i];
      if (rt.metric !== metric) {
        cont = i;
        break;
      }
      const m = this.findMatch(rt, oif, strict);
      if (m > mpri) {
        mpri = m;
        match = rt;
      }
    }
    if (match !== null || cont < 0) return match;
    for (let i = cont; i < end; i++) {
      const m = this.findMatch(t[i], oif, strict);
      if (m > mpri) {
        mpri = m;
        match = t[i];
      }
    }
    return match;
  }

  /** find_match: a dead nexthop (device down) never matches; else the score, probing routers. */
  private findMatch(rt: Rt6Info, oif: NetDevice | null, strict: number): number {
    if (rt.type !== RTN_LOCAL) {
      this.cache.noteDev(rt.dev);
      if (!rt.dev.isUp) return RT6_NUD_FAIL_HARD;
    }
    const m = this.scoreRoute(rt, oif, strict);
    if (m === RT6_NUD_FAIL_HARD) return m;
    if (strict & RT6_LOOKUP_F_REACHABLE && rt.gw !== null && this.o.probe !== undefined) {
      // rt6_probe has an effect of its own each time: such a walk must run every time.
      this.cache.uncacheable = true;
      this.o.probe(rt);
    }
    return m;
  }

  /**
   * rt6_score_route: 2 when on `oif` (or no oif given), plus the decoded router preference << 2;
   * off `oif` under RT6_LOOKUP_F_IFACE it fails; in the reachability pass a gateway whose entry
   * is FAILED fails (RT6_NUD_FAIL_PROBE) — an entry in any other state, or none, is fine.
   */
  private scoreRoute(rt: Rt6Info, oif: NetDevice | null, strict: number): number {
    let m = oif === null || rt.dev === oif ? 2 : 0;
    if (m === 0 && strict & RT6_LOOKUP_F_IFACE) return RT6_NUD_FAIL_HARD;
    m |= ipv6DecodePref(rt.pref) << 2;
    if (strict & RT6_LOOKUP_F_REACHABLE && !(rt.flags & RTF_NONEXTHOP) && rt.gw !== null) {
      const n = this.checkNeigh(rt);
      this.cache.noteNeigh(rt, n);
      if (n < 0) return n;
    }
    return m;
  }

  /** rt6_check_neigh (CONFIG_IPV6_ROUTER_PREF=y). */
  private checkNeigh(rt: Rt6Info): number {
    const state = this.o.neighState?.(rt.dev, rt.gw as Buffer) ?? 0;
    if (state & NUD_VALID) return RT6_NUD_SUCCEED;
    return state & NUD_FAILED ? RT6_NUD_FAIL_PROBE : RT6_NUD_SUCCEED;
  }

  /** rt6_find_cached_rt: the exception for exactly `daddr`, when there is one. */
  private findCachedRt(rt: Rt6Info, daddr: Uint8Array, off: number, now: number): Rt6Info | null {
    const ex = rt.exceptions as Rt6Info[];
    for (let i = 0; i < ex.length; i++) {
      const e = ex[i];
      if (!ipv6AddrEqual(e.dst, 0, daddr, off)) continue;
      if (now >= 0) {
        if (e.flags & RTF_EXPIRES && e.expires <= now) return null;
        e.lastuse = now;
      }
      return e;
    }
    return null;
  }

  // ---- exceptions (redirects, path MTU) -------------------------------------------------------

  /**
   * rt6_insert_exception: a clone of `from` for exactly `daddr` replaces any older one; beyond
   * {@link FIB6_MAX_EXCEPTIONS} the least recently used goes.
   */
  private insertException(from: Rt6Info, daddr: Uint8Array, e: Rt6Info): Rt6Info {
    const ex = (from.exceptions ??= []);
    const i = ex.findIndex((x) => ipv6AddrEqual(x.dst, 0, daddr, 0));
    if (i >= 0) ex.splice(i, 1);
    if (ex.length >= FIB6_MAX_EXCEPTIONS) {
      let old = 0;
      for (let k = 1; k < ex.length; k++) if (ex[k].lastuse < ex[old].lastuse) old = k;
      ex.splice(old, 1);
    }
    ex.push(e);
    return e;
  }

  private cloneFor(from: Rt6Info, daddr: Uint8Array, now: number): Rt6Info {
    return {
      ...from, dst: in6Copy(daddr, 0), prefixLen: 128, flags: (from.flags | RTF_CACHE) >>> 0,
      exceptions: null, from, lastuse: now,
    };
  }

  /**
   * rt6_do_redirect's route part: packets to `daddr` now go via `target` (null: the destination
   * is on-link). The clone keeps the parent's metric and device; its flags are
   * RTF_GATEWAY (unless on-link) | RTF_UP | RTF_DYNAMIC | RTF_CACHE, so it shows `pref medium`.
   */
  rt6Redirect(from: Rt6Info, daddr: Uint8Array, target: Uint8Array | null, now: number): Rt6Info {
    const e = this.cloneFor(from, daddr, now);
    e.flags = ((target ? RTF_GATEWAY : 0) | RTF_UP | RTF_DYNAMIC | RTF_CACHE) >>> 0;
    e.gw = target ? in6Copy(target, 0) : null;
    e.expires = 0;
    e.pref = 'medium';
    return this.insertException(from, daddr, e);
  }

  /**
   * rt6_do_update_pmtu on a clone: `daddr` gets path MTU `mtu` for mtu_expires (600 s). Returns
   * the exception.
   */
  rt6UpdatePmtu(from: Rt6Info, daddr: Uint8Array, mtu: number, now: number, expiresMs = IP6_RT_MTU_EXPIRES_MS): Rt6Info {
    const old = from.exceptions?.find((x) => ipv6AddrEqual(x.dst, 0, daddr, 0));
    const e = old ?? this.cloneFor(from, daddr, now);
    e.mtu = mtu;
    e.flags = (e.flags | RTF_MODIFIED | RTF_EXPIRES) >>> 0;
    e.expires = now + expiresMs;
    return old ?? this.insertException(from, daddr, e);
  }

  // ---- routes addrconf makes ------------------------------------------------------------------

  /** addrconf_f6i_alloc + insert: `local ADDR dev DEV table local proto kernel metric 0`. */
  addLocal(dev: NetDevice, addr: Uint8Array, anycast = false): Rt6Info | null {
    const type = anycast ? RTN_ANYCAST : RTN_LOCAL;
    const flags = RTF_UP | RTF_NONEXTHOP | (anycast ? RTF_ANYCAST : RTF_LOCAL);
    return this.fib6AddKernel(this.newRt(addr, 128, dev, 'local', 'kernel', 0, type, flags));
  }

  /** Removes the local (or anycast) route of `addr` on `dev`. Returns whether there was one. */
  delLocal(dev: NetDevice, addr: Uint8Array, anycast = false): boolean {
    const type = anycast ? RTN_ANYCAST : RTN_LOCAL;
    const r = this.localTbl.find((x) => x.dev === dev && x.type === type && x.prefixLen === 128 && ipv6AddrEqual(x.dst, 0, addr, 0));
    return r !== undefined && this.removeRoute(r);
  }

  /** addrconf_add_mroute: `multicast ff00::/8 dev DEV table local proto kernel metric 256`. */
  addrconfAddMroute(dev: NetDevice): Rt6Info | null {
    return this.fib6AddKernel(this.newRt(FF00, 8, dev, 'local', 'kernel', IP6_RT_PRIO_ADDRCONF, RTN_MULTICAST, RTF_UP));
  }

  /**
   * addrconf_prefix_route: `PREFIX/LEN dev DEV proto kernel metric 256` (or `metric`), with
   * RTF_EXPIRES when `expires` (absolute ms) is not 0. Returns the new route, or null when one
   * with the same nexthop was there (its expiry follows the new one, as in fib6_add_rt2node).
   */
  addrconfPrefixRoute(pfx: Uint8Array, plen: number, metric: number, dev: NetDevice, expires: number, flags: number, proto: Rt6Proto = 'kernel'): Rt6Info | null {
    const rt = this.newRt(pfx, plen, dev, 'main', proto, metric || IP6_RT_PRIO_ADDRCONF, RTN_UNICAST, RTF_UP | flags | (expires ? RTF_EXPIRES : 0));
    rt.expires = expires;
    return this.fib6AddKernel(rt);
  }

  /**
   * addrconf_get_prefix_route: the route of exactly PREFIX/LEN in main on `dev` that has all of
   * `flags`, none of `noflags`, and (with `noGw`) no gateway.
   */
  addrconfGetPrefixRoute(pfx: Uint8Array, plen: number, dev: NetDevice | null, flags: number, noflags: number, noGw: boolean): Rt6Info | null {
    for (const r of this.mainTbl) {
      if (!sameNode(r, pfx, plen)) continue;
      if (dev !== null && r.dev !== dev) continue;
      if (((r.flags & flags) >>> 0) !== flags >>> 0 || r.flags & noflags) continue;
      if (noGw && r.gw !== null) continue;
      return r;
    }
    return null;
  }

  /**
   * The prefix route of an address (inet6_addr_add / fixup_permanent_addr): expiring with the
   * address when its valid lifetime (seconds) is finite. Returns the route, or null if there was
   * already one.
   */
  addPrefixRoute(dev: NetDevice, addr: Uint8Array, plen: number, validLft: number, now: number, proto: Rt6Proto = 'kernel', metric = 0): Rt6Info | null {
    const finite = validLft !== INFINITY_LIFE_TIME && Number.isFinite(validLft);
    return this.addrconfPrefixRoute(addr, plen, metric, dev, finite ? now + validLft * 1000 : 0, 0, proto);
  }

  /** cleanup_prefix_route: the address's prefix route (gatewayless, not RTF_DEFAULT) goes. */
  delPrefixRoute(dev: NetDevice, addr: Uint8Array, plen: number): boolean {
    const r = this.addrconfGetPrefixRoute(addr, plen, dev, 0, RTF_DEFAULT, true);
    return r !== null && this.removeRoute(r);
  }

  /** addrconf_add_dev / addrconf_add_linklocal: `fe80::/64 dev DEV` and `multicast ff00::/8`. */
  addLinkLocal(dev: NetDevice): void {
    this.addrconfPrefixRoute(FE80, 64, 0, dev, 0, 0);
    this.addrconfAddMroute(dev);
  }

  /**
   * addrconf_prefix_rcv, on-link flag (§4.4): the RA prefix route of PREFIX/LEN on `dev` (one with
   * RTF_ADDRCONF|RTF_PREFIX_RT) is deleted by valid 0, else expires in `valid` seconds (0xffffffff:
   * never). Without one, valid > 0 adds `PREFIX/LEN dev DEV proto kernel metric 256 [expires]`.
   * Returns the route, if any is left.
   */
  raPrefixRoute(dev: NetDevice, prefix: Uint8Array, plen: number, valid: number, now: number): Rt6Info | null {
    const rt = this.addrconfGetPrefixRoute(prefix, plen, dev, RTF_ADDRCONF | RTF_PREFIX_RT, RTF_DEFAULT | RTF_GATEWAY, true);
    const finite = valid !== INFINITY_LIFE_TIME;
    if (rt !== null) {
      if (valid === 0) {
        this.removeRoute(rt);
        return null;
      }
      if (finite) {
        rt.flags = (rt.flags | RTF_EXPIRES) >>> 0;
        rt.expires = now + valid * 1000;
      } else {
        rt.flags = (rt.flags & ~RTF_EXPIRES) >>> 0;
        rt.expires = 0;
      }
      return rt;
    }
    if (valid === 0) return null;
    return this.addrconfPrefixRoute(prefix, plen, 0, dev, finite ? now + valid * 1000 : 0, RTF_ADDRCONF | RTF_PREFIX_RT);
  }

  // ---- default routers (RA) ---------------------------------------------------------------

  /** rt6_get_dflt_router: the RA default route via `gw` on `dev` (RTF_ADDRCONF|RTF_DEFAULT). */
  getDfltRouter(gw: Uint8Array, dev: NetDevice): Rt6Info | null {
    for (const r of this.mainTbl) {
      if (r.prefixLen !== 0) continue;
      if (r.dev === dev && (r.flags & RTF_RA_ROUTER) === RTF_RA_ROUTER && r.gw !== null && ipv6AddrEqual(r.gw, 0, gw, 0)) return r;
    }
    return null;
  }

  /**
   * rt6_add_dflt_router: `default via GW dev DEV proto ra metric METRIC expires LIFETIME pref P`
   * (RTF_GATEWAY|RTF_ADDRCONF|RTF_DEFAULT|RTF_UP|RTF_EXPIRES). An existing one takes the new
   * expiry. Returns the route in the table.
   */
  addDfltRouter(gw: Uint8Array, dev: NetDevice, pref: Rt6Pref, lifetimeMs: number, metric: number, now: number): Rt6Info | null {
    const rt = this.newRt(ANY, 0, dev, 'main', 'ra', metric || IP6_RT_PRIO_USER, RTN_UNICAST, RTF_GATEWAY | RTF_ADDRCONF | RTF_DEFAULT | RTF_UP | RTF_EXPIRES);
    rt.gw = in6Copy(gw, 0);
    rt.pref = pref;
    rt.expires = now + lifetimeMs;
    this.fib6AddKernel(rt);
    return this.getDfltRouter(gw, dev);
  }

  /**
   * The default-router step of ndisc_router_discovery (§2.5, step 4), after its accept checks:
   * the existing RA route via `gw` goes when `lifetime` (seconds) is 0 or its metric is not
   * `metric` (ra_defrtr_metric); none and lifetime > 0 adds one; an existing one takes the
   * preference (`prefBits`: the RA's 2 bits, 10b = medium). Expiry := now + lifetime; a non-zero
   * `hoplimit` becomes the route's hoplimit metric. Returns the route, or null when there is none
   * (setting the router flag on the neighbour entry is the caller's part).
   */
  raDefaultRouter(dev: NetDevice, gw: Uint8Array, lifetime: number, prefBits: number, metric: number, hoplimit: number, now: number): Rt6Info | null {
    const pref = rt6PrefFromBits(prefBits);
    let rt = this.getDfltRouter(gw, dev);
    if (rt !== null && (lifetime === 0 || rt.metric !== metric)) {
      this.removeRoute(rt);
      rt = null;
    }
    if (rt === null && lifetime !== 0) {
      rt = this.addDfltRouter(gw, dev, pref, lifetime * 1000, metric, now);
    } else if (rt !== null && rt.pref !== pref) {
      rt.pref = pref;
      this.changed();
      this.o.notify?.('RTM_NEWROUTE', rt);
    }
    if (rt === null) return null;
    rt.flags = (rt.flags | RTF_EXPIRES) >>> 0;
    rt.expires = now + lifetime * 1000;
    if (hoplimit !== 0) rt.hoplimit = hoplimit;
    return rt;
  }

  /** The RA default route via `gw` on `dev` goes (when there is one). */
  delDfltRouter(gw: Uint8Array, dev: NetDevice): boolean {
    const rt = this.getDfltRouter(gw, dev);
    return rt !== null && this.removeRoute(rt);
  }

  /** The MTU option's effect on the RA default route via `gw` (fib6_metric_set RTAX_MTU). */
  setDfltRouterMtu(gw: Uint8Array, dev: NetDevice, mtu: number): Rt6Info | null {
    const rt = this.getDfltRouter(gw, dev);
    if (rt !== null) rt.mtu = mtu;
    return rt;
  }

  /**
   * rt6_purge_dflt_routers / __rt6_purge_dflt_routers: default routes (::/0 in main) with
   * RTF_DEFAULT or RTF_ADDRCONF go — all of them, or those on `dev`; `keep(dev)` spares a device
   * (Linux: accept_ra = 2). Returns how many went.
   */
  purgeDfltRouters(dev?: NetDevice | null, keep?: (dev: NetDevice) => boolean): number {
    let n = 0;
    const t = this.mainTbl;
    for (let i = t.length - 1; i >= 0; i--) {
      const r = t[i];
      if (r.prefixLen !== 0 || !(r.flags & (RTF_DEFAULT | RTF_ADDRCONF))) continue;
      if (dev && r.dev !== dev) continue;
      if (keep?.(r.dev)) continue;
      this.removeRoute(r);
      n++;
    }
    return n;
  }

  /**
   * rt6_clean_tohost: `gw` stopped being a router — every RA route via it goes, and so does every
   * redirect exception that points at it.
   */
  cleanTohost(gw: Uint8Array): number {
    let n = 0;
    const t = this.mainTbl;
    for (let i = t.length - 1; i >= 0; i--) {
      const r = t[i];
      if ((r.flags & RTF_RA_ROUTER) === RTF_RA_ROUTER && r.gw !== null && ipv6AddrEqual(r.gw, 0, gw, 0)) {
        this.removeRoute(r);
        n++;
        continue;
      }
      if (r.exceptions) {
        r.exceptions = r.exceptions.filter((e) => !(e.flags & RTF_GATEWAY && e.gw !== null && ipv6AddrEqual(e.gw, 0, gw, 0)));
        if (r.exceptions.length === 0) r.exceptions = null;
      }
    }
    return n;
  }

  // ---- expiry ---------------------------------------------------------------------------------

  /**
   * fib6_run_gc → fib6_age: routes whose RTF_EXPIRES time has come go; exceptions go when expired,
   * when unused for `exceptionTimeoutMs` (redirects), or when their gateway is no longer a router.
   * Returns the next time something will be due (arm a timer for it), or null when nothing
   * expires. Linux runs this from a timer every gc_interval, so its removals can lag by up to
   * 30 s; here they happen at the time returned.
   */
  gc(now: number, exceptionTimeoutMs = IP6_RT_GC_INTERVAL_MS): number | null {
    let next = Infinity;
    for (const t of [this.mainTbl, this.localTbl]) {
      for (let i = t.length - 1; i >= 0; i--) {
        const r = t[i];
        if (r.flags & RTF_EXPIRES && r.expires) {
          if (r.expires <= now) {
            this.removeRoute(r);
            continue;
          }
          if (r.expires < next) next = r.expires;
        }
        if (r.exceptions) next = Math.min(next, this.ageExceptions(r, now, exceptionTimeoutMs));
      }
    }
    return next === Infinity ? null : next;
  }

  /** rt6_age_exceptions: what rt6_age_examine_exception keeps; returns its next due time. */
  private ageExceptions(r: Rt6Info, now: number, timeout: number): number {
    let next = Infinity;
    const kept: Rt6Info[] = [];
    for (const e of r.exceptions as Rt6Info[]) {
      let due: number;
      if (e.flags & RTF_EXPIRES) {
        if (e.expires <= now) continue;
        due = e.expires;
      } else {
        due = e.lastuse + timeout;
        if (due <= now) continue;
      }
      if (e.flags & RTF_GATEWAY && e.gw !== null && this.o.neighIsRouter && !this.o.neighIsRouter(e.dev, e.gw)) continue;
      kept.push(e);
      if (due < next) next = due;
    }
    r.exceptions = kept.length ? kept : null;
    return next;
  }
}

// ---- snapshots ----------------------------------------------------------------------------------

/** Route type names as iproute2 prints them (rtnl_rtntype_n2a). */
export type Route6TypeName = 'unicast' | 'local' | 'anycast' | 'multicast' | 'blackhole' | 'unreachable' | 'prohibit';

/** rtnl_rtntype_n2a for the types an IPv6 table holds. */
export function rt6TypeName(type: number): Route6TypeName {
  switch (type) {
    case RTN_LOCAL: return 'local';
    case RTN_ANYCAST: return 'anycast';
    case RTN_MULTICAST: return 'multicast';
    case RTN_BLACKHOLE: return 'blackhole';
    case RTN_UNREACHABLE: return 'unreachable';
    case RTN_PROHIBIT: return 'prohibit';
    default: return 'unicast';
  }
}

/** A route as the control channel carries it: plain JSON, what `ip -6 route` prints. */
export interface Route6Snapshot {
  /** 'default', 'fd00::/64', or a host address without /128. */
  dst: string;
  prefixLen: number;
  type: Route6TypeName;
  dev: string;
  gw: string | null;
  prefsrc: string | null;
  metric: number;
  proto: Rt6Proto;
  table: Rt6Table;
  /** Remaining lifetime in whole seconds as the kernel reports it; null without RTF_EXPIRES. */
  expiresSec: number | null;
  pref: Rt6Pref;
  mtu: number;
  hoplimit: number;
  /** RTF_* bits. */
  flags: number;
  /** RTNH_F_LINKDOWN: the device has no carrier (local and reject routes never say so). */
  linkdown: boolean;
  /** `ip -6 route get` only: the source it was asked for (`::` when none). */
  from?: string;
}

/** The text of a destination: `default`, `PREFIX/LEN`, or the bare address of a /128. */
export function rt6DstString(dst: Uint8Array, prefixLen: number): string {
  if (prefixLen === 0) return 'default';
  return prefixLen === 128 ? formatIn6(dst, 0) : `${formatIn6(dst, 0)}/${prefixLen}`;
}

/**
 * RTA_CACHEINFO's rta_expires in seconds: the remaining time in clock_t (1/100 s, truncated) and
 * then iproute2's `/ hz`; 0 clock ticks means the attribute says nothing (null). Negative once
 * overdue.
 */
export function rt6ExpiresSec(rt: Rt6Info, now: number): number | null {
  if (!(rt.flags & RTF_EXPIRES) || !rt.expires) return null;
  const cs = Math.trunc((rt.expires - now) / 10);
  return cs === 0 ? null : Math.trunc(cs / 100);
}

/** rt6_fill_node for a dump (`ip -6 route show`). */
export function rt6Snapshot(r: Rt6Info, now: number): Route6Snapshot {
  const noLinkState = r.type === RTN_LOCAL || r.type === RTN_ANYCAST || (r.flags & RTF_REJECT) !== 0;
  return {
    dst: rt6DstString(r.dst, r.prefixLen),
    prefixLen: r.prefixLen,
    type: rt6TypeName(r.type),
    dev: r.dev.name,
    gw: r.gw && r.flags & RTF_GATEWAY ? formatIn6(r.gw, 0) : null,
    prefsrc: r.prefsrc ? formatIn6(r.prefsrc, 0) : null,
    metric: r.metric,
    proto: r.proto,
    table: r.table,
    expiresSec: rt6ExpiresSec(r, now),
    pref: r.pref,
    mtu: r.mtu,
    hoplimit: r.hoplimit,
    flags: r.flags,
    linkdown: !noLinkState && !r.dev.carrier,
  };
}

/**
 * rt6_fill_node for `ip -6 route get DADDR [from SADDR]`: the destination asked for, `from`
 * (`::` when none), the source chosen (`src`), the device a packet really uses (`lo` for our
 * own addresses), no link state, and an expiry only for an exception that has one.
 */
export function rt6GetSnapshot(r: Rt6Info, daddr: Uint8Array, saddr: Uint8Array | null, src: Uint8Array | null, now: number): Route6Snapshot {
  const s = rt6Snapshot(r, now);
  s.dst = formatIn6(daddr, 0);
  s.from = saddr ? formatIn6(saddr, 0) : '::';
  s.prefsrc = src ? formatIn6(src, 0) : null;
  if (r.type === RTN_LOCAL || r.type === RTN_ANYCAST) s.dev = 'lo';
  s.linkdown = false;
  if (!(r.flags & RTF_CACHE)) s.expiresSec = null;
  return s;
}

/** A readable one-line description (errors, logs). */
export function describeRoute6(r: Rt6Info): string {
  return `${rt6DstString(r.dst, r.prefixLen)}${r.gw ? ' via ' + formatIn6(r.gw, 0) : ''} dev ${r.dev.name}`;
}
