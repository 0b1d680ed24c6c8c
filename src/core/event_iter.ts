// A push-fed async iterator: events are buffered until the consumer pulls them, and the iterator
// ends when its producer says so (the stack closes) or when the consumer stops (return(), break
// out of `for await`, an AbortSignal). The role netlink socket receive queues play for
// `ip monitor`: a listener that is slow does not slow the stack, it only buffers.

/** Options of an {@link EventIterator}. */
export interface EventIteratorOptions {
  /**
   * Most events kept while the consumer is not pulling; when full, the oldest is dropped and
   * counted in {@link EventIterator.dropped}. Default: unbounded.
   */
  maxBuffered?: number;
  /** Called once when the iterator ends for any reason (the producer detaches its listeners here). */
  onEnd?: () => void;
}

/** An `AsyncIterableIterator` fed with {@link EventIterator.push} and ended with {@link EventIterator.end}. */
export class EventIterator<T> implements AsyncIterableIterator<T> {
  private readonly buffer: T[] = [];
  private head = 0;
  private readonly waiters: ((r: IteratorResult<T, undefined>) => void)[] = [];
  private ended = false;
  private readonly maxBuffered: number;
  private onEnd: (() => void) | null;
  /** Events dropped because the buffer was full ({@link EventIteratorOptions.maxBuffered}). */
  dropped = 0;

  constructor(opts: EventIteratorOptions = {}) {
    const m = opts.maxBuffered ?? Infinity;
    if (!(m >= 1)) throw new RangeError('maxBuffered must be at least 1');
    this.maxBuffered = m;
    this.onEnd = opts.onEnd ?? null;
  }

  /** True once the iterator has ended (buffered events may still be waiting to be read). */
  get done(): boolean {
    return this.ended;
  }

  /** Events waiting to be read. */
  get buffered(): number {
    return this.buffer.length - this.head;
  }

  /** Hands an event to a waiting consumer or buffers it; ignored after end(). */
  push(ev: T): void {
    if (this.ended) return;
    const w = this.waiters.shift();
    if (w) {
      w({ value: ev, done: false });
      return;
    }
    if (this.buffered >= this.maxBuffered) {
      this.head++;
      this.dropped++;
    }
    this.buffer.push(ev);
    if (this.head > 1024 && this.head * 2 > this.buffer.length) {
      this.buffer.splice(0, this.head);
      this.head = 0;
    }
  }

  /**
   * Ends the iterator. With `discard` the buffered events are thrown away (the consumer asked to
   * stop); without, they are still delivered before `done`.
   */
  end(discard = false): void {
    if (discard) {
      this.buffer.length = 0;
      this.head = 0;
    }
    if (this.ended) return;
    this.ended = true;
    for (const w of this.waiters.splice(0)) w({ value: undefined, done: true });
    const f = this.onEnd;
    this.onEnd = null;
    f?.();
  }

  next(): Promise<IteratorResult<T, undefined>> {
    if (this.head < this.buffer.length) {
      const value = this.buffer[this.head];
      this.buffer[this.head++] = undefined as T;
      if (this.head === this.buffer.length) {
        this.buffer.length = 0;
        this.head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Stops the iteration (what `break` in `for await` calls): buffered events are discarded. */
  return(): Promise<IteratorResult<T, undefined>> {
    this.end(true);
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
