// `tapstack ss`: iproute2 ss (misc/ss.c main(): getopt_long, the `state`/`exclude` filter of
// scan_state, resolve_service with is_ephemeral) for the stack's TCP sockets, from a
// SOCK_DIAG_BY_FAMILY dump printed by fmt_ss. Errors and exit codes as ss's.
import { readFileSync } from 'node:fs';
import type { ControlChannel } from '../control/channel.js';
import type { SockDiagMsg } from '../control/protocol.js';
import { tcpSysctlDefaults } from '../tcp/tcp_conf.js';
import { SS_ALL, SS_CONN, TCP_CLOSE, TCP_LISTEN, formatSs, type SsFormatOptions } from './fmt_ss.js';
import type { CliIO } from './io.js';

/** ss -h of iproute2 6.1, word for word (test/golden/ss-usage.txt). */
export const SS_USAGE = `Usage: ss [ OPTIONS ]
       ss [ OPTIONS ] [ FILTER ]
   -h, --help          this message
   -V, --version       output version information
   -n, --numeric       don't resolve service names
   -r, --resolve       resolve host names
   -a, --all           display all sockets
   -l, --listening     display listening sockets
   -o, --options       show timer information
   -e, --extended      show detailed socket information
   -m, --memory        show socket memory usage
   -p, --processes     show process using socket
   -T, --threads       show thread using socket
   -i, --info          show internal TCP information
       --tipcinfo      show internal tipc socket information
   -s, --summary       show socket usage summary
       --tos           show tos and priority information
       --cgroup        show cgroup information
   -b, --bpf           show bpf filter socket information
   -E, --events        continually display sockets as they are destroyed
   -Z, --context       display task SELinux security contexts
   -z, --contexts      display task and socket SELinux security contexts
   -N, --net           switch to the specified network namespace name

   -4, --ipv4          display only IP version 4 sockets
   -6, --ipv6          display only IP version 6 sockets
   -0, --packet        display PACKET sockets
   -t, --tcp           display only TCP sockets
   -M, --mptcp         display only MPTCP sockets
   -S, --sctp          display only SCTP sockets
   -u, --udp           display only UDP sockets
   -d, --dccp          display only DCCP sockets
   -w, --raw           display only RAW sockets
   -x, --unix          display only Unix domain sockets
       --tipc          display only TIPC sockets
       --vsock         display only vsock sockets
       --xdp           display only XDP sockets
   -f, --family=FAMILY display sockets of type FAMILY
       FAMILY := {inet|inet6|link|unix|netlink|vsock|tipc|xdp|help}

   -K, --kill          forcibly close sockets, display what was closed
   -H, --no-header     Suppress header line
   -O, --oneline       socket's data printed on a single line
       --inet-sockopt  show various inet socket options

   -A, --query=QUERY, --socket=QUERY
       QUERY := {all|inet|tcp|mptcp|udp|raw|unix|unix_dgram|unix_stream|unix_seqpacket|packet|packet_raw|packet_dgram|netlink|dccp|sctp|vsock_stream|vsock_dgram|tipc|xdp}[,QUERY]

   -D, --diag=FILE     Dump raw information about TCP sockets to FILE
   -F, --filter=FILE   read filter information from FILE
       FILTER := [ state STATE-FILTER ] [ EXPRESSION ]
       STATE-FILTER := {all|connected|synchronized|bucket|big|TCP-STATES}
         TCP-STATES := {established|syn-sent|syn-recv|fin-wait-{1,2}|time-wait|closed|close-wait|last-ack|listening|closing}
          connected := {established|syn-sent|syn-recv|fin-wait-{1,2}|time-wait|close-wait|last-ack|closing}
       synchronized := {established|syn-recv|fin-wait-{1,2}|time-wait|close-wait|last-ack|closing}
             bucket := {syn-recv|time-wait}
                big := {established|syn-sent|fin-wait-{1,2}|closed|close-wait|last-ack|listening|closing}
`;

/** sstate_namel[] and the state groups of scan_state(). */
const STATE_NAMES: ReadonlyArray<readonly [string, number]> = [
  ['established', 1 << 1], ['syn-sent', 1 << 2], ['syn-recv', 1 << 3], ['fin-wait-1', 1 << 4], ['fin-wait-2', 1 << 5],
  ['time-wait', 1 << 6], ['unconnected', 1 << 7], ['closed', 1 << 7], ['close-wait', 1 << 8], ['last-ack', 1 << 9],
  ['listening', 1 << 10], ['listen', 1 << 10], ['closing', 1 << 11],
  ['all', SS_ALL],
  ['connected', SS_ALL & ~((1 << TCP_LISTEN) | (1 << TCP_CLOSE))],
  ['synchronized', SS_ALL & ~((1 << TCP_LISTEN) | (1 << TCP_CLOSE)) & ~(1 << 2)],
  ['bucket', (1 << 3) | (1 << 6)],
  ['big', SS_ALL & ~((1 << 3) | (1 << 6))],
];

/** Short options of ss 6.1 (getopt's optstring) and which take an argument. */
const SHORT = 'dhaletuwxnro460spTbEf:mMiA:D:F:vVzZN:KHSO';
const LONG: Readonly<Record<string, { short: string; arg?: boolean }>> = {
  numeric: { short: 'n' }, resolve: { short: 'r' }, debug: { short: 'd' }, options: { short: 'o' }, all: { short: 'a' },
  listening: { short: 'l' }, extended: { short: 'e' }, info: { short: 'i' }, memory: { short: 'm' }, tcp: { short: 't' },
  mptcp: { short: 'M' }, sctp: { short: 'S' }, udp: { short: 'u' }, raw: { short: 'w' }, unix: { short: 'x' },
  packet: { short: '0' }, ipv4: { short: '4' }, ipv6: { short: '6' }, summary: { short: 's' }, processes: { short: 'p' },
  threads: { short: 'T' }, help: { short: 'h' }, version: { short: 'V' }, events: { short: 'E' }, context: { short: 'Z' },
  contexts: { short: 'z' }, net: { short: 'N', arg: true }, kill: { short: 'K' }, 'no-header': { short: 'H' },
  oneline: { short: 'O' }, bpf: { short: 'b' }, family: { short: 'f', arg: true }, query: { short: 'A', arg: true },
  socket: { short: 'A', arg: true }, diag: { short: 'D', arg: true }, filter: { short: 'F', arg: true }, dccp: { short: 'd' },
  tipc: { short: '\x01' }, tipcinfo: { short: '\x01' }, vsock: { short: '\x01' }, xdp: { short: '\x01' }, tos: { short: '\x01' },
  cgroup: { short: '\x01' }, 'inet-sockopt': { short: '\x01' },
};

/** Why an option ss has is refused here. */
const REFUSED: Readonly<Record<string, string>> = {
  u: 'tapstack ss lists TCP sockets only (-t)', w: 'tapstack ss lists TCP sockets only (-t)',
  x: 'tapstack has no Unix domain sockets', '0': 'tapstack has no packet sockets', d: 'tapstack has no DCCP',
  M: 'tapstack has no MPTCP', S: 'tapstack has no SCTP', m: 'socket memory (-m) is not reported',
  s: 'the summary (-s) is not implemented', K: 'killing sockets (-K) is not implemented',
  E: 'socket events (-E) are not implemented', r: 'tapstack ss does not resolve host names (-r)',
  b: 'tapstack has no BPF socket filters', T: 'no threads own tapstack sockets', z: 'tapstack has no SELinux contexts',
  Z: 'tapstack has no SELinux contexts', N: 'the stack is chosen with tapstack --name, not -N',
  D: 'raw diag dumps (-D) are not implemented', F: 'filter files (-F) are not implemented',
  O: 'one-line output (-O) is not implemented', '\x01': 'this option is not implemented',
};

/** A parsed command line: run it, print help/version, or fail with a message and status. */
export type SsArgs =
  | { kind: 'run'; fmt: SsFormatOptions; states: number; family: 4 | 6 | null }
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'error'; stderr: string; rc: number };

/** main()'s option and filter parsing, with GNU getopt's permutation of operands. */
export function parseSsArgs(argv: readonly string[]): SsArgs {
  const fmt: SsFormatOptions = { header: true };
  let stateFilter = 0;
  let tcp = false;
  let family: 4 | 6 | null = null;
  const operands: string[] = [];
  const usage = (msg: string): SsArgs => ({ kind: 'error', stderr: `${msg}\n${SS_USAGE}`, rc: 255 });
  const refuse = (o: string, why: string): SsArgs => ({ kind: 'error', stderr: `tapstack ss: ${o}: ${why}\n`, rc: 1 });
  const apply = (c: string, arg: string | undefined, shown: string): SsArgs | null => {
    switch (c) {
      case 'n': fmt.numeric = true; return null;
      case 'o': fmt.options = true; return null;
      case 'e': fmt.extended = true; fmt.options = true; return null; // -e implies -o
      case 'i': fmt.info = true; return null;
      case 'a': stateFilter = SS_ALL; return null;
      case 'l': stateFilter = (1 << TCP_LISTEN) | (1 << TCP_CLOSE); return null;
      case 't': tcp = true; return null;
      case '4': family = 4; return null;
      case '6': family = 6; return null;
      case 'H': fmt.header = false; return null;
      case 'p': return null;
      case 'h': return { kind: 'help' };
      case 'V': case 'v': return { kind: 'version' };
      case 'f':
        if (arg === 'inet') family = 4;
        else if (arg === 'inet6') family = 6;
        else return refuse(`-f ${arg}`, 'tapstack has inet and inet6 sockets only');
        return null;
      case 'A':
        if (arg !== undefined && arg.split(',').every((q) => q === 'tcp' || q === 'inet' || q === 'all')) { tcp = arg.split(',').every((q) => q === 'tcp'); return null; }
        return refuse(`-A ${arg}`, 'tapstack ss lists TCP sockets only');
      default:
        return refuse(shown, REFUSED[c] ?? 'this option is not implemented');
    }
  };
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') { operands.push(...argv.slice(i + 1)); break; }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = a.slice(2, eq < 0 ? undefined : eq);
      const matches = Object.keys(LONG).filter((k) => k.startsWith(name));
      const exact = LONG[name] ? name : matches.length === 1 ? matches[0] : undefined;
      if (exact === undefined) {
        if (matches.length > 1 && !matches.every((m) => LONG[m].short === LONG[matches[0]].short)) return usage(`ss: option '${a}' is ambiguous`);
        if (matches.length === 0) return usage(`ss: unrecognized option '${a}'`);
      }
      const key = exact ?? matches[0];
      const spec = LONG[key];
      let arg: string | undefined;
      if (spec.arg) {
        arg = eq >= 0 ? a.slice(eq + 1) : argv[++i];
        if (arg === undefined) return usage(`ss: option '--${key}' requires an argument`);
      } else if (eq >= 0) return usage(`ss: option '--${key}' doesn't allow an argument`);
      const r = apply(spec.short, arg, `--${key}`);
      if (r) return r;
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const c = a[j];
        const at = SHORT.indexOf(c);
        if (at < 0 || c === ':') return usage(`ss: invalid option -- '${c}'`);
        let arg: string | undefined;
        if (SHORT[at + 1] === ':') {
          arg = j + 1 < a.length ? a.slice(j + 1) : argv[++i];
          if (arg === undefined) return usage(`ss: option requires an argument -- '${c}'`);
          j = a.length;
        }
        const r = apply(c, arg, `-${c}`);
        if (r) return r;
      }
      continue;
    }
    operands.push(a);
  }
  let states = stateFilter || SS_CONN;
  let saw = false;
  let k = 0;
  for (; k < operands.length; k++) {
    const w = operands[k];
    if (w !== 'state' && w !== 'exclude' && w !== 'excl') break;
    const name = operands[++k];
    if (name === undefined) return { kind: 'error', stderr: 'Command line is not complete. Try option "help"\n', rc: 255 };
    const hit = STATE_NAMES.find(([n]) => n === name.toLowerCase());
    if (!hit) return { kind: 'error', stderr: `ss: wrong state name: ${name}\n`, rc: 255 };
    if (w === 'state') {
      if (!saw) states = 0;
      states |= hit[1];
    } else {
      if (!saw) states = SS_ALL;
      states &= ~hit[1];
    }
    saw = true;
  }
  if (k < operands.length) {
    return refuse(`'${operands.slice(k).join(' ')}'`, "filter expressions (dport, sport, dst, src, dev, ...) are not implemented; only 'state' and 'exclude' filters are");
  }
  fmt.netid = !tcp;
  // A state filter of exactly one state hides the State column.
  fmt.state = (states & (states - 1)) !== 0;
  return { kind: 'run', fmt, states, family };
}

/** getservbyport(port, "tcp") over /etc/services: the first tcp entry of the port. */
let servicesCache: Map<number, string> | null = null;
function tcpService(port: number): string | null {
  if (servicesCache === null) {
    servicesCache = new Map();
    let text = '';
    try {
      text = readFileSync('/etc/services', 'utf8');
    } catch {
      // No services database: every port prints as a number, as with glibc.
    }
    for (const line of text.split('\n')) {
      const m = /^([^\s#]+)\s+(\d+)\/tcp\b/.exec(line);
      if (m && !servicesCache.has(Number(m[2]))) servicesCache.set(Number(m[2]), m[1]);
    }
  }
  return servicesCache.get(port) ?? null;
}

/**
 * The ephemeral range is_ephemeral() leaves unresolved: the stack's net.ipv4.ip_local_port_range
 * when it has that key, else the range its TCP picks ports from by default (32768-60999).
 */
async function ephemeralRange(ch: ControlChannel): Promise<[number, number]> {
  try {
    const r = await ch.call('TS_SYSCTL', { key: 'net.ipv4.ip_local_port_range' });
    const v = String((r.body as { value?: unknown } | undefined)?.value ?? '');
    const m = /^(\d+)\s+(\d+)$/.exec(v.trim());
    if (m) return [Number(m[1]), Number(m[2])];
  } catch {
    // Older stacks have no such key: their TCP's default range.
  }
  return tcpSysctlDefaults().ipLocalPortRange;
}

/** resolve_service() without -n: a service name from /etc/services, except for ports in the ephemeral range. */
export function ssServiceResolver([lo, hi]: readonly [number, number]): (port: number) => string | null {
  return (port) => (port >= lo && port <= hi ? null : tcpService(port));
}

/** The order ss prints: the AF_INET dump, then AF_INET6; each as the stack lists them (listeners first). */
export function ssOrder(socks: readonly SockDiagMsg[]): SockDiagMsg[] {
  return [...socks.filter((s) => s.family === 4), ...socks.filter((s) => s.family === 6)];
}

/** `tapstack ss ...`: 0 on success, 255 for the usage errors ss exits -1 on, 1 for what tapstack refuses. */
export async function ssCommand(argv: string[], ch: ControlChannel, io: CliIO, _opts?: { signal?: AbortSignal }): Promise<number> {
  const a = parseSsArgs(argv);
  if (a.kind === 'help') {
    io.out(SS_USAGE);
    return 0;
  }
  if (a.kind === 'version') {
    const { createRequire } = await import('node:module');
    const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };
    io.out(`ss utility, tapstack-${pkg.version}\n`);
    return 0;
  }
  if (a.kind === 'error') {
    io.err(a.stderr);
    return a.rc;
  }
  const body: Record<string, unknown> = { protocol: 6, states: a.states };
  if (a.family !== null) body.family = a.family === 4 ? 2 : 10;
  const socks = ssOrder(await ch.dump<SockDiagMsg>('SOCK_DIAG_BY_FAMILY', body));
  const fmt: SsFormatOptions = { ...a.fmt };
  if (!fmt.numeric) {
    fmt.service = ssServiceResolver(await ephemeralRange(ch));
  }
  io.out(formatSs(socks, fmt));
  return 0;
}
