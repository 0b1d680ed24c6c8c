// UDP over IPv4 (net/ipv4/udp.c): __udp4_lib_rcv's length and checksum checks, __udp4_lib_lookup
// (an exact local address before the wildcard, compute_score: IPv4 sockets before dual-stack
// IPv6 ones, connected higher), __udp4_lib_mcast_deliver for broadcasts, inet_bind, udp_sendmsg,
// __ip4_datagram_connect and __udp4_lib_err with icmp_err_convert. The port table, enqueueing and
// disconnect both families share are in src/udp/udp_table.ts; the socket API is src/socket/dgram.ts.
import { EACCES, EADDRNOTAVAIL, EAGAIN, EBADF, ECONNREFUSED, EHOSTDOWN, EHOSTUNREACH, EINVAL, EMSGSIZE, ENETUNREACH, ENOBUFS, EOPNOTSUPP } from '../core/errno.js';
import type { NetDevice } from '../core/netdevice.js';
import { CHECKSUM_NONE, LL_RESERVED_SPACE, PACKET_HOST, SkBuff, allocSkb } from '../core/skbuff.js';
import type { Inet } from './af_inet.js';
import { csumFold, csumPartial } from '../core/checksum.js';
import { udpPseudoSum } from './checksum.js';
import { RT_SCOPE_LINK, inDevGet, inetSelectAddr } from './devinet.js';
import { RTN_BROADCAST, RTN_LOCAL, RTN_MULTICAST, fibPrefsrc } from './fib.js';
import type { IcmpErrorSink } from './icmp.js';
import {
  ICMP_DEST_UNREACH,
  ICMP_FRAG_NEEDED,
  ICMP_PARAMETERPROB,
  ICMP_PORT_UNREACH,
  ICMP_TIME_EXCEEDED,
} from './icmphdr.js';
import { isLocalBroadcast, isLoopback, isMulticast, isZeronet } from './inet_addr.js';
import { IPPROTO_UDP, IP_DF, ipDaddr, ipIhlBytes, ipSaddr, writeIpHeader } from './iphdr.js';
import { ipFinishOutput2, ipSend } from './ip_output.js';
import { udpGsoCheck, udpGsoMark, udpGsoSegment } from '../udp/udp_offload.js';
import {
  AF_INET,
  AF_INET6,
  EDESTADDRREQ,
  ENONET,
  ENOPROTOOPT,
  EPROTO,
  UDP_HLEN,
  UdpInetOps,
  UdpSock,
  UdpStats,
  UdpTable,
  udpTable,
} from '../udp/udp_table.js';

// What used to live here and is now shared with IPv6.
export {
  EDESTADDRREQ,
  ENONET,
  ENOPROTOOPT,
  EPROTO,
  UDP_HLEN,
  UDP_RMEM_DEFAULT,
  UDP_RMEM_MAX,
  UDP_RMEM_MIN,
  UdpSock,
} from '../udp/udp_table.js';
export type { UdpDatagram, UdpSockError, UdpSockUser, UdpStats } from '../udp/udp_table.js';

/** Largest UDP payload: 65535 − IPv4 header − UDP header. */
export const UDP_MAX_PAYLOAD = 65535 - 20 - UDP_HLEN;

/** icmp_err_convert[]: errno and "fatal" (hard error) for each ICMP_DEST_UNREACH code 0–15. */
const ICMP_ERR_CONVERT: readonly (readonly [number, boolean])[] = [
  [ENETUNREACH, false], // NET_UNREACH
  [EHOSTUNREACH, false], // HOST_UNREACH
  [ENOPROTOOPT, true], // PROT_UNREACH
  [ECONNREFUSED, true], // PORT_UNREACH
  [EMSGSIZE, false], // FRAG_NEEDED
  [EOPNOTSUPP, false], // SR_FAILED
  [ENETUNREACH, true], // NET_UNKNOWN
  [EHOSTDOWN, true], // HOST_UNKNOWN
  [ENONET, true], // HOST_ISOLATED
  [ENETUNREACH, true], // NET_ANO
  [EHOSTUNREACH, true], // HOST_ANO
  [ENETUNREACH, false], // NET_UNR_TOS
  [EHOSTUNREACH, false], // HOST_UNR_TOS
  [EHOSTUNREACH, true], // PKT_FILTERED
  [EHOSTUNREACH, true], // PREC_VIOLATION
  [EHOSTUNREACH, true], // PREC_CUTOFF
];

/** An output route as udp_sendmsg/ip4_datagram_connect see it. */
interface UdpRoute {
  dev: NetDevice;
  type: number;
  saddr: number;
  /** Broadcast and multicast go to the destination itself on `dev`, never to a gateway. */
  direct: boolean;
}

export class Udp implements IcmpErrorSink, UdpInetOps {
  /** The namespace's port table, shared with UDP over IPv6. */
  readonly table: UdpTable;

  constructor(
    private readonly inet: Inet,
    random: () => number = Math.random,
  ) {
    this.table = udpTable(inet.net, random);
    this.table.inet = this;
    // udp4_ufo_fragment: inet_add_offload(&udpv4_offload, IPPROTO_UDP).
    inet.offloads.set(IPPROTO_UDP, (skb, _nh, th) =>
      udpGsoSegment(skb, th, (seg, len) => {
        const n = seg.networkHeader;
        return udpPseudoSum(ipSaddr(seg.buf, n), ipDaddr(seg.buf, n), IPPROTO_UDP, len);
      }),
    );
  }

  /** Udp counters (/proc/net/snmp): IPv4 datagrams, whichever family's socket read them. */
  get stats(): UdpStats {
    return this.table.stats;
  }

  /** net.ipv4.ip_local_port_range (the table's: IPv6 uses it too). */
  get portRange(): [number, number] {
    return this.table.portRange;
  }

  /** Copies into the shared range (TCP holds the same array). */
  set portRange(r: [number, number]) {
    this.table.portRange[0] = r[0];
    this.table.portRange[1] = r[1];
  }

  /** Every bound AF_INET socket (for close and inspection; /proc/net/udp's rows). */
  sockets(): UdpSock[] {
    return this.table.sockets(AF_INET);
  }

  // ---- receive --------------------------------------------------------------------------------

  /** udp_rcv(): skb.data at the UDP header, skb.networkHeader at the IPv4 header. */
  rcv(skb: SkBuff): void {
    const st = this.stats;
    const b = skb.buf;
    const off = skb.data;
    if (skb.len < UDP_HLEN) {
      st.drops.tooShort++;
      st.inErrors++;
      return;
    }
    const ulen = b.readUInt16BE(off + 4);
    if (ulen > skb.len || ulen < UDP_HLEN) {
      st.drops.badLength++;
      st.inErrors++;
      return;
    }
    // pskb_trim_rcsum(): bytes past the UDP length are not part of the datagram.
    skb.trim(ulen);
    const nh = skb.networkHeader;
    const saddr = ipSaddr(b, nh);
    const daddr = ipDaddr(b, nh);
    const sport = b.readUInt16BE(off);
    const dport = b.readUInt16BE(off + 2);
    const dif = skb.dev?.ifindex ?? 0;
    if (isLocalBroadcast(daddr) || this.inet.isLocalBroadcast(daddr) || isMulticast(daddr)) {
      this.mcastDeliver(skb, saddr, sport, daddr, dport, ulen, dif);
      return;
    }
    const sk = this.lookup(saddr, sport, daddr, dport, dif);
    if (sk !== null) {
      if (!this.csumOk(skb, b, off, ulen, saddr, daddr)) return;
      this.enqueue(sk, skb, saddr, sport, daddr, ulen);
      return;
    }
    // No socket: a bad checksum is dropped (and counted), a good one draws port unreachable.
    if (!this.csumOk(skb, b, off, ulen, saddr, daddr)) return;
    st.noPorts++;
    // icmp_send answers only frames addressed to us at the link layer, too.
    if (skb.pktType === PACKET_HOST) this.inet.icmp.send(skb, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
  }

  /**
   * udp_lib_checksum_complete(): 0 means "no checksum", and what the device vouches for
   * (skb_csum_unnecessary) is not summed again; a failure is counted here.
   */
  private csumOk(skb: SkBuff, b: Buffer, off: number, ulen: number, saddr: number, daddr: number): boolean {
    if (b[off + 6] === 0 && b[off + 7] === 0) return true;
    if (skb.ipSummed !== CHECKSUM_NONE) return true;
    if (csumFold(csumPartial(b, off, ulen, udpPseudoSum(saddr, daddr, IPPROTO_UDP, ulen))) === 0) return true;
    this.stats.inCsumErrors++;
    this.stats.inErrors++;
    return false;
  }

  /**
   * __udp4_lib_mcast_deliver() with __udp_is_mcast_sock(): a broadcast goes to every socket on the
   * port bound to the wildcard or to that broadcast address (a socket bound to a unicast address
   * does not see it), connected only to the sender if at all, bound to no other device, and not
   * IPv6-only.
   */
  private mcastDeliver(skb: SkBuff, saddr: number, sport: number, daddr: number, dport: number, ulen: number, dif: number): void {
    const list = this.table.slot(dport);
    let first = true;
    if (list) {
      for (const sk of list) {
        if (sk.rcvSaddr !== 0 && sk.rcvSaddr !== daddr) continue;
        if (sk.daddr !== 0 && sk.daddr !== saddr) continue;
        if (sk.dport !== 0 && sk.dport !== sport) continue;
        if (sk.family === AF_INET6 && sk.ipv6Only) continue;
        if (sk.boundDevIf !== 0 && sk.boundDevIf !== dif) continue;
        if (first) {
          if (!this.csumOk(skb, skb.buf, skb.data, ulen, saddr, daddr)) return;
          first = false;
        }
        this.enqueue(sk, skb, saddr, sport, daddr, ulen);
      }
    }
    if (first) this.stats.ignoredMulti++;
  }

  /** __udp_enqueue_schedule_skb() for an IPv4 datagram: a private copy of the payload. */
  /**
   * udp_queue_rcv_skb(): the datagram onto the socket's queue — or, for a super-datagram the
   * device handed over (UDP GSO, gso_size set), the datagrams it stands for, one by one
   * (udp_rcv_segment: "unexpected GSO" on a socket without UDP_GRO is segmented).
   */
  private enqueue(sk: UdpSock, skb: SkBuff, saddr: number, sport: number, daddr: number, ulen: number): void {
    const off = skb.data + UDP_HLEN;
    const plen = ulen - UDP_HLEN;
    const g = skb.gsoSize;
    if (g === 0 || plen <= g) return this.enqueueOne(sk, skb, off, plen, saddr, sport, daddr);
    for (let at = 0; at < plen; at += g) this.enqueueOne(sk, skb, off + at, Math.min(g, plen - at), saddr, sport, daddr);
  }

  private enqueueOne(sk: UdpSock, skb: SkBuff, off: number, len: number, saddr: number, sport: number, daddr: number): void {
    if (!this.table.rmemSchedule(sk, AF_INET)) return;
    // A copy: the frame may live in the driver's receive ring.
    const data = Buffer.from(skb.buf.subarray(off, off + len));
    const dev = skb.dev;
    this.table.queueRcv(sk, {
      data, family: AF_INET, saddr, daddr, saddr6: null, daddr6: null, sport,
      dev: dev?.name ?? '', ifindex: dev?.ifindex ?? 0, truesize: UdpTable.truesize(len),
    });
  }

  /**
   * __udp4_lib_lookup(): sockets bound to the exact local address first, the wildcard only if
   * none fits; within each the best compute_score (an AF_INET socket 2, a dual-stack AF_INET6
   * one 1; +4 each for a matching connected address, port and bound device), ties to the most
   * recently bound. IPv6-only sockets never match. `dif` −1: device bindings not checked (the
   * ICMP path, which does not know the device).
   */
  lookup(saddr: number, sport: number, daddr: number, dport: number, dif = -1): UdpSock | null {
    const list = this.table.slot(dport);
    if (!list) return null;
    return this.lookup2(list, saddr, sport, daddr, dif) ?? (daddr !== 0 ? this.lookup2(list, saddr, sport, 0, dif) : null);
  }

  private lookup2(list: readonly UdpSock[], saddr: number, sport: number, local: number, dif: number): UdpSock | null {
    let best: UdpSock | null = null;
    let badness = -1;
    for (const sk of list) {
      if (sk.rcvSaddr !== local) continue;
      let score: number;
      if (sk.family === AF_INET) score = 2;
      else if (sk.ipv6Only) continue;
      else score = 1;
      if (sk.daddr !== 0) {
        if (sk.daddr !== saddr) continue;
        score += 4;
      }
      if (sk.dport !== 0) {
        if (sk.dport !== sport) continue;
        score += 4;
      }
      if (sk.boundDevIf !== 0) {
        if (dif >= 0 && sk.boundDevIf !== dif) continue;
        score += 4;
      }
      if (score > badness) {
        best = sk;
        badness = score;
      }
    }
    return best;
  }

  // ---- ICMP errors ----------------------------------------------------------------------------

  /** __udp4_lib_err(): find the socket that sent the quoted datagram and tell it. */
  icmpError(type: number, code: number, _info: number, _from: number, buf: Buffer, inner: number, innerLen: number): void {
    const ihl = ipIhlBytes(buf, inner);
    const icmpStats = this.inet.icmp.stats;
    // icmp_unreach() drops a mangled quoted header; icmp_socket_deliver() needs 8 bytes of ours.
    if (ihl < 20 || innerLen < ihl + 8) {
      icmpStats.inErrors++;
      return;
    }
    const qsaddr = ipSaddr(buf, inner);
    const qdaddr = ipDaddr(buf, inner);
    const sport = buf.readUInt16BE(inner + ihl);
    const dport = buf.readUInt16BE(inner + ihl + 2);
    const sk = this.lookup(qdaddr, dport, qsaddr, sport);
    if (sk === null) {
      icmpStats.inErrors++;
      return;
    }
    let errno: number;
    let harderr: boolean;
    switch (type) {
      case ICMP_TIME_EXCEEDED:
        errno = EHOSTUNREACH;
        harderr = false;
        break;
      case ICMP_PARAMETERPROB:
        errno = EPROTO;
        harderr = true;
        break;
      case ICMP_DEST_UNREACH:
        if (code === ICMP_FRAG_NEEDED) {
          // No path MTU cache: the datagram was too big for a hop; IP_PMTUDISC_WANT makes it hard.
          errno = EMSGSIZE;
          harderr = true;
          break;
        }
        if (code >= ICMP_ERR_CONVERT.length) return;
        [errno, harderr] = ICMP_ERR_CONVERT[code];
        break;
      default:
        // Source quench and redirects change nothing for a socket.
        return;
    }
    sk.user.error({ errno, harderr, family: AF_INET, daddr: qdaddr, daddr6: null, dport, icmpType: type, icmpCode: code });
  }

  // ---- binding --------------------------------------------------------------------------------

  /**
   * inet_bind() + udp_v4_get_port() for an AF_INET socket: `addr` 0, one of ours, or a
   * broadcast/multicast address; `port` 0 picks a free port from {@link Udp.portRange}. A port
   * conflicts with IPv6 sockets too (a dual-stack socket on :: holds 0.0.0.0 as well). Returns 0
   * or a negative errno.
   */
  bind(sk: UdpSock, addr: number, port: number): number {
    if (sk.dead) return -EBADF;
    if (sk.num !== 0) return -EINVAL;
    let sendAddr = addr;
    if (addr !== 0) {
      const rc = this.bindAddrCheck(addr);
      if (rc < 0) return rc;
      // Bound to a broadcast or group address: send from the device's own address.
      if (this.inet.fib.addrType(addr) !== RTN_LOCAL) sendAddr = 0;
    }
    sk.rcvSaddr = addr;
    sk.saddr = sendAddr;
    const rc = this.table.getPort(sk, port);
    if (rc < 0) {
      sk.rcvSaddr = 0;
      sk.saddr = 0;
      return rc;
    }
    sk.bindAddrLocked = addr !== 0;
    sk.bindPortLocked = port !== 0;
    return 0;
  }

  /** inet_addr_valid_or_nonlocal(): one of ours, a broadcast or a multicast address (0 or −EADDRNOTAVAIL). */
  bindAddrCheck(addr: number): number {
    if (addr === 0) return 0;
    const t = this.inet.fib.addrType(addr);
    return t === RTN_LOCAL || t === RTN_BROADCAST || t === RTN_MULTICAST ? 0 : -EADDRNOTAVAIL;
  }

  /** inet_autobind(): an ephemeral port on the wildcard address. */
  autobind(sk: UdpSock): number {
    return this.table.autobind(sk);
  }

  /** udp_lib_close(): the port is free again, the queue dropped. */
  close(sk: UdpSock): void {
    this.table.close(sk);
  }

  // ---- routes, connect ------------------------------------------------------------------------

  /**
   * ip_route_output for a socket: the limited broadcast and multicast leave by the device of the
   * bound source address, else by the route's device, to the destination itself (__mkroute_output
   * makes them RTN_BROADCAST/RTN_MULTICAST without a gateway). A source address that is not
   * (or no longer) ours is ENETUNREACH, as __ip_dev_find failing makes it. Returns a route or a
   * negative errno.
   */
  private route(sk: UdpSock, daddr: number): UdpRoute | number {
    const inet = this.inet;
    // No loopback device: 127/8 and 0/8 lead nowhere.
    if (isLoopback(daddr) || isZeronet(daddr)) {
      inet.stats.outNoRoutes++;
      return -ENETUNREACH;
    }
    if (sk.saddr !== 0 && !inet.isLocalAddr(sk.saddr)) {
      inet.stats.outNoRoutes++;
      return -ENETUNREACH;
    }
    if (isLocalBroadcast(daddr) || isMulticast(daddr)) {
      const type = isMulticast(daddr) ? RTN_MULTICAST : RTN_BROADCAST;
      if (sk.saddr !== 0) {
        const dev = this.devOfAddr(sk.saddr);
        if (dev === null || !dev.isUp) return -ENETUNREACH;
        return { dev, type, saddr: sk.saddr, direct: true };
      }
      const rt = inet.fib.lookup(daddr);
      if (rt === null) {
        inet.stats.outNoRoutes++;
        return -ENETUNREACH;
      }
      const inDev = inDevGet(rt.dev);
      const saddr = rt.gw !== 0 ? fibPrefsrc(rt, daddr) : inDev ? inetSelectAddr(inDev, 0, RT_SCOPE_LINK) : 0;
      return { dev: rt.dev, type, saddr, direct: true };
    }
    const rt = inet.fib.lookup(daddr);
    if (rt === null) {
      inet.stats.outNoRoutes++;
      return -ENETUNREACH;
    }
    return { dev: rt.dev, type: rt.type, saddr: sk.saddr !== 0 ? sk.saddr : fibPrefsrc(rt, daddr), direct: rt.type === RTN_BROADCAST };
  }

  private devOfAddr(addr: number): NetDevice | null {
    for (const inDev of this.inet.inDevices()) {
      for (const ifa of inDev.ifaList) if (ifa.local === addr) return inDev.dev;
    }
    return null;
  }

  /**
   * __ip4_datagram_connect(): only datagrams from `daddr:dport` are delivered from now on, and
   * sends without a destination go there. An unbound socket is bound first; a socket bound to
   * the wildcard takes the route's source address. Also the IPv4 half of connecting a 'udp6'
   * socket to a v4-mapped address. Returns 0 or a negative errno.
   */
  connect(sk: UdpSock, daddr: number, dport: number): number {
    if (sk.dead) return -EBADF;
    if (this.autobind(sk) < 0) return -EAGAIN;
    const r = this.route(sk, daddr);
    if (typeof r === 'number') return r;
    if (r.type === RTN_BROADCAST && !sk.broadcast) return -EACCES;
    if (sk.saddr === 0) sk.saddr = r.saddr;
    if (sk.rcvSaddr === 0) sk.rcvSaddr = r.saddr;
    sk.daddr = daddr;
    sk.dport = dport;
    sk.established = true;
    return 0;
  }

  /** __udp_disconnect() (see {@link UdpTable.disconnect}). */
  disconnect(sk: UdpSock): void {
    this.table.disconnect(sk);
  }

  // ---- send -----------------------------------------------------------------------------------

  /**
   * udp_sendmsg(): one datagram to `daddr:dport`, or to the connected peer when `daddr` is null.
   * Returns the payload length or a negative errno: EDESTADDRREQ, EINVAL (port 0), EMSGSIZE
   * (beyond 65507 bytes or the route's MTU — nothing is fragmented), ENETUNREACH, EACCES (a
   * broadcast without SO_BROADCAST), ENOBUFS. With UDP_SEGMENT (sk.gsoSize) a longer send is one
   * super-datagram (SKB_GSO_UDP_L4) for the device or software GSO to cut, under udpGsoCheck's rules. Multicasts leave with IP_MULTICAST_TTL (1).
   */
  sendmsg(sk: UdpSock, data: Uint8Array, daddr: number | null, dport: number): number {
    if (sk.dead) return -EBADF;
    if (daddr === null) {
      if (!sk.established) return -EDESTADDRREQ;
      daddr = sk.daddr;
      dport = sk.dport;
    } else if (dport === 0) {
      return -EINVAL;
    }
    const len = data.length;
    if (len > UDP_MAX_PAYLOAD) return -EMSGSIZE;
    if (this.autobind(sk) < 0) return -EAGAIN;
    const r = this.route(sk, daddr);
    if (typeof r === 'number') return r;
    if ((r.type === RTN_BROADCAST) && !sk.broadcast) return -EACCES;
    const gso = sk.gsoSize;
    const mtu = r.type === RTN_LOCAL ? 0 : r.dev.mtu;
    if (gso !== 0) {
      const grc = udpGsoCheck(gso, 20 + UDP_HLEN, len, mtu);
      if (grc < 0) return grc;
    } else if (mtu !== 0 && 20 + UDP_HLEN + len > mtu) return -EMSGSIZE;
    const ulen = UDP_HLEN + len;
    const skb = allocSkb(ulen, LL_RESERVED_SPACE + 20);
    const o = skb.put(ulen);
    const b = skb.buf;
    b.writeUInt16BE(sk.num, o);
    b.writeUInt16BE(dport, o + 2);
    b.writeUInt16BE(ulen, o + 4);
    b[o + 6] = 0;
    b[o + 7] = 0;
    b.set(data, o + UDP_HLEN);
    if (gso !== 0 && len > gso) {
      // udp_send_skb's csum_partial for a super-datagram: only the pseudo header here.
      const ps = udpPseudoSum(r.saddr, daddr, IPPROTO_UDP, ulen);
      b[o + 6] = ps >>> 8;
      b[o + 7] = ps & 0xff;
      udpGsoMark(skb, o, gso, len);
    } else {
      // udp4_hwcsum/udp_csum: the pseudo header and the datagram; 0 goes out as 0xffff (RFC 768).
      const check = csumFold(csumPartial(b, o, ulen, udpPseudoSum(r.saddr, daddr, IPPROTO_UDP, ulen))) || 0xffff;
      b[o + 6] = check >>> 8;
      b[o + 7] = check & 0xff;
    }
    skb.sk = sk;
    const ttl = r.type === RTN_MULTICAST ? sk.mcTtl : sk.ttl;
    const rc = r.direct ? this.outputDirect(skb, r, daddr, sk, ttl) : ipSend(this.inet, skb, r.saddr, daddr, IPPROTO_UDP, ttl, sk.tos);
    if (rc < 0) {
      if (rc === -ENOBUFS) this.stats.sndbufErrors++;
      return rc;
    }
    this.stats.outDatagrams++;
    return len;
  }

  /**
   * A broadcast or multicast: the IPv4 header here, a copy looped back to our own sockets (as
   * ip_mc_output does for RTCF_BROADCAST), then the neighbour layer with the destination itself
   * as the next hop.
   */
  private outputDirect(skb: SkBuff, r: UdpRoute, daddr: number, sk: UdpSock, ttl: number): number {
    const inet = this.inet;
    if (!r.dev.isUp) return -ENETUNREACH;
    const totLen = skb.len + 20;
    const off = skb.push(20);
    skb.networkHeader = off;
    writeIpHeader(skb.buf, off, sk.tos, totLen, inet.nextIpId(), IP_DF, ttl, IPPROTO_UDP, r.saddr | 0, daddr | 0);
    inet.stats.outRequests++;
    if (r.type === RTN_BROADCAST) inet.loopbackDeliver(skb, r.dev);
    return ipFinishOutput2(inet, skb, r.dev, daddr | 0);
  }
}
