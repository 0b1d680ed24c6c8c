import { afterEach, describe, expect, it } from 'vitest';
import { closeStacks, twoStacks } from '../helpers/two_stacks.js';

afterEach(async () => {
  await closeStacks();
});

describe('ipv6 smoke', () => {
  it('link-local, DAD and ping6 between two stacks', async () => {
    const { clock, A, B } = twoStacks({ addrA: null, addrB: null, ipv6: true });
    A.addAddress('ea', 'fd00::1/64');
    B.addAddress('eb', 'fd00::2/64');
    expect(A.addresses("inet6").map((a) => `${a.local}/${a.prefixLen} ${a.scope} ${a.flagWords.join(" ")}`.trimEnd())).toEqual([
      'fd00::1/64 global tentative',
      'fe80::aa:ff:fe00:1/64 link tentative',
    ]);
    clock.advance(3000);
    expect(A.addresses("inet6").map((a) => `${a.local}/${a.prefixLen} ${a.scope} ${a.flagWords.join(" ")}`.trimEnd())).toEqual([
      'fd00::1/64 global ',
      'fe80::aa:ff:fe00:1/64 link ',
    ].map((s) => s.trimEnd()));
    const p = A.ping('fd00::2', { count: 1 });
    clock.advance(10);
    const r = await p;
    expect(r.lines[0]).toBe('PING fd00::2(fd00::2) 56 data bytes');
    expect(r.received).toBe(1);
    console.log(r.lines.join('\n'));
    console.log(A.neighbours('inet6').map((n) => `${n.dst} ${n.lladdr} ${n.stateNames}`).join('\n'));
    console.log(JSON.stringify(A.stats().ndisc), JSON.stringify(A.stats().icmp6.outType.map((v,i)=>[i,v]).filter(x=>x[1])));
  });
});

describe('raw IPv6 handles', () => {
  it('see ICMPv6 echo requests (payload after the header) and send ICMPv6 with the checksum filled in', async () => {
    const { clock, A, B } = twoStacks({ addrA: null, addrB: null, ipv6: true });
    A.addAddress('ea', 'fd00::1/64', { nodad: true });
    B.addAddress('eb', 'fd00::2/64', { nodad: true });
    clock.advance(3000);
    const seen: { len: number; type: number; src: string; hop: number }[] = [];
    const h = B.openRawIp(58, (payload, info) => seen.push({ len: payload.length, type: payload[0], src: info.src, hop: info.hopLimit }), { family: 'inet6' });
    const p = A.ping('fd00::2', { count: 1, size: 8 });
    clock.advance(10);
    expect((await p).received).toBe(1);
    expect(seen.filter((s) => s.type === 128)).toEqual([{ len: 16, type: 128, src: 'fd00::1', hop: 64 }]);
    // A hand-made echo request from B's raw handle is answered by A's ICMPv6 (so its checksum is right).
    const before = A.stats().icmp6.inEchos;
    h.send(Buffer.from([128, 0, 0, 0, 0x12, 0x34, 0, 1]), 'fd00::1');
    clock.advance(10);
    expect(A.stats().icmp6.inEchos).toBe(before + 1);
    expect(A.stats().icmp6.inCsumErrors).toBe(0);
    expect(seen.filter((s) => s.type === 129).map((s) => s.src)).toContain('fd00::1');
    h.close();
  });
});

describe('prefix routes of manual addresses (inet6_addr_add / ipv6_del_addr)', () => {
  it('a /128 brings its own prefix route; a dynamic address leaves its route to expire', () => {
    const { clock, A } = twoStacks({ addrA: null, addrB: null, ipv6: true });
    A.addAddress('ea', 'fd00::5/128', { nodad: true });
    A.addAddress('ea', 'fd00:9::1/64', { nodad: true, validLft: 100, preferredLft: 100 });
    const main = (): string[] => A.routes('inet6').filter((r) => r.table === 'main' && r.dst !== 'fe80::/64').map((r) => `${r.dst} ${r.proto} ${r.metric}${r.expiresSec !== null ? ' expires' : ''}`);
    expect(main()).toEqual(['fd00::5 kernel 256', 'fd00:9::/64 kernel 256 expires']);
    A.delAddress('ea', 'fd00:9::1/64');
    A.delAddress('ea', 'fd00::5/128');
    expect(main()).toEqual(['fd00:9::/64 kernel 256 expires']);
    clock.advance(101_000);
    expect(main()).toEqual([]);
  });
});
