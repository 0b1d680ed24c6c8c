// `tapstack ping` when nobody answers, and its timing edge cases, on the manual clock: stack A
// (tap0 10.0.0.1/24) pings through the control channel over an in-memory pair to B (10.0.0.2).
// The expected texts, counts, end times and exit statuses are those iputils 20221126 ping showed
// against Linux 6.x in a scratch namespace (10.0.0.1/24 on a veth, nobody owning 10.0.0.97):
//   ping -c 1 10.0.0.97          3.0 s, "From 10.0.0.1 icmp_seq=1 Destination Host Unreachable", +1 errors
//   ping -c 1 -W 5 10.0.0.97     3.0 s, the same (it ends once every request is answered or failed)
//   ping -c 1 -w 2 10.0.0.97     2.0 s, 2 packets transmitted, time 1008ms
//   ping -c 3 -i 0.2 10.0.0.97   3.0 s, +3 errors, time 404ms, "pipe 3"
//   ping -w 3 10.0.0.97          3.0 s, 3 transmitted, no errors (the deadline comes first)
//   ping -w 5 10.0.0.97          3.0 s, 3 transmitted, +3 errors, "pipe 3" (-w ends at an error; now
//                                and then 4 transmitted, when the 4th request, late by some 10 ms a
//                                second, beats the kernel's own late failure)
//   ping -c 1 -W 3 10.0.0.97     3.0 s, no errors (the linger timer comes first)
//   ping -c 3 -i 0.001 ...97     time 23ms (below 10 ms iputils waits 10 ms for an answer)
//   ping -c 3 -i 0.2 (seq 2 dropped)  33.3333% packet loss, 0.6 s; -c 2 -W 3 (seq 2 dropped) 2.0 s
//   ping -s 8                    no "time=" and no rtt line
//   as a user: -i 0.001          header, then "ping: cannot flood; minimal interval allowed for user is 2ms", status 2
//   as root: -i 0.001 works; -i 0 adds ", ipg/ewma ..." to the rtt line
// Each summary ends with the line iputils prints after it: the rtt line, "pipe N", or an empty one.
import { afterEach, describe, expect, it } from 'vitest';
import { LocalChannel } from '../../src/control/channel.js';
import { ControlHandler } from '../../src/control/handler.js';
import { bufferIO } from '../../src/cli/io.js';
import { pingCommand } from '../../src/cli/ping_cmd.js';
import { formatG } from '../../src/socket/ping.js';
import { MAC_01, MAC_02, closeStacks, twoStacks, type TwoStacks } from '../helpers/two_stacks.js';

let cleanup: (() => void)[] = [];
afterEach(async () => {
  for (const c of cleanup) c();
  cleanup = [];
  await closeStacks();
});

interface Env extends TwoStacks {
  ch: LocalChannel;
}

function setup(): Env {
  const env = twoStacks({ names: ['tap0', 'peer0'], macs: [MAC_01, MAC_02] });
  const ch = new LocalChannel(new ControlHandler(env.A));
  cleanup.push(() => ch.close());
  // An address whose neighbour answers ARP (B's MAC, by hand) but nothing else: B drops it.
  env.A.neighAdd({ dst: '10.0.0.50', dev: 'tap0', lladdr: '02:00:00:00:00:02' });
  return { ...env, ch };
}

interface Run {
  code: number;
  out: string;
  err: string;
  /** Clock milliseconds from the start to the summary line. */
  endMs: number;
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/**
 * Runs `tapstack ping ARGV` while the clock moves `stepMs` per turn of the event loop (so a time
 * is known to a step); `at` runs once the clock has passed each of its times.
 */
async function ping(env: Env, argv: string[], o: { uid?: number; stepMs?: number; maxMs?: number; at?: [number, () => void][]; abortAtMs?: number } = {}): Promise<Run> {
  const io = bufferIO();
  const t0 = env.clock.now();
  let endMs = -1;
  const out = io.out.bind(io);
  io.out = (s: string): void => {
    if (/packets transmitted/.test(s)) endMs = env.clock.now() - t0;
    out(s);
  };
  const ac = new AbortController();
  let done = false;
  const p = pingCommand(argv, env.ch, io, { uid: o.uid ?? 0, signal: ac.signal }).finally(() => {
    done = true;
  });
  const at = [...(o.at ?? [])];
  const step = o.stepMs ?? 10;
  while (!done && env.clock.now() - t0 < (o.maxMs ?? 20000)) {
    await tick();
    if (done) break;
    env.clock.advance(step);
    const t = env.clock.now() - t0;
    while (at.length > 0 && at[0][0] <= t) at.shift()![1]();
    if (o.abortAtMs !== undefined && t >= o.abortAtMs) ac.abort();
  }
  const code = await p;
  return { code, out: io.stdout, err: io.stderr, endMs };
}

const HDR = (dst: string): string => `PING ${dst} (${dst}) 56(84) bytes of data.\n`;
const unreach = (seqs: number[]): string => seqs.map((s) => `From 10.0.0.1 icmp_seq=${s} Destination Host Unreachable\n`).join('');
const stats = (dst: string, line: string, last = ''): string => `\n--- ${dst} ping statistics ---\n${line}\n${last}\n`;
const reply = (seq: number): string => `64 bytes from 10.0.0.2: icmp_seq=${seq} ttl=64 time=0.000 ms\n`;

describe('tapstack ping when nobody answers (iputils 20221126)', () => {
  it('-c 1: the neighbour gives up after 3 probes; Destination Host Unreachable, +1 errors, ends at 3 s, status 1', async () => {
    const env = setup();
    const r = await ping(env, ['-c', '1', '10.0.0.97']);
    expect([r.code, r.err]).toEqual([1, '']);
    expect(r.out).toBe(HDR('10.0.0.97') + unreach([1]) + stats('10.0.0.97', '1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 0ms'));
    expect(r.endMs).toBe(3000);
  });

  it('-c 1 -W 5: ends once every request failed (3 s), not after the linger time', async () => {
    const env = setup();
    const r = await ping(env, ['-c', '1', '-W', '5', '10.0.0.97']);
    expect([r.code, r.err]).toEqual([1, '']);
    expect(r.out).toBe(HDR('10.0.0.97') + unreach([1]) + stats('10.0.0.97', '1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 0ms'));
    expect(r.endMs).toBe(3000);
  });

  it('-c 1 -W 3: the linger time ends it first; the error that follows prints nothing', async () => {
    const env = setup();
    const r = await ping(env, ['-c', '1', '-W', '3', '10.0.0.97'], { maxMs: 5000 });
    expect(r.out).toBe(HDR('10.0.0.97') + stats('10.0.0.97', '1 packets transmitted, 0 received, 100% packet loss, time 0ms'));
    expect([r.code, r.endMs]).toEqual([1, 3000]);
  });

  it('-c 1 -w 2: requests go on until the deadline (2 sent, time 1000ms), status 1', async () => {
    const env = setup();
    const r = await ping(env, ['-c', '1', '-w', '2', '10.0.0.97']);
    expect([r.code, r.err]).toEqual([1, '']);
    expect(r.out).toBe(HDR('10.0.0.97') + stats('10.0.0.97', '2 packets transmitted, 0 received, 100% packet loss, time 1000ms'));
    expect(r.endMs).toBe(2000);
  });

  it('-c 3 -i 0.2: three errors when the neighbour fails, "pipe 3", ends at 3 s', async () => {
    const env = setup();
    const r = await ping(env, ['-c', '3', '-i', '0.2', '10.0.0.97']);
    expect(r.out).toBe(HDR('10.0.0.97') + unreach([1, 2, 3]) + stats('10.0.0.97', '3 packets transmitted, 0 received, +3 errors, 100% packet loss, time 400ms', 'pipe 3'));
    expect([r.code, r.endMs]).toEqual([1, 3000]);
  });

  it('-w 3: the deadline comes before the failure: 3 sent, no errors', async () => {
    const env = setup();
    const r = await ping(env, ['-w', '3', '10.0.0.97']);
    expect(r.out).toBe(HDR('10.0.0.97') + stats('10.0.0.97', '3 packets transmitted, 0 received, 100% packet loss, time 2000ms'));
    expect([r.code, r.endMs]).toEqual([1, 3000]);
  });

  it('-w 5: the first error ends a run with a deadline: 3 sent, +3 errors, at 3 s', async () => {
    const env = setup();
    const r = await ping(env, ['-w', '5', '10.0.0.97']);
    expect(r.out).toBe(HDR('10.0.0.97') + unreach([1, 2, 3]) + stats('10.0.0.97', '3 packets transmitted, 0 received, +3 errors, 100% packet loss, time 2000ms', 'pipe 3'));
    expect([r.code, r.endMs]).toEqual([1, 3000]);
  });

  it('-q keeps the error count in the summary', async () => {
    const env = setup();
    const r = await ping(env, ['-q', '-c', '2', '10.0.0.97']);
    expect(r.out).toBe(HDR('10.0.0.97') + stats('10.0.0.97', '2 packets transmitted, 0 received, +2 errors, 100% packet loss, time 1000ms', 'pipe 2'));
  });

  it('a host that answers ARP but not ping: iputils waits 10 s after the last request (-W)', async () => {
    const env = setup();
    const r = await ping(env, ['-c', '2', '10.0.0.50'], { stepMs: 100 });
    expect(r.out).toBe(HDR('10.0.0.50') + stats('10.0.0.50', '2 packets transmitted, 0 received, 100% packet loss, time 1000ms'));
    expect([r.code, r.endMs]).toEqual([1, 11000]);
    const w = await ping(env, ['-c', '1', '-W', '0.5', '10.0.0.50']);
    expect(w.endMs).toBe(500);
  });

  it('-W 0 sets no limit: only an error, the deadline or Ctrl-C ends it', async () => {
    const env = setup();
    const r = await ping(env, ['-c', '1', '-W', '0', '10.0.0.97']);
    expect([r.code, r.endMs]).toEqual([1, 3000]);
    expect(r.out).toContain('+1 errors');
    const silent = await ping(env, ['-c', '1', '-W', '0', '10.0.0.50'], { stepMs: 100, abortAtMs: 15000 });
    expect([silent.code, silent.endMs]).toEqual([1, 15000]);
  });

  it('below 10 ms, a request that is not answered holds the next one 10 ms (time 20ms for 3)', async () => {
    const env = setup();
    const r = await ping(env, ['-c', '3', '-i', '0.001', '10.0.0.97'], { stepMs: 1 , maxMs: 4000 });
    expect(r.out).toBe(HDR('10.0.0.97') + unreach([1, 2, 3]) + stats('10.0.0.97', '3 packets transmitted, 0 received, +3 errors, 100% packet loss, time 20ms', 'pipe 3'));
  });
});

describe('tapstack ping with replies lost, small intervals and users (iputils 20221126)', () => {
  it('one reply of three lost: 33.3333% packet loss; the wait after the last request is max(2 x RTT, interval)', async () => {
    const env = setup();
    // B has no address while request 2 is on its way, so it drops it.
    const r = await ping(env, ['-c', '3', '-i', '0.2', '10.0.0.2'], {
      at: [[100, () => env.B.delAddress('peer0', '10.0.0.2/24')], [300, () => env.B.addAddress('peer0', '10.0.0.2/24')]],
    });
    expect(r.out).toBe(HDR('10.0.0.2') + reply(1) + reply(3) + stats('10.0.0.2', '3 packets transmitted, 2 received, 33.3333% packet loss, time 400ms', 'rtt min/avg/max/mdev = 0.000/0.000/0.000/0.000 ms'));
    // Request 3 was answered: all requests are accounted for... except 2, so it waits 200 ms.
    expect([r.code, r.endMs]).toEqual([0, 600]);
  });

  it('-W does not apply once replies came: -c 2 -W 3 with the second lost ends 1 s after it', async () => {
    const env = setup();
    const r = await ping(env, ['-c', '2', '-W', '3', '10.0.0.2'], { at: [[500, () => env.B.delAddress('peer0', '10.0.0.2/24')]] });
    expect(r.out).toContain('2 packets transmitted, 1 received, 50% packet loss, time 1000ms\n');
    expect([r.code, r.endMs]).toEqual([0, 2000]);
  });

  it('-s below 16: no room for the timestamp, so no times and no rtt line', async () => {
    const env = setup();
    const r = await ping(env, ['-c', '2', '-i', '0.2', '-s', '8', '10.0.0.2']);
    expect(r.out).toBe('PING 10.0.0.2 (10.0.0.2) 8(36) bytes of data.\n16 bytes from 10.0.0.2: icmp_seq=1 ttl=64\n16 bytes from 10.0.0.2: icmp_seq=2 ttl=64\n' +
      stats('10.0.0.2', '2 packets transmitted, 2 received, 0% packet loss, time 200ms'));
  });

  it('a user other than root may not go below 2 ms: the header, then iputils\' message, status 2', async () => {
    const env = setup();
    expect(await ping(env, ['-c', '2', '-i', '0.001', '10.0.0.2'], { uid: 1000 })).toMatchObject({
      code: 2, out: HDR('10.0.0.2'), err: 'ping: cannot flood; minimal interval allowed for user is 2ms\n',
    });
    expect(await ping(env, ['-c', '2', '-i', '-1', '10.0.0.2'], { uid: 1000 })).toMatchObject({ code: 2, err: 'ping: cannot flood; minimal interval allowed for user is 2ms\n' });
    // (int)(0.0019 * 1000) is 1 ms.
    expect((await ping(env, ['-c', '2', '-i', '0.0019', '10.0.0.2'], { uid: 1000 })).code).toBe(2);
    // Without a route, connect() fails first, before the header.
    expect(await ping(env, ['-c', '2', '-i', '0.001', '8.8.8.8'], { uid: 1000 })).toMatchObject({ code: 2, out: '', err: 'ping: connect: Network is unreachable\n' });
    const ok = await ping(env, ['-c', '2', '-i', '0.002', '10.0.0.2'], { uid: 1000, stepMs: 1 });
    expect([ok.code, ok.err]).toEqual([0, '']);
    expect(ok.out).toContain('2 packets transmitted, 2 received, 0% packet loss, time 2ms\n');
  });

  it('root may go below 2 ms; -i 0 sends as fast as the replies come and adds ipg/ewma', async () => {
    const env = setup();
    const r = await ping(env, ['-c', '2', '-i', '0.001', '10.0.0.2'], { stepMs: 1 });
    expect([r.code, r.err]).toEqual([0, '']);
    expect(r.out).toBe(HDR('10.0.0.2') + reply(1) + reply(2) + stats('10.0.0.2', '2 packets transmitted, 2 received, 0% packet loss, time 1ms', 'rtt min/avg/max/mdev = 0.000/0.000/0.000/0.000 ms'));
    const z = await ping(env, ['-c', '3', '-i', '0', '10.0.0.2']);
    expect(z.out).toBe(HDR('10.0.0.2') + reply(1) + reply(2) + reply(3) +
      stats('10.0.0.2', '3 packets transmitted, 3 received, 0% packet loss, time 0ms', 'rtt min/avg/max/mdev = 0.000/0.000/0.000/0.000 ms, ipg/ewma 0.000/0.000 ms'));
  });

  it('TS_PING takes any interval from 0 and a minInterval floor; the refusal names the limit', async () => {
    const env = setup();
    const lines: string[] = [];
    const err = await env.ch.call('TS_PING', { dst: '10.0.0.2', count: 1, interval: 0.0005, minInterval: 0.002 }, 0, (r) => lines.push(r.line!)).catch((e: Error) => e);
    expect(err).toMatchObject({ errno: -1, message: 'ping: cannot flood; minimal interval allowed for user is 2ms' });
    expect(lines).toEqual(['PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.']);
    const ok = await env.ch.call('TS_PING', { dst: '10.0.0.2', count: 1, interval: 0 });
    expect(ok.body).toMatchObject({ transmitted: 1, received: 1 });
  });
});

describe('stack.ping() follows the same loop', () => {
  it('resolves once every request failed, with the errors; a deadline lets requests go past count', async () => {
    const { A, clock } = twoStacks();
    let end = -1;
    const t0 = clock.now();
    const p = A.ping('10.0.0.97', { count: 1 }).finally(() => (end = clock.now() - t0));
    for (let i = 0; i < 40 && end < 0; i++) {
      clock.advance(100);
      await tick();
    }
    const r = await p;
    expect([r.transmitted, r.received, r.errors, end]).toEqual([1, 0, 1, 3000]);
    expect(r.lines.slice(-3)).toEqual(['--- 10.0.0.97 ping statistics ---', '1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 0ms', '']);
    const d = A.ping('10.0.0.97', { count: 1, deadline: 2 });
    clock.advance(2000);
    expect(await d).toMatchObject({ transmitted: 2, errors: 0, timeMs: 1000 });
  });

  it('packet loss prints as %g does', () => {
    expect([100, 0, 50, Math.fround(100 / 3), Math.fround(200 / 3), Math.fround(100 / 7), 1e-4, Math.fround(100 / 3e6), 99.9999999].map(formatG)).toEqual([
      '100', '0', '50', '33.3333', '66.6667', '14.2857', '0.0001', '3.33333e-05', '100',
    ]);
  });
});
