// SACK in both directions (net/ipv4/tcp_input.c): the sender's scoreboard update
// tcp_sacktag_write_queue / tcp_check_dsack / tcp_is_sackblock_valid / tcp_sacktag_one /
// tcp_match_skb_to_sack / tcp_check_sack_reordering, the receiver's blocks tcp_sack_new_ofo_skb /
// tcp_sack_maybe_coalesce / tcp_sack_remove / tcp_dsack_set / tcp_dsack_extend with the option
// sizing of tcp_established_options, and RFC 6675's IsLost / NextSeg.
import { after, before } from './seq.js';
import type { TcpRack } from './tcp_recovery.js';
import { FLAG_DATA_SACKED, FLAG_DSACKING_ACK, FLAG_DSACK_TLP, FLAG_ORIG_SACK_ACKED } from './tcp_recovery.js';
import {
  RtxQueue,
  TCPCB_LOST,
  TCPCB_RETRANS,
  TCPCB_SACKED_ACKED,
  TCPCB_SACKED_RETRANS,
  type TcpSeg,
} from './tcp_rtx_queue.js';
import { TCP_CA_Loss } from './tcp_states.js';

/** A SACK block as it came off the wire: [start, end) in sequence space. */
export type SackBlock = readonly [number, number];

/** net.ipv4.tcp_max_reordering default. */
export const TCP_MAX_REORDERING = 300;

/**
 * What SACK tagging reads of the sender, and the few fields it updates (marked W). The engine's
 * socket can implement this directly (same names) or pass an adapter.
 */
export interface TcpSackSock {
  /** snd_una AFTER this ACK's cumulative part (Linux updates it before tagging). */
  sndUna: number;
  sndNxt: number;
  /** tp->mss_cache: the reordering metric and DSACK segment counts are in these units. */
  mssCache: number;
  /** tp->max_window: the largest window the peer ever offered. */
  maxWindow: number;
  /** tp->undo_marker; 0 = no undo possible (Linux's convention). */
  undoMarker: number;
  /** W: tp->undo_retrans, retransmissions not yet shown spurious by DSACK. */
  undoRetrans: number;
  /** tp->high_seq: snd_nxt when recovery began. */
  highSeq: number;
  /** tp->tlp_high_seq; 0 = no probe outstanding. */
  tlpHighSeq: number;
  /** W: tp->reordering (sysctl tcp_reordering = 3 initially). */
  reordering: number;
  /** W: tp->reord_seen, count of reordering events. */
  reordSeen: number;
  /** W: tp->dsack_dups, duplicate segments reported by DSACK so far. */
  dsackDups: number;
  /** tp->total_retrans: DSACKs beyond this many are not believed. */
  totalRetrans: number;
  /** icsk_ca_state. */
  caState: number;
  /** tcp_min_rtt() in µs (Infinity before any sample), for RACK's ambiguity check. */
  minRttUs: number;
}

/**
 * struct tcp_sacktag_state plus the MIB increments of one tcpSacktag call. The engine may keep
 * one and pass it in every time (nothing is allocated then but the newlySacked entries).
 */
export class TcpSacktagState {
  /** FLAG_DATA_SACKED | FLAG_ORIG_SACK_ACKED | FLAG_DSACKING_ACK | FLAG_DSACK_TLP as they apply. */
  flag = 0;
  /** Segments that became SACKed by this ACK, in sequence order (for rate samples). */
  readonly newlySacked: TcpSeg[] = [];
  /** state->sack_delivered: segments newly delivered out of order (+ DSACKed duplicates). */
  sackDelivered = 0;
  /** The first block was a valid-looking DSACK (RFC 2883; tcp_check_dsack). */
  dsack = false;
  /** Duplicate segments that DSACK reported (0 when dubious/ignored). */
  dsackSegs = 0;
  /** state->reord: lowest sequence newly SACKed in a hole below fack (sndNxt = none). */
  reord = 0;
  /** tcp_check_sack_reordering ran: reordering was detected (tp.reordSeen was incremented). */
  reorderSeen = false;
  /** The reordering distance fack − reord in segments (rounded up), 0 when none. */
  reorderDistance = 0;
  /** tcp_highest_sack_seq() after this ACK ("fack"). */
  highestSackEnd = 0;
  /** Send time (µs) of the first / last newly SACKed never-retransmitted segment; -1 = none. */
  firstSacktUs = -1;
  lastSacktUs = -1;
  /** sack_rtt_us / ca_rtt_us for tcp_ack_update_rtt when no cumulative sample exists; -1 = none. */
  sackRttUs = -1;
  caRttUs = -1;
  // TcpExt counters to add (the engine adds these to statsExt).
  sackDiscard = 0;
  dsackIgnoredOld = 0;
  dsackIgnoredNoUndo = 0;
  dsackRecv = 0;
  dsackOfoRecv = 0;
  dsackIgnoredDubious = 0;
  dsackRecvSegs = 0;
  sackReorder = 0;

  reset(sndNxt: number): void {
    this.flag = 0;
    this.newlySacked.length = 0;
    this.sackDelivered = 0;
    this.dsack = false;
    this.dsackSegs = 0;
    this.reord = sndNxt;
    this.reorderSeen = false;
    this.reorderDistance = 0;
    this.highestSackEnd = 0;
    this.firstSacktUs = this.lastSacktUs = -1;
    this.sackRttUs = this.caRttUs = -1;
    this.sackDiscard = this.dsackIgnoredOld = this.dsackIgnoredNoUndo = 0;
    this.dsackRecv = this.dsackOfoRecv = this.dsackIgnoredDubious = this.dsackRecvSegs = this.sackReorder = 0;
  }
}

/** tcp_highest_sack_seq(): the end of the highest SACKed segment, or snd_una when none is. */
export function tcpHighestSackSeq(q: RtxQueue, sndUna: number): number {
  return q.sackedOut ? q.highestSackEnd : sndUna;
}

/**
 * tcp_is_sackblock_valid(): a block must end at or before snd_nxt, be non-empty and not wrap;
 * a normal block must start above snd_una. A DSACK (only with an undo marker) may lie wholly
 * below snd_una but not wholly before the undo marker, and when it straddles the marker it
 * must start within max_window of its end.
 */
export function tcpIsSackblockValid(tp: TcpSackSock, isDsack: boolean, start: number, end: number): boolean {
  if (after(end, tp.sndNxt) || !before(start, end)) return false;
  if (!before(start, tp.sndNxt)) return false;
  if (after(start, tp.sndUna)) return true;
  if (!isDsack || !tp.undoMarker) return false;
  if (after(end, tp.sndUna)) return false;
  if (!before(start, tp.undoMarker)) return true;
  if (!after(end, tp.undoMarker)) return false;
  return !before(start, (end - tp.maxWindow) >>> 0);
}

/**
 * tcp_dsack_seen(): how many duplicate segments a DSACK of [start, end) stands for, 0 if it is
 * dubious (longer than the largest window, or more duplicates than retransmissions sent). Marks
 * RACK's dsack_seen when reordering has been seen and it is not the answer to a TLP probe.
 */
function tcpDsackSeen(tp: TcpSackSock, rack: TcpRack | null, start: number, end: number, st: TcpSacktagState): number {
  if (!before(start, end)) return 0;
  const len = (end - start) >>> 0;
  if (len > tp.maxWindow) return 0;
  let dupSegs = 1;
  if (len > tp.mssCache) dupSegs = Math.ceil(len / tp.mssCache);
  else if (tp.tlpHighSeq && tp.tlpHighSeq === end) st.flag |= FLAG_DSACK_TLP;
  tp.dsackDups += dupSegs;
  if (tp.dsackDups > tp.totalRetrans) return 0;
  if (tp.reordSeen && !(st.flag & FLAG_DSACK_TLP) && rack !== null) rack.dsackSeen = true;
  st.flag |= FLAG_DSACKING_ACK;
  st.sackDelivered += dupSegs;
  return dupSegs;
}

/**
 * tcp_check_dsack(): RFC 2883 — the first block is a DSACK if it starts below the cumulative
 * ACK, or if it lies inside the second block.
 */
function tcpCheckDsack(
  tp: TcpSackSock,
  rack: TcpRack | null,
  blocks: readonly SackBlock[],
  ack: number,
  priorSndUna: number,
  st: TcpSacktagState,
): boolean {
  const [s0, e0] = blocks[0];
  if (before(s0, ack)) {
    st.dsackRecv++;
  } else if (blocks.length > 1) {
    const [s1, e1] = blocks[1];
    if (after(e0, e1) || before(s0, s1)) return false;
    st.dsackOfoRecv++;
  } else {
    return false;
  }
  const dupSegs = tcpDsackSeen(tp, rack, s0, e0, st);
  if (!dupSegs) {
    st.dsackIgnoredDubious++;
    return false;
  }
  st.dsackRecvSegs += dupSegs;
  st.dsackSegs = dupSegs;
  // A DSACK for data already cumulatively acknowledged: count it against undo_retrans blindly.
  if (tp.undoMarker && tp.undoRetrans > 0 && !after(e0, priorSndUna) && after(e0, tp.undoMarker)) {
    tp.undoRetrans = Math.max(0, tp.undoRetrans - dupSegs);
  }
  return true;
}

/**
 * tcp_match_skb_to_sack(): 1 if [start, end) covers `seg`, 0 if not, -1 to stop the walk. A
 * multi-segment (TSO) entry partly covered is cut at an MSS boundary first (RtxQueue.fragment)
 * so that the covered whole segments can be tagged; a one-segment entry partly covered is
 * not SACKed at all, as in Linux.
 */
function tcpMatchSkbToSack(q: RtxQueue, seg: TcpSeg, start: number, end: number): number {
  let inSack = !after(start, seg.seq) && !before(end, seg.endSeq);
  if (seg.pcount > 1 && !inSack && after(seg.endSeq, start)) {
    const mss = seg.gsoSize;
    inSack = !after(start, seg.seq);
    let pktLen: number;
    if (!inSack) {
      pktLen = (start - seg.seq) >>> 0;
      if (pktLen < mss) pktLen = mss;
    } else {
      pktLen = (end - seg.seq) >>> 0;
      if (pktLen < mss) return -1;
    }
    // Only whole MSS chunks are SACKed; a block starting mid-chunk leaves that chunk out.
    if (pktLen > mss) {
      let newLen = Math.floor(pktLen / mss) * mss;
      if (!inSack && newLen < pktLen) newLen += mss;
      pktLen = newLen;
    }
    if (pktLen >= seg.data.length && !inSack) return 0;
    if (q.fragment(seg, pktLen) === null) return -1;
  }
  return inSack ? 1 : 0;
}

/** tcp_sacktag_one(): tags one covered segment; returns its new sacked bits. */
function tcpSacktagOne(
  q: RtxQueue,
  tp: TcpSackSock,
  rack: TcpRack | null,
  st: TcpSacktagState,
  seg: TcpSeg,
  dupSack: boolean,
  nowUs: number,
): void {
  let sacked = seg.sacked;
  const pcount = seg.pcount;
  // A DSACK for a retransmitted segment: one retransmission was unnecessary.
  if (dupSack && sacked & TCPCB_RETRANS) {
    if (tp.undoMarker && tp.undoRetrans > 0 && after(seg.endSeq, tp.undoMarker)) {
      tp.undoRetrans = Math.max(0, tp.undoRetrans - pcount);
    }
    if (sacked & TCPCB_SACKED_ACKED && before(seg.seq, st.reord)) st.reord = seg.seq;
  }
  // About to be removed by the cumulative ACK anyway.
  if (!after(seg.endSeq, tp.sndUna)) return;

  if (!(sacked & TCPCB_SACKED_ACKED)) {
    if (rack !== null) rack.advance(sacked, seg.endSeq, seg.txUs, nowUs, tp.minRttUs);
    if (sacked & TCPCB_SACKED_RETRANS) {
      // The retransmission is believed still in flight unless the segment was marked lost.
      if (sacked & TCPCB_LOST) {
        sacked &= ~(TCPCB_LOST | TCPCB_SACKED_RETRANS);
        q.lostOut -= pcount;
        q.retransOut -= pcount;
      }
    } else {
      if (!(sacked & TCPCB_RETRANS)) {
        // Never retransmitted yet SACKed in a hole below fack: the network reordered it.
        if (before(seg.seq, tcpHighestSackSeq(q, tp.sndUna)) && before(seg.seq, st.reord)) st.reord = seg.seq;
        if (!after(seg.endSeq, tp.highSeq)) st.flag |= FLAG_ORIG_SACK_ACKED;
        if (st.firstSacktUs < 0) st.firstSacktUs = seg.txUs;
        st.lastSacktUs = seg.txUs;
      }
      if (sacked & TCPCB_LOST) {
        sacked &= ~TCPCB_LOST;
        q.lostOut -= pcount;
      }
    }
    sacked |= TCPCB_SACKED_ACKED;
    st.flag |= FLAG_DATA_SACKED;
    q.sackedOut += pcount;
    st.sackDelivered += pcount;
    st.newlySacked.push(seg);
  }
  // A DSACK shows the retransmission of an S|R or R segment was redundant: it left flight.
  if (dupSack && sacked & TCPCB_SACKED_RETRANS) {
    sacked &= ~TCPCB_SACKED_RETRANS;
    q.retransOut -= pcount;
  }
  seg.sacked = sacked;
}

/** tcp_sacktag_walk() over one block, with `nextDup` the DSACK block right after it in order. */
function tcpSacktagWalk(
  q: RtxQueue,
  tp: TcpSackSock,
  rack: TcpRack | null,
  st: TcpSacktagState,
  start: number,
  end: number,
  dupIn: boolean,
  nextDup: SackBlock | null,
  nowUs: number,
): void {
  for (let i = q.indexAfter(start); i < q.length; i++) {
    const seg = q.at(i);
    if (!before(seg.seq, end)) break;
    let inSack = 0;
    let dup = dupIn;
    if (nextDup !== null && before(seg.seq, nextDup[1])) {
      inSack = tcpMatchSkbToSack(q, seg, nextDup[0], nextDup[1]);
      if (inSack > 0) dup = true;
    }
    if (inSack <= 0) inSack = tcpMatchSkbToSack(q, seg, start, end);
    if (inSack < 0) break;
    if (inSack === 0) continue;
    tcpSacktagOne(q, tp, rack, st, seg, dup, nowUs);
    if (seg.sacked & TCPCB_SACKED_ACKED) q.tsUnlink(seg);
    if (!before(seg.seq, tcpHighestSackSeq(q, tp.sndUna))) q.highestSackEnd = seg.endSeq;
  }
}

/** tcp_check_sack_reordering(): reordering seen at `lowSeq` below fack raises tp.reordering. */
function tcpCheckSackReordering(q: RtxQueue, tp: TcpSackSock, st: TcpSacktagState, lowSeq: number, maxReordering: number): void {
  const mss = tp.mssCache;
  const fack = tcpHighestSackSeq(q, tp.sndUna);
  if (!before(lowSeq, fack)) return;
  const metric = (fack - lowSeq) >>> 0;
  if (mss) st.reorderDistance = Math.ceil(metric / mss);
  if (mss && metric > tp.reordering * mss) tp.reordering = Math.min(st.reorderDistance, maxReordering);
  tp.reordSeen++;
  st.reorderSeen = true;
  st.sackReorder++;
}

/**
 * tcp_sacktag_write_queue(): applies the SACK blocks of one ACK to the retransmission queue.
 *
 * The engine calls it from tcp_ack for an ACK carrying a SACK option on a SACK connection,
 * after updating snd_una to `ack` (tp.sndUna) but BEFORE q.ackUpTo(ack) (segments below the ACK
 * are left to the cumulative part), with `priorSndUna` = snd_una before this ACK, `blocks` in
 * wire order (1..4), `rack` the connection's TcpRack (advanced by newly SACKed segments) and
 * nowUs = tcp_mstamp. Updates q's sacked bits and sackedOut/lostOut/retransOut,
 * q.highestSackEnd, tp.undoRetrans/reordering/reordSeen/dsackDups and rack; returns `st` (made
 * fresh if not given) with the flags, newly SACKed segments, DSACK findings, reordering, RTT
 * samples and MIB counts. Validation (invalid blocks → sackDiscard), the DSACK rules of RFC 2883,
 * TSO splitting and Linux's accounting are as in the kernel; its SACK-shifting/collapsing of
 * skbs and the recv_sack_cache shortcut are left out (they change no outcome).
 */
export function tcpSacktag(
  q: RtxQueue,
  blocks: readonly SackBlock[],
  ack: number,
  priorSndUna: number,
  tp: TcpSackSock,
  nowUs: number,
  rack: TcpRack | null = null,
  st: TcpSacktagState = new TcpSacktagState(),
  maxReordering = TCP_MAX_REORDERING,
): TcpSacktagState {
  st.reset(tp.sndNxt);
  const numSacks = Math.min(blocks.length, 4);
  if (numSacks === 0) {
    st.highestSackEnd = tcpHighestSackSeq(q, tp.sndUna);
    return st;
  }
  const head = q.head();
  if (!q.sackedOut && head !== null) q.highestSackEnd = head.seq; // tcp_highest_sack_reset

  const foundDupSack = tcpCheckDsack(tp, rack, blocks, ack, priorSndUna, st);
  st.dsack = foundDupSack;

  // Too old an ACK to trust its SACK information.
  if (before(ack, (priorSndUna - tp.maxWindow) >>> 0) || !q.packetsOut) {
    st.highestSackEnd = tcpHighestSackSeq(q, tp.sndUna);
    return st;
  }

  // Valid blocks, in wire order at first; firstIdx tracks where wire block 0 (the DSACK) is.
  const sp: SackBlock[] = [];
  let firstIdx = 0;
  for (let i = 0; i < numSacks; i++) {
    const dup = i === 0 && foundDupSack;
    const [s, e] = blocks[i];
    if (!tcpIsSackblockValid(tp, dup, s, e)) {
      if (dup) {
        if (!tp.undoMarker) st.dsackIgnoredNoUndo++;
        else st.dsackIgnoredOld++;
      } else {
        // Old blocks in a reordered (older) ACK are not counted as discards.
        if (ack !== tp.sndUna && !after(e, tp.sndUna)) continue;
        st.sackDiscard++;
      }
      if (i === 0) firstIdx = -1;
      continue;
    }
    if (!after(e, priorSndUna)) {
      if (i === 0) firstIdx = -1;
      continue;
    }
    sp.push(blocks[i]);
  }
  // Sort by start (bubble sort as the kernel; at most 4), following the first block.
  for (let i = sp.length - 1; i > 0; i--) {
    for (let j = 0; j < i; j++) {
      if (after(sp[j][0], sp[j + 1][0])) {
        const t = sp[j];
        sp[j] = sp[j + 1];
        sp[j + 1] = t;
        if (j === firstIdx) firstIdx = j + 1;
      }
    }
  }
  for (let i = 0; i < sp.length; i++) {
    const dupSack = foundDupSack && i === firstIdx;
    const nextDup = foundDupSack && i + 1 === firstIdx ? sp[i + 1] : null;
    tcpSacktagWalk(q, tp, rack, st, sp[i][0], sp[i][1], dupSack, nextDup, nowUs);
  }
  if (tp.caState !== TCP_CA_Loss || tp.undoMarker) tcpCheckSackReordering(q, tp, st, st.reord, maxReordering);
  st.highestSackEnd = tcpHighestSackSeq(q, tp.sndUna);
  if (st.firstSacktUs >= 0) {
    st.sackRttUs = Math.max(0, nowUs - st.firstSacktUs);
    st.caRttUs = Math.max(0, nowUs - st.lastSacktUs);
  }
  return st;
}

// ---- RFC 6675 scoreboard helpers (for a sender not using RACK) ----

/**
 * RFC 6675 IsLost(seg): at least `dupThresh` SACKed segments lie above it, or more than
 * (dupThresh − 1) × mss SACKed bytes do. A SACKed segment is never lost.
 */
export function rfc6675IsLost(q: RtxQueue, seg: TcpSeg, mss: number, dupThresh = 3): boolean {
  if (seg.sacked & TCPCB_SACKED_ACKED) return false;
  let segs = 0;
  let bytes = 0;
  for (let i = q.length - 1; i >= 0; i--) {
    const s = q.at(i);
    if (!after(s.seq, seg.seq)) break;
    if (s.sacked & TCPCB_SACKED_ACKED) {
      segs += s.pcount;
      bytes += (s.endSeq - s.seq) >>> 0;
      if (segs >= dupThresh || bytes > (dupThresh - 1) * mss) return true;
    }
  }
  return false;
}

/** Which rule of RFC 6675 NextSeg() chose what to send. */
export const NEXTSEG_NONE = 0;
/** Rule 1: a lost (IsLost) hole above HighRxt. */
export const NEXTSEG_LOST = 1;
/** Rule 2: new data. */
export const NEXTSEG_NEW = 2;
/** Rule 3: an un-SACKed hole above HighRxt and below the highest SACKed sequence. */
export const NEXTSEG_HOLE = 3;

/**
 * RFC 6675 NextSeg(): `highRxt` is the highest sequence retransmitted so far in this recovery,
 * `newDataAllowed` whether unsent data may go (rule 2). Returns the rule and the segment for
 * rules 1 and 3 (in `out.seg`); segments already SACKed or with a retransmission in flight are
 * skipped. (Rule 4, the rescue retransmission, is the caller's: the tail, once per recovery.)
 */
export function rfc6675NextSeg(
  q: RtxQueue,
  highRxt: number,
  mss: number,
  newDataAllowed: boolean,
  out: { seg: TcpSeg | null },
  dupThresh = 3,
): number {
  out.seg = null;
  let hole: TcpSeg | null = null;
  const fack = q.sackedOut ? q.highestSackEnd : 0;
  for (let i = 0; i < q.length; i++) {
    const s = q.at(i);
    if (s.sacked & (TCPCB_SACKED_ACKED | TCPCB_SACKED_RETRANS)) continue;
    if (before(s.seq, highRxt)) continue;
    if (q.sackedOut && !before(s.seq, fack)) break;
    if (rfc6675IsLost(q, s, mss, dupThresh)) {
      out.seg = s;
      return NEXTSEG_LOST;
    }
    if (hole === null) hole = s;
  }
  if (newDataAllowed) return NEXTSEG_NEW;
  if (hole !== null) {
    out.seg = hole;
    return NEXTSEG_HOLE;
  }
  return NEXTSEG_NONE;
}

// ---- Receiver side: the blocks we advertise ----

/** TCP_NUM_SACKS: blocks the receiver remembers. */
export const TCP_NUM_SACKS = 4;
/** TCP_SACK_BLOCKS_EXPECTED: past this many blocks a compressed (delayed) SACK is sent at once. */
export const TCP_SACK_BLOCKS_EXPECTED = 2;

/**
 * tp->selective_acks[4] (most recent first), rx_opt.num_sacks, tp->duplicate_sack[1] and
 * rx_opt.dsack: what the receiver reports. The engine's receive path (tcp_data_queue,
 * tcp_data_queue_ofo, tcp_ofo_queue) calls the functions below; the ACK builder asks
 * tcpSackOptionBlocks / tcpSackOptionWrite. Flat arrays, nothing allocated per segment.
 */
export class SackRecvState {
  /** selective_acks: start/end pairs, [0..numSacks). */
  readonly starts = new Uint32Array(TCP_NUM_SACKS);
  readonly ends = new Uint32Array(TCP_NUM_SACKS);
  numSacks = 0;
  /** duplicate_sack[0], valid while `dsack`. */
  dsackStart = 0;
  dsackEnd = 0;
  dsack = false;
  /**
   * Set by tcpSackNewOfoSkb when the block touched was at or past TCP_SACK_BLOCKS_EXPECTED:
   * Linux then sends a compressed ACK at once (tcp_sack_compress_send_ack). The engine reads
   * and clears it.
   */
  compressSendAck = false;

  /** tcp_sack_reset: the ofo queue was purged. */
  reset(): void {
    this.numSacks = 0;
    this.dsack = false;
  }
}

/** tcp_sack_extend(): merges [seq, endSeq) into block i if they touch or overlap. */
function sackExtend(st: Uint32Array, en: Uint32Array, i: number, seq: number, endSeq: number): boolean {
  if (!after(seq, en[i]) && !after(st[i], endSeq)) {
    if (before(seq, st[i])) st[i] = seq;
    if (after(endSeq, en[i])) en[i] = endSeq;
    return true;
  }
  return false;
}

function sackSwap(r: SackRecvState, i: number, j: number): void {
  const s = r.starts[i];
  const e = r.ends[i];
  r.starts[i] = r.starts[j];
  r.ends[i] = r.ends[j];
  r.starts[j] = s;
  r.ends[j] = e;
}

/** tcp_sack_maybe_coalesce(): the first block grew; absorb any other block it now touches. */
export function tcpSackMaybeCoalesce(r: SackRecvState): void {
  for (let k = 1; k < r.numSacks; ) {
    if (sackExtend(r.starts, r.ends, 0, r.starts[k], r.ends[k])) {
      r.numSacks--;
      for (let i = k; i < r.numSacks; i++) {
        r.starts[i] = r.starts[i + 1];
        r.ends[i] = r.ends[i + 1];
      }
      continue;
    }
    k++;
  }
}

/**
 * tcp_sack_new_ofo_skb(): out-of-order data [seq, endSeq) was queued. It extends an existing
 * block (which moves to the front and may swallow others) or becomes a new front block,
 * pushing out the oldest when all 4 are in use. The engine calls it from tcp_data_queue_ofo
 * (with the first ofo segment it instead sets one block: tcpSackFirstOfo, and a segment
 * appended to the ofo tail extends block 0: tcpSackExtendHead).
 */
export function tcpSackNewOfoSkb(r: SackRecvState, seq: number, endSeq: number): void {
  const cur = r.numSacks;
  if (cur > 0) {
    let k = 0;
    for (; k < cur; k++) {
      if (sackExtend(r.starts, r.ends, k, seq, endSeq)) {
        if (k >= TCP_SACK_BLOCKS_EXPECTED) r.compressSendAck = true;
        for (; k > 0; k--) sackSwap(r, k, k - 1);
        if (cur > 1) tcpSackMaybeCoalesce(r);
        return;
      }
    }
    if (k >= TCP_SACK_BLOCKS_EXPECTED) r.compressSendAck = true;
    if (k >= TCP_NUM_SACKS) {
      k--;
      r.numSacks--;
    }
    for (; k > 0; k--) {
      r.starts[k] = r.starts[k - 1];
      r.ends[k] = r.ends[k - 1];
    }
  }
  r.starts[0] = seq;
  r.ends[0] = endSeq;
  r.numSacks++;
}

/** tcp_data_queue_ofo with an empty ofo queue: the SACK list restarts with this one block. */
export function tcpSackFirstOfo(r: SackRecvState, seq: number, endSeq: number): void {
  r.numSacks = 1;
  r.starts[0] = seq;
  r.ends[0] = endSeq;
}

/**
 * tcp_data_queue_ofo's fast path: `seq` continues the ofo queue's last segment. If block 0 ends
 * exactly there it simply grows (returns true); otherwise the engine falls back to
 * tcpSackNewOfoSkb (returns false).
 */
export function tcpSackExtendHead(r: SackRecvState, seq: number, endSeq: number): boolean {
  if (!r.numSacks || r.ends[0] !== seq) return false;
  r.ends[0] = endSeq;
  return true;
}

/**
 * tcp_sack_remove(): rcv_nxt advanced; every block it reached is dropped (all of them when the
 * ofo queue is now empty). The engine calls it after in-order data when numSacks > 0.
 */
export function tcpSackRemove(r: SackRecvState, rcvNxt: number, ofoEmpty: boolean): void {
  if (ofoEmpty) {
    r.numSacks = 0;
    return;
  }
  let n = r.numSacks;
  for (let k = 0; k < n; ) {
    if (!before(rcvNxt, r.starts[k])) {
      for (let i = k + 1; i < n; i++) {
        r.starts[i - 1] = r.starts[i];
        r.ends[i - 1] = r.ends[i];
      }
      n--;
      continue;
    }
    k++;
  }
  r.numSacks = n;
}

/**
 * tcp_dsack_set(): report [seq, endSeq) as received twice (RFC 2883). The engine calls it for a
 * wholly old segment (seq, endSeq), the old part of a partly old one (seq, rcv_nxt), and ofo
 * data already queued. Returns 'old' (below rcv_nxt: TCPDSACKOldSent) or 'ofo'
 * (TCPDSACKOfoSent) for the counter, or null when SACK/DSACK is off (`enabled` = sack_ok &&
 * sysctl tcp_dsack).
 */
export function tcpDsackSet(r: SackRecvState, seq: number, endSeq: number, rcvNxt: number, enabled = true): 'old' | 'ofo' | null {
  if (!enabled) return null;
  r.dsack = true;
  r.dsackStart = seq;
  r.dsackEnd = endSeq;
  return before(seq, rcvNxt) ? 'old' : 'ofo';
}

/**
 * tcp_dsack_extend(): like tcpDsackSet when no DSACK is pending, else widens the pending one if
 * the range touches it (tcp_ofo_queue and the ofo insert path use it for successive overlaps).
 */
export function tcpDsackExtend(r: SackRecvState, seq: number, endSeq: number, rcvNxt: number, enabled = true): 'old' | 'ofo' | null {
  if (!r.dsack) return tcpDsackSet(r, seq, endSeq, rcvNxt, enabled);
  if (!after(seq, r.dsackEnd) && !after(r.dsackStart, endSeq)) {
    if (before(seq, r.dsackStart)) r.dsackStart = seq;
    if (after(endSeq, r.dsackEnd)) r.dsackEnd = endSeq;
  }
  return null;
}

/** Option space (MAX_TCP_OPTION_SPACE) and sizes from tcp_established_options. */
const MAX_TCP_OPTION_SPACE = 40;
const TCPOLEN_TSTAMP_ALIGNED = 12;
const TCPOLEN_SACK_BASE_ALIGNED = 4;
const TCPOLEN_SACK_PERBLOCK = 8;

/**
 * How many SACK blocks the next segment carries (tcp_established_options): the DSACK (if
 * pending) plus the remembered blocks, as many as fit in the option space left: 4 without
 * timestamps, 3 with. `otherOptionBytes` overrides the TS-based figure when other options
 * are present (aligned bytes already used).
 */
export function tcpSackBlockCount(r: SackRecvState, hasTimestamps: boolean, otherOptionBytes = hasTimestamps ? TCPOLEN_TSTAMP_ALIGNED : 0): number {
  const eff = r.numSacks + (r.dsack ? 1 : 0);
  if (!eff) return 0;
  const remaining = MAX_TCP_OPTION_SPACE - otherOptionBytes;
  if (remaining < TCPOLEN_SACK_BASE_ALIGNED + TCPOLEN_SACK_PERBLOCK) return 0;
  return Math.min(eff, Math.floor((remaining - TCPOLEN_SACK_BASE_ALIGNED) / TCPOLEN_SACK_PERBLOCK));
}

/** The i-th block to emit: the DSACK first when pending, then selective_acks in order. */
function blockAt(r: SackRecvState, i: number): [number, number] {
  if (r.dsack) {
    if (i === 0) return [r.dsackStart, r.dsackEnd];
    i--;
  }
  return [r.starts[i], r.ends[i]];
}

/**
 * The blocks the next segment advertises, DSACK first (at most 4 without timestamps, 3 with),
 * and the pending DSACK is consumed (sent once, as tcp_options_write does). Allocates; the ACK
 * fast path should use tcpSackOptionWrite.
 */
export function tcpSackOptionBlocks(r: SackRecvState, hasTimestamps: boolean): [number, number][] {
  const n = tcpSackBlockCount(r, hasTimestamps);
  const out: [number, number][] = [];
  for (let i = 0; i < n; i++) out.push(blockAt(r, i));
  if (n > 0) r.dsack = false;
  return out;
}

/**
 * Writes the SACK option (NOP, NOP, kind 5, length, then `n` blocks, big-endian) at `off` and
 * consumes the pending DSACK; `n` from tcpSackBlockCount. Returns the bytes written (4 + 8n,
 * 0 when n = 0).
 */
export function tcpSackOptionWrite(r: SackRecvState, n: number, buf: Uint8Array, off: number): number {
  if (n <= 0) return 0;
  buf[off] = 1;
  buf[off + 1] = 1;
  buf[off + 2] = 5;
  buf[off + 3] = 2 + n * TCPOLEN_SACK_PERBLOCK;
  let p = off + 4;
  for (let i = 0; i < n; i++) {
    let s: number;
    let e: number;
    if (r.dsack && i === 0) {
      s = r.dsackStart;
      e = r.dsackEnd;
    } else {
      const k = r.dsack ? i - 1 : i;
      s = r.starts[k];
      e = r.ends[k];
    }
    writeU32(buf, p, s);
    writeU32(buf, p + 4, e);
    p += 8;
  }
  r.dsack = false;
  return p - off;
}

function writeU32(buf: Uint8Array, p: number, v: number): void {
  buf[p] = v >>> 24;
  buf[p + 1] = (v >>> 16) & 0xff;
  buf[p + 2] = (v >>> 8) & 0xff;
  buf[p + 3] = v & 0xff;
}
