// The IPv6 routing table (src/ipv6/route.ts) and the `ip -6 route` printer (src/cli/fmt_route6.ts).
// Golden lines were captured from Linux 6.18 / iproute2 6.1.0 in two network namespaces joined by
// veth pairs (rt6h-a0/rt6h-b0, rt6h-a1/rt6h-b1; MACs 02:00:00:00:0a:01, 0a:02, 0b:01), with the
// routes built the same way; RAs were sent from rt6h-b with a raw ICMPv6 socket.
import { describe, expect, it } from 'vitest';
import { StackError } from '../../src/core/errno.js';
import { IFF_UP } from '../../src/core/netdevice.js';
import { PairDevice } from '../../src/drivers/pair.js';
import { parseIn6 } from '../../src/ipv6/in6_addr.js';
import { NUD_FAILED, NUD_NONE, NUD_REACHABLE, NUD_STALE } from '../../src/neighbour/nud.js';
import {
  Fib6,
  fib6NodeCmp,
  ICMPV6_ROUTER_PREF_HIGH,
  ICMPV6_ROUTER_PREF_INVALID,
  ICMPV6_ROUTER_PREF_LOW,
  ICMPV6_ROUTER_PREF_MEDIUM,
  INFINITY_LIFE_TIME,
  RT6_LOOKUP_F_HAS_SADDR,
  RTF_ADDRCONF,
  RTF_CACHE,
  RTF_DEFAULT,
  RTF_EXPIRES,
  RTF_GATEWAY,
  RTF_PREFIX_RT,
  RTN_BLACKHOLE,
  RTN_LOCAL,
  RTN_MULTICAST,
  RTN_PROHIBIT,
  RTN_UNICAST,
  RTN_UNREACHABLE,
  rt6ExpiresSec,
  rt6GetSnapshot,
  rt6RejectErrno,
  rt6Snapshot,
  type Rt6Info,
} from '../../src/ipv6/route.js';
import {
  formatRoute6Event,
  formatRoute6Get,
  formatRoute6GetJson,
  formatRoute6Line,
  formatRoute6Show,
  formatRoute6ShowJson,
} from '../../src/cli/fmt_route6.js';

const p = (s: string): Buffer => {
  const a = parseIn6(s);
  if (a === null) throw new Error(s);
  return a;
};

function dev(name: string, up = true): PairDevice {
  const d = new PairDevice(name);
  if (up) d.flags |= IFF_UP;
  return d;
}

function err(fn: () => unknown): { code: string; message: string } | undefined {
  try {
    fn();
  } catch (e) {
    return { code: (e as StackError).code, message: (e as StackError).message };
  }
  return undefined;
}

const T0 = 1_000_000;

/** The kernel routes a device with fd00:1::a/64 (nodad) has once it is up. */
function hostBase(f: Fib6, d: PairDevice, ll: string, global: string | null, now = T0): void {
  f.addLinkLocal(d);
  f.addLocal(d, p(ll));
  if (global) {
    f.addPrefixRoute(d, p(global), 64, INFINITY_LIFE_TIME, now);
    f.addLocal(d, p(global));
  }
}

/** The table of the first measurement: static routes, reject routes and an RA-like default. */
function measuredTable(): { f: Fib6; a0: PairDevice } {
  const f = new Fib6();
  const a0 = dev('rt6h-a0');
  f.addLocal(f.loopback, p('::1'));
  hostBase(f, a0, 'fe80::ff:fe00:a01', 'fd00:1::a');
  f.addRoute({ dst: p('2001:db8:5::'), prefixLen: 48, gw: p('fd00:1::b') });
  f.addRoute({ dst: p('2001:db8:5::'), prefixLen: 48, gw: p('fd00:1::b'), metric: 10 });
  f.addRoute({ dst: p('2001:db8:6::'), prefixLen: 64, dev: a0, metric: 5 });
  f.addRoute({ dst: p('2001:db8::'), prefixLen: 32, gw: p('fd00:1::b'), proto: 'static' });
  f.addRoute({ dst: p('2001:db8:6::1'), prefixLen: 128, gw: p('fd00:1::b'), prefsrc: p('fd00:1::a') });
  f.raDefaultRouter(a0, p('fe80::ff:fe00:b01'), 1800, ICMPV6_ROUTER_PREF_HIGH, 1024, 42, T0);
  f.setDfltRouterMtu(p('fe80::ff:fe00:b01'), a0, 1400);
  f.addRoute({ dst: p('2001:db8:7::'), prefixLen: 64, type: RTN_UNREACHABLE });
  f.addRoute({ dst: p('2001:db8:8::'), prefixLen: 64, type: RTN_BLACKHOLE });
  f.addRoute({ dst: p('2001:db8:9::'), prefixLen: 64, type: RTN_PROHIBIT });
  f.addRoute({ dst: p('3000::'), prefixLen: 16, dev: a0 });
  return { f, a0 };
}

const show = (rs: readonly Rt6Info[], now: number): string => formatRoute6Show(rs.map((r) => rt6Snapshot(r, now)));

describe('dump order and `ip -6 route show` lines (golden)', () => {
  it('table all lists main in tree-walk order, then local', () => {
    const { f } = measuredTable();
    expect(show(f.all, T0 + 500)).toBe(
      [
        '2001:db8:5::/48 via fd00:1::b dev rt6h-a0 metric 10 pref medium',
        '2001:db8:5::/48 via fd00:1::b dev rt6h-a0 metric 1024 pref medium',
        '2001:db8:6::1 via fd00:1::b dev rt6h-a0 src fd00:1::a metric 1024 pref medium',
        '2001:db8:6::/64 dev rt6h-a0 metric 5 pref medium',
        'unreachable 2001:db8:7::/64 dev lo metric 1024 pref medium',
        'blackhole 2001:db8:8::/64 dev lo metric 1024 pref medium',
        'prohibit 2001:db8:9::/64 dev lo metric 1024 pref medium',
        '2001:db8::/32 via fd00:1::b dev rt6h-a0 proto static metric 1024 pref medium',
        '3000::/16 dev rt6h-a0 metric 1024 pref medium',
        'fd00:1::/64 dev rt6h-a0 proto kernel metric 256 pref medium',
        'fe80::/64 dev rt6h-a0 proto kernel metric 256 pref medium',
        'default via fe80::ff:fe00:b01 dev rt6h-a0 proto ra metric 1024 expires 1799sec mtu 1400 hoplimit 42 pref high',
        'local ::1 dev lo table local proto kernel metric 0 pref medium',
        'local fd00:1::a dev rt6h-a0 table local proto kernel metric 0 pref medium',
        'local fe80::ff:fe00:a01 dev rt6h-a0 table local proto kernel metric 0 pref medium',
        'multicast ff00::/8 dev rt6h-a0 table local proto kernel metric 256 pref medium',
        '',
      ].join('\n'),
    );
  });

  it('-j prints the same as one JSON array (golden)', () => {
    const { f } = measuredTable();
    const snaps = f.all.map((r) => rt6Snapshot(r, T0 + 500));
    expect(formatRoute6ShowJson(snaps)).toBe(
      '[{"dst":"2001:db8:5::/48","gateway":"fd00:1::b","dev":"rt6h-a0","metric":10,"flags":[],"pref":"medium"},{"dst":"2001:db8:5::/48","gateway":"fd00:1::b","dev":"rt6h-a0","metric":1024,"flags":[],"pref":"medium"},{"dst":"2001:db8:6::1","gateway":"fd00:1::b","dev":"rt6h-a0","prefsrc":"fd00:1::a","metric":1024,"flags":[],"pref":"medium"},{"dst":"2001:db8:6::/64","dev":"rt6h-a0","metric":5,"flags":[],"pref":"medium"},{"type":"unreachable","dst":"2001:db8:7::/64","dev":"lo","metric":1024,"flags":[],"pref":"medium"},{"type":"blackhole","dst":"2001:db8:8::/64","dev":"lo","metric":1024,"flags":[],"pref":"medium"},{"type":"prohibit","dst":"2001:db8:9::/64","dev":"lo","metric":1024,"flags":[],"pref":"medium"},{"dst":"2001:db8::/32","gateway":"fd00:1::b","dev":"rt6h-a0","protocol":"static","metric":1024,"flags":[],"pref":"medium"},{"dst":"3000::/16","dev":"rt6h-a0","metric":1024,"flags":[],"pref":"medium"},{"dst":"fd00:1::/64","dev":"rt6h-a0","protocol":"kernel","metric":256,"flags":[],"pref":"medium"},{"dst":"fe80::/64","dev":"rt6h-a0","protocol":"kernel","metric":256,"flags":[],"pref":"medium"},{"dst":"default","gateway":"fe80::ff:fe00:b01","dev":"rt6h-a0","protocol":"ra","metric":1024,"flags":[],"expires":1799,"metrics":[{"mtu":1400,"hoplimit":42}],"pref":"high"},{"type":"local","dst":"::1","dev":"lo","table":"local","protocol":"kernel","metric":0,"flags":[],"pref":"medium"},{"type":"local","dst":"fd00:1::a","dev":"rt6h-a0","table":"local","protocol":"kernel","metric":0,"flags":[],"pref":"medium"},{"type":"local","dst":"fe80::ff:fe00:a01","dev":"rt6h-a0","table":"local","protocol":"kernel","metric":0,"flags":[],"pref":"medium"},{"type":"multicast","dst":"ff00::/8","dev":"rt6h-a0","table":"local","protocol":"kernel","metric":256,"flags":[],"pref":"medium"}]\n',
    );
  });

  it('`show dev`, `show table local`, `show proto kernel` and -d leave out / add what iproute2 does', () => {
    const { f, a0 } = measuredTable();
    const snap = (r: Rt6Info): ReturnType<typeof rt6Snapshot> => rt6Snapshot(r, T0);
    const three = f.routesBy({ table: 'main' }).slice(0, 3).map(snap);
    expect(formatRoute6Show(three, { hideDev: true })).toBe(
      '2001:db8:5::/48 via fd00:1::b metric 10 pref medium\n' +
        '2001:db8:5::/48 via fd00:1::b metric 1024 pref medium\n' +
        '2001:db8:6::1 via fd00:1::b src fd00:1::a metric 1024 pref medium\n',
    );
    expect(formatRoute6Show(f.table('local').slice(1).map(snap), { hideTable: true })).toBe(
      'local fd00:1::a dev rt6h-a0 proto kernel metric 0 pref medium\n' +
        'local fe80::ff:fe00:a01 dev rt6h-a0 proto kernel metric 0 pref medium\n' +
        'multicast ff00::/8 dev rt6h-a0 proto kernel metric 256 pref medium\n',
    );
    expect(formatRoute6Show(f.routesBy({ table: 'main', proto: 'kernel' }).map(snap), { hideProto: true })).toBe(
      'fd00:1::/64 dev rt6h-a0 metric 256 pref medium\nfe80::/64 dev rt6h-a0 metric 256 pref medium\n',
    );
    // `ip -d -6 route show table all` / `ip -d -j -6 route show 2001:db8:5::/48`
    expect(formatRoute6Line(snap(f.table('main')[1]), { details: true })).toBe(
      'unicast 2001:db8:5::/48 via fd00:1::b dev rt6h-a0 table main proto boot scope global metric 1024 pref medium\n',
    );
    expect(formatRoute6Line(snap(f.table('local')[0]), { details: true })).toBe(
      'local ::1 dev lo table local proto kernel scope global metric 0 pref medium\n',
    );
    expect(formatRoute6ShowJson([snap(f.table('main')[0])], { details: true, hideTable: true })).toBe(
      '[{"type":"unicast","dst":"2001:db8:5::/48","gateway":"fd00:1::b","dev":"rt6h-a0","protocol":"boot","scope":"global","metric":10,"flags":[],"pref":"medium"}]\n',
    );
    expect(f.routesBy({ dev: f.loopback }).map((r) => r.type)).toEqual([RTN_UNREACHABLE, RTN_BLACKHOLE, RTN_PROHIBIT, RTN_LOCAL]);
    expect(f.routesBy({ dev: a0, proto: 'ra' })).toHaveLength(1);
  });

  it('carrier loss shows linkdown after the metric (not on reject or local routes), also in -j', () => {
    const { f, a0 } = measuredTable();
    f.addRoute({ dst: p('2001:db8:a::'), prefixLen: 64, dev: a0, metric: 256, expires: T0 + 600_000 });
    a0.carrier = false;
    const now = T0 + 34_500; // the RA route has 1765.5 s left, 2001:db8:a::/64 565.5 s
    const lines = show(f.all, now).split('\n');
    expect(lines).toContain('2001:db8:5::/48 via fd00:1::b dev rt6h-a0 metric 10 linkdown pref medium');
    expect(lines).toContain('unreachable 2001:db8:7::/64 dev lo metric 1024 pref medium');
    expect(lines).toContain('2001:db8:a::/64 dev rt6h-a0 metric 256 linkdown expires 565sec pref medium');
    expect(lines).toContain('default via fe80::ff:fe00:b01 dev rt6h-a0 proto ra metric 1024 linkdown expires 1765sec mtu 1400 hoplimit 42 pref high');
    expect(lines).toContain('local fd00:1::a dev rt6h-a0 table local proto kernel metric 0 pref medium');
    const ra = f.getDfltRouter(p('fe80::ff:fe00:b01'), a0) as Rt6Info;
    expect(formatRoute6ShowJson([rt6Snapshot(ra, now)])).toBe(
      '[{"dst":"default","gateway":"fe80::ff:fe00:b01","dev":"rt6h-a0","protocol":"ra","metric":1024,"flags":["linkdown"],"expires":1765,"metrics":[{"mtu":1400,"hoplimit":42}],"pref":"high"}]\n',
    );
  });

  it('the RA of the reference (§2.5): prefix routes with expiry, default route with mtu/hoplimit/pref', () => {
    const f = new Fib6();
    const d = dev('ndr-a0');
    hostBase(f, d, 'fe80::ff:fe00:a01', null);
    const gw = p('fe80::ff:fe00:b01');
    f.raDefaultRouter(d, gw, 1800, ICMPV6_ROUTER_PREF_HIGH, 1024, 42, T0);
    f.raPrefixRoute(d, p('2001:db8:1::'), 64, 86400, T0);
    f.raPrefixRoute(d, p('2001:db8:2::'), 64, 600, T0);
    f.setDfltRouterMtu(gw, d, 1400);
    expect(show(f.table('main'), T0 + 300)).toBe(
      '2001:db8:1::/64 dev ndr-a0 proto kernel metric 256 expires 86399sec pref medium\n' +
        '2001:db8:2::/64 dev ndr-a0 proto kernel metric 256 expires 599sec pref medium\n' +
        'fe80::/64 dev ndr-a0 proto kernel metric 256 pref medium\n' +
        'default via fe80::ff:fe00:b01 dev ndr-a0 proto ra metric 1024 expires 1799sec mtu 1400 hoplimit 42 pref high\n',
    );
    const pr = f.addrconfGetPrefixRoute(p('2001:db8:1::'), 64, d, RTF_ADDRCONF | RTF_PREFIX_RT, 0, true) as Rt6Info;
    expect(pr.flags & (RTF_ADDRCONF | RTF_PREFIX_RT | RTF_EXPIRES)).toBe(RTF_ADDRCONF | RTF_PREFIX_RT | RTF_EXPIRES);
    const ra = f.getDfltRouter(gw, d) as Rt6Info;
    expect((ra.flags & (RTF_ADDRCONF | RTF_DEFAULT | RTF_GATEWAY | RTF_EXPIRES)) >>> 0).toBe((RTF_ADDRCONF | RTF_DEFAULT | RTF_GATEWAY | RTF_EXPIRES) >>> 0);
  });

  it('two devices: per-device fe80::/64 and ff00::/8 in insertion order', () => {
    const f = new Fib6();
    const a0 = dev('rt6h-a0');
    const a1 = dev('rt6h-a1');
    hostBase(f, a0, 'fe80::ff:fe00:a01', null);
    hostBase(f, a1, 'fe80::ff:fe00:a02', null);
    expect(show(f.all, T0)).toBe(
      'fe80::/64 dev rt6h-a0 proto kernel metric 256 pref medium\n' +
        'fe80::/64 dev rt6h-a1 proto kernel metric 256 pref medium\n' +
        'local fe80::ff:fe00:a01 dev rt6h-a0 table local proto kernel metric 0 pref medium\n' +
        'local fe80::ff:fe00:a02 dev rt6h-a1 table local proto kernel metric 0 pref medium\n' +
        'multicast ff00::/8 dev rt6h-a0 table local proto kernel metric 256 pref medium\n' +
        'multicast ff00::/8 dev rt6h-a1 table local proto kernel metric 256 pref medium\n',
    );
  });

  it('monitor lines: Deleted prefix (golden)', () => {
    const a0 = dev('rt6h-a0');
    const events: string[] = [];
    const g = new Fib6({ notify: (ev, rt) => events.push(formatRoute6Event({ type: ev === 'RTM_NEWROUTE' ? 'newroute' : 'delroute', route: rt6Snapshot(rt, T0) })) });
    hostBase(g, a0, 'fe80::ff:fe00:a01', 'fd00:1::a');
    events.length = 0;
    g.addRoute({ dst: p('2001:db8:30::'), prefixLen: 64, gw: p('fd00:1::b'), metric: 7 });
    g.delRoute(p('2001:db8:30::'), 64);
    expect(events).toEqual([
      '2001:db8:30::/64 via fd00:1::b dev rt6h-a0 metric 7 pref medium\n',
      'Deleted 2001:db8:30::/64 via fd00:1::b dev rt6h-a0 metric 7 pref medium\n',
    ]);
  });
});

describe('fib6NodeCmp', () => {
  it('orders by the first differing bit, descendants before their ancestors', () => {
    const c = (a: string, al: number, b: string, bl: number): number => Math.sign(fib6NodeCmp(p(a), al, p(b), bl));
    expect(c('2001:db8:5::', 48, '2001:db8:6::', 64)).toBe(-1);
    expect(c('2001:db8:6::1', 128, '2001:db8:6::', 64)).toBe(-1);
    expect(c('2001:db8::', 32, '2001:db8:5::', 48)).toBe(1);
    expect(c('::', 0, 'fe80::', 64)).toBe(1);
    expect(c('fe80::', 10, 'fe80::', 10)).toBe(0);
    expect(c('fe80::', 8, 'fe00::', 8)).toBe(0); // equal in the 8 bits both have
    expect(c('fe80::', 9, 'fe00::', 9)).toBe(1); // the 9th bit differs
  });
});

describe('lookup: longest prefix, metric, oif', () => {
  it('longest prefix wins; within a prefix the lowest metric; falls back to shorter prefixes', () => {
    const { f, a0 } = measuredTable();
    expect(f.lookup(p('2001:db8:6::1'), 0, null)?.prefixLen).toBe(128);
    expect(f.lookup(p('2001:db8:6::2'), 0, null)?.metric).toBe(5);
    const r = f.lookup(p('2001:db8:5::1'), 0, null) as Rt6Info;
    expect([r.prefixLen, r.metric]).toEqual([48, 10]);
    expect(f.lookup(p('2001:db8:1234::1'), 0, null)?.prefixLen).toBe(32);
    expect(f.lookup(p('4000::1'), 0, null)?.proto).toBe('ra');
    expect(f.lookup(p('fd00:1::a'), 0, null)?.type).toBe(RTN_LOCAL);
    expect(f.lookup(p('ff02::1'), 0, null)?.type).toBe(RTN_MULTICAST);
    // reject routes come back as such; ip6_rt_type_to_error tells what `route get` says
    expect(rt6RejectErrno((f.lookup(p('2001:db8:7::1'), 0, null) as Rt6Info).type)).toBe(-113);
    expect(rt6RejectErrno((f.lookup(p('2001:db8:8::1'), 0, null) as Rt6Info).type)).toBe(-22);
    expect(rt6RejectErrno((f.lookup(p('2001:db8:9::1'), 0, null) as Rt6Info).type)).toBe(-13);
    expect(rt6RejectErrno(RTN_UNICAST)).toBe(0);
    // no default route: nothing (ENETUNREACH)
    f.delRoute(p('::'), 0);
    expect(f.lookup(p('4000::1'), 0, null)).toBeNull();
    // the same object every time (nothing is cloned per lookup)
    expect(f.lookup(p('3000::1'), 0, a0)).toBe(f.lookup(p('3000::2'), 0, a0));
  });

  it('reads the destination in place at an offset', () => {
    const { f } = measuredTable();
    const frame = Buffer.alloc(64, 0xee);
    p('2001:db8:6::1').copy(frame, 24);
    expect(f.lookup(frame, 24, null)?.prefixLen).toBe(128);
  });

  it('route get lines (golden)', () => {
    const { f } = measuredTable();
    const get = (d: string, src: string, from: string | null = null): string => {
      const r = f.lookup(p(d), 0, null, from ? RT6_LOOKUP_F_HAS_SADDR : 0) as Rt6Info;
      return formatRoute6Get(rt6GetSnapshot(r, p(d), from ? p(from) : null, p(src), T0));
    };
    expect(get('fd00:1::b', 'fd00:1::a')).toBe('fd00:1::b from :: dev rt6h-a0 proto kernel src fd00:1::a metric 256 pref medium\n');
    expect(get('2001:db8:5::1', 'fd00:1::a')).toBe('2001:db8:5::1 from :: via fd00:1::b dev rt6h-a0 src fd00:1::a metric 10 pref medium\n');
    expect(get('2001:db8:6::1', 'fd00:1::a')).toBe('2001:db8:6::1 from :: via fd00:1::b dev rt6h-a0 src fd00:1::a metric 1024 pref medium\n');
    expect(get('2001:db8:6::2', 'fd00:1::a')).toBe('2001:db8:6::2 from :: dev rt6h-a0 src fd00:1::a metric 5 pref medium\n');
    expect(get('2001:db8:1234::1', 'fd00:1::a')).toBe('2001:db8:1234::1 from :: via fd00:1::b dev rt6h-a0 proto static src fd00:1::a metric 1024 pref medium\n');
    expect(get('fe80::1', 'fe80::ff:fe00:a01')).toBe('fe80::1 from :: dev rt6h-a0 proto kernel src fe80::ff:fe00:a01 metric 256 pref medium\n');
    expect(get('ff02::1', 'fe80::ff:fe00:a01')).toBe('multicast ff02::1 from :: dev rt6h-a0 table local proto kernel src fe80::ff:fe00:a01 metric 256 pref medium\n');
    expect(get('fd00:1::a', 'fd00:1::a')).toBe('local fd00:1::a from :: dev lo table local proto kernel src fd00:1::a metric 0 pref medium\n');
    expect(get('::1', '::1')).toBe('local ::1 from :: dev lo table local proto kernel src ::1 metric 0 pref medium\n');
    expect(get('2001:db8:5::1', 'fd00:1::a', 'fd00:1::a')).toBe('2001:db8:5::1 from fd00:1::a via fd00:1::b dev rt6h-a0 src fd00:1::a metric 10 pref medium\n');
    // no expires in `route get` (the per-cpu copy has no RTF_EXPIRES), but the metrics are there
    expect(get('4000::1', 'fd00:1::a')).toBe('4000::1 from :: via fe80::ff:fe00:b01 dev rt6h-a0 proto ra src fd00:1::a metric 1024 mtu 1400 hoplimit 42 pref high\n');
  });

  it('route get -j (golden)', () => {
    const { f } = measuredTable();
    const j = (d: string): string => formatRoute6GetJson(rt6GetSnapshot(f.lookup(p(d), 0, null) as Rt6Info, p(d), null, p('fd00:1::a'), T0));
    expect(j('fd00:1::b')).toBe('[{"dst":"fd00:1::b","from":"::","dev":"rt6h-a0","protocol":"kernel","prefsrc":"fd00:1::a","metric":256,"flags":[],"pref":"medium"}]\n');
    expect(j('2001:db8:5::1')).toBe('[{"dst":"2001:db8:5::1","from":"::","gateway":"fd00:1::b","dev":"rt6h-a0","prefsrc":"fd00:1::a","metric":10,"flags":[],"pref":"medium"}]\n');
    expect(j('4000::1')).toBe('[{"dst":"4000::1","from":"::","gateway":"fe80::ff:fe00:b01","dev":"rt6h-a0","protocol":"ra","prefsrc":"fd00:1::a","metric":1024,"flags":[],"metrics":[{"mtu":1400,"hoplimit":42}],"pref":"high"}]\n');
  });

  it('route get never says linkdown (measured with the peer down)', () => {
    const { f, a0 } = measuredTable();
    a0.carrier = false;
    const r = f.lookup(p('fd00:1::b'), 0, null) as Rt6Info;
    expect(formatRoute6Get(rt6GetSnapshot(r, p('fd00:1::b'), null, p('fd00:1::a'), T0))).toBe(
      'fd00:1::b from :: dev rt6h-a0 proto kernel src fd00:1::a metric 256 pref medium\n',
    );
  });

  it('oif: link-local and multicast need it, an unspecified source makes it strict (measured on two devices)', () => {
    const f = new Fib6();
    const a0 = dev('rt6h-a0');
    const a1 = dev('rt6h-a1');
    hostBase(f, a0, 'fe80::ff:fe00:a01', 'fd00:1::a');
    hostBase(f, a1, 'fe80::ff:fe00:a02', null);
    f.raDefaultRouter(a0, p('fe80::2'), 600, ICMPV6_ROUTER_PREF_HIGH, 1024, 64, T0);
    const get = (d: string, oif: PairDevice | null, flags = 0): Rt6Info | null => f.lookup(p(d), 0, oif, flags);
    // no oif: the first device's route
    expect(get('fe80::1', null)?.dev).toBe(a0);
    expect(get('ff02::1', null)?.dev).toBe(a0);
    expect(get('fe80::1', a1)?.dev).toBe(a1);
    expect(formatRoute6Get(rt6GetSnapshot(get('fe80::1', a1) as Rt6Info, p('fe80::1'), null, p('fe80::ff:fe00:a02'), T0))).toBe(
      'fe80::1 from :: dev rt6h-a1 proto kernel src fe80::ff:fe00:a02 metric 256 pref medium\n',
    );
    expect(formatRoute6Get(rt6GetSnapshot(get('ff02::1', a1) as Rt6Info, p('ff02::1'), null, p('fe80::ff:fe00:a02'), T0))).toBe(
      'multicast ff02::1 from :: dev rt6h-a1 table local proto kernel src fe80::ff:fe00:a02 metric 256 pref medium\n',
    );
    // a global destination with oif and no source: strict — "RTNETLINK answers: Network is unreachable"
    expect(get('fd00:1::b', a1)).toBeNull();
    expect(get('4000::1', a1)).toBeNull();
    // with a source the device is only preferred: the route on rt6h-a0 serves
    expect(get('fd00:1::b', a1, RT6_LOOKUP_F_HAS_SADDR)?.dev).toBe(a0);
    // our link-local on rt6h-a0 asked through rt6h-a1: not the local route but fe80::/64 on rt6h-a1
    const r = get('fe80::ff:fe00:a01', a1) as Rt6Info;
    expect([r.type, r.dev, r.table]).toEqual([RTN_UNICAST, a1, 'main']);
    expect(formatRoute6Get(rt6GetSnapshot(get('fe80::ff:fe00:a02', null) as Rt6Info, p('fe80::ff:fe00:a02'), null, p('fe80::ff:fe00:a02'), T0))).toBe(
      'local fe80::ff:fe00:a02 from :: dev lo table local proto kernel src fe80::ff:fe00:a02 metric 0 pref medium\n',
    );
  });

  it('a device that is down is skipped (its nexthop is dead)', () => {
    const f = new Fib6();
    const a0 = dev('eth0');
    const a1 = dev('eth1');
    f.addRoute({ dst: p('2001:db8::'), prefixLen: 32, dev: a0, metric: 1 });
    f.addRoute({ dst: p('2001:db8::'), prefixLen: 32, dev: a1, metric: 2 });
    expect(f.lookup(p('2001:db8::1'), 0, null)?.dev).toBe(a0);
    a0.flags &= ~IFF_UP;
    expect(f.lookup(p('2001:db8::1'), 0, null)?.dev).toBe(a1);
  });
});

describe('router preference and reachability (rt6_select, measured)', () => {
  function twoRouters(states: Map<string, number>, opts: { forwarding?: boolean } = {}): { f: Fib6; a0: PairDevice; probed: string[] } {
    const probed: string[] = [];
    const f = new Fib6({
      neighState: (_d, gw) => states.get(gw.toString('hex')) ?? NUD_NONE,
      probe: (rt) => probed.push(rt.gw!.toString('hex')),
      forwarding: () => opts.forwarding ?? false,
    });
    const a0 = dev('rt6h-a0');
    hostBase(f, a0, 'fe80::ff:fe00:a01', 'fd00:1::a');
    f.raDefaultRouter(a0, p('fe80::2'), 600, ICMPV6_ROUTER_PREF_HIGH, 1024, 64, T0);
    f.raDefaultRouter(a0, p('fe80::ff:fe00:b01'), 1800, ICMPV6_ROUTER_PREF_LOW, 1024, 64, T0);
    return { f, a0, probed };
  }
  const key = (s: string): string => p(s).toString('hex');
  const via = (f: Fib6): string => {
    const r = f.lookup(p('4000::9'), 0, null) as Rt6Info;
    return formatRoute6Get(rt6GetSnapshot(r, p('4000::9'), null, p('2001:db8:1::ff:fe00:a01'), T0));
  };
  const HIGH = '4000::9 from :: via fe80::2 dev rt6h-a0 proto ra src 2001:db8:1::ff:fe00:a01 metric 1024 hoplimit 64 pref high\n';
  const LOW = '4000::9 from :: via fe80::ff:fe00:b01 dev rt6h-a0 proto ra src 2001:db8:1::ff:fe00:a01 metric 1024 hoplimit 64 pref low\n';

  it('both routers listed in arrival order; the preferred one is used', () => {
    const { f } = twoRouters(new Map());
    expect(show(f.routesBy({ table: 'main' }).filter((r) => r.prefixLen === 0), T0 + 1000)).toBe(
      'default via fe80::2 dev rt6h-a0 proto ra metric 1024 expires 599sec hoplimit 64 pref high\n' +
        'default via fe80::ff:fe00:b01 dev rt6h-a0 proto ra metric 1024 expires 1799sec hoplimit 64 pref low\n',
    );
    expect(via(f)).toBe(HIGH);
  });

  it('a FAILED router is passed over for a reachable one of lower preference', () => {
    const st = new Map([[key('fe80::2'), NUD_FAILED], [key('fe80::ff:fe00:b01'), NUD_REACHABLE]]);
    const { f, probed } = twoRouters(st);
    expect(via(f)).toBe(LOW);
    expect(probed).toContain(key('fe80::2'));
  });

  it('all FAILED: the second pass ignores reachability and preference decides', () => {
    const st = new Map([[key('fe80::2'), NUD_FAILED], [key('fe80::ff:fe00:b01'), NUD_FAILED]]);
    expect(via(twoRouters(st).f)).toBe(HIGH);
  });

  it('STALE (or no entry) counts as reachable', () => {
    expect(via(twoRouters(new Map([[key('fe80::2'), NUD_STALE], [key('fe80::ff:fe00:b01'), NUD_FAILED]])).f)).toBe(HIGH);
    expect(via(twoRouters(new Map([[key('fe80::ff:fe00:b01'), NUD_STALE], [key('fe80::2'), NUD_FAILED]])).f)).toBe(LOW);
    expect(via(twoRouters(new Map([[key('fe80::ff:fe00:b01'), NUD_FAILED]])).f)).toBe(HIGH);
  });

  it('a router (forwarding on) does not look at reachability', () => {
    const st = new Map([[key('fe80::2'), NUD_FAILED], [key('fe80::ff:fe00:b01'), NUD_REACHABLE]]);
    const { f, probed } = twoRouters(st, { forwarding: true });
    expect(via(f)).toBe(HIGH);
    expect(probed).toEqual([]);
  });

  it('equal preference: the first router', () => {
    const f = new Fib6();
    const a0 = dev('rt6h-a0');
    f.raDefaultRouter(a0, p('fe80::2'), 600, ICMPV6_ROUTER_PREF_MEDIUM, 1024, 0, T0);
    f.raDefaultRouter(a0, p('fe80::3'), 600, ICMPV6_ROUTER_PREF_INVALID, 1024, 0, T0);
    expect(f.lookup(p('4000::1'), 0, null)?.gw).toEqual(p('fe80::2'));
    expect(f.getDfltRouter(p('fe80::3'), a0)?.pref).toBe('medium');
  });

  it('the reachability pass backtracks first: a default via a reachable router beats a /32 via a FAILED one (measured)', () => {
    const st = new Map([[key('fd00:1::b'), NUD_FAILED], [key('fd00:1::c'), NUD_REACHABLE]]);
    const f = new Fib6({ neighState: (_d, gw) => st.get(gw.toString('hex')) ?? NUD_NONE });
    const a0 = dev('rt6h-a0');
    hostBase(f, a0, 'fe80::ff:fe00:a01', 'fd00:1::a');
    f.addRoute({ dst: p('2001:db8::'), prefixLen: 32, gw: p('fd00:1::b') });
    f.addRoute({ dst: p('::'), prefixLen: 0, gw: p('fd00:1::c') });
    const get = (): string => formatRoute6Get(rt6GetSnapshot(f.lookup(p('2001:db8::1'), 0, null) as Rt6Info, p('2001:db8::1'), null, p('fd00:1::a'), T0));
    expect(get()).toBe('2001:db8::1 from :: via fd00:1::c dev rt6h-a0 src fd00:1::a metric 1024 pref medium\n');
    st.set(key('fd00:1::c'), NUD_FAILED);
    expect(get()).toBe('2001:db8::1 from :: via fd00:1::b dev rt6h-a0 src fd00:1::a metric 1024 pref medium\n');
  });

  it('the lowest metric group first; a higher metric only when none there qualifies (measured)', () => {
    const st = new Map([[key('fd00:1::b'), NUD_FAILED]]);
    const f = new Fib6({ neighState: (_d, gw) => st.get(gw.toString('hex')) ?? NUD_NONE });
    const a0 = dev('rt6h-a0');
    hostBase(f, a0, 'fe80::ff:fe00:a01', 'fd00:1::a');
    f.addRoute({ dst: p('5000::'), prefixLen: 16, gw: p('fd00:1::b'), dev: a0, metric: 100 });
    f.addRoute({ dst: p('5000::'), prefixLen: 16, gw: p('fd00:1::c'), dev: a0, metric: 200 });
    const r = f.lookup(p('5000::1'), 0, null) as Rt6Info;
    expect(formatRoute6Get(rt6GetSnapshot(r, p('5000::1'), null, p('2001:db8:1::ff:fe00:a01'), T0))).toBe(
      '5000::1 from :: via fd00:1::c dev rt6h-a0 src 2001:db8:1::ff:fe00:a01 metric 200 pref medium\n',
    );
    st.delete(key('fd00:1::b'));
    expect(f.lookup(p('5000::1'), 0, null)?.metric).toBe(100);
  });
});

describe('add and delete: EEXIST, ESRCH and validation as Linux', () => {
  it('`ip -6 route add` of a prefix and metric already there: File exists, whatever the gateway', () => {
    const { f, a0 } = measuredTable();
    expect(err(() => f.addRoute({ dst: p('2001:db8:5::'), prefixLen: 48, gw: p('fd00:1::b') }))).toEqual({ code: 'EEXIST', message: 'File exists' });
    expect(err(() => f.addRoute({ dst: p('2001:db8:5::'), prefixLen: 48, gw: p('fd00:1::c') }))?.code).toBe('EEXIST');
    expect(err(() => f.addRoute({ dst: p('2001:db8:5::'), prefixLen: 48, dev: a0 }))?.code).toBe('EEXIST');
    // the kernel's own fe80::/64 has metric 256: one of 1024 is a different route, 256 is not
    expect(f.addRoute({ dst: p('fe80::'), prefixLen: 64, dev: a0 }).metric).toBe(1024);
    expect(err(() => f.addRoute({ dst: p('fe80::'), prefixLen: 64, dev: a0, metric: 256, proto: 'kernel' }))?.code).toBe('EEXIST');
    // replace takes its place
    const r = f.addRoute({ dst: p('2001:db8:5::'), prefixLen: 48, gw: p('fd00:1::c'), metric: 10 }, { replace: true });
    expect(f.lookup(p('2001:db8:5::1'), 0, null)).toBe(r);
    expect(f.routesBy({ table: 'main' }).filter((x) => x.prefixLen === 48)).toHaveLength(2);
  });

  it('defaults: metric 0 → 1024, proto boot, host bits cleared; the gateway finds the device', () => {
    const { f, a0 } = measuredTable();
    const r = f.addRoute({ dst: p('2001:db8:b::1'), prefixLen: 64, dev: a0, metric: 0 });
    expect(formatRoute6Line(rt6Snapshot(r, T0))).toBe('2001:db8:b::/64 dev rt6h-a0 metric 1024 pref medium\n');
    const g = f.addRoute({ dst: p('2001:db8:c::'), prefixLen: 64, gw: p('2001:db8:b::5') });
    expect(g.dev).toBe(a0);
    expect(formatRoute6Line(rt6Snapshot(g, T0))).toBe('2001:db8:c::/64 via 2001:db8:b::5 dev rt6h-a0 metric 1024 pref medium\n');
    expect(g.flags & RTF_GATEWAY).toBe(RTF_GATEWAY);
    const e = f.addRoute({ dst: p('2001:db8:a::'), prefixLen: 64, dev: a0, metric: 256, expires: T0 + 600_000 });
    expect(formatRoute6Line(rt6Snapshot(e, T0 + 500))).toBe('2001:db8:a::/64 dev rt6h-a0 metric 256 expires 599sec pref medium\n');
    expect(formatRoute6ShowJson([rt6Snapshot(e, T0 + 500)])).toBe('[{"dst":"2001:db8:a::/64","dev":"rt6h-a0","metric":256,"flags":[],"expires":599,"pref":"medium"}]\n');
  });

  it('`ip -6 route add local ADDR dev DEV` goes to table local (golden)', () => {
    const { f, a0 } = measuredTable();
    const r = f.addRoute({ dst: p('fd00:1::99'), prefixLen: 128, type: RTN_LOCAL, dev: a0 });
    expect(formatRoute6Line(rt6Snapshot(r, T0))).toBe('local fd00:1::99 dev rt6h-a0 table local metric 1024 pref medium\n');
    expect(f.delRoute(p('fd00:1::99'), 128, { table: 'local' })).toBe(r);
  });

  it('refusals with the kernel texts', () => {
    const { f, a0 } = measuredTable();
    const down = dev('rt6h-a1', false);
    const add = (c: Parameters<Fib6['addRoute']>[0]) => err(() => f.addRoute(c));
    const q = { dst: p('2001:db8:20::'), prefixLen: 64 };
    expect(add({ ...q })).toEqual({ code: 'ENODEV', message: 'No such device' });
    expect(add({ ...q, gw: p('fe80::1') })).toEqual({ code: 'EINVAL', message: 'Egress device not specified' });
    expect(add({ ...q, gw: p('2001:db8:99::1') })).toEqual({ code: 'EHOSTUNREACH', message: 'No route to host' });
    expect(add({ ...q, gw: p('fd00:1::a') })).toEqual({ code: 'EINVAL', message: 'Gateway can not be a local address' });
    expect(add({ ...q, gw: p('ff02::1'), dev: a0 })).toEqual({ code: 'EINVAL', message: 'Invalid gateway address' });
    expect(add({ ...q, dev: down })).toEqual({ code: 'ENETDOWN', message: 'Nexthop device is not up' });
    expect(add({ ...q, gw: p('fe80::1'), dev: down })).toEqual({ code: 'ENETDOWN', message: 'Nexthop device is not up' });
    expect(add({ ...q, dev: a0, prefsrc: p('fd00:9::1') })).toEqual({ code: 'EINVAL', message: 'Invalid source address' });
    expect(add({ ...q, prefixLen: 129, dev: a0 })).toEqual({ code: 'EINVAL', message: 'Invalid prefix length' });
    // a gateway reachable only through another router is not on-link
    expect(add({ ...q, gw: p('2001:db8:5::1') })?.code).toBe('EHOSTUNREACH');
    // a link-local source only counts on its own device
    const a1 = dev('rt6h-a1');
    hostBase(f, a1, 'fe80::ff:fe00:a02', null);
    expect(add({ ...q, dev: a0, prefsrc: p('fe80::ff:fe00:a02') })?.message).toBe('Invalid source address');
    expect(f.addRoute({ ...q, dev: a0, prefsrc: p('fd00:1::a') }).prefsrc).toEqual(p('fd00:1::a'));
  });

  it('`ip -6 route del`: exact prefix, filters, first (lowest metric) match; else No such process', () => {
    const { f } = measuredTable();
    expect(err(() => f.delRoute(p('2001:db8:5::'), 48, { gw: p('fd00:1::d') }))).toEqual({ code: 'ESRCH', message: 'No such process' });
    expect(err(() => f.delRoute(p('2001:db8:5::'), 48, { metric: 7 }))?.code).toBe('ESRCH');
    expect(err(() => f.delRoute(p('2001:db8:77::'), 48))?.code).toBe('ESRCH');
    expect(err(() => f.delRoute(p('2001:db8:5::'), 47))?.code).toBe('ESRCH');
    expect(err(() => f.delRoute(p('fd00:1::a'), 128))?.code).toBe('ESRCH'); // lives in table local
    expect(f.delRoute(p('fd00:1::a'), 128, { table: 'local' }).type).toBe(RTN_LOCAL);
    expect(f.delRoute(p('2001:db8:5::'), 48).metric).toBe(10);
    expect(f.delRoute(p('2001:db8:5::'), 48, { metric: 1024 }).metric).toBe(1024);
    expect(f.delRoute(p('2001:db8:7::'), 64).type).toBe(RTN_UNREACHABLE);
  });

  it('kernel routes: a duplicate nexthop is refused quietly and lends the existing route its expiry', () => {
    const f = new Fib6();
    const a0 = dev('eth0');
    expect(f.addPrefixRoute(a0, p('fd00:1::a'), 64, INFINITY_LIFE_TIME, T0)).not.toBeNull();
    expect(f.addPrefixRoute(a0, p('fd00:1::b'), 64, INFINITY_LIFE_TIME, T0)).toBeNull();
    // an RA for the same prefix finds no RA prefix route, and the add is refused: nothing changes
    f.raPrefixRoute(a0, p('fd00:1::'), 64, 600, T0);
    expect(f.table('main').map((r) => [r.flags & RTF_EXPIRES, r.expires])).toEqual([[0, 0]]);
    // an expiring one takes the newer expiry
    f.addPrefixRoute(a0, p('fd00:2::1'), 64, 100, T0);
    f.addPrefixRoute(a0, p('fd00:2::1'), 64, 300, T0);
    expect(f.table('main').find((r) => r.dst.equals(p('fd00:2::')))?.expires).toBe(T0 + 300_000);
    expect(f.addLocal(a0, p('fd00:1::a'))).not.toBeNull();
    expect(f.addLocal(a0, p('fd00:1::a'))).toBeNull();
    expect(f.delLocal(a0, p('fd00:1::a'))).toBe(true);
    expect(f.delLocal(a0, p('fd00:1::a'))).toBe(false);
    expect(f.delPrefixRoute(a0, p('fd00:2::99'), 64)).toBe(true);
  });

  it('flushDev removes every route through the device, static ones too', () => {
    const { f, a0 } = measuredTable();
    const n = f.all.length;
    expect(f.flushDev(a0)).toBe(n - 4); // left: the three reject routes and ::1 on lo
    expect(f.all.every((r) => r.dev === f.loopback)).toBe(true);
  });
});

describe('RA helpers', () => {
  it('raDefaultRouter: lifetime 0 deletes, a new metric re-adds, preference follows the RA', () => {
    const f = new Fib6();
    const a0 = dev('rt6h-a0');
    const gw = p('fe80::ff:fe00:b01');
    const r1 = f.raDefaultRouter(a0, gw, 1800, ICMPV6_ROUTER_PREF_HIGH, 1024, 0, T0) as Rt6Info;
    expect(r1.hoplimit).toBe(0);
    const r2 = f.raDefaultRouter(a0, gw, 900, ICMPV6_ROUTER_PREF_LOW, 1024, 42, T0 + 5000) as Rt6Info;
    expect(r2).toBe(r1);
    expect([r2.pref, r2.expires, r2.hoplimit]).toEqual(['low', T0 + 5000 + 900_000, 42]);
    const r3 = f.raDefaultRouter(a0, gw, 900, ICMPV6_ROUTER_PREF_LOW, 2048, 0, T0 + 6000) as Rt6Info;
    expect(r3).not.toBe(r1);
    expect(f.table('main').map((r) => r.metric)).toEqual([2048]);
    expect(f.raDefaultRouter(a0, gw, 0, ICMPV6_ROUTER_PREF_LOW, 2048, 0, T0 + 7000)).toBeNull();
    expect(f.table('main')).toHaveLength(0);
    expect(f.raDefaultRouter(a0, gw, 0, ICMPV6_ROUTER_PREF_LOW, 2048, 0, T0 + 7000)).toBeNull();
  });

  it('getDfltRouter only knows RA routes; purge and cleanTohost remove them', () => {
    const f = new Fib6();
    const a0 = dev('rt6h-a0');
    const a1 = dev('rt6h-a1');
    f.addRoute({ dst: p('::'), prefixLen: 0, gw: p('fe80::1'), dev: a0, metric: 5 });
    expect(f.getDfltRouter(p('fe80::1'), a0)).toBeNull();
    f.addDfltRouter(p('fe80::2'), a0, 'medium', 60_000, 1024, T0);
    f.addDfltRouter(p('fe80::2'), a1, 'medium', 60_000, 1024, T0);
    f.addDfltRouter(p('fe80::3'), a1, 'medium', 60_000, 1024, T0);
    expect(f.getDfltRouter(p('fe80::2'), a1)?.dev).toBe(a1);
    expect(f.purgeDfltRouters(a1, (d) => d.name === 'nobody')).toBe(2);
    expect(f.cleanTohost(p('fe80::2'))).toBe(1);
    expect(f.table('main').map((r) => r.metric)).toEqual([5]); // the static default stays
    f.addDfltRouter(p('fe80::4'), a0, 'medium', 60_000, 1024, T0);
    expect(f.delDfltRouter(p('fe80::4'), a0)).toBe(true);
    expect(f.delDfltRouter(p('fe80::4'), a0)).toBe(false);
  });

  it('raPrefixRoute: expiry refreshed, cleared by an infinite lifetime, deleted by valid 0', () => {
    const f = new Fib6();
    const a0 = dev('rt6h-a0');
    const pfx = p('2001:db8:1::');
    const r = f.raPrefixRoute(a0, pfx, 64, 60, T0) as Rt6Info;
    expect(rt6ExpiresSec(r, T0 + 500)).toBe(59);
    expect(f.raPrefixRoute(a0, pfx, 64, 120, T0 + 10_000)).toBe(r);
    expect(r.expires).toBe(T0 + 130_000);
    f.raPrefixRoute(a0, pfx, 64, INFINITY_LIFE_TIME, T0 + 20_000);
    expect([r.flags & RTF_EXPIRES, r.expires, rt6Snapshot(r, T0).expiresSec]).toEqual([0, 0, null]);
    expect(f.raPrefixRoute(a0, pfx, 64, 0, T0 + 30_000)).toBeNull();
    expect(f.table('main')).toHaveLength(0);
    expect(f.raPrefixRoute(a0, pfx, 64, 0, T0 + 30_000)).toBeNull();
    expect(f.table('main')).toHaveLength(0);
    // any prefix length, host bits cleared
    expect(f.raPrefixRoute(a0, p('2001:db8:ff::1'), 40, 600, T0)?.dst).toEqual(p('2001:db8::'));
  });
});

describe('expiry with a given now', () => {
  it('gc removes what is due and says when to come back', () => {
    const f = new Fib6();
    const a0 = dev('rt6h-a0');
    f.addLinkLocal(a0);
    expect(f.gc(T0)).toBeNull();
    f.raPrefixRoute(a0, p('2001:db8:2::'), 64, 600, T0);
    f.raDefaultRouter(a0, p('fe80::1'), 1800, ICMPV6_ROUTER_PREF_MEDIUM, 1024, 0, T0);
    expect(f.gc(T0 + 1)).toBe(T0 + 600_000);
    expect(f.gc(T0 + 599_999)).toBe(T0 + 600_000);
    expect(f.table('main')).toHaveLength(3);
    expect(f.gc(T0 + 600_000)).toBe(T0 + 1_800_000);
    expect(show(f.table('main'), T0 + 600_000)).toBe(
      'fe80::/64 dev rt6h-a0 proto kernel metric 256 pref medium\n' +
        'default via fe80::1 dev rt6h-a0 proto ra metric 1024 expires 1200sec pref medium\n',
    );
    expect(f.gc(T0 + 2_000_000)).toBeNull();
    expect(f.table('main')).toHaveLength(1);
  });

  it('the expires field: truncated seconds, nothing under one clock tick, negative when overdue', () => {
    const f = new Fib6();
    const r = f.raPrefixRoute(dev('x'), p('2001:db8::'), 64, 10, 0) as Rt6Info;
    expect(rt6ExpiresSec(r, 0)).toBe(10);
    expect(rt6ExpiresSec(r, 1)).toBe(9);
    expect(rt6ExpiresSec(r, 9_500)).toBe(0);
    expect(rt6ExpiresSec(r, 9_995)).toBeNull();
    expect(rt6ExpiresSec(r, 12_500)).toBe(-2);
  });
});

describe('exceptions (redirect, path MTU)', () => {
  it('a redirect clone answers lookups for its destination only; `route get` as in §2.6', () => {
    const routers = new Set<string>([p('fe80::ff:fe00:c01').toString('hex')]);
    const f = new Fib6({ neighIsRouter: (_d, gw) => routers.has(gw.toString('hex')) });
    const a0 = dev('ndr-a0');
    hostBase(f, a0, 'fe80::ff:fe00:a01', 'fd00:1::a');
    const dflt = f.addRoute({ dst: p('::'), prefixLen: 0, gw: p('fe80::ff:fe00:b01'), dev: a0 });
    const e1 = f.rt6Redirect(dflt, p('2001:db8:99::1'), p('fe80::ff:fe00:c01'), T0);
    const e2 = f.rt6Redirect(dflt, p('2001:db8:99::2'), null, T0);
    const get = (d: string): string => {
      const r = f.lookup(p(d), 0, null, 0, T0 + 1000) as Rt6Info;
      return formatRoute6Get(rt6GetSnapshot(r, p(d), null, p('fd00:1::a'), T0 + 1000));
    };
    expect(get('2001:db8:99::1')).toBe('2001:db8:99::1 from :: via fe80::ff:fe00:c01 dev ndr-a0 src fd00:1::a metric 1024 pref medium\n');
    expect(get('2001:db8:99::2')).toBe('2001:db8:99::2 from :: dev ndr-a0 src fd00:1::a metric 1024 pref medium\n');
    expect(f.lookup(p('2001:db8:99::3'), 0, null)).toBe(dflt);
    expect(e1.flags & RTF_CACHE).toBe(RTF_CACHE);
    expect(f.cached).toEqual([e1, e2]);
    // used at T0+1000: kept until 30 s after that, then aged out
    expect(f.gc(T0 + 30_000)).toBe(T0 + 31_000);
    expect(f.gc(T0 + 31_000)).toBeNull();
    expect(f.cached).toEqual([]);
    // a gateway that is no longer a router loses its redirects at the next gc, and via cleanTohost
    f.rt6Redirect(dflt, p('2001:db8:99::1'), p('fe80::ff:fe00:c01'), T0);
    routers.clear();
    f.gc(T0 + 1);
    expect(f.cached).toEqual([]);
    f.rt6Redirect(dflt, p('2001:db8:99::1'), p('fe80::ff:fe00:c01'), T0);
    f.cleanTohost(p('fe80::ff:fe00:c01'));
    expect(f.cached).toEqual([]);
  });

  it('a path-MTU exception carries the mtu and expires; route get, -j and `show cache` (golden)', () => {
    // Measured after an ICMPv6 Packet Too Big (mtu 1280) for 4000::1 reached rt6h-a.
    const f = new Fib6();
    const a0 = dev('rt6h-a0');
    hostBase(f, a0, 'fe80::ff:fe00:a01', 'fd00:1::a');
    const dflt = f.raDefaultRouter(a0, p('fe80::ff:fe00:b01'), 1800, ICMPV6_ROUTER_PREF_LOW, 1024, 64, T0) as Rt6Info;
    const e = f.rt6UpdatePmtu(dflt, p('4000::1'), 1280, T0);
    const now = T0 + 500;
    const r = f.lookup(p('4000::1'), 0, null, 0, now) as Rt6Info;
    expect(r).toBe(e);
    const snap = rt6GetSnapshot(r, p('4000::1'), null, p('2001:db8:1::ff:fe00:a01'), now);
    expect(formatRoute6Get(snap)).toBe(
      '4000::1 from :: via fe80::ff:fe00:b01 dev rt6h-a0 src 2001:db8:1::ff:fe00:a01 metric 1024 expires 599sec mtu 1280 hoplimit 64 pref low\n',
    );
    expect(formatRoute6GetJson(snap)).toBe(
      '[{"dst":"4000::1","from":"::","gateway":"fe80::ff:fe00:b01","dev":"rt6h-a0","prefsrc":"2001:db8:1::ff:fe00:a01","metric":1024,"flags":[],"expires":599,"metrics":[{"mtu":1280,"hoplimit":64}],"pref":"low"}]\n',
    );
    expect(formatRoute6Show(f.cached.map((x) => rt6Snapshot(x, now)))).toBe(
      '4000::1 via fe80::ff:fe00:b01 dev rt6h-a0 metric 1024 expires 599sec mtu 1280 hoplimit 64 pref low\n',
    );
    // the parent is untouched; after 600 s the exception is neither used nor kept
    expect(f.lookup(p('4000::2'), 0, null)).toBe(dflt);
    expect(dflt.mtu).toBe(0);
    expect(f.lookup(p('4000::1'), 0, null, 0, T0 + 600_000)).toBe(dflt);
    expect(f.gc(T0 + 600_000)).toBe(T0 + 1_800_000);
    expect(f.cached).toEqual([]);
    // deleting the parent drops its exceptions
    f.rt6UpdatePmtu(dflt, p('4000::1'), 1280, T0);
    f.removeRoute(dflt);
    expect(f.cached).toEqual([]);
  });
});
