// Receiver-side SACK (src/tcp/tcp_sack.ts SackRecvState): the blocks a receiver advertises as
// out-of-order data arrives (most recent first, extension, coalescing, the 4-block limit), their
// removal as rcv_nxt advances, DSACK for duplicate and partly duplicate data, the blocks each
// segment carries (4 without timestamps, 3 with, DSACK first and sent once) and the option bytes;
// and random arrivals checked against a model of the out-of-order queue.
import { describe, expect, it } from 'vitest';
import {
  SackRecvState,
  tcpDsackExtend,
  tcpDsackSet,
  tcpSackBlockCount,
  tcpSackExtendHead,
  tcpSackFirstOfo,
  tcpSackNewOfoSkb,
  tcpSackOptionBlocks,
  tcpSackOptionWrite,
  tcpSackRemove,
} from '../../src/tcp/tcp_sack.js';
import { after, before } from '../../src/tcp/seq.js';

function blocks(r: SackRecvState): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < r.numSacks; i++) out.push([r.starts[i], r.ends[i]]);
  return out;
}

describe('SackRecvState blocks', () => {
  it('new ofo data: a new block goes in front, extensions move to the front', () => {
    const r = new SackRecvState();
    tcpSackNewOfoSkb(r, 2000, 3000);
    tcpSackNewOfoSkb(r, 5000, 6000);
    tcpSackNewOfoSkb(r, 8000, 9000);
    expect(blocks(r)).toEqual([[8000, 9000], [5000, 6000], [2000, 3000]]);
    tcpSackNewOfoSkb(r, 3000, 4000); // extends the oldest block, which becomes the first
    expect(blocks(r)).toEqual([[2000, 4000], [8000, 9000], [5000, 6000]]);
    expect(r.compressSendAck).toBe(true); // touched block index 2 ≥ TCP_SACK_BLOCKS_EXPECTED
  });

  it('a segment bridging two blocks coalesces them', () => {
    const r = new SackRecvState();
    tcpSackNewOfoSkb(r, 2000, 3000);
    tcpSackNewOfoSkb(r, 4000, 5000);
    tcpSackNewOfoSkb(r, 7000, 8000);
    tcpSackNewOfoSkb(r, 3000, 4000);
    expect(blocks(r)).toEqual([[2000, 5000], [7000, 8000]]);
    // Overlapping data also merges.
    tcpSackNewOfoSkb(r, 4500, 7500);
    expect(blocks(r)).toEqual([[2000, 8000]]);
  });

  it('at most 4 blocks: the oldest is forgotten', () => {
    const r = new SackRecvState();
    for (const s of [2000, 4000, 6000, 8000, 10000]) tcpSackNewOfoSkb(r, s, s + 1000);
    expect(blocks(r)).toEqual([[10000, 11000], [8000, 9000], [6000, 7000], [4000, 5000]]);
  });

  it('first ofo segment and the tail fast path', () => {
    const r = new SackRecvState();
    tcpSackNewOfoSkb(r, 9000, 9100);
    tcpSackFirstOfo(r, 2000, 3000);
    expect(blocks(r)).toEqual([[2000, 3000]]);
    expect(tcpSackExtendHead(r, 3000, 4000)).toBe(true);
    expect(blocks(r)).toEqual([[2000, 4000]]);
    expect(tcpSackExtendHead(r, 5000, 6000)).toBe(false);
  });

  it('rcv_nxt advancing removes the blocks it reached; an empty ofo queue clears all', () => {
    const r = new SackRecvState();
    tcpSackNewOfoSkb(r, 2000, 3000);
    tcpSackNewOfoSkb(r, 5000, 6000);
    tcpSackNewOfoSkb(r, 8000, 9000);
    tcpSackRemove(r, 3000, false);
    expect(blocks(r)).toEqual([[8000, 9000], [5000, 6000]]);
    tcpSackRemove(r, 4000, false);
    expect(blocks(r)).toEqual([[8000, 9000], [5000, 6000]]);
    tcpSackRemove(r, 9000, true);
    expect(r.numSacks).toBe(0);
  });

  it('blocks work across the sequence wrap', () => {
    const r = new SackRecvState();
    tcpSackNewOfoSkb(r, 0xfffffc00, 0xffffff00);
    tcpSackNewOfoSkb(r, 0xffffff00, 0x00000100);
    expect(blocks(r)).toEqual([[0xfffffc00, 0x100]]);
    tcpSackRemove(r, 0x100, false);
    expect(r.numSacks).toBe(0);
  });
});

describe('DSACK (RFC 2883) and the option', () => {
  it('a wholly old segment: DSACK first, sent once', () => {
    const r = new SackRecvState();
    tcpSackNewOfoSkb(r, 5000, 6000);
    expect(tcpDsackSet(r, 1000, 2000, 3000)).toBe('old');
    expect(tcpSackOptionBlocks(r, true)).toEqual([[1000, 2000], [5000, 6000]]);
    expect(r.dsack).toBe(false);
    expect(tcpSackOptionBlocks(r, true)).toEqual([[5000, 6000]]);
  });

  it('a partly old segment reports its old part; duplicate ofo data is "ofo"', () => {
    const r = new SackRecvState();
    expect(tcpDsackSet(r, 2500, 3000, 3000)).toBe('old');
    expect(tcpSackOptionBlocks(r, false)).toEqual([[2500, 3000]]);
    tcpSackNewOfoSkb(r, 5000, 7000);
    expect(tcpDsackSet(r, 5500, 6000, 3000)).toBe('ofo');
    // DSACK inside the first SACK block: the second-block rule of RFC 2883.
    expect(tcpSackOptionBlocks(r, false)).toEqual([[5500, 6000], [5000, 7000]]);
  });

  it('disabled DSACK sets nothing', () => {
    const r = new SackRecvState();
    expect(tcpDsackSet(r, 1, 2, 3, false)).toBeNull();
    expect(r.dsack).toBe(false);
  });

  it('tcpDsackExtend widens a pending DSACK when ranges touch', () => {
    const r = new SackRecvState();
    tcpDsackExtend(r, 1000, 2000, 5000);
    expect([r.dsackStart, r.dsackEnd]).toEqual([1000, 2000]);
    tcpDsackExtend(r, 2000, 2500, 5000);
    expect([r.dsackStart, r.dsackEnd]).toEqual([1000, 2500]);
    tcpDsackExtend(r, 800, 1200, 5000);
    expect([r.dsackStart, r.dsackEnd]).toEqual([800, 2500]);
    tcpDsackExtend(r, 4000, 4100, 5000); // disjoint: unchanged
    expect([r.dsackStart, r.dsackEnd]).toEqual([800, 2500]);
  });

  it('4 blocks without timestamps, 3 with; the DSACK takes a slot', () => {
    const r = new SackRecvState();
    for (const s of [2000, 4000, 6000, 8000]) tcpSackNewOfoSkb(r, s, s + 1000);
    expect(tcpSackBlockCount(r, false)).toBe(4);
    expect(tcpSackBlockCount(r, true)).toBe(3);
    tcpDsackSet(r, 100, 200, 1000);
    expect(tcpSackBlockCount(r, false)).toBe(4);
    expect(tcpSackOptionBlocks(r, true)).toEqual([[100, 200], [8000, 9000], [6000, 7000]]);
    // Other options using the space: 40 − 36 leaves no room.
    expect(tcpSackBlockCount(r, false, 36)).toBe(0);
    expect(tcpSackBlockCount(new SackRecvState(), false)).toBe(0);
  });

  it('tcpSackOptionWrite: NOP NOP SACK len, big-endian edges, DSACK consumed', () => {
    const r = new SackRecvState();
    tcpSackNewOfoSkb(r, 0x01020304, 0x05060708);
    tcpDsackSet(r, 0xfffffff0, 0xffffffff, 0x01000000);
    const n = tcpSackBlockCount(r, true);
    const buf = new Uint8Array(40);
    expect(tcpSackOptionWrite(r, n, buf, 2)).toBe(20);
    expect(Array.from(buf.subarray(2, 22))).toEqual([
      1, 1, 5, 18,
      0xff, 0xff, 0xff, 0xf0, 0xff, 0xff, 0xff, 0xff,
      1, 2, 3, 4, 5, 6, 7, 8,
    ]);
    expect(r.dsack).toBe(false);
    expect(tcpSackOptionWrite(r, 0, buf, 0)).toBe(0);
  });
});

/** A tiny PRNG (mulberry32) for reproducible random runs. */
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

describe('random arrivals against a model of the ofo queue', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('seed %i', (seed) => {
    const rand = rng(seed);
    const SEG = 100;
    const base = seed % 2 ? 0xffffe000 : 1000; // odd seeds wrap
    const N = 60;
    const got = new Array<boolean>(N).fill(false);
    let rcvNxtIdx = 0;
    const r = new SackRecvState();
    const seqOf = (i: number) => (base + i * SEG) >>> 0;
    for (let step = 0; step < 400 && rcvNxtIdx < N; step++) {
      const i = Math.min(N - 1, rcvNxtIdx + Math.floor(rand() * 12) - 2);
      const seq = seqOf(i);
      const end = seqOf(i + 1);
      if (i < rcvNxtIdx) {
        tcpDsackSet(r, seq, end, seqOf(rcvNxtIdx));
      } else if (i === rcvNxtIdx) {
        got[i] = true;
        while (rcvNxtIdx < N && got[rcvNxtIdx]) rcvNxtIdx++;
        const ofoEmpty = !got.slice(rcvNxtIdx).some(Boolean);
        if (r.numSacks) tcpSackRemove(r, seqOf(rcvNxtIdx), ofoEmpty);
      } else if (got[i]) {
        tcpDsackSet(r, seq, end, seqOf(rcvNxtIdx));
      } else {
        const ofoEmpty = !got.slice(rcvNxtIdx).some(Boolean);
        got[i] = true;
        if (ofoEmpty) tcpSackFirstOfo(r, seq, end);
        else tcpSackNewOfoSkb(r, seq, end);
        // The newest arrival is always reported in the first block.
        expect(!before(seq, r.starts[0]) && !after(end, r.ends[0])).toBe(true);
      }
      // Invariants: ≤ 4 blocks, each above rcv_nxt and wholly received, pairwise disjoint and not touching.
      expect(r.numSacks).toBeLessThanOrEqual(4);
      const rn = seqOf(rcvNxtIdx);
      for (let k = 0; k < r.numSacks; k++) {
        const s = r.starts[k];
        const e = r.ends[k];
        expect(after(s, rn)).toBe(true);
        expect(before(s, e)).toBe(true);
        for (let x = ((s - base) >>> 0) / SEG; x < ((e - base) >>> 0) / SEG; x++) expect(got[x]).toBe(true);
        for (let m = k + 1; m < r.numSacks; m++) {
          const disjoint = before(e, r.starts[m]) || before(r.ends[m], s);
          expect(disjoint).toBe(true);
        }
      }
      // When the ofo queue has ≤ 4 runs, each run is reported (none forgotten yet is not guaranteed
      // after drops, so only check the count bound and that no block is reported twice).
      const ofoEmpty = !got.slice(rcvNxtIdx).some(Boolean);
      if (ofoEmpty) expect(r.numSacks).toBe(0);
      if (rand() < 0.3) tcpSackOptionBlocks(r, rand() < 0.5);
    }
  });
});
