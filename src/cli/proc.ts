// `tapstack proc FILE...`: the stack's procfs files, printed as `cat /proc/FILE` prints the kernel's
// (net/ipv4/arp.c arp_seq_show for net/arp, net/core/neighbour.c neigh_stat_seq_show for
// net/stat/arp_cache and net/stat/ndisc_cache, net/ipv6/addrconf.c if6_seq_show for
// net/if_inet6, net/ipv6/proc.c snmp6_seq_show for net/snmp6, net/ipv4/proc.c snmp_seq_show and
// netstat_seq_show for net/snmp and net/netstat, net/ipv4/tcp_ipv4.c tcp4_seq_show and
// net/ipv6/tcp_ipv6.c tcp6_seq_show for net/tcp and net/tcp6), built from RTM_GETNEIGH dumps
// (neighbours, then proxy entries), RTM_GETNEIGHTBL, RTM_GETADDR, SOCK_DIAG_BY_FAMILY, TS_SYSCTL
// and TS_STAT through fmt_proc and fmt_proc_tcp.
// Errors read like coreutils cat's.
import type { ControlChannel } from '../control/channel.js';
import { ControlError } from '../control/channel.js';
import type { AddrSnapshot } from '../core/addr_info.js';
import type { NtableView } from '../neighbour/tbl_info.js';
import type { SockDiagMsg } from '../control/protocol.js';
import { formatProcNetTcp, formatProcNetTcp6 } from './fmt_proc_tcp.js';
import {
  formatProcNetArp,
  formatProcNetIfInet6,
  formatProcNetNetstat,
  formatProcNetSnmp,
  formatProcNetSnmp6,
  formatProcStatNeigh,
  type ProcArpNeigh,
  type ProcArpPneigh,
  type Snmp6Group,
} from './fmt_proc.js';
import type { CliIO } from './io.js';

export const PROC_USAGE = `Usage: tapstack proc FILE...
Print a procfs file of the running stack, as 'cat /proc/FILE' prints the kernel's.
FILE may be given with or without the leading /proc/:
  net/arp               the ARP table: neighbours, then proxy entries
  net/stat/arp_cache    ARP table statistics (hexadecimal, one line per CPU)
  net/stat/ndisc_cache  IPv6 neighbour table statistics, same layout (Linux has this file only
                        in the initial namespace, its counters global to all namespaces)
  net/if_inet6          IPv6 addresses: address, ifindex, prefix length, scope, flags, device
  net/snmp6             IPv6, ICMPv6 (and UDPv6) counters by their SNMP names
  net/snmp              Ip, Icmp, IcmpMsg, Tcp, Udp (and UdpLite) counters, two lines per group
  net/netstat           TcpExt, IpExt (and MPTcpExt) counters by their kernel names; a counter
                        tapstack does not keep reads 0, its own drop counters are in 'tapstack stat'
  net/tcp               IPv4 TCP sockets: listeners first, hex addresses, queues, timers, inode
  net/tcp6              the same for IPv6 sockets (v4-mapped ones as ::ffff:a.b.c.d)
`;

/** AF_INET / AF_INET6 as RTM_GET* dumps take them. */
const AF_INET = 2;
const AF_INET6 = 10;

type ProcFile = (ch: ControlChannel) => Promise<string>;

/** The files tapstack has, by path below /proc. */
const FILES: ReadonlyMap<string, ProcFile> = new Map<string, ProcFile>([
  [
    'net/arp',
    async (ch) => {
      // arp_seq_show walks arp_tbl only.
      const neighs = await ch.dump<ProcArpNeigh>('RTM_GETNEIGH', { family: AF_INET });
      const pneighs = await ch.dump<ProcArpPneigh>('RTM_GETNEIGH', { proxy: true, family: AF_INET });
      return formatProcNetArp(neighs, pneighs);
    },
  ],
  ['net/stat/arp_cache', (ch) => statNeigh(ch, 'arp_cache', AF_INET)],
  ['net/stat/ndisc_cache', (ch) => statNeigh(ch, 'ndisc_cache', AF_INET6)],
  [
    'net/if_inet6',
    // Every address (RTM_GETADDR, AddrSnapshot items); formatProcNetIfInet6 keeps the IPv6 ones.
    async (ch) => formatProcNetIfInet6(await ch.dump<AddrSnapshot>('RTM_GETADDR', {})),
  ],
  [
    'net/snmp6',
    async (ch) => {
      const st = (await ch.call('TS_STAT')).body as Record<string, Snmp6Group | undefined>;
      const icmp6 = st.icmp6 ?? {};
      const types = (k: string): number[] => (Array.isArray(icmp6[k]) ? (icmp6[k] as number[]) : []);
      return formatProcNetSnmp6({
        ip6: st.ip6 ?? {},
        icmp6,
        inType: types('inType'),
        outType: types('outType'),
        ...(st.udp6 ? { udp6: st.udp6, udpLite6: st.udpLite6 ?? {} } : {}),
      });
    },
  ],
  [
    'net/snmp',
    async (ch) => {
      const st = (await ch.call('TS_STAT')).body as Record<string, Snmp6Group | undefined>;
      return formatProcNetSnmp({
        forwarding: (await sysctlNum(ch, 'net.ipv4.ip_forward', 0)) !== 0,
        defaultTtl: await sysctlNum(ch, 'net.ipv4.ip_default_ttl', 64),
        ip: st.ip ?? {}, icmp: st.icmp ?? {}, tcp: st.tcp ?? {}, udp: st.udp ?? {},
      });
    },
  ],
  [
    'net/netstat',
    async (ch) => {
      const st = (await ch.call('TS_STAT')).body as Record<string, Snmp6Group | undefined>;
      return formatProcNetNetstat({ tcpExt: st.tcpExt ?? {}, ipExt: st.ip ?? {} });
    },
  ],
  ['net/tcp', async (ch) => formatProcNetTcp(await ch.dump<SockDiagMsg>('SOCK_DIAG_BY_FAMILY', { family: AF_INET, protocol: 6 }))],
  ['net/tcp6', async (ch) => formatProcNetTcp6(await ch.dump<SockDiagMsg>('SOCK_DIAG_BY_FAMILY', { family: AF_INET6, protocol: 6 }))],
]);

/** A sysctl's value as a number, or `dflt` when the stack has no such key. */
async function sysctlNum(ch: ControlChannel, key: string, dflt: number): Promise<number> {
  try {
    const v = Number(String(((await ch.call('TS_SYSCTL', { key })).body as { value?: unknown } | undefined)?.value ?? ''));
    return Number.isFinite(v) ? v : dflt;
  } catch (e) {
    if (e instanceof ControlError) return dflt;
    throw e;
  }
}

/** /proc/net/stat/<table>: the table's counters from its RTM_GETNEIGHTBL message. */
async function statNeigh(ch: ControlChannel, name: string, family: number): Promise<string> {
  const tables = await ch.dump<NtableView>('RTM_GETNEIGHTBL', { family });
  const t = tables.find((x) => x.name === name);
  if (!t) throw new ControlError(2, 'No such file or directory');
  return formatProcStatNeigh(t.config.entries, t.stats);
}

/** Directories on the way to those files (cat refuses them). */
const DIRS: ReadonlySet<string> = new Set(['', 'net', 'net/stat']);

/**
 * `tapstack proc FILE...`: 0 when every file was printed, 1 when one was missing (`cat: /proc/net/xyz:
 * No such file or directory`), 2 for usage errors.
 */
export async function procCommand(argv: string[], ch: ControlChannel, io: CliIO, _opts?: { signal?: AbortSignal }): Promise<number> {
  if (argv.length === 0) {
    io.err(PROC_USAGE);
    return 2;
  }
  if (argv.includes('-h') || argv.includes('--help')) {
    io.out(PROC_USAGE);
    return 0;
  }
  let rc = 0;
  let operands = argv;
  const dashdash = argv.indexOf('--');
  const opts = dashdash < 0 ? argv : argv.slice(0, dashdash);
  const bad = opts.find((a) => a.startsWith('-') && a !== '-');
  if (bad !== undefined) {
    io.err(`tapstack proc: unknown option '${bad}'\n${PROC_USAGE}`);
    return 2;
  }
  if (dashdash >= 0) operands = [...argv.slice(0, dashdash), ...argv.slice(dashdash + 1)];
  for (const arg of operands) {
    const shown = arg === '/proc' || arg.startsWith('/proc/') ? arg : `/proc/${arg}`;
    const rel = arg === '/proc' ? '' : arg.startsWith('/proc/') ? arg.slice(6) : arg;
    const trailingSlash = rel.endsWith('/');
    const path = rel.split('/').filter((c) => c !== '').join('/');
    const file = FILES.get(path);
    if (file && trailingSlash) {
      io.err(`cat: ${shown}: Not a directory\n`);
      rc = 1;
      continue;
    }
    if (!file) {
      io.err(`cat: ${shown}: ${DIRS.has(path) ? 'Is a directory' : 'No such file or directory'}\n`);
      rc = 1;
      continue;
    }
    try {
      io.out(await file(ch));
    } catch (e) {
      if (!(e instanceof ControlError)) throw e;
      io.err(`cat: ${shown}: ${e.message}\n`);
      rc = 1;
    }
  }
  return rc;
}
