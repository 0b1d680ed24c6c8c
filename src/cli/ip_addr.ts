// `tapstack ip [-4|-6] address {show|add|del}`: iproute2 6.1's ip/ipaddress.c for the addresses a
// tapstack has — ipaddr_modify (the argument grammar, its client-side checks and warnings),
// ipaddr_list_flush_or_save with ipaddr_filter and get_filter (which links and addresses are
// shown), print_linkinfo as `ip addr` calls it (no `mode`, no link/ether line under a family
// filter), print_addrinfo (inet/inet6 lines, lifetimes, -o, -j) and print_linkinfo_brief (-br).
// The link line follows `tapstack ip link` (no qdisc, qlen, @ifN or link-netns: a tapstack link
// has none of them).
import type { ControlChannel } from '../control/channel.js';
import { NLM_F_CREATE, NLM_F_EXCL, type MessageType } from '../control/protocol.js';
import type { AddrSnapshot } from '../core/addr_info.js';
import type { LinkInfo } from '../stack.js';
import type { CliIO } from './io.js';
import { formatLinkDetails, formatLinkStats, linkDetailsJson, linkStatsJson } from './fmt_link.js';
import {
  AF_INET,
  AF_INET6,
  AF_PACKET,
  AF_UNSPEC,
  Argv,
  EXIT_USAGE,
  type InetPrefix,
  IpExit,
  duparg,
  duparg2,
  getAddr,
  getAddr1,
  getPrefix,
  getPrefix1,
  getU32,
  inetAddrMatch,
  invarg,
  matches,
  nodev,
} from './ip_args.js';

/**
 * What the address and route commands use of ip.ts's per-command context (its `Ip` class): the
 * channel and streams, the global options, and the talk/dump/link-map helpers.
 */
export interface IpContext {
  readonly ch: ControlChannel;
  readonly io: CliIO;
  readonly o: {
    readonly family: number;
    readonly stats: number;
    readonly details: number;
    readonly json: boolean;
    readonly pretty: boolean;
    readonly oneline: boolean;
    readonly brief: boolean;
  };
  talk(type: MessageType, body: Record<string, unknown>, flags?: number): Promise<unknown>;
  dump<T>(type: MessageType, body?: Record<string, unknown>): Promise<T[]>;
  linkMap(): Promise<LinkInfo[]>;
  link(name: string): Promise<LinkInfo | undefined>;
  json(text: string): string;
}

/** ip/ipaddress.c usage(), limited to what tapstack implements. */
export const ADDR_USAGE = `Usage: ip address add IFADDR dev IFNAME [ LIFETIME ]
                                [ CONFFLAG-LIST ]
       ip address del IFADDR dev IFNAME
       ip address [ show [ dev IFNAME ] [ scope SCOPE-ID ] [ master DEVICE ]
                         [ nomaster ] [ to PREFIX ] [ FLAG-LIST ]
                         [ label LABEL ] [up] ]
IFADDR := PREFIX [ broadcast ADDR ] [ label IFNAME ]
SCOPE-ID := [ host | link | global | NUMBER ]
FLAG-LIST := [ FLAG-LIST ] FLAG
FLAG  := [ permanent | dynamic | secondary | primary |
           [-]tentative | [-]deprecated | [-]dadfailed | temporary |
           CONFFLAG-LIST ]
CONFFLAG-LIST := [ CONFFLAG-LIST ] CONFFLAG
CONFFLAG  := [ nodad | noprefixroute ]
LIFETIME := [ valid_lft LFT ] [ preferred_lft LFT ]
LFT := forever | SECONDS
`;

const usage = (): never => {
  throw new IpExit(EXIT_USAGE, ADDR_USAGE);
};

const INFINITY_LIFE_TIME = 0xffffffff;

/** ifa_flag_data[] of iproute2 6.1: name, IFA_F_* bit, whether only IPv6 addresses take it. */
const IFA_FLAG_DATA: ReadonlyArray<readonly [string, number, boolean]> = [
  ['secondary', 0x01, false], ['temporary', 0x01, false], ['nodad', 0x02, true], ['optimistic', 0x04, true],
  ['dadfailed', 0x08, true], ['home', 0x10, true], ['deprecated', 0x20, true], ['tentative', 0x40, true],
  ['permanent', 0x80, true], ['mngtmpaddr', 0x100, true], ['noprefixroute', 0x200, false],
  ['autojoin', 0x400, false], ['stable-privacy', 0x800, true],
];

/** rtnl_rtscope_a2n(): a scope name or number; null when neither. */
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

/** The ifa_scope number of a snapshot's scope name. */
function scopeNumber(name: string): number {
  return scopeFromArg(name) ?? 0;
}

// ---- entry ---------------------------------------------------------------------------------------

/** do_ipaddr(): `ip address [COMMAND ...]`. */
export async function doAddress(ip: IpContext, args: string[]): Promise<number> {
  if (args.length === 0) return addrShow(ip, []);
  const [c, ...rest] = args as [string, ...string[]];
  if (matches(c, 'add')) return addrModify(ip, 'RTM_NEWADDR', rest);
  if (matches(c, 'change') || c === 'chg' || matches(c, 'replace')) {
    throw new IpExit(EXIT_USAGE, `Command "${c}" is not supported by tapstack, try "ip address help".\n`);
  }
  if (matches(c, 'delete')) return addrModify(ip, 'RTM_DELADDR', rest);
  if (matches(c, 'list') || matches(c, 'show') || matches(c, 'lst')) return addrShow(ip, rest);
  if (matches(c, 'flush') || matches(c, 'save') || matches(c, 'showdump') || matches(c, 'restore')) {
    throw new IpExit(EXIT_USAGE, `Command "${c}" is not supported by tapstack, try "ip address help".\n`);
  }
  if (matches(c, 'help')) usage();
  throw new IpExit(EXIT_USAGE, `Command "${c}" is unknown, try "ip address help".\n`);
}

// ---- add / del -----------------------------------------------------------------------------------

/** set_lifetime(): `forever` or a u32 of seconds. */
function lifetimeArg(arg: string): number | null {
  return arg === 'forever' ? INFINITY_LIFE_TIME : getU32(arg);
}

/** The dotted quad of 4 bytes. */
const quad = (b: readonly number[]): string => b.slice(0, 4).join('.');

/** An IPv6 address's text from its 16 bytes (the stack parses it back). */
function in6Text(b: readonly number[]): string {
  const w: string[] = [];
  for (let i = 0; i < 16; i += 2) w.push(((b[i]! << 8) | b[i + 1]!).toString(16));
  return w.join(':');
}

/** The text the stack takes for an inet_prefix of either family. */
const addrText = (p: InetPrefix): string => (p.family === AF_INET6 ? in6Text(p.bytes) : quad(p.bytes));

/** ipaddr_modify(): `ip addr add|del`. */
async function addrModify(ip: IpContext, type: 'RTM_NEWADDR' | 'RTM_DELADDR', args: string[]): Promise<number> {
  let family = ip.o.family;
  let dev: string | null = null;
  let label: string | null = null;
  let lcl: InetPrefix | null = null;
  let lclArg = '';
  let prefixGiven = false;
  let brdLen = 0;
  let brdAddr: string | null = null;
  let validLft: string | null = null;
  let preferredLft: string | null = null;
  let valid = INFINITY_LIFE_TIME;
  let preferred = INFINITY_LIFE_TIME;
  let flags = 0;
  const p = new Argv(args);
  for (; p.more; p.shift()) {
    const w = p.cur;
    const flag = IFA_FLAG_DATA.find(([n]) => n === w);
    if (w === 'peer' || w === 'remote' || w === 'anycast' || w === 'scope' || matches(w, 'metric') || matches(w, 'priority') || matches(w, 'preference')) {
      throw new IpExit(EXIT_USAGE, `Error: "${w}" is not supported by tapstack.\n`);
    } else if (matches(w, 'broadcast') || w === 'brd') {
      const v = p.next();
      if (brdLen) duparg('broadcast', v);
      if (v === '+') brdLen = -1;
      else if (v === '-') brdLen = -2;
      else {
        const a = getAddr(v, family);
        if (family === AF_UNSPEC) family = a.family;
        brdAddr = addrText(a);
        brdLen = a.bytes.length;
      }
    } else if (w === 'dev') {
      dev = p.next();
    } else if (w === 'label') {
      label = p.next();
    } else if (matches(w, 'valid_lft')) {
      if (validLft !== null) duparg('valid_lft', w);
      const v = p.next();
      validLft = v;
      const n = lifetimeArg(v);
      if (n === null) invarg('valid_lft value', v);
      valid = n;
    } else if (matches(w, 'preferred_lft')) {
      if (preferredLft !== null) duparg('preferred_lft', w);
      const v = p.next();
      preferredLft = v;
      const n = lifetimeArg(v);
      if (n === null) invarg('preferred_lft value', v);
      preferred = n;
    } else if (flag && (w === 'nodad' || w === 'noprefixroute')) {
      if (flag[2] && family !== AF_INET6) io(ip, `Warning: ${w} option can be set only for IPv6 addresses\n`);
      else flags |= flag[1];
    } else if (flag && (w === 'home' || w === 'optimistic' || w === 'mngtmpaddr' || w === 'autojoin')) {
      throw new IpExit(EXIT_USAGE, `Error: "${w}" is not supported by tapstack.\n`);
    } else {
      let v = w;
      if (v === 'local') v = p.next();
      if (matches(v, 'help')) usage();
      if (lcl !== null) duparg2('local', v);
      lclArg = v;
      lcl = getPrefix(v, family);
      prefixGiven = v.includes('/');
      if (family === AF_UNSPEC) family = lcl.family;
    }
  }
  if (dev === null) throw new IpExit(1, 'Not enough information: "dev" argument is required.\n');
  let anyPrefixLen = false;
  if (lcl !== null && type === 'RTM_DELADDR' && lcl.family === AF_INET && !prefixGiven) {
    io(ip,
      'Warning: Executing wildcard deletion to stay compatible with old scripts.\n' +
      `         Explicitly specify the prefix length (${lclArg}/${lcl.bitlen}) to avoid this warning.\n` +
      '         This special behaviour is likely to disappear in further releases,\n' +
      '         fix your scripts!\n');
    anyPrefixLen = true;
  }
  if (brdLen < 0 && type === 'RTM_NEWADDR') {
    if (family !== AF_INET || lcl === null) throw new IpExit(1, 'Broadcast can be set only for IPv4 addresses\n');
    // `brd +` sets the host bits, `brd -` clears them; iproute2 does it for prefixes up to /30.
    if (lcl.bitlen <= 30) {
      const a = ((lcl.bytes[0]! << 24) | (lcl.bytes[1]! << 16) | (lcl.bytes[2]! << 8) | lcl.bytes[3]!) >>> 0;
      const host = lcl.bitlen === 0 ? 0xffffffff : (0xffffffff >>> lcl.bitlen) >>> 0;
      const b = brdLen === -1 ? (a | host) >>> 0 : (a & ~host) >>> 0;
      brdAddr = [b >>> 24, (b >>> 16) & 255, (b >>> 8) & 255, b & 255].join('.');
    }
  }
  const link = await ip.link(dev);
  if (!link) nodev(dev);
  if (validLft !== null || preferredLft !== null) {
    if (valid === 0) throw new IpExit(1, 'valid_lft is zero\n');
    if (valid < preferred) throw new IpExit(1, 'preferred_lft is greater than valid_lft\n');
  }
  // Without an address the kernel has nothing to match or add (inet_rtm_newaddr: EINVAL).
  if (lcl === null || lcl.family === AF_UNSPEC || lcl.bytes.length === 0) throw new IpExit(2, 'RTNETLINK answers: Invalid argument\n');
  const body: Record<string, unknown> = { dev, addr: `${addrText(lcl)}/${lcl.bitlen}` };
  if (type === 'RTM_DELADDR') {
    if (anyPrefixLen) body.anyPrefixLen = true;
    await ip.talk(type, body);
    return 0;
  }
  if (flags & 0x02) body.nodad = true;
  if (flags & 0x200) body.noprefixroute = true;
  if (validLft !== null || preferredLft !== null) {
    body.validLft = valid;
    body.preferredLft = preferred;
  }
  if (brdAddr !== null) body.broadcast = brdAddr;
  if (label !== null) body.label = label;
  await ip.talk(type, body, NLM_F_CREATE | NLM_F_EXCL);
  return 0;
}

const io = (ip: IpContext, text: string): void => ip.io.err(text);

// ---- show ------------------------------------------------------------------------------------------

interface AddrFilter {
  family: number;
  ifindex: number;
  scope: number;
  scopemask: number;
  flags: number;
  flagmask: number;
  label: string | null;
  pfx: InetPrefix | null;
  up: boolean;
  /** `master DEV`: no tapstack link has one, so nothing matches; -1 for nomaster. */
  master: number;
}

/** get_filter(): a FLAG word of `ip addr show` (`-` negates; dynamic/primary are !permanent/!secondary). */
function getFilter(f: AddrFilter, arg: string): boolean {
  let inv = false;
  if (arg.startsWith('-')) {
    inv = true;
    arg = arg.slice(1);
  }
  if (arg === 'dynamic') {
    inv = !inv;
    arg = 'permanent';
  } else if (arg === 'primary') {
    inv = !inv;
    arg = 'secondary';
  }
  const d = IFA_FLAG_DATA.find(([n]) => n === arg);
  if (!d) return false;
  if (inv) f.flags &= ~d[1];
  else f.flags |= d[1];
  f.flagmask |= d[1];
  return true;
}

/** fnmatch(pattern, s, 0) for `*`, `?` and literal characters (what labels need). */
export function fnmatch(pattern: string, s: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');
  return re.test(s);
}

/** An address's bytes for inet_addr_match. */
function localBytes(a: AddrSnapshot): number[] {
  return getAddr1(a.local, a.family === 'inet6' ? AF_INET6 : AF_INET)?.bytes ?? [];
}

/** print_addrinfo()'s filter (and ipaddr_filter's per-address test). */
function addrPasses(a: AddrSnapshot, f: AddrFilter): boolean {
  if (f.ifindex && a.ifindex !== f.ifindex) return false;
  if ((f.scope ^ scopeNumber(a.scope)) & f.scopemask) return false;
  if ((f.flags ^ a.flags) & f.flagmask) return false;
  const fam = a.family === 'inet6' ? AF_INET6 : AF_INET;
  if (f.family && f.family !== fam) return false;
  if (f.label !== null && !fnmatch(f.label, a.label ?? a.dev)) return false;
  if (f.pfx && f.pfx.family !== AF_UNSPEC && !inetAddrMatch(localBytes(a), f.pfx.bytes, f.pfx.bitlen)) return false;
  return true;
}

/** print_link_flags() for what a tapstack link reports (as `tapstack ip link` prints them). */
export function linkFlagWords(l: LinkInfo): string[] {
  const f: string[] = [];
  if (l.up && !l.carrier) f.push('NO-CARRIER');
  f.push('BROADCAST', 'MULTICAST');
  if (l.noarp) f.push('NOARP');
  if (l.up) f.push('UP');
  if (l.up && l.carrier) f.push('LOWER_UP');
  return f;
}

/** IFLA_OPERSTATE as a tapstack link has it. */
export const linkOperstate = (l: LinkInfo): string => (l.up && l.carrier ? 'UP' : 'DOWN');

/**
 * Which RTM_NEWLINK the link line comes from: the full one (no family filter, or `dev DEV`), or
 * the inet6 one an `ip -6 addr` dump gets (addrconf's inet6_fill_ifinfo: no group).
 */
export type AddrLinkVariant = 'full' | 'inet6';

export interface AddrShowOptions {
  /** The -4/-6 family filter (AF_INET, AF_INET6; 0 for none): with one, no link/ether line. */
  family?: number;
  variant?: AddrLinkVariant;
  /** -o: each address on one line, no link lines. */
  oneline?: boolean;
  /** -d: the link's details (and its link/ether line even under a family filter). */
  details?: boolean;
  /** -s count: the link's counters after its addresses (the full link message only). */
  stats?: number;
}

/** print_linkinfo() as `ip addr` calls it (do_link false: no `mode`). */
export function formatAddrLinkLine(l: LinkInfo, o: AddrShowOptions = {}): string {
  let s = `${l.ifindex}: ${l.name}: <${linkFlagWords(l).join(',')}> mtu ${l.mtu} state ${linkOperstate(l)} `;
  if ((o.variant ?? 'full') === 'full') s += 'group default ';
  s += '\n';
  if ((o.variant ?? 'full') === 'inet6') {
    // addrconf's link message has no broadcast address and none of the details' attributes.
    if (o.details) s += `    link/ether ${l.address}\n`;
  } else if (!o.family || o.family === AF_PACKET || o.details) {
    s += `    link/ether ${l.address} brd ff:ff:ff:ff:ff:ff`;
    if (o.details) s += formatLinkDetails(l, '\n', false);
    s += '\n';
  }
  return s;
}

/** print_link_stats() after a link's addresses (`ip -s addr`), from the full link message only. */
export function formatAddrLinkStats(l: LinkInfo, o: AddrShowOptions = {}): string {
  if (!o.stats || (o.variant ?? 'full') !== 'full') return '';
  return `${formatLinkStats(l, o.stats, '\n').slice(1)}\n`;
}

/** A lifetime as print_addrinfo() writes it. */
const lftText = (v: number): string => (v === INFINITY_LIFE_TIME ? 'forever' : `${v}sec`);

/** print_addrinfo(): the `inet`/`inet6` line and the lifetimes line (`\` between them with -o). */
export function formatAddrLines(a: AddrSnapshot, o: AddrShowOptions = {}): string {
  let s = o.oneline ? `${a.ifindex}: ${a.dev}` : '';
  s += `    ${a.family} ${a.local}/${a.prefixLen} `;
  if (a.broadcast !== null) s += `brd ${a.broadcast} `;
  s += `scope ${a.scope} `;
  for (const w of a.flagWords) s += `${w} `;
  if (a.label !== null) s += a.label;
  s += o.oneline ? '\\' : '\n';
  s += `       valid_lft ${lftText(a.validLft)} preferred_lft ${lftText(a.preferredLft)}\n`;
  return s;
}

/** One `addr_info` element of `ip -j addr`, keys in print_addrinfo's order. */
export function addrJsonObject(a: AddrSnapshot): Record<string, unknown> {
  const j: Record<string, unknown> = { family: a.family, local: a.local, prefixlen: a.prefixLen };
  if (a.broadcast !== null) j.broadcast = a.broadcast;
  j.scope = a.scope;
  for (const w of a.flagWords) j[w] = true;
  if (a.label !== null) j.label = a.label;
  j.valid_life_time = a.validLft;
  j.preferred_life_time = a.preferredLft;
  return j;
}

/** One link of `ip -j addr` with its addresses. */
export function addrLinkJsonObject(l: LinkInfo, addrs: readonly AddrSnapshot[], o: AddrShowOptions = {}): Record<string, unknown> {
  const j: Record<string, unknown> = { ifindex: l.ifindex, ifname: l.name, flags: linkFlagWords(l), mtu: l.mtu, operstate: linkOperstate(l) };
  if ((o.variant ?? 'full') === 'full') j.group = 'default';
  const full = (o.variant ?? 'full') === 'full';
  if (!o.family || o.family === AF_PACKET || o.details) {
    j.link_type = 'ether';
    j.address = l.address;
    if (full) j.broadcast = 'ff:ff:ff:ff:ff:ff';
  }
  if (o.details && full) Object.assign(j, linkDetailsJson(l, false));
  j.addr_info = addrs.map(addrJsonObject);
  if (o.stats && full) Object.assign(j, linkStatsJson(l, o.stats));
  return j;
}

/** print_linkinfo_brief() with print_selected_addrinfo(): `-br addr`. */
export function formatAddrBrief(l: LinkInfo, addrs: readonly AddrSnapshot[]): string {
  let s = `${l.name.padEnd(16)} ${linkOperstate(l).padEnd(14)} `;
  for (const a of addrs) s += `${a.local}/${a.prefixLen} `;
  return `${s}\n`;
}

/** `-j -br addr`: one link. */
export function addrBriefJsonObject(l: LinkInfo, addrs: readonly AddrSnapshot[]): Record<string, unknown> {
  return { ifname: l.name, operstate: linkOperstate(l), addr_info: addrs.map((a) => ({ local: a.local, prefixlen: a.prefixLen })) };
}

/** ipaddr_list_flush_or_save(IPADD_LIST). */
async function addrShow(ip: IpContext, args: string[]): Promise<number> {
  const f: AddrFilter = {
    family: ip.o.family, ifindex: 0, scope: 0, scopemask: 0, flags: 0, flagmask: 0, label: null, pfx: null, up: false, master: 0,
  };
  let filterDev: string | null = null;
  const p = new Argv(args);
  for (; p.more; p.shift()) {
    const w = p.cur;
    if (w === 'to') {
      const v = p.next();
      const pfx = getPrefix1(v, f.family);
      if (!pfx) invarg('invalid "to"\n', v);
      f.pfx = pfx;
      if (f.family === AF_UNSPEC) f.family = pfx.family;
    } else if (w === 'scope') {
      const v = p.next();
      const sc = scopeFromArg(v);
      f.scopemask = -1;
      if (sc === null) {
        if (v !== 'all') invarg('invalid "scope"\n', v);
        f.scope = 255;
        f.scopemask = 0;
      } else f.scope = sc;
    } else if (w === 'up') {
      f.up = true;
    } else if (getFilter(f, w)) {
      // a FLAG word
    } else if (w === 'label') {
      f.label = p.next();
    } else if (w === 'master') {
      const v = p.next();
      const l = await ip.link(v);
      if (!l) invarg('Device does not exist\n', v);
      f.master = l.ifindex;
    } else if (w === 'vrf') {
      invarg('Not a valid VRF name\n', p.next());
    } else if (w === 'nomaster') {
      f.master = -1;
    } else if (w === 'type' || w === 'group') {
      throw new IpExit(EXIT_USAGE, `Error: "${w}" is not supported by tapstack.\n`);
    } else {
      let v = w;
      if (w === 'dev') v = p.next();
      else if (matches(w, 'help')) usage();
      if (filterDev !== null) duparg2('dev', v);
      filterDev = v;
    }
  }
  let links = await ip.linkMap();
  if (filterDev !== null) {
    const l = links.find((x) => x.name === filterDev);
    if (!l) throw new IpExit(1, `Device "${filterDev}" does not exist.\n`);
    f.ifindex = l.ifindex;
    links = [l];
  }
  const body: Record<string, unknown> = {};
  if (f.family === AF_INET) body.family = 'inet';
  else if (f.family === AF_INET6) body.family = 'inet6';
  const all = f.family === AF_INET || f.family === AF_INET6 || f.family === AF_UNSPEC ? await ip.dump<AddrSnapshot>('RTM_GETADDR', body) : [];
  // ipaddr_filter(): a link stays when one of its addresses passes, or, without a family, when
  // it has none at all.
  links = links.filter((l) => {
    if (f.up && !l.up) return false;
    if (f.master > 0) return false;
    const own = all.filter((a) => a.ifindex === l.ifindex);
    if (own.some((a) => addrPasses(a, f))) return true;
    return own.length === 0 && (f.family === AF_UNSPEC || f.family === AF_PACKET);
  });
  // The link dump asks the -4/-6 family (a `to` prefix only filters): for inet6 the kernel answers
  // with addrconf's own link messages; `dev DEV` asks for that link the usual way.
  const variant: AddrLinkVariant = ip.o.family === AF_INET6 && filterDev === null ? 'inet6' : 'full';
  const fo: AddrShowOptions = { family: f.family, variant, oneline: ip.o.oneline, details: ip.o.details > 0, stats: ip.o.stats };
  const per = (l: LinkInfo): AddrSnapshot[] => all.filter((a) => a.ifindex === l.ifindex && addrPasses(a, f));
  if (ip.o.json) {
    const objs = links.map((l) => (ip.o.brief ? addrBriefJsonObject(l, per(l)) : addrLinkJsonObject(l, per(l), fo)));
    ip.io.out(ip.json(`${JSON.stringify(objs)}\n`));
    return 0;
  }
  let out = '';
  for (const l of links) {
    if (ip.o.brief) {
      out += formatAddrBrief(l, per(l));
      continue;
    }
    // -o prints addresses only; so does a label filter (print_linkinfo is skipped with filter.label).
    if (!ip.o.oneline && f.label === null) out += formatAddrLinkLine(l, fo);
    for (const a of per(l)) out += formatAddrLines(a, fo);
    if (!ip.o.oneline && f.label === null) out += formatAddrLinkStats(l, fo);
  }
  ip.io.out(out);
  return 0;
}
