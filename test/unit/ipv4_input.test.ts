import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { PairDevice, createPair } from '../../src/drivers/pair.js';
import { ETH_HLEN, ETH_P_ARP, ETH_P_IP, emitEthHeader } from '../../src/ethernet/ethhdr.js';
import { ARPOP_REQUEST, writeArp } from '../../src/ipv4/arphdr.js';
import { ipFastCsum } from '../../src/ipv4/checksum.js';
import { ICMP_ECHO, finishIcmpChecksum, icmpChecksumOk, writeIcmpEcho } from '../../src/ipv4/icmphdr.js';
import { parseIPv4 } from '../../src/ipv4/inet_addr.js';
import { IP_MF, writeIpHeader } from '../../src/ipv4/iphdr.js';
import { NUD_PERMANENT } from '../../src/neighbour/nud.js';
import { Stack } from '../../src/stack.js';

const ip = (s: string): number => parseIPv4(s)!;
const MAC_B = Buffer.from([0x02, 0xbb, 0, 0, 0, 0x02]);
const MAC_X = Buffer.from([0x02, 0xcc, 0, 0, 0, 0x09]);
const BCAST = Buffer.alloc(6, 0xff);

let live: Stack[] = [];
afterEach(async () => {
  for (const s of live) {
    expect(s.inet.arp.tbl.checkInvariants()).toEqual([]);
    await s.close();
  }
  live = [];
});

/** Stack B (10.0.0.2/24) on eb; the far end is attached to nothing, eb records what B sends. */
function setup(): { B: Stack; eb: PairDevice } {
  const clock = new ManualClock();
  const B = new Stack({ clock, random: () => 0.5 });
  const [, eb] = createPair('x0', 'b0', MAC_X, MAC_B);
  B.addDevice(eb);
  B.addAddress(eb, '10.0.0.2/24');
  eb.record = true;
  live.push(B);
  return { B, eb };
}

function ipFrame(o: {
  dst?: Buffer; saddr?: string; daddr?: string; proto?: number; payload?: Buffer; fragOff?: number; tos?: number; id?: number; ttl?: number;
}): Buffer {
  const payload = o.payload ?? Buffer.from('hello, world', 'ascii');
  const b = Buffer.alloc(ETH_HLEN + 20 + payload.length);
  emitEthHeader(b, 0, o.dst ?? MAC_B, 0, MAC_X, 0, ETH_P_IP);
  writeIpHeader(b, ETH_HLEN, o.tos ?? 0, 20 + payload.length, o.id ?? 0x1234, o.fragOff ?? 0, o.ttl ?? 64, o.proto ?? 1,
    ip(o.saddr ?? '10.0.0.1'), ip(o.daddr ?? '10.0.0.2'));
  payload.copy(b, ETH_HLEN + 20);
  return b;
}

function echoPayload(id: number, seq: number, data: Buffer): Buffer {
  const p = Buffer.alloc(8 + data.length);
  writeIcmpEcho(p, 0, ICMP_ECHO, id, seq);
  data.copy(p, 8);
  finishIcmpChecksum(p, 0, p.length);
  return p;
}

describe('ip_rcv drops', () => {
  it('bad header checksum → inCsumErrors and inHdrErrors (ip_rcv_core falls through to inhdr_error)', () => {
    const { B, eb } = setup();
    const f = ipFrame({});
    f[ETH_HLEN + 10] ^= 0xff;
    eb.receiveFrame(f);
    expect(B.inet.stats.inReceives).toBe(1);
    expect(B.inet.stats.inCsumErrors).toBe(1);
    expect(B.inet.stats.inHdrErrors).toBe(1);
    expect(B.inet.stats.inDelivers).toBe(0);
    expect(eb.sent).toHaveLength(0);
  });

  it('bad version and bad ihl → inHdrErrors', () => {
    const { B, eb } = setup();
    const v6 = ipFrame({});
    v6[ETH_HLEN] = 0x65;
    eb.receiveFrame(v6);
    const ihl4 = ipFrame({});
    ihl4[ETH_HLEN] = 0x44;
    eb.receiveFrame(ihl4);
    const tooShort = ipFrame({}).subarray(0, ETH_HLEN + 19);
    eb.receiveFrame(Buffer.from(tooShort));
    expect(B.inet.stats.inHdrErrors).toBe(3);
    expect(B.inet.stats.inCsumErrors).toBe(0);
    expect(B.inet.stats.inDelivers).toBe(0);
  });

  it('tot_len beyond the frame → inTruncatedPkts; link padding after tot_len is trimmed', () => {
    const { B, eb } = setup();
    const f = ipFrame({});
    eb.receiveFrame(f.subarray(0, f.length - 3));
    expect(B.inet.stats.inTruncatedPkts).toBe(1);
    expect(B.inet.stats.inDelivers).toBe(0);

    // an echo with 10 bytes of trailing padding still gets a reply of the exact length
    B.inet.arp.tbl.neighAdd(ip('10.0.0.1'), eb, { state: NUD_PERMANENT, lladdr: MAC_X, create: true });
    const e = ipFrame({ payload: echoPayload(7, 1, Buffer.from('abcd')) });
    eb.receiveFrame(Buffer.concat([e, Buffer.alloc(10, 0xee)]));
    expect(eb.sent).toHaveLength(1);
    expect(eb.sent[0].length).toBe(ETH_HLEN + 20 + 12);
  });

  it('OTHERHOST frame → drops.otherhost', () => {
    const { B, eb } = setup();
    eb.receiveFrame(ipFrame({ dst: Buffer.from([0x02, 0xee, 0, 0, 0, 1]) }));
    expect(B.inet.stats.drops.otherhost).toBe(1);
    expect(B.inet.stats.inDelivers).toBe(0);
  });

  it('martian (multicast / limited broadcast) source → drops.martianSource, inAddrErrors', () => {
    const { B, eb } = setup();
    eb.receiveFrame(ipFrame({ saddr: '224.0.0.9' }));
    eb.receiveFrame(ipFrame({ saddr: '255.255.255.255' }));
    expect(B.inet.stats.drops.martianSource).toBe(2);
    expect(B.inet.stats.inAddrErrors).toBe(2);
    expect(B.inet.stats.inDelivers).toBe(0);
  });

  it('fragments → reasmFails (MF set or non-zero offset)', () => {
    const { B, eb } = setup();
    eb.receiveFrame(ipFrame({ fragOff: IP_MF }));
    eb.receiveFrame(ipFrame({ fragOff: 3 }));
    expect(B.inet.stats.reasmFails).toBe(2);
    expect(B.inet.stats.drops.fragment).toBe(2);
    expect(B.inet.stats.inDelivers).toBe(0);
    expect(eb.sent).toHaveLength(0);
  });

  it('not for us with forwarding off → inAddrErrors, drops.notForUs', () => {
    const { B, eb } = setup();
    eb.receiveFrame(ipFrame({ daddr: '10.0.0.77' }));
    expect(B.inet.stats.inAddrErrors).toBe(1);
    expect(B.inet.stats.drops.notForUs).toBe(1);
    expect(B.inet.stats.forwDatagrams).toBe(0);
    expect(eb.sent).toHaveLength(0);
  });
});

describe('ICMP from ip_local_deliver', () => {
  it('unknown protocol → protocol unreachable quoting the original packet', () => {
    const { B, eb } = setup();
    B.inet.arp.tbl.neighAdd(ip('10.0.0.1'), eb, { state: NUD_PERMANENT, lladdr: MAC_X, create: true });
    const payload = Buffer.from('0123456789abcdef0123', 'ascii');
    const f = ipFrame({ proto: 99, payload });
    eb.receiveFrame(f);
    expect(B.inet.stats.inUnknownProtos).toBe(1);
    expect(B.inet.icmp.stats.outDestUnreachs).toBe(1);
    expect(eb.sent).toHaveLength(1);
    const r = eb.sent[0];
    expect(r.subarray(0, 6).equals(MAC_X)).toBe(true);
    expect(r.subarray(6, 12).equals(MAC_B)).toBe(true);
    expect(r.readUInt16BE(12)).toBe(ETH_P_IP);
    const nh = ETH_HLEN;
    const quoted = f.subarray(ETH_HLEN);
    expect(r[nh]).toBe(0x45);
    expect(r[nh + 1]).toBe(0xc0);
    expect(r.readUInt16BE(nh + 2)).toBe(20 + 8 + quoted.length);
    expect(r[nh + 9]).toBe(1);
    expect(ipFastCsum(r, nh, 5)).toBe(0);
    expect(r.subarray(nh + 12, nh + 16)).toEqual(Buffer.from([10, 0, 0, 2]));
    expect(r.subarray(nh + 16, nh + 20)).toEqual(Buffer.from([10, 0, 0, 1]));
    const ic = nh + 20;
    expect(r[ic]).toBe(3);
    expect(r[ic + 1]).toBe(2);
    expect(r.readUInt32BE(ic + 4)).toBe(0);
    expect(icmpChecksumOk(r, ic, 8 + quoted.length)).toBe(true);
    expect(r.subarray(ic + 8).equals(quoted)).toBe(true);
    expect(r.length).toBe(ETH_HLEN + 20 + 8 + quoted.length);
  });

  it('echo request → echo reply with swapped addresses, valid checksums, same id/seq/payload', () => {
    const { B, eb } = setup();
    B.inet.arp.tbl.neighAdd(ip('10.0.0.1'), eb, { state: NUD_PERMANENT, lladdr: MAC_X, create: true });
    const data = Buffer.from([...Array(40).keys()].map((i) => (i * 7) & 0xff));
    const f = ipFrame({ payload: echoPayload(0xbeef, 0x0102, data), tos: 0x10 });
    eb.receiveFrame(f);
    expect(B.inet.icmp.stats.inEchos).toBe(1);
    expect(B.inet.icmp.stats.outEchoReps).toBe(1);
    expect(eb.sent).toHaveLength(1);
    const r = eb.sent[0];
    expect(r.subarray(0, 6).equals(MAC_X)).toBe(true);
    expect(r.subarray(6, 12).equals(MAC_B)).toBe(true);
    const nh = ETH_HLEN;
    expect(r[nh]).toBe(0x45);
    expect(r[nh + 1]).toBe(0x10);
    expect(r.readUInt16BE(nh + 2)).toBe(20 + 8 + 40);
    expect(r[nh + 8]).toBe(64);
    expect(r[nh + 9]).toBe(1);
    expect(ipFastCsum(r, nh, 5)).toBe(0);
    expect(r.subarray(nh + 12, nh + 16)).toEqual(Buffer.from([10, 0, 0, 2]));
    expect(r.subarray(nh + 16, nh + 20)).toEqual(Buffer.from([10, 0, 0, 1]));
    const ic = nh + 20;
    expect(r[ic]).toBe(0);
    expect(r[ic + 1]).toBe(0);
    expect(r.readUInt16BE(ic + 4)).toBe(0xbeef);
    expect(r.readUInt16BE(ic + 6)).toBe(0x0102);
    expect(icmpChecksumOk(r, ic, 48)).toBe(true);
    expect(r.subarray(ic + 8).equals(data)).toBe(true);
  });

  it('echo to the directed broadcast is ignored (echoIgnoredBroadcast)', () => {
    const { B, eb } = setup();
    B.inet.arp.tbl.neighAdd(ip('10.0.0.1'), eb, { state: NUD_PERMANENT, lladdr: MAC_X, create: true });
    eb.receiveFrame(ipFrame({ dst: BCAST, daddr: '10.0.0.255', payload: echoPayload(1, 1, Buffer.alloc(8)) }));
    eb.receiveFrame(ipFrame({ dst: BCAST, daddr: '255.255.255.255', payload: echoPayload(1, 2, Buffer.alloc(8)) }));
    expect(B.inet.icmp.stats.inEchos).toBe(2);
    expect(B.inet.icmp.stats.echoIgnoredBroadcast).toBe(2);
    expect(B.inet.icmp.stats.outEchoReps).toBe(0);
    expect(eb.sent).toHaveLength(0);
  });

  it('a bad ICMP checksum is counted and not answered', () => {
    const { B, eb } = setup();
    const p = echoPayload(1, 1, Buffer.alloc(8));
    p[2] ^= 0x55;
    eb.receiveFrame(ipFrame({ payload: p }));
    expect(B.inet.icmp.stats.inCsumErrors).toBe(1);
    expect(B.inet.icmp.stats.inEchos).toBe(0);
    expect(eb.sent).toHaveLength(0);
  });
});

describe('malformed ARP', () => {
  function arpBytes(mut?: (a: Buffer) => void, len = 28, tip = '10.0.0.2'): Buffer {
    const a = Buffer.alloc(28);
    writeArp(a, 0, ARPOP_REQUEST, MAC_X, 0, ip('10.0.0.1'), null, 0, ip(tip));
    mut?.(a);
    const f = Buffer.alloc(ETH_HLEN + len);
    emitEthHeader(f, 0, BCAST, 0, MAC_X, 0, ETH_P_ARP);
    a.copy(f, ETH_HLEN, 0, Math.min(len, 28));
    return f;
  }

  it.each([
    ['too short (< 8)', arpBytes(undefined, 6), 'truncated'],
    ['truncated (< 28)', arpBytes(undefined, 20), 'truncated'],
    ['hln 8', arpBytes((a) => (a[4] = 8)), 'badHln'],
    ['pln 6', arpBytes((a) => (a[5] = 6)), 'badPln'],
    ['op 3', arpBytes((a) => a.writeUInt16BE(3, 6)), 'badOpcode'],
    ['hrd 0x1234', arpBytes((a) => a.writeUInt16BE(0x1234, 0)), 'badHrdOrPro'],
    ['pro IPv6', arpBytes((a) => a.writeUInt16BE(0x86dd, 2)), 'badHrdOrPro'],
    ['multicast tip', arpBytes(undefined, 28, '224.0.0.5'), 'tipMulticast'],
    ['loopback tip', arpBytes(undefined, 28, '127.0.0.1'), 'tipLoopback'],
  ] as const)('%s → drops.%s', (_n, frame, field) => {
    const { B, eb } = setup();
    expect(() => eb.receiveFrame(frame)).not.toThrow();
    const d = B.inet.arp.stats.drops as unknown as Record<string, number>;
    expect(d[field]).toBe(1);
    const total = Object.values(d).reduce((x, y) => x + y, 0);
    expect(total).toBe(1);
    expect(eb.sent).toHaveLength(0);
    expect(B.neighbours()).toEqual([]);
  });

  it('ARP on an OTHERHOST frame is dropped as otherhost', () => {
    const { B, eb } = setup();
    const f = arpBytes();
    Buffer.from([0x02, 0xee, 0, 0, 0, 1]).copy(f, 0);
    eb.receiveFrame(f);
    expect(B.inet.arp.stats.drops.otherhost).toBe(1);
    expect(eb.sent).toHaveLength(0);
  });

  it('a well-formed request right after still works', () => {
    const { B, eb } = setup();
    eb.receiveFrame(arpBytes((a) => (a[4] = 8)));
    eb.receiveFrame(arpBytes());
    expect(eb.sent).toHaveLength(1);
    expect(B.inet.arp.stats.txReplies).toBe(1);
  });
});
