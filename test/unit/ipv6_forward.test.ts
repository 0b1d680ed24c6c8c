// ip6_forward between two devices of one stack: hop limit, time exceeded, packet too big,
// link-local scope, and the router's NA flags (R set while forwarding).
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { createPair } from '../../src/drivers/pair.js';
import { parseIn6 } from '../../src/ipv6/in6_addr.js';
import { Stack } from '../../src/stack.js';

const stacks: Stack[] = [];
afterEach(async () => {
  for (const s of stacks.splice(0)) await s.close();
});

function mac(n: number): Buffer {
  return Buffer.from([0x02, 0, 0, 0, 0, n]);
}

/** A — r1 [R] r2 — B, with default routes via R on both hosts. */
function topology() {
  const clock = new ManualClock();
  const mk = (): Stack => {
    const s = new Stack({ clock, random: () => 0.5 });
    stacks.push(s);
    return s;
  };
  const A = mk();
  const R = mk();
  const B = mk();
  const [a0, r1] = createPair('a0', 'r1', mac(1), mac(2));
  const [r2, b0] = createPair('r2', 'b0', mac(3), mac(4));
  A.addDevice(a0);
  R.addDevice(r1);
  R.addDevice(r2);
  B.addDevice(b0);
  R.sysctl.set('net.ipv6.conf.all.forwarding', '1');
  A.addAddress(a0, 'fd00:1::2/64', { nodad: true });
  R.addAddress(r1, 'fd00:1::1/64', { nodad: true });
  R.addAddress(r2, 'fd00:2::1/64', { nodad: true });
  B.addAddress(b0, 'fd00:2::2/64', { nodad: true });
  A.inet6.fib.addRoute({ dst: parseIn6('::')!, prefixLen: 0, gw: parseIn6('fd00:1::1'), dev: a0 });
  B.inet6.fib.addRoute({ dst: parseIn6('::')!, prefixLen: 0, gw: parseIn6('fd00:2::1'), dev: b0 });
  clock.advance(3000);
  return { clock, A, R, B, r2 };
}

describe('ip6_forward', () => {
  it('forwards both ways, decrementing the hop limit, and answers NS with the router flag', async () => {
    const { clock, A, R, B } = topology();
    const p = A.ping('fd00:2::2', { count: 2, interval: 0.1 });
    clock.advance(1000);
    const r = await p;
    expect(r.received).toBe(2);
    expect(r.replies[0].ttl).toBe(63);
    expect(R.stats().ip6.outForwDatagrams).toBe(4);
    const gw = A.neighbours('inet6').find((n) => n.dst === 'fd00:1::1')!;
    expect(gw.isRouter).toBe(true);
    expect(B.stats().icmp6.inEchos).toBe(2);
  });

  it('hop limit 1: time exceeded from the router', async () => {
    const { clock, A, R } = topology();
    const p = A.ping('fd00:2::2', { count: 1, ttl: 1 });
    clock.advance(1000);
    const r = await p;
    expect(r.errors).toBe(1);
    expect(r.lines[1]).toBe('From fd00:1::1 icmp_seq=1 Time exceeded: Hop limit');
    expect(R.stats().ip6.drops.hopLimitExceeded).toBe(1);
    expect(R.stats().icmp6.outTimeExcds).toBe(1);
  });

  it('over the outgoing MTU: packet too big with that MTU', async () => {
    const { clock, A, R } = topology();
    R.sysctl.set('net.ipv6.conf.r2.mtu', '1280');
    const p = A.ping('fd00:2::2', { count: 1, size: 1300 });
    clock.advance(1000);
    const r = await p;
    expect(r.lines[1]).toBe('From fd00:1::1 icmp_seq=1 Packet too big: mtu=1280');
    expect(R.stats().ip6.inTooBigErrors).toBe(1);
  });

  it('forwarding off: not ours, counted in InAddrErrors, nothing sent on', async () => {
    const { clock, A, R } = topology();
    R.sysctl.set('net.ipv6.conf.all.forwarding', '0');
    const p = A.ping('fd00:2::2', { count: 1, timeout: 1 });
    clock.advance(2000);
    const r = await p;
    expect(r.received).toBe(0);
    expect(R.stats().ip6.inAddrErrors).toBeGreaterThanOrEqual(1);
    expect(R.stats().ip6.drops.notForUs).toBeGreaterThanOrEqual(1);
    expect(R.stats().ip6.outForwDatagrams).toBe(0);
  });
});
