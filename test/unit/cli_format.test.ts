// Golden tests of the output formatters (src/cli/fmt_*.ts) against text captured from the real
// kernel and tools by scripts/capture-golden.sh (iproute2 6.1, net-tools 2.10; see
// test/golden/meta.txt). Each test builds, by hand, the snapshots or views that describe the
// captured table and asserts the formatter's output equals the golden file byte for byte.
//
// Documented normalisation (everything else is hard-coded here):
// - Row order is the kernel's hash order, random per capture: fixtures are put in the order in
//   which their addresses appear in the goldens (one order for every listing of the table, so a
//   filter that drops or adds a row is still caught).
// - Host-dependent numbers of `ip ntable` and /proc/net/stat/arp_cache — reachable_time, hash_rnd,
//   hash_mask, entries, the table statistics and the last_flush/last_rand dates — are read from the
//   golden (the ARP table and its statistics are shared with the host); the dates become ages in
//   ms from meta.txt's capture time, so the date arithmetic and layout are still checked.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  AF_INET6,
  formatNeighEvent,
  formatNeighLine,
  formatNeighShow,
  formatNeighShowJson,
  neighFlagWords,
  neighPassesStateFilter,
  neighStateFilter,
  nudStateFromArg,
  nudStateList,
  nudStateName,
  rtprotName,
} from '../../src/cli/fmt_neigh.js';
import { formatArpBsd, formatArpTable } from '../../src/cli/fmt_nettools.js';
import { formatNtable, formatNtableJson, ntableStrtimeDelta } from '../../src/cli/fmt_ntable.js';
import { ntableView, type NtableParmsView, type NtableStatsView, type NtableView } from '../../src/neighbour/tbl_info.js';
import {
  formatProcNetArp,
  formatProcStatArpCache,
  procArpRows,
  type ProcArpNeigh,
} from '../../src/cli/fmt_proc.js';
import type { NeighStatCounters } from '../../src/neighbour/table.js';
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
import type { NeighSnapshot, PneighSnapshot } from '../../src/neighbour/table.js';
import { NeighHarness, ip, mac } from '../helpers/neigh_fake.js';

const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), '..', 'golden');
const golden = (name: string): string => readFileSync(join(GOLDEN, name), 'utf8');

// ---- the captured table (scripts/capture-golden.sh, section 1) ------------------------------------

const D0 = { family: AF_INET, ifindex: 2, dev: 'd0' };

interface Fix {
  state: number;
  lladdr?: string;
  /** n->ha when it differs from lladdr (an invalid entry keeps its last MAC). */
  ha?: string;
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
  '10.0.0.2': { state: NUD_PERMANENT, lladdr: '02:00:00:00:00:02' },
  '10.0.0.3': { state: NUD_REACHABLE, lladdr: '02:00:00:00:00:03', refcnt: 1 },
  '10.0.0.4': { state: NUD_STALE, lladdr: '02:00:00:00:00:04', flags: NTF_ROUTER, old: true },
  '10.0.0.5': { state: NUD_NOARP, lladdr: '02:00:00:00:00:05' },
  '10.0.0.6': { state: NUD_DELAY, lladdr: '02:00:00:00:00:06', refcnt: 1, old: true },
  '10.0.0.7': { state: NUD_PROBE, lladdr: '02:00:00:00:00:07', refcnt: 1, probes: 1, old: true },
  '10.0.0.8': { state: NUD_FAILED, old: true },
  '10.0.0.9': { state: NUD_INCOMPLETE, old: true },
  '10.0.0.10': { state: NUD_PERMANENT, lladdr: '02:00:00:00:00:0a', flags: NTF_EXT_LEARNED },
  '10.0.0.11': { state: NUD_STALE, lladdr: '02:00:00:00:00:0b', protocol: 4, old: true },
  '10.0.0.12': { state: NUD_NONE, ha: '02:00:00:00:00:0c', old: true },
  '10.0.0.13': { state: NUD_PERMANENT, lladdr: '02:00:00:00:00:0d', flags: NTF_ROUTER },
  '10.0.0.14': { state: NUD_NOARP, lladdr: '02:00:00:00:00:0e', flags: NTF_EXT_LEARNED },
  '10.0.0.15': { state: NUD_FAILED, ha: '02:00:00:00:00:0f' },
  '10.0.0.16': { state: NUD_STALE, lladdr: '02:00:00:00:00:10', protocol: 77, old: true },
  '10.0.0.17': { state: NUD_STALE, lladdr: '02:00:00:00:00:11', flags: NTF_ROUTER | NTF_EXT_LEARNED, old: true },
  '10.0.0.20': { state: NUD_INCOMPLETE, refcnt: 1, probes: 4, old: true },
  '10.0.0.21': {
    state: NUD_INCOMPLETE, flags: NTF_EXT_LEARNED, extFlags: NTF_EXT_MANAGED, refcnt: 1, probes: 4, old: true,
  },
  '10.0.0.99': { state: NUD_REACHABLE, lladdr: '02:00:00:00:00:99', refcnt: 1, probes: 4 },
};

/** Ages just under the second boundaries, so only whole seconds may show. */
function snap(dst: string, f: Fix): NeighSnapshot {
  return {
    ...D0,
    dst,
    lladdr: f.lladdr ?? null,
    // n->ha: the last known MAC whatever the state (a FAILED entry keeps it), else zeros.
    ha: f.ha ?? f.lladdr ?? '00:00:00:00:00:00',
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

/** Every IPv4 address of a text golden, one per line, in order. */
function addrOrder(text: string): string[] {
  return text.split('\n').flatMap((l) => /\b(\d+\.\d+\.\d+\.\d+)\b/.exec(l)?.[1] ?? []);
}

/** All neighbours in the kernel's dump order (`nud all` lists every one of them). */
const ORDER = addrOrder(golden('ip-neigh-show-nud-all.txt'));
const NEIGHS = ORDER.map((dst) => snap(dst, TABLE[dst]!));

const PROXIES_BY_DST: Record<string, PneighSnapshot> = {
  '10.0.0.50': { family: AF_INET, dst: '10.0.0.50', ifindex: 2, dev: 'd0', flags: NTF_PROXY, protocol: 0, permanent: true },
  '10.0.0.51': { family: AF_INET, dst: '10.0.0.51', ifindex: 0, dev: null, flags: NTF_PROXY, protocol: 0, permanent: true },
  '10.0.0.52': { family: AF_INET, dst: '10.0.0.52', ifindex: 2, dev: 'd0', flags: NTF_PROXY | NTF_ROUTER, protocol: 0, permanent: true },
  '10.0.0.53': { family: AF_INET, dst: '10.0.0.53', ifindex: 2, dev: 'd0', flags: NTF_PROXY, protocol: 4, permanent: true },
};
const PROXIES = addrOrder(golden('ip-neigh-show-proxy.txt')).map((d) => PROXIES_BY_DST[d]!);

const shown = (nud: string[] = []): NeighSnapshot[] => {
  const mask = neighStateFilter(nud);
  return NEIGHS.filter((n) => neighPassesStateFilter(n, mask));
};

describe('the fixture describes the captured table', () => {
  it('has exactly the captured addresses', () => {
    expect([...ORDER].sort()).toEqual(Object.keys(TABLE).sort());
    expect([...PROXIES.map((p) => p.dst)].sort()).toEqual(Object.keys(PROXIES_BY_DST).sort());
  });
});

describe('ip neigh (iproute2 6.1)', () => {
  it('ip neigh show', () => {
    expect(formatNeighShow(shown())).toBe(golden('ip-neigh-show.txt'));
  });
  it('ip -s neigh show', () => {
    expect(formatNeighShow(shown(), { stats: true })).toBe(golden('ip-s-neigh-show.txt'));
  });
  it('ip neigh show nud all', () => {
    expect(formatNeighShow(shown(['all']))).toBe(golden('ip-neigh-show-nud-all.txt'));
  });
  it('ip neigh show dev d0 (dev left out)', () => {
    expect(formatNeighShow(shown(), { hideDev: true })).toBe(golden('ip-neigh-show-dev.txt'));
    expect(formatNeighShow(shown(), { hideDev: true, stats: true })).toBe(golden('ip-s-neigh-show-dev.txt'));
  });
  it('ip neigh show proxy (with and without -s)', () => {
    expect(formatNeighShow(PROXIES)).toBe(golden('ip-neigh-show-proxy.txt'));
    expect(formatNeighShow(PROXIES, { stats: true })).toBe(golden('ip-s-neigh-show-proxy.txt'));
  });
  it('an empty listing', () => {
    expect(formatNeighShow([])).toBe(golden('ip-neigh-show-empty.txt'));
    expect(formatNeighShowJson([])).toBe(golden('ip-j-neigh-show-empty.json'));
  });
  it('ip -j neigh show, ip -s -j, nud all, proxy', () => {
    expect(formatNeighShowJson(shown())).toBe(golden('ip-j-neigh-show.json'));
    expect(formatNeighShowJson(shown(), { stats: true })).toBe(golden('ip-s-j-neigh-show.json'));
    expect(formatNeighShowJson(shown(['all']))).toBe(golden('ip-j-neigh-show-nud-all.json'));
    expect(formatNeighShowJson(PROXIES)).toBe(golden('ip-j-neigh-show-proxy.json'));
  });
});

describe('ip monitor neigh', () => {
  it('reproduces the captured event stream, with "Deleted " and "miss " lines', () => {
    const ev = (type: 'newneigh' | 'delneigh' | 'miss', dst: string, f: Fix): string =>
      formatNeighEvent({ type, neigh: snap(dst, f) });
    const m40 = '02:00:00:00:00:40';
    const m41 = '02:00:00:00:00:41';
    const m99 = '02:00:00:00:00:99';
    const lines = [
      ev('newneigh', '10.0.0.40', { state: NUD_PERMANENT, lladdr: m40 }),
      ev('newneigh', '10.0.0.41', { state: NUD_STALE, lladdr: m41, flags: NTF_ROUTER }),
      ev('newneigh', '10.0.0.41', { state: NUD_REACHABLE, lladdr: m41, flags: NTF_ROUTER }),
      ev('newneigh', '10.0.0.40', { state: NUD_FAILED }),
      ev('delneigh', '10.0.0.40', { state: NUD_FAILED }),
      ev('newneigh', '10.0.0.41', { state: NUD_FAILED, flags: NTF_ROUTER }),
      ev('delneigh', '10.0.0.41', { state: NUD_FAILED, flags: NTF_ROUTER }),
      ev('newneigh', '10.0.0.99', { state: NUD_STALE, lladdr: m99 }),
      ev('newneigh', '10.0.0.99', { state: NUD_PROBE, lladdr: m99 }),
      ev('newneigh', '10.0.0.99', { state: NUD_REACHABLE, lladdr: m99 }),
      ev('miss', '10.0.0.30', { state: NUD_INCOMPLETE }),
      ev('newneigh', '10.0.0.30', { state: NUD_FAILED }),
    ];
    expect(lines.join('')).toBe(golden('ip-monitor-neigh.txt'));
  });
  it('formatNeighLine kinds', () => {
    const n = snap('10.0.0.9', { state: NUD_FAILED });
    expect(formatNeighLine(n, {}, 'deleted')).toBe('Deleted 10.0.0.9 dev d0 FAILED \n');
    expect(formatNeighLine(n, {}, 'miss')).toBe('miss 10.0.0.9 dev d0 FAILED \n');
  });
});

describe('net-tools arp (2.10) and /proc/net/arp', () => {
  const rows = procArpRows(NEIGHS as ProcArpNeigh[], PROXIES);
  it('/proc/net/arp (NONE and NOARP-only rows skipped; a FAILED entry shows its old ha)', () => {
    expect(formatProcNetArp(NEIGHS as ProcArpNeigh[], PROXIES)).toBe(golden('proc-net-arp.txt'));
  });
  it('arp -n', () => {
    expect(formatArpTable(rows, { numeric: true })).toBe(golden('arp-n.txt'));
  });
  it('arp -an and arp -a (no names resolve)', () => {
    expect(formatArpBsd(rows, { numeric: true })).toBe(golden('arp-an.txt'));
    expect(formatArpBsd(rows, { resolve: () => null })).toBe(golden('arp-a.txt'));
  });
  it('filters and messages', () => {
    expect(formatArpTable([])).toBe('');
    expect(formatArpTable(rows, { dev: 'nope' })).toBe(`arp: in ${rows.length} entries no match found.\n`);
    expect(formatArpTable(rows, { host: '10.9.9.9' })).toBe('10.9.9.9 (10.9.9.9) -- no entry\n');
    expect(formatArpBsd(rows, { host: '10.0.0.2' })).toBe('? (10.0.0.2) at 02:00:00:00:00:02 [ether] PERM on d0\n');
    expect(formatArpBsd(rows, { resolve: (a) => (a === '10.0.0.2' ? 'gw' : null), host: '10.0.0.2' }))
      .toBe('gw (10.0.0.2) at 02:00:00:00:00:02 [ether] PERM on d0\n');
    expect(formatArpTable(rows, { resolve: () => 'a-very-long-host-name-indeed.example', host: '10.0.0.2' }))
      .toBe(golden('arp-n.txt').split('\n')[0] + '\n' +
        'a-very-long-host-name-i  ether   02:00:00:00:00:02   CM                    d0\n');
  });
});

// ---- ip ntable (section 2 of the capture) ---------------------------------------------------------

const META = golden('meta.txt');
const CAPTURED_EPOCH_S = Number(/^captured_epoch_s (\d+)$/m.exec(META)![1]);
const S_NTABLE = golden('ip-s-ntable-show-name.txt');

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
    const fam = b.split(' ')[0]!;
    const dev = /^ {4}dev (\S+) $/m.exec(b)?.[1] ?? 'default';
    out[`${fam}/${dev}`] = b;
  }
  return out;
}

/** "YYYY-MM-DD HH:MM:SS" (UTC, meta's tz_offset +0000) → ms before the capture, plus a fraction. */
function dateAgoMs(block: string, key: string): number {
  const m = new RegExp(`${key} (\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d) `).exec(block)!;
  const t = Date.parse(`${m[1]!.replace(' ', 'T')}Z`) / 1000;
  return (CAPTURED_EPOCH_S - t) * 1000 + 999;
}

const ARP_PARMS: Omit<NtableParmsView, 'ifindex' | 'dev' | 'refcnt' | 'reachableTime'> = {
  baseReachableTime: 30000, retransTime: 1000, gcStaletime: 60000, delayProbeTime: 5000, queueLen: 101,
  queueLenBytes: 212992, appProbes: 0, ucastProbes: 3, mcastProbes: 3, mcastReprobes: 0, anycastDelay: 1000,
  proxyDelay: 800, proxyQlen: 64, locktime: 1000, intervalProbeTimeMs: 5000,
};

function ntableFixture(): NtableView[] {
  const b = blocks(S_NTABLE);
  const dflt = b['inet/default']!;
  const d0: NtableParmsView = {
    ...ARP_PARMS, ifindex: 2, dev: 'd0', refcnt: 3, reachableTime: field(b['inet/d0']!, 'reachable'),
    // sysctl app_solicit=1 ucast_solicit=2 gc_stale_time=120 on d0
    appProbes: 1, ucastProbes: 2, gcStaletime: 120000,
  };
  const stats: NtableStatsView = {
    allocs: field(dflt, 'allocs'), destroys: field(dflt, 'destroys'), hashGrows: field(dflt, 'hash_grows'),
    resFailed: field(dflt, 'res_failed'), lookups: field(dflt, 'lookups'), hits: field(dflt, 'hits'),
    rcvProbesMcast: field(dflt, 'rcv_probes_mcast'), rcvProbesUcast: field(dflt, 'rcv_probes_ucast'),
    periodicGcRuns: field(dflt, 'periodic_gc_runs'), forcedGcRuns: field(dflt, 'forced_gc_runs'),
    unresDiscards: 0, tableFulls: field(dflt, 'table_fulls'),
  };
  const arp: NtableView = {
    family: AF_INET, name: 'arp_cache', thresh1: 128, thresh2: 512, thresh3: 1024, gcIntervalMs: 30000,
    config: {
      keyLen: 4, entrySize: 336, entries: field(dflt, 'entries'),
      lastFlushAgoMs: dateAgoMs(dflt, 'last_flush'), lastRandAgoMs: dateAgoMs(dflt, 'last_rand'),
      hashRnd: field(dflt, 'hash_rnd'), hashMask: field(dflt, 'hash_mask', 16), hashChainGc: 0, proxyQlen: 0,
    },
    stats,
    parms: [
      { ...ARP_PARMS, ifindex: 0, dev: null, refcnt: 1, reachableTime: field(dflt, 'reachable') },
      d0,
      { ...ARP_PARMS, ifindex: 1, dev: 'lo', refcnt: 1, reachableTime: field(b['inet/lo']!, 'reachable') },
    ],
  };
  const nd = blocks(golden('ip-ntable-show-dev.txt'))['inet6/d0']!;
  const ndisc: NtableView = {
    ...arp, family: AF_INET6, name: 'ndisc_cache',
    parms: [
      { ...ARP_PARMS, ifindex: 0, dev: null, refcnt: 1, reachableTime: 30000, locktime: 0 },
      { ...ARP_PARMS, ifindex: 2, dev: 'd0', refcnt: 1, reachableTime: field(nd, 'reachable'), locktime: 0 },
    ],
  };
  return [arp, ndisc];
}

describe('ip ntable (iproute2 6.1)', () => {
  const views = ntableFixture();
  const opts = { nowEpochMs: CAPTURED_EPOCH_S * 1000 + 250, tzOffsetMinutes: 0 };
  it('the golden texts agree with each other on the host-dependent numbers', () => {
    // reachable_time is read from the -s golden: the plain listing must show the same values.
    expect(blocks(golden('ip-ntable-show-name.txt'))['inet/d0']).toBe(blocks(S_NTABLE)['inet/d0']);
  });
  it('ip ntable show name arp_cache', () => {
    expect(formatNtable(views, { ...opts, name: 'arp_cache' })).toBe(golden('ip-ntable-show-name.txt'));
  });
  it('ip -s ntable show name arp_cache (config, dates, stats, table_fulls)', () => {
    expect(formatNtable(views, { ...opts, name: 'arp_cache', stats: true })).toBe(S_NTABLE);
  });
  it('ip ntable show dev d0 (every table)', () => {
    expect(formatNtable(views, { ...opts, dev: 'd0' })).toBe(golden('ip-ntable-show-dev.txt'));
  });
  it('ip -j ntable and ip -s -j ntable', () => {
    expect(formatNtableJson(views, { ...opts, name: 'arp_cache' })).toBe(golden('ip-j-ntable-show-name.json'));
    expect(formatNtableJson(views, { ...opts, name: 'arp_cache', stats: true }))
      .toBe(golden('ip-s-j-ntable-show-name.json'));
  });
  it('dev none, and the newer mcast_reprobes word', () => {
    const t = formatNtable(views, { ...opts, name: 'arp_cache', dev: 'none' });
    expect(t).toBe(golden('ip-ntable-show-name.txt').split('\n\n')[0] + '\n\n');
    expect(formatNtable(views, { ...opts, name: 'arp_cache', dev: 'none', mcastReprobes: true }))
      .toContain('    app_probes 0 ucast_probes 3 mcast_probes 3 mcast_reprobes 0 \n');
  });
  it('ntable_strtime_delta: u32 ages, whole seconds', () => {
    const now = Date.UTC(2026, 10, 23, 11, 0, 0, 700);
    expect(ntableStrtimeDelta(1999, now, 0)).toBe('2026-11-23 10:59:59');
    // -1000 ms is 0xfffffc18 as a u32: 4294966 s = 49 d 17:02:46 ago.
    expect(ntableStrtimeDelta(-1000, now, 0)).toBe('2026-10-04 17:57:14');
    expect(ntableStrtimeDelta(0, now, 120)).toBe('2026-11-23 13:00:00');
  });
});

describe('/proc/net/stat/arp_cache', () => {
  it('one line per CPU, hex columns', () => {
    const text = golden('proc-net-stat-arp_cache.txt');
    const lines = text.trimEnd().split('\n').slice(1);
    const keys: (keyof NeighStatCounters)[] = [
      'allocs', 'destroys', 'hashGrows', 'lookups', 'hits', 'resFailed', 'rcvProbesMcast', 'rcvProbesUcast',
      'periodicGcRuns', 'forcedGcRuns', 'unresDiscards', 'tableFulls',
    ];
    const cpus = lines.map((l) => {
      const v = l.trim().split(/\s+/).map((x) => parseInt(x, 16));
      return Object.fromEntries(keys.map((k, i) => [k, v[i + 1]!])) as unknown as NeighStatCounters;
    });
    const entries = parseInt(lines[0]!.slice(0, 8), 16);
    expect(formatProcStatArpCache(entries, cpus)).toBe(text);
  });
});

// ---- helpers and the table adapters -------------------------------------------------------------

describe('state and flag words', () => {
  it('nudStateName / nudStateList in iproute2 order, NONE prints nothing', () => {
    expect(nudStateList(NUD_NONE)).toEqual([]);
    expect(nudStateName(NUD_NONE)).toBe('');
    expect(nudStateName(NUD_PERMANENT | NUD_STALE)).toBe('STALE PERMANENT');
    expect(neighFlagWords(NTF_ROUTER | NTF_PROXY | NTF_EXT_LEARNED | 0x20, NTF_EXT_MANAGED))
      .toEqual(['router', 'proxy', 'managed', 'extern_learn', 'offload']);
    expect(rtprotName(4)).toBe('static');
    expect(rtprotName(77)).toBe('77');
  });
  it('nud arguments and the show filter', () => {
    expect(nudStateFromArg('perm')).toBe(NUD_PERMANENT);
    expect(nudStateFromArg('stal')).toBeNull();
    expect(nudStateFromArg('0x10')).toBe(NUD_PROBE);
    expect(nudStateFromArg('3')).toBeNull();
    expect(() => neighStateFilter(['bogus'])).toThrow(/nud state is bad/);
    const none = snap('10.0.0.12', TABLE['10.0.0.12']!);
    expect(neighPassesStateFilter(none, neighStateFilter([]))).toBe(false);
    expect(neighPassesStateFilter(none, neighStateFilter(['none']))).toBe(true);
    expect(neighPassesStateFilter(none, neighStateFilter(['stale']))).toBe(false);
  });
});

describe('from a live NeighTable', () => {
  it('snapshots and proxy snapshots format like the kernel', () => {
    const h = new NeighHarness();
    h.clock.advance(5000);
    expect(h.tbl.neighAdd(ip('10.0.0.2'), h.dev, {
      state: NUD_PERMANENT, lladdr: mac('02:00:00:00:00:02'), flags: NTF_ROUTER, create: true, excl: true,
    })).toBe(0);
    expect(h.tbl.neighAdd(ip('10.0.0.5'), null, { state: NUD_PERMANENT, flags: NTF_PROXY, create: true })).toBe(0);
    h.clock.advance(2500);
    const snaps = h.tbl.list().map((n) => h.tbl.snapshot(n));
    expect(formatNeighShow(snaps, { stats: true }))
      .toBe('10.0.0.2 dev eth0 lladdr 02:00:00:00:00:02 router  used 2/2/2probes 0 PERMANENT \n');
    const proxies: PneighSnapshot[] = [];
    h.tbl.pneighForEach((pn) => proxies.push(h.tbl.pneighSnapshot(pn)));
    expect(formatNeighShow(proxies)).toBe('10.0.0.5 proxy \n');
    expect(formatProcNetArp(snaps, proxies).split('\n').slice(1)).toEqual([
      '10.0.0.2         0x1         0x6         02:00:00:00:00:02     *        eth0',
      '10.0.0.5         0x0         0xc         00:00:00:00:00:00     *        *',
      '',
    ]);
  });
  it('ntableView', () => {
    const h = new NeighHarness();
    h.tbl.parmsAlloc(h.dev);
    h.tbl.parmsAlloc(h.dev2).set('appProbes', 2);
    h.clock.advance(1234);
    const v = ntableView(h.tbl, h.clock.now());
    expect(v.parms.map((p) => p.dev)).toEqual([null, 'eth1', 'eth0']);
    expect(v.config.hashMask).toBe(h.tbl.hashBuckets - 1);
    expect(v.config.lastFlushAgoMs).toBe(1234);
    // last_rand lies in the future at start (now + 20 * reachable_time): the u32 age wraps.
    expect(v.config.lastRandAgoMs).toBe((1234 - 20 * h.tbl.parms.reachableTime) >>> 0);
    expect(JSON.parse(JSON.stringify(v))).toEqual(v);
    const text = formatNtable([v], { dev: 'eth1' });
    expect(text).toBe(
      'inet fake_cache \n' +
        '    dev eth1 \n' +
        `    refcnt 1 reachable ${v.parms[1]!.reachableTime} base_reachable 30000 retrans 1000 \n` +
        '    gc_stale 60000 delay_probe 5000 queue 101 \n' +
        '    app_probes 2 ucast_probes 3 mcast_probes 3 \n' +
        '    anycast_delay 1000 proxy_delay 800 proxy_queue 64 locktime 1000 \n\n',
    );
  });
});
