// Sender-side SACK (src/tcp/tcp_sack.ts tcpSacktag, src/tcp/tcp_rtx_queue.ts fragment/time list):
// scoreboard tables — single and several blocks, out-of-order blocks, TSO splitting, DSACK below
// the ACK and inside another block, invalid blocks counted — with packetsOut/sackedOut/lostOut/
// retransOut checked exactly after every step, and random operations against a simple model.
import { describe, expect, it } from 'vitest';
import { TcpRack } from '../../src/tcp/tcp_recovery.js';
import { FLAG_DATA_SACKED, FLAG_DSACKING_ACK, FLAG_DSACK_TLP, FLAG_ORIG_SACK_ACKED } from '../../src/tcp/tcp_recovery.js';
import {
  type SackBlock,
  type TcpSackSock,
  tcpIsSackblockValid,
  tcpSacktag,
  rfc6675IsLost,
  rfc6675NextSeg,
  NEXTSEG_LOST,
  NEXTSEG_NEW,
  NEXTSEG_HOLE,
  NEXTSEG_NONE,
} from '../../src/tcp/tcp_sack.js';
import {
  RtxQueue,
  TCPCB_EVER_RETRANS,
  TCPCB_LOST,
  TCPCB_SACKED_ACKED,
  TCPCB_SACKED_RETRANS,
  TcpSeg,
} from '../../src/tcp/tcp_rtx_queue.js';
import { TCP_CA_Loss, TCP_CA_Open, TCP_CA_Recovery } from '../../src/tcp/tcp_states.js';

const MSS = 1000;

/** n segments of `mss` bytes from `base`, the i-th sent at t0 + i µs. */
function mkQueue(n: number, base = 1000, t0 = 0, gso = 0, len = MSS): RtxQueue {
  const q = new RtxQueue();
  for (let i = 0; i < n; i++) {
    const s = new TcpSeg((base + i * len) >>> 0, (base + (i + 1) * len) >>> 0, 0, Buffer.alloc(len));
    s.gsoSize = gso;
    q.push(s, t0 + i);
  }
  return q;
}

function mkTp(q: RtxQueue, over: Partial<TcpSackSock> = {}): TcpSackSock {
  const head = q.head()!;
  const tail = q.tail()!;
  return {
    sndUna: head.seq,
    sndNxt: tail.endSeq,
    mssCache: MSS,
    maxWindow: 65535,
    undoMarker: 0,
    undoRetrans: 0,
    highSeq: tail.endSeq,
    tlpHighSeq: 0,
    reordering: 3,
    reordSeen: 0,
    dsackDups: 0,
    totalRetrans: 0,
    caState: TCP_CA_Open,
    minRttUs: Infinity,
    ...over,
  };
}

function counters(q: RtxQueue): [number, number, number, number] {
  return [q.packetsOut, q.sackedOut, q.lostOut, q.retransOut];
}

/** The counters recomputed from the bits (tcp_verify_left_out's invariant, exact). */
function recount(q: RtxQueue): [number, number, number, number] {
  let p = 0, s = 0, l = 0, r = 0;
  for (let i = 0; i < q.length; i++) {
    const g = q.at(i);
    p += g.pcount;
    if (g.sacked & TCPCB_SACKED_ACKED) s += g.pcount;
    if (g.sacked & TCPCB_LOST) l += g.pcount;
    if (g.sacked & TCPCB_SACKED_RETRANS) r += g.pcount;
  }
  return [p, s, l, r];
}

function sackedIdx(q: RtxQueue): number[] {
  const out: number[] = [];
  for (let i = 0; i < q.length; i++) if (q.at(i).sacked & TCPCB_SACKED_ACKED) out.push(i);
  return out;
}

const B = (i: number, j: number, base = 1000): SackBlock => [base + i * MSS, base + j * MSS];

describe('tcpSacktag scoreboard', () => {
  it('a single block tags exactly the segments it covers', () => {
    const q = mkQueue(10);
    const tp = mkTp(q);
    const st = tcpSacktag(q, [B(3, 5)], 1000, 1000, tp, 100);
    expect(sackedIdx(q)).toEqual([3, 4]);
    expect(counters(q)).toEqual([10, 2, 0, 0]);
    expect(st.flag & FLAG_DATA_SACKED).toBeTruthy();
    expect(st.flag & FLAG_ORIG_SACK_ACKED).toBeTruthy();
    expect(st.newlySacked.map((s) => s.seq)).toEqual([4000, 5000]);
    expect(st.sackDelivered).toBe(2);
    expect(st.highestSackEnd).toBe(6000);
    expect(st.dsack).toBe(false);
    // RTT samples from the first / last newly SACKed segment (sent at 3 and 4 µs).
    expect(st.sackRttUs).toBe(97);
    expect(st.caRttUs).toBe(96);
    expect(st.reorderSeen).toBe(false);
    expect(q.packetsInFlight).toBe(8);
  });

  it('repeating a block changes nothing', () => {
    const q = mkQueue(10);
    const tp = mkTp(q);
    tcpSacktag(q, [B(3, 5)], 1000, 1000, tp, 100);
    const st = tcpSacktag(q, [B(3, 5)], 1000, 1000, tp, 200);
    expect(st.newlySacked).toEqual([]);
    expect(st.flag).toBe(0);
    expect(counters(q)).toEqual([10, 2, 0, 0]);
  });

  it('several blocks out of order are sorted and all tagged', () => {
    const q = mkQueue(12);
    const tp = mkTp(q);
    const st = tcpSacktag(q, [B(9, 11), B(2, 3), B(5, 7)], 1000, 1000, tp, 50);
    expect(sackedIdx(q)).toEqual([2, 5, 6, 9, 10]);
    expect(counters(q)).toEqual([12, 5, 0, 0]);
    expect(st.newlySacked.map((s) => (s.seq - 1000) / MSS)).toEqual([2, 5, 6, 9, 10]);
    expect(st.highestSackEnd).toBe(1000 + 11 * MSS);
  });

  it('a block covering part of a one-MSS segment tags nothing there (as Linux)', () => {
    const q = mkQueue(4);
    const tp = mkTp(q);
    tcpSacktag(q, [[2500, 4000]], 1000, 1000, tp, 10);
    expect(sackedIdx(q)).toEqual([2]);
    expect(counters(q)).toEqual([4, 1, 0, 0]);
  });

  it('a block covering part of a TSO entry splits it at MSS boundaries', () => {
    // One entry of 8 MSS (pcount 8), seq 1000..9000.
    const q = mkQueue(1, 1000, 0, MSS, 8 * MSS);
    expect(q.length).toBe(1);
    expect(counters(q)).toEqual([8, 0, 0, 0]);
    const tp = mkTp(q);
    // Covers MSS chunks 2..5 (3000..7000), with ragged edges 2500 and 7400.
    const st = tcpSacktag(q, [[2500, 7400]], 1000, 1000, tp, 10);
    // Start 2500 rounds up to the next MSS boundary (3000... after the first cut at 2000+mss),
    // end 7400 rounds down to 7000.
    const ranges = Array.from({ length: q.length }, (_, i) => [q.at(i).seq, q.at(i).endSeq, q.at(i).pcount, q.at(i).sacked & TCPCB_SACKED_ACKED]);
    expect(ranges).toEqual([
      [1000, 3000, 2, 0],
      [3000, 7000, 4, TCPCB_SACKED_ACKED],
      [7000, 9000, 2, 0],
    ]);
    expect(counters(q)).toEqual([8, 4, 0, 0]);
    expect(recount(q)).toEqual(counters(q));
    expect(st.sackDelivered).toBe(4);
    // Data stayed attached to the right pieces.
    expect(q.at(0).data.length + q.at(1).data.length + q.at(2).data.length).toBe(8 * MSS);
  });

  it('a block shorter than an MSS inside a TSO entry tags nothing', () => {
    const q = mkQueue(1, 1000, 0, MSS, 4 * MSS);
    const tp = mkTp(q);
    tcpSacktag(q, [[1000, 1500]], 1000, 1000, tp, 10);
    expect(counters(q)).toEqual([4, 0, 0, 0]);
  });

  it('SACK of a lost segment clears LOST; of a lost retransmitted one clears both', () => {
    const q = mkQueue(6);
    const tp = mkTp(q, { caState: TCP_CA_Recovery });
    q.markSkbLost(q.at(1));
    q.markSkbLost(q.at(2));
    q.onRetransmit(q.at(2), 20);
    q.onRetransmit(q.at(3), 20); // retransmitted without being lost (a TLP, say)
    expect(counters(q)).toEqual([6, 0, 2, 2]);
    tcpSacktag(q, [B(1, 4)], 1000, 1000, tp, 30);
    expect(q.at(1).sacked & (TCPCB_LOST | TCPCB_SACKED_ACKED)).toBe(TCPCB_SACKED_ACKED);
    expect(q.at(2).sacked & (TCPCB_LOST | TCPCB_SACKED_RETRANS)).toBe(0);
    // S|R: the retransmission is still believed in flight.
    expect(q.at(3).sacked & (TCPCB_SACKED_RETRANS | TCPCB_SACKED_ACKED)).toBe(TCPCB_SACKED_RETRANS | TCPCB_SACKED_ACKED);
    expect(counters(q)).toEqual([6, 3, 0, 1]);
    expect(recount(q)).toEqual(counters(q));
  });

  it('with a cumulative ACK: blocks from the new snd_una on, then ackUpTo', () => {
    const q = mkQueue(6);
    const tp = mkTp(q);
    tp.sndUna = 3000; // this ACK acknowledges up to 3000 (Linux updates snd_una first)
    const st = tcpSacktag(q, [[3000, 4000], B(3, 5)], 3000, 1000, tp, 10);
    expect(st.sackDiscard).toBe(1); // a block starting at snd_una is nonsense (tcp_is_sackblock_valid)
    expect(sackedIdx(q)).toEqual([3, 4]);
    q.ackUpTo(3000, 10);
    expect(counters(q)).toEqual([4, 2, 0, 0]);
    expect(recount(q)).toEqual(counters(q));
  });

  it('reordering: a hole filled below fack by a never-retransmitted segment', () => {
    const q = mkQueue(10);
    const tp = mkTp(q);
    tcpSacktag(q, [B(6, 8)], 1000, 1000, tp, 10);
    expect(tp.reordSeen).toBe(0);
    const st = tcpSacktag(q, [B(2, 3), B(6, 8)], 1000, 1000, tp, 20);
    expect(st.reorderSeen).toBe(true);
    expect(st.reord).toBe(3000);
    // fack = 9000; distance 6000 = 6 segments > reordering 3 → reordering 6.
    expect(st.reorderDistance).toBe(6);
    expect(tp.reordering).toBe(6);
    expect(tp.reordSeen).toBe(1);
    expect(st.sackReorder).toBe(1);
  });

  it('a retransmitted segment SACKed in a hole is not reordering', () => {
    const q = mkQueue(10);
    const tp = mkTp(q);
    tcpSacktag(q, [B(6, 8)], 1000, 1000, tp, 10);
    q.markSkbLost(q.at(2));
    q.onRetransmit(q.at(2), 15);
    const st = tcpSacktag(q, [B(2, 3), B(6, 8)], 1000, 1000, tp, 20);
    expect(st.reorderSeen).toBe(false);
    expect(st.firstSacktUs).toBe(-1);
    expect(counters(q)).toEqual([10, 3, 0, 0]);
  });

  it('tcp_max_reordering caps the reordering degree', () => {
    const q = mkQueue(40);
    const tp = mkTp(q);
    tcpSacktag(q, [B(30, 40)], 1000, 1000, tp, 10);
    tcpSacktag(q, [B(1, 2), B(30, 40)], 1000, 1000, tp, 10, null, undefined, 20);
    expect(tp.reordering).toBe(20);
  });

  it('no reordering is learned in CA_Loss without an undo marker', () => {
    const q = mkQueue(10);
    const tp = mkTp(q, { caState: TCP_CA_Loss });
    tcpSacktag(q, [B(6, 8)], 1000, 1000, tp, 10);
    const st = tcpSacktag(q, [B(2, 3), B(6, 8)], 1000, 1000, tp, 20);
    expect(st.reorderSeen).toBe(false);
    expect(tp.reordSeen).toBe(0);
  });
});

describe('tcpIsSackblockValid and invalid blocks', () => {
  const q = mkQueue(10); // 1000..11000
  const base = mkTp(q, { sndUna: 3000 });
  it.each([
    ['normal', false, 4000, 5000, {}, true],
    ['beyond snd_nxt', false, 4000, 12000, {}, false],
    ['reversed', false, 5000, 4000, {}, false],
    ['empty', false, 5000, 5000, {}, false],
    ['start at snd_una', false, 3000, 5000, {}, false],
    ['below snd_una', false, 2000, 2500, {}, false],
    ['DSACK below, no undo marker', true, 2000, 2500, {}, false],
    ['DSACK below, above undo marker', true, 2000, 2500, { undoMarker: 1500 }, true],
    ['DSACK straddling snd_una', true, 2000, 3500, { undoMarker: 1000 }, false],
    ['DSACK before undo marker', true, 1000, 1500, { undoMarker: 2000 }, false],
    ['DSACK across undo marker within max_window', true, 1000, 2500, { undoMarker: 2000 }, true],
    ['DSACK across undo marker beyond max_window', true, 1000, 2500, { undoMarker: 2000, maxWindow: 1000 }, false],
  ] as const)('%s', (_n, dsack, s, e, over, ok) => {
    expect(tcpIsSackblockValid({ ...base, ...over }, dsack, s, e)).toBe(ok);
  });

  it('invalid blocks are counted as discards and skipped', () => {
    const q2 = mkQueue(10);
    const tp = mkTp(q2);
    const st = tcpSacktag(q2, [B(2, 3), [5000, 20000], [7000, 6000], B(8, 9)], 1000, 1000, tp, 10);
    expect(st.sackDiscard).toBe(2);
    expect(sackedIdx(q2)).toEqual([2, 8]);
  });

  it('old blocks in a reordered older ACK are not counted', () => {
    const q2 = mkQueue(10);
    const tp = mkTp(q2, { sndUna: 3000, totalRetrans: 1 });
    // ack 2000 ≠ snd_una 3000 and the block ends at/below snd_una: silently skipped.
    const st = tcpSacktag(q2, [[1500, 2000], B(5, 6)], 2000, 3000, tp, 10);
    expect(st.sackDiscard).toBe(0);
    expect(st.dsack).toBe(true); // first block below the ACK looks like a DSACK... but
    expect(st.dsackIgnoredNoUndo).toBe(1); // ...there is no undo marker
    expect(sackedIdx(q2)).toEqual([5]);
  });

  it('an ACK older than snd_una − max_window is ignored whole', () => {
    const q2 = mkQueue(10);
    const tp = mkTp(q2, { maxWindow: 1000 });
    const st = tcpSacktag(q2, [B(5, 6)], 500 >>> 0, 3000, tp, 10);
    expect(st.newlySacked).toEqual([]);
    expect(q2.sackedOut).toBe(0);
  });
});

describe('DSACK detection (RFC 2883)', () => {
  it('first block below the ACK: DSACK; dumb undo counting for forgotten data', () => {
    const q = mkQueue(10, 5000);
    const tp = mkTp(q, { undoMarker: 3000, undoRetrans: 2, totalRetrans: 2 });
    const st = tcpSacktag(q, [[4000, 5000]], 5000, 5000, tp, 10);
    expect(st.dsack).toBe(true);
    expect(st.dsackRecv).toBe(1);
    expect(st.dsackSegs).toBe(1);
    expect(st.flag & FLAG_DSACKING_ACK).toBeTruthy();
    expect(tp.undoRetrans).toBe(1);
    expect(tp.dsackDups).toBe(1);
    expect(st.sackDelivered).toBe(1);
    expect(counters(q)).toEqual([10, 0, 0, 0]);
  });

  it('first block inside the second: DSACK (ofo); redundant retransmission leaves flight', () => {
    const q = mkQueue(10);
    const tp = mkTp(q, { undoMarker: 1000, undoRetrans: 1, totalRetrans: 1, caState: TCP_CA_Recovery });
    // Segment 4 was SACKed, then retransmitted anyway (spurious).
    tcpSacktag(q, [B(4, 6)], 1000, 1000, tp, 10);
    q.onRetransmit(q.at(4), 20);
    expect(counters(q)).toEqual([10, 2, 0, 1]);
    const st = tcpSacktag(q, [B(4, 5), B(4, 6)], 1000, 1000, tp, 30);
    expect(st.dsack).toBe(true);
    expect(st.dsackOfoRecv).toBe(1);
    expect(q.at(4).sacked & TCPCB_SACKED_RETRANS).toBe(0);
    expect(q.at(4).sacked & TCPCB_EVER_RETRANS).toBeTruthy();
    expect(tp.undoRetrans).toBe(0);
    expect(counters(q)).toEqual([10, 2, 0, 0]);
    expect(recount(q)).toEqual(counters(q));
  });

  it('a first block not inside the second is no DSACK', () => {
    const q = mkQueue(10);
    const tp = mkTp(q, { totalRetrans: 5 });
    const st = tcpSacktag(q, [B(4, 7), B(5, 6)], 1000, 1000, tp, 30);
    expect(st.dsack).toBe(false);
    expect(sackedIdx(q)).toEqual([4, 5, 6]);
  });

  it('more duplicates than retransmissions is dubious', () => {
    const q = mkQueue(10, 5000);
    const tp = mkTp(q, { undoMarker: 3000, undoRetrans: 2, totalRetrans: 0 });
    const st = tcpSacktag(q, [[4000, 5000]], 5000, 5000, tp, 10);
    expect(st.dsack).toBe(false);
    expect(st.dsackIgnoredDubious).toBe(1);
    expect(tp.undoRetrans).toBe(2);
  });

  it('a DSACK longer than max_window is dubious', () => {
    const q = mkQueue(10, 5000);
    const tp = mkTp(q, { undoMarker: 1, totalRetrans: 100, maxWindow: 2000 });
    const st = tcpSacktag(q, [[1000, 5000]], 5000, 5000, tp, 10);
    expect(st.dsack).toBe(false);
    expect(st.dsackIgnoredDubious).toBe(1);
  });

  it('a DSACK of several MSS counts several duplicates', () => {
    const q = mkQueue(10, 5000);
    const tp = mkTp(q, { undoMarker: 1000, undoRetrans: 5, totalRetrans: 5 });
    const st = tcpSacktag(q, [[2000, 4500]], 5000, 5000, tp, 10);
    expect(st.dsackSegs).toBe(3);
    expect(st.dsackRecvSegs).toBe(3);
    expect(tp.undoRetrans).toBe(2);
  });

  it('a DSACK ending at tlp_high_seq flags FLAG_DSACK_TLP and does not widen RACK', () => {
    const q = mkQueue(10, 5000);
    const rack = new TcpRack();
    const tp = mkTp(q, { undoMarker: 1000, totalRetrans: 1, tlpHighSeq: 5000, reordSeen: 1 });
    const st = tcpSacktag(q, [[4000, 5000]], 5000, 5000, tp, 10, rack);
    expect(st.flag & FLAG_DSACK_TLP).toBeTruthy();
    expect(rack.dsackSeen).toBe(false);
  });

  it('a DSACK after reordering was seen marks rack.dsackSeen', () => {
    const q = mkQueue(10, 5000);
    const rack = new TcpRack();
    const tp = mkTp(q, { undoMarker: 1000, totalRetrans: 1, reordSeen: 1 });
    tcpSacktag(q, [[4000, 5000]], 5000, 5000, tp, 10, rack);
    expect(rack.dsackSeen).toBe(true);
  });

  it('DSACK invalid for lack of an undo marker is counted as such', () => {
    const q = mkQueue(10, 5000);
    const tp = mkTp(q, { totalRetrans: 1 });
    const st = tcpSacktag(q, [[4000, 5000], [7000, 8000]], 5000, 5000, tp, 10);
    expect(st.dsackIgnoredNoUndo).toBe(1);
    expect(sackedIdx(q)).toEqual([2]);
  });
});

describe('RtxQueue additions', () => {
  it('fragment keeps counters, flags, data and the time order', () => {
    const q = new RtxQueue();
    const a = new TcpSeg(100, 3101, 0x09, Buffer.from('x'.repeat(3000) + '')); // PSH|FIN, FIN at 3100
    a.gsoSize = 1000;
    q.push(a, 5);
    const b = new TcpSeg(3101, 3201, 0, Buffer.alloc(100));
    q.push(b, 6);
    q.markSkbLost(a);
    expect(counters(q)).toEqual([4, 0, 3, 0]);
    const t = q.fragment(a, 1000)!;
    expect([a.seq, a.endSeq, a.pcount, a.tcpFlags]).toEqual([100, 1100, 1, 0]);
    expect([t.seq, t.endSeq, t.pcount, t.tcpFlags, t.data.length]).toEqual([1100, 3101, 2, 0x09, 2000]);
    expect(t.sacked & TCPCB_LOST).toBeTruthy();
    expect(counters(q)).toEqual([4, 0, 3, 0]);
    expect(q.at(1)).toBe(t);
    expect(q.tsFirst()).toBe(a);
    expect(a.tsNext).toBe(t);
    expect(t.tsNext).toBe(b);
    expect(q.fragment(t, 0)).toBeNull();
    expect(q.fragment(t, 2000)).toBeNull(); // at the FIN: nothing of the payload left for the tail
  });

  it('indexAfter works across sequence wrap', () => {
    const q = mkQueue(5, 0xfffff000, 0, 0, 0x800);
    expect(q.indexAfter(0xfffff000)).toBe(0);
    expect(q.indexAfter(0xfffff800)).toBe(1);
    expect(q.indexAfter(0x00000001)).toBe(2);
    expect(q.indexAfter(0x1800)).toBe(5);
    expect(q.indexOf(q.at(3))).toBe(3);
  });

  it('the time-ordered list follows retransmissions, SACKs and ACKs', () => {
    const q = mkQueue(4);
    const order = () => {
      const out: number[] = [];
      for (let s = q.tsFirst(); s !== null; s = s.tsNext) out.push((s.seq - 1000) / MSS);
      return out;
    };
    expect(order()).toEqual([0, 1, 2, 3]);
    q.onRetransmit(q.at(1), 10);
    expect(order()).toEqual([0, 2, 3, 1]);
    tcpSacktag(q, [B(2, 3)], 1000, 1000, mkTp(q), 20);
    expect(order()).toEqual([0, 3, 1]);
    q.ackUpTo(2000, 30);
    expect(order()).toEqual([3, 1]);
    q.clear();
    expect(q.tsFirst()).toBeNull();
  });

  it('a TSO head partly acknowledged counts fewer segments', () => {
    const q = mkQueue(1, 1000, 0, MSS, 4 * MSS);
    q.markSkbLost(q.at(0));
    const r = q.ackUpTo(3500, 10);
    expect(r.ackedSegs).toBe(2);
    expect(q.at(0).pcount).toBe(2);
    expect(counters(q)).toEqual([2, 0, 2, 0]);
  });

  it('markSkbLost: L|R loses its retransmission, R alone becomes L|R', () => {
    const q = mkQueue(3);
    const [a, b] = [q.at(0), q.at(1)];
    q.markSkbLost(a);
    q.onRetransmit(a, 5);
    q.onRetransmit(b, 5);
    expect(counters(q)).toEqual([3, 0, 1, 2]);
    expect(q.markSkbLost(a)).toBe(true);
    expect(a.sacked & (TCPCB_LOST | TCPCB_SACKED_RETRANS)).toBe(TCPCB_LOST);
    expect(q.markSkbLost(b)).toBe(true);
    expect(b.sacked & (TCPCB_LOST | TCPCB_SACKED_RETRANS)).toBe(TCPCB_LOST | TCPCB_SACKED_RETRANS);
    expect(counters(q)).toEqual([3, 0, 2, 1]);
    expect(q.markSkbLost(a)).toBe(false);
  });

  it('reno dupACK counting is capped by what is out', () => {
    const q = mkQueue(4);
    expect(q.renoAddSack(2)).toBe(2);
    expect(q.renoLimited).toBe(false);
    expect(q.renoAddSack(5)).toBe(1); // at most packetsOut − 1 (one hole)
    expect(q.renoLimited).toBe(true);
    expect(q.sackedOut).toBe(3);
    q.ackUpTo(2000, 1);
    expect(q.renoRemoveSacks(1)).toBe(1);
    expect(q.sackedOut).toBe(2);
    q.renoResetSack();
    expect(q.sackedOut).toBe(0);
  });
});

describe('RFC 6675 IsLost / NextSeg', () => {
  it('IsLost needs DupThresh SACKed segments above', () => {
    const q = mkQueue(8);
    const tp = mkTp(q);
    tcpSacktag(q, [B(2, 4)], 1000, 1000, tp, 1);
    expect(rfc6675IsLost(q, q.at(0), MSS)).toBe(false); // 2 above (and 2000 bytes = (3-1)*mss, not more)
    tcpSacktag(q, [B(2, 4), B(5, 6)], 1000, 1000, tp, 1);
    expect(rfc6675IsLost(q, q.at(0), MSS)).toBe(true);
    expect(rfc6675IsLost(q, q.at(4), MSS)).toBe(false);
    expect(rfc6675IsLost(q, q.at(2), MSS)).toBe(false);
  });

  it('NextSeg: rule 1, then new data, then holes', () => {
    const q = mkQueue(8);
    const tp = mkTp(q);
    tcpSacktag(q, [B(1, 2), B(3, 6)], 1000, 1000, tp, 1);
    const out = { seg: null as TcpSeg | null };
    expect(rfc6675NextSeg(q, 0 + 1000, MSS, true, out)).toBe(NEXTSEG_LOST);
    expect(out.seg).toBe(q.at(0));
    q.onRetransmit(q.at(0), 2);
    expect(rfc6675NextSeg(q, 2000, MSS, true, out)).toBe(NEXTSEG_LOST);
    expect(out.seg).toBe(q.at(2));
    q.onRetransmit(q.at(2), 2);
    expect(rfc6675NextSeg(q, 4000, MSS, true, out)).toBe(NEXTSEG_NEW);
    expect(rfc6675NextSeg(q, 4000, MSS, false, out)).toBe(NEXTSEG_NONE);
    const q2 = mkQueue(8);
    tcpSacktag(q2, [B(2, 3)], 1000, 1000, mkTp(q2), 1);
    expect(rfc6675NextSeg(q2, 1000, MSS, false, out)).toBe(NEXTSEG_HOLE);
    expect(out.seg).toBe(q2.at(0));
  });
});
