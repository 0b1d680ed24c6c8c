// icmpv6_rcv's checks and icmpv6_echo_reply (src/ipv6/icmp.ts): a request right after the fixed
// header is answered in place from its address words (echoReplyInPlace); one behind an extension
// header takes the general path. Both must give the same reply, and the same verdicts on bad
// checksums and short messages.
import { afterEach, describe, expect, it } from 'vitest';
import { emitEthHeader, ETH_HLEN } from '../../src/ethernet/ethhdr.js';
import { ICMPV6_ECHO_REQUEST, IPPROTO_ICMPV6, icmp6FillChecksum, writeIcmp6Echo } from '../../src/ipv6/icmp6hdr.js';
import { ipv6UpperCsum } from '../../src/ipv6/ip6_checksum.js';
import { writeIpv6Header, IPV6_HDR_LEN } from '../../src/ipv6/ipv6hdr.js';
import { ADDR_A, MAC_A, MAC_C, clearSent, in6, inject, makeHost6, takeLive6, type Host6 } from '../helpers/ipv6_env.js';

afterEach(async () => {
  for (const h of takeLive6()) await h.stack.close();
});

const PEER = 'fd00:1::c';

interface EchoSpec {
  src?: string;
  dst?: string;
  /** 'hbh': hop-by-hop options (PadN) first; 'dst': destination options (PadN) first. */
  ext?: 'hbh' | 'dst';
  payload?: number;
  badCsum?: boolean;
  /** Cut the ICMPv6 message to this many bytes (checksum computed over the cut). */
  icmpLen?: number;
  tclass?: number;
  flowLabel?: number;
  hopLimit?: number;
}

/** An echo request frame to us from the peer (MAC_C), as `ping -6` sends it. */
function echoFrame(s: EchoSpec = {}): Buffer {
  const src = in6(s.src ?? PEER);
  const dst = in6(s.dst ?? ADDR_A);
  const payload = s.payload ?? 56;
  let icmp = Buffer.alloc(8 + payload);
  writeIcmp6Echo(icmp, 0, ICMPV6_ECHO_REQUEST, 0x4242, 7);
  for (let i = 0; i < payload; i++) icmp[8 + i] = (i * 7 + 3) & 0xff;
  if (s.icmpLen !== undefined) icmp = icmp.subarray(0, s.icmpLen);
  icmp6FillChecksum(icmp, 0, icmp.length, src, 0, dst, 0);
  if (s.badCsum) icmp[icmp.length - 1] ^= 0x20;
  const ext = s.ext ? 8 : 0;
  const f = Buffer.alloc(ETH_HLEN + IPV6_HDR_LEN + ext + icmp.length);
  emitEthHeader(f, 0, MAC_A, 0, MAC_C, 0, 0x86dd);
  const first = s.ext === 'hbh' ? 0 : s.ext === 'dst' ? 60 : IPPROTO_ICMPV6;
  writeIpv6Header(f, ETH_HLEN, s.tclass ?? 0, s.flowLabel ?? 0x5a5a5, ext + icmp.length, first, s.hopLimit ?? 64, src, 0, dst, 0);
  const x = ETH_HLEN + IPV6_HDR_LEN;
  if (ext) {
    f[x] = IPPROTO_ICMPV6;
    f[x + 1] = 0;
    f[x + 2] = 1; // PadN of 4
    f[x + 3] = 4;
  }
  icmp.copy(f, x + ext);
  return f;
}

function host(): Host6 {
  const h = makeHost6();
  h.stack.neighAdd({ dst: PEER, dev: 'ea', lladdr: '02:00:00:00:0c:01', state: 'reachable' });
  clearSent(h);
  return h;
}

/** The frames the host sent that are echo replies. */
function replies(h: Host6): Buffer[] {
  return h.ea.sent.filter((f) => f.readUInt16BE(12) === 0x86dd && f[ETH_HLEN + 6] === IPPROTO_ICMPV6 && f[ETH_HLEN + IPV6_HDR_LEN] === 129);
}

describe('ICMPv6 echo reply', () => {
  it('in place: addresses swapped, flow label from both, device hop limit, type 129, a valid checksum, the payload as sent', () => {
    const h = host();
    inject(h, echoFrame({ tclass: 0xb8 }));
    const [r] = replies(h);
    expect(r).toBeDefined();
    const nh = ETH_HLEN;
    const t = nh + IPV6_HDR_LEN;
    expect(r.subarray(0, 6).equals(MAC_C)).toBe(true);
    expect(r.subarray(nh + 8, nh + 24).equals(in6(ADDR_A))).toBe(true);
    expect(r.subarray(nh + 24, nh + 40).equals(in6(PEER))).toBe(true);
    const tclass = ((r[nh] & 0x0f) << 4) | (r[nh + 1] >>> 4);
    const flow = ((r[nh + 1] & 0x0f) << 16) | (r[nh + 2] << 8) | r[nh + 3];
    expect(r[nh] >>> 4).toBe(6);
    expect(tclass).toBe(0xb8);
    expect(flow).toBe(h.stack.inet6.autoFlowLabel(in6(ADDR_A), 0, in6(PEER), 0, IPPROTO_ICMPV6));
    expect(r.readUInt16BE(nh + 4)).toBe(64);
    expect(r[nh + 7]).toBe(64);
    expect(ipv6UpperCsum(r, t, 64, r, nh + 8, r, nh + 24, IPPROTO_ICMPV6)).toBe(0);
    expect(r.subarray(t + 4).equals(echoFrame().subarray(t + 4))).toBe(true);
    const st = h.stack.inet6.icmp.stats;
    expect([st.inEchos, st.inType[128], st.outEchoReplies, st.outType[129]]).toEqual([1, 1, 1, 1]);
  });

  it('behind a hop-by-hop or destination options header: the same reply (the header takes their place)', () => {
    for (const ext of ['hbh', 'dst'] as const) {
      const plain = host();
      inject(plain, echoFrame());
      const h = host();
      inject(h, echoFrame({ ext }));
      const [a] = replies(plain);
      const [b] = replies(h);
      expect(b).toBeDefined();
      // The request buffer is 8 bytes longer: the reply starts 8 bytes in.
      expect(b.equals(a)).toBe(true);
    }
  });

  it('a bad checksum is Icmp6InCsumErrors and Icmp6InErrors, with or without an extension header; nothing is sent', () => {
    for (const ext of [undefined, 'dst'] as const) {
      const h = host();
      inject(h, echoFrame({ ext, badCsum: true }));
      const st = h.stack.inet6.icmp.stats;
      expect([st.inMsgs, st.inErrors, st.inCsumErrors, st.inEchos]).toEqual([1, 1, 1, 0]);
      expect(replies(h)).toEqual([]);
    }
  });

  it('shorter than 8 bytes with a valid checksum: Icmp6InErrors only', () => {
    for (const ext of [undefined, 'hbh'] as const) {
      const h = host();
      inject(h, echoFrame({ ext, icmpLen: 4 }));
      const st = h.stack.inet6.icmp.stats;
      expect([st.inMsgs, st.inErrors, st.inCsumErrors, st.inEchos]).toEqual([1, 1, 0, 0]);
      expect(replies(h)).toEqual([]);
    }
  });

  it('odd lengths verify and are answered', () => {
    const h = host();
    inject(h, echoFrame({ payload: 13 }));
    const [r] = replies(h);
    expect(ipv6UpperCsum(r, ETH_HLEN + IPV6_HDR_LEN, 21, r, ETH_HLEN + 8, r, ETH_HLEN + 24, IPPROTO_ICMPV6)).toBe(0);
  });

  it('to the all-nodes group: answered from our address by the general path', () => {
    const h = host();
    const f = echoFrame({ dst: 'ff02::1' });
    Buffer.from([0x33, 0x33, 0, 0, 0, 1]).copy(f, 0);
    inject(h, f);
    const [r] = replies(h);
    expect(r).toBeDefined();
    expect(r.subarray(ETH_HLEN + 24, ETH_HLEN + 40).equals(in6(PEER))).toBe(true);
    expect(ipv6UpperCsum(r, ETH_HLEN + IPV6_HDR_LEN, 64, r, ETH_HLEN + 8, r, ETH_HLEN + 24, IPPROTO_ICMPV6)).toBe(0);
  });

  it('echo_ignore_all: dropped on both paths', () => {
    for (const ext of [undefined, 'dst'] as const) {
      const h = host();
      h.stack.inet6.icmp.echoIgnoreAll = 1;
      inject(h, echoFrame({ ext }));
      expect(replies(h)).toEqual([]);
      expect(h.stack.inet6.icmp.stats.echoDropped).toBe(1);
    }
  });
});

describe('auto flow label', () => {
  it('is the per-flow hash of the source and destination words (the same label as before the word form)', () => {
    const h = makeHost6();
    const inet6 = h.stack.inet6;
    const seed = (inet6 as unknown as { flowSeed: number }).flowSeed;
    const ref = (s: Buffer, d: Buffer, proto: number): number => {
      let x = seed ^ proto;
      for (let i = 0; i < 16; i += 4) {
        x = Math.imul(x ^ s.readInt32BE(i), 0x9e3779b1);
        x = Math.imul(x ^ d.readInt32BE(i), 0x85ebca6b);
      }
      x ^= x >>> 13;
      return (x & 0xfffff) || 1;
    };
    const addrs = ['fd00:1::a', 'fd00:1::c', 'fe80::1', 'ff02::1', '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', '::'];
    for (const a of addrs) {
      for (const b of addrs) {
        const s = in6(a);
        const d = in6(b);
        const frame = Buffer.alloc(40);
        s.copy(frame, 3);
        d.copy(frame, 21);
        expect(inet6.autoFlowLabel(frame, 3, frame, 21, 58)).toBe(ref(s, d, 58));
        expect(inet6.autoFlowLabelWords(s.readInt32BE(0), s.readInt32BE(4), s.readInt32BE(8), s.readInt32BE(12), d.readInt32BE(0), d.readInt32BE(4), d.readInt32BE(8), d.readInt32BE(12), 17)).toBe(ref(s, d, 17));
      }
    }
  });
});
