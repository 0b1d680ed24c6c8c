// The control channel's message handlers, in process (LocalChannel runs the same JSON round trip
// as the Unix socket): rtnetlink semantics, errors as errno, events, ping streaming and cancel.
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { createPair } from '../../src/drivers/pair.js';
import { ControlError, LocalChannel } from '../../src/control/channel.js';
import { ControlHandler } from '../../src/control/handler.js';
import { NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, parseRequest } from '../../src/control/protocol.js';
import { NUD_PERMANENT, NUD_REACHABLE } from '../../src/neighbour/nud.js';
import { Stack } from '../../src/stack.js';

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup) await c();
  cleanup = [];
});

function setup(): { clock: ManualClock; A: Stack; B: Stack; ch: LocalChannel } {
  const clock = new ManualClock();
  const A = new Stack({ clock, random: () => 0.5 });
  const B = new Stack({ clock, random: () => 0.5 });
  const [ea, eb] = createPair('tap0', 'peer0', Buffer.from('020000000001', 'hex'), Buffer.from('020000000002', 'hex'));
  A.addDevice(ea);
  B.addDevice(eb);
  A.addAddress(ea, '10.0.0.1/24');
  B.addAddress(eb, '10.0.0.2/24');
  const ch = new LocalChannel(new ControlHandler(A));
  cleanup.push(async () => {
    ch.close();
    await A.close();
    await B.close();
  });
  return { clock, A, B, ch };
}

const errnoOf = async (p: Promise<unknown>): Promise<[number, string]> => {
  try {
    await p;
  } catch (e) {
    if (e instanceof ControlError) return [e.errno, e.message];
    throw e;
  }
  throw new Error('expected an error reply');
};

describe('control handler', () => {
  it('RTM_NEWNEIGH add (create|excl) then again → EEXIST; replace works; change of a missing one → ENOENT', async () => {
    const { ch, A } = setup();
    const body = { dst: '10.0.0.9', dev: 'tap0', lladdr: '02:00:00:00:00:09', state: NUD_PERMANENT };
    await ch.call('RTM_NEWNEIGH', body, NLM_F_CREATE | NLM_F_EXCL);
    expect(await errnoOf(ch.call('RTM_NEWNEIGH', body, NLM_F_CREATE | NLM_F_EXCL))).toEqual([-17, 'File exists']);
    await ch.call('RTM_NEWNEIGH', { ...body, lladdr: '02:00:00:00:00:0a', state: NUD_REACHABLE }, NLM_F_CREATE | NLM_F_REPLACE);
    expect(A.neighbours().map((n) => [n.dst, n.lladdr, n.stateNames.join()])).toEqual([['10.0.0.9', '02:00:00:00:00:0a', 'REACHABLE']]);
    expect(await errnoOf(ch.call('RTM_NEWNEIGH', { ...body, dst: '10.0.0.10' }, NLM_F_REPLACE))).toEqual([-2, 'No such file or directory']);
  });

  it('RTM_DELNEIGH of a missing entry → ENOENT; unknown device → ENODEV naming it', async () => {
    const { ch } = setup();
    expect(await errnoOf(ch.call('RTM_DELNEIGH', { dst: '10.0.0.77', dev: 'tap0' }))).toEqual([-2, 'No such file or directory']);
    expect(await errnoOf(ch.call('RTM_DELNEIGH', { dst: '10.0.0.77', dev: 'nope0' }))).toEqual([-19, 'Cannot find device "nope0"']);
  });

  it('RTM_GETNEIGH: dump with a device filter, proxy dump, single get', async () => {
    const { ch } = setup();
    await ch.call('RTM_NEWNEIGH', { dst: '10.0.0.9', dev: 'tap0', lladdr: '02:00:00:00:00:09' }, NLM_F_CREATE | NLM_F_EXCL);
    await ch.call('RTM_NEWNEIGH', { dst: '10.0.0.99', dev: 'tap0', proxy: true }, NLM_F_CREATE | NLM_F_EXCL);
    expect((await ch.dump<{ dst: string }>('RTM_GETNEIGH', { dev: 'tap0' })).map((n) => n.dst)).toEqual(['10.0.0.9']);
    expect((await ch.dump<{ dst: string; flags: number }>('RTM_GETNEIGH', { proxy: true })).map((n) => [n.dst, n.flags])).toEqual([['10.0.0.99', 8]]);
    const one = await ch.call('RTM_GETNEIGH', { dst: '10.0.0.9', dev: 'tap0' });
    expect((one.body as { stateNames: string[] }).stateNames).toEqual(['PERMANENT']);
    expect(await errnoOf(ch.call('RTM_GETNEIGH', { dst: '10.0.0.8', dev: 'tap0' }))).toEqual([-2, 'No such file or directory']);
  });

  it('bad bodies are EINVAL replies, not exceptions', async () => {
    const { ch } = setup();
    expect((await errnoOf(ch.call('RTM_NEWNEIGH', { dev: 'tap0' })))[0]).toBe(-22);
    expect((await errnoOf(ch.call('RTM_NEWNEIGH', { dst: 'ten', dev: 'tap0' })))[0]).toBe(-22);
    expect((await errnoOf(ch.call('RTM_NEWNEIGH', { dst: '10.0.0.1', dev: 'tap0', lladdr: 'zz' }, NLM_F_CREATE)))).toEqual([-22, '"zz" is invalid lladdr.']);
    expect((await errnoOf(ch.call('RTM_SETLINK', { dev: 'tap0', mtu: 'big' })))[0]).toBe(-22);
    expect((await errnoOf(ch.call('TS_SUBSCRIBE', { groups: ['link'] })))[0]).toBe(-95);
  });

  it('parseRequest refuses garbage with a reason', () => {
    expect(parseRequest('{{')).toMatchObject({ error: -22, msg: 'malformed request: not JSON' });
    expect(parseRequest('[]')).toMatchObject({ error: -22 });
    expect(parseRequest('{"v":2,"seq":5,"type":"RTM_GETNEIGH"}')).toMatchObject({ seq: 5, error: -71 });
    expect(parseRequest('{"v":1,"seq":6,"type":"RTM_NOPE"}')).toMatchObject({ seq: 6, error: -95 });
    expect(parseRequest('{"v":1,"seq":7,"type":"RTM_GETNEIGH","body":[1]}')).toMatchObject({ seq: 7, error: -22 });
    expect(parseRequest('{"v":1,"seq":8,"type":"RTM_GETNEIGH","flags":768}')).toMatchObject({ seq: 8, type: 'RTM_GETNEIGH', flags: 768 });
  });

  it('TS_SUBSCRIBE delivers neighbour events until the channel closes', async () => {
    const { ch, A } = setup();
    const got: string[] = [];
    await ch.subscribe(['neigh'], (r) => got.push(`${r.event} ${(r.body as { dst: string; stateNames: string[] }).dst} ${(r.body as { stateNames: string[] }).stateNames}`));
    A.neighAdd({ dst: '10.0.0.9', dev: 'tap0', lladdr: '02:00:00:00:00:09' });
    A.neighDel({ dst: '10.0.0.9', dev: 'tap0' });
    await new Promise((r) => setTimeout(r, 0));
    // As the kernel: `ip neigh del` first reports FAILED, then the deletion.
    expect(got).toEqual(['newneigh 10.0.0.9 PERMANENT', 'newneigh 10.0.0.9 FAILED', 'delneigh 10.0.0.9 FAILED']);
    ch.close();
    expect(A.listenerCount('neigh')).toBe(0);
  });

  it('RTM_SETNEIGHTBL and RTM_GETNEIGHTBL: a device parm changes, the default does not', async () => {
    const { ch } = setup();
    await ch.call('RTM_SETNEIGHTBL', { name: 'arp_cache', dev: 'tap0', parms: { queueLen: 20, retransTime: 500 } });
    const [t] = await ch.dump<{ parms: { dev: string | null; queueLen: number; retransTime: number }[] }>('RTM_GETNEIGHTBL');
    const byDev = Object.fromEntries(t.parms.map((p) => [p.dev ?? 'default', [p.queueLen, p.retransTime]]));
    expect(byDev).toEqual({ default: [101, 1000], tap0: [20, 500] });
    expect(await errnoOf(ch.call('RTM_SETNEIGHTBL', { name: 'nd_cache' }))).toEqual([-2, 'No such file or directory']);
  });

  it('TS_SYSCTL get/set/dump', async () => {
    const { ch } = setup();
    expect((await ch.call('TS_SYSCTL', { key: 'net.ipv4.conf.tap0.arp_ignore', value: '2' })).body).toEqual({ key: 'net.ipv4.conf.tap0.arp_ignore', value: '2' });
    expect((await ch.call('TS_SYSCTL', { key: 'net.ipv4.conf.tap0.arp_ignore' })).body).toEqual({ key: 'net.ipv4.conf.tap0.arp_ignore', value: '2' });
    expect((await ch.dump('TS_SYSCTL', { pattern: 'tap0.arp_ignore' }))).toEqual([{ key: 'net.ipv4.conf.tap0.arp_ignore', value: '2' }]);
    expect((await errnoOf(ch.call('TS_SYSCTL', { key: 'net.ipv4.conf.tap0.nope' })))[0]).toBe(-2);
  });

  it('TS_PING streams iputils lines and ends with the result; TS_CANCEL stops it early with a summary', async () => {
    const { ch, clock } = setup();
    const lines: string[] = [];
    const p = ch.call('TS_PING', { dst: '10.0.0.2', count: 100, interval: 1 }, 0, (r) => lines.push(r.line!));
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 0));
      clock.advance(1000);
    }
    await new Promise((r) => setTimeout(r, 0));
    await ch.call('TS_CANCEL', { seq: 1 });
    const r = await p;
    expect(r.done).toBe(true);
    const res = r.body as { transmitted: number; received: number };
    expect(res.transmitted).toBeGreaterThanOrEqual(3);
    expect(res.transmitted).toBeLessThan(10);
    expect(lines[0]).toBe('PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.');
    expect(lines.at(-2)).toMatch(/packets transmitted/);
  });

  it('TS_PING refuses sizes, TTLs and intervals outside iputils bounds before allocating anything', async () => {
    const { ch } = setup();
    expect(await errnoOf(ch.call('TS_PING', { dst: '10.0.0.2', size: 1e9 }))).toEqual([-22, 'ping: invalid packet size']);
    expect(await errnoOf(ch.call('TS_PING', { dst: '10.0.0.2', ttl: 0 }))).toEqual([-22, 'ping: invalid ttl']);
    expect(await errnoOf(ch.call('TS_PING', { dst: '10.0.0.2', interval: -1 }))).toEqual([-22, 'ping: invalid interval']);
    expect((await errnoOf(ch.call('TS_PING', { dst: '10.0.0.2', count: 0 })))[0]).toBe(-22);
  });
});

describe('control handler: IPv6 neighbours and the family of a request', () => {
  /** A and B with IPv6 (fd00::1/64 and fd00::2/64 without DAD) as well as IPv4. */
  function setup6(): ReturnType<typeof setup> {
    const env = setup();
    env.A.addAddress('tap0', 'fd00::1/64', { nodad: true });
    env.B.addAddress('peer0', 'fd00::2/64', { nodad: true });
    env.clock.advance(3000);
    return env;
  }
  const dsts = (items: { dst: string; family: number }[]): string[] => items.map((n) => `${n.family} ${n.dst}`);

  it('RTM_GETNEIGH dumps arp_tbl then nd_tbl, or the table of "family"; a family without a table dumps nothing', async () => {
    const { ch } = setup6();
    await ch.call('RTM_NEWNEIGH', { dst: '10.0.0.9', dev: 'tap0', lladdr: '02:00:00:00:00:09' }, NLM_F_CREATE | NLM_F_EXCL);
    await ch.call('RTM_NEWNEIGH', { dst: 'fd00::9', dev: 'tap0', lladdr: '02:00:00:00:00:09' }, NLM_F_CREATE | NLM_F_EXCL);
    await ch.call('RTM_NEWNEIGH', { dst: 'fd00::99', dev: 'tap0', proxy: true }, NLM_F_CREATE | NLM_F_EXCL);
    await ch.call('RTM_NEWNEIGH', { dst: '10.0.0.99', dev: 'tap0', proxy: true }, NLM_F_CREATE | NLM_F_EXCL);
    const all = dsts(await ch.dump('RTM_GETNEIGH', {}));
    expect(all[0]).toBe('2 10.0.0.9');
    expect(all).toContain('10 fd00::9');
    expect(all.slice(1).every((d) => d.startsWith('10 '))).toBe(true);
    expect(dsts(await ch.dump('RTM_GETNEIGH', { family: 2 }))).toEqual(['2 10.0.0.9']);
    expect(dsts(await ch.dump('RTM_GETNEIGH', { family: 10 })).filter((d) => !d.includes('ff02'))).toEqual(['10 fd00::9']);
    expect(dsts(await ch.dump('RTM_GETNEIGH', { family: 0, dev: 'tap0' }))).toEqual(all);
    for (const family of [7, 17, 28]) expect(await ch.dump('RTM_GETNEIGH', { family }), String(family)).toEqual([]);
    expect(dsts(await ch.dump('RTM_GETNEIGH', { proxy: true }))).toEqual(['2 10.0.0.99', '10 fd00::99']);
    expect(dsts(await ch.dump('RTM_GETNEIGH', { proxy: true, family: 10 }))).toEqual(['10 fd00::99']);
    // The names the address and route messages use are taken too.
    expect(dsts(await ch.dump('RTM_GETNEIGH', { family: 'inet' }))).toEqual(['2 10.0.0.9']);
    expect(await errnoOf(ch.dump('RTM_GETNEIGH', { family: 'ipx' }))).toEqual([-22, '"family" must be a number, "inet" or "inet6"']);
    // A single get picks the table by the address.
    expect((await ch.call('RTM_GETNEIGH', { dst: 'fd00::9', dev: 'tap0' })).body).toMatchObject({ family: 10, dst: 'fd00::9', stateNames: ['PERMANENT'] });
  });

  it('RTM_NEWNEIGH on a device without IPv6: the extended ack ndisc_allow_add() gives; the rest keep their own texts', async () => {
    const { ch, A } = setup6();
    A.sysctl.set('net.ipv6.conf.tap0.disable_ipv6', '1');
    const body = { dst: 'fd00::9', dev: 'tap0', lladdr: '02:00:00:00:00:09', state: NUD_PERMANENT };
    expect(await errnoOf(ch.call('RTM_NEWNEIGH', body, NLM_F_CREATE | NLM_F_EXCL))).toEqual([-22, 'IPv6 is disabled on this device']);
    expect(await errnoOf(ch.call('RTM_NEWNEIGH', body, NLM_F_REPLACE))).toEqual([-22, 'IPv6 is disabled on this device']);
    // Checks that come first in neigh_add() keep their messages; proxy entries need no IPv6.
    expect(await errnoOf(ch.call('RTM_NEWNEIGH', { ...body, dev: null }, NLM_F_CREATE))).toEqual([-22, 'Device not specified']);
    await ch.call('RTM_NEWNEIGH', { dst: 'fd00::9', dev: 'tap0', proxy: true }, NLM_F_CREATE);
    // IPv4 on the same device is not affected.
    await ch.call('RTM_NEWNEIGH', { ...body, dst: '10.0.0.9' }, NLM_F_CREATE | NLM_F_EXCL);
  });

  it('RTM_NEWNEIGH without lladdr: "No link layer address given", and the NONE entry stays (as Linux)', async () => {
    const { ch, A } = setup6();
    expect(await errnoOf(ch.call('RTM_NEWNEIGH', { dst: 'fd00::7', dev: 'tap0', state: NUD_PERMANENT }, NLM_F_CREATE | NLM_F_EXCL)))
      .toEqual([-22, 'No link layer address given']);
    expect(A.neighbours('inet6').filter((n) => n.dst === 'fd00::7').map((n) => n.state)).toEqual([0]);
  });

  it('RTM_GETNEIGHTBL by family (ndisc_cache with Linux\'s entry_size 344); RTM_SETNEIGHTBL looks the table up by family and name', async () => {
    const { ch, A } = setup6();
    const names = async (body: Record<string, unknown>): Promise<string[]> =>
      (await ch.dump<{ name: string }>('RTM_GETNEIGHTBL', body)).map((t) => t.name);
    expect(await names({})).toEqual(['arp_cache', 'ndisc_cache']);
    expect(await names({ family: 2 })).toEqual(['arp_cache']);
    expect(await names({ family: 10 })).toEqual(['ndisc_cache']);
    expect(await names({ family: 28 })).toEqual([]);
    const [arp, nd] = await ch.dump<{ config: { keyLen: number; entrySize: number } }>('RTM_GETNEIGHTBL', {});
    expect([arp!.config.keyLen, arp!.config.entrySize, nd!.config.keyLen, nd!.config.entrySize]).toEqual([4, 336, 16, 344]);
    await ch.call('RTM_SETNEIGHTBL', { name: 'ndisc_cache', family: 10, dev: 'tap0', parms: { appProbes: 2 } });
    await ch.call('RTM_SETNEIGHTBL', { name: 'ndisc_cache', thresh1: 64 });
    const t = A.ntables('inet6')[0]!;
    expect([t.thresh1, t.parms.find((p) => p.dev === 'tap0')!.appProbes]).toEqual([64, 2]);
    expect(await errnoOf(ch.call('RTM_SETNEIGHTBL', { name: 'ndisc_cache', family: 2, thresh1: 1 }))).toEqual([-2, 'No such file or directory']);
    expect(await errnoOf(ch.call('RTM_SETNEIGHTBL', { name: 'arp_cache', family: 10, thresh1: 1 }))).toEqual([-2, 'No such file or directory']);
    expect(await errnoOf(ch.call('RTM_SETNEIGHTBL', { name: 'arp_cache', family: 7, thresh1: 1 }))).toEqual([-2, 'No such file or directory']);
    expect(A.ntables('inet')[0]!.thresh1).toBe(128);
  });

  it('TS_SUBSCRIBE: events of both tables, once per connection however often it subscribes', async () => {
    const { ch } = setup6();
    const seen: string[] = [];
    const off1 = await ch.subscribe(['neigh'], (r) => r.event && seen.push(`${r.event} ${(r.body as { dst: string }).dst}`));
    await ch.call('TS_SUBSCRIBE', { groups: ['neigh'] });
    await ch.call('RTM_NEWNEIGH', { dst: '10.0.0.9', dev: 'tap0', lladdr: '02:00:00:00:00:09' }, NLM_F_CREATE | NLM_F_EXCL);
    await ch.call('RTM_NEWNEIGH', { dst: 'fd00::9', dev: 'tap0', lladdr: '02:00:00:00:00:09' }, NLM_F_CREATE | NLM_F_EXCL);
    await new Promise((r) => setTimeout(r, 0));
    expect(seen).toEqual(['newneigh 10.0.0.9', 'newneigh fd00::9']);
    off1();
  });

  it('TS_PING to an IPv6 address and a zoned link-local one; IPv6 bounds: 65527 bytes, hop limit 0 allowed', async () => {
    const { ch, clock, A, B } = setup6();
    const run = async (body: Record<string, unknown>): Promise<string[]> => {
      const lines: string[] = [];
      const p = ch.call('TS_PING', { count: 1, ...body }, 0, (r) => lines.push(r.line!));
      for (let i = 0; i < 5; i++) {
        await new Promise((r) => setTimeout(r, 0));
        clock.advance(10);
      }
      await p;
      return lines;
    };
    expect((await run({ dst: 'fd00::2' })).slice(0, 2)).toEqual(['PING fd00::2(fd00::2) 56 data bytes', expect.stringMatching(/^64 bytes from fd00::2: icmp_seq=1 ttl=64 time=/)]);
    const ll = B.addresses('inet6').find((a) => a.scope === 'link')!.local;
    expect((await run({ dst: `${ll}%tap0` }))[1]).toMatch(new RegExp(`^64 bytes from ${ll}(%tap0)?: icmp_seq=1 `));
    expect(await errnoOf(ch.call('TS_PING', { dst: 'fd00::2', size: 65528 }))).toEqual([-22, 'ping: invalid packet size']);
    expect(await errnoOf(ch.call('TS_PING', { dst: '10.0.0.2', size: 65508 }))).toEqual([-22, 'ping: invalid packet size']);
    expect(await errnoOf(ch.call('TS_PING', { dst: 'fd00::2', ttl: 256 }))).toEqual([-22, 'ping: invalid ttl']);
    expect((await run({ dst: 'fd00::2', ttl: 0 }))[0]).toBe('PING fd00::2(fd00::2) 56 data bytes');
    expect(A.stats().icmp6.outEchos).toBeGreaterThanOrEqual(3);
  });
});
