// `tapstack arp`: net-tools 2.10 arp(8) against a running stack (arp.c main, arp_show, arp_set,
// arp_del; lib/inet.c INET_resolve, lib/ether.c in_ether), with the kernel's SIOCSARP/SIOCDARP
// semantics (net/ipv4/arp.c arp_ioctl, arp_req_set, arp_req_set_public, arp_req_delete,
// arp_req_delete_public, arp_req_set_proxy, arp_invalidate) mapped onto rtnetlink-style requests:
// SIOCSARP → RTM_NEWNEIGH create|replace (NUD_PERMANENT, or NUD_STALE for `temp`; a `pub` entry is
// a proxy entry), SIOCDARP → RTM_DELNEIGH. The display reads the same rows net-tools reads from
// /proc/net/arp (procArpRows over RTM_GETNEIGH dumps).
//
// Also home of the small GNU getopt_long and inet_aton emulations the other tool commands share.
import type { ControlChannel } from '../control/channel.js';
import { ControlError } from '../control/channel.js';
import { NLM_F_CREATE, NLM_F_REPLACE } from '../control/protocol.js';
import { ENETUNREACH, ENODEV, ENOENT, ENXIO, EINVAL, strerror } from '../core/errno.js';
import { formatIPv4, prefixMask } from '../ipv4/inet_addr.js';
import { NUD_PERMANENT, NUD_STALE } from '../neighbour/nud.js';
import type { LinkInfo } from '../stack.js';
import { formatArpBsd, formatArpTable } from './fmt_nettools.js';
import { ARPHRD_ETHER, ATF_COM, ATF_DONTPUB, ATF_NETMASK, ATF_PERM, ATF_PUBL, ATF_USETRAILERS, procArpRows, type ProcArpNeigh, type ProcArpPneigh, type ProcArpRow } from './fmt_proc.js';
import { Exit, type CliIO } from './io.js';

// ---- GNU getopt_long (glibc posix/getopt.c, default PERMUTE ordering) ---------------------------

export interface LongOption {
  name: string;
  has: 'none' | 'required' | 'optional';
  /** What the option reports as (a short letter or any tag). */
  val: string;
}

/** One option as getopt returned it, or the diagnostic getopt printed for a bad one ('?'). */
export type GetoptItem = { opt: string; arg?: string } | { error: string };

/**
 * glibc getopt_long over `argv` (without the program name): options in order, operands (non-option
 * arguments, permuted to the end, everything after `--`), and for a bad option the exact message
 * glibc prints (`PROG: invalid option -- 'x'`). Long options match exactly or by unique prefix.
 */
export function getoptLong(prog: string, argv: readonly string[], shortopts: string, longopts: readonly LongOption[] = []): { items: GetoptItem[]; operands: string[] } {
  const shorts = new Map<string, LongOption['has']>();
  for (let i = 0; i < shortopts.length; i++) {
    const c = shortopts[i];
    if (c === ':') continue;
    if (shortopts[i + 1] === ':') shorts.set(c, shortopts[i + 2] === ':' ? 'optional' : 'required');
    else shorts.set(c, 'none');
  }
  const items: GetoptItem[] = [];
  const operands: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      operands.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--') && longopts.length) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      const inline = eq < 0 ? undefined : a.slice(eq + 1);
      let found = longopts.find((o) => o.name === name);
      if (!found) {
        const cands = longopts.filter((o) => o.name.startsWith(name));
        const distinct = cands.filter((o, k) => cands.findIndex((p) => p.has === o.has && p.val === o.val) === k);
        if (distinct.length > 1) {
          items.push({ error: `${prog}: option '${a}' is ambiguous; possibilities:${cands.map((o) => ` '--${o.name}'`).join('')}` });
          continue;
        }
        found = cands[0];
      }
      if (!found) {
        items.push({ error: `${prog}: unrecognized option '${a}'` });
        continue;
      }
      if (found.has === 'none') {
        if (inline !== undefined) items.push({ error: `${prog}: option '--${found.name}' doesn't allow an argument` });
        else items.push({ opt: found.val });
      } else if (found.has === 'optional') {
        items.push({ opt: found.val, arg: inline });
      } else if (inline !== undefined) {
        items.push({ opt: found.val, arg: inline });
      } else if (i + 1 < argv.length) {
        items.push({ opt: found.val, arg: argv[++i] });
      } else {
        items.push({ error: `${prog}: option '--${found.name}' requires an argument` });
      }
      continue;
    }
    if (a.length < 2 || a[0] !== '-') {
      operands.push(a);
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const c = a[j];
      const has = shorts.get(c);
      if (has === undefined) {
        items.push({ error: `${prog}: invalid option -- '${c}'` });
        continue;
      }
      if (has === 'none') {
        items.push({ opt: c });
        continue;
      }
      const rest = a.slice(j + 1);
      if (has === 'optional') items.push({ opt: c, arg: rest === '' ? undefined : rest });
      else if (rest !== '') items.push({ opt: c, arg: rest });
      else if (i + 1 < argv.length) items.push({ opt: c, arg: argv[++i] });
      else items.push({ error: `${prog}: option requires an argument -- '${c}'` });
      break;
    }
  }
  return { items, operands };
}

// ---- addresses ------------------------------------------------------------------------------

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const hexValue = (c: string | undefined): number => {
  if (c === undefined) return -1;
  if (c >= '0' && c <= '9') return c.charCodeAt(0) - 48;
  if (c >= 'a' && c <= 'f') return c.charCodeAt(0) - 87;
  if (c >= 'A' && c <= 'F') return c.charCodeAt(0) - 55;
  return -1;
};
const isCSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';

/**
 * glibc inet_aton(): one to four parts, each decimal, 0x-hex or 0-octal; "a" is 32 bits, "a.b"
 * 8.24, "a.b.c" 8.8.16; anything after white space is ignored. Null when glibc returns 0.
 */
export function inetAton(s: string): number | null {
  const parts: number[] = [];
  let i = 0;
  let val = 0;
  for (;;) {
    if (!isDigit(s[i])) return null;
    val = 0;
    let base = 10;
    let digit = false;
    if (s[i] === '0') {
      i++;
      if (s[i] === 'x' || s[i] === 'X') {
        base = 16;
        i++;
      } else {
        base = 8;
        digit = true;
      }
    }
    for (;;) {
      const c = s[i];
      if (isDigit(c)) {
        if (base === 8 && (c === '8' || c === '9')) return null;
        val = val * base + (c.charCodeAt(0) - 48);
      } else if (base === 16 && hexValue(c) >= 0) {
        val = val * 16 + hexValue(c);
      } else break;
      if (val > 0xffffffff) return null;
      i++;
      digit = true;
    }
    if (!digit) return null;
    if (s[i] !== '.') break;
    if (parts.length > 2 || val > 0xff) return null;
    parts.push(val);
    i++;
  }
  if (i < s.length && !isCSpace(s[i])) return null;
  const max = [0xffffffff, 0xffffff, 0xffff, 0xff][parts.length];
  if (val > max) return null;
  let addr = val;
  for (let k = 0; k < parts.length; k++) addr += parts[k] * 2 ** (24 - 8 * k);
  return addr >>> 0;
}

/**
 * net-tools INET_resolve() without name lookups: "default" is 0.0.0.0, otherwise inet_aton. A
 * name is not resolved (tapstack has no resolver): null, and the caller prints herror's
 * "Unknown host".
 */
function inetInput(s: string): number | null {
  if (s === 'default') return 0;
  return inetAton(s);
}

/** lib/ether.c in_ether(): up to six hex pairs, ':' optional, a short address is zero-filled. */
export function inEther(s: string): string | null {
  const out: number[] = [];
  let i = 0;
  while (i < s.length && out.length < 6) {
    let val = hexValue(s[i++]);
    if (val < 0) return null;
    val <<= 4;
    const c = s[i];
    const d = hexValue(c);
    if (d >= 0) val |= d;
    else if (c === ':' || c === undefined) val >>= 4;
    else return null;
    if (c !== undefined) i++;
    out.push(val & 0xff);
    if (s[i] === ':') i++;
  }
  while (out.length < 6) out.push(0);
  return out.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

function parseCidrLoose(cidr: string): { addr: number; len: number } | null {
  const slash = cidr.indexOf('/');
  if (slash < 0) return null;
  const addr = inetAton(cidr.slice(0, slash));
  const len = Number(cidr.slice(slash + 1));
  if (addr === null || !Number.isInteger(len) || len < 0 || len > 32) return null;
  return { addr, len };
}

/** A route lookup result, as ip_route_output(net, ip, 0, 0, 0, RT_SCOPE_LINK) would give arp_req_*. */
type LinkRoute = { dev: string } | { local: true } | { errno: number };

/**
 * What the kernel's link-scope route lookup returns for `ip` given the stack's links: our own
 * addresses (and 0.0.0.0, 127/8) go to the loopback device; an address inside a connected subnet
 * of an up device goes there (longest prefix); anything else, gateway routes included (they have
 * universe scope), is ENETUNREACH.
 */
function linkScopeRoute(ip: number, links: readonly LinkInfo[]): LinkRoute {
  if (ip === 0 || ip >>> 24 === 127) return { local: true };
  let best: { dev: string; len: number } | null = null;
  for (const l of links) {
    for (const a of l.addrs) {
      const p = parseCidrLoose(a);
      if (!p) continue;
      if (p.addr === ip) return { local: true };
      if (!l.up || p.len >= 32) continue;
      const m = prefixMask(p.len);
      if (((p.addr & m) >>> 0) === ((ip & m) >>> 0) && (!best || p.len > best.len)) best = { dev: l.name, len: p.len };
    }
  }
  return best ? { dev: best.dev } : { errno: ENETUNREACH };
}

// ---- arp(8) ---------------------------------------------------------------------------------

/** arp.c usage(): everything but the hardware list, which print_hwlist() writes to stderr. */
export const ARP_USAGE = `Usage:
  arp [-vn]  [<HW>] [-i <if>] [-a] [<hostname>]             <-Display ARP cache
  arp [-v]          [-i <if>] -d  <host> [pub]               <-Delete ARP entry
  arp [-vnD] [<HW>] [-i <if>] -f  [<filename>]            <-Add entry from file
  arp [-v]   [<HW>] [-i <if>] -s  <host> <hwaddr> [temp]            <-Add entry
  arp [-v]   [<HW>] [-i <if>] -Ds <host> <if> [netmask <nm>] pub          <-''-

        -a                       display (all) hosts in alternative (BSD) style
        -e                       display (all) hosts in default (Linux) style
        -s, --set                set a new ARP entry
        -d, --delete             delete a specified entry
        -v, --verbose            be verbose
        -n, --numeric            don't resolve names
        -i, --device             specify network interface (e.g. eth0)
        -D, --use-device         read <hwaddr> from given device
        -A, -p, --protocol       specify protocol family
        -f, --file               read new entries from file or from /etc/ethers

  <HW>=Use '-H <hw>' to specify hardware address type. Default: ether
  List of possible hardware types (which support ARP):
`;

/** print_hwlist(1) of net-tools 2.10 on Linux (always to stderr). */
export const ARP_HWLIST = `    ash (Ash) ether (Ethernet) ax25 (AMPR AX.25) 
    netrom (AMPR NET/ROM) rose (AMPR ROSE) arcnet (ARCnet) 
    dlci (Frame Relay DLCI) fddi (Fiber Distributed Data Interface) hippi (HIPPI) 
    irda (IrLAP) x25 (generic X.25) eui64 (Generic EUI-64) 
`;

/** E_USAGE in net-tools. */
const E_USAGE = 3;
/** net-tools returns -1 from main on failures: exit status 255. */
const E_FAIL = 255;

const ARP_LONGOPTS: readonly LongOption[] = [
  { name: 'verbose', has: 'none', val: 'v' },
  { name: 'version', has: 'none', val: 'V' },
  { name: 'all', has: 'none', val: 'a' },
  { name: 'delete', has: 'none', val: 'd' },
  { name: 'file', has: 'none', val: 'f' },
  { name: 'numeric', has: 'none', val: 'n' },
  { name: 'set', has: 'none', val: 's' },
  { name: 'protocol', has: 'required', val: 'A' },
  { name: 'hw-type', has: 'required', val: 'H' },
  { name: 'device', has: 'required', val: 'i' },
  { name: 'help', has: 'none', val: 'h' },
  { name: 'use-device', has: 'none', val: 'D' },
  { name: 'symbolic', has: 'none', val: 'N' },
];

/** Address families net-tools knows (get_aftype); only inet is supported by the kernel's arp. */
const KNOWN_AF = new Set(['inet', 'inet6', 'unix', 'local', 'file', 'ipx', 'ax25', 'netrom', 'x25', 'ddp', 'ec', 'rose']);

interface ArpState {
  io: CliIO;
  ch: ControlChannel;
  verbose: boolean;
  useDevice: boolean;
  linux: boolean;
  all: boolean;
  hwSet: boolean;
  device: string;
}

function usage(io: CliIO, help = false): never {
  if (help) io.out(ARP_USAGE);
  else io.err(ARP_USAGE);
  io.err(ARP_HWLIST);
  throw new Exit(help ? 0 : E_USAGE);
}

/** safe_strncpy(device, name, 16). */
const ifname = (s: string): string => s.slice(0, 15);

/**
 * `tapstack arp ARGS`: net-tools arp. Exit status as net-tools: 0, 255 for a failed request or an
 * unknown host, 3 for usage errors.
 */
export async function arpCommand(argv: string[], ch: ControlChannel, io: CliIO, _opts?: { signal?: AbortSignal }): Promise<number> {
  try {
    return await arpMain(argv, ch, io);
  } catch (e) {
    if (e instanceof Exit) return e.code;
    if (e instanceof ControlError) {
      // The control channel itself failed (no stack, connection lost).
      io.err(`arp: ${e.message}\n`);
      return E_FAIL;
    }
    throw e;
  }
}

async function arpMain(argv: string[], ch: ControlChannel, io: CliIO): Promise<number> {
  const st: ArpState = { io, ch, verbose: false, useDevice: false, linux: false, all: false, hwSet: false, device: '' };
  let what = 0;
  let af = 'inet';
  const { items, operands } = getoptLong('arp', argv, 'A:H:adfp:nsei:t:vh?DNV', ARP_LONGOPTS);
  for (const it of items) {
    if ('error' in it) {
      io.err(`${it.error}\n`);
      usage(io);
    }
    switch (it.opt) {
      case 'a':
        what = 1;
        st.all = true;
        break;
      case 'f':
        what = 2;
        break;
      case 'd':
        what = 3;
        break;
      case 's':
        what = 4;
        break;
      case 'e':
        st.linux = true;
        break;
      case 'n':
        // Names are never resolved: -n changes nothing.
        break;
      case 'D':
        st.useDevice = true;
        break;
      case 'N':
        io.err('arp: -N not yet supported.\n');
        break;
      case 'v':
        st.verbose = true;
        break;
      case 'A':
      case 'p':
        if (!KNOWN_AF.has(it.arg!)) {
          io.err(`arp: ${it.arg}: unknown address family.\n`);
          return E_FAIL;
        }
        af = it.arg!;
        break;
      case 'H':
      case 't':
        // tapstack links are Ethernet; net-tools' other ARP hardware types cannot occur.
        if (it.arg !== 'ether') {
          io.err(`arp: ${it.arg}: unknown hardware type.\n`);
          return E_FAIL;
        }
        st.hwSet = true;
        break;
      case 'i':
        st.device = ifname(it.arg!);
        break;
      case 'V':
        io.out('tapstack arp (net-tools 2.10 compatible)\n');
        return 0;
      case 'h':
        usage(io, true);
      default:
        usage(io);
    }
  }
  if (af !== 'inet') {
    io.err(`arp: ${af}: kernel only supports 'inet'.\n`);
    return E_FAIL;
  }
  switch (what) {
    case 0:
      st.linux = true;
      return arpShow(st, operands[0]);
    case 1:
      return arpShow(st, operands[0]);
    case 2:
      io.err('arp: -f is not supported by tapstack (no ethers file is read)\n');
      return E_FAIL;
    case 3:
      return arpDel(st, operands);
    default:
      return arpSet(st, operands);
  }
}

async function procRows(ch: ControlChannel): Promise<ProcArpRow[]> {
  const neighs = await ch.dump<ProcArpNeigh>('RTM_GETNEIGH', {});
  const pneighs = await ch.dump<ProcArpPneigh>('RTM_GETNEIGH', { proxy: true });
  return procArpRows(neighs, pneighs);
}

/** arp_show(). */
async function arpShow(st: ArpState, name: string | undefined): Promise<number> {
  let host: string | undefined;
  if (name !== undefined) {
    const a = inetInput(name);
    if (a === null) {
      st.io.err(`${name}: Unknown host\n`);
      return E_FAIL;
    }
    host = formatIPv4(a);
  }
  const rows = await procRows(st.ch);
  // The -H filter comes first in arp_show; the formatters apply the host and device ones.
  const typed = st.hwSet ? rows.filter((r) => r.hwType === ARPHRD_ETHER) : rows;
  const filter = { host, dev: st.device === '' ? undefined : st.device, numeric: true, all: st.all };
  const showed = typed.filter((r) => (host === undefined || r.ip === host) && (filter.dev === undefined || r.dev === filter.dev)).length;
  let out = '';
  if (showed) out += st.linux ? formatArpTable(typed, filter) : formatArpBsd(typed, filter);
  if (st.verbose) out += `Entries: ${rows.length}\tSkipped: ${rows.length - showed}\tFound: ${showed}\n`;
  if (!showed) {
    // arp_show prints the name as typed and the address it stands for.
    if (host !== undefined && !st.all) out += `${name} (${host}) -- no entry\n`;
    else if (st.hwSet || host !== undefined || st.device !== '') out += `arp: in ${rows.length} entries no match found.\n`;
  }
  st.io.out(out);
  return 0;
}

interface ArpReq {
  ip: number;
  lladdr: string | null;
  flags: number;
  mask: number;
  dev: string;
}

/** The modifiers arp_set and arp_del share; `host` is replaced by a netmask's text, as net-tools does. */
function parseModifiers(st: ArpState, args: readonly string[], req: ArpReq, onWord: (w: string) => boolean, state: { host: string }): number | null {
  for (let i = 0; i < args.length; i++) {
    const w = args[i];
    if (onWord(w)) continue;
    switch (w) {
      case 'trail':
        req.flags |= ATF_USETRAILERS;
        continue;
      case 'dontpub':
        req.flags |= ATF_DONTPUB;
        continue;
      case 'auto':
        req.flags |= 0x80; // ATF_MAGIC
        continue;
      case 'dev':
        if (++i >= args.length) usage(st.io);
        st.device = ifname(args[i]);
        continue;
      case 'netmask': {
        if (++i >= args.length) usage(st.io);
        if (args[i] !== '255.255.255.255') {
          state.host = args[i];
          const m = inetInput(args[i]);
          if (m === null) {
            st.io.err(`${args[i]}: Unknown host\n`);
            return E_FAIL;
          }
          req.mask = m;
          req.flags |= ATF_NETMASK;
        }
        continue;
      }
      default:
        usage(st.io);
    }
  }
  return null;
}

/** The control channel's own failures (as opposed to the stack refusing a request). */
export function isChannelFailure(e: ControlError): boolean {
  return /^(channel closed|the stack closed the control connection|malformed reply from the stack|reply too long|cannot connect to )/.test(e.message);
}

/** An ioctl's errno, or 0: what the stack answered to one request. */
async function ioctl(fn: () => Promise<unknown>): Promise<number> {
  try {
    await fn();
    return 0;
  } catch (e) {
    if (e instanceof ControlError && !isChannelFailure(e)) return -e.errno; // arp's own convention: positive
    throw e;
  }
}

/** arp_req_set_proxy(): the proxy_arp switch of a device, or of `all` without one. */
function setProxyArp(ch: ControlChannel, dev: string | null, on: boolean): Promise<unknown> {
  return ch.call('TS_SYSCTL', { key: `net/ipv4/conf/${dev ?? 'all'}/proxy_arp`, value: on ? '1' : '0' });
}

/** arp_ioctl()'s part before the command: flag checks, the named device, the netmask. */
async function arpIoctlCommon(
  st: ArpState,
  req: ArpReq,
): Promise<number | { mask: number; links: LinkInfo[]; dev: string | null; dst: string }> {
  if (!(req.flags & ATF_PUBL) && req.flags & (ATF_NETMASK | ATF_DONTPUB)) return EINVAL;
  const links = await st.ch.dump<LinkInfo>('RTM_GETLINK');
  if (req.dev !== '' && !links.some((l) => l.name === req.dev)) return ENODEV;
  return {
    mask: req.flags & ATF_NETMASK ? req.mask : 0xffffffff,
    links,
    dev: req.dev === '' ? null : req.dev,
    dst: formatIPv4(req.ip),
  };
}

/** arp_ioctl(SIOCSARP) → arp_req_set / arp_req_set_public; returns an errno or 0. */
async function siocsarp(st: ArpState, req: ArpReq): Promise<number> {
  const p = await arpIoctlCommon(st, req);
  if (typeof p === 'number') return p;
  const { mask, links, dst } = p;
  let dev = p.dev;
  if (req.flags & ATF_PUBL) {
    if (mask !== 0 && mask !== 0xffffffff) return EINVAL;
    if (dev === null && req.flags & ATF_COM) {
      // dev_getbyhwaddr_rcu(): the device that owns the given hardware address.
      const l = links.find((x) => x.address.toLowerCase() === req.lladdr);
      if (!l) return ENODEV;
      dev = l.name;
    }
    if (mask) return ioctl(() => st.ch.call('RTM_NEWNEIGH', { dst, dev, proxy: true }, NLM_F_CREATE | NLM_F_REPLACE));
    return ioctl(() => setProxyArp(st.ch, dev, true));
  }
  if (dev === null) {
    const r = linkScopeRoute(req.ip, links);
    // Local addresses route through lo, whose hardware type is not Ethernet.
    if ('local' in r) return EINVAL;
    if ('errno' in r) return r.errno;
    dev = r.dev;
  }
  const state = req.flags & ATF_PERM ? NUD_PERMANENT : NUD_STALE;
  return ioctl(() => st.ch.call('RTM_NEWNEIGH', { dst, dev, lladdr: req.lladdr, state }, NLM_F_CREATE | NLM_F_REPLACE));
}

/** arp_ioctl(SIOCDARP) → arp_req_delete / arp_req_delete_public; returns an errno or 0. */
async function siocdarp(st: ArpState, req: ArpReq): Promise<number> {
  const p = await arpIoctlCommon(st, req);
  if (typeof p === 'number') return p;
  const { mask, links, dst } = p;
  let dev = p.dev;
  if (req.flags & ATF_PUBL) {
    if (mask === 0xffffffff) return ioctl(() => st.ch.call('RTM_DELNEIGH', { dst, dev, proxy: true }));
    if (mask) return EINVAL;
    return ioctl(() => setProxyArp(st.ch, dev, false));
  }
  if (dev === null) {
    const r = linkScopeRoute(req.ip, links);
    // arp_invalidate() on lo finds no neighbour.
    if ('local' in r) return ENXIO;
    if ('errno' in r) return r.errno;
    dev = r.dev;
  }
  const rc = await ioctl(() => st.ch.call('RTM_DELNEIGH', { dst, dev }));
  return rc === ENOENT ? ENXIO : rc;
}

/** arp_set(). */
async function arpSet(st: ArpState, args: readonly string[]): Promise<number> {
  if (args.length === 0) {
    st.io.err('arp: need host name\n');
    return E_FAIL;
  }
  const ip = inetInput(args[0]);
  if (ip === null) {
    st.io.err(`${args[0]}: Unknown host\n`);
    return E_FAIL;
  }
  if (args.length < 2) {
    st.io.err('arp: need hardware address\n');
    return E_FAIL;
  }
  let lladdr: string | null;
  if (st.useDevice) {
    // arp_getdevhw(): SIOCGIFHWADDR of the named device.
    const links = await st.ch.dump<LinkInfo>('RTM_GETLINK');
    const l = links.find((x) => x.name === ifname(args[1]));
    if (!l) {
      st.io.err(`arp: cant get HW-Address for \`${args[1]}': ${strerror(ENODEV)}.\n`);
      return E_FAIL;
    }
    lladdr = l.address.toLowerCase();
    if (st.verbose) st.io.err(`arp: device \`${args[1]}' has HW address ether \`${lladdr}'.\n`);
  } else {
    lladdr = inEther(args[1]);
    if (lladdr === null) {
      st.io.err('arp: invalid hardware address\n');
      return E_FAIL;
    }
  }
  const req: ArpReq = { ip, lladdr, flags: ATF_PERM | ATF_COM, mask: 0, dev: '' };
  const state = { host: args[0] };
  const bad = parseModifiers(st, args.slice(2), req, (w) => {
    if (w === 'temp') req.flags &= ~ATF_PERM;
    else if (w === 'pub') req.flags |= ATF_PUBL;
    else if (w === 'priv') req.flags &= ~ATF_PUBL;
    else return false;
    return true;
  }, state);
  if (bad !== null) return bad;
  req.dev = st.device;
  if (st.verbose) st.io.err('arp: SIOCSARP()\n');
  const rc = await siocsarp(st, req);
  if (rc) {
    st.io.err(`SIOCSARP: ${strerror(rc)}\n`);
    return E_FAIL;
  }
  return 0;
}

/** arp_del(). */
async function arpDel(st: ArpState, args: readonly string[]): Promise<number> {
  if (args.length === 0) {
    st.io.err('arp: need host name\n');
    return E_FAIL;
  }
  const ip = inetInput(args[0]);
  if (ip === null) {
    st.io.err(`${args[0]}: Unknown host\n`);
    return E_FAIL;
  }
  const req: ArpReq = { ip, lladdr: null, flags: ATF_PERM, mask: 0, dev: '' };
  const state = { host: args[0] };
  let which = 0;
  const bad = parseModifiers(st, args.slice(1), req, (w) => {
    if (st.verbose) st.io.err(`args=${w}\n`);
    if (w === 'pub') which |= 1;
    else if (w === 'priv') which |= 2;
    else if (w === 'temp') req.flags &= ~ATF_PERM;
    else return false;
    return true;
  }, state);
  if (bad !== null) return bad;
  // Neither pub nor priv: both, the private entry first.
  if (which === 0) which = 3;
  req.dev = st.device;
  if (which & 2) {
    if (st.verbose) st.io.err('arp: SIOCDARP(dontpub)\n');
    const rc = await siocdarp(st, req);
    if (rc === 0) return 0;
    if (rc !== ENXIO && rc !== ENOENT) {
      st.io.err(`SIOCDARP(dontpub): ${strerror(rc)}\n`);
      return E_FAIL;
    }
    if (!(which & 1)) {
      st.io.out(`No ARP entry for ${state.host}\n`);
      return E_FAIL;
    }
  }
  req.flags |= ATF_PUBL;
  if (st.verbose) st.io.err('arp: SIOCDARP(pub)\n');
  const rc = await siocdarp(st, req);
  if (rc === 0) return 0;
  if (rc === ENXIO || rc === ENOENT) st.io.out(`No ARP entry for ${state.host}\n`);
  else st.io.err(`SIOCDARP(pub): ${strerror(rc)}\n`);
  return E_FAIL;
}
