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
