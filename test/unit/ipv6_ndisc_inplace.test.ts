// ndisc_recv_ns answering in place (Ndisc.sendNaInPlace): the NA written over the NS must be the
// frame ndisc_send_na builds in a packet of its own, byte for byte, with the same counters; and
// the NS shapes that cannot hold the answer (extension headers, shorter than the NA, an entry that
// cannot send yet) must take the allocating path and leave the request untouched.
import { afterEach, describe, expect, it } from 'vitest';
import { ETH_HLEN, emitEthHeader } from '../../src/ethernet/ethhdr.js';
import { icmp6FillChecksum } from '../../src/ipv6/icmp6hdr.js';
import { IFA_F_OPTIMISTIC } from '../../src/ipv6/if_inet6.js';
import { IPV6_HDR_LEN, writeIpv6Header } from '../../src/ipv6/ipv6hdr.js';
import { writeNaOverNs } from '../../src/ipv6/ndisc_answer.js';
import { writeNa, writeNs } from '../../src/ipv6/ndisc_wire.js';
import { NUD_REACHABLE } from '../../src/neighbour/nud.js';
import {
  ADDR_A,
  type Host6,
  MAC_A,
  addSecondDev,
  dropsOf6,
  MAC_C,
  clearSent,
  entry6,
  ifaOf,
  in6,
  inject,
  makeHost6,
  neighAdd6,
  nsFrame,
  sent6,
  takeLive6,
} from '../helpers/ipv6_env.js';

afterEach(() => {
  for (const h of takeLive6()) expect(h.stack.inet6.ndisc.tbl.checkInvariants()).toEqual([]);
});

const PEER = 'fd00:1::c';

/** The NA an independent writer produces: Ethernet to `ethDst`, hop limit 255, flow label 0. */
function expectedNa(o: { src: string; dst: string; ethDst: Buffer; flags: number; tll: Buffer | null; tclass?: number }): Buffer {
  const body = Buffer.alloc(32);
  const len = writeNa(body, 0, o.flags, in6(o.src), o.tll);
  const f = Buffer.alloc(ETH_HLEN + IPV6_HDR_LEN + len);
  emitEthHeader(f, 0, o.ethDst, 0, MAC_A, 0, 0x86dd);
  writeIpv6Header(f, ETH_HLEN, o.tclass ?? 0, 0, len, 58, 255, in6(o.src), 0, in6(o.dst), 0);
  body.copy(f, ETH_HLEN + IPV6_HDR_LEN, 0, len);
  icmp6FillChecksum(f, ETH_HLEN + IPV6_HDR_LEN, len, in6(o.src), 0, in6(o.dst), 0);
  return f;
}

interface Counts {
  txNa: number;
  outNa: number;
  outRequests: number;
  outMcast: number;
  txPackets: number;
}

function counts(h: Host6): Counts {
  const i6 = h.stack.inet6;
  return {
    txNa: i6.ndisc.stats.txNa,
    outNa: i6.icmp.stats.outNeighborAdvertisements,
    outRequests: i6.stats.outRequests,
    outMcast: i6.stats.outMcastPkts,
    txPackets: h.ea.stats.txPackets,
  };
}

function delta(a: Counts, b: Counts): Counts {
  return {
    txNa: b.txNa - a.txNa,
    outNa: b.outNa - a.outNa,
    outRequests: b.outRequests - a.outRequests,
    outMcast: b.outMcast - a.outMcast,
    txPackets: b.txPackets - a.txPackets,
  };
}

/**
 * Injects `ns` and returns the one NA sent, whether the request's bytes became it (in place),
 * and what it counted; then has ndisc_send_na build the same answer in a packet of its own and
 * checks that it is the same frame with the same counts.
 */
function answer(h: Host6, ns: Buffer, sendNaArgs: { router: boolean; override: boolean; incOpt: boolean }): { na: Buffer; inPlace: boolean } {
  const before = Buffer.from(ns);
  clearSent(h);
  const c0 = counts(h);
  inject(h, ns);
  const c1 = counts(h);
  const nas = sent6(h).filter((p) => p.type === 136);
  expect(nas.length).toBe(1);
  const na = nas[0].raw;
  const inPlace = !ns.equals(before);
  if (inPlace) expect(ns.subarray(0, na.length).equals(na)).toBe(true);
  // The allocating path, through the same (now DELAY) entry.
  clearSent(h);
  h.stack.inet6.ndisc.sendNa(h.ea, in6(PEER), in6(ADDR_A), sendNaArgs.router, true, sendNaArgs.override, sendNaArgs.incOpt);
  const c2 = counts(h);
  const ref = sent6(h).filter((p) => p.type === 136);
  expect(ref.length).toBe(1);
  expect(na.toString('hex')).toBe(ref[0].raw.toString('hex'));
  expect(delta(c0, c1)).toEqual(delta(c1, c2));
  return { na, inPlace };
}

describe('NS answered in place', () => {
  it('multicast NS with SLLAO: NA S|O + TLLAO over the same 86 bytes, entry DELAY', () => {
    const h = makeHost6();
    const ns = nsFrame();
    const c0 = counts(h);
    const { na, inPlace } = answer(h, ns, { router: false, override: true, incOpt: true });
    expect(inPlace).toBe(true);
    expect(na.toString('hex')).toBe(expectedNa({ src: ADDR_A, dst: PEER, ethDst: MAC_C, flags: 0x60, tll: MAC_A }).toString('hex'));
    expect(delta(c0, counts(h)).txNa).toBe(2);
    expect(entry6(h, PEER)?.state).toBe('DELAY');
  });

  it('ndisc_tclass and forwarding (R) are honoured in place', () => {
    const h = makeHost6({ conf: { ndisc_tclass: 0xb8, forwarding: 1 } });
    const { na, inPlace } = answer(h, nsFrame(), { router: true, override: true, incOpt: true });
    expect(inPlace).toBe(true);
    expect(na.toString('hex')).toBe(expectedNa({ src: ADDR_A, dst: PEER, ethDst: MAC_C, flags: 0xe0, tll: MAC_A, tclass: 0xb8 }).toString('hex'));
  });

  it('NS with SLLAO and a nonce (40 bytes): the 32-byte NA in its first bytes', () => {
    const h = makeHost6();
    const ns = nsFrame({ opts: [{ sllao: MAC_C }, { nonce: Buffer.from('010203040506', 'hex') }] });
    const { na, inPlace } = answer(h, ns, { router: false, override: true, incOpt: true });
    expect(inPlace).toBe(true);
    expect(na.length).toBe(ETH_HLEN + IPV6_HDR_LEN + 32);
  });

  it('unicast NS without SLLAO from a REACHABLE peer: NA S only, no TLLAO (24 bytes)', () => {
    const h = makeHost6();
    neighAdd6(h, PEER, NUD_REACHABLE, MAC_C);
    const ns = nsFrame({ dst: ADDR_A, opts: [] });
    const { na, inPlace } = answer(h, ns, { router: false, override: false, incOpt: false });
    expect(inPlace).toBe(true);
    expect(na.toString('hex')).toBe(expectedNa({ src: ADDR_A, dst: PEER, ethDst: MAC_C, flags: 0x40, tll: null }).toString('hex'));
  });

  it('optimistic target: O cleared in place', () => {
    const h = makeHost6();
    ifaOf(h, ADDR_A)!.flags |= IFA_F_OPTIMISTIC;
    const { na, inPlace } = answer(h, nsFrame(), { router: false, override: true, incOpt: true });
    expect(inPlace).toBe(true);
    expect(na.toString('hex')).toBe(expectedNa({ src: ADDR_A, dst: PEER, ethDst: MAC_C, flags: 0x40, tll: MAC_A }).toString('hex'));
  });
});

describe('NS that cannot hold the answer: a packet of its own, the request untouched', () => {
  it('force_tllao on a 24-byte unicast NS (the NA needs 32)', () => {
    const h = makeHost6({ conf: { force_tllao: 1 } });
    neighAdd6(h, PEER, NUD_REACHABLE, MAC_C);
    const { na, inPlace } = answer(h, nsFrame({ dst: ADDR_A, opts: [] }), { router: false, override: false, incOpt: false });
    expect(inPlace).toBe(false);
    expect(na.toString('hex')).toBe(expectedNa({ src: ADDR_A, dst: PEER, ethDst: MAC_C, flags: 0x40, tll: MAC_A }).toString('hex'));
  });

  it('a hop-by-hop header before the NS', () => {
    const h = makeHost6();
    const { na, inPlace } = answer(h, nsFrame({ hopByHop: true }), { router: false, override: true, incOpt: true });
    expect(inPlace).toBe(false);
    expect(na.toString('hex')).toBe(expectedNa({ src: ADDR_A, dst: PEER, ethDst: MAC_C, flags: 0x60, tll: MAC_A }).toString('hex'));
  });

  it('unicast NS without SLLAO from an unknown peer: the NA waits in the new entry queue, as its own packet', () => {
    const h = makeHost6();
    const ns = nsFrame({ dst: ADDR_A, opts: [] });
    const before = Buffer.from(ns);
    clearSent(h);
    const c0 = counts(h);
    inject(h, ns);
    expect(ns.equals(before)).toBe(true);
    // The NA and the multicast NS resolving the peer went to output; only the NS left.
    expect(delta(c0, counts(h))).toEqual({ txNa: 1, outNa: 1, outRequests: 2, outMcast: 1, txPackets: 1 });
    expect(sent6(h).map((p) => p.type)).toEqual([135]);
  });
});

describe('writeNaOverNs', () => {
  // Addresses whose bytes sum high (0xff…) and low (0x00…) so the folds are exercised.
  const cases = [
    { src: 'fd00:1::c', target: 'fd00:1::a', flags: 0x60, tll: MAC_A, tclass: 0 },
    { src: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe', target: 'fe80::ffff:ffff:ffff:ffff', flags: 0xe0, tll: Buffer.from('ffffffffffff', 'hex'), tclass: 0xff },
    { src: '::1', target: '2001:db8::1', flags: 0x40, tll: null, tclass: 0x11 },
    { src: 'fe80::1', target: 'fe80::2', flags: 0xff, tll: Buffer.from('000000000000', 'hex'), tclass: 0xb8 },
  ];
  for (const c of cases) {
    it(`${c.target} to ${c.src}, flags ${c.flags.toString(16)}, ${c.tll ? 'TLLAO' : 'no TLLAO'}, tclass ${c.tclass}`, () => {
      // An NS from c.src for c.target with 16 bytes of options, under a header with junk in it.
      // A view at an odd offset of a larger ArrayBuffer, as Node's pooled Buffers are.
      const f = Buffer.alloc(200, 0x5a).subarray(37, 37 + 14 + 40 + 40).fill(0xa5);
      writeIpv6Header(f, 14, 0x3c, 0xabcde, 40, 58, 255, in6(c.src), 0, in6('ff02::1:ff00:1'), 0);
      writeNs(f, 54, in6(c.target), MAC_C, Buffer.from('0102030405fe', 'hex'));
      const len = writeNaOverNs(f, 14, c.tclass, c.flags, c.tll);
      const want = expectedNa({ src: c.target, dst: c.src, ethDst: MAC_C, flags: c.flags, tll: c.tll, tclass: c.tclass });
      expect(len).toBe(want.length - 54);
      expect(f.subarray(14, 54 + len).toString('hex')).toBe(want.subarray(14).toString('hex'));
    });
  }
});

describe('the target lookup remembered between solicitations', () => {
  const nas = (h: Host6): number => sent6(h).filter((p) => p.type === 136).length;
  // To all-nodes, which every device joins: the NS reaches ndisc_recv_ns whoever owns the target.

  it('follows the address list: deleted, the address is no longer answered; added again, it is', () => {
    const h = makeHost6();
    inject(h, nsFrame({ dst: 'ff02::1' }));
    expect(nas(h)).toBe(1);
    h.stack.delAddress(h.ea, `${ADDR_A}/64`);
    clearSent(h);
    const before = dropsOf6(h).nsNotForUs;
    inject(h, nsFrame({ dst: 'ff02::1' }));
    expect(nas(h)).toBe(0);
    expect(dropsOf6(h).nsNotForUs - before).toBe(1);
    h.stack.addAddress(h.ea, `${ADDR_A}/64`, { nodad: true });
    clearSent(h);
    inject(h, nsFrame({ dst: 'ff02::1' }));
    expect(nas(h)).toBe(1);
  });

  it('is per device: the same target on another link is not ours there', () => {
    const h = makeHost6();
    inject(h, nsFrame({ dst: 'ff02::1' }));
    expect(nas(h)).toBe(1);
    const eb = addSecondDev(h);
    h.stack.linkSet(eb, { up: true });
    const before = dropsOf6(h).nsNotForUs;
    eb.receiveFrame(nsFrame({ dst: 'ff02::1' }));
    expect(dropsOf6(h).nsNotForUs - before).toBe(1);
  });
});
