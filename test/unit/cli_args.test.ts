// `tapstack` argument handling: help texts, and bad arguments exit 2 with a clear message.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parseUpArgs } from '../../src/cli/up.js';
import { UsageError, parseArgs } from '../../src/cli/args.js';
import { ROOT } from '../helpers/netns.js';

/** No stack runs here: every socket path under it is missing. */
const NO_STACK_DIR = join(tmpdir(), `tapstack-no-stack-${process.pid}`);
const cli = (...args: string[]) =>
  spawnSync(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), ...args], { encoding: 'utf8', env: { ...process.env, TAPSTACK_RUN_DIR: NO_STACK_DIR } });

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

  it('--addr A.B.C.D without a prefix is a /32, as ip addr add takes it', () => {
    const c = parseUpArgs(['--dev', 'tap0', '--addr', '10.0.0.2']);
    expect(c !== 'help' && c.devices[0].addrs).toEqual([{ addr: 0x0a000002, prefixLen: 32, text: '10.0.0.2/32' }]);
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

  it('--ethtool belongs to its --dev: ethtool -K pairs in order, the last word for a feature wins', () => {
    const c = parseUpArgs(['--dev', 'tap0', '--addr', '10.0.0.2/24', '--ethtool', 'tso off  gso off', '--ethtool', 'gro off tso on', '--dev', 'tap1', '--addr', '10.1.0.2/24']);
    if (c === 'help') throw new Error('help');
    expect(c.devices[0].ethtool).toEqual({ gso: false, gro: false, tso: true });
    expect(Object.keys(c.devices[0].ethtool!)).toEqual(['gso', 'gro', 'tso']);
    expect(c.devices[1].ethtool).toBeUndefined();
  });

  it.each([
    [['--dev', 'tap0', '--addr', '10.0.0.2/24', '--ethtool', 'turbo on'], "invalid --ethtool 'turbo on': unknown feature 'turbo' (see tapstack ethtool -k DEV)"],
    [['--dev', 'tap0', '--addr', '10.0.0.2/24', '--ethtool', 'tso'], "invalid --ethtool 'tso': 'tso' is not followed by 'on' or 'off'"],
    [['--dev', 'tap0', '--addr', '10.0.0.2/24', '--ethtool', 'tso yes'], "invalid --ethtool 'tso yes': 'tso' is not followed by 'on' or 'off'"],
  ])('refuses --ethtool %j', (argv, msg) => {
    expect(() => parseUpArgs(argv)).toThrow(msg);
  });

  it.each([
    [['--addr', '10.0.0.2/24'], '--dev IFNAME is required'],
    [['--dev', 'tap0'], 'at least one --addr'],
    [['--dev', 'tap0', '--addr', '10.0.0.2x'], "invalid address '10.0.0.2x'"],
    [['--dev', 'tap0', '--addr', '10.0.0.2/'], "invalid address '10.0.0.2/'"],
    [['--dev', 'tap0', '--addr', '10.0.0.256/24'], "invalid address '10.0.0.256/24'"],
    [['--dev', 'tap0', '--addr', '10.0.0.2/33'], "invalid address '10.0.0.2/33'"],
    [['--dev', 'tap0', '--addr', '10.0.0.2/24', '--mac', '02:00:00:00:00'], "invalid MAC address '02:00:00:00:00'"],
    [['--dev', 'tap0', '--addr', '10.0.0.2/24', '--mac', '01:00:00:00:00:01'], 'multicast'],
    [['--dev', 'tap0', '--addr', '10.0.0.2/24', '--mac', '00:00:00:00:00:00'], 'all zeros'],
    [['--dev', 'tap0', '--addr', '10.0.0.2/24', '--via', '10.0.0'], "invalid gateway '10.0.0'"],
    [['--dev', 'tap0', '--addr', '10.0.0.2/24', '--mtu', '65522'], "invalid MTU '65522': expected 68-65521"],
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
    expect(r.stderr).toBe("tapstack: invalid address '10.0.0.2/99': expected A.B.C.D/N with N from 0 to 32 (or A.B.C.D for /32)\nTry 'tapstack up --help' for more information.\n");
  });

  it('exits 2 for a bad MAC and for an unknown command', () => {
    expect(cli('up', '--dev', 'tap0', '--addr', '10.0.0.2/24', '--mac', 'zz').status).toBe(2);
    const r = cli('frobnicate');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
  });

  // Each command's help and usage errors as the real tool gives them (stream and status), with no
  // stack running: none of them may need the control socket.
  const HELP_CASES: [args: string[], status: number, stream: 'stdout' | 'stderr', starts: string][] = [
    [['ip', 'help'], 255, 'stderr', 'Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }\n'],
    [['ip', '-h'], 255, 'stderr', 'Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }\n'],
    [['ip', 'neigh', 'help'], 255, 'stderr', 'Usage: ip neigh { add | del | change | replace }\n'],
    [['ip', 'ntable', 'help'], 255, 'stderr', 'Usage: ip ntable change name NAME [ dev DEV ]\n'],
    [['ip', 'monitor', 'help'], 255, 'stderr', 'Usage: ip monitor [ all | OBJECTS ] [ FILE ] [ label ] [ all-nsid ]\n'],
    [['ip', 'link', 'help'], 255, 'stderr', 'Usage: ip link set { DEVICE | dev DEVICE }\n'],
    [['ip', '-x'], 255, 'stderr', 'Option "-x" is unknown, try "ip -help".\n'],
    [['arp', '-h'], 0, 'stdout', 'Usage:\n  arp [-vn]  [<HW>] [-i <if>] [-a] [<hostname>]'],
    [['arp', '-Z'], 3, 'stderr', "arp: invalid option -- 'Z'\n"],
    [['sysctl', '-h'], 0, 'stdout', '\nUsage:\n sysctl [options] [variable[=value] ...]\n'],
    [['ping', '-h'], 2, 'stderr', '\nUsage\n  ping [options] <destination>\n'],
    [['proc', '--help'], 0, 'stdout', 'Usage: tapstack proc FILE...\n'],
    [['proc'], 2, 'stderr', 'Usage: tapstack proc FILE...\n'],
    [['capture', '-h'], 0, 'stdout', 'Usage: tapstack capture [-w FILE|-] [-c COUNT] [-i DEV]\n'],
    [['stat', '-h'], 0, 'stdout', 'Usage: tapstack stat [-a] [-j] [PATTERN ...]\n'],
    [['stat', '-Z'], 2, 'stderr', "tapstack stat: unknown option '-Z'\n"],
  ];
  it.each(HELP_CASES)('%j: help and usage errors need no running stack', (args, status, stream, starts) => {
    const r = cli(...args);
    expect(r.status).toBe(status);
    expect(r[stream].startsWith(starts)).toBe(true);
    expect(r.stdout + r.stderr).not.toContain('cannot connect');
  });

  it("'tapstack help COMMAND' prints that command's help on stdout, status 0", () => {
    for (const [cmd, starts] of [['up', 'Usage: tapstack up --dev IFNAME'], ['ip', 'Usage: ip [ OPTIONS ] OBJECT'], ['arp', 'Usage:\n  arp [-vn]'], ['ping', '\nUsage\n  ping [options]'], ['stat', 'Usage: tapstack stat'], ['sysctl', '\nUsage:\n sysctl'], ['proc', 'Usage: tapstack proc'], ['capture', 'Usage: tapstack capture']]) {
      const r = cli('help', cmd);
      expect([cmd, r.status, r.stderr]).toEqual([cmd, 0, '']);
      expect(r.stdout.startsWith(starts)).toBe(true);
    }
    expect(cli('help').stdout).toContain('Usage: tapstack [--name NAME] COMMAND');
    const bad = cli('help', 'frobnicate');
    expect([bad.status, bad.stderr]).toEqual([2, "tapstack: unknown command 'frobnicate'\nTry 'tapstack --help' for more information.\n"]);
  });

  it('without a running stack every client command says so in one line and exits 1', () => {
    const line = `tapstack: cannot connect to ${NO_STACK_DIR}/tapstack.sock: No such file or directory (is the stack running?)\n`;
    for (const args of [['ip', 'neigh'], ['ip', 'monitor'], ['ip', 'neigh', 'add', '10.0.0.5', 'lladdr', '02:00:00:00:00:05', 'dev', 'tap0'], ['arp', '-n'], ['proc', 'net/arp'], ['sysctl', '-a'], ['ping', '-c', '1', '10.0.0.1'], ['capture', '-c', '1'], ['stat']]) {
      const r = cli(...args);
      expect([args, r.status, r.stdout, r.stderr]).toEqual([args, 1, '', line]);
    }
  });

  it('exits 2 and prints usage when no command is given', () => {
    const r = cli();
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('Usage: tapstack');
  });
});
