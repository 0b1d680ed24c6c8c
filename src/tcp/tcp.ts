// TCP of one namespace for both families: tcp_v4_rcv / tcp_v6_rcv's checks and demultiplexing
// (__inet_lookup_established, __inet_lookup_listener), tcp_v4_connect with __inet_hash_connect's
// ephemeral ports, inet_csk_listen_start, tcp_conn_request with SYN cookies, tcp_check_req, and
// the ICMP error handlers tcp_v4_err / tcp_v6_err (net/ipv4/tcp_ipv4.c, net/ipv6/tcp_ipv6.c).
import type { Clock } from '../core/clock.js';
import { csumFold, csumPartial } from '../core/checksum.js';
import {
  EADDRINUSE,
  EADDRNOTAVAIL,
  EAFNOSUPPORT,
  ECONNREFUSED,
  EHOSTUNREACH,
  EINVAL,
  EMSGSIZE,
  ENETUNREACH,
  EOPNOTSUPP,
  StackError,
} from '../core/errno.js';
import type { NetDevice } from '../core/netdevice.js';
import { CHECKSUM_NONE, LL_RESERVED_SPACE, PACKET_HOST, type SkBuff, allocSkb } from '../core/skbuff.js';
import type { Inet } from '../ipv4/af_inet.js';
import { ipIhlBytes, ipSaddr, ipDaddr, IPPROTO_TCP } from '../ipv4/iphdr.js';
import { formatIPv4, isLocalBroadcast } from '../ipv4/inet_addr.js';
import { ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, ICMP_PARAMETERPROB, ICMP_TIME_EXCEEDED } from '../ipv4/icmphdr.js';
import type { Inet6 } from '../ipv6/af_inet6.js';
import { IP6H_DADDR_OFF, IP6H_SADDR_OFF, NEXTHDR_TCP } from '../ipv6/ipv6hdr.js';
import { formatIn6, ipv6AddrAny, ipv6AddrScope } from '../ipv6/in6_addr.js';
import { after, before, between, seqAdd } from './seq.js';
import { type TcpSysctl, tcpSysctlDefaults } from './tcp_conf.js';
import { tcpCaFind } from './tcp_cong.js';
import './tcp_reno.js';
import {
  TCP_HLEN,
  newOutOptions,
  tcpAckSeq,
  tcpDoff,
  tcpDport,
  tcpFlags,
  tcpHeaderWrite,
  tcpOptionsSize,
  tcpOptionsWrite,
  tcpParseOptions,
  tcpSeq,
  tcpSport,
  tcpWindow,
} from './tcp_hdr.js';
import { TcpSegIn, reportClose, tcpApplySynOptions, tcpDone, tcpFinishConnect, tcpRcvStateProcess, tcpSynackRttMeas } from './tcp_input.js';
import { TcpListenSock, type TcpListenUser, TcpRequestSock, addrEqual } from './tcp_minisocks.js';
import { tcpResetXmitTimer, tcpRetransmitSeg, tcpSendActiveReset, tcpSendResetReply, tcpSendSyn, tcpSyncMss, tcpWinFromSpace, tcpWriteXmit } from './tcp_output.js';
import { TcpSeg } from './tcp_rtx_queue.js';
import {
  ICSK_TIME_PROBE0,
  ICSK_TIME_RETRANS,
  TCP_TIMEOUT_INIT,
  type TcpAddr,
  type TcpAfOps,
  type TcpInfo,
  TcpSock,
  type TcpSockInfo,
  type TcpSockUser,
  sockCookie,
} from './tcp_sock.js';
import {
  TCPHDR_ACK,
  TCPHDR_FIN,
  TCPHDR_RST,
  TCPHDR_SYN,
  TCP_CLOSE,
  TCP_CLOSE_WAIT,
  TCP_ESTABLISHED,
  TCP_FIN_WAIT2,
  TCP_LISTEN,
  TCP_NEW_SYN_RECV,
  TCP_SYN_SENT,
  TCP_TIME_WAIT,
} from './tcp_states.js';
import { type TcpExtStats, type TcpStats, newTcpExtStats, newTcpStats } from './tcp_stats.js';
import { SecureSeq, tupleInto } from './secure_seq.js';
import { MSSTAB_V4, MSSTAB_V6, SynCookies, cookieMssIndex, cookieTimestamp, cookieTimestampDecode } from './syncookies.js';
import { TcpV4Ops } from './tcp_ipv4.js';
import { TcpV6Ops } from './tcp_ipv6.js';

export type { TcpAddr, TcpSockUser, TcpSockInfo, TcpInfo } from './tcp_sock.js';
export type { TcpListenUser } from './tcp_minisocks.js';
export { TcpSock } from './tcp_sock.js';
export { TcpListenSock } from './tcp_minisocks.js';

const GOLDEN = 0x9e3779b1;
/** TCP_SYNCOOKIE_VALID: cookies are honoured for two minutes after the last one sent. */
const TCP_SYNCOOKIE_VALID_MS = 120000;

/** Options of {@link Tcp.connect}. */
export interface TcpConnectOptions {
  remote: TcpAddr;
  port: number;
  local?: TcpAddr;
  localPort?: number;
  noDelay?: boolean;
}

/** Options of {@link Tcp.listen}. */
export interface TcpListenOptions {
  /** Bound address; null: the wildcard of `family`. */
  local: TcpAddr | null;
  family: 4 | 6;
  /** 0: an ephemeral port. */
  port: number;
  backlog: number;
  ipv6Only?: boolean;
  reuseAddr?: boolean;
}

/** The 4-tuple hash of the established table (inet_ehashfn), from the remote address and both ports. */
function ehashKey(remote: TcpAddr, rport: number, lport: number): number {
  const ports = ((rport << 16) | lport) | 0;
  if (remote.family === 4) return Math.imul((remote.addr ^ ports) | 0, GOLDEN) | 0;
  const a = remote.addr;
  let h = ports;
  for (let i = 0; i < 16; i += 4) h = Math.imul(h ^ ((a[i] << 24) | (a[i + 1] << 16) | (a[i + 2] << 8) | a[i + 3]), GOLDEN);
  return (h ^ (h >>> 15)) | 0;
}

function copyAddr(a: TcpAddr): TcpAddr {
  return a.family === 4 ? { family: 4, addr: a.addr >>> 0 } : { family: 6, addr: Buffer.from(a.addr), scopeId: a.scopeId };
}

export class Tcp {
  readonly conf: TcpSysctl = tcpSysctlDefaults();
  readonly stats: TcpStats = newTcpStats();
  readonly statsExt: TcpExtStats = newTcpExtStats();
  /** Where kernel-log lines go (the stack's 'log' event): the SYN-flood warning. */
  onLog: ((line: string) => void) | null = null;
  readonly clock: Clock;
  readonly v4: TcpV4Ops;
  readonly v6: TcpV6Ops | null;
  private readonly ehash = new Map<number, TcpSock[]>();
  private readonly lhash = new Map<number, TcpListenSock[]>();
  private readonly socks = new Set<TcpSock>();
  private readonly listeners = new Set<TcpListenSock>();
  private readonly seg = new TcpSegIn();
  /**
   * The skb data segments are built in, handed out again while no one kept the last one (see
   * tcpDataSkb in tcp_output.ts); `txSkbBusy` while one is on its way down.
   */
  txSkb: SkBuff | null = null;
  txSkbBusy = false;
  private readonly secure: SecureSeq;
  private readonly cookies = new SynCookies();
  /** The random source (ephemeral ports, each socket's first IPv4 ID); seeded in tests. */
  readonly random: () => number;
  private established = 0;
  private inodeNext = 1;
  /** Scratch addresses of the segment being processed (nothing allocated per segment). */
  private readonly src4 = { family: 4 as const, addr: 0 };
  private readonly dst4 = { family: 4 as const, addr: 0 };
  private readonly src6 = { family: 6 as const, addr: Buffer.alloc(16), scopeId: 0 };
  private readonly dst6 = { family: 6 as const, addr: Buffer.alloc(16), scopeId: 0 };
  /** The segment being processed: its family and addresses, for redeliver(). */
  private curAf: TcpAfOps | null = null;
  private curSrc: TcpAddr | null = null;
  private curDst: TcpAddr | null = null;

  constructor(
    readonly inet: Inet,
    readonly inet6: Inet6 | null,
    opts: { random?: () => number; deterministic?: boolean } = {},
  ) {
    this.clock = inet.net.clock;
    this.random = opts.random ?? Math.random;
    this.secure = new SecureSeq(this.random, opts.deterministic ?? false);
    this.v4 = new TcpV4Ops(inet);
    this.v6 = inet6 ? new TcpV6Ops(inet6) : null;
    inet.protocols.set(IPPROTO_TCP, (skb) => this.rcv4(skb));
    inet.icmp.errorSinks.set(IPPROTO_TCP, this);
    if (inet6) {
      inet6.protocols.set(NEXTHDR_TCP, (skb) => this.rcv6(skb));
      inet6.icmp.errorSinks.set(NEXTHDR_TCP, this);
    }
  }

  /**
   * tcp_mstamp in µs, strictly increasing: two events at one clock reading (a manual clock, a
   * coarse timer) still have an order, so RACK can tell a retransmission from what it follows.
   */
  nowUs(): number {
    const t = this.clock.preciseNow() * 1000;
    this.lastUs = t > this.lastUs ? t : this.lastUs + 0.01;
    return this.lastUs;
  }
  private lastUs = 0;

  /** Tcp counters with CurrEstab filled in. */
  snapshotStats(): TcpStats {
    return { ...this.stats, currEstab: this.established };
  }

  // ---- receive ---------------------------------------------------------------------------------

  /** tcp_v4_rcv(): skb.data at the TCP header, networkHeader at the IPv4 header. */
  rcv4(skb: SkBuff): void {
    const b = skb.buf;
    const nh = skb.networkHeader;
    this.src4.addr = ipSaddr(b, nh) >>> 0;
    this.dst4.addr = ipDaddr(b, nh) >>> 0;
    if (isLocalBroadcast(this.dst4.addr) || this.inet.isLocalBroadcast(this.dst4.addr)) {
      // tcp_v4_conn_request never answers a SYN sent to a broadcast address, tcp_v4_send_reset
      // no segment to one (RTN_LOCAL only), and no socket has one as its address.
      this.stats.inSegs++;
      this.statsExt.tcpNotHost++;
      return;
    }
    this.rcv(skb, this.v4, this.src4, this.dst4);
  }

  /** tcp_v6_rcv(). */
  rcv6(skb: SkBuff): void {
    if (this.v6 === null) return;
    const b = skb.buf;
    const nh = skb.networkHeader;
    b.copy(this.src6.addr, 0, nh + IP6H_SADDR_OFF, nh + IP6H_SADDR_OFF + 16);
    b.copy(this.dst6.addr, 0, nh + IP6H_DADDR_OFF, nh + IP6H_DADDR_OFF + 16);
    if (this.dst6.addr[0] === 0xff) {
      // tcp_v6_conn_request and tcp_v6_send_reset answer unicast destinations only
      // (ipv6_unicast_destination), and no socket has a multicast address as its own.
      this.stats.inSegs++;
      this.statsExt.tcpNotHost++;
      return;
    }
    // Link-local peers are told apart by the interface (the zone of a scoped address).
    const scope = ipv6AddrScope(this.src6.addr) === 0x02 ? (skb.dev?.ifindex ?? 0) : 0;
    this.src6.scopeId = scope;
    this.dst6.scopeId = scope;
    this.rcv(skb, this.v6, this.src6, this.dst6);
  }

  private rcv(skb: SkBuff, af: TcpAfOps, src: TcpAddr, dst: TcpAddr): void {
    const st = this.stats;
    const x = this.statsExt;
    st.inSegs++;
    if (skb.pktType !== PACKET_HOST) {
      // A segment for another host or to a broadcast/multicast address is not ours.
      x.tcpNotHost++;
      return;
    }
    const b = skb.buf;
    const off = skb.data;
    const len = skb.len;
    if (len < TCP_HLEN) {
      x.tcpBadHeader++;
      st.inErrs++;
      return;
    }
    const doff = tcpDoff(b, off);
    if (doff < TCP_HLEN || doff > len) {
      x.tcpBadHeader++;
      st.inErrs++;
      return;
    }
    // tcp_checksum_complete(): skipped when the device vouches (skb_csum_unnecessary), which
    // a partial checksum from the local kernel also does.
    if (skb.ipSummed === CHECKSUM_NONE && csumFold(csumPartial(b, off, len, af.pseudo(src, dst, len))) !== 0) {
      st.inCsumErrors++;
      st.inErrs++;
      return;
    }
    const s = this.seg;
    s.buf = b;
    s.off = off;
    s.flags = tcpFlags(b, off);
    s.seq = tcpSeq(b, off);
    s.ack = tcpAckSeq(b, off);
    s.window = tcpWindow(b, off);
    s.payloadOff = off + doff;
    s.payloadLen = len - doff;
    s.gsoSize = skb.gsoSize;
    s.endSeq = seqAdd(s.seq, s.payloadLen + (s.flags & TCPHDR_SYN ? 1 : 0) + (s.flags & TCPHDR_FIN ? 1 : 0));
    tcpParseOptions(b, off, doff, (s.flags & TCPHDR_SYN) !== 0, s.opts);
    if (s.opts.malformed) x.tcpBadOptions++;
    const sport = tcpSport(b, off);
    const dport = tcpDport(b, off);
    this.curAf = af;
    this.curSrc = src;
    this.curDst = dst;
    this.dispatch(af, src, dst, sport, dport, s);
  }

  private dispatch(af: TcpAfOps, src: TcpAddr, dst: TcpAddr, sport: number, dport: number, s: TcpSegIn): void {
    const sk = this.lookupEstablished(src, sport, dst, dport);
    if (sk !== null) {
      tcpRcvStateProcess(sk, s);
      return;
    }
    const l = this.lookupListener(dst, dport);
    if (l !== null) {
      this.listenRcv(l, af, src, dst, sport, dport, s);
      return;
    }
    this.statsExt.tcpNoPort++;
    // tcp_v4_send_reset(): never in answer to a RST.
    if (!(s.flags & TCPHDR_RST)) this.sendResetFor(af, dst, src, dport, sport, s);
  }

  /** A segment processed again after TIME_WAIT gave its 4-tuple up (a new SYN on an old connection). */
  redeliver(s: TcpSegIn): void {
    if (this.curAf === null || this.curSrc === null || this.curDst === null) return;
    this.dispatch(this.curAf, this.curSrc, this.curDst, tcpSport(s.buf, s.off), tcpDport(s.buf, s.off), s);
  }

  /** The RST answering segment `s` that came from `remote` to `local`. */
  sendResetFor(af: TcpAfOps, local: TcpAddr, remote: TcpAddr, lport: number, rport: number, s: TcpSegIn): void {
    if (s.flags & TCPHDR_RST) return;
    tcpSendResetReply(this, af, local, remote, lport, rport, (s.flags & TCPHDR_ACK) !== 0, s.ack, s.endSeq);
  }

  // ---- tables ----------------------------------------------------------------------------------

  private lookupEstablished(src: TcpAddr, sport: number, dst: TcpAddr, dport: number): TcpSock | null {
    const list = this.ehash.get(ehashKey(src, sport, dport));
    if (!list) return null;
    for (const sk of list) {
      if (sk.remotePort === sport && sk.localPort === dport && addrEqual(sk.remote, src) && addrEqual(sk.local, dst)) {
        if (sk.remote.family === 6 && sk.remote.scopeId && src.family === 6 && src.scopeId && sk.remote.scopeId !== src.scopeId) continue;
        return sk;
      }
    }
    return null;
  }

  /** __inet_lookup_listener(): an exact local address before the wildcard; IPv4 before dual-stack IPv6. */
  private lookupListener(dst: TcpAddr, dport: number): TcpListenSock | null {
    const list = this.lhash.get(dport);
    if (!list) return null;
    let best: TcpListenSock | null = null;
    let bestScore = -1;
    for (const l of list) {
      let score: number;
      if (l.family === dst.family) {
        if (l.local !== null) {
          if (!addrEqual(l.local, dst)) continue;
          score = 4;
        } else score = 2;
        if (dst.family === 4 && l.family === 4) score++;
      } else if (l.family === 6 && dst.family === 4 && !l.ipv6Only && (l.local === null || ipv6AddrAny(l.local.addr as Uint8Array))) {
        score = 1;
      } else continue;
      if (score > bestScore) {
        best = l;
        bestScore = score;
      }
    }
    return best;
  }

  private hash(sk: TcpSock): void {
    const k = ehashKey(sk.remote, sk.remotePort, sk.localPort);
    const list = this.ehash.get(k);
    if (list) list.push(sk);
    else this.ehash.set(k, [sk]);
    this.socks.add(sk);
  }

  /** Removes a finished connection from the tables (inet_unhash). */
  unhash(sk: TcpSock): void {
    const k = ehashKey(sk.remote, sk.remotePort, sk.localPort);
    const list = this.ehash.get(k);
    if (list) {
      const i = list.indexOf(sk);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.ehash.delete(k);
    }
    this.socks.delete(sk);
  }

  /** State bookkeeping for CurrEstab. */
  onStateChange(_sk: TcpSock, old: number, st: number): void {
    const was = old === TCP_ESTABLISHED || old === TCP_CLOSE_WAIT;
    const is = st === TCP_ESTABLISHED || st === TCP_CLOSE_WAIT;
    if (was && !is) this.established--;
    else if (!was && is) this.established++;
  }

  /** tcp_push_pending_frames for the timers. */
  output(sk: TcpSock): void {
    tcpWriteXmit(sk);
  }

  private portInUse(port: number, remote: TcpAddr, rport: number, local: TcpAddr): boolean {
    if (this.lhash.has(port)) return true;
    const list = this.ehash.get(ehashKey(remote, rport, port));
    if (list) for (const sk of list) if (sk.localPort === port && sk.remotePort === rport && addrEqual(sk.remote, remote) && addrEqual(sk.local, local)) return true;
    return false;
  }

  /**
   * __inet_hash_connect(): an ephemeral port from net.ipv4.ip_local_port_range, starting where the
   * keyed hash of the destination says and stepping by 2 over even ports first (connect() takes
   * even ports, bind(0) odd ones, as Linux 6 does).
   */
  private pickPort(af: TcpAfOps, local: TcpAddr, remote: TcpAddr, rport: number): number {
    const [low, high] = this.conf.ipLocalPortRange;
    const range = high - low + 1;
    const offset = (this.secure.portOffset(af.bytes(local), af.bytes(remote), rport) + Math.floor(this.random() * range)) % range;
    for (const parity of [0, 1]) {
      let p = low + (offset & ~1) + parity;
      for (let i = 0; i < range; i += 2) {
        if (p > high) p = low + ((p - low) % range);
        if ((p & 1) === ((low + parity) & 1) || true) {
          if (p >= low && p <= high && (p & 1) === parity && !this.portInUse(p, remote, rport, local)) return p;
        }
        p += 2;
      }
    }
    throw new StackError(EADDRNOTAVAIL);
  }

  // ---- connect -----------------------------------------------------------------------------------

  /** A new connection's windows, scale and MSS (tcp_connect_init / tcp_select_initial_window). */
  private initSock(sk: TcpSock, mtu: number, peerMssTs: boolean): void {
    const c = this.conf;
    sk.advmss = Math.min(mtu, 65535) - sk.af.netHdrLen - TCP_HLEN;
    sk.pmtu = mtu;
    sk.mssClamp = sk.advmss;
    sk.mssCache = Math.min(sk.advmss, 536);
    // The initial window: the window-worth of tcp_rmem[1], rounded down to the MSS we expect.
    const space = tcpWinFromSpace(sk.rcvbuf);
    const mss = sk.advmss - (peerMssTs ? 12 : 0);
    sk.rcvWnd = space > mss ? Math.floor(space / mss) * mss : space;
    sk.rcvWnd = Math.min(sk.rcvWnd, 65535);
    let wscale = 0;
    if (c.tcpWindowScaling) {
      let s = Math.max(c.tcpRmem[2], 212992);
      while (s > 65535 && wscale < 14) {
        s >>>= 1;
        wscale++;
      }
    }
    sk.rcvWscale = wscale;
    sk.windowClamp = tcpWinFromSpace(c.tcpRmem[2]);
    sk.rcvSsthresh = sk.rcvWnd;
    const ops = tcpCaFind(c.tcpCongestionControl) ?? tcpCaFind('reno')!;
    sk.congName = ops.name;
    sk.cong = ops.create(sk);
    sk.tsOffset = this.secure.tsOff(sk.af.bytes(sk.local), sk.af.bytes(sk.remote));
  }

  /**
   * tcp_v4_connect() / tcp_v6_connect(): route, source address, ephemeral port, ISN, then the
   * SYN. Immediate failures throw StackError (ENETUNREACH, EADDRNOTAVAIL, EADDRINUSE, EAFNOSUPPORT).
   */
  connect(o: TcpConnectOptions, user: TcpSockUser): TcpSock {
    const remote = copyAddr(o.remote);
    const af = remote.family === 4 ? this.v4 : this.v6;
    if (af === null) throw new StackError(EAFNOSUPPORT);
    if (!Number.isInteger(o.port) || o.port <= 0 || o.port > 65535) throw new StackError(EINVAL);
    const r = af.route(remote, o.local ?? null);
    if (typeof r === 'number') throw new StackError(r);
    const local = r.saddr;
    let port: number;
    if (o.localPort) {
      if (this.portInUse(o.localPort, remote, o.port, local)) throw new StackError(EADDRINUSE);
      port = o.localPort;
    } else port = this.pickPort(af, local, remote, o.port);
    const sk = new TcpSock(this, af, local, port, remote, o.port);
    sk.user = user;
    if (o.noDelay) sk.nodelay = true;
    this.initSock(sk, r.mtu, false);
    sk.routeDev = r.dev;
    sk.iss = this.secure.isn(af.bytes(local), af.bytes(remote), port, o.port, this.clock.now());
    sk.sndUna = sk.iss;
    sk.sndNxt = seqAdd(sk.iss, 1);
    sk.sndSml = sk.sndNxt;
    this.hash(sk);
    sk.state = TCP_SYN_SENT;
    this.stats.activeOpens++;
    // The SYN sits on the retransmit queue like data, so its ACK is what clean_rtx_queue sees.
    sk.rtx.push(new TcpSeg(sk.iss, sk.sndNxt, TCPHDR_SYN, Buffer.alloc(0)), this.nowUs());
    tcpSendSyn(sk);
    tcpResetXmitTimer(sk, ICSK_TIME_RETRANS, TCP_TIMEOUT_INIT);
    return sk;
  }

  // ---- listen ------------------------------------------------------------------------------------

  /** inet_csk_get_port() + inet_csk_listen_start(). EADDRINUSE when another listener holds it. */
  listen(o: TcpListenOptions, user: TcpListenUser): TcpListenSock {
    if (o.family === 6 && this.v6 === null) throw new StackError(EAFNOSUPPORT);
    if (o.local !== null) {
      if (o.local.family !== o.family) throw new StackError(EINVAL);
      const isAny = o.local.family === 4 ? o.local.addr === 0 : ipv6AddrAny(o.local.addr);
      if (!isAny) {
        const ok = o.local.family === 4 ? this.inet.isLocalAddr(o.local.addr) : this.inet6!.fib.isLocalAddr(o.local.addr, 0);
        if (!ok) throw new StackError(EADDRNOTAVAIL);
      }
    }
    const local = o.local === null || (o.local.family === 4 ? o.local.addr === 0 : ipv6AddrAny(o.local.addr)) ? null : copyAddr(o.local);
    let port = o.port;
    if (port === 0) {
      // bind(0) takes odd ports (inet_csk_find_open_port).
      const [low, high] = this.conf.ipLocalPortRange;
      const range = high - low + 1;
      let p = low + (Math.floor(this.random() * range) | 1);
      for (let i = 0; i < range; i++, p += 2) {
        if (p > high) p = low + 1;
        if (!this.lhash.has(p)) break;
      }
      port = p;
    }
    for (const l of this.lhash.get(port) ?? []) if (this.listenConflict(l, o.family, local, o.ipv6Only ?? false)) throw new StackError(EADDRINUSE);
    const backlog = Math.min(Math.max(o.backlog, 0), this.conf.somaxconn);
    const l = new TcpListenSock(this, o.family, local, port, backlog, o.ipv6Only ?? false, user, this.inodeNext++);
    const list = this.lhash.get(port);
    if (list) list.push(l);
    else this.lhash.set(port, [l]);
    this.listeners.add(l);
    return l;
  }

  /** inet_bind_conflict() for two listeners on one port. */
  private listenConflict(l: TcpListenSock, family: 4 | 6, local: TcpAddr | null, ipv6Only: boolean): boolean {
    if (l.family === family) return l.local === null || local === null || addrEqual(l.local, local);
    // An IPv4 socket and a dual-stack IPv6 wildcard collide; an IPv6-only one does not.
    const v6 = l.family === 6 ? l : null;
    if (v6 !== null) return !v6.ipv6Only && v6.local === null;
    return !ipv6Only && local === null;
  }

  /** inet_csk_listen_stop(): request socks dropped, unaccepted children reset. */
  closeListener(l: TcpListenSock): void {
    if (l.closed) return;
    l.closed = true;
    const list = this.lhash.get(l.port);
    if (list) {
      const i = list.indexOf(l);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.lhash.delete(l.port);
    }
    this.listeners.delete(l);
    for (const rs of l.synQueue.values()) for (const r of rs) r.timer.del();
    l.synQueue.clear();
    l.synQueueLen = 0;
    for (const sk of l.acceptQueue.splice(0)) {
      sk.parent = null;
      sk.abort();
    }
  }

  /** The SYN-ACK of a request sock (tcp_v4_send_synack / tcp_make_synack). */
  private sendSynAck(r: TcpRequestSock, cookieTs = -1): void {
    this.sendReqSegment(r, true, cookieTs);
  }

  /**
   * tcp_v4_reqsk_send_ack(): a request's answer to an out-of-window segment — SEQ = ISS + 1,
   * ACK = IRS + 1, the SYN-ACK's window scaled down by our shift, timestamps only.
   */
  private sendReqAck(r: TcpRequestSock): void {
    this.sendReqSegment(r, false, -1);
  }

  /**
   * tcp_oow_rate_limited() for a request: a retransmitted SYN or an out-of-window segment is
   * answered at most once per tcp_invalid_ratelimit (TCPACKSkippedSynRecv); data never waits.
   */
  private reqOowRateLimited(r: TcpRequestSock, s: TcpSegIn): boolean {
    if (s.payloadLen > 0 && !(s.flags & TCPHDR_SYN)) return false;
    const now = this.clock.now();
    if (r.lastOowAckMs >= 0 && now - r.lastOowAckMs < this.conf.tcpInvalidRatelimit) {
      this.statsExt.tcpAckSkippedSynRecv++;
      return true;
    }
    r.lastOowAckMs = now;
    return false;
  }

  /** A request sock's SYN-ACK (`syn`) or bare ACK. */
  private sendReqSegment(r: TcpRequestSock, syn: boolean, cookieTs: number): void {
    const o = newOutOptions();
    const mtu = this.routeCaps(r.af, r.remote).mtu;
    const mssOpt = mtu - r.af.netHdrLen - TCP_HLEN;
    o.mss = syn ? mssOpt : 0;
    o.sackOk = syn && r.sackOk;
    o.ts = r.tsOk;
    o.tsval = cookieTs >= 0 ? cookieTs : ((Math.floor(this.clock.now()) + this.secure.tsOff(r.af.bytes(r.local), r.af.bytes(r.remote))) >>> 0);
    // tcp_make_synack(): the first SYN-ACK's time, for the handshake's RTT (not a cookie's).
    if (syn && cookieTs < 0 && r.sntSynackMs < 0) r.sntSynackMs = this.clock.now();
    o.tsecr = r.tsRecent;
    const wscale = r.wscale >= 0 ? this.rcvWscaleFor() : -1;
    o.wscale = syn ? wscale : -1;
    const optLen = tcpOptionsSize(o);
    const hlen = TCP_HLEN + optLen;
    const skb = allocSkb(hlen, LL_RESERVED_SPACE + r.af.netHdrLen);
    const p = skb.put(hlen);
    const b = skb.buf;
    const space = tcpWinFromSpace(this.conf.tcpRmem[1]);
    const mss = mssOpt - (r.tsOk ? 12 : 0);
    const win = Math.min(space > mss ? Math.floor(space / mss) * mss : space, 65535);
    if (syn) tcpHeaderWrite(b, p, r.listener.port, r.remotePort, r.iss, seqAdd(r.irs, 1), hlen, TCPHDR_SYN | TCPHDR_ACK, win);
    else tcpHeaderWrite(b, p, r.listener.port, r.remotePort, seqAdd(r.iss, 1), seqAdd(r.irs, 1), hlen, TCPHDR_ACK, win >>> Math.max(wscale, 0));
    tcpOptionsWrite(b, p + TCP_HLEN, o);
    const csum = csumFold(csumPartial(b, p, hlen, r.af.pseudo(r.local, r.remote, hlen)));
    b[p + 16] = csum >>> 8;
    b[p + 17] = csum & 0xff;
    this.stats.outSegs++;
    r.af.xmit(skb, r.local, r.remote, 0, -1);
  }

  private rcvWscaleFor(): number {
    let wscale = 0;
    if (this.conf.tcpWindowScaling) {
      let s = Math.max(this.conf.tcpRmem[2], 212992);
      while (s > 65535 && wscale < 14) {
        s >>>= 1;
        wscale++;
      }
    }
    return wscale;
  }

  /** The path MTU towards `remote` and the device it leaves by (1500 and null without a route). */
  private routeCaps(af: TcpAfOps, remote: TcpAddr): { mtu: number; dev: NetDevice | null } {
    const r = af.route(remote, null);
    return typeof r === 'number' ? { mtu: 1500, dev: null } : { mtu: Math.min(r.mtu, 65535), dev: r.dev };
  }

  /** reqsk_timer_handler(): SYN-ACK again at 1, 2, 4, 8, 16 s; dropped after tcp_synack_retries. */
  reqTimer(r: TcpRequestSock): void {
    if (r.numRetrans >= this.conf.tcpSynackRetries) {
      r.listener.removeRequest(r);
      return;
    }
    r.numRetrans++;
    this.stats.retransSegs++;
    this.statsExt.tcpSynRetrans++;
    this.sendSynAck(r);
    r.timer.mod(this.clock.now() + TCP_TIMEOUT_INIT * 2 ** r.numRetrans);
  }

  /** The cookie's tuple (remote, local, ports) into the scratch; returns its length. */
  private cookieTuple(af: TcpAfOps, local: TcpAddr, remote: TcpAddr, lport: number, rport: number): number {
    return tupleInto(this.tupleScratch, af.bytes(remote), af.bytes(local), rport, lport);
  }
  private readonly tupleScratch = new Uint8Array(40);

  /**
   * A segment for a listener (tcp_v4_do_rcv in LISTEN, tcp_conn_request, tcp_check_req): a SYN
   * makes a request sock (or a SYN cookie when the SYN queue is full), the handshake's ACK makes
   * the child, anything else is answered with RST.
   */
  private listenRcv(l: TcpListenSock, af: TcpAfOps, src: TcpAddr, dst: TcpAddr, sport: number, dport: number, s: TcpSegIn): void {
    const x = this.statsExt;
    const key = ehashKey(src, sport, dport);
    const req = l.findRequest(key, src, sport);
    // __inet_lookup_skb() finds the request sock before its listener: tcp_check_req() has it all.
    if (req !== null) {
      this.checkReq(l, req, s);
      return;
    }
    if (s.flags & TCPHDR_RST) {
      x.tcpResetDrop++;
      return;
    }
    if (s.flags & TCPHDR_ACK) {
      if (!(s.flags & TCPHDR_SYN) && this.conf.tcpSyncookies) {
        if (this.cookieCheck(l, af, src, dst, sport, dport, s)) return;
      }
      this.sendResetFor(af, dst, src, dport, sport, s);
      return;
    }
    if (!(s.flags & TCPHDR_SYN)) {
      x.tcpFlagsDrop++;
      return;
    }
    if (s.flags & TCPHDR_FIN) {
      // SYN+FIN is nonsense; Linux drops it in tcp_rcv_state_process's LISTEN checks.
      x.tcpFlagsDrop++;
      return;
    }
    const o = s.opts;
    // tcp_conn_request(): inet_csk_reqsk_queue_is_full() — more requests than the backlog (so
    // backlog + 1 fit, as Linux 6.x: listen(fd, 8) holds 9 in SYN-RECV) — or tcp_syncookies=2
    // is tcp_syn_flood_action(): a cookie (TCPReqQFullDoCookies) or, without cookies, a drop.
    let wantCookie = false;
    if (this.conf.tcpSyncookies === 2 || l.synQueueLen > l.backlog) {
      if (!l.synfloodWarned && this.conf.tcpSyncookies !== 2) {
        // Once per listener, in the listener's family; the request's family names the slab.
        l.synfloodWarned = true;
        const a = l.local;
        const where = a === null ? (l.family === 6 ? '[::]' : '0.0.0.0') : a.family === 6 ? `[${formatIn6(a.addr)}]` : formatIPv4(a.addr);
        this.onLog?.(`TCP: request_sock_TCP${af.family === 6 ? 'v6' : ''}: Possible SYN flooding on port ${where}:${l.port}. ${this.conf.tcpSyncookies ? 'Sending cookies' : 'Dropping request'}.`);
      }
      if (!this.conf.tcpSyncookies) {
        x.tcpReqQFullDrop++;
        x.listenDrops++;
        return;
      }
      x.tcpReqQFullDoCookies++;
      wantCookie = true;
    }
    // Then sk_acceptq_is_full(): no room for another child, cookie or not.
    if (l.acceptQueueFull) {
      x.listenOverflows++;
      x.listenDrops++;
      return;
    }
    const local = copyAddr(dst);
    const remote = copyAddr(src);
    const c = this.conf;
    const sackOk = o.sackOk && c.tcpSack !== 0;
    const tsOk = o.sawTstamp && c.tcpTimestamps !== 0;
    const wscale = c.tcpWindowScaling ? o.wscale : -1;
    if (wantCookie) {
      x.syncookiesSent++;
      l.lastOverflowMs = this.clock.now();
      const tab = af.family === 4 ? MSSTAB_V4 : MSSTAB_V6;
      const idx = cookieMssIndex(tab, o.mss || 536);
      const cookie = this.cookies.make(this.tupleScratch, this.cookieTuple(af, local, remote, dport, sport), s.seq, idx, this.clock.now());
      const r = new TcpRequestSock(l, af, local, remote, sport, cookie, s.seq, tab[idx], wscale, sackOk, tsOk, o.rcvTsval, s.window, key);
      const tsNow = (Math.floor(this.clock.now()) + this.secure.tsOff(af.bytes(local), af.bytes(remote))) >>> 0;
      // Without timestamps a cookie cannot remember wscale or SACK (Linux drops them too).
      this.sendSynAck(r, tsOk ? cookieTimestamp(tsNow, { wscale, sackOk }) : -1);
      return;
    }
    const iss = this.secure.isn(af.bytes(local), af.bytes(remote), dport, sport, this.clock.now());
    const r = new TcpRequestSock(l, af, local, remote, sport, iss, s.seq, o.mss, wscale, sackOk, tsOk, o.rcvTsval, s.window, key);
    l.addRequest(r);
    this.sendSynAck(r);
    r.timer.mod(this.clock.now() + TCP_TIMEOUT_INIT);
  }

  /** cookie_v4_check(): an ACK that carries a valid cookie becomes a connection. */
  private cookieCheck(l: TcpListenSock, af: TcpAfOps, src: TcpAddr, dst: TcpAddr, sport: number, dport: number, s: TcpSegIn): boolean {
    const x = this.statsExt;
    // tcp_synq_no_recent_overflow(): only a listener that sent cookies lately takes them back.
    if (this.clock.now() - l.lastOverflowMs > TCP_SYNCOOKIE_VALID_MS) return false;
    const n = this.cookieTuple(af, dst, src, dport, sport);
    const idx = this.cookies.check(this.tupleScratch, n, (s.ack - 1) >>> 0, (s.seq - 1) >>> 0, this.clock.now());
    if (idx < 0) {
      x.syncookiesFailed++;
      return false;
    }
    x.syncookiesRecv++;
    if (l.acceptQueueFull) {
      // tcp_v4_syn_recv_sock's exit_overflow: the ACK is dropped, the client will retransmit.
      x.listenOverflows++;
      x.listenDrops++;
      return true;
    }
    const tab = af.family === 4 ? MSSTAB_V4 : MSSTAB_V6;
    const tsOk = s.opts.sawTstamp && this.conf.tcpTimestamps !== 0;
    const dec = tsOk ? cookieTimestampDecode(s.opts.rcvTsecr) : { wscale: -1, sackOk: false };
    const r = new TcpRequestSock(l, af, copyAddr(dst), copyAddr(src), sport, (s.ack - 1) >>> 0, (s.seq - 1) >>> 0, tab[idx], dec.wscale, dec.sackOk, tsOk, s.opts.rcvTsval, s.window, ehashKey(src, sport, dport));
    this.createChild(l, r, s);
    return true;
  }

  /**
   * tcp_check_req(): a segment for a request sock (SYN_RECV), in RFC 9293's order — a pure
   * retransmitted SYN gets the SYN-ACK again; an ACK must acknowledge the SYN-ACK exactly (else
   * the listener's RST); the sequence must be in the window offered; then a RST or SYN ends the
   * request (AttemptFails, EmbryonicRsts; a SYN is answered with RST); only an ACK completes it.
   */
  private checkReq(l: TcpListenSock, r: TcpRequestSock, s: TcpSegIn): void {
    const x = this.statsExt;
    const flg = s.flags & (TCPHDR_RST | TCPHDR_SYN | TCPHDR_ACK);
    if (flg === TCPHDR_SYN && s.seq === r.irs) {
      // "Check for pure retransmitted SYN": the SYN-ACK again, rate-limited.
      if (!this.reqOowRateLimited(r, s)) this.sendSynAck(r);
      return;
    }
    if ((flg & TCPHDR_ACK) !== 0 && s.ack !== seqAdd(r.iss, 1)) {
      // "Invalid ACK: reset will be sent by listening socket" (never in answer to a RST).
      if (flg & TCPHDR_RST) x.tcpResetDrop++;
      else this.sendResetFor(r.af, r.local, r.remote, l.port, r.remotePort, s);
      return;
    }
    const rcvNxt = seqAdd(r.irs, 1);
    // tcp_in_window(seq, end_seq, rcv_nxt, rcv_nxt + the window of the SYN-ACK).
    const inWindow = s.seq === rcvNxt || (after(s.endSeq, rcvNxt) && before(s.seq, seqAdd(rcvNxt, 65535)));
    if (!inWindow) {
      // "Out of window: send ACK and drop" (rate-limited); a RST there is only dropped.
      if (flg & TCPHDR_RST) x.tcpResetDrop++;
      else if (!this.reqOowRateLimited(r, s)) this.sendReqAck(r);
      return;
    }
    if (flg & (TCPHDR_RST | TCPHDR_SYN)) {
      // "second check the RST bit" and "fourth, check the SYN bit": embryonic_reset.
      this.stats.attemptFails++;
      if (!(flg & TCPHDR_RST)) this.sendResetFor(r.af, r.local, r.remote, l.port, r.remotePort, s);
      l.removeRequest(r);
      x.embryonicRsts++;
      return;
    }
    if (!(flg & TCPHDR_ACK)) {
      // "If ACK not set, just silently drop the packet" — counted here.
      x.tcpFlagsDrop++;
      return;
    }
    if (l.acceptQueueFull) {
      this.statsExt.listenOverflows++;
      this.statsExt.listenDrops++;
      return;
    }
    l.removeRequest(r);
    this.createChild(l, r, s);
  }

  /** tcp_create_openreq_child() + inet_csk_reqsk_queue_add(): the child joins the accept queue. */
  private createChild(l: TcpListenSock, r: TcpRequestSock, s: TcpSegIn): void {
    const sk = new TcpSock(this, r.af, r.local, l.port, r.remote, r.remotePort);
    sk.v4mapped = l.family === 6 && r.af.family === 4;
    const rc = this.routeCaps(r.af, r.remote);
    this.initSock(sk, rc.mtu, r.tsOk);
    sk.routeDev = rc.dev;
    sk.iss = r.iss;
    sk.sndUna = seqAdd(r.iss, 1);
    sk.sndNxt = sk.sndUna;
    sk.sndSml = sk.sndNxt;
    sk.irs = r.irs;
    sk.rcvNxt = seqAdd(r.irs, 1);
    sk.rcvWup = sk.rcvNxt;
    sk.sndWl1 = r.irs;
    const o = this.seg.opts;
    // The negotiated options are the request's, not this ACK's.
    const saved = { mss: o.mss, wscale: o.wscale, sackOk: o.sackOk, sawTstamp: o.sawTstamp, rcvTsval: o.rcvTsval };
    o.mss = r.mss;
    o.wscale = r.wscale;
    o.sackOk = r.sackOk;
    o.sawTstamp = r.tsOk;
    o.rcvTsval = r.tsRecent;
    tcpApplySynOptions(sk, o, 0);
    Object.assign(o, saved);
    if (!sk.wscaleOk) sk.rcvWscale = 0;
    if (sk.tsOk) sk.tsOffset = this.secure.tsOff(r.af.bytes(r.local), r.af.bytes(r.remote));
    sk.sndWnd = s.window << sk.sndWscale;
    sk.maxWindow = sk.sndWnd;
    sk.sndWl2 = s.ack;
    tcpSynackRttMeas(sk, r.sntSynackMs, r.numRetrans, s);
    this.hash(sk);
    sk.state = TCP_CLOSE;
    tcpFinishConnect(sk);
    this.stats.passiveOpens++;
    sk.parent = l;
    l.acceptQueue.push(sk);
    // The ACK may carry data already.
    if (s.payloadLen > 0 || (s.flags & TCPHDR_FIN)) tcpRcvStateProcess(sk, s);
    l.user.onAcceptable();
  }

  // ---- ICMP errors -------------------------------------------------------------------------------

  /** tcp_v4_err(): `inner` is the quoted IPv4 header of one of our segments. */
  icmpError(type: number, code: number, info: number, _from: number, buf: Buffer, inner: number, innerLen: number): void {
    const ihl = ipIhlBytes(buf, inner);
    if (innerLen < ihl + 8) return;
    const t = inner + ihl;
    this.src4.addr = ipSaddr(buf, inner) >>> 0;
    this.dst4.addr = ipDaddr(buf, inner) >>> 0;
    const sk = this.lookupEstablished(this.dst4, tcpDport(buf, t), this.src4, tcpSport(buf, t));
    if (sk === null) return;
    // tcp_v4_err(): only an error about a sequence we have in flight (una..nxt) is believed.
    if (!between(tcpSeq(buf, t), sk.sndUna, sk.sndNxt)) {
      this.statsExt.outOfWindowIcmps++;
      return;
    }
    let err = 0;
    if (type === ICMP_DEST_UNREACH) {
      if (code === ICMP_FRAG_NEEDED) {
        // PMTU discovery (RFC 1191): the next-hop MTU lowers the MSS, what was lost goes again.
        if (info >= 68 && info < sk.pmtu) this.pmtuReduce(sk, info);
        return;
      }
      const conv: readonly number[] = [ENETUNREACH, EHOSTUNREACH, -92, ECONNREFUSED, EMSGSIZE, EOPNOTSUPP, ENETUNREACH, -112, -64, ENETUNREACH, EHOSTUNREACH, ENETUNREACH, EHOSTUNREACH, EHOSTUNREACH, EHOSTUNREACH, EHOSTUNREACH];
      if (code > 15) return;
      err = -Math.abs(conv[code]);
    } else if (type === ICMP_TIME_EXCEEDED) {
      err = -EHOSTUNREACH;
    } else if (type === ICMP_PARAMETERPROB) {
      err = -71;
    } else return;
    this.icmpErr(sk, err);
  }

  /** tcp_v6_err(). */
  icmp6Error(type: number, code: number, info: number, _from: Buffer, buf: Buffer, inner: number, innerLen: number): void {
    if (innerLen < 40 + 8) return;
    const t = inner + 40;
    buf.copy(this.src6.addr, 0, inner + 8, inner + 24);
    buf.copy(this.dst6.addr, 0, inner + 24, inner + 40);
    this.src6.scopeId = 0;
    this.dst6.scopeId = 0;
    const sk = this.lookupEstablished(this.dst6, tcpDport(buf, t), this.src6, tcpSport(buf, t));
    if (sk === null) return;
    if (!between(tcpSeq(buf, t), sk.sndUna, sk.sndNxt)) {
      this.statsExt.outOfWindowIcmps++;
      return;
    }
    let err: number;
    if (type === 2) {
      // Packet Too Big.
      if (info >= 1280 && info < sk.pmtu) this.pmtuReduce(sk, info);
      return;
    }
    if (type === 1) err = code === 4 ? -ECONNREFUSED : code === 1 ? -EHOSTUNREACH : code === 0 ? -ENETUNREACH : -EHOSTUNREACH;
    else if (type === 3) err = -EHOSTUNREACH;
    else if (type === 4) err = -71;
    else return;
    this.icmpErr(sk, err);
  }

  /** In SYN_SENT an ICMP error ends the attempt; later it is a soft error for the timeout to report. */
  private icmpErr(sk: TcpSock, err: number): void {
    if (sk.state === TCP_SYN_SENT) {
      this.stats.attemptFails++;
      tcpDone(sk, err);
    } else {
      sk.softErr = err;
    }
  }

  /** tcp_v4_mtu_reduced(): a smaller MSS, and the segments sent too big go again. */
  private pmtuReduce(sk: TcpSock, mtu: number): void {
    tcpSyncMss(sk, mtu);
    const q = sk.rtx;
    for (let i = 0; i < q.length; i++) {
      const seg = q.at(i);
      if (seg.data.length > sk.mssCache) {
        // Re-segment: the unsent queue takes the big segment's data back behind what is queued.
        // (tcp_simple_retransmit marks them lost; here they are simply retransmitted in pieces.)
        q.markLost(seg);
      }
    }
    const head = q.head();
    if (head !== null && head.data.length > sk.mssCache) {
      // Send the head again in MSS pieces (the peer takes overlapping data fine).
      for (let off = 0; off < head.data.length; off += sk.mssCache) {
        const n = Math.min(sk.mssCache, head.data.length - off);
        const piece = new TcpSeg(seqAdd(head.seq, off), seqAdd(head.seq, off + n), 0, head.data.subarray(off, off + n));
        tcpRetransmitSeg(sk, piece);
      }
    } else if (head !== null) {
      tcpRetransmitSeg(sk, head);
    }
  }

  // ---- inspection and teardown ---------------------------------------------------------------------

  /** A snapshot for ss and /proc/net/tcp. */
  sockInfo(sk: TcpSock): TcpSockInfo {
    const now = this.clock.now();
    let timer: TcpSockInfo['timer'] = null;
    let expires = 0;
    // An orphan in FIN-WAIT-2 waiting out tcp_fin_timeout is, in Linux, a timewait minisock with
    // tw_substate FIN_WAIT2 (tcp_time_wait): listed as such, with no inode and no tcp_info.
    const tw = sk.state === TCP_TIME_WAIT || (sk.state === TCP_FIN_WAIT2 && sk.orphan && sk.twTimer.pending);
    if (tw) {
      timer = 'timewait';
      expires = sk.twTimer.expires - now;
    } else if (sk.rtxTimer.pending) {
      timer = sk.pending === ICSK_TIME_PROBE0 ? 'persist' : 'on';
      expires = sk.rtxTimer.expires - now;
    } else if (sk.keepaliveTimer.pending) {
      timer = 'keepalive';
      expires = sk.keepaliveTimer.expires - now;
    } else if (sk.delackTimer.pending) {
      timer = 'delack';
      expires = sk.delackTimer.expires - now;
    }
    const info: TcpInfo | null =
      tw
        ? null
        : {
            rtoMs: sk.rtoMs,
            // icsk_ack.ato and .quick start at 0 and are set by the first data segment (tcp_event_data_recv).
            atoMs: sk.dataSegsIn > 0 ? sk.atoMs : 0,
            sndMss: sk.mssCache,
            rcvMss: sk.rcvMss,
            advMss: sk.advmss,
            pmtu: sk.pmtu,
            rttUs: sk.srttUs,
            rttVarUs: sk.rttvarUs,
            minRttUs: sk.minRttUs,
            sndCwnd: sk.sndCwnd,
            sndSsthresh: sk.sndSsthresh,
            sndWscale: sk.wscaleOk ? sk.sndWscale : -1,
            rcvWscale: sk.wscaleOk ? sk.rcvWscale : -1,
            timestamps: sk.tsOk,
            sack: sk.sackOk,
            congestion: sk.congName,
            bytesSent: sk.bytesSent,
            bytesRetrans: sk.bytesRetrans,
            bytesAcked: sk.bytesAcked,
            bytesReceived: sk.bytesReceived,
            segsOut: sk.segsOut,
            segsIn: sk.segsIn,
            dataSegsOut: sk.dataSegsOut,
            dataSegsIn: sk.dataSegsIn,
            lastSendMs: now - sk.lsndtime,
            lastRecvMs: now - sk.lastRecvMs,
            lastAckMs: now - sk.lastAckMs,
            rcvSpace: sk.rcvbuf,
            rcvSsthresh: sk.rcvSsthresh,
            sndWnd: sk.sndWnd,
            rcvWnd: sk.rcvWnd,
            unacked: sk.rtx.packetsOut,
            sacked: sk.rtx.sackedOut,
            lost: sk.rtx.lostOut,
            retrans: sk.rtx.retransOut,
            totalRetrans: sk.totalRetrans,
            reordering: sk.reordering,
            caState: sk.caState,
            delivered: sk.delivered,
            backoff: sk.backoff,
            quickAcks: sk.dataSegsIn > 0 ? sk.quickAcks : 0,
            pingpong: sk.pingpong,
            notsent: sk.unsentBytes,
            dsackDups: sk.dsackDups,
            reordSeen: sk.reordSeen,
          };
    return {
      family: sk.v4mapped ? 6 : sk.family,
      state: sk.state,
      local: sk.local,
      localPort: sk.localPort,
      remote: sk.remote,
      remotePort: sk.remotePort,
      recvQ: tw ? 0 : sk.rcvQueueBytes,
      sendQ: tw ? 0 : sk.sendQueued,
      timer,
      timerExpiresMs: Math.max(0, expires),
      retransmits: sk.retransmits,
      inode: tw ? 0 : sk.inode,
      v4mapped: sk.v4mapped,
      tcpInfo: info,
      cookie: sockCookie(sk),
      ...(tw ? {} : { shutdown: (sk.finReceived ? 1 : 0) | (sk.finQueued ? 2 : 0) }),
      probes: sk.probesOut,
    };
  }

  /** Every socket: listeners, request socks (SYN-RECV), connections and TIME-WAIT. */
  sockets(): TcpSockInfo[] {
    const out: TcpSockInfo[] = [];
    // As the kernel walks them: the listening hash, then the established hash, where request
    // socks live beside the connections.
    const reqs: TcpSockInfo[] = [];
    const now = this.clock.now();
    for (const l of this.listeners) {
      const any: TcpAddr = l.family === 4 ? { family: 4, addr: 0 } : { family: 6, addr: Buffer.alloc(16), scopeId: 0 };
      // tcp_get_info() of a listener: pacing rates, reordering and cwnd, then the accept queue
      // (tcpi_unacked) and backlog (tcpi_sacked); the rest stays zero.
      const c = this.conf;
      const lInfo: TcpInfo = {
        rtoMs: 0, atoMs: 0, sndMss: 0, rcvMss: 0, advMss: 0, pmtu: 0, rttUs: 0, rttVarUs: 0, minRttUs: 0,
        sndCwnd: c.initCwnd, sndSsthresh: 0, sndWscale: -1, rcvWscale: -1, timestamps: false, sack: false,
        congestion: (tcpCaFind(c.tcpCongestionControl) ?? tcpCaFind('reno')!).name, bytesSent: 0, bytesRetrans: 0,
        bytesAcked: 0, bytesReceived: 0, segsOut: 0, segsIn: 0, dataSegsOut: 0, dataSegsIn: 0, lastSendMs: 0,
        lastRecvMs: 0, lastAckMs: 0, rcvSpace: 0, rcvSsthresh: 0, sndWnd: 0, rcvWnd: 0, unacked: l.acceptQueue.length,
        sacked: l.backlog, lost: 0, retrans: 0, totalRetrans: 0, reordering: c.tcpReordering, caState: 0, delivered: 0,
      };
      out.push({
        family: l.family, state: TCP_LISTEN, local: l.local ?? any, localPort: l.port, remote: null, remotePort: 0,
        recvQ: l.acceptQueue.length, sendQ: l.backlog, timer: null, timerExpiresMs: 0, retransmits: 0, inode: l.inode,
        v4mapped: false, tcpInfo: lInfo, cookie: sockCookie(l), shutdown: 0, probes: 0,
        ...(l.family === 6 ? { v6only: l.ipv6Only } : {}),
      });
      for (const rs of l.synQueue.values()) {
        for (const r of rs) {
          reqs.push({
            family: l.family === 6 ? 6 : r.af.family, state: TCP_NEW_SYN_RECV === 12 ? 3 : 3, local: r.local, localPort: l.port, remote: r.remote,
            remotePort: r.remotePort, recvQ: 0, sendQ: 0, timer: 'on', timerExpiresMs: Math.max(0, r.timer.expires - now),
            retransmits: r.numRetrans, inode: 0, v4mapped: l.family === 6 && r.af.family === 4, tcpInfo: null,
            cookie: sockCookie(r), probes: 0,
          });
        }
      }
    }
    out.push(...reqs);
    for (const sk of this.socks) out.push(this.sockInfo(sk));
    return out;
  }

  /** stack.close(): every connection reset, every listener closed, every timer stopped. */
  closeAll(): void {
    for (const l of [...this.listeners]) this.closeListener(l);
    for (const sk of [...this.socks]) {
      if (sk.state !== TCP_CLOSE && sk.state !== TCP_SYN_SENT && sk.state !== TCP_TIME_WAIT) tcpSendActiveReset(sk);
      tcpDone(sk, 0);
    }
  }
}

export { reportClose, TCP_CLOSE, TCPHDR_FIN };
