// Library management calls the CLI also has: addresses and routes both ways, neighbour flush with
// iproute2's default filter, the sysctl tree, and every counter in one object.
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { createPair } from '../../src/drivers/pair.js';
import { NUD_PERMANENT, NUD_STALE } from '../../src/neighbour/nud.js';
import { Stack } from '../../src/stack.js';

let live: Stack[] = [];
afterEach(async () => {
  for (const s of live) await s.close();
  live = [];
});

function setup(): Stack {
  const s = new Stack({ clock: new ManualClock() });
  const [a] = createPair('tap0', 'peer0');
  s.addDevice(a);
  s.addAddress(a, '10.0.0.1/24');
  live.push(s);
  return s;
}

describe('Stack management API', () => {
  it('a bare address is a /32 for addAddress, delAddress and addRoute, as ip addr/route take it', () => {
    const s = setup();
    s.addAddress('tap0', '10.0.0.7');
    expect(s.inet.isLocalAddr(0x0a000007)).toBe(true);
    expect(s.addRoute('192.0.2.9', '10.0.0.254')).toMatchObject({ family: 'inet', dst: '192.0.2.9', prefixLen: 32, gw: '10.0.0.254' });
    s.delAddress('tap0', '10.0.0.7');
    expect(s.inet.isLocalAddr(0x0a000007)).toBe(false);
    expect(() => s.addAddress('tap0', '10.0.0.7/')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });

  it('neighbour calls take a device object as addAddress does; one of another stack is ENODEV', () => {
    const s = setup();
    const dev = s.device('tap0');
    s.neighAdd({ dst: '10.0.0.50', dev, lladdr: '02:00:00:00:00:50' });
    expect(s.neighGet('10.0.0.50', dev)).toMatchObject({ dst: '10.0.0.50', dev: 'tap0' });
    s.neighChange({ dst: '10.0.0.50', dev, lladdr: '02:00:00:00:00:51' });
    s.neighDel({ dst: '10.0.0.50', dev });
    s.ntableChange({ dev, parms: { ucastProbes: 5 } });
    s.linkSet(dev, { up: true });
    const [foreign] = createPair('tap0', 'peer9');
    expect(() => s.neighAdd({ dst: '10.0.0.51', dev: foreign, lladdr: '02:00:00:00:00:51' })).toThrow(
      expect.objectContaining({ code: 'ENODEV', message: 'Cannot find device "tap0"' }),
    );
    expect(() => s.addAddress(foreign, '10.0.9.1/24')).toThrow(expect.objectContaining({ code: 'ENODEV' }));
  });

  it('delAddress removes the address and its routes; a missing one is EADDRNOTAVAIL', () => {
    const s = setup();
    s.addAddress('tap0', '10.0.1.1/24');
    expect(s.inet.fib.lookup(0x0a000105)?.dev.name).toBe('tap0');
    s.delAddress('tap0', '10.0.1.1/24');
    expect(s.inet.isLocalAddr(0x0a000101)).toBe(false);
    expect(s.inet.fib.lookup(0x0a000105)).toBe(null);
    expect(() => s.delAddress('tap0', '10.0.1.1/24')).toThrow(expect.objectContaining({ errno: -99 }));
  });

  it('delRoute removes a static route; a missing one is ESRCH', () => {
    const s = setup();
    s.addRoute('192.0.2.0/24', '10.0.0.254');
    expect(s.inet.fib.lookup(0xc0000201)?.gw).toBe(0x0a0000fe);
    s.delRoute('192.0.2.0/24', '10.0.0.254');
    expect(s.inet.fib.lookup(0xc0000201)).toBe(null);
    expect(() => s.delRoute('192.0.2.0/24')).toThrow(expect.objectContaining({ errno: -3 }));
  });

  it('neighFlush: by default everything but PERMANENT and NOARP, or the states asked for', () => {
    const s = setup();
    s.neighAdd({ dst: '10.0.0.5', dev: 'tap0', lladdr: '02:00:00:00:00:05' });
    s.neighAdd({ dst: '10.0.0.6', dev: 'tap0', lladdr: '02:00:00:00:00:06', state: NUD_STALE });
    s.neighAdd({ dst: '10.0.0.7', dev: 'tap0', lladdr: '02:00:00:00:00:07', state: NUD_STALE });
    expect(s.neighFlush({ dev: 'tap0' })).toBe(2);
    expect(s.neighbours().map((n) => n.dst)).toEqual(['10.0.0.5']);
    expect(s.neighFlush({ states: NUD_PERMANENT })).toBe(1);
    expect(s.neighbours()).toEqual([]);
    // As `ip neigh flush` (print_neigh's filter): an externally learned entry goes whatever its state.
    s.neighAdd({ dst: '10.0.0.8', dev: 'tap0', lladdr: '02:00:00:00:00:08', externLearn: true });
    expect(s.neighFlush({ states: NUD_STALE })).toBe(1);
    expect(s.neighbours()).toEqual([]);
  });

  it('sysctl and stats() reach the same settings and counters as the CLI', () => {
    const s = setup();
    s.sysctl.set('net.ipv4.conf.tap0.arp_ignore', '2');
    expect(s.sysctl.get('net.ipv4.conf.tap0.arp_ignore')).toBe('2');
    const st = s.stats();
    expect(Object.keys(st)).toEqual(['neigh', 'arp', 'acd', 'ip', 'icmp', 'udp', 'udp6', 'tcp', 'tcpExt', 'nd', 'ndisc', 'ip6', 'icmp6', 'mld', 'core', 'devices']);
    expect(st.devices.map((d) => d.name)).toEqual(['tap0']);
    expect((st.arp as { drops: { badOpcode: number } }).drops.badOpcode).toBe(0);
  });

  it('neighAdd takes nud keywords as ip neigh does, and refuses an unknown one', () => {
    const s = setup();
    s.neighAdd({ dst: '10.0.0.8', dev: 'tap0', lladdr: '02:00:00:00:00:08', state: 'stale' });
    expect(s.neighbours()[0]).toMatchObject({ dst: '10.0.0.8', state: NUD_STALE });
    expect(() => s.neighAdd({ dst: '10.0.0.9', dev: 'tap0', state: 'sleepy' })).toThrow('nud state "sleepy" is bad');
    expect(s.neighbours()).toHaveLength(1);
  });

  it('ping source: a dotted quad of ours; a malformed one is EINVAL and a foreign one EADDRNOTAVAIL, before anything is sent', async () => {
    const s = setup();
    const tx = s.device('tap0').stats.txPackets;
    await expect(s.ping('10.0.0.2', { source: '10.0.0.9' })).rejects.toMatchObject({ code: 'EADDRNOTAVAIL', message: 'ping: bind: Cannot assign requested address' });
    await expect(s.ping('10.0.0.2', { source: 'tap0' })).rejects.toMatchObject({ code: 'EINVAL' });
    // A number (the old internal form) is refused rather than silently sending from 0.0.0.0.
    await expect(s.ping('10.0.0.2', { source: 0x0a000001 as unknown as string })).rejects.toMatchObject({ code: 'EINVAL' });
    expect(s.device('tap0').stats.txPackets).toBe(tx);
  });
});

