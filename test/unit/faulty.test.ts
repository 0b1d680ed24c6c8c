// The fault injector's pipeline on the manual clock (drop, duplicate, corrupt, reorder, delay,
// rate limit, size limit, seeds) and its spec parser/formatter.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { NETDEV_TX_OK } from '../../src/core/netdevice.js';
import { SkBuff } from '../../src/core/skbuff.js';
import {
  FaultInjector, FaultOptions, FaultSpecError, FaultStats, corruptRange, formatFaultSpec, mulberry32, parseFaultSpec,
} from '../../src/drivers/faulty.js';

const ETHER_TEST = 0x88b5;

/** A frame of `len` bytes (≥ 18) whose bytes 14..17 carry `id`, the rest a pattern. */
function frame(id: number, len = 100, type = ETHER_TEST): Buffer {
  const b = Buffer.alloc(len);
  for (let i = 0; i < len; i++) b[i] = (i * 7 + id) & 0xff;
  b.writeUInt16BE(type, 12);
  if (len >= 18) b.writeUInt32BE(id, 14);
  return b;
}

/** Ethernet + IPv4 + UDP with `n` payload bytes; returns the frame and where the payload starts. */
function udpFrame(id: number, n: number): Buffer {
  const b = Buffer.alloc(14 + 20 + 8 + n);
  b.writeUInt16BE(0x0800, 12);
  b[14] = 0x45;
  b.writeUInt16BE(20 + 8 + n, 16);
  b[23] = 17;
  b.writeUInt16BE(8 + n, 14 + 20 + 4);
  for (let i = 0; i < n; i++) b[42 + i] = (i + id) & 0xff;
  if (n >= 4) b.writeUInt32BE(id, 42);
  return b;
}

interface Out {
  id: number;
  t: number;
  bytes: Buffer;
  skb: SkBuff;
}

function rig(opts: FaultOptions, dir: 'tx' | 'rx' = 'tx') {
  const clock = new ManualClock(0);
  const got: Out[] = [];
  const inj = new FaultInjector(dir, clock, (skb) => {
    const fs = dir === 'rx' ? skb.macHeader : skb.data;
    const bytes = Buffer.from(skb.buf.subarray(fs, skb.tail));
    got.push({ id: bytes.length >= 18 ? bytes.readUInt32BE(14) : -1, t: clock.now(), bytes, skb });
    return NETDEV_TX_OK;
  }, opts);
  const send = (b: Buffer): number => {
    const skb = new SkBuff(b);
    if (dir === 'rx') {
      skb.macHeader = 0;
      skb.data = 14;
    }
    return inj.input(skb);
  };
  return { clock, got, inj, send, ids: (): number[] => got.map((o) => o.id) };
}

function balanced(s: FaultStats, held: number): boolean {
  return s.received + s.duplicated === s.passed + s.dropped + s.sizeDropped + s.rateDropped + s.flushed + held;
}

const range = (n: number, from = 1): number[] => Array.from({ length: n }, (_, i) => i + from);

function bitsDiffer(a: Buffer, b: Buffer): number[] {
  const at: number[] = [];
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ^ b[i];
    for (let k = 0; k < 8; k++) if (x & (1 << k)) at.push(i * 8 + k);
  }
  return at;
}

describe('mulberry32', () => {
  it('is deterministic per seed, in [0, 1), and seeds differ', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const xa = range(100).map(() => a());
    expect(range(100).map(() => b())).toEqual(xa);
    expect(range(100).map(() => c())).not.toEqual(xa);
    expect(xa.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});

describe('fault injector: no faults', () => {
  it('passes every frame at once, unchanged, in order, as the same buffer (no copy)', () => {
    const r = rig({});
    expect(r.inj.idle).toBe(true);
    const sent = range(1000).map((i) => frame(i));
    for (const b of sent) expect(r.send(b)).toBe(NETDEV_TX_OK);
    expect(r.ids()).toEqual(range(1000));
    r.got.forEach((o, i) => {
      expect(o.skb.buf).toBe(sent[i]);
      expect(o.bytes.equals(sent[i])).toBe(true);
      expect(o.t).toBe(0);
    });
    expect(r.inj.stats).toMatchObject({ received: 1000, passed: 1000, dropped: 0, duplicated: 0, corrupted: 0 });
    expect(r.clock.pendingCount).toBe(0);
  });

  it("returns out's own result for a frame that passes at once", () => {
    const clock = new ManualClock(0);
    const inj = new FaultInjector('tx', clock, () => -105, { drop: 0 });
    expect(inj.input(new SkBuff(frame(1)))).toBe(-105);
  });
});

describe('fault injector: drop', () => {
  it('drop=10% with seed 42: the same 101 frames of 1000 every run', () => {
    const run = (): number[] => {
      const r = rig({ drop: 10, seed: 42 });
      for (const i of range(1000)) r.send(frame(i));
      expect(r.inj.stats.dropped + r.inj.stats.passed).toBe(1000);
      return r.ids();
    };
    const a = run();
    expect(1000 - a.length).toBe(101);
    expect(run()).toEqual(a);
    const other = rig({ drop: 10, seed: 7 });
    for (const i of range(1000)) other.send(frame(i));
    expect(other.ids()).not.toEqual(a);
  });

  it('drop=10th loses exactly every 10th frame', () => {
    const r = rig({ drop: { every: 10 } });
    for (const i of range(100)) r.send(frame(i));
    expect(r.ids()).toEqual(range(100).filter((i) => i % 10 !== 0));
    expect(r.inj.stats.dropped).toBe(10);
  });

  it('drop=100% loses everything, 0% nothing (and draws nothing)', () => {
    const all = rig({ drop: 100 });
    const none = rig({ drop: 0 });
    for (const i of range(50)) {
      all.send(frame(i));
      none.send(frame(i));
    }
    expect(all.got).toEqual([]);
    expect(none.ids()).toEqual(range(50));
  });
});

describe('fault injector: size limit', () => {
  it('drops frames longer than the limit, Ethernet header included', () => {
    const r = rig({ sizeLimit: 1000 });
    const lens = [60, 999, 1000, 1001, 1514, 64];
    lens.forEach((l, i) => r.send(frame(i, l)));
    expect(r.got.map((o) => o.bytes.length)).toEqual([60, 999, 1000, 64]);
    expect(r.inj.stats.sizeDropped).toBe(2);
  });
});

describe('fault injector: duplicate', () => {
  it('dup=5% with seed 3: 39 copies, reproducible count, each copy right after its original, byte for byte', () => {
    const run = () => {
      const r = rig({ dup: 5, seed: 3 });
      for (const i of range(1000)) r.send(frame(i));
      return r;
    };
    const r = run();
    const s = r.inj.stats;
    expect(s.duplicated).toBe(39);
    expect(run().ids()).toEqual(r.ids());
    expect(s.passed).toBe(1000 + s.duplicated);
    const ids = r.ids();
    // Every id once or twice, twice only back to back, in order.
    const uniq = ids.filter((x, i) => i === 0 || ids[i - 1] !== x);
    expect(uniq).toEqual(range(1000));
    for (let i = 1; i < r.got.length; i++) {
      if (r.got[i].id === r.got[i - 1].id) {
        expect(r.got[i].bytes.equals(r.got[i - 1].bytes)).toBe(true);
        expect(r.got[i].skb).not.toBe(r.got[i - 1].skb);
      }
    }
  });

  it('dup=2nd sends every second frame twice', () => {
    const r = rig({ dup: { every: 2 } });
    for (const i of range(6)) r.send(frame(i));
    expect(r.ids()).toEqual([1, 2, 2, 3, 4, 4, 5, 6, 6]);
  });
});

describe('fault injector: corrupt', () => {
  it('corrupt=10% with seed 9: 33 of 500 frames, exactly one bit flipped, never in the Ethernet header', () => {
    const run = () => {
      const r = rig({ corrupt: 10, seed: 9 });
      const sent = range(500).map((i) => frame(i, 60 + (i % 200)));
      const copies = sent.map((b) => Buffer.from(b));
      for (const b of sent) r.send(b);
      return { r, sent, copies };
    };
    const { r, sent, copies } = run();
    expect(r.inj.stats.corrupted).toBe(33);
    let changed = 0;
    r.got.forEach((o, i) => {
      const d = bitsDiffer(o.bytes, copies[i]);
      if (d.length === 0) return;
      changed++;
      expect(d.length).toBe(1);
      expect(d[0]).toBeGreaterThanOrEqual(14 * 8);
      // The sender's own buffer is never touched on transmit.
      expect(sent[i].equals(copies[i])).toBe(true);
    });
    expect(changed).toBe(33);
    expect(run().r.got.map((o) => o.bytes.toString('hex'))).toEqual(r.got.map((o) => o.bytes.toString('hex')));
  });

  it('payload only: the flipped bit is in the UDP payload; frames without one pass intact', () => {
    const r = rig({ corrupt: 100, corruptPayload: true, seed: 5 });
    const originals = range(200).map((i) => udpFrame(i, 1 + (i % 50)));
    for (const b of originals) r.send(Buffer.from(b));
    r.send(udpFrame(999, 0)); // no payload
    r.send(frame(1000)); // not IP
    expect(r.inj.stats.corrupted).toBe(200);
    r.got.slice(0, 200).forEach((o, i) => {
      const d = bitsDiffer(o.bytes, originals[i]);
      expect(d.length).toBe(1);
      expect(d[0]).toBeGreaterThanOrEqual(42 * 8);
    });
    expect(r.got[200].bytes.equals(udpFrame(999, 0))).toBe(true);
    expect(r.got[201].bytes.equals(frame(1000))).toBe(true);
  });

  it('receive side corrupts in place (the frame is the receiver\'s)', () => {
    const r = rig({ corrupt: 100, seed: 1 }, 'rx');
    const b = frame(7);
    const before = Buffer.from(b);
    r.send(b);
    expect(r.got[0].skb.buf).toBe(b);
    expect(bitsDiffer(b, before).length).toBe(1);
  });

  it('the corruptible range stops at the IP datagram (no Ethernet padding) and skips L4 headers', () => {
    const f = Buffer.concat([udpFrame(1, 2), Buffer.alloc(14)]); // padded to 60
    expect(corruptRange(f, 0, f.length, false)).toEqual([14, 44]);
    expect(corruptRange(f, 0, f.length, true)).toEqual([42, 44]);
    const tcp = Buffer.alloc(14 + 20 + 32 + 5);
    tcp.writeUInt16BE(0x0800, 12);
    tcp[14] = 0x45;
    tcp.writeUInt16BE(20 + 32 + 5, 16);
    tcp[23] = 6;
    tcp[34 + 12] = 8 << 4; // 32-byte TCP header
    expect(corruptRange(tcp, 0, tcp.length, true)).toEqual([66, 71]);
    const v6 = Buffer.alloc(14 + 40 + 8 + 3);
    v6.writeUInt16BE(0x86dd, 12);
    v6.writeUInt16BE(11, 18);
    v6[20] = 17;
    expect(corruptRange(v6, 0, v6.length, true)).toEqual([62, 65]);
    expect(corruptRange(frame(1, 14), 0, 14, false)).toBeNull();
  });
});

describe('fault injector: reorder', () => {
  it('reorder=5th with gap 2: the held frame comes after two later ones; the last one on its hold timer', () => {
    const r = rig({ reorder: { every: 5 }, reorderGap: 2, reorderHold: 10 });
    for (const i of range(10)) r.send(frame(i));
    expect(r.ids()).toEqual([1, 2, 3, 4, 6, 7, 5, 8, 9]);
    r.clock.advance(9);
    expect(r.got.length).toBe(9);
    r.clock.advance(1);
    expect(r.ids()).toEqual([1, 2, 3, 4, 6, 7, 5, 8, 9, 10]);
    expect(r.got[9].t).toBe(10);
    expect(r.inj.stats.reordered).toBe(2);
    expect(r.clock.pendingCount).toBe(0);
  });

  it('reorder=3% with seed 11 over 2000 frames: order changes, nothing is lost, counts reproducible', () => {
    const run = () => {
      const r = rig({ reorder: 3, reorderGap: 3, seed: 11 });
      for (const i of range(2000)) r.send(frame(i));
      r.clock.advance(100);
      return r;
    };
    const r = run();
    expect(r.inj.stats.reordered).toBe(65);
    expect(r.ids()).not.toEqual(range(2000));
    expect([...r.ids()].sort((a, b) => a - b)).toEqual(range(2000));
    expect(r.inj.held).toBe(0);
    expect(run().ids()).toEqual(r.ids());
    // Each displaced frame is overtaken by at most its gap of later frames.
    r.ids().forEach((id, pos) => expect(pos + 1 - id).toBeLessThanOrEqual(3));
  });

  it('gap 0: released on time only', () => {
    const r = rig({ reorder: { every: 1 }, reorderGap: 0, reorderHold: 5 });
    r.send(frame(1));
    r.clock.advance(2);
    r.send(frame(2));
    r.clock.advance(3);
    expect(r.got.map((o) => [o.id, o.t])).toEqual([[1, 5]]);
    r.clock.advance(2);
    expect(r.got.map((o) => [o.id, o.t])).toEqual([[1, 5], [2, 7]]);
  });
});

describe('fault injector: delay and jitter', () => {
  it('delay=5ms: each frame leaves exactly 5 ms after it came, copied', () => {
    const r = rig({ delay: 5 });
    const sent = [frame(1), frame(2), frame(3)];
    r.send(sent[0]);
    r.clock.advance(1);
    r.send(sent[1]);
    r.clock.advance(1);
    r.send(sent[2]);
    sent[0].fill(0); // the sender reuses its buffer
    r.clock.advance(2.5);
    expect(r.got).toEqual([]);
    r.clock.advance(0.5);
    expect(r.got.map((o) => [o.id, o.t])).toEqual([[1, 5]]);
    r.clock.advance(10);
    expect(r.got.map((o) => [o.id, o.t])).toEqual([[1, 5], [2, 6], [3, 7]]);
    expect(r.got[0].bytes.equals(frame(1))).toBe(true);
    expect(r.inj.stats.delayed).toBe(3);
    expect(r.clock.pendingCount).toBe(0);
  });

  it('delay=10ms jitter=4ms with seed 2: every frame within 6–14 ms, leaving in due-time order, reproducibly', () => {
    const run = () => {
      const r = rig({ delay: 10, jitter: 4, seed: 2 });
      const sentAt = new Map<number, number>();
      for (const i of range(200)) {
        sentAt.set(i, r.clock.now());
        r.send(frame(i));
        r.clock.advance(0.5);
      }
      r.clock.advance(20);
      return { r, sentAt };
    };
    const { r, sentAt } = run();
    expect(r.got.length).toBe(200);
    for (const o of r.got) {
      const d = o.t - sentAt.get(o.id)!;
      expect(d).toBeGreaterThanOrEqual(6);
      expect(d).toBeLessThanOrEqual(14);
    }
    for (let i = 1; i < r.got.length; i++) expect(r.got[i].t).toBeGreaterThanOrEqual(r.got[i - 1].t);
    expect(r.ids()).not.toEqual(range(200)); // jitter of 8 ms over 0.5 ms spacing reorders
    expect(run().r.got.map((o) => [o.id, o.t])).toEqual(r.got.map((o) => [o.id, o.t]));
  });
});

describe('fault injector: rate limit', () => {
  it('1000 B/s, burst 100: 100-byte frames leave 100 ms apart; the queue limit drops the overflow', () => {
    const r = rig({ rate: 1000, burst: 100, limit: 250 });
    for (const i of range(5)) r.send(frame(i, 100));
    // One leaves on the full bucket; two wait (200 bytes); the next two would exceed 250.
    expect(r.got.map((o) => [o.id, o.t])).toEqual([[1, 0]]);
    expect(r.inj.stats).toMatchObject({ rateQueued: 2, rateDropped: 2 });
    r.clock.advance(99);
    expect(r.got.length).toBe(1);
    r.clock.advance(1);
    expect(r.got.map((o) => [o.id, o.t])).toEqual([[1, 0], [2, 100]]);
    r.clock.advance(1000);
    expect(r.got.map((o) => [o.id, o.t])).toEqual([[1, 0], [2, 100], [3, 200]]);
    // The bucket refilled meanwhile: a burst of one frame goes at once again.
    r.send(frame(6, 100));
    expect(r.got[3]).toMatchObject({ id: 6, t: 1100 });
    expect(r.clock.pendingCount).toBe(0);
  });

  it('100mbit: 1000 frames of 1250 bytes take (total − burst) / rate, in order', () => {
    const r = rig({ rate: 12_500_000, burst: 12_500, limit: 10_000_000 });
    for (const i of range(1000)) r.send(frame(i, 1250));
    expect(r.got.length).toBe(10); // the bucket's 12 500 bytes
    r.clock.advance(1000);
    expect(r.ids()).toEqual(range(1000));
    // Frame k (1-based) leaves once k·1250 − 12 500 bytes of tokens accrued at 12 500 B/ms.
    r.got.forEach((o, k) => expect(o.t).toBeCloseTo(Math.max(0, ((k + 1) * 1250 - 12_500) / 12_500), 6));
    expect(r.got[999].t).toBeCloseTo(99, 6);
  });

  it('a frame longer than the bucket leaves on a full bucket and borrows', () => {
    const r = rig({ rate: 1000, burst: 100 });
    r.send(frame(1, 300));
    r.send(frame(2, 100));
    expect(r.got.map((o) => o.t)).toEqual([0]);
    r.clock.advance(1000);
    // Tokens were −200 after the first; 100 more are needed: 300 ms.
    expect(r.got.map((o) => [o.id, o.t])).toEqual([[1, 0], [2, 300]]);
  });

  it('rate then delay: the delay counts from when the frame left the bucket', () => {
    const r = rig({ rate: 1000, burst: 100, delay: 5 });
    r.send(frame(1, 100));
    r.send(frame(2, 100));
    r.clock.advance(500);
    expect(r.got.map((o) => [o.id, o.t])).toEqual([[1, 5], [2, 105]]);
  });
});

describe('fault injector: everything at once', () => {
  it('the books balance at every step, and after the queues drain every surviving id arrived', () => {
    const opts: FaultOptions = { drop: 2, dup: 2, corrupt: 1, reorder: 2, reorderGap: 3, delay: 3, jitter: 1, rate: 125_000, limit: 16_384, sizeLimit: 1400, seed: 42 };
    const run = () => {
      const r = rig(opts);
      for (const i of range(3000)) {
        r.send(frame(i, 64 + ((i * 37) % 1400)));
        expect(balanced(r.inj.stats, r.inj.held)).toBe(true);
        r.clock.advance(0.25);
      }
      r.clock.advance(10_000);
      return r;
    };
    const r = run();
    const s = r.inj.stats;
    expect(r.inj.held).toBe(0);
    expect(balanced(s, 0)).toBe(true);
    expect(s).toEqual(run().inj.stats);
    expect(r.got.map((o) => o.t)).toEqual(run().got.map((o) => o.t));
    for (const k of ['dropped', 'duplicated', 'corrupted', 'reordered', 'delayed', 'rateQueued', 'rateDropped', 'sizeDropped'] as const) {
      expect(s[k], k).toBeGreaterThan(0);
    }
    expect(s.passed).toBe(r.got.length);
  });

  it('flush() discards what waits; configure() hands it on first, in order', () => {
    const r = rig({ delay: 5, reorder: { every: 2 }, reorderHold: 50 });
    for (const i of range(4)) r.send(frame(i));
    expect(r.inj.held).toBe(4);
    expect(r.inj.flush()).toBe(4);
    expect(r.inj.stats.flushed).toBe(4);
    expect(r.clock.pendingCount).toBe(0);
    for (const i of range(4, 10)) r.send(frame(i));
    // After 5 ms: 11 and 13 are held for reordering; 12 overtook 11 (the gap is 1), so 11 left.
    r.clock.advance(5);
    expect(r.ids()).toEqual([10, 12, 11]);
    r.send(frame(14));
    r.inj.configure({}); // 14 from the delay queue, then the held 13
    expect(r.ids()).toEqual([10, 12, 11, 14, 13]);
    expect(r.inj.idle).toBe(true);
    expect(r.clock.pendingCount).toBe(0);
    expect(balanced(r.inj.stats, 0)).toBe(true);
  });
});

describe('parseFaultSpec / formatFaultSpec', () => {
  it('reads the example spec', () => {
    expect(parseFaultSpec('drop=1%,dup=0.5%,reorder=1%,corrupt=0.1%,delay=5ms,jitter=1ms,rate=100mbit,limit=64k,seed=42')).toEqual({
      drop: 1, dup: 0.5, reorder: 1, corrupt: 0.1, delay: 5, jitter: 1, rate: 12_500_000, limit: 65536, seed: 42,
    });
  });

  it('reads every key and unit', () => {
    expect(parseFaultSpec(' drop = 100th , corrupt=2nd, payload, duplicate=3rd, reorder=1st, gap=3, hold=250us, size=1514, burst=1m, rate=8kbit ')).toEqual({
      drop: { every: 100 }, corrupt: { every: 2 }, corruptPayload: true, dup: { every: 3 }, reorder: { every: 1 },
      reorderGap: 3, reorderHold: 0.25, sizeLimit: 1514, burst: 1048576, rate: 1000,
    });
    expect(parseFaultSpec('rate=1gbit').rate).toBe(125_000_000);
    expect(parseFaultSpec('rate=125kbps').rate).toBe(125_000);
    expect(parseFaultSpec('rate=1mibit').rate).toBe(131_072);
    expect(parseFaultSpec('delay=1.5s').delay).toBe(1500);
    expect(parseFaultSpec('seed=0xdeadbeef').seed).toBe(0xdeadbeef);
    expect(parseFaultSpec('')).toEqual({});
    expect(parseFaultSpec('drop=0%')).toEqual({ drop: 0 });
  });

  it.each([
    ['drop=1', /drop=1": expected a percentage 0–100 like 1% or every Nth frame like 100th/],
    ['drop=101%', /expected a percentage/],
    ['drop=0th', /expected a percentage/],
    ['drop=-1%', /expected a percentage/],
    ['delay=5', /delay=5": expected a time with a unit: us, ms or s/],
    ['delay=5min', /expected a time/],
    ['rate=100', /rate=100": expected a rate above 0 with a unit/],
    ['rate=0mbit', /expected a rate above 0/],
    ['limit=1.5', /expected whole bytes/],
    ['limit=64q', /expected whole bytes/],
    ['gap=-1', /expected a whole number of frames/],
    ['seed=-3', /expected an integer 0–4294967295/],
    ['seed=4294967296', /expected an integer/],
    ['loss=1%', /unknown key "loss" \(known: size, drop, corrupt, payload, dup/],
    ['drop=1%,drop=2%', /drop given twice/],
    ['drop=1%,,dup=1%', /empty item/],
    ['drop', /expected drop=VALUE/],
    ['drop=', /expected drop=VALUE/],
    ['payload=maybe,corrupt=1%', /"payload" alone/],
    ['limit=64k', /limit: needs a rate/],
    ['burst=10k', /burst: needs a rate/],
    ['payload', /corruptPayload: needs corrupt/],
    ['gap=2', /reorderGap: needs reorder/],
    ['reorder=1%,gap=0,hold=0ms', /would never release/],
  ])('rejects %s', (spec, msg) => {
    expect(() => parseFaultSpec(spec)).toThrow(FaultSpecError);
    expect(() => parseFaultSpec(spec)).toThrow(msg);
  });

  it('the injector refuses bad typed options with the same checks', () => {
    const clock = new ManualClock(0);
    expect(() => new FaultInjector('tx', clock, () => 0, { drop: 150 })).toThrow(/drop: percentage 150 is not within 0–100/);
    expect(() => new FaultInjector('tx', clock, () => 0, { rate: 0 })).toThrow(/rate: 0: expected bytes per second > 0/);
    expect(() => new FaultInjector('tx', clock, () => 0, { dup: { every: 1.5 } })).toThrow(/dup: every 1.5/);
  });

  it.each([
    'drop=1%,dup=0.5%,reorder=1%,corrupt=0.1%,delay=5ms,jitter=1ms,rate=100mbit,limit=64k,seed=42',
    'size=1500,drop=11th,corrupt=22nd,payload,dup=3rd,rate=1bit,burst=100,limit=1m,delay=0.25ms,reorder=101st,gap=0,hold=7ms',
    'rate=125kbps',
    'rate=1.5bit',
    '',
  ])('format reads back to the same options: %s', (spec) => {
    const o = parseFaultSpec(spec);
    expect(parseFaultSpec(formatFaultSpec(o))).toEqual(o);
  });

  it('formats canonically', () => {
    expect(formatFaultSpec(parseFaultSpec('seed=42,limit=64k,rate=100mbit,jitter=1ms,delay=5ms,corrupt=0.1%,reorder=1%,dup=0.5%,drop=1%')))
      .toBe('drop=1%,corrupt=0.1%,dup=0.5%,rate=100mbit,limit=64k,delay=5ms,jitter=1ms,reorder=1%,seed=42');
    expect(formatFaultSpec({ drop: { every: 11 }, dup: { every: 2 }, corrupt: { every: 23 } })).toBe('drop=11th,corrupt=23rd,dup=2nd');
  });
});
