// ip_forward(): a router stack R between hosts A (10.0.0.0/24) and C (10.1.0.0/24) on in-memory pairs.
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

/** A —— r0 [R] r1 —— C, forwarding on R's devices unless told otherwise. */
function setup(forwarding = true): Net3 {
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
  A.addAddress(a0, '10.0.0.2/24');
  R.addAddress(r0, '10.0.0.1/24');
  R.addAddress(r1, '10.1.0.1/24');
  C.addAddress(c1, '10.1.0.2/24');
  A.addRoute('default', '10.0.0.1');
  C.addRoute('default', '10.1.0.1');
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
