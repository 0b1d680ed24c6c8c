// IPv4 addresses from 128.0.0.0 up (192.168/16, 172.16/12), which the per-packet paths hand on as
// signed 32-bit values so that V8 does not box them (the local-address sets, ip_finish_output2's
// next hop through NeighTable.lookupNorefInt, the header writer): every answer must be the one
// the unsigned form gives. A —— r0 [R] r1 —— C on in-memory pairs, R forwarding.
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { createPair } from '../../src/drivers/pair.js';
import { ETH_HLEN, ETH_P_IP, emitEthHeader } from '../../src/ethernet/ethhdr.js';
import { ipFastCsum } from '../../src/ipv4/checksum.js';
import { inDevGet } from '../../src/ipv4/devinet.js';
import { ICMP_ECHO, finishIcmpChecksum, writeIcmpEcho } from '../../src/ipv4/icmphdr.js';
import { parseIPv4 } from '../../src/ipv4/inet_addr.js';
import { writeIpHeader } from '../../src/ipv4/iphdr.js';
import { Stack } from '../../src/stack.js';

const ip = (s: string): number => parseIPv4(s)!;
const mac = (n: number): Buffer => Buffer.from([0x02, 0, 0, 0, 0, n]);

let live: Stack[] = [];
afterEach(async () => {
  for (const s of live) {
    expect(s.inet.arp.tbl.checkInvariants()).toEqual([]);
    await s.close();
  }
  live = [];
});

function setup() {
  const clock = new ManualClock();
  const mk = (): Stack => new Stack({ clock, random: () => 0.5, ipv6: false });
  const A = mk();
  const R = mk();
  const C = mk();
  live.push(A, R, C);
  const [a0, r0] = createPair('a0', 'r0', mac(0x0a), mac(0x10));
  const [r1, c1] = createPair('r1', 'c1', mac(0x11), mac(0x0c));
  A.addDevice(a0);
  R.addDevice(r0);
  R.addDevice(r1);
  C.addDevice(c1);
  A.addAddress(a0, '192.168.7.2/24');
  R.addAddress(r0, '192.168.7.1/24');
  R.addAddress(r1, '172.16.0.1/24');
  C.addAddress(c1, '172.16.0.2/24');
  A.addRoute('default', '192.168.7.1');
  C.addRoute('default', '172.16.0.1');
  for (const d of [r0, r1]) inDevGet(d)!.cnf.set('forwarding', 1);
  for (const d of [a0, r0, r1, c1]) d.record = true;
  return { clock, A, R, C, a0, r0, r1, c1 };
}

describe('IPv4 addresses at and above 128.0.0.0', () => {
  it('a ping 192.168.7.2 → 172.16.0.2 through the router is answered, headers and checksums intact', async () => {
    const { A, R, clock, r1 } = setup();
    const p = A.ping('172.16.0.2', { count: 2, interval: 1 });
    clock.advance(0);
    clock.advance(1000);
    clock.advance(2000);
    const res = await p;
    expect(res.received).toBe(2);
    expect(res.lines[1]).toMatch(/^64 bytes from 172\.16\.0\.2: icmp_seq=1 ttl=63 /);
    const out = r1.sent.filter((f) => f.readUInt16BE(12) === ETH_P_IP);
    expect(out).toHaveLength(2);
    for (const f of out) {
      expect(ipFastCsum(f, ETH_HLEN, 5)).toBe(0);
      expect([...f.subarray(ETH_HLEN + 12, ETH_HLEN + 20)]).toEqual([192, 168, 7, 2, 172, 16, 0, 2]);
    }
    expect(R.inet.stats.forwDatagrams).toBe(4);
  });

  it('lookupNorefInt finds an entry by the signed and the unsigned form of its key, and misses alike', async () => {
    const { A, R, clock, r1 } = setup();
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
    const { R } = setup();
    for (const a of ['192.168.7.1', '172.16.0.1']) {
      expect(R.inet.isLocalAddr(ip(a))).toBe(true);
      expect(R.inet.isLocalAddr(ip(a) | 0)).toBe(true);
    }
    expect(R.inet.isLocalAddr(ip('192.168.7.2'))).toBe(false);
    expect(R.inet.isLocalBroadcast(ip('192.168.7.255'))).toBe(true);
    expect(R.inet.isLocalBroadcast(ip('172.16.0.255') | 0)).toBe(true);
  });

  it('an echo request to the directed broadcast 192.168.7.255 is ignored as a broadcast (icmp_echo_ignore_broadcasts)', () => {
    const { R, r0 } = setup();
    const icmpLen = 16;
    const b = Buffer.alloc(ETH_HLEN + 20 + icmpLen);
    emitEthHeader(b, 0, Buffer.alloc(6, 0xff), 0, mac(0x0a), 0, ETH_P_IP);
    writeIpHeader(b, ETH_HLEN, 0, 20 + icmpLen, 1, 0, 64, 1, ip('192.168.7.2'), ip('192.168.7.255'));
    writeIcmpEcho(b, ETH_HLEN + 20, ICMP_ECHO, 7, 1);
    finishIcmpChecksum(b, ETH_HLEN + 20, icmpLen);
    const before = R.inet.icmp.stats.echoIgnoredBroadcast;
    r0.sent.length = 0;
    r0.receiveFrame(b);
    expect(R.inet.icmp.stats.echoIgnoredBroadcast).toBe(before + 1);
    expect(r0.sent.filter((f) => f.readUInt16BE(12) === ETH_P_IP)).toHaveLength(0);
  });
});
