// `ip route show`, `ip route get` and their `-j` forms for IPv4, as iproute2 6.1 prints them
// (ip/iproute.c print_route, print_rt_flags, print_cache_flags), and the family dispatch to
// fmt_route6.ts for IPv6 routes. Pure functions over the control channel's RouteSnapshots.
//
// Text layout (IPv4): every token is followed by one space, the line's last one included.
// Token order: [Deleted] [type] dst [from] [via] dev [table] [proto] [scope] [src] [metric]
// [flags] [uid]; a cached route (`route get`) then has "\n    cache " and its <flags>.
import { RTCF_BROADCAST, RTCF_LOCAL, RTCF_MULTICAST, type RouteSnapshot } from '../core/route_info.js';
import { type Route6LineKind, type Route6ShowOptions, formatRoute6Line, route6JsonObject } from './fmt_route6.js';

/** The print filter (the same for both families): what the command line already says is left out. */
export type RouteShowOptions = Route6ShowOptions;

/**
 * print_rt_flags() words: RTNH_F_DEAD, RTNH_F_LINKDOWN, and RTM_F_OFFLOAD_FAILED — the bit a
 * multicast cached route's RTCF_MULTICAST shares, so iproute2 6.1 prints `rt_offload_failed` there.
 */
function rtFlagWords(r: RouteSnapshot): string[] {
  const w: string[] = [];
  if (r.dead) w.push('dead');
  if (r.linkdown) w.push('linkdown');
  if (r.cloned && r.flags & RTCF_MULTICAST) w.push('rt_offload_failed');
  return w;
}

/** print_cache_flags(): the RTCF_* words of a cached IPv4 route, in iproute2's order. */
function cacheWords(flags: number): string[] {
  const w: string[] = [];
  if (flags & RTCF_LOCAL) w.push('local');
  if (flags & RTCF_MULTICAST) w.push('mc');
  if (flags & RTCF_BROADCAST) w.push('brd');
  return w;
}

const showType = (r: RouteSnapshot, o: RouteShowOptions): boolean => r.type !== 'unicast' || o.details === true;
const showTable = (r: RouteSnapshot, o: RouteShowOptions): boolean => (r.table !== 'main' || o.details === true) && !o.hideTable;
const showProto = (r: RouteSnapshot, o: RouteShowOptions): boolean => !r.cloned && (r.proto !== 'boot' || o.details === true) && !o.hideProto;
const showScope = (r: RouteSnapshot, o: RouteShowOptions): boolean => !r.cloned && (r.scope !== 'global' || o.details === true) && !o.hideScope;

/** One IPv4 line of `ip route show` / `ip route get` / `ip monitor route`, newline included. */
export function formatRoute4Line(r: RouteSnapshot, o: RouteShowOptions = {}, kind: Route6LineKind = 'new'): string {
  let s = kind === 'deleted' ? 'Deleted ' : '';
  if (showType(r, o)) s += `${r.type} `;
  s += `${r.dst} `;
  if (r.from !== undefined) s += `from ${r.from} `;
  if (r.gw !== null && !o.hideVia) s += `via ${r.gw} `;
  if (!o.hideDev) s += `dev ${r.dev} `;
  if (showTable(r, o)) s += `table ${r.table} `;
  if (showProto(r, o)) s += `proto ${r.proto} `;
  if (showScope(r, o)) s += `scope ${r.scope} `;
  if (r.prefsrc !== null && !o.hideSrc) s += `src ${r.prefsrc} `;
  if (r.metric !== 0 && !o.hideMetric) s += `metric ${r.metric} `;
  for (const w of rtFlagWords(r)) s += `${w} `;
  if (r.uid !== undefined) s += `uid ${r.uid} `;
  if (r.cloned) {
    const c = cacheWords(r.flags);
    s += `\n    cache ${c.length ? `<${c.join(',')}> ` : ''}`;
  }
  return `${s}\n`;
}

/** One IPv4 `ip -j route` object, keys in print_route's order. */
export function route4JsonObject(r: RouteSnapshot, o: RouteShowOptions = {}, kind: Route6LineKind = 'new'): Record<string, unknown> {
  const j: Record<string, unknown> = {};
  if (kind === 'deleted') j.deleted = true;
  if (showType(r, o)) j.type = r.type;
  j.dst = r.dst;
  if (r.from !== undefined) j.from = r.from;
  if (r.gw !== null && !o.hideVia) j.gateway = r.gw;
  if (!o.hideDev) j.dev = r.dev;
  if (showTable(r, o)) j.table = r.table;
  if (showProto(r, o)) j.protocol = r.proto;
  if (showScope(r, o)) j.scope = r.scope;
  if (r.prefsrc !== null && !o.hideSrc) j.prefsrc = r.prefsrc;
  if (r.metric !== 0 && !o.hideMetric) j.metric = r.metric;
  j.flags = rtFlagWords(r);
  if (r.uid !== undefined) j.uid = r.uid;
  if (r.cloned) j.cache = cacheWords(r.flags);
  return j;
}

/** A route of either family as one text line. */
export function formatRouteLine(r: RouteSnapshot, o: RouteShowOptions = {}, kind: Route6LineKind = 'new'): string {
  return r.family === 'inet6' ? formatRoute6Line(r, o, kind) : formatRoute4Line(r, o, kind);
}

/** A route of either family as one JSON object. */
export function routeJsonObject(r: RouteSnapshot, o: RouteShowOptions = {}, kind: Route6LineKind = 'new'): Record<string, unknown> {
  return r.family === 'inet6' ? route6JsonObject(r, o, kind) : route4JsonObject(r, o, kind);
}

/** `ip route show` text for routes already filtered and in dump order. */
export function formatRouteShow(routes: readonly RouteSnapshot[], o: RouteShowOptions = {}): string {
  let s = '';
  for (const r of routes) s += formatRouteLine(r, o);
  return s;
}

/** `ip -j route show`: one JSON array on one line. */
export function formatRouteShowJson(routes: readonly RouteSnapshot[], o: RouteShowOptions = {}): string {
  return `${JSON.stringify(routes.map((r) => routeJsonObject(r, o)))}\n`;
}
