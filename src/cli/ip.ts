// `tapstack [--name NAME] ip [OPTIONS] OBJECT COMMAND ...`: iproute2 6.1's `ip` for the objects a
// tapstack has — neigh, ntable, link, monitor — speaking the control channel instead of rtnetlink.
// It follows ip/ip.c (options, object dispatch and exit statuses), ip/ipneigh.c (ipneigh_modify,
// do_show_or_flush with its client-side filter and flush rounds, ipneigh_get), ip/ipntable.c,
// ip/ipmonitor.c and ip/iplink.c (iplink_parse for `set`, print_linkinfo for `show`): the same
// argument grammar, the same client-side checks and messages, device names resolved from a link
// dump as ll_init_map/ll_name_to_index do, and the stack's errors printed as `RTNETLINK answers:
// STRERROR` (or `Error: MSG.` when the reply carries its own text, like an extended ack).
// Both neighbour tables are reached the kernel's way: dumps carry the -4/-6/-f family
// (rtnl_neighdump_req, ndtm_family), so without one arp_tbl's entries come before nd_tbl's;
// add/del/get take the family of the address (neigh_find_table).
// Output formats come from fmt_neigh.ts and fmt_ntable.ts.
import { ControlChannel, ControlError } from '../control/channel.js';
import { NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, type MessageType } from '../control/protocol.js';
import { ENOENT, strerror } from '../core/errno.js';
import { formatIn6 } from '../ipv6/in6_addr.js';
import type { NeighSnapshot, PneighSnapshot } from '../neighbour/table.js';
import type { NtableView } from '../neighbour/tbl_info.js';
import { NUD_FAILED, NUD_NONE, NUD_PERMANENT } from '../neighbour/nud.js';
import type { LinkInfo } from '../stack.js';
import {
  NUD_FILTER_DEFAULT,
  NUD_FILTER_FLUSH_DEFAULT,
  formatNeighEvent,
  formatNeighLine,
  formatNeighShow,
  formatNeighShowJson,
  neighPassesStateFilter,
  neighStateFilter,
  nudStateFromArg,
} from './fmt_neigh.js';
import { formatLinkDetails, formatLinkStats, linkDetailsJson, linkStatsJson } from './fmt_link.js';
import { formatNtable, formatNtableJson } from './fmt_ntable.js';
import { doAddress, linkFlagWords, linkOperstate } from './ip_addr.js';
import { doRoute } from './ip_route.js';
import type { CliIO } from './io.js';
import {
  AF_INET,
  AF_INET6,
  AF_UNSPEC,
  Argv,
  EXIT_USAGE,
  IpExit,
  type InetPrefix,
  dottedQuad,
  duparg,
  duparg2,
  getAddr,
  getAddr1,
  getInteger,
  getPrefix,
  getU32,
  getU64,
  inetAddrMatch,
  invarg,
  jsonPretty,
  llAddrA2n,
  macString,
  matches,
  missarg,
  nodev,
  quadBytes,
  readFamily,
  rtprotFromArg,
  validIfname,
} from './ip_args.js';

// ---- usage texts -----------------------------------------------------------------------------------

/** ip/ip.c usage(), limited to what tapstack implements (no -batch, -netns). */
export const IP_USAGE = `Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }
where  OBJECT := { address | help | link | monitor | neighbor | neighbour | ntable | ntbl | route }
       OPTIONS := { -V[ersion] | -s[tatistics] | -d[etails] | -r[esolve] |
                    -h[uman-readable] | -iec | -j[son] | -p[retty] |
                    -f[amily] { inet | inet6 | mpls | bridge | link } |
                    -4 | -6 | -M | -B | -0 |
                    -l[oops] { maximum-addr-flush-attempts } | -br[ief] |
                    -o[neline] | -t[imestamp] | -ts[hort] |
                    -rc[vbuf] [size] | -N[umeric] | -a[ll] |
                    -c[olor]}
`;

/** ip/ipneigh.c usage() of iproute2 6.1, verbatim. */
export const NEIGH_USAGE = `Usage: ip neigh { add | del | change | replace }
                { ADDR [ lladdr LLADDR ] [ nud STATE ] proxy ADDR }
                [ dev DEV ] [ router ] [ use ] [ managed ] [ extern_learn ]
                [ protocol PROTO ]

\tip neigh { show | flush } [ proxy ] [ to PREFIX ] [ dev DEV ] [ nud STATE ]
\t\t\t\t  [ vrf NAME ] [ nomaster ]
\tip neigh get { ADDR | proxy ADDR } dev DEV

STATE := { delay | failed | incomplete | noarp | none |
           permanent | probe | reachable | stale }
`;

/** ip/ipntable.c usage() of iproute2 6.1, verbatim. */
export const NTABLE_USAGE = `Usage: ip ntable change name NAME [ dev DEV ]
        [ thresh1 VAL ] [ thresh2 VAL ] [ thresh3 VAL ] [ gc_int MSEC ]
        [ PARMS ]
Usage: ip ntable show [ dev DEV ] [ name NAME ]
PARMS := [ base_reachable MSEC ] [ retrans MSEC ] [ gc_stale MSEC ]
         [ delay_probe MSEC ] [ queue LEN ]
         [ app_probes VAL ] [ ucast_probes VAL ] [ mcast_probes VAL ]
         [ anycast_delay MSEC ] [ proxy_delay MSEC ] [ proxy_queue LEN ]
         [ locktime MSEC ]
`;

/** ip/ipmonitor.c usage() of iproute2 6.1, verbatim (tapstack only has neighbour events). */
export const MONITOR_USAGE = `Usage: ip monitor [ all | OBJECTS ] [ FILE ] [ label ] [ all-nsid ]
                  [ dev DEVICE ]
OBJECTS :=  address | link | mroute | neigh | netconf |
            nexthop | nsid | prefix | route | rule | stats
FILE := file FILENAME
`;

/** ip/iplink.c usage(), limited to the `set` and `show` arguments tapstack implements. */
export const LINK_USAGE = `Usage: ip link set { DEVICE | dev DEVICE }
\t\t[ { up | down } ]
\t\t[ arp { on | off } ]
\t\t[ address LLADDR ]
\t\t[ mtu MTU ]

\tip link show [ DEVICE ] [up] [master DEV] [vrf NAME] [nomaster]

\tip link help
`;

const usage = (text: string): never => {
  throw new IpExit(EXIT_USAGE, text);
};

// ---- context ---------------------------------------------------------------------------------------

interface GlobalOptions {
  family: number;
  stats: number;
  details: number;
  json: boolean;
  pretty: boolean;
  oneline: boolean;
  brief: boolean;
  /** -t/-timestamp: `ip monitor` stamps each message; -ts/-tshort in the short form. */
  timestamp: boolean;
  tshort: boolean;
}

type NeighEntry = NeighSnapshot | PneighSnapshot;

const isPneigh = (e: NeighEntry): e is PneighSnapshot => !('state' in e);

/**
 * The text iproute2 prints for an error reply: `RTNETLINK answers: STRERROR` for a bare errno,
 * `Error: MSG.` when the reply carries a message of its own (what nl_dump_ext_ack prints).
 */
export function replyErrorText(e: unknown): string {
  if (e instanceof ControlError) {
    const msg = e.message;
    // "error N" is what the channel reports for an error reply that carries no message.
    if (msg === '' || msg === strerror(e.errno) || msg === `error ${-e.errno}`) return `RTNETLINK answers: ${strerror(e.errno)}\n`;
    return `Error: ${msg}${msg.endsWith('.') ? '' : '.'}\n`;
  }
  const msg = e instanceof Error ? e.message : String(e);
  return `Error: ${msg}${msg.endsWith('.') ? '' : '.'}\n`;
}

class Ip {
  private links: LinkInfo[] | null = null;

  constructor(
    readonly ch: ControlChannel,
    readonly io: CliIO,
    readonly o: GlobalOptions,
    readonly signal?: AbortSignal,
  ) {}

  /** rtnl_talk(): an error reply ends the command with status 2 (`exit(2)` / `return -2`). */
  async talk(type: MessageType, body: Record<string, unknown>, flags = 0): Promise<unknown> {
    try {
      return (await this.ch.call(type, body, flags)).body;
    } catch (e) {
      throw new IpExit(2, replyErrorText(e));
    }
  }

  /** rtnl_dump_filter(): a failed dump is "Dump terminated", status 1. */
  async dump<T>(type: MessageType, body: Record<string, unknown> = {}): Promise<T[]> {
    try {
      return await this.ch.dump<T>(type, body);
    } catch (e) {
      throw new IpExit(1, `${replyErrorText(e)}Dump terminated\n`);
    }
  }

  /** ll_init_map(): the link dump, once per command. */
  async linkMap(): Promise<LinkInfo[]> {
    this.links ??= await this.dump<LinkInfo>('RTM_GETLINK');
    return this.links;
  }

  /** ll_name_to_index(): the link, or undefined. */
  async link(name: string): Promise<LinkInfo | undefined> {
    return (await this.linkMap()).find((l) => l.name === name);
  }

  json(text: string): string {
    return this.o.pretty ? `${jsonPretty(JSON.parse(text))}\n` : text;
  }
}

// ---- ip [OPTIONS] OBJECT ---------------------------------------------------------------------------

/** Runs `ip ARGV...`; returns the exit status the iproute2 `ip` process would have. */
export async function ipCommand(argv: string[], ch: ControlChannel, io: CliIO, opts: { signal?: AbortSignal } = {}): Promise<number> {
  try {
    return await ipMain(argv, ch, io, opts.signal);
  } catch (e) {
    if (e instanceof IpExit) {
      if (e.stdout) io.out(e.stdout);
      if (e.stderr) io.err(e.stderr);
      return e.status;
    }
    throw e;
  }
}

async function ipMain(argv: string[], ch: ControlChannel, io: CliIO, signal?: AbortSignal): Promise<number> {
  const o: GlobalOptions = { family: AF_UNSPEC, stats: 0, details: 0, json: false, pretty: false, oneline: false, brief: false, timestamp: false, tshort: false };
  let i = 0;
  for (; i < argv.length; i++) {
    let opt = argv[i]!;
    if (opt === '--') {
      i++;
      break;
    }
    if (opt[0] !== '-') break;
    if (opt[1] === '-') opt = opt.slice(1);
    const color = /^([^=]*)(?:=(.*))?$/.exec(opt)!;
    if (matches(opt, '-loops')) {
      // max_flush_loops: ip neigh flush does not use it (MAX_ROUNDS is fixed).
      if (++i >= argv.length) usage(IP_USAGE);
    } else if (matches(opt, '-family')) {
      if (++i >= argv.length) usage(IP_USAGE);
      if (argv[i] === 'help') usage(IP_USAGE);
      o.family = readFamily(argv[i]!);
      if (o.family === AF_UNSPEC) invarg('invalid protocol family', argv[i]!);
    } else if (opt === '-4') o.family = AF_INET;
    else if (opt === '-6') o.family = 10;
    else if (opt === '-0') o.family = 17;
    else if (opt === '-M') o.family = 28;
    else if (opt === '-B') o.family = 7;
    else if (matches(opt, '-human') || matches(opt, '-human-readable') || matches(opt, '-iec')) {
      // Sizes are not printed by the supported objects.
    } else if (matches(opt, '-stats') || matches(opt, '-statistics')) o.stats++;
    else if (matches(opt, '-details')) o.details++;
    else if (matches(opt, '-resolve')) {
      // tapstack prints addresses numerically (no reverse DNS).
    } else if (matches(opt, '-oneline')) o.oneline = true;
    else if (matches(opt, '-timestamp')) o.timestamp = true;
    else if (matches(opt, '-tshort')) {
      o.timestamp = true;
      o.tshort = true;
    } else if (matches(opt, '-Version')) {
      io.out('ip utility, tapstack (iproute2-6.1.0 syntax)\n');
      return 0;
    } else if (matches(opt, '-force')) {
      // Only meaningful with -batch.
    } else if (matches(opt, '-batch')) {
      // -batch and -netns are refused rather than ignored: tapstack cannot do what they ask.
      throw new IpExit(EXIT_USAGE, `Option "${opt}" is not supported by tapstack, try "ip -help".\n`);
    } else if (matches(opt, '-brief')) o.brief = true;
    else if (matches(opt, '-json')) o.json = true;
    else if (matches(opt, '-pretty')) o.pretty = true;
    else if (matches(opt, '-rcvbuf')) {
      if (++i >= argv.length) usage(IP_USAGE);
      if (getU32(argv[i]!) === null) throw new IpExit(EXIT_USAGE, `Invalid rcvbuf size '${argv[i]}'\n`);
    } else if (matches(color[1]!, '-color') && [undefined, '', 'always', 'auto', 'never'].includes(color[2])) {
      // Accepted; output is never coloured.
    } else if (matches(opt, '-help')) usage(IP_USAGE);
    else if (matches(opt, '-netns')) {
      throw new IpExit(EXIT_USAGE, `Option "${opt}" is not supported by tapstack, try "ip -help".\n`);
    } else if (matches(opt, '-Numeric') || matches(opt, '-all') || opt === '-echo') {
      // No names to resolve; -all and -echo have no effect on these objects.
    } else {
      throw new IpExit(EXIT_USAGE, `Option "${opt}" is unknown, try "ip -help".\n`);
    }
  }
  if (i >= argv.length) usage(IP_USAGE);
  return doCmd(new Ip(ch, io, o, signal), argv[i]!, argv.slice(i + 1));
}

type ObjectHandler = (ip: Ip, args: string[]) => Promise<number>;

/** ip/ip.c cmds[] in its order (abbreviations resolve to the first match); null: not in tapstack. */
const OBJECTS: ReadonlyArray<readonly [string, ObjectHandler | null]> = [
  ['address', doAddress], ['addrlabel', null], ['maddress', null], ['route', doRoute], ['rule', null],
  ['neighbor', doNeigh], ['neighbour', doNeigh], ['ntable', doNtable], ['ntbl', doNtable],
  ['link', doLink], ['l2tp', null], ['fou', null], ['ila', null], ['macsec', null],
  ['tunnel', null], ['tunl', null], ['tuntap', null], ['tap', null], ['token', null],
  ['tcpmetrics', null], ['tcp_metrics', null], ['monitor', doMonitor], ['xfrm', null],
  ['mroute', null], ['mrule', null], ['netns', null], ['netconf', null], ['vrf', null],
  ['sr', null], ['nexthop', null], ['mptcp', null], ['ioam', null], ['help', async () => usage(IP_USAGE)],
  ['stats', null],
];

async function doCmd(ip: Ip, obj: string, args: string[]): Promise<number> {
  for (const [name, fn] of OBJECTS) {
    if (!matches(obj, name)) continue;
    if (!fn) throw new IpExit(1, `Object "${name}" is not supported by tapstack, try "ip help".\n`);
    return fn(ip, args);
  }
  throw new IpExit(1, `Object "${obj}" is unknown, try "ip help".\n`);
}

// ---- ip neigh ----------------------------------------------------------------------------------------

async function doNeigh(ip: Ip, args: string[]): Promise<number> {
  if (args.length === 0) return neighShowOrFlush(ip, [], false);
  const [c, ...rest] = args as [string, ...string[]];
  if (matches(c, 'add')) return neighModify(ip, 'RTM_NEWNEIGH', NLM_F_CREATE | NLM_F_EXCL, rest);
  if (matches(c, 'change') || c === 'chg') return neighModify(ip, 'RTM_NEWNEIGH', NLM_F_REPLACE, rest);
  if (matches(c, 'replace')) return neighModify(ip, 'RTM_NEWNEIGH', NLM_F_CREATE | NLM_F_REPLACE, rest);
  if (matches(c, 'delete')) return neighModify(ip, 'RTM_DELNEIGH', 0, rest);
  if (matches(c, 'get')) return neighGet(ip, rest);
  if (matches(c, 'show') || matches(c, 'lst') || matches(c, 'list')) return neighShowOrFlush(ip, rest, false);
  if (matches(c, 'flush')) return neighShowOrFlush(ip, rest, true);
  if (matches(c, 'help')) usage(NEIGH_USAGE);
  throw new IpExit(EXIT_USAGE, `Command "${c}" is unknown, try "ip neigh help".\n`);
}

/** The failure the kernel's neigh_add/neigh_delete gives a family without a neighbour table. */
const EAFNOSUPPORT_TEXT = `RTNETLINK answers: ${strerror(97)}\n`;

/**
 * NDA_DST as the stack takes it: a dotted quad for arp_tbl, the canonical IPv6 text for nd_tbl;
 * another family has no neighbour table (neigh_find_table() fails: EAFNOSUPPORT, status 2).
 */
function neighDst(dst: InetPrefix): string {
  if (dst.family === AF_INET) return dottedQuad(dst.bytes);
  if (dst.family === AF_INET6) return formatIn6(Uint8Array.from(dst.bytes));
  throw new IpExit(2, EAFNOSUPPORT_TEXT);
}

/** An entry's address as bytes, for the prefix filter (inet_addr_match over the family's bits). */
function entryBytes(e: NeighEntry): number[] {
  return getAddr1(e.dst, e.family)?.bytes ?? [];
}

/** ipneigh_modify(): add, change, replace, del. */
async function neighModify(ip: Ip, type: 'RTM_NEWNEIGH' | 'RTM_DELNEIGH', flags: number, args: string[]): Promise<number> {
  let state = NUD_PERMANENT;
  let proxy = false;
  let router = false;
  let use = false;
  let managed = false;
  let externLearn = false;
  let protocol: number | undefined;
  let dev: string | null = null;
  let devOk = false;
  let dst: InetPrefix | null = null;
  let lla: string | null = null;
  const p = new Argv(args);
  for (; p.more; p.shift()) {
    const w = p.cur;
    if (matches(w, 'lladdr')) {
      const v = p.next();
      if (lla !== null) duparg('lladdr', v);
      lla = v;
    } else if (w === 'nud') {
      const v = p.next();
      const st = nudStateFromArg(v);
      if (st === null) invarg('nud state is bad', v);
      state = st;
    } else if (matches(w, 'proxy')) {
      const v = p.next();
      if (matches(v, 'help')) usage(NEIGH_USAGE);
      if (dst) duparg('address', v);
      dst = getAddr(v, ip.o.family);
      devOk = true;
      proxy = true;
    } else if (w === 'router') router = true;
    else if (w === 'use') use = true;
    else if (w === 'managed') {
      managed = true;
      state = NUD_NONE;
    } else if (matches(w, 'extern_learn')) externLearn = true;
    else if (w === 'dev') {
      dev = p.next();
      devOk = true;
    } else if (matches(w, 'protocol')) {
      const v = p.next();
      const pr = rtprotFromArg(v);
      if (pr === null) invarg('"protocol" value is invalid\n', v);
      protocol = pr;
    } else {
      let v = w;
      if (v === 'to') v = p.next();
      if (matches(v, 'help')) v = p.next();
      if (dst) duparg2('to', v);
      dst = getAddr(v, ip.o.family);
    }
  }
  if (!devOk || !dst || dst.family === AF_UNSPEC) {
    throw new IpExit(EXIT_USAGE, 'Device and destination are required arguments.\n');
  }
  let ll: number[] | null = null;
  if (lla !== null && lla !== 'null') {
    const r = llAddrA2n(lla, 20);
    if (typeof r === 'string') throw new IpExit(1, r);
    ll = r;
  }
  if (dev !== null && !(await ip.link(dev))) nodev(dev);
  // What neigh_add/neigh_delete check before the table sees the request.
  if (type === 'RTM_NEWNEIGH' && dev !== null && ll && ll.length < 6) throw new IpExit(2, 'Error: Invalid link address.\n');
  // neigh_find_table(ndm_family): the family is the address's (arp_tbl or nd_tbl).
  const target = neighDst(dst);
  if (type === 'RTM_DELNEIGH') {
    await ip.talk(type, { dst: target, dev, proxy }, flags);
    return 0;
  }
  const body: Record<string, unknown> = { dst: target, dev, state };
  if (ll) body.lladdr = macString(ll.slice(0, 6));
  if (router) body.router = true;
  if (proxy) body.proxy = true;
  if (externLearn) body.externLearn = true;
  if (managed) body.managed = true;
  if (use) body.use = true;
  if (protocol !== undefined) body.protocol = protocol;
  await ip.talk(type, body, flags);
  return 0;
}

/** ipneigh_get(). */
async function neighGet(ip: Ip, args: string[]): Promise<number> {
  let dev: string | null = null;
  let devOk = false;
  let proxy = false;
  let dst: InetPrefix | null = null;
  const p = new Argv(args);
  for (; p.more; p.shift()) {
    const w = p.cur;
    if (w === 'dev') {
      dev = p.next();
      devOk = true;
    } else if (matches(w, 'proxy')) {
      const v = p.next();
      if (matches(v, 'help')) usage(NEIGH_USAGE);
      if (dst) duparg('address', v);
      dst = getAddr(v, ip.o.family);
      devOk = true;
      proxy = true;
    } else {
      let v = w;
      if (v === 'to') v = p.next();
      if (matches(v, 'help')) usage(NEIGH_USAGE);
      if (dst) duparg2('to', v);
      dst = getAddr(v, ip.o.family);
    }
  }
  if (!devOk || !dst || dst.family === AF_UNSPEC) throw new IpExit(1, 'Device and address are required arguments.\n');
  if (dev !== null && !(await ip.link(dev))) throw new IpExit(1, `Cannot find device "${dev}"\n`);
  const body: Record<string, unknown> = { dst: neighDst(dst) };
  if (dev !== null) body.dev = dev;
  if (proxy) body.proxy = true;
  let entry: NeighEntry;
  try {
    entry = (await ip.ch.call('RTM_GETNEIGH', body)).body as NeighEntry;
  } catch (e) {
    // neigh_get()'s extended acks for a missing entry.
    if (e instanceof ControlError && e.code === 'ENOENT' && e.message === strerror(ENOENT)) {
      throw new IpExit(2, proxy ? 'Error: Proxy neighbour entry not found.\n' : 'Error: Neighbour entry not found.\n');
    }
    throw new IpExit(2, replyErrorText(e));
  }
  // iproute2 6.1 prints the answer as text even with -j (ipneigh_get opens no JSON context).
  ip.io.out(formatNeighLine(entry, { stats: ip.o.stats > 0 }));
  return 0;
}

interface NeighFilter {
  family: number;
  /** ifindex of `dev DEV`, 0 for none. */
  index: number;
  state: number;
  unused: boolean;
  /** ifindex of `master DEV`, -1 for `nomaster`, 0 for neither. */
  master: number;
  protocol: number;
  proxy: boolean;
  pfx: InetPrefix | null;
}

/** print_neigh()'s filter (the part after the kernel's own dump filter). */
function neighPasses(e: NeighEntry, f: NeighFilter): boolean {
  if (f.family && e.family !== f.family) return false;
  if (f.index && e.ifindex !== f.index) return false;
  if (!neighPassesStateFilter(e, f.state)) return false;
  // No tapstack device is enslaved: a master filter matches nothing, nomaster everything.
  if (f.master > 0) return false;
  if (f.pfx && f.pfx.family !== AF_UNSPEC && f.pfx.bitlen > 0 && (e.family !== f.pfx.family || !inetAddrMatch(entryBytes(e), f.pfx.bytes, f.pfx.bitlen))) return false;
  if (f.protocol && e.protocol !== f.protocol) return false;
  if (f.unused && !isPneigh(e) && e.refcnt) return false;
  return true;
}

const MAX_ROUNDS = 10;

/** do_show_or_flush(). */
async function neighShowOrFlush(ip: Ip, args: string[], flush: boolean): Promise<number> {
  const f: NeighFilter = {
    family: ip.o.family, index: 0, state: flush ? NUD_FILTER_FLUSH_DEFAULT : NUD_FILTER_DEFAULT,
    unused: false, master: 0, protocol: 0, proxy: false, pfx: null,
  };
  if (flush && args.length === 0) throw new IpExit(1, 'Flush requires arguments.\n');
  let filterDev: string | null = null;
  const nudArgs: string[] = [];
  const p = new Argv(args);
  for (; p.more; p.shift()) {
    const w = p.cur;
    if (w === 'dev') {
      const v = p.next();
      if (filterDev !== null) duparg('dev', v);
      filterDev = v;
    } else if (w === 'master') {
      const v = p.next();
      const l = await ip.link(v);
      if (!l) invarg('Device does not exist\n', v);
      f.master = l.ifindex;
    } else if (w === 'vrf') {
      // tapstack has no VRF devices.
      invarg('Not a valid VRF name\n', p.next());
    } else if (w === 'nomaster') f.master = -1;
    else if (w === 'unused') f.unused = true;
    else if (w === 'nud') {
      const v = p.next();
      if (nudStateFromArg(v) === null && v !== 'all') invarg('nud state is bad', v);
      nudArgs.push(v);
    } else if (w === 'proxy') f.proxy = true;
    else if (matches(w, 'protocol')) {
      const v = p.next();
      let pr = rtprotFromArg(v);
      if (pr === null) {
        if (v !== 'all') invarg('invalid "protocol"\n', v);
        pr = 0;
      }
      f.protocol = pr;
    } else {
      let v = w;
      if (v === 'to') v = p.next();
      if (matches(v, 'help')) usage(NEIGH_USAGE);
      f.pfx = getPrefix(v, f.family);
      if (f.family === AF_UNSPEC) f.family = f.pfx.family;
    }
  }
  if (nudArgs.length) f.state = neighStateFilter(nudArgs, flush);
  if (filterDev !== null) {
    const l = await ip.link(filterDev);
    if (!l) nodev(filterDev);
    f.index = l.ifindex;
  }
  // rtnl_neighdump_req(filter.family): the kernel dumps only that family's table.
  const dumpBody: Record<string, unknown> = f.proxy ? { proxy: true } : {};
  if (f.family) dumpBody.family = f.family;
  const fmt = { stats: ip.o.stats > 0, hideDev: f.index !== 0 };

  if (flush) {
    const io = ip.io;
    for (let round = 0; round < MAX_ROUNDS; ) {
      const victims = (await ip.dump<NeighEntry>('RTM_GETNEIGH', dumpBody)).filter((e) => neighPasses(e, f));
      if (victims.length === 0) {
        if (ip.o.stats) {
          if (round === 0) io.out('Nothing to flush.\n');
          else io.out(`*** Flush is complete after ${round} round${round > 1 ? 's' : ''} ***\n`);
        }
        return 0;
      }
      for (const e of victims) {
        if (ip.o.stats >= 2) io.out(formatNeighLine(e, fmt));
      }
      round++;
      for (const e of victims) {
        try {
          await ip.ch.call('RTM_DELNEIGH', { dst: e.dst, dev: e.ifindex ? e.dev : null, proxy: isPneigh(e) });
        } catch (err) {
          const text = err instanceof ControlError ? strerror(err.errno) : err instanceof Error ? err.message : String(err);
          throw new IpExit(1, `Failed to send flush request: ${text}\n`);
        }
      }
      if (ip.o.stats) io.out(`\n*** Round ${round}, deleting ${victims.length} entries ***\n`);
      f.state &= ~NUD_FAILED; // what a deleted but still referenced entry becomes
    }
    io.out(`*** Flush not complete bailing out after ${MAX_ROUNDS} rounds\n`);
    return EXIT_USAGE; // `return 1` from do_ipneigh, negated by do_cmd
  }

  const entries = (await ip.dump<NeighEntry>('RTM_GETNEIGH', dumpBody)).filter((e) => neighPasses(e, f));
  ip.io.out(ip.o.json ? ip.json(formatNeighShowJson(entries, fmt)) : formatNeighShow(entries, fmt));
  return 0;
}

// ---- ip ntable -----------------------------------------------------------------------------------------

async function doNtable(ip: Ip, args: string[]): Promise<number> {
  if (args.length && matches(args[0]!, 'help')) usage(NTABLE_USAGE); // before ll_init_map: help needs no stack
  await ip.linkMap();
  if (args.length === 0) return ntableShow(ip, []);
  const [c, ...rest] = args as [string, ...string[]];
  if (matches(c, 'change') || matches(c, 'chg')) return ntableChange(ip, rest);
  if (matches(c, 'show') || matches(c, 'lst') || matches(c, 'list')) return ntableShow(ip, rest);
  if (matches(c, 'help')) usage(NTABLE_USAGE);
  throw new IpExit(EXIT_USAGE, `Command "${c}" is unknown, try "ip ntable help".\n`);
}

async function ntableShow(ip: Ip, args: string[]): Promise<number> {
  let dev: string | undefined;
  let name: string | undefined;
  const p = new Argv(args);
  for (; p.more; p.shift()) {
    const w = p.cur;
    if (w === 'dev') {
      const v = p.next();
      if (v !== 'none' && !(await ip.link(v))) invarg('"DEV" is invalid', v);
      dev = v;
    } else if (w === 'name') {
      name = p.next();
    } else invarg('unknown', w);
  }
  // ipntable_show(): an RTM_GETNEIGHTBL dump of preferred_family (every table for AF_UNSPEC).
  let views = await ip.dump<NtableView>('RTM_GETNEIGHTBL', ip.o.family ? { family: ip.o.family } : {});
  if (ip.o.family) views = views.filter((v) => v.family === ip.o.family);
  const fmt = { stats: ip.o.stats > 0, name, dev, nowEpochMs: Date.now() };
  ip.io.out(ip.o.json ? ip.json(formatNtableJson(views, fmt)) : formatNtable(views, fmt));
  return 0;
}

/** `ip ntable change` parameters: [name, get_u32 (else get_u64), the stack's parms key]. */
const NTABLE_PARMS: ReadonlyArray<readonly [string, 'u32' | 'u64', string]> = [
  ['base_reachable', 'u64', 'baseReachableTime'],
  ['retrans', 'u64', 'retransTime'],
  ['gc_stale', 'u64', 'gcStaletime'],
  ['delay_probe', 'u64', 'delayProbeTime'],
  ['queue', 'u32', 'queueLen'],
  ['app_probes', 'u32', 'appProbes'],
  ['ucast_probes', 'u32', 'ucastProbes'],
  ['mcast_probes', 'u32', 'mcastProbes'],
  ['anycast_delay', 'u64', 'anycastDelay'],
  ['proxy_delay', 'u64', 'proxyDelay'],
  ['proxy_queue', 'u32', 'proxyQlen'],
  ['locktime', 'u64', 'locktime'],
];

/** ipntable_modify(): RTM_SETNEIGHTBL; times in ms as the kernel takes them. */
async function ntableChange(ip: Ip, args: string[]): Promise<number> {
  let name: string | null = null;
  let dev: string | undefined;
  const body: Record<string, unknown> = {};
  const parms: Record<string, number> = {};
  let changes = false;
  const p = new Argv(args);
  for (; p.more; p.shift()) {
    const w = p.cur;
    const parm = NTABLE_PARMS.find(([n]) => n === w);
    if (w === 'name') {
      const v = p.next();
      if (name !== null) duparg('NAME', v);
      name = v;
    } else if (w === 'thresh1' || w === 'thresh2' || w === 'thresh3') {
      const v = p.next();
      const n = getU32(v);
      if (n === null) invarg(`"${w}" value is invalid`, v);
      body[w] = n;
      changes = true;
    } else if (w === 'gc_int') {
      const v = p.next();
      const n = getU64(v);
      if (n === null) invarg('"gc_int" value is invalid', v);
      body.gcIntervalMs = Number(n);
      changes = true;
    } else if (w === 'dev') {
      const v = p.next();
      if (!(await ip.link(v))) nodev(v);
      dev = v;
    } else if (parm) {
      const v = p.next();
      const n = parm[1] === 'u32' ? getU32(v) : getU64(v);
      if (n === null) invarg(`"${w}" value is invalid`, v);
      parms[parm[2]] = Number(n);
      changes = true;
    } else invarg('unknown', w);
  }
  if (name === null) missarg('NAME');
  if (!changes) throw new IpExit(EXIT_USAGE, 'Not enough information: changeable attributes required.\n');
  // neightbl_set() looks the table up by ndtm_family (preferred_family) and name.
  if (ip.o.family) body.family = ip.o.family;
  body.name = name;
  if (dev !== undefined) body.dev = dev;
  if (Object.keys(parms).length) body.parms = parms;
  await ip.talk('RTM_SETNEIGHTBL', body, NLM_F_REPLACE);
  return 0;
}

// ---- ip monitor -----------------------------------------------------------------------------------------

const IPMON_LNEIGH = 1 << 5;

/**
 * print_timestamp() (lib/utils.c): local time of receipt, `Timestamp: <asctime> N usec` on a
 * line of its own, or with -tshort a `[YYYY-MM-DDTHH:MM:SS.uuuuuu] ` prefix.
 */
export function formatTimestamp(epochUs: number, short: boolean): string {
  const d = new Date(Math.floor(epochUs / 1000));
  const usec = Math.floor(epochUs) % 1_000_000;
  const p2 = (n: number): string => String(n).padStart(2, '0');
  const hms = `${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`;
  if (short) return `[${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())}T${hms}.${String(usec).padStart(6, '0')}] `;
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getDay()];
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getMonth()];
  return `Timestamp: ${day} ${mon} ${String(d.getDate()).padStart(2, ' ')} ${hms} ${d.getFullYear()} ${usec} usec\n`;
}

/** The wall clock in microseconds (gettimeofday()). */
const epochMicros = (): number => Math.floor((performance.timeOrigin + performance.now()) * 1000);

/** The words of do_ipmonitor() selecting event groups, in its order. */
const MONITOR_OBJECTS: ReadonlyArray<readonly [string, number, boolean]> = [
  ['link', 1 << 0, true], ['address', 1 << 1, true], ['route', 1 << 2, true], ['mroute', 1 << 3, true],
  ['prefix', 1 << 4, true], ['neigh', IPMON_LNEIGH, true], ['netconf', 1 << 6, true], ['rule', 1 << 8, true],
  ['nsid', 1 << 9, true], ['nexthop', 1 << 10, true], ['stats', 1 << 7, false],
];

/** do_ipmonitor(): neighbour events as `ip monitor neigh` prints them, until aborted. */
async function doMonitor(ip: Ip, args: string[]): Promise<number> {
  let lmask = 0;
  let label = false;
  let allNsid = false;
  let index = 0;
  const p = new Argv(args);
  for (; p.more; p.shift()) {
    const w = p.cur;
    const obj = MONITOR_OBJECTS.find(([n, , abbrev]) => (abbrev ? matches(w, n) : w === n));
    if (matches(w, 'file')) {
      p.next();
      throw new IpExit(EXIT_USAGE, 'Error: "file" is not supported by tapstack.\n');
    } else if (matches(w, 'label')) label = true;
    else if (obj) {
      // Only neighbour events exist in tapstack: naming another object is refused, not left silent.
      if (obj[1] !== IPMON_LNEIGH) throw new IpExit(EXIT_USAGE, `Error: "${obj[0]}" events are not supported by tapstack (only neigh).\n`);
      lmask |= obj[1];
    }
    else if (w === 'all') label = true;
    else if (matches(w, 'all-nsid')) allNsid = true;
    else if (matches(w, 'help')) usage(MONITOR_USAGE);
    else if (w === 'dev') {
      const v = p.next();
      const l = await ip.link(v);
      if (!l) invarg('Device does not exist\n', v);
      index = l.ifindex;
    } else throw new IpExit(EXIT_USAGE, `Argument "${w}" is unknown, try "ip monitor help".\n`);
  }
  const wantNeigh = lmask === 0 || (lmask & IPMON_LNEIGH) !== 0;
  let unsubscribe: (() => void) | null = null;
  const prefix = `${allNsid ? '[nsid current]' : ''}${label ? '[NEIGH]' : ''}`;
  const fmt = { stats: ip.o.stats > 0, hideDev: index !== 0 };
  try {
    if (wantNeigh) {
      try {
        unsubscribe = await ip.ch.subscribe(['neigh'], (r) => {
          if (r.event === undefined) return;
          const type = r.event as 'newneigh' | 'delneigh' | 'miss';
          const n = r.body as NeighSnapshot;
          if (ip.o.family && n.family !== ip.o.family) return;
          if (index && n.ifindex !== index) return;
          const stamp = ip.o.timestamp ? formatTimestamp(epochMicros(), ip.o.tshort) : '';
          ip.io.out(stamp + prefix + formatNeighEvent({ type, neigh: n }, fmt));
        });
      } catch (e) {
        throw new IpExit(1, replyErrorText(e));
      }
    }
    const signal = ip.signal;
    if (signal?.aborted) return 0;
    const ended = await Promise.race([
      new Promise<null>((resolve) => signal?.addEventListener('abort', () => resolve(null), { once: true })),
      ip.ch.closed,
    ]);
    if (ended === null) return 0;
    throw new IpExit(2, `${ended.message}\n`);
  } finally {
    unsubscribe?.();
  }
}

// ---- ip link -----------------------------------------------------------------------------------------------

async function doLink(ip: Ip, args: string[]): Promise<number> {
  if (args.length === 0) return linkShow(ip, []);
  const [c, ...rest] = args as [string, ...string[]];
  if (matches(c, 'add') || matches(c, 'replace') || matches(c, 'delete')) {
    throw new IpExit(EXIT_USAGE, `Command "${c}" is not supported by tapstack, try "ip link help".\n`);
  }
  if (matches(c, 'set') || matches(c, 'change')) return linkSet(ip, rest);
  if (matches(c, 'show') || matches(c, 'lst') || matches(c, 'list')) return linkShow(ip, rest);
  if (matches(c, 'help')) usage(LINK_USAGE);
  throw new IpExit(EXIT_USAGE, `Command "${c}" is unknown, try "ip link help".\n`);
}

/**
 * iplink_parse()'s keywords in its order, as [word, abbreviable]: an abbreviation resolves to the
 * first match, and a word that is no keyword names the device. tapstack links have only up/down,
 * address, mtu and arp; the others are refused by name.
 */
const LINK_KEYWORDS: ReadonlyArray<readonly [string, boolean]> = [
  ['up', false], ['down', false], ['name', false], ['index', false], ['link', true], ['address', true],
  ['broadcast', true], ['brd', false], ['txqueuelen', true], ['qlen', false], ['txqlen', true], ['mtu', false],
  ['xdpgeneric', false], ['xdpdrv', false], ['xdpoffload', false], ['xdp', false], ['netns', false],
  ['multicast', false], ['allmulticast', false], ['promisc', false], ['trailers', false], ['arp', false],
  ['carrier', false], ['vf', false], ['master', true], ['vrf', false], ['nomaster', true], ['dynamic', true],
  ['type', true], ['alias', true], ['group', false], ['numtxqueues', true], ['numrxqueues', true],
  ['addrgenmode', true], ['link-netns', true], ['link-netnsid', true], ['protodown', false],
  ['protodown_reason', false], ['gso_max_size', false], ['gso_max_segs', false], ['gro_max_size', false],
  ['parentdev', false],
];

function linkKeyword(w: string): string | null {
  for (const [word, abbrev] of LINK_KEYWORDS) if (abbrev ? matches(w, word) : w === word) return word;
  return null;
}

/** `ip link set`: iplink_parse() for the settings a tapstack link has, then RTM_SETLINK. */
async function linkSet(ip: Ip, args: string[]): Promise<number> {
  let dev: string | null = null;
  let up: boolean | undefined;
  let address: number[] | undefined;
  let mtu: number | undefined;
  let arp: boolean | undefined;
  const p = new Argv(args);
  for (; p.more; p.shift()) {
    const w = p.cur;
    const kw = linkKeyword(w);
    if (kw === 'up') up = true;
    else if (kw === 'down') up = false;
    else if (kw === 'address') {
      const r = llAddrA2n(p.next(), 32);
      if (typeof r === 'string') throw new IpExit(1, r);
      address = r;
    } else if (kw === 'mtu') {
      const v = p.next();
      if (mtu !== undefined) duparg('mtu', v);
      const n = getInteger(v);
      if (n === null) invarg('Invalid "mtu" value\n', v);
      mtu = n;
    } else if (kw === 'arp') {
      const v = p.next();
      if (v === 'on') arp = true;
      else if (v === 'off') arp = false;
      else throw new IpExit(1, `Error: argument of "arp" must be "on" or "off", not "${v}"\n`);
    } else if (kw !== null) {
      throw new IpExit(EXIT_USAGE, `Error: "${kw}" is not supported by tapstack.\n`);
    } else {
      let v = w;
      if (w === 'dev') v = p.next();
      else if (matches(w, 'help')) usage(LINK_USAGE);
      if (dev !== null) duparg2('dev', v);
      if (!validIfname(v)) invarg('"dev" not a valid ifname', v);
      dev = v;
    }
  }
  if (dev === null) throw new IpExit(EXIT_USAGE, 'Not enough information: "dev" argument is required.\n');
  const link = await ip.link(dev);
  if (!link) nodev(dev);
  const body: Record<string, unknown> = { dev };
  if (address) {
    const halen = link.address.split(':').length;
    if (address.length !== halen) throw new IpExit(1, `Invalid address length ${address.length} - must be ${halen} bytes\n`);
    // eth_prepare_mac_addr_change(): a multicast or all-zero address is EADDRNOTAVAIL.
    if (address[0]! & 1 || address.every((b) => b === 0)) throw new IpExit(2, `RTNETLINK answers: ${strerror(99)}\n`);
    body.address = macString(address);
  }
  if (mtu !== undefined) body.mtu = mtu;
  if (arp !== undefined) body.arp = arp;
  if (up !== undefined) body.up = up;
  await ip.talk('RTM_SETLINK', body);
  return 0;
}

/** `ip link show` (ipaddr_list_link): print_linkinfo() from RTM_GETLINK data. */
async function linkShow(ip: Ip, args: string[]): Promise<number> {
  let filterDev: string | null = null;
  let upOnly = false;
  let master = 0;
  const p = new Argv(args);
  for (; p.more; p.shift()) {
    const w = p.cur;
    if (w === 'up') upOnly = true;
    else if (w === 'master') {
      const v = p.next();
      const l = await ip.link(v);
      if (!l) invarg('Device does not exist\n', v);
      master = l.ifindex;
    } else if (w === 'vrf') {
      invarg('Not a valid VRF name\n', p.next());
    } else if (w === 'nomaster') master = -1;
    else {
      let v = w;
      if (w === 'dev') v = p.next();
      else if (matches(w, 'help')) usage(LINK_USAGE);
      if (filterDev !== null) duparg2('dev', v);
      filterDev = v;
    }
  }
  let links = await ip.linkMap();
  if (filterDev !== null) {
    links = links.filter((l) => l.name === filterDev);
    if (links.length === 0) throw new IpExit(1, `Device "${filterDev}" does not exist.\n`);
  }
  links = links.filter((l) => (!upOnly || l.up) && master <= 0);
  if (ip.o.json) {
    const objs = links.map((l) =>
      ip.o.brief
        ? { ifname: l.name, operstate: linkOperstate(l), address: l.address, flags: linkFlagWords(l) }
        : {
            ifindex: l.ifindex, ifname: l.name, flags: linkFlagWords(l), mtu: l.mtu, operstate: linkOperstate(l),
            linkmode: 'DEFAULT', group: 'default', link_type: 'ether', address: l.address, broadcast: 'ff:ff:ff:ff:ff:ff',
            ...(ip.o.details ? linkDetailsJson(l, true) : {}),
            ...(ip.o.stats ? linkStatsJson(l, ip.o.stats) : {}),
          },
    );
    ip.io.out(ip.json(`${JSON.stringify(objs)}\n`));
    return 0;
  }
  const sl = ip.o.oneline ? '\\' : '\n';
  let out = '';
  for (const l of links) {
    if (ip.o.brief) {
      out += `${l.name.padEnd(16)} ${linkOperstate(l).padEnd(14)} ${l.address} <${linkFlagWords(l).join(',')}> \n`;
      continue;
    }
    out += `${l.ifindex}: ${l.name}: <${linkFlagWords(l).join(',')}> mtu ${l.mtu} state ${linkOperstate(l)} mode DEFAULT group default ${sl}`;
    out += `    link/ether ${l.address} brd ff:ff:ff:ff:ff:ff`;
    if (ip.o.details) out += formatLinkDetails(l, sl, true);
    if (ip.o.stats) out += formatLinkStats(l, ip.o.stats, sl);
    out += '\n';
  }
  ip.io.out(out);
  return 0;
}
