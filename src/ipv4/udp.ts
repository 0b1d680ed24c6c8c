// UDP (net/ipv4/udp.c): __udp4_lib_rcv's length and checksum checks, __udp4_lib_lookup (an exact
// local address before the wildcard, connected sockets scored higher, as compute_score),
// __udp4_lib_mcast_deliver for broadcasts, udp_lib_get_port/udp_lib_lport_inuse (conflicts,
// SO_REUSEADDR, ip_local_port_range), udp_sendmsg, ip4_datagram_connect/__udp_disconnect and
// __udp4_lib_err with icmp_err_convert. The socket API on top is src/socket/dgram.ts.
import { EACCES, EADDRINUSE, EADDRNOTAVAIL, EAGAIN, EBADF, ECONNREFUSED, EHOSTDOWN, EHOSTUNREACH, EINVAL, EMSGSIZE, ENETUNREACH, ENOBUFS, EOPNOTSUPP } from '../core/errno.js';
import type { NetDevice } from '../core/netdevice.js';
import { LL_RESERVED_SPACE, PACKET_HOST, SKB_TRUESIZE_OVERHEAD, SkBuff, SkbOwner, allocSkb } from '../core/skbuff.js';
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
import { IPDEFTTL, IPPROTO_UDP, IP_DF, ipDaddr, ipIhlBytes, ipSaddr, writeIpHeader } from './iphdr.js';
import { ipFinishOutput2, ipSend } from './ip_output.js';

/** errno values the ICMP conversion needs beyond src/core/errno.ts. */
export const ENONET = 64;
export const EPROTO = 71;
export const EDESTADDRREQ = 89;
export const ENOPROTOOPT = 92;

/** sizeof(struct udphdr). */
export const UDP_HLEN = 8;
/** net.core.rmem_default: a socket's receive buffer unless set otherwise. */
export const UDP_RMEM_DEFAULT = 212992;
/** SOCK_MIN_RCVBUF (2 * (2048 + sizeof(struct sk_buff)), rounded as on x86_64). */
export const UDP_RMEM_MIN = 4608;
/** net.core.rmem_max: setsockopt(SO_RCVBUF) is capped here (before the kernel's doubling). */
export const UDP_RMEM_MAX = 212992;
/** Largest UDP payload: 65535 − IPv4 header − UDP header. */
export const UDP_MAX_PAYLOAD = 65535 - 20 - UDP_HLEN;

/** UDP counters, named after /proc/net/snmp's Udp line, plus the reasons behind InErrors. */
export interface UdpStats {
  /** Datagrams handed to a socket's reader (counted when read, as udp_recvmsg does). */
  inDatagrams: number;
  /** Unicast datagrams to a port nobody listens on (answered with ICMP port unreachable). */
  noPorts: number;
  /** Datagrams dropped for a bad header, length or checksum, or a full receive buffer. */
  inErrors: number;
  /** Datagrams sent. */
  outDatagrams: number;
  /** Datagrams dropped because the socket's receive buffer was full (also in inErrors). */
  rcvbufErrors: number;
  /** Sends that failed for lack of buffer space (ENOBUFS: the neighbour table was full). */
  sndbufErrors: number;
  /** Datagrams with a bad checksum (also in inErrors). */
  inCsumErrors: number;
  /** Broadcasts no socket wanted (not answered, as Linux never answers a broadcast). */
  ignoredMulti: number;
  /** The reasons behind inErrors and what else was lost, one counter each. */
  drops: {
    /** Fewer than 8 bytes after the IPv4 header. */
    tooShort: number;
    /** The length field is below 8 or beyond the IPv4 payload. */
    badLength: number;
    /** Datagrams still queued on a socket when it closed. */
    closedQueue: number;
  };
}

/** What a socket wants to hear from the protocol (sk_data_ready, sk_error_report). */
export interface UdpSockUser {
  /** Datagrams were queued on an empty receive queue: read them with {@link UdpSock.dequeue}. */
  dataReady(): void;
  /**
   * An error about a datagram this socket sent: an ICMP error quoting it (`icmpType` ≥ 0), or
   * its next hop that never answered ARP (`icmpType` −1, EHOSTUNREACH). `daddr`/`dport` are the
   * datagram's destination; `harderr` says whether Linux would report it on a connected socket
   * without IP_RECVERR.
   */
  error(errno: number, daddr: number, dport: number, harderr: boolean, icmpType: number, icmpCode: number, from: number): void;
}

/** One queued datagram: a private copy of the payload and where it came from. */
export interface UdpDatagram {
  data: Buffer;
  saddr: number;
  sport: number;
  /** The address it was sent to (ours, or a broadcast). */
  daddr: number;
  /** Receiving device name. */
  dev: string;
  /** Bytes charged against the receive buffer. */
  truesize: number;
}

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

/** A UDP socket's protocol state (struct udp_sock / inet_sock); the API is UdpSocket. */
export class UdpSock implements SkbOwner {
  /** Local port (inet_num); 0 while unbound. */
  num = 0;
  /** Address datagrams must be sent to (inet_rcv_saddr); 0 = any. */
  rcvSaddr = 0;
  /** Source address of sent datagrams (inet_saddr); 0 = chosen by the route. */
  saddr = 0;
  /** Connected peer (inet_daddr, inet_dport); 0 when not connected. */
  daddr = 0;
  dport = 0;
  /** SO_REUSEADDR. */
  reuse = false;
  /** SO_BROADCAST. */
  broadcast = false;
  /** IP_TTL and IP_TOS. */
  ttl = IPDEFTTL;
  tos = 0;
  /** SO_RCVBUF (already doubled, as the kernel stores it) and the bytes charged against it. */
  rcvbuf = UDP_RMEM_DEFAULT;
  rmemAlloc = 0;
  /** SOCK_BINDADDR_LOCK / SOCK_BINDPORT_LOCK: chosen by bind(), not by autobind or connect. */
  bindAddrLocked = false;
  bindPortLocked = false;
  dead = false;
  readonly queue: UdpDatagram[] = [];

  constructor(
    readonly udp: Udp,
    readonly user: UdpSockUser,
  ) {}

  get connected(): boolean {
    return this.daddr !== 0;
  }

  /** The next queued datagram (its buffer charge released), or undefined. */
  dequeue(): UdpDatagram | undefined {
    const d = this.queue.shift();
    if (d) {
      this.rmemAlloc -= d.truesize;
      this.udp.stats.inDatagrams++;
    }
    return d;
  }

  /** skb->sk->sk_err path: a datagram of ours whose next hop never resolved (ipv4_link_failure). */
  errorReport(errno: number, skb: SkBuff): void {
    if (this.dead) return;
    const b = skb.buf;
    const nh = skb.networkHeader;
    const th = nh + ipIhlBytes(b, nh);
    this.user.error(errno, ipDaddr(b, nh), b.readUInt16BE(th + 2), false, -1, -1, 0);
  }
}

/** An output route as udp_sendmsg/ip4_datagram_connect see it. */
interface UdpRoute {
  dev: NetDevice;
  type: number;
  saddr: number;
  /** Broadcast and multicast go to the destination itself on `dev`, never to a gateway. */
  direct: boolean;
}

export class Udp implements IcmpErrorSink {
  readonly stats: UdpStats = {
    inDatagrams: 0, noPorts: 0, inErrors: 0, outDatagrams: 0, rcvbufErrors: 0, sndbufErrors: 0, inCsumErrors: 0, ignoredMulti: 0,
    drops: { tooShort: 0, badLength: 0, closedQueue: 0 },
  };
  /** net.ipv4.ip_local_port_range. */
  portRange: [number, number] = [32768, 60999];
  /** Sockets by local port, the most recently bound first (hlist_add_head, as udp_lib_get_port). */
  private readonly ports = new Map<number, UdpSock[]>();

  constructor(
    private readonly inet: Inet,
    private readonly random: () => number = Math.random,
  ) {}

  /** Every bound socket (for close and inspection). */
  sockets(): UdpSock[] {
    const out: UdpSock[] = [];
    for (const l of this.ports.values()) out.push(...l);
    return out;
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
    if (isLocalBroadcast(daddr) || this.inet.isLocalBroadcast(daddr) || isMulticast(daddr)) {
      this.mcastDeliver(skb, saddr, sport, daddr, dport, ulen);
      return;
    }
    const sk = this.lookup(saddr, sport, daddr, dport);
    if (sk !== null) {
      if (!this.csumOk(b, off, ulen, saddr, daddr)) return;
      this.enqueue(sk, skb, saddr, sport, daddr, ulen);
      return;
    }
    // No socket: a bad checksum is dropped silently, a good one draws port unreachable.
    if (!this.csumOk(b, off, ulen, saddr, daddr)) return;
    st.noPorts++;
    // icmp_send answers only frames addressed to us at the link layer, too.
    if (skb.pktType === PACKET_HOST) this.inet.icmp.send(skb, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
  }

  /** udp_lib_checksum_complete(): 0 means "no checksum"; a failure is counted here. */
  private csumOk(b: Buffer, off: number, ulen: number, saddr: number, daddr: number): boolean {
    if (b[off + 6] === 0 && b[off + 7] === 0) return true;
    if (csumFold(csumPartial(b, off, ulen, udpPseudoSum(saddr, daddr, IPPROTO_UDP, ulen))) === 0) return true;
    this.stats.inCsumErrors++;
    this.stats.inErrors++;
    return false;
  }

  /**
   * __udp4_lib_mcast_deliver(): a broadcast goes to every socket on the port bound to the
   * wildcard or to that broadcast address (a socket bound to a unicast address does not see it)
   * and, if connected, connected to the sender.
   */
  private mcastDeliver(skb: SkBuff, saddr: number, sport: number, daddr: number, dport: number, ulen: number): void {
    const list = this.ports.get(dport);
    let first = true;
    if (list) {
      for (const sk of list) {
        if (sk.rcvSaddr !== 0 && sk.rcvSaddr !== daddr) continue;
        if (sk.daddr !== 0 && sk.daddr !== saddr) continue;
        if (sk.dport !== 0 && sk.dport !== sport) continue;
        if (first) {
          if (!this.csumOk(skb.buf, skb.data, ulen, saddr, daddr)) return;
          first = false;
        }
        this.enqueue(sk, skb, saddr, sport, daddr, ulen);
      }
    }
    if (first) this.stats.ignoredMulti++;
  }

  /** __udp_enqueue_schedule_skb(): charge the receive buffer, queue a copy, wake the reader. */
  private enqueue(sk: UdpSock, skb: SkBuff, saddr: number, sport: number, daddr: number, ulen: number): void {
    if (sk.rmemAlloc > sk.rcvbuf) {
      this.stats.rcvbufErrors++;
      this.stats.inErrors++;
      return;
    }
    const off = skb.data + UDP_HLEN;
    // A copy: the frame may live in the driver's receive ring.
    const data = Buffer.from(skb.buf.subarray(off, off + ulen - UDP_HLEN));
    const truesize = data.length + SKB_TRUESIZE_OVERHEAD;
    sk.rmemAlloc += truesize;
    sk.queue.push({ data, saddr, sport, daddr, dev: skb.dev?.name ?? '', truesize });
    if (sk.queue.length === 1) sk.user.dataReady();
  }

  /**
   * __udp4_lib_lookup(): sockets bound to the exact local address first, the wildcard only if
   * none fits; within each the best compute_score (connected to this sender beats unconnected),
   * ties to the most recently bound.
   */
  lookup(saddr: number, sport: number, daddr: number, dport: number): UdpSock | null {
    const list = this.ports.get(dport);
    if (!list) return null;
    return this.lookup2(list, saddr, sport, daddr) ?? (daddr !== 0 ? this.lookup2(list, saddr, sport, 0) : null);
  }

  private lookup2(list: UdpSock[], saddr: number, sport: number, local: number): UdpSock | null {
    let best: UdpSock | null = null;
    let badness = -1;
    for (const sk of list) {
      if (sk.rcvSaddr !== local) continue;
      let score = 2;
      if (sk.daddr !== 0) {
        if (sk.daddr !== saddr) continue;
        score += 4;
      }
      if (sk.dport !== 0) {
        if (sk.dport !== sport) continue;
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
  icmpError(type: number, code: number, _info: number, from: number, buf: Buffer, inner: number, innerLen: number): void {
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
    sk.user.error(errno, qdaddr, dport, harderr, type, code, from);
  }

  // ---- binding --------------------------------------------------------------------------------

  /**
   * inet_bind() + udp_v4_get_port(): `addr` 0, one of ours, or a broadcast/multicast address;
   * `port` 0 picks a free port from {@link Udp.portRange}. Returns 0 or a negative errno.
   */
  bind(sk: UdpSock, addr: number, port: number): number {
    if (sk.dead) return -EBADF;
    if (sk.num !== 0) return -EINVAL;
    let sendAddr = addr;
    if (addr !== 0) {
      const t = this.inet.fib.addrType(addr);
      if (t !== RTN_LOCAL && t !== RTN_BROADCAST && t !== RTN_MULTICAST) return -EADDRNOTAVAIL;
      // Bound to a broadcast or group address: send from the device's own address.
      if (t !== RTN_LOCAL) sendAddr = 0;
    }
    sk.rcvSaddr = addr;
    sk.saddr = sendAddr;
    const rc = this.getPort(sk, port);
    if (rc < 0) {
      sk.rcvSaddr = 0;
      sk.saddr = 0;
      return rc;
    }
    sk.bindAddrLocked = addr !== 0;
    sk.bindPortLocked = port !== 0;
    return 0;
  }

  /** inet_autobind(): an ephemeral port on the wildcard address. */
  autobind(sk: UdpSock): number {
    if (sk.num !== 0) return 0;
    return this.getPort(sk, 0) < 0 ? -EAGAIN : 0;
  }

  /** udp_lib_lport_inuse(): would `sk` clash with a socket already on `port`? */
  private portInUse(sk: UdpSock, port: number): boolean {
    const list = this.ports.get(port);
    if (!list) return false;
    for (const sk2 of list) {
      if (sk2 === sk) continue;
      if (sk2.reuse && sk.reuse) continue;
      if (sk2.rcvSaddr === 0 || sk.rcvSaddr === 0 || sk2.rcvSaddr === sk.rcvSaddr) return true;
    }
    return false;
  }

  /** udp_lib_get_port(): a random start in the range, then the first port without a clash. */
  private getPort(sk: UdpSock, snum: number): number {
    if (snum === 0) {
      const [lo, hi] = this.portRange;
      const n = hi - lo + 1;
      const start = Math.floor(this.random() * n) % n;
      for (let i = 0; i < n; i++) {
        const p = lo + ((start + i) % n);
        if (!this.portInUse(sk, p)) {
          snum = p;
          break;
        }
      }
      if (snum === 0) return -EADDRINUSE;
    } else if (this.portInUse(sk, snum)) {
      return -EADDRINUSE;
    }
    sk.num = snum;
    let list = this.ports.get(snum);
    if (!list) this.ports.set(snum, (list = []));
    list.unshift(sk);
    return 0;
  }

  /** udp_lib_unhash() and the rest of udp_lib_close(): the port is free again, the queue dropped. */
  close(sk: UdpSock): void {
    if (sk.dead) return;
    sk.dead = true;
    if (sk.num !== 0) {
      const list = this.ports.get(sk.num);
      if (list) {
        const i = list.indexOf(sk);
        if (i >= 0) list.splice(i, 1);
        if (list.length === 0) this.ports.delete(sk.num);
      }
    }
    this.stats.drops.closedQueue += sk.queue.length;
    sk.queue.length = 0;
    sk.rmemAlloc = 0;
  }

  // ---- routes, connect ------------------------------------------------------------------------

  /**
   * ip_route_output for a socket: the limited broadcast and multicast leave by the device of the
   * bound source address, else by the route's device, to the destination itself (__mkroute_output
   * makes them RTN_BROADCAST/RTN_MULTICAST without a gateway). Returns a route or a negative errno.
   */
  private route(sk: UdpSock, daddr: number): UdpRoute | number {
    const inet = this.inet;
    // No loopback device: 127/8 and 0/8 lead nowhere.
    if (isLoopback(daddr) || isZeronet(daddr)) {
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
   * ip4_datagram_connect(): only datagrams from `daddr:dport` are delivered from now on, and
   * sends without a destination go there. An unbound socket is bound first; a socket bound to
   * the wildcard takes the route's source address. Returns 0 or a negative errno.
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
    return 0;
  }

  /** __udp_disconnect(): forget the peer, and the source address connect() chose. */
  disconnect(sk: UdpSock): void {
    sk.daddr = 0;
    sk.dport = 0;
    if (!sk.bindAddrLocked) {
      sk.rcvSaddr = 0;
      sk.saddr = 0;
    }
  }

  // ---- send -----------------------------------------------------------------------------------

  /**
   * udp_sendmsg(): one datagram to `daddr:dport`, or to the connected peer when `daddr` is null.
   * Returns the payload length or a negative errno: EDESTADDRREQ, EINVAL (port 0), EMSGSIZE
   * (beyond 65507 bytes or the route's MTU — nothing is fragmented), ENETUNREACH, EACCES (a
   * broadcast without SO_BROADCAST), ENOBUFS.
   */
  sendmsg(sk: UdpSock, data: Uint8Array, daddr: number | null, dport: number): number {
    if (sk.dead) return -EBADF;
    if (daddr === null) {
      if (sk.daddr === 0) return -EDESTADDRREQ;
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
    if (r.type !== RTN_LOCAL && 20 + UDP_HLEN + len > r.dev.mtu) return -EMSGSIZE;
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
    // udp4_hwcsum/udp_csum: the pseudo header and the datagram; 0 goes out as 0xffff (RFC 768).
    const check = csumFold(csumPartial(b, o, ulen, udpPseudoSum(r.saddr, daddr, IPPROTO_UDP, ulen))) || 0xffff;
    b[o + 6] = check >>> 8;
    b[o + 7] = check & 0xff;
    skb.sk = sk;
    const rc = r.direct ? this.outputDirect(skb, r, daddr, sk) : ipSend(this.inet, skb, r.saddr, daddr, IPPROTO_UDP, sk.ttl, sk.tos);
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
  private outputDirect(skb: SkBuff, r: UdpRoute, daddr: number, sk: UdpSock): number {
    const inet = this.inet;
    if (!r.dev.isUp) return -ENETUNREACH;
    const totLen = skb.len + 20;
    const off = skb.push(20);
    skb.networkHeader = off;
    writeIpHeader(skb.buf, off, sk.tos, totLen, inet.nextIpId(), IP_DF, sk.ttl, IPPROTO_UDP, r.saddr, daddr);
    inet.stats.outRequests++;
    if (r.type === RTN_BROADCAST) inet.loopbackDeliver(skb, r.dev);
    return ipFinishOutput2(inet, skb, r.dev, daddr);
  }
}
