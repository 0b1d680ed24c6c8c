import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';

describe('ManualClock timers', () => {
  it('starts at the given time and only moves through advance()', () => {
    const c = new ManualClock(500);
    expect(c.now()).toBe(500);
    c.advance(0);
    expect(c.now()).toBe(500);
    c.advance(25);
    expect(c.now()).toBe(525);
    c.advanceTo(600);
    expect(c.now()).toBe(600);
    c.advanceTo(100); // never backwards
    expect(c.now()).toBe(600);
    expect(new ManualClock().now()).toBe(1_000_000);
  });

  it('fires in expiry order, ties in arming order, with now() at each expiry', () => {
    const c = new ManualClock(0);
    const log: Array<[string, number]> = [];
    const mk = (name: string) => c.timer((n: string) => log.push([n, c.now()]), name);
    const t30 = mk('t30');
    const t10a = mk('t10a');
    const t20 = mk('t20');
    const t10b = mk('t10b');
    const t10c = mk('t10c');
    t30.mod(30);
    t10a.mod(10);
    t20.mod(20);
    t10b.mod(10);
    t10c.mod(10);
    expect(c.pendingCount).toBe(5);
    expect(c.nextExpiry()).toBe(10);
    c.advance(100);
    expect(log).toEqual([
      ['t10a', 10],
      ['t10b', 10],
      ['t10c', 10],
      ['t20', 20],
      ['t30', 30],
    ]);
    expect(c.now()).toBe(100);
    expect(c.pendingCount).toBe(0);
    expect(c.nextExpiry()).toBe(Infinity);
  });

  it('does not fire timers whose expiry is past the target; fires exactly at the boundary', () => {
    const c = new ManualClock(0);
    let fired = 0;
    const t = c.timer(() => fired++, null);
    t.mod(50);
    c.advance(49);
    expect(fired).toBe(0);
    expect(t.pending).toBe(true);
    c.advance(1);
    expect(fired).toBe(1);
    expect(t.pending).toBe(false);
    expect(c.now()).toBe(50);
  });

  it('mod() re-arms a pending timer (returns true) and moves it in the order', () => {
    const c = new ManualClock(0);
    const log: string[] = [];
    const a = c.timer(() => log.push('a'), null);
    const b = c.timer(() => log.push('b'), null);
    expect(a.mod(10)).toBe(false);
    expect(b.mod(20)).toBe(false);
    expect(a.mod(30)).toBe(true); // was pending
    expect(a.expires).toBe(30);
    expect(c.pendingCount).toBe(2);
    c.advance(25);
    expect(log).toEqual(['b']);
    c.advance(10);
    expect(log).toEqual(['b', 'a']);
    // re-arming to an earlier time works too
    a.mod(1000);
    a.mod(40);
    c.advance(5);
    expect(log).toEqual(['b', 'a', 'a']);
    expect(c.pendingCount).toBe(0);
  });

  it('re-arming a tie moves it behind timers armed earlier at the same expiry', () => {
    const c = new ManualClock(0);
    const log: string[] = [];
    const a = c.timer(() => log.push('a'), null);
    const b = c.timer(() => log.push('b'), null);
    a.mod(10);
    b.mod(10);
    a.mod(10); // re-armed later: now behind b
    c.advance(10);
    expect(log).toEqual(['b', 'a']);
  });

  it('del() cancels and reports whether the timer was pending', () => {
    const c = new ManualClock(0);
    let fired = 0;
    const t = c.timer(() => fired++, null);
    const u = c.timer(() => fired += 10, null);
    t.mod(10);
    u.mod(15);
    expect(c.pendingCount).toBe(2);
    expect(t.del()).toBe(true);
    expect(t.pending).toBe(false);
    expect(t.del()).toBe(false);
    expect(c.pendingCount).toBe(1);
    c.advance(100);
    expect(fired).toBe(10);
  });

  it('a timer armed from a callback for before the target fires in the same advance, at its own time', () => {
    const c = new ManualClock(0);
    const log: Array<[string, number]> = [];
    const second = c.timer(() => log.push(['second', c.now()]), null);
    const late = c.timer(() => log.push(['late', c.now()]), null);
    const first = c.timer(() => {
      log.push(['first', c.now()]);
      second.mod(c.now() + 5); // 15 < 100
      late.mod(c.now() + 200); // 210 > 100
    }, null);
    first.mod(10);
    c.advance(100);
    expect(log).toEqual([
      ['first', 10],
      ['second', 15],
    ]);
    expect(c.now()).toBe(100);
    expect(c.pendingCount).toBe(1);
    expect(late.expires).toBe(210);
    c.advance(110);
    expect(log[2]).toEqual(['late', 210]);
  });

  it('a callback may re-arm its own timer (periodic) and each run sees its expiry', () => {
    const c = new ManualClock(0);
    const seen: number[] = [];
    const t = c.timer(() => {
      seen.push(c.now());
      if (seen.length < 4) t.mod(c.now() + 30);
    }, null);
    t.mod(30);
    c.advance(1000);
    expect(seen).toEqual([30, 60, 90, 120]);
    expect(c.pendingCount).toBe(0);
  });

  it('a callback may cancel another due timer before it runs', () => {
    const c = new ManualClock(0);
    const log: string[] = [];
    const b = c.timer(() => log.push('b'), null);
    const a = c.timer(() => {
      log.push('a');
      b.del();
    }, null);
    a.mod(5);
    b.mod(6);
    c.advance(10);
    expect(log).toEqual(['a']);
  });

  it('timer with an expiry in the past fires on runPending() without moving time', () => {
    const c = new ManualClock(100);
    let at = -1;
    const t = c.timer(() => (at = c.now()), null);
    t.mod(50);
    c.runPending();
    expect(at).toBe(100);
    expect(c.now()).toBe(100);
  });

  it('pendingCount tracks many timers through a heap of mixed operations', () => {
    const c = new ManualClock(0);
    const order: number[] = [];
    const ts = Array.from({ length: 50 }, (_, i) => c.timer((k: number) => order.push(k), i));
    // arm in a scrambled order
    for (let i = 0; i < 50; i++) ts[(i * 17) % 50].mod(((i * 17) % 50) * 3 + 1);
    expect(c.pendingCount).toBe(50);
    for (let i = 0; i < 50; i += 5) ts[i].del();
    expect(c.pendingCount).toBe(40);
    c.advance(1000);
    const expected = Array.from({ length: 50 }, (_, i) => i).filter((i) => i % 5 !== 0);
    expect(order).toEqual(expected);
    expect(c.pendingCount).toBe(0);
  });
});
