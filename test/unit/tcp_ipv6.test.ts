// TCP over IPv6 and the family glue: a connection over fd00::/64 (MSS = MTU − 60), a dual-stack
// listener on :: taking IPv4 clients (shown v4-mapped) unless ipv6Only, and ICMP/ICMPv6 errors:
// port unreachable refusing a connect, frag-needed / packet-too-big lowering the MSS.
import { afterEach, describe, expect, it } from 'vitest';
import { TCP_CLOSE, TCP_ESTABLISHED } from '../../src/tcp/tcp_states.js';
import type { TcpSock } from '../../src/tcp/tcp.js';
import { closeStacks } from '../helpers/two_stacks.js';
import { IN6_B, IP_B, recorder, tcpEnv } from './tcp_fixture.js';

afterEach(() => closeStacks());

describe('IPv6', () => {
  it('connects over fd00::/64 with MSS 1440 and 1428-byte segments', () => {
    const e = tcpEnv({ ipv6: true });
    const { cli, srv, srvRec } = e.establish(80, 6);
    const syn = e.log.find((s) => s.flags === 'S')!;
    expect(syn.family).toBe(6);
    expect(syn.o.mss).toBe(1440);
    expect(syn.win).toBe(64800); // 45 × 1440
    cli.send(Buffer.alloc(4000, 9));
    e.run(50);
    expect(srvRec.data.reduce((n, b) => n + b.length, 0)).toBe(4000);
    expect(e.from('AB').filter((s) => s.len > 0)[0].len).toBe(1428);
    expect(srv.info().family).toBe(6);
    expect(srv.info().tcpInfo!.advMss).toBe(1440);
  });

  it('a dual-stack listener on :: takes IPv4 clients, shown as v4-mapped', () => {
    const e = tcpEnv({ ipv6: true });
    let child: TcpSock | null = null;
    const l = e.tb.listen({ local: null, family: 6, port: 80, backlog: 4 }, { onAcceptable: () => (child = l.accept()) });
    const cli = e.ta.connect({ remote: { family: 4, addr: IP_B }, port: 80 }, recorder());
    e.run(2);
    expect(cli.state).toBe(TCP_ESTABLISHED);
    expect(child).not.toBeNull();
    const info = child!.info();
    expect(info.family).toBe(6);
    expect(info.v4mapped).toBe(true);
  });

  it('an ipv6Only listener does not take IPv4: the client is refused', () => {
    const e = tcpEnv({ ipv6: true });
    e.tb.listen({ local: null, family: 6, port: 80, backlog: 4, ipv6Only: true }, { onAcceptable() {} });
    const rec = recorder();
    e.ta.connect({ remote: { family: 4, addr: IP_B }, port: 80 }, rec);
    e.run(2);
    expect(rec.errors).toEqual([-111]);
  });

  it('an IPv4 listener and a dual-stack one on the same port conflict; ipv6Only ones do not', () => {
    const e = tcpEnv({ ipv6: true });
    e.tb.listen({ local: null, family: 4, port: 80, backlog: 4 }, { onAcceptable() {} });
    expect(() => e.tb.listen({ local: null, family: 6, port: 80, backlog: 4 }, { onAcceptable() {} })).toThrow(/in use/);
    expect(() => e.tb.listen({ local: null, family: 6, port: 80, backlog: 4, ipv6Only: true }, { onAcceptable() {} })).not.toThrow();
  });

  it('RST for a closed IPv6 port refuses the connection', () => {
    const e = tcpEnv({ ipv6: true });
    const rec = recorder();
    const sk = e.ta.connect({ remote: { family: 6, addr: IN6_B, scopeId: 0 }, port: 9 }, rec);
    e.run(2);
    expect(rec.errors).toEqual([-111]);
    expect(sk.state).toBe(TCP_CLOSE);
  });
});

describe('ICMP errors', () => {
  it('frag-needed lowers the MSS of an IPv4 connection (PMTU discovery)', () => {
    const e = tcpEnv();
    const { cli } = e.establish();
    e.drop = (x) => x.dir === 'BA';
    cli.send(Buffer.alloc(100));
    e.run(1);
    e.drop = null;
    const seg = e.from('AB').at(-1)!;
    // An ICMP frag-needed (type 3 code 4, MTU 1200) quoting A's segment, from B.
    const inner = seg.frame.subarray(14, seg.tcpOff + 8);
    const icmp = Buffer.alloc(8 + inner.length);
    icmp[0] = 3;
    icmp[1] = 4;
    icmp.writeUInt16BE(1200, 6);
    inner.copy(icmp, 8);
    let s = 0;
    for (let i = 0; i < icmp.length; i += 2) s += (icmp[i] << 8) | (icmp[i + 1] ?? 0);
    while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
    icmp.writeUInt16BE(~s & 0xffff, 2);
    const errSk = e.B.inet.icmp as unknown as { errorSinks: Map<number, unknown> };
    expect(errSk.errorSinks.get(6)).toBeDefined();
    // Deliver it into A's ICMP handler as B would send it.
    const frame = Buffer.alloc(14 + 20 + icmp.length);
    seg.frame.copy(frame, 0, 6, 12);
    seg.frame.copy(frame, 6, 0, 6);
    frame.writeUInt16BE(0x0800, 12);
    frame[14] = 0x45;
    frame.writeUInt16BE(20 + icmp.length, 16);
    frame[22] = 64;
    frame[23] = 1;
    frame.writeUInt32BE(IP_B, 26);
    frame.writeUInt32BE(0x0a000001, 30);
    let h = 0;
    for (let i = 14; i < 34; i += 2) h += frame.readUInt16BE(i);
    while (h > 0xffff) h = (h & 0xffff) + (h >>> 16);
    frame.writeUInt16BE(~h & 0xffff, 24);
    icmp.copy(frame, 34);
    e.ea.receiveFrame(frame);
    expect(cli.info().tcpInfo!.pmtu).toBe(1200);
    expect(cli.info().tcpInfo!.sndMss).toBe(1200 - 40 - 12);
    cli.send(Buffer.alloc(5000));
    e.run(10);
    const sizes = e.from('AB').filter((x) => x.len > 0).map((x) => x.len);
    expect(Math.max(...sizes.slice(1))).toBe(1148);
  });
});
