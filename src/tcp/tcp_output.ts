// Sending segments: __tcp_transmit_skb, tcp_select_window / __tcp_select_window, tcp_write_xmit
// with tcp_nagle_test and tcp_cwnd_test, tcp_send_ack, tcp_send_fin, tcp_send_active_reset,
// tcp_retransmit_skb, tcp_xmit_retransmit_queue, tcp_xmit_probe_skb and tcp_v4_send_reset's
// reply to a segment without a socket (net/ipv4/tcp_output.c, tcp_ipv4.c).
import { csumFold, csumPartial } from '../core/checksum.js';
import { NETIF_F_HW_CSUM, netGsoOk } from '../core/netdev_features.js';
import {
  CHECKSUM_NONE,
  CHECKSUM_PARTIAL,
  LL_RESERVED_SPACE,
  PACKET_HOST,
  SKB_GSO_TCPV4,
  SKB_GSO_TCPV6,
  type SkBuff,
  allocSkb,
  allocSkbTruesize,
  ipAppendAllocSize,
} from '../core/skbuff.js';
import { after, before, seqAdd } from './seq.js';
import { TCP_HLEN, tcpHeaderWrite, tcpOptionsSize, tcpOptionsWrite } from './tcp_hdr.js';
import { TCPCB_SACKED_ACKED, TcpSeg } from './tcp_rtx_queue.js';
import { tcpSackBlockCount } from './tcp_sack.js';
import {
  ICSK_TIME_LOSS_PROBE,
  ICSK_TIME_PROBE0,
  ICSK_TIME_RETRANS,
  TCP_DELACK_MAX,
  type TcpAddr,
  type TcpAfOps,
  type TcpSock,
} from './tcp_sock.js';
import {
  TCPHDR_ACK,
  TCPHDR_FIN,
  TCPHDR_PSH,
  TCPHDR_RST,
  TCPHDR_SYN,
  TCP_CA_Loss,
  TCP_CA_Recovery,
  TCP_CLOSE_WAIT,
  TCP_ESTABLISHED,
  TCP_FIN_WAIT1,
  TCP_LAST_ACK,
  TCP_CLOSING,
  TCP_SYN_RECV,
  TCP_SYN_SENT,
} from './tcp_states.js';
import { CA_EVENT_CWND_RESTART, CA_EVENT_TX_START } from './tcp_cong.js';
import type { Tcp } from './tcp.js';
import { tcpScheduleLossProbe } from './tcp_input.js';

/** tcp_win_from_space() with tcp_adv_win_scale 1: half of the buffer is for the window. */
export function tcpWinFromSpace(space: number): number {
  return space - (space >>> 1);
}

/** tcp_space(): window-worth of the receive buffer not yet used by queued data. */
function tcpSpace(sk: TcpSock): number {
  return tcpWinFromSpace(sk.rcvbuf - sk.rcvQueueBytes - sk.ofoBytes);
}

/** __tcp_select_window(): the window we would offer now, in bytes, without side effects. */
export function tcpSelectWindowPeek(sk: TcpSock): number {
  let mss = sk.rcvMss;
  const fullSpace = Math.min(sk.windowClamp, tcpWinFromSpace(sk.rcvbuf));
  let freeSpace = Math.min(tcpSpace(sk), fullSpace);
  if (mss > fullSpace) mss = fullSpace;
  if (freeSpace < (fullSpace >>> 1)) {
    // Under pressure the receiver shrinks rcv_ssthresh (tcp_clamp_window's spirit) and offers
    // nothing smaller than an MSS (receiver-side silly window avoidance, RFC 1122 4.2.3.3).
    sk.rcvSsthresh = Math.min(sk.rcvSsthresh, 4 * sk.advmss);
    if (freeSpace < mss) return 0;
  }
  if (freeSpace > sk.rcvSsthresh) freeSpace = sk.rcvSsthresh;
  let window: number;
  if (sk.rcvWscale) {
    window = freeSpace;
    const unit = 1 << sk.rcvWscale;
    // Round up so that a window that is not a multiple of the unit is not lost to the shift.
    if (window % unit !== 0) window = (Math.floor(window / unit) + 1) * unit;
  } else {
    window = sk.rcvWnd;
    if (window <= freeSpace - mss || window > freeSpace) window = Math.floor(freeSpace / mss) * mss;
    else if (mss === fullSpace && freeSpace > window + (fullSpace >>> 1)) window = freeSpace;
  }
  return window;
}

/**
 * tcp_select_window(): the window field of the next segment. The offered window never shrinks
 * (RFC 9293 3.8.6.2.2): if less is free than was promised, the promise is kept.
 */
export function tcpSelectWindow(sk: TcpSock): number {
  const old = sk.rcvWnd;
  const cur = Math.max(0, (sk.rcvWup + sk.rcvWnd - sk.rcvNxt) | 0);
  let win = tcpSelectWindowPeek(sk);
  if (win < cur) {
    const unit = 1 << sk.rcvWscale;
    win = Math.ceil(cur / unit) * unit;
  }
  sk.rcvWnd = win;
  sk.rcvWup = sk.rcvNxt;
  const maxWin = sk.wscaleOk ? 65535 << sk.rcvWscale : 65535;
  win = Math.min(win, maxWin) >>> sk.rcvWscale;
  const x = sk.tcp.statsExt;
  if (win === 0) {
    if (old !== 0) x.tcpToZeroWindowAdv++;
    else x.tcpWantZeroWindowAdv++;
  } else if (old === 0) {
    x.tcpFromZeroWindowAdv++;
  }
  return win;
}

/** The 1 kHz timestamp clock of this connection (tcp_time_stamp_ts plus the per-pair offset). */
export function tcpTsNow(sk: TcpSock): number {
  return (Math.floor(sk.tcp.clock.now()) + sk.tsOffset) >>> 0;
}

/**
 * The SACK blocks the next segment carries (tcp_established_options): the pending DSACK first,
 * then the remembered blocks, newest first; 3 with timestamps, 4 without. Copied into the
 * socket's option scratch; nothing is allocated.
 */
function fillSackBlocks(sk: TcpSock): void {
  const o = sk.outOpts;
  o.numSacks = 0;
  if (!sk.sackOk) return;
  const r = sk.sackRecv;
  const n = tcpSackBlockCount(r, sk.tsOk);
  let k = 0;
  if (r.dsack && n > 0) {
    o.sack[0] = r.dsackStart;
    o.sack[1] = r.dsackEnd;
    k = 1;
  }
  for (let i = 0; k < n; i++, k++) {
    o.sack[2 * k] = r.starts[i];
    o.sack[2 * k + 1] = r.ends[i];
  }
  o.numSacks = n;
}

/** MAX_TCP_HEADER's share that tcp_tso_autosize keeps clear of gso_max_size: IP and TCP with options. */
const TSO_HEADROOM = 40 + 60;

/**
 * The segments one transmission may carry (tcp_tso_segs): as many MSS as gso_max_size holds
 * when the route's device takes TSO for this family (sk_can_gso), else one.
 */
export function tcpTsoMaxSegs(sk: TcpSock, mss: number): number {
  const dev = sk.routeDev;
  if (dev === null || !netGsoOk(dev.features, tcpGsoType(sk))) return 1;
  return Math.max(1, Math.floor((dev.gsoMaxSize - TSO_HEADROOM) / mss));
}

/** The gso_type of this socket's super-segments (tcp_gso_segment's family). */
function tcpGsoType(sk: TcpSock): number {
  return sk.af.family === 4 ? SKB_GSO_TCPV4 : SKB_GSO_TCPV6;
}

/**
 * __tcp_transmit_skb(): one segment `seq`.. with `flags` and `len` bytes of `data` from `off`,
 * ACKing rcv_nxt with the window of the moment (a SYN's window is never scaled, RFC 7323 2.2).
 * Callers pass `seq` as a signed 32-bit value (`| 0`; only its bits are used): V8 does not inline
 * this function, and an unsigned one at or above 2^31 would be boxed per call (16 B per ACK).
 * With `gsoSize` below `len` it is a super-segment the device cuts into gsoSize-byte segments
 * (tcp_gso_segment's input: one header, the checksum left partial). On a device that completes
 * checksums (NETIF_F_HW_CSUM) only the pseudo-header sum is written (tcp_v4_send_check's
 * CHECKSUM_PARTIAL); elsewhere the whole checksum is.
 */
export function tcpTransmit(sk: TcpSock, seq: number, flags: number, data: Buffer | null, off: number, len: number, gsoSize = 0): number {
  const gso = gsoSize > 0 && len > gsoSize;
  const segs = gso ? Math.ceil(len / gsoSize) : 1;
  const o = sk.outOpts;
  const syn = (flags & TCPHDR_SYN) !== 0;
  const tcp = sk.tcp;
  if (syn) {
    const synack = (flags & TCPHDR_ACK) !== 0;
    o.mss = sk.advmss;
    o.ts = synack ? sk.tsOk : tcp.conf.tcpTimestamps !== 0;
    o.sackOk = synack ? sk.sackOk : tcp.conf.tcpSack !== 0;
    o.wscale = synack ? (sk.wscaleOk ? sk.rcvWscale : -1) : tcp.conf.tcpWindowScaling !== 0 ? sk.rcvWscale : -1;
    o.numSacks = 0;
  } else {
    o.mss = 0;
    o.sackOk = false;
    o.wscale = -1;
    o.ts = sk.tsOk;
    if (flags & TCPHDR_RST) o.numSacks = 0;
    else fillSackBlocks(sk);
    // The blocks may not push a full segment past the path MTU (a retransmission sized before
    // they existed): keep what fits, as tcp_current_mss would have made room for them.
    if (o.numSacks > 0 && len > 0) {
      const room = sk.pmtu - sk.af.netHdrLen - TCP_HLEN - (o.ts ? 12 : 0) - (gso ? gsoSize : len);
      const fit = room >= 12 ? Math.floor((room - 4) / 8) : 0;
      if (fit < o.numSacks) o.numSacks = fit;
    }
  }
  if (o.ts) {
    o.tsval = tcpTsNow(sk);
    o.tsecr = sk.tsRecent;
  }
  const optLen = tcpOptionsSize(o);
  const hlen = TCP_HLEN + optLen;
  const skb = flags === TCPHDR_ACK && len === 0 ? pureAckSkb(sk, hlen) : len > 0 ? tcpDataSkb(sk, hlen + len) : allocSkb(hlen, LL_RESERVED_SPACE + sk.af.netHdrLen);
  const p = skb.put(hlen + len);
  const b = skb.buf;
  let window: number;
  if (syn) window = Math.min(sk.rcvWnd, 65535);
  else if (flags & TCPHDR_RST) window = 0;
  else window = tcpSelectWindow(sk);
  const ack = flags & TCPHDR_ACK ? sk.rcvNxt : 0;
  tcpHeaderWrite(b, p, sk.localPort, sk.remotePort, seq, ack, hlen, flags, window);
  tcpOptionsWrite(b, p + TCP_HLEN, o);
  if (len > 0 && data !== null) b.set(data.subarray(off, off + len), p + hlen);
  const dev = sk.routeDev;
  if (dev !== null && (dev.features & NETIF_F_HW_CSUM) !== 0) {
    // The pseudo-header sum, folded and not complemented: the device adds the rest.
    const ps = ~csumFold(sk.af.pseudo(sk.local, sk.remote, hlen + len)) & 0xffff;
    b[p + 16] = ps >>> 8;
    b[p + 17] = ps & 0xff;
    skb.ipSummed = CHECKSUM_PARTIAL;
    skb.csumStart = p;
    skb.csumOffset = 16;
  } else {
    const csum = csumFold(csumPartial(b, p, hlen + len, sk.af.pseudo(sk.local, sk.remote, hlen + len)));
    b[p + 16] = csum >>> 8;
    b[p + 17] = csum & 0xff;
    skb.ipSummed = CHECKSUM_NONE;
  }
  if (gso) {
    skb.gsoSize = gsoSize;
    skb.gsoType = tcpGsoType(sk);
    skb.gsoSegs = segs;
  } else {
    skb.gsoSize = 0;
    skb.gsoType = 0;
    skb.gsoSegs = 0;
  }
  skb.sk = sk;
  if (flags & TCPHDR_ACK) {
    // An ACK leaves: nothing is owed any more (inet_csk_clear_xmit_timer(ICSK_TIME_DACK)).
    if (sk.ackPending) {
      sk.ackPending = false;
      sk.delackTimer.del();
    }
    // The DSACK is reported once (tcp_options_write clears rx_opt.dsack).
    if (sk.outOpts.numSacks > 0) sk.sackRecv.dsack = false;
  }
  if (len > 0) {
    sk.dataSegsOut += segs;
    sk.bytesSent += len;
    // tcp_event_data_sent(): data within the ATO of the last received data is interactive.
    const now = tcp.clock.now();
    if (now - sk.lrcvtime < sk.atoMs) sk.pingpong = true;
  }
  sk.segsOut += segs;
  tcp.stats.outSegs += segs;
  if (flags & TCPHDR_RST) tcp.stats.outRsts++;
  // ip_select_ident_segs(): a connected socket numbers its datagrams from its own inet_id, one
  // per segment the device will cut.
  const id = sk.inetId;
  sk.inetId = (id + segs) & 0xffff;
  if (skb !== tcp.txSkb) return sk.af.xmit(skb, sk.local, sk.remote, 0, id);
  // A packet delivered synchronously to a socket of this same Tcp may make it send: that send
  // must not build into the skb still on its way down.
  tcp.txSkbBusy = true;
  try {
    return sk.af.xmit(skb, sk.local, sk.remote, 0, id);
  } finally {
    tcp.txSkbBusy = false;
  }
}

/** The most a TCP header takes: 20 bytes and 40 of options. */
const TCP_MAX_HLEN = TCP_HLEN + 40;

/**
 * The skb of a pure ACK: the socket's own, handed out again while no one kept the last one, so
 * that ACKing arriving data allocates nothing (Linux allocates each, __tcp_send_ack's alloc_skb;
 * here that allocation would be the receive fast path's only per-segment cost). It is marked
 * borrowed: whoever keeps a transmitted packet past the call — the neighbour's queue, a device
 * holding frames — takes it over with own() or copies it, and own() clears the mark, after which
 * the next ACK gets a fresh skb.
 */
function pureAckSkb(sk: TcpSock, hlen: number): SkBuff {
  const headroom = LL_RESERVED_SPACE + sk.af.netHdrLen;
  let skb = sk.ackSkb;
  if (skb === null || !skb.borrowed || skb.buf.length < headroom + TCP_MAX_HLEN) {
    skb = allocSkb(TCP_MAX_HLEN, headroom);
    sk.ackSkb = skb;
  }
  return reuseSkb(skb, headroom, sk.af.netHdrLen + hlen);
}

/** Room of the shared data skb: a 64 KiB super-segment with the largest TCP header. */
const TX_SKB_ROOM = 65536 + TCP_MAX_HLEN;

/**
 * The skb of a data segment of `size` bytes (TCP header and payload): the Tcp's shared one, on
 * the same terms as the pure ACK's (borrowed; whoever keeps it owns or copies it), so that
 * sending allocates no 64 KiB buffer per super-segment — an ArrayBuffer each, whose external
 * memory drove V8's major GCs at ~1 GB/s; a fresh one while the shared one is on its way down.
 */
function tcpDataSkb(sk: TcpSock, size: number): SkBuff {
  const tcp = sk.tcp;
  const headroom = LL_RESERVED_SPACE + sk.af.netHdrLen;
  if (tcp.txSkbBusy || size > TX_SKB_ROOM) return allocSkb(size, headroom);
  let skb = tcp.txSkb;
  if (skb === null || !skb.borrowed || skb.buf.length < LL_RESERVED_SPACE + 40 + TX_SKB_ROOM) {
    skb = allocSkb(TX_SKB_ROOM, LL_RESERVED_SPACE + 40);
    tcp.txSkb = skb;
  }
  return reuseSkb(skb, headroom, sk.af.netHdrLen + size);
}

/** A handed-back skb made as alloc_skb leaves one: empty at `headroom`, no headers, charged for `size`. */
function reuseSkb(skb: SkBuff, headroom: number, size: number): SkBuff {
  skb.data = headroom;
  skb.tail = headroom;
  skb.macHeader = -1;
  skb.networkHeader = -1;
  skb.transportHeader = -1;
  skb.protocol = 0;
  skb.pktType = PACKET_HOST;
  skb.dev = null;
  skb.cb = 0;
  skb.sk = null;
  skb.borrowed = true;
  skb.ipSummed = CHECKSUM_NONE;
  skb.gsoSize = 0;
  skb.gsoType = 0;
  skb.gsoSegs = 0;
  // What alloc_skb would have charged for this size (a queued packet counts its truesize).
  skb.truesize = allocSkbTruesize(ipAppendAllocSize(size));
  return skb;
}

/** tcp_send_ack(). */
export function tcpSendAck(sk: TcpSock): void {
  if (sk.state === TCP_SYN_SENT) return;
  tcpTransmit(sk, sk.sndNxt | 0, TCPHDR_ACK, null, 0, 0);
}

/**
 * tcp_send_delayed_ack(): the ACK waits up to the ATO (40 ms; 200 ms cap), unless one is already
 * scheduled earlier.
 */
export function tcpSendDelayedAck(sk: TcpSock): void {
  const now = sk.tcp.clock.now();
  const ato = Math.min(sk.atoMs, TCP_DELACK_MAX);
  if (sk.ackPending && sk.delackTimer.pending) return;
  sk.ackPending = true;
  sk.delackTimer.mod(now + ato);
}

/** The challenge ACK of RFC 5961 (tcp_send_challenge_ack), once per tcp_invalid_ratelimit ms. */
export function tcpSendChallengeAck(sk: TcpSock): void {
  const now = sk.tcp.clock.now();
  if (now - sk.lastChallengeAckTime < sk.tcp.conf.tcpInvalidRatelimit) {
    sk.tcp.statsExt.tcpAckSkippedChallenge++;
    return;
  }
  sk.lastChallengeAckTime = now;
  sk.tcp.statsExt.tcpChallengeAck++;
  tcpSendAck(sk);
}

/**
 * A duplicate ACK for an unacceptable segment (tcp_send_dupack via tcp_oow_rate_limited): pure
 * ACKs out of the window get at most one answer per tcp_invalid_ratelimit; data is always answered.
 */
export function tcpSendDupAck(sk: TcpSock, hasData: boolean, counter: 'tcpAckSkippedSeq' | 'tcpAckSkippedPaws'): void {
  const now = sk.tcp.clock.now();
  if (!hasData) {
    if (now - sk.lastOowAckTime < sk.tcp.conf.tcpInvalidRatelimit) {
      sk.tcp.statsExt[counter]++;
      return;
    }
    sk.lastOowAckTime = now;
  }
  tcpSendAck(sk);
}

/** tcp_send_syn / the SYN of tcp_connect(), and its retransmissions. */
export function tcpSendSyn(sk: TcpSock): void {
  tcpTransmit(sk, sk.iss | 0, TCPHDR_SYN, null, 0, 0);
}

/** tcp_make_synack for a full socket (simultaneous open). */
export function tcpSendSynAck(sk: TcpSock): void {
  tcpTransmit(sk, sk.iss | 0, TCPHDR_SYN | TCPHDR_ACK, null, 0, 0);
}

/** tcp_send_active_reset(): RST|ACK at snd_nxt. */
export function tcpSendActiveReset(sk: TcpSock): void {
  tcpTransmit(sk, sk.sndNxt | 0, TCPHDR_RST | TCPHDR_ACK, null, 0, 0);
}

/** tcp_send_fin(): the FIN goes once the queued data is out (tcp_write_xmit sends it). */
export function tcpSendFin(sk: TcpSock): void {
  sk.finQueued = true;
  tcpPushPending(sk);
}

/** tcp_push_pending_frames(). */
export function tcpPushPending(sk: TcpSock): void {
  if (sk.state === TCP_SYN_SENT || sk.state === TCP_SYN_RECV) return;
  tcpWriteXmit(sk);
}

/** The next `len` unsent bytes as one buffer (a view when they lie in one chunk). */
function takeUnsent(sk: TcpSock, len: number): Buffer {
  const first = sk.unsent[0];
  if (first.length - sk.unsentOff >= len) {
    const v = first.subarray(sk.unsentOff, sk.unsentOff + len);
    sk.unsentOff += len;
    if (sk.unsentOff === first.length) {
      sk.unsent.shift();
      sk.unsentOff = 0;
    }
    sk.unsentBytes -= len;
    return v;
  }
  const out = Buffer.allocUnsafe(len);
  let got = 0;
  while (got < len) {
    const c = sk.unsent[0];
    const n = Math.min(len - got, c.length - sk.unsentOff);
    c.copy(out, got, sk.unsentOff, sk.unsentOff + n);
    got += n;
    sk.unsentOff += n;
    if (sk.unsentOff === c.length) {
      sk.unsent.shift();
      sk.unsentOff = 0;
    }
  }
  sk.unsentBytes -= len;
  return out;
}

/** tcp_cwnd_restart() (RFC 2861/7661): after an idle of more than an RTO, cwnd decays. */
function tcpCwndRestart(sk: TcpSock, now: number): void {
  const idle = now - sk.lsndtime;
  const restart = Math.min(sk.tcp.conf.initCwnd, sk.sndCwnd);
  sk.cong.cwndEvent(CA_EVENT_CWND_RESTART);
  sk.sndSsthresh = Math.max(sk.sndSsthresh, ((sk.sndCwnd * 3) >>> 2));
  let cwnd = sk.sndCwnd;
  for (let d = idle - sk.rtoMs; d > 0 && cwnd > restart; d -= sk.rtoMs) cwnd >>>= 1;
  sk.sndCwnd = Math.max(cwnd, restart);
}

/**
 * One new segment of `len` unsent bytes (the FIN rides along when it is the last): onto the
 * retransmission queue and out (tcp_event_new_data_sent + tcp_transmit_skb).
 */
function tcpSendNewSeg(sk: TcpSock, len: number, now: number, mss = sk.mssCache): void {
  const tcp = sk.tcp;
  const data = len > 0 ? takeUnsent(sk, len) : EMPTY;
  let flags = TCPHDR_ACK;
  if (sk.unsentBytes === 0) flags |= TCPHDR_PSH;
  let end = seqAdd(sk.sndNxt, len);
  if (sk.finQueued && !sk.finSent && sk.unsentBytes === 0) {
    flags |= TCPHDR_FIN;
    end = seqAdd(end, 1);
    sk.finSent = true;
  }
  if (sk.rtx.empty && len > 0 && sk.lsndtime !== 0 && now - sk.lsndtime > sk.rtoMs) sk.cong.cwndEvent(CA_EVENT_TX_START);
  const seg = new TcpSeg(sk.sndNxt, end, flags & (TCPHDR_FIN | TCPHDR_PSH), data);
  if (len > mss) seg.gsoSize = mss;
  sk.rtx.push(seg, tcp.nowUs(), sk.delivered);
  const seq = sk.sndNxt;
  sk.sndNxt = end;
  // tcp_minshall_update(): a super-segment's last piece may be small too.
  if (len < mss || (seg.gsoSize > 0 && len % mss !== 0)) sk.sndSml = end;
  if (len > 0) {
    tcp.statsExt.tcpOrigDataSent += seg.tsoSegs;
    sk.lsndtime = now;
  }
  tcpTransmit(sk, seq | 0, flags, data, 0, len, seg.gsoSize);
}

const EMPTY = Buffer.alloc(0);

/** One new segment of `len` bytes now, whatever Nagle and cwnd say (the loss probe's send). */
export function tcpSendNewData(sk: TcpSock, len: number): void {
  tcpSendNewSeg(sk, len, sk.tcp.clock.now());
}

/**
 * tcp_write_wakeup(): the persist timer's send. Whatever part of the unsent data the peer's
 * window admits goes now (SWS avoidance and Nagle do not hold it back any longer); with no
 * window at all the probe is a pure ACK with SEQ = SND.UNA − 1. Returns whether data went.
 */
export function tcpWriteWakeup(sk: TcpSock): boolean {
  const room = (seqAdd(sk.sndUna, sk.sndWnd) - sk.sndNxt) | 0;
  if (room > 0 && (sk.unsentBytes > 0 || (sk.finQueued && !sk.finSent))) {
    tcpSendNewSeg(sk, Math.min(room, sk.mssCache, sk.unsentBytes), sk.tcp.clock.now());
    tcpResetXmitTimer(sk, ICSK_TIME_RETRANS, sk.rtoMs);
    return true;
  }
  tcpXmitProbe(sk);
  return false;
}

/**
 * tcp_write_xmit(): new segments while cwnd (tcp_cwnd_test), the peer's window
 * (tcp_snd_wnd_test) and Nagle (tcp_nagle_test) allow; the FIN rides on the last one or goes
 * alone. A zero window with nothing in flight arms the persist timer (tcp_check_probe_timer).
 */
export function tcpWriteXmit(sk: TcpSock): void {
  const tcp = sk.tcp;
  const now = tcp.clock.now();
  if (sk.state !== TCP_ESTABLISHED && sk.state !== TCP_CLOSE_WAIT && sk.state !== TCP_FIN_WAIT1 && sk.state !== TCP_LAST_ACK && sk.state !== TCP_CLOSING) return;
  // Lost segments first, within cwnd (tcp_xmit_retransmit_queue runs before new data in Linux's
  // recovery paths).
  if (sk.rtx.lostOut > 0) tcpXmitRetransmitQueue(sk);
  let sent = false;
  sk.isCwndLimited = false;
  while (sk.unsentBytes > 0 || (sk.finQueued && !sk.finSent)) {
    if (sk.rtx.empty && sk.unsentBytes > 0 && tcp.conf.tcpSlowStartAfterIdle && now - sk.lsndtime > sk.rtoMs && sk.lsndtime !== 0) {
      tcpCwndRestart(sk, now);
    }
    const inFlight = sk.rtx.packetsInFlight;
    if (inFlight >= sk.sndCwnd) {
      sk.isCwndLimited = true;
      break;
    }
    // tcp_current_mss(): SACK blocks in the next ACK take room from the payload.
    const nb = sk.sackOk ? tcpSackBlockCount(sk.sackRecv, sk.tsOk) : 0;
    const mss = sk.mssCache - (nb > 0 ? 4 + 8 * nb : 0);
    // tcp_cwnd_test() and tcp_tso_segs(): with TSO, as many MSS as cwnd and the device allow.
    const segs = Math.min(sk.sndCwnd - inFlight, tcpTsoMaxSegs(sk, mss));
    let len = Math.min(mss * segs, sk.unsentBytes);
    // The peer's window: bytes from snd_una.
    const wndEnd = seqAdd(sk.sndUna, sk.sndWnd);
    const room = (wndEnd - sk.sndNxt) | 0;
    if (len > 0 && room < len) {
      if (room <= 0 || (room < mss && room < sk.unsentBytes)) {
        // Sender-side SWS avoidance: wait for a window worth a full segment (or all we have).
        break;
      }
      // tcp_mss_split_point(): a super-segment ends at the window's last whole MSS.
      len = room > mss ? room - (room % mss) : room;
    }
    // Nagle (RFC 896) with Linux's variant: a small segment waits while data is unacknowledged,
    // unless TCP_NODELAY, or the FIN is queued behind it.
    // (Minshall's form, tcp_minshall_check: only while an earlier small segment is unacknowledged.)
    if (len < mss && len > 0 && !sk.nodelay && !sk.finQueued && after(sk.sndSml, sk.sndUna) && !after(sk.sndSml, sk.sndNxt)) break;
    if (len === 0 && !(sk.finQueued && !sk.finSent && sk.unsentBytes === 0)) break;
    tcpSendNewSeg(sk, len, now, mss);
    sent = true;
  }
  if (sent) {
    if (!sk.rtxTimer.pending || sk.pending === ICSK_TIME_PROBE0) tcpResetXmitTimer(sk, ICSK_TIME_RETRANS, sk.rtoMs);
    // tcp_schedule_loss_probe() after new data (an RTO armed just now counts in full).
    if (sk.pending === ICSK_TIME_RETRANS || sk.pending === ICSK_TIME_LOSS_PROBE) tcpScheduleLossProbe(sk, false);
  }
  // tcp_check_probe_timer(): data waits and nothing is in flight to bring an ACK: probe.
  if (sk.rtx.empty && (sk.unsentBytes > 0 || (sk.finQueued && !sk.finSent))) tcpResetProbeTimer(sk);
  // The send buffer grows with cwnd (tcp_sndbuf_expand): two windows' worth.
  const want = Math.min(tcp.conf.tcpWmem[2], Math.max(tcp.conf.tcpWmem[1], 4 * Math.max(sk.sndCwnd, tcp.conf.initCwnd) * sk.mssCache));
  if (want > sk.sndbuf) sk.sndbuf = want;
}

/** inet_csk_reset_xmit_timer(): the retransmit timer now does `what` in `ms`. */
export function tcpResetXmitTimer(sk: TcpSock, what: number, ms: number): void {
  sk.pending = what;
  sk.rtxTimer.mod(sk.tcp.clock.now() + Math.min(ms, sk.tcp.conf.tcpRtoMaxMs));
}

/**
 * tcp_rearm_rto() after a loss probe or the reordering timer: the RTO keeps counting from the
 * oldest outstanding segment's (re)transmission rather than starting afresh.
 */
export function tcpRearmRtoFromHead(sk: TcpSock): void {
  const head = sk.rtx.head();
  if (head === null) return;
  const deltaUs = head.txUs + sk.rtoMs * 1000 - sk.tcp.nowUs();
  tcpResetXmitTimer(sk, ICSK_TIME_RETRANS, Math.max(1, Math.ceil(deltaUs / 1000)));
}

/** tcp_check_probe_timer(): the persist timer, at the backed-off RTO. */
export function tcpResetProbeTimer(sk: TcpSock): void {
  if (sk.rtxTimer.pending) return;
  const when = Math.min(sk.rtoMs * 2 ** sk.backoff, sk.tcp.conf.tcpRtoMaxMs);
  tcpResetXmitTimer(sk, ICSK_TIME_PROBE0, when);
}

/**
 * tcp_retransmit_skb(): one entry again, with the current ACK and window. An entry of more
 * segments than `segs` (what cwnd leaves; 1 for the RTO and probes) or than the device now
 * takes in one piece is cut first (tcp_fragment), and only its head goes.
 */
export function tcpRetransmitSeg(sk: TcpSock, seg: TcpSeg, segs = 1): void {
  const tcp = sk.tcp;
  if (seg.sacked & TCPCB_SACKED_ACKED) return;
  if (seg.gsoSize > 0) {
    const mss = seg.gsoSize;
    const max = mss * Math.max(1, Math.min(segs, tcpTsoMaxSegs(sk, mss)));
    if (seg.data.length > max) sk.rtx.fragment(seg, max);
  }
  let flags = TCPHDR_ACK | (seg.tcpFlags & (TCPHDR_PSH | TCPHDR_FIN));
  if (seg.tcpFlags & TCPHDR_SYN) flags |= TCPHDR_SYN;
  const len = seg.data.length;
  if (sk.retransStamp === 0) sk.retransStamp = Math.floor(seg.txUs / 1000) || tcp.clock.now();
  sk.rtx.onRetransmit(seg, tcp.nowUs(), sk.delivered);
  const n = seg.pcount;
  tcp.stats.retransSegs += n;
  sk.totalRetrans += n;
  sk.bytesRetrans += len;
  if (sk.caState === TCP_CA_Loss) tcp.statsExt.tcpSlowStartRetrans += n;
  else if (sk.caState === TCP_CA_Recovery) tcp.statsExt.tcpFastRetrans += n;
  // A retransmission that cannot leave (no route, too big) is TCPRetransFail, as Linux counts it.
  if (tcpTransmit(sk, seg.seq | 0, flags, seg.data, 0, len, seg.gsoSize) < 0) tcp.statsExt.tcpRetransFail++;
}

/** tcp_xmit_retransmit_queue(): lost segments, as many as cwnd allows. */
export function tcpXmitRetransmitQueue(sk: TcpSock): void {
  for (;;) {
    if (sk.rtx.packetsInFlight >= sk.sndCwnd) return;
    const seg = sk.rtx.nextRetransmit();
    if (seg === null) return;
    // Only what the peer's window still covers (a shrunk window waits).
    if (after(seg.endSeq, seqAdd(sk.sndUna, Math.max(sk.sndWnd, sk.mssCache))) && seg !== sk.rtx.head()) return;
    tcpRetransmitSeg(sk, seg, sk.sndCwnd - sk.rtx.packetsInFlight);
    // A retransmission restarts the RTO unless it already runs (tcp_xmit_retransmit_queue's rearm).
    if (sk.pending !== ICSK_TIME_RETRANS) tcpResetXmitTimer(sk, ICSK_TIME_RETRANS, sk.rtoMs);
  }
}

/**
 * tcp_xmit_probe_skb(): a pure ACK with SEQ = SND.UNA − 1, which the peer must answer with its
 * window (zero-window probes and keepalives, as Linux sends them).
 */
export function tcpXmitProbe(sk: TcpSock): void {
  tcpTransmit(sk, (sk.sndUna - 1) | 0, TCPHDR_ACK, null, 0, 0);
}

/**
 * tcp_v4_send_reset / tcp_v6_send_reset: the RST for a segment no socket takes (RFC 9293
 * 3.10.7.1): with ACK set it takes SEQ = SEG.ACK; else SEQ 0 and ACK = SEG.SEQ + SEG.LEN, RST|ACK,
 * window 0, no options.
 */
export function tcpSendResetReply(
  tcp: Tcp,
  af: TcpAfOps,
  src: TcpAddr,
  dst: TcpAddr,
  sport: number,
  dport: number,
  segAck: boolean,
  seq: number,
  ack: number,
): void {
  const skb = allocSkb(TCP_HLEN, LL_RESERVED_SPACE + af.netHdrLen);
  const p = skb.put(TCP_HLEN);
  const b = skb.buf;
  if (segAck) tcpHeaderWrite(b, p, sport, dport, seq, 0, TCP_HLEN, TCPHDR_RST, 0);
  else tcpHeaderWrite(b, p, sport, dport, 0, ack, TCP_HLEN, TCPHDR_RST | TCPHDR_ACK, 0);
  const csum = csumFold(csumPartial(b, p, TCP_HLEN, af.pseudo(src, dst, TCP_HLEN)));
  b[p + 16] = csum >>> 8;
  b[p + 17] = csum & 0xff;
  tcp.stats.outSegs++;
  tcp.stats.outRsts++;
  af.xmit(skb, src, dst, 0, -1);
}

/** tcp_mtu_to_mss() and tcp_sync_mss(): the send MSS from the path MTU, the peer's MSS and the options. */
export function tcpSyncMss(sk: TcpSock, pmtu: number): void {
  sk.pmtu = pmtu;
  let mss = pmtu - sk.af.netHdrLen - TCP_HLEN;
  if (mss > sk.mssClamp) mss = sk.mssClamp;
  mss = Math.max(mss, sk.tcp.conf.tcpMinSndMss);
  if (sk.tsOk) mss -= 12;
  sk.mssCache = Math.max(mss, 8);
}
