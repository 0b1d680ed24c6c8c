// /proc/net/arp, /proc/net/stat/{arp,ndisc}_cache, /proc/net/if_inet6 and /proc/net/snmp6 as the
// kernel prints them (net/ipv4/arp.c arp_seq_show, arp_format_neigh_entry,
// arp_format_pneigh_entry, arp_state_to_flags; net/core/neighbour.c neigh_stat_seq_show and the
// NEIGH_SEQ_SKIP_NOARP walk; net/ipv6/addrconf.c if6_seq_show; net/ipv6/proc.c snmp6_seq_show,
// snmp6_seq_show_item, snmp6_seq_show_icmpv6).
import type { AddrSnapshot } from '../core/addr_info.js';
import { parseIn6 } from '../ipv6/in6_addr.js';
import type { NeighSnapshot, NeighStatCounters, PneighSnapshot } from '../neighbour/table.js';
import { NUD_NOARP, NUD_PERMANENT, NUD_VALID } from '../neighbour/nud.js';

/** ARPHRD_ETHER: dev->type of an Ethernet (and TAP) device. */
export const ARPHRD_ETHER = 1;

/** ATF_* (include/uapi/linux/if_arp.h), the Flags column. */
export const ATF_COM = 0x02;
export const ATF_PERM = 0x04;
export const ATF_PUBL = 0x08;
export const ATF_USETRAILERS = 0x10;
export const ATF_NETMASK = 0x20;
export const ATF_DONTPUB = 0x40;

/** arp_state_to_flags(). */
export function arpStateToFlags(state: number): number {
  if (state & NUD_PERMANENT) return ATF_PERM | ATF_COM;
  if (state & NUD_VALID) return ATF_COM;
  return 0;
}

/**
 * What a /proc/net/arp row needs from a neighbour. A NeighSnapshot fits; `ha` is the raw hardware
 * address (n->ha), which the kernel prints whatever the state — a FAILED entry keeps its last
 * MAC. Snapshots carry lladdr only for VALID states, so without `ha` an invalid entry prints zeros.
 */
export type ProcArpNeigh = Pick<NeighSnapshot, 'dst' | 'dev' | 'state' | 'lladdr'> & {
  ha?: string | null;
  /** dev->type; default ARPHRD_ETHER. */
  hwType?: number;
  /** AF_INET when given; entries of another family (nd_tbl's) are not arp_tbl's and are skipped. */
  family?: number;
};

export type ProcArpPneigh = Pick<PneighSnapshot, 'dst' | 'dev'> & { hwType?: number; family?: number };

const AF_INET = 2;
const notArp = (e: { family?: number }): boolean => e.family !== undefined && e.family !== AF_INET;

/** One parsed row of /proc/net/arp — also what net-tools `arp` reads. */
export interface ProcArpRow {
  ip: string;
  hwType: number;
  flags: number;
  hwAddr: string;
  mask: string;
  dev: string;
}

const ZERO_MAC = '00:00:00:00:00:00';

/**
 * The rows of /proc/net/arp: neighbours in table order, then proxy entries. Entries whose state
 * is NONE or only NOARP are skipped (NEIGH_SEQ_SKIP_NOARP).
 */
export function procArpRows(neighs: readonly ProcArpNeigh[], pneighs: readonly ProcArpPneigh[] = []): ProcArpRow[] {
  const rows: ProcArpRow[] = [];
  for (const n of neighs) {
    if (notArp(n) || !(n.state & ~NUD_NOARP)) continue;
    rows.push({
      ip: n.dst,
      hwType: n.hwType ?? ARPHRD_ETHER,
      flags: arpStateToFlags(n.state),
      hwAddr: n.ha ?? n.lladdr ?? ZERO_MAC,
      mask: '*',
      dev: n.dev,
    });
  }
  for (const p of pneighs) {
    if (notArp(p)) continue;
    rows.push({
      ip: p.dst,
      hwType: p.dev ? (p.hwType ?? ARPHRD_ETHER) : 0,
      flags: ATF_PUBL | ATF_PERM,
      hwAddr: ZERO_MAC,
      mask: '*',
      dev: p.dev ?? '*',
    });
  }
  return rows;
}

export const PROC_NET_ARP_HEADER = 'IP address       HW type     Flags       HW address            Mask     Device\n';

/** printf("%-16s 0x%-10x0x%-10x%-17s     *        %s\n"). */
function procArpLine(r: ProcArpRow): string {
  return `${r.ip.padEnd(16)} 0x${r.hwType.toString(16).padEnd(10)}0x${r.flags.toString(16).padEnd(10)}` +
    `${r.hwAddr.padEnd(17)}     ${r.mask}        ${r.dev}\n`;
}

/** /proc/net/arp. */
export function formatProcNetArp(neighs: readonly ProcArpNeigh[], pneighs: readonly ProcArpPneigh[] = []): string {
  return PROC_NET_ARP_HEADER + procArpRows(neighs, pneighs).map(procArpLine).join('');
}


/** The header of every /proc/net/stat/<table> file (neigh_stat_seq_show). */
export const PROC_STAT_NEIGH_HEADER =
  'entries  allocs   destroys hash_grows lookups  hits     res_failed rcv_probes_mcast rcv_probes_ucast ' +
  'periodic_gc_runs forced_gc_runs unresolved_discards table_fulls\n';
export const PROC_STAT_ARP_CACHE_HEADER = PROC_STAT_NEIGH_HEADER;

/** printf("%08lx") of a non-negative counter. */
const hex8 = (v: number): string => Math.max(0, Math.floor(v)).toString(16).padStart(8, '0');

/**
 * /proc/net/stat/arp_cache and /proc/net/stat/ndisc_cache (one layout for every neighbour
 * table): the header, then one line per CPU (tapstack has one; pass several to reproduce a
 * multi-CPU kernel). `entries` is tbl->entries, the same on every line.
 */
export function formatProcStatNeigh(entries: number, perCpu: NeighStatCounters | readonly NeighStatCounters[]): string {
  return formatProcStatArpCache(entries, perCpu);
}

/** /proc/net/stat/arp_cache (see {@link formatProcStatNeigh}). */
export function formatProcStatArpCache(entries: number, perCpu: NeighStatCounters | readonly NeighStatCounters[]): string {
  const cpus = Array.isArray(perCpu) ? (perCpu as readonly NeighStatCounters[]) : [perCpu as NeighStatCounters];
  let s = PROC_STAT_ARP_CACHE_HEADER;
  for (const c of cpus) {
    s += `${hex8(entries)} ${hex8(c.allocs)} ${hex8(c.destroys)} ${hex8(c.hashGrows)}   ` +
      `${hex8(c.lookups)} ${hex8(c.hits)} ${hex8(c.resFailed)}   ` +
      `${hex8(c.rcvProbesMcast)}         ${hex8(c.rcvProbesUcast)}         ${hex8(c.periodicGcRuns)}         ` +
      `${hex8(c.forcedGcRuns)}       ${hex8(c.unresDiscards)}            ${hex8(c.tableFulls)}\n`;
  }
  return s;
}

// ---- /proc/net/if_inet6 -------------------------------------------------------------------------

/** The scope byte of if_inet6: ifp->scope, IPV6_ADDR_SCOPE_MASK bits (0 global, 0x10 host, 0x20 link, 0x40 site). */
const IF_INET6_SCOPE: Readonly<Record<string, number>> = { global: 0x00, host: 0x10, link: 0x20, site: 0x40 };

/** printf("%02x") of an int: at least two digits, more when needed (an ifindex above 255). */
const hex2 = (v: number): string => (v >>> 0).toString(16).padStart(2, '0');

/** The 32 hex digits of an IPv6 address (%pi6: no colons, every zero written). */
export function in6Hex32(addr: string): string {
  const b = parseIn6(addr);
  if (b === null) throw new Error(`not an IPv6 address: ${addr}`);
  return b.toString('hex');
}

/**
 * One /proc/net/if_inet6 line: `%pi6 %02x %02x %02x %02x %8s` — address, ifindex, prefix length,
 * scope, the low 8 bits of the IFA_F_* flags, device name right-aligned in 8 columns.
 */
export function procIfInet6Line(a: Pick<AddrSnapshot, 'local' | 'ifindex' | 'prefixLen' | 'scope' | 'flags' | 'dev'>): string {
  return `${in6Hex32(a.local)} ${hex2(a.ifindex)} ${hex2(a.prefixLen)} ${hex2(IF_INET6_SCOPE[a.scope] ?? 0)} ${hex2(a.flags & 0xff)} ${a.dev.padStart(8)}\n`;
}

/**
 * /proc/net/if_inet6: one line per IPv6 address, no header. Linux walks its address hash (an order
 * that differs per namespace); tapstack lists them as `ip -6 addr` does, device by device.
 */
export function formatProcNetIfInet6(addrs: readonly Pick<AddrSnapshot, 'family' | 'local' | 'ifindex' | 'prefixLen' | 'scope' | 'flags' | 'dev'>[]): string {
  return addrs.filter((a) => a.family === 'inet6').map(procIfInet6Line).join('');
}

// ---- /proc/net/snmp6 ----------------------------------------------------------------------------

/** snmp6_ipstats_list of Linux 6.18, in its order (the names after "Ip6"). */
export const SNMP6_IP6_NAMES: readonly string[] = [
  'InReceives', 'InHdrErrors', 'InTooBigErrors', 'InNoRoutes', 'InAddrErrors', 'InUnknownProtos',
  'InTruncatedPkts', 'InDiscards', 'InDelivers', 'OutForwDatagrams', 'OutRequests', 'OutDiscards',
  'OutNoRoutes', 'ReasmTimeout', 'ReasmReqds', 'ReasmOKs', 'ReasmFails', 'FragOKs', 'FragFails',
  'FragCreates', 'InMcastPkts', 'OutMcastPkts', 'InOctets', 'OutOctets', 'InMcastOctets',
  'OutMcastOctets', 'InBcastOctets', 'OutBcastOctets', 'InNoECTPkts', 'InECT1Pkts', 'InECT0Pkts',
  'InCEPkts', 'OutTransmits',
];

/** snmp6_icmp6_list of Linux 6.18 (the names after "Icmp6"). */
export const SNMP6_ICMP6_NAMES: readonly string[] = ['InMsgs', 'InErrors', 'OutMsgs', 'OutErrors', 'InCsumErrors', 'OutRateLimitHost'];

/** icmp6type2name[]: the types snmp6 also prints by name, from the per-type counters. */
export const ICMP6_TYPE_NAMES: ReadonlyArray<readonly [number, string]> = [
  [1, 'DestUnreachs'], [2, 'PktTooBigs'], [3, 'TimeExcds'], [4, 'ParmProblems'], [128, 'Echos'],
  [129, 'EchoReplies'], [130, 'GroupMembQueries'], [131, 'GroupMembResponses'], [132, 'GroupMembReductions'],
  [133, 'RouterSolicits'], [134, 'RouterAdvertisements'], [135, 'NeighborSolicits'],
  [136, 'NeighborAdvertisements'], [137, 'Redirects'], [143, 'MLDv2Reports'],
];

/** snmp6_udp6_list and snmp6_udplite6_list (the names after "Udp6" / "UdpLite6"). */
export const SNMP6_UDP6_NAMES: readonly string[] = [
  'InDatagrams', 'NoPorts', 'InErrors', 'OutDatagrams', 'RcvbufErrors', 'SndbufErrors', 'InCsumErrors', 'IgnoredMulti', 'MemErrors',
];
export const SNMP6_UDPLITE6_NAMES: readonly string[] = [
  'InDatagrams', 'NoPorts', 'InErrors', 'OutDatagrams', 'RcvbufErrors', 'SndbufErrors', 'InCsumErrors', 'MemErrors',
];

/** Counters by their snmp6 name without the prefix, in camelCase or as printed (InReceives / inReceives). */
export type Snmp6Group = Readonly<Record<string, unknown>>;

/** What /proc/net/snmp6 is printed from; a name a group lacks reads 0, as a counter never bumped. */
export interface Snmp6Counters {
  ip6: Snmp6Group;
  icmp6: Snmp6Group;
  /** Icmp6InTypeN / Icmp6OutTypeN, indexed by type (256 entries). */
  inType: readonly number[];
  outType: readonly number[];
  /** Udp6 lines, when the stack has UDP over IPv6; then UdpLite6 follows (all zero: no UDP-Lite). */
  udp6?: Snmp6Group;
  udpLite6?: Snmp6Group;
}

/** A counter by its snmp6 name, camelCase first (tapstack's names), else as printed, else 0. */
function counter(g: Snmp6Group | undefined, name: string): number {
  if (!g) return 0;
  const v = g[name[0]!.toLowerCase() + name.slice(1)] ?? g[name];
  return typeof v === 'number' ? v : 0;
}

/** seq_printf("%-32s\t%lu\n"). */
const snmp6Line = (name: string, v: number): string => `${name.padEnd(32)}\t${Math.max(0, Math.floor(v))}\n`;

/**
 * /proc/net/snmp6: the Ip6 lines, the Icmp6 lines (named per-type counters for the types that
 * have a name, whatever their value, then Icmp6InTypeN / Icmp6OutTypeN only where non-zero), and
 * the Udp6 and UdpLite6 lines when `udp6` is given.
 */
export function formatProcNetSnmp6(c: Snmp6Counters): string {
  let s = '';
  for (const n of SNMP6_IP6_NAMES) s += snmp6Line(`Ip6${n}`, counter(c.ip6, n));
  for (const n of SNMP6_ICMP6_NAMES) s += snmp6Line(`Icmp6${n}`, counter(c.icmp6, n));
  for (const [t, n] of ICMP6_TYPE_NAMES) s += snmp6Line(`Icmp6In${n}`, c.inType[t] ?? 0);
  for (const [t, n] of ICMP6_TYPE_NAMES) s += snmp6Line(`Icmp6Out${n}`, c.outType[t] ?? 0);
  for (let t = 0; t < 256; t++) if (c.inType[t]) s += snmp6Line(`Icmp6InType${t}`, c.inType[t]!);
  for (let t = 0; t < 256; t++) if (c.outType[t]) s += snmp6Line(`Icmp6OutType${t}`, c.outType[t]!);
  if (c.udp6) {
    for (const n of SNMP6_UDP6_NAMES) s += snmp6Line(`Udp6${n}`, counter(c.udp6, n));
    for (const n of SNMP6_UDPLITE6_NAMES) s += snmp6Line(`UdpLite6${n}`, counter(c.udpLite6, n));
  }
  return s;
}

// ---- /proc/net/snmp and /proc/net/netstat (net/ipv4/proc.c snmp_seq_show_ipstats, icmp_put,
// icmpmsg_put, snmp_seq_show_tcp_udp, netstat_seq_show) ---------------------------------------------

/** snmp4_ipstats_list (after Forwarding and DefaultTTL). */
export const SNMP_IP_NAMES: readonly string[] = [
  'InReceives', 'InHdrErrors', 'InAddrErrors', 'ForwDatagrams', 'InUnknownProtos', 'InDiscards', 'InDelivers',
  'OutRequests', 'OutDiscards', 'OutNoRoutes', 'ReasmTimeout', 'ReasmReqds', 'ReasmOKs', 'ReasmFails', 'FragOKs',
  'FragFails', 'FragCreates', 'OutTransmits',
];
/** icmpmibmap[]: the per-type counters icmp_put names, with their types. */
export const ICMP_TYPE_NAMES: ReadonlyArray<readonly [number, string]> = [
  [3, 'DestUnreachs'], [11, 'TimeExcds'], [12, 'ParmProbs'], [4, 'SrcQuenchs'], [5, 'Redirects'], [8, 'Echos'],
  [0, 'EchoReps'], [13, 'Timestamps'], [14, 'TimestampReps'], [17, 'AddrMasks'], [18, 'AddrMaskReps'],
];
/** snmp4_tcp_list. */
export const SNMP_TCP_NAMES: readonly string[] = [
  'RtoAlgorithm', 'RtoMin', 'RtoMax', 'MaxConn', 'ActiveOpens', 'PassiveOpens', 'AttemptFails', 'EstabResets',
  'CurrEstab', 'InSegs', 'OutSegs', 'RetransSegs', 'InErrs', 'OutRsts', 'InCsumErrors',
];
/** snmp4_udp_list (Udp and UdpLite). */
export const SNMP_UDP_NAMES: readonly string[] = [
  'InDatagrams', 'NoPorts', 'InErrors', 'OutDatagrams', 'RcvbufErrors', 'SndbufErrors', 'InCsumErrors', 'IgnoredMulti', 'MemErrors',
];

/** Counters by name: camelCase (tapstack's), or as printed, matched without regard to case; absent reads 0. */
function snmpCounter(g: Snmp6Group | undefined, name: string, aliases: Readonly<Record<string, string>> = {}): number {
  if (!g) return 0;
  const alias = aliases[name];
  if (alias !== undefined) {
    const v = g[alias];
    return typeof v === 'number' ? v : 0;
  }
  const direct = g[name[0]!.toLowerCase() + name.slice(1)] ?? g[name];
  if (typeof direct === 'number') return direct;
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(g)) if (k.toLowerCase() === lower && typeof v === 'number') return v;
  return 0;
}

/** A header line and its values line: "\nGroup: A B\nGroup: 1 2" as the kernel's seq_puts/seq_printf build them. */
const snmpPair = (group: string, names: readonly string[], values: readonly number[]): string =>
  `${group}:${names.map((n) => ` ${n}`).join('')}\n${group}:${values.map((v) => ` ${Math.trunc(v)}`).join('')}\n`;

/** What /proc/net/snmp is printed from. */
export interface SnmpCounters {
  /** net.ipv4.ip_forward: Forwarding is 1 when forwarding, 2 when not. */
  forwarding: boolean;
  /** net.ipv4.ip_default_ttl. */
  defaultTtl: number;
  ip: Snmp6Group;
  icmp: Snmp6Group;
  tcp: Snmp6Group;
  udp: Snmp6Group;
}

/**
 * /proc/net/snmp: Ip, Icmp (InMsgs InErrors InCsumErrors, the In per-type names, OutMsgs
 * OutErrors OutRateLimitGlobal OutRateLimitHost, the Out names), IcmpMsg (the non-zero per-type
 * counters, in lines of at most 16), Tcp (RtoAlgorithm 1, RtoMin 200, RtoMax 120000, MaxConn -1
 * unless given), Udp and UdpLite (tapstack has no UDP-Lite: zeros).
 */
export function formatProcNetSnmp(c: SnmpCounters): string {
  let s = snmpPair('Ip', ['Forwarding', 'DefaultTTL', ...SNMP_IP_NAMES], [c.forwarding ? 1 : 2, c.defaultTtl, ...SNMP_IP_NAMES.map((n) => snmpCounter(c.ip, n))]);
  const inT = ICMP_TYPE_NAMES.map(([, n]) => snmpCounter(c.icmp, `In${n}`));
  const outT = ICMP_TYPE_NAMES.map(([, n]) => snmpCounter(c.icmp, `Out${n}`));
  s += snmpPair(
    'Icmp',
    ['InMsgs', 'InErrors', 'InCsumErrors', ...ICMP_TYPE_NAMES.map(([, n]) => `In${n}`), 'OutMsgs', 'OutErrors', 'OutRateLimitGlobal', 'OutRateLimitHost', ...ICMP_TYPE_NAMES.map(([, n]) => `Out${n}`)],
    [
      snmpCounter(c.icmp, 'InMsgs'), snmpCounter(c.icmp, 'InErrors'), snmpCounter(c.icmp, 'InCsumErrors'), ...inT,
      snmpCounter(c.icmp, 'OutMsgs'), snmpCounter(c.icmp, 'OutErrors'), snmpCounter(c.icmp, 'OutRateLimitGlobal'), snmpCounter(c.icmp, 'OutRateLimitHost'), ...outT,
    ],
  );
  // icmpmsg_put(): In types ascending, then Out types, the non-zero ones, 16 to a line.
  const msg: [string, number][] = [];
  const byType = (vals: number[]): [number, number][] => ICMP_TYPE_NAMES.map(([t], i) => [t, vals[i]] as [number, number]).sort((a, b) => a[0] - b[0]);
  for (const [t, v] of byType(inT)) if (v) msg.push([`InType${t}`, v]);
  for (const [t, v] of byType(outT)) if (v) msg.push([`OutType${t}`, v]);
  for (let i = 0; i < msg.length; i += 16) {
    const part = msg.slice(i, i + 16);
    s += snmpPair('IcmpMsg', part.map(([n]) => n), part.map(([, v]) => v));
  }
  const tcpDefaults: Readonly<Record<string, number>> = { RtoAlgorithm: 1, RtoMin: 200, RtoMax: 120000, MaxConn: -1 };
  s += snmpPair('Tcp', SNMP_TCP_NAMES, SNMP_TCP_NAMES.map((n) => {
    const v = c.tcp[n[0]!.toLowerCase() + n.slice(1)] ?? c.tcp[n];
    return typeof v === 'number' ? v : (tcpDefaults[n] ?? 0);
  }));
  s += snmpPair('Udp', SNMP_UDP_NAMES, SNMP_UDP_NAMES.map((n) => snmpCounter(c.udp, n)));
  s += snmpPair('UdpLite', SNMP_UDP_NAMES, SNMP_UDP_NAMES.map(() => 0));
  return s;
}

/** TcpExt of Linux 6.18's /proc/net/netstat, in its order. */
export const NETSTAT_TCPEXT_NAMES: readonly string[] = [
  'SyncookiesSent', 'SyncookiesRecv', 'SyncookiesFailed', 'EmbryonicRsts', 'PruneCalled', 'RcvPruned',
  'OfoPruned', 'OutOfWindowIcmps', 'LockDroppedIcmps', 'ArpFilter', 'TW', 'TWRecycled', 'TWKilled',
  'PAWSActive', 'PAWSEstab', 'BeyondWindow', 'TSEcrRejected', 'PAWSOldAck', 'PAWSTimewait', 'DelayedACKs',
  'DelayedACKLocked', 'DelayedACKLost', 'ListenOverflows', 'ListenDrops', 'TCPHPHits', 'TCPPureAcks',
  'TCPHPAcks', 'TCPRenoRecovery', 'TCPSackRecovery', 'TCPSACKReneging', 'TCPSACKReorder', 'TCPRenoReorder',
  'TCPTSReorder', 'TCPFullUndo', 'TCPPartialUndo', 'TCPDSACKUndo', 'TCPLossUndo', 'TCPLostRetransmit',
  'TCPRenoFailures', 'TCPSackFailures', 'TCPLossFailures', 'TCPFastRetrans', 'TCPSlowStartRetrans',
  'TCPTimeouts', 'TCPLossProbes', 'TCPLossProbeRecovery', 'TCPRenoRecoveryFail', 'TCPSackRecoveryFail',
  'TCPRcvCollapsed', 'TCPBacklogCoalesce', 'TCPDSACKOldSent', 'TCPDSACKOfoSent', 'TCPDSACKRecv',
  'TCPDSACKOfoRecv', 'TCPAbortOnData', 'TCPAbortOnClose', 'TCPAbortOnMemory', 'TCPAbortOnTimeout',
  'TCPAbortOnLinger', 'TCPAbortFailed', 'TCPMemoryPressures', 'TCPMemoryPressuresChrono', 'TCPSACKDiscard',
  'TCPDSACKIgnoredOld', 'TCPDSACKIgnoredNoUndo', 'TCPSpuriousRTOs', 'TCPMD5NotFound', 'TCPMD5Unexpected',
  'TCPMD5Failure', 'TCPSackShifted', 'TCPSackMerged', 'TCPSackShiftFallback', 'TCPBacklogDrop',
  'PFMemallocDrop', 'TCPMinTTLDrop', 'TCPDeferAcceptDrop', 'IPReversePathFilter', 'TCPTimeWaitOverflow',
  'TCPReqQFullDoCookies', 'TCPReqQFullDrop', 'TCPRetransFail', 'TCPRcvCoalesce', 'TCPOFOQueue', 'TCPOFODrop',
  'TCPOFOMerge', 'TCPChallengeACK', 'TCPSYNChallenge', 'TCPFastOpenActive', 'TCPFastOpenActiveFail',
  'TCPFastOpenPassive', 'TCPFastOpenPassiveFail', 'TCPFastOpenListenOverflow', 'TCPFastOpenCookieReqd',
  'TCPFastOpenBlackhole', 'TCPSpuriousRtxHostQueues', 'BusyPollRxPackets', 'TCPAutoCorking',
  'TCPFromZeroWindowAdv', 'TCPToZeroWindowAdv', 'TCPWantZeroWindowAdv', 'TCPSynRetrans', 'TCPOrigDataSent',
  'TCPHystartTrainDetect', 'TCPHystartTrainCwnd', 'TCPHystartDelayDetect', 'TCPHystartDelayCwnd',
  'TCPACKSkippedSynRecv', 'TCPACKSkippedPAWS', 'TCPACKSkippedSeq', 'TCPACKSkippedFinWait2',
  'TCPACKSkippedTimeWait', 'TCPACKSkippedChallenge', 'TCPWinProbe', 'TCPKeepAlive', 'TCPMTUPFail',
  'TCPMTUPSuccess', 'TCPDelivered', 'TCPDeliveredCE', 'TCPAckCompressed', 'TCPZeroWindowDrop', 'TCPRcvQDrop',
  'TCPWqueueTooBig', 'TCPFastOpenPassiveAltKey', 'TcpTimeoutRehash', 'TcpDuplicateDataRehash',
  'TCPDSACKRecvSegs', 'TCPDSACKIgnoredDubious', 'TCPMigrateReqSuccess', 'TCPMigrateReqFailure',
  'TCPPLBRehash', 'TCPAORequired', 'TCPAOBad', 'TCPAOKeyNotFound', 'TCPAOGood', 'TCPAODroppedIcmps',
];
/** IpExt of Linux 6.18's /proc/net/netstat, in its order. */
export const NETSTAT_IPEXT_NAMES: readonly string[] = [
  'InNoRoutes', 'InTruncatedPkts', 'InMcastPkts', 'OutMcastPkts', 'InBcastPkts', 'OutBcastPkts', 'InOctets',
  'OutOctets', 'InMcastOctets', 'OutMcastOctets', 'InBcastOctets', 'OutBcastOctets', 'InCsumErrors',
  'InNoECTPkts', 'InECT1Pkts', 'InECT0Pkts', 'InCEPkts', 'ReasmOverlaps',
];
/** MPTcpExt of Linux 6.18's /proc/net/netstat, in its order. */
export const NETSTAT_MPTCPEXT_NAMES: readonly string[] = [
  'MPCapableSYNRX', 'MPCapableSYNTX', 'MPCapableSYNACKRX', 'MPCapableACKRX', 'MPCapableFallbackACK',
  'MPCapableFallbackSYNACK', 'MPCapableSYNTXDrop', 'MPCapableSYNTXDisabled', 'MPCapableEndpAttempt',
  'MPFallbackTokenInit', 'MPTCPRetrans', 'MPJoinNoTokenFound', 'MPJoinSynRx', 'MPJoinSynBackupRx',
  'MPJoinSynAckRx', 'MPJoinSynAckBackupRx', 'MPJoinSynAckHMacFailure', 'MPJoinAckRx', 'MPJoinAckHMacFailure',
  'MPJoinRejected', 'MPJoinSynTx', 'MPJoinSynTxCreatSkErr', 'MPJoinSynTxBindErr', 'MPJoinSynTxConnectErr',
  'DSSNotMatching', 'DSSCorruptionFallback', 'DSSCorruptionReset', 'InfiniteMapTx', 'InfiniteMapRx',
  'DSSNoMatchTCP', 'DataCsumErr', 'OFOQueueTail', 'OFOQueue', 'OFOMerge', 'NoDSSInWindow', 'DuplicateData',
  'AddAddr', 'AddAddrTx', 'AddAddrTxDrop', 'EchoAdd', 'EchoAddTx', 'EchoAddTxDrop', 'PortAdd', 'AddAddrDrop',
  'MPJoinPortSynRx', 'MPJoinPortSynAckRx', 'MPJoinPortAckRx', 'MismatchPortSynRx', 'MismatchPortAckRx',
  'RmAddr', 'RmAddrDrop', 'RmAddrTx', 'RmAddrTxDrop', 'RmSubflow', 'MPPrioTx', 'MPPrioRx', 'MPFailTx',
  'MPFailRx', 'MPFastcloseTx', 'MPFastcloseRx', 'MPRstTx', 'MPRstRx', 'SubflowStale', 'SubflowRecover',
  'SndWndShared', 'RcvWndShared', 'RcvWndConflictUpdate', 'RcvWndConflict', 'MPCurrEstab', 'Blackhole',
  'MPCapableDataFallback', 'MD5SigFallback', 'DssFallback', 'SimultConnectFallback', 'FallbackFailed',
  'WinProbe',
];

/** TcpExt names whose tapstack counter is spelled differently. */
const TCPEXT_ALIASES: Readonly<Record<string, string>> = { TWRecycled: 'tcpTimeWaitRecycled', RcvPruned: 'tcpRcvPruned' };

/** What /proc/net/netstat is printed from: TcpExt and IpExt counters (tapstack's own drop counters are not printed). */
export interface NetstatCounters {
  tcpExt: Snmp6Group;
  ipExt: Snmp6Group;
}

/**
 * /proc/net/netstat: TcpExt, IpExt and MPTcpExt (tapstack has no MPTCP: zeros), every name of
 * Linux 6.18 in its order; a counter tapstack does not keep prints 0.
 */
export function formatProcNetNetstat(c: NetstatCounters): string {
  return (
    snmpPair('TcpExt', NETSTAT_TCPEXT_NAMES, NETSTAT_TCPEXT_NAMES.map((n) => snmpCounter(c.tcpExt, n, TCPEXT_ALIASES))) +
    snmpPair('IpExt', NETSTAT_IPEXT_NAMES, NETSTAT_IPEXT_NAMES.map((n) => snmpCounter(c.ipExt, n))) +
    snmpPair('MPTcpExt', NETSTAT_MPTCPEXT_NAMES, NETSTAT_MPTCPEXT_NAMES.map(() => 0))
  );
}
