// RACK-TLP loss detection (RFC 8985) as net/ipv4/tcp_recovery.c has it: tcp_rack_advance,
// tcp_rack_detect_loss, tcp_rack_mark_lost, tcp_rack_reo_timeout, tcp_rack_update_reo_wnd,
// tcp_newreno_mark_lost; and the tail loss probe of net/ipv4/tcp_output.c / tcp_input.c
// (tcp_schedule_loss_probe, tcp_send_loss_probe, tcp_process_tlp_ack) plus tcp_timeout_mark_lost.
//
// Pure functions over the RtxQueue and a small state object; time is explicit, in µs. The
// engine owns the timers, the congestion state and the counters; each function says what the
// engine does with its result.
import { after, before } from './seq.js';
import {
  RtxQueue,
  TCPCB_LOST,
  TCPCB_RETRANS,
  TCPCB_SACKED_ACKED,
  TCPCB_SACKED_RETRANS,
  type TcpRackAdvancer,
  type TcpSeg,
} from './tcp_rtx_queue.js';
import { TCP_CA_CWR, TCP_CA_Open, TCP_CA_Recovery } from './tcp_states.js';

/** net.ipv4.tcp_recovery bits (ip-sysctl.rst); Linux's default is TCP_RACK_LOSS_DETECTION. */
export const TCP_RACK_LOSS_DETECTION = 0x1;
export const TCP_RACK_STATIC_REO_WND = 0x2;
export const TCP_RACK_NO_DUPTHRESH = 0x4;

/** Recoveries without DSACK before a widened reordering window shrinks back (TCP_RACK_RECOVERY_THRESH). */
export const TCP_RACK_RECOVERY_THRESH = 16;

/**
 * TCP_TIMEOUT_MIN as µs: the slack Linux adds to the reordering timer and to a multi-segment
 * PTO (TCP_TIMEOUT_MIN_US = 2 ms).
 */
export const TCP_TIMEOUT_MIN_US = 2000;

/** PTO when no RTT sample exists yet (TCP_TIMEOUT_INIT, 1 s). */
export const TCP_TIMEOUT_INIT_US = 1_000_000;

/** tcp_rto_min: the delayed-ACK allowance of a single-segment PTO (200 ms). */
export const TCP_RTO_MIN_US = 200_000;

/** Linux's tcp_skb_sent_after(): t1/seq1 was sent after t2/seq2 (ties broken by sequence). */
export function tcpSkbSentAfter(t1: number, t2: number, seq1: number, seq2: number): boolean {
  return t1 > t2 || (t1 === t2 && after(seq1, seq2));
}

/**
 * struct tcp_rack plus the reordering-window bookkeeping (tp->rack). One per connection,
 * created by the engine; tcpSacktag (tcp_sack.ts) and RtxQueue.ackUpTo call advance().
 */
export class TcpRack implements TcpRackAdvancer {
  /** Send time (µs) of the most recently sent segment known delivered (rack.mstamp). */
  mstampUs = 0;
  /** Its end sequence (rack.end_seq), for ties in send time. */
  endSeq = 0;
  /** RTT (µs) of the latest delivered segment (rack.rtt_us). */
  rttUs = 0;
  /** reo_wnd = min_rtt/4 × steps (rack.reo_wnd_steps, 1..255). */
  reoWndSteps = 1;
  /** Recoveries left before steps fall back to 1 (rack.reo_wnd_persist). */
  reoWndPersist = 0;
  /** A DSACK suggests the window was too small (rack.dsack_seen); consumed by tcpRackUpdateReoWnd. */
  dsackSeen = false;
  /** Something was newly delivered since the last loss scan (rack.advanced). */
  advanced = false;
  /** tp->delivered when the window last grew (rack.last_delivered). */
  lastDelivered = 0;
  /** Segments the last tcpRackDetectLoss marked lost (for tp->lost and the cwnd reduction). */
  markedLost = 0;

  /**
   * tcp_rack_advance(): `seg` (with its sacked bits before this ACK) was just (S)ACKed. A
   * retransmitted segment answered faster than min_rtt is ambiguous (the original may have
   * been delivered) and is ignored. `minRttUs`: tcp_min_rtt(), Infinity before any sample.
   */
  advance(sacked: number, endSeq: number, xmitUs: number, nowUs: number, minRttUs: number): void {
    const rttUs = Math.max(0, nowUs - xmitUs);
    if (rttUs < minRttUs && (sacked & TCPCB_RETRANS) !== 0) return;
    this.advanced = true;
    this.rttUs = rttUs;
    if (tcpSkbSentAfter(xmitUs, this.mstampUs, endSeq, this.endSeq)) {
      this.mstampUs = xmitUs;
      this.endSeq = endSeq;
    }
  }
}

/** What tcp_rack_reo_wnd reads of the connection. */
export interface TcpRackSock {
  /** tp->reord_seen: reordering has been observed on this connection. */
  reordSeen: number;
  /** icsk_ca_state. */
  caState: number;
  /** tp->reordering (sysctl tcp_reordering, 3, raised by observed reordering). */
  reordering: number;
  /** tcp_min_rtt() in µs (Infinity before any sample). */
  minRttUs: number;
  /** Smoothed RTT in µs, unscaled (tp->srtt_us >> 3); 0 before any sample. */
  srttUs: number;
}

/**
 * tcp_rack_reo_wnd(): the reordering window in µs. Before any reordering is seen it is 0 in
 * recovery, and 0 once DupThresh (tp->reordering) segments are SACKed unless the
 * TCP_RACK_NO_DUPTHRESH bit of `tcpRecovery` is set; otherwise min_rtt/4 × steps, at most srtt.
 */
export function tcpRackReoWnd(q: RtxQueue, rack: TcpRack, tp: TcpRackSock, tcpRecovery = TCP_RACK_LOSS_DETECTION): number {
  if (!tp.reordSeen) {
    if (tp.caState >= TCP_CA_Recovery) return 0;
    if (q.sackedOut >= tp.reordering && (tcpRecovery & TCP_RACK_NO_DUPTHRESH) === 0) return 0;
  }
  const quarter = Number.isFinite(tp.minRttUs) ? Math.floor(tp.minRttUs / 4) : Infinity;
  return Math.min(quarter * rack.reoWndSteps, tp.srttUs);
}

/** tcp_rack_skb_timeout(): µs left before `seg` counts as lost (≤ 0: lost now). */
export function tcpRackSkbTimeout(rack: TcpRack, seg: TcpSeg, reoWndUs: number, nowUs: number): number {
  return rack.rttUs + reoWndUs - (nowUs - seg.txUs);
}

/**
 * tcp_rack_detect_loss(): walks the time-ordered list (oldest transmission first) up to the
 * newest delivered transmission; each segment sent before it whose RTT + reo_wnd has passed is
 * marked lost (RtxQueue.markSkbLost) and taken off the list. Returns the longest remaining
 * wait in µs of the ones not yet lost (0 = none); rack.markedLost counts what was marked.
 */
export function tcpRackDetectLoss(q: RtxQueue, rack: TcpRack, reoWndUs: number, nowUs: number): number {
  let reoTimeout = 0;
  rack.markedLost = 0;
  let seg = q.tsFirst();
  while (seg !== null) {
    const next = seg.tsNext;
    // Marked lost some other way and not yet retransmitted: nothing to decide.
    if ((seg.sacked & (TCPCB_LOST | TCPCB_SACKED_RETRANS)) === TCPCB_LOST) {
      seg = next;
      continue;
    }
    if (!tcpSkbSentAfter(rack.mstampUs, seg.txUs, rack.endSeq, seg.endSeq)) break;
    const remaining = tcpRackSkbTimeout(rack, seg, reoWndUs, nowUs);
    if (remaining <= 0) {
      if (q.markSkbLost(seg)) rack.markedLost += seg.pcount;
      q.tsUnlink(seg);
    } else if (remaining > reoTimeout) {
      reoTimeout = remaining;
    }
    seg = next;
  }
  return reoTimeout;
}

/**
 * tcp_rack_mark_lost(): the engine calls it on every ACK of a SACK connection after SACK
 * tagging and the cumulative ACK (tcp_identify_packet_loss), only when rack.advanced.
 * Returns the reordering timer to arm (ICSK_TIME_REO_TIMEOUT) as a delay in µs from now,
 * already including TCP_TIMEOUT_MIN and capped by `rtoUs`; 0 = no timer (and when non-zero the
 * engine clears FLAG_SET_XMIT_TIMER so the RTO/TLP timer is not re-armed over it).
 */
export function tcpRackMarkLost(
  q: RtxQueue,
  rack: TcpRack,
  tp: TcpRackSock,
  nowUs: number,
  rtoUs: number,
  tcpRecovery = TCP_RACK_LOSS_DETECTION,
): number {
  rack.markedLost = 0;
  if (!rack.advanced) return 0;
  rack.advanced = false;
  const timeout = tcpRackDetectLoss(q, rack, tcpRackReoWnd(q, rack, tp, tcpRecovery), nowUs);
  if (timeout === 0) return 0;
  return Math.min(timeout + TCP_TIMEOUT_MIN_US, rtoUs);
}

/**
 * tcp_rack_reo_timeout(): the reordering timer fired. Re-runs loss detection; returns true if
 * packets in flight changed, in which case the engine enters recovery if not in it already
 * (tcp_enter_recovery + tcp_cwnd_reduction by rack.markedLost) and retransmits
 * (tcp_xmit_retransmit_queue). Either way it then re-arms the RTO unless that is the pending
 * timer already. The remaining wait is deliberately not re-armed (Linux does not either).
 */
export function tcpRackReoTimeout(q: RtxQueue, rack: TcpRack, tp: TcpRackSock, nowUs: number, tcpRecovery = TCP_RACK_LOSS_DETECTION): boolean {
  const prior = q.packetsInFlight;
  tcpRackDetectLoss(q, rack, tcpRackReoWnd(q, rack, tp, tcpRecovery), nowUs);
  return q.packetsInFlight !== prior;
}

/**
 * tcp_rack_update_reo_wnd(): after each ACK's rate sample. A DSACK seen in a round after the
 * last widening widens reo_wnd by one step (up to 255) and keeps it for 16 recoveries; with no
 * persistence left it returns to one step. `priorDelivered` is the rate sample's
 * prior_delivered (tp->delivered when the newest acknowledged segment was sent; 0 = no sample),
 * `delivered` is tp->delivered now.
 */
export function tcpRackUpdateReoWnd(rack: TcpRack, priorDelivered: number, delivered: number, tcpRecovery = TCP_RACK_LOSS_DETECTION): void {
  if ((tcpRecovery & TCP_RACK_STATIC_REO_WND) !== 0 || !priorDelivered) return;
  // A DSACK less than a round after the last adjustment is not news.
  if (before(priorDelivered, rack.lastDelivered)) rack.dsackSeen = false;
  if (rack.dsackSeen) {
    rack.reoWndSteps = Math.min(0xff, rack.reoWndSteps + 1);
    rack.dsackSeen = false;
    rack.lastDelivered = delivered;
    rack.reoWndPersist = TCP_RACK_RECOVERY_THRESH;
  } else if (!rack.reoWndPersist) {
    rack.reoWndSteps = 1;
  }
}

/** tcp_try_undo_recovery without an undo: a recovery ended, one persistence round is used up. */
export function tcpRackRecoveryEnded(rack: TcpRack): void {
  if (rack.reoWndPersist) rack.reoWndPersist--;
}

/** tcp_try_undo_dsack: DSACKs showed the recovery spurious; keep the window wide one recovery longer. */
export function tcpRackDsackUndo(rack: TcpRack): void {
  rack.reoWndPersist = Math.min(TCP_RACK_RECOVERY_THRESH, rack.reoWndPersist + 1);
}

/**
 * tcp_newreno_mark_lost(): loss detection for non-SACK peers (RFC 6582). Before recovery, once
 * the dupACK count (q.sackedOut, see RtxQueue.renoAddSack) reaches `reordering`, or in recovery
 * on a partial ACK, the head is marked lost (cut to one MSS first if it is a TSO entry).
 * Returns whether the head was newly marked.
 */
export function tcpNewrenoMarkLost(q: RtxQueue, caState: number, reordering: number, sndUnaAdvanced: boolean): boolean {
  if (!((caState < TCP_CA_Recovery && q.sackedOut >= reordering) || (caState === TCP_CA_Recovery && sndUnaAdvanced))) return false;
  const head = q.head();
  if (head === null || head.sacked & TCPCB_LOST) return false;
  const mss = head.gsoSize;
  if (head.pcount > 1 && head.data.length > mss) q.fragment(head, mss);
  return q.markSkbLost(head);
}

/**
 * tcp_timeout_mark_lost() (from tcp_enter_loss on RTO): if the head is SACKed the receiver
 * reneged — every SACK mark is dropped and everything is lost; otherwise the head and every
 * segment whose RACK timeout (without reordering window) has passed is marked lost, and ones
 * sent less than rack.rttUs ago are spared. Returns whether the receiver reneged (the engine
 * counts TCPSackReneging and sets is_sack_reneg).
 */
export function tcpTimeoutMarkLost(q: RtxQueue, rack: TcpRack, nowUs: number): boolean {
  const head = q.head();
  if (head === null) return false;
  const reneg = (head.sacked & TCPCB_SACKED_ACKED) !== 0;
  if (reneg) q.sackedOut = 0;
  for (let i = 0; i < q.length; i++) {
    const s = q.at(i);
    if (reneg) s.sacked &= ~TCPCB_SACKED_ACKED;
    else if (i > 0 && tcpRackSkbTimeout(rack, s, 0, nowUs) > 0) continue;
    q.markSkbLost(s);
  }
  return reneg;
}

// ---- Tail loss probe ----

/** TLP episode state: tp->tlp_high_seq and tp->tlp_retrans. */
export class TcpTlp {
  /** snd_nxt when the probe went out; 0 = no episode (Linux uses 0 as "none" too). */
  highSeq = 0;
  /** The probe was a retransmission (not new data). */
  retrans = false;
}

/**
 * The first half of tcp_schedule_loss_probe(): a probe may be scheduled only with
 * tcp_early_retrans 3 or 4 (default 3), a SACK peer, and ca_state Open or CWR.
 */
export function tcpTlpAllowed(earlyRetrans: number, isSack: boolean, caState: number): boolean {
  return (earlyRetrans === 3 || earlyRetrans === 4) && isSack && (caState === TCP_CA_Open || caState === TCP_CA_CWR);
}

/**
 * How far in the future the RTO of the head segment is (tcp_rto_delta_us): its last send time
 * plus `rtoUs`, minus now. May be ≤ 0.
 */
export function tcpRtoDeltaUs(q: RtxQueue, rtoUs: number, nowUs: number): number {
  const head = q.head();
  return head === null ? rtoUs : head.txUs + rtoUs - nowUs;
}

/**
 * The PTO of tcp_schedule_loss_probe() in µs: 2·srtt, plus the delayed-ACK allowance
 * (`rtoMinUs`, 200 ms) when exactly one segment is out or TCP_TIMEOUT_MIN (2 ms) otherwise; 1 s
 * with no RTT sample; never later than the RTO would fire (`rtoDeltaUs`: the full RTO when the
 * caller is about to re-arm it — advancing_rto — else tcpRtoDeltaUs()). The engine arms
 * ICSK_TIME_LOSS_PROBE at now + this after sending new data (tcp_write_xmit) and on ACKs that
 * set FLAG_SET_XMIT_TIMER (tcp_set_xmit_timer), when tcpTlpAllowed().
 */
export function tcpTlpTimeoutUs(srttUs: number, packetsOut: number, rtoDeltaUs: number, rtoMinUs = TCP_RTO_MIN_US): number {
  let timeout: number;
  if (srttUs > 0) timeout = 2 * srttUs + (packetsOut === 1 ? rtoMinUs : TCP_TIMEOUT_MIN_US);
  else timeout = TCP_TIMEOUT_INIT_US;
  if (rtoDeltaUs > 0) timeout = Math.min(timeout, rtoDeltaUs);
  return timeout;
}

/**
 * What tcp_send_loss_probe() sends when the probe timer fires:
 * - null: nothing — an episode is outstanding (tlp.highSeq ≠ 0) or the queue is empty; the engine
 *   just re-arms the RTO;
 * - 'new': one new segment, when unsent data exists that the peer's window admits
 *   (`newDataAllowed`, tcp_snd_wnd_test); the engine sends it with Nagle off, then calls tcpTlpSent
 *   if it went out;
 * - a TcpSeg: the last segment on the queue to retransmit (a TSO entry is cut so that only its
 *   last MSS is resent); the engine retransmits it (RtxQueue.onRetransmit) and calls tcpTlpSent.
 */
export function tcpTlpSelect(q: RtxQueue, tlp: TcpTlp, newDataAllowed: boolean, mss: number): TcpSeg | 'new' | null {
  if (tlp.highSeq !== 0) return null;
  tlp.retrans = false;
  if (newDataAllowed) return 'new';
  let seg = q.tail();
  if (seg === null) return null;
  const pcount = seg.pcount;
  if (pcount > 1 && seg.data.length > (pcount - 1) * mss) {
    const rest = q.fragment(seg, (pcount - 1) * mss + (seg.tcpFlags & 0x02 ? 1 : 0));
    if (rest !== null) seg = rest;
  }
  return seg;
}

/**
 * A probe went out (probe_sent in tcp_send_loss_probe): the episode runs until `sndNxt` is
 * acknowledged. The engine counts TCPLossProbes and re-arms the RTO from now.
 */
export function tcpTlpSent(tlp: TcpTlp, sndNxt: number, retrans: boolean): void {
  tlp.highSeq = sndNxt;
  tlp.retrans = retrans;
}

/** tcpProcessTlpAck results. */
export const TLP_ACK_NONE = 0;
/** The episode ended without a loss (new data acked, or DSACK / pure dupACK shows both copies arrived). */
export const TLP_ACK_NO_LOSS = 1;
/**
 * The probe repaired a loss: the engine does tcp_init_cwnd_reduction, enters CWR, ends the
 * reduction at once (tcp_end_cwnd_reduction), tcp_try_keep_open, and counts TCPLossProbeRecovery.
 */
export const TLP_ACK_LOSS = 2;

/** FLAG_* bits of tcp_input.c that tcpProcessTlpAck reads (same values as Linux). */
export const FLAG_DATA = 0x01;
export const FLAG_WIN_UPDATE = 0x02;
export const FLAG_DATA_ACKED = 0x04;
export const FLAG_RETRANS_DATA_ACKED = 0x08;
export const FLAG_SYN_ACKED = 0x10;
export const FLAG_DATA_SACKED = 0x20;
export const FLAG_ECE = 0x40;
export const FLAG_LOST_RETRANS = 0x80;
export const FLAG_SLOWPATH = 0x100;
export const FLAG_ORIG_SACK_ACKED = 0x200;
export const FLAG_SND_UNA_ADVANCED = 0x400;
export const FLAG_DSACKING_ACK = 0x800;
export const FLAG_SET_XMIT_TIMER = 0x1000;
export const FLAG_SACK_RENEGING = 0x2000;
export const FLAG_UPDATE_TS_RECENT = 0x4000;
export const FLAG_NO_CHALLENGE_ACK = 0x8000;
export const FLAG_ACK_MAYBE_DELAYED = 0x10000;
export const FLAG_DSACK_TLP = 0x20000;
/** FLAG_NOT_DUP: the ACK was not a pure duplicate. */
export const FLAG_NOT_DUP = FLAG_DATA | FLAG_WIN_UPDATE | FLAG_DATA_ACKED;

/**
 * tcp_process_tlp_ack(): the engine calls it from tcp_ack when tlp.highSeq ≠ 0, with the ACK's
 * flags (FLAG_DSACK_TLP comes from tcpSacktag). Ends the episode (highSeq = 0) in every case but
 * TLP_ACK_NONE; on TLP_ACK_LOSS the engine reduces cwnd as described there.
 */
export function tcpProcessTlpAck(tlp: TcpTlp, ack: number, flag: number): number {
  if (before(ack, tlp.highSeq)) return TLP_ACK_NONE;
  if (!tlp.retrans) {
    tlp.highSeq = 0; // the probe was new data, and it got through
    return TLP_ACK_NO_LOSS;
  }
  if (flag & FLAG_DSACK_TLP) {
    tlp.highSeq = 0; // the original and the probe both arrived
    return TLP_ACK_NO_LOSS;
  }
  if (after(ack, tlp.highSeq)) {
    tlp.highSeq = 0; // Linux clears it in tcp_init_cwnd_reduction
    return TLP_ACK_LOSS;
  }
  if ((flag & (FLAG_SND_UNA_ADVANCED | FLAG_NOT_DUP | FLAG_DATA_SACKED)) === 0) {
    tlp.highSeq = 0; // a pure duplicate ACK: both copies arrived
    return TLP_ACK_NO_LOSS;
  }
  return TLP_ACK_NONE;
}
