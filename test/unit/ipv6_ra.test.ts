// Router Advertisements as transition tables against net/ipv6/ndisc.c ndisc_router_discovery and
// addrconf.c addrconf_prefix_rcv (SLAAC, the two-hour rule): validation, accept_ra with
// forwarding, the default router (lifetime, preference, metric, hop limit), the timers rewriting
// the device's ND parms, the router's neighbour entry, Prefix Information (on-link routes,
// EUI-64 addresses, lifetimes) and the MTU option. Expected values from
// ../shared/reference/linux-ndisc.md §2.5 and §4.4 (measured) and the kernel source.
import { afterEach, describe, expect, it } from 'vitest';
import type { NdiscDrops } from '../../src/ipv6/ndisc.js';
import {
  ADDR_A,
  type Host6,
  type Host6Options,
  LL_A,
  LL_B,
  MAC_B,
  MAC_C,
  type OptSpec,
  type RaSpec,
  addrLft,
  addrLines,
  dropDelta6,
  dropsOf6,
  ent,
  entries6,
  getConf6,
  idevOf,
  in6,
  inject,
  makeHost6,
  naFrame,
  prefixRoutes,
  raFrame,
  raRoutes,
  send6,
  sent6,
  setConf6,
  takeLive6,
} from '../helpers/ipv6_env.js';

afterEach(async () => {
  for (const h of takeLive6()) {
    expect(h.stack.inet6.ndisc.tbl.checkInvariants()).toEqual([]);
    await h.stack.close();
  }
});

const B = '02:00:00:00:0b:01';
const SLLAO_B: OptSpec = { sllao: MAC_B };
const pio = (prefix: string, valid: number, preferred: number, flags = 0xc0, plen = 64): OptSpec => ({ pio: { prefix, plen, flags, valid, preferred } });
const SLAAC1 = '2001:db8:1::ff:fe00:a01';
const dflt = (extra = '', metric = 1024, expires = 1800, pref = 'medium'): string => `default via ${LL_B} dev ea metric ${metric} expires ${expires}s${extra} pref ${pref}`;

interface Seen {
  drops: Partial<Record<keyof NdiscDrops, number>>;
  accepted: number;
}

function ra(h: Host6, s: RaSpec = {}): Seen {
  const d0 = dropsOf6(h);
  const a0 = h.stack.inet6.ndisc.stats.raAccepted;
  inject(h, raFrame(s));
  return { drops: dropDelta6(h, d0), accepted: h.stack.inet6.ndisc.stats.raAccepted - a0 };
}

const parms = (h: Host6): { retrans: number; base: number; gcStale: number; reachable: number } => {
  const p = idevOf(h).ndParms;
  return { retrans: p.retransTime, base: p.baseReachableTime, gcStale: p.gcStaletime, reachable: p.reachableTime };
};

// ---------------------------------------------------------------------------------------------
describe('RA validation (§2.1, §2.5.1): ignored completely', () => {
  const rows: { name: string; spec: RaSpec; counter: keyof NdiscDrops }[] = [
    { name: 'source not link-local (fd00:1::b)', spec: { src: 'fd00:1::b' }, counter: 'raNotLinkLocal' },
    { name: 'IPv6 hop limit 64', spec: { hopLimit: 64 }, counter: 'badHopLimitOrCode' },
    { name: 'ICMPv6 code 1', spec: { code: 1 }, counter: 'badHopLimitOrCode' },
    { name: 'shorter than 16 bytes', spec: { opts: [], icmpLen: 15 }, counter: 'tooShort' },
    { name: 'option with length 0', spec: { opts: [{ raw: Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]) }] }, counter: 'badOptions' },
    { name: 'PIO longer than the message', spec: { opts: [{ raw: Buffer.from([3, 4, 64, 0xc0, 0, 0, 0, 0]) }] }, counter: 'badOptions' },
  ];
  for (const r of rows) {
    it(r.name, () => {
      const h = makeHost6();
      const hop = getConf6(h, 'hop_limit');
      const p0 = parms(h);
      const s = ra(h, { curHopLimit: 42, reachableTime: 20000, retransTimer: 1500, ...r.spec, opts: r.spec.opts ?? [SLLAO_B, pio('2001:db8:1::', 86400, 14400)] });
      expect(s).toEqual({ drops: { [r.counter]: 1 }, accepted: 0 });
      expect(entries6(h)).toEqual([]);
      expect(raRoutes(h)).toEqual([]);
      expect(prefixRoutes(h)).toEqual(['fd00:1::/64']);
      expect(getConf6(h, 'hop_limit')).toBe(hop);
      expect(parms(h)).toEqual(p0);
      expect(addrLines(h)).toEqual(['fd00:1::a/64 nodad', `${LL_A}/64`]);
    });
  }
});

// ---------------------------------------------------------------------------------------------
describe('accept_ra × forwarding (§2.5.2, §2.5.6): the router entry is always learnt', () => {
  const rows: { conf: Record<string, number>; accept: boolean }[] = [
    { conf: {}, accept: true },
    { conf: { accept_ra: 0 }, accept: false },
    { conf: { accept_ra: 2 }, accept: true },
    { conf: { accept_ra: -1 }, accept: true },
    { conf: { forwarding: 1 }, accept: false },
    { conf: { forwarding: 1, accept_ra: 0 }, accept: false },
    { conf: { forwarding: 1, accept_ra: 2 }, accept: true },
  ];
  for (const r of rows) {
    it(`${JSON.stringify(r.conf)} → ${r.accept ? 'accepted' : 'only the neighbour entry'}`, () => {
      const h = makeHost6({ conf: r.conf });
      const s = ra(h, { curHopLimit: 42, retransTimer: 1500, reachableTime: 20000, opts: [SLLAO_B, pio('2001:db8:1::', 86400, 14400), { mtu: 1400 }] });
      expect(s).toEqual({ drops: {}, accepted: r.accept ? 1 : 0 });
      expect(ent(h, LL_B)).toBe(`STALE ${B} router`);
      expect(raRoutes(h)).toEqual(r.accept ? [dflt(' mtu 1400 hoplimit 42')] : []);
      expect(getConf6(h, 'hop_limit')).toBe(r.accept ? 42 : 64);
      expect(getConf6(h, 'mtu')).toBe(r.accept ? 1400 : 1500);
      expect(parms(h).retrans).toBe(r.accept ? 1500 : 1000);
      expect(parms(h).base).toBe(r.accept ? 20000 : 30000);
      expect(prefixRoutes(h)).toEqual(r.accept ? ['2001:db8:1::/64 expires 86400s', 'fd00:1::/64'] : ['fd00:1::/64']);
      expect(addrLines(h).some((l) => l.startsWith(SLAAC1))).toBe(r.accept);
    });
  }
});

// ---------------------------------------------------------------------------------------------
describe('default router (§2.5.4)', () => {
  interface Row {
    name: string;
    host?: Host6Options;
    /** RAs in order (a gap of `after` ms before each). */
    ras: (RaSpec & { after?: number })[];
    routes: string[];
    entry?: string | null;
    hop?: number;
  }
  const rows: Row[] = [
    { name: 'lifetime 1800 → default via the source, metric 1024, pref medium', ras: [{}], routes: [dflt()], entry: `STALE ${B} router` },
    { name: 'preference bits 01 → high', ras: [{ pref: 1 }], routes: [dflt('', 1024, 1800, 'high')] },
    { name: 'preference bits 11 → low', ras: [{ pref: 3 }], routes: [dflt('', 1024, 1800, 'low')] },
    { name: 'preference bits 10 (reserved) → medium', ras: [{ pref: 2 }], routes: [dflt()] },
    { name: 'accept_ra_rtr_pref=0: always medium', host: { conf: { accept_ra_rtr_pref: 0 } }, ras: [{ pref: 1 }], routes: [dflt()] },
    { name: 'a later RA with another preference updates it', ras: [{ pref: 1 }, { pref: 3, after: 1000 }], routes: [dflt('', 1024, 1800, 'low')] },
    { name: 'a later RA refreshes the expiry', ras: [{}, { after: 100_000, routerLifetime: 600 }], routes: [dflt('', 1024, 600)] },
    { name: 'lifetime 0 → no route; the entry is still learnt as a router', ras: [{ routerLifetime: 0 }], routes: [], entry: `STALE ${B} router` },
    { name: 'lifetime 0 after 1800 → route removed, entry keeps router', ras: [{}, { routerLifetime: 0, after: 1000 }], routes: [], entry: `STALE ${B} router` },
    { name: 'ra_defrtr_metric=2048', host: { conf: { ra_defrtr_metric: 2048 } }, ras: [{}], routes: [dflt('', 2048)] },
    { name: 'accept_ra_defrtr=0: no route, hop limit untouched', host: { conf: { accept_ra_defrtr: 0 } }, ras: [{ curHopLimit: 42 }], routes: [], hop: 64, entry: `STALE ${B} router` },
    { name: 'accept_ra_min_lft=600: lifetime 300 skipped', host: { conf: { accept_ra_min_lft: 600 } }, ras: [{ routerLifetime: 300, curHopLimit: 42 }], routes: [], hop: 64 },
    { name: 'accept_ra_min_lft=600: lifetime 600 kept', host: { conf: { accept_ra_min_lft: 600 } }, ras: [{ routerLifetime: 600 }], routes: [dflt('', 1024, 600)] },
    { name: 'accept_ra_min_lft=600: lifetime 0 still removes', host: { conf: { accept_ra_min_lft: 600 } }, ras: [{ routerLifetime: 900 }, { routerLifetime: 0, after: 10 }], routes: [] },
    { name: 'cur hop limit 42 → hop_limit 42 and the route’s hoplimit', ras: [{ curHopLimit: 42 }], routes: [dflt(' hoplimit 42')], hop: 42 },
    { name: 'cur hop limit 0 → unchanged', ras: [{ curHopLimit: 0 }], routes: [dflt()], hop: 64 },
    { name: 'hop limit below accept_ra_min_hop_limit (50) → unchanged', host: { conf: { accept_ra_min_hop_limit: 50 } }, ras: [{ curHopLimit: 42 }], routes: [dflt()], hop: 64 },
    { name: 'lifetime 0 with hop limit 42: hop_limit still taken (no route to carry it)', ras: [{ routerLifetime: 0, curHopLimit: 42 }], routes: [], hop: 42 },
    {
      name: 'RA from our own link-local: default router ignored (accept_ra_from_local=0)',
      ras: [{ src: LL_A }],
      routes: [],
    },
    { name: 'accept_ra_from_local=1: our own RA is taken', host: { conf: { accept_ra_from_local: 1 } }, ras: [{ src: LL_A }], routes: [`default via ${LL_A} dev ea metric 1024 expires 1800s pref medium`] },
    {
      name: 'two routers: two default routes',
      ras: [{}, { src: 'fe80::c', ethSrc: MAC_C, opts: [{ sllao: MAC_C }], pref: 1 }],
      routes: [dflt(), `default via fe80::c dev ea metric 1024 expires 1800s pref high`],
    },
    { name: 'RA without SLLAO from an unknown router: entry NONE with the router flag (set with the new route)', ras: [{ opts: [] }], routes: [dflt()], entry: 'NONE router' },
    { name: 'RA without SLLAO, lifetime 0: entry NONE, no router flag', ras: [{ opts: [], routerLifetime: 0 }], routes: [], entry: 'NONE' },
  ];
  for (const r of rows) {
    it(r.name, () => {
      const h = makeHost6(r.host);
      for (const x of r.ras) {
        if (x.after) h.clock.advance(x.after);
        expect(ra(h, x).drops).toEqual({});
      }
      expect(raRoutes(h)).toEqual(r.routes);
      if (r.entry !== undefined) expect(ent(h, LL_B)).toBe(r.entry);
      if (r.hop !== undefined) expect(getConf6(h, 'hop_limit')).toBe(r.hop);
    });
  }

  it('the route expires with its lifetime', () => {
    const h = makeHost6();
    ra(h, { routerLifetime: 30 });
    h.clock.advance(29_000);
    expect(raRoutes(h)).toHaveLength(1);
    h.clock.advance(32_000);
    expect(raRoutes(h)).toEqual([]);
  });

  it('a changed ra_defrtr_metric replaces the route at the next RA', () => {
    const h = makeHost6();
    ra(h);
    setConf6(h, 'ea', 'ra_defrtr_metric', 512);
    ra(h);
    expect(raRoutes(h)).toEqual([dflt('', 512)]);
  });

  it('a ping through the default route uses the STALE router entry at once, hop limit from the RA, and moves it to DELAY', () => {
    const h = makeHost6();
    ra(h, { curHopLimit: 42 });
    h.ea.sent.length = 0;
    expect(send6(h, '2001:db8:99::1')).toBe(0);
    const p = sent6(h).filter((x) => x.nexthdr === 17);
    expect(p.map((x) => `${x.src} > ${x.dst} hop ${x.hopLimit} to ${x.ethDst}`)).toEqual([`fd00:1::a > 2001:db8:99::1 hop 42 to ${B}`]);
    expect(ent(h, LL_B)).toBe(`DELAY ${B} router`);
  });

  it('forwarding turned on deletes the RA default routes (devices with accept_ra=2 keep theirs)', () => {
    for (const [ra2, want] of [[1, 0], [2, 1]] as const) {
      const h = makeHost6({ conf: { accept_ra: ra2 } });
      ra(h);
      expect(raRoutes(h)).toHaveLength(1);
      setConf6(h, 'ea', 'forwarding', 1);
      expect(raRoutes(h)).toHaveLength(want);
    }
  });

  it('an NA with R=0 from the router removes the route (§2.3.5)', () => {
    const h = makeHost6();
    ra(h);
    inject(h, naFrame({ target: LL_B, src: LL_B, dst: 'ff02::1', flags: 'O', ethSrc: MAC_B, opts: [{ tllao: MAC_B }] }));
    expect(raRoutes(h)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
describe('RA timers rewrite the device ND parms (§2.5.5)', () => {
  const rows: { name: string; host?: Host6Options; spec: RaSpec; want: Partial<ReturnType<typeof parms>> }[] = [
    { name: 'retrans 1500 → retrans_time 1500 ms', spec: { retransTimer: 1500 }, want: { retrans: 1500, base: 30000, gcStale: 60000 } },
    { name: 'retrans 1 → HZ/100 = 8 ms', spec: { retransTimer: 1 }, want: { retrans: 8 } },
    { name: 'retrans 1001 → 1000 ms (jiffies at HZ=250)', spec: { retransTimer: 1001 }, want: { retrans: 1000 } },
    { name: 'retrans 0 → unchanged', spec: { retransTimer: 0 }, want: { retrans: 1000 } },
    { name: 'reachable 20000 → base 20000, gc_stale 3× = 60000, reachable_time re-drawn (0.5 → 20000)', spec: { reachableTime: 20000 }, want: { base: 20000, gcStale: 60000, reachable: 20000 } },
    { name: 'reachable 10000 → gc_stale 30000', spec: { reachableTime: 10000 }, want: { base: 10000, gcStale: 30000, reachable: 10000 } },
    { name: 'reachable 50 → HZ/10 = 100 ms, gc_stale 300', spec: { reachableTime: 50 }, want: { base: 100, gcStale: 300 } },
    { name: 'reachable 20003 → 20000 (jiffies)', spec: { reachableTime: 20003 }, want: { base: 20000, gcStale: 60000 } },
    { name: 'reachable 0 → unchanged', spec: { reachableTime: 0 }, want: { base: 30000, gcStale: 60000 } },
    { name: 'timers apply even with accept_ra_defrtr=0', host: { conf: { accept_ra_defrtr: 0 } }, spec: { retransTimer: 1500, reachableTime: 20000 }, want: { retrans: 1500, base: 20000, gcStale: 60000 } },
  ];
  for (const r of rows) {
    it(r.name, () => {
      const h = makeHost6(r.host);
      ra(h, r.spec);
      const got = parms(h);
      expect(Object.fromEntries(Object.keys(r.want).map((k) => [k, got[k as keyof typeof got]]))).toEqual(r.want);
    });
  }

  it('reachable equal to the current base changes nothing (gc_stale set by hand stays)', () => {
    const h = makeHost6();
    h.stack.sysctl.set('net.ipv6.neigh.ea.gc_stale_time', '90');
    ra(h, { reachableTime: 30000 });
    expect(parms(h).gcStale).toBe(90000);
  });

  it('ip ntable shows the RA values for the device (reachable re-drawn, base 20000, retrans 1500)', () => {
    const h = makeHost6();
    ra(h, { reachableTime: 20000, retransTimer: 1500 });
    const t = h.stack.ntables('inet6')[0].parms.find((x) => x.dev === 'ea');
    expect(t).toMatchObject({ reachableTime: 20000, baseReachableTime: 20000, retransTime: 1500, gcStaletime: 60000 });
  });
});

// ---------------------------------------------------------------------------------------------
describe('Prefix Information and SLAAC (§4.4)', () => {
  interface Row {
    name: string;
    host?: Host6Options;
    opts: OptSpec[];
    routes: string[];
    addr: string | null;
    logs?: string[];
  }
  const base = 'fd00:1::/64';
  const rows: Row[] = [
    {
      name: 'L+A /64 (valid 86400, preferred 14400) → on-link route expiring with valid, EUI-64 address tentative dynamic mngtmpaddr',
      opts: [SLLAO_B, pio('2001:db8:1::', 86400, 14400)],
      routes: ['2001:db8:1::/64 expires 86400s', base],
      addr: `${SLAAC1}/64 tentative dynamic mngtmpaddr valid 86400s preferred 14400s`,
    },
    { name: 'L only (valid 600, preferred 300) → route only', opts: [pio('2001:db8:2::', 600, 300, 0x80)], routes: ['2001:db8:2::/64 expires 600s', base], addr: null },
    { name: 'A only (L=0) → address without prefix route', opts: [pio('2001:db8:1::', 86400, 14400, 0x40)], routes: [base], addr: `${SLAAC1}/64 tentative dynamic mngtmpaddr valid 86400s preferred 14400s` },
    { name: '/48 L+A → route only (SLAAC needs /64)', opts: [pio('2001:db8:3::', 86400, 14400, 0xc0, 48)], routes: ['2001:db8:3::/48 expires 86400s', base], addr: null },
    { name: 'infinite lifetimes → route without expiry, address dynamic forever', opts: [pio('2001:db8:1::', 0xffffffff, 0xffffffff)], routes: ['2001:db8:1::/64', base], addr: `${SLAAC1}/64 tentative dynamic mngtmpaddr valid forever preferred forever` },
    { name: 'fe80::/64 → ignored', opts: [pio('fe80::', 86400, 14400)], routes: [base], addr: null },
    { name: 'multicast prefix → ignored', opts: [pio('ff0e::', 86400, 14400)], routes: [base], addr: null },
    {
      name: 'preferred > valid → ignored with the kernel warning',
      opts: [pio('2001:db8:1::', 600, 900)],
      routes: [base],
      addr: null,
      logs: ['IPv6: addrconf: prefix option has invalid lifetime'],
    },
    { name: 'valid 0 for an unknown prefix → nothing', opts: [pio('2001:db8:1::', 0, 0)], routes: [base], addr: null },
    { name: 'accept_ra_min_lft=1000: valid 600 ignored', host: { conf: { accept_ra_min_lft: 1000 } }, opts: [pio('2001:db8:1::', 600, 300)], routes: [base], addr: null },
    { name: 'autoconf=0 → route only', host: { conf: { autoconf: 0 } }, opts: [pio('2001:db8:1::', 86400, 14400)], routes: ['2001:db8:1::/64 expires 86400s', base], addr: null },
    { name: 'accept_ra_pinfo=0 → neither', host: { conf: { accept_ra_pinfo: 0 } }, opts: [pio('2001:db8:1::', 86400, 14400)], routes: [base], addr: null },
    { name: 'P flag with ra_honor_pio_pflag=1 → route, no address', host: { conf: { ra_honor_pio_pflag: 1 } }, opts: [pio('2001:db8:1::', 86400, 14400, 0xd0)], routes: ['2001:db8:1::/64 expires 86400s', base], addr: null },
    { name: 'P flag with ra_honor_pio_pflag=0 → address as usual', opts: [pio('2001:db8:1::', 86400, 14400, 0xd0)], routes: ['2001:db8:1::/64 expires 86400s', base], addr: `${SLAAC1}/64 tentative dynamic mngtmpaddr valid 86400s preferred 14400s` },
    { name: 'max_addresses=2 (two already) → no new address', host: { conf: { max_addresses: 2 } }, opts: [pio('2001:db8:1::', 86400, 14400)], routes: ['2001:db8:1::/64 expires 86400s', base], addr: null },
    { name: 'SLLAO wrong length: no prefixes processed at all', opts: [{ sllao: MAC_B, len: 2 }, pio('2001:db8:1::', 86400, 14400)], routes: [base], addr: null },
  ];
  for (const r of rows) {
    it(r.name, () => {
      const h = makeHost6(r.host);
      inject(h, raFrame({ opts: r.opts }));
      expect(prefixRoutes(h)).toEqual(r.routes);
      expect(addrLft(h, SLAAC1)).toBe(r.addr);
      expect(h.logs).toEqual(r.logs ?? []);
    });
  }

  it('the SLAAC address runs DAD (NS after the random delay) and becomes "dynamic mngtmpaddr"', () => {
    const h = makeHost6();
    inject(h, raFrame({ opts: [SLLAO_B, pio('2001:db8:1::', 86400, 14400)] }));
    h.clock.advance(1600);
    expect(addrLft(h, SLAAC1)).toBe(`${SLAAC1}/64 dynamic mngtmpaddr valid 86399s preferred 14399s`);
    expect(h.stack.inet6.fib.isLocalAddr(in6(SLAAC1), 0)).toBe(true);
  });

  it('optimistic_dad: an RA with SLLAO makes the SLAAC address optimistic', () => {
    const h = makeHost6({ conf: { optimistic_dad: 1 } });
    inject(h, raFrame({ opts: [SLLAO_B, pio('2001:db8:1::', 86400, 14400)] }));
    expect(addrLft(h, SLAAC1)).toBe(`${SLAAC1}/64 optimistic tentative dynamic mngtmpaddr valid 86400s preferred 14400s`);
  });

  /** Lifetime updates of an existing SLAAC address (addrconf_prefix_rcv_add_addr, RFC 4862 5.5.3 e). */
  const twoHour: { name: string; host?: Host6Options; first: [number, number]; wait: number; then: [number, number]; want: string; route: string }[] = [
    { name: 'infinite, then valid 60 preferred 30 → valid 7200 (two-hour rule), preferred 30; the route follows the option', first: [0xffffffff, 0xffffffff], wait: 0, then: [60, 30], want: 'valid 7200s preferred 30s', route: '2001:db8:1::/64 expires 60s' },
    { name: '3596 s left, valid 60 → keeps 3596', first: [3600, 3600], wait: 2000, then: [60, 30], want: 'valid 3596s preferred 30s', route: '2001:db8:1::/64 expires 60s' },
    { name: 'valid 86400 → taken (above two hours)', first: [3600, 1800], wait: 1000, then: [86400, 14400], want: 'valid 86400s preferred 14400s', route: '2001:db8:1::/64 expires 86400s' },
    { name: 'valid 5000 above the 3599 left → taken', first: [3600, 1800], wait: 1000, then: [5000, 100], want: 'valid 5000s preferred 100s', route: '2001:db8:1::/64 expires 5000s' },
    { name: 'ra_honor_pio_life=1 → valid 60 taken', host: { conf: { ra_honor_pio_life: 1 } }, first: [0xffffffff, 0xffffffff], wait: 0, then: [60, 30], want: 'valid 60s preferred 30s', route: '2001:db8:1::/64 expires 60s' },
  ];
  for (const t of twoHour) {
    it(`two-hour rule: ${t.name}`, () => {
      const h = makeHost6(t.host);
      inject(h, raFrame({ opts: [SLLAO_B, pio('2001:db8:1::', t.first[0], t.first[1])] }));
      h.clock.advance(2000 + t.wait);
      inject(h, raFrame({ opts: [SLLAO_B, pio('2001:db8:1::', t.then[0], t.then[1])] }));
      expect(addrLft(h, SLAAC1)).toBe(`${SLAAC1}/64 dynamic mngtmpaddr ${t.want}`);
      expect(prefixRoutes(h)).toEqual([t.route, 'fd00:1::/64']);
    });
  }

  it('then valid 0 preferred 0 → route deleted, address deprecated with the two hours kept (7199 s a second later)', () => {
    const h = makeHost6();
    inject(h, raFrame({ opts: [SLLAO_B, pio('2001:db8:1::', 0xffffffff, 0xffffffff)] }));
    h.clock.advance(2000);
    inject(h, raFrame({ opts: [SLLAO_B, pio('2001:db8:1::', 60, 30)] }));
    inject(h, raFrame({ opts: [SLLAO_B, pio('2001:db8:1::', 0, 0)] }));
    h.clock.advance(1000);
    expect(prefixRoutes(h)).toEqual(['fd00:1::/64']);
    expect(addrLft(h, SLAAC1)).toBe(`${SLAAC1}/64 deprecated dynamic mngtmpaddr valid 7199s preferred 0s`);
  });

  it('preferred lifetime runs out → deprecated (never chosen as source); valid runs out → deleted', () => {
    const h = makeHost6({ addrs: [] });
    inject(h, raFrame({ opts: [SLLAO_B, pio('2001:db8:1::', 60, 30)] }));
    h.clock.advance(2000);
    expect(addrLft(h, SLAAC1)).toBe(`${SLAAC1}/64 dynamic mngtmpaddr valid 58s preferred 28s`);
    h.clock.advance(29_000);
    expect(addrLft(h, SLAAC1)).toBe(`${SLAAC1}/64 deprecated dynamic mngtmpaddr valid 29s preferred 0s`);
    h.clock.advance(30_000);
    expect(addrLft(h, SLAAC1)).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------
describe('MTU option (§2.5.10)', () => {
  const rows: { name: string; host?: Host6Options; mtu: number; want: number; route?: string }[] = [
    { name: '1400 → mtu 1400, the default route gets it', mtu: 1400, want: 1400, route: dflt(' mtu 1400') },
    { name: '1280 (the minimum) → taken', mtu: 1280, want: 1280, route: dflt(' mtu 1280') },
    { name: '1279 → ignored', mtu: 1279, want: 1500, route: dflt() },
    { name: '1000 → ignored', mtu: 1000, want: 1500, route: dflt() },
    { name: '1500 = device MTU → already the value: no change', mtu: 1500, want: 1500, route: dflt() },
    { name: '1501 > device MTU → ignored', mtu: 1501, want: 1500, route: dflt() },
    { name: 'accept_ra_mtu=0 → ignored', host: { conf: { accept_ra_mtu: 0 } }, mtu: 1400, want: 1500, route: dflt() },
  ];
  for (const r of rows) {
    it(r.name, () => {
      const h = makeHost6(r.host);
      ra(h, { opts: [SLLAO_B, { mtu: r.mtu }] });
      expect(getConf6(h, 'mtu')).toBe(r.want);
      expect(raRoutes(h)).toEqual([r.route]);
      expect(idevOf(h).raMtu).toBe(r.host ? 0 : r.mtu);
    });
  }
});

void ADDR_A;
