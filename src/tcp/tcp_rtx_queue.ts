// The retransmission queue and its SACK scoreboard: tcp_rtx_queue, tcp_clean_rtx_queue and the
// per-segment `sacked` bits of struct tcp_skb_cb (include/net/tcp.h, net/ipv4/tcp_input.c).
import { after, afterEq, before, beforeEq } from './seq.js';

// TCP_SKB_CB(skb)->sacked bits.
export const TCPCB_SACKED_ACKED = 0x01;
export const TCPCB_SACKED_RETRANS = 0x02;
export const TCPCB_LOST = 0x04;
export const TCPCB_TAGBITS = 0x07;
export const TCPCB_REPAIRED = 0x10;
export const TCPCB_EVER_RETRANS = 0x80;

/**
 * One sent, not yet cumulatively acknowledged segment (an skb on tcp_rtx_queue with its
 * tcp_skb_cb). `seq`..`endSeq` covers SYN and FIN as one sequence number each, as in Linux.
 */
export class TcpSeg {
  /** Bits of TCPCB_* above. */
  sacked = 0;
  /** µs (tcp_mstamp) of the first transmission. */
  firstTxUs = 0;
  /** µs of the latest (re)transmission (skb->skb_mstamp_ns). */
  txUs = 0;
  /** Transmissions so far (1 after the first send). */
  txCount = 0;
  /** The sender's delivered count when this segment was (last) sent, for rate samples. */
  txDelivered = 0;

  constructor(
    /** First sequence number (SYN counts). */
    public seq: number,
    /** One past the last sequence number (FIN counts). */
    public endSeq: number,
    /** TCPHDR_SYN / TCPHDR_FIN / TCPHDR_PSH bits the segment carries (tcp_flags). */
    public tcpFlags: number,
    /** Payload bytes (owned by the queue; subarray trimmed when the head is partly acknowledged). */
    public data: Buffer,
  ) {}

  /** Segments this entry counts for (tcp_skb_pcount); 1 until TSO splits bigger ones. */
  get pcount(): number {
    return 1;
  }
}

/** What one cumulative ACK removed from the queue (tcp_clean_rtx_queue's results). */
export interface TcpAckedInfo {
  /** Segments fully acknowledged and removed. */
  ackedSegs: number;
  /** Sequence space newly acknowledged (including SYN/FIN). */
  ackedBytes: number;
  /** RTT sample in µs from the newest acknowledged segment never retransmitted; -1 if none (Karn). */
  seqRttUs: number;
  /** Some acknowledged data had been retransmitted (for undo / F-RTO decisions). */
  anyRetransAcked: boolean;
  /** Of the removed segments, how many had been SACKed before (not newly delivered). */
  sackedRemoved: number;
  /** The SYN was acknowledged by this ACK. */
  synAcked: boolean;
  /** The FIN was acknowledged by this ACK. */
  finAcked: boolean;
}

/**
 * The queue in sequence order with Linux's in-flight counters:
 * packets_out, sacked_out, lost_out, retrans_out (all in segments), and
 * tcp_packets_in_flight() = packetsOut - (sackedOut + lostOut) + retransOut.
 */
export class RtxQueue {
  private readonly segs: TcpSeg[] = [];
  /** Index of the first live segment in `segs` (removal from the front is O(1) amortised). */
  private first = 0;
  packetsOut = 0;
  sackedOut = 0;
  lostOut = 0;
  retransOut = 0;

  get length(): number {
    return this.segs.length - this.first;
  }

  get empty(): boolean {
    return this.length === 0;
  }

  /** tcp_packets_in_flight(). */
  get packetsInFlight(): number {
    return this.packetsOut - (this.sackedOut + this.lostOut) + this.retransOut;
  }

  /** The oldest unacknowledged segment (tcp_rtx_queue_head), or null. */
  head(): TcpSeg | null {
    return this.first < this.segs.length ? this.segs[this.first] : null;
  }

  /** The newest segment, or null. */
  tail(): TcpSeg | null {
    return this.first < this.segs.length ? this.segs[this.segs.length - 1] : null;
  }

  /** The i-th live segment from the head (0 = head). */
  at(i: number): TcpSeg {
    return this.segs[this.first + i];
  }

  /** A segment just sent for the first time (tcp_event_new_data_sent): appended at the tail. */
  push(seg: TcpSeg, nowUs: number, delivered = 0): void {
    seg.firstTxUs = nowUs;
    seg.txUs = nowUs;
    seg.txCount = 1;
    seg.txDelivered = delivered;
    this.segs.push(seg);
    this.packetsOut += seg.pcount;
  }

  /** Book-keeping for a retransmission of `seg` (tcp_retransmit_skb's counters). */
  onRetransmit(seg: TcpSeg, nowUs: number, delivered = 0): void {
    if ((seg.sacked & TCPCB_SACKED_RETRANS) === 0) this.retransOut += seg.pcount;
    seg.sacked |= TCPCB_SACKED_RETRANS | TCPCB_EVER_RETRANS;
    seg.txUs = nowUs;
    seg.txCount++;
    seg.txDelivered = delivered;
  }

  /** Marks `seg` lost (tcp_mark_skb_lost); false if it was SACKed or already lost. */
  markLost(seg: TcpSeg): boolean {
    if (seg.sacked & (TCPCB_SACKED_ACKED | TCPCB_LOST)) return false;
    if (seg.sacked & TCPCB_SACKED_RETRANS) {
      // A retransmission that is itself lost leaves flight.
      seg.sacked &= ~TCPCB_SACKED_RETRANS;
      this.retransOut -= seg.pcount;
    }
    seg.sacked |= TCPCB_LOST;
    this.lostOut += seg.pcount;
    return true;
  }

  /** On RTO (tcp_enter_loss): every segment not SACKed is marked lost, retransmit marks cleared. */
  markAllLost(): void {
    for (let i = this.first; i < this.segs.length; i++) {
      const s = this.segs[i];
      if (s.sacked & TCPCB_SACKED_RETRANS) {
        s.sacked &= ~TCPCB_SACKED_RETRANS;
        this.retransOut -= s.pcount;
      }
      if ((s.sacked & (TCPCB_SACKED_ACKED | TCPCB_LOST)) === 0) {
        s.sacked |= TCPCB_LOST;
        this.lostOut += s.pcount;
      }
    }
  }

  /** The first segment to retransmit: lost and not already retransmitted (tcp_xmit_retransmit_queue). */
  nextRetransmit(): TcpSeg | null {
    for (let i = this.first; i < this.segs.length; i++) {
      const s = this.segs[i];
      if ((s.sacked & (TCPCB_LOST | TCPCB_SACKED_ACKED | TCPCB_SACKED_RETRANS)) === TCPCB_LOST) return s;
    }
    return null;
  }

  /**
   * tcp_clean_rtx_queue(): removes what `ack` covers; a partly covered head is trimmed
   * (tcp_trim_head) and stays. RTT per Karn: only from segments never retransmitted.
   */
  ackUpTo(ack: number, nowUs: number): TcpAckedInfo {
    const r: TcpAckedInfo = { ackedSegs: 0, ackedBytes: 0, seqRttUs: -1, anyRetransAcked: false, sackedRemoved: 0, synAcked: false, finAcked: false };
    while (this.first < this.segs.length) {
      const s = this.segs[this.first];
      if (afterEq(s.seq, ack)) break;
      if (after(s.endSeq, ack)) {
        // Partly acknowledged: trim the payload (a SYN at its front is acknowledged first).
        let n = (ack - s.seq) >>> 0;
        r.ackedBytes += n;
        if (s.tcpFlags & 0x02) {
          s.tcpFlags &= ~0x02;
          r.synAcked = true;
          n--;
        }
        s.data = s.data.subarray(n);
        s.seq = ack;
        break;
      }
      r.ackedBytes += (s.endSeq - s.seq) >>> 0;
      r.ackedSegs += s.pcount;
      if (s.sacked & TCPCB_EVER_RETRANS) r.anyRetransAcked = true;
      else r.seqRttUs = Math.max(0, nowUs - s.txUs);
      if (s.sacked & TCPCB_SACKED_ACKED) {
        this.sackedOut -= s.pcount;
        r.sackedRemoved += s.pcount;
      }
      if (s.sacked & TCPCB_SACKED_RETRANS) this.retransOut -= s.pcount;
      if (s.sacked & TCPCB_LOST) this.lostOut -= s.pcount;
      if (s.tcpFlags & 0x02) r.synAcked = true;
      if (s.tcpFlags & 0x01) r.finAcked = true;
      this.packetsOut -= s.pcount;
      this.first++;
    }
    if (this.first > 64 && this.first * 2 > this.segs.length) {
      this.segs.splice(0, this.first);
      this.first = 0;
    }
    return r;
  }

  /** Segments whose sequence range lies within [start, end) (for SACK tagging); in order. */
  *covering(start: number, end: number): IterableIterator<TcpSeg> {
    for (let i = this.first; i < this.segs.length; i++) {
      const s = this.segs[i];
      if (afterEq(s.seq, end)) return;
      if (beforeEq(start, s.seq) && beforeEq(s.endSeq, end)) yield s;
      else if (before(s.seq, start) && after(s.endSeq, end)) return;
    }
  }

  /** Drops everything (the connection is gone). */
  clear(): void {
    this.segs.length = 0;
    this.first = 0;
    this.packetsOut = this.sackedOut = this.lostOut = this.retransOut = 0;
  }
}
