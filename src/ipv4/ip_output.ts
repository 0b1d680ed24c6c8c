// IPv4 output (net/ipv4/ip_output.c): ip_queue_xmit's header building for local packets and
// ip_finish_output2, where every IPv4 packet meets the neighbour table.
import { EMSGSIZE, ENETUNREACH } from '../core/errno.js';
import type { NetDevice } from '../core/netdevice.js';
import { type SkBuff, skbGsoTransportSeglen } from '../core/skbuff.js';
import { ETH_P_IP } from '../ethernet/ethhdr.js';
import { neighOutput } from '../neighbour/neighbour.js';
import { NUD_VALID } from '../neighbour/nud.js';
import type { Inet } from './af_inet.js';
import { RTN_LOCAL, fibPrefsrc, rtNexthop } from './fib.js';
import { IPDEFTTL, IP_DF, writeIpHeader } from './iphdr.js';

/**
 * ip_finish_output2(): look up (or create) the neighbour for the next hop and hand the packet to
 * neigh_output — the fast path when the entry is CONNECTED with a cached header. `nexthop` may
 * be given signed or unsigned; the per-packet callers pass it signed (`| 0`), so that an address
 * from 128.0.0.0 up is not boxed on its way in (see NeighTable.lookupNorefInt).
 */
export function ipFinishOutput2(inet: Inet, skb: SkBuff, dev: NetDevice, nexthop: number): number {
  const tbl = inet.arp.tbl;
  let n = tbl.lookupNorefInt(nexthop, dev);
  if (n === null) {
    const c = tbl.create(nexthop >>> 0, dev, false);
    if (typeof c === 'number') {
      inet.stats.outDiscards++;
      inet.stats.drops.neighCreateFailed++;
      return c;
    }
    n = c;
  }
  skb.dev = dev;
  skb.protocol = ETH_P_IP;
  // Only a packet that may wait on the entry's queue (no valid address yet) must stop pointing
  // into a driver's reused ring; STALE/DELAY/PROBE entries send at once.
  if (skb.borrowed && (n.nudState & NUD_VALID) === 0) skb.own();
  return neighOutput(n, skb, false);
}

/**
 * Builds the IPv4 header in front of skb.data (which holds the transport header and payload) and
 * sends the packet: route lookup, source selection, nexthop (rt_nexthop), ip_finish_output2.
 * saddr 0 lets the route choose. `id` is the identification to use (a connected socket's
 * inet_id); -1 takes the next of the namespace's counter. Returns 0 or a negative errno.
 */
export function ipSend(
  inet: Inet,
  skb: SkBuff,
  saddr: number,
  daddr: number,
  protocol: number,
  ttl = IPDEFTTL,
  tos = 0,
  oif: NetDevice | null = null,
  id = -1,
): number {
  const rt = inet.fib.lookup(daddr, oif);
  if (rt === null) {
    inet.stats.outNoRoutes++;
    return -ENETUNREACH;
  }
  if (saddr === 0) saddr = fibPrefsrc(rt, daddr);
  const totLen = skb.len + 20;
  if (rt.type !== RTN_LOCAL && skbGsoTransportSeglen(skb) + 20 > rt.dev.mtu) {
    // No fragmentation yet: refuse rather than send what the link would drop.
    inet.stats.outDiscards++;
    inet.stats.drops.fragNeeded++;
    return -EMSGSIZE;
  }
  const off = skb.push(20);
  skb.networkHeader = off;
  writeIpHeader(skb.buf, off, tos, totLen, id < 0 ? inet.nextIpId() : id, IP_DF, ttl, protocol, saddr | 0, daddr | 0);
  inet.stats.outRequests++;
  if (rt.type === RTN_LOCAL) return inet.loopbackDeliver(skb, rt.dev);
  return ipFinishOutput2(inet, skb, rt.dev, rtNexthop(rt, daddr) | 0);
}
