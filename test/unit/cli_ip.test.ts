// `tapstack ip ...` (src/cli/ip.ts) end to end over the in-process control channel: every command
// and error path with its exact stdout, stderr and exit status. The expected texts are what
// iproute2 6.1 prints for the same command line against a Linux kernel (observed in a scratch
// network namespace: veth tap0 with the same neighbour entries); where tapstack deliberately
// differs (link show has no qdisc/qlen, unsupported objects and options) the test says so.
import { afterEach, describe, expect, it } from 'vitest';
import { ControlChannel, LocalChannel } from '../../src/control/channel.js';
import { ControlHandler } from '../../src/control/handler.js';
import type { Reply, Request } from '../../src/control/protocol.js';
import { ManualClock } from '../../src/core/clock.js';
import { createPair } from '../../src/drivers/pair.js';
import { IP_USAGE, LINK_USAGE, MONITOR_USAGE, NEIGH_USAGE, NTABLE_USAGE, formatTimestamp, ipCommand, replyErrorText } from '../../src/cli/ip.js';
import { getAddr1, getPrefix1, getU32, getU64, getInteger, jsonPretty, llAddrA2n, rtprotFromArg } from '../../src/cli/ip_args.js';
import { bufferIO } from '../../src/cli/io.js';
import { NTF_EXT_LEARNED, NTF_EXT_MANAGED, NTF_ROUTER, NUD_NOARP, NUD_PERMANENT, NUD_REACHABLE, NUD_STALE } from '../../src/neighbour/nud.js';
import { ControlError } from '../../src/control/channel.js';
import { Stack } from '../../src/stack.js';

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup) await c();
  cleanup = [];
});

/**
 * Stack A with tap0 (10.0.0.1/24) and tap1 (10.0.1.1/24), each wired to a peer stack B. Without
 * `ipv6` both run IPv4 only (disable_ipv6), so the IPv4 tests see only their own entries; the
 * IPv6 side of `ip neigh` is tested in cli_ip6.test.ts.
 */
function setup(o: { ipv6?: boolean } = {}): { clock: ManualClock; A: Stack; B: Stack; ch: LocalChannel } {
  const clock = new ManualClock();
  const A = new Stack({ clock, random: () => 0.5, ipv6: o.ipv6 ?? false });
  const B = new Stack({ clock, random: () => 0.5, ipv6: o.ipv6 ?? false });
  const [ea, eb] = createPair('tap0', 'peer0', Buffer.from('020000000001', 'hex'), Buffer.from('020000000002', 'hex'));
  const [ec, ed] = createPair('tap1', 'peer1', Buffer.from('020000000011', 'hex'), Buffer.from('020000000012', 'hex'));
  A.addDevice(ea);
  A.addDevice(ec);
  B.addDevice(eb);
  B.addDevice(ed);
  A.addAddress(ea, '10.0.0.1/24');
  A.addAddress(ec, '10.0.1.1/24');
  B.addAddress(eb, '10.0.0.2/24');
  const ch = new LocalChannel(new ControlHandler(A));
  cleanup.push(async () => {
    ch.close();
    await A.close();
    await B.close();
  });
  return { clock, A, B, ch };
}

interface Run {
  code: number;
  out: string;
  err: string;
}

async function ip(ch: ControlChannel, ...argv: string[]): Promise<Run> {
  const io = bufferIO();
  const code = await ipCommand(argv.length === 1 ? argv[0]!.split(' ').filter(Boolean) : argv, ch, io);
  return { code, out: io.stdout, err: io.stderr };
}

const ok = (out: string): Run => ({ code: 0, out, err: '' });
const fail = (code: number, err: string): Run => ({ code, out: '', err });

/** Expected lines put in the stack's dump (hash) order, found by each line's destination. */
function inDumpOrder(A: Stack, lines: string[], proxy = false): string {
  const order = proxy ? A.proxyNeighbours().map((n) => n.dst) : A.neighbours().map((n) => n.dst);
  const key = (l: string): number => {
    const dst = l.replace(/^(Deleted |miss |\[NEIGH\])*/, '').split(' ')[0]!;
    const i = order.indexOf(dst);
    if (i < 0) throw new Error(`${dst} is not in the table`);
    return i;
  };
  return [...lines].sort((a, b) => key(a) - key(b)).join('');
}

/** The table most tests start from (the same entries were added to a Linux veth for the goldens). */
async function populate(ch: ControlChannel): Promise<void> {
  for (const c of [
    'neigh add 10.0.0.5 lladdr 02:00:00:00:00:05 dev tap0',
    'neigh add 10.0.0.6 lladdr 02:00:00:00:00:06 dev tap0 nud stale router',
    'neigh add 10.0.0.7 lladdr 02:00:00:00:00:07 dev tap0 nud reachable',
    'neigh add 10.0.0.8 lladdr 02:00:00:00:00:08 dev tap0 nud noarp',
    'neigh add 10.0.1.9 lladdr 02:00:00:00:01:09 dev tap1 nud stale protocol static',
    'neigh add proxy 10.0.0.99 dev tap0',
  ]) {
    expect(await ip(ch, c), c).toEqual(ok(''));
  }
}

const L5 = '10.0.0.5 dev tap0 lladdr 02:00:00:00:00:05 PERMANENT \n';
const L6 = '10.0.0.6 dev tap0 lladdr 02:00:00:00:00:06 router STALE \n';
const L7 = '10.0.0.7 dev tap0 lladdr 02:00:00:00:00:07 REACHABLE \n';
const L8 = '10.0.0.8 dev tap0 lladdr 02:00:00:00:00:08 NOARP \n';
const L9 = '10.0.1.9 dev tap1 lladdr 02:00:00:00:01:09 STALE proto static \n';

/** A channel answering from a function, for failures the stack cannot be made to produce. */
class FakeChannel extends ControlChannel {
  readonly requests: Request[] = [];
  constructor(private readonly answer: (req: Request) => Omit<Reply, 'v' | 'seq'>) {
    super();
  }
  protected sendRaw(line: string): void {
    const req = JSON.parse(line) as Request;
    this.requests.push(req);
    const r = this.answer(req);
    queueMicrotask(() => this.receiveLine(JSON.stringify({ v: 1, seq: req.seq, ...r })));
  }
  close(): void {
    this.fail(new ControlError(32, 'channel closed'));
  }
}

const LINK_TAP0 = { ifindex: 1, name: 'tap0', address: '02:00:00:00:00:01', mtu: 1500, up: true, noarp: false, carrier: true, addrs: [] };

describe('ip: options and objects', () => {
  it('no object, "help" and "-help" print the usage on stderr with status 255', async () => {
    const { ch } = setup();
    for (const line of ['', 'help', 'h', '-help', '-he neigh', '-s', '-f', '-f help neigh']) {
      expect(await ip(ch, line), line).toEqual(fail(255, IP_USAGE));
    }
  });

  it('unknown options: `Option "-x" is unknown, try "ip -help".`, status 255 (one leading dash dropped from "--x")', async () => {
    const { ch } = setup();
    expect(await ip(ch, '-x neigh')).toEqual(fail(255, 'Option "-x" is unknown, try "ip -help".\n'));
    expect(await ip(ch, '--x neigh')).toEqual(fail(255, 'Option "-x" is unknown, try "ip -help".\n'));
    expect(await ip(ch, '-sx neigh')).toEqual(fail(255, 'Option "-sx" is unknown, try "ip -help".\n'));
    expect(await ip(ch, '-jj neigh')).toEqual(fail(255, 'Option "-jj" is unknown, try "ip -help".\n'));
    expect(await ip(ch, '-D neigh')).toEqual(fail(255, 'Option "-D" is unknown, try "ip -help".\n'));
    expect(await ip(ch, '-color=red neigh')).toEqual(fail(255, 'Option "-color=red" is unknown, try "ip -help".\n'));
  });

  it('-f with a bad family is invarg(), status 255; -rcvbuf checks its number', async () => {
    const { ch } = setup();
    expect(await ip(ch, '-f foo neigh')).toEqual(fail(255, 'Error: argument "foo" is wrong: invalid protocol family\n'));
    expect(await ip(ch, '-rc x neigh')).toEqual(fail(255, "Invalid rcvbuf size 'x'\n"));
    expect(await ip(ch, '-rc 4096 neigh')).toEqual(ok(''));
  });

  it('options iproute2 has but tapstack cannot honour are refused by name', async () => {
    const { ch } = setup();
    expect(await ip(ch, '-batch cmds')).toEqual(fail(255, 'Option "-batch" is not supported by tapstack, try "ip -help".\n'));
    expect(await ip(ch, '-n ns1 neigh')).toEqual(fail(255, 'Option "-n" is not supported by tapstack, try "ip -help".\n'));
  });

  it('accepted options, abbreviated or with "--": -s -stats -statistics -d -j -p -4 -h -o -N -c -t -br -l N', async () => {
    const { ch } = setup();
    await populate(ch);
    for (const line of ['-d neigh show dev tap1', '--d neigh show dev tap1', '-4 neigh show dev tap1', '-h -iec -r -t -ts -N -c -color=never -a -echo -force neigh show dev tap1', '-l 3 -o neigh show dev tap1']) {
      expect(await ip(ch, line), line).toEqual(ok('10.0.1.9 lladdr 02:00:00:00:01:09 STALE proto static \n'));
    }
    for (const line of ['-s neigh show dev tap1', '-st neigh show dev tap1', '-stats neigh show dev tap1', '-statistics neigh show dev tap1', '-s -s -s neigh show dev tap1']) {
      expect(await ip(ch, line), line).toEqual(ok('10.0.1.9 lladdr 02:00:00:00:01:09  used 0/60/0probes 0 STALE proto static \n'));
    }
    expect(await ip(ch, '-V')).toEqual(ok('ip utility, tapstack (iproute2-6.1.0 syntax)\n'));
  });

  it('"--" ends the options', async () => {
    const { ch } = setup();
    expect(await ip(ch, '-s -- -j neigh')).toEqual(fail(1, 'Object "-j" is unknown, try "ip help".\n'));
  });

  it('objects resolve by prefix in iproute2\'s table order; unknown ones are status 1', async () => {
    const { ch } = setup();
    await populate(ch);
    const show = await ip(ch, 'neigh show dev tap1');
    expect(show).toEqual(ok('10.0.1.9 lladdr 02:00:00:00:01:09 STALE proto static \n'));
    for (const obj of ['n', 'ne', 'neigh', 'neighbor', 'neighbour']) expect(await ip(ch, `${obj} show dev tap1`), obj).toEqual(show);
    const nt = await ip(ch, 'ntable show dev tap1');
    expect(nt.out).toMatch(/^inet arp_cache \n {4}dev tap1 \n/);
    for (const obj of ['nt', 'ntb', 'ntbl', 'ntable']) expect(await ip(ch, `${obj} show dev tap1`), obj).toEqual(nt);
    expect((await ip(ch, 'l show tap1')).out).toMatch(/^2: tap1: /);
    expect(await ip(ch, 'foo')).toEqual(fail(1, 'Object "foo" is unknown, try "ip help".\n'));
    expect(await ip(ch, 'amt')).toEqual(fail(1, 'Object "amt" is unknown, try "ip help".\n'));
  });

  it('objects iproute2 has and tapstack does not: status 1 naming the object', async () => {
    const { ch } = setup();
    expect(await ip(ch, 'addrl')).toEqual(fail(1, 'Object "addrlabel" is not supported by tapstack, try "ip help".\n'));
    expect(await ip(ch, 'ru show')).toEqual(fail(1, 'Object "rule" is not supported by tapstack, try "ip help".\n'));
    expect(await ip(ch, 's')).toEqual(fail(1, 'Object "sr" is not supported by tapstack, try "ip help".\n'));
  });

  it('-4 and -6 pick one table (arp_cache, ndisc_cache); a family without a neighbour table shows nothing', async () => {
    const { ch, A } = setup({ ipv6: true });
    await populate(ch);
    expect(await ip(ch, 'neigh add fd00::5 lladdr 02:00:00:00:00:05 dev tap0')).toEqual(ok(''));
    const v6 = 'fd00::5 dev tap0 lladdr 02:00:00:00:00:05 PERMANENT \n';
    const v4 = inDumpOrder(A, [L5, L6, L7, L9]);
    // Without a family: arp_tbl's entries, then nd_tbl's (neigh_dump_info walks the tables in order).
    expect(await ip(ch, 'neigh')).toEqual(ok(v4 + v6));
    for (const line of ['-4 neigh', '-f inet neigh show', '-fa inet neigh']) expect(await ip(ch, line), line).toEqual(ok(v4));
    for (const line of ['-6 neigh', '-f inet6 neigh show', '-fa inet6 neigh']) expect(await ip(ch, line), line).toEqual(ok(v6));
    for (const line of ['-0 neigh show', '-M neigh show', '-f link neigh show', '-j -M neigh']) {
      expect(await ip(ch, line), line).toEqual(ok(line.includes('-j') ? '[]\n' : ''));
    }
    expect((await ip(ch, '-f inet neigh show dev tap1')).out).toBe('10.0.1.9 lladdr 02:00:00:00:01:09 STALE proto static \n');
    expect((await ip(ch, '-4 ntable show')).out).toMatch(/^inet arp_cache \n/);
    expect((await ip(ch, '-4 ntable show')).out).not.toContain('ndisc_cache');
    expect((await ip(ch, '-6 ntable show')).out).toMatch(/^inet6 ndisc_cache \n/);
    expect((await ip(ch, '-6 ntable show')).out).not.toContain('arp_cache');
    expect(await ip(ch, '-M ntable show')).toEqual(ok(''));
  });
});

describe('ip neigh show', () => {
  it('default filter: everything but NOARP (and NONE); proxies are not listed', async () => {
    const { ch, A } = setup();
    await populate(ch);
    const r = await ip(ch, 'neigh');
    expect(r).toEqual(ok(inDumpOrder(A, [L5, L6, L7, L9])));
    for (const cmd of ['neigh show', 'neigh sh', 'neigh s', 'neigh list', 'neigh l', 'neigh lst', 'neigh ls']) {
      expect(await ip(ch, cmd), cmd).toEqual(r);
    }
  });

  it('nud all, several nud words (union, with abbreviations), nud by number; bad states are invarg()', async () => {
    const { ch, A } = setup();
    await populate(ch);
    expect(await ip(ch, 'neigh show nud all')).toEqual(ok(inDumpOrder(A, [L5, L6, L7, L8, L9])));
    expect(await ip(ch, 'neigh show nud stale nud perm')).toEqual(ok(inDumpOrder(A, [L5, L6, L9])));
    expect(await ip(ch, 'neigh show nud 0x80')).toEqual(ok(L5));
    expect(await ip(ch, 'neigh show nud 4')).toEqual(ok(inDumpOrder(A, [L6, L9])));
    expect(await ip(ch, 'neigh show nud noarp')).toEqual(ok(L8));
    expect(await ip(ch, 'neigh show nud xx')).toEqual(fail(255, 'Error: argument "xx" is wrong: nud state is bad\n'));
    expect(await ip(ch, 'neigh show nud 3')).toEqual(fail(255, 'Error: argument "3" is wrong: nud state is bad\n'));
    expect(await ip(ch, 'neigh show nud')).toEqual(fail(255, 'Command line is not complete. Try option "help"\n'));
  });

  it('nud none lists NONE entries (an entry left by a failed add, as on Linux)', async () => {
    const { ch } = setup();
    expect(await ip(ch, 'neigh add 10.0.0.52 dev tap0 nud stale')).toEqual(fail(2, 'Error: No link layer address given.\n'));
    expect(await ip(ch, 'neigh show')).toEqual(ok(''));
    expect(await ip(ch, 'neigh show nud none')).toEqual(ok('10.0.0.52 dev tap0 \n'));
  });

  it('prefix filter, with or without "to": /N, a dotted mask, a bare address, a partial address, default', async () => {
    const { ch, A } = setup();
    await populate(ch);
    expect(await ip(ch, 'neigh show to 10.0.0.4/30')).toEqual(ok(inDumpOrder(A, [L5, L6, L7])));
    expect(await ip(ch, 'neigh show 10.0.0.4/30')).toEqual(ok(inDumpOrder(A, [L5, L6, L7])));
    expect(await ip(ch, 'neigh show 10.0.0.0/30')).toEqual(ok(''));
    expect(await ip(ch, 'neigh show 10.0.0.5')).toEqual(ok(L5));
    expect(await ip(ch, 'neigh show 10.0.0.0/255.255.255.0')).toEqual(ok(inDumpOrder(A, [L5, L6, L7])));
    expect(await ip(ch, 'neigh show 10.0.1.0/0x18')).toEqual(ok(L9));
    expect(await ip(ch, 'neigh show 10/8')).toEqual(ok(inDumpOrder(A, [L5, L6, L7, L9])));
    expect(await ip(ch, 'neigh show 012.0.1.9')).toEqual(ok(L9)); // octal, as strtoul(…, 0)
    expect(await ip(ch, 'neigh show to 10.0.0')).toEqual(ok('')); // 10.0.0.0/32
    for (const w of ['default', 'all', 'any']) expect(await ip(ch, `neigh show ${w}`), w).toEqual(ok(inDumpOrder(A, [L5, L6, L7, L9])));
  });

  it('bad prefixes: get_prefix() messages, status 1; "to" without a value is incomplete', async () => {
    const { ch } = setup();
    expect(await ip(ch, 'neigh show 10.0.0.5x')).toEqual(fail(1, 'Error: any valid prefix is expected rather than "10.0.0.5x".\n'));
    expect(await ip(ch, 'neigh show router')).toEqual(fail(1, 'Error: any valid prefix is expected rather than "router".\n'));
    expect(await ip(ch, 'neigh show 1.2.3.4/33')).toEqual(fail(1, 'Error: any valid prefix is expected rather than "1.2.3.4/33".\n'));
    expect(await ip(ch, 'neigh show default/8')).toEqual(fail(1, 'Error: any valid prefix is expected rather than "default/8".\n'));
    expect(await ip(ch, '-4 neigh show 10.0.0.5x')).toEqual(fail(1, 'Error: inet prefix is expected rather than "10.0.0.5x".\n'));
    expect(await ip(ch, '-4 neigh show ::1')).toEqual(fail(1, 'Error: inet prefix is expected rather than "::1".\n'));
    expect(await ip(ch, 'neigh show to')).toEqual(fail(255, 'Command line is not complete. Try option "help"\n'));
  });

  it('an inet6 prefix selects the inet6 family: only nd_tbl\'s entries', async () => {
    const { ch } = setup({ ipv6: true });
    await populate(ch);
    expect(await ip(ch, 'neigh show ::/0')).toEqual(ok(''));
    expect(await ip(ch, 'neigh add fd00::5 lladdr 02:00:00:00:00:05 dev tap0')).toEqual(ok(''));
    expect(await ip(ch, 'neigh show ::/0')).toEqual(ok('fd00::5 dev tap0 lladdr 02:00:00:00:00:05 PERMANENT \n'));
  });

  it('dev DEV filters and drops "dev NAME" from the lines; unknown device is status 1; "dev" twice is duparg()', async () => {
    const { ch, A } = setup();
    await populate(ch);
    expect(await ip(ch, 'neigh show dev tap0')).toEqual(ok(inDumpOrder(A, [L5, L6, L7].map((l) => l.replace(' dev tap0', '')))));
    expect(await ip(ch, 'neigh show dev nope')).toEqual(fail(1, 'Cannot find device "nope"\n'));
    expect(await ip(ch, 'neigh show dev tap0 dev tap0')).toEqual(fail(255, 'Error: duplicate "dev": "tap0" is the second value.\n'));
  });

  it('proxy lists the proxy entries (a device-less one without "dev"); with dev DEV only that device', async () => {
    const { ch, A } = setup();
    await populate(ch);
    expect(await ip(ch, 'neigh add proxy 10.0.0.98')).toEqual(ok(''));
    expect(await ip(ch, 'neigh show proxy')).toEqual(ok(inDumpOrder(A, ['10.0.0.99 dev tap0 proxy \n', '10.0.0.98 proxy \n'], true)));
    expect(await ip(ch, 'neigh show proxy dev tap0')).toEqual(ok('10.0.0.99 proxy \n'));
    expect(await ip(ch, 'neigh show proxy dev tap1')).toEqual(ok(''));
  });

  it('protocol filter (name, number, all) and its error', async () => {
    const { ch, A } = setup();
    await populate(ch);
    expect(await ip(ch, 'neigh show protocol static')).toEqual(ok(L9));
    expect(await ip(ch, 'neigh show proto 4')).toEqual(ok(L9));
    expect(await ip(ch, 'neigh show p static')).toEqual(ok(L9));
    expect(await ip(ch, 'neigh show protocol boot')).toEqual(ok(''));
    expect(await ip(ch, 'neigh show protocol all')).toEqual(ok(inDumpOrder(A, [L5, L6, L7, L9])));
    expect(await ip(ch, 'neigh show protocol foo')).toEqual(fail(255, 'Error: argument "foo" is wrong: invalid "protocol"\n\n'));
  });

  it('unused drops entries somebody holds (a REACHABLE entry\'s timer holds one)', async () => {
    const { ch, A } = setup();
    await populate(ch);
    expect(A.neighbours().find((n) => n.dst === '10.0.0.7')!.refcnt).toBe(1);
    expect(await ip(ch, 'neigh show unused')).toEqual(ok(inDumpOrder(A, [L5, L6, L9])));
  });

  it('master/vrf/nomaster: no tapstack device has a master', async () => {
    const { ch, A } = setup();
    await populate(ch);
    expect(await ip(ch, 'neigh show master tap0')).toEqual(ok(''));
    expect(await ip(ch, 'neigh show nomaster')).toEqual(ok(inDumpOrder(A, [L5, L6, L7, L9])));
    expect(await ip(ch, 'neigh show master nope')).toEqual(fail(255, 'Error: argument "nope" is wrong: Device does not exist\n\n'));
    expect(await ip(ch, 'neigh show vrf tap0')).toEqual(fail(255, 'Error: argument "tap0" is wrong: Not a valid VRF name\n\n'));
  });

  it('-s adds the cache info (ages in seconds), -j prints JSON, -j -p pretty JSON as json_writer does', async () => {
    const { ch, A, clock } = setup();
    await populate(ch);
    clock.advance(3000);
    expect(await ip(ch, '-s neigh show dev tap1')).toEqual(ok('10.0.1.9 lladdr 02:00:00:00:01:09  used 3/63/3probes 0 STALE proto static \n'));
    expect(await ip(ch, '-s neigh show 10.0.0.7')).toEqual(ok('10.0.0.7 dev tap0 lladdr 02:00:00:00:00:07  ref 1 used 3/3/3probes 0 REACHABLE \n'));
    expect(await ip(ch, '-j neigh show 10.0.0.6')).toEqual(ok('[{"dst":"10.0.0.6","dev":"tap0","lladdr":"02:00:00:00:00:06","router":null,"state":["STALE"]}]\n'));
    expect(await ip(ch, '-j -s neigh show dev tap1')).toEqual(
      ok('[{"dst":"10.0.1.9","lladdr":"02:00:00:00:01:09","used":3,"confirmed":63,"updated":3,"probes":0,"state":["STALE"],"protocol":"static"}]\n'),
    );
    const pretty = [
      '[ {',
      '        "dst": "10.0.0.6",',
      '        "dev": "tap0",',
      '        "lladdr": "02:00:00:00:00:06",',
      '        "router": null,',
      '        "state": [ "STALE" ]',
      '    },{',
      '        "dst": "10.0.0.5",',
      '        "dev": "tap0",',
      '        "lladdr": "02:00:00:00:00:05",',
      '        "state": [ "PERMANENT" ]',
      '    } ]',
    ];
    const r = await ip(ch, '-j -p neigh show nud perm nud stale 10.0.0.0/24');
    const order = A.neighbours().map((n) => n.dst);
    const expected = order.indexOf('10.0.0.6') < order.indexOf('10.0.0.5')
      ? pretty
      : [pretty[0], ...pretty.slice(7, 11), '    },{', ...pretty.slice(1, 6), '    } ]'];
    expect(r).toEqual(ok(`${expected.join('\n')}\n`));
    expect(await ip(ch, '-j -p neigh show 10.9.9.9')).toEqual(ok('[ ]\n'));
    expect(await ip(ch, '-j neigh show 10.9.9.9')).toEqual(ok('[]\n'));
  });

  it('help anywhere a prefix may stand prints the usage, status 255; unknown commands likewise', async () => {
    const { ch } = setup();
    expect(await ip(ch, 'neigh show help')).toEqual(fail(255, NEIGH_USAGE));
    expect(await ip(ch, 'neigh show to help')).toEqual(fail(255, NEIGH_USAGE));
    expect(await ip(ch, 'neigh help')).toEqual(fail(255, NEIGH_USAGE));
    expect(await ip(ch, 'neigh bogus')).toEqual(fail(255, 'Command "bogus" is unknown, try "ip neigh help".\n'));
    expect(NEIGH_USAGE).toContain('\tip neigh get { ADDR | proxy ADDR } dev DEV\n');
  });
});

describe('ip neigh add | change | replace | del', () => {
  it('add creates a PERMANENT entry; add again is EEXIST ("RTNETLINK answers: File exists", status 2)', async () => {
    const { ch, A } = setup();
    expect(await ip(ch, 'neigh add 10.0.0.5 lladdr 02:00:00:00:00:05 dev tap0')).toEqual(ok(''));
    const n = A.neighbours().find((x) => x.dst === '10.0.0.5')!;
    expect([n.dev, n.lladdr, n.state]).toEqual(['tap0', '02:00:00:00:00:05', NUD_PERMANENT]);
    expect(await ip(ch, 'neigh add 10.0.0.5 lladdr 02:00:00:00:00:05 dev tap0')).toEqual(fail(2, 'RTNETLINK answers: File exists\n'));
    expect(await ip(ch, 'neigh a 10.0.0.5 lladdr 02:00:00:00:00:05 dev tap0')).toEqual(fail(2, 'RTNETLINK answers: File exists\n'));
  });

  it('change needs an existing entry (ENOENT) and updates it; replace creates or overwrites', async () => {
    const { ch, A } = setup();
    expect(await ip(ch, 'neigh change 10.0.0.50 lladdr 02:00:00:00:00:50 dev tap0')).toEqual(fail(2, 'RTNETLINK answers: No such file or directory\n'));
    expect(await ip(ch, 'neigh chg 10.0.0.50 lladdr 02:00:00:00:00:50 dev tap0')).toEqual(fail(2, 'RTNETLINK answers: No such file or directory\n'));
    expect(await ip(ch, 'neigh replace 10.0.0.50 lladdr 02:00:00:00:00:50 dev tap0 nud reachable')).toEqual(ok(''));
    expect(A.neighbours().map((x) => [x.dst, x.lladdr, x.state])).toEqual([['10.0.0.50', '02:00:00:00:00:50', NUD_REACHABLE]]);
    expect(await ip(ch, 'neigh change 10.0.0.50 lladdr 02:00:00:00:00:51 dev tap0 nud stale')).toEqual(ok(''));
    expect(A.neighbours().map((x) => [x.dst, x.lladdr, x.state])).toEqual([['10.0.0.50', '02:00:00:00:00:51', NUD_STALE]]);
    expect(await ip(ch, 'neigh r 10.0.0.50 lladdr 02:00:00:00:00:52 dev tap0')).toEqual(ok(''));
    expect(A.neighbours().map((x) => [x.dst, x.lladdr, x.state])).toEqual([['10.0.0.50', '02:00:00:00:00:52', NUD_PERMANENT]]);
  });

  it('del removes the entry; a missing one is ENOENT; del ignores lladdr and nud', async () => {
    const { ch, A } = setup();
    await populate(ch);
    expect(await ip(ch, 'neigh del 10.0.0.5 dev tap0 lladdr 02:00:00:00:00:01 nud stale')).toEqual(ok(''));
    expect(A.neighbours().some((x) => x.dst === '10.0.0.5')).toBe(false);
    expect(await ip(ch, 'neigh delete 10.0.0.5 dev tap0')).toEqual(fail(2, 'RTNETLINK answers: No such file or directory\n'));
    expect(await ip(ch, 'neigh d 10.0.0.66 dev tap0')).toEqual(fail(2, 'RTNETLINK answers: No such file or directory\n'));
  });

  it('flags and options: router, extern_learn (abbreviated), protocol, "to", "l" for lladdr, nud by number', async () => {
    const { ch, A } = setup();
    expect(await ip(ch, 'neigh add to 10.0.0.11 l 02:00:00:00:00:0b dev tap0 nud 0x04 router ext protocol static')).toEqual(ok(''));
    const n = A.neighbours().find((x) => x.dst === '10.0.0.11')!;
    expect([n.lladdr, n.state, n.flags & (NTF_ROUTER | NTF_EXT_LEARNED), n.protocol]).toEqual(['02:00:00:00:00:0b', NUD_STALE, NTF_ROUTER | NTF_EXT_LEARNED, 4]);
    expect(await ip(ch, 'neigh show 10.0.0.11')).toEqual(ok('10.0.0.11 dev tap0 lladdr 02:00:00:00:00:0b router extern_learn STALE proto static \n'));
    // 010.0.0.12 is octal: 8.0.0.12, as get_addr_ipv4 reads it.
    expect(await ip(ch, 'neigh add 010.0.0.12 lladdr 2:0:0:0:0:c dev tap0 nud noarp')).toEqual(ok(''));
    expect(A.neighbours().find((x) => x.dst === '8.0.0.12')?.state).toBe(NUD_NOARP);
  });

  it('a longer lladdr is cut to the device\'s 6 bytes; a shorter one is "Invalid link address"', async () => {
    const { ch, A } = setup();
    expect(await ip(ch, 'neigh add 10.0.0.61 lladdr 02:00:00:00:00:61:77 dev tap0')).toEqual(ok(''));
    expect(A.neighbours().find((x) => x.dst === '10.0.0.61')?.lladdr).toBe('02:00:00:00:00:61');
    expect(await ip(ch, 'neigh add 10.0.0.60 lladdr 02:00 dev tap0')).toEqual(fail(2, 'Error: Invalid link address.\n'));
    expect(await ip(ch, 'neigh add 10.0.0.62 lladdr 10.0.0.1 dev tap0')).toEqual(fail(2, 'Error: Invalid link address.\n'));
  });

  it('managed sets state NONE (so the entry resolves); "managed nud perm" keeps the nud given last', async () => {
    const { ch, A } = setup();
    expect(await ip(ch, 'neigh add 10.0.0.53 dev tap0 nud perm managed')).toEqual(ok(''));
    const n = A.neighbours().find((x) => x.dst === '10.0.0.53')!;
    expect([n.extFlags & NTF_EXT_MANAGED, n.stateNames]).toEqual([NTF_EXT_MANAGED, ['INCOMPLETE']]);
    expect(await ip(ch, 'neigh add 10.0.0.55 lladdr 02:00:00:00:00:55 dev tap0 managed nud perm')).toEqual(fail(2, 'Error: Invalid NTF_* flag for permanent entry.\n'));
  });

  it('use starts resolution of a new entry', async () => {
    const { ch, A } = setup();
    expect(await ip(ch, 'neigh add 10.0.0.54 dev tap0 use')).toEqual(ok(''));
    expect(A.neighbours().find((x) => x.dst === '10.0.0.54')?.stateNames).toEqual(['INCOMPLETE']);
  });

  it('proxy add/del, with and without a device; proxy del of a missing entry is ENOENT', async () => {
    const { ch, A } = setup();
    expect(await ip(ch, 'neigh add proxy 10.0.0.99 dev tap0')).toEqual(ok(''));
    expect(await ip(ch, 'neigh add proxy 10.0.0.98')).toEqual(ok(''));
    expect(A.proxyNeighbours().map((p) => [p.dst, p.dev]).sort()).toEqual([['10.0.0.98', null], ['10.0.0.99', 'tap0']]);
    expect(await ip(ch, 'neigh del proxy 10.0.0.98')).toEqual(ok(''));
    expect(await ip(ch, 'neigh del p 10.0.0.99 dev tap0')).toEqual(ok(''));
    expect(A.proxyNeighbours()).toEqual([]);
    expect(await ip(ch, 'neigh del proxy 10.0.0.97 dev tap0')).toEqual(fail(2, 'RTNETLINK answers: No such file or directory\n'));
  });

  it('argument errors, with iproute2\'s messages and statuses', async () => {
    const { ch, A } = setup();
    const cases: [string, Run][] = [
      ['neigh add 10.0.0.50 lladdr 02:00:00:00:00:05', fail(255, 'Device and destination are required arguments.\n')],
      ['neigh add 10.0.0.50', fail(255, 'Device and destination are required arguments.\n')],
      ['neigh add dev tap0', fail(255, 'Device and destination are required arguments.\n')],
      ['neigh add default dev tap0', fail(255, 'Device and destination are required arguments.\n')],
      ['neigh del 10.0.0.66', fail(255, 'Device and destination are required arguments.\n')],
      ['neigh add 10.0.0.50 10.0.0.51 dev tap0', fail(255, 'Error: either "to" is duplicate, or "10.0.0.51" is a garbage.\n')],
      ['neigh add 10.0.0.72 lladdr 02:00:00:00:00:72 dev tap0 rout', fail(255, 'Error: either "to" is duplicate, or "rout" is a garbage.\n')],
      ['neigh add 10.0.0.77 help 10.0.0.78 dev tap0', fail(255, 'Error: either "to" is duplicate, or "10.0.0.78" is a garbage.\n')],
      ['neigh add 10.0.0.50 nud xx dev tap0', fail(255, 'Error: argument "xx" is wrong: nud state is bad\n')],
      ['neigh add 10.0.0.50 nud dev tap0', fail(255, 'Error: argument "dev" is wrong: nud state is bad\n')],
      ['neigh add 10.0.0.50 dev', fail(255, 'Command line is not complete. Try option "help"\n')],
      ['neigh add 10.0.0.76 dev tap0 lladdr', fail(255, 'Command line is not complete. Try option "help"\n')],
      ['neigh add help', fail(255, 'Command line is not complete. Try option "help"\n')],
      ['neigh add proxy help', fail(255, NEIGH_USAGE)],
      ['neigh add 10.0.0.5x dev tap0', fail(1, 'Error: any valid address is expected rather than "10.0.0.5x".\n')],
      ['-4 neigh add ::1 dev tap0', fail(1, 'Error: inet address is expected rather than "::1".\n')],
      ['neigh add 10.0.0.53 lladdr 02:00:00:00:00:05 lladdr 02:00:00:00:00:06 dev tap0', fail(255, 'Error: duplicate "lladdr": "02:00:00:00:00:06" is the second value.\n')],
      ['neigh add proxy 10.0.0.98 proxy 10.0.0.97 dev tap0', fail(255, 'Error: duplicate "address": "10.0.0.97" is the second value.\n')],
      ['neigh add 10.0.0.54 proxy 10.0.0.97 dev tap0', fail(255, 'Error: duplicate "address": "10.0.0.97" is the second value.\n')],
      ['neigh add 10.0.0.64 lladdr 02:00:00:00:00:64 dev tap0 protocol foo', fail(255, 'Error: argument "foo" is wrong: "protocol" value is invalid\n\n')],
      ['neigh add 10.0.0.80 lladdr 02:00:00:00:00:80 dev tap0 proto 300', fail(255, 'Error: argument "300" is wrong: "protocol" value is invalid\n\n')],
      ['neigh add 10.0.0.50 lladdr zz dev tap0', fail(1, '"zz" is invalid lladdr.\n')],
      ['neigh add 10.0.0.50 lladdr 02:zz:00:00:00:00 dev tap0', fail(1, '"zz" is invalid lladdr.\n')],
      ['neigh add 10.0.0.50 lladdr 02:100:00:00:00:00 dev tap0', fail(1, '"100" is invalid lladdr.\n')],
      ['neigh add 10.0.0.50 lladdr zz dev nope', fail(1, '"zz" is invalid lladdr.\n')],
      ['neigh add 10.0.0.50 lladdr 02:00:00:00:00:05 dev nope', fail(1, 'Cannot find device "nope"\n')],
      ['neigh del 10.0.0.50 dev nope', fail(1, 'Cannot find device "nope"\n')],
      ['-0 neigh add 10.0.0.5 dev tap0', fail(2, 'RTNETLINK answers: Address family not supported by protocol\n')],
    ];
    for (const [line, want] of cases) expect(await ip(ch, line), line).toEqual(want);
    expect(A.neighbours()).toEqual([]);
  });

  it('a VALID state without lladdr: the stack refuses it (EINVAL)', async () => {
    const { ch } = setup();
    expect(await ip(ch, 'neigh add 10.0.0.51 dev tap0 nud reachable')).toEqual(fail(2, 'Error: No link layer address given.\n'));
  });
});

describe('ip neigh get', () => {
  it('prints the entry like show (dev included); -s adds cache info; -j still prints text (iproute2 6.1)', async () => {
    const { ch } = setup();
    await populate(ch);
    expect(await ip(ch, 'neigh get 10.0.0.5 dev tap0')).toEqual(ok(L5));
    expect(await ip(ch, 'neigh g to 10.0.0.5 dev tap0')).toEqual(ok(L5));
    expect(await ip(ch, '-j neigh get 10.0.0.5 dev tap0')).toEqual(ok(L5));
    // neigh_get() fills the reply while its lookup holds the entry: ref 2 where show says 1 (6.18).
    expect(await ip(ch, '-s neigh get 10.0.0.7 dev tap0')).toEqual(ok('10.0.0.7 dev tap0 lladdr 02:00:00:00:00:07  ref 2 used 0/0/0probes 0 REACHABLE \n'));
    expect(await ip(ch, 'neigh get 10.0.0.8 dev tap0')).toEqual(ok(L8));
  });

  it('proxy get', async () => {
    const { ch } = setup();
    await populate(ch);
    expect(await ip(ch, 'neigh get proxy 10.0.0.99 dev tap0')).toEqual(ok('10.0.0.99 dev tap0 proxy \n'));
    expect(await ip(ch, 'neigh get proxy 10.0.0.55 dev tap0')).toEqual(fail(2, 'Error: Proxy neighbour entry not found.\n'));
  });

  it('errors: not found (status 2), missing dev or address (status 1), unknown device, duplicates, help', async () => {
    const { ch } = setup();
    expect(await ip(ch, 'neigh get 10.0.0.55 dev tap0')).toEqual(fail(2, 'Error: Neighbour entry not found.\n'));
    expect(await ip(ch, 'neigh get 10.0.0.55')).toEqual(fail(1, 'Device and address are required arguments.\n'));
    expect(await ip(ch, 'neigh get dev tap0')).toEqual(fail(1, 'Device and address are required arguments.\n'));
    expect(await ip(ch, 'neigh get 10.0.0.55 dev nope')).toEqual(fail(1, 'Cannot find device "nope"\n'));
    expect(await ip(ch, 'neigh get 10.0.0.55 10.0.0.56 dev tap0')).toEqual(fail(255, 'Error: either "to" is duplicate, or "10.0.0.56" is a garbage.\n'));
    expect(await ip(ch, 'neigh get 10.0.0.61 dev tap0 bogus')).toEqual(fail(255, 'Error: either "to" is duplicate, or "bogus" is a garbage.\n'));
    expect(await ip(ch, 'neigh get help')).toEqual(fail(255, NEIGH_USAGE));
    expect(await ip(ch, 'neigh get 10.0.0.5y dev tap0')).toEqual(fail(1, 'Error: any valid address is expected rather than "10.0.0.5y".\n'));
  });
});

describe('ip neigh flush', () => {
  it('needs arguments (status 1)', async () => {
    const { ch } = setup();
    expect(await ip(ch, 'neigh flush')).toEqual(fail(1, 'Flush requires arguments.\n'));
  });

  it('dev DEV: everything but PERMANENT and NOARP (NONE and FAILED included); -s reports the rounds', async () => {
    const { ch, A } = setup();
    await populate(ch);
    expect(await ip(ch, 'neigh add 10.0.0.52 dev tap0 nud stale')).toEqual(fail(2, 'Error: No link layer address given.\n')); // leaves a NONE entry
    expect(await ip(ch, '-s neigh flush dev tap0')).toEqual(ok('\n*** Round 1, deleting 3 entries ***\n*** Flush is complete after 1 round ***\n'));
    expect(A.neighbours().map((n) => n.dst).sort()).toEqual(['10.0.0.5', '10.0.0.8', '10.0.1.9']);
    expect(await ip(ch, '-s neigh flush dev tap0')).toEqual(ok('Nothing to flush.\n'));
    expect(await ip(ch, 'neigh flush dev tap0')).toEqual(ok(''));
  });

  it('without -s it is silent; -s -s also lists each entry (dev hidden under dev DEV, with cache info)', async () => {
    const { ch, A, clock } = setup();
    await populate(ch);
    clock.advance(2000);
    const order = A.neighbours().map((n) => n.dst);
    const lines = inDumpOrder(A, [
      '10.0.0.6 lladdr 02:00:00:00:00:06 router  used 2/62/2probes 0 STALE \n',
      '10.0.0.7 lladdr 02:00:00:00:00:07  ref 1 used 2/2/2probes 0 REACHABLE \n',
    ]);
    expect(order.length).toBe(5);
    expect(await ip(ch, '-s -s neigh flush dev tap0')).toEqual(ok(`${lines}\n*** Round 1, deleting 2 entries ***\n*** Flush is complete after 1 round ***\n`));
    expect(await ip(ch, 'neigh flush dev tap1')).toEqual(ok(''));
    expect(A.neighbours().map((n) => n.dst).sort()).toEqual(['10.0.0.5', '10.0.0.8']);
  });

  it('nud all takes PERMANENT too but never NOARP; nud perm only PERMANENT; a prefix limits it', async () => {
    const { ch, A } = setup();
    await populate(ch);
    expect(await ip(ch, 'neigh flush to 10.0.0.6')).toEqual(ok(''));
    expect(A.neighbours().map((n) => n.dst).sort()).toEqual(['10.0.0.5', '10.0.0.7', '10.0.0.8', '10.0.1.9']);
    expect(await ip(ch, '-s neigh flush nud perm')).toEqual(ok('\n*** Round 1, deleting 1 entries ***\n*** Flush is complete after 1 round ***\n'));
    expect(A.neighbours().map((n) => n.dst).sort()).toEqual(['10.0.0.7', '10.0.0.8', '10.0.1.9']);
    expect(await ip(ch, 'neigh flush nud all')).toEqual(ok(''));
    expect(A.neighbours().map((n) => n.dst)).toEqual(['10.0.0.8']);
  });

  it('proxy flushes the proxy entries', async () => {
    const { ch, A } = setup();
    await populate(ch);
    expect(await ip(ch, '-s neigh flush proxy')).toEqual(ok('\n*** Round 1, deleting 1 entries ***\n*** Flush is complete after 1 round ***\n'));
    expect(A.proxyNeighbours()).toEqual([]);
    expect(A.neighbours().length).toBe(5);
  });

  it('argument errors as for show', async () => {
    const { ch } = setup();
    expect(await ip(ch, 'neigh flush dev nope')).toEqual(fail(1, 'Cannot find device "nope"\n'));
    expect(await ip(ch, 'neigh flush to 10.0.0.5x')).toEqual(fail(1, 'Error: any valid prefix is expected rather than "10.0.0.5x".\n'));
    expect(await ip(ch, 'neigh flush nud xx')).toEqual(fail(255, 'Error: argument "xx" is wrong: nud state is bad\n'));
  });

  it('a delete that fails ends the flush: "Failed to send flush request: …", status 1', async () => {
    const entry = { family: 2, dst: '10.0.0.6', ifindex: 1, dev: 'tap0', lladdr: null, ha: '00:00:00:00:00:00', state: NUD_STALE, stateNames: ['STALE'], flags: 0, extFlags: 0, isRouter: false, probes: 0, refcnt: 0, usedMs: 0, confirmedMs: 0, updatedMs: 0, dead: false, protocol: 0, type: 1 };
    const ch = new FakeChannel((req) => {
      if (req.type === 'RTM_GETLINK') return { items: [LINK_TAP0] };
      if (req.type === 'RTM_GETNEIGH') return { items: [entry] };
      return { error: -2, msg: 'No such file or directory' };
    });
    expect(await ip(ch, 'neigh flush dev tap0')).toEqual(fail(1, 'Failed to send flush request: No such file or directory\n'));
    expect(ch.requests.filter((r) => r.type === 'RTM_DELNEIGH').map((r) => r.body)).toEqual([{ dst: '10.0.0.6', dev: 'tap0', proxy: false }]);
  });

  it('entries that keep coming back: ten rounds, then "Flush not complete", status 255; FAILED ones are spared after round 1', async () => {
    const entry = (dst: string, state: number, stateNames: string[]): Record<string, unknown> => ({
      family: 2, dst, ifindex: 1, dev: 'tap0', lladdr: null, ha: '00:00:00:00:00:00', state, stateNames, flags: 0, extFlags: 0,
      isRouter: false, probes: 0, refcnt: 0, usedMs: 0, confirmedMs: 0, updatedMs: 0, dead: false, protocol: 0, type: 1,
    });
    const ch = new FakeChannel((req) => {
      if (req.type === 'RTM_GETLINK') return { items: [LINK_TAP0] };
      if (req.type === 'RTM_GETNEIGH') return { items: [entry('10.0.0.6', NUD_STALE, ['STALE']), entry('10.0.0.9', 0x20, ['FAILED'])] };
      return { error: 0 };
    });
    const rounds = Array.from({ length: 10 }, (_, i) => `\n*** Round ${i + 1}, deleting ${i === 0 ? 2 : 1} entries ***\n`).join('');
    expect(await ip(ch, '-s neigh flush dev tap0')).toEqual({ code: 255, out: `${rounds}*** Flush not complete bailing out after 10 rounds\n`, err: '' });
    expect(ch.requests.filter((r) => r.type === 'RTM_DELNEIGH').length).toBe(11);
  });
});

describe('ip ntable', () => {
  const TAP0 = [
    'inet arp_cache ',
    '    dev tap0 ',
    '    refcnt 4 reachable 30000 base_reachable 30000 retrans 1000 ',
    '    gc_stale 60000 delay_probe 5000 queue 101 ',
    '    app_probes 0 ucast_probes 3 mcast_probes 3 ',
    '    anycast_delay 1000 proxy_delay 800 proxy_queue 64 locktime 1000 ',
    '',
    '',
  ].join('\n');
  /** nd_tbl's parms of a device: the same defaults but locktime 0 (NDISC never uses it). */
  const ND_TAP0 = TAP0.replace('inet arp_cache', 'inet6 ndisc_cache').replace('locktime 1000', 'locktime 0');
  const DFLT = [
    'inet arp_cache ',
    '    thresh1 128 thresh2 512 thresh3 1024 gc_int 30000 ',
    '    refcnt 1 reachable 30000 base_reachable 30000 retrans 1000 ',
    '    gc_stale 60000 delay_probe 5000 queue 101 ',
    '    app_probes 0 ucast_probes 3 mcast_probes 3 ',
    '    anycast_delay 1000 proxy_delay 800 proxy_queue 64 locktime 1000 ',
    '',
    '',
  ].join('\n');
  const ND_DFLT = DFLT.replace('inet arp_cache', 'inet6 ndisc_cache').replace('locktime 1000', 'locktime 0');

  it('show dev DEV / name NAME / dev none; the same with "list", "lst", abbreviations and no command', async () => {
    const { ch, A } = setup();
    const [arp, nd] = A.ntables();
    const refcnt = (t: typeof arp, dev: string): number => t!.parms.find((p) => p.dev === dev)!.refcnt;
    const tap0 = TAP0.replace('refcnt 4', `refcnt ${refcnt(arp, 'tap0')}`);
    const ndTap0 = ND_TAP0.replace('refcnt 4', `refcnt ${refcnt(nd, 'tap0')}`);
    // Every table has parms for the device: arp_cache's message, then ndisc_cache's.
    expect(await ip(ch, 'ntable show dev tap0')).toEqual(ok(tap0 + ndTap0));
    expect(await ip(ch, 'ntable show dev tap0 name arp_cache')).toEqual(ok(tap0));
    expect(await ip(ch, 'ntable show dev tap0 name ndisc_cache')).toEqual(ok(ndTap0));
    expect(await ip(ch, 'ntable list dev tap0')).toEqual(ok(tap0 + ndTap0));
    expect(await ip(ch, 'ntable lst dev tap0')).toEqual(ok(tap0 + ndTap0));
    expect(await ip(ch, 'ntbl sh dev tap0')).toEqual(ok(tap0 + ndTap0));
    expect(await ip(ch, 'ntable show name foo')).toEqual(ok(''));
    const none = await ip(ch, 'ntable show dev none');
    expect(none).toEqual(ok(DFLT + ND_DFLT));
    // Per table: the default parms, then each device's in the kernel's list order (newest first).
    const devs = (t: typeof arp, block: string): string[] =>
      t!.parms.slice(1).map((p) => block.replace('dev tap0', `dev ${p.dev}`).replace('refcnt 4', `refcnt ${p.refcnt}`));
    expect(devs(arp, TAP0).length).toBe(2);
    expect(devs(nd, ND_TAP0).length).toBe(2);
    const all = await ip(ch, 'ntable');
    expect(all).toEqual(ok(DFLT + devs(arp, TAP0).join('') + ND_DFLT + devs(nd, ND_TAP0).join('')));
    expect(await ip(ch, 'ntable show')).toEqual(all);
  });

  it('-s adds config and stats to the table message; -j and -j -p', async () => {
    const { ch } = setup();
    const s = await ip(ch, '-s ntable show dev none');
    expect(s.code).toBe(0);
    expect(s.out).toMatch(/^inet arp_cache \n {4}thresh1 128 thresh2 512 thresh3 1024 gc_int 30000 \n {4}config key_len 4 entry_size 336 entries 0 \n {8}last_flush \d{4}-\d\d-\d\d \d\d:\d\d:\d\d last_rand \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \n/);
    expect(s.out).toContain('\n    stats allocs 0 destroys 0 hash_grows 0 \n    res_failed 0 lookups 0 hits 0 \n    rcv_probes_mcast 0 rcv_probes_ucast 0 \n    periodic_gc_runs 0 forced_gc_runs 0 \n    table_fulls 0 \n\n');
    // ndisc_cache follows, with its 16-byte keys and Linux's nd_tbl entry size.
    expect(s.out).toMatch(/\ninet6 ndisc_cache \n {4}thresh1 128 thresh2 512 thresh3 1024 gc_int 30000 \n {4}config key_len 16 entry_size 344 entries \d+ \n/);
    const j = await ip(ch, '-j ntable show dev none');
    const arpJson = '{"family":"inet","name":"arp_cache","thresh1":128,"thresh2":512,"thresh3":1024,"gc_interval":30000,"refcnt":1,"reachable":30000,"base_reachable":30000,"retrans":1000,"gc_stale":60000,"delay_probe":5000,"queue":101,"app_probes":0,"ucast_probes":3,"mcast_probes":3,"anycast_delay":1000,"proxy_delay":800,"proxy_queue":64,"locktime":1000}';
    const ndJson = arpJson.replace('"family":"inet","name":"arp_cache"', '"family":"inet6","name":"ndisc_cache"').replace('"locktime":1000', '"locktime":0');
    expect(j.out).toBe(`[${arpJson},${ndJson}]\n`);
    const p = await ip(ch, '-j -p ntable show dev none');
    expect(p.out).toBe(`${jsonPretty(JSON.parse(j.out))}\n`);
    expect(p.out.split('\n').slice(0, 4)).toEqual(['[ {', '        "family": "inet",', '        "name": "arp_cache",', '        "thresh1": 128,']);
    expect(p.out.endsWith('        "locktime": 0\n    } ]\n')).toBe(true);
  });

  it('show errors: unknown device or word (invarg), missing value', async () => {
    const { ch } = setup();
    expect(await ip(ch, 'ntable show dev nope')).toEqual(fail(255, 'Error: argument "nope" is wrong: "DEV" is invalid\n'));
    expect(await ip(ch, 'ntable show bogus')).toEqual(fail(255, 'Error: argument "bogus" is wrong: unknown\n'));
    expect(await ip(ch, 'ntable show name')).toEqual(fail(255, 'Command line is not complete. Try option "help"\n'));
    expect(await ip(ch, 'ntable help')).toEqual(fail(255, NTABLE_USAGE));
    expect(await ip(ch, 'ntable bogus')).toEqual(fail(255, 'Command "bogus" is unknown, try "ip ntable help".\n'));
  });

  it('change of a device\'s parms: iproute2\'s names, ms units, strtoul numbers (0x, octal)', async () => {
    const { ch, A } = setup();
    expect(await ip(ch, 'ntable change name arp_cache dev tap0 queue 77 retrans 0x200 gc_stale 010 locktime 7 proxy_delay 9 anycast_delay 11 app_probes 1 ucast_probes 2 mcast_probes 4 proxy_queue 33 base_reachable 40000 delay_probe 6000')).toEqual(ok(''));
    const p = A.ntables()[0]!.parms.find((x) => x.dev === 'tap0')!;
    expect([p.queueLen, p.retransTime, p.gcStaletime, p.locktime, p.proxyDelay, p.anycastDelay, p.appProbes, p.ucastProbes, p.mcastProbes, p.proxyQlen, p.baseReachableTime, p.delayProbeTime])
      .toEqual([77, 512, 8, 7, 9, 11, 1, 2, 4, 33, 40000, 6000]);
    const d = A.ntables()[0]!.parms[0]!;
    expect([d.queueLen, d.retransTime]).toEqual([101, 1000]);
    const shown = await ip(ch, 'ntable show dev tap0');
    expect(shown.out).toContain('\n    gc_stale 8 delay_probe 6000 queue 77 \n    app_probes 1 ucast_probes 2 mcast_probes 4 \n    anycast_delay 11 proxy_delay 9 proxy_queue 33 locktime 7 \n');
  });

  it('change of the table: thresholds and gc_int (chg abbreviation); defaults without dev', async () => {
    const { ch, A } = setup();
    expect(await ip(ch, 'ntable chg name arp_cache thresh1 100 thresh2 200 thresh3 300 gc_int 20000 retrans 900')).toEqual(ok(''));
    const t = A.ntables()[0]!;
    expect([t.thresh1, t.thresh2, t.thresh3, t.gcIntervalMs, t.parms[0]!.retransTime]).toEqual([100, 200, 300, 20000, 900]);
  });

  it('change errors', async () => {
    const { ch } = setup();
    const cases: [string, Run][] = [
      ['ntable change', fail(255, 'Error: argument "NAME" is required\n')],
      ['ntable change queue 3', fail(255, 'Error: argument "NAME" is required\n')],
      ['ntable change name arp_cache', fail(255, 'Not enough information: changeable attributes required.\n')],
      ['ntable change name arp_cache dev tap0', fail(255, 'Not enough information: changeable attributes required.\n')],
      ['ntable change name foo queue 3', fail(2, 'RTNETLINK answers: No such file or directory\n')],
      ['-6 ntable change name arp_cache queue 3', fail(2, 'RTNETLINK answers: No such file or directory\n')],
      ['ntable change name arp_cache queue x', fail(255, 'Error: argument "x" is wrong: "queue" value is invalid\n')],
      ['ntable change name arp_cache queue -1', fail(255, 'Error: argument "-1" is wrong: "queue" value is invalid\n')],
      ['ntable change name arp_cache queue 4294967296', fail(255, 'Error: argument "4294967296" is wrong: "queue" value is invalid\n')],
      ['ntable change name arp_cache retrans 1s', fail(255, 'Error: argument "1s" is wrong: "retrans" value is invalid\n')],
      ['ntable change name arp_cache thresh1 -5', fail(255, 'Error: argument "-5" is wrong: "thresh1" value is invalid\n')],
      ['ntable change name arp_cache dev nope queue 3', fail(1, 'Cannot find device "nope"\n')],
      ['ntable change name arp_cache name x queue 3', fail(255, 'Error: duplicate "NAME": "x" is the second value.\n')],
      ['ntable change name arp_cache bogus 3', fail(255, 'Error: argument "bogus" is wrong: unknown\n')],
      ['ntable change name arp_cache retrans', fail(255, 'Command line is not complete. Try option "help"\n')],
    ];
    for (const [line, want] of cases) expect(await ip(ch, line), line).toEqual(want);
  });
});

describe('ip monitor', () => {
  const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

  async function monitor(ch: ControlChannel, line: string, act: () => void | Promise<void>): Promise<Run> {
    const ac = new AbortController();
    const io = bufferIO();
    const done = ipCommand(line.split(' ').filter(Boolean), ch, io, { signal: ac.signal });
    await tick();
    await act();
    await tick();
    ac.abort();
    return { code: await done, out: io.stdout, err: io.stderr };
  }

  const addDel = (A: Stack) => (): void => {
    A.neighAdd({ dst: '10.0.0.90', dev: 'tap0', lladdr: '02:00:00:00:00:90' });
    A.neighAdd({ dst: '10.0.1.91', dev: 'tap1', lladdr: '02:00:00:00:01:91', state: NUD_STALE });
    A.neighDel({ dst: '10.0.0.90', dev: 'tap0' });
  };

  it('monitor neigh prints each event as iproute2 does until the signal aborts; status 0', async () => {
    const { ch, A } = setup();
    const r = await monitor(ch, 'monitor neigh', addDel(A));
    expect(r).toEqual(ok([
      '10.0.0.90 dev tap0 lladdr 02:00:00:00:00:90 PERMANENT \n',
      '10.0.1.91 dev tap1 lladdr 02:00:00:00:01:91 STALE \n',
      '10.0.0.90 dev tap0 FAILED \n',
      'Deleted 10.0.0.90 dev tap0 FAILED \n',
    ].join('')));
    for (const line of ['monitor', 'mo n', 'monitor neigh neigh', '-j monitor neigh']) {
      const again = setup();
      expect(await monitor(again.ch, line, addDel(again.A)), line).toEqual(r);
    }
  });

  it('all / label prefix [NEIGH]; all-nsid prefixes [nsid current]; dev DEV filters and hides the device; -s adds cache info', async () => {
    let { ch, A } = setup();
    expect(await monitor(ch, 'monitor all', addDel(A))).toEqual(ok([
      '[NEIGH]10.0.0.90 dev tap0 lladdr 02:00:00:00:00:90 PERMANENT \n',
      '[NEIGH]10.0.1.91 dev tap1 lladdr 02:00:00:00:01:91 STALE \n',
      '[NEIGH]10.0.0.90 dev tap0 FAILED \n',
      '[NEIGH]Deleted 10.0.0.90 dev tap0 FAILED \n',
    ].join('')));
    ({ ch, A } = setup());
    expect(await monitor(ch, 'monitor neigh dev tap0 label', addDel(A))).toEqual(ok([
      '[NEIGH]10.0.0.90 lladdr 02:00:00:00:00:90 PERMANENT \n',
      '[NEIGH]10.0.0.90 FAILED \n',
      '[NEIGH]Deleted 10.0.0.90 FAILED \n',
    ].join('')));
    ({ ch, A } = setup());
    expect(await monitor(ch, 'monitor neigh all-nsid dev tap1', addDel(A))).toEqual(ok('[nsid current]10.0.1.91 lladdr 02:00:00:00:01:91 STALE \n'));
    ({ ch, A } = setup());
    expect(await monitor(ch, '-s monitor neigh dev tap1', addDel(A))).toEqual(ok('10.0.1.91 lladdr 02:00:00:00:01:91  ref 1 used 0/60/0probes 0 STALE \n'));
  });

  it('-t stamps each event on a line of its own, -ts as a prefix (before the label), as print_timestamp() does', async () => {
    const long = /^Timestamp: (Sun|Mon|Tue|Wed|Thu|Fri|Sat) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d\d:\d\d:\d\d \d{4} \d{1,6} usec$/;
    let { ch, A } = setup();
    let r = await monitor(ch, '-t monitor neigh', addDel(A));
    let lines = r.out.split('\n').slice(0, -1);
    expect(lines.filter((_, i) => i % 2 === 1)).toEqual([
      '10.0.0.90 dev tap0 lladdr 02:00:00:00:00:90 PERMANENT ', '10.0.1.91 dev tap1 lladdr 02:00:00:00:01:91 STALE ',
      '10.0.0.90 dev tap0 FAILED ', 'Deleted 10.0.0.90 dev tap0 FAILED ',
    ]);
    for (const l of lines.filter((_, i) => i % 2 === 0)) expect(l).toMatch(long);
    for (const line of ['-ts monitor neigh label', '-t -ts monitor neigh label', '-tshort -timestamp monitor neigh label']) {
      ({ ch, A } = setup());
      r = await monitor(ch, line, addDel(A));
      lines = r.out.split('\n').slice(0, -1);
      expect(lines, line).toHaveLength(4);
      for (const l of lines) expect(l).toMatch(/^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\] \[NEIGH\]/);
    }
  });

  it('formatTimestamp: asctime() and the short ISO form in local time, microseconds unpadded / padded', () => {
    const tz = process.env.TZ;
    process.env.TZ = 'UTC';
    try {
      const us = Date.UTC(2026, 11, 2, 10, 16, 14) * 1000 + 5123;
      expect(formatTimestamp(us, false)).toBe('Timestamp: Wed Dec  2 10:16:14 2026 5123 usec\n');
      expect(formatTimestamp(us, true)).toBe('[2026-12-02T10:16:14.005123] ');
      expect(formatTimestamp(Date.UTC(2026, 0, 12, 3, 4, 5) * 1000 + 197202, false)).toBe('Timestamp: Mon Jan 12 03:04:05 2026 197202 usec\n');
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
  });

  it('app probe requests print as "miss"', async () => {
    const { ch, A, clock } = setup();
    const r = await monitor(ch, 'monitor neigh', async () => {
      expect(await ip(ch, 'ntable change name arp_cache dev tap0 app_probes 1')).toEqual(ok(''));
      A.neighReplace({ dst: '10.0.0.30', dev: 'tap0', use: true });
      clock.advance(1000);
    });
    expect(r.code).toBe(0);
    expect(r.out).toContain('miss 10.0.0.30 dev tap0 INCOMPLETE \n');
  });

  it('objects without tapstack events are refused by name, not left silent; -6 hides arp_tbl\'s events (cli_ip6.test.ts has nd_tbl\'s)', async () => {
    const one = setup();
    for (const [line, obj] of [['monitor route', 'route'], ['monitor neigh link', 'link'], ['monitor a', 'address'], ['monitor stats', 'stats'], ['monitor neigh nexthop', 'nexthop']]) {
      expect(await ip(one.ch, line), line).toEqual(fail(255, `Error: "${obj}" events are not supported by tapstack (only neigh).\n`));
    }
    const two = setup();
    expect(await monitor(two.ch, '-6 monitor neigh', addDel(two.A))).toEqual(ok(''));
  });

  it('an already aborted signal returns at once with status 0', async () => {
    const { ch } = setup();
    const ac = new AbortController();
    ac.abort();
    const io = bufferIO();
    expect(await ipCommand(['monitor', 'neigh'], ch, io, { signal: ac.signal })).toBe(0);
    expect(io.stdout + io.stderr).toBe('');
  });

  it('the channel failing ends the monitor with its reason, status 2', async () => {
    const { ch, A } = setup();
    const io = bufferIO();
    const done = ipCommand(['monitor', 'neigh'], ch, io, { signal: new AbortController().signal });
    await tick();
    A.neighAdd({ dst: '10.0.0.90', dev: 'tap0', lladdr: '02:00:00:00:00:90' });
    await tick();
    ch.close();
    expect(await done).toBe(2);
    expect(io.stdout).toBe('10.0.0.90 dev tap0 lladdr 02:00:00:00:00:90 PERMANENT \n');
    expect(io.stderr).toBe('channel closed\n');
  });

  it('argument errors and help', async () => {
    const { ch } = setup();
    expect(await ip(ch, 'monitor help')).toEqual(fail(255, MONITOR_USAGE));
    expect(await ip(ch, 'monitor foo')).toEqual(fail(255, 'Argument "foo" is unknown, try "ip monitor help".\n'));
    expect(await ip(ch, 'monitor neigh foo')).toEqual(fail(255, 'Argument "foo" is unknown, try "ip monitor help".\n'));
    expect(await ip(ch, 'monitor dev nope')).toEqual(fail(255, 'Error: argument "nope" is wrong: Device does not exist\n\n'));
    expect(await ip(ch, 'monitor neigh dev')).toEqual(fail(255, 'Command line is not complete. Try option "help"\n'));
    expect(await ip(ch, 'monitor file')).toEqual(fail(255, 'Command line is not complete. Try option "help"\n'));
    expect(await ip(ch, 'monitor file dump.nl')).toEqual(fail(255, 'Error: "file" is not supported by tapstack.\n'));
  });
});

describe('ip link', () => {
  it('set up/down, with or without "dev"; several settings in one command', async () => {
    const { ch, A } = setup();
    expect(await ip(ch, 'link set tap0 down')).toEqual(ok(''));
    expect(A.links().find((l) => l.name === 'tap0')!.up).toBe(false);
    expect(await ip(ch, 'link set up dev tap0')).toEqual(ok(''));
    expect(A.links().find((l) => l.name === 'tap0')!.up).toBe(true);
    expect(await ip(ch, 'link set dev tap0 address 02:11:22:33:44:55 arp off mtu 1400 down')).toEqual(ok(''));
    expect(A.links().find((l) => l.name === 'tap0')).toMatchObject({ address: '02:11:22:33:44:55', noarp: true, mtu: 1400, up: false });
    expect(await ip(ch, 'link s tap0 arp on up mtu 0x5dc a 2:0:0:0:0:1')).toEqual(ok(''));
    expect(A.links().find((l) => l.name === 'tap0')).toMatchObject({ address: '02:00:00:00:00:01', noarp: false, mtu: 1500, up: true });
    expect(await ip(ch, 'link change tap0 up down')).toEqual(ok(''));
    expect(A.links().find((l) => l.name === 'tap0')!.up).toBe(false);
    expect(await ip(ch, 'link set tap0')).toEqual(ok(''));
  });

  it('a MAC change flushes the device\'s neighbours (through the stack)', async () => {
    const { ch, A } = setup();
    await populate(ch);
    expect(await ip(ch, 'link set tap0 address 02:00:00:00:00:aa')).toEqual(ok(''));
    expect(A.neighbours().map((n) => n.dst)).toEqual(['10.0.1.9']);
  });

  it('set errors', async () => {
    const { ch, A } = setup();
    const cases: [string, Run][] = [
      ['link set', fail(255, 'Not enough information: "dev" argument is required.\n')],
      ['link set up', fail(255, 'Not enough information: "dev" argument is required.\n')],
      ['link set dev nope up', fail(1, 'Cannot find device "nope"\n')],
      ['link set nope up', fail(1, 'Cannot find device "nope"\n')],
      ['link set tap0 address zz', fail(1, '"zz" is invalid lladdr.\n')],
      ['link set tap0 address 02:zz:00:00:00:00', fail(1, '"zz" is invalid lladdr.\n')],
      ['link set nope address zz', fail(1, '"zz" is invalid lladdr.\n')],
      ['link set tap0 address 02:00:00:00:00', fail(1, 'Invalid address length 5 - must be 6 bytes\n')],
      ['link set tap0 address 0200.0000.0011', fail(1, 'Invalid address length 4 - must be 6 bytes\n')],
      ['link set tap0 address 02-00-00-00-00-12', fail(1, 'Invalid address length 1 - must be 6 bytes\n')],
      ['link set tap0 address 020000000013', fail(1, 'Invalid address length 1 - must be 6 bytes\n')],
      ['link set tap0 address 01:00:00:00:00:01', fail(2, 'RTNETLINK answers: Cannot assign requested address\n')],
      ['link set tap0 address 00:00:00:00:00:00', fail(2, 'RTNETLINK answers: Cannot assign requested address\n')],
      ['link set tap0 arp foo', fail(1, 'Error: argument of "arp" must be "on" or "off", not "foo"\n')],
      ['link set tap0 arp', fail(255, 'Command line is not complete. Try option "help"\n')],
      ['link set tap0 mtu x', fail(255, 'Error: argument "x" is wrong: Invalid "mtu" value\n\n')],
      ['link set tap0 mtu 99999999999', fail(255, 'Error: argument "99999999999" is wrong: Invalid "mtu" value\n\n')],
      ['link set tap0 mtu 1500x', fail(255, 'Error: argument "1500x" is wrong: Invalid "mtu" value\n\n')],
      ['link set tap0 mtu 1500 mtu 1400', fail(255, 'Error: duplicate "mtu": "1400" is the second value.\n')],
      ['link set tap0 bogus', fail(255, 'Error: either "dev" is duplicate, or "bogus" is a garbage.\n')],
      ['link set dev tap0 dev tap1', fail(255, 'Error: either "dev" is duplicate, or "tap1" is a garbage.\n')],
      ['link set a/b up', fail(255, 'Error: argument "a/b" is wrong: "dev" not a valid ifname\n')],
      ['link set tap0 txqueuelen 5', fail(255, 'Error: "txqueuelen" is not supported by tapstack.\n')],
      ['link set tap0 t 5', fail(255, 'Error: "txqueuelen" is not supported by tapstack.\n')],
      ['link set tap0 name x', fail(255, 'Error: "name" is not supported by tapstack.\n')],
      ['link set tap0 promisc on', fail(255, 'Error: "promisc" is not supported by tapstack.\n')],
      ['link set tap0 h', fail(255, LINK_USAGE)],
      ['link help', fail(255, LINK_USAGE)],
      ['link add foo type dummy', fail(255, 'Command "add" is not supported by tapstack, try "ip link help".\n')],
      ['link bogus', fail(255, 'Command "bogus" is unknown, try "ip link help".\n')],
    ];
    for (const [line, want] of cases) expect(await ip(ch, line), line).toEqual(want);
    expect(A.links().find((l) => l.name === 'tap0')).toMatchObject({ address: '02:00:00:00:00:01', mtu: 1500, up: true, noarp: false });
  });

  it('errors of the stack itself: status 2 with its message (an out-of-range MTU)', async () => {
    const { ch, A } = setup();
    const r = await ip(ch, 'link set tap0 mtu 10');
    expect(r.code).toBe(2);
    expect(r.err).toBe('Error: mtu less than device minimum.\n');
    expect(A.links().find((l) => l.name === 'tap0')!.mtu).toBe(1500);
  });

  it('show: print_linkinfo lines (tapstack has no qdisc or qlen), dev/up filters, -o, -br, -j, unknown device', async () => {
    const { ch } = setup();
    expect(await ip(ch, 'link set tap1 down arp off')).toEqual(ok(''));
    const tap0 = '1: tap0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP mode DEFAULT group default \n    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff\n';
    const tap1 = '2: tap1: <BROADCAST,MULTICAST,NOARP> mtu 1500 state DOWN mode DEFAULT group default \n    link/ether 02:00:00:00:00:11 brd ff:ff:ff:ff:ff:ff\n';
    expect(await ip(ch, 'link')).toEqual(ok(tap0 + tap1));
    expect(await ip(ch, 'link show')).toEqual(ok(tap0 + tap1));
    expect(await ip(ch, 'link sh tap1')).toEqual(ok(tap1));
    expect(await ip(ch, 'link show dev tap0')).toEqual(ok(tap0));
    expect(await ip(ch, 'link show up')).toEqual(ok(tap0));
    expect(await ip(ch, 'link show nomaster')).toEqual(ok(tap0 + tap1));
    expect(await ip(ch, 'link show master tap0')).toEqual(ok(''));
    expect(await ip(ch, '-o link show tap0')).toEqual(ok(tap0.replace(' \n    link', ' \\    link')));
    expect(await ip(ch, '-br link')).toEqual(ok('tap0             UP             02:00:00:00:00:01 <BROADCAST,MULTICAST,UP,LOWER_UP> \ntap1             DOWN           02:00:00:00:00:11 <BROADCAST,MULTICAST,NOARP> \n'));
    expect(await ip(ch, '-j link show tap0')).toEqual(ok('[{"ifindex":1,"ifname":"tap0","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,"operstate":"UP","linkmode":"DEFAULT","group":"default","link_type":"ether","address":"02:00:00:00:00:01","broadcast":"ff:ff:ff:ff:ff:ff"}]\n'));
    expect((await ip(ch, '-j -p link show tap0')).out).toContain('\n        "flags": [ "BROADCAST","MULTICAST","UP","LOWER_UP" ],\n');
    expect(await ip(ch, 'link show nope')).toEqual(fail(1, 'Device "nope" does not exist.\n'));
    expect(await ip(ch, 'link show tap0 tap0')).toEqual(fail(255, 'Error: either "dev" is duplicate, or "tap0" is a garbage.\n'));
    expect(await ip(ch, 'link show dev')).toEqual(fail(255, 'Command line is not complete. Try option "help"\n'));
    expect(await ip(ch, 'link sh help')).toEqual(fail(255, LINK_USAGE));
  });

  it('NO-CARRIER on an up link without carrier', async () => {
    const { ch, A } = setup();
    A.net.netifCarrierOff(A.device('tap0'));
    expect((await ip(ch, 'link show tap0')).out).toBe('1: tap0: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 state DOWN mode DEFAULT group default \n    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff\n');
  });
});

describe('control channel failures', () => {
  it('a failed dump: the reply error, then "Dump terminated", status 1', async () => {
    const ch = new FakeChannel((req) => (req.type === 'RTM_GETLINK' ? { items: [LINK_TAP0] } : { error: -105 }));
    expect(await ip(ch, 'neigh show')).toEqual(fail(1, 'RTNETLINK answers: No buffer space available\nDump terminated\n'));
    expect(await ip(ch, 'ntable show')).toEqual(fail(1, 'RTNETLINK answers: No buffer space available\nDump terminated\n'));
  });

  it('the link map cannot be read: "Dump terminated"', async () => {
    const ch = new FakeChannel(() => ({ error: -71, msg: 'malformed reply from the stack' }));
    expect(await ip(ch, 'neigh show dev tap0')).toEqual(fail(1, 'Error: malformed reply from the stack.\nDump terminated\n'));
  });

  it('error text: a bare errno is "RTNETLINK answers", a message of its own is "Error: MSG." (one final dot)', () => {
    expect(replyErrorText(new ControlError(17, 'File exists'))).toBe('RTNETLINK answers: File exists\n');
    expect(replyErrorText(new ControlError(22, 'No link layer address given'))).toBe('Error: No link layer address given.\n');
    expect(replyErrorText(new ControlError(22, '"zz" is invalid lladdr.'))).toBe('Error: "zz" is invalid lladdr.\n');
    expect(replyErrorText(new ControlError(200, 'Unknown error 200'))).toBe('RTNETLINK answers: Unknown error 200\n');
    // The channel's text for an error reply without a message.
    expect(replyErrorText(new ControlError(105, 'error 105'))).toBe('RTNETLINK answers: No buffer space available\n');
  });
});

describe('iproute2 argument helpers', () => {
  it('strtoul-style numbers: get_u32 / get_u64 / get_integer', () => {
    expect([getU32('0x10'), getU32('010'), getU32('4294967295'), getU32('4294967296'), getU32('-1'), getU32(''), getU32('1x'), getU32('+7'), getU32(' 7')])
      .toEqual([16, 8, 4294967295, null, null, null, null, 7, 7]);
    expect([getU64('18446744073709551615'), getU64('-1'), getU64('-2'), getU64('0x')]).toEqual([null, null, 18446744073709551614n, null]);
    expect([getInteger('-5'), getInteger('2147483648'), getInteger('0x5dc'), getInteger('09')]).toEqual([-5, null, 1500, null]);
  });

  it('get_addr_1 / get_prefix_1', () => {
    expect(getAddr1('10.1', 0)).toEqual({ family: 2, bytes: [10, 1, 0, 0], bitlen: -1 });
    expect(getAddr1('0x0a.0.0.1', 0)?.bytes).toEqual([10, 0, 0, 1]);
    expect(getAddr1('10.0.0.256', 0)).toBeNull();
    expect(getAddr1('10.0.0.1.2', 0)).toBeNull();
    expect(getAddr1('fe80::1', 0)?.bytes).toEqual([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(getAddr1('fe80::1', 2)).toBeNull();
    expect(getAddr1('default', 0)).toEqual({ family: 0, bytes: [], bitlen: -2 });
    expect(getAddr1('default', 2)).toEqual({ family: 2, bytes: [0, 0, 0, 0], bitlen: -2 });
    expect(getPrefix1('10.0.0.0/24', 0)?.bitlen).toBe(24);
    expect(getPrefix1('10.0.0.0/255.255.0.0', 0)?.bitlen).toBe(16);
    expect(getPrefix1('10.0.0.0/255.0.255.0', 0)).toBeNull();
    expect(getPrefix1('10.0.0.1', 0)?.bitlen).toBe(32);
    expect(getPrefix1('any', 0)?.bitlen).toBe(0);
  });

  it('ll_addr_a2n: hex parts (glibc %x truncation), dotted quads, and the failing part in the message', () => {
    expect(llAddrA2n('2:0:0:0:0:1', 20)).toEqual([2, 0, 0, 0, 0, 1]);
    expect(llAddrA2n('0x2:0XfF', 20)).toEqual([2, 255]);
    expect(llAddrA2n('020000000013', 20)).toEqual([0x13]);
    expect(llAddrA2n('0200.0000.0011', 20)).toEqual([128, 0, 9, 0]); // three parts: 0200, 0000, 0011 (octal)
    expect(llAddrA2n('02::03', 20)).toBe('"" is invalid lladdr.\n');
    expect(llAddrA2n('1.2.3.999', 20)).toBe('"1.2.3.999" is invalid lladdr.\n');
    expect(llAddrA2n('-1', 20)).toBe('"-1" is invalid lladdr.\n');
  });

  it('rtnl_rtprot_a2n: names from rt_protos, numbers up to 255', () => {
    expect([rtprotFromArg('static'), rtprotFromArg('kernel'), rtprotFromArg('0x10'), rtprotFromArg('256'), rtprotFromArg('nope')]).toEqual([4, 2, 16, null, null]);
  });

  it('json_writer pretty printing', () => {
    expect(jsonPretty([])).toBe('[ ]');
    expect(jsonPretty([{}])).toBe('[ {} ]');
    expect(jsonPretty([{ a: 1, b: [1, 'x'], c: null, d: { e: true } }, { a: 2 }])).toBe(
      '[ {\n        "a": 1,\n        "b": [ 1,"x" ],\n        "c": null,\n        "d": {\n            "e": true\n        }\n    },{\n        "a": 2\n    } ]',
    );
  });
});
