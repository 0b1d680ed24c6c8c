import { describe, expect, it } from 'vitest';
import { EEXIST, ESRCH, StackError } from '../../src/core/errno.js';
import { IFF_UP } from '../../src/core/netdevice.js';
import { PairDevice } from '../../src/drivers/pair.js';
import { RT_SCOPE_HOST, RT_SCOPE_LINK, RT_SCOPE_UNIVERSE } from '../../src/ipv4/devinet.js';
import { Fib, RTN_BROADCAST, RTN_LOCAL, RTN_MULTICAST, RTN_UNICAST, rtNexthop } from '../../src/ipv4/fib.js';
import { parseIPv4 } from '../../src/ipv4/inet_addr.js';

const ip = (s: string): number => {
  const a = parseIPv4(s);
  if (a === null) throw new Error(s);
  return a;
};

function dev(name: string, up = true): PairDevice {
  const d = new PairDevice(name);
  if (up) d.flags |= IFF_UP;
  return d;
}

function errno(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    return (e as StackError).errno;
  }
  return undefined;
}

describe('Fib.addIfaddr', () => {
  it('/24 adds local, broadcast (local table) and subnet (main) routes', () => {
    const f = new Fib();
    const d = dev('eth0');
    f.addIfaddr(d, ip('10.0.0.1'), 24);
    const rs = f.all.map((r) => ({ dst: r.dst, len: r.prefixLen, type: r.type, table: r.table, scope: r.scope, prefsrc: r.prefsrc, mask: r.mask >>> 0 }));
    expect(rs).toHaveLength(3);
    expect(rs).toContainEqual({ dst: ip('10.0.0.1'), len: 32, type: RTN_LOCAL, table: 'local', scope: RT_SCOPE_HOST, prefsrc: ip('10.0.0.1'), mask: 0xffffffff });
    expect(rs).toContainEqual({ dst: ip('10.0.0.255'), len: 32, type: RTN_BROADCAST, table: 'local', scope: RT_SCOPE_LINK, prefsrc: ip('10.0.0.1'), mask: 0xffffffff });
    expect(rs).toContainEqual({ dst: ip('10.0.0.0'), len: 24, type: RTN_UNICAST, table: 'main', scope: RT_SCOPE_LINK, prefsrc: ip('10.0.0.1'), mask: 0xffffff00 });
    // longest first
    expect(f.all[f.all.length - 1].prefixLen).toBe(24);
  });

  it('/31 has no broadcast route, /32 has only the local route', () => {
    const f = new Fib();
    const d = dev('eth0');
    f.addIfaddr(d, ip('192.168.1.4'), 31);
    expect(f.all.map((r) => [r.type, r.dst, r.prefixLen])).toEqual(
      expect.arrayContaining([
        [RTN_LOCAL, ip('192.168.1.4'), 32],
        [RTN_UNICAST, ip('192.168.1.4'), 31],
      ]),
    );
    expect(f.all).toHaveLength(2);
    expect(f.all.some((r) => r.type === RTN_BROADCAST)).toBe(false);
    // 192.168.1.5 is the /31 peer, a plain unicast host
    expect(f.addrType(ip('192.168.1.5'))).toBe(RTN_UNICAST);

    const g = new Fib();
    g.addIfaddr(d, ip('172.16.0.9'), 32);
    expect(g.all).toHaveLength(1);
    expect(g.all[0].type).toBe(RTN_LOCAL);
    expect(g.all[0].dst).toBe(ip('172.16.0.9'));
    expect(g.lookup(ip('172.16.0.10'))).toBeNull();
  });

  it('delIfaddr removes the address routes only', () => {
    const f = new Fib();
    const d = dev('eth0');
    f.addIfaddr(d, ip('10.0.0.1'), 24);
    f.addRoute({ dst: ip('10.9.0.0'), prefixLen: 16, gw: ip('10.0.0.254'), dev: d });
    f.delIfaddr(d, ip('10.0.0.1'));
    expect(f.all).toHaveLength(1);
    expect(f.all[0].dst).toBe(ip('10.9.0.0'));
  });
});

describe('Fib.lookup', () => {
  it('longest prefix wins, default route via gateway, rtNexthop', () => {
    const f = new Fib();
    const d0 = dev('eth0');
    const d1 = dev('eth1');
    f.addIfaddr(d0, ip('10.0.0.1'), 24);
    f.addIfaddr(d1, ip('10.1.0.1'), 16);
    const def = f.addRoute({ dst: 0, prefixLen: 0, gw: ip('10.0.0.254'), dev: d0 });
    expect(def.scope).toBe(RT_SCOPE_UNIVERSE);
    expect(def.proto).toBe('static');
    const r8 = f.addRoute({ dst: ip('10.0.0.0'), prefixLen: 8, gw: ip('10.1.0.254'), dev: d1 });
    f.addRoute({ dst: ip('10.0.0.128'), prefixLen: 25, gw: ip('10.1.0.253'), dev: d1 });

    expect(f.lookup(ip('10.0.0.5'))!.prefixLen).toBe(24);
    expect(f.lookup(ip('10.0.0.5'))!.dev).toBe(d0);
    expect(rtNexthop(f.lookup(ip('10.0.0.5'))!, ip('10.0.0.5'))).toBe(ip('10.0.0.5'));

    const r25 = f.lookup(ip('10.0.0.200'))!;
    expect(r25.prefixLen).toBe(25);
    expect(rtNexthop(r25, ip('10.0.0.200'))).toBe(ip('10.1.0.253'));

    expect(f.lookup(ip('10.200.3.4'))).toBe(r8);
    expect(rtNexthop(r8, ip('10.200.3.4'))).toBe(ip('10.1.0.254'));

    const rd = f.lookup(ip('8.8.8.8'))!;
    expect(rd).toBe(def);
    expect(rtNexthop(rd, ip('8.8.8.8'))).toBe(ip('10.0.0.254'));

    // local address is found as RTN_LOCAL (a /32 beats the /24)
    expect(f.lookup(ip('10.0.0.1'))!.type).toBe(RTN_LOCAL);
    expect(f.lookup(ip('10.0.0.255'))!.type).toBe(RTN_BROADCAST);
  });

  it('skips routes through devices that are down (local routes still match)', () => {
    const f = new Fib();
    const up = dev('eth0');
    const down = dev('eth1', false);
    f.addIfaddr(down, ip('10.5.0.1'), 24);
    f.addIfaddr(up, ip('192.168.0.1'), 24);
    expect(f.lookup(ip('10.5.0.7'))).toBeNull();
    const def = f.addRoute({ dst: 0, prefixLen: 0, gw: ip('192.168.0.254'), dev: up });
    expect(f.lookup(ip('10.5.0.7'))).toBe(def);
    expect(f.lookup(ip('10.5.0.1'))!.type).toBe(RTN_LOCAL);
    down.flags |= IFF_UP;
    expect(f.lookup(ip('10.5.0.7'))!.dev).toBe(down);
    expect(f.lookup(ip('10.5.0.7'))!.prefixLen).toBe(24);
  });

  it('oif restricts the lookup to one device', () => {
    const f = new Fib();
    const d0 = dev('eth0');
    const d1 = dev('eth1');
    f.addIfaddr(d0, ip('10.0.0.1'), 24);
    f.addRoute({ dst: 0, prefixLen: 0, gw: ip('10.0.0.254'), dev: d0 });
    f.addIfaddr(d1, ip('10.1.0.1'), 24);
    expect(f.lookup(ip('10.0.0.9'), d1)).toBeNull();
    expect(f.lookup(ip('10.0.0.9'), d0)!.prefixLen).toBe(24);
  });

  it('metric orders routes of equal prefix', () => {
    const f = new Fib();
    const d0 = dev('eth0');
    const d1 = dev('eth1');
    f.addRoute({ dst: 0, prefixLen: 0, gw: ip('10.0.0.254'), dev: d0, metric: 200 });
    f.addRoute({ dst: 0, prefixLen: 0, gw: ip('10.1.0.254'), dev: d1, metric: 100 });
    expect(f.lookup(ip('1.2.3.4'))!.gw).toBe(ip('10.1.0.254'));
  });
});

describe('Fib errors', () => {
  it('duplicate route is EEXIST, missing delete is ESRCH, host bits EINVAL', () => {
    const f = new Fib();
    const d = dev('eth0');
    f.addRoute({ dst: ip('10.9.0.0'), prefixLen: 16, gw: ip('10.0.0.254'), dev: d });
    expect(errno(() => f.addRoute({ dst: ip('10.9.0.0'), prefixLen: 16, gw: ip('10.0.0.253'), dev: d }))).toBe(-EEXIST);
    // a different metric is a different route
    expect(errno(() => f.addRoute({ dst: ip('10.9.0.0'), prefixLen: 16, gw: ip('10.0.0.253'), dev: d, metric: 5 }))).toBeUndefined();
    expect(errno(() => f.delRoute(ip('10.8.0.0'), 16))).toBe(-ESRCH);
    expect(errno(() => f.delRoute(ip('10.9.0.0'), 16, ip('1.1.1.1')))).toBe(-ESRCH);
    expect(errno(() => f.addRoute({ dst: ip('10.9.0.1'), prefixLen: 16, gw: 0, dev: d }))).toBe(-22);
    f.delRoute(ip('10.9.0.0'), 16, ip('10.0.0.254'));
    expect(f.all).toHaveLength(1);
    expect(f.all[0].gw).toBe(ip('10.0.0.253'));
    f.delRoute(ip('10.9.0.0'), 16);
    expect(f.all).toHaveLength(0);
    expect(errno(() => f.delRoute(ip('10.9.0.0'), 16))).toBe(-ESRCH);
  });

  it('delRoute does not remove kernel (local table) routes', () => {
    const f = new Fib();
    const d = dev('eth0');
    f.addIfaddr(d, ip('10.0.0.1'), 24);
    expect(errno(() => f.delRoute(ip('10.0.0.1'), 32))).toBe(-ESRCH);
    f.delRoute(ip('10.0.0.0'), 24); // the subnet route lives in main
    expect(f.all.map((r) => r.type).sort()).toEqual([RTN_LOCAL, RTN_BROADCAST].sort());
  });
});

describe('addrType / devAddrType', () => {
  const f = new Fib();
  const d0 = dev('eth0');
  const d1 = dev('eth1');
  f.addIfaddr(d0, ip('10.0.0.1'), 24);
  f.addIfaddr(d1, ip('10.1.0.1'), 24);

  it('addrType classifies addresses', () => {
    expect(f.addrType(ip('10.0.0.1'))).toBe(RTN_LOCAL);
    expect(f.addrType(ip('10.1.0.1'))).toBe(RTN_LOCAL);
    expect(f.addrType(ip('10.0.0.255'))).toBe(RTN_BROADCAST);
    expect(f.addrType(ip('255.255.255.255'))).toBe(RTN_BROADCAST);
    expect(f.addrType(0)).toBe(RTN_BROADCAST);
    expect(f.addrType(ip('0.1.2.3'))).toBe(RTN_BROADCAST); // zeronet
    expect(f.addrType(ip('224.0.0.1'))).toBe(RTN_MULTICAST);
    expect(f.addrType(ip('239.255.255.250'))).toBe(RTN_MULTICAST);
    expect(f.addrType(ip('10.0.0.2'))).toBe(RTN_UNICAST);
    expect(f.addrType(ip('8.8.8.8'))).toBe(RTN_UNICAST);
  });

  it('devAddrType only counts local/broadcast on the given device', () => {
    expect(f.devAddrType(d0, ip('10.0.0.1'))).toBe(RTN_LOCAL);
    expect(f.devAddrType(d1, ip('10.0.0.1'))).toBe(RTN_UNICAST);
    expect(f.devAddrType(d1, ip('10.1.0.1'))).toBe(RTN_LOCAL);
    expect(f.devAddrType(d0, ip('10.0.0.255'))).toBe(RTN_BROADCAST);
    expect(f.devAddrType(d1, ip('10.0.0.255'))).toBe(RTN_UNICAST);
    expect(f.devAddrType(d1, ip('255.255.255.255'))).toBe(RTN_BROADCAST);
    expect(f.devAddrType(d1, ip('224.0.0.251'))).toBe(RTN_MULTICAST);
    expect(f.devAddrType(d0, ip('10.0.0.77'))).toBe(RTN_UNICAST);
  });
});
