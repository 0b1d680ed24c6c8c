// Random operations on the sender's scoreboard (RtxQueue + tcpSacktag + RACK) checked against a
// simple model: a receiver that keeps one flag per MSS unit, loses transmissions at random and
// answers with a cumulative ACK, up to 4 SACK blocks in random order and DSACKs for duplicates.
// After every step: the counters equal a recount of the bits, SACKed ⇔ every unit was reported
// in some block, nothing is SACKed the receiver lacks, the queue is contiguous, and the
// transmit-time list holds exactly the un-SACKed, not-RACK-lost segments in send order.
import { afterAll, describe, expect, it } from 'vitest';
import { TcpRack, tcpRackMarkLost, tcpTimeoutMarkLost } from '../../src/tcp/tcp_recovery.js';
import { type SackBlock, type TcpSackSock, tcpSacktag } from '../../src/tcp/tcp_sack.js';
import { RtxQueue, TCPCB_LOST, TCPCB_SACKED_ACKED, TCPCB_SACKED_RETRANS, TcpSeg } from '../../src/tcp/tcp_rtx_queue.js';
import { TCP_CA_Open, TCP_CA_Recovery } from '../../src/tcp/tcp_states.js';

const MSS = 100;

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function check(q: RtxQueue, base: number, got: boolean[], reported: boolean[]): void {
  let p = 0, s = 0, l = 0, r = 0;
  for (let i = 0; i < q.length; i++) {
    const g = q.at(i);
    if (i + 1 < q.length) expect(q.at(i + 1).seq).toBe(g.endSeq);
    expect(g.pcount).toBe(Math.ceil(g.data.length / MSS));
    expect((g.endSeq - g.seq) >>> 0).toBe(g.data.length);
    p += g.pcount;
    if (g.sacked & TCPCB_SACKED_ACKED) s += g.pcount;
    if (g.sacked & TCPCB_LOST) l += g.pcount;
    if (g.sacked & TCPCB_SACKED_RETRANS) r += g.pcount;
    const u0 = ((g.seq - base) >>> 0) / MSS;
    const u1 = ((g.endSeq - base) >>> 0) / MSS;
    let allReported = true;
    for (let u = u0; u < u1; u++) {
      if (!reported[u]) allReported = false;
      if (g.sacked & TCPCB_SACKED_ACKED) expect(got[u]).toBe(true);
    }
    expect(!!(g.sacked & TCPCB_SACKED_ACKED)).toBe(allReported);
    // On the time list ⇔ not SACKed and not taken off by RACK/ACK (RACK-lost ones are off until resent).
    if (g.sacked & TCPCB_SACKED_ACKED) expect(q.onTsList(g)).toBe(false);
  }
  expect([q.packetsOut, q.sackedOut, q.lostOut, q.retransOut]).toEqual([p, s, l, r]);
  expect(q.packetsInFlight).toBeGreaterThanOrEqual(0);
  let prev = -Infinity;
  let n = 0;
  for (let g = q.tsFirst(); g !== null; g = g.tsNext) {
    expect(g.txUs).toBeGreaterThanOrEqual(prev);
    expect(q.indexOf(g)).toBeGreaterThanOrEqual(0);
    prev = g.txUs;
    n++;
  }
  expect(n).toBeLessThanOrEqual(q.length);
}

/** What the runs exercised, so a model that stops reaching the interesting paths fails. */
const seen = { dsack: 0, splits: 0, rackLost: 0, reorder: 0, sackRtt: 0 };

describe('scoreboard against a model receiver', () => {
  afterAll(() => {
    for (const [k, v] of Object.entries(seen)) expect(v, k).toBeGreaterThan(0);
  });
  it.each(Array.from({ length: 12 }, (_, i) => i + 1))('seed %i', (seed) => {
    const rand = rng(seed);
    const base = seed % 3 === 0 ? 0xfffff000 : 5000; // some runs cross the wrap
    const UNITS = 400;
    const got = new Array<boolean>(UNITS).fill(false);
    const reported = new Array<boolean>(UNITS).fill(false);
    const q = new RtxQueue();
    const rack = new TcpRack();
    const seqOf = (u: number) => (base + u * MSS) >>> 0;
    let nextUnit = 0;
    let cumUnit = 0;
    let now = 0;
    let lastDup: [number, number] | null = null;
    const tp: TcpSackSock & { srttUs: number } = {
      sndUna: base, sndNxt: base, mssCache: MSS, maxWindow: 1 << 20, undoMarker: base, undoRetrans: 0, highSeq: base,
      tlpHighSeq: 0, reordering: 3, reordSeen: 0, dsackDups: 0, totalRetrans: 0, caState: TCP_CA_Open, minRttUs: 1000, srttUs: 2000,
    };
    const lossRate = 0.1 + rand() * 0.2;
    // A TSO entry goes out as separate MSS packets: each is lost on its own.
    const deliver = (u0: number, u1: number) => {
      for (let u = u0; u < u1; u++) {
        if (rand() < lossRate) continue;
        if (got[u] || u < cumUnit) lastDup = [u, u + 1];
        got[u] = true;
      }
    };
    for (let step = 0; step < 600; step++) {
      now += 1 + Math.floor(rand() * 700);
      const op = rand();
      if (op < 0.35 && nextUnit < UNITS - 4) {
        const n = 1 + Math.floor(rand() * 4);
        const seg = new TcpSeg(seqOf(nextUnit), seqOf(nextUnit + n), 0, Buffer.alloc(n * MSS));
        if (n > 1) seg.gsoSize = MSS;
        q.push(seg, now);
        deliver(nextUnit, nextUnit + n);
        nextUnit += n;
        tp.sndNxt = seqOf(nextUnit);
      } else if (op < 0.55) {
        // Retransmit what the scoreboard says (or, sometimes, anything unSACKed: spurious).
        let seg = q.nextRetransmit();
        if (seg === null && q.length && rand() < 0.3) {
          seg = q.at(Math.floor(rand() * q.length));
          if (seg.sacked & TCPCB_SACKED_ACKED) seg = null;
        }
        if (seg !== null) {
          q.onRetransmit(seg, now);
          tp.totalRetrans += seg.pcount;
          tp.undoRetrans += seg.pcount;
          deliver(((seg.seq - base) >>> 0) / MSS, ((seg.endSeq - base) >>> 0) / MSS);
        }
      } else if (op < 0.97) {
        // The receiver's ACK.
        while (cumUnit < nextUnit && got[cumUnit]) cumUnit++;
        const runs: SackBlock[] = [];
        for (let u = cumUnit; u < nextUnit; ) {
          if (!got[u]) { u++; continue; }
          const a = u;
          while (u < nextUnit && got[u]) u++;
          runs.push([seqOf(a), seqOf(u)]);
        }
        // Up to 4 (3 with a DSACK), random order.
        for (let i = runs.length - 1; i > 0; i--) {
          const j = Math.floor(rand() * (i + 1));
          [runs[i], runs[j]] = [runs[j], runs[i]];
        }
        const blocks: SackBlock[] = [];
        const dup0 = lastDup as [number, number] | null;
        const dup = dup0 !== null && rand() < 0.8 ? dup0 : null;
        if (dup !== null) blocks.push([seqOf(dup[0]), seqOf(dup[1])]);
        lastDup = null;
        for (const b of runs) if (blocks.length < 4) blocks.push(b);
        const ack = seqOf(cumUnit);
        const prior = tp.sndUna;
        tp.sndUna = ack;
        const lenBefore = q.length;
        const st = tcpSacktag(q, blocks, ack, prior, tp, now, rack);
        if (q.length > lenBefore) seen.splits++;
        if (st.dsack) seen.dsack++;
        if (st.reorderSeen) seen.reorder++;
        if (st.sackRttUs >= 0) seen.sackRtt++;
        // Model: every unit of every non-DSACK block above the ACK was reported.
        for (let i = 0; i < blocks.length; i++) {
          const [s, e] = blocks[i];
          const isDup = dup !== null && i === 0;
          if (isDup) continue;
          for (let u = ((s - base) >>> 0) / MSS; u < ((e - base) >>> 0) / MSS; u++) reported[u] = true;
        }
        // A DSACK above the ACK for data received twice also SACKs it (the receiver has it).
        if (dup !== null && blocks.length && cumUnit <= dup[0]) {
          for (let u = dup[0]; u < dup[1]; u++) reported[u] = true;
        }
        q.ackUpTo(ack, now, rack, tp.minRttUs);
        tp.caState = q.lostOut ? TCP_CA_Recovery : TCP_CA_Open;
        tcpRackMarkLost(q, rack, tp, now, 200_000);
        seen.rackLost += rack.markedLost;
      } else {
        tcpTimeoutMarkLost(q, rack, now);
      }
      check(q, base, got, reported);
    }
    // Drain: everything eventually gets through and the queue empties with zero counters.
    for (let u = 0; u < nextUnit; u++) got[u] = true;
    const prior = tp.sndUna;
    tp.sndUna = seqOf(nextUnit);
    tcpSacktag(q, [], tp.sndUna, prior, tp, now, rack);
    q.ackUpTo(tp.sndUna, now + 1);
    expect([q.length, q.packetsOut, q.sackedOut, q.lostOut, q.retransOut]).toEqual([0, 0, 0, 0, 0]);
    expect(q.tsFirst()).toBeNull();
  });
});
