// The IPv6 side of the look-alike commands against an in-process stack (LocalChannel): tapstack
// ping -6 / -4 and the family from the address (iputils 20221126, as measured against Linux 6.18
// in a scratch namespace: see the ping transcript in test/golden/ping-6-errors.txt and
// cli_ip6.test.ts for the error texts), tapstack proc net/stat/ndisc_cache, net/if_inet6 and
// net/snmp6, tapstack stat's IPv6 groups, and tapstack up's IPv6 --addr and --nodad.
import { afterEach, describe, expect, it } from 'vitest';
import { LocalChannel } from '../../src/control/channel.js';
import { ControlHandler } from '../../src/control/handler.js';
import type { ControlChannel } from '../../src/control/channel.js';
import { bufferIO, type CliIO } from '../../src/cli/io.js';
import { pingCommand } from '../../src/cli/ping_cmd.js';
import { PROC_STAT_NEIGH_HEADER, SNMP6_IP6_NAMES } from '../../src/cli/fmt_proc.js';
import { PROC_USAGE, procCommand } from '../../src/cli/proc.js';
import { statCommand } from '../../src/cli/stat.js';
import { parseUpArgs, UP_HELP } from '../../src/cli/up.js';
import { UsageError } from '../../src/cli/args.js';
import { closeStacks, twoStacks, type TwoStacks } from '../helpers/two_stacks.js';

let cleanup: (() => void)[] = [];
afterEach(async () => {
  for (const c of cleanup) c();
  cleanup = [];
  await closeStacks();
});

const MAC_A = Buffer.from('020000000001', 'hex');
const MAC_B = Buffer.from('020000000099', 'hex');
/** The link-locals of MAC_A and MAC_B (EUI-64). */
const LL_A = 'fe80::ff:fe00:1';
const LL_B = 'fe80::ff:fe00:99';

interface Env extends TwoStacks {
  ch: LocalChannel;
  run(cmd: Cmd, argv: string[], o?: { stepMs?: number }): Promise<[number, string, string]>;
}

type Cmd = (argv: string[], ch: ControlChannel, io: CliIO) => Promise<number>;

/** A (d0: 10.0.0.1/24, fd00:1::1/64) and B (d1: 10.0.0.99/24, fd00:1::99/64), DAD done, no RS. */
function setup(): Env {
  const env = twoStacks({ names: ['d0', 'd1'], macs: [MAC_A, MAC_B], addrA: null, addrB: null, ipv6: true, attach: false });
  for (const s of [env.A, env.B]) s.sysctl.set('net.ipv6.conf.default.router_solicitations', '0');
  env.A.addDevice(env.ea);
  env.B.addDevice(env.eb);
  env.A.addAddress('d0', '10.0.0.1/24');
  env.B.addAddress('d1', '10.0.0.99/24');
  env.A.addAddress('d0', 'fd00:1::1/64', { nodad: true });
  env.B.addAddress('d1', 'fd00:1::99/64', { nodad: true });
  env.clock.advance(5000);
  const ch = new LocalChannel(new ControlHandler(env.A));
  cleanup.push(() => ch.close());
  /** Runs a command while the clock moves `stepMs` per turn of the event loop. */
  const run = async (cmd: Cmd, argv: string[], o: { stepMs?: number } = {}): Promise<[number, string, string]> => {
    const io = bufferIO();
    let done = false;
    const p = cmd(argv, ch, io).finally(() => {
      done = true;
    });
    for (let i = 0; !done && i < 200; i++) {
      await new Promise((r) => setImmediate(r));
      if (!done) env.clock.advance(o.stepMs ?? 1000);
    }
    return [await p, io.stdout, io.stderr];
  };
  return { ...env, ch, run };
}

const summary = (target: string, tx: number, rx: number, ms: number): string =>
  `\n--- ${target} ping statistics ---\n${tx} packets transmitted, ${rx} received, ${Math.round(((tx - rx) * 100) / tx)}% packet loss, time ${ms}ms\n`;
const RTT0 = 'rtt min/avg/max/mdev = 0.000/0.000/0.000/0.000 ms\n';

describe('tapstack ping -6 (iputils 20221126)', () => {
  it('the family from the address: an IPv6 target gets ping6\'s header, replies and summary; -6 says the same', async () => {
    const env = setup();
    const want = 'PING fd00:1::99(fd00:1::99) 56 data bytes\n64 bytes from fd00:1::99: icmp_seq=1 ttl=64 time=0.000 ms\n' +
      summary('fd00:1::99', 1, 1, 0) + RTT0;
    expect(await env.run(pingCommand, ['-c', '1', 'fd00:1::99'])).toEqual([0, want, '']);
    expect(await env.run(pingCommand, ['-6', '-c', '1', 'fd00:1::99'])).toEqual([0, want, '']);
    // IPv4 is unchanged, -4 too.
    expect((await env.run(pingCommand, ['-4', '-c', '1', '10.0.0.99']))[1].split('\n')[0]).toBe('PING 10.0.0.99 (10.0.0.99) 56(84) bytes of data.');
  });

  it('the target is named as typed in the header and the summary, the address canonically', async () => {
    const env = setup();
    const [code, out] = await env.run(pingCommand, ['-c', '1', 'FD00:1:0::99']);
    expect(code).toBe(0);
    expect(out.split('\n')[0]).toBe('PING FD00:1:0::99(fd00:1::99) 56 data bytes');
    expect(out).toContain('\n--- FD00:1:0::99 ping statistics ---\n');
  });

  it('a zoned link-local target (by name or index) names the interface; replies from link-local addresses carry it', async () => {
    const env = setup();
    const [code, out, err] = await env.run(pingCommand, ['-c', '1', `${LL_B}%d0`]);
    expect([code, err]).toEqual([0, '']);
    expect(out).toBe(`PING ${LL_B}%d0(${LL_B}%d0) 56 data bytes\n64 bytes from ${LL_B}%d0: icmp_seq=1 ttl=64 time=0.000 ms\n` +
      summary(`${LL_B}%d0`, 1, 1, 0) + RTT0);
    // %1 is d0's ifindex: the header names it, the summary keeps what was typed.
    const [, byIndex] = await env.run(pingCommand, ['-c', '1', `${LL_B}%1`]);
    expect(byIndex.split('\n')[0]).toBe(`PING ${LL_B}%1(${LL_B}%d0) 56 data bytes`);
    expect(byIndex).toContain(`64 bytes from ${LL_B}%d0: icmp_seq=1 `);
    expect(byIndex).toContain(`\n--- ${LL_B}%1 ping statistics ---\n`);
    // A global address takes a numeric zone only, shown as a number.
    const [, global] = await env.run(pingCommand, ['-c', '1', 'fd00:1::99%1']);
    expect(global.split('\n')[0]).toBe('PING fd00:1::99%1(fd00:1::99%1) 56 data bytes');
    expect(global).toContain('64 bytes from fd00:1::99: icmp_seq=1 ');
  });

  it('-I ADDR: the header names the source (as iputils, both families); a zoned link-local source binds its device', async () => {
    const env = setup();
    const [c6, o6] = await env.run(pingCommand, ['-c', '1', '-I', 'fd00:1::1', 'fd00:1::99']);
    expect([c6, o6.split('\n')[0]]).toEqual([0, 'PING fd00:1::99(fd00:1::99) from fd00:1::1 : 56 data bytes']);
    const [c4, o4] = await env.run(pingCommand, ['-c', '1', '-I', '10.0.0.1', '10.0.0.99']);
    expect([c4, o4.split('\n')[0]]).toEqual([0, 'PING 10.0.0.99 (10.0.0.99) from 10.0.0.1 : 56(84) bytes of data.']);
    const [cl, ol] = await env.run(pingCommand, ['-c', '1', '-I', `${LL_A}%d0`, `${LL_B}%d0`]);
    expect([cl, ol.split('\n')[0]]).toEqual([0, `PING ${LL_B}%d0(${LL_B}%d0) from ${LL_A}%d0 d0: 56 data bytes`]);
    expect(await env.run(pingCommand, ['-c', '1', '-I', `${LL_A}%nope`, 'fd00:1::99'])).toEqual([2, '', `ping: ${LL_A}%nope: Name or service not known\n`]);
  });

  it('nobody answers: the neighbour fails after 3 NS and ping prints "Address unreachable" from our address', async () => {
    const env = setup();
    const [code, out] = await env.run(pingCommand, ['-c', '1', 'fd00:1::98']);
    expect(code).toBe(1);
    expect(out).toBe('PING fd00:1::98(fd00:1::98) 56 data bytes\nFrom fd00:1::1 icmp_seq=1 Destination unreachable: Address unreachable\n' +
      '\n--- fd00:1::98 ping statistics ---\n1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 0ms\n\n');
  });

  it('IPv6 limits: hop limit 0 is allowed (IPV6_UNICAST_HOPS), payloads up to 65527; -4/-6 against the other family', async () => {
    const env = setup();
    expect((await env.run(pingCommand, ['-c', '1', '-t', '0', 'fd00:1::99']))[0]).toBe(0);
    expect(await env.run(pingCommand, ['-c', '1', '-t', '0', '10.0.0.99'])).toEqual([2, '', 'ping: cannot set unicast time-to-live: Invalid argument\n']);
    expect(await env.run(pingCommand, ['-c', '1', '-s', '65528', 'fd00:1::99'])).toEqual([2, '', 'ping: packet size 65528 is too large. Maximum is 65527\n']);
    expect(await env.run(pingCommand, ['-6', '10.0.0.99'])).toEqual([2, '', 'ping: 10.0.0.99: Address family for hostname not supported\n']);
    expect(await env.run(pingCommand, ['-4', 'fd00:1::99'])).toEqual([2, '', 'ping: fd00:1::99: Address family for hostname not supported\n']);
    expect(await env.run(pingCommand, ['-c', '1', 'fd00:1::99%d0'])).toEqual([2, '', 'ping: fd00:1::99%d0: Name or service not known\n']);
  });
});

describe('tapstack proc: IPv6 files', () => {
  it('net/stat/ndisc_cache: the arp_cache layout with nd_tbl\'s counters', async () => {
    const env = setup();
    const [code, out, err] = await env.run(procCommand, ['net/stat/ndisc_cache']);
    expect([code, err]).toEqual([0, '']);
    const lines = out.split('\n');
    expect(`${lines[0]}\n`).toBe(PROC_STAT_NEIGH_HEADER);
    const nd = env.A.stats().nd;
    expect(parseInt(lines[1]!.slice(0, 8), 16)).toBe(nd.entries);
    expect(parseInt(lines[1]!.split(/\s+/)[1]!, 16)).toBe(nd.allocs);
    expect(await env.run(procCommand, ['/proc/net/stat/ndisc_cache/'])).toEqual([1, '', 'cat: /proc/net/stat/ndisc_cache/: Not a directory\n']);
    expect(PROC_USAGE).toContain('net/stat/ndisc_cache');
  });

  it('net/arp leaves the IPv6 neighbours out', async () => {
    const env = setup();
    env.A.neighAdd({ dst: 'fd00:1::5', dev: 'd0', lladdr: '02:00:00:00:00:05' });
    env.A.neighAdd({ dst: '10.0.0.5', dev: 'd0', lladdr: '02:00:00:00:00:05' });
    env.A.neighAdd({ dst: 'fd00:1::50', dev: 'd0', proxy: true });
    const [, out] = await env.run(procCommand, ['net/arp']);
    expect(out.split('\n').slice(1).filter(Boolean).map((l) => l.split(' ')[0])).toEqual(['10.0.0.5']);
  });

  it('net/if_inet6: every IPv6 address as if6_seq_show prints it', async () => {
    const env = setup();
    const [code, out, err] = await env.run(procCommand, ['net/if_inet6']);
    expect([code, err]).toEqual([0, '']);
    expect(out).toBe(
      'fd000001000000000000000000000001 01 40 00 82       d0\n' + // nodad | permanent, as captured
        'fe80000000000000000000fffe000001 01 40 20 80       d0\n',
    );
  });

  it('net/snmp6: Linux\'s line layout with the stack\'s Ip6 and Icmp6 counters', async () => {
    const env = setup();
    const [, before] = await env.run(procCommand, ['net/snmp6']);
    await env.run(pingCommand, ['-c', '1', 'fd00:1::99']);
    const [code, out, err] = await env.run(procCommand, ['net/snmp6']);
    expect([code, err]).toEqual([0, '']);
    const lines = out.trimEnd().split('\n');
    expect(lines.slice(0, SNMP6_IP6_NAMES.length).map((l) => l.split(/\s+/)[0])).toEqual(SNMP6_IP6_NAMES.map((n) => `Ip6${n}`));
    expect(lines.every((l) => /^\S+ *\t\d+$/.test(l) && l.indexOf('\t') === 32)).toBe(true);
    const value = (text: string, name: string): number => Number(new RegExp(`^${name} *\\t(\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
    const s = env.A.stats();
    expect(value(out, 'Ip6InReceives')).toBe(s.ip6.inReceives);
    expect(value(out, 'Icmp6OutEchos')).toBe(value(before, 'Icmp6OutEchos') + 1);
    expect(value(out, 'Icmp6InEchoReplies')).toBe(1);
    expect(value(out, 'Icmp6OutType128')).toBe(1);
    expect(value(out, 'Icmp6InType129')).toBe(1);
    expect(value(out, 'Icmp6OutType135')).toBe(s.icmp6.outType[135]);
    // Counters tapstack does not keep read 0, as a counter never bumped.
    expect(value(out, 'Ip6InOctets')).toBe(0);
    expect(out).not.toMatch(/^Icmp6InType130 /m);
    // The stack has UDP over IPv6: its Udp6 lines, then UdpLite6's (no UDP-Lite: zeros), as Linux ends the file.
    expect(value(out, 'Udp6NoPorts')).toBe(s.udp6.noPorts);
    expect(lines.at(-1)).toMatch(/^UdpLite6MemErrors +\t0$/);
  });
});

describe('tapstack stat: IPv6 groups', () => {
  it('nd.*, ndisc.*, ip6.*, icmp6.* (per type as icmp6.inType.N / outType.N), mld.*', async () => {
    const env = setup();
    await env.run(pingCommand, ['-c', '1', 'fd00:1::99']);
    const [code, out] = await env.run(statCommand, []);
    expect(code).toBe(0);
    const names = out.split('\n').filter(Boolean).map((l) => l.split(/\s+/)[0]!);
    for (const n of ['nd.allocs', 'ndisc.txNs', 'ndisc.rxNa', 'ip6.inReceives', 'ip6.outRequests', 'icmp6.outEchos', 'icmp6.inEchoReplies', 'icmp6.outType.128', 'icmp6.inType.129', 'icmp6.outType.135', 'mld.txReports']) {
      expect(names, n).toContain(n);
    }
    const [, types] = await env.run(statCommand, ['-a', 'icmp6.outType.*']);
    // Only the types that were sent, even with -a.
    expect(types.split('\n').filter(Boolean).map((l) => l.split(/\s+/)[0]).sort()).toEqual(
      env.A.stats().icmp6.outType.flatMap((v, t) => (v ? [`icmp6.outType.${t}`] : [])).sort(),
    );
    const [, zero] = await env.run(statCommand, ['-a', 'ndisc.drops.*']);
    expect(zero.split('\n').filter(Boolean).length).toBeGreaterThan(0);
  });
});

describe('tapstack up: IPv6 addresses', () => {
  it('--addr takes IPv6 CIDRs (a bare address is a /128) beside IPv4 ones; --nodad', () => {
    const c = parseUpArgs(['--dev', 'tap0', '--addr', '10.0.0.2/24', '--addr', 'fd00::2/64', '--addr', 'fe80::2', '--nodad']);
    if (c === 'help') throw new Error('help');
    const d = c.devices[0]!;
    expect(d.addrs.map((a) => a.text)).toEqual(['10.0.0.2/24']);
    expect(d.addrs6.map((a) => [a.text, a.prefixLen, a.addr.toString('hex')])).toEqual([
      ['fd00::2/64', 64, 'fd000000000000000000000000000002'],
      ['fe80::2/128', 128, 'fe800000000000000000000000000002'],
    ]);
    expect(c.nodad).toBe(true);
    const only6 = parseUpArgs(['--dev', 'tap0', '--addr', 'fd00::2/64']);
    expect(only6 !== 'help' && [only6.devices[0]!.addrs6.length, only6.nodad]).toEqual([1, false]);
  });

  it.each([
    [['--dev', 'tap0', '--addr', 'fd00::2/129'], "invalid address 'fd00::2/129': expected ADDR/N with N from 0 to 128 (or ADDR for /128)"],
    [['--dev', 'tap0', '--addr', 'fd00:::2/64'], "invalid address 'fd00:::2/64'"],
    [['--dev', 'tap0', '--addr', 'fd00::2/64', '--nodad=1'], "option '--nodad' takes no value"],
    [['--dev', 'tap0'], 'at least one --addr'],
  ])('rejects %j', (argv, msg) => {
    expect(() => parseUpArgs(argv)).toThrow(UsageError);
    expect(() => parseUpArgs(argv)).toThrow(msg);
  });

  it('the help names IPv6 addresses and --nodad', () => {
    expect(UP_HELP).toContain('--addr ADDR/N');
    expect(UP_HELP).toContain('--nodad');
    expect(UP_HELP).toContain('fd00::2/64');
  });
});
