import { describe, expect, it } from 'vitest';
import {
  formatIPv4,
  ipv4MulticastToMac,
  isLinkLocal,
  isLocalBroadcast,
  isLoopback,
  isMulticast,
  isValidUnicastHost,
  isZero,
  isZeronet,
  parseCidr,
  parseIPv4,
  parsePrefix,
  prefixMask,
  sameSubnet,
} from '../../src/ipv4/inet_addr.js';
import {
  BROADCAST_MAC,
  ZERO_MAC,
  formatMac,
  isBroadcastEther,
  isMulticastEther,
  isZeroEther,
  macEqual,
  parseMac,
  randomMac,
} from '../../src/ethernet/mac.js';
import {
  ETH_ALEN,
  ETH_DATA_LEN,
  ETH_FRAME_LEN,
  ETH_HLEN,
  ETH_P_8021Q,
  ETH_P_ARP,
  ETH_P_IP,
  ETH_P_IPV6,
  ETH_ZLEN,
  emitEthHeader,
  ethProto,
} from '../../src/ethernet/ethhdr.js';
import { csumAdd, csumFold, csumPartial, csumReplace2, csumReplace4 } from '../../src/core/checksum.js';
import { ipFastCsum, udpPseudoSum } from '../../src/ipv4/checksum.js';
import {
  IPPROTO_ICMP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  IP_DF,
  IP_DROP_BAD_CSUM,
  IP_DROP_BAD_IHL,
  IP_DROP_BAD_TOT_LEN,
  IP_DROP_BAD_VERSION,
  IP_DROP_HDR_TRUNCATED,
  IP_DROP_REASONS,
  IP_DROP_TOO_SHORT,
  IP_DROP_TRUNCATED,
  IP_MF,
  IP_OFFMASK,
  IP_OK,
  IPH_CHECK_OFF,
  IPH_DADDR_OFF,
  IPH_FRAG_OFF_OFF,
  IPH_ID_OFF,
  IPH_PROTOCOL_OFF,
  IPH_SADDR_OFF,
  IPH_TOS_OFF,
  IPH_TOT_LEN_OFF,
  IPH_TTL_OFF,
  IPH_VER_IHL_OFF,
  emitIpHeader,
  ipCheck,
  ipDaddr,
  ipDecreaseTtl,
  ipFragOff,
  ipHeaderCheck,
  ipId,
  ipIhlBytes,
  ipIsFragment,
  ipProtocol,
  ipSaddr,
  ipTos,
  ipTotLen,
  ipTtl,
  ipVersion,
  writeIpHeader,
} from '../../src/ipv4/iphdr.js';
import {
  ICMP_DEST_UNREACH,
  ICMP_DROP_BAD_CSUM,
  ICMP_DROP_REASONS,
  ICMP_DROP_TOO_SHORT,
  ICMP_ECHO,
  ICMP_ECHOREPLY,
  ICMP_EXC_FRAGTIME,
  ICMP_EXC_TTL,
  ICMP_FRAG_NEEDED,
  ICMP_HOST_UNREACH,
  ICMP_NET_UNREACH,
  ICMP_OK,
  ICMP_PARAMETERPROB,
  ICMP_PORT_UNREACH,
  ICMP_PROT_UNREACH,
  ICMP_REDIRECT,
  ICMP_TIME_EXCEEDED,
  finishIcmpChecksum,
  icmpCheck,
  icmpChecksum,
  icmpChecksumOk,
  icmpCode,
  icmpEchoId,
  icmpEchoSeq,
  icmpFragMtu,
  icmpGateway,
  icmpType,
  writeIcmpEcho,
  writeIcmpHeader,
} from '../../src/ipv4/icmphdr.js';
import {
  ARPHRD_ETHER,
  ARPHRD_IEEE802,
  ARPOP_InREPLY,
  ARPOP_InREQUEST,
  ARPOP_NAK,
  ARPOP_REPLY,
  ARPOP_REQUEST,
  ARPOP_RREPLY,
  ARPOP_RREQUEST,
  ARP_DROP_BAD_HLN,
  ARP_DROP_BAD_HRD,
  ARP_DROP_BAD_OP,
  ARP_DROP_BAD_PLN,
  ARP_DROP_BAD_PRO,
  ARP_DROP_REASONS,
  ARP_DROP_TOO_SHORT,
  ARP_DROP_TRUNCATED,
  ARP_ETH_LEN,
  ARP_ETH_SIP_OFF,
  ARP_ETH_THA_OFF,
  ARP_ETH_TIP_OFF,
  ARP_OK,
  arpHdrLen,
  arpHeaderCheck,
  arpHln,
  arpHrd,
  arpOp,
  arpPln,
  arpPro,
  arpProtoCheck,
  arpShaOff,
  arpSip,
  arpThaOff,
  arpTip,
  writeArp,
} from '../../src/ipv4/arphdr.js';

// ---------------------------------------------------------------------------------------------
// Independent reference implementations (deliberately naive) and a seeded PRNG.

function refSum(buf: Uint8Array, off: number, len: number, initial = 0): number {
  let s = initial;
  for (let i = 0; i < len; i += 2) {
    const hi = buf[off + i];
    const lo = i + 1 < len ? buf[off + i + 1] : 0;
    s += hi * 256 + lo;
  }
  while (s > 0xffff) s = (s % 0x10000) + Math.floor(s / 0x10000);
  return s;
}

function refCsum(buf: Uint8Array, off: number, len: number): number {
  return ~refSum(buf, off, len) & 0xffff;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const ip = (s: string): number => {
  const a = parseIPv4(s);
  if (a === null) throw new Error(`bad test address ${s}`);
  return a;
};

// Classic example header (check b861) and a hand-built ICMP echo request:
// 10.0.0.1 -> 10.0.0.2, id 0x1c46 seq 1, 32 bytes of Windows-style ping payload.
const CLASSIC_IPH = '4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7';
const PING =
  '4500 003c beef 4000 4001 67cf 0a00 0001 0a00 0002' +
  '0800 3115 1c46 0001' +
  '6162 6364 6566 6768 696a 6b6c 6d6e 6f70 7172 7374 7576 7761 6263 6465 6667 6869';

// ---------------------------------------------------------------------------------------------

describe('inet_addr', () => {
  it('parses and formats dotted quads', () => {
    expect(parseIPv4('0.0.0.0')).toBe(0);
    expect(parseIPv4('1.2.3.4')).toBe(0x01020304);
    expect(parseIPv4('192.168.0.1')).toBe(0xc0a80001);
    expect(parseIPv4('255.255.255.255')).toBe(0xffffffff);
    expect(parseIPv4('10.0.0.10')).toBe(0x0a00000a);
    expect(formatIPv4(0xc0a80001)).toBe('192.168.0.1');
    expect(formatIPv4(0xffffffff)).toBe('255.255.255.255');
    expect(formatIPv4(-1)).toBe('255.255.255.255'); // signed int32 input is normalised
    expect(formatIPv4(0)).toBe('0.0.0.0');
  });

  it('round-trips random addresses', () => {
    const rnd = mulberry32(1);
    for (let i = 0; i < 2000; i++) {
      const a = Math.floor(rnd() * 0x100000000);
      const s = formatIPv4(a);
      expect(parseIPv4(s)).toBe(a);
    }
  });

  it('always returns unsigned addresses', () => {
    const a = parseIPv4('200.1.2.3');
    expect(a).toBeGreaterThan(0);
    expect(a).toBe(0xc8010203);
  });

  it.each([
    '1.2.3',
    '1.2.3.256',
    '01.2.3.4',
    '1.2.3.00',
    ' 1.2.3.4',
    '1.2.3.4 ',
    '+1.2.3.4',
    '-1.2.3.4',
    '1.2.3.4.',
    '.1.2.3.4',
    '1..2.3',
    '1.2.3.4.5',
    '1.2.3.a',
    '0x1.2.3.4',
    '1234.1.1.1',
    '',
    '1.2.3.4/24',
    '١.2.3.4', // non-ASCII digit
    '256.0.0.0',
    '999.999.999.999',
  ])('rejects %j', (s) => {
    expect(parseIPv4(s)).toBeNull();
  });

  it('parses CIDR with mandatory prefix', () => {
    expect(parseCidr('10.1.2.3/8')).toEqual({ addr: 0x0a010203, prefixLen: 8 });
    expect(parseCidr('0.0.0.0/0')).toEqual({ addr: 0, prefixLen: 0 });
    expect(parseCidr('192.168.1.1/32')).toEqual({ addr: 0xc0a80101, prefixLen: 32 });
    for (const bad of ['1.2.3.4', '1.2.3.4/33', '1.2.3.4/', '1.2.3.4/-1', '1.2.3.4/08', '1.2.3.4/ 8',
      '1.2.3.4/8/8', '1.2.3/8', '/8', '1.2.3.4/100', '1.2.3.4/a']) {
      expect(parseCidr(bad), bad).toBeNull();
    }
  });

  it('parsePrefix accepts bare addresses with the default length', () => {
    expect(parsePrefix('1.2.3.4', 32)).toEqual({ addr: 0x01020304, prefixLen: 32 });
    expect(parsePrefix('1.2.3.4', 24)).toEqual({ addr: 0x01020304, prefixLen: 24 });
    expect(parsePrefix('1.2.3.4/16', 32)).toEqual({ addr: 0x01020304, prefixLen: 16 });
    expect(parsePrefix('1.2.3.4', -1)).toBeNull();
    expect(parsePrefix('1.2.3.4', 33)).toBeNull();
    expect(parsePrefix('1.2.3.4/33', 32)).toBeNull();
    expect(parsePrefix('1.2.3', 32)).toBeNull();
  });

  it('prefixMask covers every length', () => {
    expect(prefixMask(0)).toBe(0);
    expect(prefixMask(1)).toBe(0x80000000);
    expect(prefixMask(8)).toBe(0xff000000);
    expect(prefixMask(24)).toBe(0xffffff00);
    expect(prefixMask(31)).toBe(0xfffffffe);
    expect(prefixMask(32)).toBe(0xffffffff);
    expect(prefixMask(-3)).toBe(0);
    expect(prefixMask(40)).toBe(0xffffffff);
    for (let len = 0; len <= 32; len++) {
      const m = prefixMask(len);
      expect(m).toBeGreaterThanOrEqual(0);
      // popcount == len and the ones are contiguous from the top
      let pop = 0;
      for (let b = 31; b >= 0; b--) if ((m >>> b) & 1) pop++;
      expect(pop).toBe(len);
      expect(m).toBe(len === 0 ? 0 : Number((0xffffffffn << BigInt(32 - len)) & 0xffffffffn));
    }
  });

  it('sameSubnet', () => {
    expect(sameSubnet(ip('10.0.0.1'), ip('10.0.0.254'), 24)).toBe(true);
    expect(sameSubnet(ip('10.0.0.1'), ip('10.0.1.1'), 24)).toBe(false);
    expect(sameSubnet(ip('10.0.0.1'), ip('10.0.1.1'), 23)).toBe(true);
    expect(sameSubnet(ip('1.2.3.4'), ip('200.2.3.4'), 0)).toBe(true);
    expect(sameSubnet(ip('1.2.3.4'), ip('1.2.3.5'), 32)).toBe(false);
    expect(sameSubnet(ip('1.2.3.4'), ip('1.2.3.4'), 32)).toBe(true);
    expect(sameSubnet(ip('200.0.0.1'), ip('200.0.0.2'), 30)).toBe(true);
    expect(sameSubnet(ip('128.0.0.1'), ip('0.0.0.1'), 1)).toBe(false);
  });

  it('classifies address ranges at their boundaries', () => {
    expect(isMulticast(ip('223.255.255.255'))).toBe(false);
    expect(isMulticast(ip('224.0.0.0'))).toBe(true);
    expect(isMulticast(ip('239.255.255.255'))).toBe(true);
    expect(isMulticast(ip('240.0.0.0'))).toBe(false);
    expect(isMulticast(0xe00000fb | 0)).toBe(true); // signed input

    expect(isLocalBroadcast(0xffffffff)).toBe(true);
    expect(isLocalBroadcast(-1)).toBe(true);
    expect(isLocalBroadcast(0xfffffffe)).toBe(false);

    expect(isLoopback(ip('127.0.0.1'))).toBe(true);
    expect(isLoopback(ip('127.255.255.255'))).toBe(true);
    expect(isLoopback(ip('126.255.255.255'))).toBe(false);
    expect(isLoopback(ip('128.0.0.0'))).toBe(false);

    expect(isZeronet(0)).toBe(true);
    expect(isZeronet(ip('0.255.255.255'))).toBe(true);
    expect(isZeronet(ip('1.0.0.0'))).toBe(false);

    expect(isZero(0)).toBe(true);
    expect(isZero(1)).toBe(false);
    expect(isZero(ip('0.1.0.0'))).toBe(false);

    expect(isLinkLocal(ip('169.254.0.0'))).toBe(true);
    expect(isLinkLocal(ip('169.254.255.255'))).toBe(true);
    expect(isLinkLocal(ip('169.253.255.255'))).toBe(false);
    expect(isLinkLocal(ip('169.255.0.0'))).toBe(false);
  });

  it('isValidUnicastHost', () => {
    for (const good of ['10.0.0.1', '1.0.0.0', '192.168.1.255', '169.254.1.1', '223.255.255.255', '240.0.0.1',
      '255.255.255.254', '126.0.0.1']) {
      expect(isValidUnicastHost(ip(good)), good).toBe(true);
    }
    for (const bad of ['0.0.0.0', '0.1.2.3', '127.0.0.1', '224.0.0.1', '239.1.1.1', '255.255.255.255']) {
      expect(isValidUnicastHost(ip(bad)), bad).toBe(false);
    }
  });

  it('maps multicast groups to Ethernet addresses', () => {
    const out = Buffer.alloc(10, 0xaa);
    ipv4MulticastToMac(ip('224.0.0.251'), out, 2);
    expect(formatMac(out, 2)).toBe('01:00:5e:00:00:fb');
    expect(out[0]).toBe(0xaa);
    expect(out[1]).toBe(0xaa);
    expect(out[8]).toBe(0xaa);
    ipv4MulticastToMac(ip('239.255.255.250'), out, 0);
    expect(formatMac(out, 0)).toBe('01:00:5e:7f:ff:fa');
    ipv4MulticastToMac(ip('224.128.0.1'), out, 0); // 24th bit is dropped
    expect(formatMac(out, 0)).toBe('01:00:5e:00:00:01');
    ipv4MulticastToMac(ip('224.0.0.1'), out, 0);
    expect(formatMac(out, 0)).toBe('01:00:5e:00:00:01');
  });
});

// ---------------------------------------------------------------------------------------------

describe('mac', () => {
  it('parses iproute2-style addresses', () => {
    expect(formatMac(parseMac('aa:bb:cc:dd:ee:ff')!)).toBe('aa:bb:cc:dd:ee:ff');
    expect(formatMac(parseMac('AA:Bb:C:d:0e:F')!)).toBe('aa:bb:0c:0d:0e:0f');
    expect(formatMac(parseMac('0:0:0:0:0:0')!)).toBe('00:00:00:00:00:00');
    expect(formatMac(parseMac('02:00:5E:10:00:01')!)).toBe('02:00:5e:10:00:01');
    const m = parseMac('12:34:56:78:9a:bc')!;
    expect(m.length).toBe(6);
    expect([...m]).toEqual([0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc]);
  });

  it.each([
    'aa:bb:cc:dd:ee',
    'gg:bb:cc:dd:ee:ff',
    'aa:bb:cc:dd:ee:fg',
    'aa:bb:cc:dd:ee:ff:00',
    'aaa:bb:cc:dd:ee:f',
    'aa-bb-cc-dd-ee-ff',
    'aa::cc:dd:ee:ff',
    ':aa:bb:cc:dd:ee',
    'aa:bb:cc:dd:ee:',
    ' aa:bb:cc:dd:ee:ff',
    'aa:bb:cc:dd:ee:ff ',
    'a:b:c:d:e: ',
    'aabbccddeeff',
    '',
    '0x1:2:3:4:5:6',
  ])('rejects %j', (s) => {
    expect(parseMac(s)).toBeNull();
  });

  it('formats at an offset and round-trips random addresses', () => {
    const frame = hex('ffffffffffff 0200aabbccdd 0806');
    expect(formatMac(frame, 6)).toBe('02:00:aa:bb:cc:dd');
    expect(formatMac(frame)).toBe('ff:ff:ff:ff:ff:ff');
    const rnd = mulberry32(2);
    for (let i = 0; i < 500; i++) {
      const b = Buffer.alloc(6);
      for (let j = 0; j < 6; j++) b[j] = Math.floor(rnd() * 256);
      const s = formatMac(b);
      expect(s).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
      expect(parseMac(s)!.equals(b)).toBe(true);
      expect(parseMac(s.toUpperCase())!.equals(b)).toBe(true);
    }
  });

  it('randomMac is locally administered unicast', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const m = randomMac();
      expect(m.length).toBe(6);
      expect(m[0] & 0x01).toBe(0);
      expect(m[0] & 0x02).toBe(2);
      expect(isMulticastEther(m, 0)).toBe(false);
      expect(isZeroEther(m, 0)).toBe(false);
      seen.add(formatMac(m));
    }
    expect(seen.size).toBeGreaterThan(990);
  });

  it('classifies addresses in place', () => {
    const b = Buffer.concat([Buffer.from([0x99]), BROADCAST_MAC, ZERO_MAC, hex('01005e0000fb 3333000000010200aabbccdd')]);
    expect(isBroadcastEther(b, 1)).toBe(true);
    expect(isMulticastEther(b, 1)).toBe(true); // broadcast is multicast too
    expect(isZeroEther(b, 1)).toBe(false);
    expect(isZeroEther(b, 7)).toBe(true);
    expect(isBroadcastEther(b, 7)).toBe(false);
    expect(isMulticastEther(b, 7)).toBe(false);
    expect(isMulticastEther(b, 13)).toBe(true);
    expect(isBroadcastEther(b, 13)).toBe(false);
    expect(isMulticastEther(b, 19)).toBe(true); // 33:33 IPv6 multicast
    expect(isMulticastEther(b, 25)).toBe(false);
    expect(isBroadcastEther(hex('ffffffffff7f'), 0)).toBe(false);
    expect(isBroadcastEther(hex('7fffffffffff'), 0)).toBe(false);
    expect(isZeroEther(hex('000000000001'), 0)).toBe(false);
    expect(isZeroEther(hex('800000000000'), 0)).toBe(false);
  });

  it('macEqual compares 6 bytes at arbitrary offsets', () => {
    const a = hex('00 0200aabbccdd 00');
    const b = hex('0200aabbccdd');
    expect(macEqual(a, 1, b, 0)).toBe(true);
    expect(macEqual(a, 0, b, 0)).toBe(false);
    for (let i = 0; i < 6; i++) {
      const c = Buffer.from(b);
      c[i] ^= 0x80;
      expect(macEqual(a, 1, c, 0)).toBe(false);
      c[i] ^= 0x80;
      expect(macEqual(a, 1, c, 0)).toBe(true);
    }
    expect(macEqual(BROADCAST_MAC, 0, hex('ffffffffffff'), 0)).toBe(true);
  });

  it('constants have the right contents and private storage', () => {
    expect(formatMac(BROADCAST_MAC)).toBe('ff:ff:ff:ff:ff:ff');
    expect(formatMac(ZERO_MAC)).toBe('00:00:00:00:00:00');
    expect(BROADCAST_MAC.length).toBe(6);
    expect(ZERO_MAC.length).toBe(6);
    // not a slice of the shared Buffer pool
    expect(BROADCAST_MAC.buffer.byteLength).toBe(6);
    expect(ZERO_MAC.buffer.byteLength).toBe(6);
  });
});

// ---------------------------------------------------------------------------------------------

describe('ethhdr', () => {
  it('has the if_ether.h constants', () => {
    expect([ETH_ALEN, ETH_HLEN, ETH_ZLEN, ETH_DATA_LEN, ETH_FRAME_LEN]).toEqual([6, 14, 60, 1500, 1514]);
    expect([ETH_P_IP, ETH_P_ARP, ETH_P_IPV6, ETH_P_8021Q]).toEqual([0x0800, 0x0806, 0x86dd, 0x8100]);
  });

  it('emits and reads a header', () => {
    const buf = Buffer.alloc(40, 0xee);
    const dst = hex('0200aabbccdd');
    const src = hex('9999 0200 1122 3344');
    const next = emitEthHeader(buf, 3, dst, 0, src, 2, ETH_P_ARP);
    expect(next).toBe(3 + ETH_HLEN);
    expect(buf.subarray(3, 17).toString('hex')).toBe('0200aabbccdd' + '020011223344' + '0806');
    expect(buf[2]).toBe(0xee);
    expect(buf[17]).toBe(0xee);
    expect(ethProto(buf, 3)).toBe(ETH_P_ARP);
    emitEthHeader(buf, 0, BROADCAST_MAC, 0, src, 2, ETH_P_IPV6);
    expect(ethProto(buf, 0)).toBe(0x86dd);
    expect(isBroadcastEther(buf, 0)).toBe(true);
    emitEthHeader(buf, 0, dst, 0, src, 2, 0xffff);
    expect(ethProto(buf, 0)).toBe(0xffff);
  });

  it('supports in-place replies (dst taken from the frame source)', () => {
    const frame = hex('ffffffffffff 0200aabbccdd 0800');
    const me = hex('021122334455');
    emitEthHeader(frame, 0, frame, 6, me, 0, ETH_P_IP);
    expect(frame.toString('hex')).toBe('0200aabbccdd' + '021122334455' + '0800');
  });
});

// ---------------------------------------------------------------------------------------------

describe('checksum', () => {
  it('verifies the classic IPv4 header example', () => {
    const h = hex(CLASSIC_IPH);
    expect(ipFastCsum(h, 0, 5)).toBe(0);
    expect(csumFold(csumPartial(h, 0, 20))).toBe(0);
    h[10] = 0;
    h[11] = 0;
    expect(ipFastCsum(h, 0, 5)).toBe(0xb861);
    expect(csumFold(csumPartial(h, 0, 20))).toBe(0xb861);
  });

  it('handles odd lengths by padding with a zero byte', () => {
    const b = hex('0102030405');
    expect(csumFold(csumPartial(b, 0, 5))).toBe(0xf6f9);
    expect(csumPartial(b, 0, 5)).toBe(0x0906);
    expect(csumPartial(hex('ff'), 0, 1)).toBe(0xff00);
    expect(csumPartial(b, 0, 0)).toBe(0);
    expect(csumFold(0)).toBe(0xffff);
    expect(csumFold(0xffff)).toBe(0);
  });

  it('matches a naive reference for random data, lengths, offsets and initial sums', () => {
    const rnd = mulberry32(3);
    const big = Buffer.alloc(70000);
    for (let i = 0; i < big.length; i++) big[i] = Math.floor(rnd() * 256);
    for (let t = 0; t < 3000; t++) {
      const len = t < 100 ? t : Math.floor(rnd() * (t % 10 === 0 ? 2000 : 100));
      const off = Math.floor(rnd() * 64);
      const init = t % 3 === 0 ? 0 : Math.floor(rnd() * 0x100000000);
      const got = csumPartial(big, off, len, init);
      expect(got).toBeLessThanOrEqual(0xffff);
      expect(got).toBe(refSum(big, off, len, init));
    }
    // all-0xff data (maximal carries) and a full 64 KiB
    const ff = Buffer.alloc(65535, 0xff);
    expect(csumPartial(ff, 0, 65535)).toBe(refSum(ff, 0, 65535));
    expect(csumPartial(big, 1, 65535, 0xffffffff)).toBe(refSum(big, 1, 65535, 0xffffffff));
    expect(csumPartial(Buffer.alloc(64), 0, 64)).toBe(0);
  });

  it('chains over even-length chunks', () => {
    const p = hex(PING).subarray(20);
    const whole = csumPartial(p, 0, p.length);
    const chained = csumPartial(p, 8, p.length - 8, csumPartial(p, 0, 8));
    expect(chained).toBe(whole);
    expect(csumAdd(csumPartial(p, 0, 16), csumPartial(p, 16, p.length - 16))).toBe(whole);
  });

  it('csumFold folds large and signed sums', () => {
    expect(csumFold(0x1fffe)).toBe(0);
    expect(csumFold(0xffffffff)).toBe(0);
    expect(csumFold(-1)).toBe(0); // int32 -1 == 0xffffffff
    expect(csumFold(0x12345678)).toBe(~(0x1234 + 0x5678) & 0xffff);
    const big = 0xffffffff * 3 + 12345;
    let ref = big;
    while (ref > 0xffff) ref = (ref % 0x10000) + Math.floor(ref / 0x10000);
    expect(csumFold(big)).toBe(~ref & 0xffff);
  });

  it('csumAdd is ones-complement addition', () => {
    expect(csumAdd(0xffff, 1)).toBe(1);
    expect(csumAdd(0, 0)).toBe(0);
    expect(csumAdd(0x8000, 0x8000)).toBe(1);
    expect(csumAdd(0xffffffff, 0)).toBe(0xffff);
  });

  it('ipFastCsum includes options', () => {
    const h = Buffer.alloc(24);
    writeIpHeader(h, 0, 0, 24, 1, 0, 64, 1, ip('10.0.0.1'), ip('10.0.0.2'));
    h[0] = 0x46;
    h.writeUInt32BE(0x94040000, 20); // router alert
    h[10] = 0;
    h[11] = 0;
    const c = ipFastCsum(h, 0, 6);
    expect(c).toBe(refCsum(h, 0, 24));
    h.writeUInt16BE(c, 10);
    expect(ipFastCsum(h, 0, 6)).toBe(0);
    expect(ipFastCsum(h, 0, 5)).not.toBe(0);
  });

  it('csumReplace2 matches full recomputation on 10k random TTL decrements', () => {
    const rnd = mulberry32(4);
    const h = Buffer.alloc(20);
    let zeroChecks = 0;
    for (let t = 0; t < 10000; t++) {
      // a quarter of the cases exercise TTL 1 -> 0
      const ttl = t % 4 === 0 ? 1 : 1 + Math.floor(rnd() * 255);
      writeIpHeader(
        h, 0,
        Math.floor(rnd() * 256), Math.floor(rnd() * 65536), Math.floor(rnd() * 65536), Math.floor(rnd() * 65536),
        ttl, Math.floor(rnd() * 256), Math.floor(rnd() * 0x100000000), Math.floor(rnd() * 0x100000000),
      );
      expect(ipFastCsum(h, 0, 5)).toBe(0);
      const oldCheck = ipCheck(h, 0);
      const proto = ipProtocol(h, 0);
      const inc = csumReplace2(oldCheck, (ttl << 8) | proto, ((ttl - 1) << 8) | proto);
      expect(ipDecreaseTtl(h, 0)).toBe(ttl - 1);
      expect(ipTtl(h, 0)).toBe(ttl - 1);
      expect(ipCheck(h, 0)).toBe(inc);
      h[10] = 0;
      h[11] = 0;
      const full = ipFastCsum(h, 0, 5);
      expect(inc).toBe(full);
      if (full === 0) zeroChecks++;
    }
    expect(zeroChecks).toBeLessThan(10);
  });

  it('csumReplace2 matches full recomputation for arbitrary word changes', () => {
    const rnd = mulberry32(5);
    const b = Buffer.alloc(40);
    for (let t = 0; t < 10000; t++) {
      for (let i = 0; i < b.length; i++) b[i] = Math.floor(rnd() * 256);
      // sprinkle in 0x0000 / 0xffff words, where ones' complement representations collide
      const w = 2 * Math.floor(rnd() * 19) + 2;
      if (t % 5 === 0) b.writeUInt16BE(0xffff, w);
      if (t % 7 === 0) b.writeUInt16BE(0x0000, w);
      b[0] = 0;
      b[1] = 0;
      const check = refCsum(b, 0, b.length);
      b.writeUInt16BE(check, 0);
      const oldWord = b.readUInt16BE(w);
      const newWord = t % 3 === 0 ? [0, 0xffff, 1, 0xfffe][t % 4] : Math.floor(rnd() * 65536);
      b.writeUInt16BE(newWord, w);
      b[0] = 0;
      b[1] = 0;
      expect(csumReplace2(check, oldWord, newWord)).toBe(refCsum(b, 0, b.length));
    }
  });

  it('csumReplace2 produces 0x0000 (not 0xffff) when the new sum is all ones', () => {
    // Pick the id so that after TTL 1 -> 0 the header sums to exactly 0xffff, i.e. check 0x0000.
    const h = Buffer.alloc(20);
    const saddr = ip('192.0.2.1');
    const daddr = ip('198.51.100.7');
    writeIpHeader(h, 0, 0, 84, 0, IP_DF, 0, IPPROTO_ICMP, saddr, daddr);
    h[10] = 0;
    h[11] = 0;
    h[4] = 0;
    h[5] = 0;
    const others = refSum(h, 0, 20);
    const id = 0xffff - others; // others + id == 0xffff
    writeIpHeader(h, 0, 0, 84, id, IP_DF, 1, IPPROTO_ICMP, saddr, daddr);
    // with TTL 1 the sum is 0xffff + 0x0100 == 0x0100 (end-around carry), so check = ~0x0100
    expect(ipCheck(h, 0)).toBe(0xfeff);
    expect(ipDecreaseTtl(h, 0)).toBe(0);
    expect(ipCheck(h, 0)).toBe(0x0000);
    expect(ipFastCsum(h, 0, 5)).toBe(0);
    // and back: a canonical 0x0000 input with TTL 0 -> 1 gives 0xfeff again
    expect(csumReplace2(0x0000, IPPROTO_ICMP, (1 << 8) | IPPROTO_ICMP)).toBe(0xfeff);
    // RFC 1624 section 4: other words sum to 0xcd7a, m 0x5555 -> m' 0x3285, HC = 0xdd2f.
    // Eqn. 2 yields 0xffff here; the correct (full recomputation) answer is 0x0000.
    expect(csumReplace2(0xdd2f, 0x5555, 0x3285)).toBe(0x0000);
  });

  it('csumReplace2 on the non-canonical 0xffff check still yields a valid checksum', () => {
    const h = hex(CLASSIC_IPH);
    // force a header whose canonical check is 0x0000 then store the alternate 0xffff
    h[10] = 0;
    h[11] = 0;
    h[4] = 0;
    h[5] = 0;
    const id = 0xffff - refSum(h, 0, 20);
    h.writeUInt16BE(id, 4);
    expect(ipFastCsum(h, 0, 5)).toBe(0); // canonical 0x0000 verifies
    h.writeUInt16BE(0xffff, 10);
    expect(ipFastCsum(h, 0, 5)).toBe(0); // -0 verifies too
    ipDecreaseTtl(h, 0);
    expect(ipFastCsum(h, 0, 5)).toBe(0);
  });

  it('csumReplace4 matches full recomputation for address rewrites', () => {
    const rnd = mulberry32(6);
    const h = Buffer.alloc(20);
    for (let t = 0; t < 3000; t++) {
      const saddr = Math.floor(rnd() * 0x100000000);
      writeIpHeader(h, 0, 0, 60, t, 0, 64, IPPROTO_UDP, saddr, Math.floor(rnd() * 0x100000000));
      const newSaddr = t % 10 === 0 ? 0 : t % 10 === 1 ? 0xffffffff : Math.floor(rnd() * 0x100000000);
      const inc = csumReplace4(ipCheck(h, 0), saddr, newSaddr);
      h.writeUInt32BE(newSaddr, 12);
      h[10] = 0;
      h[11] = 0;
      expect(inc).toBe(ipFastCsum(h, 0, 5));
    }
  });

  it('incrementally turns an echo request checksum into the reply checksum', () => {
    expect(csumReplace2(0x3115, ICMP_ECHO << 8, ICMP_ECHOREPLY << 8)).toBe(0x3915);
  });

  it('udpPseudoSum feeds a full UDP checksum', () => {
    // 10.0.0.1:1234 -> 10.0.0.2:53, payload "hello" (checksum 0xa2f8, computed with Python)
    const saddr = ip('10.0.0.1');
    const daddr = ip('10.0.0.2');
    const udp = hex('04d2 0035 000d 0000 68656c6c6f');
    const pseudo = udpPseudoSum(saddr, daddr, IPPROTO_UDP, udp.length);
    expect(pseudo).toBe(refSum(hex('0a000001 0a000002 0011 000d'), 0, 12));
    const c = csumFold(csumPartial(udp, 0, udp.length, pseudo));
    expect(c).toBe(0xa2f8);
    const ph = Buffer.concat([hex('0a000001 0a000002 0011 000d'), udp]);
    expect(c).toBe(refCsum(ph, 0, ph.length));
    udp.writeUInt16BE(c, 6);
    expect(csumFold(csumPartial(udp, 0, udp.length, pseudo))).toBe(0);
    // signed addresses behave like unsigned ones
    expect(udpPseudoSum(ip('200.1.1.1') | 0, ip('250.0.0.1') | 0, IPPROTO_TCP, 20)).toBe(
      udpPseudoSum(ip('200.1.1.1'), ip('250.0.0.1'), IPPROTO_TCP, 20),
    );
  });
});

// ---------------------------------------------------------------------------------------------

describe('iphdr', () => {
  it('has the struct iphdr offsets and flag constants', () => {
    expect([IPH_VER_IHL_OFF, IPH_TOS_OFF, IPH_TOT_LEN_OFF, IPH_ID_OFF, IPH_FRAG_OFF_OFF, IPH_TTL_OFF,
      IPH_PROTOCOL_OFF, IPH_CHECK_OFF, IPH_SADDR_OFF, IPH_DADDR_OFF]).toEqual([0, 1, 2, 4, 6, 8, 9, 10, 12, 16]);
    expect([IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP]).toEqual([1, 6, 17]);
    expect([IP_DF, IP_MF, IP_OFFMASK]).toEqual([0x4000, 0x2000, 0x1fff]);
  });

  it('reads the classic header in place', () => {
    const b = Buffer.concat([hex('aabbcc'), hex(CLASSIC_IPH)]);
    const o = 3;
    expect(ipVersion(b, o)).toBe(4);
    expect(ipIhlBytes(b, o)).toBe(20);
    expect(ipTos(b, o)).toBe(0);
    expect(ipTotLen(b, o)).toBe(0x73);
    expect(ipId(b, o)).toBe(0);
    expect(ipFragOff(b, o)).toBe(IP_DF);
    expect(ipIsFragment(b, o)).toBe(false);
    expect(ipTtl(b, o)).toBe(0x40);
    expect(ipProtocol(b, o)).toBe(IPPROTO_UDP);
    expect(ipCheck(b, o)).toBe(0xb861);
    expect(ipSaddr(b, o)).toBe(ip('192.168.0.1'));
    expect(ipDaddr(b, o)).toBe(ip('192.168.0.199'));
    expect(ipHeaderCheck(b, o, 0x73)).toBe(IP_OK);
    expect(ipHeaderCheck(b, o, 20)).toBe(IP_DROP_TRUNCATED); // header only, tot_len says 115
  });

  it('ipIsFragment', () => {
    const h = Buffer.alloc(20);
    for (const [frag, want] of [[0, false], [IP_DF, false], [IP_MF, true], [1, true], [IP_DF | 0x1fff, true],
      [0x8000, false]] as const) {
      writeIpHeader(h, 0, 0, 20, 0, frag, 64, 6, 1, 2);
      expect(ipIsFragment(h, 0), String(frag)).toBe(want);
      expect(ipFragOff(h, 0)).toBe(frag);
    }
  });

  it('writeIpHeader / emitIpHeader produce a valid header that reads back', () => {
    const rnd = mulberry32(7);
    const buf = Buffer.alloc(64, 0x77);
    for (let t = 0; t < 2000; t++) {
      const f = {
        tos: Math.floor(rnd() * 256),
        totLen: 20 + Math.floor(rnd() * 65516),
        id: Math.floor(rnd() * 65536),
        fragOff: Math.floor(rnd() * 65536),
        ttl: Math.floor(rnd() * 256),
        protocol: Math.floor(rnd() * 256),
        saddr: Math.floor(rnd() * 0x100000000),
        daddr: Math.floor(rnd() * 0x100000000),
      };
      const off = t % 7;
      const next = t & 1 ? emitIpHeader(buf, off, f) : writeIpHeader(buf, off, f.tos, f.totLen, f.id, f.fragOff,
        f.ttl, f.protocol, f.saddr, f.daddr);
      expect(next).toBe(off + 20);
      expect(ipFastCsum(buf, off, 5)).toBe(0);
      expect(refSum(buf, off, 20)).toBe(0xffff);
      expect(ipVersion(buf, off)).toBe(4);
      expect(ipIhlBytes(buf, off)).toBe(20);
      expect(ipTos(buf, off)).toBe(f.tos);
      expect(ipTotLen(buf, off)).toBe(f.totLen);
      expect(ipId(buf, off)).toBe(f.id);
      expect(ipFragOff(buf, off)).toBe(f.fragOff);
      expect(ipTtl(buf, off)).toBe(f.ttl);
      expect(ipProtocol(buf, off)).toBe(f.protocol);
      expect(ipSaddr(buf, off)).toBe(f.saddr);
      expect(ipDaddr(buf, off)).toBe(f.daddr);
      expect(ipHeaderCheck(buf, off, f.totLen)).toBe(IP_OK);
    }
    expect(buf[27]).toBe(0x77); // nothing beyond 20 bytes at the largest offset
  });

  it('writeIpHeader normalises signed addresses', () => {
    const h = Buffer.alloc(20);
    writeIpHeader(h, 0, 0, 20, 0, 0, 64, 1, ip('200.0.0.1') | 0, -1);
    expect(ipSaddr(h, 0)).toBe(ip('200.0.0.1'));
    expect(ipDaddr(h, 0)).toBe(0xffffffff);
    expect(ipFastCsum(h, 0, 5)).toBe(0);
  });

  it('matches the hand-built echo request byte for byte', () => {
    const pkt = hex(PING);
    const h = Buffer.alloc(20);
    writeIpHeader(h, 0, 0, 60, 0xbeef, IP_DF, 64, IPPROTO_ICMP, ip('10.0.0.1'), ip('10.0.0.2'));
    expect(h.toString('hex')).toBe(pkt.subarray(0, 20).toString('hex'));
    expect(ipHeaderCheck(pkt, 0, pkt.length)).toBe(IP_OK);
  });

  describe('ipHeaderCheck reason codes', () => {
    const good = (): Buffer => {
      const b = Buffer.alloc(60);
      writeIpHeader(b, 0, 0, 40, 1, 0, 64, IPPROTO_UDP, ip('10.0.0.1'), ip('10.0.0.2'));
      return b;
    };
    const reseal = (b: Buffer, ihl = 5): void => {
      b[10] = 0;
      b[11] = 0;
      b.writeUInt16BE(ipFastCsum(b, 0, ihl), 10);
    };

    it('accepts a good header, with trailing padding', () => {
      expect(ipHeaderCheck(good(), 0, 40)).toBe(IP_OK);
      expect(ipHeaderCheck(good(), 0, 60)).toBe(IP_OK);
    });

    it('too short', () => {
      expect(ipHeaderCheck(good(), 0, 19)).toBe(IP_DROP_TOO_SHORT);
      expect(ipHeaderCheck(good(), 0, 0)).toBe(IP_DROP_TOO_SHORT);
    });

    it('bad version', () => {
      const b = good();
      b[0] = 0x65;
      reseal(b);
      expect(ipHeaderCheck(b, 0, 40)).toBe(IP_DROP_BAD_VERSION);
      b[0] = 0x05;
      expect(ipHeaderCheck(b, 0, 40)).toBe(IP_DROP_BAD_VERSION);
    });

    it('bad ihl', () => {
      const b = good();
      for (const ihl of [0, 1, 4]) {
        b[0] = 0x40 | ihl;
        expect(ipHeaderCheck(b, 0, 40)).toBe(IP_DROP_BAD_IHL);
      }
    });

    it('header longer than the packet', () => {
      const b = good();
      b[0] = 0x4f; // 60-byte header
      expect(ipHeaderCheck(b, 0, 40)).toBe(IP_DROP_HDR_TRUNCATED);
      b[0] = 0x46;
      expect(ipHeaderCheck(b, 0, 23)).toBe(IP_DROP_HDR_TRUNCATED);
    });

    it('bad checksum (checked before tot_len, as in ip_rcv_core)', () => {
      const b = good();
      b[15] ^= 1;
      expect(ipHeaderCheck(b, 0, 40)).toBe(IP_DROP_BAD_CSUM);
      b.writeUInt16BE(1000, 2); // also truncated, but the checksum error wins
      expect(ipHeaderCheck(b, 0, 40)).toBe(IP_DROP_BAD_CSUM);
      const c = good();
      c[10] ^= 0x80;
      expect(ipHeaderCheck(c, 0, 40)).toBe(IP_DROP_BAD_CSUM);
    });

    it('tot_len beyond the available bytes', () => {
      const b = good();
      expect(ipHeaderCheck(b, 0, 39)).toBe(IP_DROP_TRUNCATED);
      b.writeUInt16BE(61, 2);
      reseal(b);
      expect(ipHeaderCheck(b, 0, 60)).toBe(IP_DROP_TRUNCATED);
      b.writeUInt16BE(60, 2);
      reseal(b);
      expect(ipHeaderCheck(b, 0, 60)).toBe(IP_OK);
    });

    it('tot_len smaller than the header', () => {
      const b = good();
      b.writeUInt16BE(19, 2);
      reseal(b);
      expect(ipHeaderCheck(b, 0, 40)).toBe(IP_DROP_BAD_TOT_LEN);
      b[0] = 0x46; // 24-byte header with tot_len 20..23
      b.writeUInt16BE(23, 2);
      reseal(b, 6);
      expect(ipHeaderCheck(b, 0, 40)).toBe(IP_DROP_BAD_TOT_LEN);
      b.writeUInt16BE(24, 2);
      reseal(b, 6);
      expect(ipHeaderCheck(b, 0, 40)).toBe(IP_OK);
    });

    it('works at a non-zero offset', () => {
      const b = Buffer.concat([Buffer.alloc(14, 0xff), good()]);
      expect(ipHeaderCheck(b, 14, 40)).toBe(IP_OK);
      expect(ipHeaderCheck(b, 14, 10)).toBe(IP_DROP_TOO_SHORT);
    });

    it('names every code', () => {
      const codes = [IP_OK, IP_DROP_TOO_SHORT, IP_DROP_BAD_VERSION, IP_DROP_BAD_IHL, IP_DROP_HDR_TRUNCATED,
        IP_DROP_BAD_CSUM, IP_DROP_TRUNCATED, IP_DROP_BAD_TOT_LEN];
      expect(new Set(codes).size).toBe(codes.length);
      expect(IP_DROP_REASONS.length).toBe(codes.length);
      for (const c of codes) expect(IP_DROP_REASONS[c]).toMatch(/^(ok|ip-[a-z]+(-[a-z]+)*)$/);
      expect(IP_DROP_REASONS[IP_DROP_TRUNCATED]).toBe('ip-truncated');
      expect(IP_DROP_REASONS[IP_DROP_BAD_CSUM]).toBe('ip-bad-csum');
      expect(Object.isFrozen(IP_DROP_REASONS)).toBe(true);
    });
  });
});

// ---------------------------------------------------------------------------------------------

describe('icmphdr', () => {
  it('has the icmp.h numbers', () => {
    expect([ICMP_ECHOREPLY, ICMP_DEST_UNREACH, ICMP_REDIRECT, ICMP_ECHO, ICMP_TIME_EXCEEDED, ICMP_PARAMETERPROB])
      .toEqual([0, 3, 5, 8, 11, 12]);
    expect([ICMP_NET_UNREACH, ICMP_HOST_UNREACH, ICMP_PROT_UNREACH, ICMP_PORT_UNREACH, ICMP_FRAG_NEEDED])
      .toEqual([0, 1, 2, 3, 4]);
    expect([ICMP_EXC_TTL, ICMP_EXC_FRAGTIME]).toEqual([0, 1]);
  });

  it('reads the hand-built echo request', () => {
    const pkt = hex(PING);
    const o = ipIhlBytes(pkt, 0);
    const len = ipTotLen(pkt, 0) - o;
    expect(len).toBe(40);
    expect(icmpType(pkt, o)).toBe(ICMP_ECHO);
    expect(icmpCode(pkt, o)).toBe(0);
    expect(icmpChecksum(pkt, o)).toBe(0x3115);
    expect(icmpEchoId(pkt, o)).toBe(0x1c46);
    expect(icmpEchoSeq(pkt, o)).toBe(1);
    expect(icmpChecksumOk(pkt, o, len)).toBe(true);
    expect(icmpCheck(pkt, o, len)).toBe(ICMP_OK);
  });

  it('builds the same echo request and its reply', () => {
    const pkt = hex(PING);
    const payload = pkt.subarray(28);
    const b = Buffer.alloc(40);
    expect(writeIcmpEcho(b, 0, ICMP_ECHO, 0x1c46, 1)).toBe(8);
    expect(icmpChecksum(b, 0)).toBe(0);
    payload.copy(b, 8);
    expect(finishIcmpChecksum(b, 0, 40)).toBe(0x3115);
    expect(b.toString('hex')).toBe(pkt.subarray(20).toString('hex'));
    // reply in place: finishIcmpChecksum must ignore the stale checksum
    b[0] = ICMP_ECHOREPLY;
    expect(finishIcmpChecksum(b, 0, 40)).toBe(0x3915);
    expect(icmpChecksumOk(b, 0, 40)).toBe(true);
    expect(icmpCheck(b, 0, 40)).toBe(ICMP_OK);
    // large id / seq
    writeIcmpEcho(b, 0, ICMP_ECHO, 0xffff, 0xfffe);
    expect(icmpEchoId(b, 0)).toBe(0xffff);
    expect(icmpEchoSeq(b, 0)).toBe(0xfffe);
  });

  it('odd-length messages', () => {
    const b = Buffer.alloc(9 + 3);
    writeIcmpEcho(b, 3, ICMP_ECHO, 7, 9);
    b[11] = 0xab; // the 9th, unpaired byte
    const expected = refCsum(b, 3, 9);
    expect(finishIcmpChecksum(b, 3, 9)).toBe(expected);
    expect(icmpChecksum(b, 3)).toBe(expected);
    expect(icmpCheck(b, 3, 9)).toBe(ICMP_OK);
    b[11] ^= 1;
    expect(icmpCheck(b, 3, 9)).toBe(ICMP_DROP_BAD_CSUM);
  });

  it('writeIcmpHeader carries the rest-of-header word', () => {
    const b = Buffer.alloc(8 + 28);
    writeIcmpHeader(b, 0, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, 1400);
    expect(icmpType(b, 0)).toBe(3);
    expect(icmpCode(b, 0)).toBe(4);
    expect(icmpFragMtu(b, 0)).toBe(1400);
    finishIcmpChecksum(b, 0, b.length);
    expect(icmpCheck(b, 0, b.length)).toBe(ICMP_OK);
    writeIcmpHeader(b, 0, ICMP_REDIRECT, 1, ip('10.0.0.254'));
    expect(icmpGateway(b, 0)).toBe(ip('10.0.0.254'));
    expect(icmpChecksum(b, 0)).toBe(0);
    writeIcmpHeader(b, 0, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, 0);
    expect(b.subarray(0, 8).toString('hex')).toBe('0b00000000000000');
  });

  it('icmpCheck reason codes (checksum first, like icmp_rcv)', () => {
    const pkt = hex(PING).subarray(20);
    const bad = Buffer.from(pkt);
    bad[20] ^= 0x10;
    expect(icmpCheck(bad, 0, 40)).toBe(ICMP_DROP_BAD_CSUM);
    expect(icmpChecksumOk(bad, 0, 40)).toBe(false);
    // 4 bytes whose checksum verifies: too short
    const short = hex('0800 f7ff');
    expect(icmpCheck(short, 0, 4)).toBe(ICMP_DROP_TOO_SHORT);
    // 7 bytes, bad checksum: the checksum error is reported
    expect(icmpCheck(pkt, 0, 7)).toBe(ICMP_DROP_BAD_CSUM);
    // an empty message sums to +0, which never verifies
    expect(icmpCheck(pkt, 0, 0)).toBe(ICMP_DROP_BAD_CSUM);
    const codes = [ICMP_OK, ICMP_DROP_BAD_CSUM, ICMP_DROP_TOO_SHORT];
    expect(ICMP_DROP_REASONS.length).toBe(codes.length);
    expect(ICMP_DROP_REASONS[ICMP_DROP_TOO_SHORT]).toBe('icmp-too-short');
    expect(ICMP_DROP_REASONS[ICMP_DROP_BAD_CSUM]).toBe('icmp-bad-csum');
  });
});

// ---------------------------------------------------------------------------------------------

describe('arphdr', () => {
  // Ethernet/IPv4 who-has 192.168.0.2 tell 192.168.0.1 from 02:00:aa:bb:cc:dd.
  const REQUEST = '0001 0800 0604 0001 0200aabbccdd c0a80001 000000000000 c0a80002';

  it('has the if_arp.h numbers', () => {
    expect([ARPHRD_ETHER, ARPHRD_IEEE802]).toEqual([1, 6]);
    expect([ARPOP_REQUEST, ARPOP_REPLY, ARPOP_RREQUEST, ARPOP_RREPLY, ARPOP_InREQUEST, ARPOP_InREPLY, ARPOP_NAK])
      .toEqual([1, 2, 3, 4, 8, 9, 10]);
    expect(arpHdrLen(6)).toBe(28);
    expect(arpHdrLen(0)).toBe(16);
    expect(arpHdrLen(20)).toBe(56);
    expect(ARP_ETH_LEN).toBe(28);
    expect([ARP_ETH_SIP_OFF, ARP_ETH_THA_OFF, ARP_ETH_TIP_OFF]).toEqual([14, 18, 24]);
  });

  it('reads a request in place', () => {
    const b = Buffer.concat([Buffer.alloc(14), hex(REQUEST)]);
    const o = 14;
    expect(arpHeaderCheck(b, o, 28, 6)).toBe(ARP_OK);
    expect(arpProtoCheck(b, o)).toBe(ARP_OK);
    expect(arpHrd(b, o)).toBe(ARPHRD_ETHER);
    expect(arpPro(b, o)).toBe(ETH_P_IP);
    expect(arpHln(b, o)).toBe(6);
    expect(arpPln(b, o)).toBe(4);
    expect(arpOp(b, o)).toBe(ARPOP_REQUEST);
    expect(arpShaOff(o)).toBe(o + 8);
    expect(formatMac(b, arpShaOff(o))).toBe('02:00:aa:bb:cc:dd');
    expect(arpSip(b, o, 6)).toBe(ip('192.168.0.1'));
    expect(arpThaOff(o, 6)).toBe(o + 18);
    expect(isZeroEther(b, arpThaOff(o, 6))).toBe(true);
    expect(arpTip(b, o, 6)).toBe(ip('192.168.0.2'));
  });

  it('accessors follow ar_hln for other address lengths', () => {
    // hln 8: sha(8) sip(4) tha(8) tip(4)
    const b = hex('0001 0800 0804 0002 1111111111111111 0a000001 2222222222222222 c8000002');
    expect(arpHdrLen(8)).toBe(b.length);
    expect(arpHeaderCheck(b, 0, b.length, 8)).toBe(ARP_OK);
    expect(arpSip(b, 0, 8)).toBe(ip('10.0.0.1'));
    expect(arpTip(b, 0, 8)).toBe(ip('200.0.0.2'));
    expect(arpThaOff(0, 8)).toBe(20);
    expect(b[arpThaOff(0, 8)]).toBe(0x22);
  });

  it('writeArp builds requests and replies', () => {
    const buf = Buffer.alloc(40, 0x5a);
    const mac = hex('ffff 0200aabbccdd');
    expect(writeArp(buf, 2, ARPOP_REQUEST, mac, 2, ip('192.168.0.1'), null, 0, ip('192.168.0.2'))).toBe(30);
    expect(buf.subarray(2, 30).toString('hex')).toBe(hex(REQUEST).toString('hex'));
    expect(buf[1]).toBe(0x5a);
    expect(buf[30]).toBe(0x5a);

    // reply straight from the request's fields
    const req = buf.subarray(2, 30);
    const peer = hex('021122334455');
    const rep = Buffer.alloc(28);
    writeArp(rep, 0, ARPOP_REPLY, peer, 0, arpTip(req, 0, 6), req, arpShaOff(0), arpSip(req, 0, 6));
    expect(rep.toString('hex')).toBe(hex('0001 0800 0604 0002 021122334455 c0a80002 0200aabbccdd c0a80001').toString('hex'));
    expect(arpHeaderCheck(rep, 0, 28, 6)).toBe(ARP_OK);
    expect(arpProtoCheck(rep, 0)).toBe(ARP_OK);
    expect(arpOp(rep, 0)).toBe(ARPOP_REPLY);
    expect(macEqual(rep, arpThaOff(0, 6), req, arpShaOff(0))).toBe(true);

    // a null tha really zeroes stale bytes
    rep.fill(0xee);
    writeArp(rep, 0, ARPOP_REQUEST, peer, 0, 1, null, 0, 0xffffffff);
    expect(isZeroEther(rep, ARP_ETH_THA_OFF)).toBe(true);
    expect(arpTip(rep, 0, 6)).toBe(0xffffffff);
    expect(arpSip(rep, 0, 6)).toBe(1);

    // signed addresses
    writeArp(rep, 0, ARPOP_REQUEST, peer, 0, ip('200.0.0.1') | 0, null, 0, -2);
    expect(arpSip(rep, 0, 6)).toBe(ip('200.0.0.1'));
    expect(arpTip(rep, 0, 6)).toBe(0xfffffffe);
  });

  it('arpHeaderCheck reason codes', () => {
    const b = hex(REQUEST);
    expect(arpHeaderCheck(b, 0, 7, 6)).toBe(ARP_DROP_TOO_SHORT);
    expect(arpHeaderCheck(b, 0, 0, 6)).toBe(ARP_DROP_TOO_SHORT);
    expect(arpHeaderCheck(b, 0, 8, 6)).toBe(ARP_DROP_TRUNCATED);
    expect(arpHeaderCheck(b, 0, 27, 6)).toBe(ARP_DROP_TRUNCATED);
    expect(arpHeaderCheck(b, 0, 28, 6)).toBe(ARP_OK);
    expect(arpHeaderCheck(Buffer.concat([b, Buffer.alloc(18)]), 0, 46, 6)).toBe(ARP_OK); // padded frame
    // length is judged against the device's addr_len, then ar_hln must match it
    expect(arpHeaderCheck(b, 0, 28, 8)).toBe(ARP_DROP_TRUNCATED);
    expect(arpHeaderCheck(Buffer.concat([b, Buffer.alloc(8)]), 0, 36, 8)).toBe(ARP_DROP_BAD_HLN);
    const hln = Buffer.from(b);
    hln[4] = 8;
    expect(arpHeaderCheck(hln, 0, 28, 6)).toBe(ARP_DROP_BAD_HLN);
    const pln = Buffer.from(b);
    pln[5] = 16;
    expect(arpHeaderCheck(pln, 0, 28, 6)).toBe(ARP_DROP_BAD_PLN);
    pln[5] = 0;
    expect(arpHeaderCheck(pln, 0, 28, 6)).toBe(ARP_DROP_BAD_PLN);
  });

  it('arpProtoCheck reason codes', () => {
    const b = hex(REQUEST);
    const mut = (i: number, v: number): Buffer => {
      const c = Buffer.from(b);
      c[i] = v;
      return c;
    };
    expect(arpProtoCheck(mut(1, ARPHRD_IEEE802), 0)).toBe(ARP_OK);
    expect(arpProtoCheck(mut(1, 2), 0)).toBe(ARP_DROP_BAD_HRD);
    expect(arpProtoCheck(mut(0, 1), 0)).toBe(ARP_DROP_BAD_HRD); // 0x0101
    expect(arpProtoCheck(mut(3, 0x06), 0)).toBe(ARP_DROP_BAD_PRO);
    expect(arpProtoCheck(mut(2, 0x86), 0)).toBe(ARP_DROP_BAD_PRO);
    expect(arpProtoCheck(mut(7, ARPOP_REPLY), 0)).toBe(ARP_OK);
    for (const op of [0, ARPOP_RREQUEST, ARPOP_RREPLY, ARPOP_InREQUEST, ARPOP_InREPLY, ARPOP_NAK]) {
      expect(arpProtoCheck(mut(7, op), 0), String(op)).toBe(ARP_DROP_BAD_OP);
    }
    expect(arpProtoCheck(mut(6, 1), 0)).toBe(ARP_DROP_BAD_OP); // 0x0101
  });

  it('names every code', () => {
    const codes = [ARP_OK, ARP_DROP_TOO_SHORT, ARP_DROP_TRUNCATED, ARP_DROP_BAD_HLN, ARP_DROP_BAD_PLN,
      ARP_DROP_BAD_HRD, ARP_DROP_BAD_PRO, ARP_DROP_BAD_OP];
    expect(new Set(codes).size).toBe(codes.length);
    expect(ARP_DROP_REASONS.length).toBe(codes.length);
    for (const c of codes) expect(ARP_DROP_REASONS[c]).toMatch(/^(ok|arp-[a-z]+(-[a-z]+)*)$/);
    expect(ARP_DROP_REASONS[ARP_DROP_BAD_HLN]).toBe('arp-bad-hln');
  });
});
