// `ip -6 route show`, `ip -6 route get`, their `-j` forms and `ip monitor route` lines, as iproute2
// 6.1 prints them (ip/iproute.c print_route, print_rt_flags, print_rta_cacheinfo,
// print_rta_metrics, print_rt_pref). Pure functions over the snapshots the control channel carries.
//
// Text layout: every token is followed by one space except the final `pref X`, which ends the
// line. Token order: [Deleted] [type] dst [from] [via] [dev] [table] [proto] [scope] [src] metric
// [linkdown] [expires] [mtu] [hoplimit] pref.
import type { RouteCommon } from '../core/route_info.js';
import { RTF_CACHE } from '../ipv6/route.js';

// The printer reads RouteCommon, the fields both families' snapshots share: it takes the IPv6
// table's own Route6Snapshot and the family-neutral RouteSnapshot alike.

/** The print filter: what the command line already says is left out, as iproute2 does. */
export interface Route6ShowOptions {
  /** `show dev DEV`: "dev NAME" is not printed (filter.oifmask). */
  hideDev?: boolean;
  /**
   * A table filter other than `all` (the default `show` filters on main): "table NAME" is not
   * printed (filter.tb). `route get` and `show table all` print `table local`.
   */
  hideTable?: boolean;
  /** `show proto P`: "proto NAME" is not printed (filter.protocolmask). */
  hideProto?: boolean;
  /** `-d`: the type (also `unicast`), `proto boot` and `scope global` are printed too. */
  details?: boolean;
  /** `show via ADDR`: "via ADDR" is not printed (filter.rvia is a full address). */
  hideVia?: boolean;
  /** `show src ADDR`: "src ADDR" is not printed (filter.rprefsrc). */
  hideSrc?: boolean;
  /** `show scope S`: "scope NAME" is not printed even with -d (filter.scopemask). */
  hideScope?: boolean;
  /** `show metric N`: "metric N" is not printed (filter.metricmask). */
  hideMetric?: boolean;
}

/** A dump or new-route message, or a deletion (`ip monitor route`: "Deleted "). */
export type Route6LineKind = 'new' | 'deleted';

/** RTM_F_CLONED: iproute2 does not print the protocol (nor scope) of a cached route. */
function isCloned(r: RouteCommon): boolean {
  return (r.flags & RTF_CACHE) !== 0;
}

function showTable(r: RouteCommon, o: Route6ShowOptions): boolean {
  return (r.table !== 'main' || o.details === true) && !o.hideTable;
}

function showProto(r: RouteCommon, o: Route6ShowOptions): boolean {
  return !isCloned(r) && (r.proto !== 'boot' || o.details === true) && !o.hideProto;
}

/** One line of `ip -6 route show` / `ip -6 route get` / `ip monitor route`, newline included. */
export function formatRoute6Line(r: RouteCommon, opts: Route6ShowOptions = {}, kind: Route6LineKind = 'new'): string {
  let s = kind === 'deleted' ? 'Deleted ' : '';
  if (r.type !== 'unicast' || opts.details) s += `${r.type} `;
  s += `${r.dst} `;
  if (r.from !== undefined) s += `from ${r.from} `;
  if (r.gw !== null && !opts.hideVia) s += `via ${r.gw} `;
  if (!opts.hideDev) s += `dev ${r.dev} `;
  if (showTable(r, opts)) s += `table ${r.table} `;
  if (showProto(r, opts)) s += `proto ${r.proto} `;
  if (!isCloned(r) && opts.details && !opts.hideScope) s += 'scope global ';
  if (r.prefsrc !== null && !opts.hideSrc) s += `src ${r.prefsrc} `;
  if (!opts.hideMetric) s += `metric ${r.metric} `;
  if (r.linkdown) s += 'linkdown ';
  if (r.expiresSec !== null) s += `expires ${r.expiresSec}sec `;
  if (r.mtu) s += `mtu ${r.mtu} `;
  if (r.hoplimit) s += `hoplimit ${r.hoplimit} `;
  s += `pref ${r.pref}`;
  return `${s}\n`;
}

/** One `ip -j -6 route` object, keys in print_route's order (JSON.stringify keeps insertion order). */
export function route6JsonObject(r: RouteCommon, opts: Route6ShowOptions = {}, kind: Route6LineKind = 'new'): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (kind === 'deleted') o.deleted = true;
  if (r.type !== 'unicast' || opts.details) o.type = r.type;
  o.dst = r.dst;
  if (r.from !== undefined) o.from = r.from;
  if (r.gw !== null && !opts.hideVia) o.gateway = r.gw;
  if (!opts.hideDev) o.dev = r.dev;
  if (showTable(r, opts)) o.table = r.table;
  if (showProto(r, opts)) o.protocol = r.proto;
  if (!isCloned(r) && opts.details && !opts.hideScope) o.scope = 'global';
  if (r.prefsrc !== null && !opts.hideSrc) o.prefsrc = r.prefsrc;
  if (!opts.hideMetric) o.metric = r.metric;
  o.flags = r.linkdown ? ['linkdown'] : [];
  if (r.expiresSec !== null) o.expires = r.expiresSec;
  if (r.mtu || r.hoplimit) {
    const m: Record<string, number> = {};
    if (r.mtu) m.mtu = r.mtu;
    if (r.hoplimit) m.hoplimit = r.hoplimit;
    o.metrics = [m];
  }
  o.pref = r.pref;
  return o;
}

/** `ip -6 route show` text for routes already filtered and in dump order. */
export function formatRoute6Show(routes: readonly RouteCommon[], opts: Route6ShowOptions = {}): string {
  let s = '';
  for (const r of routes) s += formatRoute6Line(r, opts);
  return s;
}

/** `ip -j -6 route show`: one JSON array on one line. */
export function formatRoute6ShowJson(routes: readonly RouteCommon[], opts: Route6ShowOptions = {}): string {
  return `${JSON.stringify(routes.map((r) => route6JsonObject(r, opts)))}\n`;
}

/** `ip -6 route get`: the reply line (a snapshot from rt6GetSnapshot; the table is shown unless main). */
export function formatRoute6Get(r: RouteCommon): string {
  return formatRoute6Line(r);
}

/** `ip -j -6 route get`: the reply as a one-element JSON array. */
export function formatRoute6GetJson(r: RouteCommon): string {
  return `${JSON.stringify([route6JsonObject(r)])}\n`;
}

/** A route notification as `ip monitor route` prints it. */
export function formatRoute6Event(ev: { type: 'newroute' | 'delroute'; route: RouteCommon }, opts: Route6ShowOptions = {}): string {
  return formatRoute6Line(ev.route, opts, ev.type === 'delroute' ? 'deleted' : 'new');
}
