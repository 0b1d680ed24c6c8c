// `tapstack ip [-4|-6] route {show|add|del|get}`: iproute2 6.1's ip/iproute.c for the routes a
// tapstack has — iproute_modify (the NODE_SPEC/INFO_SPEC grammar, the scope and table iproute2
// fills in), iproute_list_flush_or_save with filter_nlmsg (the client-side filter, and which
// fields a filter leaves out of the lines), and iproute_get. Lines come from fmt_route.ts (IPv4)
// and fmt_route6.ts (IPv6).
import { NLM_F_CREATE, NLM_F_EXCL } from '../control/protocol.js';
import type { RouteSnapshot } from '../core/route_info.js';
import { formatRouteLine, formatRouteShow, formatRouteShowJson, routeJsonObject, type RouteShowOptions } from './fmt_route.js';
import type { IpContext } from './ip_addr.js';
import {
  AF_INET,
  AF_INET6,
  AF_UNSPEC,
  Argv,
  EXIT_USAGE,
  type InetPrefix,
  IpExit,
  duparg2,
  getAddr,
  getAddr1,
  getPrefix,
  getU32,
  inetAddrMatch,
  invarg,
  matches,
  nodev,
  readFamily,
  rtprotFromArg,
} from './ip_args.js';
import { rtprotName } from './fmt_neigh.js';

/** ip/iproute.c usage(), limited to what tapstack implements. */
export const ROUTE_USAGE = `Usage: ip route { list | show } SELECTOR
       ip route get [ fibmatch ] ADDRESS
                            [ from ADDRESS ] [ oif STRING ]
                            [ uid NUMBER ]
       ip route { add | del } ROUTE
SELECTOR := [ root PREFIX ] [ match PREFIX ] [ exact PREFIX ]
            [ table TABLE_ID ] [ proto RTPROTO ]
            [ type TYPE ] [ scope SCOPE ]
ROUTE := NODE_SPEC [ INFO_SPEC ]
NODE_SPEC := [ TYPE ] PREFIX [ table TABLE_ID ] [ proto RTPROTO ]
             [ scope SCOPE ] [ metric METRIC ]
INFO_SPEC := NH OPTIONS
NH := [ via [ FAMILY ] ADDRESS ] [ dev STRING ]
FAMILY := [ inet | inet6 ]
OPTIONS := [ mtu NUMBER ] [ hoplimit NUMBER ] [ src ADDRESS ] [ pref PREF ]
TYPE := { unicast | local | anycast | unreachable | prohibit | blackhole }
TABLE_ID := [ local | main | default | all | NUMBER ]
SCOPE := [ host | link | global | NUMBER ]
RTPROTO := [ kernel | boot | static | NUMBER ]
PREF := [ low | medium | high ]
`;

const usage = (): never => {
  throw new IpExit(EXIT_USAGE, ROUTE_USAGE);
};

const unsupported = (w: string): never => {
  throw new IpExit(EXIT_USAGE, `Error: "${w}" is not supported by tapstack.\n`);
};

/** rtnl_rtntype_a2n(): the route type names (and numbers) iproute2 knows. */
const RTN_NAMES = ['unspec', 'unicast', 'local', 'broadcast', 'anycast', 'multicast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'nat', 'xresolve'];

function rtnFromArg(arg: string): number | null {
  const i = RTN_NAMES.indexOf(arg);
  if (i >= 0) return i;
  const n = getU32(arg);
  return n !== null && n <= 255 ? n : null;
}

/** rtnl_rtscope_a2n(). */
function scopeFromArg(arg: string): number | null {
  switch (arg) {
    case 'global': return 0;
    case 'site': return 200;
    case 'link': return 253;
    case 'host': return 254;
    case 'nowhere': return 255;
  }
  const n = getU32(arg);
  return n !== null && n <= 255 ? n : null;
}

const SCOPE_NUMBER: Record<string, number> = { global: 0, site: 200, link: 253, host: 254, nowhere: 255 };

/** rtnl_rttable_a2n(): default 253, main 254, local 255, or a number. */
function tableFromArg(arg: string): number | null {
  if (arg === 'default') return 253;
  if (arg === 'main') return 254;
  if (arg === 'local') return 255;
  return getU32(arg);
}

const tableName = (id: number): 'main' | 'local' | null => (id === 254 ? 'main' : id === 255 ? 'local' : null);
const familyName = (f: number): 'inet' | 'inet6' | undefined => (f === AF_INET ? 'inet' : f === AF_INET6 ? 'inet6' : undefined);

/** The text the stack takes for an inet_prefix's address. */
function addrText(p: InetPrefix): string {
  if (p.family === AF_INET6) {
    const w: string[] = [];
    for (let i = 0; i < 16; i += 2) w.push(((p.bytes[i]! << 8) | p.bytes[i + 1]!).toString(16));
    return w.join(':');
  }
  return p.bytes.slice(0, 4).join('.');
}

/** RTA_DST of a prefix: `default` for /0, else ADDR/LEN. */
const dstText = (p: InetPrefix): string => (p.bitlen === 0 ? 'default' : `${addrText(p)}/${p.bitlen}`);

// ---- entry ---------------------------------------------------------------------------------------

/** do_iproute(): `ip route [COMMAND ...]`. */
export async function doRoute(ip: IpContext, args: string[]): Promise<number> {
  if (args.length === 0) return routeShow(ip, []);
  const [c, ...rest] = args as [string, ...string[]];
  if (matches(c, 'add')) return routeModify(ip, 'RTM_NEWROUTE', rest);
  if (matches(c, 'change') || c === 'chg' || matches(c, 'replace') || matches(c, 'prepend') || matches(c, 'append') || matches(c, 'test')) {
    throw new IpExit(EXIT_USAGE, `Command "${c}" is not supported by tapstack, try "ip route help".\n`);
  }
  if (matches(c, 'delete')) return routeModify(ip, 'RTM_DELROUTE', rest);
  if (matches(c, 'list') || matches(c, 'show') || matches(c, 'lst')) return routeShow(ip, rest);
  if (matches(c, 'get')) return routeGet(ip, rest);
  if (matches(c, 'flush') || matches(c, 'save') || matches(c, 'restore') || matches(c, 'showdump')) {
    throw new IpExit(EXIT_USAGE, `Command "${c}" is not supported by tapstack, try "ip route help".\n`);
  }
  if (matches(c, 'help')) usage();
  throw new IpExit(EXIT_USAGE, `Command "${c}" is unknown, try "ip route help".\n`);
}

// ---- add / del -----------------------------------------------------------------------------------

/** iproute_modify(): `ip route add|del`. */
async function routeModify(ip: IpContext, type: 'RTM_NEWROUTE' | 'RTM_DELROUTE', args: string[]): Promise<number> {
  let family = ip.o.family;
  let dst: InetPrefix | null = null;
  let rtype: number | null = null;
  let via: string | null = null;
  let src: string | null = null;
  let dev: string | null = null;
  let metric: number | undefined;
  let proto: number | undefined;
  let table: number | undefined;
  let scope: number | undefined;
  let mtu: number | undefined;
  let hoplimit: number | undefined;
  let pref: string | undefined;
  const p = new Argv(args);
  for (; p.more; p.shift()) {
    const w = p.cur;
    if (w === 'src') {
      const a = getAddr(p.next(), family);
      if (family === AF_UNSPEC) family = a.family;
      src = addrText(a);
    } else if (w === 'via') {
      if (via !== null) invarg('use nexthop syntax to specify multiple via\n', w);
      let v = p.next();
      let fam = readFamily(v);
      if (fam === AF_UNSPEC) fam = family;
      else v = p.next();
      const a = getAddr(v, fam);
      if (family === AF_UNSPEC) family = a.family;
      // RTA_VIA (a gateway of the other family) is not something tapstack routes take.
      if (a.family !== family) throw new IpExit(EXIT_USAGE, 'Error: a gateway of another family (RTA_VIA) is not supported by tapstack.\n');
      via = addrText(a);
    } else if (matches(w, 'metric') || matches(w, 'priority') || w === 'preference') {
      const v = p.next();
      const n = getU32(v);
      if (n === null) invarg('"metric" value is invalid\n', v);
      metric = n;
    } else if (w === 'scope') {
      const v = p.next();
      const n = scopeFromArg(v);
      if (n === null) invarg('invalid "scope" value\n', v);
      scope = n;
    } else if (w === 'mtu') {
      let v = p.next();
      if (v === 'lock') unsupported('mtu lock');
      const n = getU32(v);
      if (n === null) invarg('"mtu" value is invalid\n', v);
      mtu = n;
    } else if (w === 'hoplimit') {
      let v = p.next();
      if (v === 'lock') unsupported('hoplimit lock');
      const n = getU32(v);
      if (n === null || n > 255) invarg('"hoplimit" value is invalid\n', v);
      hoplimit = n;
    } else if (matches(w, 'protocol')) {
      const v = p.next();
      const n = rtprotFromArg(v);
      if (n === null) invarg('"protocol" value is invalid\n', v);
      proto = n;
    } else if (matches(w, 'table')) {
      const v = p.next();
      const n = tableFromArg(v);
      if (n === null) invarg('"table" value is invalid\n', v);
      table = n;
    } else if (w === 'dev' || w === 'oif') {
      dev = p.next();
    } else if (matches(w, 'pref')) {
      const v = p.next();
      if (v !== 'low' && v !== 'medium' && v !== 'high') invarg('"pref" value is invalid\n', v);
      pref = v;
    } else if (
      w === 'as' || w === 'from' || w === 'tos' || matches(w, 'dsfield') || w === 'expires' || w === 'advmss' || w === 'rtt' ||
      w === 'rttvar' || w === 'reordering' || w === 'window' || w === 'cwnd' || w === 'initcwnd' || w === 'ssthresh' ||
      matches(w, 'realms') || w === 'onlink' || w === 'nexthop' || w === 'nhid' || matches(w, 'vrf') || w === 'encap' ||
      w === 'ttl-propagate' || w === 'rto_min' || w === 'initrwnd' || w === 'features' || w === 'quickack' || w === 'congctl' ||
      matches(w, 'fastopen_no_cookie')
    ) {
      unsupported(w);
    } else {
      let v = w;
      if (v === 'to') v = p.next();
      const c0 = v.charCodeAt(0);
      const t = c0 >= 48 && c0 <= 57 ? null : rtnFromArg(v);
      if (t !== null) {
        v = p.next();
        rtype = t;
      }
      if (matches(v, 'help')) usage();
      if (dst !== null) duparg2('to', v);
      dst = getPrefix(v, family);
      if (family === AF_UNSPEC) family = dst.family;
    }
  }
  if (dst === null) return usage();
  if (dev !== null && !(await ip.link(dev))) nodev(dev);
  if (family === AF_UNSPEC) family = AF_INET;
  const body: Record<string, unknown> = { dst: dstText(dst), family: familyName(family) };
  if (via !== null) body.via = via;
  if (dev !== null) body.dev = dev;
  if (src !== null) body.src = src;
  if (metric !== undefined) body.metric = metric;
  if (mtu !== undefined) body.mtu = mtu;
  if (hoplimit !== undefined) body.hoplimit = hoplimit;
  if (pref !== undefined) body.pref = pref;
  if (rtype !== null) {
    const n = RTN_NAMES[rtype];
    if (n === undefined || n === 'unspec' || n === 'xresolve') unsupported(`type ${rtype}`);
    body.type = n;
  }
  // The table iproute2 picks without `table`: local for local/broadcast/nat/anycast routes.
  const tid = table ?? ((rtype === 2 || rtype === 3 || rtype === 10 || rtype === 4) ? 255 : 254);
  const tname = tableName(tid);
  if (tname === null) unsupported(`table ${tid}`);
  body.table = tname;
  if (proto !== undefined) {
    const name = rtprotName(proto);
    if (name !== 'kernel' && name !== 'boot' && name !== 'static' && name !== 'ra') unsupported(`proto ${name}`);
    body.proto = name;
  }
  if (scope !== undefined && type === 'RTM_NEWROUTE') {
    // The scope iproute2 fills in itself is the one tapstack's tables give the route anyway.
    const own = family === AF_INET6 ? 0 : rtype === 2 ? 254 : via === null ? 253 : 0;
    if (scope !== own) unsupported(`scope ${scope}`);
  }
  await ip.talk(type, body, type === 'RTM_NEWROUTE' ? NLM_F_CREATE | NLM_F_EXCL : 0);
  return 0;
}

// ---- show ----------------------------------------------------------------------------------------

interface RouteFilter {
  /** 0: every table (`table all`); else the table id. */
  tb: number;
  protocol: number;
  protocolmask: number;
  scope: number;
  scopemask: number;
  typemask: number;
  /** `root PREFIX`: routes inside it; `match PREFIX`: routes covering it (both: `exact`). */
  rdst: InetPrefix | null;
  mdst: InetPrefix | null;
  rvia: InetPrefix | null;
  rprefsrc: InetPrefix | null;
  oif: string | null;
  metric: number | null;
}

const famOf = (r: RouteSnapshot): number => (r.family === 'inet6' ? AF_INET6 : AF_INET);
const hostLen = (family: number): number => (family === AF_INET6 ? 128 : 32);
const tableId = (r: RouteSnapshot): number => (r.table === 'local' ? 255 : 254);
const rtnNumber = (r: RouteSnapshot): number => RTN_NAMES.indexOf(r.type);
function protoNumber(r: RouteSnapshot): number {
  return rtprotFromArg(r.proto) ?? 0;
}

/** The bytes of an address a snapshot carries (`default` is all zero). */
function bytesOf(s: string, family: number): number[] {
  if (s === 'default') return new Array<number>(family === AF_INET6 ? 16 : 4).fill(0);
  return getAddr1(s.split('/')[0]!, family)?.bytes ?? [];
}

/** filter_nlmsg(): whether a dumped route passes the command line's selectors. */
function routePasses(r: RouteSnapshot, f: RouteFilter): boolean {
  const fam = famOf(r);
  if (f.tb > 0 && f.tb !== tableId(r)) return false;
  if ((f.protocol ^ protoNumber(r)) & f.protocolmask) return false;
  if ((f.scope ^ SCOPE_NUMBER[r.scope]!) & f.scopemask) return false;
  if (f.typemask && !(f.typemask & (1 << rtnNumber(r)))) return false;
  if (f.rdst && (fam !== f.rdst.family || f.rdst.bitlen > r.prefixLen)) return false;
  if (f.mdst && (fam !== f.mdst.family || (f.mdst.bitlen >= 0 && f.mdst.bitlen < r.prefixLen))) return false;
  const dst = bytesOf(r.dst, fam);
  if (f.rdst && !inetAddrMatch(dst, f.rdst.bytes, f.rdst.bitlen)) return false;
  if (f.mdst && f.mdst.bitlen >= 0 && !inetAddrMatch(dst, f.mdst.bytes, r.prefixLen)) return false;
  if (f.rvia) {
    if (r.gw === null || fam !== f.rvia.family || !inetAddrMatch(bytesOf(r.gw, fam), f.rvia.bytes, f.rvia.bitlen)) return false;
  }
  if (f.rprefsrc) {
    if (r.prefsrc === null || fam !== f.rprefsrc.family || !inetAddrMatch(bytesOf(r.prefsrc, fam), f.rprefsrc.bytes, f.rprefsrc.bitlen)) return false;
  }
  if (f.oif !== null && r.dev !== f.oif) return false;
  if (f.metric !== null && r.metric !== f.metric) return false;
  return true;
}

/** iproute_list_flush_or_save(IPROUTE_LIST). */
async function routeShow(ip: IpContext, args: string[]): Promise<number> {
  let family = ip.o.family;
  const f: RouteFilter = {
    tb: 254, protocol: 0, protocolmask: 0, scope: 0, scopemask: 0, typemask: 0, rdst: null, mdst: null, rvia: null, rprefsrc: null,
    oif: null, metric: null,
  };
  let od: string | null = null;
  const p = new Argv(args);
  for (; p.more; p.shift()) {
    const w = p.cur;
    if (matches(w, 'table')) {
      const v = p.next();
      const t = tableFromArg(v);
      if (t === null) {
        if (v === 'all') f.tb = 0;
        else if (v === 'cache') unsupported('table cache');
        else invarg('table id value is invalid\n', v);
      } else f.tb = t;
    } else if (matches(w, 'cached') || matches(w, 'cloned')) {
      unsupported(w);
    } else if (matches(w, 'protocol')) {
      const v = p.next();
      f.protocolmask = -1;
      const n = rtprotFromArg(v);
      if (n === null) {
        if (v !== 'all') invarg('invalid "protocol"\n', v);
        f.protocol = 0;
        f.protocolmask = 0;
      } else f.protocol = n;
    } else if (matches(w, 'scope')) {
      const v = p.next();
      f.scopemask = -1;
      const n = scopeFromArg(v);
      if (n === null) {
        if (v !== 'all') invarg('invalid "scope"\n', v);
        f.scope = 255;
        f.scopemask = 0;
      } else f.scope = n;
    } else if (matches(w, 'type')) {
      const v = p.next();
      const t = rtnFromArg(v);
      if (t === null) invarg('node type value is invalid\n', v);
      f.typemask = 1 << t;
    } else if (w === 'dev' || w === 'oif') {
      od = p.next();
    } else if (matches(w, 'metric') || matches(w, 'priority') || w === 'preference') {
      const v = p.next();
      const n = getU32(v);
      if (n === null) invarg('"metric" value is invalid\n', v);
      f.metric = n;
    } else if (w === 'via') {
      let v = p.next();
      let fam = readFamily(v);
      if (fam === AF_UNSPEC) fam = family;
      else v = p.next();
      f.rvia = getPrefix(v, fam);
    } else if (w === 'src') {
      f.rprefsrc = getPrefix(p.next(), family);
    } else if (w === 'tos' || matches(w, 'dsfield') || w === 'iif' || w === 'mark' || matches(w, 'realms') || matches(w, 'from') || matches(w, 'vrf')) {
      unsupported(w);
    } else {
      let v = w;
      if (matches(v, 'to')) v = p.next();
      if (matches(v, 'root')) f.rdst = getPrefix(p.next(), family);
      else if (matches(v, 'match')) f.mdst = getPrefix(p.next(), family);
      else {
        if (matches(v, 'exact')) v = p.next();
        else if (matches(v, 'help')) usage();
        f.mdst = getPrefix(v, family);
        f.rdst = f.mdst;
      }
    }
  }
  // A table filter without a family is an IPv4 question; `table all` asks both.
  if (family === AF_UNSPEC && f.tb) family = AF_INET;
  if (od !== null) {
    if (!(await ip.link(od))) nodev(od);
    f.oif = od;
  }
  const body: Record<string, unknown> = {};
  const fname = familyName(family);
  if (fname) body.family = fname;
  const routes = (await ip.dump<RouteSnapshot>('RTM_GETROUTE', body)).filter((r) => routePasses(r, f));
  const o: RouteShowOptions = {
    hideDev: f.oif !== null,
    hideTable: f.tb !== 0,
    hideProto: f.protocolmask === -1,
    hideScope: f.scopemask === -1,
    hideVia: f.rvia !== null && f.rvia.bitlen === hostLen(f.rvia.family),
    hideSrc: f.rprefsrc !== null && f.rprefsrc.bitlen === hostLen(f.rprefsrc.family),
    hideMetric: f.metric !== null,
    details: ip.o.details > 0,
  };
  ip.io.out(ip.o.json ? ip.json(formatRouteShowJson(routes, o)) : formatRouteShow(routes, o));
  return 0;
}

// ---- get -----------------------------------------------------------------------------------------

/** iproute_get(). */
async function routeGet(ip: IpContext, args: string[]): Promise<number> {
  let family = ip.o.family;
  let dst: InetPrefix | null = null;
  let from: InetPrefix | null = null;
  let odev: string | null = null;
  let uid: number | undefined;
  let fibmatch = false;
  const p = new Argv(args);
  for (; p.more; p.shift()) {
    const w = p.cur;
    if (w === 'tos' || matches(w, 'dsfield') || matches(w, 'iif') || matches(w, 'mark') || matches(w, 'notify') || matches(w, 'connected') || matches(w, 'vrf') || w === 'as' || w === 'sport' || w === 'dport' || matches(w, 'ipproto')) {
      unsupported(w);
    } else if (matches(w, 'from')) {
      const v = p.next();
      if (matches(v, 'help')) usage();
      from = getPrefix(v, family);
      if (family === AF_UNSPEC) family = from.family;
    } else if (matches(w, 'oif') || w === 'dev') {
      odev = p.next();
    } else if (matches(w, 'uid')) {
      const v = p.next();
      const n = getU32(v);
      if (n === null) invarg('invalid UID\n', v);
      uid = n;
    } else if (matches(w, 'fibmatch')) {
      fibmatch = true;
    } else {
      let v = w;
      if (v === 'to') v = p.next();
      if (matches(v, 'help')) usage();
      dst = getPrefix(v, family);
      if (family === AF_UNSPEC) family = dst.family;
      const host = hostLen(dst.family);
      if (dst.bitlen !== host) {
        ip.io.err(`Warning: /${dst.bitlen} as prefix is invalid, only /${host} (or none) is supported.\n`);
      }
    }
  }
  if (dst === null) throw new IpExit(1, 'need at least a destination address\n');
  if (odev !== null && !(await ip.link(odev))) nodev(odev);
  if (dst.bytes.length === 0) unsupported(`route get ${dst.bitlen === 0 ? 'default' : 'without an address'}`);
  const body: Record<string, unknown> = { dst: addrText(dst), uid: uid ?? process.getuid?.() ?? 0 };
  if (from !== null && from.bytes.length) body.from = addrText(from);
  if (odev !== null) body.oif = odev;
  if (fibmatch) body.fibmatch = true;
  const r = (await ip.talk('RTM_GETROUTE', body)) as RouteSnapshot;
  ip.io.out(ip.o.json ? ip.json(`${JSON.stringify([routeJsonObject(r)])}\n`) : formatRouteLine(r));
  return 0;
}
