// Time and timers for the whole stack: the role of jiffies, timer_list and mod_timer/del_timer
// (kernel/time/timer.c). Nothing else in tapstack reads the wall clock, so tests drive time.

/**
 * What the clock's heap holds: expiry bookkeeping plus fire(). Objects that always own exactly one
 * timer (a neighbour entry) extend this directly instead of holding a {@link Timer}, which saves
 * an object per entry, like the kernel's timer_list embedded in struct neighbour.
 */
export abstract class TimerEntry {
  /** Absolute expiry in clock milliseconds; meaningful only while pending. */
  expires = 0;
  /** Position in the owning clock's heap, -1 when not pending. */
  heapIndex = -1;
  /** Insertion order, so timers with equal expiry fire first-armed-first. */
  seq = 0;

  abstract readonly clock: Clock;

  /** Called by the clock at expiry (the timer is no longer pending). */
  abstract fire(): void;

  get pending(): boolean {
    return this.heapIndex >= 0;
  }

  /** mod_timer(): (re)arm at an absolute time. Returns whether it was pending before. */
  mod(expires: number): boolean {
    return this.clock.schedule(this, expires);
  }

  /** del_timer(): disarm. Returns whether it was pending. */
  del(): boolean {
    return this.clock.cancel(this);
  }
}

/** A one-shot timer with a callback, armed with {@link TimerEntry.mod} like mod_timer(). */
export class Timer<A = unknown> extends TimerEntry {
  /** Usually made by {@link Clock.timer}. */
  constructor(
    /** The clock it runs on. */
    readonly clock: Clock,
    /** Called at expiry with `arg`. */
    readonly fn: (arg: A) => void,
    /** The argument for `fn`. */
    readonly arg: A,
  ) {
    super();
  }

  /** Calls `fn(arg)`; the clock does this at expiry. */
  fire(): void {
    this.fn(this.arg);
  }
}

/**
 * A monotonic millisecond clock with a min-heap of timers. Subclasses decide where "now" comes
 * from and how the earliest expiry is waited for.
 */
export abstract class Clock {
  private heap: TimerEntry[] = [];
  private seqNext = 0;
  /** True while timers are being run, so re-arming from a callback does not recurse. */
  private running = false;

  /** Milliseconds, whole numbers on a real clock (like jiffies): the stack's timestamps and timers. */
  abstract now(): number;

  /** Sub-millisecond time for measurements (ping's RTT); the same as now() unless overridden. */
  preciseNow(): number {
    return this.now();
  }

  /** Called whenever the earliest expiry may have changed. */
  protected abstract rearm(): void;

  /** A new, unarmed timer calling `fn(arg)` at expiry; arm it with `mod(expires)` (absolute ms). */
  timer<A>(fn: (arg: A) => void, arg: A): Timer<A> {
    return new Timer(this, fn, arg);
  }

  /** Number of pending timers (for invariant checks and tests). */
  get pendingCount(): number {
    return this.heap.length;
  }

  /** Expiry of the earliest pending timer, or Infinity. */
  nextExpiry(): number {
    return this.heap.length > 0 ? this.heap[0].expires : Infinity;
  }

  /** Arms `t` to fire at `expires` (absolute ms; re-arms a pending one). Returns whether it was pending. */
  schedule(t: TimerEntry, expires: number): boolean {
    const was = t.heapIndex >= 0;
    if (was) this.removeAt(t.heapIndex);
    t.expires = expires;
    t.seq = this.seqNext++;
    t.heapIndex = this.heap.length;
    this.heap.push(t);
    this.siftUp(t.heapIndex);
    if (!this.running) this.rearm();
    return was;
  }

  /** Disarms `t`. Returns whether it was pending. */
  cancel(t: TimerEntry): boolean {
    if (t.heapIndex < 0) return false;
    this.removeAt(t.heapIndex);
    if (!this.running) this.rearm();
    return true;
  }

  /** Runs every timer whose expiry is ≤ limit, in expiry order. */
  protected runDue(limit: number): void {
    this.running = true;
    try {
      while (this.heap.length > 0 && this.heap[0].expires <= limit) {
        const t = this.heap[0];
        this.removeAt(0);
        this.beforeFire(t.expires);
        t.fire();
      }
    } finally {
      this.running = false;
    }
    this.rearm();
  }

  /** Hook for the manual clock, which moves "now" to each timer's expiry as it fires. */
  protected beforeFire(_expires: number): void {}

  private less(a: TimerEntry, b: TimerEntry): boolean {
    return a.expires < b.expires || (a.expires === b.expires && a.seq < b.seq);
  }

  private siftUp(i: number): void {
    const h = this.heap;
    const t = h[i];
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(t, h[p])) break;
      h[i] = h[p];
      h[i].heapIndex = i;
      i = p;
    }
    h[i] = t;
    t.heapIndex = i;
  }

  private siftDown(i: number): void {
    const h = this.heap;
    const n = h.length;
    const t = h[i];
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.less(h[r], h[l]) ? r : l;
      if (!this.less(h[c], t)) break;
      h[i] = h[c];
      h[i].heapIndex = i;
      i = c;
    }
    h[i] = t;
    t.heapIndex = i;
  }

  private removeAt(i: number): void {
    const h = this.heap;
    const t = h[i];
    const last = h.pop()!;
    t.heapIndex = -1;
    if (i < h.length) {
      h[i] = last;
      last.heapIndex = i;
      this.siftUp(i);
      this.siftDown(last.heapIndex);
    }
  }
}

/** Test clock: time moves only through {@link ManualClock.advance}. */
export class ManualClock extends Clock {
  private t: number;

  /** @param start the initial time in ms (arbitrary; only differences matter) */
  constructor(start = 1_000_000) {
    super();
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  protected rearm(): void {}

  protected override beforeFire(expires: number): void {
    if (expires > this.t) this.t = expires;
  }

  /** Moves time forward by ms, firing due timers at their own expiry times, in order. */
  advance(ms: number): void {
    const target = this.t + ms;
    this.runDue(target);
    this.t = target;
  }

  /** Advances to an absolute time. */
  advanceTo(t: number): void {
    if (t > this.t) this.advance(t - this.t);
  }

  /** Fires whatever is due now without moving time. */
  runPending(): void {
    this.runDue(this.t);
  }

  /**
   * Time leaps by ms at once, as a real clock does after a suspend or a stalled event loop:
   * everything overdue fires at the new time, once, rather than at each of its expiries.
   */
  jump(ms: number): void {
    this.t += ms;
    this.runDue(this.t);
  }
}

/**
 * Real monotonic time (performance.now()), with one Node timer armed for the earliest expiry.
 * `unref` lets an embedding program exit while only tapstack timers are pending.
 */
export class RealClock extends Clock {
  private handle: NodeJS.Timeout | null = null;
  private armedFor = Infinity;
  private readonly onTimeout = (): void => {
    this.handle = null;
    this.armedFor = Infinity;
    this.runDue(this.now());
  };

  /** @param unref let the process exit while only this clock's timer is pending (default: the timer keeps it alive until close()) */
  constructor(private readonly unref = false) {
    super();
  }

  /**
   * Whole milliseconds: timestamps in every neighbour entry stay small integers (V8 keeps them
   * inline instead of boxing a double per field), and timers need no finer grain.
   */
  now(): number {
    return Math.floor(performance.now());
  }

  override preciseNow(): number {
    return performance.now();
  }

  protected rearm(): void {
    const next = this.nextExpiry();
    if (next === this.armedFor) return;
    if (this.handle) clearTimeout(this.handle);
    this.handle = null;
    this.armedFor = next;
    if (next === Infinity) return;
    // setTimeout can fire a little early relative to performance.now(); runDue only fires what is
    // due and rearm() then waits again for the rest.
    const delay = Math.max(0, Math.ceil(next - this.now()));
    this.handle = setTimeout(this.onTimeout, delay);
    if (this.unref) this.handle.unref();
  }

  /** Stops the underlying Node timer (pending tapstack timers stay queued but never fire). */
  stop(): void {
    if (this.handle) clearTimeout(this.handle);
    this.handle = null;
    this.armedFor = Infinity;
  }
}
