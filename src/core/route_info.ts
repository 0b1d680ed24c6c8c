// The protocol-neutral view of one route (struct rtmsg + the RTA_* attributes RTM_NEWROUTE carries:
// fib_dump_info/rt_fill_info for IPv4, rt6_fill_node for IPv6), built by each family and printed by
// `ip route`. Plain JSON, so the control channel carries it as it is.

/** rtm_type as iproute2 names it (rtnl_rtntype_n2a). */
export type RouteTypeName =
  | 'unicast'
  | 'local'
  | 'broadcast'
  | 'anycast'
  | 'multicast'
  | 'blackhole'
  | 'unreachable'
  | 'prohibit'
  | 'throw'
  | 'nat';

/** rtm_scope as iproute2 names it (rtnl_rtscope_n2a): universe is `global`. */
export type RouteScopeName = 'global' | 'site' | 'link' | 'host' | 'nowhere';

/** The two tables a tapstack has (RT_TABLE_MAIN 254, RT_TABLE_LOCAL 255). */
export type RouteTableName = 'main' | 'local';

/** RTA_PREF: an IPv6 route's router preference (RFC 4191). */
export type RoutePref = 'low' | 'medium' | 'high';

/**
 * The fields both families fill in the same way: everything the IPv6 printer reads, so the
 * IPv6 table's own snapshots (Route6Snapshot) fit it as they are.
 */
export interface RouteCommon {
  /** `default`, `PREFIX/LEN`, or the bare address of a host route (/32, /128). */
  dst: string;
  /** rtm_dst_len: 0 for the default route, 32 or 128 for a host route. */
  prefixLen: number;
  /** rtm_type (`local`, `broadcast`, `unreachable`, ...); `unicast` is printed only with -d. */
  type: RouteTypeName;
  /** The output device's name (`lo` for IPv6 reject routes and for local `route get` answers). */
  dev: string;
  /** RTA_GATEWAY, or null for an on-link route. */
  gw: string | null;
  /** RTA_PREFSRC (for `route get`: the source the stack would use), or null. */
  prefsrc: string | null;
  /** RTA_PRIORITY. IPv4 sends it only when not 0, and then `ip route` prints it. */
  metric: number;
  /** rtm_protocol as iproute2 names it: `kernel`, `boot` (what `ip route add` sends), `static`, `ra`. */
  proto: string;
  /** RTA_TABLE: `main`, or `local` for local, broadcast and (IPv6) multicast routes. */
  table: RouteTableName;
  /** Remaining lifetime in whole seconds (IPv6 RTF_EXPIRES); null when the route does not expire. */
  expiresSec: number | null;
  /** RTA_PREF; every IPv6 route has one, IPv4 routes none (null). */
  pref: RoutePref | null;
  /** RTAX_MTU metric; 0 for none. */
  mtu: number;
  /** RTAX_HOPLIMIT metric; 0 for none. */
  hoplimit: number;
  /**
   * The family's route flags: RTF_* for IPv6; for an IPv4 `route get` answer the RTCF_* bits of
   * the cached route (RTCF_LOCAL, RTCF_BROADCAST, RTCF_MULTICAST); 0 for IPv4 table routes.
   */
  flags: number;
  /** RTNH_F_LINKDOWN: the device has no carrier (local routes never say so). */
  linkdown: boolean;
  /** `route get` only: the source asked for (`from`); IPv6 always says one (`::` when none). */
  from?: string;
}

/** One route of either family, as `ip route show` / `ip route get` print it. */
export interface RouteSnapshot extends RouteCommon {
  /** 'inet' (IPv4) or 'inet6' (IPv6). */
  family: 'inet' | 'inet6';
  /** rtm_scope: `host` for local routes, `link` for on-link ones, `global` for routes via a gateway. */
  scope: RouteScopeName;
  /** RTNH_F_DEAD: the device is administratively down, so lookups pass the route by. */
  dead: boolean;
  /** RTM_F_CLONED: an IPv4 `route get` answer (a cached route), printed with its `cache` line. */
  cloned: boolean;
  /** RTA_UID of an IPv4 `route get` answer: the user the lookup was made for. */
  uid?: number;
}

// RTCF_* (include/uapi/linux/in_route.h): the bits of an IPv4 cached route `ip route get` shows.
export const RTCF_LOCAL = 0x80000000;
export const RTCF_BROADCAST = 0x10000000;
export const RTCF_MULTICAST = 0x20000000;

/** rtnl_rtscope_n2a for the rtm_scope numbers (RT_SCOPE_UNIVERSE 0 ... RT_SCOPE_NOWHERE 255). */
export function routeScopeName(scope: number): RouteScopeName {
  switch (scope) {
    case 254: return 'host';
    case 253: return 'link';
    case 200: return 'site';
    case 255: return 'nowhere';
    default: return 'global';
  }
}

/** The rtm_scope number of a scope name (rtnl_rtscope_a2n's table). */
export function routeScopeNumber(name: RouteScopeName): number {
  switch (name) {
    case 'host': return 254;
    case 'link': return 253;
    case 'site': return 200;
    case 'nowhere': return 255;
    default: return 0;
  }
}
