// IPv6 wire helpers: in6_addr (text forms, classification, derived addresses), ipv6hdr (fixed
// header, ip6_rcv_core checks, extension-header walk, TLV options, fragment header), ICMPv6
// header and the pseudo-header checksum, with the NS/NA frames measured in
// ../shared/reference/linux-ndisc.md §0 as golden vectors.
import { describe, expect, it } from 'vitest';
import { csumPartial } from '../../src/core/checksum.js';
import {
  IN6ADDR_ANY,
  IN6ADDR_INTERFACELOCAL_ALLNODES,
  IN6ADDR_LINKLOCAL_ALLNODES,
  IN6ADDR_LINKLOCAL_ALLROUTERS,
  IN6ADDR_LOOPBACK,
  IN6ADDR_MLD2_ALL_MCR,
  IPV6_ADDR_ANY,
  IPV6_ADDR_COMPATv4,
  IPV6_ADDR_LINKLOCAL,
  IPV6_ADDR_LOOPBACK,
  IPV6_ADDR_MAPPED,
  IPV6_ADDR_MULTICAST,
  IPV6_ADDR_SCOPE_GLOBAL,
  IPV6_ADDR_SCOPE_LINKLOCAL,
  IPV6_ADDR_SCOPE_NODELOCAL,
  IPV6_ADDR_SCOPE_ORGLOCAL,
  IPV6_ADDR_SCOPE_SITELOCAL,
  IPV6_ADDR_SITELOCAL,
  IPV6_ADDR_UNICAST,
  __IPV6_ADDR_SCOPE_INVALID,
  __ipv6AddrType,
  addrconfAddrSolictMult,
  addrconfIfidEui48,
  formatIn6,
  in6Copy,
  in6FromWords,
  in6Word,
  in6Write,
  ipv6AddrAny,
  ipv6AddrCmp,
  ipv6AddrEqual,
  ipv6AddrEui64,
  ipv6AddrIsLinkLocal,
  ipv6AddrIsLlAllNodes,
  ipv6AddrIsLlAllRouters,
  ipv6AddrIsMulticast,
  ipv6AddrIsSolictMult,
  ipv6AddrLoopback,
  ipv6AddrMcScope,
  ipv6AddrPrefix,
  ipv6AddrScope,
  ipv6AddrSrcScope,
  ipv6AddrType,
  ipv6AddrV4mapped,
  ipv6EthMcMap,
  ipv6LinkLocalFromMac,
  ipv6Prefix,
  ipv6PrefixEqual,
  parseIn6,
  parseIn6Into,
  parseIn6Prefix,
  parseIn6Scoped,
  solicitedNode,
} from '../../src/ipv6/in6_addr.js';
import {
  EXTHDR_BAD_LEN,
  EXTHDR_NO_NEXT,
  EXTHDR_OK,
  EXTHDR_TRUNCATED,
  FRAG_HDR_LEN,
  IP6_DROP_BAD_VERSION,
  IP6_DROP_IFLOCAL_MCAST,
  IP6_DROP_LOOPBACK,
  IP6_DROP_MCAST_SADDR,
  IP6_DROP_MCAST_SCOPE0,
  IP6_DROP_REASONS,
  IP6_DROP_TOO_SHORT,
  IP6_DROP_TRUNCATED,
  IP6_MF,
  IP6_OK,
  IPV6_HDR_LEN,
  IPV6_TLV_CALIPSO,
  IPV6_TLV_IOAM,
  IPV6_TLV_JUMBO,
  IPV6_TLV_PAD1,
  IPV6_TLV_PADN,
  IPV6_TLV_ROUTERALERT,
  NEXTHDR_AUTH,
  NEXTHDR_DEST,
  NEXTHDR_ESP,
  NEXTHDR_FRAGMENT,
  NEXTHDR_HOP,
  NEXTHDR_ICMP,
  NEXTHDR_NONE,
  NEXTHDR_ROUTING,
  NEXTHDR_TCP,
  NEXTHDR_UDP,
  TLV_BAD,
  TLV_OK,
  TLV_PARAMPROB,
  TLV_TRUNCATED,
  TLV_UNKNOWN_DROP,
  emitIpv6Header,
  ip6FragId,
  ip6FragMore,
  ip6FragOffset,
  ip6ParseTlv,
  ipv6Authlen,
  ipv6DaddrOff,
  ipv6ExtHdr,
  ipv6FlowLabel,
  ipv6HeaderCheck,
  ipv6HopLimit,
  ipv6Nexthdr,
  ipv6Optlen,
  ipv6PacketLen,
  ipv6PayloadLen,
  ipv6RthdrSegmentsLeft,
  ipv6RthdrType,
  ipv6SaddrOff,
  ipv6SkipExthdr,
  ipv6Tclass,
  ipv6Version,
  newIp6TlvResult,
  newIpv6Exthdrs,
  parseIpv6Header,
  writeFragHdr,
  writeHbhRouterAlert,
  writeIpv6Header,
} from '../../src/ipv6/ipv6hdr.js';
import { csumIpv6Magic, ipv6PseudoSum, ipv6UpperCsum } from '../../src/ipv6/ip6_checksum.js';
import {
  ICMP6_DROP_BAD_CSUM,
  ICMP6_DROP_TOO_SHORT,
  ICMP6_ERR_BAD_SRC,
  ICMP6_ERR_INELIGIBLE,
  ICMP6_ERR_MCAST_DST,
  ICMP6_ERR_OK,
  ICMP6_ERR_QUOTE_MAX,
  ICMP6_HLEN,
  ICMP6_OK,
  ICMPV6_DEST_UNREACH,
  ICMPV6_ECHO_REPLY,
  ICMPV6_ECHO_REQUEST,
  ICMPV6_HDR_FIELD,
  ICMPV6_PARAMPROB,
  ICMPV6_PKT_TOOBIG,
  ICMPV6_PORT_UNREACH,
  ICMPV6_TIME_EXCEED,
  ICMPV6_UNK_OPTION,
  IPPROTO_ICMPV6,
  emitIcmp6Echo,
  emitIcmp6Error,
  icmp6Check,
  icmp6Checksum,
  icmp6Code,
  icmp6ErrorCheck,
  icmp6ErrorQuoteLen,
  icmp6FillChecksum,
  icmp6Identifier,
  icmp6IsError,
  icmp6Sequence,
  icmp6Type,
  icmp6Word,
  writeIcmp6Echo,
  writeIcmp6Header,
} from '../../src/ipv6/icmp6hdr.js';

// ---------------------------------------------------------------------------------------------
// Helpers

/** Hex with any spaces or '|' separators, as the reference prints frames. */
function hex(s: string): Buffer {
  return Buffer.from(s.replace(/[\s|]/g, ''), 'hex');
}

function a6(s: string): Buffer {
  const b = parseIn6(s);
  if (!b) throw new Error(`bad test address ${s}`);
  return b;
}

function fmt(s: string): string | null {
  const b = parseIn6(s);
  return b ? formatIn6(b) : null;
}

/** Deterministic PRNG (mulberry32) for the property tests. */
function prng(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A packet: IPv6 header (payload_len = everything after it) then `rest`, at offset `at` of a
 * buffer with `tail` spare bytes after it.
 */
function pkt6(
  src: string,
  dst: string,
  nexthdr: number,
  rest: Uint8Array,
  opts: { at?: number; tail?: number; hop?: number; plen?: number } = {},
): Buffer {
  const at = opts.at ?? 0;
  const b = Buffer.alloc(at + IPV6_HDR_LEN + rest.length + (opts.tail ?? 0));
  writeIpv6Header(b, at, 0, 0, opts.plen ?? rest.length, nexthdr, opts.hop ?? 64, a6(src), 0, a6(dst), 0);
  b.set(rest, at + IPV6_HDR_LEN);
  return b;
}

/** An options header (hop-by-hop / destination) from its option bytes; length must be 8n - 2. */
function optHdr(nexthdr: number, options: number[]): number[] {
  if ((options.length + 2) % 8 !== 0) throw new Error(`options of ${options.length} bytes do not fill 8n`);
  return [nexthdr, (options.length + 2) / 8 - 1, ...options];
}

/** Ones' complement sum the long way: explicit pseudo-header bytes, then the data. */
function naiveUpperCsum(src: Uint8Array, dst: Uint8Array, proto: number, data: Uint8Array): number {
  const len = data.length;
  const ph = Buffer.alloc(40);
  ph.set(src, 0);
  ph.set(dst, 16);
  ph.writeUInt32BE(len, 32);
  ph[39] = proto;
  const all = Buffer.concat([ph, data, Buffer.alloc(len & 1)]);
  let s = 0;
  for (let i = 0; i < all.length; i += 2) {
    s += (all[i] << 8) | all[i + 1];
    s = (s & 0xffff) + (s >>> 16);
  }
  return ~s & 0xffff;
}

// The frames measured in ../shared/reference/linux-ndisc.md §0 (kernel A resolving kernel B).
const NS_FRAME = hex(
  '3333 ff00 000b 0200 0000 0a01 86dd | 6000 0000 0020 3aff' +
    ' fd00 0001 0000 0000 0000 0000 0000 000a' + // src fd00:1::a
    ' ff02 0000 0000 0000 0000 0001 ff00 000b' + // dst ff02::1:ff00:b
    ' 8700 737a 0000 0000' +
    ' fd00 0001 0000 0000 0000 0000 0000 000b' + // target fd00:1::b
    ' 0101 0200 0000 0a01', // SLLAO
);
const NA_FRAME = hex(
  '0200 0000 0a01 0200 0000 0b01 86dd | 6000 0000 0020 3aff' +
    ' fd00 0001 0000 0000 0000 0000 0000 000b' + // src fd00:1::b
    ' fd00 0001 0000 0000 0000 0000 0000 000a' + // dst fd00:1::a
    ' 8800 117d 6000 0000' +
    ' fd00 0001 0000 0000 0000 0000 0000 000b' + // target fd00:1::b
    ' 0201 0200 0000 0b01', // TLLAO
);
const ETH = 14;
const ICMP_AT = ETH + IPV6_HDR_LEN;
const MAC_A = hex('020000000a01');
const MAC_B = hex('020000000b01');

// ---------------------------------------------------------------------------------------------
// in6_addr: words and copies

describe('in6_addr basics', () => {
  it('builds addresses from words and reads words back', () => {
    const a = in6FromWords(0x20010db8, 0x00010000, 0x2463b974, 0x0dc86276);
    expect(a.toString('hex')).toBe('20010db80001000024_63b9740dc86276'.replace('_', ''));
    expect(in6Word(a, 0, 0)).toBe(0x20010db8);
    expect(in6Word(a, 0, 3)).toBe(0x0dc86276);
    expect(in6Word(in6FromWords(0xffffffff, 0, 0, 0), 0, 0)).toBe(0xffffffff); // unsigned
    const framed = Buffer.concat([Buffer.alloc(3), a]);
    expect(in6Word(framed, 3, 2)).toBe(0x2463b974);
  });

  it('copies in and out of frames', () => {
    const frame = Buffer.alloc(40, 0xee);
    in6Write(frame, 8, a6('fd00:1::a'));
    expect(formatIn6(frame, 8)).toBe('fd00:1::a');
    expect(frame[7]).toBe(0xee);
    expect(frame[24]).toBe(0xee);
    const c = in6Copy(frame, 8);
    frame[23] = 0;
    expect(formatIn6(c)).toBe('fd00:1::a'); // a real copy
    in6Write(frame, 24, frame, 8);
    expect(ipv6AddrEqual(frame, 8, frame, 24)).toBe(true);
  });

  it('has the well-known constants', () => {
    expect(formatIn6(IN6ADDR_ANY)).toBe('::');
    expect(formatIn6(IN6ADDR_LOOPBACK)).toBe('::1');
    expect(formatIn6(IN6ADDR_LINKLOCAL_ALLNODES)).toBe('ff02::1');
    expect(formatIn6(IN6ADDR_LINKLOCAL_ALLROUTERS)).toBe('ff02::2');
    expect(formatIn6(IN6ADDR_MLD2_ALL_MCR)).toBe('ff02::16');
    expect(formatIn6(IN6ADDR_INTERFACELOCAL_ALLNODES)).toBe('ff01::1');
  });
});

// ---------------------------------------------------------------------------------------------
// in6_addr: text form

describe('parseIn6 (inet_pton rules)', () => {
  it.each([
    ['::', '00000000000000000000000000000000'],
    ['::1', '00000000000000000000000000000001'],
    ['1::', '00010000000000000000000000000000'],
    ['fe80::1', 'fe800000000000000000000000000001'],
    ['FE80::FF:FE00:A01', 'fe80000000000000000000fffe000a01'],
    ['2001:0db8:0001:0000:2463:b974:0dc8:6276', '20010db80001000024_63b9740dc86276'.replace('_', '')],
    ['1:2:3:4:5:6:7:8', '00010002000300040005000600070008'],
    ['1::8', '00010000000000000000000000000008'],
    ['1:2:3:4:5:6:7::', '00010002000300040005000600070000'], // '::' for one group
    ['::2:3:4:5:6:7:8', '00000002000300040005000600070008'],
    ['ff02::1:ff00:b', 'ff0200000000000000000001ff00000b'],
    ['0:0:0:0:0:0:0:0', '00000000000000000000000000000000'],
    ['::ffff:1.2.3.4', '00000000000000000000ffff01020304'],
    ['::1.2.3.4', '00000000000000000000000001020304'],
    ['::ffff:0.0.0.0', '00000000000000000000ffff00000000'],
    ['1:2:3:4:5:6:1.2.3.4', '00010002000300040005000601020304'],
    ['64:ff9b::192.0.2.33', '0064ff9b0000000000000000c0000221'],
    ['::ffff:255.255.255.255', '00000000000000000000ffffffffffff'],
  ])('%s', (s, h) => {
    expect(parseIn6(s)?.toString('hex')).toBe(h);
  });

  it.each([
    '',
    ':',
    ':::',
    '::::',
    '1:::2',
    '1::2::3',
    '::1::',
    '1:2:3:4:5:6:7:8:9', // too many groups
    '1:2:3:4:5:6:7', // too few, no '::'
    '1::2:3:4:5:6:7:8', // '::' standing for no group
    '::1:2:3:4:5:6:7:8',
    '12345::', // group of 5 hex digits
    '::00000',
    '1:', // trailing ':'
    '1:2:3:4:5:6:7:8:',
    ':1', // leading single ':'
    ':1::',
    'g::',
    '::1 ',
    ' ::1',
    '[::1]',
    '::1/64',
    'fe80::1%tap0',
    '1.2.3.4', // plain IPv4
    '::ffff:1.2.3',
    '::ffff:1.2.3.4.5',
    '::ffff:1.2.3.',
    '::ffff:256.1.1.1',
    '::ffff:01.2.3.4', // leading zero in a dotted part
    '::ffff:1..3.4',
    '::1.2.3.4:5', // dotted quad not last
    '1:2:3:4:5:6:7:1.2.3.4', // dotted quad where only one group is left
    '::a.2.3.4',
    '0x1::',
  ])('refuses %j', (s) => {
    expect(parseIn6(s)).toBeNull();
  });

  it('parses into a frame at an offset and leaves it alone on failure', () => {
    const frame = Buffer.alloc(24, 0xaa);
    expect(parseIn6Into('fd00:1::b', frame, 4)).toBe(true);
    expect(frame.subarray(4, 20).toString('hex')).toBe('fd00000100000000000000000000000b');
    expect(frame[3]).toBe(0xaa);
    expect(frame[20]).toBe(0xaa);
    const before = Buffer.from(frame);
    expect(parseIn6Into('1::2::3', frame, 4)).toBe(false);
    expect(parseIn6Into('::ffff:1.2.3.999', frame, 4)).toBe(false);
    expect(frame.equals(before)).toBe(true);
  });
});

describe('parseIn6Scoped', () => {
  it('splits the zone off', () => {
    const r = parseIn6Scoped('fe80::1%tap0');
    expect(r && formatIn6(r.addr)).toBe('fe80::1');
    expect(r?.zone).toBe('tap0');
    expect(parseIn6Scoped('fe80::ff:fe00:a01%5')?.zone).toBe('5');
    const g = parseIn6Scoped('fd00::1');
    expect(g && formatIn6(g.addr)).toBe('fd00::1');
    expect(g?.zone).toBeNull();
  });

  it('refuses an empty zone or a bad address', () => {
    expect(parseIn6Scoped('fe80::1%')).toBeNull();
    expect(parseIn6Scoped('%tap0')).toBeNull();
    expect(parseIn6Scoped('fe80:::1%tap0')).toBeNull();
    expect(parseIn6Scoped('')).toBeNull();
  });
});

describe('parseIn6Prefix', () => {
  it('parses ADDR/LEN, host bits kept', () => {
    const r = parseIn6Prefix('fd00::2/64', -1);
    expect(r && formatIn6(r.addr)).toBe('fd00::2');
    expect(r?.prefixLen).toBe(64);
    expect(parseIn6Prefix('::/0', -1)?.prefixLen).toBe(0);
    expect(parseIn6Prefix('::1/128', -1)?.prefixLen).toBe(128);
    expect(parseIn6Prefix('fe80::/10', -1)?.prefixLen).toBe(10);
    expect(parseIn6Prefix('::ffff:1.2.3.4/96', -1)?.prefixLen).toBe(96);
  });

  it('gives a bare address the default length, or refuses it', () => {
    expect(parseIn6Prefix('fd00::2', 128)?.prefixLen).toBe(128);
    expect(parseIn6Prefix('fd00::2', 0)?.prefixLen).toBe(0);
    expect(parseIn6Prefix('fd00::2', -1)).toBeNull();
    expect(parseIn6Prefix('fd00::2', 129)).toBeNull();
  });

  it.each(['fd00::2/129', 'fd00::2/', 'fd00::2/064', 'fd00::2/-1', 'fd00::2/6a', 'fd00::2/1000', 'fd00::2/64/1', 'fd00::2/ 64', '/64', 'fd00:::2/64'])(
    'refuses %j',
    (s) => {
      expect(parseIn6Prefix(s, 128)).toBeNull();
    },
  );
});

describe('formatIn6 (RFC 5952 / glibc inet_ntop)', () => {
  it.each([
    ['2001:0DB8:0001:0000:2463:B974:0DC8:6276', '2001:db8:1:0:2463:b974:dc8:6276'], // one zero group stays '0'
    ['::', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
    ['1:0:0:0:0:0:0:0', '1::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['fe80:0:0:0:0:ff:fe00:a01', 'fe80::ff:fe00:a01'],
    ['fd00:1:0:0:0:0:0:a', 'fd00:1::a'],
    ['ff02:0:0:0:0:1:ff00:b', 'ff02::1:ff00:b'],
    ['1:0:0:2:0:0:3:4', '1::2:0:0:3:4'], // tie: leftmost run
    ['1:0:2:0:0:0:3:4', '1:0:2::3:4'], // the longer run wins
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
    ['0:0:1:0:0:0:0:2', '0:0:1::2'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
    ['1:0:2:0:3:0:4:0', '1:0:2:0:3:0:4:0'], // no run of two
    ['0:1:2:3:4:5:6:0', '0:1:2:3:4:5:6:0'],
    ['0:0:0:0:0:1:0:0', '::1:0:0'],
    ['ABCD:EF01::', 'abcd:ef01::'], // lower case
    ['::ffff:1.2.3.4', '::ffff:1.2.3.4'], // v4-mapped as glibc prints it
    ['::ffff:102:304', '::ffff:1.2.3.4'],
    ['::ffff:0.0.0.0', '::ffff:0.0.0.0'],
    ['::ffff:c000:221', '::ffff:192.0.2.33'],
    ['::1.2.3.4', '::1.2.3.4'], // v4-compatible, glibc too
    ['::0.0.0.15', '::f'], // seven zero groups stay hex
    ['::0.1.0.0', '::0.1.0.0'],
    ['::ffff:0:1.2.3.4', '::ffff:0:102:304'], // SIIT stays hex
    ['0:0:0:0:1:ffff:102:304', '::1:ffff:102:304'],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
  ])('%s → %s', (s, want) => {
    expect(fmt(s)).toBe(want);
  });

  it('reads at an offset', () => {
    expect(formatIn6(NS_FRAME, ETH + 8)).toBe('fd00:1::a');
    expect(formatIn6(NS_FRAME, ETH + 24)).toBe('ff02::1:ff00:b');
    expect(formatIn6(NA_FRAME, ICMP_AT + 8)).toBe('fd00:1::b');
  });

  it('round-trips through parseIn6 for random addresses with zero runs', () => {
    const rnd = prng(5952);
    const b = Buffer.alloc(16);
    for (let n = 0; n < 3000; n++) {
      for (let g = 0; g < 8; g++) {
        const v = rnd() < 0.45 ? 0 : rnd() < 0.2 ? 0xffff : Math.floor(rnd() * 0x10000);
        b.writeUInt16BE(v, 2 * g);
      }
      const s = formatIn6(b);
      expect(s).toBe(s.toLowerCase());
      expect(s).not.toMatch(/:::|(^|:)0[0-9a-f]/); // no leading zeros, one '::' at most
      expect(s.split('::').length).toBeLessThanOrEqual(2);
      expect(parseIn6(s)?.equals(b), s).toBe(true);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// in6_addr: classification

describe('address type and scope (__ipv6_addr_type)', () => {
  const scopeOf = (t: number): number => t >>> 16;
  it.each([
    ['::', IPV6_ADDR_ANY, 0],
    ['::1', IPV6_ADDR_LOOPBACK | IPV6_ADDR_UNICAST, IPV6_ADDR_SCOPE_LINKLOCAL],
    ['fe80::1', IPV6_ADDR_LINKLOCAL | IPV6_ADDR_UNICAST, IPV6_ADDR_SCOPE_LINKLOCAL],
    ['febf:ffff::1', IPV6_ADDR_LINKLOCAL | IPV6_ADDR_UNICAST, IPV6_ADDR_SCOPE_LINKLOCAL],
    ['fec0::1', IPV6_ADDR_SITELOCAL | IPV6_ADDR_UNICAST, IPV6_ADDR_SCOPE_SITELOCAL],
    ['fd00:1::a', IPV6_ADDR_UNICAST, IPV6_ADDR_SCOPE_GLOBAL], // ULA is global
    ['fc00::1', IPV6_ADDR_UNICAST, IPV6_ADDR_SCOPE_GLOBAL],
    ['2001:db8::1', IPV6_ADDR_UNICAST, IPV6_ADDR_SCOPE_GLOBAL],
    ['4000::1', IPV6_ADDR_UNICAST, IPV6_ADDR_SCOPE_GLOBAL],
    ['fe00::1', IPV6_ADDR_UNICAST, IPV6_ADDR_SCOPE_GLOBAL],
    ['100::1', IPV6_ADDR_UNICAST, IPV6_ADDR_SCOPE_GLOBAL],
    ['::ffff:1.2.3.4', IPV6_ADDR_MAPPED, IPV6_ADDR_SCOPE_GLOBAL],
    ['::1.2.3.4', IPV6_ADDR_COMPATv4 | IPV6_ADDR_UNICAST, IPV6_ADDR_SCOPE_GLOBAL],
    ['::2', IPV6_ADDR_COMPATv4 | IPV6_ADDR_UNICAST, IPV6_ADDR_SCOPE_GLOBAL],
    ['ff01::1', IPV6_ADDR_MULTICAST | IPV6_ADDR_LOOPBACK, IPV6_ADDR_SCOPE_NODELOCAL],
    ['ff02::1', IPV6_ADDR_MULTICAST | IPV6_ADDR_LINKLOCAL, IPV6_ADDR_SCOPE_LINKLOCAL],
    ['ff02::1:ff00:b', IPV6_ADDR_MULTICAST | IPV6_ADDR_LINKLOCAL, IPV6_ADDR_SCOPE_LINKLOCAL],
    ['ff12::1', IPV6_ADDR_MULTICAST | IPV6_ADDR_LINKLOCAL, IPV6_ADDR_SCOPE_LINKLOCAL], // flags ignored
    ['ff05::2', IPV6_ADDR_MULTICAST | IPV6_ADDR_SITELOCAL, IPV6_ADDR_SCOPE_SITELOCAL],
    ['ff08::1', IPV6_ADDR_MULTICAST, IPV6_ADDR_SCOPE_ORGLOCAL],
    ['ff0e::1', IPV6_ADDR_MULTICAST, IPV6_ADDR_SCOPE_GLOBAL],
    ['ff00::1', IPV6_ADDR_MULTICAST, 0],
    ['ff04::1', IPV6_ADDR_MULTICAST, 4],
  ])('%s', (s, type, scope) => {
    const a = a6(s);
    const t = __ipv6AddrType(a);
    expect(t & 0xffff).toBe(type);
    expect(scopeOf(t)).toBe(scope);
    expect(ipv6AddrType(a)).toBe(type);
    expect(ipv6AddrSrcScope(a)).toBe(type === IPV6_ADDR_ANY ? __IPV6_ADDR_SCOPE_INVALID : scope);
    // In place inside a frame gives the same answer.
    const framed = Buffer.concat([Buffer.alloc(5, 0xff), a]);
    expect(__ipv6AddrType(framed, 5)).toBe(t);
  });

  it('gives ifa_scope values (ipv6_addr_scope)', () => {
    expect(ipv6AddrScope(a6('::1'))).toBe(IPV6_ADDR_LOOPBACK);
    expect(ipv6AddrScope(a6('fe80::1'))).toBe(IPV6_ADDR_LINKLOCAL);
    expect(ipv6AddrScope(a6('fec0::1'))).toBe(IPV6_ADDR_SITELOCAL);
    expect(ipv6AddrScope(a6('fd00:1::a'))).toBe(0);
    expect(ipv6AddrScope(a6('ff02::1'))).toBe(IPV6_ADDR_LINKLOCAL);
    expect(ipv6AddrScope(a6('ff01::1'))).toBe(IPV6_ADDR_LOOPBACK);
    expect(ipv6AddrScope(a6('ff0e::1'))).toBe(0);
  });

  it('reads the multicast scope nibble', () => {
    expect(ipv6AddrMcScope(a6('ff02::1'))).toBe(2);
    expect(ipv6AddrMcScope(a6('ff35::1'))).toBe(5);
    expect(ipv6AddrMcScope(a6('ff0e::1'))).toBe(0xe);
  });

  it('answers the predicates', () => {
    expect(ipv6AddrIsMulticast(a6('ff02::1'))).toBe(true);
    expect(ipv6AddrIsMulticast(a6('fe80::1'))).toBe(false);
    expect(ipv6AddrAny(a6('::'))).toBe(true);
    expect(ipv6AddrAny(a6('::1'))).toBe(false);
    expect(ipv6AddrAny(a6('8000::'))).toBe(false);
    expect(ipv6AddrLoopback(a6('::1'))).toBe(true);
    expect(ipv6AddrLoopback(a6('::'))).toBe(false);
    expect(ipv6AddrLoopback(a6('1::1'))).toBe(false);
    expect(ipv6AddrLoopback(a6('::101'))).toBe(false);
    expect(ipv6AddrV4mapped(a6('::ffff:1.2.3.4'))).toBe(true);
    expect(ipv6AddrV4mapped(a6('::ffff:0:0'))).toBe(true);
    expect(ipv6AddrV4mapped(a6('::fffe:1.2.3.4'))).toBe(false);
    expect(ipv6AddrV4mapped(a6('::1:ffff:1.2.3.4'))).toBe(false);
    expect(ipv6AddrV4mapped(a6('::1.2.3.4'))).toBe(false);
    expect(ipv6AddrIsLinkLocal(a6('fe80::1'))).toBe(true);
    expect(ipv6AddrIsLinkLocal(a6('febf::1'))).toBe(true);
    expect(ipv6AddrIsLinkLocal(a6('fec0::1'))).toBe(false);
    expect(ipv6AddrIsLinkLocal(a6('fe7f::1'))).toBe(false);
    expect(ipv6AddrIsLinkLocal(a6('ff02::1'))).toBe(false);
    expect(ipv6AddrIsLlAllNodes(a6('ff02::1'))).toBe(true);
    expect(ipv6AddrIsLlAllNodes(a6('ff01::1'))).toBe(false);
    expect(ipv6AddrIsLlAllRouters(a6('ff02::2'))).toBe(true);
    expect(ipv6AddrIsLlAllRouters(a6('ff02::1'))).toBe(false);
    expect(ipv6AddrIsSolictMult(a6('ff02::1:ff00:b'))).toBe(true);
    expect(ipv6AddrIsSolictMult(a6('ff02::1:ffff:ffff'))).toBe(true);
    expect(ipv6AddrIsSolictMult(a6('ff02::1:fe00:b'))).toBe(false);
    expect(ipv6AddrIsSolictMult(a6('ff02::2:ff00:b'))).toBe(false);
    expect(ipv6AddrIsSolictMult(a6('ff05::1:ff00:b'))).toBe(false);
    expect(ipv6AddrIsSolictMult(NS_FRAME, ETH + 24)).toBe(true);
  });
});

describe('address compare and prefixes', () => {
  it('compares for equality and order', () => {
    expect(ipv6AddrEqual(a6('fd00:1::a'), 0, NS_FRAME, ETH + 8)).toBe(true);
    expect(ipv6AddrEqual(a6('fd00:1::b'), 0, NS_FRAME, ETH + 8)).toBe(false);
    expect(ipv6AddrCmp(a6('fd00:1::a'), 0, a6('fd00:1::b'), 0)).toBeLessThan(0);
    expect(ipv6AddrCmp(a6('fe80::1'), 0, a6('fd00::1'), 0)).toBeGreaterThan(0);
    expect(ipv6AddrCmp(a6('::1'), 0, a6('::1'), 0)).toBe(0);
    const sorted = ['fe80::1', '::1', 'fd00:1::b', '2001:db8::1', 'fd00:1::a'].map(a6).sort((x, y) => ipv6AddrCmp(x, 0, y, 0));
    expect(sorted.map((x) => formatIn6(x))).toEqual(['::1', '2001:db8::1', 'fd00:1::a', 'fd00:1::b', 'fe80::1']);
  });

  it('compares prefixes bit by bit (ipv6_prefix_equal)', () => {
    const a = a6('fd00:1::a');
    const b = a6('fd00:1::b');
    expect(ipv6PrefixEqual(a, 0, b, 0, 64)).toBe(true);
    expect(ipv6PrefixEqual(a, 0, b, 0, 127)).toBe(true);
    expect(ipv6PrefixEqual(a, 0, b, 0, 128)).toBe(false);
    expect(ipv6PrefixEqual(a, 0, a6('fd00:2::a'), 0, 30)).toBe(true); // 0x0001 vs 0x0002: bits 30, 31 (0-based)
    expect(ipv6PrefixEqual(a, 0, a6('fd00:2::a'), 0, 31)).toBe(false);
    expect(ipv6PrefixEqual(a6('fe80::1'), 0, a6('febf::1'), 0, 10)).toBe(true);
    expect(ipv6PrefixEqual(a6('fe80::1'), 0, a6('fec0::1'), 0, 10)).toBe(false);
    expect(ipv6PrefixEqual(a6('::'), 0, a6('ffff::'), 0, 0)).toBe(true);
    expect(ipv6PrefixEqual(a, 0, a, 0, 129)).toBe(true); // clamped, no read past the address
    expect(ipv6PrefixEqual(a, 0, NS_FRAME, ETH + 24, 0)).toBe(true);
  });

  it('masks to a prefix (ipv6_addr_prefix)', () => {
    const a = a6('fd00:1:2:3:4:5:6:7');
    expect(formatIn6(ipv6Prefix(a, 0, 64))).toBe('fd00:1:2:3::');
    expect(formatIn6(ipv6Prefix(a, 0, 0))).toBe('::');
    expect(formatIn6(ipv6Prefix(a, 0, 128))).toBe('fd00:1:2:3:4:5:6:7');
    expect(formatIn6(ipv6Prefix(a, 0, 200))).toBe('fd00:1:2:3:4:5:6:7');
    expect(formatIn6(ipv6Prefix(a6('fe80::ff:fe00:a01'), 0, 10))).toBe('fe80::');
    expect(formatIn6(ipv6Prefix(a6('ffff:ffff::'), 0, 13))).toBe('fff8::');
    expect(formatIn6(ipv6Prefix(a6('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'), 0, 65))).toBe('ffff:ffff:ffff:ffff:8000::');
    // In place, at an offset.
    const frame = Buffer.concat([Buffer.alloc(2), a6('2001:db8:aaaa:bbbb::1')]);
    ipv6AddrPrefix(frame, 2, frame, 2, 48);
    expect(formatIn6(frame, 2)).toBe('2001:db8:aaaa::');
  });
});

// ---------------------------------------------------------------------------------------------
// in6_addr: derived addresses

describe('derived addresses', () => {
  it('makes the solicited-node group from the last 24 bits', () => {
    expect(formatIn6(solicitedNode(a6('fd00:1::b')))).toBe('ff02::1:ff00:b');
    expect(formatIn6(solicitedNode(a6('fe80::ff:fe00:a01')))).toBe('ff02::1:ff00:a01');
    expect(formatIn6(solicitedNode(a6('2001:db8::1234:5678')))).toBe('ff02::1:ff34:5678');
    expect(formatIn6(solicitedNode(a6('::')))).toBe('ff02::1:ff00:0');
    expect(ipv6AddrIsSolictMult(solicitedNode(a6('2001:db8::abcd:ef12')))).toBe(true);
    // In place, from the NS target into a frame.
    const out = Buffer.alloc(20, 0xee);
    addrconfAddrSolictMult(NS_FRAME, ICMP_AT + 8, out, 2);
    expect(formatIn6(out, 2)).toBe('ff02::1:ff00:b');
    expect(out[1]).toBe(0xee);
    expect(out[18]).toBe(0xee);
    // The NS destination in the measured frame is the target's group.
    expect(ipv6AddrEqual(out, 2, NS_FRAME, ETH + 24)).toBe(true);
  });

  it('maps multicast groups to 33:33 + last 32 bits', () => {
    const mac = (s: string): string => {
      const m = Buffer.alloc(6);
      ipv6EthMcMap(a6(s), 0, m, 0);
      return [...m].map((x) => x.toString(16).padStart(2, '0')).join(':');
    };
    expect(mac('ff02::1:ff00:b')).toBe('33:33:ff:00:00:0b');
    expect(mac('ff02::1')).toBe('33:33:00:00:00:01');
    expect(mac('ff02::2')).toBe('33:33:00:00:00:02');
    expect(mac('ff02::16')).toBe('33:33:00:00:00:16');
    expect(mac('ff05::1:3')).toBe('33:33:00:01:00:03');
    // Straight from the frame into the Ethernet header: the measured NS destination MAC.
    const eth = Buffer.alloc(6);
    ipv6EthMcMap(NS_FRAME, ETH + 24, eth, 0);
    expect(eth.equals(NS_FRAME.subarray(0, 6))).toBe(true);
  });

  it('builds modified EUI-64 addresses from a MAC', () => {
    expect(formatIn6(ipv6LinkLocalFromMac(MAC_A))).toBe('fe80::ff:fe00:a01');
    expect(formatIn6(ipv6LinkLocalFromMac(MAC_B))).toBe('fe80::ff:fe00:b01');
    expect(formatIn6(ipv6LinkLocalFromMac(hex('001122334455')))).toBe('fe80::211:22ff:fe33:4455'); // U/L bit set
    expect(formatIn6(ipv6LinkLocalFromMac(hex('0a0000000001')))).toBe('fe80::800:ff:fe00:1');
    expect(formatIn6(ipv6LinkLocalFromMac(NS_FRAME, 6))).toBe('fe80::ff:fe00:a01'); // MAC read in place
    expect(formatIn6(ipv6AddrEui64(a6('fd00:1::'), 0, MAC_A))).toBe('fd00:1::ff:fe00:a01');
    expect(formatIn6(ipv6AddrEui64(a6('2001:db8:1:2:ffff::'), 0, MAC_A))).toBe('2001:db8:1:2:0:ff:fe00:a01'); // host bits of the prefix ignored
    const ifid = Buffer.alloc(10);
    addrconfIfidEui48(MAC_A, 0, ifid, 1);
    expect(ifid.toString('hex')).toBe('00000000fffe000a0100');
  });
});

// ---------------------------------------------------------------------------------------------
// ipv6hdr: fixed header

describe('IPv6 fixed header', () => {
  it('reads the measured NS header', () => {
    const o = ETH;
    expect(ipv6Version(NS_FRAME, o)).toBe(6);
    expect(ipv6Tclass(NS_FRAME, o)).toBe(0);
    expect(ipv6FlowLabel(NS_FRAME, o)).toBe(0);
    expect(ipv6PayloadLen(NS_FRAME, o)).toBe(32);
    expect(ipv6Nexthdr(NS_FRAME, o)).toBe(NEXTHDR_ICMP);
    expect(ipv6HopLimit(NS_FRAME, o)).toBe(255);
    expect(formatIn6(NS_FRAME, ipv6SaddrOff(o))).toBe('fd00:1::a');
    expect(formatIn6(NS_FRAME, ipv6DaddrOff(o))).toBe('ff02::1:ff00:b');
    const f = parseIpv6Header(NS_FRAME, o);
    expect(f).toMatchObject({ tclass: 0, flowLabel: 0, payloadLen: 32, nexthdr: 58, hopLimit: 255 });
    expect(formatIn6(f.saddr)).toBe('fd00:1::a');
    expect(formatIn6(f.daddr)).toBe('ff02::1:ff00:b');
  });

  it('writes every field and reads it back', () => {
    const b = Buffer.alloc(50, 0xee);
    const n = writeIpv6Header(b, 5, 0xab, 0xfedcb, 0x1234, NEXTHDR_UDP, 17, a6('2001:db8::1'), 0, a6('ff02::fb'), 0);
    expect(n).toBe(IPV6_HDR_LEN);
    expect(b.subarray(5, 13).toString('hex')).toBe('6abfedcb12341111');
    expect(b[4]).toBe(0xee);
    expect(b[45]).toBe(0xee);
    expect(ipv6Version(b, 5)).toBe(6);
    expect(ipv6Tclass(b, 5)).toBe(0xab);
    expect(ipv6FlowLabel(b, 5)).toBe(0xfedcb);
    expect(ipv6PayloadLen(b, 5)).toBe(0x1234);
    expect(ipv6Nexthdr(b, 5)).toBe(NEXTHDR_UDP);
    expect(ipv6HopLimit(b, 5)).toBe(17);
    expect(formatIn6(b, 13)).toBe('2001:db8::1');
    expect(formatIn6(b, 29)).toBe('ff02::fb');
  });

  it('round-trips parse/emit, and parse does not copy the addresses', () => {
    const copy = Buffer.alloc(NS_FRAME.length);
    NS_FRAME.copy(copy);
    const f = parseIpv6Header(copy, ETH);
    const out = Buffer.alloc(IPV6_HDR_LEN);
    expect(emitIpv6Header(out, 0, f)).toBe(IPV6_HDR_LEN);
    expect(out.equals(NS_FRAME.subarray(ETH, ICMP_AT))).toBe(true);
    copy[ETH + 8 + 15] = 0x77;
    expect(formatIn6(f.saddr)).toBe('fd00:1::77'); // a view into the frame
    // Emitting the parsed fields back into the same frame leaves it unchanged.
    const before = Buffer.from(copy);
    emitIpv6Header(copy, ETH, parseIpv6Header(copy, ETH));
    expect(copy.equals(before)).toBe(true);
    // Random values survive a round trip.
    const rnd = prng(8200);
    for (let i = 0; i < 200; i++) {
      const g = {
        tclass: Math.floor(rnd() * 256),
        flowLabel: Math.floor(rnd() * 0x100000),
        payloadLen: Math.floor(rnd() * 0x10000),
        nexthdr: Math.floor(rnd() * 256),
        hopLimit: Math.floor(rnd() * 256),
        saddr: in6FromWords(rnd() * 2 ** 32, rnd() * 2 ** 32, rnd() * 2 ** 32, rnd() * 2 ** 32),
        daddr: in6FromWords(rnd() * 2 ** 32, rnd() * 2 ** 32, rnd() * 2 ** 32, rnd() * 2 ** 32),
      };
      const b = Buffer.alloc(IPV6_HDR_LEN);
      emitIpv6Header(b, 0, g);
      const p = parseIpv6Header(b, 0);
      expect(ipv6Version(b, 0)).toBe(6);
      expect({ ...p, saddr: Buffer.from(p.saddr), daddr: Buffer.from(p.daddr) }).toEqual(g);
    }
  });

  it('takes addresses from its own buffer, swapped in place for a reply', () => {
    const b = Buffer.from(NA_FRAME);
    // Swap source and destination in place: the reply to the NA's sender.
    writeIpv6Header(b, ETH, 0, 0, 32, NEXTHDR_ICMP, 255, b, ETH + 24, b, ETH + 8);
    expect(formatIn6(b, ETH + 8)).toBe('fd00:1::a');
    expect(formatIn6(b, ETH + 24)).toBe('fd00:1::b');
    // Already in place: untouched.
    writeIpv6Header(b, ETH, 0, 0, 32, NEXTHDR_ICMP, 255, b, ETH + 8, b, ETH + 24);
    expect(formatIn6(b, ETH + 8)).toBe('fd00:1::a');
    expect(formatIn6(b, ETH + 24)).toBe('fd00:1::b');
    // A header written 8 bytes earlier than the addresses it reads.
    const c = Buffer.from(NA_FRAME);
    writeIpv6Header(c, ETH - 8, 0, 0, 32, NEXTHDR_ICMP, 255, c, ETH + 8, c, ETH + 24);
    expect(formatIn6(c, ETH)).toBe('fd00:1::b');
    expect(formatIn6(c, ETH + 16)).toBe('fd00:1::a');
  });
});

describe('ipv6HeaderCheck (ip6_rcv_core)', () => {
  const good = (): Buffer => pkt6('fd00:1::b', 'fd00:1::a', NEXTHDR_UDP, new Uint8Array(16));

  it('accepts a well-formed packet, and the measured NS', () => {
    expect(ipv6HeaderCheck(good(), 0, 56)).toBe(IP6_OK);
    expect(ipv6HeaderCheck(NS_FRAME, ETH, NS_FRAME.length - ETH)).toBe(IP6_OK);
    expect(ipv6HeaderCheck(NA_FRAME, ETH, NA_FRAME.length - ETH)).toBe(IP6_OK);
    expect(IP6_DROP_REASONS[IP6_OK]).toBe('ok');
  });

  it('drops fewer than 40 bytes and a version other than 6', () => {
    expect(ipv6HeaderCheck(good(), 0, 39)).toBe(IP6_DROP_TOO_SHORT);
    const b = good();
    b[0] = 0x45;
    expect(ipv6HeaderCheck(b, 0, 56)).toBe(IP6_DROP_BAD_VERSION);
    b[0] = 0x70;
    expect(ipv6HeaderCheck(b, 0, 56)).toBe(IP6_DROP_BAD_VERSION);
    // Version is judged before the addresses.
    const m = pkt6('ff02::1', '::1', NEXTHDR_UDP, new Uint8Array(8));
    m[0] = 0x40;
    expect(ipv6HeaderCheck(m, 0, 48)).toBe(IP6_DROP_BAD_VERSION);
  });

  it('drops ::1 unless it came in on loopback', () => {
    const s = pkt6('::1', 'fd00:1::a', NEXTHDR_UDP, new Uint8Array(8));
    const d = pkt6('fd00:1::b', '::1', NEXTHDR_UDP, new Uint8Array(8));
    expect(ipv6HeaderCheck(s, 0, 48)).toBe(IP6_DROP_LOOPBACK);
    expect(ipv6HeaderCheck(d, 0, 48)).toBe(IP6_DROP_LOOPBACK);
    expect(ipv6HeaderCheck(s, 0, 48, true)).toBe(IP6_OK);
    expect(ipv6HeaderCheck(d, 0, 48, true)).toBe(IP6_OK);
  });

  it('drops interface-local multicast from another node, and scope 0 always', () => {
    const il = pkt6('fe80::1', 'ff01::1', NEXTHDR_UDP, new Uint8Array(8));
    expect(ipv6HeaderCheck(il, 0, 48)).toBe(IP6_DROP_IFLOCAL_MCAST);
    expect(ipv6HeaderCheck(il, 0, 48, true)).toBe(IP6_OK);
    const il2 = pkt6('fe80::1', 'ff31::1234', NEXTHDR_UDP, new Uint8Array(8)); // flags don't matter
    expect(ipv6HeaderCheck(il2, 0, 48)).toBe(IP6_DROP_IFLOCAL_MCAST);
    const s0 = pkt6('fe80::1', 'ff00::1', NEXTHDR_UDP, new Uint8Array(8));
    expect(ipv6HeaderCheck(s0, 0, 48)).toBe(IP6_DROP_MCAST_SCOPE0);
    expect(ipv6HeaderCheck(s0, 0, 48, true)).toBe(IP6_DROP_MCAST_SCOPE0);
    expect(ipv6HeaderCheck(pkt6('fe80::1', 'ff02::1', NEXTHDR_UDP, new Uint8Array(8)), 0, 48)).toBe(IP6_OK);
  });

  it('drops a multicast source, even from loopback', () => {
    const m = pkt6('ff02::1', 'fd00:1::a', NEXTHDR_UDP, new Uint8Array(8));
    expect(ipv6HeaderCheck(m, 0, 48)).toBe(IP6_DROP_MCAST_SADDR);
    expect(ipv6HeaderCheck(m, 0, 48, true)).toBe(IP6_DROP_MCAST_SADDR);
    // :: is a legal source (DAD).
    expect(ipv6HeaderCheck(pkt6('::', 'ff02::1:ff00:a', NEXTHDR_ICMP, new Uint8Array(24)), 0, 64)).toBe(IP6_OK);
    // The loopback check comes first.
    expect(ipv6HeaderCheck(pkt6('ff02::1', '::1', NEXTHDR_UDP, new Uint8Array(8)), 0, 48)).toBe(IP6_DROP_LOOPBACK);
  });

  it('drops truncated packets but allows trailing link padding', () => {
    const b = pkt6('fd00:1::b', 'fd00:1::a', NEXTHDR_UDP, new Uint8Array(16), { tail: 10 });
    expect(ipv6HeaderCheck(b, 0, 55)).toBe(IP6_DROP_TRUNCATED); // one byte short
    expect(ipv6HeaderCheck(b, 0, 56)).toBe(IP6_OK);
    expect(ipv6HeaderCheck(b, 0, 66)).toBe(IP6_OK); // Ethernet padding after the packet
    expect(ipv6PacketLen(b, 0)).toBe(56); // what to trim to
    expect(ipv6PacketLen(b, 0, 66)).toBe(56);
    // A minimum-size Ethernet frame carrying a 40-byte IPv6 packet with no payload.
    const z = pkt6('fd00:1::b', 'fd00:1::a', NEXTHDR_NONE, new Uint8Array(0), { tail: 6 });
    expect(ipv6HeaderCheck(z, 0, 46)).toBe(IP6_OK);
    expect(ipv6PacketLen(z, 0, 46)).toBe(40);
  });

  it('lets payload_len 0 with a hop-by-hop header (jumbogram) through untrimmed', () => {
    const hbh = optHdr(NEXTHDR_UDP, [IPV6_TLV_PADN, 4, 0, 0, 0, 0]);
    const j = pkt6('fd00:1::b', 'fd00:1::a', NEXTHDR_HOP, Uint8Array.from(hbh), { plen: 0, tail: 8 });
    expect(ipv6HeaderCheck(j, 0, j.length)).toBe(IP6_OK);
    expect(ipv6PacketLen(j, 0, j.length)).toBe(j.length);
    expect(ipv6PacketLen(j, 0)).toBe(40);
    // payload_len 0 with anything else is an ordinary (empty) packet.
    const u = pkt6('fd00:1::b', 'fd00:1::a', NEXTHDR_UDP, new Uint8Array(8), { plen: 0 });
    expect(ipv6HeaderCheck(u, 0, 48)).toBe(IP6_OK);
    expect(ipv6PacketLen(u, 0, 48)).toBe(40);
    // Non-zero payload_len in front of a hop-by-hop header is checked as usual.
    const t = pkt6('fd00:1::b', 'fd00:1::a', NEXTHDR_HOP, Uint8Array.from(hbh), { plen: 100 });
    expect(ipv6HeaderCheck(t, 0, t.length)).toBe(IP6_DROP_TRUNCATED);
  });

  it('checks at an offset inside a frame', () => {
    const b = pkt6('fd00:1::b', 'fd00:1::a', NEXTHDR_UDP, new Uint8Array(8), { at: ETH });
    expect(ipv6HeaderCheck(b, ETH, 48)).toBe(IP6_OK);
    expect(ipv6HeaderCheck(b, ETH, 47)).toBe(IP6_DROP_TRUNCATED);
  });
});

// ---------------------------------------------------------------------------------------------
// ipv6hdr: extension headers

describe('extension headers (ipv6_skip_exthdr)', () => {
  const res = newIpv6Exthdrs();
  const walk = (b: Buffer, end = b.length): number => ipv6SkipExthdr(b, IPV6_HDR_LEN, end, b[6], 6, res);

  it('knows which next headers are extension headers', () => {
    for (const n of [NEXTHDR_HOP, NEXTHDR_ROUTING, NEXTHDR_FRAGMENT, NEXTHDR_AUTH, NEXTHDR_NONE, NEXTHDR_DEST]) {
      expect(ipv6ExtHdr(n)).toBe(true);
    }
    for (const n of [NEXTHDR_TCP, NEXTHDR_UDP, NEXTHDR_ICMP, NEXTHDR_ESP, 4, 41, 135, 255]) expect(ipv6ExtHdr(n)).toBe(false);
    expect(ipv6Optlen(Uint8Array.from([0, 0]), 0)).toBe(8);
    expect(ipv6Optlen(Uint8Array.from([0, 3]), 0)).toBe(32);
    expect(ipv6Authlen(Uint8Array.from([0, 4]), 0)).toBe(24); // AH with 96-bit ICV
  });

  it('stops at once at an upper-layer protocol', () => {
    const b = pkt6('fd00:1::b', 'fd00:1::a', NEXTHDR_ICMP, new Uint8Array(8));
    expect(walk(b)).toBe(EXTHDR_OK);
    expect(res).toMatchObject({ nexthdr: NEXTHDR_ICMP, offset: 40, nhoff: 6, count: 0, fragOff: 0, fragHdrOff: -1 });
  });

  it('walks hop-by-hop, routing, destination options and AH', () => {
    const hbh = optHdr(NEXTHDR_ROUTING, [IPV6_TLV_PADN, 4, 0, 0, 0, 0]); // 8
    const rt = [NEXTHDR_AUTH, 2, 4, 0, 0, 0, 0, 0, ...new Array<number>(16).fill(0)]; // 24, type 4 (SRH), segments left 0
    const ah = [NEXTHDR_DEST, 4, 0, 0, ...new Array<number>(20).fill(0)]; // 24
    const dst = optHdr(NEXTHDR_TCP, [IPV6_TLV_PADN, 12, ...new Array<number>(12).fill(0)]); // 16
    const b = pkt6('fd00:1::b', 'fd00:1::a', NEXTHDR_HOP, Uint8Array.from([...hbh, ...rt, ...ah, ...dst, ...new Array<number>(20).fill(0)]));
    expect(walk(b)).toBe(EXTHDR_OK);
    expect(res).toMatchObject({ nexthdr: NEXTHDR_TCP, offset: 40 + 8 + 24 + 24 + 16, nhoff: 40 + 8 + 24 + 24, count: 4, fragHdrOff: -1 });
    expect(ipv6RthdrType(b, 48)).toBe(4);
    expect(ipv6RthdrSegmentsLeft(b, 48)).toBe(0);
  });

  it('ends the walk at ESP', () => {
    const hbh = optHdr(NEXTHDR_ESP, [IPV6_TLV_PADN, 4, 0, 0, 0, 0]);
    const b = pkt6('fd00:1::b', 'fd00:1::a', NEXTHDR_HOP, Uint8Array.from([...hbh, 1, 2, 3, 4, 5, 6, 7, 8]));
    expect(walk(b)).toBe(EXTHDR_OK);
    expect(res).toMatchObject({ nexthdr: NEXTHDR_ESP, offset: 48, nhoff: 40, count: 1 });
  });

  it('skips the fragment header of a first fragment and stops at a later one', () => {
    const first = Buffer.alloc(8);
    writeFragHdr(first, 0, NEXTHDR_ICMP, 0 | IP6_MF, 0xdeadbeef);
    const b = pkt6('fd00:1::b', 'fd00:1::a', NEXTHDR_FRAGMENT, Buffer.concat([first, Buffer.alloc(16)]));
    expect(walk(b)).toBe(EXTHDR_OK);
    expect(res).toMatchObject({ nexthdr: NEXTHDR_ICMP, offset: 48, nhoff: 40, fragOff: IP6_MF, fragHdrOff: 40, count: 1 });

    const later = Buffer.alloc(8);
    writeFragHdr(later, 0, NEXTHDR_ICMP, 1232, 0xdeadbeef);
    const c = pkt6('fd00:1::b', 'fd00:1::a', NEXTHDR_FRAGMENT, Buffer.concat([later, Buffer.alloc(16)]));
    expect(walk(c)).toBe(EXTHDR_OK);
    expect(res).toMatchObject({ nexthdr: NEXTHDR_FRAGMENT, offset: 40, nhoff: 6, fragOff: 1232, fragHdrOff: 40, count: 0 });
    expect(ip6FragOffset(res.fragOff)).toBe(1232);
    expect(ip6FragMore(res.fragOff)).toBe(false);
  });

  it('reports NEXTHDR_NONE, truncation and overlong headers', () => {
    const none = pkt6('fd00:1::b', 'fd00:1::a', NEXTHDR_NONE, new Uint8Array(8));
    expect(walk(none)).toBe(EXTHDR_NO_NEXT);
    const hbhNone = pkt6('fd00:1::b', 'fd00:1::a', NEXTHDR_HOP, Uint8Array.from(optHdr(NEXTHDR_NONE, [1, 4, 0, 0, 0, 0])));
    expect(walk(hbhNone)).toBe(EXTHDR_NO_NEXT);

    const empty = pkt6('fd00:1::b', 'fd00:1::a', NEXTHDR_DEST, new Uint8Array(0));
    expect(walk(empty)).toBe(EXTHDR_TRUNCATED);
    const one = pkt6('fd00:1::b', 'fd00:1::a', NEXTHDR_DEST, Uint8Array.from([NEXTHDR_UDP]));
    expect(walk(one)).toBe(EXTHDR_TRUNCATED);
    const frag3 = pkt6('fd00:1::b', 'fd00:1::a', NEXTHDR_FRAGMENT, Uint8Array.from([NEXTHDR_UDP, 0, 0]));
    expect(walk(frag3)).toBe(EXTHDR_TRUNCATED);

    // A destination options header claiming 16 bytes in a packet that has 8 after the header.
    const long = pkt6('fd00:1::b', 'fd00:1::a', NEXTHDR_DEST, Uint8Array.from([NEXTHDR_ICMP, 1, 1, 4, 0, 0, 0, 0]));
    expect(walk(long)).toBe(EXTHDR_BAD_LEN);
    // Where the kernel's walk would have gone next.
    expect(res).toMatchObject({ nexthdr: NEXTHDR_ICMP, offset: 56, nhoff: 40 });
    // The same bytes with `end` cut short by the caller.
    const ok = pkt6('fd00:1::b', 'fd00:1::a', NEXTHDR_DEST, Uint8Array.from(optHdr(NEXTHDR_UDP, [1, 4, 0, 0, 0, 0])));
    expect(walk(ok, 47)).toBe(EXTHDR_BAD_LEN);
    expect(walk(ok)).toBe(EXTHDR_OK);
    // A fragment header (offset 0) cut after its frag_off.
    const frag6 = pkt6('fd00:1::b', 'fd00:1::a', NEXTHDR_FRAGMENT, Uint8Array.from([NEXTHDR_UDP, 0, 0, 1, 0, 0]));
    expect(walk(frag6)).toBe(EXTHDR_BAD_LEN);
  });

  it('walks at an offset inside a frame', () => {
    const hbh = optHdr(NEXTHDR_UDP, [IPV6_TLV_PADN, 4, 0, 0, 0, 0]);
    const b = pkt6('fd00:1::b', 'fd00:1::a', NEXTHDR_HOP, Uint8Array.from([...hbh, ...new Array<number>(8).fill(0)]), { at: ETH });
    expect(ipv6SkipExthdr(b, ETH + 40, b.length, b[ETH + 6], ETH + 6, res)).toBe(EXTHDR_OK);
    expect(res).toMatchObject({ nexthdr: NEXTHDR_UDP, offset: ETH + 48, nhoff: ETH + 40, count: 1 });
  });
});

describe('fragment header', () => {
  it('writes and reads the fields', () => {
    const b = Buffer.alloc(10, 0xee);
    expect(writeFragHdr(b, 1, NEXTHDR_UDP, 1448 | IP6_MF, 0xdeadbeef)).toBe(FRAG_HDR_LEN);
    expect(b.subarray(1, 9).toString('hex')).toBe('110005a9deadbeef');
    expect(b[0]).toBe(0xee);
    expect(b[9]).toBe(0xee);
    const fo = (b[3] << 8) | b[4];
    expect(ip6FragOffset(fo)).toBe(1448);
    expect(ip6FragMore(fo)).toBe(true);
    expect(ip6FragId(b, 1)).toBe(0xdeadbeef);
    expect(ip6FragOffset(0xfff8 | 7)).toBe(65528); // reserved bits ignored
    expect(ip6FragMore(0xfff8 | 6)).toBe(false);
  });
});

describe('TLV options (ip6_parse_tlv)', () => {
  const r = newIp6TlvResult();
  /** A packet whose first extension header is (hop-by-hop or destination) options. */
  const opts = (options: number[], o: { dst?: string; at?: number } = {}): Buffer =>
    pkt6('fd00:1::b', o.dst ?? 'fd00:1::a', NEXTHDR_HOP, Uint8Array.from([...optHdr(NEXTHDR_UDP, options), 0, 0, 0, 0, 0, 0, 0, 0]), { at: o.at });
  const parse = (b: Buffer, hopByHop = true, maxCount = 8, at = 0): number => ip6ParseTlv(b, at, at + 40, b.length, hopByHop, maxCount, r);

  it('parses the MLD router alert header Linux sends', () => {
    const b = Buffer.alloc(56);
    writeIpv6Header(b, 0, 0, 0, 16, NEXTHDR_HOP, 1, a6('fe80::ff:fe00:a01'), 0, IN6ADDR_MLD2_ALL_MCR, 0);
    expect(writeHbhRouterAlert(b, 40, NEXTHDR_ICMP)).toBe(8);
    expect(b.subarray(40, 48).toString('hex')).toBe('3a00050200000100');
    expect(parse(b)).toBe(TLV_OK);
    expect(r.routerAlert).toBe(0);
    writeHbhRouterAlert(b, 40, NEXTHDR_ICMP, 0x1234);
    expect(parse(b)).toBe(TLV_OK);
    expect(r.routerAlert).toBe(0x1234);
    // Reset between calls.
    expect(parse(opts([IPV6_TLV_PADN, 4, 0, 0, 0, 0]))).toBe(TLV_OK);
    expect(r.routerAlert).toBe(-1);
  });

  it('accepts Pad1 and PadN up to 7 bytes of padding in a row', () => {
    expect(parse(opts([0, 0, 0, 0, 0, 0]))).toBe(TLV_OK); // 6 x Pad1
    expect(parse(opts([IPV6_TLV_PADN, 4, 0, 0, 0, 0]))).toBe(TLV_OK);
    expect(parse(opts([IPV6_TLV_PAD1, IPV6_TLV_PADN, 3, 0, 0, 0]))).toBe(TLV_OK);
    // 14 bytes of options: 8 x Pad1 is too much padding.
    expect(parse(opts([0, 0, 0, 0, 0, 0, 0, 0, IPV6_TLV_PADN, 4, 0, 0, 0, 0]))).toBe(TLV_BAD);
    // PadN of 8 bytes (optlen 8 > 7).
    expect(parse(opts([IPV6_TLV_PADN, 6, 0, 0, 0, 0, 0, 0, 0x1e, 0, 0, 0, 0, 0]))).toBe(TLV_BAD);
    // Pad1 then PadN together past 7.
    expect(parse(opts([0, 0, 0, 0, IPV6_TLV_PADN, 2, 0, 0, 0x1e, 0, 0, 0, 0, 0]))).toBe(TLV_BAD);
    // A real option in between resets the count.
    expect(parse(opts([0, 0, 0, 0, 0, 0, 0x1e, 0, 0, 0, 0, 0, 0, 0]))).toBe(TLV_OK);
  });

  it('refuses PadN with non-zero contents', () => {
    expect(parse(opts([IPV6_TLV_PADN, 4, 0, 0, 1, 0]))).toBe(TLV_BAD);
    expect(parse(opts([IPV6_TLV_PADN, 4, 0, 0, 0, 0]))).toBe(TLV_OK);
  });

  it('refuses options that run past the header', () => {
    expect(parse(opts([0x1e, 5, 0, 0, 0, 0]))).toBe(TLV_BAD); // needs 7, 6 left
    expect(parse(opts([0, 0, 0, 0, 0, 0x1e]))).toBe(TLV_BAD); // one byte left for a non-Pad1 type
    // A header that runs past the packet.
    const b = opts([IPV6_TLV_PADN, 4, 0, 0, 0, 0]);
    b[41] = 3; // 32 bytes claimed, 16 in the packet
    expect(parse(b)).toBe(TLV_BAD);
  });

  it('checks the router alert length', () => {
    expect(parse(opts([IPV6_TLV_ROUTERALERT, 2, 0, 0, IPV6_TLV_PADN, 0]))).toBe(TLV_OK);
    expect(parse(opts([IPV6_TLV_ROUTERALERT, 3, 0, 0, 0, 0]))).toBe(TLV_BAD);
    expect(parse(opts([IPV6_TLV_ROUTERALERT, 0, IPV6_TLV_PADN, 2, 0, 0]))).toBe(TLV_BAD);
  });

  it('acts on unknown options by their two high bits', () => {
    // 00: skip.
    expect(parse(opts([0x1e, 2, 0xaa, 0xbb, 0, 0]))).toBe(TLV_OK);
    // 01: discard silently.
    expect(parse(opts([0x5e, 2, 0xaa, 0xbb, 0, 0]))).toBe(TLV_UNKNOWN_DROP);
    // 10: discard and send Parameter Problem code 2 pointing at the option (from the IPv6 header).
    expect(parse(opts([IPV6_TLV_PADN, 0, 0x9e, 0, 0, 0]))).toBe(TLV_PARAMPROB);
    expect(r).toMatchObject({ icmpCode: ICMPV6_UNK_OPTION, pointer: 44 });
    // 10 to a multicast destination: still Parameter Problem.
    expect(parse(opts([0x9e, 0, 0, 0, 0, 0], { dst: 'ff02::1' }))).toBe(TLV_PARAMPROB);
    expect(r.pointer).toBe(42);
    // 11: Parameter Problem unless the destination is multicast.
    expect(parse(opts([0xde, 0, 0, 0, 0, 0]))).toBe(TLV_PARAMPROB);
    expect(r).toMatchObject({ icmpCode: ICMPV6_UNK_OPTION, pointer: 42 });
    expect(parse(opts([0xde, 0, 0, 0, 0, 0], { dst: 'ff02::1' }))).toBe(TLV_UNKNOWN_DROP);
    // The same rules in a destination options header.
    expect(parse(opts([0x5e, 0, 0, 0, 0, 0]), false)).toBe(TLV_UNKNOWN_DROP);
    expect(parse(opts([0x9e, 0, 0, 0, 0, 0]), false)).toBe(TLV_PARAMPROB);
  });

  it('with disallow_unknowns drops every unknown option silently', () => {
    expect(parse(opts([0x1e, 0, 0, 0, 0, 0]), true, -8)).toBe(TLV_UNKNOWN_DROP);
    expect(parse(opts([0x5e, 0, 0, 0, 0, 0]), true, -8)).toBe(TLV_UNKNOWN_DROP);
    expect(parse(opts([0x9e, 0, 0, 0, 0, 0]), true, -8)).toBe(TLV_UNKNOWN_DROP); // no ICMP
    expect(parse(opts([0xde, 0, 0, 0, 0, 0]), true, -8)).toBe(TLV_UNKNOWN_DROP);
    // Known options and padding are still fine.
    expect(parse(opts([IPV6_TLV_ROUTERALERT, 2, 0, 0, IPV6_TLV_PADN, 0]), true, -8)).toBe(TLV_OK);
  });

  it('limits the number of non-padding options', () => {
    const nine = [...new Array<number>(9)].flatMap(() => [0x1e, 0]); // 18 bytes
    const b = opts([...nine, IPV6_TLV_PADN, 2, 0, 0]); // 22 = 8n - 2
    expect(parse(b, true, 8)).toBe(TLV_BAD);
    expect(parse(b, true, 9)).toBe(TLV_OK);
    expect(parse(b, false, 8)).toBe(TLV_BAD);
    // Padding does not count.
    expect(parse(opts([0, 0, 0, 0, 0, 0]), true, 0)).toBe(TLV_OK);
    expect(parse(opts([0x1e, 0, 0, 0, 0, 0]), true, 0)).toBe(TLV_BAD);
  });

  it('judges the Jumbo option as ipv6_hop_jumbo does', () => {
    const jumbo = (len: number, n = 4, plen = 0): Buffer => {
      const b = opts([IPV6_TLV_JUMBO, n, len >>> 24, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff]);
      b.writeUInt16BE(plen, 4);
      return b;
    };
    // Wrong length: a header error, no ICMP.
    expect(parse(jumbo(70000, 2))).toBe(TLV_BAD);
    // Misaligned (must sit at 4n + 2).
    expect(parse(opts([0, 0, IPV6_TLV_JUMBO, 4, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]))).toBe(TLV_BAD);
    // A jumbo length that fits in payload_len: Parameter Problem code 0 at the length field.
    expect(parse(jumbo(65535))).toBe(TLV_PARAMPROB);
    expect(r).toMatchObject({ icmpCode: ICMPV6_HDR_FIELD, pointer: 44 });
    // Jumbo option with a non-zero payload_len: Parameter Problem at the option.
    expect(parse(jumbo(70000, 4, 16))).toBe(TLV_PARAMPROB);
    expect(r).toMatchObject({ icmpCode: ICMPV6_HDR_FIELD, pointer: 42 });
    // A valid jumbo length longer than the frame.
    expect(parse(jumbo(70000))).toBe(TLV_TRUNCATED);
    // In a destination options header it is just an unknown option of type 11.
    expect(parse(jumbo(70000), false)).toBe(TLV_PARAMPROB);
    expect(r).toMatchObject({ icmpCode: ICMPV6_UNK_OPTION, pointer: 42 });
  });

  it('accepts an aligned IOAM option (IOAM disabled) and drops a misaligned one', () => {
    expect(parse(opts([0, 0, IPV6_TLV_IOAM, 2, 0, 0]))).toBe(TLV_OK); // at 44
    expect(parse(opts([IPV6_TLV_IOAM, 2, 0, 0, 0, 0]))).toBe(TLV_BAD); // at 42
    expect(parse(opts([IPV6_TLV_IOAM, 2, 0, 0, 0, 0]), false)).toBe(TLV_OK); // destination options: unknown, skip
  });

  it('checks the CALIPSO option structure', () => {
    const cal = (len: number, cmpt: number): number[] => [IPV6_TLV_CALIPSO, len, 0, 0, 0, 1, cmpt, 0, 0, 0, ...new Array<number>(len - 8).fill(0)];
    expect(parse(opts([...cal(8, 0), IPV6_TLV_PADN, 2, 0, 0]))).toBe(TLV_OK);
    expect(parse(opts(cal(12, 1)))).toBe(TLV_OK);
    expect(parse(opts(cal(12, 2)))).toBe(TLV_BAD); // bitmap does not fit
    expect(parse(opts([IPV6_TLV_CALIPSO, 4, 0, 0, 0, 0]))).toBe(TLV_BAD); // too short
  });

  it('counts the pointer from the IPv6 header inside a frame', () => {
    const b = opts([IPV6_TLV_PADN, 0, 0x9e, 0, 0, 0], { at: ETH });
    expect(parse(b, true, 8, ETH)).toBe(TLV_PARAMPROB);
    expect(r.pointer).toBe(44);
  });
});

// ---------------------------------------------------------------------------------------------
// Checksum and ICMPv6

describe('pseudo-header checksum (csum_ipv6_magic)', () => {
  it('verifies the measured NS and NA (golden vectors)', () => {
    for (const [frame, want] of [
      [NS_FRAME, 0x737a],
      [NA_FRAME, 0x117d],
    ] as const) {
      expect(icmp6Checksum(frame, ICMP_AT)).toBe(want);
      expect(ipv6UpperCsum(frame, ICMP_AT, 32, frame, ETH + 8, frame, ETH + 24, IPPROTO_ICMPV6)).toBe(0);
      expect(icmp6Check(frame, ETH, ICMP_AT, 32)).toBe(ICMP6_OK);
      // Regenerate with the field zeroed.
      const b = Buffer.from(frame);
      b[ICMP_AT + 2] = 0;
      b[ICMP_AT + 3] = 0;
      expect(ipv6UpperCsum(b, ICMP_AT, 32, b, ETH + 8, b, ETH + 24, IPPROTO_ICMPV6)).toBe(want);
      expect(csumIpv6Magic(b, ETH + 8, b, ETH + 24, 32, IPPROTO_ICMPV6, csumPartial(b, ICMP_AT, 32))).toBe(want);
      expect(naiveUpperCsum(b.subarray(ETH + 8, ETH + 24), b.subarray(ETH + 24, ETH + 40), IPPROTO_ICMPV6, b.subarray(ICMP_AT))).toBe(want);
      // icmp6FillChecksum zeroes the field itself, so a stale value does not matter.
      b[ICMP_AT + 2] = 0x12;
      b[ICMP_AT + 3] = 0x34;
      expect(icmp6FillChecksum(b, ICMP_AT, 32, b, ETH + 8, b, ETH + 24)).toBe(want);
      expect(b.equals(frame)).toBe(true);
    }
  });

  it('builds the measured NS and NA byte for byte', () => {
    const me = a6('fd00:1::a');
    const peer = a6('fd00:1::b');
    // NS: A asks for B, to B's solicited-node group, with A's MAC in an SLLAO.
    const ns = Buffer.alloc(86);
    const group = solicitedNode(peer);
    ipv6EthMcMap(group, 0, ns, 0);
    MAC_A.copy(ns, 6);
    ns.writeUInt16BE(0x86dd, 12);
    writeIpv6Header(ns, ETH, 0, 0, 32, NEXTHDR_ICMP, 255, me, 0, group, 0);
    writeIcmp6Header(ns, ICMP_AT, 135, 0, 0);
    in6Write(ns, ICMP_AT + 8, peer);
    ns[ICMP_AT + 24] = 1;
    ns[ICMP_AT + 25] = 1;
    MAC_A.copy(ns, ICMP_AT + 26);
    expect(icmp6FillChecksum(ns, ICMP_AT, 32, ns, ETH + 8, ns, ETH + 24)).toBe(0x737a);
    expect(ns.toString('hex')).toBe(NS_FRAME.toString('hex'));
    // NA: B answers, flags S|O, with its MAC in a TLLAO.
    const na = Buffer.alloc(86);
    MAC_A.copy(na, 0);
    MAC_B.copy(na, 6);
    na.writeUInt16BE(0x86dd, 12);
    writeIpv6Header(na, ETH, 0, 0, 32, NEXTHDR_ICMP, 255, peer, 0, me, 0);
    writeIcmp6Header(na, ICMP_AT, 136, 0, 0x60000000);
    in6Write(na, ICMP_AT + 8, peer);
    na[ICMP_AT + 24] = 2;
    na[ICMP_AT + 25] = 1;
    MAC_B.copy(na, ICMP_AT + 26);
    expect(icmp6FillChecksum(na, ICMP_AT, 32, peer, 0, me, 0)).toBe(0x117d);
    expect(na.toString('hex')).toBe(NA_FRAME.toString('hex'));
  });

  it('catches a changed byte, a different pseudo-header and a short message', () => {
    const b = Buffer.from(NS_FRAME);
    b[ICMP_AT + 10] ^= 1;
    expect(icmp6Check(b, ETH, ICMP_AT, 32)).toBe(ICMP6_DROP_BAD_CSUM);
    const c = Buffer.from(NS_FRAME);
    c[ETH + 39] = 0x0c; // another destination
    expect(icmp6Check(c, ETH, ICMP_AT, 32)).toBe(ICMP6_DROP_BAD_CSUM);
    // The length is part of the pseudo-header.
    expect(icmp6Check(NS_FRAME, ETH, ICMP_AT, 24)).toBe(ICMP6_DROP_BAD_CSUM);
    // A 4-byte message with a correct checksum is too short; with a bad one it is a csum error.
    const s = pkt6('fd00:1::b', 'fd00:1::a', NEXTHDR_ICMP, Uint8Array.from([128, 0, 0, 0]));
    icmp6FillChecksum(s, 40, 4, s, 8, s, 24);
    expect(icmp6Check(s, 0, 40, 4)).toBe(ICMP6_DROP_TOO_SHORT);
    s[40] = 129;
    expect(icmp6Check(s, 0, 40, 4)).toBe(ICMP6_DROP_BAD_CSUM);
    // 0xffff and 0x0000 both verify when the sum works out (ones' complement zero).
    const z = pkt6('fd00:1::b', 'fd00:1::a', NEXTHDR_ICMP, new Uint8Array(8));
    writeIcmp6Echo(z, 40, ICMPV6_ECHO_REQUEST, 0, 0);
    const v = icmp6FillChecksum(z, 40, 8, z, 8, z, 24);
    expect(icmp6Check(z, 0, 40, 8)).toBe(ICMP6_OK);
    expect(v).not.toBe(0xffff);
  });

  it('agrees with a naive sum for random data, odd lengths and jumbo lengths', () => {
    const rnd = prng(2460);
    for (let n = 0; n < 300; n++) {
      const len = n < 20 ? n : Math.floor(rnd() * 1600);
      const data = Buffer.alloc(len);
      for (let i = 0; i < len; i++) data[i] = Math.floor(rnd() * 256);
      const src = in6FromWords(rnd() * 2 ** 32, rnd() * 2 ** 32, rnd() * 2 ** 32, rnd() * 2 ** 32);
      const dst = in6FromWords(rnd() * 2 ** 32, rnd() * 2 ** 32, 0xffffffff, 0xffffffff);
      const proto = n % 2 ? NEXTHDR_UDP : IPPROTO_ICMPV6;
      expect(ipv6UpperCsum(data, 0, len, src, 0, dst, 0, proto)).toBe(naiveUpperCsum(src, dst, proto, data));
    }
    // A length above 65535 counts as 32 bits.
    const s = a6('fd00:1::b');
    const d = a6('fd00:1::a');
    const ps = ipv6PseudoSum(s, 0, d, 0, 0x12345, IPPROTO_ICMPV6);
    const ref = ~naiveUpperCsum(s, d, IPPROTO_ICMPV6, Buffer.alloc(0)) & 0xffff; // len 0
    let want = ref + 0x1 + 0x2345;
    want = (want & 0xffff) + (want >>> 16);
    expect(ps).toBe(want);
    // All-0xff addresses: the folds still land in 16 bits.
    const ff = Buffer.alloc(16, 0xff);
    expect(ipv6PseudoSum(ff, 0, ff, 0, 0xffff, 0xff)).toBeLessThanOrEqual(0xffff);
    expect(ipv6UpperCsum(Buffer.alloc(4, 0xff), 0, 4, ff, 0, ff, 0, 0xff)).toBe(naiveUpperCsum(ff, ff, 0xff, Buffer.alloc(4, 0xff)));
  });
});

describe('ICMPv6 header and echo', () => {
  it('writes and reads the header fields', () => {
    const b = Buffer.alloc(10, 0xee);
    expect(writeIcmp6Header(b, 1, ICMPV6_PKT_TOOBIG, 0, 1280)).toBe(ICMP6_HLEN);
    expect(b.subarray(1, 9).toString('hex')).toBe('0200000000000500');
    expect(icmp6Type(b, 1)).toBe(ICMPV6_PKT_TOOBIG);
    expect(icmp6Code(b, 1)).toBe(0);
    expect(icmp6Word(b, 1)).toBe(1280);
    writeIcmp6Header(b, 1, ICMPV6_PARAMPROB, 1, 0xfffffffe);
    expect(icmp6Word(b, 1)).toBe(0xfffffffe);
    expect(b[0]).toBe(0xee);
    expect(b[9]).toBe(0xee);
    writeIcmp6Echo(b, 1, ICMPV6_ECHO_REQUEST, 0xbeef, 0xffff);
    expect(icmp6Identifier(b, 1)).toBe(0xbeef);
    expect(icmp6Sequence(b, 1)).toBe(0xffff);
    expect(icmp6Type(b, 1)).toBe(128);
    expect(icmp6IsError(ICMPV6_DEST_UNREACH)).toBe(true);
    expect(icmp6IsError(127)).toBe(true);
    expect(icmp6IsError(ICMPV6_ECHO_REQUEST)).toBe(false);
    expect(icmp6IsError(136)).toBe(false);
  });

  it('emits an echo request from separate data', () => {
    const data = Buffer.from('0123456789abcdef0123456789abcdef0123456789abcdef01234567'); // 56 bytes, as ping
    const s = a6('fd00:1::a');
    const d = a6('fd00:1::b');
    const b = Buffer.alloc(ICMP_AT + 8 + data.length);
    writeIpv6Header(b, ETH, 0, 0, 64, NEXTHDR_ICMP, 64, s, 0, d, 0);
    expect(emitIcmp6Echo(b, ICMP_AT, ICMPV6_ECHO_REQUEST, 0x1234, 7, data, 0, data.length, s, 0, d, 0)).toBe(64);
    expect(icmp6Type(b, ICMP_AT)).toBe(ICMPV6_ECHO_REQUEST);
    expect(icmp6Code(b, ICMP_AT)).toBe(0);
    expect(icmp6Identifier(b, ICMP_AT)).toBe(0x1234);
    expect(icmp6Sequence(b, ICMP_AT)).toBe(7);
    expect(b.subarray(ICMP_AT + 8).equals(data)).toBe(true);
    expect(icmp6Check(b, ETH, ICMP_AT, 64)).toBe(ICMP6_OK);
    expect(icmp6Checksum(b, ICMP_AT)).toBe(naiveUpperCsum(s, d, 58, Buffer.concat([b.subarray(ICMP_AT, ICMP_AT + 2), Buffer.alloc(2), b.subarray(ICMP_AT + 4)])));
  });

  it('turns a request into the reply in place', () => {
    const data = Buffer.alloc(101); // odd length
    for (let i = 0; i < data.length; i++) data[i] = (i * 7) & 0xff;
    const b = Buffer.alloc(ICMP_AT + 8 + data.length);
    writeIpv6Header(b, ETH, 0, 0, 8 + data.length, NEXTHDR_ICMP, 64, a6('fd00:1::b'), 0, a6('fd00:1::a'), 0);
    emitIcmp6Echo(b, ICMP_AT, ICMPV6_ECHO_REQUEST, 99, 3, data, 0, data.length, b, ETH + 8, b, ETH + 24);
    expect(icmp6Check(b, ETH, ICMP_AT, 8 + data.length)).toBe(ICMP6_OK);
    // The reply: swap addresses, same id/seq/data, new type.
    writeIpv6Header(b, ETH, 0, 0, 8 + data.length, NEXTHDR_ICMP, 64, b, ETH + 24, b, ETH + 8);
    const id = icmp6Identifier(b, ICMP_AT);
    const seq = icmp6Sequence(b, ICMP_AT);
    emitIcmp6Echo(b, ICMP_AT, ICMPV6_ECHO_REPLY, id, seq, b, ICMP_AT + 8, data.length, b, ETH + 8, b, ETH + 24);
    expect(formatIn6(b, ETH + 8)).toBe('fd00:1::a');
    expect(formatIn6(b, ETH + 24)).toBe('fd00:1::b');
    expect(icmp6Type(b, ICMP_AT)).toBe(ICMPV6_ECHO_REPLY);
    expect(icmp6Identifier(b, ICMP_AT)).toBe(99);
    expect(icmp6Sequence(b, ICMP_AT)).toBe(3);
    expect(b.subarray(ICMP_AT + 8).equals(data)).toBe(true);
    expect(icmp6Check(b, ETH, ICMP_AT, 8 + data.length)).toBe(ICMP6_OK);
  });

  it('copies overlapping data correctly, also between views of one ArrayBuffer', () => {
    const s = a6('fd00:1::a');
    const d = a6('fd00:1::b');
    const want = Buffer.alloc(40);
    for (let i = 0; i < 40; i++) want[i] = i + 1;
    // Same view, data 4 bytes before where it must go.
    const b = Buffer.alloc(100);
    want.copy(b, 20);
    emitIcmp6Echo(b, 16, ICMPV6_ECHO_REQUEST, 1, 1, b, 20, 40, s, 0, d, 0);
    expect(b.subarray(24, 64).equals(want)).toBe(true);
    // Same view, data after where it must go.
    const c = Buffer.alloc(100);
    want.copy(c, 50);
    emitIcmp6Echo(c, 0, ICMPV6_ECHO_REQUEST, 1, 1, c, 50, 40, s, 0, d, 0);
    expect(c.subarray(8, 48).equals(want)).toBe(true);
    // Two views of one ArrayBuffer: the destination lies after the source (backwards copy needed).
    const ab = new ArrayBuffer(128);
    const src = new Uint8Array(ab, 0, 100);
    const dst = new Uint8Array(ab, 4, 100);
    src.set(want, 10);
    emitIcmp6Echo(dst, 0, ICMPV6_ECHO_REQUEST, 1, 1, src, 10, 40, s, 0, d, 0); // data to absolute 12..52
    expect(Buffer.from(dst.subarray(8, 48)).equals(want)).toBe(true);
    // ... and before it (forwards copy).
    const ab2 = new ArrayBuffer(128);
    const src2 = new Uint8Array(ab2, 20, 100);
    const dst2 = new Uint8Array(ab2, 0, 100);
    src2.set(want, 0);
    emitIcmp6Echo(dst2, 0, ICMPV6_ECHO_REQUEST, 1, 1, src2, 0, 40, s, 0, d, 0); // 20..60 → 8..48
    expect(Buffer.from(dst2.subarray(8, 48)).equals(want)).toBe(true);
  });
});

describe('ICMPv6 errors (icmp6_send)', () => {
  const me = a6('fd00:1::a');
  const peer = a6('fd00:1::b');

  it('quotes as much as fits in 1280 bytes', () => {
    expect(ICMP6_ERR_QUOTE_MAX).toBe(1232);
    expect(icmp6ErrorQuoteLen(0)).toBe(0);
    expect(icmp6ErrorQuoteLen(48)).toBe(48);
    expect(icmp6ErrorQuoteLen(1232)).toBe(1232);
    expect(icmp6ErrorQuoteLen(1233)).toBe(1232);
    expect(icmp6ErrorQuoteLen(65535)).toBe(1232);
  });

  it('emits a port unreachable quoting a small packet', () => {
    const off = pkt6('fd00:1::b', 'fd00:1::a', NEXTHDR_UDP, new Uint8Array(20).fill(0x5a));
    const b = Buffer.alloc(40 + 8 + off.length);
    const n = emitIcmp6Error(b, 40, ICMPV6_DEST_UNREACH, ICMPV6_PORT_UNREACH, 0, off, 0, off.length, me, 0, peer, 0);
    expect(n).toBe(8 + 60);
    writeIpv6Header(b, 0, 0, 0, n, NEXTHDR_ICMP, 64, me, 0, peer, 0);
    expect(icmp6Type(b, 40)).toBe(ICMPV6_DEST_UNREACH);
    expect(icmp6Code(b, 40)).toBe(ICMPV6_PORT_UNREACH);
    expect(icmp6Word(b, 40)).toBe(0);
    expect(b.subarray(48).equals(off)).toBe(true);
    expect(icmp6Check(b, 0, 40, n)).toBe(ICMP6_OK);
  });

  it('cuts a big packet so the error is exactly 1280 bytes, with the MTU or pointer', () => {
    const big = pkt6('fd00:1::b', 'fd00:1::a', NEXTHDR_UDP, new Uint8Array(1960).map((_, i) => i & 0xff));
    const b = Buffer.alloc(1280 + 10);
    const n = emitIcmp6Error(b, 40, ICMPV6_PKT_TOOBIG, 0, 1280, big, 0, big.length, me, 0, peer, 0);
    expect(n).toBe(1240);
    expect(40 + n).toBe(1280);
    expect(icmp6Word(b, 40)).toBe(1280);
    expect(b.subarray(48, 1280).equals(big.subarray(0, 1232))).toBe(true);
    expect(b[1280]).toBe(0); // nothing past the quote
    writeIpv6Header(b, 0, 0, 0, n, NEXTHDR_ICMP, 64, me, 0, peer, 0);
    expect(icmp6Check(b, 0, 40, n)).toBe(ICMP6_OK);
    const pp = Buffer.alloc(1280);
    emitIcmp6Error(pp, 40, ICMPV6_PARAMPROB, ICMPV6_UNK_OPTION, 42, big, 0, big.length, me, 0, peer, 0);
    expect(icmp6Word(pp, 40)).toBe(42);
  });

  it('quotes the offending packet from the same buffer, overlapping', () => {
    // The packet sits at 0; the error goes at 40 with its quote at 48 (over the packet).
    const orig = pkt6('fd00:1::b', 'fd00:1::a', NEXTHDR_UDP, new Uint8Array(100).map((_, i) => 255 - i));
    const b = Buffer.alloc(48 + orig.length);
    orig.copy(b, 0);
    const n = emitIcmp6Error(b, 40, ICMPV6_TIME_EXCEED, 0, 0, b, 0, orig.length, me, 0, peer, 0);
    expect(n).toBe(8 + orig.length);
    expect(b.subarray(48).equals(orig)).toBe(true);
    writeIpv6Header(b, 0, 0, 0, n, NEXTHDR_ICMP, 64, me, 0, peer, 0);
    expect(icmp6Check(b, 0, 40, n)).toBe(ICMP6_OK);
    // Already in place: nothing moves.
    const c = Buffer.alloc(48 + orig.length);
    orig.copy(c, 48);
    emitIcmp6Error(c, 40, ICMPV6_DEST_UNREACH, 3, 0, c, 48, orig.length, me, 0, peer, 0);
    expect(c.subarray(48).equals(orig)).toBe(true);
  });

  describe('icmp6ErrorCheck', () => {
    const udp = (src: string, dst: string): Buffer => pkt6(src, dst, NEXTHDR_UDP, new Uint8Array(16));
    const check = (b: Buffer, type: number, code = 0, info = 0, toHost = true): number => icmp6ErrorCheck(b, 0, b.length, type, code, info, toHost);

    it('allows errors about unicast packets', () => {
      expect(check(udp('fd00:1::b', 'fd00:1::a'), ICMPV6_DEST_UNREACH, ICMPV6_PORT_UNREACH)).toBe(ICMP6_ERR_OK);
      expect(check(udp('fe80::1', 'fd00:1::a'), ICMPV6_TIME_EXCEED)).toBe(ICMP6_ERR_OK);
      // At an offset in a frame.
      const f = pkt6('fd00:1::b', 'fd00:1::a', NEXTHDR_UDP, new Uint8Array(16), { at: ETH });
      expect(icmp6ErrorCheck(f, ETH, 56, ICMPV6_DEST_UNREACH, 4, 0)).toBe(ICMP6_ERR_OK);
      const fm = pkt6('fd00:1::b', 'ff02::1', NEXTHDR_UDP, new Uint8Array(16), { at: ETH });
      expect(icmp6ErrorCheck(fm, ETH, 56, ICMPV6_DEST_UNREACH, 4, 0)).toBe(ICMP6_ERR_MCAST_DST);
    });

    it('about multicast (or not-for-us) packets allows only packet too big and unrecognised-option problems', () => {
      const m = udp('fd00:1::b', 'ff02::1');
      expect(check(m, ICMPV6_DEST_UNREACH, ICMPV6_PORT_UNREACH)).toBe(ICMP6_ERR_MCAST_DST);
      expect(check(m, ICMPV6_TIME_EXCEED)).toBe(ICMP6_ERR_MCAST_DST);
      expect(check(m, ICMPV6_PKT_TOOBIG, 0, 1280)).toBe(ICMP6_ERR_OK);
      expect(check(m, ICMPV6_PARAMPROB, ICMPV6_HDR_FIELD, 4)).toBe(ICMP6_ERR_MCAST_DST);
      // UNK_OPTION: only when the option's type says "10" (send even to multicast).
      const hbh = (t: number): Buffer =>
        pkt6('fd00:1::b', 'ff02::1', NEXTHDR_HOP, Uint8Array.from([...optHdr(NEXTHDR_UDP, [t, 0, 0, 0, 0, 0]), ...new Array<number>(8).fill(0)]));
      expect(check(hbh(0x9e), ICMPV6_PARAMPROB, ICMPV6_UNK_OPTION, 42)).toBe(ICMP6_ERR_OK);
      expect(check(hbh(0xde), ICMPV6_PARAMPROB, ICMPV6_UNK_OPTION, 42)).toBe(ICMP6_ERR_MCAST_DST);
      expect(check(hbh(0x5e), ICMPV6_PARAMPROB, ICMPV6_UNK_OPTION, 42)).toBe(ICMP6_ERR_MCAST_DST);
      // A pointer past the packet counts as "10" (the kernel's read fails and it sends).
      expect(check(hbh(0xde), ICMPV6_PARAMPROB, ICMPV6_UNK_OPTION, 1000)).toBe(ICMP6_ERR_OK);
      // Unicast packets that arrived as link-layer multicast/broadcast (toHost false): same rules.
      const u = udp('fd00:1::b', 'fd00:1::a');
      expect(check(u, ICMPV6_DEST_UNREACH, 4, 0, false)).toBe(ICMP6_ERR_MCAST_DST);
      expect(check(u, ICMPV6_PKT_TOOBIG, 0, 1280, false)).toBe(ICMP6_ERR_OK);
    });

    it('never answers :: or a multicast source', () => {
      expect(check(udp('::', 'fd00:1::a'), ICMPV6_DEST_UNREACH, 4)).toBe(ICMP6_ERR_BAD_SRC);
      expect(check(udp('ff02::1', 'fd00:1::a'), ICMPV6_DEST_UNREACH, 4)).toBe(ICMP6_ERR_BAD_SRC);
      expect(check(udp('::', 'ff02::1'), ICMPV6_PKT_TOOBIG, 0, 1280)).toBe(ICMP6_ERR_BAD_SRC);
      // The destination rule is applied first.
      expect(check(udp('::', 'ff02::1'), ICMPV6_DEST_UNREACH, 4)).toBe(ICMP6_ERR_MCAST_DST);
      // ::1 and v4-mapped sources are not refused here.
      expect(check(udp('::1', 'fd00:1::a'), ICMPV6_DEST_UNREACH, 4)).toBe(ICMP6_ERR_OK);
    });

    it('never answers an ICMPv6 error, but does answer informational messages', () => {
      const icmp = (type: number): Buffer => pkt6('fd00:1::b', 'fd00:1::a', NEXTHDR_ICMP, Uint8Array.from([type, 0, 0, 0, 0, 0, 0, 0]));
      expect(check(icmp(ICMPV6_DEST_UNREACH), ICMPV6_PARAMPROB, 0, 40)).toBe(ICMP6_ERR_INELIGIBLE);
      expect(check(icmp(ICMPV6_PKT_TOOBIG), ICMPV6_PKT_TOOBIG, 0, 1280)).toBe(ICMP6_ERR_INELIGIBLE);
      expect(check(icmp(127), ICMPV6_DEST_UNREACH, 3)).toBe(ICMP6_ERR_INELIGIBLE);
      expect(check(icmp(ICMPV6_ECHO_REQUEST), ICMPV6_DEST_UNREACH, 3)).toBe(ICMP6_ERR_OK);
      expect(check(icmp(135), ICMPV6_DEST_UNREACH, 3)).toBe(ICMP6_ERR_OK);
      // Behind extension headers.
      const behind = (type: number): Buffer =>
        pkt6(
          'fd00:1::b',
          'fd00:1::a',
          NEXTHDR_HOP,
          Uint8Array.from([...optHdr(NEXTHDR_DEST, [1, 4, 0, 0, 0, 0]), ...optHdr(NEXTHDR_ICMP, [1, 4, 0, 0, 0, 0]), type, 0, 0, 0, 0, 0, 0, 0]),
        );
      expect(check(behind(ICMPV6_TIME_EXCEED), ICMPV6_PARAMPROB, 2, 42)).toBe(ICMP6_ERR_INELIGIBLE);
      expect(check(behind(ICMPV6_ECHO_REPLY), ICMPV6_PARAMPROB, 2, 42)).toBe(ICMP6_ERR_OK);
      // An ICMPv6 message with no type byte counts as an error.
      expect(check(pkt6('fd00:1::b', 'fd00:1::a', NEXTHDR_ICMP, new Uint8Array(0)), ICMPV6_PARAMPROB, 1, 6)).toBe(ICMP6_ERR_INELIGIBLE);
    });

    it('treats fragments and broken chains as the kernel does', () => {
      const frag = (fo: number, rest: number[]): Buffer => {
        const f = Buffer.alloc(8);
        writeFragHdr(f, 0, NEXTHDR_ICMP, fo, 1);
        return pkt6('fd00:1::b', 'fd00:1::a', NEXTHDR_FRAGMENT, Buffer.concat([f, Uint8Array.from(rest)]));
      };
      // A later fragment of an ICMPv6 error: the walk stops at the fragment header.
      expect(check(frag(1232, [1, 0, 0, 0]), ICMPV6_TIME_EXCEED, 1)).toBe(ICMP6_ERR_OK);
      // First fragment holding an ICMPv6 error.
      expect(check(frag(IP6_MF, [1, 0, 0, 0]), ICMPV6_TIME_EXCEED, 1)).toBe(ICMP6_ERR_INELIGIBLE);
      // First fragment with no ICMPv6 header in it: cannot tell, so answer.
      expect(check(frag(IP6_MF, []), ICMPV6_TIME_EXCEED, 1)).toBe(ICMP6_ERR_OK);
      // Atomic fragment (frag_off 0) with no ICMPv6 header: counts as an error.
      expect(check(frag(0, []), ICMPV6_TIME_EXCEED, 1)).toBe(ICMP6_ERR_INELIGIBLE);
      // A header longer than the packet in front of ICMPv6: the type byte is out of reach.
      const longToIcmp = pkt6('fd00:1::b', 'fd00:1::a', NEXTHDR_DEST, Uint8Array.from([NEXTHDR_ICMP, 1, 1, 4, 0, 0, 0, 0, 128, 0]));
      expect(check(longToIcmp, ICMPV6_PARAMPROB, 0, 41)).toBe(ICMP6_ERR_INELIGIBLE);
      // ... in front of UDP, or of another extension header: answered.
      const longToUdp = pkt6('fd00:1::b', 'fd00:1::a', NEXTHDR_DEST, Uint8Array.from([NEXTHDR_UDP, 1, 1, 4, 0, 0, 0, 0, 0, 0]));
      expect(check(longToUdp, ICMPV6_PARAMPROB, 0, 41)).toBe(ICMP6_ERR_OK);
      const longToDest = pkt6('fd00:1::b', 'fd00:1::a', NEXTHDR_DEST, Uint8Array.from([NEXTHDR_DEST, 1, 1, 4, 0, 0, 0, 0, 0, 0]));
      expect(check(longToDest, ICMPV6_PARAMPROB, 0, 41)).toBe(ICMP6_ERR_OK);
      // Truncated chain and NEXTHDR_NONE: answered.
      expect(check(pkt6('fd00:1::b', 'fd00:1::a', NEXTHDR_DEST, Uint8Array.from([58])), ICMPV6_PARAMPROB, 0, 40)).toBe(ICMP6_ERR_OK);
      expect(check(pkt6('fd00:1::b', 'fd00:1::a', NEXTHDR_NONE, new Uint8Array(0)), ICMPV6_PARAMPROB, 1, 6)).toBe(ICMP6_ERR_OK);
    });

    it('refuses a packet shorter than an IPv6 header', () => {
      const b = udp('fd00:1::b', 'fd00:1::a');
      expect(icmp6ErrorCheck(b, 0, 39, ICMPV6_DEST_UNREACH, 4, 0)).toBe(ICMP6_ERR_INELIGIBLE);
    });
  });
});
