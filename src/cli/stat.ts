// `tapstack stat`: every counter of a running stack in one view, drops and errors first in mind,
// in the spirit of nstat(8): NAME VALUE lines, non-zero only unless -a, shell patterns to filter.
// The groups are the Stack.stats() keys (neigh, arp, acd, ip, icmp, udp, nd, ndisc, ip6, icmp6,
// mld, core, devices) plus the control server's own (control).
import type { ControlChannel } from '../control/channel.js';
import type { CliIO } from './io.js';

export const STAT_USAGE = `Usage: tapstack stat [-a] [-j] [PATTERN ...]

Prints the stack's counters as NAME VALUE, one per line: devices and drivers (dev.*), the core
receive/transmit path (core.*), ARP and its drops (arp.*, arp.drops.*), the IPv4 neighbour table
(neigh.*), IPv4 (ip.*, ip.drops.*), ICMP (icmp.*), UDP (udp.*), address conflict detection
(acd.*), the IPv6 neighbour table (nd.*), neighbour discovery and its drops (ndisc.*,
ndisc.drops.*), IPv6 (ip6.*, ip6.drops.*), ICMPv6 (icmp6.*, with icmp6.inType.N and
icmp6.outType.N per message type), MLD (mld.*), UDP over IPv6 (udp6.*), TCP (tcp.*, the
/proc/net/snmp Tcp names, and tcpExt.*, TcpExt's and tapstack's own drops), the fault device
(fault.DEV.rx.*, fault.DEV.tx.*, with up --fault), the services (serve.*, with up --serve) and
the control socket (control.*).

  -a, --all    also counters that are zero (per-type counters only when non-zero)
  -j, --json   the raw counters as JSON
  PATTERN      shell pattern(s) on names, e.g. 'arp.drops.*' '*Errors'
`;

/** Nested counters as dotted names, in the order the stack reported them. */
export function flattenCounters(o: unknown, prefix = '', out: [string, number][] = []): [string, number][] {
  if (typeof o === 'number') {
    out.push([prefix, o]);
  } else if (Array.isArray(o) && o.every((x) => typeof x === 'number')) {
    // Per-type counters (icmp6.inType[135]) become icmp6.inType.135, only where non-zero: 256
    // zeros say nothing (/proc/net/snmp6 prints its Icmp6InTypeN lines the same way).
    (o as number[]).forEach((v, i) => {
      if (v !== 0) out.push([`${prefix}.${i}`, v]);
    });
  } else if (Array.isArray(o)) {
    // devices: [{name, stats, driver}] become dev.NAME.*
    for (const d of o as { name?: string }[]) {
      const { name, ...rest } = d;
      flattenCounters(rest, `${prefix.replace(/devices$/, 'dev')}.${name ?? '?'}`, out);
    }
  } else if (o && typeof o === 'object') {
    for (const [k, v] of Object.entries(o)) {
      const key = k === 'stats' || k === 'driver' ? '' : k;
      flattenCounters(v, key === '' ? prefix : prefix ? `${prefix}.${key}` : key, out);
    }
  }
  return out;
}

function globToRegExp(p: string): RegExp {
  return new RegExp(`^${p.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
}

/**
 * nstat's useless_numbers: constants and gauges, not counters — shown with -a only (TcpRtoAlgorithm,
 * TcpRtoMin, TcpRtoMax, TcpMaxConn, TcpCurrEstab).
 */
const USELESS: ReadonlySet<string> = new Set(['tcp.rtoAlgorithm', 'tcp.rtoMin', 'tcp.rtoMax', 'tcp.maxConn', 'tcp.currEstab']);

export async function statCommand(argv: string[], ch: ControlChannel, io: CliIO): Promise<number> {
  let all = false;
  let json = false;
  const patterns: RegExp[] = [];
  const texts: string[] = [];
  for (const a of argv) {
    if (a === '-a' || a === '--all') all = true;
    else if (a === '-j' || a === '--json') json = true;
    else if (a === '-h' || a === '--help') {
      io.out(STAT_USAGE);
      return 0;
    } else if (a.startsWith('-')) {
      io.err(`tapstack stat: unknown option '${a}'\n${STAT_USAGE}`);
      return 2;
    } else {
      patterns.push(globToRegExp(a));
      texts.push(a);
    }
  }
  const r = await ch.call('TS_STAT');
  if (json) {
    io.out(JSON.stringify(r.body, null, 2) + '\n');
    return 0;
  }
  const counters = flattenCounters(r.body);
  // A pattern that names no counter at all is a typo, not a quiet zero: say so (status 1).
  const unmatched = texts.filter((_, i) => !counters.some(([n]) => patterns[i].test(n)));
  if (unmatched.length) {
    for (const t of unmatched) io.err(`tapstack stat: no counter matches '${t}' (tapstack stat -a lists them all)\n`);
    return 1;
  }
  const rows = counters.filter(([n, v]) => (all || (v !== 0 && !USELESS.has(n))) && (patterns.length === 0 || patterns.some((p) => p.test(n))));
  const w = Math.max(24, ...rows.map(([n]) => n.length + 2));
  io.out(rows.map(([n, v]) => `${n.padEnd(w)}${v}\n`).join(''));
  return 0;
}
