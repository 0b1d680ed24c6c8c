// RACK-TLP (src/tcp/tcp_recovery.ts) on a fake clock (explicit µs): RACK's delivered-segment
// tracking, loss marking by time with the reordering window and the timer it asks for, the
// window's adaptation to DSACK, the reordering timer firing, NewReno and RTO marking, and the
// tail loss probe (PTO, which segment to probe with, how an episode ends).
import { describe, expect, it } from 'vitest';
import {
  FLAG_DATA_SACKED,
  FLAG_DSACK_TLP,
  FLAG_SND_UNA_ADVANCED,
  TCP_RACK_NO_DUPTHRESH,
  TLP_ACK_LOSS,
  TLP_ACK_NONE,
  TLP_ACK_NO_LOSS,
  TcpRack,
  TcpTlp,
  type TcpRackSock,
  tcpNewrenoMarkLost,
  tcpProcessTlpAck,
  tcpRackDetectLoss,
  tcpRackDsackUndo,
  tcpRackMarkLost,
  tcpRackRecoveryEnded,
  tcpRackReoTimeout,
  tcpRackReoWnd,
  tcpRackUpdateReoWnd,
  tcpRtoDeltaUs,
  tcpTimeoutMarkLost,
  tcpTlpAllowed,
  tcpTlpSelect,
  tcpTlpSent,
  tcpTlpTimeoutUs,
} from '../../src/tcp/tcp_recovery.js';
import { type TcpSackSock, tcpSacktag } from '../../src/tcp/tcp_sack.js';
import { RtxQueue, TCPCB_LOST, TCPCB_SACKED_ACKED, TCPCB_SACKED_RETRANS, TcpSeg } from '../../src/tcp/tcp_rtx_queue.js';
import { TCP_CA_CWR, TCP_CA_Disorder, TCP_CA_Loss, TCP_CA_Open, TCP_CA_Recovery } from '../../src/tcp/tcp_states.js';

const MSS = 1000;
const MS = 1000; // µs

/** n segments from 1000, the i-th sent at t0 + i·gap µs. */
function mkQueue(n: number, t0 = 0, gap = 100): RtxQueue {
  const q = new RtxQueue();
  for (let i = 0; i < n; i++) q.push(new TcpSeg(1000 + i * MSS, 1000 + (i + 1) * MSS, 0, Buffer.alloc(MSS)), t0 + i * gap);
  return q;
}

function mkSock(q: RtxQueue, over: Partial<TcpSackSock & TcpRackSock> = {}): TcpSackSock & TcpRackSock {
  return {
    sndUna: q.head()!.seq, sndNxt: q.tail()!.endSeq, mssCache: MSS, maxWindow: 1 << 20, undoMarker: 0, undoRetrans: 0,
    highSeq: 0, tlpHighSeq: 0, reordering: 3, reordSeen: 0, dsackDups: 0, totalRetrans: 0, caState: TCP_CA_Open,
    minRttUs: 40 * MS, srttUs: 50 * MS,
    ...over,
  };
}

const lostIdx = (q: RtxQueue) => Array.from({ length: q.length }, (_, i) => i).filter((i) => q.at(i).sacked & TCPCB_LOST);

describe('tcp_rack_advance', () => {
  it('tracks the most recently SENT delivered segment and the latest RTT', () => {
    const rack = new TcpRack();
    rack.advance(0, 5000, 300, 1000, 100);
    expect([rack.mstampUs, rack.endSeq, rack.rttUs, rack.advanced]).toEqual([300, 5000, 700, true]);
    rack.advance(0, 3000, 200, 1100, 100); // sent earlier: mstamp stays, rtt updates
    expect([rack.mstampUs, rack.endSeq, rack.rttUs]).toEqual([300, 5000, 900]);
    rack.advance(0, 6000, 300, 1200, 100); // same time, higher seq wins
    expect([rack.mstampUs, rack.endSeq]).toEqual([300, 6000]);
  });

  it('ignores a retransmission answered faster than min_rtt (ambiguous)', () => {
    const rack = new TcpRack();
    rack.advance(TCPCB_SACKED_RETRANS, 5000, 900, 1000, 500);
    expect(rack.advanced).toBe(false);
    rack.advance(TCPCB_SACKED_RETRANS, 5000, 400, 1000, 500);
    expect(rack.advanced).toBe(true);
  });

  it('is fed by tcpSacktag and RtxQueue.ackUpTo', () => {
    const q = mkQueue(5);
    const rack = new TcpRack();
    const tp = mkSock(q);
    tcpSacktag(q, [[3000, 4000]], 1000, 1000, tp, 10 * MS, rack);
    expect([rack.mstampUs, rack.endSeq]).toEqual([200, 4000]);
    q.ackUpTo(2000, 11 * MS, rack, tp.minRttUs);
    expect([rack.mstampUs, rack.endSeq, rack.rttUs]).toEqual([200, 4000, 11 * MS]);
  });
});

describe('tcp_rack_reo_wnd', () => {
  const q = mkQueue(10);
  const rack = new TcpRack();
  it.each([
    ['no reordering seen, open, few SACKed', { reordSeen: 0 }, 0, 10 * MS],
    ['no reordering seen, in recovery', { reordSeen: 0, caState: TCP_CA_Recovery }, 0, 0],
    ['no reordering seen, DupThresh SACKed', { reordSeen: 0 }, 3, 0],
    ['reordering seen: min_rtt/4', { reordSeen: 1, caState: TCP_CA_Recovery }, 3, 10 * MS],
    ['capped by srtt', { reordSeen: 1, minRttUs: 400 * MS }, 0, 50 * MS],
  ] as const)('%s', (_n, over, sacked, want) => {
    q.sackedOut = sacked;
    expect(tcpRackReoWnd(q, rack, mkSock(q, over))).toBe(want);
    q.sackedOut = 0;
  });

  it('TCP_RACK_NO_DUPTHRESH keeps the window when DupThresh segments are SACKed', () => {
    q.sackedOut = 5;
    expect(tcpRackReoWnd(q, rack, mkSock(q), TCP_RACK_NO_DUPTHRESH | 1)).toBe(10 * MS);
    q.sackedOut = 0;
  });

  it('steps scale it, up to srtt', () => {
    const r = new TcpRack();
    r.reoWndSteps = 3;
    expect(tcpRackReoWnd(q, r, mkSock(q, { reordSeen: 1 }))).toBe(30 * MS);
    r.reoWndSteps = 10;
    expect(tcpRackReoWnd(q, r, mkSock(q, { reordSeen: 1 }))).toBe(50 * MS);
  });
});

describe('RACK loss marking on a fake clock', () => {
  it('marks segments sent before the delivered one once rtt + reo_wnd has passed', () => {
    // Segments 0..5 sent at 0,100,..,500 µs. Segment 4 is SACKed at 50 ms: rack rtt = 49.6 ms.
    const q = mkQueue(6);
    const rack = new TcpRack();
    const tp = mkSock(q, { reordSeen: 1 }); // reo_wnd = 10 ms
    const now = 50 * MS;
    tcpSacktag(q, [[5000, 6000]], 1000, 1000, tp, now, rack);
    expect(rack.rttUs).toBe(now - 400);
    // Nothing lost yet: each of 0..3 has rtt + reo_wnd − age = 49.6 + 10 − (50 − t) ms left.
    const t = tcpRackMarkLost(q, rack, tp, now, 200 * MS);
    expect(lostIdx(q)).toEqual([]);
    // The longest wait is the oldest... no: remaining = rtt + reo − (now − tx); largest for the newest (seg 3 at 300 µs).
    expect(t).toBe(now - 400 + 10 * MS - (now - 300) + 2000);
    expect(rack.advanced).toBe(false);
    // Not advanced again: a second call does nothing.
    expect(tcpRackMarkLost(q, rack, tp, now, 200 * MS)).toBe(0);
    // The reordering timer fires at now + 10 ms − 100 µs + 2 ms: everything before seg 4 is due.
    const fire = now + t;
    expect(tcpRackReoTimeout(q, rack, tp, fire)).toBe(true);
    expect(lostIdx(q)).toEqual([0, 1, 2, 3]);
    expect(rack.markedLost).toBe(4);
    expect([q.packetsOut, q.sackedOut, q.lostOut, q.retransOut]).toEqual([6, 1, 4, 0]);
    // Segment 5 was sent after the delivered one: never judged.
    expect(q.at(5).sacked).toBe(0);
    expect(tcpRackReoTimeout(q, rack, tp, fire + 1)).toBe(false);
  });

  it('with no reordering seen and DupThresh SACKed: reo_wnd 0, lost at once', () => {
    const q = mkQueue(6);
    const rack = new TcpRack();
    const tp = mkSock(q);
    tcpSacktag(q, [[3000, 6000]], 1000, 1000, tp, 50 * MS, rack); // 3 SACKed
    const t = tcpRackMarkLost(q, rack, tp, 50 * MS, 200 * MS);
    // Segments 0 and 1, sent ≥ 100 µs before seg 4, are overdue by that much: lost. Timer: none.
    expect(lostIdx(q)).toEqual([0, 1]);
    expect(t).toBe(0);
  });

  it('the timer is capped by the RTO', () => {
    const q = mkQueue(3);
    const rack = new TcpRack();
    const tp = mkSock(q, { reordSeen: 1 });
    tcpSacktag(q, [[3000, 4000]], 1000, 1000, tp, 50 * MS, rack);
    expect(tcpRackMarkLost(q, rack, tp, 50 * MS, 5 * MS)).toBe(5 * MS);
  });

  it('a lost retransmission is detected by time too (L|R → L)', () => {
    const q = mkQueue(4);
    const rack = new TcpRack();
    q.markSkbLost(q.at(0));
    q.onRetransmit(q.at(0), 60 * MS);
    // A segment sent just after the retransmission is SACKed 139 ms later; the retransmission
    // (140 ms old, reo_wnd 0 in recovery) is lost.
    q.push(new TcpSeg(5000, 6000, 0, Buffer.alloc(MSS)), 61 * MS);
    const tp = mkSock(q, { caState: TCP_CA_Recovery });
    tcpSacktag(q, [[5000, 6000]], 1000, 1000, tp, 200 * MS, rack);
    tcpRackMarkLost(q, rack, tp, 200 * MS, 1e6);
    expect(q.at(0).sacked & (TCPCB_LOST | TCPCB_SACKED_RETRANS)).toBe(TCPCB_LOST);
    expect(q.retransOut).toBe(0);
    expect(q.nextRetransmit()).toBe(q.at(0));
  });

  it('tcpRackDetectLoss skips segments marked lost and not yet retransmitted', () => {
    const q = mkQueue(3);
    const rack = new TcpRack();
    q.markSkbLost(q.at(0));
    rack.advance(0, 3000, 200, 100 * MS, 0);
    q.at(2).sacked |= TCPCB_SACKED_ACKED;
    q.tsUnlink(q.at(2));
    q.sackedOut = 1;
    expect(tcpRackDetectLoss(q, rack, 0, 100 * MS)).toBe(0);
    expect(rack.markedLost).toBe(1);
    expect([q.lostOut]).toEqual([2]);
  });
});

describe('reordering window adaptation', () => {
  it('a DSACK after reordering widens the window for 16 recoveries', () => {
    const rack = new TcpRack();
    rack.dsackSeen = true;
    tcpRackUpdateReoWnd(rack, 10, 20);
    expect([rack.reoWndSteps, rack.reoWndPersist, rack.lastDelivered, rack.dsackSeen]).toEqual([2, 16, 20, false]);
    // A DSACK from before the last widening (prior_delivered < last_delivered) is ignored.
    rack.dsackSeen = true;
    tcpRackUpdateReoWnd(rack, 15, 30);
    expect(rack.reoWndSteps).toBe(2);
    rack.dsackSeen = true;
    tcpRackUpdateReoWnd(rack, 25, 40);
    expect(rack.reoWndSteps).toBe(3);
    for (let i = 0; i < 16; i++) tcpRackRecoveryEnded(rack);
    expect(rack.reoWndPersist).toBe(0);
    tcpRackUpdateReoWnd(rack, 50, 60);
    expect(rack.reoWndSteps).toBe(1);
    tcpRackDsackUndo(rack);
    expect(rack.reoWndPersist).toBe(1);
  });

  it('no rate sample or a static window: unchanged', () => {
    const rack = new TcpRack();
    rack.dsackSeen = true;
    tcpRackUpdateReoWnd(rack, 0, 10);
    expect(rack.reoWndSteps).toBe(1);
    tcpRackUpdateReoWnd(rack, 5, 10, 0x3);
    expect(rack.reoWndSteps).toBe(1);
  });
});

describe('NewReno and RTO marking', () => {
  it('tcpNewrenoMarkLost marks the head at DupThresh dupACKs or on a partial ACK in recovery', () => {
    const q = mkQueue(5);
    q.renoAddSack(2);
    expect(tcpNewrenoMarkLost(q, TCP_CA_Disorder, 3, false)).toBe(false);
    q.renoAddSack(1);
    expect(tcpNewrenoMarkLost(q, TCP_CA_Disorder, 3, false)).toBe(true);
    expect(lostIdx(q)).toEqual([0]);
    q.ackUpTo(2000, 0);
    expect(tcpNewrenoMarkLost(q, TCP_CA_Recovery, 3, false)).toBe(false);
    expect(tcpNewrenoMarkLost(q, TCP_CA_Recovery, 3, true)).toBe(true);
    expect(lostIdx(q)).toEqual([0]);
    expect(q.lostOut).toBe(1);
  });

  it('tcpTimeoutMarkLost spares recently sent segments and detects reneging', () => {
    const q = mkQueue(4, 0, 10 * MS);
    const rack = new TcpRack();
    rack.rttUs = 15 * MS;
    // now 40 ms: seg 3 (sent at 30 ms) is within rack.rtt of now; 0..2 are not.
    expect(tcpTimeoutMarkLost(q, rack, 40 * MS)).toBe(false);
    expect(lostIdx(q)).toEqual([0, 1, 2]);
    const q2 = mkQueue(3);
    q2.at(0).sacked |= TCPCB_SACKED_ACKED;
    q2.sackedOut = 1;
    expect(tcpTimeoutMarkLost(q2, rack, 0)).toBe(true);
    expect(lostIdx(q2)).toEqual([0, 1, 2]);
    expect([q2.sackedOut, q2.lostOut]).toEqual([0, 3]);
  });
});

describe('tail loss probe', () => {
  it('allowed only with tcp_early_retrans 3/4, SACK, Open or CWR', () => {
    expect(tcpTlpAllowed(3, true, TCP_CA_Open)).toBe(true);
    expect(tcpTlpAllowed(4, true, TCP_CA_CWR)).toBe(true);
    expect(tcpTlpAllowed(2, true, TCP_CA_Open)).toBe(false);
    expect(tcpTlpAllowed(3, false, TCP_CA_Open)).toBe(false);
    expect(tcpTlpAllowed(3, true, TCP_CA_Disorder)).toBe(false);
    expect(tcpTlpAllowed(3, true, TCP_CA_Loss)).toBe(false);
  });

  it.each([
    ['2·srtt + 2 ms with several out', 10 * MS, 5, 1e9, 22 * MS],
    ['2·srtt + 200 ms with one out', 10 * MS, 1, 1e9, 220 * MS],
    ['1 s without an RTT sample', 0, 5, 1e9, 1000 * MS],
    ['capped by the RTO', 10 * MS, 1, 150 * MS, 150 * MS],
    ['RTO already due: not capped', 10 * MS, 5, -5, 22 * MS],
  ] as const)('PTO: %s', (_n, srtt, out, rtoDelta, want) => {
    expect(tcpTlpTimeoutUs(srtt, out, rtoDelta)).toBe(want);
  });

  it('tcpRtoDeltaUs counts from the head segment', () => {
    const q = mkQueue(2, 1000);
    expect(tcpRtoDeltaUs(q, 200 * MS, 51000)).toBe(150 * MS);
    expect(tcpRtoDeltaUs(new RtxQueue(), 200 * MS, 0)).toBe(200 * MS);
  });

  it('probes with new data when allowed, else the last segment (its last MSS for TSO)', () => {
    const q = mkQueue(3);
    const tlp = new TcpTlp();
    expect(tcpTlpSelect(q, tlp, true, MSS)).toBe('new');
    expect(tcpTlpSelect(q, tlp, false, MSS)).toBe(q.at(2));
    const big = new TcpSeg(4000, 8000, 0, Buffer.alloc(4000));
    big.gsoSize = MSS;
    q.push(big, 500);
    const probe = tcpTlpSelect(q, tlp, false, MSS) as TcpSeg;
    expect([probe.seq, probe.endSeq, probe.pcount]).toEqual([7000, 8000, 1]);
    expect([big.endSeq, big.pcount, q.packetsOut]).toEqual([7000, 3, 7]);
    q.onRetransmit(probe, 600);
    tcpTlpSent(tlp, 8000, true);
    expect(tcpTlpSelect(q, tlp, true, MSS)).toBeNull(); // one probe at a time
    expect(tcpTlpSelect(new RtxQueue(), new TcpTlp(), false, MSS)).toBeNull();
  });

  it('episode end: new-data probe acked, DSACK, loss repaired, pure dupACK', () => {
    const tlp = new TcpTlp();
    tcpTlpSent(tlp, 9000, false);
    expect(tcpProcessTlpAck(tlp, 8000, FLAG_SND_UNA_ADVANCED)).toBe(TLP_ACK_NONE);
    expect(tcpProcessTlpAck(tlp, 9000, FLAG_SND_UNA_ADVANCED)).toBe(TLP_ACK_NO_LOSS);
    expect(tlp.highSeq).toBe(0);

    tcpTlpSent(tlp, 9000, true);
    expect(tcpProcessTlpAck(tlp, 9000, FLAG_DSACK_TLP)).toBe(TLP_ACK_NO_LOSS);

    tcpTlpSent(tlp, 9000, true);
    expect(tcpProcessTlpAck(tlp, 9000, FLAG_DATA_SACKED)).toBe(TLP_ACK_NONE);
    expect(tcpProcessTlpAck(tlp, 9500, FLAG_SND_UNA_ADVANCED)).toBe(TLP_ACK_LOSS);
    expect(tlp.highSeq).toBe(0);

    tcpTlpSent(tlp, 9000, true);
    expect(tcpProcessTlpAck(tlp, 9000, 0)).toBe(TLP_ACK_NO_LOSS);
  });

  it('a TLP retransmission answered by DSACK sets FLAG_DSACK_TLP through tcpSacktag', () => {
    const q = mkQueue(4);
    const tlp = new TcpTlp();
    const probe = tcpTlpSelect(q, tlp, false, MSS) as TcpSeg;
    q.onRetransmit(probe, 1000);
    tcpTlpSent(tlp, 5000, true);
    // Both copies arrived: ACK 5000 with DSACK 4000-5000.
    const tp = mkSock(q, { sndUna: 5000, tlpHighSeq: tlp.highSeq, totalRetrans: 1, undoMarker: 0 });
    const st = tcpSacktag(q, [[4000, 5000]], 5000, 1000, tp, 2000);
    expect(st.dsack).toBe(true);
    expect(tcpProcessTlpAck(tlp, 5000, st.flag | FLAG_SND_UNA_ADVANCED)).toBe(TLP_ACK_NO_LOSS);
  });
});
