// `tapstack` argument handling: help texts, and bad arguments exit 2 with a clear message.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseUpArgs } from '../../src/cli/up.js';
import { UsageError, parseArgs } from '../../src/cli/args.js';
import { ROOT } from '../helpers/netns.js';

const cli = (...args: string[]) =>
  spawnSync(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), ...args], { encoding: 'utf8' });

describe('parseUpArgs', () => {
  it('accepts the documented options, repeated --addr included', () => {
    const c = parseUpArgs(['--dev', 'tap0', '--addr', '10.0.0.2/24', '--addr=192.168.7.1/30', '--mac', '02:AA:00:00:00:01', '--via', '10.0.0.1', '--mtu', '1400', '--name', 'lab']);
    expect(c).not.toBe('help');
    if (c === 'help') return;
    expect(c.devices).toHaveLength(1);
    const d = c.devices[0];
    expect(d.dev).toBe('tap0');
    expect(d.addrs.map((a) => [a.addr >>> 0, a.prefixLen])).toEqual([[0x0a000002, 24], [0xc0a80701, 30]]);
    expect([...d.mac!]).toEqual([2, 0xaa, 0, 0, 0, 1]);
    expect(c.via).toBe('10.0.0.1');
    expect(d.mtu).toBe(1400);
    expect(c.name).toBe('lab');
    expect(c.sysctl).toEqual([]);
    expect(c.dad).toBe(false);
  });

  it('--control-readonly-group takes a group name or number', () => {
    const byNum = parseUpArgs(['--dev', 'tap0', '--addr', '10.0.0.2/24', '--control-readonly-group', '4321']);
    expect(byNum !== 'help' && byNum.readonlyGroup).toBe(4321);
    const byName = parseUpArgs(['--dev', 'tap0', '--addr', '10.0.0.2/24', '--control-readonly-group', 'root']);
    expect(byName !== 'help' && byName.readonlyGroup).toBe(0);
    const none = parseUpArgs(['--dev', 'tap0', '--addr', '10.0.0.2/24']);
    expect(none !== 'help' && none.readonlyGroup).toBe(null);
  });

  it('several devices: per-device options follow their --dev; stack options go anywhere', () => {
    const c = parseUpArgs([
      '--addr', '10.0.0.1/24', '--dev', 'tap0', '--mac', '02:00:00:00:00:01', '--forwarding',
      '--dev=tap1', '--addr', '10.1.0.1/24', '--mtu', '1400', '--sysctl', 'net.ipv4.conf.tap0.proxy_arp = 1', '--dad',
      '--dev', 'tap2',
    ]);
    if (c === 'help') throw new Error('help');
    expect(c.devices.map((d) => [d.dev, d.addrs.map((a) => a.text), d.mac ? 'mac' : '-', d.mtu])).toEqual([
      ['tap0', ['10.0.0.1/24'], 'mac', undefined],
      ['tap1', ['10.1.0.1/24'], '-', 1400],
      ['tap2', [], '-', undefined],
    ]);
    expect(c.sysctl).toEqual([['net.ipv4.ip_forward', '1'], ['net.ipv4.conf.tap0.proxy_arp', '1']]);
    expect(c.dad).toBe(true);
  });

  it.each([
    [['--addr', '10.0.0.2/24'], '--dev IFNAME is required'],
    [['--dev', 'tap0'], 'at least one --addr'],
    [['--dev', 'tap0', '--addr', '10.0.0.2'], "invalid address '10.0.0.2'"],
    [['--dev', 'tap0', '--addr', '10.0.0.256/24'], "invalid address '10.0.0.256/24'"],
    [['--dev', 'tap0', '--addr', '10.0.0.2/33'], "invalid address '10.0.0.2/33'"],
    [['--dev', 'tap0', '--addr', '10.0.0.2/24', '--mac', '02:00:00:00:00'], "invalid MAC address '02:00:00:00:00'"],
    [['--dev', 'tap0', '--addr', '10.0.0.2/24', '--mac', '01:00:00:00:00:01'], 'multicast'],
    [['--dev', 'tap0', '--addr', '10.0.0.2/24', '--mac', '00:00:00:00:00:00'], 'all zeros'],
    [['--dev', 'tap0', '--addr', '10.0.0.2/24', '--via', '10.0.0'], "invalid gateway '10.0.0'"],
    [['--dev', 'tap0', '--addr', '10.0.0.2/24', '--mtu', '9000'], "invalid MTU '9000'"],
    [['--dev', 'a-name-far-too-long', '--addr', '10.0.0.2/24'], 'invalid interface name'],
    [['--dev', 'ta/p', '--addr', '10.0.0.2/24'], 'invalid interface name'],
    [['--dev', 'tap0', '--addr', '10.0.0.2/24', '--bogus'], "unknown option '--bogus'"],
    [['--dev', 'tap0', '--addr', '10.0.0.2/24', '--dev', 'tap0'], "device 'tap0' given more than once"],
    [['--dev', 'tap0', '--addr', '10.0.0.2/24', '--mac', '02:00:00:00:00:01', '--mac', '02:00:00:00:00:02'], "'--mac' given more than once"],
    [['--dev', 'tap0', '--dev', 'tap1'], 'at least one --addr'],
    [['--dev', 'tap0', '--addr', '10.0.0.2/24', '--sysctl', 'noequals'], "invalid --sysctl 'noequals'"],
    [['--dev', 'tap0', '--addr', '10.0.0.2/24', '--dad=1'], "option '--dad' takes no value"],
    [['--dev', 'tap0', '--addr', '10.0.0.2/24', '--control-readonly-group', 'no-such-group-x'], "invalid group 'no-such-group-x': no such group"],
    [['--dev'], "option '--dev' needs a value"],
    [['--dev', 'tap0', '--addr', '10.0.0.2/24', 'extra'], "unexpected argument 'extra'"],
  ])('rejects %j', (argv, msg) => {
    expect(() => parseUpArgs(argv)).toThrow(UsageError);
    expect(() => parseUpArgs(argv)).toThrow(msg);
  });

  it('parseArgs keeps `--` positionals verbatim', () => {
    expect(parseArgs(['--', '--dev'], { dev: { value: true } }).positionals).toEqual(['--dev']);
  });
});

describe('tapstack command line', () => {
  it('--help documents every command and option', () => {
    const r = cli('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: tapstack [--name NAME] COMMAND');
    expect(r.stdout).toContain('up ');
  });

  it('up --help documents every option of up', () => {
    const r = cli('up', '--help');
    expect(r.status).toBe(0);
    for (const o of ['--dev', '--addr', '--mac', '--via', '--mtu', '--name', '--sysctl', '--forwarding', '--dad']) expect(r.stdout).toContain(o);
  });

  it('exits 2 with a message for a bad CIDR', () => {
    const r = cli('up', '--dev', 'tap0', '--addr', '10.0.0.2/99');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("tapstack: invalid address '10.0.0.2/99': expected A.B.C.D/N with N from 0 to 32\nTry 'tapstack --help' for more information.\n");
  });

  it('exits 2 for a bad MAC and for an unknown command', () => {
    expect(cli('up', '--dev', 'tap0', '--addr', '10.0.0.2/24', '--mac', 'zz').status).toBe(2);
    const r = cli('frobnicate');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
  });

  it('exits 2 and prints usage when no command is given', () => {
    const r = cli();
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('Usage: tapstack');
  });
});
