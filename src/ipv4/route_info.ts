// RTM_NEWROUTE for IPv4: fib_dump_info (net/ipv4/fib_semantics.c) for `ip route show`, in the order
// fib_trie's dump walks the tables (fn_trie_dump_leaf); rt_fill_info (net/ipv4/route.c) for the
// cached route `ip route get` answers with, after the part of ip_route_output_key_hash_rcu that
// decides it (local, broadcast, multicast, unicast, and the on-link guess for a given oif).
import { EINVAL, ENETUNREACH } from '../core/errno.js';
import type { NetDevice } from '../core/netdevice.js';
import {
  RTCF_BROADCAST,
  RTCF_LOCAL,
  RTCF_MULTICAST,
  type RouteSnapshot,
  type RouteTypeName,
  routeScopeName,
} from '../core/route_info.js';
import { RT_SCOPE_LINK, inDevGet, inetSelectAddr } from './devinet.js';
import { type Fib, type FibRoute, RTN_BLACKHOLE, RTN_BROADCAST, RTN_LOCAL, RTN_MULTICAST, RTN_UNREACHABLE, fibPrefsrc } from './fib.js';
import { formatIPv4, isLocalBroadcast, isMulticast, isZeronet } from './inet_addr.js';

/** rtnl_rtntype_n2a for the types an IPv4 table holds. */
export function rtnTypeName(type: number): RouteTypeName {
  switch (type) {
    case RTN_LOCAL: return 'local';
    case RTN_BROADCAST: return 'broadcast';
    case RTN_MULTICAST: return 'multicast';
    case 4: return 'anycast';
    case RTN_BLACKHOLE: return 'blackhole';
    case RTN_UNREACHABLE: return 'unreachable';
    case 8: return 'prohibit';
    case 9: return 'throw';
    case 10: return 'nat';
    default: return 'unicast';
  }
}

/** RTA_DST's text: `default`, `A.B.C.D/N`, or the bare address of a /32. */
export function fibDstString(dst: number, prefixLen: number): string {
  if (prefixLen === 0) return 'default';
  return prefixLen === 32 ? formatIPv4(dst) : `${formatIPv4(dst)}/${prefixLen}`;
}

/**
 * fib_dump_info(): one table route. Its nexthop is dead and down (RTNH_F_DEAD|RTNH_F_LINKDOWN)
 * while the device is administratively down, and down (RTNH_F_LINKDOWN) without carrier, as
 * fib_sync_down_dev marks them; local routes are never marked.
 */
export function fibRouteSnapshot(r: FibRoute): RouteSnapshot {
  const marked = r.type !== RTN_LOCAL;
  const down = !r.dev.isUp;
  return {
    family: 'inet',
    dst: fibDstString(r.dst, r.prefixLen),
    prefixLen: r.prefixLen,
    type: rtnTypeName(r.type),
    dev: r.dev.name,
    gw: r.gw !== 0 ? formatIPv4(r.gw) : null,
    prefsrc: r.prefsrc !== 0 ? formatIPv4(r.prefsrc) : null,
    metric: r.metric,
    proto: r.proto,
    table: r.table,
    scope: routeScopeName(r.scope),
    expiresSec: null,
    pref: null,
    mtu: 0,
    hoplimit: 0,
    flags: 0,
    linkdown: marked && (down || !r.dev.carrier),
    dead: marked && down,
    cloned: false,
  };
}

/**
 * The order `ip route show table all` lists IPv4 routes in: table main, then local (the table
 * hash puts 254 before 255); within a table the trie's key order — destination ascending, and for
 * one destination the longer prefix first — then metric, then age. The Fib keeps its routes in
 * lookup order (longest prefix first), so this sorts a copy.
 */
export function fibDumpOrder(routes: readonly FibRoute[]): FibRoute[] {
  const rank = (t: FibRoute['table']): number => (t === 'main' ? 0 : 1);
  return [...routes].sort(
    (a, b) => rank(a.table) - rank(b.table) || (a.dst >>> 0) - (b.dst >>> 0) || b.prefixLen - a.prefixLen || a.metric - b.metric,
  );
}

/** What `ip route get` asks: the destination, and optionally a source (`from`) and a device (`oif`). */
export interface FibGetRequest {
  daddr: number;
  /** `from`: must be one of ours; 0 for none. */
  saddr: number;
  oif: NetDevice | null;
  /** RTA_UID shown in the answer. */
  uid: number;
  /** The device local destinations are shown on (`dev lo`); its name only. */
  loopbackName?: string;
}

/**
 * The route a locally generated packet to `daddr` takes (the decisions of
 * ip_route_output_key_hash_rcu and __mkroute_output), as rt_fill_info reports it: a local
 * destination goes through `lo` (RTCF_LOCAL), a broadcast one is RTCF_BROADCAST|RTCF_LOCAL, a
 * multicast one RTCF_MULTICAST without gateway; `src` is left out when `from` was given. With an
 * `oif` and no route through it the destination is assumed on-link, as the kernel does. Returns
 * the snapshot or a negative errno: EINVAL for a source that cannot be one, ENETUNREACH for a
 * source that is not ours, a down `oif`, or no route.
 */
export function fibRouteGet(fib: Fib, q: FibGetRequest): RouteSnapshot | number {
  const { daddr, saddr, oif } = q;
  if (saddr !== 0) {
    if (isMulticast(saddr) || isLocalBroadcast(saddr) || isZeronet(saddr)) return -EINVAL;
    if (fib.addrType(saddr) !== RTN_LOCAL) return -ENETUNREACH;
  }
  if (oif !== null && !oif.isUp) return -ENETUNREACH;
  const rt = fib.lookup(daddr, oif);
  let type = 'unicast' as RouteTypeName;
  let dev: string;
  let gw = 0;
  let src = saddr;
  let flags = 0;
  if (rt === null) {
    if (oif === null) return -ENETUNREACH;
    // "Apparently, routing tables are wrong. Assume, that the destination is on link."
    dev = oif.name;
    if (src === 0) src = selectAddr(oif);
  } else if (rt.type === RTN_LOCAL) {
    type = 'local';
    dev = q.loopbackName ?? 'lo';
    flags = RTCF_LOCAL;
    if (src === 0) src = rt.prefsrc !== 0 ? rt.prefsrc : daddr;
  } else if (isLocalBroadcast(daddr) || rt.type === RTN_BROADCAST) {
    type = 'broadcast';
    dev = rt.dev.name;
    flags = RTCF_BROADCAST | RTCF_LOCAL;
    if (src === 0) src = fibPrefsrc(rt, daddr);
  } else if (isMulticast(daddr)) {
    type = 'multicast';
    dev = rt.dev.name;
    flags = RTCF_MULTICAST;
    if (src === 0) src = fibPrefsrc(rt, daddr);
  } else {
    dev = rt.dev.name;
    gw = rt.gw;
    if (src === 0) src = fibPrefsrc(rt, daddr);
  }
  return {
    family: 'inet',
    dst: formatIPv4(daddr),
    prefixLen: 32,
    type,
    dev,
    gw: gw !== 0 ? formatIPv4(gw) : null,
    prefsrc: saddr === 0 && src !== 0 ? formatIPv4(src) : null,
    metric: 0,
    proto: rt?.proto ?? 'boot',
    table: 'main',
    scope: 'global',
    expiresSec: null,
    pref: null,
    mtu: 0,
    hoplimit: 0,
    flags,
    linkdown: false,
    dead: false,
    cloned: true,
    uid: q.uid,
    ...(saddr !== 0 ? { from: formatIPv4(saddr) } : {}),
  };
}

/** inet_select_addr(dev, 0, RT_SCOPE_LINK): 0 when the device has no address. */
function selectAddr(dev: NetDevice): number {
  const inDev = inDevGet(dev);
  return inDev ? inetSelectAddr(inDev, 0, RT_SCOPE_LINK) : 0;
}
