// Golden tests of the formatters (src/cli/fmt_*.ts) for the IPv6 side, against text captured from
// Linux 6.18 with iproute2 6.1 by scripts/capture-golden-ipv6.sh (test/golden/meta-ipv6.txt):
// ip -6 neigh in every state (-s, -j, -j -p, nud all, dev, proxy), ip neigh of both families,
// ip -6 ntable (plain, -s, -j), ip -6 monitor neigh and ip monitor neigh of both families,
// /proc/net/stat/ndisc_cache, /proc/net/if_inet6 and /proc/net/snmp6. Each test builds, by hand,
// the snapshots or views that describe the captured state and asserts the formatter's output
// equals the golden file byte for byte.
//
// Documented normalisation (everything else is hard-coded here), as in cli_format.test.ts:
// - Row order is the kernel's hash order, random per capture: fixtures are put in the order in
//   which their addresses appear in the goldens (one order for every listing of the table).
// - Host-dependent numbers — reachable_time, hash_rnd, entries, table statistics, the
//   last_flush/last_rand dates, the snmp6 and stat counts — are read from the goldens (the dates
//   become ages from meta-ipv6.txt's capture time), so only the layout is checked for them.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AF_INET, AF_INET6, formatNeighEvent, formatNeighShow, formatNeighShowJson, neighPassesStateFilter, neighStateFilter } from '../../src/cli/fmt_neigh.js';
import { formatNtable, formatNtableJson } from '../../src/cli/fmt_ntable.js';
import {
  ICMP6_TYPE_NAMES,
  SNMP6_ICMP6_NAMES,
  SNMP6_IP6_NAMES,
  SNMP6_UDP6_NAMES,
  SNMP6_UDPLITE6_NAMES,
  formatProcNetArp,
  formatProcNetIfInet6,
  formatProcNetSnmp6,
  formatProcStatNeigh,
  in6Hex32,
  procIfInet6Line,
  type ProcArpNeigh,
} from '../../src/cli/fmt_proc.js';
import { jsonPretty } from '../../src/cli/ip_args.js';
import type { AddrSnapshot } from '../../src/core/addr_info.js';
import type { NtableParmsView, NtableView } from '../../src/neighbour/tbl_info.js';
import type { NeighSnapshot, NeighStatCounters, PneighSnapshot } from '../../src/neighbour/table.js';
import {
  NTF_EXT_LEARNED,
  NTF_EXT_MANAGED,
  NTF_PROXY,
  NTF_ROUTER,
  NUD_DELAY,
  NUD_FAILED,
  NUD_INCOMPLETE,
  NUD_NOARP,
  NUD_NONE,
  NUD_PERMANENT,
  NUD_PROBE,
  NUD_REACHABLE,
  NUD_STALE,
} from '../../src/neighbour/nud.js';
import { nudStateList } from '../../src/cli/fmt_neigh.js';

const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), '..', 'golden');
const golden = (name: string): string => readFileSync(join(GOLDEN, name), 'utf8');

// ---- the captured table (capture-golden-ipv6.sh, section 1) -------------------------------------

interface Fix {
  state: number;
  lladdr?: string;
  flags?: number;
  extFlags?: number;
  protocol?: number;
  refcnt?: number;
  probes?: number;
  /** Entries not CONNECTED at creation have confirmed = now - 2*base_reachable_time (60 s). */
  old?: boolean;
}

/** ip neigh add/change commands of the capture and what the kernel made of them. */
const TABLE: Record<string, Fix> = {
  'fd00:1::2': { state: NUD_PERMANENT, lladdr: '02:00:00:00:00:02' },
  'fd00:1::3': { state: NUD_REACHABLE, lladdr: '02:00:00:00:00:03', refcnt: 1 },
  'fd00:1::4': { state: NUD_STALE, lladdr: '02:00:00:00:00:04', flags: NTF_ROUTER, old: true },
  'fd00:1::5': { state: NUD_NOARP, lladdr: '02:00:00:00:00:05' },
  'fd00:1::6': { state: NUD_DELAY, lladdr: '02:00:00:00:00:06', refcnt: 1, old: true },
  'fd00:1::7': { state: NUD_PROBE, lladdr: '02:00:00:00:00:07', refcnt: 1, probes: 1, old: true },
  'fd00:1::8': { state: NUD_FAILED, old: true },
  'fd00:1::9': { state: NUD_INCOMPLETE, old: true },
  'fd00:1::a': { state: NUD_PERMANENT, lladdr: '02:00:00:00:00:0a', flags: NTF_EXT_LEARNED },
  'fd00:1::b': { state: NUD_STALE, lladdr: '02:00:00:00:00:0b', protocol: 4, old: true },
  // `ip neigh add fd00:1::c dev d0` failed (No link layer address given) and left this behind.
  'fd00:1::c': { state: NUD_NONE, old: true },
  'fd00:1::d': { state: NUD_PERMANENT, lladdr: '02:00:00:00:00:0d', flags: NTF_ROUTER },
  'fe80::1': { state: NUD_STALE, lladdr: '02:00:00:00:01:01', flags: NTF_ROUTER, old: true },
  'ff02::1:2': { state: NUD_PERMANENT, lladdr: '33:33:00:01:00:02' },
  'fd00:1::20': { state: NUD_INCOMPLETE, refcnt: 1, probes: 4, old: true },
  'fd00:1::21': { state: NUD_INCOMPLETE, flags: NTF_EXT_LEARNED, extFlags: NTF_EXT_MANAGED, refcnt: 1, probes: 4, old: true },
  'fd00:1::99': { state: NUD_REACHABLE, lladdr: '02:00:00:00:00:99', refcnt: 1, probes: 4 },
  // ndisc_constructor's NOARP entries for the multicast groups the host sent to (DAD, NS, MLD).
  'ff02::1:ff00:1': { state: NUD_NOARP, lladdr: '33:33:ff:00:00:01' },
  'ff02::1:ff00:20': { state: NUD_NOARP, lladdr: '33:33:ff:00:00:20' },
  'ff02::1:ff00:21': { state: NUD_NOARP, lladdr: '33:33:ff:00:00:21' },
  'ff02::1:ff00:99': { state: NUD_NOARP, lladdr: '33:33:ff:00:00:99' },
  'ff02::16': { state: NUD_NOARP, lladdr: '33:33:00:00:00:16' },
};

/** Ages just under the second boundaries, so only whole seconds may show. */
function snap(dst: string, f: Fix, family = AF_INET6): NeighSnapshot {
  return {
    family,
    ifindex: 2,
    dev: 'd0',
    dst,
    lladdr: f.lladdr ?? null,
    ha: f.lladdr ?? '00:00:00:00:00:00',
    state: f.state,
    stateNames: nudStateList(f.state),
    flags: f.flags ?? 0,
    extFlags: f.extFlags ?? 0,
    isRouter: ((f.flags ?? 0) & NTF_ROUTER) !== 0,
    probes: f.probes ?? 0,
    refcnt: f.refcnt ?? 0,
    usedMs: 412,
    confirmedMs: f.old ? 60_587 : 398,
    updatedMs: 405,
    dead: false,
    protocol: f.protocol ?? 0,
    type: 1,
  };
}

/** The first word of every line of a text golden: the destinations, in order. */
const firstWords = (text: string): string[] => text.split('\n').filter(Boolean).map((l) => l.split(' ')[0]!);

/** All neighbours in the kernel's dump order (`nud all` lists every one of them). */
const ORDER = firstWords(golden('ip-6-neigh-show-nud-all.txt'));
const NEIGHS = ORDER.map((dst) => snap(dst, TABLE[dst]!));

const PROXIES_BY_DST: Record<string, PneighSnapshot> = {
  'fd00:1::50': { family: AF_INET6, dst: 'fd00:1::50', ifindex: 2, dev: 'd0', flags: NTF_PROXY, protocol: 0, permanent: true },
  'fd00:1::51': { family: AF_INET6, dst: 'fd00:1::51', ifindex: 2, dev: 'd0', flags: NTF_PROXY | NTF_ROUTER, protocol: 0, permanent: true },
  'fd00:1::53': { family: AF_INET6, dst: 'fd00:1::53', ifindex: 2, dev: 'd0', flags: NTF_PROXY, protocol: 4, permanent: true },
};
const PROXIES = firstWords(golden('ip-6-neigh-show-proxy.txt')).map((d) => PROXIES_BY_DST[d]!);

/** The two ARP entries of the capture (10.0.0.2 PERMANENT, 10.0.0.3 STALE), in their dump order. */
const ARP_BY_DST: Record<string, NeighSnapshot> = {
  '10.0.0.2': snap('10.0.0.2', { state: NUD_PERMANENT, lladdr: '02:00:00:00:00:02' }, AF_INET),
  '10.0.0.3': snap('10.0.0.3', { state: NUD_STALE, lladdr: '02:00:00:00:00:03', old: true }, AF_INET),
};
const ARP = firstWords(golden('ip-4-neigh-show.txt')).map((d) => ARP_BY_DST[d]!);

const shown = (entries: NeighSnapshot[], nud: string[] = []): NeighSnapshot[] => {
  const mask = neighStateFilter(nud);
  return entries.filter((n) => neighPassesStateFilter(n, mask));
};

describe('the IPv6 fixture describes the captured table', () => {
  it('has exactly the captured addresses', () => {
    expect([...ORDER].sort()).toEqual(Object.keys(TABLE).sort());
    expect([...PROXIES.map((p) => p.dst)].sort()).toEqual(Object.keys(PROXIES_BY_DST).sort());
    expect(ARP.map((n) => n.dst).sort()).toEqual(['10.0.0.2', '10.0.0.3']);
  });
});

describe('ip -6 neigh (iproute2 6.1)', () => {
  it('ip -6 neigh show, -s, nud all', () => {
    expect(formatNeighShow(shown(NEIGHS))).toBe(golden('ip-6-neigh-show.txt'));
    expect(formatNeighShow(shown(NEIGHS), { stats: true })).toBe(golden('ip-6-s-neigh-show.txt'));
    expect(formatNeighShow(shown(NEIGHS, ['all']))).toBe(golden('ip-6-neigh-show-nud-all.txt'));
  });
  it('ip -6 neigh show dev d0 (dev left out)', () => {
    expect(formatNeighShow(shown(NEIGHS), { hideDev: true })).toBe(golden('ip-6-neigh-show-dev.txt'));
    expect(formatNeighShow(shown(NEIGHS), { hideDev: true, stats: true })).toBe(golden('ip-6-s-neigh-show-dev.txt'));
  });
  it('ip -6 neigh show proxy (with and without -s), -j', () => {
    expect(formatNeighShow(PROXIES)).toBe(golden('ip-6-neigh-show-proxy.txt'));
    expect(formatNeighShow(PROXIES, { stats: true })).toBe(golden('ip-6-s-neigh-show-proxy.txt'));
    expect(formatNeighShowJson(PROXIES)).toBe(golden('ip-6-j-neigh-show-proxy.json'));
  });
  it('ip -6 -j neigh show, -s -j, -s -j -p, nud all', () => {
    expect(formatNeighShowJson(shown(NEIGHS))).toBe(golden('ip-6-j-neigh-show.json'));
    expect(formatNeighShowJson(shown(NEIGHS), { stats: true })).toBe(golden('ip-6-s-j-neigh-show.json'));
    expect(`${jsonPretty(JSON.parse(formatNeighShowJson(shown(NEIGHS), { stats: true })))}\n`).toBe(golden('ip-6-s-j-p-neigh-show.json'));
    expect(formatNeighShowJson(shown(NEIGHS, ['all']))).toBe(golden('ip-6-j-neigh-show-nud-all.json'));
  });
  it('ip neigh show without a family: arp_tbl first, then nd_tbl; -4 only the first', () => {
    expect(formatNeighShow(shown([...ARP, ...NEIGHS]))).toBe(golden('ip-neigh-show-both.txt'));
    expect(formatNeighShowJson(shown([...ARP, ...NEIGHS]))).toBe(golden('ip-j-neigh-show-both.json'));
    expect(formatNeighShow(shown(ARP))).toBe(golden('ip-4-neigh-show.txt'));
  });
  it('/proc/net/arp leaves nd_tbl entries out (arp_seq_show walks arp_tbl)', () => {
    const withFamily = [...ARP, ...NEIGHS] as ProcArpNeigh[];
    expect(formatProcNetArp(withFamily, PROXIES)).toBe(formatProcNetArp(ARP as ProcArpNeigh[]));
  });
});

describe('ip monitor neigh (both families) and ip -6 monitor neigh', () => {
  const ev = (type: 'newneigh' | 'delneigh', dst: string, f: Fix): string =>
    formatNeighEvent({ type, neigh: snap(dst, f, dst.includes(':') ? AF_INET6 : AF_INET) });
  const m40 = '02:00:00:00:00:40';
  const m41 = '02:00:00:00:00:41';
  const m99 = '02:00:00:00:00:99';
  const r = NTF_ROUTER;
  const events: [type: 'newneigh' | 'delneigh', dst: string, f: Fix][] = [
    ['newneigh', '10.0.0.40', { state: NUD_PERMANENT, lladdr: m40 }],
    ['newneigh', 'fd00:1::40', { state: NUD_PERMANENT, lladdr: m40 }],
    ['newneigh', 'fd00:1::41', { state: NUD_STALE, lladdr: m41, flags: r }],
    ['newneigh', 'fd00:1::41', { state: NUD_REACHABLE, lladdr: m41, flags: r }],
    ['newneigh', 'fd00:1::40', { state: NUD_FAILED }],
    ['delneigh', 'fd00:1::40', { state: NUD_FAILED }],
    ['newneigh', '10.0.0.40', { state: NUD_FAILED }],
    ['delneigh', '10.0.0.40', { state: NUD_FAILED }],
    ['newneigh', 'fd00:1::41', { state: NUD_FAILED, flags: r }],
    ['delneigh', 'fd00:1::41', { state: NUD_FAILED, flags: r }],
    // STALE -> DELAY is silent; PROBE and REACHABLE are reported.
    ['newneigh', 'fd00:1::99', { state: NUD_STALE, lladdr: m99 }],
    ['newneigh', 'fd00:1::99', { state: NUD_PROBE, lladdr: m99 }],
    ['newneigh', 'fd00:1::99', { state: NUD_REACHABLE, lladdr: m99 }],
  ];
  it('every event of both tables, in order', () => {
    expect(events.map((e) => ev(...e)).join('')).toBe(golden('ip-monitor-neigh-both.txt'));
  });
  it('-6: only nd_tbl\'s', () => {
    expect(events.filter(([, dst]) => dst.includes(':')).map((e) => ev(...e)).join('')).toBe(golden('ip-6-monitor-neigh.txt'));
  });
});

// ---- ip -6 ntable (section 3 of the capture) -----------------------------------------------------

const META = golden('meta-ipv6.txt');
const CAPTURED_EPOCH_S = Number(/^captured_epoch_s (\d+)$/m.exec(META)![1]);
const S_NTABLE = golden('ip-6-s-ntable-show-name.txt');

/** A number that follows `key ` in a text block. */
function field(block: string, key: string, radix = 10): number {
  const m = new RegExp(`(?:^|\\s)${key} ([0-9a-f]+) `).exec(block);
  if (!m) throw new Error(`no ${key} in ${block}`);
  return parseInt(m[1]!, radix);
}

/** The text blocks of an `ip ntable` golden (one per message), by "dev NAME" or "default". */
function blocks(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const b of text.split('\n\n').filter((x) => x.trim())) {
    out[/^ {4}dev (\S+) $/m.exec(b)?.[1] ?? 'default'] = b;
  }
  return out;
}

/** "YYYY-MM-DD HH:MM:SS" (UTC, meta's tz_offset +0000) → ms before the capture, plus a fraction. */
function dateAgoMs(block: string, key: string): number {
  const m = new RegExp(`${key} (\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d) `).exec(block)!;
  return (CAPTURED_EPOCH_S - Date.parse(`${m[1]!.replace(' ', 'T')}Z`) / 1000) * 1000 + 999;
}

/** nd_tbl's defaults (§1.2 of the reference): ARP's, but locktime 0. */
const ND_PARMS: Omit<NtableParmsView, 'ifindex' | 'dev' | 'refcnt' | 'reachableTime'> = {
  baseReachableTime: 30000, retransTime: 1000, gcStaletime: 60000, delayProbeTime: 5000, queueLen: 101,
  queueLenBytes: 212992, appProbes: 0, ucastProbes: 3, mcastProbes: 3, mcastReprobes: 0, anycastDelay: 1000,
  proxyDelay: 800, proxyQlen: 64, locktime: 0, intervalProbeTimeMs: 5000,
};

function ntableFixture(): NtableView {
  const b = blocks(S_NTABLE);
  const dflt = b.default!;
  return {
    family: AF_INET6, name: 'ndisc_cache', thresh1: 128, thresh2: 512, thresh3: 1024, gcIntervalMs: 30000,
    config: {
      keyLen: 16, entrySize: 344, entries: field(dflt, 'entries'),
      lastFlushAgoMs: dateAgoMs(dflt, 'last_flush'), lastRandAgoMs: dateAgoMs(dflt, 'last_rand'),
      hashRnd: field(dflt, 'hash_rnd'), hashMask: field(dflt, 'hash_mask', 16), hashChainGc: 0, proxyQlen: 0,
    },
    stats: {
      allocs: field(dflt, 'allocs'), destroys: field(dflt, 'destroys'), hashGrows: field(dflt, 'hash_grows'),
      resFailed: field(dflt, 'res_failed'), lookups: field(dflt, 'lookups'), hits: field(dflt, 'hits'),
      rcvProbesMcast: field(dflt, 'rcv_probes_mcast'), rcvProbesUcast: field(dflt, 'rcv_probes_ucast'),
      periodicGcRuns: field(dflt, 'periodic_gc_runs'), forcedGcRuns: field(dflt, 'forced_gc_runs'),
      unresDiscards: 0, tableFulls: field(dflt, 'table_fulls'),
    },
    parms: [
      { ...ND_PARMS, ifindex: 0, dev: null, refcnt: 1, reachableTime: field(dflt, 'reachable') },
      // sysctl net.ipv6.neigh.d0.{app_solicit=1,ucast_solicit=2,gc_stale_time=120}; refcnt as captured.
      {
        ...ND_PARMS, ifindex: 2, dev: 'd0', refcnt: field(b.d0!, 'refcnt'), reachableTime: field(b.d0!, 'reachable'),
        appProbes: 1, ucastProbes: 2, gcStaletime: 120000,
      },
      { ...ND_PARMS, ifindex: 1, dev: 'lo', refcnt: 1, reachableTime: field(b.lo!, 'reachable') },
    ],
  };
}

describe('ip -6 ntable (iproute2 6.1)', () => {
  const views = [ntableFixture()];
  const opts = { nowEpochMs: CAPTURED_EPOCH_S * 1000 + 250, tzOffsetMinutes: 0 };
  it('the golden texts agree with each other on the host-dependent numbers', () => {
    expect(blocks(golden('ip-6-ntable-show-name.txt')).d0).toBe(blocks(S_NTABLE).d0);
    expect(blocks(golden('ip-6-ntable-show-name-dev.txt')).d0).toBe(blocks(S_NTABLE).d0);
  });
  it('ip -6 ntable show name ndisc_cache dev d0, and -j', () => {
    expect(formatNtable(views, { ...opts, name: 'ndisc_cache', dev: 'd0' })).toBe(golden('ip-6-ntable-show-name-dev.txt'));
    expect(formatNtableJson(views, { ...opts, name: 'ndisc_cache', dev: 'd0' })).toBe(golden('ip-6-j-ntable-show-name-dev.json'));
  });
  it('ip ntable show name ndisc_cache: the table message, then each device', () => {
    expect(formatNtable(views, { ...opts, name: 'ndisc_cache' })).toBe(golden('ip-6-ntable-show-name.txt'));
  });
  it('ip -s -6 ntable (key_len 16, entry_size 344, dates, stats) and -s -j', () => {
    expect(formatNtable(views, { ...opts, name: 'ndisc_cache', stats: true })).toBe(S_NTABLE);
    expect(formatNtableJson(views, { ...opts, name: 'ndisc_cache', stats: true })).toBe(golden('ip-6-s-j-ntable-show-name.json'));
  });
});

// ---- procfs (section 3 of the capture) ----------------------------------------------------------

describe('/proc/net/stat/ndisc_cache', () => {
  it('the same layout as arp_cache: one line per CPU, hex columns', () => {
    const text = golden('proc-net-stat-ndisc_cache.txt');
    const lines = text.trimEnd().split('\n').slice(1);
    const keys: (keyof NeighStatCounters)[] = [
      'allocs', 'destroys', 'hashGrows', 'lookups', 'hits', 'resFailed', 'rcvProbesMcast', 'rcvProbesUcast',
      'periodicGcRuns', 'forcedGcRuns', 'unresDiscards', 'tableFulls',
    ];
    const cpus = lines.map((l) => {
      const v = l.trim().split(/\s+/).map((x) => parseInt(x, 16));
      return Object.fromEntries(keys.map((k, i) => [k, v[i + 1]!])) as unknown as NeighStatCounters;
    });
    expect(formatProcStatNeigh(parseInt(lines[0]!.slice(0, 8), 16), cpus)).toBe(text);
  });
});

describe('/proc/net/if_inet6', () => {
  const addr = (local: string, ifindex: number, dev: string, prefixLen: number, scope: string, flags: number): AddrSnapshot => ({
    family: 'inet6', ifindex, dev, local, prefixLen, broadcast: null, scope, label: null, flags, flagWords: [],
    validLft: 0xffffffff, preferredLft: 0xffffffff,
  });
  it('%032x ifindex plen scope flags %8s, as captured (the order is the address hash\'s)', () => {
    const addrs = [
      addr('fd00:1::1', 2, 'd0', 64, 'global', 0x82), // nodad | permanent
      addr('fe80::ff:fe00:1', 2, 'd0', 64, 'link', 0x80),
      addr('::1', 1, 'lo', 128, 'host', 0x80),
    ];
    expect(formatProcNetIfInet6(addrs)).toBe(golden('proc-net-if_inet6.txt'));
  });
  it('only IPv6 addresses; flags above the low byte are dropped; long names are not cut', () => {
    expect(formatProcNetIfInet6([{ ...addr('10.0.0.1', 2, 'd0', 24, 'global', 0x80), family: 'inet' }])).toBe('');
    expect(procIfInet6Line(addr('2001:db8::1', 300, 'a-long-name0', 48, 'site', 0x240))).toBe(
      '20010db8000000000000000000000001 12c 30 40 40 a-long-name0\n',
    );
    expect(in6Hex32('::ffff:10.0.0.1')).toBe('00000000000000000000ffff0a000001');
  });
});

describe('/proc/net/snmp6', () => {
  const text = golden('proc-net-snmp6.txt');
  const values = new Map(text.trimEnd().split('\n').map((l) => {
    const [name, v] = l.split('\t');
    return [name!.trimEnd(), Number(v)] as const;
  }));
  const group = (prefix: string, names: readonly string[]): Record<string, number> =>
    Object.fromEntries(names.map((n) => [n[0]!.toLowerCase() + n.slice(1), values.get(`${prefix}${n}`)!]));
  const types = (dir: 'In' | 'Out'): number[] => {
    const t = new Array<number>(256).fill(0);
    for (const [name, v] of values) {
      const m = new RegExp(`^Icmp6${dir}Type(\\d+)$`).exec(name);
      if (m) t[Number(m[1])] = v;
    }
    return t;
  };
  it('"%-32s\\t%lu" lines: Ip6, Icmp6, the named per-type counters, InTypeN/OutTypeN when non-zero, Udp6, UdpLite6', () => {
    const c = {
      ip6: group('Ip6', SNMP6_IP6_NAMES), icmp6: group('Icmp6', SNMP6_ICMP6_NAMES), inType: types('In'), outType: types('Out'),
      udp6: group('Udp6', SNMP6_UDP6_NAMES), udpLite6: group('UdpLite6', SNMP6_UDPLITE6_NAMES),
    };
    expect(formatProcNetSnmp6(c)).toBe(text);
  });
  it('the named per-type lines come from the per-type counters (they agree in the capture)', () => {
    for (const [t, n] of ICMP6_TYPE_NAMES) {
      expect(values.get(`Icmp6In${n}`), n).toBe(types('In')[t]);
      expect(values.get(`Icmp6Out${n}`), n).toBe(types('Out')[t]);
    }
  });
  it('a counter a group lacks reads 0; without udp6 the Udp6 and UdpLite6 lines are left out', () => {
    const s = formatProcNetSnmp6({ ip6: { inReceives: 3 }, icmp6: {}, inType: [], outType: [] });
    expect(s.split('\n')[0]).toBe(`${'Ip6InReceives'.padEnd(32)}\t3`);
    expect(s).toContain(`${'Ip6OutTransmits'.padEnd(32)}\t0\n`);
    expect(s).not.toContain('Udp6');
    expect(s).not.toMatch(/Type\d/);
    expect(s.trimEnd().split('\n')).toHaveLength(SNMP6_IP6_NAMES.length + SNMP6_ICMP6_NAMES.length + 2 * ICMP6_TYPE_NAMES.length);
  });
});
