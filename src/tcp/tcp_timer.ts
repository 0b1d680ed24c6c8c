// The connection's timers: tcp_retransmit_timer with tcp_write_timeout and tcp_model_timeout,
// the SYN retransmissions of tcp_syn_timeout (tcp_syn_linear_timeouts), tcp_probe_timer (persist),
// tcp_delack_timer, tcp_keepalive_timer, and the TIME_WAIT / FIN_WAIT2 deadline (net/ipv4/tcp_timer.c).
import { ETIMEDOUT } from '../core/errno.js';
import { ICSK_TIME_LOSS_PROBE, ICSK_TIME_PROBE0, ICSK_TIME_REO_TIMEOUT, ICSK_TIME_RETRANS, TCP_TIMEOUT_INIT, type TcpSock } from './tcp_sock.js';
import { tcpRackReoTimeout, tcpTimeoutMarkLost, tcpTlpSelect, tcpTlpSent } from './tcp_recovery.js';
import { TCP_CA_CWR, TCP_CA_Loss, TCP_CA_Open, TCP_CA_Recovery, TCP_CA_Disorder, TCP_CLOSE, TCP_CLOSE_WAIT, TCP_ESTABLISHED, TCP_FIN_WAIT2, TCP_SYN_RECV, TCP_SYN_SENT, TCP_TIME_WAIT } from './tcp_states.js';
import { tcpResetXmitTimer, tcpRetransmitSeg, tcpSendAck, tcpSendActiveReset, tcpSendSyn, tcpRearmRtoFromHead, tcpSendNewData, tcpSendSynAck, tcpWriteWakeup, tcpXmitProbe, tcpXmitRetransmitQueue } from './tcp_output.js';
import { tcpDone } from './tcp_input.js';
import { CA_EVENT_LOSS } from './tcp_cong.js';

/**
 * tcp_model_timeout(): the time `boundary` retransmissions take from an initial RTO of `rtoBase`,
 * doubling up to TCP_RTO_MAX — Linux turns retry counts into this time budget.
 */
export function tcpModelTimeout(boundary: number, rtoBase: number, rtoMax: number): number {
  const thresh = Math.floor(Math.log2(rtoMax / rtoBase));
  if (boundary <= thresh) return ((2 << boundary) - 1) * rtoBase;
  return ((2 << thresh) - 1) * rtoBase + (boundary - thresh) * rtoMax;
}

/**
 * The interval after the n-th SYN retransmission: the first tcp_syn_linear_timeouts stay at the
 * initial RTO, then it doubles (measured: SYNs at +1, +2, +3, +4, +5, +7, +11 s).
 */
export function tcpSynRetransInterval(n: number, linear: number): number {
  return n <= linear ? TCP_TIMEOUT_INIT : TCP_TIMEOUT_INIT * 2 ** (n - linear);
}

/** The retransmit timer's expiry: what it does depends on icsk_pending. */
export function tcpRetransmitTimerFire(sk: TcpSock): void {
  const what = sk.pending;
  sk.pending = 0;
  if (what === ICSK_TIME_PROBE0) tcpProbeTimer(sk);
  else if (what === ICSK_TIME_REO_TIMEOUT) tcpRackReoTimer(sk);
  else if (what === ICSK_TIME_LOSS_PROBE) tcpSendLossProbe(sk);
  else tcpRetransmitTimer(sk);
}

/** tcp_write_err(): give up with the soft error if there is one (EHOSTUNREACH...), else ETIMEDOUT. */
function tcpWriteErr(sk: TcpSock): void {
  sk.tcp.statsExt.tcpAbortOnTimeout++;
  tcpDone(sk, sk.softErr !== 0 ? sk.softErr : -ETIMEDOUT);
}

/** SYN_SENT's timer: retransmit the SYN, or fail connect() once the tcp_syn_retries budget is spent. */
function tcpSynTimeout(sk: TcpSock): void {
  const tcp = sk.tcp;
  const c = tcp.conf;
  const now = tcp.clock.now();
  const budget = tcpModelTimeout(c.tcpSynRetries, TCP_TIMEOUT_INIT, c.tcpRtoMaxMs);
  if (sk.retransStamp !== 0 && now - sk.retransStamp >= budget) {
    tcp.stats.attemptFails++;
    tcpWriteErr(sk);
    return;
  }
  if (sk.retransStamp === 0) sk.retransStamp = now - TCP_TIMEOUT_INIT;
  sk.retransmits++;
  tcp.stats.retransSegs++;
  tcp.statsExt.tcpSynRetrans++;
  sk.totalRetrans++;
  const head = sk.rtx.head();
  if (head !== null) sk.rtx.onRetransmit(head, tcp.nowUs());
  if (sk.state === TCP_SYN_SENT) tcpSendSyn(sk);
  else tcpSendSynAck(sk);
  tcpResetXmitTimer(sk, ICSK_TIME_RETRANS, tcpSynRetransInterval(sk.retransmits, c.tcpSynLinearTimeouts));
}

/**
 * tcp_retransmit_timer(): an RTO. Give up past tcp_retries2's time budget (orphans:
 * tcp_orphan_retries, 0 meaning 8); else enter Loss (tcp_enter_loss: ssthresh from the module,
 * cwnd 1, everything not SACKed lost), retransmit the head, double the RTO.
 */
export function tcpRetransmitTimer(sk: TcpSock): void {
  const tcp = sk.tcp;
  const c = tcp.conf;
  if (sk.state === TCP_CLOSE || sk.state === TCP_TIME_WAIT) return;
  if (sk.state === TCP_SYN_SENT || (sk.state === TCP_SYN_RECV && sk.rtx.head()?.tcpFlags! & 0x02)) {
    tcpSynTimeout(sk);
    return;
  }
  const head = sk.rtx.head();
  if (head === null) return;
  const now = tcp.clock.now();
  const retries = sk.orphan ? (c.tcpOrphanRetries || 8) : c.tcpRetries2;
  if (sk.retransStamp !== 0 && now - sk.retransStamp >= tcpModelTimeout(retries, c.tcpRtoMinUs / 1000, c.tcpRtoMaxMs)) {
    tcpWriteErr(sk);
    return;
  }
  tcp.statsExt.tcpTimeouts++;
  if (sk.caState <= TCP_CA_Disorder || sk.caState !== TCP_CA_Loss || sk.retransmits === 0) {
    sk.priorCwnd = sk.sndCwnd;
    sk.priorSsthresh = sk.sndSsthresh;
    sk.sndSsthresh = sk.cong.ssthresh();
    sk.cong.cwndEvent(CA_EVENT_LOSS);
  }
  sk.sndCwnd = 1;
  sk.sndCwndCnt = 0;
  // tcp_timeout_mark_lost(): everything not SACKed is lost (all of it if the peer reneged).
  if (sk.sackOk) {
    if (tcpTimeoutMarkLost(sk.rtx, sk.rack, tcp.nowUs())) tcp.statsExt.tcpSackReneging++;
  } else sk.rtx.markAllLost();
  if (sk.caState !== TCP_CA_Loss) {
    sk.undoMarker = sk.sndUna || 1;
    sk.undoRetrans = sk.rtx.retransOut;
  }
  sk.tlp.highSeq = 0;
  sk.highSeq = sk.sndNxt;
  sk.caState = TCP_CA_Loss;
  sk.cong.setState(TCP_CA_Loss);
  sk.dupAcks = 0;
  tcpRetransmitSeg(sk, head);
  sk.backoff++;
  sk.retransmits++;
  // Exponential backoff (RFC 6298 5.5), capped at TCP_RTO_MAX.
  sk.rtoMs = Math.min(sk.rtoMs * 2, c.tcpRtoMaxMs);
  tcpResetXmitTimer(sk, ICSK_TIME_RETRANS, sk.rtoMs);
}

/**
 * tcp_probe_timer(): the persist timer of a zero window. Probes back off like the RTO (to
 * TCP_RTO_MAX); the connection is given up only after tcp_retries2 probes in a row went
 * unanswered (icsk_probes_out, which any segment from the peer clears): RFC 1122 4.2.2.17's
 * "stay open indefinitely as long as the receiver continues to respond".
 */
function tcpProbeTimer(sk: TcpSock): void {
  const tcp = sk.tcp;
  if (!sk.rtx.empty || (sk.unsentBytes === 0 && !(sk.finQueued && !sk.finSent))) {
    sk.probesOut = 0;
    if (sk.rtx.empty) sk.backoff = 0;
    return;
  }
  const retries = sk.orphan ? (tcp.conf.tcpOrphanRetries || 8) : tcp.conf.tcpRetries2;
  if (sk.probesOut >= retries) {
    tcpWriteErr(sk);
    return;
  }
  // tcp_send_probe0(): data the window admits goes; else the SND.UNA − 1 probe.
  if (tcpWriteWakeup(sk)) {
    sk.probesOut = 0;
    sk.backoff = 0;
    return;
  }
  tcp.statsExt.tcpWinProbe++;
  sk.probesOut++;
  if (sk.backoff < tcp.conf.tcpRetries2) sk.backoff++;
  tcpResetXmitTimer(sk, ICSK_TIME_PROBE0, Math.min(sk.rtoMs * 2 ** sk.backoff, tcp.conf.tcpRtoMaxMs));
}

/** tcp_delack_timer(): the delayed ACK goes; a timer that had to fire means we are not interactive. */
export function tcpDelackTimer(sk: TcpSock): void {
  if (!sk.ackPending || sk.state === TCP_CLOSE) return;
  if (sk.pingpong) {
    sk.pingpong = false;
    sk.atoMs = 40;
  }
  sk.tcp.statsExt.delayedAcks++;
  tcpSendAck(sk);
}

/** (Re)arms keepalive from the last activity, when SO_KEEPALIVE is on. */
export function tcpKeepaliveReset(sk: TcpSock): void {
  if (!sk.keepaliveOn || (sk.state !== TCP_ESTABLISHED && sk.state !== TCP_CLOSE_WAIT)) {
    sk.keepaliveTimer.del();
    return;
  }
  sk.keepaliveTimer.mod(sk.tcp.clock.now() + sk.keepIdleMs);
}

/**
 * tcp_keepalive_timer(): after keepidle of silence a probe (SEQ = SND.UNA − 1), every keepintvl
 * while unanswered, ETIMEDOUT after keepcnt unanswered probes. Only an idle connection is probed.
 */
export function tcpKeepaliveTimer(sk: TcpSock): void {
  const tcp = sk.tcp;
  if (!sk.keepaliveOn || (sk.state !== TCP_ESTABLISHED && sk.state !== TCP_CLOSE_WAIT)) return;
  const now = tcp.clock.now();
  if (!sk.rtx.empty || sk.unsentBytes > 0) {
    sk.keepaliveTimer.mod(now + sk.keepIdleMs);
    return;
  }
  const idle = now - sk.rcvTstamp;
  if (idle < sk.keepIdleMs && sk.probesOut === 0) {
    sk.keepaliveTimer.mod(now + sk.keepIdleMs - idle);
    return;
  }
  if (sk.probesOut >= sk.keepCnt) {
    tcpSendActiveReset(sk);
    tcpWriteErr(sk);
    return;
  }
  tcp.statsExt.tcpKeepAlive++;
  tcpXmitProbe(sk);
  sk.probesOut++;
  sk.keepaliveTimer.mod(now + sk.keepIntvlMs);
}

/** The end of TIME_WAIT, or of an orphan's FIN_WAIT2 linger (tcp_fin_timeout). */
export function tcpTimewaitTimer(sk: TcpSock): void {
  if (sk.state === TCP_TIME_WAIT) {
    tcpDone(sk, 0);
  } else if (sk.state === TCP_FIN_WAIT2 && sk.orphan) {
    tcpDone(sk, 0);
  } else if (sk.state === TCP_CLOSE_WAIT) {
    // nothing: the user decides
  }
}

/**
 * tcp_rack_reo_timeout(): the reordering window of a segment RACK was unsure about has passed.
 * Newly lost segments start recovery and go again; the RTO takes over the timer.
 */
function tcpRackReoTimer(sk: TcpSock): void {
  if (sk.state === TCP_CLOSE || sk.rtx.empty) return;
  const tcp = sk.tcp;
  if (tcpRackReoTimeout(sk.rtx, sk.rack, sk.sackView, tcp.nowUs(), tcp.conf.tcpRecovery)) {
    if (sk.caState !== TCP_CA_Recovery && sk.caState !== TCP_CA_Loss) tcpEnterRecoveryFromTimer(sk);
    tcpXmitRetransmitQueue(sk);
  }
  if (sk.pending !== ICSK_TIME_RETRANS) tcpRearmRtoFromHead(sk);
}

/** tcp_enter_recovery() as the reordering timer needs it. */
function tcpEnterRecoveryFromTimer(sk: TcpSock): void {
  sk.tcp.statsExt.tcpSackRecovery++;
  sk.undoMarker = sk.sndUna || 1;
  sk.undoRetrans = sk.rtx.retransOut;
  sk.priorCwnd = sk.sndCwnd;
  sk.priorSsthresh = sk.sndSsthresh;
  sk.sndSsthresh = sk.cong.ssthresh();
  sk.cong.setState(TCP_CA_Recovery);
  sk.caState = TCP_CA_Recovery;
  sk.highSeq = sk.sndNxt;
  sk.sndCwnd = Math.max(sk.sndSsthresh, 2);
}

/**
 * tcp_send_loss_probe() (RFC 8985 7.3): one new segment if the window admits it, else the last
 * segment again; then the RTO. Only one probe per episode (until tlp_high_seq is acknowledged).
 */
function tcpSendLossProbe(sk: TcpSock): void {
  const tcp = sk.tcp;
  if (sk.state === TCP_CLOSE || sk.rtx.empty) return;
  if (sk.caState === TCP_CA_Open || sk.caState === TCP_CA_CWR) {
    const room = (sk.sndUna + sk.sndWnd - sk.sndNxt) | 0;
    const want = Math.min(sk.mssCache, sk.unsentBytes);
    const sel = tcpTlpSelect(sk.rtx, sk.tlp, want > 0 && room >= want, sk.mssCache);
    if (sel === 'new') {
      tcpSendNewData(sk, want);
      tcpTlpSent(sk.tlp, sk.sndNxt, false);
      tcp.statsExt.tcpLossProbes++;
    } else if (sel !== null) {
      tcpRetransmitSeg(sk, sel);
      tcpTlpSent(sk.tlp, sk.sndNxt, true);
      tcp.statsExt.tcpLossProbes++;
    }
  }
  tcpRearmRtoFromHead(sk);
}
