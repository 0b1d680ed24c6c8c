// The IPv6 route lookup cache (src/ipv6/route.ts, Rt6LookupCache): every answer it gives must be
// the one the table walk gives at that moment. Each test fills the cache with a lookup, changes
// one thing the answer depends on, and checks that the next lookup of the same key sees it.
import { afterEach, describe, expect, it } from 'vitest';
import { IFF_UP } from '../../src/core/netdevice.js';
import { PairDevice } from '../../src/drivers/pair.js';
import { parseIn6 } from '../../src/ipv6/in6_addr.js';
import {
  Fib6,
  ICMPV6_ROUTER_PREF_HIGH,
  ICMPV6_ROUTER_PREF_LOW,
  INFINITY_LIFE_TIME,
  RT6_LOOKUP_F_HAS_SADDR,
  RTF_CACHE,
  RTN_LOCAL,
  RTN_UNICAST,
  type Rt6Info,
} from '../../src/ipv6/route.js';
import { NUD_FAILED, NUD_NONE, NUD_REACHABLE } from '../../src/neighbour/nud.js';
import { closeStacks, twoStacks } from '../helpers/two_stacks.js';

afterEach(async () => {
  await closeStacks();
});

const p = (s: string): Buffer => {
  const a = parseIn6(s);
  if (a === null) throw new Error(s);
  return a;
};

function dev(name: string): PairDevice {
  const d = new PairDevice(name);
  d.flags |= IFF_UP;
  return d;
}

const T0 = 1_000_000;

/** A host on `d` with fd00:1::a/64: fe80::/64, ff00::/8, its local routes and the prefix route. */
function host(f: Fib6, d: PairDevice): void {
  f.addLinkLocal(d);
  f.addLocal(d, p('fe80::a'));
  f.addPrefixRoute(d, p('fd00:1::a'), 64, INFINITY_LIFE_TIME, T0);
  f.addLocal(d, p('fd00:1::a'));
}

const show = (r: Rt6Info | null): string =>
  r === null ? 'none' : `${r.type === RTN_LOCAL ? 'local ' : ''}${r.dst.toString('hex')}/${r.prefixLen}${r.gw ? ' via ' + r.gw.toString('hex') : ''} dev ${r.dev.name}${r.flags & RTF_CACHE ? ' cache' : ''}`;

describe('the route lookup cache follows the table', () => {
  it('answers again what the walk answered (same object), destination read in place at any offset', () => {
    const f = new Fib6();
    const a0 = dev('a0');
    host(f, a0);
    const first = f.lookup(p('fd00:1::b'), 0, null);
    const frame = Buffer.alloc(40);
    p('fd00:1::b').copy(frame, 21);
    expect(f.lookup(frame, 21, null)).toBe(first);
    expect(f.lookup(p('fd00:1::b'), 0, null)).toBe(first);
    expect(first?.prefixLen).toBe(64);
  });

  it('a more specific route added after the lookup wins at once', () => {
    const f = new Fib6();
    const a0 = dev('a0');
    const a1 = dev('a1');
    host(f, a0);
    f.addRoute({ dst: p('2001:db8::'), prefixLen: 32, dev: a0 });
    expect(show(f.lookup(p('2001:db8:1::1'), 0, null))).toBe(`${p('2001:db8::').toString('hex')}/32 dev a0`);
    f.addRoute({ dst: p('2001:db8:1::'), prefixLen: 48, dev: a1 });
    expect(f.lookup(p('2001:db8:1::1'), 0, null)?.dev).toBe(a1);
    // and a route with a lower metric for the same prefix
    f.addRoute({ dst: p('2001:db8:1::'), prefixLen: 48, dev: a0, metric: 5 });
    expect(f.lookup(p('2001:db8:1::1'), 0, null)?.dev).toBe(a0);
  });

  it('a deleted route is no longer the answer; the last one gone leaves none', () => {
    const f = new Fib6();
    const a0 = dev('a0');
    f.addRoute({ dst: p('2001:db8::'), prefixLen: 32, dev: a0 });
    f.addRoute({ dst: p('::'), prefixLen: 0, dev: a0, gw: p('fe80::1') });
    expect(f.lookup(p('2001:db8::9'), 0, null)?.prefixLen).toBe(32);
    f.delRoute(p('2001:db8::'), 32);
    expect(f.lookup(p('2001:db8::9'), 0, null)?.prefixLen).toBe(0);
    f.delRoute(p('::'), 0);
    expect(f.lookup(p('2001:db8::9'), 0, null)).toBeNull();
    // a cached "no route" does not outlive a new route either
    f.addRoute({ dst: p('2001:db8::'), prefixLen: 32, dev: a0 });
    expect(f.lookup(p('2001:db8::9'), 0, null)?.prefixLen).toBe(32);
  });

  it('a device that goes down is skipped even when only its flag changes (no notification)', () => {
    const f = new Fib6();
    const a0 = dev('a0');
    const a1 = dev('a1');
    f.addRoute({ dst: p('2001:db8::'), prefixLen: 32, dev: a0, metric: 1 });
    f.addRoute({ dst: p('2001:db8::'), prefixLen: 32, dev: a1, metric: 2 });
    expect(f.lookup(p('2001:db8::1'), 0, null)?.dev).toBe(a0);
    a0.flags &= ~IFF_UP;
    expect(f.lookup(p('2001:db8::1'), 0, null)?.dev).toBe(a1);
    a1.flags &= ~IFF_UP;
    expect(f.lookup(p('2001:db8::1'), 0, null)).toBeNull();
    a0.flags |= IFF_UP;
    expect(f.lookup(p('2001:db8::1'), 0, null)?.dev).toBe(a0);
  });

  it('an exception added after the lookup (path MTU, redirect) is returned, and its removal too', () => {
    const f = new Fib6();
    const a0 = dev('a0');
    host(f, a0);
    const d = p('fd00:1::b');
    const rt = f.lookup(d, 0, null) as Rt6Info;
    expect(rt.flags & RTF_CACHE).toBe(0);
    const e = f.rt6UpdatePmtu(rt, d, 1400, T0);
    expect(f.lookup(d, 0, null, 0, T0 + 1)).toBe(e);
    expect(f.lookup(d, 0, null, 0, T0 + 1)?.mtu).toBe(1400);
    // other destinations of the prefix keep the route itself
    expect(f.lookup(p('fd00:1::c'), 0, null)).toBe(rt);
    // expired: the route again (the exception's expiry is checked at every lookup)
    expect(f.lookup(d, 0, null, 0, T0 + 600_000)).toBe(rt);
    const r = f.rt6Redirect(rt, p('fd00:1::c'), p('fe80::7'), T0);
    expect(f.lookup(p('fd00:1::c'), 0, null)).toBe(r);
    f.cleanTohost(p('fe80::7'));
    expect(f.lookup(p('fd00:1::c'), 0, null)).toBe(rt);
  });

  it('oif and the lookup flags are part of the key', () => {
    const f = new Fib6();
    const a0 = dev('a0');
    const a1 = dev('a1');
    host(f, a0);
    f.addLinkLocal(a1);
    expect(f.lookup(p('fe80::1'), 0, null)?.dev).toBe(a0);
    expect(f.lookup(p('fe80::1'), 0, a1)?.dev).toBe(a1);
    expect(f.lookup(p('fe80::1'), 0, a0)?.dev).toBe(a0);
    // a global destination with oif and no source is strict (none on a1); with a source it is not
    expect(f.lookup(p('fd00:1::b'), 0, a1)).toBeNull();
    expect(f.lookup(p('fd00:1::b'), 0, a1, RT6_LOOKUP_F_HAS_SADDR)?.dev).toBe(a0);
    expect(f.lookup(p('fd00:1::b'), 0, a1)).toBeNull();
  });

  it('a router whose neighbour entry becomes FAILED loses to a reachable one, and wins again when it recovers', () => {
    const states = new Map<string, number>();
    const f = new Fib6({ neighState: (_d, gw) => states.get(gw.toString('hex')) ?? NUD_NONE });
    const a0 = dev('a0');
    host(f, a0);
    f.raDefaultRouter(a0, p('fe80::2'), 600, ICMPV6_ROUTER_PREF_HIGH, 1024, 0, T0);
    f.raDefaultRouter(a0, p('fe80::3'), 600, ICMPV6_ROUTER_PREF_LOW, 1024, 0, T0);
    const via = (): string | undefined => f.lookup(p('4000::1'), 0, null)?.gw?.toString('hex');
    expect(via()).toBe(p('fe80::2').toString('hex'));
    states.set(p('fe80::2').toString('hex'), NUD_FAILED);
    expect(via()).toBe(p('fe80::3').toString('hex'));
    states.set(p('fe80::3').toString('hex'), NUD_FAILED);
    expect(via()).toBe(p('fe80::2').toString('hex'));
    states.set(p('fe80::2').toString('hex'), NUD_REACHABLE);
    expect(via()).toBe(p('fe80::2').toString('hex'));
  });

  it('forwarding on/off (read at each lookup) switches the reachability pass', () => {
    const states = new Map([[p('fe80::2').toString('hex'), NUD_FAILED]]);
    let forwarding = false;
    const f = new Fib6({ neighState: (_d, gw) => states.get(gw.toString('hex')) ?? NUD_NONE, forwarding: () => forwarding });
    const a0 = dev('a0');
    f.raDefaultRouter(a0, p('fe80::2'), 600, ICMPV6_ROUTER_PREF_HIGH, 1024, 0, T0);
    f.raDefaultRouter(a0, p('fe80::3'), 600, ICMPV6_ROUTER_PREF_LOW, 1024, 0, T0);
    const via = (): string | undefined => f.lookup(p('4000::1'), 0, null)?.gw?.toString('hex');
    expect(via()).toBe(p('fe80::3').toString('hex'));
    forwarding = true;
    expect(via()).toBe(p('fe80::2').toString('hex'));
    forwarding = false;
    expect(via()).toBe(p('fe80::3').toString('hex'));
  });

  it("an RA changing a router's preference changes the choice", () => {
    const f = new Fib6();
    const a0 = dev('a0');
    f.raDefaultRouter(a0, p('fe80::2'), 600, ICMPV6_ROUTER_PREF_HIGH, 1024, 0, T0);
    f.raDefaultRouter(a0, p('fe80::3'), 600, ICMPV6_ROUTER_PREF_LOW, 1024, 0, T0);
    const via = (): string | undefined => f.lookup(p('4000::1'), 0, null)?.gw?.toString('hex');
    expect(via()).toBe(p('fe80::2').toString('hex'));
    f.raDefaultRouter(a0, p('fe80::3'), 600, ICMPV6_ROUTER_PREF_HIGH + 0, 1024, 0, T0);
    f.raDefaultRouter(a0, p('fe80::2'), 600, ICMPV6_ROUTER_PREF_LOW, 1024, 0, T0);
    expect(via()).toBe(p('fe80::3').toString('hex'));
  });

  it('router probing (rt6_probe) happens at every lookup: such answers are not cached', () => {
    const probed: string[] = [];
    const f = new Fib6({ probe: (rt) => probed.push(rt.gw!.toString('hex')) });
    const a0 = dev('a0');
    f.raDefaultRouter(a0, p('fe80::2'), 600, ICMPV6_ROUTER_PREF_HIGH, 1024, 0, T0);
    f.lookup(p('4000::1'), 0, null);
    f.lookup(p('4000::1'), 0, null);
    f.lookup(p('4000::1'), 0, null);
    expect(probed.length).toBe(3);
  });

  it('route expiry (gc) removes a cached answer', () => {
    const f = new Fib6();
    const a0 = dev('a0');
    f.addRoute({ dst: p('2001:db8::'), prefixLen: 32, dev: a0, expires: T0 + 1000 });
    f.addRoute({ dst: p('::'), prefixLen: 0, dev: a0, gw: p('fe80::1') });
    expect(f.lookup(p('2001:db8::1'), 0, null)?.prefixLen).toBe(32);
    f.gc(T0 + 1000);
    expect(f.lookup(p('2001:db8::1'), 0, null)?.prefixLen).toBe(0);
  });

  it('many destinations sharing slots all get their own answer', () => {
    const f = new Fib6();
    const a0 = dev('a0');
    const a1 = dev('a1');
    for (let i = 0; i < 64; i++) f.addRoute({ dst: p(`2001:db8:${i.toString(16)}::`), prefixLen: 48, dev: i & 1 ? a1 : a0 });
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 64; i++) {
        const r = f.lookup(p(`2001:db8:${i.toString(16)}::1`), 0, null) as Rt6Info;
        expect(r.dst.equals(p(`2001:db8:${i.toString(16)}::`))).toBe(true);
        expect(r.dev).toBe(i & 1 ? a1 : a0);
      }
    }
  });
});

describe('the route lookup cache in a stack', () => {
  it('addresses: our address is local while it exists, then the prefix route (or none)', () => {
    const { A } = twoStacks({ addrA: null, addrB: null, ipv6: true });
    A.addAddress('ea', 'fd00::1/64', { nodad: true });
    A.addAddress('ea', 'fd00::5/64', { nodad: true });
    const fib = A.inet6.fib;
    expect(fib.lookup(p('fd00::5'), 0, null)?.type).toBe(RTN_LOCAL);
    A.delAddress('ea', 'fd00::5/64');
    const r = fib.lookup(p('fd00::5'), 0, null);
    expect([r?.type, r?.prefixLen]).toEqual([RTN_UNICAST, 64]);
    A.delAddress('ea', 'fd00::1/64');
    expect(fib.lookup(p('fd00::5'), 0, null)).toBeNull();
  });

  it('device down: its routes go, the lookup fails; up again with the address: back', () => {
    const { A } = twoStacks({ addrA: null, addrB: null, ipv6: true });
    A.addAddress('ea', 'fd00::1/64', { nodad: true });
    const fib = A.inet6.fib;
    expect(fib.lookup(p('fd00::2'), 0, null)?.prefixLen).toBe(64);
    A.linkSet('ea', { up: false });
    expect(fib.lookup(p('fd00::2'), 0, null)).toBeNull();
    A.linkSet('ea', { up: true });
    A.addAddress('ea', 'fd00::1/64', { nodad: true });
    expect(fib.lookup(p('fd00::2'), 0, null)?.prefixLen).toBe(64);
  });

  it('a router that stops answering NS (FAILED in nd_tbl) loses to the other one', () => {
    const { A } = twoStacks({ addrA: null, addrB: null, ipv6: true });
    A.addAddress('ea', 'fd00::1/64', { nodad: true });
    A.addRoute({ dst: '::/0', via: 'fd00::a', dev: 'ea', metric: 10 });
    A.addRoute({ dst: '::/0', via: 'fd00::b', dev: 'ea', metric: 20 });
    const fib = A.inet6.fib;
    const via = (): string | undefined => fib.lookup(p('4000::1'), 0, null)?.gw?.toString('hex');
    expect(via()).toBe(p('fd00::a').toString('hex'));
    A.neighAdd({ dst: 'fd00::a', dev: 'ea', state: 'failed' });
    expect(via()).toBe(p('fd00::b').toString('hex'));
    A.neighReplace({ dst: 'fd00::a', dev: 'ea', lladdr: '02:00:00:00:00:0a', state: 'reachable' });
    expect(via()).toBe(p('fd00::a').toString('hex'));
  });
});
