// The IPv4 routing table (net/ipv4/fib_frontend.c, fib_trie.c in spirit): local, broadcast and
// connected routes derived from addresses, static routes, longest-prefix lookup, inet_addr_type
// and rt_nexthop.
import { EEXIST, ESRCH, EINVAL, StackError } from '../core/errno.js';
import type { NetDevice } from '../core/netdevice.js';
import { InDevice, RT_SCOPE_HOST, RT_SCOPE_LINK, RT_SCOPE_UNIVERSE, inDevGet, inetSelectAddr } from './devinet.js';
import { formatIPv4, isLocalBroadcast, isMulticast, isZeronet, prefixMask } from './inet_addr.js';

/** Route types (include/uapi/linux/rtnetlink.h). */
export const RTN_UNSPEC = 0;
export const RTN_UNICAST = 1;
export const RTN_LOCAL = 2;
export const RTN_BROADCAST = 3;
export const RTN_MULTICAST = 5;
export const RTN_BLACKHOLE = 6;
export const RTN_UNREACHABLE = 7;

/** Where a route came from (rtm_protocol). */
export type RouteProto = 'kernel' | 'static' | 'boot';

/** One IPv4 route, as `ip route show table all` lists it; addresses are host-order u32 (10.0.0.1 = 0x0a000001). */
export interface FibRoute {
  /** Destination: the network (host bits zero), or the address itself for local/broadcast routes. */
  dst: number;
  /** Prefix length 0–32 (0: the default route). */
  prefixLen: number;
  /** The netmask of prefixLen; a route matches daddr when (daddr ^ dst) & mask is 0. */
  mask: number;
  /** rtm_type: RTN_UNICAST, RTN_LOCAL, RTN_BROADCAST, ... */
  type: number;
  /** Output device (for local routes, the device holding the address). */
  dev: NetDevice;
  /** Gateway; 0 for on-link routes. */
  gw: number;
  /** Preferred source (0: choose by inet_select_addr). */
  prefsrc: number;
  /** rtm_scope: RT_SCOPE_HOST (local), RT_SCOPE_LINK (on-link, broadcast), RT_SCOPE_UNIVERSE (gateway). */
  scope: number;
  /** RTA_PRIORITY: among routes of the same prefix length, the lowest metric wins. */
  metric: number;
  /** rtm_protocol: 'kernel' for routes an address brought, 'static' for routes added by hand. */
  proto: RouteProto;
  /** Table: 'local' holds RTN_LOCAL/BROADCAST, 'main' the rest (as `ip route show table local`). */
  table: 'local' | 'main';
}

export class Fib {
  /** Sorted by prefix length, longest first, then metric; lookups scan in order. */
  private routes: FibRoute[] = [];

  get all(): readonly FibRoute[] {
    return this.routes;
  }

  private insert(r: FibRoute): void {
    let i = 0;
    while (
      i < this.routes.length &&
      (this.routes[i].prefixLen > r.prefixLen ||
        (this.routes[i].prefixLen === r.prefixLen && this.routes[i].metric <= r.metric))
    ) i++;
    this.routes.splice(i, 0, r);
  }

  /** fib_add_ifaddr(): local and broadcast routes in `local`, the subnet route in `main`. */
  addIfaddr(dev: NetDevice, local: number, prefixLen: number): void {
    const mask = prefixMask(prefixLen);
    const base = { dev, gw: 0, prefsrc: local, metric: 0, proto: 'kernel' as const };
    this.insert({ ...base, dst: local, prefixLen: 32, mask: 0xffffffff, type: RTN_LOCAL, scope: RT_SCOPE_HOST, table: 'local' });
    if (prefixLen < 31) {
      const bcast = ((local & mask) | ~mask) >>> 0;
      this.insert({ ...base, dst: bcast, prefixLen: 32, mask: 0xffffffff, type: RTN_BROADCAST, scope: RT_SCOPE_LINK, table: 'local' });
    }
    if (prefixLen < 32) {
      this.insert({ ...base, dst: (local & mask) >>> 0, prefixLen, mask, type: RTN_UNICAST, scope: RT_SCOPE_LINK, table: 'main' });
    }
  }

  /** fib_del_ifaddr(): drops the routes the address brought (others on the same subnet keep theirs). */
  delIfaddr(dev: NetDevice, local: number): void {
    this.routes = this.routes.filter((r) => !(r.dev === dev && r.proto === 'kernel' && r.prefsrc === local));
  }

  /** `ip route add DST/LEN [via GW] dev DEV [src S] [metric M]`. */
  addRoute(r: { dst: number; prefixLen: number; gw: number; dev: NetDevice; prefsrc?: number; metric?: number; type?: number }): FibRoute {
    const mask = prefixMask(r.prefixLen);
    if ((r.dst & ~mask) >>> 0 !== 0) throw new StackError(EINVAL, `Invalid prefix for given prefix length.`);
    const metric = r.metric ?? 0;
    if (this.routes.some((o) => o.table === 'main' && o.dst === r.dst && o.prefixLen === r.prefixLen && o.metric === metric)) {
      throw new StackError(EEXIST);
    }
    const route: FibRoute = {
      dst: r.dst >>> 0, prefixLen: r.prefixLen, mask, type: r.type ?? RTN_UNICAST, dev: r.dev, gw: r.gw >>> 0,
      prefsrc: r.prefsrc ?? 0, scope: r.gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK, metric, proto: 'static', table: 'main',
    };
    this.insert(route);
    return route;
  }

  delRoute(dst: number, prefixLen: number, gw?: number): void {
    const i = this.routes.findIndex(
      (o) => o.table === 'main' && o.dst === dst && o.prefixLen === prefixLen && (gw === undefined || o.gw === gw),
    );
    if (i < 0) throw new StackError(ESRCH);
    this.routes.splice(i, 1);
  }

  /** Removes every route through a device (device unregistered). */
  flushDev(dev: NetDevice): void {
    this.routes = this.routes.filter((r) => r.dev !== dev);
  }

  /**
   * fib_lookup(): longest prefix over local then main, skipping routes through devices that are
   * down (the kernel marks their nexthops dead). `oif` restricts to one device.
   */
  lookup(daddr: number, oif: NetDevice | null = null): FibRoute | null {
    const rs = this.routes;
    for (let i = 0; i < rs.length; i++) {
      const r = rs[i];
      if (((daddr ^ r.dst) & r.mask) !== 0) continue;
      if (oif !== null && r.dev !== oif && r.type !== RTN_LOCAL) continue;
      if (!r.dev.isUp && r.type !== RTN_LOCAL) continue;
      return r;
    }
    return null;
  }

  /** inet_addr_type(): how this host sees an address. */
  addrType(addr: number): number {
    if (isZeronet(addr) || isLocalBroadcast(addr)) return RTN_BROADCAST;
    if (isMulticast(addr)) return RTN_MULTICAST;
    for (const r of this.routes) {
      if (r.table === 'local' && r.dst === addr) return r.type;
    }
    return RTN_UNICAST;
  }

  /** inet_dev_addr_type(): as addrType, but local/broadcast only count on `dev`. */
  devAddrType(dev: NetDevice, addr: number): number {
    if (isZeronet(addr) || isLocalBroadcast(addr)) return RTN_BROADCAST;
    if (isMulticast(addr)) return RTN_MULTICAST;
    for (const r of this.routes) {
      if (r.table === 'local' && r.dst === addr && r.dev === dev) return r.type;
    }
    return RTN_UNICAST;
  }
}

/** rt_nexthop(): the gateway, or the destination itself on a connected route. */
export function rtNexthop(rt: FibRoute, daddr: number): number {
  return rt.gw !== 0 ? rt.gw : daddr;
}

/** The source address for a packet leaving by `rt` towards `daddr` (fib_result_prefsrc). */
export function fibPrefsrc(rt: FibRoute, daddr: number): number {
  if (rt.prefsrc !== 0) return rt.prefsrc;
  const inDev = inDevGet(rt.dev) as InDevice | null;
  if (!inDev) return 0;
  return inetSelectAddr(inDev, rt.gw !== 0 ? rt.gw : daddr, rt.gw !== 0 ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK);
}

/** A readable one-line description (for errors and logs). */
export function describeRoute(r: FibRoute): string {
  const dst = r.prefixLen === 0 ? 'default' : `${formatIPv4(r.dst)}/${r.prefixLen}`;
  return `${dst}${r.gw ? ' via ' + formatIPv4(r.gw) : ''} dev ${r.dev.name}`;
}

