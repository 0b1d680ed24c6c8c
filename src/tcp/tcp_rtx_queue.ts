// The retransmission queue and its SACK scoreboard: tcp_rtx_queue, tcp_clean_rtx_queue, the
// per-segment `sacked` bits of struct tcp_skb_cb, tsorted_sent_queue, tcp_fragment and tcp_mark_skb_lost
// (include/net/tcp.h, net/ipv4/tcp_input.c, net/ipv4/tcp_output.c).
import { after, afterEq, before, beforeEq, seqDiff } from './seq.js';

// TCP_SKB_CB(skb)->sacked bits.
export const TCPCB_SACKED_ACKED = 0x01;
export const TCPCB_SACKED_RETRANS = 0x02;
export const TCPCB_LOST = 0x04;
export const TCPCB_TAGBITS = 0x07;
export const TCPCB_REPAIRED = 0x10;
export const TCPCB_EVER_RETRANS = 0x80;
/** Any sign the segment was sent more than once (TCPCB_RETRANS). */
export const TCPCB_RETRANS = TCPCB_SACKED_RETRANS | TCPCB_EVER_RETRANS | TCPCB_REPAIRED;

/**
 * Who tcp_clean_rtx_queue reports cumulatively acknowledged segments to for RACK
 * (tcp_rack_advance); TcpRack of tcp_recovery.ts implements it.
 */
export interface TcpRackAdvancer {
  advance(sacked: number, endSeq: number, xmitUs: number, nowUs: number, minRttUs: number): void;
}

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
  /**
   * tcp_skb_mss (gso_size): the MSS a multi-segment (TSO) entry is cut at; 0 = one segment.
   * Set before push(); the entry then counts ceil(data.length / gsoSize) segments.
   */
  gsoSize = 0;
  /** tcp_skb_pcount, kept by the queue (push/fragment/trim recompute it). */
  tsoSegs = 1;
  /** Links of the queue's transmit-time-ordered list (tsorted_sent_queue); null when not on it. */
  tsPrev: TcpSeg | null = null;
  tsNext: TcpSeg | null = null;

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

  /** Segments this entry counts for (tcp_skb_pcount); 1 unless gsoSize makes it a TSO entry. */
  get pcount(): number {
    return this.tsoSegs;
  }
}

/** tcp_set_skb_tso_segs: how many MSS-sized segments `seg` counts for. */
function tsoSegsOf(seg: TcpSeg): number {
  const mss = seg.gsoSize;
  if (mss <= 0 || seg.data.length <= mss) return 1;
  return Math.ceil(seg.data.length / mss);
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
  /**
   * tcp_highest_sack_seq() while sackedOut > 0 from SACK tagging: the end of the highest SACKed
   * segment ("fack"). Kept by tcp_sack.ts; meaningless when no segment carries TCPCB_SACKED_ACKED.
   */
  highestSackEnd = 0;
  /** Oldest / newest (re)transmission of the segments on the time-ordered list (tsorted_sent_queue). */
  private tsHead: TcpSeg | null = null;
  private tsTail: TcpSeg | null = null;

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
    seg.tsoSegs = tsoSegsOf(seg);
    this.segs.push(seg);
    this.packetsOut += seg.pcount;
    this.tsLinkTail(seg);
  }

  /**
   * Book-keeping for a retransmission of `seg` (tcp_retransmit_skb's counters); it becomes the
   * newest transmission on the time-ordered list, as tcp_update_skb_after_send moves it.
   */
  onRetransmit(seg: TcpSeg, nowUs: number, delivered = 0): void {
    if ((seg.sacked & TCPCB_SACKED_RETRANS) === 0) this.retransOut += seg.pcount;
    seg.sacked |= TCPCB_SACKED_RETRANS | TCPCB_EVER_RETRANS;
    seg.txUs = nowUs;
    seg.txCount++;
    seg.txDelivered = delivered;
    this.tsUnlink(seg);
    this.tsLinkTail(seg);
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
   * (tcp_trim_head) and stays (a TSO entry then counts fewer segments: tcp_tso_acked). RTT per
   * Karn: only from segments never retransmitted. For a SACK connection pass the TcpRack and
   * tcp_min_rtt (µs): every removed segment not SACKed before advances RACK (tcp_rack_advance).
   */
  ackUpTo(ack: number, nowUs: number, rack: TcpRackAdvancer | null = null, minRttUs = 0): TcpAckedInfo {
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
        // tcp_tso_acked: a TSO entry that lost whole MSS chunks at its front counts for fewer.
        const old = s.tsoSegs;
        s.tsoSegs = tsoSegsOf(s);
        if (s.tsoSegs < old) {
          const d = old - s.tsoSegs;
          this.adjustPcount(s, d);
          r.ackedSegs += d;
        }
        break;
      }
      r.ackedBytes += (s.endSeq - s.seq) >>> 0;
      r.ackedSegs += s.pcount;
      if (s.sacked & TCPCB_EVER_RETRANS) r.anyRetransAcked = true;
      else r.seqRttUs = Math.max(0, nowUs - s.txUs);
      if (s.sacked & TCPCB_SACKED_ACKED) {
        this.sackedOut -= s.pcount;
        r.sackedRemoved += s.pcount;
      } else if (rack !== null) {
        rack.advance(s.sacked, s.endSeq, s.txUs, nowUs, minRttUs);
      }
      if (s.sacked & TCPCB_SACKED_RETRANS) this.retransOut -= s.pcount;
      if (s.sacked & TCPCB_LOST) this.lostOut -= s.pcount;
      if (s.tcpFlags & 0x02) r.synAcked = true;
      if (s.tcpFlags & 0x01) r.finAcked = true;
      this.packetsOut -= s.pcount;
      this.tsUnlink(s);
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
    for (let i = this.first; i < this.segs.length; i++) this.segs[i].tsPrev = this.segs[i].tsNext = null;
    this.segs.length = 0;
    this.first = 0;
    this.packetsOut = this.sackedOut = this.lostOut = this.retransOut = 0;
    this.tsHead = this.tsTail = null;
  }

  // ---- Added for SACK / RACK (tcp_sack.ts, tcp_recovery.ts) ----

  /**
   * tcp_mark_skb_lost as Linux has it (RACK and RTO use this one): a SACKed segment is left
   * alone; one already lost whose retransmission is outstanding (L|R) has that retransmission
   * declared lost too (R cleared, it leaves flight); otherwise LOST is set and any outstanding
   * retransmission stays counted (L|R). Returns whether a counter changed. (markLost above keeps
   * its own older meaning.)
   */
  markSkbLost(seg: TcpSeg): boolean {
    const sacked = seg.sacked;
    if (sacked & TCPCB_SACKED_ACKED) return false;
    if (sacked & TCPCB_LOST) {
      if ((sacked & TCPCB_SACKED_RETRANS) === 0) return false;
      seg.sacked &= ~TCPCB_SACKED_RETRANS;
      this.retransOut -= seg.pcount;
      return true;
    }
    seg.sacked |= TCPCB_LOST;
    this.lostOut += seg.pcount;
    return true;
  }

  /**
   * Index (0 = head) of the first segment whose end lies after `seq` (tcp_sacktag_bsearch), or
   * `length` if none. Binary search over the sequence-ordered queue, wrap-safe relative to the head.
   */
  indexAfter(seq: number): number {
    let lo = this.first;
    let hi = this.segs.length;
    if (lo === hi) return 0;
    const base = this.segs[lo].seq;
    const rel = seqDiff(seq, base);
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (seqDiff(this.segs[mid].endSeq, base) > rel) hi = mid;
      else lo = mid + 1;
    }
    return lo - this.first;
  }

  /** Index (0 = head) of `seg` in the queue, -1 if it is not on it. */
  indexOf(seg: TcpSeg): number {
    const i = this.indexAfter(seg.seq);
    return i < this.length && this.at(i) === seg ? i : -1;
  }

  /**
   * tcp_fragment(TCP_FRAG_IN_RTX_QUEUE): cuts `seg` so that it keeps its first `len` sequence
   * numbers and a new entry right after it takes the rest. Both keep the sacked bits and send
   * times (the receiver saw them as one transmission); FIN and PSH move to the tail part.
   * Segment counts are recomputed and the counters follow (tcp_adjust_pcount). Returns the
   * new tail part, or null when `len` does not fall inside the payload.
   */
  fragment(seg: TcpSeg, len: number): TcpSeg | null {
    const syn = seg.tcpFlags & 0x02 ? 1 : 0;
    const off = len - syn;
    if (off <= 0 || off >= seg.data.length) return null;
    const idx = this.indexOf(seg);
    if (idx < 0) return null;
    const buff = new TcpSeg((seg.seq + len) >>> 0, seg.endSeq, seg.tcpFlags & ~0x02, seg.data.subarray(off));
    seg.tcpFlags &= ~0x09; // FIN | PSH go with the tail
    seg.data = seg.data.subarray(0, off);
    seg.endSeq = buff.seq;
    buff.sacked = seg.sacked;
    buff.firstTxUs = seg.firstTxUs;
    buff.txUs = seg.txUs;
    buff.txCount = seg.txCount;
    buff.txDelivered = seg.txDelivered;
    buff.gsoSize = seg.gsoSize;
    const old = seg.tsoSegs;
    seg.tsoSegs = tsoSegsOf(seg);
    buff.tsoSegs = tsoSegsOf(buff);
    // The new part is counted as the old entry was; the difference (TSO rounding) is adjusted.
    this.adjustPcount(seg, old - seg.tsoSegs - buff.tsoSegs);
    this.segs.splice(this.first + idx + 1, 0, buff);
    if (seg.tsPrev !== null || this.tsHead === seg) {
      // Same transmission time: right after the original on the time-ordered list.
      buff.tsPrev = seg;
      buff.tsNext = seg.tsNext;
      if (seg.tsNext !== null) seg.tsNext.tsPrev = buff;
      else this.tsTail = buff;
      seg.tsNext = buff;
    }
    return buff;
  }

  /** tcp_adjust_pcount: `seg`'s counted segments drop by `decr` (may be negative). */
  private adjustPcount(seg: TcpSeg, decr: number): void {
    if (decr === 0) return;
    this.packetsOut -= decr;
    if (seg.sacked & TCPCB_SACKED_ACKED) this.sackedOut -= decr;
    if (seg.sacked & TCPCB_SACKED_RETRANS) this.retransOut -= decr;
    if (seg.sacked & TCPCB_LOST) this.lostOut -= decr;
  }

  /** Oldest transmission still on the time-ordered list (not SACKed, not yet marked lost by RACK). */
  tsFirst(): TcpSeg | null {
    return this.tsHead;
  }

  /** Whether `seg` is on the time-ordered list. */
  onTsList(seg: TcpSeg): boolean {
    return seg.tsPrev !== null || this.tsHead === seg;
  }

  /** list_del_init(&skb->tcp_tsorted_anchor): takes `seg` off the time-ordered list (no-op if off). */
  tsUnlink(seg: TcpSeg): void {
    if (!this.onTsList(seg)) return;
    if (seg.tsPrev !== null) seg.tsPrev.tsNext = seg.tsNext;
    else this.tsHead = seg.tsNext;
    if (seg.tsNext !== null) seg.tsNext.tsPrev = seg.tsPrev;
    else this.tsTail = seg.tsPrev;
    seg.tsPrev = seg.tsNext = null;
  }

  private tsLinkTail(seg: TcpSeg): void {
    seg.tsNext = null;
    seg.tsPrev = this.tsTail;
    if (this.tsTail !== null) this.tsTail.tsNext = seg;
    else this.tsHead = seg;
    this.tsTail = seg;
  }

  /**
   * Whether the last renoAddSack / renoRemoveSacks had to cap the dupACK count at what is out
   * (tcp_check_reno_reordering: the engine then raises reordering to packetsOut (+acked) and
   * counts reord_seen / TCPRenoReorder).
   */
  renoLimited = false;

  /**
   * Non-SACK peers (tcp_add_reno_sack): each duplicate ACK counts as one "SACKed" segment, capped
   * so that sacked + lost never exceeds packets out. Returns the increase (delivered segments).
   */
  renoAddSack(dupAcks = 1): number {
    const prior = this.sackedOut;
    this.sackedOut += dupAcks;
    this.renoLimited = this.renoLimitSacked();
    return this.sackedOut - prior;
  }

  /**
   * tcp_remove_reno_sacks: a cumulative ACK of `acked` segments fills one hole, the rest eat
   * duplicate-ACK counts. Returns delivered segments (max(acked - sackedOut, 1) when acked > 0).
   */
  renoRemoveSacks(acked: number): number {
    let delivered = 0;
    if (acked > 0) {
      delivered = Math.max(acked - this.sackedOut, 1);
      this.sackedOut = acked - 1 >= this.sackedOut ? 0 : this.sackedOut - (acked - 1);
    }
    this.renoLimited = this.renoLimitSacked();
    return delivered;
  }

  /** tcp_reset_reno_sack. */
  renoResetSack(): void {
    this.sackedOut = 0;
  }

  /** tcp_limit_reno_sacked: true if it had to cap (the count had run past what is out: reordering). */
  renoLimitSacked(): boolean {
    const holes = Math.min(Math.max(this.lostOut, 1), this.packetsOut);
    if (this.sackedOut + holes > this.packetsOut) {
      this.sackedOut = this.packetsOut - holes;
      return true;
    }
    return false;
  }
}
