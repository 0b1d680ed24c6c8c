// CUBIC and Reno against hand-computed traces of net/ipv4/tcp_cubic.c / tcp_cong.c behaviour,
// on a fake connection with an explicit µs clock.
import { describe, expect, it } from 'vitest';
import { tcpCaFind, tcpCaNames, type TcpCongSock } from '../../src/tcp/tcp_cong.js';
import '../../src/tcp/tcp_reno.js';
import '../../src/tcp/tcp_cubic.js';
import { TCP_CA_Loss, TCP_CA_Open } from '../../src/tcp/tcp_states.js';

function fakeSock(cwnd = 10, ssthresh = 0x7fffffff): TcpCongSock & { now: number } {
  return {
    sndCwnd: cwnd, sndSsthresh: ssthresh, sndCwndCnt: 0, sndCwndClamp: 100000, mssCache: 1448, srttUs: 10000, minRttUs: 10000,
    packetsInFlight: cwnd, isCwndLimited: true, caState: TCP_CA_Open, sndUna: 0, sndNxt: 0, now: 0,
    get tcpMstamp() { return this.now; },
  } as TcpCongSock & { now: number };
}

describe('congestion control', () => {
  it('both modules are registered, reno first', () => {
    expect(tcpCaNames()).toEqual(['reno', 'cubic']);
  });

  it('Reno: slow start doubles per window of ACKs, then +1 segment per window; loss halves', () => {
    const sk = fakeSock(10, 20);
    const reno = tcpCaFind('reno')!.create(sk);
    reno.congAvoid(1, 10);
    expect(sk.sndCwnd).toBe(20); // capped by ssthresh in slow start
    for (let i = 0; i < 20; i++) reno.congAvoid(1, 1);
    expect(sk.sndCwnd).toBe(21);
    expect(reno.ssthresh()).toBe(10);
    sk.sndCwnd = 3;
    expect(reno.ssthresh()).toBe(2);
  });

  it('CUBIC: loss at W_max = 100 gives ssthresh 70 and fast convergence lowers W_max on a second, lower loss', () => {
    const sk = fakeSock(100, 50);
    const c = tcpCaFind('cubic')!.create(sk) as unknown as { ssthresh(): number; lastMaxCwnd: number };
    expect(c.ssthresh()).toBe(70); // 100 · 717 / 1024
    expect(c.lastMaxCwnd).toBe(100);
    sk.sndCwnd = 80;
    expect(c.ssthresh()).toBe(56);
    expect(c.lastMaxCwnd).toBe(Math.floor((80 * (1024 + 717)) / 2048)); // 68
  });

  it('CUBIC: after a loss the window follows W(t) = C(t−K)³ + W_max: concave up to W_max at t = K, then convex', () => {
    const sk = fakeSock(100, 0x7fffffff);
    const c = tcpCaFind('cubic')!.create(sk);
    sk.sndSsthresh = c.ssthresh(); // W_max 100
    sk.sndCwnd = sk.sndSsthresh; // 70
    // K = cbrt(W_max·(1−β)/C) = cbrt(100·0.3/0.4) ≈ 4.22 s
    const K = Math.cbrt((100 * (1 - 717 / 1024)) / 0.4);
    // A long RTT keeps the Reno-friendly window (≈0.53 segment per RTT) below the cubic one.
    const rttUs = 500000;
    // Time starts at 1 s: Linux's epoch_start 0 means "no epoch".
    const T0 = 1e6;
    let t = T0;
    const at: Record<number, number> = {};
    while (t < T0 + 8e6) {
      // One RTT: a window of ACKs.
      const w = sk.sndCwnd;
      for (let i = 0; i < w; i++) {
        sk.now = t + (i * rttUs) / w;
        c.congAvoid(1, 1);
      }
      t += rttUs;
      for (const s of [1, 2, 3, 4, 5, 6, 7]) if (at[s] === undefined && t - T0 >= s * 1e6) at[s] = sk.sndCwnd;
    }
    const W = (s: number) => 0.4 * (s - K) ** 3 + 100;
    // Within one RTT of growth (the window moves in RTT steps here).
    for (const s of [1, 2, 3, 5, 6]) expect(Math.abs(at[s] - W(s))).toBeLessThan(Math.max(4, 0.1 * W(s)));
    // Concave: the growth from 3 s to 4 s is smaller than from 1 s to 2 s; convex after K.
    expect(at[4] - at[3]).toBeLessThan(at[2] - at[1]);
    expect(at[7] - at[6]).toBeGreaterThan(at[6] - at[5]);
  });

  it('CUBIC: HyStart leaves slow start when the RTT grows by more than the threshold', () => {
    const sk = fakeSock(16, 0x7fffffff);
    const c = tcpCaFind('cubic')!.create(sk);
    sk.now = 1;
    // ACKs far apart (no ack train). Round 1: RTT 10 ms (delay_min). Round 2: 30 ms, beyond
    // delay_min + max(delay_min/8, 4 ms) once 8 samples are in.
    const samples = (rtt: number, n: number) => {
      for (let i = 0; i < n; i++) {
        sk.now += 5000;
        c.pktsAcked({ pktsAcked: 1, rttUs: rtt, inFlight: 16 });
      }
    };
    samples(10000, 9);
    expect(sk.sndSsthresh).toBe(0x7fffffff);
    (sk as { sndNxt: number }).sndNxt = 1000;
    c.congAvoid(1, 1); // the ACK passes the round's end: a new round (hystart_reset)
    const cwnd = sk.sndCwnd;
    samples(30000, 8);
    expect(sk.sndSsthresh).toBe(0x7fffffff);
    samples(30000, 1);
    expect(sk.sndSsthresh).toBe(cwnd);
  });

  it('CUBIC: a loss (CA_Loss) resets the epoch; undo restores the window before the reduction', () => {
    const sk = fakeSock(40, 20);
    const c = tcpCaFind('cubic')!.create(sk) as unknown as { ssthresh(): number; setState(s: number): void; undoCwnd(): number; epochStart: number; lastMaxCwnd: number };
    c.ssthresh();
    sk.sndCwnd = 1;
    c.setState(TCP_CA_Loss);
    expect(c.epochStart).toBe(0);
    expect(c.lastMaxCwnd).toBe(0);
    expect(c.undoCwnd()).toBe(40);
  });
});
