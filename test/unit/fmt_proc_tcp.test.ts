// /proc/net/tcp, tcp6, snmp and netstat against the kernel's own files (test/golden/proc-net-*,
// captured with the ss goldens: LISTEN, ESTABLISHED with keepalive, TIME-WAIT, SYN-SENT,
// CLOSE-WAIT, FIN-WAIT-2, IPv6 and v4-mapped; snmp and netstat of a fresh namespace), and
// `tapstack proc net/tcp` on a stack.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SockDiagMsg } from '../../src/control/protocol.js';
import { PROC_NET_TCP_HEADER, formatProcNetTcp, formatProcNetTcp6, procSockPtr } from '../../src/cli/fmt_proc_tcp.js';
import { formatProcNetNetstat, formatProcNetSnmp } from '../../src/cli/fmt_proc.js';
import { procCommand } from '../../src/cli/proc.js';
import { bufferIO } from '../../src/cli/io.js';
import { LocalChannel } from '../../src/control/channel.js';
import { ControlHandler } from '../../src/control/handler.js';
import { ManualClock } from '../../src/core/clock.js';
import { createPair } from '../../src/drivers/pair.js';
import { Stack } from '../../src/stack.js';

const GOLDEN = join(__dirname, '..', 'golden');
const golden = (n: string): string => readFileSync(join(GOLDEN, n), 'utf8');
const items = (n: string): SockDiagMsg[] => JSON.parse(golden(n)) as SockDiagMsg[];
/** The %pK column (hashed kernel pointers) is the one tapstack cannot reproduce: masked on both sides. */
const maskPtr = (t: string): string => t.replace(/ [0-9a-f]{16}( |$)/gm, ' PTR$1');

describe('/proc/net/tcp and tcp6 against the kernel', () => {
  it('net/tcp: every field but the pointer, padding included', () => {
    const out = formatProcNetTcp(items('proc-net-tcp.json'));
    expect(maskPtr(out)).toBe(maskPtr(golden('proc-net-tcp.txt')));
    for (const line of out.split('\n').slice(0, -1)) expect(line.length).toBe(149);
  });
  it('net/tcp with a request sock (SYN-RECV) and its listener', () => {
    expect(maskPtr(formatProcNetTcp(items('proc-net-tcp-synrecv.json')))).toBe(maskPtr(golden('proc-net-tcp-synrecv.txt')));
  });
  it('net/tcp6, v4-mapped included', () => {
    expect(maskPtr(formatProcNetTcp6(items('proc-net-tcp6.json')))).toBe(maskPtr(golden('proc-net-tcp6.txt')));
  });
  it('IPv4 and IPv6 sockets go to their own files', () => {
    const all = [...items('proc-net-tcp.json'), ...items('proc-net-tcp6.json')];
    expect(maskPtr(formatProcNetTcp(all))).toBe(maskPtr(golden('proc-net-tcp.txt')));
    expect(formatProcNetTcp([])).toBe(PROC_NET_TCP_HEADER);
  });
  it('pointers look like %pK', () => {
    expect(procSockPtr(1)).toMatch(/^00000000[0-9a-f]{8}$/);
    expect(procSockPtr(1)).not.toBe(procSockPtr(2));
  });
});

describe('/proc/net/snmp and /proc/net/netstat', () => {
  it('a fresh stack prints what a fresh namespace does', () => {
    expect(formatProcNetSnmp({ forwarding: false, defaultTtl: 64, ip: {}, icmp: {}, tcp: {}, udp: {} })).toBe(golden('proc-net-snmp.txt'));
    expect(formatProcNetNetstat({ tcpExt: {}, ipExt: {} })).toBe(golden('proc-net-netstat.txt'));
  });
  it('counters by their kernel names; IcmpMsg for non-zero types; tapstack-only drops left out', () => {
    const s = formatProcNetSnmp({
      forwarding: true, defaultTtl: 64, ip: { inReceives: 5, drops: { otherhost: 9 } as never },
      icmp: { inMsgs: 2, inEchos: 2, outMsgs: 2, outEchoReps: 2 }, tcp: { activeOpens: 3, rtoAlgorithm: 1, rtoMin: 200, rtoMax: 120000, maxConn: -1 }, udp: { noPorts: 1 },
    });
    const l = s.split('\n');
    expect(l[1]).toBe('Ip: 1 64 5 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0');
    expect(l[4]).toBe('IcmpMsg: InType8 OutType0');
    expect(l[5]).toBe('IcmpMsg: 2 2');
    expect(l[7]).toBe('Tcp: 1 200 120000 -1 3 0 0 0 0 0 0 0 0 0 0');
    const n = formatProcNetNetstat({ tcpExt: { syncookiesSent: 4, tcpSackRecovery: 2, tcpTimeWaitRecycled: 1, tcpBadHeader: 7 }, ipExt: { inNoRoutes: 3 } });
    const [h, v] = n.split('\n');
    const val = (k: string): string => v.split(' ')[h.split(' ').indexOf(k)];
    expect(val('SyncookiesSent')).toBe('4');
    expect(val('TCPSackRecovery')).toBe('2');
    expect(val('TWRecycled')).toBe('1');
    expect(h).not.toMatch(/BadHeader/);
    expect(n.split('\n')[3].split(' ')[1]).toBe('3');
  });
});

let done: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const d of done) await d();
  done = [];
});

describe('tapstack proc net/tcp on a stack', () => {
  it('a listener, as the kernel prints one', async () => {
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
    await new Promise<void>((res) => srv.listen(80, '10.0.0.1', () => res()));
    const io = bufferIO();
    expect(await procCommand(['net/tcp', '/proc/net/tcp6', 'net/snmp', 'net/netstat'], ch, io)).toBe(0);
    const lines = io.stdout.split('\n');
    expect(lines[0]).toBe(PROC_NET_TCP_HEADER.slice(0, -1));
    expect(lines[1]).toMatch(/^ {3}0: 0100000A:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000 {5}0 {8}0 \d+ 1 [0-9a-f]{16} 100 0 0 10 0 *$/);
    expect(lines[1].length).toBe(149);
    expect(lines[2]).toMatch(/^ {2}sl {2}local_address {25}remote_address/);
    expect(io.stdout).toMatch(/\nTcp: 1 200 120000 -1 0 0 /);
    expect(io.stdout).toMatch(/\nTcpExt: SyncookiesSent /);
  });
});
