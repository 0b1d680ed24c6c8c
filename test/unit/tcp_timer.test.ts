// The connection timers on the manual clock, against Linux's timing (reference/tcp.md §3.1, §3.4,
// §3.5): SYN retransmissions with tcp_syn_linear_timeouts and the tcp_syn_retries time budget,
// SYN-ACK retransmissions, the RTO's doubling and tcp_retries2, zero-window probes, keepalive,
// TIME_WAIT and the orphan's FIN_WAIT2.
import { afterEach, describe, expect, it } from 'vitest';
import { TCP_CLOSE, TCP_ESTABLISHED, TCP_FIN_WAIT2, TCP_TIME_WAIT } from '../../src/tcp/tcp_states.js';
import { tcpModelTimeout } from '../../src/tcp/tcp_timer.js';
import { closeStacks } from '../helpers/two_stacks.js';
import { IP_B, recorder, tcpEnv } from './tcp_fixture.js';

afterEach(() => closeStacks());

describe('tcp_model_timeout', () => {
  it('gives Linux budgets: 15 s for 3 SYN retries, 127 s for 6, 924.6 s for tcp_retries2 15', () => {
    expect(tcpModelTimeout(3, 1000, 120000)).toBe(15000);
    expect(tcpModelTimeout(6, 1000, 120000)).toBe(127000);
    expect(tcpModelTimeout(15, 200, 120000)).toBe(924600);
  });
});

describe('SYN and SYN-ACK retransmissions', () => {
  it('SYNs at 0,1,2,3,4,5,7,11,19,35,67 s, ETIMEDOUT at 131 s', () => {
    const e = tcpEnv();
    e.drop = (s) => s.dir === 'AB';
    const rec = recorder();
    const t0 = e.clock.now();
    const sk = e.ta.connect({ remote: { family: 4, addr: IP_B }, port: 80 }, rec);
    rec.sk = sk;
    e.run(140000);
    const syns = e.log.filter((s) => s.flags === 'S').map((s) => (s.t - t0) / 1000);
    expect(syns).toEqual([0, 1, 2, 3, 4, 5, 7, 11, 19, 35, 67]);
    expect(rec.errors).toEqual([-110]);
    expect(sk.state).toBe(TCP_CLOSE);
    expect(e.ta.stats.attemptFails).toBe(1);
    expect(e.ta.statsExt.tcpSynRetrans).toBe(10);
  });

  it('tcp_syn_retries 3: eight SYNs and ETIMEDOUT at 19 s, as TCP_SYNCNT=3 measured', () => {
    const e = tcpEnv();
    e.ta.conf.tcpSynRetries = 3;
    e.drop = (s) => s.dir === 'AB';
    const rec = recorder();
    const t0 = e.clock.now();
    e.ta.connect({ remote: { family: 4, addr: IP_B }, port: 80 }, rec);
    let failedAt = 0;
    rec.onError = () => {
      failedAt = e.clock.now() - t0;
    };
    e.run(30000);
    expect(e.log.filter((s) => s.flags === 'S').length).toBe(8);
    expect(failedAt).toBe(19000);
  });

  it('SYN-ACKs at +1, +3, +7, +15, +31 s; the request is gone at 63 s', () => {
    const e = tcpEnv();
    const l = e.tb.listen({ local: null, family: 4, port: 80, backlog: 8 }, { onAcceptable() {} });
    // Only the SYN reaches B; nothing of A's gets through afterwards.
    let synSeen = false;
    e.drop = (s) => {
      if (s.dir === 'AB' && s.flags === 'S' && !synSeen) {
        synSeen = true;
        return false;
      }
      return true;
    };
    const t0 = e.clock.now();
    e.ta.connect({ remote: { family: 4, addr: IP_B }, port: 80 }, recorder());
    e.run(70000);
    const synacks = e.log.filter((s) => s.flags === 'S.').map((s) => (s.t - t0) / 1000);
    expect(synacks).toEqual([0, 1, 3, 7, 15, 31]);
    expect(e.tb.sockets().filter((s) => s.state === 3).length).toBe(0);
    expect(l.acceptQueueLength).toBe(0);
  });
});

describe('retransmission timeout', () => {
  it('the RTO is 200 ms after a tiny RTT and doubles; tcp_retries2 gives up at 924.6 s with ETIMEDOUT', () => {
    const e = tcpEnv();
    const { cli, cliRec } = e.establish();
    e.drop = (s) => s.dir === 'AB';
    const t0 = e.clock.now();
    cli.setNoDelay(true);
    cli.send(Buffer.alloc(1448 * 10, 1));
    let failedAt = 0;
    cliRec.onError = (err) => {
      cliRec.errors.push(err);
      failedAt = e.clock.now() - t0;
    };
    e.run(1000000);
    const data = e.log.filter((s) => s.dir === 'AB' && s.len > 0);
    const first = data[0].seq;
    // IW10 back to back, then one tail loss probe (the last segment again) after ~2·srtt + 2 ms.
    expect(data.slice(0, 10).every((s) => s.t === t0)).toBe(true);
    expect(data[10].seq).toBe(data[9].seq);
    expect(data[10].t - t0).toBeLessThan(10);
    expect(e.ta.statsExt.tcpLossProbes).toBe(1);
    // The first segment again at the RTO (srtt + max(4·rttvar, 200 ms), rounded up: 201), doubling.
    const tx = data.filter((s) => s.seq === first).map((s) => s.t - t0);
    expect(tx.slice(0, 6)).toEqual([0, 201, 603, 1407, 3015, 6231]);
    // Doubling stops at TCP_RTO_MAX (120 s).
    const gaps = tx.slice(1).map((t, i) => t - tx[i]);
    expect(Math.max(...gaps)).toBe(120000);
    expect(cliRec.errors).toEqual([-110]);
    expect(failedAt).toBeGreaterThanOrEqual(924600);
    expect(failedAt).toBeLessThan(924600 + 120000);
    expect(e.ta.statsExt.tcpTimeouts).toBeGreaterThan(10);
    expect(e.ta.statsExt.tcpAbortOnTimeout).toBe(1);
  });

  it('after a timeout cwnd is 1 and ssthresh CUBIC\'s 717/1024 of the flight (tcp_enter_loss with the default module)', () => {
    const e = tcpEnv();
    const { cli } = e.establish();
    e.drop = (s) => s.dir === 'AB' && s.len > 0;
    cli.send(Buffer.alloc(20000));
    e.run(201);
    const i = cli.info().tcpInfo!;
    expect(i.sndCwnd).toBe(1);
    expect(i.congestion).toBe('cubic');
    expect(i.sndSsthresh).toBe(7); // 10 · 717 / 1024; Reno would say 5
    expect(i.caState).toBe(4);
  });
});

describe('zero window and persist', () => {
  it('a receiver that does not read closes its window; probes are SEQ = SND.UNA − 1 and get the window; reading reopens it', () => {
    const e = tcpEnv();
    const { cli, srv, srvRec, cliRec } = e.establish();
    srvRec.autoRead = false;
    const big = Buffer.alloc(400000, 5);
    let sent = 0;
    const pump = () => {
      for (let n = cli.send(big.subarray(sent)); n > 0 && sent < big.length; n = cli.send(big.subarray(sent))) sent += n;
    };
    cliRec.onWritable = pump;
    pump();
    e.run(2000);
    const last = e.from('BA').at(-1)!;
    expect(last.win).toBe(0);
    expect(e.tb.statsExt.tcpToZeroWindowAdv).toBeGreaterThan(0);
    e.log.length = 0;
    e.run(10000);
    const probes = e.from('AB');
    // Backed off like the RTO: 2 probes between 2 s and 12 s (at ~3.4 and ~6.8 s).
    expect(probes.length).toBe(2);
    const una = last.ack;
    for (const p of probes) {
      expect(p.len).toBe(0);
      expect(p.seq).toBe((una - 1) >>> 0);
    }
    expect(probes[1].t - probes[0].t).toBeGreaterThan(probes[0].t - (e.clock.now() - 10000));
    // Each probe is answered with the (zero) window (pure ACKs out of the window: 1 per 500 ms).
    expect(e.from('BA').map((s) => s.win)).toEqual([0, 0]);
    expect(cli.info().timer).toBe('persist');
    expect(e.ta.statsExt.tcpWinProbe).toBeGreaterThanOrEqual(4);
    // Reading everything reopens the window and the transfer completes.
    let got = 0;
    srvRec.autoRead = true;
    srvRec.onReadable = () => {
      for (let b = srv.read(); b !== null; b = srv.read()) got += b.length;
    };
    srvRec.onReadable();
    for (let i = 0; i < 100 && got < big.length; i++) e.run(200);
    expect(got).toBe(big.length);
    expect(e.tb.statsExt.tcpFromZeroWindowAdv).toBeGreaterThan(0);
  });
});

describe('keepalive', () => {
  it('off by default; with setKeepAlive probes after the idle time and fails ETIMEDOUT after the count', () => {
    const e = tcpEnv();
    const { cli, cliRec } = e.establish();
    e.run(10000);
    expect(e.log.length).toBe(3);
    cli.setKeepAlive(true, 1000, 500, 3);
    e.run(1000);
    const probe = e.from('AB').at(-1)!;
    expect(probe.len).toBe(0);
    expect(probe.seq).toBe((e.log[2].seq - 1) >>> 0);
    expect(e.from('BA').length).toBe(2); // the SYN-ACK and the answer
    expect(cli.info().timer).toBe('keepalive');
    // The peer vanishes: three more probes 500 ms apart, then RST and ETIMEDOUT.
    e.drop = (s) => s.dir === 'BA';
    const n0 = e.from('AB').length;
    e.run(3000);
    const after = e.from('AB').slice(n0);
    expect(after.filter((s) => s.flags === '.').length).toBe(3);
    expect(after.at(-1)!.flags).toBe('R.');
    expect(cliRec.errors).toEqual([-110]);
    expect(e.ta.statsExt.tcpKeepAlive).toBe(4);
  });

  it('Linux defaults: the first probe after 7200 s', () => {
    const e = tcpEnv();
    const { cli } = e.establish();
    cli.setKeepAlive(true);
    const t0 = e.clock.now();
    e.run(7200 * 1000 + 1);
    const probes = e.from('AB').slice(1).filter((s) => s.t > t0);
    expect(probes.length).toBe(1);
    expect(probes[0].t - t0).toBe(7200 * 1000);
  });
});

describe('closing timers', () => {
  it('TIME_WAIT lasts 60 s and shows in sockets() as timewait', () => {
    const e = tcpEnv();
    const { cli, srv } = e.establish();
    cli.close();
    e.run(1);
    srv.close();
    e.run(1);
    expect(cli.state).toBe(TCP_TIME_WAIT);
    const tw = e.ta.sockets().find((s) => s.state === TCP_TIME_WAIT)!;
    expect(tw.timer).toBe('timewait');
    expect(tw.timerExpiresMs).toBe(59999);
    e.run(59998);
    expect(cli.state).toBe(TCP_TIME_WAIT);
    e.run(2);
    expect(cli.state).toBe(TCP_CLOSE);
    expect(e.ta.sockets().length).toBe(0);
  });

  it('an orphan in FIN_WAIT2 is dropped after tcp_fin_timeout (60 s); a half-closed socket waits', () => {
    const e = tcpEnv();
    const { cli, srv } = e.establish();
    cli.shutdownWrite();
    e.run(100000);
    expect(cli.state).toBe(TCP_FIN_WAIT2);
    cli.close();
    e.run(59999);
    expect(cli.state).toBe(TCP_FIN_WAIT2);
    e.run(2);
    expect(cli.state).toBe(TCP_CLOSE);
    expect(srv.state).not.toBe(TCP_ESTABLISHED);
  });
});
