// The IPv6 per-packet paths under test, each the twin of an IPv4 case of paths.mjs on a stack of
// its own, built the same way (same device, MACs, payloads and batch sizes), so that their ratio
// measures the protocol code and nothing else:
//   ip6_finish_output2      ↔ ip_finish_output2   (nd_tbl lookup + the same neigh_output hh path)
//   NS in → NA out          ↔ ARP request in → reply out
//   ICMPv6 echo in → reply  ↔ ICMP echo in → reply
//   nd_tbl lookupNoref      ↔ arp_tbl lookupNoref, at the same table size
import { neighOutput } from '../../dist/neighbour/neighbour.js';
import { ip6FinishOutput2 } from '../../dist/ipv6/ip6_output.js';
import { csumFold, csumPartial } from '../../dist/core/checksum.js';
import { ipv6PseudoSum } from '../../dist/ipv6/ip6_checksum.js';
import { DEV_MAC, NUD_CONNECTED, NUD_REACHABLE, PEER_MAC, makeInjector, mulberry32 } from './fixtures.mjs';
import {
  DEV_IP6,
  ETH_P_IPV6,
  PEER_IP6,
  benchStack6,
  buildEcho6Request,
  buildNsRequest,
  fillTable6,
  ip6PacketSkb,
} from './fixtures6.mjs';
import { FRAMES_PER_OP, LOOKUPS_PER_OP, PACKETS_PER_OP, slotDisplacement } from './paths.mjs';

export const CASE_NAMES6 = {
  ip6Output: 'ip6FinishOutput2 (lookupNoref + neighOutput)',
  ns: 'ndisc_rcv → ndisc_recv_ns → ndisc_send_na',
  echo6: 'ipv6_rcv → icmpv6_echo_reply → neigh_output, in place',
  lookup6: (size) => `nd_tbl, ${size >= 1000 ? `${size / 1000}k` : size} entries (key read in place)`,
};

/** A REACHABLE nd_tbl entry for fd00::2 whose hh cache was filled by one resolved transmission. */
export function connectedPeer6(fx) {
  const { nd, dev } = fx;
  const rc = nd.neighAdd(Buffer.from(PEER_IP6), dev, { state: NUD_REACHABLE, lladdr: PEER_MAC, create: true });
  if (rc !== 0) throw new Error(`neighAdd failed: ${rc}`);
  const n = nd.lookupNoref(PEER_IP6, dev);
  neighOutput(n, ip6PacketSkb(dev), false); // neigh_resolve_output → neigh_hh_init
  if (!(n.nudState & NUD_CONNECTED) || n.hh.hhLen !== 14) throw new Error('peer entry is not CONNECTED with a cached header');
  return n;
}

function ethHeaderToPeerOk(skb, proto = ETH_P_IPV6) {
  const b = skb.buf;
  const o = skb.data;
  return PEER_MAC.equals(b.subarray(o, o + 6)) && DEV_MAC.equals(b.subarray(o + 6, o + 12)) && b.readUInt16BE(o + 12) === proto;
}

function txCheck(dev, count0, sent) {
  const seen = dev.count - count0;
  return seen === sent ? null : `device transmitted ${seen} frames, ${sent} sent`;
}

/** ICMPv6 checksum of the message at `t` (length `len`) under the IPv6 header at `nh`. */
function icmp6Ok(b, nh, t, len) {
  return csumFold(csumPartial(b, t, len, ipv6PseudoSum(b, nh + 8, b, nh + 24, len, 58))) === 0;
}

/**
 * ip6_finish_output2 as ip6_xmit calls it for an on-link destination: the next hop read in place
 * from the packet's destination address, the nd_tbl lookup, then neigh_output's hh fast path.
 */
export function ip6OutputCase() {
  const fx = benchStack6();
  const { dev, inet6 } = fx;
  connectedPeer6(fx);
  const skb = ip6PacketSkb(dev);
  const headroom = skb.data;
  const B = PACKETS_PER_OP;
  const count0 = dev.count;
  let sent = 0;
  let errors = 0;
  return {
    name: CASE_NAMES6.ip6Output,
    fx,
    unit: 'packet',
    perOp: B,
    fn() {
      const b = skb.buf;
      for (let i = 0; i < B; i++) {
        skb.data = headroom;
        if (ip6FinishOutput2(inet6, skb, dev, b, headroom + 24) !== 0) errors++;
      }
      sent += B;
    },
    verify() {
      if (errors) return `${errors} transmissions failed`;
      if (skb.data !== headroom - 14 || !ethHeaderToPeerOk(skb)) return 'frame does not start with the cached Ethernet header';
      if (fx.nd.entries !== 1) return `nd_tbl holds ${fx.nd.entries} entries: the lookup missed and created one`;
      return txCheck(dev, count0, sent);
    },
  };
}

/**
 * A multicast NS "who has fd00::1" from fd00::2 with SLLAO, through eth_type_trans,
 * __netif_receive_skb, ipv6_rcv (solicited-node group joined), icmpv6_rcv and ndisc_recv_ns: the
 * solicitor's entry is updated (STALE, then DELAY on the answer) and an NA with S|O and TLLAO
 * leaves through it. The twin of arpCase.
 */
export function nsCase() {
  const fx = benchStack6();
  const { dev, inet6 } = fx;
  const template = buildNsRequest();
  // The NA is written over the NS (the same 86 bytes): every injection restores the whole frame,
  // a cost the IPv4 twin does not pay (arp_send builds its reply in a packet of its own).
  const inj = makeInjector(dev, template);
  const B = FRAMES_PER_OP;
  let injected = 0;
  const na0 = inet6.ndisc.stats.txNa;
  const count0 = dev.count;
  return {
    name: CASE_NAMES6.ns,
    fx,
    unit: 'request',
    perOp: B,
    fn() {
      for (let i = 0; i < B; i++) inj.inject();
      injected += B;
    },
    verify() {
      const na = inet6.ndisc.stats.txNa - na0;
      const frames = dev.count - count0;
      if (na !== injected || frames !== injected) return `${injected} solicitations, ${na} advertisements counted, ${frames} frames sent`;
      const r = dev.last;
      if (r !== inj.skb) return 'the answer was not built in the request buffer';
      const b = r.buf;
      const o = r.data;
      const nh = o + 14;
      const t = nh + 40;
      const ok = ethHeaderToPeerOk(r) && b[nh + 6] === 58 && b[nh + 7] === 255 &&
        DEV_IP6.equals(b.subarray(nh + 8, nh + 24)) && PEER_IP6.equals(b.subarray(nh + 24, nh + 40)) &&
        b[t] === 136 && b[t + 4] === 0x60 && DEV_IP6.equals(b.subarray(t + 8, t + 24)) &&
        b[t + 24] === 2 && b[t + 25] === 1 && DEV_MAC.equals(b.subarray(t + 26, t + 32)) &&
        r.tail - o === 14 + 40 + 32 && icmp6Ok(b, nh, t, 32);
      return ok ? null : 'last frame is not "fd00::1 is at <our MAC>" (NA S|O, TLLAO) to the peer';
    },
  };
}

/** An ICMPv6 echo request from a REACHABLE peer; the reply is built in the request's buffer. */
export function echo6Case() {
  const fx = benchStack6();
  const { dev, inet6 } = fx;
  connectedPeer6(fx);
  // The reply rewrites the Ethernet and IPv6 headers and the ICMPv6 type/checksum (the first 58 bytes).
  const inj = makeInjector(dev, buildEcho6Request(), 14 + 40 + 4);
  const B = FRAMES_PER_OP;
  let injected = 0;
  const reps0 = inet6.icmp.stats.outEchoReplies;
  const count0 = dev.count;
  return {
    name: CASE_NAMES6.echo6,
    fx,
    unit: 'echo',
    perOp: B,
    fn() {
      for (let i = 0; i < B; i++) inj.inject();
      injected += B;
    },
    verify() {
      const reps = inet6.icmp.stats.outEchoReplies - reps0;
      if (reps !== injected) return `${injected} requests, ${reps} replies counted`;
      const bad = txCheck(dev, count0, injected);
      if (bad) return bad;
      const r = dev.last;
      const b = r.buf;
      if (r !== inj.skb || r.data !== 0) return 'the reply was not built in the request buffer';
      const ok = ethHeaderToPeerOk(r) && DEV_IP6.equals(b.subarray(14 + 8, 14 + 24)) && PEER_IP6.equals(b.subarray(14 + 24, 14 + 40)) &&
        b[54] === 129 && icmp6Ok(b, 14, 54, r.tail - 54);
      return ok ? null : 'last frame is not a valid echo reply to the peer';
    },
  };
}

/**
 * Lookup hits on nd_tbl holding `size` PERMANENT entries, keys drawn uniformly at random as in
 * lookupCase. The probes sit in one flat byte array and each is looked up where it lies
 * (lookupNorefAt: __neigh_lookup_noref with the key read in place, as ip6_finish_output2 reads
 * the packet's next hop), so the loop reads no per-probe object and copies nothing.
 */
/** slotDisplacement() of nd_tbl's 16-byte-key index (key words 2 and 3, high-half id per slot). */
export function index16Displacement(tbl) {
  return slotDisplacement(tbl.keyIndex16, 3, '16-byte key index');
}

export function lookup6Case(size, name = CASE_NAMES6.lookup6(size)) {
  const { nd, dev } = benchStack6({ seed: size });
  const t0 = performance.now();
  const keys = fillTable6(nd, dev, size);
  const fillMs = performance.now() - t0;
  const rnd = mulberry32(size ^ 0x5eed);
  const L = 1 << 17;
  const probes = new Uint8Array(L * 16);
  for (let i = 0; i < L; i++) probes.set(keys[Math.floor(rnd() * size)], i * 16);
  let pos = 0;
  let hits = 0;
  let calls = 0;
  const B = LOOKUPS_PER_OP;
  return {
    name,
    unit: 'lookup',
    perOp: B,
    fillMs,
    displacement: index16Displacement(nd),
    info: { entries: size, fillMs, hashBuckets: nd.hashBuckets },
    tbl: nd,
    fn() {
      let p = pos;
      if (p + B > L) p = 0;
      let h = 0;
      for (let i = 0; i < B; i++) if (nd.lookupNorefAt(probes, (p + i) << 4, dev) !== null) h++;
      pos = p + B;
      hits += h;
      calls++;
    },
    verify() {
      if (nd.entries !== size) return `table holds ${nd.entries} entries, expected ${size}`;
      return hits === calls * B ? null : `${calls * B - hits} of ${calls * B} lookups missed`;
    },
  };
}
