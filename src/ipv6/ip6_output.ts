// IPv6 output (net/ipv6/ip6_output.c): ip6_xmit's header building for local packets and
// ip6_finish_output2, where every IPv6 packet meets nd_tbl — the same neigh_output as IPv4.
import { EADDRNOTAVAIL, EMSGSIZE, ENETUNREACH } from '../core/errno.js';
import type { NetDevice } from '../core/netdevice.js';
import { type SkBuff, skbGsoTransportSeglen } from '../core/skbuff.js';
import { ETH_P_IPV6 } from '../ethernet/ethhdr.js';
import { type Neighbour, neighOutput } from '../neighbour/neighbour.js';
import { NUD_VALID } from '../neighbour/nud.js';
import type { Inet6 } from './af_inet6.js';
import { CNF_HOP_LIMIT, CNF_MTU } from './devconf.js';
import type { Inet6Dev } from './if_inet6.js';
import { ipv6AddrIsMulticast } from './in6_addr.js';
import { IPV6_HDR_LEN, writeIpv6Header } from './ipv6hdr.js';
import { RTN_LOCAL } from './route.js';

/** The hop limit of a device without a route metric: its hop_limit, 64 without IPv6 state. */
export function ip6DevHoplimit(idev: Inet6Dev | null): number {
  return idev !== null ? idev.cnf.values[CNF_HOP_LIMIT] : 64;
}

/**
 * The path MTU through `dev` (whose IPv6 state is `idev`): the route's mtu metric when it has
 * one, else the device's IPv6 mtu, never beyond the device's MTU.
 */
export function ip6PathMtu(idev: Inet6Dev | null, dev: NetDevice, rtMtu: number): number {
  const m = idev !== null ? Math.min(idev.cnf.values[CNF_MTU], dev.mtu) : dev.mtu;
  return rtMtu > 0 ? Math.min(rtMtu, m) : m;
}

/**
 * ip6_finish_output2's miss (__neigh_create): a new nd_tbl entry for the next hop, with a copy of
 * the key of its own. Out of line, so that the hit path stays small enough to be inlined into its
 * callers. Returns the entry, or a negative errno (counted).
 */
function ndiscCreate(inet6: Inet6, dev: NetDevice, nexthop: Uint8Array, off: number): Neighbour<Buffer> | number {
  const key = inet6.nhKey;
  for (let i = 0; i < 16; i++) key[i] = nexthop[off + i];
  const c = inet6.ndisc.tbl.create(Buffer.from(key), dev, false);
  if (typeof c === 'number') {
    inet6.stats.outDiscards++;
    inet6.stats.drops.neighCreateFailed++;
  }
  return c;
}

/**
 * ip6_finish_output2(): look up (or create) the neighbour for the next hop in nd_tbl and hand the
 * packet to neigh_output — the hh fast path when CONNECTED. The next hop is read in place
 * (nexthop[off..off+16)), with no copy on a hit; a miss creates the entry with its own copy of
 * the key.
 */
export function ip6FinishOutput2(inet6: Inet6, skb: SkBuff, dev: NetDevice, nexthop: Uint8Array, off: number): number {
  let n = inet6.ndisc.tbl.lookupNorefAt(nexthop, off, dev);
  if (n === null) {
    const c = ndiscCreate(inet6, dev, nexthop, off);
    if (typeof c === 'number') return c;
    n = c;
  }
  skb.dev = dev;
  skb.protocol = ETH_P_IPV6;
  if (skb.borrowed && (n.nudState & NUD_VALID) === 0) skb.own();
  return neighOutput(n, skb, false);
}

/**
 * ip6FinishOutput2() for a next hop whose 16 bytes at nexthop[off..off+16) the caller has read as
 * its four big-endian words (signed: `| 0`) — the echo reply has its peer's — so the nd_tbl
 * lookup need not read them again. The same as ip6FinishOutput2.
 */
export function ip6FinishOutput2Words(
  inet6: Inet6,
  skb: SkBuff,
  dev: NetDevice,
  w0: number,
  w1: number,
  w2: number,
  w3: number,
  nexthop: Uint8Array,
  off: number,
): number {
  let n = inet6.ndisc.tbl.lookupNorefWords(w0, w1, w2, w3, dev);
  if (n === null) {
    const c = ndiscCreate(inet6, dev, nexthop, off);
    if (typeof c === 'number') return c;
    n = c;
  }
  skb.dev = dev;
  skb.protocol = ETH_P_IPV6;
  if (skb.borrowed && (n.nudState & NUD_VALID) === 0) skb.own();
  return neighOutput(n, skb, false);
}

/**
 * ip6_xmit() for locally generated packets: skb.data holds the transport header and payload.
 * Route lookup (oif for link-local and multicast destinations), source selection when `saddr` is
 * null (ipv6_dev_get_saddr), hop limit (-1: the route's hoplimit metric, else the device's
 * hop_limit; multicast 1 unless given), header, then ip6_finish_output2 or local delivery.
 * Returns 0 or a negative errno; no fragmentation: a packet over the path MTU is refused.
 */
export function ip6Send(
  inet6: Inet6,
  skb: SkBuff,
  saddr: Uint8Array | null,
  daddr: Uint8Array,
  daddrOff: number,
  proto: number,
  hopLimit = -1,
  tclass = 0,
  oif: NetDevice | null = null,
  flowLabel = -1,
): number {
  const st = inet6.stats;
  const rt = inet6.fib.lookup(daddr, daddrOff, oif);
  if (rt === null) {
    st.outNoRoutes++;
    return -ENETUNREACH;
  }
  const dev = rt.dev;
  let src: Uint8Array | null = saddr;
  if (src === null) {
    src = rt.prefsrc ?? inet6.addrconf.devGetSaddr(dev, daddr, daddrOff);
    if (src === null) {
      st.outNoRoutes++;
      return -EADDRNOTAVAIL;
    }
  }
  const mcast = ipv6AddrIsMulticast(daddr, daddrOff);
  if (hopLimit < 0) hopLimit = mcast ? 1 : rt.hoplimit || inet6.hopLimit(dev);
  const totLen = skb.len + IPV6_HDR_LEN;
  if (rt.type !== RTN_LOCAL && skbGsoTransportSeglen(skb) + IPV6_HDR_LEN > inet6.mtu(dev, rt.mtu)) {
    st.outDiscards++;
    st.drops.fragNeeded++;
    return -EMSGSIZE;
  }
  const off = skb.push(IPV6_HDR_LEN);
  skb.networkHeader = off;
  const b = skb.buf;
  if (flowLabel < 0) flowLabel = inet6.autoFlowLabel(src, 0, daddr, daddrOff, proto);
  writeIpv6Header(b, off, tclass, flowLabel, skb.len - IPV6_HDR_LEN, proto, hopLimit, src, 0, daddr, daddrOff);
  st.outRequests++;
  if (mcast) st.outMcastPkts++;
  if (rt.type === RTN_LOCAL) return inet6.loopbackDeliver(skb, dev);
  if (rt.gw !== null) return ip6FinishOutput2(inet6, skb, dev, rt.gw, 0);
  return ip6FinishOutput2(inet6, skb, dev, b, off + 24);
}
