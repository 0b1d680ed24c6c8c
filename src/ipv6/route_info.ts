// RTM_NEWROUTE for IPv6 (net/ipv6/route.c rt6_fill_node) in the family-neutral shape both
// families share: the IPv6 table's own snapshots (rt6Snapshot, rt6GetSnapshot) with the fields
// an IPv6 route always has the same value for.
import type { RouteSnapshot } from '../core/route_info.js';
import { RTF_CACHE, type Rt6Info, rt6GetSnapshot, rt6Snapshot } from './route.js';

/** A table route, as `ip -6 route show` lists it (IPv6 routes are always scope global). */
export function routeSnapshot6(r: Rt6Info, now: number): RouteSnapshot {
  return { family: 'inet6', ...rt6Snapshot(r, now), scope: 'global', dead: false, cloned: false };
}

/** The answer to `ip -6 route get DADDR [from SADDR]` (`src`: the source the stack would pick). */
export function routeGetSnapshot6(r: Rt6Info, daddr: Uint8Array, saddr: Uint8Array | null, src: Uint8Array | null, now: number): RouteSnapshot {
  // A cached exception (redirect, path MTU) is what rtm_flags calls RTM_F_CLONED.
  return { family: 'inet6', ...rt6GetSnapshot(r, daddr, saddr, src, now), scope: 'global', dead: false, cloned: (r.flags & RTF_CACHE) !== 0 };
}
