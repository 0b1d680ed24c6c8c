// IPv6 address configuration as transition tables against net/ipv6/addrconf.c: DAD
// (addrconf_dad_start/begin/kick/work/completed/failure/stop), accept_dad, nodad, link not
// ready, admin down/up with keep_addr_on_down, unsolicited NA with ndisc_notify, and router
// solicitation (addrconf_rs_timer with the RFC 7559 backoff). One stack on an in-memory pair
// whose far end belongs to no stack; expected values from ../shared/reference/linux-ndisc.md §3.1,
// §4.2, §4.3, §4.5, §4.7.
import { afterEach, describe, expect, it } from 'vitest';
import { IFA_F_OPTIMISTIC } from '../../src/ipv6/if_inet6.js';
import {
  ADDR_A,
  ALL_NODES,
  ALL_ROUTERS,
  type Host6,
  type Host6Options,
  LL_A,
  MAC_A,
  MAC_D,
  Rand,
  addrLines,
  clearSent,
  dadNsFrame,
  getConf6,
  idevOf,
  ifaOf,
  in6,
  inject,
  line,
  makeHost6,
  naFrame,
  nd,
  ndPkts,
  prefixRoutes,
  raFrame,
  setConf6,
  snm,
  takeLive6,
} from '../helpers/ipv6_env.js';

afterEach(async () => {
  for (const h of takeLive6()) {
    expect(h.stack.inet6.ndisc.tbl.checkInvariants()).toEqual([]);
    for (const p of ndPkts(h)) expect({ hop: p.hopLimit, flow: p.flowLabel, csum: p.csumOk }, line(p)).toEqual({ hop: 255, flow: 0, csum: true });
    await h.stack.close();
  }
});

const A = '02:00:00:00:0a:01';
const D = '02:00:00:00:0d:01';
const MC = (a: string): string => `33:33:${[...in6(a).subarray(12)].map((x) => x.toString(16).padStart(2, '0')).join(':')}`;
const dadNs = (target: string, nonce = true): string => `NS :: > ${snm(target)} tgt ${target}${nonce ? ' nonce' : ''} to ${MC(snm(target))}`;
const unsolNa = (target: string, flags = 'O', mac = A): string => `NA ${target} > ${ALL_NODES} tgt ${target} [${flags}] tllao ${mac} to ${MC(ALL_NODES)}`;
const rs = (src = LL_A, sllao = true): string => `RS ${src} > ${ALL_ROUTERS}${sllao ? ` sllao ${A}` : ''} to ${MC(ALL_ROUTERS)}`;

/** The flag words of one address ('' when valid and without flags; null when gone). */
function flagsOf(h: Host6, addr: string): string | null {
  const l = addrLines(h).find((x) => x.startsWith(`${addr}/`));
  if (l === undefined) return null;
  const i = l.indexOf(' ');
  return i < 0 ? '' : l.slice(i + 1);
}

/**
 * Steps the clock 1 ms at a time for `ms`, recording "t LINE" for every ND message sent and
 * "t ADDR: FLAGS" whenever a watched address's flag words change (t relative to the start).
 */
function trace(h: Host6, ms: number, watch: string[]): string[] {
  const out: string[] = [];
  const t0 = h.clock.now();
  let seen = ndPkts(h).length;
  const last = new Map(watch.map((a) => [a, flagsOf(h, a)]));
  for (let t = 1; t <= ms; t++) {
    h.clock.advance(1);
    const pkts = ndPkts(h);
    for (; seen < pkts.length; seen++) out.push(`${t} ${line(pkts[seen])}`);
    for (const a of watch) {
      const f = flagsOf(h, a);
      if (f !== last.get(a)) {
        out.push(`${t} ${a}: ${f === null ? 'gone' : f || 'valid'}`);
        last.set(a, f);
      }
    }
  }
  void t0;
  return out;
}

const isLocal = (h: Host6, a: string): boolean => h.stack.inet6.fib.isLocalAddr(in6(a), 0);

// ---------------------------------------------------------------------------------------------
describe('DAD (§4.2): delay, probes, spacing, nonce, completion', () => {
  interface Row {
    name: string;
    host?: Host6Options;
    /** Rand.value for the run (delay = floor(v × 1000) ms). */
    rand?: number;
    setup?: (h: Host6) => void;
    /** Added after the host settled (default fd00:1::aa/64, with DAD). */
    add?: () => { cidr: string; nodad?: boolean };
    ms: number;
    trace: string[];
    /** The address is a local route at the end. */
    local?: boolean;
  }
  const aa = 'fd00:1::aa';
  const rows: Row[] = [
    { name: 'defaults (random 0.5): NS after 500 ms with a nonce, no SLLAO; valid one retrans_time later', ms: 2000, trace: [`500 ${dadNs(aa)}`, `1500 ${aa}: valid`], local: true },
    { name: 'random 0.004: the delay is 4 ms', rand: 0.004, ms: 2000, trace: [`4 ${dadNs(aa)}`, `1004 ${aa}: valid`], local: true },
    { name: 'random 0.999: the delay stays below 1 s (999 ms)', rand: 0.999, ms: 2500, trace: [`999 ${dadNs(aa)}`, `1999 ${aa}: valid`], local: true },
    {
      name: 'router_solicitation_delay=3: the delay is drawn in [0, 3 s)',
      host: { conf: { router_solicitation_delay: 3 } },
      ms: 3000,
      trace: [`1500 ${dadNs(aa)}`, `2500 ${aa}: valid`],
      local: true,
    },
    { name: 'dad_transmits=0: no NS at all, valid after the random delay', host: { conf: { dad_transmits: 0 } }, ms: 2000, trace: [`500 ${aa}: valid`], local: true },
    {
      name: 'dad_transmits=3: 3 NS one retrans_time apart, valid 1 s after the last',
      host: { conf: { dad_transmits: 3 } },
      ms: 4000,
      trace: [`500 ${dadNs(aa)}`, `1500 ${dadNs(aa)}`, `2500 ${dadNs(aa)}`, `3500 ${aa}: valid`],
      local: true,
    },
    {
      name: 'dad_transmits=2 with retrans_time_ms=200: spacing follows the device retrans_time',
      host: { conf: { dad_transmits: 2 } },
      setup: (h) => h.stack.sysctl.set('net.ipv6.neigh.ea.retrans_time_ms', '200'),
      ms: 2000,
      trace: [`500 ${dadNs(aa)}`, `700 ${dadNs(aa)}`, `900 ${aa}: valid`],
      local: true,
    },
    {
      name: 'dad_transmits=2 with retrans_time_ms=1: spacing is at least HZ/100 (8 ms at HZ=250)',
      host: { conf: { dad_transmits: 2 } },
      setup: (h) => h.stack.sysctl.set('net.ipv6.neigh.ea.retrans_time_ms', '1'),
      ms: 1000,
      trace: [`500 ${dadNs(aa)}`, `508 ${dadNs(aa)}`, `516 ${aa}: valid`],
      local: true,
    },
    {
      name: 'enhanced_dad=0 on the device and all: no nonce',
      host: { conf: { enhanced_dad: 0 }, all: { enhanced_dad: 0 } },
      ms: 2000,
      trace: [`500 ${dadNs(aa, false)}`, `1500 ${aa}: valid`],
      local: true,
    },
    {
      name: 'enhanced_dad=0 on the device only: all.enhanced_dad=1 still adds the nonce',
      host: { conf: { enhanced_dad: 0 } },
      ms: 2000,
      trace: [`500 ${dadNs(aa)}`, `1500 ${aa}: valid`],
      local: true,
    },
    { name: 'nodad: valid at once, no NS', add: () => ({ cidr: `${aa}/64`, nodad: true }), ms: 2000, trace: [], local: true },
    { name: 'accept_dad=0 (device) and all.accept_dad=0: no DAD', host: { conf: { accept_dad: 0 } }, ms: 2000, trace: [], local: true },
    {
      name: 'accept_dad=0 (device) but all.accept_dad=1: DAD (the larger counts)',
      host: { conf: { accept_dad: 0 }, all: { accept_dad: 1 } },
      ms: 2000,
      trace: [`500 ${dadNs(aa)}`, `1500 ${aa}: valid`],
      local: true,
    },
    { name: 'accept_dad=-1: no DAD', host: { conf: { accept_dad: -1 } }, ms: 2000, trace: [], local: true },
    {
      name: 'IFF_NOARP device: DAD skipped',
      setup: (h) => h.stack.linkSet(h.ea, { arp: false }),
      ms: 2000,
      trace: [],
      local: true,
    },
  ];
  for (const r of rows) {
    it(r.name, () => {
      const rand = new Rand();
      const h = makeHost6({ ...r.host, rand });
      r.setup?.(h);
      if (r.rand !== undefined) rand.value = r.rand;
      clearSent(h);
      const a = r.add?.() ?? { cidr: `${aa}/64` };
      h.stack.addAddress(h.ea, a.cidr, { nodad: a.nodad });
      const bare = a.cidr.split('/')[0];
      const skipped = r.trace.length === 0;
      expect(flagsOf(h, bare)).toBe(skipped ? (a.nodad ? 'nodad' : '') : 'tentative');
      expect(isLocal(h, bare)).toBe(skipped);
      expect(trace(h, r.ms, [bare])).toEqual(r.trace);
      expect(isLocal(h, bare)).toBe(r.local ?? true);
    });
  }

  it('the NS carries this run’s nonce (6 non-zero-overall bytes) and the solicited-node group was joined first', () => {
    const h = makeHost6();
    h.stack.addAddress(h.ea, 'fd00:1::aa/64');
    expect(idevOf(h).mc.find(in6(snm('fd00:1::aa')), 0)).not.toBeNull();
    h.clock.advance(500);
    const ns = ndPkts(h).filter((p) => p.type === 135);
    expect(ns).toHaveLength(1);
    expect(ns[0].nonce).toBe(ifaOf(h, 'fd00:1::aa')!.dadNonce.toString('hex'));
    expect(ns[0].nonce).not.toBe('000000000000');
    expect(ns[0].icmpLen).toBe(32);
  });

  it('while tentative the address is never a source, and NS for it are ignored; after DAD it is', () => {
    const h = makeHost6({ addrs: [] });
    h.stack.addAddress(h.ea, 'fd00:1::aa/64');
    expect(h.stack.inet6.addrconf.devGetSaddr(h.ea, in6('fd00:1::99'), 0)?.equals(in6(LL_A))).toBe(true);
    h.clock.advance(1600);
    expect(h.stack.inet6.addrconf.devGetSaddr(h.ea, in6('fd00:1::99'), 0)?.equals(in6('fd00:1::aa'))).toBe(true);
  });

  it('optimistic_dad: an optimistic address is usable at once and probes without the random delay', () => {
    const h = makeHost6({ conf: { optimistic_dad: 1, use_optimistic: 1 } });
    h.stack.inet6.addAddress(h.ea, in6('fd00:1::cc'), 64, { flags: IFA_F_OPTIMISTIC });
    expect(flagsOf(h, 'fd00:1::cc')).toBe('optimistic tentative');
    expect(h.stack.inet6.addrconf.chkAddr(in6('fd00:1::cc'), 0, h.ea)).not.toBeNull();
    // The work runs at once (delay 0): the NS leaves at the add time, seen on the first tick.
    expect(trace(h, 1100, ['fd00:1::cc'])).toEqual([`1 ${dadNs('fd00:1::cc')}`, '1000 fd00:1::cc: valid']);
  });
});

// ---------------------------------------------------------------------------------------------
describe('DAD failure (§4.3)', () => {
  it('manual address: kept as "dadfailed tentative", no local route, its prefix route stays; no retry', () => {
    const h = makeHost6({ addrs: [] });
    h.stack.addAddress(h.ea, 'fd00:1::aa/64');
    h.clock.advance(600);
    inject(h, naFrame({ target: 'fd00:1::aa', src: 'fd00:1::aa', dst: ALL_NODES, flags: 'O', ethSrc: MAC_D, opts: [{ tllao: MAC_D }] }));
    expect(flagsOf(h, 'fd00:1::aa')).toBe('dadfailed tentative');
    expect(isLocal(h, 'fd00:1::aa')).toBe(false);
    expect(prefixRoutes(h)).toEqual(['fd00:1::/64']);
    expect(h.logs).toEqual([`IPv6: ea: IPv6 duplicate address fd00:1::aa used by ${D} detected!`]);
    clearSent(h);
    h.clock.advance(10_000);
    expect(nd(h)).toEqual([]);
    expect(flagsOf(h, 'fd00:1::aa')).toBe('dadfailed tentative');
    // delete + add runs DAD again
    h.stack.delAddress(h.ea, 'fd00:1::aa/64');
    h.stack.addAddress(h.ea, 'fd00:1::aa/64');
    expect(trace(h, 1600, ['fd00:1::aa'])).toEqual([`500 ${dadNs('fd00:1::aa')}`, '1500 fd00:1::aa: valid']);
  });

  it('link-local (accept_dad=1): kept as dadfailed tentative; no RS ever, IPv6 stays on', () => {
    const h = makeHost6({ settle: false, conf: { router_solicitations: -1 } });
    h.clock.advance(600);
    inject(h, dadNsFrame(LL_A, Buffer.from('010203040506', 'hex'), { ethSrc: MAC_D }));
    expect(flagsOf(h, LL_A)).toBe('dadfailed tentative');
    clearSent(h);
    h.clock.advance(20_000);
    expect(nd(h).filter((l) => l.startsWith('RS'))).toEqual([]);
    expect(getConf6(h, 'disable_ipv6')).toBe(0);
  });

  it('accept_dad=2 and a conflict on the EUI-64 link-local: IPv6 disabled on the device, every address and route gone', () => {
    const h = makeHost6({ settle: false, conf: { accept_dad: 2 } });
    h.clock.advance(600);
    inject(h, dadNsFrame(LL_A, null, { ethSrc: MAC_D }));
    expect(getConf6(h, 'disable_ipv6')).toBe(1);
    expect(h.logs).toEqual([`IPv6: ea: IPv6 duplicate address ${LL_A} used by ${D} detected!`, 'IPv6: ea: IPv6 being disabled!']);
    expect(addrLines(h)).toEqual([]);
    expect(h.stack.inet6.fib.routesBy({ dev: h.ea }).length).toBe(0);
  });

  it('all.accept_dad=2 (device 1) works the same', () => {
    const h = makeHost6({ settle: false, all: { accept_dad: 2 } });
    h.clock.advance(600);
    inject(h, dadNsFrame(LL_A, null, { ethSrc: MAC_D }));
    expect(getConf6(h, 'disable_ipv6')).toBe(1);
  });

  it('accept_dad=2 and a conflict on a manual global address: only that address fails', () => {
    const h = makeHost6({ conf: { accept_dad: 2 } });
    h.stack.addAddress(h.ea, 'fd00:1::aa/64');
    h.clock.advance(600);
    inject(h, dadNsFrame('fd00:1::aa', null, { ethSrc: MAC_D }));
    expect(getConf6(h, 'disable_ipv6')).toBe(0);
    expect(flagsOf(h, 'fd00:1::aa')).toBe('dadfailed tentative');
  });

  it('accept_dad=2 and a conflict on a manual (non-EUI-64) link-local: only that address fails', () => {
    const h = makeHost6({ conf: { accept_dad: 2 } });
    h.stack.addAddress(h.ea, 'fe80::5/64');
    h.clock.advance(600);
    inject(h, dadNsFrame('fe80::5', null, { ethSrc: MAC_D }));
    expect(getConf6(h, 'disable_ipv6')).toBe(0);
    expect(flagsOf(h, 'fe80::5')).toBe('dadfailed tentative');
  });

  it('SLAAC address: deleted on DAD failure', () => {
    const h = makeHost6({ addrs: [] });
    inject(h, raFrame({ opts: [{ sllao: Buffer.from('020000000b01', 'hex') }, { pio: { prefix: '2001:db8:1::', valid: 86400, preferred: 14400 } }] }));
    const slaac = '2001:db8:1::ff:fe00:a01';
    expect(flagsOf(h, slaac)).toBe('tentative dynamic mngtmpaddr');
    h.clock.advance(600);
    inject(h, dadNsFrame(slaac, null, { ethSrc: MAC_D }));
    expect(flagsOf(h, slaac)).toBeNull();
    expect(h.logs).toEqual([`IPv6: ea: IPv6 duplicate address ${slaac} used by ${D} detected!`]);
  });

  it('dadfailed address: a second conflicting frame changes nothing and is not counted again', () => {
    const h = makeHost6({ addrs: [] });
    h.stack.addAddress(h.ea, 'fd00:1::aa/64');
    h.clock.advance(600);
    inject(h, dadNsFrame('fd00:1::aa', null, { ethSrc: MAC_D }));
    const d0 = h.stack.inet6.ndisc.stats.drops.dadEnded;
    inject(h, dadNsFrame('fd00:1::aa', null, { ethSrc: MAC_D }));
    expect(h.stack.inet6.ndisc.stats.dadFailures).toBe(1);
    expect(h.stack.inet6.ndisc.stats.drops.dadEnded - d0).toBe(1);
    expect(h.logs).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------
describe('link readiness, admin down/up, keep_addr_on_down (§4.2.2, §4.7, §5)', () => {
  it('an address added while down is kept tentative (DAD) and DAD runs at up; a nodad one is valid at once', () => {
    const h = makeHost6({ up: false, addrs: [`${ADDR_A}/64`, 'fd00:1::aa/64'], dad: ['fd00:1::aa'] });
    expect(addrLines(h)).toEqual(['fd00:1::aa/64 tentative', 'fd00:1::a/64 nodad']);
    h.stack.linkSet(h.ea, { up: true });
    expect(trace(h, 2000, ['fd00:1::aa', LL_A])).toEqual([
      `500 ${dadNs('fd00:1::aa')}`,
      `500 ${dadNs(LL_A)}`,
      '1500 fd00:1::aa: valid',
      `1500 ${LL_A}: valid`,
    ]);
  });

  it('a non-permanent address (finite valid_lft) added while the link is not ready is deleted (addrconf_dad_stop)', () => {
    const h = makeHost6({ up: false, addrs: [] });
    h.stack.addAddress(h.ea, 'fd00:1::aa/64', { validLft: 3600 });
    expect(addrLines(h)).toEqual([]);
  });

  it('admin down removes every address (manual too) with its routes; up brings back only the link-local', () => {
    const h = makeHost6({ addrs: [`${ADDR_A}/64`, 'fd00:1::ab/64'] });
    h.stack.linkSet(h.ea, { up: false });
    expect(addrLines(h)).toEqual([]);
    expect(h.stack.inet6.fib.routesBy({ dev: h.ea })).toEqual([]);
    h.stack.linkSet(h.ea, { up: true });
    h.clock.advance(2000);
    expect(addrLines(h)).toEqual([`${LL_A}/64`]);
  });

  it('keep_addr_on_down=1: permanent global addresses survive (nodad stays valid, DAD ones run DAD again at up), the LL is regenerated', () => {
    const h = makeHost6({ conf: { keep_addr_on_down: 1 }, addrs: [`${ADDR_A}/64`, 'fd00:1::aa/64'], dad: ['fd00:1::aa'] });
    expect(addrLines(h)).toEqual(['fd00:1::aa/64', 'fd00:1::a/64 nodad', `${LL_A}/64`]);
    h.stack.linkSet(h.ea, { up: false });
    expect(addrLines(h)).toEqual(['fd00:1::aa/64 tentative', 'fd00:1::a/64 nodad']);
    clearSent(h);
    h.stack.linkSet(h.ea, { up: true });
    expect(trace(h, 2000, ['fd00:1::aa'])).toEqual([`500 ${dadNs('fd00:1::aa')}`, `500 ${dadNs(LL_A)}`, '1500 fd00:1::aa: valid']);
    expect(addrLines(h)).toEqual(['fd00:1::aa/64', 'fd00:1::a/64 nodad', `${LL_A}/64`]);
    expect(isLocal(h, ADDR_A)).toBe(true);
    expect(isLocal(h, 'fd00:1::aa')).toBe(true);
    expect(prefixRoutes(h)).toEqual(['fd00:1::/64']);
  });

  it('carrier loss keeps every address; DAD interrupted by it completes after carrier returns', () => {
    const h = makeHost6();
    h.stack.addAddress(h.ea, 'fd00:1::aa/64');
    h.clock.advance(600);
    h.stack.net.netifCarrierOff(h.ea);
    expect(addrLines(h)).toEqual(['fd00:1::aa/64 tentative', 'fd00:1::a/64 nodad', `${LL_A}/64`]);
    h.clock.advance(5000);
    expect(flagsOf(h, 'fd00:1::aa')).toBe('tentative');
    clearSent(h);
    h.stack.net.netifCarrierOn(h.ea);
    expect(trace(h, 2000, ['fd00:1::aa'])).toEqual([`500 ${dadNs('fd00:1::aa')}`, '1500 fd00:1::aa: valid']);
  });
});

// ---------------------------------------------------------------------------------------------
describe('unsolicited NA with ndisc_notify (§3.1)', () => {
  it('at up: the non-tentative address at once; each DAD address when its DAD completes', () => {
    const h = makeHost6({ up: false, conf: { ndisc_notify: 1 }, addrs: [`${ADDR_A}/64`, 'fd00:1::aa/64'], dad: ['fd00:1::aa'] });
    h.stack.linkSet(h.ea, { up: true });
    expect(nd(h)).toEqual([unsolNa(ADDR_A)]);
    expect(trace(h, 1600, [])).toEqual([
      `500 ${dadNs('fd00:1::aa')}`,
      `500 ${dadNs(LL_A)}`,
      `1500 ${unsolNa('fd00:1::aa')}`,
      `1500 ${unsolNa(LL_A)}`,
    ]);
  });

  it('all.ndisc_notify=1 (device 0) does the same; forwarding sets R', () => {
    const h = makeHost6({ up: false, all: { ndisc_notify: 1 }, conf: { forwarding: 1 } });
    h.stack.linkSet(h.ea, { up: true });
    expect(nd(h)).toEqual([unsolNa(ADDR_A, 'RO')]);
  });

  it('without ndisc_notify nothing is announced', () => {
    const h = makeHost6({ up: false, addrs: [`${ADDR_A}/64`] });
    h.stack.linkSet(h.ea, { up: true });
    h.clock.advance(3000);
    expect(nd(h).filter((l) => l.startsWith('NA'))).toEqual([]);
  });

  it('MAC change: one NA per address at once, from the new MAC', () => {
    const h = makeHost6({ conf: { ndisc_notify: 1 }, addrs: [`${ADDR_A}/64`, 'fd00:1::aa/64'] });
    clearSent(h);
    h.stack.linkSet(h.ea, { address: '02:00:00:00:0a:02' });
    const B2 = '02:00:00:00:0a:02';
    expect(nd(h).sort()).toEqual([unsolNa('fd00:1::aa', 'O', B2), unsolNa(ADDR_A, 'O', B2), unsolNa(LL_A, 'O', B2)].sort());
    expect(ndPkts(h).every((p) => p.ethSrc === B2)).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
describe('router solicitation (§4.5)', () => {
  /** RS times (ms after link up) within `ms`. */
  function rsTimes(h: Host6, ms: number): number[] {
    return trace(h, ms, []).filter((l) => l.includes(' RS ')).map((l) => Number(l.split(' ')[0]));
  }

  it('first RS right when the link-local finishes DAD (no further delay), from the LL with SLLAO to ff02::2', () => {
    const h = makeHost6({ up: false, conf: { router_solicitations: -1 } });
    h.stack.linkSet(h.ea, { up: true });
    const t = trace(h, 1600, []);
    expect(t).toEqual([`500 ${dadNs(LL_A)}`, `1500 ${rs()}`]);
  });

  const backoff: { name: string; rand: number; conf?: Record<string, number>; ms: number; want: number[] }[] = [
    // interval1 = 4000 × U[0.9, 1.1]; then × U[1.9, 2.1]; U = 0.9 + 0.2 r, 1.9 + 0.2 r.
    { name: 'r = 0.5: 4000, then ×2.0 each time', rand: 0.5, ms: 1500 + 4000 + 8000 + 16000 + 1, want: [1500, 5500, 13500, 29500] },
    // (the link-local's DAD delay is drawn from the same value: 4 ms, and 999 ms below)
    { name: 'r = 0.004 (lower bounds): 4000×0.9008, then ×1.9008', rand: 0.004, ms: 1004 + 3603 + 6848 + 1, want: [1004, 1004 + 3603, 1004 + 3603 + 6848] },
    { name: 'r = 0.999 (upper bounds): 4000×1.0998, then ×2.0998', rand: 0.999, ms: 1999 + 4399 + 9237 + 1, want: [1999, 1999 + 4399, 1999 + 4399 + 9237] },
    {
      name: 'max_interval 10 s caps the backoff at 10 s × U[0.9, 1.1]',
      rand: 0.5,
      conf: { router_solicitation_max_interval: 10 },
      ms: 1500 + 4000 + 8000 + 10000 + 10000 + 1,
      want: [1500, 5500, 13500, 23500, 33500],
    },
    { name: 'router_solicitations=3: three RS, then silence', rand: 0.5, conf: { router_solicitations: 3 }, ms: 120_000, want: [1500, 5500, 13500] },
    { name: 'router_solicitations=1: one RS', rand: 0.5, conf: { router_solicitations: 1 }, ms: 60_000, want: [1500] },
    { name: 'router_solicitations=0: none', rand: 0.5, conf: { router_solicitations: 0 }, ms: 60_000, want: [] },
    { name: 'router_solicitation_interval=1', rand: 0.5, conf: { router_solicitation_interval: 1 }, ms: 1500 + 1000 + 2000 + 1, want: [1500, 2500, 4500] },
  ];
  for (const b of backoff) {
    it(`backoff: ${b.name}`, () => {
      const rand = new Rand();
      rand.value = b.rand;
      const h = makeHost6({ up: false, rand, conf: { router_solicitations: -1, ...b.conf } });
      h.stack.linkSet(h.ea, { up: true });
      expect(rsTimes(h, b.ms)).toEqual(b.want);
    });
  }

  it('an accepted RA stops the retransmissions', () => {
    const h = makeHost6({ up: false, conf: { router_solicitations: -1 } });
    h.stack.linkSet(h.ea, { up: true });
    h.clock.advance(1600);
    inject(h, raFrame());
    clearSent(h);
    h.clock.advance(60_000);
    expect(nd(h).filter((l) => l.startsWith('RS'))).toEqual([]);
  });

  it('an RA accepted before any RS went out does not count (IF_RA_RCVD needs IF_RS_SENT): RS go on until an RA follows one', () => {
    const h = makeHost6({ up: false, conf: { router_solicitations: -1 } });
    h.stack.linkSet(h.ea, { up: true });
    h.clock.advance(100);
    inject(h, raFrame());
    expect(rsTimes(h, 6000)).toEqual([1400, 5400]);
    inject(h, raFrame());
    expect(rsTimes(h, 60_000)).toEqual([]);
  });

  it('an RA that is not accepted (accept_ra=0) does not stop them', () => {
    const h = makeHost6({ up: false, conf: { router_solicitations: -1 } });
    h.stack.linkSet(h.ea, { up: true });
    h.clock.advance(1600);
    setConf6(h, 'ea', 'accept_ra', 0);
    inject(h, raFrame());
    setConf6(h, 'ea', 'accept_ra', 1);
    clearSent(h);
    h.clock.advance(4000);
    expect(nd(h)).toEqual([rs()]);
  });

  it('no RS while forwarding (accept_ra=1), but with accept_ra=2', () => {
    for (const [ra, want] of [[1, 0], [2, 1]] as const) {
      const h = makeHost6({ up: false, conf: { router_solicitations: -1, forwarding: 1, accept_ra: ra } });
      h.stack.linkSet(h.ea, { up: true });
      h.clock.advance(1600);
      expect(nd(h).filter((l) => l.startsWith('RS')).length).toBe(want);
    }
  });

  it('link down stops the solicitations; up starts over after the new DAD', () => {
    const h = makeHost6({ up: false, conf: { router_solicitations: -1 } });
    h.stack.linkSet(h.ea, { up: true });
    h.clock.advance(2000);
    h.stack.linkSet(h.ea, { up: false });
    clearSent(h);
    h.clock.advance(30_000);
    expect(nd(h)).toEqual([]);
    h.stack.linkSet(h.ea, { up: true });
    expect(rsTimes(h, 5600)).toEqual([1500, 5500]);
  });

  it('MAC of the RS source: the SLLAO is the device MAC', () => {
    const h = makeHost6({ up: false, conf: { router_solicitations: 1 } });
    h.stack.linkSet(h.ea, { up: true });
    h.clock.advance(1600);
    const p = ndPkts(h).find((x) => x.type === 133)!;
    expect(p.sllao).toBe(A);
    expect(p.icmpLen).toBe(16);
    void MAC_A;
  });
});
