// The net-tools/procps/iputils look-alike commands (tapstack arp, proc, sysctl, ping) against an
// in-process stack through the control channel (LocalChannel: the same handler and JSON round trip
// as the socket). Expected texts and exit statuses were taken from net-tools 2.10 arp, procps-ng
// 4.0.2 sysctl and iputils 20221126 ping run against the kernel in a scratch namespace.
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { LocalChannel } from '../../src/control/channel.js';
import { ControlHandler } from '../../src/control/handler.js';
import { Stack } from '../../src/stack.js';
import { bufferIO, type CliIO } from '../../src/cli/io.js';
import { ARP_HWLIST, ARP_USAGE, arpCommand, getoptLong, inEther, inetAton } from '../../src/cli/arp.js';
import { PROC_USAGE, procCommand } from '../../src/cli/proc.js';
import { SYSCTL_USAGE, posixEre, sysctlCommand } from '../../src/cli/sysctl_cmd.js';
import { PING_USAGE, pingCommand } from '../../src/cli/ping_cmd.js';
import type { ControlChannel } from '../../src/control/channel.js';
import { MAC_01, MAC_02, closeStacks, twoStacks } from '../helpers/two_stacks.js';

type Cmd = (argv: string[], ch: ControlChannel, io: CliIO, opts?: { signal?: AbortSignal }) => Promise<number>;

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup) await c();
  cleanup = [];
  await closeStacks();
});

interface Env {
  clock: ManualClock;
  A: Stack;
  B: Stack;
  ch: LocalChannel;
  /** Runs one command to completion: [exit status, stdout, stderr]. */
  run(cmd: Cmd, argv: string[]): Promise<[number, string, string]>;
}

/** Stack A (tap0 10.0.0.1/24, MAC 02:..:01) under control, wired to stack B (10.0.0.2). */
function setup(): Env {
  const { clock, A, B } = twoStacks({ names: ['tap0', 'peer0'], macs: [MAC_01, MAC_02] });
  const ch = new LocalChannel(new ControlHandler(A));
  cleanup.push(async () => ch.close());
  const run = async (cmd: Cmd, argv: string[]): Promise<[number, string, string]> => {
    const io = bufferIO();
    const code = await cmd(argv, ch, io);
    return [code, io.stdout, io.stderr];
  };
  return { clock, A, B, ch, run };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

const TABLE_HEADER = 'Address                  HWtype  HWaddress           Flags Mask            Iface\n';

describe('getopt_long, inet_aton, in_ether, POSIX ERE', () => {
  it('permutes operands, clusters short options, takes attached and detached arguments, reports glibc messages', () => {
    const r = getoptLong('arp', ['-vn', '10.0.0.1', '-itap0', '-i', 'x', '--dev=y', '--', '-a'], 'vni:', [{ name: 'device', has: 'required', val: 'i' }]);
    expect(r.items).toEqual([{ opt: 'v' }, { opt: 'n' }, { opt: 'i', arg: 'tap0' }, { opt: 'i', arg: 'x' }, { opt: 'i', arg: 'y' }]);
    expect(r.operands).toEqual(['10.0.0.1', '-a']);
    const long = [{ name: 'set', has: 'none' as const, val: 's' }, { name: 'symbolic', has: 'none' as const, val: 'N' }, { name: 'verbose', has: 'none' as const, val: 'v' }];
    expect(getoptLong('arp', ['-x', '-i', '--s', '--bogus', '--verbose=1'], 'i:', long).items).toEqual([
      { error: "arp: invalid option -- 'x'" },
      { opt: 'i', arg: '--s' },
      { error: "arp: unrecognized option '--bogus'" },
      { error: "arp: option '--verbose' doesn't allow an argument" },
    ]);
    expect(getoptLong('arp', ['--s'], '', long).items).toEqual([{ error: "arp: option '--s' is ambiguous; possibilities: '--set' '--symbolic'" }]);
    expect(getoptLong('arp', ['-i'], 'i:').items).toEqual([{ error: "arp: option requires an argument -- 'i'" }]);
    expect(getoptLong('sysctl', ['-pfile', '-p', 'x'], 'p::').items).toEqual([{ opt: 'p', arg: 'file' }, { opt: 'p' }]);
  });

  it('inet_aton accepts glibc shorthand, octal and hex, refuses the rest', () => {
    expect(['10.0.0.1', '10.1', '10.0.1', '167772161', '0x0a.0.0.01', '10.0.0.1 junk'].map((s) => inetAton(s))).toEqual(
      Array(6).fill(0x0a000001),
    );
    expect(['', 'x', '10.0.0.256', '10.0.0.1x', '1.2.3.4.5', '08.0.0.1', '10.0x', '4294967296'].map((s) => inetAton(s))).toEqual(Array(8).fill(null));
  });

  it('in_ether: short addresses zero-filled, single digits, no colons, trailing junk ignored', () => {
    expect(inEther('2:0:0:0:0:7')).toBe('02:00:00:00:00:07');
    expect(inEther('020000000007')).toBe('02:00:00:00:00:07');
    expect(inEther('02:00')).toBe('02:00:00:00:00:00');
    expect(inEther('02:00:00:00:00:07:08')).toBe('02:00:00:00:00:07');
    expect(inEther('AA:bb:CC:dd:EE:ff')).toBe('aa:bb:cc:dd:ee:ff');
    expect(inEther('zz:zz')).toBeNull();
    expect(inEther('0200.0000.0007')).toBeNull();
  });

  it('POSIX bracket classes translate; patterns regcomp would refuse give null', () => {
    expect(posixEre('tap[[:digit:]]\\.arp_i')!.test('net.ipv4.conf.tap0.arp_ignore')).toBe(true);
    expect(posixEre('[]x]')!.test(']')).toBe(true);
    expect(posixEre('(')).toBeNull();
    expect(posixEre('[[:nope:]]')).toBeNull();
  });
});

describe('tapstack arp (net-tools 2.10)', () => {
  it('an empty table prints nothing; a host or device filter says why nothing matched', async () => {
    const { run } = setup();
    expect(await run(arpCommand, [])).toEqual([0, '', '']);
    expect(await run(arpCommand, ['-a'])).toEqual([0, '', '']);
    expect(await run(arpCommand, ['-n', '10.0.0.7'])).toEqual([0, '10.0.0.7 (10.0.0.7) -- no entry\n', '']);
    // The name as typed, then the address it stands for.
    expect(await run(arpCommand, ['10.7'])).toEqual([0, '10.7 (10.0.0.7) -- no entry\n', '']);
    expect(await run(arpCommand, ['-a', '10.0.0.7'])).toEqual([0, 'arp: in 0 entries no match found.\n', '']);
    expect(await run(arpCommand, ['-i', 'nope'])).toEqual([0, 'arp: in 0 entries no match found.\n', '']);
    expect(await run(arpCommand, ['-H', 'ether'])).toEqual([0, 'arp: in 0 entries no match found.\n', '']);
    expect(await run(arpCommand, ['-v', '10.0.0.7'])).toEqual([0, 'Entries: 0\tSkipped: 0\tFound: 0\n10.0.0.7 (10.0.0.7) -- no entry\n', '']);
    expect(await run(arpCommand, ['no.such.host'])).toEqual([255, '', 'no.such.host: Unknown host\n']);
  });

  it('-s adds a PERMANENT entry on the device whose subnet holds the address; temp a STALE one; the table and -a show them', async () => {
    const { run, A } = setup();
    expect(await run(arpCommand, ['-s', '10.0.0.5', '02:00:00:00:00:05'])).toEqual([0, '', '']);
    expect(await run(arpCommand, ['-s', '10.0.0.6', '2:0:0:0:0:6', 'temp'])).toEqual([0, '', '']);
    // Rows come in the table's hash order, as /proc/net/arp lists them.
    expect(A.neighbours().map((n) => [n.dst, n.dev, n.lladdr, n.stateNames.join()])).toEqual([
      ['10.0.0.6', 'tap0', '02:00:00:00:00:06', 'STALE'],
      ['10.0.0.5', 'tap0', '02:00:00:00:00:05', 'PERMANENT'],
    ]);
    const table = TABLE_HEADER +
      '10.0.0.6                 ether   02:00:00:00:00:06   C                     tap0\n' +
      '10.0.0.5                 ether   02:00:00:00:00:05   CM                    tap0\n';
    expect(await run(arpCommand, [])).toEqual([0, table, '']);
    expect(await run(arpCommand, ['-n'])).toEqual([0, table, '']);
    expect(await run(arpCommand, ['-a', '-e'])).toEqual([0, table, '']);
    expect(await run(arpCommand, ['-an'])).toEqual([
      0,
      '? (10.0.0.6) at 02:00:00:00:00:06 [ether] on tap0\n? (10.0.0.5) at 02:00:00:00:00:05 [ether] PERM on tap0\n',
      '',
    ]);
    expect(await run(arpCommand, ['-v', '10.0.0.6'])).toEqual([
      0,
      TABLE_HEADER + '10.0.0.6                 ether   02:00:00:00:00:06   C                     tap0\nEntries: 2\tSkipped: 1\tFound: 1\n',
      '',
    ]);
    expect(await run(arpCommand, ['-i', 'peer0'])).toEqual([0, 'arp: in 2 entries no match found.\n', '']);
    // Replacing an existing entry (SIOCSARP always overrides).
    expect(await run(arpCommand, ['-s', '10.0.0.6', '02:00:00:00:00:66'])).toEqual([0, '', '']);
    expect(A.neighbours().find((n) => n.dst === '10.0.0.6')?.stateNames).toEqual(['PERMANENT']);
  });

  it('-s without -i follows the link-scope route: no route → ENETUNREACH, own address → EINVAL; -i names the device', async () => {
    const { run, A } = setup();
    expect(await run(arpCommand, ['-s', '8.8.8.8', '02:00:00:00:00:08'])).toEqual([255, '', 'SIOCSARP: Network is unreachable\n']);
    expect(await run(arpCommand, ['-s', '224.0.0.5', '02:00:00:00:00:08'])).toEqual([255, '', 'SIOCSARP: Network is unreachable\n']);
    expect(await run(arpCommand, ['-s', '10.0.0.1', '02:00:00:00:00:08'])).toEqual([255, '', 'SIOCSARP: Invalid argument\n']);
    expect(await run(arpCommand, ['-s', '127.0.0.5', '02:00:00:00:00:08'])).toEqual([255, '', 'SIOCSARP: Invalid argument\n']);
    expect(await run(arpCommand, ['-s', '10.0.0.9', '02:00:00:00:00:09', 'netmask', '255.255.255.0'])).toEqual([255, '', 'SIOCSARP: Invalid argument\n']);
    expect(await run(arpCommand, ['-i', 'nope0', '-s', '10.0.0.9', '02:00:00:00:00:09'])).toEqual([255, '', 'SIOCSARP: No such device\n']);
    // With -i, no route is needed (the kernel takes the device as given).
    expect(await run(arpCommand, ['-s', '192.168.7.7', '02:00:00:00:00:07', '-i', 'tap0'])).toEqual([0, '', '']);
    expect(await run(arpCommand, ['-s', '10.0.0.255', '02:00:00:00:00:0f', '-v'])).toEqual([0, '', 'arp: SIOCSARP()\n']);
    expect(A.neighbours().map((n) => n.dst)).toEqual(['192.168.7.7', '10.0.0.255']);
  });

  it('-s argument errors: host, hardware address, modifiers', async () => {
    const { run } = setup();
    expect(await run(arpCommand, ['-s'])).toEqual([255, '', 'arp: need host name\n']);
    expect(await run(arpCommand, ['-s', '10.0.0.9'])).toEqual([255, '', 'arp: need hardware address\n']);
    expect(await run(arpCommand, ['-s', '10.0.0.9', 'zz:zz'])).toEqual([255, '', 'arp: invalid hardware address\n']);
    expect(await run(arpCommand, ['-s', 'foo', '02:00:00:00:00:09'])).toEqual([255, '', 'foo: Unknown host\n']);
    expect(await run(arpCommand, ['-s', '10.0.0.9', '02:00:00:00:00:09', 'bogus'])).toEqual([3, '', ARP_USAGE + ARP_HWLIST]);
    expect(await run(arpCommand, ['-s', '10.0.0.9', '02:00:00:00:00:09', 'dev'])).toEqual([3, '', ARP_USAGE + ARP_HWLIST]);
    expect(await run(arpCommand, ['-D', '-s', '10.0.0.9', 'nosuch'])).toEqual([255, '', "arp: cant get HW-Address for `nosuch': No such device.\n"]);
  });

  it('pub makes proxy entries: -i names the device, otherwise the device owning the MAC (or ENODEV); -d deletes them', async () => {
    const { run, A } = setup();
    expect(await run(arpCommand, ['-i', 'tap0', '-s', '10.0.0.50', '02:00:00:00:00:50', 'pub'])).toEqual([0, '', '']);
    expect(await run(arpCommand, ['-s', '10.0.0.51', '02:00:00:00:00:01', 'pub'])).toEqual([0, '', '']);
    expect(await run(arpCommand, ['-Ds', '10.0.0.52', 'tap0', 'pub'])).toEqual([0, '', '']);
    expect(await run(arpCommand, ['-s', '10.0.0.53', '02:00:00:00:00:99', 'pub'])).toEqual([255, '', 'SIOCSARP: No such device\n']);
    expect(await run(arpCommand, ['-i', 'tap0', '-s', '10.0.0.0', '02:00:00:00:00:99', 'netmask', '255.255.255.0', 'pub'])).toEqual([255, '', 'SIOCSARP: Invalid argument\n']);
    expect(A.proxyNeighbours().map((p) => [p.dst, p.dev])).toEqual([['10.0.0.50', 'tap0'], ['10.0.0.51', 'tap0'], ['10.0.0.52', 'tap0']]);
    expect(await run(arpCommand, ['-n'])).toEqual([
      0,
      TABLE_HEADER +
        '10.0.0.50                *       <from_interface>    MP                    tap0\n' +
        '10.0.0.51                *       <from_interface>    MP                    tap0\n' +
        '10.0.0.52                *       <from_interface>    MP                    tap0\n',
      '',
    ]);
    expect((await run(arpCommand, ['-a', '10.0.0.51']))[1]).toBe('? (10.0.0.51) at <from_interface> PERM PUB on tap0\n');
    // Without -i the proxy delete looks for a device-less entry, as SIOCDARP does.
    expect(await run(arpCommand, ['-d', '10.0.0.50'])).toEqual([255, 'No ARP entry for 10.0.0.50\n', '']);
    expect(await run(arpCommand, ['-i', 'tap0', '-d', '10.0.0.50'])).toEqual([0, '', '']);
    expect(await run(arpCommand, ['-i', 'tap0', '-d', '10.0.0.51', 'pub'])).toEqual([0, '', '']);
    expect(await run(arpCommand, ['-i', 'tap0', '-d', '10.0.0.51', 'pub'])).toEqual([255, 'No ARP entry for 10.0.0.51\n', '']);
    expect(A.proxyNeighbours().map((p) => p.dst)).toEqual(['10.0.0.52']);
  });

  it('netmask 0.0.0.0 pub switches proxy_arp on the device (arp_req_set_proxy), and -d switches it off', async () => {
    const { run, A } = setup();
    const proxyArp = (): number => (A.device('tap0').ipPtr as { cnf: { get(k: string): number } }).cnf.get('proxy_arp');
    expect(await run(arpCommand, ['-i', 'tap0', '-s', '10.0.0.0', '02:00:00:00:00:01', 'netmask', '0.0.0.0', 'pub'])).toEqual([0, '', '']);
    expect(proxyArp()).toBe(1);
    expect(await run(arpCommand, ['-i', 'tap0', '-d', '10.0.0.0', 'netmask', '0.0.0.0', 'pub'])).toEqual([0, '', '']);
    expect(proxyArp()).toBe(0);
  });

  it('-d: both the private and the public entry are tried; errors and exit statuses as net-tools', async () => {
    const { run, A } = setup();
    await run(arpCommand, ['-s', '10.0.0.5', '02:00:00:00:00:05']);
    expect(await run(arpCommand, ['-d', '10.0.0.5'])).toEqual([0, '', '']);
    expect(A.neighbours()).toEqual([]);
    expect(await run(arpCommand, ['-v', '-d', '10.0.0.5'])).toEqual([255, 'No ARP entry for 10.0.0.5\n', 'arp: SIOCDARP(dontpub)\narp: SIOCDARP(pub)\n']);
    expect(await run(arpCommand, ['-d', '10.0.0.99', 'priv'])).toEqual([255, 'No ARP entry for 10.0.0.99\n', '']);
    expect(await run(arpCommand, ['-d', '8.8.8.8'])).toEqual([255, '', 'SIOCDARP(dontpub): Network is unreachable\n']);
    expect(await run(arpCommand, ['-i', 'nope0', '-d', '10.0.0.5'])).toEqual([255, '', 'SIOCDARP(dontpub): No such device\n']);
    expect(await run(arpCommand, ['-i', 'nope0', '-d', '10.0.0.5', 'pub'])).toEqual([255, '', 'SIOCDARP(pub): No such device\n']);
    expect(await run(arpCommand, ['-d', '10.0.0.5', 'dontpub'])).toEqual([255, '', 'SIOCDARP(dontpub): Invalid argument\n']);
    // Our own address routes through lo, which has no neighbour for it.
    expect(await run(arpCommand, ['-d', '10.0.0.1'])).toEqual([255, 'No ARP entry for 10.0.0.1\n', '']);
    // net-tools prints the netmask where the host belongs once "netmask" was given.
    expect(await run(arpCommand, ['-d', '10.0.0.5', 'pub', 'netmask', '255.255.255.255'])).toEqual([255, 'No ARP entry for 10.0.0.5\n', '']);
    expect(await run(arpCommand, ['-v', '-d', '10.0.0.5', 'pub', 'dev', 'tap0'])).toEqual([255, 'No ARP entry for 10.0.0.5\n', 'args=pub\nargs=dev\narp: SIOCDARP(pub)\n']);
    expect(await run(arpCommand, ['-d'])).toEqual([255, '', 'arp: need host name\n']);
    expect(await run(arpCommand, ['-d', '10.0.0.5', 'pub', 'x'])).toEqual([3, '', ARP_USAGE + ARP_HWLIST]);
  });

  it('an entry learned from the wire is deleted through the route lookup; -i on the wrong device finds nothing', async () => {
    const { run, A, clock } = setup();
    const p = A.ping('10.0.0.2', { count: 1, interval: 1 });
    clock.advance(2000);
    await p;
    expect(A.neighbours().map((n) => [n.dst, n.stateNames.join()])).toEqual([['10.0.0.2', 'REACHABLE']]);
    expect(await run(arpCommand, ['-a'])).toEqual([0, '? (10.0.0.2) at 02:00:00:00:00:02 [ether] on tap0\n', '']);
    expect(await run(arpCommand, ['-d', '10.0.0.2'])).toEqual([0, '', '']);
    expect(A.neighbours()).toEqual([]);
  });

  it('usage: bad options to stderr with status 3, -h to stdout (the hardware list always goes to stderr)', async () => {
    const { run } = setup();
    expect(await run(arpCommand, ['-x'])).toEqual([3, '', "arp: invalid option -- 'x'\n" + ARP_USAGE + ARP_HWLIST]);
    expect(await run(arpCommand, ['--bogus'])).toEqual([3, '', "arp: unrecognized option '--bogus'\n" + ARP_USAGE + ARP_HWLIST]);
    expect(await run(arpCommand, ['-i'])).toEqual([3, '', "arp: option requires an argument -- 'i'\n" + ARP_USAGE + ARP_HWLIST]);
    expect(await run(arpCommand, ['-h'])).toEqual([0, ARP_USAGE, ARP_HWLIST]);
    expect(await run(arpCommand, ['--help'])).toEqual([0, ARP_USAGE, ARP_HWLIST]);
    expect(await run(arpCommand, ['-H', 'foo'])).toEqual([255, '', 'arp: foo: unknown hardware type.\n']);
    expect(await run(arpCommand, ['-A', 'foo'])).toEqual([255, '', 'arp: foo: unknown address family.\n']);
    expect(await run(arpCommand, ['-A', 'inet6'])).toEqual([255, '', "arp: inet6: kernel only supports 'inet'.\n"]);
    expect(await run(arpCommand, ['-N'])).toEqual([0, '', 'arp: -N not yet supported.\n']);
    expect(ARP_USAGE.split('\n')[1]).toBe('  arp [-vn]  [<HW>] [-i <if>] [-a] [<hostname>]             <-Display ARP cache');
    expect(await run(arpCommand, ['-V'])).toEqual([0, 'tapstack arp (net-tools 2.10 compatible)\n', '']);
    expect(await run(arpCommand, ['-f'])).toEqual([255, '', 'arp: -f is not supported by tapstack (no ethers file is read)\n']);
  });

  it('-H ether keeps Ethernet rows only (a device-less proxy entry has type 0); "default" is 0.0.0.0', async () => {
    const { run, A } = setup();
    A.neighAdd({ dst: '10.0.0.51', dev: null, proxy: true });
    expect(await run(arpCommand, ['-H', 'ether'])).toEqual([0, 'arp: in 1 entries no match found.\n', '']);
    expect((await run(arpCommand, ['-A', 'inet']))[1]).toBe(TABLE_HEADER + '10.0.0.51                *       <from_interface>    MP                    *\n');
    A.neighAdd({ dst: '10.0.0.5', dev: 'tap0', lladdr: '02:00:00:00:00:05' });
    expect(await run(arpCommand, ['-H', 'ether', '-a'])).toEqual([0, '? (10.0.0.5) at 02:00:00:00:00:05 [ether] PERM on tap0\n', '']);
    expect(await run(arpCommand, ['default'])).toEqual([0, 'default (0.0.0.0) -- no entry\n', '']);
  });

  it('a broken control channel is reported, not thrown', async () => {
    const { run, ch } = setup();
    ch.close();
    expect(await run(arpCommand, ['-a'])).toEqual([255, '', 'arp: channel closed\n']);
    expect(await run(arpCommand, ['-s', '10.0.0.5', '02:00:00:00:00:05'])).toEqual([255, '', 'arp: channel closed\n']);
    expect(await run(sysctlCommand, ['net.ipv4.ip_forward'])).toEqual([1, '', 'sysctl: channel closed\n']);
    expect(await run(procCommand, ['net/arp'])).toEqual([1, '', 'cat: /proc/net/arp: channel closed\n']);
    expect(await run(pingCommand, ['-c', '1', '10.0.0.2'])).toEqual([2, '', 'ping: channel closed\n']);
  });
});

describe('tapstack proc', () => {
  it('net/arp: neighbours (NONE/NOARP-only skipped, invalid ones with zeros) then proxy entries, as arp_seq_show', async () => {
    const { run, A, clock } = setup();
    A.neighAdd({ dst: '10.0.0.5', dev: 'tap0', lladdr: '02:00:00:00:00:05' });
    const p = A.ping('10.0.0.2', { count: 1 });
    clock.advance(2000);
    await p;
    A.neighAdd({ dst: '10.0.0.50', dev: 'tap0', proxy: true });
    A.neighAdd({ dst: '10.0.0.51', dev: null, proxy: true });
    const expected =
      'IP address       HW type     Flags       HW address            Mask     Device\n' +
      '10.0.0.2         0x1         0x2         02:00:00:00:00:02     *        tap0\n' +
      '10.0.0.5         0x1         0x6         02:00:00:00:00:05     *        tap0\n' +
      '10.0.0.50        0x1         0xc         00:00:00:00:00:00     *        tap0\n' +
      '10.0.0.51        0x0         0xc         00:00:00:00:00:00     *        *\n';
    expect(await run(procCommand, ['net/arp'])).toEqual([0, expected, '']);
    expect(await run(procCommand, ['/proc/net/arp'])).toEqual([0, expected, '']);
  });

  it('net/stat/arp_cache: the table counters in hex', async () => {
    const { run, A } = setup();
    A.neighAdd({ dst: '10.0.0.5', dev: 'tap0', lladdr: '02:00:00:00:00:05' });
    A.neighAdd({ dst: '10.0.0.6', dev: 'tap0', lladdr: '02:00:00:00:00:06' });
    A.neighDel({ dst: '10.0.0.6', dev: 'tap0' });
    const [code, out, err] = await run(procCommand, ['/proc/net/stat/arp_cache']);
    expect([code, err]).toEqual([0, '']);
    expect(out).toBe(
      'entries  allocs   destroys hash_grows lookups  hits     res_failed rcv_probes_mcast rcv_probes_ucast periodic_gc_runs forced_gc_runs unresolved_discards table_fulls\n' +
        '00000001 00000002 00000001 00000000   00000003 00000001 00000000   00000000         00000000         00000000         00000000       00000000            00000000\n',
    );
  });

  it('several files are concatenated; missing files and directories fail like cat, usage without arguments', async () => {
    const { run } = setup();
    const [, arp] = await run(procCommand, ['net/arp']);
    expect(await run(procCommand, ['net/arp', 'net/xyz', 'net/arp'])).toEqual([1, arp + arp, 'cat: /proc/net/xyz: No such file or directory\n']);
    expect(await run(procCommand, ['/proc/net/xyz'])).toEqual([1, '', 'cat: /proc/net/xyz: No such file or directory\n']);
    expect(await run(procCommand, ['net/stat'])).toEqual([1, '', 'cat: /proc/net/stat: Is a directory\n']);
    expect(await run(procCommand, ['/proc/net/arp/'])).toEqual([1, '', 'cat: /proc/net/arp/: Not a directory\n']);
    expect(await run(procCommand, [])).toEqual([2, '', PROC_USAGE]);
    expect(await run(procCommand, ['--help'])).toEqual([0, PROC_USAGE, '']);
    expect(await run(procCommand, ['-x'])).toEqual([2, '', `tapstack proc: unknown option '-x'\n${PROC_USAGE}`]);
    expect(PROC_USAGE).toContain('net/stat/arp_cache');
  });
});

describe('tapstack sysctl (procps-ng 4.0.2)', () => {
  it('an unset stable_secret: a read prints nothing and fails, -N names it, a bad write is EIO (as procps on Linux 6.18)', async () => {
    const { run } = setup();
    const key = 'net.ipv6.conf.tap0.stable_secret';
    expect(await run(sysctlCommand, [key])).toEqual([1, '', '']);
    expect(await run(sysctlCommand, ['-n', key])).toEqual([1, '', '']);
    expect(await run(sysctlCommand, ['-e', key])).toEqual([1, '', '']);
    expect(await run(sysctlCommand, [key, 'net.ipv6.conf.tap0.mtu'])).toEqual([1, 'net.ipv6.conf.tap0.mtu = 1500\n', '']);
    expect(await run(sysctlCommand, ['-N', key])).toEqual([0, `${key}\n`, '']);
    expect(await run(sysctlCommand, ['-r', 'mtu', key])).toEqual([0, '', '']);
    expect(await run(sysctlCommand, ['-w', `${key}=bad`])).toEqual([1, '', `sysctl: setting key "${key}": Input/output error\n`]);
    expect(await run(sysctlCommand, ['net.ipv6.conf.all.stable_secret'])).toEqual([1, '', '']);
    expect(await run(sysctlCommand, ['-w', `${key}=2001:db8::1`])).toEqual([0, `${key} = 2001:db8::1\n`, '']);
    // Read back as the kernel prints it (%pI6: every group, zeros included).
    expect(await run(sysctlCommand, [key])).toEqual([0, `${key} = 2001:0db8:0000:0000:0000:0000:0000:0001\n`, '']);
  });

  it('reads: key = value, -n values only, -N names only, -b without newline, slash notation', async () => {
    const { run } = setup();
    expect(await run(sysctlCommand, ['net.ipv4.conf.tap0.arp_ignore'])).toEqual([0, 'net.ipv4.conf.tap0.arp_ignore = 0\n', '']);
    expect(await run(sysctlCommand, ['-n', 'net.ipv4.conf.tap0.arp_ignore', 'net.ipv4.neigh.default.gc_thresh3'])).toEqual([0, '0\n1024\n', '']);
    expect(await run(sysctlCommand, ['-N', 'net.ipv4.ip_forward'])).toEqual([0, 'net.ipv4.ip_forward\n', '']);
    expect(await run(sysctlCommand, ['-b', 'net.ipv4.neigh.tap0.retrans_time_ms'])).toEqual([0, '1000', '']);
    expect(await run(sysctlCommand, ['net/ipv4/neigh/tap0/locktime'])).toEqual([0, 'net.ipv4.neigh.tap0.locktime = 100\n', '']);
  });

  it('unknown keys: procps message and status 1 each (reads add up), silent with -e', async () => {
    const { run } = setup();
    const msg = (k: string): string => `sysctl: cannot stat /proc/sys/${k}: No such file or directory\n`;
    expect(await run(sysctlCommand, ['net.ipv4.conf.tap0.nope'])).toEqual([1, '', msg('net/ipv4/conf/tap0/nope')]);
    expect(await run(sysctlCommand, ['-q', 'nope'])).toEqual([1, '', msg('nope')]);
    expect(await run(sysctlCommand, ['nope1', 'nope2', 'nope3'])).toEqual([3, '', msg('nope1') + msg('nope2') + msg('nope3')]);
    expect(await run(sysctlCommand, ['nope', 'net.ipv4.ip_forward'])).toEqual([1, 'net.ipv4.ip_forward = 0\n', msg('nope')]);
    expect(await run(sysctlCommand, ['-e', 'nope', 'net.ipv4.ip_forward'])).toEqual([0, 'net.ipv4.ip_forward = 0\n', '']);
    expect(await run(sysctlCommand, ['-w', 'nope1=1', 'nope2=1'])).toEqual([1, '', msg('nope1') + msg('nope2')]);
    expect(await run(sysctlCommand, ['-e', '-w', 'nope=1'])).toEqual([0, '', '']);
    // procps opens the name as given, white space included; an empty one is its own error.
    expect(await run(sysctlCommand, ['  net.ipv4.ip_forward'])).toEqual([1, '', msg('  net/ipv4/ip_forward')]);
    expect(await run(sysctlCommand, [''])).toEqual([255, '', 'sysctl: "" is an unknown key\n']);
  });

  it('writes: -w KEY=VALUE and KEY=VALUE echo the value as given; -q, -n, -N, --dry-run', async () => {
    const { run, A } = setup();
    const arpIgnore = (): number => (A.device('tap0').ipPtr as { cnf: { get(k: string): number } }).cnf.get('arp_ignore');
    expect(await run(sysctlCommand, ['-w', 'net.ipv4.conf.tap0.arp_ignore=2'])).toEqual([0, 'net.ipv4.conf.tap0.arp_ignore = 2\n', '']);
    expect(arpIgnore()).toBe(2);
    expect(await run(sysctlCommand, ['net.ipv4.conf.tap0.arp_ignore=1'])).toEqual([0, 'net.ipv4.conf.tap0.arp_ignore = 1\n', '']);
    expect(await run(sysctlCommand, ['-w', ' net.ipv4.conf.tap0.arp_ignore = 0x3 '])).toEqual([0, 'net.ipv4.conf.tap0.arp_ignore = 0x3\n', '']);
    expect(arpIgnore()).toBe(3);
    expect(await run(sysctlCommand, ['-q', '-w', 'net.ipv4.conf.tap0.arp_ignore=1'])).toEqual([0, '', '']);
    expect(await run(sysctlCommand, ['-n', '-w', 'net.ipv4.conf.tap0.arp_ignore=1'])).toEqual([0, '1\n', '']);
    expect(await run(sysctlCommand, ['-N', '-w', 'net.ipv4.conf.tap0.arp_ignore=1'])).toEqual([0, '1\n', '']);
    expect(await run(sysctlCommand, ['-w', 'net/ipv4/conf/tap0/arp_ignore=0'])).toEqual([0, 'net.ipv4.conf.tap0.arp_ignore = 0\n', '']);
    expect(await run(sysctlCommand, ['--dry-run', '-w', 'net.ipv4.conf.tap0.arp_ignore=2'])).toEqual([0, 'net.ipv4.conf.tap0.arp_ignore = 2\n', '']);
    expect(arpIgnore()).toBe(0);
    expect(await run(sysctlCommand, ['-w', 'net.ipv4.conf.tap0.arp_ignore=1', 'nope=2', 'net.ipv4.conf.tap0.arp_announce=1'])).toEqual([
      1,
      'net.ipv4.conf.tap0.arp_ignore = 1\nnet.ipv4.conf.tap0.arp_announce = 1\n',
      'sysctl: cannot stat /proc/sys/nope: No such file or directory\n',
    ]);
  });

  it('write errors: bad values (status 1), a directory (warned, status 0), bad syntax', async () => {
    const { run } = setup();
    const inval = (k: string): string => `sysctl: setting key "${k}": Invalid argument\n`;
    expect(await run(sysctlCommand, ['-w', 'net.ipv4.conf.tap0.arp_ignore=abc'])).toEqual([1, '', inval('net.ipv4.conf.tap0.arp_ignore')]);
    expect(await run(sysctlCommand, ['-w', 'net.ipv4.conf.tap0.arp_ignore='])).toEqual([1, '', inval('net.ipv4.conf.tap0.arp_ignore')]);
    expect(await run(sysctlCommand, ['-w', 'net.ipv4.conf.tap0=1', 'net.ipv4.neigh.tap0=1'])).toEqual([0, '', inval('net.ipv4.conf.tap0') + inval('net.ipv4.neigh.tap0')]);
    expect(await run(sysctlCommand, ['--dry-run', '-w', 'net.ipv4.conf.tap0=1'])).toEqual([0, '', inval('net.ipv4.conf.tap0')]);
    expect(await run(sysctlCommand, ['-w', 'net.ipv4.conf.tap0.arp_ignore'])).toEqual([1, '', 'sysctl: command line(0): invalid syntax, continuing...\n']);
    expect(await run(sysctlCommand, ['-w', 'x'])).toEqual([1, '', '']);
    expect(await run(sysctlCommand, ['-w', '#x=1'])).toEqual([1, '', '']);
    expect(await run(sysctlCommand, ['-w', '=1'])).toEqual([1, '', 'sysctl: Path is not under /proc/sys/: /proc/sys/\n']);
    expect(await run(sysctlCommand, ['-w', '--', '-net.ipv4.conf.tap0.nope=1'])).toEqual([1, '', 'sysctl: cannot stat /proc/sys/net/ipv4/conf/tap0/nope: No such file or directory\n']);
    // "-KEY" without a value writes procps's NULL, which the kernel refuses.
    expect(await run(sysctlCommand, ['-w', '--', '-net.ipv4.conf.tap0.arp_ignore'])).toEqual([1, '', inval('net.ipv4.conf.tap0.arp_ignore')]);
    // A pattern that does not match the key refuses the line.
    expect(await run(sysctlCommand, ['-r', 'zz', '-w', 'net.ipv4.conf.tap0.arp_ignore=0'])).toEqual([1, '', '']);
  });

  it('repeated separators draw procps\'s warning (twice where procps converts twice)', async () => {
    const { run } = setup();
    expect(await run(sysctlCommand, ['net..ipv4.ip_forward'])).toEqual([0, 'net..ipv4.ip_forward = 0\n', 'sysctl: separators should not be repeated: ..ipv4.ip_forward\n']);
    expect(await run(sysctlCommand, ['net/ipv4//ip_forward'])).toEqual([
      0,
      'net.ipv4..ip_forward = 0\n',
      'sysctl: separators should not be repeated: //ip_forward\n'.repeat(2),
    ]);
    expect(await run(sysctlCommand, ['-w', 'net..ipv4.ip_forward=0'])).toEqual([
      0,
      'net..ipv4.ip_forward = 0\n',
      'sysctl: separators should not be repeated: ..ipv4.ip_forward\nsysctl: separators should not be repeated: //ipv4/ip_forward\n',
    ]);
  });

  it('a directory lists everything below it, deprecated entries left out; --pattern filters', async () => {
    const { run } = setup();
    const names = [
      'anycast_delay', 'app_solicit', 'base_reachable_time_ms', 'delay_first_probe_time', 'gc_stale_time', 'interval_probe_time_ms',
      'locktime', 'mcast_resolicit', 'mcast_solicit', 'proxy_delay', 'proxy_qlen', 'retrans_time_ms', 'ucast_solicit', 'unres_qlen',
      'unres_qlen_bytes',
    ].map((n) => `net.ipv4.neigh.tap0.${n}\n`).join('');
    expect(await run(sysctlCommand, ['-N', 'net.ipv4.neigh.tap0'])).toEqual([0, names, '']);
    expect(await run(sysctlCommand, ['-n', 'net/ipv4/neigh/tap0'])).toEqual([0, '100\n0\n30000\n5\n60\n5000\n100\n0\n3\n80\n64\n1000\n3\n101\n212992\n', '']);
    expect(await run(sysctlCommand, ['-r', 'arp_an', 'net.ipv4.conf.tap0'])).toEqual([0, 'net.ipv4.conf.tap0.arp_announce = 0\n', '']);
    expect(await run(sysctlCommand, ['-r', 'arp', 'net.ipv4.ip_forward', 'net.ipv4.conf.tap0.arp_ignore'])).toEqual([0, 'net.ipv4.conf.tap0.arp_ignore = 0\n', '']);
  });

  it('-a/-A/-X list everything; --pattern selects, --deprecated adds the old names, a broken pattern matches nothing', async () => {
    const { run } = setup();
    for (const all of ['-a', '-A', '-X', '--all']) {
      expect(await run(sysctlCommand, [all, '--pattern', 'tap0\\.arp_i'])).toEqual([0, 'net.ipv4.conf.tap0.arp_ignore = 0\n', '']);
    }
    expect(await run(sysctlCommand, ['-a', '-r', '^net.ipv4.ip_forward$', '-n'])).toEqual([0, '0\n', '']);
    // The pattern also matches nd_tbl's keys (net.ipv6.neigh.tap0.*), listed after arp_tbl's.
    const timeNames = ['base_reachable_time_ms', 'delay_first_probe_time', 'gc_stale_time', 'interval_probe_time_ms', 'locktime', 'retrans_time_ms'];
    expect(await run(sysctlCommand, ['-a', '-N', '-r', 'neigh.tap0.*time'])).toEqual([
      0,
      [...timeNames.map((n) => `net.ipv4.neigh.tap0.${n}\n`), ...timeNames.map((n) => `net.ipv6.neigh.tap0.${n}\n`)].join(''),
      '',
    ]);
    expect(await run(sysctlCommand, ['-a', '--deprecated', '-r', 'neigh.tap0.(base_reachable|retrans)_time'])).toEqual([
      0,
      'net.ipv4.neigh.tap0.base_reachable_time = 30\nnet.ipv4.neigh.tap0.base_reachable_time_ms = 30000\n' +
        'net.ipv4.neigh.tap0.retrans_time = 100\nnet.ipv4.neigh.tap0.retrans_time_ms = 1000\n' +
        // nd_tbl's deprecated retrans_time is in jiffies (tapstack's HZ is 1000), ARP's in USER_HZ.
        'net.ipv6.neigh.tap0.base_reachable_time = 30\nnet.ipv6.neigh.tap0.base_reachable_time_ms = 30000\n' +
        'net.ipv6.neigh.tap0.retrans_time = 1000\nnet.ipv6.neigh.tap0.retrans_time_ms = 1000\n',
      '',
    ]);
    expect(await run(sysctlCommand, ['-a', '-r', '('])).toEqual([0, '', '']);
    // An unset stable_secret cannot be read (EIO): -a leaves it out silently.
    expect(await run(sysctlCommand, ['-a', '-r', 'stable_secret'])).toEqual([0, '', '']);
    const [code, out] = await run(sysctlCommand, ['-a']);
    expect(code).toBe(0);
    // net.core sorts before net.ipv4, as /proc/sys/net lists its directories.
    expect(out.split('\n').slice(0, 2)).toEqual(['net.core.somaxconn = 4096', 'net.ipv4.conf.all.accept_local = 0']);
    expect(out).not.toContain('retrans_time =');
  });

  it('usage and option errors as procps 4.0.2', async () => {
    const { run } = setup();
    expect(await run(sysctlCommand, [])).toEqual([1, '', SYSCTL_USAGE]);
    expect(await run(sysctlCommand, ['-Z'])).toEqual([0, SYSCTL_USAGE, "sysctl: invalid option -- 'Z'\n"]);
    expect(await run(sysctlCommand, ['--bogus'])).toEqual([0, SYSCTL_USAGE, "sysctl: unrecognized option '--bogus'\n"]);
    expect(await run(sysctlCommand, ['-h'])).toEqual([0, SYSCTL_USAGE, '']);
    expect(await run(sysctlCommand, ['-w'])).toEqual([1, '', "sysctl: no variables specified\nTry `sysctl --help' for more information.\n"]);
    expect(await run(sysctlCommand, ['-x'])).toEqual([1, '', "sysctl: no variables specified\nTry `sysctl --help' for more information.\n"]);
    expect(await run(sysctlCommand, ['-N', '-q', 'net.ipv4.ip_forward'])).toEqual([1, '', "sysctl: options -N and -q cannot coexist\nTry `sysctl --help' for more information.\n"]);
    expect(await run(sysctlCommand, ['--pat'])).toEqual([0, SYSCTL_USAGE, "sysctl: option '--pattern' requires an argument\n"]);
    expect(SYSCTL_USAGE.split('\n').slice(0, 3)).toEqual(['', 'Usage:', ' sysctl [options] [variable[=value] ...]']);
    expect(await run(sysctlCommand, ['-V'])).toEqual([0, 'tapstack sysctl (procps-ng 4.0.2 compatible)\n', '']);
    expect(await run(sysctlCommand, ['-p', 'x.conf'])).toEqual([1, '', "sysctl: -p is not supported by tapstack (settings files are the host's, not the stack's)\n"]);
    expect(await run(sysctlCommand, ['--system'])).toEqual([1, '', "sysctl: --system is not supported by tapstack (settings files are the host's, not the stack's)\n"]);
    expect(await run(sysctlCommand, ['-b', '-w', 'net.ipv4.ip_forward=0'])).toEqual([0, '0', '']);
  });
});

describe('tapstack ping (iputils 20221126)', () => {
  /** Runs ping while moving the clock `stepMs` per turn of the event loop. */
  async function ping(env: Env, argv: string[], o: { stepMs?: number; abortAfterSteps?: number; maxSteps?: number } = {}): Promise<[number, string, string]> {
    const io = bufferIO();
    const ac = new AbortController();
    let done = false;
    const p = pingCommand(argv, env.ch, io, { signal: ac.signal }).finally(() => {
      done = true;
    });
    for (let i = 0; !done && i < (o.maxSteps ?? 100); i++) {
      await tick();
      if (i === o.abortAfterSteps) ac.abort();
      env.clock.advance(o.stepMs ?? 1000);
    }
    return [await p, io.stdout, io.stderr];
  }
  const summary = (tx: number, rx: number, ms: number): string =>
    `\n--- 10.0.0.2 ping statistics ---\n${tx} packets transmitted, ${rx} received, ${Math.round(((tx - rx) * 100) / tx)}% packet loss, time ${ms}ms\n`;
  const reply = (seq: number): string => `64 bytes from 10.0.0.2: icmp_seq=${seq} ttl=64 time=0.000 ms\n`;

  it('-c: the stack pings; lines stream as iputils prints them; status 0', async () => {
    const env = setup();
    expect(await ping(env, ['-c', '3', '10.0.0.2'])).toEqual([
      0,
      'PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n' + reply(1) + reply(2) + reply(3) + summary(3, 3, 2000) +
        'rtt min/avg/max/mdev = 0.000/0.000/0.000/0.000 ms\n',
      '',
    ]);
  });

  it('-q keeps the header and the summary; -s, -t and -i reach the stack; the target is named as typed', async () => {
    const env = setup();
    const [code, out, err] = await ping(env, ['-q', '-c', '2', '-i', '0.5', '-s', '100', '-t', '9', '10.0.0.2'], { stepMs: 500 });
    expect([code, err]).toEqual([0, '']);
    expect(out).toBe('PING 10.0.0.2 (10.0.0.2) 100(128) bytes of data.\n' + summary(2, 2, 500) + 'rtt min/avg/max/mdev = 0.000/0.000/0.000/0.000 ms\n');
    const [, out2] = await ping(env, ['-c', '1', '10.2']);
    expect(out2.split('\n')[0]).toBe('PING 10.2 (10.0.0.2) 56(84) bytes of data.');
    expect(out2).toContain('--- 10.2 ping statistics ---\n');
  });

  it('no reply: Destination Host Unreachable from the stack, status 1; -q hides those lines', async () => {
    const env = setup();
    const [code, out, err] = await ping(env, ['-c', '1', '-W', '5', '10.0.0.77']);
    expect([code, err]).toEqual([1, '']);
    expect(out).toBe(
      'PING 10.0.0.77 (10.0.0.77) 56(84) bytes of data.\nFrom 10.0.0.1 icmp_seq=1 Destination Host Unreachable\n\n' +
        '--- 10.0.0.77 ping statistics ---\n1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 0ms\n\n',
    );
    const [code2, out2] = await ping(env, ['-q', '-c', '1', '10.0.0.78']);
    expect(code2).toBe(1);
    expect(out2).not.toContain('From');
  });

  it('-I ADDR: the requests leave from that address; one that is not ours fails as bind does in iputils', async () => {
    const env = setup();
    env.A.addAddress('tap0', '10.0.0.5/24');
    const seen: string[] = [];
    env.B.openRawIp(1, (p, info) => {
      if (p[0] === 8) seen.push(info.src);
    });
    const [code] = await ping(env, ['-c', '1', '-I', '10.0.0.5', '10.0.0.2']);
    expect(code).toBe(0);
    expect(seen).toEqual(['10.0.0.5']);
    // icmp_out_count(): the request is an ICMP message out, and an echo.
    expect(env.A.stats().icmp).toMatchObject({ outEchos: 1, outMsgs: 1 });
    expect(await ping(env, ['-c', '1', '-I', '10.0.0.9', '10.0.0.2'])).toEqual([2, '', 'ping: bind: Cannot assign requested address\n']);
    expect(await ping(env, ['-c', '1', '-I', 'eth0', '10.0.0.2'])).toEqual([2, '', 'ping: -I eth0: only a source address is supported by tapstack, not an interface name\n']);
  });

  it('no route: only "ping: connect: Network is unreachable", status 2', async () => {
    const env = setup();
    expect(await ping(env, ['-c', '2', '8.8.8.8'])).toEqual([2, '', 'ping: connect: Network is unreachable\n']);
  });

  it('without -c it runs until interrupted; the abort sends TS_CANCEL for the call and the summary follows', async () => {
    const env = setup();
    const [code, out, err] = await ping(env, ['10.0.0.2'], { abortAfterSteps: 3 });
    expect([code, err]).toEqual([0, '']);
    expect(out).toBe('PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n' + reply(1) + reply(2) + reply(3) + reply(4) + summary(4, 4, 3000) +
      'rtt min/avg/max/mdev = 0.000/0.000/0.000/0.000 ms\n');
  });

  it('-w: the deadline (on the stack\'s clock) ends the run; with -c and fewer replies the status is 1', async () => {
    const env = setup();
    const [code, out, err] = await ping(env, ['-w', '1', '-c', '1000000', '-i', '0.1', '10.0.0.2'], { stepMs: 100 });
    expect([code, err]).toEqual([1, '']);
    expect(out).toBe('PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n' + [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(reply).join('') + summary(10, 10, 900) +
      'rtt min/avg/max/mdev = 0.000/0.000/0.000/0.000 ms\n');
  });

  it('argument errors: iputils messages and statuses', async () => {
    const env = setup();
    const r = (argv: string[]): Promise<[number, string, string]> => env.run(pingCommand, argv);
    expect(await r([])).toEqual([1, '', 'ping: usage error: Destination address required\n']);
    expect(await r(['-c', 'x', '10.0.0.2'])).toEqual([1, '', "ping: invalid argument: 'x'\n"]);
    expect(await r(['-c', '0', '10.0.0.2'])).toEqual([1, '', "ping: invalid argument: '0': out of range: 1 <= value <= 9223372036854775807\n"]);
    expect(await r(['-c', '99999999999999999999', '10.0.0.2'])).toEqual([1, '', "ping: invalid argument: '99999999999999999999': Numerical result out of range\n"]);
    expect(await r(['-s', '-1', '10.0.0.2'])).toEqual([1, '', "ping: invalid argument: '-1': out of range: 0 <= value <= 2147483647\n"]);
    expect(await r(['-t', '256', '10.0.0.2'])).toEqual([1, '', "ping: invalid argument: '256': out of range: 0 <= value <= 255\n"]);
    expect(await r(['-w', '1.5', '10.0.0.2'])).toEqual([1, '', "ping: invalid argument: '1.5'\n"]);
    expect(await r(['-t', '0', '10.0.0.2'])).toEqual([2, '', 'ping: cannot set unicast time-to-live: Invalid argument\n']);
    expect(await r(['-W', '-1', '10.0.0.2'])).toEqual([2, '', 'ping: bad linger time: -1\n']);
    expect(await r(['-i', '3000000', '10.0.0.2'])).toEqual([2, '', 'ping: bad timing interval: 3000000\n']);
    expect(await r(['-s', '70000', '10.0.0.2'])).toEqual([2, '', 'ping: packet size 70000 is too large. Maximum is 65507\n']);
    expect(await r(['no.such.host'])).toEqual([2, '', 'ping: no.such.host: Name or service not known\n']);
    expect(await r(['-Z', '10.0.0.2'])).toEqual([2, '', "ping: invalid option -- 'Z'\n" + PING_USAGE]);
    expect(await r(['-c'])).toEqual([2, '', "ping: option requires an argument -- 'c'\n" + PING_USAGE]);
    expect(await r(['-h'])).toEqual([2, '', PING_USAGE]);
    expect(await r(['-f', '10.0.0.2'])).toEqual([2, '', 'ping: option -f is not supported by tapstack\n']);
    expect(PING_USAGE.split('\n').slice(0, 4)).toEqual(['', 'Usage', '  ping [options] <destination>', '']);
    expect(await r(['-V'])).toEqual([0, 'tapstack ping (iputils 20221126 compatible)\n', '']);
    expect(await r(['10.0.0.2', '10.0.0.3'])).toEqual([2, '', 'ping: source routing (several hops) is not supported by tapstack\n']);
  });

  it('-i with garbage warns (iputils 20221126) and goes on with the number read', async () => {
    const env = setup();
    const [code, out, err] = await ping(env, ['-c', '2', '-i', '1x', '10.0.0.2']);
    expect(err).toBe('ping: option argument contains garbage: x\nping: this will become fatal error in the future\n');
    expect(code).toBe(0);
    expect(out).toContain('time 1000ms');
  });
});
