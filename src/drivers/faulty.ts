// A fault-injecting shim on a device's transmit and receive paths, in the spirit of
// net/sched/sch_netem.c (netem_enqueue: loss, duplication, corruption, delay and jitter, tfifo
// reordering) and sch_tbf.c (tbf_enqueue/tbf_dequeue: a token bucket), since this kernel has no netem.
import type { Clock, Timer } from '../core/clock.js';
import type { Net } from '../core/net.js';
import { NETDEV_TX_OK, NetDevice } from '../core/netdevice.js';
import type { SkBuff } from '../core/skbuff.js';

/** Ethernet header bytes; corruption never touches them (the frame must still reach its handler). */
const ETH_HLEN = 14;
/** A full-size Ethernet frame at MTU 1500: the smallest default bucket. */
const FULL_FRAME = 1514;
/**
 * The default bucket holds 4 ms of traffic (tbf needs burst ≥ rate/HZ, HZ=250): a timer that
 * fires a millisecond late (RealClock's grain) then still finds the tokens it owes.
 */
const DEFAULT_BURST_MS = 4;
/** Default rate-queue limit: 1000 full-size frames, pfifo_fast's txqueuelen. */
const DEFAULT_LIMIT = 1000 * FULL_FRAME;
/** Default longest time a reordered frame is held when no later frames come. */
const DEFAULT_REORDER_HOLD_MS = 10;
/** Tokens short by less than this are enough (float error in the refill arithmetic). */
const TOKEN_EPSILON = 1e-6;

/** How often a fault hits: a percentage (0–100, random) or `{ every: N }` (each Nth frame, deterministic). */
export type FaultChance = number | { every: number };

/**
 * One direction's faults. Stages run in this order: size limit, drop, corrupt, duplicate, rate
 * limit, delay/jitter, reorder; each unset field is off. Times are clock milliseconds.
 */
export interface FaultOptions {
  /** Frames longer than this many bytes (Ethernet header included) are dropped (sizeDropped). */
  sizeLimit?: number;
  /** Frames lost (dropped). */
  drop?: FaultChance;
  /** Frames with one bit flipped in one random byte after the Ethernet header (corrupted). */
  corrupt?: FaultChance;
  /** Corrupt only the L4 payload (after the TCP/UDP/ICMP header); frames without one pass intact. */
  corruptPayload?: boolean;
  /** Frames sent twice (duplicated); the copy follows the original through the later stages. */
  dup?: FaultChance;
  /** Token-bucket rate in bytes per second. */
  rate?: number;
  /** Bucket size in bytes; default max(1514, 4 ms of `rate`). */
  burst?: number;
  /** Bytes the rate queue may hold; a frame that would exceed it is dropped (rateDropped). Default 1 514 000. */
  limit?: number;
  /** Fixed one-way delay in ms. */
  delay?: number;
  /** Uniform jitter in ms: each frame waits delay ± jitter (at least 0). Frames leave in due-time order, so jitter reorders, as netem's does. */
  jitter?: number;
  /** Frames held back (reordered) and released after `reorderGap` later frames or `reorderHold` ms, whichever comes first. */
  reorder?: FaultChance;
  /** Later frames that overtake a held one; default 1; 0 releases on time only. */
  reorderGap?: number;
  /** Longest hold in ms; default 10; 0 releases on the gap only (a frame may wait for traffic forever). */
  reorderHold?: number;
  /** PRNG seed (32-bit); default 1. The same seed and the same input give the same faults. */
  seed?: number;
}

/**
 * What one direction did. Always: received + duplicated =
 * passed + dropped + sizeDropped + rateDropped + flushed + held.
 */
export interface FaultStats {
  /** Frames handed to the injector. */
  received: number;
  /** Frames handed on (delivered or transmitted), copies and late ones included. */
  passed: number;
  /** Frames lost to `drop`. */
  dropped: number;
  /** Frames over `sizeLimit`. */
  sizeDropped: number;
  /** Frames with a bit flipped. */
  corrupted: number;
  /** Extra copies made. */
  duplicated: number;
  /** Frames that waited in the rate queue for tokens. */
  rateQueued: number;
  /** Frames refused because the rate queue was full. */
  rateDropped: number;
  /** Frames that waited in the delay queue. */
  delayed: number;
  /** Frames held back to be overtaken. */
  reordered: number;
  /** Held frames discarded (device down or destroyed, {@link FaultInjector.flush}). */
  flushed: number;
  /** Late frames (released from a queue) that the lower layer refused with an error. */
  refused: number;
}

/** Which side of the device an injector sits on. */
export type FaultDirection = 'tx' | 'rx';

/** A bad fault specification or option; `message` names the item and what was expected. */
export class FaultSpecError extends Error {
  /** 'FaultSpecError'. */
  override readonly name = 'FaultSpecError';
}

/** mulberry32: a small, fast 32-bit PRNG; the same seed gives the same sequence in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A configured chance, counted per stage: one PRNG draw per frame only when it is random. */
class Chance {
  private readonly p: number;
  private readonly every: number;
  private n = 0;

  constructor(c: FaultChance | undefined) {
    if (c === undefined) {
      this.p = 0;
      this.every = 0;
    } else if (typeof c === 'number') {
      this.p = c / 100;
      this.every = 0;
    } else {
      this.p = 0;
      this.every = c.every;
    }
  }

  get on(): boolean {
    return this.p > 0 || this.every > 0;
  }

  hit(rand: () => number): boolean {
    if (this.every > 0) {
      if (++this.n < this.every) return false;
      this.n = 0;
      return true;
    }
    if (this.p <= 0) return false;
    if (this.p >= 1) return true;
    return rand() < this.p;
  }
}

/** A FIFO over an array with a moving head (shift() is O(n)); `insertSorted` keeps it ordered by a key. */
class Fifo<T> {
  private a: T[] = [];
  private h = 0;

  get length(): number {
    return this.a.length - this.h;
  }

  peek(): T {
    return this.a[this.h];
  }

  push(x: T): void {
    this.a.push(x);
  }

  shift(): T {
    const x = this.a[this.h];
    this.a[this.h++] = undefined as T;
    if (this.h === this.a.length) {
      this.a.length = 0;
      this.h = 0;
    } else if (this.h >= 1024 && this.h * 2 >= this.a.length) {
      this.a.splice(0, this.h);
      this.h = 0;
    }
    return x;
  }

  /** Inserts after every element whose key is ≤ x's (stable for equal keys). */
  insertSorted(x: T, key: (y: T) => number): void {
    const a = this.a;
    const k = key(x);
    if (a.length === this.h || key(a[a.length - 1]) <= k) {
      a.push(x);
      return;
    }
    let lo = this.h;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (key(a[mid]) <= k) lo = mid + 1;
      else hi = mid;
    }
    a.splice(lo, 0, x);
  }

  clear(): T[] {
    const rest = this.a.slice(this.h);
    this.a = [];
    this.h = 0;
    return rest;
  }
}

interface Delayed {
  skb: SkBuff;
  due: number;
}

interface Held {
  skb: SkBuff;
  /** Release once this many later frames have passed (Infinity: time only). */
  releaseAt: number;
  /** Release at this clock time (Infinity: gap only). */
  due: number;
}

/**
 * Where the L4 payload of the frame at [fs, end) starts and its IP datagram ends, or null when
 * it is no IPv4/IPv6 packet. `payload` false: the IP header's first byte instead of the payload.
 * The end excludes Ethernet padding, whose corruption nobody could notice.
 */
export function corruptRange(buf: Buffer, fs: number, end: number, payload: boolean): [number, number] | null {
  let o = fs + ETH_HLEN;
  if (o >= end) return null;
  let type = (buf[o - 2] << 8) | buf[o - 1];
  if (type === 0x8100 && o + 4 <= end) {
    type = (buf[o + 2] << 8) | buf[o + 3];
    o += 4;
  }
  let proto: number;
  let l4: number;
  let stop: number;
  if (type === 0x0800) {
    if (o + 20 > end) return payload ? null : [fs + ETH_HLEN, end];
    const ihl = (buf[o] & 15) * 4;
    const tot = (buf[o + 2] << 8) | buf[o + 3];
    stop = tot >= ihl && o + tot <= end ? o + tot : end;
    if (!payload) return [fs + ETH_HLEN, stop];
    l4 = o + ihl;
    if ((((buf[o + 6] << 8) | buf[o + 7]) & 0x1fff) !== 0) return l4 < stop ? [l4, stop] : null; // a later fragment: all payload
    proto = buf[o + 9];
  } else if (type === 0x86dd) {
    if (o + 40 > end) return payload ? null : [fs + ETH_HLEN, end];
    const plen = (buf[o + 4] << 8) | buf[o + 5];
    stop = o + 40 + plen <= end ? o + 40 + plen : end;
    if (!payload) return [fs + ETH_HLEN, stop];
    proto = buf[o + 6];
    l4 = o + 40;
    // Hop-by-hop, routing, destination options and fragment headers lie between.
    for (let i = 0; i < 8 && (proto === 0 || proto === 43 || proto === 60 || proto === 44); i++) {
      if (l4 + 8 > stop) return null;
      if (proto === 44) {
        const later = (((buf[l4 + 2] << 8) | buf[l4 + 3]) & 0xfff8) !== 0;
        proto = buf[l4];
        l4 += 8;
        if (later) return l4 < stop ? [l4, stop] : null;
      } else {
        proto = buf[l4];
        l4 += (buf[l4 + 1] + 1) * 8;
      }
    }
  } else {
    return payload ? null : [fs + ETH_HLEN, end];
  }
  let p: number;
  if (proto === 6) p = l4 + 12 < stop ? l4 + (buf[l4 + 12] >> 4) * 4 : stop;
  else if (proto === 17 || proto === 1 || proto === 58) p = l4 + 8;
  else p = l4;
  return p < stop ? [p, stop] : null;
}

/** Checks a typed options object; throws {@link FaultSpecError} naming the bad field. */
export function checkFaultOptions(o: FaultOptions): void {
  const bad = (k: string, why: string): never => {
    throw new FaultSpecError(`fault option ${k}: ${why}`);
  };
  const chance = (k: string, c: FaultChance | undefined): void => {
    if (c === undefined) return;
    if (typeof c === 'number') {
      if (!Number.isFinite(c) || c < 0 || c > 100) bad(k, `percentage ${c} is not within 0–100`);
    } else if (!Number.isInteger(c.every) || c.every < 1) bad(k, `every ${c.every}: expected an integer ≥ 1`);
  };
  const nonneg = (k: string, v: number | undefined, int = false): void => {
    if (v === undefined) return;
    if (!Number.isFinite(v) || v < 0 || (int && !Number.isInteger(v))) bad(k, `${v}: expected a${int ? 'n integer' : ' number'} ≥ 0`);
  };
  chance('drop', o.drop);
  chance('corrupt', o.corrupt);
  chance('dup', o.dup);
  chance('reorder', o.reorder);
  nonneg('sizeLimit', o.sizeLimit, true);
  nonneg('delay', o.delay);
  nonneg('jitter', o.jitter);
  nonneg('burst', o.burst);
  nonneg('limit', o.limit, true);
  nonneg('reorderGap', o.reorderGap, true);
  nonneg('reorderHold', o.reorderHold);
  if (o.rate !== undefined && (!Number.isFinite(o.rate) || o.rate <= 0)) bad('rate', `${o.rate}: expected bytes per second > 0`);
  if (o.rate === undefined && (o.burst !== undefined || o.limit !== undefined)) bad(o.burst !== undefined ? 'burst' : 'limit', 'needs a rate');
  if (o.burst !== undefined && o.burst <= 0) bad('burst', 'must be > 0');
  if (o.corruptPayload && o.corrupt === undefined) bad('corruptPayload', 'needs corrupt');
  if (o.reorder === undefined && (o.reorderGap !== undefined || o.reorderHold !== undefined)) bad(o.reorderGap !== undefined ? 'reorderGap' : 'reorderHold', 'needs reorder');
  if (o.reorder !== undefined && o.reorderGap === 0 && o.reorderHold === 0) bad('reorder', 'gap 0 and hold 0 would never release a frame');
  if (o.seed !== undefined && (!Number.isInteger(o.seed) || o.seed < 0 || o.seed > 0xffffffff)) bad('seed', `${o.seed}: expected a 32-bit unsigned integer`);
}

/**
 * One direction's fault pipeline: frames go in through {@link FaultInjector.input}; what
 * survives comes out through `out`, now or later on the clock's timers. With nothing
 * configured and nothing held, input() is a counted call of `out` (no copy, no allocation);
 * frames that wait (rate queue, delay, reorder) or are duplicated are copied, because on
 * transmit the sender may reuse its buffer and on receive it may be a driver's ring.
 */
export class FaultInjector {
  /** What this direction did to the frames it saw. */
  readonly stats: FaultStats = {
    received: 0, passed: 0, dropped: 0, sizeDropped: 0, corrupted: 0, duplicated: 0,
    rateQueued: 0, rateDropped: 0, delayed: 0, reordered: 0, flushed: 0, refused: 0,
  };
  private opts: FaultOptions = {};
  private none = true;
  private rand: () => number = mulberry32(1);
  private sizeLimit = Infinity;
  private drop = new Chance(undefined);
  private corrupt = new Chance(undefined);
  private corruptPayload = false;
  private dup = new Chance(undefined);
  private rate = 0;
  private burst = 0;
  private limit = 0;
  private tokens = 0;
  private refilledAt = 0;
  private rateBytes = 0;
  private readonly rateQ = new Fifo<SkBuff>();
  private delay = 0;
  private jitter = 0;
  private readonly delayQ = new Fifo<Delayed>();
  private reorder = new Chance(undefined);
  private gap = 1;
  private hold = DEFAULT_REORDER_HOLD_MS;
  private readonly heldQ = new Fifo<Held>();
  /** Frames that passed the reorder stage directly: the "later frames" held ones wait for. */
  private overtakers = 0;
  private readonly rateTimer: Timer<FaultInjector>;
  private readonly delayTimer: Timer<FaultInjector>;
  private readonly holdTimer: Timer<FaultInjector>;

  /**
   * @param dir 'tx': frames span [data, tail) and belong to the sender (copied before any change);
   *   'rx': frames have been through eth_type_trans, span [macHeader, tail), and are the receiver's
   * @param out hands a frame on; its return value is input()'s for frames that pass at once
   * @param stream mixed into the seed so the two directions of one device draw different numbers
   */
  constructor(
    /** The direction it sits on. */
    readonly dir: FaultDirection,
    /** The clock delays and rates run on. */
    readonly clock: Clock,
    private readonly out: (skb: SkBuff) => number,
    opts: FaultOptions = {},
    private readonly stream = 0,
  ) {
    this.rateTimer = clock.timer<FaultInjector>(rateTimerFire, this);
    this.delayTimer = clock.timer<FaultInjector>(delayTimerFire, this);
    this.holdTimer = clock.timer<FaultInjector>(holdTimerFire, this);
    this.configure(opts);
  }

  /** The options in force. */
  get options(): Readonly<FaultOptions> {
    return this.opts;
  }

  /** True when no fault is configured (frames pass untouched). */
  get idle(): boolean {
    return this.none;
  }

  /** Frames waiting in the rate queue, the delay queue or the reorder hold. */
  get held(): number {
    return this.rateQ.length + this.delayQ.length + this.heldQ.length;
  }

  /**
   * Replaces the settings and restarts the PRNG from the seed. Frames still waiting under the
   * old settings are handed on at once, in order (healing a link loses nothing).
   *
   * @throws FaultSpecError for invalid options
   */
  configure(opts: FaultOptions): void {
    checkFaultOptions(opts);
    this.release();
    this.opts = { ...opts };
    this.rand = mulberry32(((opts.seed ?? 1) ^ Math.imul(this.stream, 0x9e3779b9)) >>> 0);
    this.sizeLimit = opts.sizeLimit ?? Infinity;
    this.drop = new Chance(opts.drop);
    this.corrupt = new Chance(opts.corrupt);
    this.corruptPayload = opts.corruptPayload ?? false;
    this.dup = new Chance(opts.dup);
    this.rate = opts.rate ?? 0;
    this.burst = opts.burst ?? Math.max(FULL_FRAME, Math.ceil((this.rate * DEFAULT_BURST_MS) / 1000));
    this.limit = opts.limit ?? DEFAULT_LIMIT;
    this.tokens = this.burst;
    this.refilledAt = this.clock.now();
    this.delay = opts.delay ?? 0;
    this.jitter = opts.jitter ?? 0;
    this.reorder = new Chance(opts.reorder);
    this.gap = opts.reorderGap ?? 1;
    this.hold = opts.reorderHold ?? DEFAULT_REORDER_HOLD_MS;
    this.none =
      this.sizeLimit === Infinity && !this.drop.on && !this.corrupt.on && !this.dup.on &&
      this.rate === 0 && this.delay === 0 && this.jitter === 0 && !this.reorder.on;
  }

  /** A frame enters. Returns `out`'s result if it passed at once, else NETDEV_TX_OK (lost or waiting, as on a wire). */
  input(skb: SkBuff): number {
    const s = this.stats;
    s.received++;
    if (this.none) {
      s.passed++;
      return this.out(skb);
    }
    const fs = this.frameStart(skb);
    if (skb.tail - fs > this.sizeLimit) {
      s.sizeDropped++;
      return NETDEV_TX_OK;
    }
    if (this.drop.hit(this.rand)) {
      s.dropped++;
      return NETDEV_TX_OK;
    }
    let owned = false;
    if (this.corrupt.hit(this.rand)) {
      const r = corruptRange(skb.buf, fs, skb.tail, this.corruptPayload);
      if (r) {
        if (this.dir === 'tx') {
          skb = skb.copy(); // never the sender's own bytes: it may retransmit them
          owned = true;
          r[0] += skb.data - fs;
          r[1] += skb.data - fs;
        }
        const at = r[0] + Math.floor(this.rand() * (r[1] - r[0]));
        skb.buf[at] ^= 1 << Math.floor(this.rand() * 8);
        s.corrupted++;
      }
    }
    // The copy is taken before the original goes on: a receiver may rewrite a frame in place.
    const copy = this.dup.hit(this.rand) ? skb.copy() : null;
    const rc = this.shape(skb, owned);
    if (copy) {
      s.duplicated++;
      this.shape(copy, true);
    }
    return rc;
  }

  /** Discards every waiting frame (counted `flushed`), as a qdisc reset does when the device goes down. */
  flush(): number {
    const n = this.held;
    this.rateQ.clear();
    this.delayQ.clear();
    this.heldQ.clear();
    this.rateBytes = 0;
    this.rateTimer.del();
    this.delayTimer.del();
    this.holdTimer.del();
    this.stats.flushed += n;
    return n;
  }

  /** Hands every waiting frame on now: the delay queue, then the rate queue, then the held ones. */
  release(): number {
    this.rateTimer.del();
    this.delayTimer.del();
    this.holdTimer.del();
    const frames = [
      ...this.delayQ.clear().map((d) => d.skb),
      ...this.rateQ.clear(),
      ...this.heldQ.clear().map((h) => h.skb),
    ];
    this.rateBytes = 0;
    for (const skb of frames) this.emitLate(skb);
    return frames.length;
  }

  private frameStart(skb: SkBuff): number {
    return this.dir === 'rx' && skb.macHeader >= 0 ? skb.macHeader : skb.data;
  }

  /** A private copy of a frame that must wait: the sender's on transmit, the driver's ring on receive. */
  private keep(skb: SkBuff, owned: boolean): SkBuff {
    if (owned) return skb;
    return this.dir === 'tx' ? skb.copy() : skb.own();
  }

  // ---- token bucket (tbf_enqueue / tbf_dequeue) -------------------------------------------

  private shape(skb: SkBuff, owned: boolean): number {
    if (this.rate === 0) return this.delayStage(skb, owned);
    const len = skb.tail - this.frameStart(skb);
    if (this.rateQ.length === 0) {
      this.refill();
      if (this.tokens + TOKEN_EPSILON >= this.need(len)) {
        this.tokens -= len;
        return this.delayStage(skb, owned);
      }
    }
    if (this.rateBytes + len > this.limit) {
      this.stats.rateDropped++;
      return NETDEV_TX_OK;
    }
    this.rateQ.push(this.keep(skb, owned));
    this.rateBytes += len;
    this.stats.rateQueued++;
    if (this.rateQ.length === 1) this.armRate();
    return NETDEV_TX_OK;
  }

  /** Tokens a frame needs: its length, or a full bucket for a frame longer than the bucket (it then borrows). */
  private need(len: number): number {
    return len < this.burst ? len : this.burst;
  }

  private refill(): void {
    const now = this.clock.now();
    const t = this.tokens + ((now - this.refilledAt) * this.rate) / 1000;
    this.tokens = t < this.burst ? t : this.burst;
    this.refilledAt = now;
  }

  private armRate(): void {
    const head = this.rateQ.peek();
    const short = this.need(head.tail - this.frameStart(head)) - this.tokens;
    this.rateTimer.mod(this.refilledAt + (short > 0 ? (short * 1000) / this.rate : 0));
  }

  /** @internal the rate timer */
  rateDue(): void {
    this.refill();
    while (this.rateQ.length > 0) {
      const head = this.rateQ.peek();
      const len = head.tail - this.frameStart(head);
      if (this.tokens + TOKEN_EPSILON < this.need(len)) break;
      this.rateQ.shift();
      this.rateBytes -= len;
      this.tokens -= len;
      this.delayStage(head, true);
    }
    if (this.rateQ.length > 0) this.armRate();
  }

  // ---- delay and jitter (netem's tfifo: ordered by time to send) ---------------------------

  private delayStage(skb: SkBuff, owned: boolean): number {
    if (this.delay === 0 && this.jitter === 0) return this.reorderStage(skb, owned);
    let d = this.delay;
    if (this.jitter > 0) {
      d += (this.rand() * 2 - 1) * this.jitter;
      if (d < 0) d = 0;
    }
    if (d === 0) return this.reorderStage(skb, owned);
    const due = this.clock.now() + d;
    this.delayQ.insertSorted({ skb: this.keep(skb, owned), due }, delayKey);
    this.stats.delayed++;
    const head = this.delayQ.peek();
    if (!this.delayTimer.pending || this.delayTimer.expires !== head.due) this.delayTimer.mod(head.due);
    return NETDEV_TX_OK;
  }

  /** @internal the delay timer */
  delayDue(): void {
    const now = this.clock.now();
    while (this.delayQ.length > 0 && this.delayQ.peek().due <= now) this.reorderStage(this.delayQ.shift().skb, true);
    if (this.delayQ.length > 0) this.delayTimer.mod(this.delayQ.peek().due);
  }

  // ---- reordering: hold one back until later frames overtook it ----------------------------

  private reorderStage(skb: SkBuff, owned: boolean): number {
    if (this.reorder.hit(this.rand)) {
      const h: Held = {
        skb: this.keep(skb, owned),
        releaseAt: this.gap > 0 ? this.overtakers + this.gap : Infinity,
        due: this.hold > 0 ? this.clock.now() + this.hold : Infinity,
      };
      this.heldQ.push(h);
      this.stats.reordered++;
      if (this.heldQ.length === 1 && h.due !== Infinity) this.holdTimer.mod(h.due);
      return NETDEV_TX_OK;
    }
    this.stats.passed++;
    const rc = this.out(skb);
    if (this.heldQ.length > 0) {
      this.overtakers++;
      // Every held frame waits for the same gap, so they come free in the order they were held.
      while (this.heldQ.length > 0 && this.heldQ.peek().releaseAt <= this.overtakers) this.emitLate(this.heldQ.shift().skb);
      this.armHold();
    }
    return rc;
  }

  private armHold(): void {
    if (this.heldQ.length === 0) {
      this.holdTimer.del();
      return;
    }
    const due = this.heldQ.peek().due;
    if (due === Infinity) this.holdTimer.del();
    else if (!this.holdTimer.pending || this.holdTimer.expires !== due) this.holdTimer.mod(due);
  }

  /** @internal the reorder hold timer */
  holdDue(): void {
    const now = this.clock.now();
    while (this.heldQ.length > 0 && this.heldQ.peek().due <= now) this.emitLate(this.heldQ.shift().skb);
    this.armHold();
  }

  private emitLate(skb: SkBuff): void {
    this.stats.passed++;
    if (this.out(skb) < 0) this.stats.refused++;
  }
}

const delayKey = (d: Delayed): number => d.due;
function rateTimerFire(f: FaultInjector): void {
  f.rateDue();
}
function delayTimerFire(f: FaultInjector): void {
  f.delayDue();
}
function holdTimerFire(f: FaultInjector): void {
  f.holdDue();
}

// ---- attaching to a device --------------------------------------------------------------------

/** What {@link attachFaults} puts on a device: a direction's options or spec string; omitted directions stay untouched. */
export interface AttachFaultsOptions {
  /** Faults on what the stack transmits (ndo_start_xmit), as a typed object or a spec ({@link parseFaultSpec}). */
  tx?: FaultOptions | string;
  /** Faults on what the device receives, before the protocols see it. Needs a registered device. */
  rx?: FaultOptions | string;
  /** The clock for delays and the rate limit; default the device's stack clock (dev.net.clock). */
  clock?: Clock;
}

/** Puts `fn` in place of obj[key] on the instance; the returned function restores what was there. */
function interpose<T extends object, K extends keyof T>(obj: T, key: K, fn: T[K]): () => void {
  const own = Object.prototype.hasOwnProperty.call(obj, key);
  const before = obj[key];
  obj[key] = fn;
  return (): void => {
    if (own) obj[key] = before;
    else delete obj[key];
  };
}

/**
 * The receive side of every faulty device of one namespace: one interposed netifReceiveSkb
 * that routes frames of those devices to their injector and every other frame straight on.
 */
class RxRouter {
  readonly devs: NetDevice[] = [];
  readonly injs: FaultInjector[] = [];
  readonly deliver: (skb: SkBuff) => void;
  private readonly restore: () => void;

  constructor(readonly net: Net) {
    const orig = net.netifReceiveSkb;
    this.deliver = (skb: SkBuff): void => orig.call(net, skb);
    this.restore = interpose(net, 'netifReceiveSkb', (skb: SkBuff): void => {
      const d = skb.dev;
      const devs = this.devs;
      for (let i = 0; i < devs.length; i++) {
        if (devs[i] === d) {
          this.injs[i].input(skb);
          return;
        }
      }
      orig.call(net, skb);
    });
  }

  add(dev: NetDevice, inj: FaultInjector): void {
    this.devs.push(dev);
    this.injs.push(inj);
  }

  /** Returns true when the router is empty and has put the original method back. */
  remove(dev: NetDevice): boolean {
    const i = this.devs.indexOf(dev);
    if (i >= 0) {
      this.devs.splice(i, 1);
      this.injs.splice(i, 1);
    }
    if (this.devs.length > 0) return false;
    this.restore();
    return true;
  }
}

const rxRouters = new WeakMap<Net, RxRouter>();
const attached = new WeakMap<NetDevice, FaultyDevice>();

/**
 * The faults on one device ({@link attachFaults}): an injector per direction, reconfigurable
 * with {@link FaultyDevice.set}, removed with {@link FaultyDevice.detach}. Taking the device down
 * discards what its injectors hold (a qdisc reset); destroying it detaches them.
 */
export class FaultyDevice {
  /** The transmit injector, or null when transmit is untouched. */
  tx: FaultInjector | null = null;
  /** The receive injector, or null when receive is untouched. */
  rx: FaultInjector | null = null;
  private readonly restores: (() => void)[] = [];
  private rxNet: Net | null = null;
  private detached = false;

  /** Made by {@link attachFaults}. */
  constructor(
    /** The device the faults sit on. */
    readonly dev: NetDevice,
    /** The clock delays and rates run on. */
    readonly clock: Clock,
  ) {
    const stop = dev.stop;
    const destroy = dev.destroy;
    this.restores.push(
      interpose(dev, 'stop', (): void => {
        this.tx?.flush();
        this.rx?.flush();
        stop.call(dev);
      }),
      interpose(dev, 'destroy', (): void => {
        this.detach();
        destroy.call(dev);
      }),
    );
  }

  /** Both directions' counters; null for a direction without an injector. */
  get stats(): { tx: FaultStats | null; rx: FaultStats | null } {
    return { tx: this.tx?.stats ?? null, rx: this.rx?.stats ?? null };
  }

  /**
   * Sets one direction's faults (a typed object or a spec string), attaching that side if it
   * was untouched; `{}` or `''` leaves it attached but idle.
   *
   * @throws FaultSpecError for a bad spec; Error for rx on an unregistered device or after detach
   */
  set(dir: FaultDirection, opts: FaultOptions | string): FaultInjector {
    if (this.detached) throw new Error(`faults on ${this.dev.name} were detached`);
    const o = typeof opts === 'string' ? parseFaultSpec(opts) : opts;
    const have = dir === 'tx' ? this.tx : this.rx;
    if (have) {
      have.configure(o);
      return have;
    }
    return dir === 'tx' ? this.attachTx(o) : this.attachRx(o);
  }

  private attachTx(o: FaultOptions): FaultInjector {
    const dev = this.dev;
    const xmit = dev.xmit;
    const inj = new FaultInjector('tx', this.clock, (skb) => xmit.call(dev, skb), o, 0);
    this.restores.push(interpose(dev, 'xmit', (skb: SkBuff): number => inj.input(skb)));
    this.tx = inj;
    return inj;
  }

  private attachRx(o: FaultOptions): FaultInjector {
    const net = this.dev.net;
    if (!net) throw new Error(`rx faults on ${this.dev.name} need a registered device (Stack.addDevice first)`);
    let r = rxRouters.get(net);
    if (!r) {
      r = new RxRouter(net);
      rxRouters.set(net, r);
    }
    const deliver = r.deliver;
    const inj = new FaultInjector('rx', this.clock, (skb) => (deliver(skb), NETDEV_TX_OK), o, 1);
    r.add(this.dev, inj);
    this.rxNet = net;
    this.rx = inj;
    return inj;
  }

  /** Removes both injectors (waiting frames are discarded, counted `flushed`) and restores the device. */
  detach(): void {
    if (this.detached) return;
    this.detached = true;
    this.tx?.flush();
    this.rx?.flush();
    if (this.rxNet) {
      const r = rxRouters.get(this.rxNet);
      if (r?.remove(this.dev)) rxRouters.delete(this.rxNet);
    }
    for (let i = this.restores.length - 1; i >= 0; i--) this.restores[i]();
    this.restores.length = 0;
    attached.delete(this.dev);
  }
}

/**
 * Puts fault injection on a device's transmit and/or receive side. Transmit works on any
 * device, registered or not (given `clock`); receive needs it registered in a stack, because
 * it sits in front of that stack's netif_receive_skb for this device's frames. On a pair,
 * transmit faults on both ends fault both directions of the cable.
 *
 * @throws FaultSpecError for a bad spec; Error when the device already has faults, or no clock is known
 */
export function attachFaults(dev: NetDevice, opts: AttachFaultsOptions): FaultyDevice {
  if (attached.has(dev)) throw new Error(`${dev.name} already has faults (use set() or detach() first)`);
  const clock = opts.clock ?? dev.net?.clock;
  if (!clock) throw new Error(`faults on ${dev.name} need a clock: add the device to a stack first, or pass opts.clock`);
  const tx = typeof opts.tx === 'string' ? parseFaultSpec(opts.tx) : opts.tx;
  const rx = typeof opts.rx === 'string' ? parseFaultSpec(opts.rx) : opts.rx;
  if (tx) checkFaultOptions(tx);
  if (rx) checkFaultOptions(rx);
  if (rx && !dev.net) throw new Error(`rx faults on ${dev.name} need a registered device (Stack.addDevice first)`);
  const f = new FaultyDevice(dev, clock);
  if (tx) f.set('tx', tx);
  if (rx) f.set('rx', rx);
  attached.set(dev, f);
  return f;
}

/** The faults attached to a device, or null. */
export function faultsOf(dev: NetDevice): FaultyDevice | null {
  return attached.get(dev) ?? null;
}

// ---- the spec string ("drop=1%,delay=5ms,rate=100mbit,seed=42") ---------------------------------

const SPEC_KEYS = [
  'size', 'drop', 'corrupt', 'payload', 'dup', 'rate', 'burst', 'limit',
  'delay', 'jitter', 'reorder', 'gap', 'hold', 'seed',
] as const;

const TIME_UNITS: Record<string, number> = { us: 0.001, ms: 1, s: 1000 };
const SIZE_UNITS: Record<string, number> = {
  '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 * 1024, mb: 1024 * 1024, mib: 1024 * 1024,
};
/** tc's rate units, in bytes per second: *bit are bits (SI or IEC), *bps are bytes. */
const RATE_UNITS: Record<string, number> = {
  bit: 1 / 8, kbit: 1e3 / 8, mbit: 1e6 / 8, gbit: 1e9 / 8, tbit: 1e12 / 8,
  kibit: 1024 / 8, mibit: 1024 ** 2 / 8, gibit: 1024 ** 3 / 8,
  bps: 1, kbps: 1e3, mbps: 1e6, gbps: 1e9,
};

function splitUnit(v: string): [number, string] | null {
  const m = /^(\d+(?:\.\d+)?|\.\d+)([a-z%]*)$/i.exec(v);
  return m ? [Number(m[1]), m[2].toLowerCase()] : null;
}

/** `1%` (random percentage) or `100th` (every 100th frame; `2nd`, `3rd`, `1st` too). */
export function parseFaultChance(v: string): FaultChance | null {
  const m = /^(\d+(?:\.\d+)?|\.\d+)%$/.exec(v);
  if (m) {
    const p = Number(m[1]);
    return p <= 100 ? p : null;
  }
  const n = /^(\d+)(?:st|nd|rd|th)$/i.exec(v);
  if (n) {
    const e = Number(n[1]);
    return e >= 1 ? { every: e } : null;
  }
  return null;
}

/** Milliseconds from `5ms`, `250us`, `1.5s`; a unit is required. */
export function parseFaultTime(v: string): number | null {
  const u = splitUnit(v);
  if (!u || !(u[1] in TIME_UNITS)) return null;
  return u[0] * TIME_UNITS[u[1]];
}

/** Bytes from `1500`, `64k`, `2m` (k and m are 1024-based, as tc's sizes). */
export function parseFaultSize(v: string): number | null {
  const u = splitUnit(v);
  if (!u || !(u[1] in SIZE_UNITS)) return null;
  const n = u[0] * SIZE_UNITS[u[1]];
  return Number.isInteger(n) ? n : null;
}

/** Bytes per second from tc's rate syntax: `100mbit`, `512kbit`, `1gbit`, `125kbps`; a unit is required. */
export function parseFaultRate(v: string): number | null {
  const u = splitUnit(v);
  if (!u || !(u[1] in RATE_UNITS) || u[0] <= 0) return null;
  return u[0] * RATE_UNITS[u[1]];
}

/**
 * Parses a fault spec: comma-separated `key=value` items, e.g.
 * `drop=1%,dup=0.5%,reorder=1%,corrupt=0.1%,delay=5ms,jitter=1ms,rate=100mbit,limit=64k,seed=42`.
 * Keys: drop, dup, corrupt, reorder (`N%` or every `Nth`); `payload` (flag: corrupt only L4
 * payload); size, burst, limit (bytes, k/m suffixes); rate (tc units: bit, kbit, mbit, gbit,
 * bps, kbps...); delay, jitter, hold (us, ms, s); gap (frames); seed (integer). The empty
 * string is no faults.
 *
 * @throws FaultSpecError naming the item and what was expected
 */
export function parseFaultSpec(spec: string): FaultOptions {
  const o: FaultOptions = {};
  const s = spec.trim();
  if (s === '') return o;
  const seen = new Set<string>();
  for (const raw of s.split(',')) {
    const item = raw.trim();
    if (item === '') throw new FaultSpecError(`fault spec "${spec}": empty item`);
    const eq = item.indexOf('=');
    const key = (eq < 0 ? item : item.slice(0, eq)).trim().toLowerCase();
    const v = eq < 0 ? null : item.slice(eq + 1).trim();
    const fail = (want: string): never => {
      throw new FaultSpecError(`fault spec item "${item}": expected ${want}`);
    };
    if (!(SPEC_KEYS as readonly string[]).includes(key) && key !== 'duplicate') {
      throw new FaultSpecError(`fault spec item "${item}": unknown key "${key}" (known: ${SPEC_KEYS.join(', ')})`);
    }
    const k = key === 'duplicate' ? 'dup' : key;
    if (seen.has(k)) throw new FaultSpecError(`fault spec item "${item}": ${k} given twice`);
    seen.add(k);
    if (k === 'payload') {
      if (v !== null && v !== '1' && v !== 'on' && v !== 'yes') fail('"payload" alone (a flag)');
      o.corruptPayload = true;
      continue;
    }
    if (v === null || v === '') fail(`${k}=VALUE`);
    const val = v as string;
    switch (k) {
      case 'drop':
      case 'dup':
      case 'corrupt':
      case 'reorder': {
        const c = parseFaultChance(val) ?? fail('a percentage 0–100 like 1% or every Nth frame like 100th');
        o[k] = c;
        break;
      }
      case 'delay':
      case 'jitter':
      case 'hold': {
        const t = parseFaultTime(val) ?? fail('a time with a unit: us, ms or s (like 5ms)');
        if (k === 'hold') o.reorderHold = t;
        else o[k] = t;
        break;
      }
      case 'size':
      case 'burst':
      case 'limit': {
        const n = parseFaultSize(val) ?? fail('whole bytes, optionally with k or m (like 64k)');
        if (k === 'size') o.sizeLimit = n;
        else o[k] = n;
        break;
      }
      case 'rate':
        o.rate = parseFaultRate(val) ?? fail('a rate above 0 with a unit: bit, kbit, mbit, gbit or bps, kbps, mbps (like 100mbit)');
        break;
      case 'gap': {
        if (!/^\d+$/.test(val)) fail('a whole number of frames');
        o.reorderGap = Number(val);
        break;
      }
      case 'seed': {
        const n = /^(0x[0-9a-f]+|\d+)$/i.test(val) ? Number(val) : NaN;
        if (!(n >= 0 && n <= 0xffffffff)) fail('an integer 0–4294967295');
        o.seed = n;
        break;
      }
    }
  }
  try {
    checkFaultOptions(o);
  } catch (e) {
    throw new FaultSpecError(`fault spec "${spec}": ${(e as Error).message.replace(/^fault option /, '')}`);
  }
  return o;
}

function fmtChance(c: FaultChance): string {
  if (typeof c === 'number') return `${c}%`;
  const n = c.every;
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : n % 10 === 1 ? 'st' : n % 10 === 2 ? 'nd' : n % 10 === 3 ? 'rd' : 'th';
  return `${n}${suffix}`;
}

function fmtSize(n: number): string {
  if (n > 0 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)}m`;
  if (n > 0 && n % 1024 === 0) return `${n / 1024}k`;
  return String(n);
}

function fmtRate(bytesPerSec: number): string {
  const bits = bytesPerSec * 8;
  for (const [u, f] of [['gbit', 1e9], ['mbit', 1e6], ['kbit', 1e3]] as const) {
    if (bits >= f && Number.isInteger(bits / f)) return `${bits / f}${u}`;
  }
  return Number.isInteger(bits) ? `${bits}bit` : `${bytesPerSec}bps`;
}

/** The spec string of typed options (canonical order), which {@link parseFaultSpec} reads back to the same options. */
export function formatFaultSpec(o: FaultOptions): string {
  const out: string[] = [];
  if (o.sizeLimit !== undefined) out.push(`size=${fmtSize(o.sizeLimit)}`);
  if (o.drop !== undefined) out.push(`drop=${fmtChance(o.drop)}`);
  if (o.corrupt !== undefined) out.push(`corrupt=${fmtChance(o.corrupt)}`);
  if (o.corruptPayload) out.push('payload');
  if (o.dup !== undefined) out.push(`dup=${fmtChance(o.dup)}`);
  if (o.rate !== undefined) out.push(`rate=${fmtRate(o.rate)}`);
  if (o.burst !== undefined) out.push(`burst=${fmtSize(o.burst)}`);
  if (o.limit !== undefined) out.push(`limit=${fmtSize(o.limit)}`);
  if (o.delay !== undefined) out.push(`delay=${o.delay}ms`);
  if (o.jitter !== undefined) out.push(`jitter=${o.jitter}ms`);
  if (o.reorder !== undefined) out.push(`reorder=${fmtChance(o.reorder)}`);
  if (o.reorderGap !== undefined) out.push(`gap=${o.reorderGap}`);
  if (o.reorderHold !== undefined) out.push(`hold=${o.reorderHold}ms`);
  if (o.seed !== undefined) out.push(`seed=${o.seed}`);
  return out.join(',');
}
