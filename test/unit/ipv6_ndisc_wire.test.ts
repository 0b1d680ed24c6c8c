import { describe, expect, it } from 'vitest';
import { emitEthHeader, ETH_HLEN, ETH_P_IPV6 } from '../../src/ethernet/ethhdr.js';
import { parseMac } from '../../src/ethernet/mac.js';
import { ICMP6_OK, icmp6Check, icmp6FillChecksum, ICMPV6_MGM_QUERY, ICMPV6_MGM_REDUCTION, ICMPV6_MGM_REPORT, ICMPV6_MLD2_REPORT } from '../../src/ipv6/icmp6hdr.js';
import { IN6ADDR_ANY, IN6ADDR_MLD2_ALL_MCR, ipv6EthMcMap, parseIn6, solicitedNode } from '../../src/ipv6/in6_addr.js';
import { IPV6_HDR_LEN, NEXTHDR_ICMP, writeIpv6Header } from '../../src/ipv6/ipv6hdr.js';
import {
  ICMPV6_ROUTER_PREF_HIGH,
  ICMPV6_ROUTER_PREF_INVALID,
  ICMPV6_ROUTER_PREF_LOW,
  ICMPV6_ROUTER_PREF_MEDIUM,
  ND_INFINITY_LIFE_TIME,
  ND_NA_FLAG_OVERRIDE,
  ND_NA_FLAG_ROUTER,
  ND_NA_FLAG_SOLICITED,
  ND_NA_LEN,
  ND_NS_LEN,
  ND_OPT_CAPTIVE_PORTAL,
  ND_OPT_DNSSL,
  ND_OPT_MTU,
  ND_OPT_NONCE,
  ND_OPT_PREF64,
  ND_OPT_PREFIX_INFO,
  ND_OPT_RDNSS,
  ND_OPT_REDIRECT_HDR,
  ND_OPT_ROUTE_INFO,
  ND_OPT_SOURCE_LL_ADDR,
  ND_OPT_TARGET_LL_ADDR,
  ND_PIO_AUTOCONF,
  ND_PIO_ONLINK,
  ND_PIO_PREFERPD,
  ND_PIO_ROUTERADDR,
  ND_RA_FLAG_MANAGED,
  ND_RA_FLAG_OTHER,
  ND_RA_LEN,
  ND_REDIRECT_LEN,
  ND_RS_LEN,
  NDISC_NEIGHBOUR_ADVERTISEMENT,
  NDISC_NEIGHBOUR_SOLICITATION,
  NDISC_REDIRECT,
  NDISC_ROUTER_ADVERTISEMENT,
  NDISC_ROUTER_SOLICITATION,
  NdOpts,
  naFlags,
  naTargetOff,
  ndiscMsgLen,
  ndiscNextOption,
  ndiscParseOptions,
  ndOptLen,
  ndOptLlAddr,
  ndOptLlAddrOff,
  ndOptMtu,
  ndOptNonceEqual,
  ndOptNonceOff,
  ndOptNonceUsable,
  ndOptType,
  nsTargetOff,
  pioFlags,
  pioLenOk,
  pioPreferredLft,
  pioPrefixLen,
  pioPrefixOff,
  pioValidLft,
  raCurHopLimit,
  raFlags,
  raReachableTime,
  raRetransTimer,
  raRouterLifetime,
  raRouterPref,
  raRouterPrefRaw,
  rdDestOff,
  rdTargetOff,
  rioLifetime,
  rioPref,
  rioPrefixInto,
  rioPrefixLen,
  rioValid,
  writeLlAddrOpt,
  writeMtuOpt,
  writeNa,
  writeNonceOpt,
  writeNs,
  writePio,
  writeRa,
  writeRedirect,
  writeRio,
  writeRs,
} from '../../src/ipv6/ndisc_wire.js';
import {
  MLD2_CHANGE_TO_EXCLUDE,
  MLD2_GREC_LEN,
  MLD2_MODE_IS_EXCLUDE,
  MLD_DROP_BAD_GROUP,
  MLD_DROP_BAD_LEN,
  MLD_DROP_GENERAL_SRCS,
  MLD_DROP_NOT_MLD,
  MLD_DROP_TOO_SHORT,
  MLD_DROP_TRUNCATED,
  MLD_HBH_LEN,
  MLD_OK,
  MldMsg,
  mld2FirstGrec,
  mld2GrecGroupOff,
  mld2GrecLen,
  mld2GrecNsrcs,
  mld2GrecType,
  mld2MaxRecords,
  mldParse,
  mldQueryIpOk,
  mldReportSourceOk,
  mldv2Mrc,
  mldv2Qqi,
  mldv2Qrv,
  writeMld2Report,
  writeMld2ReportFrom,
  writeMld2ReportPacket,
} from '../../src/ipv6/mld_wire.js';

const ip = (s: string): Buffer => {
  const a = parseIn6(s);
  if (!a) throw new Error(`bad address ${s}`);
  return a;
};
const mac = (s: string): Buffer => {
  const m = parseMac(s);
  if (!m) throw new Error(`bad mac ${s}`);
  return m;
};
const hex = (s: string): Buffer => Buffer.from(s.replace(/[^0-9a-f]/gi, ''), 'hex');

const MAC_A = mac('02:00:00:00:0a:01');
const MAC_B = mac('02:00:00:00:0b:01');
const A = ip('fd00:1::a');
const B = ip('fd00:1::b');

/** Ethernet + IPv6 (hop limit 255, flow label 0, next header ICMPv6) + the ND body; checksum filled. */
function ndFrame(dstMac: Uint8Array, srcMac: Uint8Array, saddr: Uint8Array, daddr: Uint8Array, body: (b: Buffer, off: number) => number): Buffer {
  const f = Buffer.alloc(200);
  emitEthHeader(f, 0, dstMac, 0, srcMac, 0, ETH_P_IPV6);
  const icmp = ETH_HLEN + IPV6_HDR_LEN;
  const n = body(f, icmp);
  writeIpv6Header(f, ETH_HLEN, 0, 0, n, NEXTHDR_ICMP, 255, saddr, 0, daddr, 0);
  icmp6FillChecksum(f, icmp, n, saddr, 0, daddr, 0);
  return f.subarray(0, icmp + n);
}

// Measured on the reference kernel (../shared/reference/linux-ndisc.md §0).
const GOLDEN_NS = hex(`3333 ff00 000b 0200 0000 0a01 86dd 6000 0000 0020 3aff
  fd00 0001 0000 0000 0000 0000 0000 000a  ff02 0000 0000 0000 0000 0001 ff00 000b
  8700 737a 0000 0000  fd00 0001 0000 0000 0000 0000 0000 000b  0101 0200 0000 0a01`);
const GOLDEN_NA = hex(`0200 0000 0a01 0200 0000 0b01 86dd 6000 0000 0020 3aff
  fd00 0001 0000 0000 0000 0000 0000 000b  fd00 0001 0000 0000 0000 0000 0000 000a
  8800 117d 6000 0000  fd00 0001 0000 0000 0000 0000 0000 000b  0201 0200 0000 0b01`);

describe('golden ND frames (kernel-measured)', () => {
  it('NS from fd00:1::a for fd00:1::b with SLLAO is byte-identical, checksum 0x737a', () => {
    const sn = solicitedNode(B);
    const dmac = Buffer.alloc(6);
    ipv6EthMcMap(sn, 0, dmac, 0);
    const f = ndFrame(dmac, MAC_A, A, sn, (b, o) => writeNs(b, o, B, MAC_A, null));
    expect(f.toString('hex')).toBe(GOLDEN_NS.toString('hex'));
    expect(f.readUInt16BE(ETH_HLEN + IPV6_HDR_LEN + 2)).toBe(0x737a);
    expect(icmp6Check(f, ETH_HLEN, ETH_HLEN + IPV6_HDR_LEN, 32)).toBe(ICMP6_OK);
  });

  it('NA S|O with TLLAO is byte-identical, checksum 0x117d', () => {
    const f = ndFrame(MAC_A, MAC_B, B, A, (b, o) => writeNa(b, o, ND_NA_FLAG_SOLICITED | ND_NA_FLAG_OVERRIDE, B, MAC_B));
    expect(f.toString('hex')).toBe(GOLDEN_NA.toString('hex'));
    expect(f.readUInt16BE(ETH_HLEN + IPV6_HDR_LEN + 2)).toBe(0x117d);
  });

  it('parses the golden NS and NA back', () => {
    const opts = new NdOpts();
    const o = ETH_HLEN + IPV6_HDR_LEN;
    expect(GOLDEN_NS[o]).toBe(NDISC_NEIGHBOUR_SOLICITATION);
    expect(GOLDEN_NS.subarray(nsTargetOff(o), nsTargetOff(o) + 16).equals(B)).toBe(true);
    expect(ndiscParseOptions(GOLDEN_NS, o + ND_NS_LEN, 8, opts)).toBe(true);
    expect(opts.sllao).toBe(o + ND_NS_LEN);
    expect(opts.tllao).toBe(-1);
    expect(ndOptLlAddr(GOLDEN_NS, opts.sllao, 6)).toBe(true);
    expect(GOLDEN_NS.subarray(ndOptLlAddrOff(opts.sllao), ndOptLlAddrOff(opts.sllao) + 6).equals(MAC_A)).toBe(true);

    expect(GOLDEN_NA[o]).toBe(NDISC_NEIGHBOUR_ADVERTISEMENT);
    expect(naFlags(GOLDEN_NA, o)).toBe(ND_NA_FLAG_SOLICITED | ND_NA_FLAG_OVERRIDE);
    expect(GOLDEN_NA.subarray(naTargetOff(o), naTargetOff(o) + 16).equals(B)).toBe(true);
    expect(ndiscParseOptions(GOLDEN_NA, o + ND_NA_LEN, 8, opts)).toBe(true);
    expect(opts.sllao).toBe(-1);
    expect(opts.tllao).toBe(o + ND_NA_LEN);
  });
});

describe('emitters', () => {
  it('writeNs: DAD form (no SLLAO) with a nonce; target from an offset', () => {
    const b = Buffer.alloc(64, 0xee);
    const frame = Buffer.alloc(40);
    B.copy(frame, 20);
    const nonce = hex('0102 0304 0506');
    const n = writeNs(b, 2, frame, null, nonce, 20);
    expect(n).toBe(32);
    expect(b.subarray(2, 2 + n).toString('hex')).toBe(
      '87000000' + '00000000' + B.toString('hex') + '0e01' + '010203040506',
    );
    const opts = new NdOpts();
    expect(ndiscParseOptions(b, 2 + ND_NS_LEN, n - ND_NS_LEN, opts)).toBe(true);
    expect(opts.sllao).toBe(-1);
    expect(opts.nonce).toBe(2 + ND_NS_LEN);
    expect(ndOptNonceUsable(b, opts.nonce)).toBe(true);
    expect(ndOptNonceEqual(b, opts.nonce, nonce)).toBe(true);
    expect(ndOptNonceEqual(b, opts.nonce, hex('010203040507'))).toBe(false);
    expect(b.subarray(ndOptNonceOff(opts.nonce), ndOptNonceOff(opts.nonce) + 6).equals(nonce)).toBe(true);
    expect(b[2 + n]).toBe(0xee);
  });

  it('writeNs with SLLAO and nonce: SLLAO first, as ndisc_send_ns', () => {
    const b = Buffer.alloc(64);
    const n = writeNs(b, 0, B, MAC_A, hex('aabbccddeeff'));
    expect(n).toBe(40);
    expect(b[24]).toBe(ND_OPT_SOURCE_LL_ADDR);
    expect(b[32]).toBe(ND_OPT_NONCE);
  });

  it('writeNa masks reserved flag bits and omits TLLAO when null', () => {
    const b = Buffer.alloc(32, 0xff);
    const n = writeNa(b, 0, ND_NA_FLAG_ROUTER | 0x1f, A, null);
    expect(n).toBe(24);
    expect(b.subarray(0, 8).toString('hex')).toBe('8800000080000000');
    expect(naFlags(b, 0)).toBe(ND_NA_FLAG_ROUTER);
  });

  it('writeRs with and without SLLAO', () => {
    const b = Buffer.alloc(16, 0xff);
    expect(writeRs(b, 0, null)).toBe(ND_RS_LEN);
    expect(b.subarray(0, 8).toString('hex')).toBe('8500000000000000');
    expect(writeRs(b, 0, MAC_A)).toBe(16);
    expect(b.toString('hex')).toBe('8500000000000000' + '0101020000000a01');
  });

  it('writeLlAddrOpt pads to 8-byte units for other address lengths', () => {
    const b = Buffer.alloc(24, 0xff);
    expect(writeLlAddrOpt(b, 0, ND_OPT_TARGET_LL_ADDR, MAC_B)).toBe(8);
    expect(b.subarray(0, 8).toString('hex')).toBe('0201020000000b01');
    const eui64 = hex('0102030405060708');
    expect(writeLlAddrOpt(b, 0, ND_OPT_SOURCE_LL_ADDR, eui64, 0, 8)).toBe(16);
    expect(b.subarray(0, 16).toString('hex')).toBe('0102' + '0102030405060708' + '000000000000');
    expect(ndOptLlAddr(b, 0, 8)).toBe(true);
    expect(ndOptLlAddr(b, 0, 6)).toBe(false);
  });

  it('writeMtuOpt / writeNonceOpt / writePio layouts', () => {
    const b = Buffer.alloc(32);
    expect(writeMtuOpt(b, 0, 1400)).toBe(8);
    expect(b.subarray(0, 8).toString('hex')).toBe('0501000000000578');
    expect(ndOptMtu(b, 0)).toBe(1400);
    expect(writeNonceOpt(b, 0, hex('112233445566'))).toBe(8);
    expect(b.subarray(0, 8).toString('hex')).toBe('0e01112233445566');
    expect(writePio(b, 0, 64, ND_PIO_ONLINK | ND_PIO_AUTOCONF, 86400, 14400, ip('2001:db8:1::'))).toBe(32);
    expect(b.toString('hex')).toBe(
      '0304' + '40' + 'c0' + '00015180' + '00003840' + '00000000' + '20010db8000100000000000000000000',
    );
  });

  it('writeRa round trip through the accessors', () => {
    const sll = Buffer.alloc(8);
    writeLlAddrOpt(sll, 0, ND_OPT_SOURCE_LL_ADDR, MAC_B);
    const mtu = Buffer.alloc(8);
    writeMtuOpt(mtu, 0, 1400);
    const pio1 = Buffer.alloc(32);
    writePio(pio1, 0, 64, ND_PIO_ONLINK | ND_PIO_AUTOCONF, 86400, 14400, ip('2001:db8:1::'));
    const pio2 = Buffer.alloc(32);
    writePio(pio2, 0, 64, ND_PIO_ONLINK, 600, 300, ip('2001:db8:2::'));
    const b = Buffer.alloc(128);
    const n = writeRa(
      b,
      4,
      { curHopLimit: 42, flags: ND_RA_FLAG_MANAGED, pref: ICMPV6_ROUTER_PREF_HIGH, routerLifetime: 1800, reachableTime: 20000, retransTimer: 1500 },
      sll,
      mtu,
      pio1,
      pio2,
    );
    expect(n).toBe(ND_RA_LEN + 8 + 8 + 32 + 32);
    expect(b[4]).toBe(NDISC_ROUTER_ADVERTISEMENT);
    expect(b.subarray(4, 20).toString('hex')).toBe('86000000' + '2a' + '88' + '0708' + '00004e20' + '000005dc');
    expect(raCurHopLimit(b, 4)).toBe(42);
    expect(raFlags(b, 4) & ND_RA_FLAG_MANAGED).toBe(ND_RA_FLAG_MANAGED);
    expect(raFlags(b, 4) & ND_RA_FLAG_OTHER).toBe(0);
    expect(raRouterPref(b, 4)).toBe(ICMPV6_ROUTER_PREF_HIGH);
    expect(raRouterLifetime(b, 4)).toBe(1800);
    expect(raReachableTime(b, 4)).toBe(20000);
    expect(raRetransTimer(b, 4)).toBe(1500);
    const opts = new NdOpts();
    expect(ndiscParseOptions(b, 4 + ND_RA_LEN, n - ND_RA_LEN, opts)).toBe(true);
    expect(ndOptLlAddr(b, opts.sllao)).toBe(true);
    expect(ndOptMtu(b, opts.mtu)).toBe(1400);
    expect(opts.piCount).toBe(2);
    expect(opts.userOptCount).toBe(2);
    expect(opts.unknown).toBe(false);
    const [p1, p2] = [opts.pi[0], opts.pi[1]];
    expect(pioLenOk(b, p1)).toBe(true);
    expect(pioPrefixLen(b, p1)).toBe(64);
    expect(pioFlags(b, p1)).toBe(ND_PIO_ONLINK | ND_PIO_AUTOCONF);
    expect(pioValidLft(b, p1)).toBe(86400);
    expect(pioPreferredLft(b, p1)).toBe(14400);
    expect(b.subarray(pioPrefixOff(p1), pioPrefixOff(p1) + 16).equals(ip('2001:db8:1::'))).toBe(true);
    expect(pioFlags(b, p2)).toBe(ND_PIO_ONLINK);
    expect(pioValidLft(b, p2)).toBe(600);
    expect(b.subarray(pioPrefixOff(p2), pioPrefixOff(p2) + 16).equals(ip('2001:db8:2::'))).toBe(true);
    expect(ndiscNextOption(b, p1, opts.optEnd)).toBe(p2);
    expect(ndiscNextOption(b, p2, opts.optEnd)).toBe(-1);
  });

  it('writeRedirect: body, TLLAO, redirected header cut to 1280 bytes and 8-byte units', () => {
    const b = Buffer.alloc(1400);
    const target = ip('fe80::ff:fe00:c01');
    const dest = ip('2001:db8:99::1');
    const small = Buffer.alloc(61, 0xab);
    let n = writeRedirect(b, 0, target, dest, mac('02:00:00:00:0c:01'), small, 0, small.length);
    expect(b[0]).toBe(NDISC_REDIRECT);
    expect(b.subarray(rdTargetOff(0), rdTargetOff(0) + 16).equals(target)).toBe(true);
    expect(b.subarray(rdDestOff(0), rdDestOff(0) + 16).equals(dest)).toBe(true);
    // 61 + 8 = 69, rounded down to 64: 56 bytes of the packet are quoted.
    expect(n).toBe(ND_REDIRECT_LEN + 8 + 64);
    const opts = new NdOpts();
    expect(ndiscParseOptions(b, ND_REDIRECT_LEN, n - ND_REDIRECT_LEN, opts)).toBe(true);
    expect(opts.tllao).toBe(ND_REDIRECT_LEN);
    expect(opts.redirectHdr).toBe(ND_REDIRECT_LEN + 8);
    expect(ndOptType(b, opts.redirectHdr)).toBe(ND_OPT_REDIRECT_HDR);
    expect(ndOptLen(b, opts.redirectHdr)).toBe(64);
    expect(b.subarray(opts.redirectHdr + 2, opts.redirectHdr + 8).every((x) => x === 0)).toBe(true);
    expect(b[opts.redirectHdr + 8 + 55]).toBe(0xab);
    expect(b[opts.redirectHdr + 8 + 56]).toBe(0);

    const big = Buffer.alloc(1500, 0xcd);
    n = writeRedirect(b, 0, target, dest, null, big, 0, big.length);
    expect(IPV6_HDR_LEN + n).toBeLessThanOrEqual(1280);
    expect(n).toBe(ND_REDIRECT_LEN + ((1280 - 40 - 40) & ~7));
  });

  it('writeRio and the Route Information accessors', () => {
    const b = Buffer.alloc(24);
    const pfx = ip('2001:db8:aaaa:bbbb:cccc::');
    expect(writeRio(b, 0, 48, ICMPV6_ROUTER_PREF_LOW, 3600, pfx)).toBe(16);
    expect(b.subarray(0, 16).toString('hex')).toBe('1802' + '30' + '18' + '00000e10' + '20010db8aaaabbbb');
    expect(rioPrefixLen(b, 0)).toBe(48);
    expect(rioPref(b, 0)).toBe(ICMPV6_ROUTER_PREF_LOW);
    expect(rioLifetime(b, 0)).toBe(3600);
    expect(rioValid(b, 0)).toBe(true);
    const out = Buffer.alloc(16, 0xff);
    rioPrefixInto(b, 0, out, 0);
    expect(out.equals(ip('2001:db8:aaaa::'))).toBe(true);
    // /72: length 1 refused; Linux takes 2 (RFC 4191 wants 3), the missing byte reads 0 here.
    writeRio(b, 0, 72, 0, 1, ip('2001:db8:1:2:ff00::'), 0, 1);
    expect(rioValid(b, 0)).toBe(false);
    writeRio(b, 0, 72, 0, 1, ip('2001:db8:1:2:ff00::'), 0, 2);
    expect(rioValid(b, 0)).toBe(true);
    b.fill(0xff, 16);
    rioPrefixInto(b, 0, out, 0);
    expect(out.equals(ip('2001:db8:1:2::'))).toBe(true);
    writeRio(b, 0, 72, 0, 1, ip('2001:db8:1:2:ffff::'));
    expect(ndOptLen(b, 0)).toBe(24);
    expect(rioValid(b, 0)).toBe(true);
    rioPrefixInto(b, 0, out, 0);
    expect(out.equals(ip('2001:db8:1:2:ff00::'))).toBe(true);
    // A prefix longer than 128 bits.
    b[2] = 129;
    expect(rioValid(b, 0)).toBe(false);
    // Reserved preference: ignored.
    writeRio(b, 0, 0, ICMPV6_ROUTER_PREF_INVALID, 1, IN6ADDR_ANY);
    expect(ndOptLen(b, 0)).toBe(8);
    expect(rioValid(b, 0)).toBe(false);
    b[3] = 0;
    expect(rioValid(b, 0)).toBe(true);
    rioPrefixInto(b, 0, out, 0);
    expect(out.equals(IN6ADDR_ANY)).toBe(true);
    b[1] = 4;
    expect(rioValid(b, 0)).toBe(false);
  });

  it('ndiscMsgLen', () => {
    expect(ndiscMsgLen(NDISC_ROUTER_SOLICITATION)).toBe(8);
    expect(ndiscMsgLen(NDISC_ROUTER_ADVERTISEMENT)).toBe(16);
    expect(ndiscMsgLen(NDISC_NEIGHBOUR_SOLICITATION)).toBe(24);
    expect(ndiscMsgLen(NDISC_NEIGHBOUR_ADVERTISEMENT)).toBe(24);
    expect(ndiscMsgLen(NDISC_REDIRECT)).toBe(40);
    expect(ndiscMsgLen(138)).toBe(-1);
  });
});

describe('ndiscParseOptions', () => {
  const opts = new NdOpts();

  it('an empty option area is valid', () => {
    expect(ndiscParseOptions(Buffer.alloc(0), 0, 0, opts)).toBe(true);
    expect(opts.sllao).toBe(-1);
    expect(opts.piCount).toBe(0);
  });

  it('option length 0 → malformed', () => {
    const b = hex('0101020000000a01 0500 000000000000');
    expect(ndiscParseOptions(b, 0, b.length, opts)).toBe(false);
    // Even an unknown type with length 0.
    expect(ndiscParseOptions(hex('6300 000000000000'), 0, 8, opts)).toBe(false);
  });

  it('option longer than what remains → malformed', () => {
    const b = hex('0102020000000a01 0000000000000000');
    expect(ndiscParseOptions(b, 0, 16, opts)).toBe(true);
    expect(ndiscParseOptions(b, 0, 15, opts)).toBe(false);
    expect(ndiscParseOptions(hex('0101020000000a01 0302 0000'), 0, 12, opts)).toBe(false);
  });

  it('one trailing byte → malformed', () => {
    const b = hex('0101020000000a01 00');
    expect(ndiscParseOptions(b, 0, 9, opts)).toBe(false);
    expect(ndiscParseOptions(b, 0, 8, opts)).toBe(true);
  });

  it('negative length → malformed', () => {
    expect(ndiscParseOptions(Buffer.alloc(8), 0, -1, opts)).toBe(false);
  });

  it('parses at an offset and resets state from the previous message', () => {
    const b = Buffer.alloc(40);
    writeLlAddrOpt(b, 16, ND_OPT_TARGET_LL_ADDR, MAC_B);
    writeMtuOpt(b, 24, 1500);
    writeNonceOpt(b, 32, hex('010101010101'));
    expect(ndiscParseOptions(b, 16, 24, opts)).toBe(true);
    expect([opts.tllao, opts.mtu, opts.nonce, opts.optStart, opts.optEnd]).toEqual([16, 24, 32, 16, 40]);
    writeLlAddrOpt(b, 16, ND_OPT_SOURCE_LL_ADDR, MAC_B);
    expect(ndiscParseOptions(b, 16, 8, opts)).toBe(true);
    expect([opts.sllao, opts.tllao, opts.mtu, opts.nonce]).toEqual([16, -1, -1, -1]);
  });

  it('duplicate SLLAO: the first one counts (also TLLAO, MTU, nonce, redirected header)', () => {
    const b = Buffer.alloc(80);
    let o = 0;
    o += writeLlAddrOpt(b, o, ND_OPT_SOURCE_LL_ADDR, MAC_A);
    o += writeLlAddrOpt(b, o, ND_OPT_SOURCE_LL_ADDR, MAC_B);
    o += writeMtuOpt(b, o, 1400);
    o += writeMtuOpt(b, o, 1300);
    o += writeLlAddrOpt(b, o, ND_OPT_TARGET_LL_ADDR, MAC_A);
    o += writeLlAddrOpt(b, o, ND_OPT_TARGET_LL_ADDR, MAC_B);
    o += writeNonceOpt(b, o, hex('010203040506'));
    o += writeNonceOpt(b, o, hex('060504030201'));
    expect(ndiscParseOptions(b, 0, o, opts)).toBe(true);
    expect(opts.sllao).toBe(0);
    expect(b.subarray(ndOptLlAddrOff(opts.sllao), ndOptLlAddrOff(opts.sllao) + 6).equals(MAC_A)).toBe(true);
    expect(ndOptMtu(b, opts.mtu)).toBe(1400);
    expect(opts.tllao).toBe(32);
    expect(ndOptNonceEqual(b, opts.nonce, hex('010203040506'))).toBe(true);
    expect(opts.unknown).toBe(false);
  });

  it('unknown option type 99 before SLLAO: still parses, flagged unknown', () => {
    const b = hex('6302 0000000000000000000000000000  0101020000000a01');
    expect(ndiscParseOptions(b, 0, b.length, opts)).toBe(true);
    expect(opts.unknown).toBe(true);
    expect(opts.sllao).toBe(16);
    expect(ndOptLlAddr(b, opts.sllao, 6)).toBe(true);
  });

  it('wrong-length SLLAO (16 bytes) is found by ndOptLlAddr', () => {
    const b = hex('0102 020000000a01 0000000000000000');
    expect(ndiscParseOptions(b, 0, 16, opts)).toBe(true);
    expect(opts.sllao).toBe(0);
    expect(ndOptLlAddr(b, opts.sllao, 6)).toBe(false);
    expect(ndOptLlAddr(hex('0101020000000a01'), 0, 6)).toBe(true);
  });

  it('PIO fields, infinite lifetimes as unsigned 32-bit', () => {
    const b = Buffer.alloc(32);
    writePio(b, 0, 64, ND_PIO_ONLINK | ND_PIO_AUTOCONF | ND_PIO_ROUTERADDR | ND_PIO_PREFERPD, ND_INFINITY_LIFE_TIME, 0xfffffffe, ip('2001:db8::'));
    expect(ndiscParseOptions(b, 0, 32, opts)).toBe(true);
    expect(opts.piCount).toBe(1);
    const p = opts.pi[0];
    expect(pioValidLft(b, p)).toBe(0xffffffff);
    expect(pioValidLft(b, p)).toBe(ND_INFINITY_LIFE_TIME);
    expect(pioPreferredLft(b, p)).toBe(4294967294);
    expect(pioFlags(b, p)).toBe(0xf0);
    expect(pioPrefixLen(b, p)).toBe(64);
  });

  it('a short PIO parses (its option length is fine) but pioLenOk refuses it', () => {
    const b = hex('0302 40c0 00000001 00000001 00000000');
    expect(ndiscParseOptions(b, 0, 16, opts)).toBe(true);
    expect(opts.piCount).toBe(1);
    expect(pioLenOk(b, opts.pi[0])).toBe(false);
  });

  it('PIO and RIO lists keep all in order, bounded, overflow counted', () => {
    const small = new NdOpts(3);
    const b = Buffer.alloc(5 * 32 + 2 * 24);
    let o = 0;
    for (let i = 0; i < 5; i++) o += writePio(b, o, 64, ND_PIO_ONLINK, i, i, ip(`2001:db8:${i}::`));
    o += writeRio(b, o, 64, 0, 1, ip('2001:db8:a::'), 0, 3);
    o += writeRio(b, o, 64, 0, 2, ip('2001:db8:b::'), 0, 3);
    expect(ndiscParseOptions(b, 0, o, small)).toBe(true);
    expect(small.piCount).toBe(3);
    expect(small.piDropped).toBe(2);
    expect(Array.from(small.pi.subarray(0, 3))).toEqual([0, 32, 64]);
    expect(small.riCount).toBe(2);
    expect(Array.from(small.ri.subarray(0, 2))).toEqual([160, 184]);
    expect(small.userOptCount).toBe(3);
    expect(small.userOptDropped).toBe(2);
    // ndiscNextOption still reaches the ones beyond the bound.
    let p = small.pi[2];
    const seen: number[] = [];
    while ((p = ndiscNextOption(b, p, small.optEnd)) >= 0) seen.push(pioValidLft(b, p));
    expect(seen).toEqual([3, 4]);
    expect(ndOptType(b, small.ri[0])).toBe(ND_OPT_ROUTE_INFO);
  });

  it('RDNSS, DNSSL, captive portal, PREF64 are user options, not unknown', () => {
    const b = Buffer.alloc(32);
    for (const [i, t] of [ND_OPT_RDNSS, ND_OPT_DNSSL, ND_OPT_CAPTIVE_PORTAL, ND_OPT_PREF64].entries()) {
      b[i * 8] = t;
      b[i * 8 + 1] = 1;
    }
    expect(ndiscParseOptions(b, 0, 32, opts)).toBe(true);
    expect(opts.unknown).toBe(false);
    expect(opts.userOptCount).toBe(4);
    expect(Array.from(opts.userOpts.subarray(0, 4))).toEqual([0, 8, 16, 24]);
    expect(opts.piCount).toBe(0);
    expect(ND_OPT_PREFIX_INFO).toBe(3);
    expect(ND_OPT_MTU).toBe(5);
  });

  it('nonce usability: one unit long and not all zero', () => {
    const b = Buffer.alloc(16);
    writeNonceOpt(b, 0, Buffer.alloc(6));
    expect(ndOptNonceUsable(b, 0)).toBe(false);
    b[7] = 1;
    expect(ndOptNonceUsable(b, 0)).toBe(true);
    b[1] = 2;
    expect(ndOptNonceUsable(b, 0)).toBe(false);
    expect(ndOptNonceUsable(b, -1)).toBe(false);
  });
});

describe('RA preference decoding', () => {
  it.each([
    [0x00, ICMPV6_ROUTER_PREF_MEDIUM, ICMPV6_ROUTER_PREF_MEDIUM],
    [0x08, ICMPV6_ROUTER_PREF_HIGH, ICMPV6_ROUTER_PREF_HIGH],
    [0x18, ICMPV6_ROUTER_PREF_LOW, ICMPV6_ROUTER_PREF_LOW],
    [0x10, ICMPV6_ROUTER_PREF_INVALID, ICMPV6_ROUTER_PREF_MEDIUM],
    [0xc0 | 0x10, ICMPV6_ROUTER_PREF_INVALID, ICMPV6_ROUTER_PREF_MEDIUM],
    [0xc0 | 0x08, ICMPV6_ROUTER_PREF_HIGH, ICMPV6_ROUTER_PREF_HIGH],
  ])('flags byte %i → raw %i, pref %i', (flags, raw, pref) => {
    const b = Buffer.alloc(16);
    writeRa(b, 0, { curHopLimit: 64, flags, routerLifetime: 0, reachableTime: 0, retransTimer: 0 });
    expect(raFlags(b, 0)).toBe(flags);
    expect(raRouterPrefRaw(b, 0)).toBe(raw);
    expect(raRouterPref(b, 0)).toBe(pref);
  });

  it('reachable/retrans are unsigned 32-bit', () => {
    const b = Buffer.alloc(16);
    writeRa(b, 0, { curHopLimit: 0, flags: ND_RA_FLAG_OTHER, routerLifetime: 0xffff, reachableTime: 0xffffffff, retransTimer: 0x80000000 });
    expect(raRouterLifetime(b, 0)).toBe(65535);
    expect(raReachableTime(b, 0)).toBe(4294967295);
    expect(raRetransTimer(b, 0)).toBe(2147483648);
    expect(raRouterPref(b, 0)).toBe(ICMPV6_ROUTER_PREF_MEDIUM);
  });
});

// The link-up report of ../shared/reference/linux-ndisc.md §3.2, built once with scapy 2.5.0
// (Ether/IPv6(src="::", dst="ff02::16", hlim=1)/IPv6ExtHdrHopByHop(RouterAlert(0), PadN(''))/
// ICMPv6MLReport2 with two rtype=4 records) and pasted here.
const GOLDEN_MLD_ANY = hex(
  '333300000016020000000a0186dd600000000038000100000000000000000000000000000000ff02000000000000' +
    '00000000000000163a000502000001008f0063650000000204000000ff0200000000000000000001ff000a0104' +
    '000000ff0200000000000000000001ff00000a',
);
// The same from fe80::ff:fe00:a01 (the repeat after DAD).
const GOLDEN_MLD_LL = hex(
  '333300000016020000000a0186dd6000000000380001fe80000000000000000000fffe000a01ff02000000000000' +
    '00000000000000163a000502000001008f005be30000000204000000ff0200000000000000000001ff000a0104' +
    '000000ff0200000000000000000001ff00000a',
);

describe('MLDv2 report', () => {
  const groups = [ip('ff02::1:ff00:a01'), ip('ff02::1:ff00:a')];

  function reportFrame(saddr: Uint8Array): Buffer {
    const f = Buffer.alloc(200);
    const dmac = Buffer.alloc(6);
    ipv6EthMcMap(IN6ADDR_MLD2_ALL_MCR, 0, dmac, 0);
    emitEthHeader(f, 0, dmac, 0, MAC_A, 0, ETH_P_IPV6);
    const n = writeMld2ReportPacket(f, ETH_HLEN, saddr, 0, groups, MLD2_CHANGE_TO_EXCLUDE);
    return f.subarray(0, ETH_HLEN + n);
  }

  it('link-up report from :: matches the scapy golden bytes', () => {
    const f = reportFrame(IN6ADDR_ANY);
    expect(f.length).toBe(110);
    expect(f.toString('hex')).toBe(GOLDEN_MLD_ANY.toString('hex'));
    const nh = ETH_HLEN;
    expect(f[nh + 6]).toBe(0); // hop-by-hop
    expect(f[nh + 7]).toBe(1); // hop limit
    expect(f.readUInt16BE(nh + 4)).toBe(MLD_HBH_LEN + 8 + 2 * MLD2_GREC_LEN);
    expect(f.subarray(nh + 40, nh + 48).toString('hex')).toBe('3a00050200000100');
    const icmp = nh + 48;
    expect(f.readUInt16BE(icmp + 2)).toBe(0x6365);
    expect(icmp6Check(f, nh, icmp, 48)).toBe(ICMP6_OK);
    const m = new MldMsg();
    expect(mldParse(f, icmp, 48, m)).toBe(MLD_OK);
    expect(m.type).toBe(ICMPV6_MLD2_REPORT);
    expect(m.nrec).toBe(2);
    let r = mld2FirstGrec(icmp);
    for (const g of groups) {
      expect(mld2GrecType(f, r)).toBe(MLD2_CHANGE_TO_EXCLUDE);
      expect(mld2GrecNsrcs(f, r)).toBe(0);
      expect(f.subarray(mld2GrecGroupOff(r), mld2GrecGroupOff(r) + 16).equals(g)).toBe(true);
      r += mld2GrecLen(f, r);
    }
    expect(r).toBe(f.length);
    expect(mldReportSourceOk(f, nh)).toBe(true);
  });

  it('the repeat from the link-local source matches too', () => {
    const f = reportFrame(ip('fe80::ff:fe00:a01'));
    expect(f.toString('hex')).toBe(GOLDEN_MLD_LL.toString('hex'));
    expect(icmp6Check(f, ETH_HLEN, ETH_HLEN + 48, 48)).toBe(ICMP6_OK);
  });

  it('writeMld2ReportFrom takes groups at offsets in a buffer', () => {
    const src = Buffer.alloc(64);
    groups[0].copy(src, 5);
    groups[1].copy(src, 40);
    const a = Buffer.alloc(48);
    const b = Buffer.alloc(48);
    expect(writeMld2ReportFrom(a, 0, src, [5, 40], 2, MLD2_MODE_IS_EXCLUDE)).toBe(48);
    expect(writeMld2Report(b, 0, groups, MLD2_MODE_IS_EXCLUDE)).toBe(48);
    expect(a.equals(b)).toBe(true);
    expect(a[8]).toBe(MLD2_MODE_IS_EXCLUDE);
  });

  it('mld2MaxRecords', () => {
    expect(mld2MaxRecords(1500)).toBe(72);
    expect(mld2MaxRecords(1280)).toBe(61);
  });

  it('a truncated v2 report or record is told apart', () => {
    const b = Buffer.alloc(64);
    const n = writeMld2Report(b, 0, groups, MLD2_CHANGE_TO_EXCLUDE);
    const m = new MldMsg();
    expect(mldParse(b, 0, n - 1, m)).toBe(MLD_DROP_TRUNCATED);
    expect(mldParse(b, 0, 7, m)).toBe(MLD_DROP_TOO_SHORT);
    // One record with one source and one auxiliary word: 20 + 16 + 4 bytes.
    const c = Buffer.alloc(8 + 40);
    writeMld2Report(c, 0, [groups[0]], MLD2_CHANGE_TO_EXCLUDE);
    c[8 + 1] = 1;
    c[8 + 3] = 1;
    expect(mld2GrecLen(c, 8)).toBe(40);
    expect(mldParse(c, 0, 48, m)).toBe(MLD_OK);
    expect(mldParse(c, 0, 47, m)).toBe(MLD_DROP_TRUNCATED);
    expect(mldParse(c, 0, 27, m)).toBe(MLD_DROP_TRUNCATED);
    // Record count larger than the records present.
    c[7] = 2;
    expect(mldParse(c, 0, 48, m)).toBe(MLD_DROP_TRUNCATED);
  });
});

describe('MLD queries and v1 messages', () => {
  const m = new MldMsg();

  function v1(type: number, group: Uint8Array, maxDelay = 0): Buffer {
    const b = Buffer.alloc(24);
    b[0] = type;
    b.writeUInt16BE(maxDelay, 4);
    b.set(group, 8);
    return b;
  }

  function v2q(group: Uint8Array, mrc: number, nsrcs: number, extra = 0): Buffer {
    const b = Buffer.alloc(28 + nsrcs * 16 + extra);
    b[0] = ICMPV6_MGM_QUERY;
    b.writeUInt16BE(mrc, 4);
    b.set(group, 8);
    b[24] = 2; // QRV
    b[25] = 125; // QQIC
    b.writeUInt16BE(nsrcs, 26);
    return b;
  }

  it('v1 general query, report and done', () => {
    const q = v1(ICMPV6_MGM_QUERY, IN6ADDR_ANY, 10000);
    expect(mldParse(q, 0, 24, m)).toBe(MLD_OK);
    expect([m.type, m.v2, m.groupOff, m.maxDelay]).toEqual([ICMPV6_MGM_QUERY, false, 8, 10000]);
    expect(mldParse(v1(ICMPV6_MGM_REPORT, ip('ff02::1:ff00:b')), 0, 24, m)).toBe(MLD_OK);
    expect(m.type).toBe(ICMPV6_MGM_REPORT);
    expect(mldParse(v1(ICMPV6_MGM_REDUCTION, ip('ff02::1:ff00:b')), 0, 24, m)).toBe(MLD_OK);
    expect(mldParse(v1(ICMPV6_MGM_REPORT, ip('ff02::1:ff00:b')), 0, 23, m)).toBe(MLD_DROP_TOO_SHORT);
  });

  it('group must be :: or multicast', () => {
    expect(mldParse(v1(ICMPV6_MGM_QUERY, ip('fe80::1')), 0, 24, m)).toBe(MLD_DROP_BAD_GROUP);
    expect(mldParse(v1(ICMPV6_MGM_REPORT, ip('fd00:1::a')), 0, 24, m)).toBe(MLD_DROP_BAD_GROUP);
  });

  it('query lengths: 24 v1, 25..27 bad, 28+ v2', () => {
    const q = v2q(IN6ADDR_ANY, 10000, 0, 4);
    for (const len of [25, 26, 27]) expect(mldParse(q, 0, len, m)).toBe(MLD_DROP_BAD_LEN);
    expect(mldParse(q, 0, 24, m)).toBe(MLD_OK);
    expect(m.v2).toBe(false);
    expect(mldParse(q, 0, 28, m)).toBe(MLD_OK);
    expect([m.v2, m.maxDelay, m.nsrcs]).toEqual([true, 10000, 0]);
    expect(mldv2Qrv(q, 0)).toBe(2);
    expect(mldv2Qqi(q, 0)).toBe(125);
    expect(mldParse(q, 0, 32, m)).toBe(MLD_OK);
  });

  it('v2 query sources: general query may not have any; specific ones must be present', () => {
    expect(mldParse(v2q(IN6ADDR_ANY, 0, 1), 0, 44, m)).toBe(MLD_DROP_GENERAL_SRCS);
    const g = ip('ff02::1:ff00:a');
    expect(mldParse(v2q(g, 0, 2), 0, 60, m)).toBe(MLD_OK);
    expect(m.nsrcs).toBe(2);
    expect(mldParse(v2q(g, 0, 2), 0, 59, m)).toBe(MLD_DROP_TRUNCATED);
  });

  it('not MLD', () => {
    expect(mldParse(v1(NDISC_NEIGHBOUR_SOLICITATION, IN6ADDR_ANY), 0, 24, m)).toBe(MLD_DROP_NOT_MLD);
  });

  it('mldv2Mrc exponential form', () => {
    const b = Buffer.alloc(28);
    b.writeUInt16BE(0x7fff, 4);
    expect(mldv2Mrc(b, 0)).toBe(32767);
    b.writeUInt16BE(0x8000, 4);
    expect(mldv2Mrc(b, 0)).toBe(0x1000 << 3);
    b.writeUInt16BE(0xffff, 4);
    expect(mldv2Mrc(b, 0)).toBe(0x1fff << 10);
    b[25] = 0xff;
    expect(mldv2Qqi(b, 0)).toBe(0x1f << 10);
  });

  it('mldQueryIpOk: link-local source, hop limit 1, Router Alert 0', () => {
    const h = Buffer.alloc(40);
    writeIpv6Header(h, 0, 0, 0, 32, 0, 1, ip('fe80::1'), 0, ip('ff02::1'), 0);
    expect(mldQueryIpOk(h, 0, 0)).toBe(true);
    expect(mldQueryIpOk(h, 0, -1)).toBe(false);
    expect(mldQueryIpOk(h, 0, 1)).toBe(false);
    h[7] = 2;
    expect(mldQueryIpOk(h, 0, 0)).toBe(false);
    writeIpv6Header(h, 0, 0, 0, 32, 0, 1, ip('fd00:1::1'), 0, ip('ff02::1'), 0);
    expect(mldQueryIpOk(h, 0, 0)).toBe(false);
    expect(mldReportSourceOk(h, 0)).toBe(false);
  });
});
