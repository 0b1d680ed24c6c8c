// IPv4 input (net/ipv4/ip_input.c): ip_rcv_core's header checks, the input route decision, and
// ip_local_deliver's protocol dispatch.
import type { NetDevice } from '../core/netdevice.js';
import { PACKET_BROADCAST, PACKET_HOST, PACKET_MULTICAST, PACKET_OTHERHOST, SkBuff } from '../core/skbuff.js';
import type { Inet } from './af_inet.js';
import { ipForward } from './ip_forward.js';
import { ICMP_DEST_UNREACH, ICMP_PROT_UNREACH } from './icmphdr.js';
import { isLocalBroadcast, isLoopback, isMulticast, isZeronet } from './inet_addr.js';
import { inDevGet } from './devinet.js';
import {
  IPPROTO_ICMP,
  IP_DROP_BAD_CSUM,
  IP_DROP_TRUNCATED,
  IP_MF,
  IP_OFFMASK,
  ipDaddr,
  ipFragOff,
  ipHeaderCheck,
  ipIhlBytes,
  ipProtocol,
  ipSaddr,
  ipTotLen,
} from './iphdr.js';

/** ip_rcv(): validate, trim link padding, then deliver locally or forward. */
export function ipRcv(inet: Inet, skb: SkBuff, dev: NetDevice): void {
  const st = inet.stats;
  st.inReceives++;
  if (skb.pktType === PACKET_OTHERHOST) {
    st.drops.otherhost++;
    return;
  }
  const b = skb.buf;
  const off = skb.data;
  const reason = ipHeaderCheck(b, off, skb.len);
  if (reason !== 0) {
    // ip_rcv_core(): csum_error falls through to inhdr_error, so a bad checksum counts in both.
    if (reason === IP_DROP_TRUNCATED) st.inTruncatedPkts++;
    else {
      if (reason === IP_DROP_BAD_CSUM) st.inCsumErrors++;
      st.inHdrErrors++;
    }
    return;
  }
  skb.networkHeader = off;
  skb.trim(ipTotLen(b, off));
  skb.transportHeader = off + ipIhlBytes(b, off);
  const saddr = ipSaddr(b, off);
  const daddr = ipDaddr(b, off);
  // ip_route_input_slow's order: multicast/broadcast sources are martians at once; a packet to
  // 255.255.255.255 (DHCP's 0.0.0.0 source included) is broadcast input; otherwise 0/8, 127/8,
  // our subnet broadcasts and our own addresses (without accept_local) are martian sources, and
  // 0/8 and 127/8 martian destinations.
  // A directed broadcast of ours as source is invalid whatever the destination (RFC 1122
  // 3.2.1.3); answering it would make us a smurf amplifier.
  if (isMulticast(saddr) || isLocalBroadcast(saddr) || inet.isLocalBroadcast(saddr)) {
    st.drops.martianSource++;
    st.inAddrErrors++;
    return;
  }
  if (!isLocalBroadcast(daddr)) {
    const inDev = inDevGet(dev);
    if (inDev === null || inet.martianSource(saddr, inDev)) {
      st.drops.martianSource++;
      st.inAddrErrors++;
      return;
    }
    if (isZeronet(daddr) || isLoopback(daddr)) {
      st.drops.martianDestination++;
      st.inAddrErrors++;
      return;
    }
  }
  if (inet.isLocalAddr(daddr)) {
    ipLocalDeliver(inet, skb);
    return;
  }
  if (isLocalBroadcast(daddr) || inet.isLocalBroadcast(daddr)) {
    if (isZeronet(saddr) || skb.pktType === PACKET_HOST || skb.pktType === PACKET_BROADCAST) {
      ipLocalDeliver(inet, skb);
      return;
    }
  }
  if (isMulticast(daddr) || skb.pktType === PACKET_MULTICAST) {
    // No multicast group membership: nothing here wants it.
    st.drops.multicast++;
    return;
  }
  if (inet.forwardingOn(dev)) {
    ipForward(inet, skb, dev);
    return;
  }
  st.inAddrErrors++;
  st.drops.notForUs++;
}

/** ip_local_deliver(): reassembly is not implemented, so fragments are counted and dropped. */
export function ipLocalDeliver(inet: Inet, skb: SkBuff): void {
  const st = inet.stats;
  const b = skb.buf;
  const nh = skb.networkHeader;
  if ((ipFragOff(b, nh) & (IP_MF | IP_OFFMASK)) !== 0) {
    st.reasmFails++;
    st.drops.fragment++;
    return;
  }
  skb.data = skb.transportHeader;
  const proto = ipProtocol(b, nh);
  if (inet.rawTaps.length) for (const t of inet.rawTaps) t(skb, proto);
  if (proto === IPPROTO_ICMP) {
    st.inDelivers++;
    inet.icmp.rcv(skb);
    return;
  }
  const handler = inet.protocols.get(proto);
  if (handler) {
    st.inDelivers++;
    handler(skb);
    return;
  }
  st.inUnknownProtos++;
  inet.icmp.send(skb, ICMP_DEST_UNREACH, ICMP_PROT_UNREACH, 0);
}
