// `tapstack ping`: iputils 20221126 ping(8), with the STACK as the sender (TS_PING: the stack's own
// ICMP echo, src/socket/ping.ts). Options are checked as iputils checks them (ping.c main:
// strtol_or_err, ping_strtod, the -W/-i/-t limits), progress lines are printed as they stream
// in, -q keeps the header and the summary only. The stack runs iputils' main loop itself (-w, -W
// and -i reach it as "deadline", "timeout" and "interval"); Ctrl-C (opts.signal) ends the run
// early through TS_CANCEL, after which the stack still sends its summary. Like iputils, a caller
// other than root may not go below a 2 ms interval (setup(): "cannot flood"). The family comes
// from -4/-6 or from the address, as getaddrinfo() gives it to iputils (numeric hosts only: no
// name is resolved); an IPv6 zone (`fe80::1%tap0`, `%2`) is taken as __inet6_scopeid_pton does.
import type { ControlChannel } from '../control/channel.js';
import { ControlError } from '../control/channel.js';
import { formatIPv4 } from '../ipv4/inet_addr.js';
import { formatIn6, parseIn6 } from '../ipv6/in6_addr.js';
import type { PingResult } from '../socket/ping.js';
import type { LinkInfo } from '../stack.js';
import { getoptLong, inetAton, isChannelFailure } from './arp.js';
import { Exit, type CliIO } from './io.js';

/** iputils 20221126 usage() (stderr, exit status 2). */
export const PING_USAGE = `
Usage
  ping [options] <destination>

Options:
  <destination>      dns name or ip address
  -a                 use audible ping
  -A                 use adaptive ping
  -B                 sticky source address
  -c <count>         stop after <count> replies
  -C                 call connect() syscall on socket creation
  -D                 print timestamps
  -d                 use SO_DEBUG socket option
  -e <identifier>    define identifier for ping session, default is random for
                     SOCK_RAW and kernel defined for SOCK_DGRAM
                     Imply using SOCK_RAW (for IPv4 only for identifier 0)
  -f                 flood ping
  -h                 print help and exit
  -I <interface>     either interface name or address
  -i <interval>      seconds between sending each packet
  -L                 suppress loopback of multicast packets
  -l <preload>       send <preload> number of packages while waiting replies
  -m <mark>          tag the packets going out
  -M <pmtud opt>     define mtu discovery, can be one of <do|dont|want>
  -n                 no dns name resolution
  -O                 report outstanding replies
  -p <pattern>       contents of padding byte
  -q                 quiet output
  -Q <tclass>        use quality of service <tclass> bits
  -s <size>          use <size> as number of data bytes to be sent
  -S <size>          use <size> as SO_SNDBUF socket option value
  -t <ttl>           define time to live
  -U                 print user-to-user latency
  -v                 verbose output
  -V                 print version and exit
  -w <deadline>      reply wait <deadline> in seconds
  -W <timeout>       time to wait for response

IPv4 options:
  -4                 use IPv4
  -b                 allow pinging broadcast
  -R                 record route
  -T <timestamp>     define timestamp, can be one of <tsonly|tsandaddr|tsprespec>

IPv6 options:
  -6                 use IPv6
  -F <flowlabel>     define flow label, default is random
  -N <nodeinfo opt>  use icmp6 node info query, try <help> as argument

For more details see ping(8).
`;

/** The largest count one TS_PING accepts (src/control/handler.ts); also "until interrupted" without -w. */
export const PING_MAX_COUNT = 1_000_000;
const INT_MAX = 2147483647;
/** iputils MIN_USER_INTERVAL_MS, in seconds: the smallest interval for users other than root. */
const MIN_USER_INTERVAL = 0.002;
const LONG_MAX = 9223372036854775807n;
/** 0xFFFF - 8 - 20: the largest ICMP payload of one IPv4 datagram. */
const MAX_PAYLOAD = 65507;

const isCSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';

/** iputils strtol_or_err(): base-10 strtol of the whole text, within [min, max]; exit 1 otherwise. */
function strtolOrErr(io: CliIO, s: string, min: bigint, max: bigint): number {
  const fail = (why = ''): never => {
    io.err(`ping: invalid argument: '${s}'${why}\n`);
    throw new Exit(1);
  };
  let i = 0;
  while (isCSpace(s[i])) i++;
  const m = /^[+-]?[0-9]+/.exec(s.slice(i));
  if (!m || i + m[0].length !== s.length) fail();
  const v = BigInt(m![0]);
  if (v > LONG_MAX || v < -LONG_MAX - 1n) fail(': Numerical result out of range');
  if (v < min || v > max) {
    io.err(`ping: invalid argument: '${s}': out of range: ${min} <= value <= ${max}\n`);
    throw new Exit(1);
  }
  return Number(v);
}

/**
 * iputils 20221126 ping_strtod(): strtod; trailing garbage (or no number at all) only draws a
 * warning, and the number read so far (0 if none) is used.
 */
function pingStrtod(io: CliIO, s: string): number {
  const m = /^[ \t\n\v\f\r]*[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/.exec(s);
  const used = m ? m[0].length : 0;
  if (used !== s.length || s === '') {
    io.err(`ping: option argument contains garbage: ${s.slice(used)}\nping: this will become fatal error in the future\n`);
  }
  return m ? Number(m[0]) : 0;
}

/** Options iputils has and tapstack's stack-side ping does not. */
const UNSUPPORTED = new Set('bRTFNaABdDflLmMOpQrSU'.split(''));

/** The most an IPv6 echo request can carry: 65535 payload bytes less the ICMPv6 header. */
const MAX_PAYLOAD6 = 65527;

interface PingArgs {
  count: number | undefined;
  interval: number | undefined;
  size: number | undefined;
  ttl: number | undefined;
  timeout: number | undefined;
  deadline: number;
  quiet: boolean;
  /** -4 / -6: the family asked for (getaddrinfo's ai_family); 0 for either. */
  family: 0 | 4 | 6;
  /** -I ADDR. */
  source: string | undefined;
  target: string;
}

function parse(argv: string[], io: CliIO): PingArgs {
  const a: PingArgs = { count: undefined, interval: undefined, size: undefined, ttl: undefined, timeout: undefined, deadline: 0, quiet: false, family: 0, source: undefined, target: '' };
  const { items, operands } = getoptLong('ping', argv, 'h?4bRT:6F:N:aABc:dDfi:I:l:Lm:M:nOp:qQ:rs:S:t:UvVw:W:');
  for (const it of items) {
    if ('error' in it) {
      io.err(`${it.error}\n${PING_USAGE}`);
      throw new Exit(2);
    }
    const arg = it.arg ?? '';
    switch (it.opt) {
      case '4':
        a.family = 4;
        break;
      case '6':
        a.family = 6;
        break;
      case 'n': // tapstack never resolves names
      case 'v':
        break;
      case 'c':
        a.count = strtolOrErr(io, arg, 1n, LONG_MAX);
        break;
      case 'i': {
        const v = pingStrtod(io, arg);
        if (v > Math.floor(INT_MAX / 1000)) {
          io.err(`ping: bad timing interval: ${arg}\n`);
          throw new Exit(2);
        }
        // The stack truncates to whole milliseconds, as iputils' (int)(optval * 1000).
        a.interval = v;
        break;
      }
      case 'q':
        a.quiet = true;
        break;
      case 'I':
        // iputils takes an address or an interface name (SO_BINDTODEVICE); only the first exists here.
        if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(arg) && parseIn6(arg.split('%')[0]!) === null) {
          io.err(`ping: -I ${arg}: only a source address is supported by tapstack, not an interface name\n`);
          throw new Exit(2);
        }
        a.source = arg;
        break;
      case 's':
        a.size = strtolOrErr(io, arg, 0n, BigInt(INT_MAX));
        break;
      case 't':
        a.ttl = strtolOrErr(io, arg, 0n, 255n);
        break;
      case 'V':
        io.out('tapstack ping (iputils 20221126 compatible)\n');
        throw new Exit(0);
      case 'w':
        a.deadline = strtolOrErr(io, arg, 0n, BigInt(INT_MAX));
        break;
      case 'W': {
        const v = pingStrtod(io, arg);
        if (v < 0 || v > Math.floor(INT_MAX / 1000)) {
          io.err(`ping: bad linger time: ${arg}\n`);
          throw new Exit(2);
        }
        // 0 (or less than 1 ms): no limit, as in iputils.
        a.timeout = v;
        break;
      }
      default:
        if (UNSUPPORTED.has(it.opt)) {
          io.err(`ping: option -${it.opt} is not supported by tapstack\n`);
          throw new Exit(2);
        }
        // -h, -?
        io.err(PING_USAGE);
        throw new Exit(2);
    }
  }
  if (operands.length === 0) {
    io.err('ping: usage error: Destination address required\n');
    throw new Exit(1);
  }
  if (operands.length > 1) {
    io.err('ping: source routing (several hops) is not supported by tapstack\n');
    throw new Exit(2);
  }
  a.target = operands[0];
  return a;
}

/** A destination as getaddrinfo(AI_NUMERICHOST-like) leaves it: the family, the text, the zone. */
interface Target {
  readonly v6: boolean;
  /** What TS_PING gets: a dotted quad, or the canonical IPv6 text with `%DEV` for a zone. */
  dst: string;
  /** The address as the stack prints it in its own lines (canonical; `%DEV` when link-scoped and zoned). */
  canon: string;
  /** The address as iputils shows it in the header (with the zone: `%DEV`, or `%N` for no name). */
  shown: string;
  /** The device a zone names, if one does. */
  zoneDev: LinkInfo | null;
}

/** IN6_IS_ADDR_LINKLOCAL, _MC_NODELOCAL, _MC_LINKLOCAL: the addresses whose zone may be a name. */
function zoneByName(b: Buffer): boolean {
  return (b[0] === 0xfe && (b[1]! & 0xc0) === 0x80) || (b[0] === 0xff && ((b[1]! & 0x0f) === 1 || (b[1]! & 0x0f) === 2));
}

/** Link-local unicast (fe80::/10): a source of that scope needs its zone to bind. */
const isLinkLocal = (addr: string): boolean => {
  const b = parseIn6(addr);
  return b !== null && b[0] === 0xfe && (b[1]! & 0xc0) === 0x80;
};

/** Link-scoped (fe80::/10, ffX2::/16): the addresses the stack prints with their `%zone`. */
const linkScoped = (b: Buffer): boolean => (b[0] === 0xfe && (b[1]! & 0xc0) === 0x80) || (b[0] === 0xff && (b[1]! & 0x0f) === 2);

/** "%ZONE": an interface name (link-local and link/node-local multicast only) or a decimal index. */
function parseZone(b: Buffer, zone: string, links: readonly LinkInfo[]): { dev: LinkInfo | null; index: number } | null {
  if (zoneByName(b)) {
    const byName = links.find((l) => l.name === zone);
    if (byName) return { dev: byName, index: byName.ifindex };
  }
  if (!/^[0-9]+$/.test(zone) || Number(zone) > 0xffffffff) return null;
  const index = Number(zone);
  return { dev: links.find((l) => l.ifindex === index) ?? null, index };
}

/**
 * getaddrinfo() for a numeric host under ai_family: the target, or the text iputils prints for
 * EAI_NONAME / EAI_ADDRFAMILY (status 2).
 */
async function resolveTarget(ch: ControlChannel, text: string, family: 0 | 4 | 6): Promise<Target | string> {
  const noname = `ping: ${text}: Name or service not known`;
  const addrfamily = `ping: ${text}: Address family for hostname not supported`;
  const v4 = inetAton(text);
  if (v4 !== null) {
    if (family === 6) return addrfamily;
    const dst = formatIPv4(v4);
    return { v6: false, dst, canon: dst, shown: dst, zoneDev: null };
  }
  const pct = text.indexOf('%');
  const b = parseIn6(pct < 0 ? text : text.slice(0, pct));
  if (b === null) return noname;
  if (family === 4) return addrfamily;
  const canon = formatIn6(b);
  if (pct < 0) return { v6: true, dst: canon, canon, shown: canon, zoneDev: null };
  const zone = parseZone(b, text.slice(pct + 1), await ch.dump<LinkInfo>('RTM_GETLINK'));
  if (zone === null) return noname;
  // getnameinfo(NI_NUMERICHOST) names the zone of a link-local address, numbers the others.
  const shown = `${canon}%${zone.dev && zoneByName(b) ? zone.dev.name : zone.index}`;
  const dev = zone.dev?.name ?? String(zone.index);
  return { v6: true, dst: `${canon}%${dev}`, canon: linkScoped(b) ? `${canon}%${dev}` : canon, shown, zoneDev: zone.dev };
}

/**
 * `tapstack ping ARGS`: the stack pings DEST. Exit status as iputils: 0 with at least one reply (and,
 * with -w and -c, all of them), 1 with none or for a bad option value, 2 for other errors.
 */
export async function pingCommand(argv: string[], ch: ControlChannel, io: CliIO, opts: { signal?: AbortSignal; uid?: number } = {}): Promise<number> {
  let a: PingArgs;
  try {
    a = parse(argv, io);
  } catch (e) {
    if (e instanceof Exit) return e.code;
    throw e;
  }
  let t: Target | string;
  try {
    t = await resolveTarget(ch, a.target, a.family);
  } catch (e) {
    if (!(e instanceof ControlError)) throw e;
    io.err(`ping: ${e.message}\n`);
    return 2;
  }
  if (typeof t === 'string') {
    io.err(`${t}\n`);
    return 2;
  }
  if (a.ttl === 0 && !t.v6) {
    io.err('ping: cannot set unicast time-to-live: Invalid argument\n');
    return 2;
  }
  if (a.size !== undefined && !t.v6 && a.size > MAX_PAYLOAD) {
    io.err(`ping: packet size ${a.size} is too large. Maximum is ${MAX_PAYLOAD}\n`);
    return 2;
  }
  if (a.size !== undefined && t.v6 && a.size > MAX_PAYLOAD6) {
    // The kernel refuses every such request (EMSGSIZE); tapstack refuses the run.
    io.err(`ping: packet size ${a.size} is too large. Maximum is ${MAX_PAYLOAD6}\n`);
    return 2;
  }
  // -I ADDR of the target's family binds the socket to it (and names it in the header); an IPv6
  // one may carry a zone, which binds the device too. A link-local one without: bind() fails.
  // One of the other family binds nothing (iputils then names the source the route picked,
  // which the CLI does not know: the header has no "from" part then).
  let source: string | undefined;
  let from = '';
  let dst = t.dst;
  if (a.source !== undefined && a.source.includes(':') === t.v6) {
    if (t.v6) {
      const pct = a.source.indexOf('%');
      const addr = formatIn6(parseIn6(pct < 0 ? a.source : a.source.slice(0, pct))!);
      const zone = pct < 0 ? null : parseZone(parseIn6(addr)!, a.source.slice(pct + 1), await ch.dump<LinkInfo>('RTM_GETLINK'));
      if (pct >= 0 && zone?.dev == null) {
        io.err(`ping: ${a.source}: Name or service not known\n`);
        return 2;
      }
      if (zone === null && isLinkLocal(addr)) {
        io.err('ping: bind icmp socket: Invalid argument\n');
        return 2;
      }
      source = addr;
      if (zone?.dev) {
        from = `from ${addr}%${zone.dev.name} ${zone.dev.name}: `;
        if (!dst.includes('%')) {
          dst = `${dst}%${zone.dev.name}`;
          if (linkScoped(parseIn6(t.canon)!)) t.canon = dst;
        }
      } else from = `from ${addr} : `;
    } else {
      source = a.source;
      from = `from ${a.source} : `;
    }
  }
  // iputils names the destination as typed in the header and the summary.
  const head4 = `PING ${t.canon} (${t.canon}) `;
  const head6 = `PING ${t.canon}(${t.canon}) `;
  const rename = (line: string): string => {
    if (!t.v6 && line.startsWith(head4)) return `PING ${a.target} (${t.canon}) ${from}${line.slice(head4.length)}`;
    if (t.v6 && line.startsWith(head6)) return `PING ${a.target}(${t.shown}) ${from}${line.slice(head6.length)}`;
    if (line === `--- ${t.canon} ping statistics ---`) return `--- ${a.target} ping statistics ---`;
    return line;
  };

  let header: string | null = null;
  let headerSeen = false;
  let fatal = false;
  let inSummary = false;
  let seq: number | undefined;
  let cancelled = false;
  const cancel = (): void => {
    if (cancelled || seq === undefined) return;
    cancelled = true;
    ch.call('TS_CANCEL', { seq }).catch(() => undefined);
  };
  const flushHeader = (): void => {
    if (header !== null) io.out(`${header}\n`);
    header = null;
  };
  const onLine = (raw: string): void => {
    if (fatal) return;
    const line = rename(raw);
    if (!headerSeen) {
      // Held until the first packet's fate is known: iputils fails before its header when
      // there is no route ("ping: connect: Network is unreachable", status 2).
      headerSeen = true;
      header = line;
      setImmediate(flushHeader);
      return;
    }
    if (header !== null && line.startsWith('ping: connect: ')) {
      fatal = true;
      header = null;
      io.err(`${line}\n`);
      cancel();
      return;
    }
    flushHeader();
    if (line === '') inSummary = true;
    if (line.startsWith('ping: ')) io.err(`${line}\n`);
    else if (!a.quiet || inSummary) io.out(`${line}\n`);
  };

  const body: Record<string, unknown> = { dst };
  // With -w and no -c, iputils sends until the deadline: the stack then has no count either.
  if (a.count !== undefined || a.deadline === 0) body.count = Math.min(a.count ?? PING_MAX_COUNT, PING_MAX_COUNT);
  if (a.deadline > 0) body.deadline = a.deadline;
  // A negative interval is what 0 is here (iputils' root sends those as fast as it can, too).
  if (a.interval !== undefined) body.interval = Math.max(0, a.interval);
  // iputils checks the uid of the process that runs ping: this one (opts.uid for tests).
  if ((opts.uid ?? process.getuid?.() ?? 0) !== 0) body.minInterval = MIN_USER_INTERVAL;
  if (a.size !== undefined) body.size = a.size;
  if (a.ttl !== undefined) body.ttl = a.ttl;
  if (source !== undefined) body.source = source;
  if (a.timeout !== undefined) body.timeout = a.timeout;

  const call = ch.call('TS_PING', body, 0, (r) => {
    if (r.line !== undefined) onLine(r.line);
  });
  // call() numbers the request synchronously: this is its seq, for TS_CANCEL.
  seq = ch.lastSeq;
  const signal = opts.signal;
  signal?.addEventListener('abort', cancel, { once: true });
  if (signal?.aborted) cancel();
  try {
    const r = await call;
    flushHeader();
    if (fatal) return 2;
    const res = r.body as PingResult;
    if (res.received === 0) return 1;
    return a.deadline > 0 && a.count !== undefined && res.received < a.count ? 1 : 0;
  } catch (e) {
    if (!(e instanceof ControlError)) throw e;
    flushHeader();
    if (isChannelFailure(e) && fatal) return 2;
    io.err(`${e.message.startsWith('ping: ') ? e.message : `ping: ${e.message}`}\n`);
    return 2;
  } finally {
    signal?.removeEventListener('abort', cancel);
  }
}
