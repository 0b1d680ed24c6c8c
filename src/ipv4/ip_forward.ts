// IPv4 forwarding (net/ipv4/ip_forward.c ip_forward, ip_forward_finish; the forwarding half of
// route.c ip_route_input_slow and ip_error).
import type { NetDevice } from '../core/netdevice.js';
import { PACKET_HOST, SkBuff, skbGsoNetworkSeglen } from '../core/skbuff.js';
import type { Inet } from './af_inet.js';
import { RTN_UNICAST, rtNexthop } from './fib.js';
import { ICMP_DEST_UNREACH, ICMP_EXC_TTL, ICMP_FRAG_NEEDED, ICMP_NET_UNREACH, ICMP_TIME_EXCEEDED } from './icmphdr.js';
import { IP_DF, ipDaddr, ipDecreaseTtl, ipFragOff, ipTotLen, ipTtl } from './iphdr.js';
import { ipFinishOutput2 } from './ip_output.js';

/**
 * ip_forward(): called for a packet that is neither ours nor broadcast, arriving on a device with
 * forwarding on. skb.data and skb.networkHeader point at the IPv4 header.
 */
export function ipForward(inet: Inet, skb: SkBuff, inDev: NetDevice): void {
  const st = inet.stats;
  const d = st.drops;
  const b = skb.buf;
  const nh = skb.networkHeader;
  // "Only forward packets that were addressed to us at the link layer."
  if (skb.pktType !== PACKET_HOST) {
    d.fwdNotHost++;
    st.inDiscards++;
    return;
  }
  // Martian sources and destinations never get here: ip_rcv drops them first.
  const daddr = ipDaddr(b, nh);
  const rt = inet.fib.lookup(daddr);
  if (rt === null || rt.type !== RTN_UNICAST) {
    // ip_error(): with forwarding on, the sender hears "network unreachable".
    st.inNoRoutes++;
    inet.icmp.send(skb, ICMP_DEST_UNREACH, ICMP_NET_UNREACH, 0);
    return;
  }
  // "Hop limit exceeded": reported before the TTL is touched, so the quote shows what arrived.
  if (ipTtl(b, nh) <= 1) {
    st.inHdrErrors++;
    d.ttlExceeded++;
    inet.icmp.send(skb, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, 0);
    return;
  }
  const outDev = rt.dev;
  const mtu = outDev.mtu;
  // ip_exceeds_mtu(): a super-packet (the kernel's TSO frame) is judged by its segments.
  if ((skb.gsoSize === 0 ? ipTotLen(b, nh) : skbGsoNetworkSeglen(skb)) > mtu) {
    // DF packets get "fragmentation needed" with our MTU (RFC 1191). Without DF
    // the kernel would fragment; tapstack does not, so those are counted as failed.
    st.fragFails++;
    if (ipFragOff(b, nh) & IP_DF) inet.icmp.send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, mtu);
    else d.fragNeeded++;
    return;
  }
  ipDecreaseTtl(b, nh);
  // ip_forward_finish(): counted as forwarded once handed to the output path.
  st.forwDatagrams++;
  ipFinishOutput2(inet, skb, outDev, rtNexthop(rt, daddr) | 0);
}
