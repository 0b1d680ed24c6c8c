// `tapstack ss`: the formatter against iproute2 ss 6.1's own output for kernel sockets (captured by
// test/golden/ss-capture.py: LISTEN, ESTABLISHED, TIME-WAIT, SYN-SENT, CLOSE-WAIT, FIN-WAIT-2,
// IPv4, IPv6 and v4-mapped), option parsing and errors as ss prints them, and the command on a stack.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SockDiagMsg } from '../../src/control/protocol.js';
import { SS_ALL, SS_CONN, fmtG, formatSs, printMsTimer, sprintBw } from '../../src/cli/fmt_ss.js';
import { ssCommand, parseSsArgs, ssServiceResolver, SS_USAGE } from '../../src/cli/ss.js';
import { existsSync } from 'node:fs';
import { bufferIO } from '../../src/cli/io.js';
import { LocalChannel } from '../../src/control/channel.js';
import { ControlHandler } from '../../src/control/handler.js';
import { ManualClock } from '../../src/core/clock.js';
import { createPair } from '../../src/drivers/pair.js';
import { Stack } from '../../src/stack.js';
import { procCommand } from '../../src/cli/proc.js';
import { closeStacks, twoStacks } from '../helpers/two_stacks.js';

const GOLDEN = join(__dirname, '..', 'golden');
const golden = (n: string): string => readFileSync(join(GOLDEN, n), 'utf8');
const items = (n: string): SockDiagMsg[] => JSON.parse(golden(n)) as SockDiagMsg[];

describe('fmt_ss against ss 6.1', () => {
  const cases: [string, Parameters<typeof formatSs>[1]][] = [
    ['ss-tan', { numeric: true }],
    ['ss-tn', { numeric: true }],
    ['ss-tln', { numeric: true }],
    ['ss-tanH', { numeric: true, header: false }],
    ['ss-4tan', { numeric: true }],
    ['ss-6tan', { numeric: true }],
    ['ss-tano', { numeric: true, options: true }],
    ['ss-tane', { numeric: true, options: true, extended: true }],
    ['ss-tani', { numeric: true, info: true }],
    ['ss-tanoie', { numeric: true, options: true, info: true, extended: true }],
    ['ss-tn-state-established', { numeric: true, state: false }],
    ['ss-tn-state-listening', { numeric: true, state: false }],
    ['ss-tan-state-time-wait', { numeric: true, state: false }],
    ['ss-synrecv-tanoie', { numeric: true, options: true, info: true, extended: true }],
    ['ss-an-inet', { numeric: true, netid: true }],
    ['ss-tan-linklocal', { numeric: true }],
  ];
  for (const [name, o] of cases) {
    it(`${name} byte for byte`, () => {
      expect(formatSs(items(`${name}.json`), o)).toBe(golden(`${name}.txt`));
    });
  }
  // Service names come from this machine's /etc/services, as ss's getservbyport(); the golden was
  // captured against Debian's netbase.
  const services = existsSync('/etc/services') ? readFileSync('/etc/services', 'utf8') : '';
  it.runIf(/^http-alt\s+8080\/tcp/m.test(services) && /^x11\s+6000\/tcp/m.test(services))('ss-ta: service names outside the ephemeral range', () => {
    expect(formatSs(items('ss-ta.json'), { service: ssServiceResolver([32768, 60999]) })).toBe(golden('ss-ta.txt'));
  });
  it('covers every state the brief names', () => {
    const states = new Set(items('ss-tanoie.json').map((s) => s.state));
    for (const st of [1, 2, 5, 6, 8, 10]) expect(states.has(st)).toBe(true);
    expect(items('ss-synrecv-tanoie.json').map((s) => s.state)).toEqual([10, 3]);
    const all = items('ss-tanoie.json');
    expect(all.some((s) => s.v4mapped)).toBe(true);
    expect(all.some((s) => s.family === 6 && !s.v4mapped)).toBe(true);
  });
  it('an empty dump is the header alone', () => {
    expect(formatSs([], { numeric: true })).toBe('State Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n');
    expect(formatSs([], { numeric: true, state: false })).toBe('Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n');
    expect(formatSs([], { header: false })).toBe('');
  });
});

describe('ss helpers', () => {
  it('print_ms_timer', () => {
    expect(printMsTimer(504)).toBe('504ms');
    expect(printMsTimer(5123)).toBe('5.123ms');
    expect(printMsTimer(59000)).toBe('59sec');
    expect(printMsTimer(59999)).toBe('59sec');
    expect(printMsTimer(7199000)).toBe('119min');
    expect(printMsTimer(65000)).toBe('1min5sec');
    expect(printMsTimer(0)).toBe('');
  });
  it('%g and sprint_bw', () => {
    expect(fmtG(0.034)).toBe('0.034');
    expect(fmtG(204)).toBe('204');
    expect(fmtG(0.00001)).toBe('1e-05');
    expect(fmtG(1234567)).toBe('1.23457e+06');
    expect(sprintBw(91437176470.6, true)).toBe('91437176471');
    expect(sprintBw(231.7e6, false)).toBe('232M');
    expect(sprintBw(999, false)).toBe('999');
    expect(sprintBw(1500, false)).toBe('1.5k');
  });
});

describe('ss arguments', () => {
  it('combined short options, state filters, families', () => {
    const a = parseSsArgs(['-tanoie']);
    expect(a.kind).toBe('run');
    if (a.kind !== 'run') return;
    expect(a.states).toBe(SS_ALL);
    expect(a.fmt).toMatchObject({ numeric: true, options: true, info: true, extended: true, netid: false, state: true });
    const b = parseSsArgs(['-tn', 'state', 'established']);
    expect(b.kind === 'run' && b.states === 2 && b.fmt.state === false).toBe(true);
    const n = parseSsArgs(['-an']);
    expect(n.kind === 'run' && n.fmt.netid === true && n.states === SS_ALL).toBe(true);
    const c = parseSsArgs(['-t']);
    expect(c.kind === 'run' && c.states === SS_CONN).toBe(true);
    const d = parseSsArgs(['-tl4']);
    expect(d.kind === 'run' && d.states === ((1 << 10) | (1 << 7)) && d.family === 4).toBe(true);
    const e = parseSsArgs(['-t', 'state', 'connected', 'exclude', 'syn-sent']);
    expect(e.kind === 'run' && e.states === (SS_ALL & ~((1 << 10) | (1 << 7)) & ~(1 << 2))).toBe(true);
  });
  it('an unknown option: the message and usage of ss, status 255', async () => {
    const io = bufferIO();
    const rc = await ssCommand(['-y'], null as never, io);
    expect(rc).toBe(255);
    expect(io.stdout).toBe('');
    expect(io.stderr).toBe(`ss: invalid option -- 'y'\n${golden('ss-usage.txt')}`);
    const io2 = bufferIO();
    expect(await ssCommand(['--bogus'], null as never, io2)).toBe(255);
    expect(io2.stderr).toBe(`ss: unrecognized option '--bogus'\n${golden('ss-usage.txt')}`);
  });
  it('-h prints the usage on stdout', async () => {
    const io = bufferIO();
    expect(await ssCommand(['-h'], null as never, io)).toBe(0);
    expect(io.stdout).toBe(SS_USAGE);
    expect(SS_USAGE).toBe(golden('ss-usage.txt'));
  });
  it('a wrong state name, as ss', async () => {
    const io = bufferIO();
    expect(await ssCommand(['-t', 'state', 'bogus'], null as never, io)).toBe(255);
    expect(io.stderr).toBe('ss: wrong state name: bogus\n');
  });
  it('refuses what tapstack has not got, with a reason', async () => {
    for (const argv of [['-u'], ['-x'], ['-m'], ['-K'], ['-tn', 'dport', '=', ':80'], ['-r'], ['-s']]) {
      const io = bufferIO();
      expect(await ssCommand(argv, null as never, io)).toBe(1);
      expect(io.stderr).toMatch(/^tapstack ss: /);
    }
  });
});

let done: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const d of done) await d();
  done = [];
});

describe('ss on a stack', () => {
  it('lists a listener and its queue over the control channel', async () => {
    const stack = new Stack({ clock: new ManualClock() });
    const [a] = createPair('tap0', 'peer0', Buffer.from('020000000001', 'hex'));
    stack.addDevice(a);
    stack.addAddress(a, '10.0.0.1/24');
    const ch = new LocalChannel(new ControlHandler(stack));
    done.push(async () => {
      ch.close();
      await stack.close();
    });
    const srv = stack.createServer(() => {});
    await new Promise<void>((res) => srv.listen(8080, '10.0.0.1', () => res()));
    const io = bufferIO();
    expect(await ssCommand(['-tln'], ch, io)).toBe(0);
    expect(io.stdout).toBe(
      'State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n' +
      'LISTEN 0      511         10.0.0.1:8080      0.0.0.0:*          \n',
    );
    const io2 = bufferIO();
    expect(await ssCommand(['-tlnie'], ch, io2)).toBe(0);
    expect(io2.stdout).toMatch(/^LISTEN 0 {6}511 {9}10\.0\.0\.1:8080 {6}0\.0\.0\.0:\* {4}ino:\d+ sk:[0-9a-f]+ <->\n\t cubic cwnd:10\n$/m);
  });
});

describe('ss and proc net/tcp of two tapstack ends (manual clock)', () => {
  /** Runs the wire and the clock in 1 ms steps until `done()` (as net_http.test.ts). */
  async function drive(env: ReturnType<typeof twoStacks>, done: () => boolean, maxMs = 5000): Promise<void> {
    for (let t = 0; t < maxMs && !done(); t++) {
      for (let i = 0; i < 10; i++) {
        while (env.ea.deliverPending() + env.eb.deliverPending() > 0);
        await new Promise((r) => setImmediate(r));
      }
      env.clock.advance(1);
    }
  }
  afterEach(() => closeStacks());

  it('ESTAB on both ends, mirrored; half-close gives FIN-WAIT-2 / CLOSE-WAIT; filters and families', async () => {
    const env = twoStacks({ deferred: true });
    const chA = new LocalChannel(new ControlHandler(env.A));
    const chB = new LocalChannel(new ControlHandler(env.B));
    done.push(async () => {
      chA.close();
      chB.close();
    });
    let listening = false;
    const accepted: unknown[] = [];
    const srv = env.B.createServer({ allowHalfOpen: true }, (s) => accepted.push(s));
    srv.listen(80, () => (listening = true));
    await drive(env, () => listening);
    const c1 = env.A.connect({ port: 80, host: '10.0.0.2', allowHalfOpen: true });
    const c2 = env.A.connect({ port: 80, host: '10.0.0.2', allowHalfOpen: true });
    await drive(env, () => accepted.length === 2);
    c2.end();
    await drive(env, () => false, 300);
    const ss = async (ch: LocalChannel, ...argv: string[]): Promise<string> => {
      const io = bufferIO();
      expect(await ssCommand(argv, ch, io)).toBe(0);
      return io.stdout;
    };
    const a = await ss(chA, '-tan');
    const b = await ss(chB, '-tan');
    const p1 = c1.localPort!;
    const p2 = c2.localPort!;
    expect(a).toMatch(new RegExp(`^ESTAB +0 +0 +10\\.0\\.0\\.1:${p1} +10\\.0\\.0\\.2:80 +$`, 'm'));
    expect(a).toMatch(new RegExp(`^FIN-WAIT-2 +0 +0 +10\\.0\\.0\\.1:${p2} +10\\.0\\.0\\.2:80 +$`, 'm'));
    expect(b).toMatch(/^LISTEN +0 +511 +0\.0\.0\.0:80 +0\.0\.0\.0:\* +$/m);
    expect(b).toMatch(new RegExp(`^ESTAB +0 +0 +10\\.0\\.0\\.2:80 +10\\.0\\.0\\.1:${p1} *$`, 'm'));
    expect(b).toMatch(new RegExp(`^CLOSE-WAIT +0 +0 +10\\.0\\.0\\.2:80 +10\\.0\\.0\\.1:${p2} *$`, 'm'));
    // -o -e -i on the half-closed end: shutdown <-- and the tcp_info line.
    expect(await ss(chA, '-tnoie', 'state', 'fin-wait-2')).toMatch(
      new RegExp(`^0 +0 +10\\.0\\.0\\.1:${p2} +10\\.0\\.0\\.2:80 +ino:\\d+ sk:[0-9a-f]+ <--\\n\\t ts sack cubic wscale:\\d+,\\d+ rto:\\d+ rtt:[\\d.]+/[\\d.]+ mss:1448 pmtu:1500 rcvmss:536 advmss:1460 cwnd:10 `, 'm'),
    );
    expect(await ss(chB, '-tn', 'state', 'close-wait')).toMatch(/^Recv-Q Send-Q/);
    expect((await ss(chB, '-4tan')).split('\n').length).toBe(5);
    expect((await ss(chB, '-6tan')).split('\n').length).toBe(2); // the header only: no IPv6 on these stacks
    // The handler's filters: states bit mask and family.
    const est = await chB.dump<SockDiagMsg>('SOCK_DIAG_BY_FAMILY', { states: 1 << 1 });
    expect(est.map((s) => s.state)).toEqual([1]);
    expect(await chB.dump('SOCK_DIAG_BY_FAMILY', { family: 10 })).toEqual([]);
    expect((await chB.dump('SOCK_DIAG_BY_FAMILY', { family: 'inet' })).length).toBe(3);
    await expect(chB.dump('SOCK_DIAG_BY_FAMILY', { protocol: 17 })).rejects.toThrow(/only TCP/);
    // /proc/net/tcp of A and of B name the same connections, mirrored.
    const io = bufferIO();
    expect(await procCommand(['net/tcp'], chA, io)).toBe(0);
    const hp = (p: number): string => p.toString(16).toUpperCase().padStart(4, '0');
    expect(io.stdout).toMatch(new RegExp(`^ +\\d+: 0100000A:${hp(p2)} 0200000A:0050 05 00000000:00000000 `, 'm'));
    const ioB = bufferIO();
    expect(await procCommand(['net/tcp'], chB, ioB)).toBe(0);
    expect(ioB.stdout).toMatch(new RegExp(`^ +\\d+: 0200000A:0050 0100000A:${hp(p2)} 08 00000000:00000000 `, 'm'));
    expect(ioB.stdout).toMatch(/^ +0: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000 +0 +0 \d+ 1 [0-9a-f]{16} 100 0 0 10 0 +$/m);
    // SO_KEEPALIVE: the keepalive timer in ss -o and in /proc's tr/tm->when columns.
    c1.setKeepAlive(true, 120000);
    env.clock.advance(500);
    expect(await ss(chA, '-tno', 'state', 'established')).toMatch(new RegExp(`10\\.0\\.0\\.2:80 +timer:\\(keepalive,1min59sec,0\\)\\n`));
    const ioK = bufferIO();
    expect(await procCommand(['net/tcp'], chA, ioK)).toBe(0);
    expect(ioK.stdout).toMatch(new RegExp(`^ +\\d+: 0100000A:${hp(p1)} 0200000A:0050 01 00000000:00000000 02:00002EAE 00000000 +0 +0 \\d+ 2 `, 'm'));
    // An orphan's FIN-WAIT-2 is a timewait minisock, as Linux lists it.
    c2.destroy();
    await drive(env, () => false, 50);
    const orphan = await ss(chA, '-tano', 'state', 'fin-wait-2');
    expect(orphan).toMatch(new RegExp(`^0 +0 +10\\.0\\.0\\.1:${p2} +10\\.0\\.0\\.2:80 +timer:\\(timewait,\\d+sec,0\\)`, 'm'));
  }, 30000);
});

describe('ss of a link-local connection', () => {
  afterEach(() => closeStacks());
  it('prints the bound device after the local address, as [fe80::...]%dev:port', async () => {
    const env = twoStacks({ deferred: true, ipv6: true });
    const drive = async (done: () => boolean, maxMs = 5000): Promise<void> => {
      for (let t = 0; t < maxMs && !done(); t++) {
        for (let i = 0; i < 5; i++) {
          while (env.ea.deliverPending() + env.eb.deliverPending() > 0);
          await new Promise((r) => setImmediate(r));
        }
        env.clock.advance(1);
      }
    };
    // Link-local addresses leave tentative after DAD.
    const ll = (st: Stack): string | undefined => st.addresses('inet6').find((a) => a.scope === 'link' && !(a.flags & 0x40))?.local;
    await drive(() => ll(env.A) !== undefined && ll(env.B) !== undefined, 10000);
    const chA = new LocalChannel(new ControlHandler(env.A));
    done.push(async () => chA.close());
    let accepted = 0;
    const srv = env.B.createServer(() => accepted++);
    let listening = false;
    srv.listen(8000, '::', () => (listening = true));
    await drive(() => listening);
    const c = env.A.connect({ port: 8000, host: `${ll(env.B)}%ea` });
    await drive(() => accepted === 1);
    const io = bufferIO();
    expect(await ssCommand(['-tan'], chA, io)).toBe(0);
    expect(io.stdout).toMatch(new RegExp(`^ESTAB +0 +0 +\\[${ll(env.A)}\\]%ea:${c.localPort} +\\[${ll(env.B)}\\]:8000 +$`, 'm'));
  }, 30000);
});
