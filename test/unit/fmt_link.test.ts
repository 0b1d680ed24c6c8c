// `ip -d link` / `ip -s [-s] link` / `ip -d -s addr` formatting (src/cli/fmt_link.ts) against
// iproute2 6.1's output for a Linux 6.18 TAP (test/golden/ip-link, scripts/capture-golden-ip-link.sh):
// the lines after the link line, byte for byte, and the JSON keys from link_type on. The link line
// itself differs on purpose (a tapstack link has no qdisc or qlen, and is UP, not UNKNOWN).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatLinkDetails, formatLinkStats, linkDetailsJson, linkStatsJson } from '../../src/cli/fmt_link.js';
import { formatAddrLinkLine, formatAddrLinkStats } from '../../src/cli/ip_addr.js';
import type { LinkInfo } from '../../src/stack.js';

const GOLDEN = join(__dirname, '..', 'golden', 'ip-link');
const golden = (f: string): string => readFileSync(join(GOLDEN, f), 'utf8');

/** The counters the goldens show (read from s-link.txt: RX and TX bytes, packets, errors, dropped). */
function goldenStats(): LinkInfo['stats'] {
  const lines = golden('s-link.txt').split('\n');
  const [rxBytes, rxPackets, rxErrors, rxDropped] = lines[3].trim().split(/\s+/).map(Number);
  const [txBytes, txPackets, txErrors, txDropped] = lines[5].trim().split(/\s+/).map(Number);
  return { rxBytes, rxPackets, rxErrors, rxDropped, txBytes, txPackets, txErrors, txDropped, carrierChanges: 0 };
}

function link(over: Partial<LinkInfo['details']> = {}, stats = goldenStats()): LinkInfo {
  return {
    ifindex: 2, name: 'tap0', address: '02:00:00:00:00:01', mtu: 1500, up: true, noarp: false, carrier: true, addrs: [], addrs6: [],
    details: {
      promiscuity: 0, allmulti: 0, minMtu: 68, maxMtu: 65521,
      tun: { type: 'tap', pi: false, vnetHdr: true, persist: false },
      addrGenMode: 'eui64', numTxQueues: 1, numRxQueues: 1, gsoMaxSize: 65536, gsoMaxSegs: 65535, tsoMaxSize: 65536, tsoMaxSegs: 65535, groMaxSize: 65536,
      ...over,
    },
    stats,
  };
}

/** What follows the link line: `    link/ether ... brd ...` then details and stats, as linkShow builds it. */
const afterLinkLine = (l: LinkInfo, o: { details?: boolean; stats?: number; sl?: string }): string => {
  const sl = o.sl ?? '\n';
  let out = `    link/ether ${l.address} brd ff:ff:ff:ff:ff:ff`;
  if (o.details) out += formatLinkDetails(l, sl, true);
  if (o.stats) out += formatLinkStats(l, o.stats, sl);
  return `${out}\n`;
};
const tail = (text: string, sep = '\n'): string => text.slice(text.indexOf(sep) + sep.length);

describe('ip link, as iproute2 6.1 prints a TAP (goldens)', () => {
  it('-d: promiscuity … gro_max_size, the tun attributes and addrgenmode', () => {
    expect(afterLinkLine(link(), { details: true })).toBe(tail(golden('d-link.txt')));
  });
  it('-d of a persistent TAP without the virtio-net header', () => {
    const l = link({ tun: { type: 'tap', pi: false, vnetHdr: false, persist: true } });
    expect(afterLinkLine({ ...l, address: '02:00:00:00:00:11' }, { details: true })).toBe(tail(golden('d-link-persist.txt')));
  });
  it('-s and -s -s', () => {
    expect(afterLinkLine(link(), { stats: 1 })).toBe(tail(golden('s-link.txt')));
    expect(afterLinkLine(link(), { stats: 2 })).toBe(tail(golden('ss-link.txt')));
  });
  it('-d -s -o: one line, `\\` for each line break', () => {
    expect(afterLinkLine(link(), { details: true, stats: 1, sl: '\\' })).toBe(tail(golden('dso-link.txt'), '\\'));
  });
  it('-j with -d, -s and -s -s: the keys from link_type on', () => {
    const fromLinkType = (f: string): Record<string, unknown> => {
      const o = JSON.parse(golden(f))[0] as Record<string, unknown>;
      const keys = Object.keys(o);
      return Object.fromEntries(keys.slice(keys.indexOf('broadcast') + 1).map((k) => [k, o[k]]));
    };
    expect(linkDetailsJson(link(), true)).toEqual(fromLinkType('dj-link.json'));
    expect(Object.keys(linkDetailsJson(link(), true))).toEqual(Object.keys(fromLinkType('dj-link.json')));
    expect(linkStatsJson(link(), 1)).toEqual(fromLinkType('sj-link.json'));
    expect(JSON.stringify(linkStatsJson(link(), 2))).toBe(JSON.stringify(fromLinkType('ssj-link.json')));
  });
});

describe('ip addr with -d and -s, as iproute2 6.1 prints a TAP (goldens)', () => {
  it('-d -s: the details in the link/ether line (no addrgenmode: that is `ip link` only), counters after the addresses', () => {
    const g = golden('ds-addr.txt').split('\n');
    const o = { details: true, stats: 1 };
    const head = formatAddrLinkLine(link(), o).split('\n');
    expect(head.slice(1, 3)).toEqual(g.slice(1, 3));
    expect(formatAddrLinkStats(link(), o)).toBe(`${g.slice(-5).join('\n')}`);
  });
  it('-4 -d: the link/ether line stays under a family filter', () => {
    const g = golden('4d-addr.txt').split('\n');
    expect(formatAddrLinkLine(link(), { family: 2, details: true }).split('\n').slice(1, 3)).toEqual(g.slice(1, 3));
  });
  it('-6 -d without a device (addrconf link messages): link/ether without brd, no details; no counters', () => {
    expect(formatAddrLinkLine(link(), { family: 10, variant: 'inet6', details: true })).toBe('1: tap0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP \n    link/ether 02:00:00:00:00:01\n'.replace('1:', '2:'));
    expect(formatAddrLinkStats(link(), { family: 10, variant: 'inet6', stats: 1 })).toBe('');
  });
});

describe('size_columns', () => {
  it('widens a column to its value, counting an exact power of ten one digit short as iproute2 does', () => {
    const s = { ...goldenStats(), rxBytes: 123456789012, rxPackets: 10000000, txPackets: 99999999, rxDropped: 0, rxErrors: 0, carrierChanges: 3 };
    const out = formatLinkStats(link({}, s), 2, '\n');
    const lines = out.split('\n');
    // bytes: 12 digits > 10; packets: 10^7 counts as 7 digits (no widening), 99999999 as 8.
    expect(lines[1]).toBe('    RX:    bytes  packets errors dropped  missed   mcast           ');
    expect(lines[2]).toBe('    123456789012 10000000      0       0       0       0 ');
    // "RX errors:" + (cols[0] − 10 = 2) + " " + "length" in 8.
    expect(lines[3]).toBe(`    RX errors:${' '.repeat(3)}  length    crc   frame    fifo overrun`);
    expect(lines[7]).toBe(`    TX errors:${' '.repeat(3)} aborted   fifo  window heartbt transns`);
    expect(lines[8]).toBe(`    ${' '.repeat(13)}       0      0       0       0       3 `);
  });
});
