// ip_forward(): a router stack R between hosts A (10.0.0.0/24) and C (10.1.0.0/24) on in-memory pairs;
// and the same net numbered from 128.0.0.0 up (192.168.7.0/24, 172.16.0.0/24), addresses the
// per-packet paths hand on signed so that V8 does not box them (the local-address sets,
// ip_finish_output2's next hop through NeighTable.lookupNorefInt, the header writer): every answer
// must be the one the unsigned form gives.
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { PairDevice, createPair } from '../../src/drivers/pair.js';
import { ETH_HLEN, ETH_P_IP, emitEthHeader } from '../../src/ethernet/ethhdr.js';
import { ipFastCsum } from '../../src/ipv4/checksum.js';
import { inDevGet } from '../../src/ipv4/devinet.js';
import { ICMP_DEST_UNREACH, ICMP_ECHO, ICMP_TIME_EXCEEDED, finishIcmpChecksum, writeIcmpEcho } from '../../src/ipv4/icmphdr.js';
import { parseIPv4 } from '../../src/ipv4/inet_addr.js';
import { IP_DF, writeIpHeader } from '../../src/ipv4/iphdr.js';
import { NUD_PERMANENT } from '../../src/neighbour/nud.js';
import { Stack } from '../../src/stack.js';

const ip = (s: string): number => parseIPv4(s)!;
const mac = (n: number): Buffer => Buffer.from([0x02, 0, 0, 0, 0, n]);
const MAC_A = mac(0x0a);
const MAC_R0 = mac(0x10);
const MAC_R1 = mac(0x11);
const MAC_C = mac(0x0c);

let live: Stack[] = [];
afterEach(async () => {
  for (const s of live) {
    expect(s.inet.arp.tbl.checkInvariants()).toEqual([]);
    await s.close();
  }
  live = [];
});

interface Net3 {
  clock: ManualClock;
  A: Stack;
  R: Stack;
  C: Stack;
  a0: PairDevice;
  r0: PairDevice;
  r1: PairDevice;
  c1: PairDevice;
}

/** The addresses of A, R's r0 and r1, and C (each /24); the routers' are A's and C's gateways. */
interface Plan {
  a: string;
  r0: string;
  r1: string;
  c: string;
}
const PLAN_10: Plan = { a: '10.0.0.2', r0: '10.0.0.1', r1: '10.1.0.1', c: '10.1.0.2' };
const PLAN_HIGH: Plan = { a: '192.168.7.2', r0: '192.168.7.1', r1: '172.16.0.1', c: '172.16.0.2' };

/** A —— r0 [R] r1 —— C, forwarding on R's devices unless told otherwise. */
function setup(forwarding = true, plan: Plan = PLAN_10): Net3 {
  const clock = new ManualClock();
  const mk = (): Stack => new Stack({ clock, random: () => 0.5 });
  const A = mk();
  const R = mk();
  const C = mk();
  live.push(A, R, C);
  const [a0, r0] = createPair('a0', 'r0', MAC_A, MAC_R0);
  const [r1, c1] = createPair('r1', 'c1', MAC_R1, MAC_C);
  A.addDevice(a0);
  R.addDevice(r0);
  R.addDevice(r1);
  C.addDevice(c1);
  A.addAddress(a0, `${plan.a}/24`);
  R.addAddress(r0, `${plan.r0}/24`);
  R.addAddress(r1, `${plan.r1}/24`);
  C.addAddress(c1, `${plan.c}/24`);
  A.addRoute('default', plan.r0);
  C.addRoute('default', plan.r1);
  if (forwarding) for (const d of [r0, r1]) inDevGet(d)!.cnf.set('forwarding', 1);
  for (const d of [a0, r0, r1, c1]) d.record = true;
  return { clock, A, R, C, a0, r0, r1, c1 };
}

/** An echo request from A's MAC to R's r0 MAC, as A would send it towards C. */
function echoFrame(o: { ttl?: number; daddr?: string; size?: number; df?: boolean; dst?: Buffer } = {}): Buffer {
  const data = Buffer.alloc(o.size ?? 16, 0x61);
  const icmpLen = 8 + data.length;
  const b = Buffer.alloc(ETH_HLEN + 20 + icmpLen);
  emitEthHeader(b, 0, o.dst ?? MAC_R0, 0, MAC_A, 0, ETH_P_IP);
  writeIpHeader(b, ETH_HLEN, 0, 20 + icmpLen, 0x4242, o.df === false ? 0 : IP_DF, o.ttl ?? 64, 1, ip('10.0.0.2'), ip(o.daddr ?? '10.1.0.2'));
  writeIcmpEcho(b, ETH_HLEN + 20, ICMP_ECHO, 7, 1);
  data.copy(b, ETH_HLEN + 28);
  finishIcmpChecksum(b, ETH_HLEN + 20, icmpLen);
  return b;
}

const ipOf = (f: Buffer): { ttl: number; proto: number; saddr: string; daddr: string; csumOk: boolean; icmpType: number; icmpCode: number; info: number } => {
  const o = ETH_HLEN;
  const q = (x: number): string => `${f[x]}.${f[x + 1]}.${f[x + 2]}.${f[x + 3]}`;
  return {
    ttl: f[o + 8],
    proto: f[o + 9],
    saddr: q(o + 12),
    daddr: q(o + 16),
    csumOk: ipFastCsum(f, o, 5) === 0,
    icmpType: f[o + 20],
    icmpCode: f[o + 21],
    info: f.readUInt32BE(o + 24),
  };
};
const ipFrames = (fs: Buffer[]): Buffer[] => fs.filter((f) => f.readUInt16BE(12) === ETH_P_IP);

describe('ip_forward', () => {
  it('forwards a ping A → C and the reply back; TTL decremented, header checksum still valid', async () => {
    const { A, R, r1, clock } = setup();
    const p = A.ping('10.1.0.2', { count: 2, interval: 1 });
    clock.advance(0);
    clock.advance(1000);
    clock.advance(2000);
    const res = await p;
    expect(res.received).toBe(2);
    expect(res.lines[1]).toMatch(/^64 bytes from 10\.1\.0\.2: icmp_seq=1 ttl=63 /);
    const out = ipFrames(r1.sent).map(ipOf);
    expect(out).toHaveLength(2);
    for (const h of out) {
      expect(h.ttl).toBe(63);
      expect(h.csumOk).toBe(true);
      expect(h.saddr).toBe('10.0.0.2');
      expect(h.daddr).toBe('10.1.0.2');
    }
    expect(R.inet.stats.forwDatagrams).toBe(4);
  });

  it('forwarding off on the input device: not forwarded, counted as an address error, no ICMP', () => {
    const { R, r0, r1 } = setup(false);
    r0.receiveFrame(echoFrame());
    expect(ipFrames(r1.sent)).toHaveLength(0);
    expect(ipFrames(r0.sent)).toHaveLength(0);
    expect(R.inet.stats.drops.notForUs).toBe(1);
    expect(R.inet.stats.forwDatagrams).toBe(0);
  });

  it('TTL 1 → ICMP time exceeded from the router, quoting the original header unchanged', () => {
    const { R, r0, r1 } = setup();
    R.inet.arp.tbl.neighAdd(ip('10.0.0.2'), r0, { lladdr: MAC_A, state: NUD_PERMANENT, create: true });
    r0.receiveFrame(echoFrame({ ttl: 1 }));
    expect(ipFrames(r1.sent)).toHaveLength(0);
    const err = ipFrames(r0.sent).map(ipOf);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatchObject({ proto: 1, saddr: '10.0.0.1', daddr: '10.0.0.2', icmpType: ICMP_TIME_EXCEEDED, icmpCode: 0, csumOk: true });
    // the quoted header (at 28 bytes into the ICMP message) still says ttl 1
    expect(ipFrames(r0.sent)[0][ETH_HLEN + 28 + 8]).toBe(1);
    expect(R.inet.stats.drops.ttlExceeded).toBe(1);
    expect(R.inet.stats.inHdrErrors).toBe(1);
    expect(R.inet.icmp.stats.outTimeExcds).toBe(1);
  });

  it('TTL 2 is forwarded with TTL 1', () => {
    const { R, r0, r1 } = setup();
    R.inet.arp.tbl.neighAdd(ip('10.1.0.2'), r1, { lladdr: MAC_C, state: NUD_PERMANENT, create: true });
    r0.receiveFrame(echoFrame({ ttl: 2 }));
    const out = ipFrames(r1.sent).map(ipOf);
    expect(out).toHaveLength(1);
    expect(out[0].ttl).toBe(1);
    expect(out[0].csumOk).toBe(true);
    expect(r1.sent[0].subarray(0, 6)).toEqual(MAC_C);
    expect(r1.sent[0].subarray(6, 12)).toEqual(MAC_R1);
  });

  it('no route → ICMP net unreachable', () => {
    const { R, r0 } = setup();
    R.inet.arp.tbl.neighAdd(ip('10.0.0.2'), r0, { lladdr: MAC_A, state: NUD_PERMANENT, create: true });
    r0.receiveFrame(echoFrame({ daddr: '192.0.2.9' }));
    const err = ipFrames(r0.sent).map(ipOf);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatchObject({ icmpType: ICMP_DEST_UNREACH, icmpCode: 0 });
    expect(R.inet.stats.inNoRoutes).toBe(1);
  });

  it('DF packet larger than the out MTU → frag needed with the MTU; without DF → counted fragFails', () => {
    const { R, r0, r1 } = setup();
    R.inet.arp.tbl.neighAdd(ip('10.0.0.2'), r0, { lladdr: MAC_A, state: NUD_PERMANENT, create: true });
    R.net.devSetMtu(r1, 1000);
    r0.receiveFrame(echoFrame({ size: 1200 }));
    const err = ipFrames(r0.sent).map(ipOf);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatchObject({ icmpType: ICMP_DEST_UNREACH, icmpCode: 4, info: 1000 });
    r0.receiveFrame(echoFrame({ size: 1200, df: false }));
    expect(ipFrames(r0.sent)).toHaveLength(1);
    expect(ipFrames(r1.sent)).toHaveLength(0);
    expect(R.inet.stats.fragFails).toBe(2);
    expect(R.inet.stats.drops.fragNeeded).toBe(1);
  });

  it('link-layer broadcast is never forwarded', () => {
    const { R, r0, r1 } = setup();
    r0.receiveFrame(echoFrame({ dst: Buffer.alloc(6, 0xff) }));
    expect(ipFrames(r1.sent)).toHaveLength(0);
    expect(R.inet.stats.drops.fwdNotHost).toBe(1);
  });
});

describe('IPv4 addresses at and above 128.0.0.0', () => {
  it('a ping 192.168.7.2 → 172.16.0.2 through the router is answered, headers and checksums intact', async () => {
    const { A, R, clock, r1 } = setup(true, PLAN_HIGH);
    const p = A.ping('172.16.0.2', { count: 2, interval: 1 });
    clock.advance(0);
    clock.advance(1000);
    clock.advance(2000);
    const res = await p;
    expect(res.received).toBe(2);
    expect(res.lines[1]).toMatch(/^64 bytes from 172\.16\.0\.2: icmp_seq=1 ttl=63 /);
    const out = ipFrames(r1.sent);
    expect(out).toHaveLength(2);
    for (const f of out) {
      expect(ipOf(f)).toMatchObject({ ttl: 63, csumOk: true, saddr: '192.168.7.2', daddr: '172.16.0.2' });
    }
    expect(R.inet.stats.forwDatagrams).toBe(4);
  });

  it('lookupNorefInt finds an entry by the signed and the unsigned form of its key, and misses alike', async () => {
    const { A, R, clock, r1 } = setup(true, PLAN_HIGH);
    const tbl = R.inet.arp.tbl;
    const c = ip('172.16.0.2');
    expect(c).toBeGreaterThan(0x7fffffff);
    expect(tbl.lookupNorefInt(c | 0, r1)).toBeNull(); // no entry yet (and no index)
    const p = A.ping('172.16.0.2', { count: 1 });
    clock.advance(0);
    clock.advance(1000);
    expect((await p).received).toBe(1);
    const n = tbl.lookupNoref(c, r1);
    expect(n).not.toBeNull();
    expect(n!.primaryKey).toBe(c); // created with the unsigned key
    expect(tbl.lookupNorefInt(c | 0, r1)).toBe(n);
    expect(tbl.lookupNorefInt(c, r1)).toBe(n);
    expect(tbl.lookupNorefInt(ip('172.16.0.3') | 0, r1)).toBeNull();
  });

  it("recognises its own addresses and its subnet's directed broadcast in either form", () => {
    const { R } = setup(true, PLAN_HIGH);
    for (const a of ['192.168.7.1', '172.16.0.1']) {
      expect(R.inet.isLocalAddr(ip(a))).toBe(true);
      expect(R.inet.isLocalAddr(ip(a) | 0)).toBe(true);
    }
    expect(R.inet.isLocalAddr(ip('192.168.7.2'))).toBe(false);
    expect(R.inet.isLocalBroadcast(ip('192.168.7.255'))).toBe(true);
    expect(R.inet.isLocalBroadcast(ip('172.16.0.255') | 0)).toBe(true);
  });

  it('an echo request to the directed broadcast 192.168.7.255 is ignored as a broadcast (icmp_echo_ignore_broadcasts)', () => {
    const { R, r0 } = setup(true, PLAN_HIGH);
    const icmpLen = 16;
    const b = Buffer.alloc(ETH_HLEN + 20 + icmpLen);
    emitEthHeader(b, 0, Buffer.alloc(6, 0xff), 0, MAC_A, 0, ETH_P_IP);
    writeIpHeader(b, ETH_HLEN, 0, 20 + icmpLen, 1, 0, 64, 1, ip('192.168.7.2'), ip('192.168.7.255'));
    writeIcmpEcho(b, ETH_HLEN + 20, ICMP_ECHO, 7, 1);
    finishIcmpChecksum(b, ETH_HLEN + 20, icmpLen);
    const before = R.inet.icmp.stats.echoIgnoredBroadcast;
    r0.sent.length = 0;
    r0.receiveFrame(b);
    expect(R.inet.icmp.stats.echoIgnoredBroadcast).toBe(before + 1);
    expect(ipFrames(r0.sent)).toHaveLength(0);
  });
});
