// The family-neutral half of UDP that Linux keeps in net/ipv4/udp.c and exports to IPv6: struct
// udp_table (one port table per namespace for both families), udp_lib_get_port with
// udp_lib_lport_inuse and inet_rcv_saddr_equal/ipv6_rcv_saddr_equal, __udp_enqueue_schedule_skb,
// udp_lib_unhash and __udp_disconnect, and the socket state both families read (struct udp_sock
// with its inet_sock and ipv6_pinfo parts).
//
// Why its own directory: src/ipv4/udp.ts and src/ipv6/udp.ts must share one table (a 'udp6'
// socket bound to :: also takes IPv4 datagrams, and a bind in one family can conflict with the
// other), and src/ipv6 must not import src/ipv4. This module imports only src/core, so both
// families import it; what needs IPv4 (sends to v4-mapped destinations) reaches it through
// {@link UdpTable.inet}, which the IPv4 half registers.
import { EADDRINUSE, EAGAIN } from '../core/errno.js';
import type { Net } from '../core/net.js';
import { SKB_TRUESIZE_OVERHEAD, type SkBuff, type SkbOwner } from '../core/skbuff.js';

/** sk_family values. */
export const AF_INET = 2;
export const AF_INET6 = 10;

/**
 * LOOPBACK4_IPV6 (127.0.0.6): the IPv4 address a socket bound to a non-mapped IPv6 address gets
 * as inet_rcv_saddr, one no IPv4 datagram is ever sent to, so that IPv4 lookups never find it.
 */
export const LOOPBACK4_IPV6 = 0x7f000006;

/** errno values the ICMP conversions and udp_sendmsg need beyond src/core/errno.ts. */
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

/**
 * UDP counters, named after /proc/net/snmp's Udp line (and /proc/net/snmp6's Udp6 line: the same
 * names with the `Udp6` prefix), plus the reasons behind InErrors. As in Linux a datagram counts
 * in the family of its packet, not of the socket: an IPv4 datagram read by a 'udp6' socket is an
 * Udp InDatagram.
 */
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
  /** Datagrams with a bad checksum, and (IPv6) without one (also in inErrors). */
  inCsumErrors: number;
  /** Broadcasts and multicasts no socket wanted (not answered, as Linux never answers them). */
  ignoredMulti: number;
  /** The reasons behind inErrors and what else was lost, one counter each. */
  drops: {
    /** Fewer than 8 bytes after the IP header. */
    tooShort: number;
    /** The length field is below 8 or beyond the IP payload. */
    badLength: number;
    /** IPv6 only: a zero checksum, which RFC 8200 8.1 forbids (in inCsumErrors and inErrors). */
    zeroChecksum: number;
    /** Datagrams still queued on a socket when it closed. */
    closedQueue: number;
  };
}

function newUdpStats(): UdpStats {
  return {
    inDatagrams: 0, noPorts: 0, inErrors: 0, outDatagrams: 0, rcvbufErrors: 0, sndbufErrors: 0, inCsumErrors: 0, ignoredMulti: 0,
    drops: { tooShort: 0, badLength: 0, zeroChecksum: 0, closedQueue: 0 },
  };
}

/** An error about a datagram a socket sent (what sk_err and the IP_RECVERR queue carry). */
export interface UdpSockError {
  /** Positive errno: ECONNREFUSED for port unreachable, EHOSTUNREACH, EMSGSIZE, ... */
  errno: number;
  /** Would Linux report it on a connected socket without IP_RECVERR/IPV6_RECVERR? */
  harderr: boolean;
  /** Family of the datagram: AF_INET (`daddr`) or AF_INET6 (`daddr6`). */
  family: number;
  /** The datagram's IPv4 destination (AF_INET). */
  daddr: number;
  /** The datagram's IPv6 destination (AF_INET6), a private copy. */
  daddr6: Buffer | null;
  /** The datagram's destination port. */
  dport: number;
  /** The ICMP or ICMPv6 type and code; −1 for a next hop that never resolved. */
  icmpType: number;
  icmpCode: number;
}

/** What a socket wants to hear from the protocol (sk_data_ready, sk_error_report). */
export interface UdpSockUser {
  /** Datagrams were queued on an empty receive queue: read them with {@link UdpSock.dequeue}. */
  dataReady(): void;
  /** An ICMP error quoting one of its datagrams, or a next hop that never answered. */
  error(e: UdpSockError): void;
}

/** One queued datagram: a private copy of the payload and where it came from. */
export interface UdpDatagram {
  data: Buffer;
  /** Family of the packet: AF_INET (`saddr`, `daddr`) or AF_INET6 (`saddr6`, `daddr6`). */
  family: number;
  saddr: number;
  daddr: number;
  saddr6: Buffer | null;
  daddr6: Buffer | null;
  sport: number;
  /** Receiving device (for IPv6, the scope of a link-local sender). */
  dev: string;
  ifindex: number;
  /** Bytes charged against the receive buffer. */
  truesize: number;
}

/** One IPV6_ADD_MEMBERSHIP of a socket (struct ipv6_mc_socklist). */
export interface UdpMcMembership {
  ifindex: number;
  group: Buffer;
}

/**
 * A UDP socket's protocol state (struct udp_sock with its inet_sock and ipv6_pinfo); the API is
 * UdpSocket. An AF_INET6 socket keeps both views, as Linux does: the IPv6 addresses, and in the
 * IPv4 fields the mapped part of them (0 for ::, {@link LOOPBACK4_IPV6} for a non-mapped address),
 * which is what IPv4 lookups and sends see.
 */
export class UdpSock implements SkbOwner {
  /** Local port (inet_num); 0 while unbound. */
  num = 0;
  /** IPv4 address datagrams must be sent to (inet_rcv_saddr); 0 = any. */
  rcvSaddr = 0;
  /** IPv4 source of sent datagrams (inet_saddr); 0 = chosen by the route. */
  saddr = 0;
  /** Connected IPv4 peer (inet_daddr); 0 when not connected to one. */
  daddr = 0;
  /** Connected peer's port (inet_dport), either family; 0 when not connected. */
  dport = 0;
  /** sk_v6_rcv_saddr, np->saddr and sk_v6_daddr (AF_INET6 only; :: = any / none). */
  readonly v6RcvSaddr = Buffer.alloc(16);
  readonly v6Saddr = Buffer.alloc(16);
  readonly v6Daddr = Buffer.alloc(16);
  /** sk_state == TCP_ESTABLISHED: connect() succeeded. */
  established = false;
  /** IPV6_V6ONLY (also set by binding a non-mapped IPv6 address, as __inet6_bind does). */
  ipv6Only = false;
  /** sk_bound_dev_if: the device's ifindex, 0 for none. */
  boundDevIf = 0;
  /** SO_REUSEADDR. */
  reuse = false;
  /** SO_BROADCAST. */
  broadcast = false;
  /** IP_TTL, IP_MULTICAST_TTL and IP_TOS (IPv4 datagrams). */
  ttl = 64;
  mcTtl = 1;
  tos = 0;
  /** IPV6_UNICAST_HOPS and IPV6_MULTICAST_HOPS (−1: the route's or device's, 1 for multicast). */
  hopLimit = -1;
  mcastHops = -1;
  /** IPV6_MULTICAST_IF (ifindex, 0 for none) and IPV6_TCLASS. */
  mcastOif = 0;
  tclass = 0;
  /** IPV6_ADD_MEMBERSHIP groups (ipv6_mc_sock list). */
  readonly mcList: UdpMcMembership[] = [];
  /** UDP_SEGMENT (up->gso_size): a send longer than this leaves as datagrams of this size; 0 = off. */
  gsoSize = 0;
  /** SO_RCVBUF (already doubled, as the kernel stores it) and the bytes charged against it. */
  rcvbuf = UDP_RMEM_DEFAULT;
  rmemAlloc = 0;
  /** SOCK_BINDADDR_LOCK / SOCK_BINDPORT_LOCK: chosen by bind(), not by autobind or connect. */
  bindAddrLocked = false;
  bindPortLocked = false;
  dead = false;
  readonly queue: UdpDatagram[] = [];

  constructor(
    readonly table: UdpTable,
    /** sk_family: AF_INET or AF_INET6. */
    readonly family: number,
    readonly user: UdpSockUser,
  ) {}

  /** The next queued datagram (its buffer charge released), or undefined. */
  dequeue(): UdpDatagram | undefined {
    const d = this.queue.shift();
    if (d) {
      this.rmemAlloc -= d.truesize;
      this.table.mib(d.family).inDatagrams++;
    }
    return d;
  }

  /**
   * skb->sk->sk_err path: a datagram of ours whose next hop never resolved (ipv4_link_failure /
   * ip6_link_failure). Only the destination address and port are read from the packet: the IP
   * version nibble says which header it is (IPv4: IHL words; IPv6: the UDP header follows the
   * fixed 40 bytes, as UDP sends no extension headers).
   */
  errorReport(errno: number, skb: SkBuff): void {
    if (this.dead) return;
    const b = skb.buf;
    const nh = skb.networkHeader;
    if (b[nh] >> 4 === 6) {
      const daddr6 = Buffer.from(b.subarray(nh + 24, nh + 40));
      this.user.error({ errno, harderr: false, family: AF_INET6, daddr: 0, daddr6, dport: b.readUInt16BE(nh + 40 + 2), icmpType: -1, icmpCode: -1 });
      return;
    }
    const th = nh + (b[nh] & 0x0f) * 4;
    this.user.error({ errno, harderr: false, family: AF_INET, daddr: b.readUInt32BE(nh + 16), daddr6: null, dport: b.readUInt16BE(th + 2), icmpType: -1, icmpCode: -1 });
  }
}

/** What the IPv4 half offers the IPv6 half: a 'udp6' socket talking to a v4-mapped address. */
export interface UdpInetOps {
  /** udp_sendmsg() on `sk` to `daddr:dport` (null: the connected peer). Bytes or a negative errno. */
  sendmsg(sk: UdpSock, data: Uint8Array, daddr: number | null, dport: number): number;
  /** __ip4_datagram_connect(). 0 or a negative errno. */
  connect(sk: UdpSock, daddr: number, dport: number): number;
  /** The bind checks of inet_bind for a mapped address: 0 or a negative errno (EADDRNOTAVAIL). */
  bindAddrCheck(addr: number): number;
}

/**
 * ipv4_rcv_saddr_equal(): could sockets with these IPv4 receive addresses take the same
 * datagrams? A v6-only second socket never shares IPv4 addresses.
 */
export function ipv4RcvSaddrEqual(sk1RcvSaddr: number, sk2RcvSaddr: number, sk2Ipv6Only: boolean, matchWildcard: boolean): boolean {
  if (sk2Ipv6Only) return false;
  if (sk1RcvSaddr === sk2RcvSaddr) return true;
  return matchWildcard && (sk1RcvSaddr === 0 || sk2RcvSaddr === 0);
}

function in6Any(a: Uint8Array): boolean {
  let x = 0;
  for (let i = 0; i < 16; i++) x |= a[i];
  return x === 0;
}

function in6Mapped(a: Uint8Array): boolean {
  let x = 0;
  for (let i = 0; i < 10; i++) x |= a[i];
  return x === 0 && a[10] === 0xff && a[11] === 0xff;
}

function in6Equal(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 16; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * ipv6_rcv_saddr_equal(): the same for an AF_INET6 first socket. `sk2Rcv6` is null when the
 * second socket is AF_INET (then it counts as mapped). Two mapped addresses compare as IPv4;
 * :: takes everything but a mapped address of a v6-only socket.
 */
export function ipv6RcvSaddrEqual(
  sk1Rcv6: Uint8Array,
  sk2Rcv6: Uint8Array | null,
  sk1RcvSaddr: number,
  sk2RcvSaddr: number,
  sk1Ipv6Only: boolean,
  sk2Ipv6Only: boolean,
  matchWildcard: boolean,
): boolean {
  const any1 = in6Any(sk1Rcv6);
  const mapped1 = !any1 && in6Mapped(sk1Rcv6);
  const any2 = sk2Rcv6 !== null && in6Any(sk2Rcv6);
  const mapped2 = sk2Rcv6 === null || (!any2 && in6Mapped(sk2Rcv6));
  if (mapped1 && mapped2) return ipv4RcvSaddrEqual(sk1RcvSaddr, sk2RcvSaddr, sk2Ipv6Only, matchWildcard);
  if (any1 && any2) return true;
  if (any2 && matchWildcard && !(sk2Ipv6Only && mapped1)) return true;
  if (any1 && matchWildcard && !(sk1Ipv6Only && mapped2)) return true;
  return sk2Rcv6 !== null && in6Equal(sk1Rcv6, sk2Rcv6);
}

/** inet_rcv_saddr_equal(): by the first socket's family. */
export function inetRcvSaddrEqual(sk: UdpSock, sk2: UdpSock, matchWildcard: boolean): boolean {
  if (sk.family === AF_INET6) {
    return ipv6RcvSaddrEqual(sk.v6RcvSaddr, sk2.family === AF_INET6 ? sk2.v6RcvSaddr : null, sk.rcvSaddr, sk2.rcvSaddr, sk.ipv6Only, sk2.ipv6Only, matchWildcard);
  }
  return ipv4RcvSaddrEqual(sk.rcvSaddr, sk2.rcvSaddr, sk2.family === AF_INET6 && sk2.ipv6Only, matchWildcard);
}

/** struct udp_table of one namespace: sockets by local port, both families, and both MIBs. */
export class UdpTable {
  /** UDP_MIB (/proc/net/snmp Udp) and UDP_MIB6 (/proc/net/snmp6 Udp6). */
  readonly stats: UdpStats = newUdpStats();
  readonly stats6: UdpStats = newUdpStats();
  /** net.ipv4.ip_local_port_range (IPv6 uses it too). */
  portRange: [number, number] = [32768, 60999];
  /** The IPv4 half, once it registered (for 'udp6' sockets and v4-mapped addresses). */
  inet: UdpInetOps | null = null;
  /** Sockets by local port, the most recently bound first (hlist_add_head, as udp_lib_get_port). */
  private readonly ports = new Map<number, UdpSock[]>();

  constructor(private readonly random: () => number = Math.random) {}

  /** The MIB a packet of `family` counts in. */
  mib(family: number): UdpStats {
    return family === AF_INET6 ? this.stats6 : this.stats;
  }

  /** The sockets on `port` (the hash slot), most recently bound first; undefined when none. */
  slot(port: number): readonly UdpSock[] | undefined {
    return this.ports.get(port);
  }

  /** Every bound socket of `family` (both when absent). */
  sockets(family?: number): UdpSock[] {
    const out: UdpSock[] = [];
    for (const l of this.ports.values()) for (const sk of l) if (family === undefined || sk.family === family) out.push(sk);
    return out;
  }

  /** udp_lib_lport_inuse(): would `sk` clash with a socket already on `port`? */
  lportInuse(sk: UdpSock, port: number): boolean {
    const list = this.ports.get(port);
    if (!list) return false;
    for (const sk2 of list) {
      if (sk2 === sk) continue;
      if (sk2.reuse && sk.reuse) continue;
      if (sk2.boundDevIf !== 0 && sk.boundDevIf !== 0 && sk2.boundDevIf !== sk.boundDevIf) continue;
      if (inetRcvSaddrEqual(sk, sk2, true)) return true;
    }
    return false;
  }

  /**
   * udp_lib_get_port(): `snum` 0 picks a random start in the range, then the first port without
   * a clash. Hashes the socket; 0 or −EADDRINUSE.
   */
  getPort(sk: UdpSock, snum: number): number {
    if (snum === 0) {
      const [lo, hi] = this.portRange;
      const n = hi - lo + 1;
      const start = Math.floor(this.random() * n) % n;
      for (let i = 0; i < n; i++) {
        const p = lo + ((start + i) % n);
        if (!this.lportInuse(sk, p)) {
          snum = p;
          break;
        }
      }
      if (snum === 0) return -EADDRINUSE;
    } else if (this.lportInuse(sk, snum)) {
      return -EADDRINUSE;
    }
    sk.num = snum;
    let list = this.ports.get(snum);
    if (!list) this.ports.set(snum, (list = []));
    list.unshift(sk);
    return 0;
  }

  /** inet_autobind(): an ephemeral port on the addresses already set (0 or −EAGAIN). */
  autobind(sk: UdpSock): number {
    if (sk.num !== 0) return 0;
    return this.getPort(sk, 0) < 0 ? -EAGAIN : 0;
  }

  /** udp_lib_unhash(): the port is free again. */
  unhash(sk: UdpSock): void {
    if (sk.num === 0) return;
    const list = this.ports.get(sk.num);
    if (list) {
      const i = list.indexOf(sk);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.ports.delete(sk.num);
    }
    sk.num = 0;
  }

  /** The rest of udp_lib_close(): unhashed, the queue dropped (counted by each datagram's family). */
  close(sk: UdpSock): void {
    if (sk.dead) return;
    sk.dead = true;
    this.unhash(sk);
    for (const d of sk.queue) this.mib(d.family).drops.closedQueue++;
    sk.queue.length = 0;
    sk.rmemAlloc = 0;
  }

  /** inet_reset_saddr(): forget the local addresses (both families' views). */
  resetSaddr(sk: UdpSock): void {
    sk.rcvSaddr = 0;
    sk.saddr = 0;
    sk.v6Saddr.fill(0);
    sk.v6RcvSaddr.fill(0);
  }

  /**
   * __udp_disconnect(): forget the peer and the device connect() bound; the addresses connect()
   * chose go unless bind() set them, and a port bind() did not choose is given back (so
   * address() shows port 0 until the next send binds another, as on Linux).
   */
  disconnect(sk: UdpSock): void {
    sk.established = false;
    sk.daddr = 0;
    sk.dport = 0;
    sk.v6Daddr.fill(0);
    sk.boundDevIf = 0;
    if (!sk.bindAddrLocked) this.resetSaddr(sk);
    if (!sk.bindPortLocked) this.unhash(sk);
  }

  /**
   * __udp_enqueue_schedule_skb()'s admission: a socket whose queued datagrams already use more
   * than its receive buffer drops the next (RcvbufErrors and InErrors of the packet's family).
   */
  rmemSchedule(sk: UdpSock, family: number): boolean {
    if (sk.rmemAlloc <= sk.rcvbuf) return true;
    const st = this.mib(family);
    st.rcvbufErrors++;
    st.inErrors++;
    return false;
  }

  /** Bytes a datagram of `len` payload bytes is charged (its data plus sk_buff and shared info). */
  static truesize(len: number): number {
    return len + SKB_TRUESIZE_OVERHEAD;
  }

  /** The rest of __udp_enqueue_schedule_skb(): charge, queue, wake the reader of an empty queue. */
  queueRcv(sk: UdpSock, d: UdpDatagram): void {
    sk.rmemAlloc += d.truesize;
    sk.queue.push(d);
    if (sk.queue.length === 1) sk.user.dataReady();
  }
}

const tables = new WeakMap<Net, UdpTable>();

/**
 * The namespace's udp_table (net->ipv4.udp_table), made on first use: kept beside the Net
 * rather than in it so that the device core need not know UDP. `random` picks ephemeral ports;
 * only the first caller's counts.
 */
export function udpTable(net: Net, random?: () => number): UdpTable {
  let t = tables.get(net);
  if (t === undefined) tables.set(net, (t = new UdpTable(random)));
  return t;
}
