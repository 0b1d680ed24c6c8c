// Receiving segments on a full socket: tcp_rcv_state_process, tcp_rcv_established,
// tcp_rcv_synsent_state_process, tcp_validate_incoming (PAWS, tcp_sequence, RFC 5961), tcp_ack
// with tcp_clean_rtx_queue and tcp_fastretrans_alert, tcp_data_queue with the out-of-order queue,
// tcp_fin, __tcp_ack_snd_check, tcp_rtt_estimator and tcp_reset/tcp_done (net/ipv4/tcp_input.c).
import { ECONNREFUSED, ECONNRESET, EPIPE } from '../core/errno.js';
import { after, afterEq, before, beforeEq, seqAdd } from './seq.js';
import { TcpOptionsReceived } from './tcp_hdr.js';
import { TCPCB_SACKED_ACKED } from './tcp_rtx_queue.js';
import {
  ICSK_TIME_LOSS_PROBE,
  ICSK_TIME_PROBE0,
  ICSK_TIME_REO_TIMEOUT,
  ICSK_TIME_RETRANS,
  TCP_DELACK_MIN,
  TCP_MAX_QUICKACKS,
  TCP_TIMEWAIT_LEN,
  type TcpSock,
} from './tcp_sock.js';
import {
  TCPHDR_ACK,
  TCPHDR_FIN,
  TCPHDR_RST,
  TCPHDR_SYN,
  TCP_CA_Disorder,
  TCP_CA_Loss,
  TCP_CA_Open,
  TCP_CA_Recovery,
  TCP_CLOSE,
  TCP_CLOSE_WAIT,
  TCP_CLOSING,
  TCP_ESTABLISHED,
  TCP_FIN_WAIT1,
  TCP_FIN_WAIT2,
  TCP_LAST_ACK,
  TCP_SYN_RECV,
  TCP_SYN_SENT,
  TCP_TIME_WAIT,
} from './tcp_states.js';
import {
  tcpResetXmitTimer,
  tcpSendAck,
  tcpSendChallengeAck,
  tcpSendDelayedAck,
  tcpSendDupAck,
  tcpSendSynAck,
  tcpSyncMss,
  tcpWinFromSpace,
  tcpWriteXmit,
  tcpXmitRetransmitQueue,
} from './tcp_output.js';
import { tcpKeepaliveReset } from './tcp_timer.js';
import { type TcpSacktagState, tcpDsackSet, tcpSackExtendHead, tcpSackFirstOfo, tcpSackNewOfoSkb, tcpSackRemove, tcpSacktag } from './tcp_sack.js';
import {
  FLAG_DATA,
  FLAG_DATA_ACKED,
  FLAG_SND_UNA_ADVANCED,
  FLAG_WIN_UPDATE,
  TCP_RACK_LOSS_DETECTION,
  TLP_ACK_LOSS,
  tcpProcessTlpAck,
  tcpRackMarkLost,
  tcpRackRecoveryEnded,
  tcpRtoDeltaUs,
  tcpTlpAllowed,
  tcpTlpTimeoutUs,
} from './tcp_recovery.js';

/** One received segment as the input path sees it (reused: nothing is allocated per segment). */
export class TcpSegIn {
  buf!: Buffer;
  /** Offset of the TCP header. */
  off = 0;
  seq = 0;
  /** seq + payload + SYN + FIN. */
  endSeq = 0;
  ack = 0;
  flags = 0;
  /** The window field as received (unscaled). */
  window = 0;
  payloadOff = 0;
  payloadLen = 0;
  /** gso_size of a super-segment the device handed over whole (0: an ordinary segment). */
  gsoSize = 0;
  readonly opts = new TcpOptionsReceived();
}

/** tcp_set_state(): with the counters that follow state changes. */
export function tcpSetState(sk: TcpSock, st: number): void {
  const old = sk.state;
  if (old === st) return;
  if (st === TCP_CLOSE && (old === TCP_ESTABLISHED || old === TCP_CLOSE_WAIT)) {
    // TCP_MIB_ESTABRESETS counts resets out of these two states only (tcp_set_state).
    if (sk.err !== 0) sk.tcp.stats.estabResets++;
  }
  sk.state = st;
  sk.tcp.onStateChange(sk, old, st);
}

/** tcp_done(): the connection is gone; `err` (negative errno, 0 for none) goes to the user once. */
export function tcpDone(sk: TcpSock, err: number): void {
  if (err !== 0) sk.err = err;
  tcpSetState(sk, TCP_CLOSE);
  sk.rtxTimer.del();
  sk.delackTimer.del();
  sk.keepaliveTimer.del();
  sk.twTimer.del();
  sk.rtx.clear();
  sk.unsent.length = 0;
  sk.unsentBytes = 0;
  sk.ofo.length = 0;
  sk.ofoBytes = 0;
  sk.sackRecv.reset();
  sk.tcp.unhash(sk);
  if (sk.parent !== null) {
    sk.parent.acceptQueueRemove(sk);
    sk.parent = null;
  }
  if (err !== 0) sk.user.onError(err);
  reportClose(sk);
}

/** onClose once, after any final onReadable. */
export function reportClose(sk: TcpSock): void {
  if (sk.closeReported) return;
  sk.closeReported = true;
  sk.user.onClose();
}

/** tcp_reset(): an acceptable RST: the error depends on the state (ECONNREFUSED in SYN_SENT). */
export function tcpReset(sk: TcpSock): void {
  let err: number;
  switch (sk.state) {
    case TCP_SYN_SENT:
      err = -ECONNREFUSED;
      sk.tcp.stats.attemptFails++;
      break;
    case TCP_CLOSE_WAIT:
      err = -EPIPE;
      break;
    case TCP_CLOSE:
      return;
    default:
      err = -ECONNRESET;
  }
  if (sk.state === TCP_TIME_WAIT || (sk.orphan && (sk.state === TCP_LAST_ACK || sk.state === TCP_CLOSING || sk.state === TCP_FIN_WAIT2 || sk.state === TCP_FIN_WAIT1))) {
    err = 0;
  }
  if (sk.state === TCP_ESTABLISHED || sk.state === TCP_CLOSE_WAIT) sk.err = err;
  tcpDone(sk, err);
}

/**
 * tcp_rtt_estimator() and tcp_set_rto(): RFC 6298 in µs; RTO = SRTT + max(4·RTTVAR, rto_min),
 * within [rto_min, rto_max].
 */
export function tcpRttEstimator(sk: TcpSock, mUs: number): void {
  if (mUs < 0) return;
  const m = Math.max(mUs, 1);
  if (sk.srttUs === 0) {
    sk.srttUs = m;
    sk.rttvarUs = m / 2;
  } else {
    sk.rttvarUs = 0.75 * sk.rttvarUs + 0.25 * Math.abs(sk.srttUs - m);
    sk.srttUs = 0.875 * sk.srttUs + 0.125 * m;
  }
  if (sk.minRttUs === 0 || m < sk.minRttUs) sk.minRttUs = m;
  const c = sk.tcp.conf;
  const rtoUs = sk.srttUs + Math.max(4 * sk.rttvarUs, c.tcpRtoMinUs);
  sk.rtoMs = Math.min(Math.max(Math.ceil(rtoUs / 1000), Math.ceil(c.tcpRtoMinUs / 1000)), c.tcpRtoMaxMs);
}

/** tcp_in_quickack_mode(). */
function inQuickack(sk: TcpSock): boolean {
  return sk.quickAcks > 0 && !sk.pingpong;
}

/** tcp_enter_quickack_mode(): ACK the next segments at once, leaving interactive mode. */
export function tcpEnterQuickack(sk: TcpSock, max = TCP_MAX_QUICKACKS): void {
  const quick = Math.min(Math.max(1, Math.floor(sk.rcvWnd / (2 * sk.rcvMss))), max);
  if (quick > sk.quickAcks) sk.quickAcks = quick;
  sk.pingpong = false;
  sk.atoMs = TCP_DELACK_MIN;
}

/**
 * tcp_event_data_recv(): the receive MSS estimate (tcp_measure_rcv_mss: a super-segment's
 * gso_size, an ordinary segment's length), quick ACKs at the start and after idle.
 */
function tcpEventDataRecv(sk: TcpSock, len: number): void {
  const now = sk.tcp.clock.now();
  if (len > sk.rcvMss) sk.rcvMss = Math.min(len, sk.advmss);
  if (sk.lrcvtime === 0) tcpEnterQuickack(sk);
  else if (now - sk.lrcvtime > sk.rtoMs) tcpEnterQuickack(sk);
  sk.lrcvtime = now;
  // tcp_grow_window(): rcv_ssthresh follows the data that arrives, up to the clamp.
  if (sk.rcvSsthresh < sk.windowClamp && len >= 128) {
    sk.rcvSsthresh = Math.min(sk.rcvSsthresh + 2 * sk.rcvMss, sk.windowClamp, tcpWinFromSpace(sk.rcvbuf));
  }
}

/**
 * tcp_rcv_space_adjust() (DRS): once per RTT, a receive buffer of twice what the application
 * read in that RTT, times two for the window's half, within tcp_rmem[2].
 */
function tcpRcvSpaceAdjust(sk: TcpSock): void {
  const c = sk.tcp.conf;
  if (!c.tcpModerateRcvbuf) return;
  const now = sk.tcp.clock.now();
  const rtt = Math.max(1, sk.srttUs / 1000);
  if (now - sk.rcvqSpaceTime < rtt) return;
  const copied = sk.rcvqSpace;
  sk.rcvqSpace = 0;
  sk.rcvqSpaceTime = now;
  const want = Math.min(c.tcpRmem[2], 4 * copied);
  if (want > sk.rcvbuf) {
    sk.rcvbuf = want;
    sk.windowClamp = Math.max(sk.windowClamp, tcpWinFromSpace(want));
  }
}

/** __tcp_ack_snd_check(): now, or delayed. */
function tcpAckSndCheck(sk: TcpSock, ofoPossible: boolean): void {
  if (!sk.ackPending) return;
  const moreThanOneFull = ((sk.rcvNxt - sk.rcvWup) >>> 0) > sk.rcvMss;
  if (moreThanOneFull || inQuickack(sk) || ofoPossible || sk.ofo.length > 0) {
    if (inQuickack(sk)) sk.quickAcks--;
    tcpSendAck(sk);
  } else {
    tcpSendDelayedAck(sk);
  }
}

/** Demands an ACK now (duplicates, out-of-order data, FIN, hole fills). */
function ackNow(sk: TcpSock): void {
  sk.ackPending = true;
  tcpSendAck(sk);
}

/**
 * tcp_validate_incoming(): PAWS, the sequence check, RST handling and SYN in a synchronised
 * state (RFC 9293 3.10.7.4 steps 1–4 with RFC 5961). false: the segment goes no further.
 */
function tcpValidateIncoming(sk: TcpSock, s: TcpSegIn): boolean {
  const x = sk.tcp.statsExt;
  const o = s.opts;
  const rst = (s.flags & TCPHDR_RST) !== 0;
  // PAWS (RFC 7323 5.3): an older timestamp than ts_recent is a wrapped-around duplicate.
  if (sk.tsOk && o.sawTstamp && !rst && ((sk.tsRecent - o.rcvTsval) | 0) > 1 && sk.tcp.clock.now() - sk.tsRecentStamp < 24 * 24 * 3600 * 1000) {
    x.pawsEstab++;
    tcpSendDupAck(sk, s.payloadLen > 0, 'tcpAckSkippedPaws');
    return false;
  }
  // tcp_sequence(): acceptable when it overlaps [rcv_wup, rcv_nxt + window].
  const rcvWnd = Math.max(0, (sk.rcvWup + sk.rcvWnd - sk.rcvNxt) | 0);
  if (before(s.endSeq, sk.rcvWup) || after(s.seq, seqAdd(sk.rcvNxt, rcvWnd))) {
    // (a RST out of the window is dropped unanswered: counted here too)
    x.tcpOutOfWindow++;
    if (!rst) {
      // A zero-window probe (SEQ = RCV.NXT − 1) lands here and gets the ACK with our window.
      tcpSendDupAck(sk, s.payloadLen > 0, 'tcpAckSkippedSeq');
    }
    return false;
  }
  if (rst) {
    // RFC 5961 3.2: only an exact match resets; in-window others draw a challenge ACK.
    if (s.seq === sk.rcvNxt) {
      x.tcpSegsAccepted++;
      tcpReset(sk);
    } else tcpSendChallengeAck(sk);
    return false;
  }
  if (s.flags & TCPHDR_SYN) {
    // Simultaneous open: the peer's SYN-ACK, exactly answering ours, completes SYN_RECV.
    if (
      sk.state === TCP_SYN_RECV &&
      s.flags & TCPHDR_ACK &&
      seqAdd(s.seq, 1) === s.endSeq &&
      seqAdd(s.seq, 1) === sk.rcvNxt &&
      s.ack === sk.sndNxt
    ) {
      return true;
    }
    // RFC 5961 4.2: a SYN on a synchronised connection gets a challenge ACK.
    x.tcpSynChallenge++;
    tcpSendChallengeAck(sk);
    return false;
  }
  return true;
}

/** tcp_replace_ts_recent(): remember the peer's clock from segments at the left window edge. */
function tcpReplaceTsRecent(sk: TcpSock, s: TcpSegIn): void {
  if (sk.tsOk && s.opts.sawTstamp && !after(s.seq, sk.rcvWup) && ((s.opts.rcvTsval - sk.tsRecent) | 0) >= 0) {
    sk.tsRecent = s.opts.rcvTsval;
    sk.tsRecentStamp = sk.tcp.clock.now();
  }
}

/** Duplicate-ACK count as SACKed segments for a peer without SACK (tcp_add_reno_sack's sacked_out). */
export function renoSackedOut(sk: TcpSock): number {
  return sk.sackOk ? 0 : Math.min(sk.dupAcks, Math.max(0, sk.rtx.packetsOut - 1));
}

/**
 * RFC 6675 IsLost with DupThresh = tcp_reordering: a segment is lost once that many segments
 * above it were SACKed. The loss detection when RACK is off (net.ipv4.tcp_recovery without bit 1).
 */
function tcpMarkSackLost(sk: TcpSock): void {
  const q = sk.rtx;
  let sackedAbove = 0;
  for (let i = q.length - 1; i >= 0; i--) {
    const seg = q.at(i);
    if (seg.sacked & TCPCB_SACKED_ACKED) {
      sackedAbove++;
      continue;
    }
    if (sackedAbove >= sk.reordering) q.markLost(seg);
  }
}

/** tcp_init_undo(): what a later DSACK may show was retransmitted needlessly. */
function tcpInitUndo(sk: TcpSock): void {
  sk.undoMarker = sk.sndUna || 1;
  sk.undoRetrans = sk.rtx.retransOut;
}

/** tcp_enter_recovery(): fast retransmit starts (RFC 5681 3.2 / RFC 6675 5). */
function tcpEnterRecovery(sk: TcpSock): void {
  const x = sk.tcp.statsExt;
  if (sk.sackOk) x.tcpSackRecovery++;
  else x.tcpRenoRecovery++;
  tcpInitUndo(sk);
  sk.priorCwnd = sk.sndCwnd;
  sk.priorSsthresh = sk.sndSsthresh;
  sk.sndSsthresh = sk.cong.ssthresh();
  sk.cong.setState(TCP_CA_Recovery);
  sk.caState = TCP_CA_Recovery;
  sk.highSeq = sk.sndNxt;
  // The reduced window at once (PRR's outcome once the flight has drained to ssthresh).
  sk.sndCwnd = Math.max(sk.sndSsthresh, 2);
}

/** Back to Open (tcp_try_undo_recovery without an undo / tcp_end_cwnd_reduction). */
function tcpExitRecovery(sk: TcpSock): void {
  if (sk.caState === TCP_CA_Recovery) sk.sndCwnd = Math.max(Math.min(sk.sndCwnd, sk.sndSsthresh), 2);
  sk.caState = TCP_CA_Open;
  sk.cong.setState(TCP_CA_Open);
  sk.dupAcks = 0;
  sk.undoMarker = 0;
  tcpRackRecoveryEnded(sk.rack);
}

/**
 * tcp_identify_packet_loss() for a SACK peer: RACK (RFC 8985) marks what was sent before the
 * newest delivered segment and has waited longer than its RTT plus the reordering window;
 * the remaining wait arms the reordering timer. Without RACK, RFC 6675's DupThresh rule.
 */
function tcpIdentifyPacketLoss(sk: TcpSock, nowUs: number): void {
  const c = sk.tcp.conf;
  if (c.tcpRecovery & TCP_RACK_LOSS_DETECTION) {
    const waitUs = tcpRackMarkLost(sk.rtx, sk.rack, sk.sackView, nowUs, sk.rtoMs * 1000, c.tcpRecovery);
    if (waitUs > 0) tcpResetXmitTimer(sk, ICSK_TIME_REO_TIMEOUT, Math.ceil(waitUs / 1000));
  } else {
    tcpMarkSackLost(sk);
  }
}

/**
 * tcp_fastretrans_alert(): the loss-recovery state machine after an ACK. SACK peers: RACK (or
 * DupThresh) finds the losses and any lost segment starts Recovery; others: three duplicate
 * ACKs do, and NewReno's partial ACKs retransmit the next hole. Recovery ends once high_seq is
 * acknowledged.
 */
function tcpFastretransAlert(sk: TcpSock, newDataAcked: boolean, isDupack: boolean, nowUs: number): void {
  const q = sk.rtx;
  if (sk.caState === TCP_CA_Loss) {
    if (!before(sk.sndUna, sk.highSeq)) tcpExitRecovery(sk);
  } else if (sk.caState === TCP_CA_Recovery) {
    if (!before(sk.sndUna, sk.highSeq)) tcpExitRecovery(sk);
    else if (newDataAcked && !sk.sackOk) {
      // NewReno (RFC 6582): a partial ACK means the next segment was lost too.
      const head = q.head();
      if (head !== null) q.markLost(head);
      sk.dupAcks = 0;
    }
  }
  if (sk.sackOk) {
    if (!q.empty) tcpIdentifyPacketLoss(sk, nowUs);
    if (sk.caState === TCP_CA_Open || sk.caState === TCP_CA_Disorder) {
      if (q.lostOut > 0) tcpEnterRecovery(sk);
      else if (q.sackedOut > 0) sk.caState = TCP_CA_Disorder;
      else sk.caState = TCP_CA_Open;
    }
  } else if (sk.caState === TCP_CA_Open || sk.caState === TCP_CA_Disorder) {
    if (q.empty) return;
    if (isDupack) {
      if (sk.dupAcks > 0) sk.caState = TCP_CA_Disorder;
      if (sk.dupAcks >= sk.reordering) {
        tcpEnterRecovery(sk);
        const head = q.head();
        if (head !== null) q.markLost(head);
      }
    } else if (sk.dupAcks === 0 && sk.caState === TCP_CA_Disorder) {
      sk.caState = TCP_CA_Open;
    }
  }
  if (q.lostOut > 0) tcpXmitRetransmitQueue(sk);
}

/** The SACK option of `s` on the scoreboard (tcp_sacktag_write_queue), with its counters. */
function tcpSacktagAck(sk: TcpSock, s: TcpSegIn, priorUna: number, nowUs: number): TcpSacktagState {
  const o = s.opts;
  const blocks = sk.sackBlocks[o.numSacks];
  for (let i = 0; i < o.numSacks; i++) {
    blocks[i][0] = o.sack[2 * i];
    blocks[i][1] = o.sack[2 * i + 1];
  }
  const st = tcpSacktag(sk.rtx, blocks, s.ack, priorUna, sk.sackView, nowUs, sk.rack, sk.sackState);
  const x = sk.tcp.statsExt;
  x.tcpSackDiscard += st.sackDiscard;
  x.tcpDsackIgnoredOld += st.dsackIgnoredOld;
  x.tcpDsackIgnoredNoUndo += st.dsackIgnoredNoUndo;
  x.tcpDsackRecv += st.dsackRecv;
  x.tcpDsackOfoRecv += st.dsackOfoRecv;
  x.tcpSackReorder += st.sackReorder;
  sk.delivered += st.sackDelivered;
  x.tcpDelivered += st.sackDelivered;
  return st;
}

/**
 * tcp_schedule_loss_probe(): with SACK in Open (or CWR) the RTO gives way to a tail loss probe
 * after about two RTTs (RFC 8985 7.2), so a lost tail is found without waiting for a timeout.
 */
export function tcpScheduleLossProbe(sk: TcpSock, advancingRto: boolean): void {
  const q = sk.rtx;
  if (q.packetsOut === 0 || !tcpTlpAllowed(sk.tcp.conf.tcpEarlyRetrans, sk.sackOk, sk.caState)) return;
  const nowUs = sk.tcp.nowUs();
  const rtoUs = sk.rtoMs * 1000;
  const us = tcpTlpTimeoutUs(sk.srttUs, q.packetsOut, advancingRto ? rtoUs : tcpRtoDeltaUs(q, rtoUs, nowUs), sk.tcp.conf.tcpRtoMinUs);
  tcpResetXmitTimer(sk, ICSK_TIME_LOSS_PROBE, Math.max(1, Math.ceil(us / 1000)));
}

/**
 * tcp_ack(): process the acknowledgment. Returns false when the segment must be dropped (an ACK
 * for data never sent draws a challenge ACK; one older than the window's reach is ignored).
 */
function tcpAck(sk: TcpSock, s: TcpSegIn): boolean {
  const tcp = sk.tcp;
  const x = tcp.statsExt;
  const ack = s.ack;
  const priorUna = sk.sndUna;
  const nowUs = tcp.nowUs();
  if (after(ack, sk.sndNxt)) {
    tcpSendChallengeAck(sk);
    return false;
  }
  if (before(ack, priorUna)) {
    if (before(ack, (priorUna - sk.maxWindow) >>> 0)) {
      tcpSendChallengeAck(sk);
      return false;
    }
    // An old ACK: its SACK information still counts; the data goes on.
    if (sk.sackOk && s.opts.numSacks > 0) {
      tcpSacktagAck(sk, s, priorUna, nowUs);
      tcpFastretransAlert(sk, false, false, nowUs);
    }
    return true;
  }
  let flag = 0;
  if (s.payloadLen > 0) flag |= FLAG_DATA;
  const nwin = s.window << sk.sndWscale;
  // tcp_may_update_window(): newer ACK, newer segment, or same segment with a bigger window.
  const windowUpdate = after(ack, priorUna) || after(s.seq, sk.sndWl1) || (s.seq === sk.sndWl1 && nwin > sk.sndWnd);
  const oldWnd = sk.sndWnd;
  if (windowUpdate) {
    if (nwin !== oldWnd) flag |= FLAG_WIN_UPDATE;
    sk.sndWnd = nwin;
    sk.sndWl1 = s.seq;
    sk.sndWl2 = ack;
    if (nwin > sk.maxWindow) sk.maxWindow = nwin;
  }
  const advanced = after(ack, priorUna);
  if (advanced) {
    flag |= FLAG_SND_UNA_ADVANCED | FLAG_DATA_ACKED;
    // snd_una moves before the SACK blocks are read (tcp_sacktag_write_queue expects it).
    sk.sndUna = ack;
  }
  let newlySacked = 0;
  let sackRttUs = -1;
  if (sk.sackOk && s.opts.numSacks > 0) {
    const st = tcpSacktagAck(sk, s, priorUna, nowUs);
    flag |= st.flag;
    newlySacked = st.newlySacked.length;
    sackRttUs = st.sackRttUs;
  }
  if (advanced) {
    const r = sk.rtx.ackUpTo(ack, nowUs, sk.sackOk ? sk.rack : null, sk.sackView.minRttUs);
    sk.bytesAcked += (ack - priorUna) >>> 0;
    sk.lastAckMs = tcp.clock.now();
    const newlyDelivered = Math.max(0, r.ackedSegs - r.sackedRemoved);
    sk.delivered += newlyDelivered;
    x.tcpDelivered += newlyDelivered;
    // RTT: Karn from the queue; timestamps cover retransmitted data (RFC 7323 4.1).
    let rttUs = r.seqRttUs;
    if (rttUs < 0) rttUs = tcpTsEchoRttUs(sk, s);
    if (rttUs < 0) rttUs = sackRttUs;
    if (rttUs >= 0) tcpRttEstimator(sk, rttUs);
    sk.cong.pktsAcked({ pktsAcked: r.ackedSegs + newlySacked, rttUs, inFlight: sk.rtx.packetsInFlight });
    // Timeouts are over once new data is acknowledged (tcp_ack's icsk_retransmits reset).
    sk.retransmits = 0;
    sk.backoff = 0;
    sk.retransStamp = 0;
    sk.dupAcks = 0;
    // Congestion avoidance only outside recovery (tcp_may_raise_cwnd).
    if (sk.caState === TCP_CA_Open || sk.caState === TCP_CA_Disorder) sk.cong.congAvoid(ack, Math.max(1, r.ackedSegs + newlySacked));
    else if (sk.caState === TCP_CA_Loss) sk.cong.congAvoid(ack, Math.max(1, r.ackedSegs));
    if (r.finAcked) sk.finSent = true;
    if (s.payloadLen === 0 && !(s.flags & (TCPHDR_SYN | TCPHDR_FIN))) x.tcpPureAcks++;
  } else if (s.payloadLen === 0 && !(s.flags & (TCPHDR_FIN | TCPHDR_SYN)) && !sk.rtx.empty && (nwin === oldWnd || !windowUpdate)) {
    // RFC 5681's duplicate ACK: same ACK, no data, same window, data outstanding.
    sk.dupAcks++;
  }
  // A window that opened ends the persist timer's job.
  if (sk.pending === ICSK_TIME_PROBE0 && sk.sndWnd > 0) {
    sk.rtxTimer.del();
    sk.pending = 0;
    sk.backoff = 0;
  }
  if (sk.tlp.highSeq !== 0 && tcpProcessTlpAck(sk.tlp, ack, flag) === TLP_ACK_LOSS) {
    // The probe repaired a tail loss: one reduction, as CWR entered and left at once.
    sk.sndSsthresh = sk.cong.ssthresh();
    sk.sndCwnd = Math.max(sk.sndSsthresh, 2);
    x.tcpLossProbeRecovery++;
  }
  tcpFastretransAlert(sk, advanced, !advanced && s.payloadLen === 0 && sk.dupAcks > 0, nowUs);
  // The retransmit timer follows the oldest unacknowledged segment (tcp_rearm_rto), or the
  // reordering timer RACK armed, or becomes a loss probe (tcp_set_xmit_timer).
  if (sk.rtx.empty) {
    if (sk.pending !== ICSK_TIME_PROBE0) {
      sk.rtxTimer.del();
      sk.pending = 0;
    }
  } else if (advanced && sk.pending !== ICSK_TIME_REO_TIMEOUT) {
    tcpResetXmitTimer(sk, ICSK_TIME_RETRANS, sk.rtoMs);
    tcpScheduleLossProbe(sk, true);
  }
  // Space in the send buffer wakes a writer that waited (sk_stream_write_space).
  if (sk.sndWaiting && sk.sendSpace > 0 && advanced) {
    sk.sndWaiting = false;
    sk.user.onWritable();
  }
  return true;
}

/**
 * tcp_synack_rtt_meas() with tcp_init_metrics()' fallback: a passive open's first RTT sample
 * is the time since its first SYN-ACK when that was not retransmitted (Karn), else the echoed
 * timestamp of the handshake's ACK; with neither, RFC 6298 5.7's 3 s RTO.
 */
export function tcpSynackRttMeas(sk: TcpSock, sntSynackMs: number, numRetrans: number, s: TcpSegIn): void {
  let rttUs = -1;
  if (numRetrans === 0 && sntSynackMs >= 0) rttUs = (sk.tcp.clock.now() - sntSynackMs) * 1000;
  else rttUs = tcpTsEchoRttUs(sk, s);
  if (rttUs >= 0) tcpRttEstimator(sk, rttUs);
  else sk.rtoMs = TCP_TIMEOUT_FALLBACK_MS;
}

/** TCP_TIMEOUT_FALLBACK: the RTO after a handshake without an RTT sample. */
const TCP_TIMEOUT_FALLBACK_MS = 3000;

/** The RTT a segment's echoed timestamp gives (RFC 7323 4.1, in µs), or -1 without one. */
function tcpTsEchoRttUs(sk: TcpSock, s: TcpSegIn): number {
  if (!sk.tsOk || !s.opts.sawTstamp || s.opts.rcvTsecr === 0) return -1;
  return Math.max(0, ((tcpTsNowLocal(sk) - s.opts.rcvTsecr) | 0) * 1000);
}

function tcpTsNowLocal(sk: TcpSock): number {
  return (Math.floor(sk.tcp.clock.now()) + sk.tsOffset) >>> 0;
}

/** tcp_fin(): the peer has no more data. */
function tcpFin(sk: TcpSock): void {
  sk.finReceived = true;
  switch (sk.state) {
    case TCP_SYN_RECV:
    case TCP_ESTABLISHED:
      tcpSetState(sk, TCP_CLOSE_WAIT);
      break;
    case TCP_FIN_WAIT1:
      // Our FIN is not acknowledged yet: both sides closing at once.
      tcpSetState(sk, TCP_CLOSING);
      break;
    case TCP_FIN_WAIT2:
      tcpTimeWait(sk);
      break;
    default:
      break;
  }
  // The FIN is acknowledged at once (measured: reference §3.5).
  ackNow(sk);
}

/** tcp_time_wait(): TIME_WAIT for TCP_TIMEWAIT_LEN; nothing of the connection but its identity matters now. */
export function tcpTimeWait(sk: TcpSock): void {
  tcpSetState(sk, TCP_TIME_WAIT);
  sk.rtxTimer.del();
  sk.keepaliveTimer.del();
  sk.rtx.clear();
  sk.tcp.statsExt.tw++;
  sk.twTimer.mod(sk.tcp.clock.now() + TCP_TIMEWAIT_LEN);
  reportClose(sk);
}

/** tcp_dsack_set() with its counter: [seq, end) arrived twice (RFC 2883). */
function tcpDsackSetCounted(sk: TcpSock, seq: number, end: number): void {
  const kind = tcpDsackSet(sk.sackRecv, seq, end, sk.rcvNxt, sk.sackOk && sk.tcp.conf.tcpDsack !== 0);
  if (kind === 'old') sk.tcp.statsExt.tcpDsackOldSent++;
  else if (kind === 'ofo') sk.tcp.statsExt.tcpDsackOfoSent++;
}

/**
 * tcp_data_queue_ofo(): keeps an out-of-order segment, trimmed against what is queued, and
 * updates the SACK blocks (the newest arrival's block first, RFC 2018).
 */
function tcpDataQueueOfo(sk: TcpSock, seq: number, endSeq: number, data: Buffer, fin: boolean): void {
  const x = sk.tcp.statsExt;
  if (sk.ofoBytes + sk.rcvQueueBytes + data.length > sk.rcvbuf) {
    x.tcpOfoDrop++;
    return;
  }
  x.tcpOfoQueue++;
  const q = sk.ofo;
  const r = sk.sackRecv;
  const origSeq = seq;
  const origEnd = endSeq;
  if (q.length === 0) {
    if (sk.sackOk) tcpSackFirstOfo(r, seq, endSeq);
    q.push({ seq, endSeq, data, fin });
    sk.ofoBytes += data.length;
    return;
  }
  const tail = q[q.length - 1];
  if (seq === tail.endSeq) {
    // The common case: the run continues at the tail.
    if (sk.sackOk && !tcpSackExtendHead(r, seq, endSeq)) tcpSackNewOfoSkb(r, seq, endSeq);
    q.push({ seq, endSeq, data, fin });
    sk.ofoBytes += data.length;
    return;
  }
  let i = 0;
  // Skip what ends at or before the new segment's start (an adjacent segment included).
  while (i < q.length && !after(q[i].endSeq, seq)) i++;
  // Wholly inside one queued segment: a duplicate, reported with a DSACK.
  if (i < q.length && !after(q[i].seq, seq) && !before(q[i].endSeq, endSeq)) {
    tcpDsackSetCounted(sk, seq, endSeq);
    return;
  }
  if (i < q.length && before(q[i].seq, seq) && after(q[i].endSeq, seq)) {
    const cut = (q[i].endSeq - seq) >>> 0;
    tcpDsackSetCounted(sk, seq, q[i].endSeq);
    data = data.subarray(Math.min(cut, data.length));
    seq = q[i].endSeq;
    i++;
  }
  // Later segments this one covers entirely go.
  while (i < q.length && !before(q[i].seq, seq) && !after(q[i].endSeq, endSeq)) {
    sk.ofoBytes -= q[i].data.length;
    q.splice(i, 1);
    x.tcpOfoMerge++;
  }
  if (i < q.length && before(q[i].seq, endSeq)) {
    const keep = (q[i].seq - seq) >>> 0;
    data = data.subarray(0, keep);
    endSeq = q[i].seq;
    fin = false;
  }
  q.splice(i, 0, { seq, endSeq, data, fin });
  sk.ofoBytes += data.length;
  if (sk.sackOk) tcpSackNewOfoSkb(r, origSeq, origEnd);
}

/** Appends in-order bytes for the reader. */
function queueRcv(sk: TcpSock, data: Buffer): void {
  if (data.length === 0) return;
  sk.rcvQueue.push(data);
  sk.rcvQueueBytes += data.length;
  sk.bytesReceived += data.length;
}

/** tcp_ofo_queue(): segments the new data made contiguous move to the receive queue. */
function tcpOfoQueue(sk: TcpSock): boolean {
  let fin = false;
  const q = sk.ofo;
  while (q.length > 0 && !after(q[0].seq, sk.rcvNxt)) {
    const s = q.shift()!;
    sk.ofoBytes -= s.data.length;
    if (!after(s.endSeq, sk.rcvNxt)) continue;
    const skip = (sk.rcvNxt - s.seq) >>> 0;
    queueRcv(sk, s.data.subarray(Math.min(skip, s.data.length)));
    sk.rcvNxt = s.endSeq;
    if (s.fin) fin = true;
  }
  return fin;
}

/**
 * tcp_data_queue(): in-order data to the reader (and whatever it unblocks in the out-of-order
 * queue), duplicates answered with a DSACK, out-of-order data kept with an immediate SACK.
 */
function tcpDataQueue(sk: TcpSock, s: TcpSegIn): void {
  const x = sk.tcp.statsExt;
  const fin = (s.flags & TCPHDR_FIN) !== 0;
  if (s.payloadLen === 0 && !fin) return;
  let seq = s.seq;
  const endSeq = s.endSeq;
  let data = s.buf.subarray(s.payloadOff, s.payloadOff + s.payloadLen);
  if (!after(endSeq, sk.rcvNxt)) {
    // All of it was received already: DSACK (RFC 2883) and a quick ACK.
    if (s.payloadLen > 0) tcpDsackSetCounted(sk, seq, endSeq);
    tcpEnterQuickack(sk);
    ackNow(sk);
    return;
  }
  const rcvWindow = Math.max(0, (sk.rcvWup + sk.rcvWnd - sk.rcvNxt) | 0);
  if (!before(seq, seqAdd(sk.rcvNxt, rcvWindow)) && s.payloadLen > 0) {
    // Beyond the window (a zero window's probe with data): dropped and answered.
    x.tcpZeroWindowDrop++;
    ackNow(sk);
    return;
  }
  if (before(seq, sk.rcvNxt)) {
    // A partial duplicate: the new part goes on (tcp_dsack_set for the old part).
    const skip = (sk.rcvNxt - seq) >>> 0;
    tcpDsackSetCounted(sk, seq, sk.rcvNxt);
    data = data.subarray(Math.min(skip, data.length));
    seq = sk.rcvNxt;
  }
  if (seq === sk.rcvNxt) {
    if (sk.rcvQueueBytes + data.length > sk.rcvbuf + (sk.rcvbuf >>> 1)) {
      // The reader is not keeping up and the sender overran our window: drop (TCPRcvQDrop).
      x.tcpRcvQDrop++;
      ackNow(sk);
      return;
    }
    // A copy: the frame may be ring memory.
    queueRcv(sk, Buffer.from(data));
    sk.dataSegsIn++;
    sk.rcvNxt = endSeq;
    tcpEventDataRecv(sk, s.gsoSize !== 0 ? s.gsoSize : s.payloadLen);
    let gotFin = fin;
    const hadOfo = sk.ofo.length > 0;
    if (hadOfo) {
      if (tcpOfoQueue(sk)) gotFin = true;
    }
    // tcp_sack_remove() whenever blocks are held, as tcp_data_queue does: a block rcv_nxt has
    // reached must go even when its out-of-order data was not kept (a SACK for data at or below
    // rcv_nxt would stop the sender from ever retransmitting it).
    if (sk.sackRecv.numSacks > 0) tcpSackRemove(sk.sackRecv, sk.rcvNxt, sk.ofo.length === 0);
    if (hadOfo) {
      // Filling a hole is ACKed at once (RFC 5681 4.2).
      sk.ackPending = true;
      tcpSendAck(sk);
    } else {
      sk.ackPending = true;
    }
    if (gotFin) tcpFin(sk);
    sk.user.onReadable();
    return;
  }
  // Out of order: keep it, ACK at once with the SACK block (RFC 5681 4.2, RFC 2018).
  sk.dataSegsIn++;
  tcpDataQueueOfo(sk, seq, endSeq, Buffer.from(data), fin);
  tcpEnterQuickack(sk);
  ackNow(sk);
}

/** Adopts what the peer's SYN (or SYN-ACK) negotiated (tcp_rcv_synsent_state_process / tcp_openreq_init). */
export function tcpApplySynOptions(sk: TcpSock, o: TcpOptionsReceived, window: number): void {
  const c = sk.tcp.conf;
  sk.sackOk = o.sackOk && c.tcpSack !== 0;
  sk.tsOk = o.sawTstamp && c.tcpTimestamps !== 0;
  sk.wscaleOk = o.wscale >= 0 && c.tcpWindowScaling !== 0;
  if (sk.wscaleOk) sk.sndWscale = o.wscale;
  else {
    sk.sndWscale = 0;
    sk.rcvWscale = 0;
  }
  if (sk.tsOk) {
    sk.tsRecent = o.rcvTsval;
    sk.tsRecentStamp = sk.tcp.clock.now();
  }
  sk.mssClamp = o.mss > 0 ? Math.max(o.mss, c.tcpMinSndMss) : 536;
  sk.sndWnd = window;
  sk.maxWindow = window;
  tcpSyncMss(sk, sk.pmtu);
  sk.rcvMss = Math.min(sk.advmss, sk.mssCache, 536);
}

/** tcp_init_transfer / tcp_finish_connect: ESTABLISHED, buffers and timers set up. */
export function tcpFinishConnect(sk: TcpSock): void {
  tcpSetState(sk, TCP_ESTABLISHED);
  sk.rtxTimer.del();
  sk.pending = 0;
  sk.rcvqSpaceTime = sk.tcp.clock.now();
  sk.cong.setState(TCP_CA_Open);
  tcpKeepaliveReset(sk);
}

/**
 * tcp_rcv_synsent_state_process(): our SYN is out. An ACK must cover exactly our SYN; RST then
 * refuses; a SYN-ACK establishes; a bare SYN is a simultaneous open (SYN_RECV, SYN-ACK).
 */
function tcpRcvSynSentStateProcess(sk: TcpSock, s: TcpSegIn): void {
  const tcp = sk.tcp;
  if (s.flags & TCPHDR_ACK) {
    if (!after(s.ack, sk.iss) || after(s.ack, sk.sndNxt)) {
      if (!(s.flags & TCPHDR_RST)) tcp.sendResetFor(sk.af, sk.local, sk.remote, sk.localPort, sk.remotePort, s);
      return;
    }
    if (s.flags & TCPHDR_RST) {
      tcpReset(sk);
      return;
    }
    if (!(s.flags & TCPHDR_SYN)) return;
    sk.irs = s.seq;
    sk.rcvNxt = seqAdd(s.seq, 1);
    sk.rcvWup = sk.rcvNxt;
    sk.sndWl1 = s.seq;
    tcpApplySynOptions(sk, s.opts, s.window);
    // The SYN's RTT seeds the estimator (Karn: not after a retransmitted SYN).
    const head = sk.rtx.head();
    const r = sk.rtx.ackUpTo(s.ack, tcp.nowUs());
    if (r.seqRttUs >= 0) tcpRttEstimator(sk, r.seqRttUs);
    else if (head !== null) sk.rtoMs = Math.max(sk.rtoMs, 3000);
    sk.sndUna = s.ack;
    sk.retransmits = 0;
    sk.backoff = 0;
    sk.retransStamp = 0;
    sk.rcvTstamp = tcp.clock.now();
    tcpFinishConnect(sk);
    sk.user.onConnect();
    if (sk.state !== TCP_ESTABLISHED) return;
    // The handshake's ACK; queued data (or a FIN queued before the connection) takes it along.
    if (sk.finQueued) {
      tcpSetState(sk, TCP_FIN_WAIT1);
    }
    sk.ackPending = true;
    const segsBefore = sk.segsOut;
    tcpWriteXmit(sk);
    if (sk.segsOut === segsBefore) tcpSendAck(sk);
    if (s.payloadLen > 0 || s.flags & TCPHDR_FIN) tcpDataQueue(sk, s);
    return;
  }
  if (s.flags & TCPHDR_RST) return;
  if (s.flags & TCPHDR_SYN) {
    // Simultaneous open (RFC 9293 3.5, figure 8).
    sk.irs = s.seq;
    sk.rcvNxt = seqAdd(s.seq, 1);
    sk.rcvWup = sk.rcvNxt;
    sk.sndWl1 = s.seq;
    tcpApplySynOptions(sk, s.opts, s.window);
    tcpSetState(sk, TCP_SYN_RECV);
    tcpSendSynAck(sk);
  }
}

/**
 * tcp_rcv_state_process() for every state but LISTEN (handled by the listener) and TIME_WAIT
 * (tcp_timewait_state_process): RFC 9293 3.10.7.4's steps in order.
 */
export function tcpRcvStateProcess(sk: TcpSock, s: TcpSegIn): void {
  const tcp = sk.tcp;
  sk.segsIn++;
  sk.rcvTstamp = tcp.clock.now();
  sk.lastRecvMs = sk.rcvTstamp;
  if (sk.probesOut > 0) sk.probesOut = 0;
  if (sk.state === TCP_SYN_SENT) {
    tcpRcvSynSentStateProcess(sk, s);
    return;
  }
  if (sk.state === TCP_TIME_WAIT) {
    tcpTimewaitStateProcess(sk, s);
    return;
  }
  if (!tcpValidateIncoming(sk, s)) return;
  if (!(s.flags & TCPHDR_ACK)) {
    tcp.statsExt.tcpNoAckDrop++;
    return;
  }
  if (sk.state === TCP_SYN_RECV) {
    // Our SYN-ACK must be what this ACKs (simultaneous open).
    if (!after(s.ack, sk.sndUna) && s.ack !== seqAdd(sk.iss, 1)) {
      tcp.sendResetFor(sk.af, sk.local, sk.remote, sk.localPort, sk.remotePort, s);
      return;
    }
  }
  if (!tcpAck(sk, s)) return;
  tcp.statsExt.tcpSegsAccepted++;
  if (sk.state === TCP_CLOSE) return;
  tcpReplaceTsRecent(sk, s);
  switch (sk.state) {
    case TCP_SYN_RECV:
      sk.sndWnd = s.window << sk.sndWscale;
      tcpFinishConnect(sk);
      sk.user.onConnect();
      break;
    case TCP_FIN_WAIT1:
      if (sk.finSent && sk.sndUna === sk.sndNxt && sk.rtx.empty) {
        tcpSetState(sk, TCP_FIN_WAIT2);
        // An orphan waits tcp_fin_timeout for the peer's FIN; a half-closed socket waits for ever.
        if (sk.orphan) sk.twTimer.mod(tcp.clock.now() + tcp.conf.tcpFinTimeout * 1000);
      }
      break;
    case TCP_CLOSING:
      if (sk.finSent && sk.sndUna === sk.sndNxt && sk.rtx.empty) {
        tcpTimeWait(sk);
        return;
      }
      break;
    case TCP_LAST_ACK:
      if (sk.finSent && sk.sndUna === sk.sndNxt && sk.rtx.empty) {
        tcpDone(sk, 0);
        return;
      }
      break;
    default:
      break;
  }
  // Data and FIN: only where the peer may still send (RFC 9293 step 7).
  if (sk.state === TCP_ESTABLISHED || sk.state === TCP_FIN_WAIT1 || sk.state === TCP_FIN_WAIT2) {
    if (sk.state === TCP_FIN_WAIT2 && sk.orphan && s.payloadLen > 0) {
      // Data for a closed reader: reset (tcp_rcv_state_process's TCPAbortOnData).
      tcp.statsExt.tcpAbortOnData++;
      tcp.sendResetFor(sk.af, sk.local, sk.remote, sk.localPort, sk.remotePort, s);
      tcpDone(sk, 0);
      return;
    }
    tcpDataQueue(sk, s);
  } else if (s.payloadLen > 0 || s.flags & TCPHDR_FIN) {
    // After the peer's FIN: a retransmitted FIN or data is acknowledged again.
    if (!after(s.endSeq, sk.rcvNxt)) ackNow(sk);
  }
  if (sk.state === TCP_CLOSE) return;
  // tcp_data_snd_check() then tcp_ack_snd_check().
  tcpWriteXmit(sk);
  tcpRcvSpaceAdjust(sk);
  tcpAckSndCheck(sk, false);
}

/** tcp_rcv_established(): the ESTABLISHED path (one code path with the others here). */
export const tcpRcvEstablished = tcpRcvStateProcess;

/**
 * tcp_timewait_state_process(): a retransmitted FIN is ACKed again and restarts the timer, a RST
 * ends TIME_WAIT (rfc1337 = 0), a new SYN goes to the listener when its sequence (or timestamp)
 * is beyond the old connection's (RFC 6191); anything else gets our last ACK.
 */
function tcpTimewaitStateProcess(sk: TcpSock, s: TcpSegIn): void {
  const tcp = sk.tcp;
  if (s.flags & TCPHDR_RST) {
    tcp.statsExt.twKilled++;
    tcpDone(sk, 0);
    return;
  }
  if ((s.flags & TCPHDR_SYN) && !(s.flags & TCPHDR_ACK)) {
    const newer = after(s.seq, sk.rcvNxt) || (sk.tsOk && s.opts.sawTstamp && ((s.opts.rcvTsval - sk.tsRecent) | 0) > 0);
    if (newer) {
      tcp.statsExt.twRecycled++;
      tcpDone(sk, 0);
      tcp.redeliver(s);
      return;
    }
  }
  if (s.flags & TCPHDR_FIN) sk.twTimer.mod(tcp.clock.now() + TCP_TIMEWAIT_LEN);
  tcpSendAck(sk);
}

export { afterEq, beforeEq };
