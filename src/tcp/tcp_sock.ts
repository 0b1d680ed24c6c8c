// One TCP connection: struct tcp_sock with its inet_connection_sock parts (include/linux/tcp.h,
// include/net/inet_connection_sock.h) and the socket calls tcp_sendmsg, tcp_recvmsg, tcp_shutdown,
// tcp_close and tcp_disconnect make on it (net/ipv4/tcp.c).
import { EPIPE } from '../core/errno.js';
import type { Clock, Timer } from '../core/clock.js';
import type { NetDevice } from '../core/netdevice.js';
import type { SkBuff, SkbOwner } from '../core/skbuff.js';
import type { TcpCong, TcpCongSock } from './tcp_cong.js';
import type { TcpSysctl } from './tcp_conf.js';
import { RtxQueue } from './tcp_rtx_queue.js';
import { newOutOptions } from './tcp_hdr.js';
import { SackRecvState, TcpSacktagState, type TcpSackSock } from './tcp_sack.js';
import { TcpRack, TcpTlp, type TcpRackSock } from './tcp_recovery.js';
import {
  TCP_CA_Open,
  TCP_CLOSE,
  TCP_CLOSE_WAIT,
  TCP_ESTABLISHED,
  TCP_FIN_WAIT1,
  TCP_FIN_WAIT2,
  TCP_INFINITE_SSTHRESH,
  TCP_LAST_ACK,
  TCP_LISTEN,
  TCP_SYN_RECV,
  TCP_SYN_SENT,
  TCP_TIME_WAIT,
} from './tcp_states.js';
import type { Tcp } from './tcp.js';
import { tcpPushPending, tcpSendActiveReset, tcpSendFin, tcpSendAck, tcpSelectWindowPeek } from './tcp_output.js';
import { tcpDone, tcpSetState } from './tcp_input.js';
import { tcpDelackTimer, tcpKeepaliveReset, tcpKeepaliveTimer, tcpRetransmitTimerFire, tcpTimewaitTimer } from './tcp_timer.js';

/** An address of either family: IPv4 as an unsigned 32-bit number, IPv6 as 16 bytes with a zone. */
export type TcpAddr = { family: 4; addr: number } | { family: 6; addr: Uint8Array; scopeId: number };

/** What the socket layer hears from a connection (all calls come from the stack's event loop turn). */
export interface TcpSockUser {
  /** The active open reached ESTABLISHED. */
  onConnect(): void;
  /** Data or end of stream is newly available: call read(). */
  onReadable(): void;
  /** Send-buffer space opened after send() took less than offered. */
  onWritable(): void;
  /** A negative errno: ECONNREFUSED, ECONNRESET, ETIMEDOUT, EHOSTUNREACH, ENETUNREACH, EPIPE... */
  onError(errno: number): void;
  /** The connection is finished for its user. */
  onClose(): void;
}

export const NOOP_USER: TcpSockUser = {
  onConnect() {},
  onReadable() {},
  onWritable() {},
  onError() {},
  onClose() {},
};

/** One family's way of sending and checksumming (the af_specific ops: tcp_ipv4.c / tcp_ipv6.c). */
export interface TcpAfOps {
  readonly family: 4 | 6;
  /** Network-header bytes in front of the TCP header (20 / 40). */
  readonly netHdrLen: number;
  /** The pseudo-header sum of a segment of `len` bytes from `src` to `dst`. */
  pseudo(src: TcpAddr, dst: TcpAddr, len: number): number;
  /**
   * Sends a finished segment (skb.data at the TCP header). 0 or a negative errno. `ipId` is the
   * IPv4 identification (the socket's inet_id, ip_select_ident_segs); -1 for a segment without a
   * connected socket (SYN-ACK, RST, TIME_WAIT ACK), which Linux sends with DF and ID 0.
   */
  xmit(skb: SkBuff, src: TcpAddr, dst: TcpAddr, tos: number, ipId: number): number;
  /**
   * The route towards `dst`: source address, path MTU and the device it leaves by (null for a
   * local destination), or a negative errno.
   */
  route(dst: TcpAddr, src: TcpAddr | null): TcpRoute | number;
  /** The address as bytes (for the keyed hashes). */
  bytes(a: TcpAddr): Uint8Array;
}

/** What TcpAfOps.route() finds: the source, the path MTU, the device (sk_setup_caps). */
export interface TcpRoute {
  saddr: TcpAddr;
  mtu: number;
  /** The output device, whose offload features the socket uses; null: delivered locally. */
  dev: NetDevice | null;
}

/** A received out-of-order segment waiting for the hole before it (tp->out_of_order_queue). */
export interface OfoSeg {
  seq: number;
  endSeq: number;
  data: Buffer;
  /** The segment carried FIN (endSeq includes it). */
  fin: boolean;
}

/** A snapshot of one socket for ss and /proc/net/tcp (see Tcp.sockets()). */
export interface TcpSockInfo {
  family: 4 | 6;
  state: number;
  local: TcpAddr;
  localPort: number;
  remote: TcpAddr | null;
  remotePort: number;
  /** ss semantics: unread bytes (LISTEN: accept-queue length). */
  recvQ: number;
  /** ss semantics: unacknowledged + unsent bytes (LISTEN: backlog). */
  sendQ: number;
  /** ss -o: which timer runs. */
  timer: 'on' | 'keepalive' | 'timewait' | 'persist' | 'delack' | null;
  timerExpiresMs: number;
  retransmits: number;
  /** A stable identity for /proc's inode column. */
  inode: number;
  /** IPv6 socket showing an IPv4 peer (::ffff:a.b.c.d), as a dual-stack listener's children are. */
  v4mapped: boolean;
  tcpInfo: TcpInfo | null;
  /** The socket cookie (sock_gen_cookie, ss -e's sk:), unique per socket of any kind; 0 when unknown. */
  cookie?: number;
  /** sk_shutdown: RCV_SHUTDOWN (1) | SEND_SHUTDOWN (2); absent for TIME-WAIT and request socks (no INET_DIAG_SHUTDOWN). */
  shutdown?: number;
  /** icsk_probes_out: zero-window or keepalive probes sent without answer (/proc's timeout column). */
  probes?: number;
  /** IPV6_V6ONLY of an IPv6 socket (ss -e's v6only:), absent for IPv4 sockets. */
  v6only?: boolean;
}

/** The tcp_info fields ss -i prints. */
export interface TcpInfo {
  rtoMs: number;
  atoMs: number;
  sndMss: number;
  rcvMss: number;
  advMss: number;
  pmtu: number;
  rttUs: number;
  rttVarUs: number;
  minRttUs: number;
  sndCwnd: number;
  sndSsthresh: number;
  sndWscale: number;
  rcvWscale: number;
  timestamps: boolean;
  sack: boolean;
  congestion: string;
  bytesSent: number;
  bytesRetrans: number;
  bytesAcked: number;
  bytesReceived: number;
  segsOut: number;
  segsIn: number;
  dataSegsOut: number;
  dataSegsIn: number;
  lastSendMs: number;
  lastRecvMs: number;
  lastAckMs: number;
  rcvSpace: number;
  rcvSsthresh: number;
  sndWnd: number;
  rcvWnd: number;
  unacked: number;
  sacked: number;
  lost: number;
  retrans: number;
  totalRetrans: number;
  reordering: number;
  caState: number;
  delivered: number;
  /** icsk_backoff (ss -i's backoff:). */
  backoff?: number;
  /** icsk_ack.quick and pingpong mode (/proc/net/tcp's (quick << 1) | pingpong). */
  quickAcks?: number;
  pingpong?: boolean;
  /** Bytes queued and not sent yet (tcpi_notsent_bytes). */
  notsent?: number;
  /** DSACKed duplicates (tcpi_dsack_dups) and reordering events (tcpi_reord_seen). */
  dsackDups?: number;
  reordSeen?: number;
}

/** The retransmit timer's current job (icsk_pending). */
export const ICSK_TIME_RETRANS = 1;
export const ICSK_TIME_PROBE0 = 3;
export const ICSK_TIME_REO_TIMEOUT = 4;
export const ICSK_TIME_LOSS_PROBE = 5;

/** TCP_DELACK_MIN / TCP_ATO_MIN: 40 ms. */
export const TCP_DELACK_MIN = 40;
/** TCP_DELACK_MAX: 200 ms. */
export const TCP_DELACK_MAX = 200;
/** TCP_TIMEOUT_INIT: 1 s. */
export const TCP_TIMEOUT_INIT = 1000;
/** TCP_TIMEWAIT_LEN: 60 s, not tunable. */
export const TCP_TIMEWAIT_LEN = 60000;
/** TCP_MAX_QUICKACKS. */
export const TCP_MAX_QUICKACKS = 16;

let inodeNext = 1000;

export class TcpSock implements TcpCongSock, SkbOwner {
  user: TcpSockUser = NOOP_USER;
  state = TCP_CLOSE;
  readonly inode = inodeNext++;
  /** The children of a dual-stack IPv6 listener keep IPv4 addresses but present as v4-mapped. */
  v4mapped = false;
  /** close() was called: nobody reads any more (an orphan, SOCK_DEAD). */
  orphan = false;
  /** The user has been told onClose(). */
  closeReported = false;

  // ---- sender (RFC 9293 SND.*) ------------------------------------------------------------
  iss = 0;
  sndUna = 0;
  sndNxt = 0;
  /** The peer's window in bytes (already scaled). */
  sndWnd = 0;
  sndWl1 = 0;
  sndWl2 = 0;
  maxWindow = 0;
  /** The peer's window-scale shift (applied to its window fields). */
  sndWscale = 0;
  /** Data the user gave and TCP has not sent yet (the write queue's unsent part). */
  readonly unsent: Buffer[] = [];
  unsentOff = 0;
  unsentBytes = 0;
  /** shutdown(SHUT_WR) or close(): FIN goes after the queued data. */
  finQueued = false;
  /** End of the last segment smaller than an MSS (snd_sml, for Nagle). */
  sndSml = 0;
  finSent = false;
  readonly rtx = new RtxQueue();
  /** Send MSS (mss_cache): path MSS minus the options every segment carries. */
  mssCache = 536;
  /** The MSS we announce (advmss). */
  advmss = 1460;
  /** The peer's MSS option (rx_opt.mss_clamp). */
  mssClamp = 536;
  pmtu = 1500;
  /**
   * The device the route leaves by (sk_setup_caps' dst->dev): its features decide whether
   * segments go out beyond the MSS (TSO) and with partial checksums. Null: none (local).
   */
  routeDev: NetDevice | null = null;
  sndbuf: number;
  /** send() took less than offered: tell onWritable() when space opens. */
  sndWaiting = false;
  /** inet_id: the IPv4 identification of the next datagram, from a random start (tcp_v4_connect). */
  inetId: number;
  /** The pure ACKs' reusable skb (see tcp_output's pureAckSkb); null until the first. */
  ackSkb: SkBuff | null = null;

  // ---- receiver (RCV.*) -------------------------------------------------------------------------
  irs = 0;
  rcvNxt = 0;
  /** The window last advertised, bytes from rcvWup. */
  rcvWnd = 0;
  /** rcv_nxt when the window was last advertised. */
  rcvWup = 0;
  rcvWscale = 0;
  rcvSsthresh = 0;
  windowClamp = 0;
  rcvbuf: number;
  /** In-order data not yet read (sk_receive_queue). */
  readonly rcvQueue: Buffer[] = [];
  rcvQueueBytes = 0;
  readonly ofo: OfoSeg[] = [];
  ofoBytes = 0;
  /** The SACK blocks (and pending DSACK) we report (tp->selective_acks, duplicate_sack). */
  readonly sackRecv = new SackRecvState();
  /** The peer's FIN has been taken in order (RCV_SHUTDOWN). */
  finReceived = false;
  /** DRS (tcp_rcv_space_adjust): bytes read since rcvqSpaceTime. */
  rcvqSpace = 0;
  rcvqSpaceSeq = 0;
  rcvqSpaceTime = 0;
  /** The receive MSS estimate (icsk_ack.rcv_mss). */
  rcvMss = 536;

  // ---- options ----------------------------------------------------------------------------------
  tsOk = false;
  sackOk = false;
  wscaleOk = false;
  tsRecent = 0;
  tsRecentStamp = 0;
  tsOffset = 0;
  readonly outOpts = newOutOptions();

  // ---- RTT and timers (RFC 6298 with Linux's constants) ---------------------------------------
  srttUs = 0;
  rttvarUs = 0;
  minRttUs = 0;
  rtoMs = TCP_TIMEOUT_INIT;
  /** icsk_backoff. */
  backoff = 0;
  /** icsk_retransmits: consecutive timeouts. */
  retransmits = 0;
  /** When the first of the current run of retransmissions was originally sent (retrans_stamp), ms; 0: none. */
  retransStamp = 0;
  totalRetrans = 0;
  pending = 0;
  readonly rtxTimer: Timer<TcpSock>;
  readonly delackTimer: Timer<TcpSock>;
  readonly keepaliveTimer: Timer<TcpSock>;
  /** TIME_WAIT, FIN_WAIT2 (orphan) and SYN budget deadlines share this one. */
  readonly twTimer: Timer<TcpSock>;

  // ---- congestion control -----------------------------------------------------------------------
  sndCwnd: number;
  sndSsthresh = TCP_INFINITE_SSTHRESH;
  sndCwndCnt = 0;
  sndCwndClamp = 0x7fffffff;
  caState = TCP_CA_Open;
  cong!: TcpCong;
  congName = 'reno';
  /** snd_nxt when recovery started (high_seq). */
  highSeq = 0;
  /** Duplicate ACKs in a row (Reno's sacked_out). */
  dupAcks = 0;
  /** cwnd before the last reduction (prior_cwnd) and the ssthresh before it, for undo. */
  priorCwnd = 0;
  priorSsthresh = 0;
  /** Set when the last transmission stopped because of cwnd. */
  isCwndLimited = false;
  /** RFC 2861 / tcp_cwnd_restart: time of the last data sent, ms. */
  lsndtime = 0;
  /** Delivered segments (tp->delivered). */
  delivered = 0;
  reordering: number;
  /** RACK's state (tp->rack) and the tail loss probe episode (tlp_high_seq, tlp_retrans). */
  readonly rack = new TcpRack();
  readonly tlp = new TcpTlp();
  /** snd_una when the current reduction began (undo_marker), 0: none; retransmissions since (undo_retrans). */
  undoMarker = 0;
  undoRetrans = 0;
  /** Reordering events seen (reord_seen) and DSACKed duplicates (dsack_dups). */
  reordSeen = 0;
  dsackDups = 0;
  /** The scratch of SACK tagging, and the view of this socket tcp_sack.ts / tcp_recovery.ts read. */
  readonly sackState = new TcpSacktagState();
  readonly sackView: SackView;
  /** Scratch SACK blocks of the ACK being processed: sackBlocks[n] holds the first n. */
  readonly sackBlocks: [number, number][][];

  // ---- ACK scheduling (icsk_ack) ---------------------------------------------------------------
  /** Quick ACKs left before delayed ACKs start. */
  quickAcks = TCP_MAX_QUICKACKS;
  /** Interactive mode: ACKs ride on the next data (pingpong). */
  pingpong = false;
  /** An ACK is owed (ICSK_ACK_SCHED). */
  ackPending = false;
  /** Time of the last received data segment (lrcvtime), ms. */
  lrcvtime = 0;
  atoMs = TCP_DELACK_MIN;
  /** Out-of-window pure ACKs are answered at most once per tcp_invalid_ratelimit. */
  lastOowAckTime = -1e9;
  /** Challenge ACKs: once per tcp_invalid_ratelimit per socket (RFC 5961 section 7). */
  lastChallengeAckTime = -1e9;

  // ---- keepalive and user options ------------------------------------------------------------------
  nodelay = false;
  keepaliveOn = false;
  keepIdleMs: number;
  keepIntvlMs: number;
  keepCnt: number;
  probesOut = 0;
  /** ms of the last segment received (for keepalive idle). */
  rcvTstamp = 0;

  // ---- errors and counters ---------------------------------------------------------------------------
  /** sk_err_soft: reported if the connection times out. */
  softErr = 0;
  /** The errno the connection ended with (0: clean). */
  err = 0;
  bytesSent = 0;
  bytesRetrans = 0;
  bytesAcked = 0;
  bytesReceived = 0;
  segsOut = 0;
  segsIn = 0;
  dataSegsOut = 0;
  dataSegsIn = 0;
  lastRecvMs = 0;
  lastAckMs = 0;
  /** The listener this child belongs to until accept(). */
  parent: { acceptQueueRemove(sk: TcpSock): void } | null = null;

  constructor(
    readonly tcp: Tcp,
    public af: TcpAfOps,
    public local: TcpAddr,
    public localPort: number,
    public remote: TcpAddr,
    public remotePort: number,
  ) {
    const c = tcp.conf;
    const clock: Clock = tcp.clock;
    this.inetId = Math.floor(tcp.random() * 65536) & 0xffff;
    this.rtxTimer = clock.timer<TcpSock>(tcpRetransmitTimerFire, this);
    this.delackTimer = clock.timer<TcpSock>(tcpDelackTimer, this);
    this.keepaliveTimer = clock.timer<TcpSock>(tcpKeepaliveTimer, this);
    this.twTimer = clock.timer<TcpSock>(tcpTimewaitTimer, this);
    this.sndbuf = c.tcpWmem[1];
    this.rcvbuf = c.tcpRmem[1];
    this.sndCwnd = c.initCwnd;
    this.reordering = c.tcpReordering;
    this.keepIdleMs = c.tcpKeepaliveTime * 1000;
    this.keepIntvlMs = c.tcpKeepaliveIntvl * 1000;
    this.keepCnt = c.tcpKeepaliveProbes;
    this.nodelay = c.tcpNoDelayDefault !== 0;
    this.sackView = new SackView(this);
    const blocks: [number, number][] = [[0, 0], [0, 0], [0, 0], [0, 0]];
    this.sackBlocks = [0, 1, 2, 3, 4].map((n) => blocks.slice(0, n));
  }

  get family(): 4 | 6 {
    return this.af.family;
  }

  /** tcp_mstamp in µs. */
  get tcpMstamp(): number {
    return this.tcp.nowUs();
  }

  get packetsInFlight(): number {
    return this.rtx.packetsInFlight;
  }

  // ---- the socket calls --------------------------------------------------------------------------

  /** tcp_recvmsg(): the next in-order chunk, or null. Reading reopens the window (tcp_cleanup_rbuf). */
  read(): Buffer | null {
    const b = this.rcvQueue.shift();
    if (b === undefined) return null;
    const before = tcpSelectWindowPeek(this);
    this.rcvQueueBytes -= b.length;
    this.rcvqSpace += b.length;
    // tcp_cleanup_rbuf(): a window update when reading opened the window by at least one MSS
    // beyond what was advertised (and at least doubled it, or it was zero).
    if (this.state === TCP_ESTABLISHED || this.state === TCP_FIN_WAIT1 || this.state === TCP_FIN_WAIT2) {
      const rcvWindowNow = (this.rcvWup + this.rcvWnd - this.rcvNxt) | 0;
      const after = tcpSelectWindowPeek(this);
      if (after > before && after - rcvWindowNow >= this.rcvMss && (rcvWindowNow === 0 || after >= 2 * rcvWindowNow)) {
        tcpSendAck(this);
      }
    }
    return b;
  }

  /** The peer's FIN arrived and every byte before it has been read. */
  get eof(): boolean {
    return this.finReceived && this.rcvQueue.length === 0;
  }

  /** Free send-buffer bytes (sk_stream_wspace). */
  get sendSpace(): number {
    return Math.max(0, this.sndbuf - this.sendQueued);
  }

  /** Unacknowledged plus unsent bytes. */
  get sendQueued(): number {
    return ((this.sndNxt - this.sndUna) >>> 0) + this.unsentBytes;
  }

  /** tcp_sendmsg(): copies what fits into the send buffer; -EPIPE once writing is shut down or reset. */
  send(data: Buffer): number {
    if (this.err !== 0 && this.state === TCP_CLOSE) return -EPIPE;
    if (this.finQueued || this.state === TCP_CLOSE || this.state === TCP_LISTEN) return -EPIPE;
    const n = Math.min(data.length, this.sendSpace);
    if (n < data.length) this.sndWaiting = true;
    if (n === 0) return 0;
    // A copy: the caller may reuse its buffer as soon as the write callback runs.
    this.unsent.push(Buffer.from(data.subarray(0, n)));
    this.unsentBytes += n;
    if (this.state === TCP_ESTABLISHED || this.state === TCP_CLOSE_WAIT) tcpPushPending(this);
    return n;
  }

  /** tcp_shutdown(SHUT_WR): FIN after the queued data. */
  shutdownWrite(): void {
    if (this.finQueued) return;
    if (this.state === TCP_ESTABLISHED || this.state === TCP_CLOSE_WAIT || this.state === TCP_SYN_SENT || this.state === TCP_SYN_RECV) {
      this.finQueued = true;
      if (this.state === TCP_ESTABLISHED) tcpSetState(this, TCP_FIN_WAIT1);
      else if (this.state === TCP_CLOSE_WAIT) tcpSetState(this, TCP_LAST_ACK);
      if (this.state !== TCP_SYN_SENT && this.state !== TCP_SYN_RECV) tcpSendFin(this);
    }
  }

  /**
   * tcp_close(): unread data makes it an abort with RST (RFC 2525 2.17, TCPAbortOnClose); else a
   * FIN after the queued data, the connection living on as an orphan until it is done.
   */
  close(): void {
    if (this.orphan) return;
    this.orphan = true;
    const st = this.state;
    if (st === TCP_CLOSE) return;
    if (st === TCP_SYN_SENT) {
      tcpDone(this, 0);
      return;
    }
    if (this.rcvQueueBytes > 0 || this.ofoBytes > 0) {
      this.tcp.statsExt.tcpAbortOnClose++;
      tcpSendActiveReset(this);
      tcpDone(this, 0);
      return;
    }
    if (st === TCP_ESTABLISHED || st === TCP_CLOSE_WAIT || st === TCP_SYN_RECV) this.shutdownWrite();
    // An orphan in FIN_WAIT2 waits tcp_fin_timeout for the peer's FIN (tcp_time_wait's linger).
    if (this.state === TCP_FIN_WAIT2) this.twTimer.mod(this.tcp.clock.now() + this.tcp.conf.tcpFinTimeout * 1000);
  }

  /** RST now (SO_LINGER 0 / resetAndDestroy). */
  abort(): void {
    if (this.state === TCP_CLOSE) return;
    this.orphan = true;
    if (this.state !== TCP_SYN_SENT && this.state !== TCP_TIME_WAIT) {
      this.tcp.statsExt.tcpAbortOnLinger++;
      tcpSendActiveReset(this);
    }
    tcpDone(this, 0);
  }

  setNoDelay(on: boolean): void {
    this.nodelay = on;
    if (on && (this.state === TCP_ESTABLISHED || this.state === TCP_CLOSE_WAIT)) tcpPushPending(this);
  }

  /** SO_KEEPALIVE with TCP_KEEPIDLE / TCP_KEEPINTVL / TCP_KEEPCNT (ms, ms, count). */
  setKeepAlive(on: boolean, idleMs?: number, intervalMs?: number, count?: number): void {
    this.keepaliveOn = on;
    if (idleMs !== undefined && idleMs > 0) this.keepIdleMs = idleMs;
    if (intervalMs !== undefined && intervalMs > 0) this.keepIntvlMs = intervalMs;
    if (count !== undefined && count > 0) this.keepCnt = count;
    tcpKeepaliveReset(this);
  }

  /** The skb owner's report: a neighbour failure (EHOSTUNREACH) for a segment of ours. */
  errorReport(errno: number, _skb: SkBuff): void {
    const e = -Math.abs(errno);
    if (this.state === TCP_SYN_SENT) {
      this.tcp.stats.attemptFails++;
      tcpDone(this, e);
    } else {
      this.softErr = e;
    }
  }

  info(): TcpSockInfo {
    return this.tcp.sockInfo(this);
  }

  /** For messages and debugging. */
  toString(): string {
    return `tcp ${this.localPort}->${this.remotePort} state ${this.state}`;
  }
}

/** Unread-data/connected states where data may still arrive. */
export function tcpCanReceive(st: number): boolean {
  return st === TCP_ESTABLISHED || st === TCP_FIN_WAIT1 || st === TCP_FIN_WAIT2;
}

/** States where the connection is synchronised (RFC 9293's "synchronized states"). */
export function tcpSynchronized(st: number): boolean {
  return st !== TCP_CLOSE && st !== TCP_LISTEN && st !== TCP_SYN_SENT;
}


/**
 * The socket as tcp_sack.ts and tcp_recovery.ts see it (TcpSackSock, TcpRackSock): the same
 * fields, but min_rtt reads Infinity before the first sample, as tcp_min_rtt() does.
 */
export class SackView implements TcpSackSock, TcpRackSock {
  constructor(private readonly sk: TcpSock) {}
  get sndUna(): number { return this.sk.sndUna; }
  set sndUna(v: number) { this.sk.sndUna = v; }
  get sndNxt(): number { return this.sk.sndNxt; }
  set sndNxt(v: number) { this.sk.sndNxt = v; }
  get mssCache(): number { return this.sk.mssCache; }
  set mssCache(v: number) { this.sk.mssCache = v; }
  get maxWindow(): number { return this.sk.maxWindow; }
  set maxWindow(v: number) { this.sk.maxWindow = v; }
  get undoMarker(): number { return this.sk.undoMarker; }
  set undoMarker(v: number) { this.sk.undoMarker = v; }
  get undoRetrans(): number { return this.sk.undoRetrans; }
  set undoRetrans(v: number) { this.sk.undoRetrans = v; }
  get highSeq(): number { return this.sk.highSeq; }
  set highSeq(v: number) { this.sk.highSeq = v; }
  get tlpHighSeq(): number { return this.sk.tlp.highSeq; }
  set tlpHighSeq(v: number) { this.sk.tlp.highSeq = v; }
  get reordering(): number { return this.sk.reordering; }
  set reordering(v: number) { this.sk.reordering = v; }
  get reordSeen(): number { return this.sk.reordSeen; }
  set reordSeen(v: number) { this.sk.reordSeen = v; }
  get dsackDups(): number { return this.sk.dsackDups; }
  set dsackDups(v: number) { this.sk.dsackDups = v; }
  get totalRetrans(): number { return this.sk.totalRetrans; }
  set totalRetrans(v: number) { this.sk.totalRetrans = v; }
  get caState(): number { return this.sk.caState; }
  set caState(v: number) { this.sk.caState = v; }
  get minRttUs(): number { return this.sk.minRttUs === 0 ? Infinity : this.sk.minRttUs; }
  set minRttUs(_v: number) {}
  get srttUs(): number { return this.sk.srttUs; }
}

const sockCookies = new WeakMap<object, number>();
let sockCookieNext = 1;

/**
 * sock_gen_cookie(): a number naming one socket (full, listening, request or TIME-WAIT) for as long
 * as it lives, handed out on first use; ss -e prints it as sk:%llx.
 */
export function sockCookie(sk: object): number {
  let c = sockCookies.get(sk);
  if (c === undefined) {
    c = sockCookieNext++;
    sockCookies.set(sk, c);
  }
  return c;
}
