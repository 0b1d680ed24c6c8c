// /proc/net/arp and /proc/net/stat/arp_cache as the kernel prints them (net/ipv4/arp.c
// arp_seq_show, arp_format_neigh_entry, arp_format_pneigh_entry, arp_state_to_flags;
// net/core/neighbour.c neigh_stat_seq_show and the NEIGH_SEQ_SKIP_NOARP walk).
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
};

export type ProcArpPneigh = Pick<PneighSnapshot, 'dst' | 'dev'> & { hwType?: number };

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
    if (!(n.state & ~NUD_NOARP)) continue;
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


export const PROC_STAT_ARP_CACHE_HEADER =
  'entries  allocs   destroys hash_grows lookups  hits     res_failed rcv_probes_mcast rcv_probes_ucast ' +
  'periodic_gc_runs forced_gc_runs unresolved_discards table_fulls\n';

/** printf("%08lx") of a non-negative counter. */
const hex8 = (v: number): string => Math.max(0, Math.floor(v)).toString(16).padStart(8, '0');

/**
 * /proc/net/stat/arp_cache: the header, then one line per CPU (tapstack has one; pass several to
 * reproduce a multi-CPU kernel). `entries` is tbl->entries, the same on every line.
 */
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
