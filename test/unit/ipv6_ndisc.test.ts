// IPv6 neighbour discovery as transition tables (gVisor style) against net/ipv6/ndisc.c:
// ndisc_rcv's common checks, ndisc_recv_ns, ndisc_recv_na, ndisc_solicit / ndisc_error_report
// through the generic NUD machine, and ndisc_netdev_event. One stack under test on an in-memory
// pair whose far end belongs to no stack: frames are injected, whatever the stack sends is only
// recorded. Expected values are the measured rows of ../shared/reference/linux-ndisc.md (§1–§3, §5).
import { afterEach, describe, expect, it } from 'vitest';
import { IFF_NOARP } from '../../src/core/netdevice.js';
import { IFA_F_OPTIMISTIC, in6DevGet } from '../../src/ipv6/if_inet6.js';
import type { NdiscDrops } from '../../src/ipv6/ndisc.js';
import {
  NTF_ROUTER,
  NUD_DELAY,
  NUD_FAILED,
  NUD_INCOMPLETE,
  NUD_NOARP,
  NUD_PERMANENT,
  NUD_PROBE,
  NUD_REACHABLE,
  NUD_STALE,
} from '../../src/neighbour/nud.js';
import {
  ADDR_A,
  ALL_NODES,
  type Host6,
  type Host6Options,
  LL_A,
  LL_B,
  MAC_A,
  MAC_B,
  MAC_C,
  MAC_C2,
  MAC_D,
  addSecondDev,
  addrLines,
  clearSent,
  dadNsFrame,
  dropDelta6,
  dropsOf6,
  ent,
  entries6,
  entry6,
  getConf6,
  icmpOther,
  idevOf,
  ifaOf,
  in6,
  inject,
  injectLooped,
  line,
  mac as mac6,
  makeHost6,
  naFrame,
  nd,
  ndPkts,
  neighAdd6,
  parse6,
  prefixRoutes as prefixRoutes6,
  udpFrame,
  nsFrame,
  raFrame,
  redirectFrame,
  rsFrame,
  raRoutes,
  send6,
  sent6,
  setConf6,
  snm,
  takeLive6,
} from '../helpers/ipv6_env.js';

afterEach(async () => {
  for (const h of takeLive6()) {
    expect(h.stack.inet6.ndisc.tbl.checkInvariants()).toEqual([]);
    // Every ND message: hop limit 255, flow label 0, traffic class ndisc_tclass (0), a good
    // checksum, our MAC as source, the multicast mapping for multicast destinations (§0).
    for (const p of ndPkts(h)) {
      expect({ hop: p.hopLimit, flow: p.flowLabel, tclass: p.tclass, csum: p.csumOk }, line(p)).toEqual({ hop: 255, flow: 0, tclass: 0, csum: true });
      expect(p.ethSrc, line(p)).toBe([...h.ea.devAddr].map((x) => x.toString(16).padStart(2, '0')).join(':'));
      if (p.dst.startsWith('ff')) expect(p.ethDst.startsWith('33:33:'), line(p)).toBe(true);
    }
    await h.stack.close();
  }
});

type Drops = Partial<Record<keyof NdiscDrops, number>>;

const MC = (a: string): string => `33:33:${[...in6(a).subarray(12)].map((x) => x.toString(16).padStart(2, '0')).join(':')}`;
const C = '02:00:00:00:0c:01';
const C2 = '02:00:00:00:0c:02';
const A = '02:00:00:00:0a:01';
const D = '02:00:00:00:0d:01';

/** The NA we send for our fd00:1::a to a solicitor. */
const naTo = (dst: string, flags: string, eth: string, tllao = true, target = ADDR_A, src = target): string =>
  `NA ${src} > ${dst} tgt ${target} [${flags}]${tllao ? ` tllao ${A}` : ''} to ${eth}`;
const mcastNs = (target: string, src = ADDR_A): string => `NS ${src} > ${snm(target)} tgt ${target} sllao ${A} to ${MC(snm(target))}`;
const ucastNs = (target: string, eth: string, src = LL_A): string => `NS ${src} > ${target} tgt ${target} sllao ${A} to ${eth}`;

interface Counted {
  drops: Drops;
  icmpIn: number;
  icmpErrors: number;
  mcast: number;
  ucast: number;
  dadFailures: number;
}

/** Injects one frame and reports which counters moved. */
function deliver(h: Host6, f: Buffer, looped = false): Counted {
  const st = h.stack.inet6;
  const d0 = dropsOf6(h);
  const i0 = st.icmp.stats.inNeighborSolicits + st.icmp.stats.inNeighborAdvertisements + st.icmp.stats.inRouterSolicits + st.icmp.stats.inRouterAdvertisements + st.icmp.stats.inRedirects;
  const e0 = st.icmp.stats.inErrors;
  const m0 = st.ndisc.tbl.stats.rcvProbesMcast;
  const u0 = st.ndisc.tbl.stats.rcvProbesUcast;
  const f0 = st.ndisc.stats.dadFailures;
  if (looped) injectLooped(h, f);
  else inject(h, f);
  const i1 = st.icmp.stats.inNeighborSolicits + st.icmp.stats.inNeighborAdvertisements + st.icmp.stats.inRouterSolicits + st.icmp.stats.inRouterAdvertisements + st.icmp.stats.inRedirects;
  return {
    drops: dropDelta6(h, d0),
    icmpIn: i1 - i0,
    icmpErrors: st.icmp.stats.inErrors - e0,
    mcast: st.ndisc.tbl.stats.rcvProbesMcast - m0,
    ucast: st.ndisc.tbl.stats.rcvProbesUcast - u0,
    dadFailures: st.ndisc.stats.dadFailures - f0,
  };
}

// ---------------------------------------------------------------------------------------------
describe('ndisc_rcv / ndisc_recv_ns validation (§2.1, §2.2): one named drop, nothing sent, nothing learnt', () => {
  interface Row {
    name: string;
    host?: Host6Options;
    setup?: (h: Host6) => void;
    frame: () => Buffer;
    /** The one ndisc drop counter; 'csum' = Icmp6InCsumErrors; 'mcastNotJoined' = ip6 before ICMPv6. */
    counter: keyof NdiscDrops | 'csum' | 'mcastNotJoined';
    /** rcv_probes_mcast counted before the drop (the kernel counts before looking up the solicitor). */
    mcastProbe?: boolean;
  }
  const zeroOpt = Buffer.from([99, 0, 0, 0, 0, 0, 0, 0]);
  const rows: Row[] = [
    { name: 'ICMPv6 length 23 (< 24)', frame: () => nsFrame({ opts: [], icmpLen: 23 }), counter: 'tooShort' },
    { name: 'ICMPv6 length 8', frame: () => nsFrame({ opts: [], icmpLen: 8 }), counter: 'tooShort' },
    { name: 'target multicast (ff02::1)', frame: () => nsFrame({ target: 'ff02::1', dst: ALL_NODES }), counter: 'targetMulticast' },
    { name: 'target multicast (ff02::1:ff00:a) to its own group', frame: () => nsFrame({ target: 'ff02::1:ff00:a', dst: snm(ADDR_A) }), counter: 'targetMulticast' },
    { name: 'DAD NS (source ::) to ff02::1, not a solicited-node group', frame: () => dadNsFrame(ADDR_A, null, { dst: ALL_NODES }), counter: 'badDad' },
    { name: 'DAD NS (source ::) unicast to our address', frame: () => dadNsFrame(ADDR_A, null, { dst: ADDR_A, ethDst: MAC_A }), counter: 'badDad' },
    { name: 'DAD NS with SLLAO', frame: () => dadNsFrame(ADDR_A, null, { opts: [{ sllao: MAC_C }] }), counter: 'badDad' },
    { name: 'option with length 0', frame: () => nsFrame({ opts: [{ raw: zeroOpt }, { sllao: MAC_C }] }), counter: 'badOptions' },
    { name: 'option longer than the message', frame: () => nsFrame({ opts: [{ raw: Buffer.from([1, 2, 2, 0, 0, 0, 0x0c, 1]) }] }), counter: 'badOptions' },
    { name: 'one byte left after the options', frame: () => nsFrame({ opts: [{ sllao: MAC_C }, { raw: Buffer.from([0]) }] }), counter: 'badOptions' },
    { name: 'SLLAO of 16 bytes (length 2)', frame: () => nsFrame({ opts: [{ sllao: MAC_C, len: 2 }] }), counter: 'badLladdr' },
    { name: 'IPv6 hop limit 254', frame: () => nsFrame({ hopLimit: 254 }), counter: 'badHopLimitOrCode' },
    { name: 'IPv6 hop limit 1', frame: () => nsFrame({ hopLimit: 1 }), counter: 'badHopLimitOrCode' },
    { name: 'ICMPv6 code 1', frame: () => nsFrame({ code: 1 }), counter: 'badHopLimitOrCode' },
    { name: 'atomic fragment header with suppress_frag_ndisc=1 (IP6SKB_FRAGMENTED)', frame: () => nsFrame({ atomicFragment: true }), counter: 'fragmented' },
    { name: 'bad checksum: Icmp6InCsumErrors, not an ND drop', frame: () => nsFrame({ badCsum: true }), counter: 'csum' },
    { name: 'to ff02::1:ff00:77, a group nobody here joined: dropped by IPv6', frame: () => nsFrame({ target: 'fd00:1::77' }), counter: 'mcastNotJoined' },
    { name: 'target not ours (fd00:1::77, sent to ff02::1)', frame: () => nsFrame({ target: 'fd00:1::77', dst: ALL_NODES }), counter: 'nsNotForUs' },
    { name: 'target not ours (unicast to our address)', frame: () => nsFrame({ target: 'fd00:1::77', dst: ADDR_A, ethDst: MAC_A }), counter: 'nsNotForUs' },
    { name: "target is another device's address: not ours on this link", frame: () => nsFrame({ target: 'fd00:2::a', dst: ALL_NODES }), setup: (h) => h.stack.addAddress(addSecondDev(h), 'fd00:2::a/64', { nodad: true }), counter: 'nsNotForUs' },
    {
      name: 'target tentative, not a DAD probe: ignored (no NA, no entry)',
      host: { addrs: [`${ADDR_A}/64`, 'fd00:1::aa/64'], dad: ['fd00:1::aa'], settle: false },
      frame: () => nsFrame({ target: 'fd00:1::aa' }),
      counter: 'nsTentative',
    },
    {
      name: 'multicast NS without SLLAO from an unknown node: no entry to answer through',
      frame: () => nsFrame({ src: 'fd00:1::e', opts: [] }),
      counter: 'nsNoEntry',
      mcastProbe: true,
    },
    {
      name: 'proxied target but forwarding=0: nothing is proxied',
      setup: (h) => {
        setConf6(h, 'ea', 'proxy_ndp', 1);
        expect(h.stack.inet6.ndisc.tbl.pneighCreate(in6('fd00:1::50'), h.ea)).toBe(0);
      },
      frame: () => nsFrame({ target: 'fd00:1::50' }),
      counter: 'nsNotForUs',
    },
    {
      name: 'a device-less proxy entry is refused (pndisc_constructor -EINVAL, neigh_add ENOBUFS): nothing is proxied',
      setup: (h) => {
        setConf6(h, 'ea', 'forwarding', 1);
        h.stack.sysctl.set('net.ipv6.conf.all.proxy_ndp', '1');
        expect(h.stack.inet6.ndisc.tbl.pneighCreate(in6('fd00:1::50'), null)).toBe(-105);
      },
      frame: () => nsFrame({ target: 'fd00:1::50', dst: ALL_NODES }),
      counter: 'nsNotForUs',
    },
    {
      name: 'proxied target, forwarding=1 but proxy_ndp=0',
      setup: (h) => {
        setConf6(h, 'ea', 'forwarding', 1);
        expect(h.stack.inet6.ndisc.tbl.pneighCreate(in6('fd00:1::50'), h.ea)).toBe(0);
      },
      frame: () => nsFrame({ target: 'fd00:1::50' }),
      counter: 'nsNotForUs',
    },
    {
      name: 'subnet-router anycast fd00:1:: while not forwarding: not ours',
      frame: () => nsFrame({ target: 'fd00:1::', dst: ALL_NODES }),
      counter: 'nsNotForUs',
    },
  ];
  for (const r of rows) {
    it(r.name, () => {
      const h = makeHost6(r.host);
      r.setup?.(h);
      clearSent(h);
      const keys = entries6(h);
      const ip0 = h.stack.inet6.stats.drops.mcastNotJoined;
      const cs0 = h.stack.inet6.icmp.stats.inCsumErrors;
      const c = deliver(h, r.frame());
      const ndDrop = r.counter !== 'csum' && r.counter !== 'mcastNotJoined';
      expect(c.drops).toEqual(ndDrop ? { [r.counter]: 1 } : {});
      expect(h.stack.inet6.icmp.stats.inCsumErrors - cs0).toBe(r.counter === 'csum' ? 1 : 0);
      expect(h.stack.inet6.stats.drops.mcastNotJoined - ip0).toBe(r.counter === 'mcastNotJoined' ? 1 : 0);
      // §2.1.2: ND messages rejected by ND validation still count as received, not as errors.
      expect({ icmpIn: c.icmpIn, icmpErrors: c.icmpErrors }).toEqual(
        r.counter === 'csum' ? { icmpIn: 0, icmpErrors: 1 } : r.counter === 'mcastNotJoined' ? { icmpIn: 0, icmpErrors: 0 } : { icmpIn: 1, icmpErrors: 0 },
      );
      expect({ mcast: c.mcast, ucast: c.ucast, dad: c.dadFailures }).toEqual({ mcast: r.mcastProbe ? 1 : 0, ucast: 0, dad: 0 });
      expect(nd(h)).toEqual([]);
      h.clock.advance(5000);
      expect(nd(h).filter((l) => !l.startsWith('NS ::'))).toEqual([]);
      expect(entries6(h)).toEqual(keys);
    });
  }

  it('suppress_frag_ndisc=1 logs the kernel warning once per fragmented message', () => {
    const h = makeHost6();
    inject(h, nsFrame({ atomicFragment: true }));
    expect(h.logs).toEqual(['ICMPv6: Received fragmented ndisc packet. Carefully consider disabling suppress_frag_ndisc.']);
  });

  // The same frames with the offending field fixed are answered, so the rows above can fail.
  const controls: { name: string; host?: Host6Options; frame: () => Buffer }[] = [
    { name: 'well-formed multicast NS with SLLAO', frame: () => nsFrame() },
    { name: 'suppress_frag_ndisc=0: the atomic fragment is processed', host: { conf: { suppress_frag_ndisc: 0 } }, frame: () => nsFrame({ atomicFragment: true }) },
    { name: 'a hop-by-hop header before ICMPv6 is fine', frame: () => nsFrame({ hopByHop: true }) },
    { name: 'unknown option type 99 before the SLLAO is skipped', frame: () => nsFrame({ opts: [{ raw: Buffer.from([99, 1, 0, 0, 0, 0, 0, 0]) }, { sllao: MAC_C }] }) },
    { name: 'non-zero reserved word is ignored', frame: () => nsFrame({ reserved: 0xffffffff }) },
    { name: 'for our address sent to ff02::1 (not its solicited-node group): answered like a multicast NS', frame: () => nsFrame({ dst: ALL_NODES }) },
    { name: 'Ethernet destination our MAC with a multicast IPv6 destination', frame: () => nsFrame({ ethDst: MAC_A }) },
  ];
  for (const c of controls) {
    it(`control: ${c.name} → NA [SO] with TLLAO, solicitor DELAY`, () => {
      const h = makeHost6(c.host);
      const got = deliver(h, c.frame());
      expect(got.drops).toEqual({});
      expect(got.mcast).toBe(1);
      expect(nd(h)).toEqual([naTo('fd00:1::c', 'SO', C)]);
      expect(ent(h, 'fd00:1::c')).toBe(`DELAY ${C}`);
    });
  }

  it('two SLLAOs: the first MAC is learnt', () => {
    const h = makeHost6();
    expect(deliver(h, nsFrame({ opts: [{ sllao: MAC_C }, { sllao: MAC_D }] })).drops).toEqual({});
    expect(ent(h, 'fd00:1::c')).toBe(`DELAY ${C}`);
    expect(nd(h)).toEqual([naTo('fd00:1::c', 'SO', C)]);
  });
});

// ---------------------------------------------------------------------------------------------
describe('ndisc_recv_ns outcomes (§2.2 measured table, §3 NA flag rules)', () => {
  type Pre = null | 'STALE' | 'REACHABLE' | 'REACHABLE_ROUTER' | 'PERMANENT';
  interface Row {
    name: string;
    host?: Host6Options;
    setup?: (h: Host6) => void;
    /** The solicitor's entry before the NS (fd00:1::c with MAC_C unless `preMac`). */
    pre?: Pre;
    preMac?: Buffer;
    frame: (h: Host6) => Buffer;
    looped?: boolean;
    /** Drops expected (default none). */
    drops?: Drops;
    /** rcv_probes: which one counts (default: mcast for a multicast destination). */
    probe: 'mcast' | 'ucast' | null;
    /** ND lines sent right away. */
    sent: string[];
    /** Solicitor (default fd00:1::c) and its entry afterwards, as ent() prints it. */
    solicitor?: string;
    entry: string | null;
    /** Then: advance ms and see these further ND lines and entry. */
    then?: { ms: number; sent: string[]; entry: string | null };
    check?: (h: Host6) => void;
  }
  const rows: Row[] = [
    {
      name: 'multicast NS with SLLAO from an unknown node → NA [SO] TLLAO; DELAY; 5 s later 3 unicast NS from the LL, then FAILED',
      frame: () => nsFrame(),
      probe: 'mcast',
      sent: [naTo('fd00:1::c', 'SO', C)],
      entry: `DELAY ${C}`,
      then: {
        ms: 5000 + 3000 + 100,
        sent: [ucastNs('fd00:1::c', C), ucastNs('fd00:1::c', C), ucastNs('fd00:1::c', C)],
        entry: 'FAILED',
      },
    },
    {
      name: 'unicast NS without SLLAO from an unknown node → entry INCOMPLETE, 3 multicast NS from fd00:1::a, no NA ever',
      frame: () => nsFrame({ src: 'fd00:1::d', dst: ADDR_A, ethDst: MAC_A, ethSrc: MAC_D, opts: [] }),
      probe: 'ucast',
      sent: [mcastNs('fd00:1::d')],
      solicitor: 'fd00:1::d',
      entry: 'INCOMPLETE',
      then: { ms: 3100, sent: [mcastNs('fd00:1::d'), mcastNs('fd00:1::d')], entry: 'FAILED' },
    },
    {
      name: 'unicast NS with SLLAO from an unknown node → NA [S] without TLLAO, unicast; DELAY',
      frame: () => nsFrame({ dst: ADDR_A, ethDst: MAC_A }),
      probe: 'ucast',
      sent: [naTo('fd00:1::c', 'S', C, false)],
      entry: `DELAY ${C}`,
    },
    {
      name: 'multicast NS without SLLAO from a STALE solicitor → NA [SO] TLLAO to the cached MAC; DELAY',
      pre: 'STALE',
      frame: () => nsFrame({ opts: [] }),
      probe: 'mcast',
      sent: [naTo('fd00:1::c', 'SO', C)],
      entry: `DELAY ${C}`,
    },
    {
      name: 'multicast NS without SLLAO from a REACHABLE solicitor → NA; entry stays REACHABLE',
      pre: 'REACHABLE',
      frame: () => nsFrame({ opts: [] }),
      probe: 'mcast',
      sent: [naTo('fd00:1::c', 'SO', C)],
      entry: `REACHABLE ${C}`,
    },
    {
      name: 'multicast NS with the same MAC from a REACHABLE solicitor: no demotion',
      pre: 'REACHABLE',
      frame: () => nsFrame(),
      probe: 'mcast',
      sent: [naTo('fd00:1::c', 'SO', C)],
      entry: `REACHABLE ${C}`,
    },
    {
      name: 'multicast NS with a new MAC from a REACHABLE solicitor → STALE with the new MAC, then DELAY by the NA',
      pre: 'REACHABLE',
      frame: () => nsFrame({ opts: [{ sllao: MAC_C2 }], ethSrc: MAC_C2 }),
      probe: 'mcast',
      sent: [naTo('fd00:1::c', 'SO', C2)],
      entry: `DELAY ${C2}`,
    },
    {
      name: 'NS with SLLAO from a router entry: the router flag is untouched',
      pre: 'REACHABLE_ROUTER',
      frame: () => nsFrame({ opts: [{ sllao: MAC_C2 }] }),
      probe: 'mcast',
      sent: [naTo('fd00:1::c', 'SO', C2)],
      entry: `DELAY ${C2} router`,
    },
    {
      name: 'NS with a new SLLAO from a PERMANENT solicitor: entry unchanged, NA to the permanent MAC',
      pre: 'PERMANENT',
      frame: () => nsFrame({ opts: [{ sllao: MAC_C2 }] }),
      probe: 'mcast',
      sent: [naTo('fd00:1::c', 'SO', C)],
      entry: `PERMANENT ${C}`,
    },
    {
      name: 'force_tllao: unicast NS for our own address gets a TLLAO (O stays 0)',
      host: { conf: { force_tllao: 1 } },
      frame: () => nsFrame({ dst: ADDR_A, ethDst: MAC_A }),
      probe: 'ucast',
      sent: [naTo('fd00:1::c', 'S', C)],
      entry: `DELAY ${C}`,
    },
    {
      name: 'NS for our link-local from a link-local solicitor → NA from the LL',
      frame: () => nsFrame({ src: 'fe80::c', target: LL_A }),
      probe: 'mcast',
      sent: [naTo('fe80::c', 'SO', C, true, LL_A)],
      solicitor: 'fe80::c',
      entry: `DELAY ${C}`,
    },
    {
      name: 'DAD NS for our valid address → NA to ff02::1 [O] with TLLAO, no cache update',
      frame: () => dadNsFrame(ADDR_A, Buffer.from('010203040506', 'hex')),
      probe: null,
      sent: [naTo(ALL_NODES, 'O', MC(ALL_NODES))],
      entry: null,
    },
    {
      name: 'DAD NS without nonce for our valid address → the same defence',
      frame: () => dadNsFrame(ADDR_A, null),
      probe: null,
      sent: [naTo(ALL_NODES, 'O', MC(ALL_NODES))],
      entry: null,
    },
    {
      name: 'forwarding=1: NS for our own address → NA [RSO]',
      host: { conf: { forwarding: 1 } },
      frame: () => nsFrame(),
      probe: 'mcast',
      sent: [naTo('fd00:1::c', 'RSO', C)],
      entry: `DELAY ${C}`,
    },
    {
      name: 'forwarding=1: DAD NS for our own address → NA [RO] to ff02::1',
      host: { conf: { forwarding: 1 } },
      frame: () => dadNsFrame(ADDR_A, null),
      probe: null,
      sent: [naTo(ALL_NODES, 'RO', MC(ALL_NODES))],
      entry: null,
    },
    {
      name: 'forwarding=1: multicast NS for the subnet-router anycast fd00:1:: → NA [RS] TLLAO from fd00:1::a after the proxy delay (400 ms)',
      host: { conf: { forwarding: 1 } },
      frame: () => nsFrame({ target: 'fd00:1::' }),
      probe: null,
      sent: [],
      entry: null,
      then: { ms: 400, sent: [naTo('fd00:1::c', 'RS', C, true, 'fd00:1::', ADDR_A)], entry: `DELAY ${C}` },
      check: (h) => expect(h.stack.inet6.ndisc.tbl.stats.rcvProbesMcast).toBe(1),
    },
    {
      name: 'forwarding=1, proxy_delay=0: the anycast NA leaves at once',
      host: { conf: { forwarding: 1 } },
      setup: (h) => idevOf(h).ndParms.set('proxyDelay', 0),
      frame: () => nsFrame({ target: 'fd00:1::' }),
      probe: 'mcast',
      sent: [naTo('fd00:1::c', 'RS', C, true, 'fd00:1::', ADDR_A)],
      entry: `DELAY ${C}`,
    },
    {
      name: 'forwarding=1: unicast NS for the anycast address (to our MAC) is answered at once [RS], no TLLAO',
      host: { conf: { forwarding: 1 } },
      frame: () => nsFrame({ target: 'fd00:1::', dst: ADDR_A, ethDst: MAC_A }),
      probe: 'ucast',
      sent: [naTo('fd00:1::c', 'RS', C, false, 'fd00:1::', ADDR_A)],
      entry: `DELAY ${C}`,
    },
    {
      name: 'proxy NDP (forwarding=1, DEV.proxy_ndp=1): multicast NS for fd00:1::50 → NA [S] TLLAO after 400 ms',
      host: { conf: { forwarding: 1, proxy_ndp: 1 } },
      setup: (h) => expect(h.stack.inet6.ndisc.tbl.pneighCreate(in6('fd00:1::50'), h.ea)).toBe(0),
      frame: () => nsFrame({ target: 'fd00:1::50' }),
      probe: null,
      sent: [],
      entry: null,
      then: { ms: 400, sent: [naTo('fd00:1::c', 'S', C, true, 'fd00:1::50', ADDR_A)], entry: `DELAY ${C}` },
    },
    {
      name: 'proxy NDP with a router proxy entry → NA [RS] (router flag of the entry, not forwarding)',
      host: { conf: { forwarding: 1, proxy_ndp: 1 } },
      setup: (h) => expect(h.stack.inet6.ndisc.tbl.pneighCreate(in6('fd00:1::51'), h.ea, NTF_ROUTER)).toBe(0),
      frame: () => nsFrame({ target: 'fd00:1::51' }),
      probe: null,
      sent: [],
      entry: null,
      then: { ms: 400, sent: [naTo('fd00:1::c', 'RS', C, true, 'fd00:1::51', ADDR_A)], entry: `DELAY ${C}` },
    },
    {
      name: 'proxy NDP with proxy_delay=0: the NA leaves immediately',
      host: { conf: { forwarding: 1, proxy_ndp: 1 } },
      setup: (h) => {
        idevOf(h).ndParms.set('proxyDelay', 0);
        expect(h.stack.inet6.ndisc.tbl.pneighCreate(in6('fd00:1::50'), h.ea)).toBe(0);
      },
      frame: () => nsFrame({ target: 'fd00:1::50' }),
      probe: 'mcast',
      sent: [naTo('fd00:1::c', 'S', C, true, 'fd00:1::50', ADDR_A)],
      entry: `DELAY ${C}`,
    },
    {
      name: 'proxy NDP: a unicast NS with all.proxy_ndp=1 is answered at once [S], no TLLAO',
      host: { conf: { forwarding: 1 }, all: { proxy_ndp: 1 } },
      setup: (h) => expect(h.stack.inet6.ndisc.tbl.pneighCreate(in6('fd00:1::50'), h.ea)).toBe(0),
      frame: () => nsFrame({ target: 'fd00:1::50', dst: 'fd00:1::50', ethDst: MAC_A }),
      probe: 'ucast',
      sent: [naTo('fd00:1::c', 'S', C, false, 'fd00:1::50', ADDR_A)],
      entry: `DELAY ${C}`,
    },
    {
      name: 'proxy NDP: DAD NS for the proxied address → after the delay NA to ff02::1 [] (O=0) with TLLAO',
      host: { conf: { forwarding: 1, proxy_ndp: 1 } },
      setup: (h) => expect(h.stack.inet6.ndisc.tbl.pneighCreate(in6('fd00:1::50'), h.ea)).toBe(0),
      frame: () => dadNsFrame('fd00:1::50', null),
      probe: null,
      sent: [],
      entry: null,
      then: { ms: 400, sent: [naTo(ALL_NODES, '', MC(ALL_NODES), true, 'fd00:1::50', LL_A)], entry: null },
    },
    {
      name: 'NS for our optimistic address (not DAD) → answered, O=0 even for a multicast NS',
      host: { conf: { optimistic_dad: 1 } },
      setup: (h) => h.stack.inet6.addAddress(h.ea, in6('fd00:1::cc'), 64, { flags: IFA_F_OPTIMISTIC }),
      frame: () => nsFrame({ target: 'fd00:1::cc' }),
      probe: 'mcast',
      sent: [naTo('fd00:1::c', 'S', C, true, 'fd00:1::cc')],
      entry: `DELAY ${C}`,
    },
  ];

  for (const r of rows) {
    it(r.name, () => {
      const h = makeHost6(r.host);
      r.setup?.(h);
      if (r.pre) {
        const m = r.preMac ?? MAC_C;
        if (r.pre === 'STALE') neighAdd6(h, 'fd00:1::c', NUD_STALE, m);
        if (r.pre === 'PERMANENT') neighAdd6(h, 'fd00:1::c', NUD_PERMANENT, m);
        if (r.pre === 'REACHABLE' || r.pre === 'REACHABLE_ROUTER') {
          neighAdd6(h, 'fd00:1::c', NUD_REACHABLE, m, r.pre === 'REACHABLE_ROUTER' ? NTF_ROUTER : 0);
        }
      }
      clearSent(h);
      const c = deliver(h, r.frame(h), r.looped);
      expect(c.drops).toEqual(r.drops ?? {});
      expect({ mcast: c.mcast, ucast: c.ucast }).toEqual({ mcast: r.probe === 'mcast' ? 1 : 0, ucast: r.probe === 'ucast' ? 1 : 0 });
      expect(nd(h)).toEqual(r.sent);
      const sol = r.solicitor ?? 'fd00:1::c';
      expect(ent(h, sol)).toBe(r.entry);
      if (r.then) {
        clearSent(h);
        h.clock.advance(r.then.ms);
        expect(nd(h)).toEqual(r.then.sent);
        expect(ent(h, sol)).toBe(r.then.entry);
      }
      r.check?.(h);
    });
  }

  it('DAD NS with our own nonce for a tentative address: our probe looped back, ignored (dadLooped)', () => {
    const h = makeHost6({ addrs: [`${ADDR_A}/64`, 'fd00:1::aa/64'], dad: ['fd00:1::aa'], settle: false });
    const ifa = ifaOf(h, 'fd00:1::aa')!;
    h.clock.advance(600); // past the random delay (500 ms): the first NS is out, the nonce drawn
    const probe = ndPkts(h).find((p) => p.type === 135 && p.target === 'fd00:1::aa')!;
    expect(probe.nonce).toBe(ifa.dadNonce.toString('hex'));
    const c = deliver(h, probe.raw, true);
    expect(c.drops).toEqual({ dadLooped: 1 });
    expect(c.dadFailures).toBe(0);
    h.clock.advance(2000);
    expect(addrLines(h)).toContain('fd00:1::aa/64');
  });

  it('the same looped probe arriving from the wire (not PACKET_LOOPBACK) is still recognised by its nonce', () => {
    const h = makeHost6({ addrs: [`${ADDR_A}/64`, 'fd00:1::aa/64'], dad: ['fd00:1::aa'], settle: false });
    h.clock.advance(600);
    const probe = ndPkts(h).find((p) => p.type === 135 && p.target === 'fd00:1::aa')!;
    expect(deliver(h, probe.raw).drops).toEqual({ dadLooped: 1 });
    h.clock.advance(2000);
    expect(addrLines(h)).toContain('fd00:1::aa/64');
  });

  const dadFail: { name: string; nonce: Buffer | null }[] = [
    { name: 'a different nonce', nonce: Buffer.from('010203040506', 'hex') },
    { name: 'no nonce', nonce: null },
    { name: 'an all-zero nonce (counts as none)', nonce: Buffer.alloc(6) },
  ];
  for (const r of dadFail) {
    it(`DAD NS with ${r.name} for our tentative address → DAD failure: dadfailed tentative, log line, no NA`, () => {
      const h = makeHost6({ addrs: [`${ADDR_A}/64`, 'fd00:1::aa/64'], dad: ['fd00:1::aa'], settle: false });
      h.clock.advance(600);
      clearSent(h);
      const c = deliver(h, dadNsFrame('fd00:1::aa', r.nonce, { ethSrc: MAC_D }));
      expect(c.drops).toEqual({});
      expect(c.dadFailures).toBe(1);
      expect(nd(h)).toEqual([]);
      expect(addrLines(h)).toContain('fd00:1::aa/64 dadfailed tentative');
      expect(h.logs).toContain(`IPv6: ea: IPv6 duplicate address fd00:1::aa used by ${D} detected!`);
    });
  }

  it('proxy_qlen: with proxy_qlen=0 one request waits, the next is dropped (proxyQueueDrops)', () => {
    const h = makeHost6({ conf: { forwarding: 1, proxy_ndp: 1 } });
    idevOf(h).ndParms.set('proxyQlen', 0);
    expect(h.stack.inet6.ndisc.tbl.pneighCreate(in6('fd00:1::50'), h.ea)).toBe(0);
    inject(h, nsFrame({ target: 'fd00:1::50' }));
    inject(h, nsFrame({ target: 'fd00:1::50', src: 'fd00:1::d', opts: [{ sllao: MAC_D }] }));
    expect(h.stack.inet6.ndisc.tbl.stats.extra.proxyQueueDrops).toBe(1);
    h.clock.advance(800);
    expect(nd(h)).toEqual([naTo('fd00:1::c', 'S', C, true, 'fd00:1::50', ADDR_A)]);
  });

  it('proxy NDP: a unicast NS with only DEV.proxy_ndp is transit traffic: forwarded, resolved, then address unreachable', () => {
    // The kernel also sends a Redirect (fd00:1::50 to fd00:1::50); tapstack sends no redirects.
    const h = makeHost6({ conf: { forwarding: 1, proxy_ndp: 1 } });
    expect(h.stack.inet6.ndisc.tbl.pneighCreate(in6('fd00:1::50'), h.ea)).toBe(0);
    neighAdd6(h, 'fd00:1::c', NUD_REACHABLE, MAC_C);
    clearSent(h);
    const c = deliver(h, nsFrame({ target: 'fd00:1::50', dst: 'fd00:1::50', ethDst: MAC_A }));
    expect(c.icmpIn).toBe(0);
    // A forwarded packet's source is not ours: the solicitation comes from the link-local (§1.4).
    expect(nd(h)).toEqual([mcastNs('fd00:1::50', LL_A)]);
    h.clock.advance(3100);
    expect(icmpOther(h)).toEqual([`UNREACH ${ADDR_A} > fd00:1::c code 3 to ${C}`]);
  });

  it('forwarding turned on at run time joins the subnet-router anycast (its solicited-node group); off leaves it', () => {
    const h = makeHost6();
    idevOf(h).ndParms.set('proxyDelay', 0);
    const grp = (): boolean => idevOf(h).mc.find(in6(snm('fd00:1::')), 0) !== null;
    expect(grp()).toBe(false);
    setConf6(h, 'ea', 'forwarding', 1);
    expect(grp()).toBe(true);
    expect(idevOf(h).acList.map((a) => a.addr.toString('hex'))).toEqual([in6('fd00:1::').toString('hex'), in6('fe80::').toString('hex')]);
    inject(h, nsFrame({ target: 'fd00:1::' }));
    expect(nd(h)).toEqual([naTo('fd00:1::c', 'RS', C, true, 'fd00:1::', ADDR_A)]);
    setConf6(h, 'ea', 'forwarding', 0);
    expect(grp()).toBe(false);
    expect(idevOf(h).acList).toEqual([]);
    clearSent(h);
    expect(deliver(h, nsFrame({ target: 'fd00:1::', dst: ALL_NODES })).drops).toEqual({ nsNotForUs: 1 });
  });

  it('the anycast address goes with the last address of its prefix', () => {
    const h = makeHost6({ conf: { forwarding: 1 }, addrs: [`${ADDR_A}/64`, 'fd00:1::b/64'] });
    expect(idevOf(h).acList.find((a) => a.addr.equals(in6('fd00:1::')))?.users).toBe(2);
    h.stack.delAddress(h.ea, 'fd00:1::a/64');
    expect(h.stack.inet6.addrconf.chkAcast(h.ea, in6('fd00:1::'), 0)).toBe(true);
    h.stack.delAddress(h.ea, 'fd00:1::b/64');
    expect(h.stack.inet6.addrconf.chkAcast(h.ea, in6('fd00:1::'), 0)).toBe(false);
    // ff02::1:ff00:0 is also fe80::'s solicited-node group (the link-local's anycast): one user left.
    expect(idevOf(h).mc.find(in6(snm('fd00:1::')), 0)?.users).toBe(1);
  });

  it('rcv_probes count only non-DAD NS for our, anycast or proxied targets (§1.2)', () => {
    const h = makeHost6();
    inject(h, nsFrame());
    inject(h, nsFrame({ dst: ADDR_A, ethDst: MAC_A }));
    inject(h, nsFrame({ target: 'fd00:1::77', dst: ALL_NODES }));
    inject(h, dadNsFrame(ADDR_A, null));
    expect({ m: h.stack.inet6.ndisc.tbl.stats.rcvProbesMcast, u: h.stack.inet6.ndisc.tbl.stats.rcvProbesUcast }).toEqual({ m: 1, u: 1 });
  });
});

// ---------------------------------------------------------------------------------------------
type St = 'ABSENT' | 'INCOMPLETE' | 'REACHABLE' | 'STALE' | 'DELAY' | 'PROBE' | 'FAILED' | 'PERMANENT' | 'NOARP';

/** Drives fd00:1::c (or `addr`) into a state the way traffic or `ip -6 neigh` would, MAC_C where one is known. */
function bring(h: Host6, st: St, router = false, addr = 'fd00:1::c'): void {
  const fl = router ? NTF_ROUTER : 0;
  switch (st) {
    case 'ABSENT':
      break;
    case 'INCOMPLETE':
      expect(send6(h, addr)).toBe(0);
      break;
    case 'REACHABLE':
      neighAdd6(h, addr, NUD_REACHABLE, MAC_C, fl);
      break;
    case 'STALE':
      neighAdd6(h, addr, NUD_STALE, MAC_C, fl);
      break;
    case 'DELAY':
      neighAdd6(h, addr, NUD_STALE, MAC_C, fl);
      expect(send6(h, addr)).toBe(0);
      break;
    case 'PROBE':
      neighAdd6(h, addr, NUD_STALE, MAC_C, fl);
      expect(send6(h, addr)).toBe(0);
      h.clock.advance(5000);
      break;
    case 'FAILED':
      expect(send6(h, addr)).toBe(0);
      h.clock.advance(3100);
      break;
    case 'PERMANENT':
      neighAdd6(h, addr, NUD_PERMANENT, MAC_C, fl);
      break;
    case 'NOARP':
      neighAdd6(h, addr, NUD_NOARP, MAC_C, fl);
      break;
  }
  expect(entry6(h, addr)?.state ?? 'ABSENT').toBe(st);
  clearSent(h);
}

/** UDP datagrams ea sent (the queued packets of the resolution rows), as "dst via ethdst". */
const udpOut = (h: Host6): string[] => sent6(h).filter((p) => p.nexthdr === 17).map((p) => `${p.dst} to ${p.ethDst}`);

describe('ndisc_recv_na validation (§2.3): one named drop, entry untouched', () => {
  interface Row {
    name: string;
    host?: Host6Options;
    pre?: St;
    frame: () => Buffer;
    counter: keyof NdiscDrops;
  }
  const rows: Row[] = [
    { name: 'ICMPv6 length 23', pre: 'INCOMPLETE', frame: () => naFrame({ opts: [], icmpLen: 23 }), counter: 'tooShort' },
    { name: 'target multicast', pre: 'INCOMPLETE', frame: () => naFrame({ target: 'ff02::1', src: 'fd00:1::c' }), counter: 'targetMulticast' },
    { name: 'multicast destination with S=1', pre: 'INCOMPLETE', frame: () => naFrame({ dst: ALL_NODES, flags: 'SO' }), counter: 'naSolicitedMulticast' },
    { name: 'S=0 with drop_unsolicited_na', host: { conf: { drop_unsolicited_na: 1 } }, pre: 'INCOMPLETE', frame: () => naFrame({ flags: 'O' }), counter: 'naUnsolicitedDropped' },
    {
      name: 'drop_unsolicited_na is checked before the options (a malformed S=0 NA counts there)',
      host: { conf: { drop_unsolicited_na: 1 } },
      pre: 'INCOMPLETE',
      frame: () => naFrame({ flags: 'O', opts: [{ raw: Buffer.from([2, 0, 0, 0, 0, 0, 0, 0]) }] }),
      counter: 'naUnsolicitedDropped',
    },
    {
      name: 'drop_unsolicited_na beats accept_untracked_na on a router',
      host: { conf: { drop_unsolicited_na: 1, forwarding: 1, accept_untracked_na: 1 } },
      frame: () => naFrame({ flags: 'O', dst: ALL_NODES }),
      counter: 'naUnsolicitedDropped',
    },
    { name: 'option with length 0', pre: 'INCOMPLETE', frame: () => naFrame({ opts: [{ raw: Buffer.from([2, 0, 0, 0, 0, 0, 0, 0]) }] }), counter: 'badOptions' },
    { name: 'TLLAO of 16 bytes', pre: 'INCOMPLETE', frame: () => naFrame({ opts: [{ tllao: MAC_C, len: 2 }] }), counter: 'badLladdr' },
    { name: 'hop limit 64', pre: 'INCOMPLETE', frame: () => naFrame({ hopLimit: 64 }), counter: 'badHopLimitOrCode' },
    { name: 'code 1', pre: 'INCOMPLETE', frame: () => naFrame({ code: 1 }), counter: 'badHopLimitOrCode' },
    { name: 'host: no entry for the target (hosts never create entries from NAs)', frame: () => naFrame(), counter: 'naUntracked' },
    { name: 'host with accept_untracked_na=1: still nothing (forwarding only)', host: { conf: { accept_untracked_na: 1 } }, frame: () => naFrame({ flags: 'O', dst: ALL_NODES }), counter: 'naUntracked' },
    { name: 'forwarding, accept_untracked_na=0: nothing', host: { conf: { forwarding: 1 } }, frame: () => naFrame({ flags: 'O', dst: ALL_NODES }), counter: 'naUntracked' },
    {
      name: 'forwarding, accept_untracked_na=1 but no TLLAO: nothing',
      host: { conf: { forwarding: 1, accept_untracked_na: 1 } },
      frame: () => naFrame({ flags: 'O', dst: ALL_NODES, opts: [] }),
      counter: 'naUntracked',
    },
    {
      name: 'forwarding, accept_untracked_na=2, source outside every prefix of the device: nothing',
      host: { conf: { forwarding: 1, accept_untracked_na: 2 } },
      frame: () => naFrame({ target: 'fd00:2::c', flags: 'O', dst: ALL_NODES }),
      counter: 'naUntracked',
    },
    { name: 'FAILED entry: a late answer never revives it', pre: 'FAILED', frame: () => naFrame(), counter: 'naFailedEntry' },
  ];
  for (const r of rows) {
    it(r.name, () => {
      const h = makeHost6(r.host);
      bring(h, r.pre ?? 'ABSENT');
      const before = r.pre ? ent(h, 'fd00:1::c') : null;
      const keys = entries6(h);
      const c = deliver(h, r.frame());
      expect(c.drops).toEqual({ [r.counter]: 1 });
      expect(c.icmpIn).toBe(1);
      expect(entries6(h)).toEqual(keys);
      if (r.pre) expect(ent(h, 'fd00:1::c')).toBe(before);
      expect(udpOut(h)).toEqual([]);
      expect(nd(h)).toEqual([]);
    });
  }

  it('NA for our non-tentative address: ignored, counted, and the kernel warning names the Ethernet source', () => {
    const h = makeHost6();
    const c = deliver(h, naFrame({ target: ADDR_A, src: 'fd00:1::c', dst: ALL_NODES, flags: 'O', ethSrc: mac6('02:00:00:00:0c:66'), opts: [{ tllao: MAC_D }] }));
    expect(c.drops).toEqual({ naOwnAddress: 1 });
    expect(h.logs).toEqual(['ICMPv6: NA: 02:00:00:00:0c:66 advertised our address fd00:1::a on ea!']);
    expect(addrLines(h)).toContain('fd00:1::a/64 nodad');
  });

  it('our own NA looped back (PACKET_LOOPBACK): counted, no warning', () => {
    const h = makeHost6();
    const c = deliver(h, naFrame({ target: ADDR_A, src: ADDR_A, dst: ALL_NODES, flags: 'O', ethSrc: MAC_A, opts: [{ tllao: MAC_A }] }), true);
    expect(c.drops).toEqual({ naOwnAddress: 1 });
    expect(h.logs).toEqual([]);
  });

  const tentative: { name: string; frame: () => Buffer }[] = [
    { name: 'S=0 O=1 to ff02::1 with TLLAO', frame: () => naFrame({ target: 'fd00:1::aa', src: 'fd00:1::aa', dst: ALL_NODES, flags: 'O', ethSrc: MAC_D }) },
    { name: 'S=1 unicast to another address of ours, no TLLAO', frame: () => naFrame({ target: 'fd00:1::aa', src: 'fd00:1::aa', dst: ADDR_A, flags: 'S', ethSrc: MAC_D, opts: [] }) },
    { name: 'no flags at all', frame: () => naFrame({ target: 'fd00:1::aa', src: 'fe80::d', dst: ALL_NODES, flags: '', ethSrc: MAC_D }) },
  ];
  for (const t of tentative) {
    it(`NA for our tentative address (${t.name}) → DAD failure, MAC from the Ethernet header`, () => {
      const h = makeHost6({ addrs: [`${ADDR_A}/64`, 'fd00:1::aa/64'], dad: ['fd00:1::aa'], settle: false });
      h.clock.advance(600);
      const c = deliver(h, t.frame());
      expect(c.drops).toEqual({});
      expect(c.dadFailures).toBe(1);
      expect(addrLines(h)).toContain('fd00:1::aa/64 dadfailed tentative');
      expect(h.logs).toEqual([`IPv6: ea: IPv6 duplicate address fd00:1::aa used by ${D} detected!`]);
    });
  }

  it('NA for our tentative address looped back: not a DAD failure', () => {
    const h = makeHost6({ addrs: [`${ADDR_A}/64`, 'fd00:1::aa/64'], dad: ['fd00:1::aa'], settle: false });
    h.clock.advance(600);
    const c = deliver(h, naFrame({ target: 'fd00:1::aa', src: 'fd00:1::aa', dst: ALL_NODES, flags: 'O', ethSrc: MAC_A }), true);
    expect(c.drops).toEqual({ naOwnAddress: 1 });
    expect(c.dadFailures).toBe(0);
    h.clock.advance(2000);
    expect(addrLines(h)).toContain('fd00:1::aa/64');
  });

  it('a proxy NA from ourselves (TLLAO = our MAC, all.forwarding, all.proxy_ndp, proxy entry) does not touch the entry', () => {
    const h = makeHost6({ all: { forwarding: 1, proxy_ndp: 1 } });
    expect(h.stack.inet6.ndisc.tbl.pneighCreate(in6('fd00:1::c'), h.ea)).toBe(0);
    bring(h, 'STALE');
    const c = deliver(h, naFrame({ flags: 'SO', opts: [{ tllao: MAC_A }] }));
    expect(c.drops).toEqual({ naOwnProxy: 1 });
    expect(ent(h, 'fd00:1::c')).toBe(`STALE ${C}`);
  });
});

describe('ndisc_recv_na outcomes (§2.3 table: state × S/O/R × same/new/no lladdr)', () => {
  type Ll = 'same' | 'new' | 'none';
  interface Row {
    pre: St;
    router?: boolean;
    host?: Host6Options;
    flags: string;
    ll: Ll;
    /** ent() afterwards. */
    to: string | null;
    /** The queued datagram left (INCOMPLETE rows): to which MAC. */
    xmit?: string[];
    note?: string;
  }
  const rows: Row[] = [
    { pre: 'INCOMPLETE', flags: 'SO', ll: 'none', to: 'INCOMPLETE', xmit: [], note: 'no lladdr to use' },
    { pre: 'INCOMPLETE', flags: 'S', ll: 'none', to: 'INCOMPLETE', xmit: [] },
    { pre: 'INCOMPLETE', flags: 'O', ll: 'new', to: `DELAY ${C2}`, xmit: [`fd00:1::c to ${C2}`], note: 'STALE, queue sent at once → DELAY' },
    { pre: 'INCOMPLETE', flags: '', ll: 'new', to: `DELAY ${C2}`, xmit: [`fd00:1::c to ${C2}`] },
    { pre: 'INCOMPLETE', flags: 'SO', ll: 'new', to: `REACHABLE ${C2}`, xmit: [`fd00:1::c to ${C2}`], note: 'the normal resolution' },
    { pre: 'INCOMPLETE', flags: 'S', ll: 'new', to: `REACHABLE ${C2}`, xmit: [`fd00:1::c to ${C2}`] },
    { pre: 'INCOMPLETE', flags: 'RSO', ll: 'new', to: `REACHABLE ${C2} router`, xmit: [`fd00:1::c to ${C2}`] },
    { pre: 'REACHABLE', flags: 'O', ll: 'new', to: `STALE ${C2}` },
    { pre: 'REACHABLE', flags: '', ll: 'new', to: `STALE ${C}`, note: 'old MAC kept' },
    { pre: 'REACHABLE', router: true, flags: '', ll: 'new', to: `STALE ${C} router`, note: 'old MAC kept, router flag unchanged' },
    { pre: 'REACHABLE', flags: 'SO', ll: 'new', to: `REACHABLE ${C2}` },
    { pre: 'REACHABLE', flags: 'S', ll: 'new', to: `STALE ${C}`, note: 'S without O and a new MAC: suspicious → STALE, old MAC' },
    { pre: 'REACHABLE', flags: 'RSO', ll: 'same', to: `REACHABLE ${C} router` },
    { pre: 'REACHABLE', flags: 'S', ll: 'none', to: `REACHABLE ${C}` },
    { pre: 'REACHABLE', flags: '', ll: 'same', to: `REACHABLE ${C}`, note: 'same MAC: no demotion' },
    { pre: 'STALE', flags: '', ll: 'new', to: `STALE ${C}` },
    { pre: 'STALE', flags: 'S', ll: 'new', to: `STALE ${C}`, note: 'only confirmed is refreshed' },
    { pre: 'STALE', flags: 'S', ll: 'none', to: `REACHABLE ${C}` },
    { pre: 'STALE', flags: 'S', ll: 'same', to: `REACHABLE ${C}` },
    { pre: 'STALE', flags: 'SO', ll: 'new', to: `REACHABLE ${C2}` },
    { pre: 'STALE', flags: 'O', ll: 'new', to: `STALE ${C2}` },
    { pre: 'STALE', flags: '', ll: 'same', to: `STALE ${C}` },
    { pre: 'STALE', flags: 'R', ll: 'same', to: `STALE ${C} router`, note: 'router flag := R' },
    { pre: 'STALE', router: true, flags: '', ll: 'none', to: `STALE ${C}`, note: 'router flag := R (0)' },
    { pre: 'DELAY', flags: '', ll: 'same', to: `DELAY ${C}` },
    { pre: 'DELAY', flags: '', ll: 'none', to: `DELAY ${C}` },
    { pre: 'DELAY', flags: 'R', ll: 'none', to: `DELAY ${C} router` },
    { pre: 'DELAY', flags: 'S', ll: 'none', to: `REACHABLE ${C}` },
    { pre: 'PROBE', flags: '', ll: 'same', to: `PROBE ${C}` },
    { pre: 'PROBE', flags: 'S', ll: 'same', to: `REACHABLE ${C}` },
    { pre: 'PROBE', flags: 'S', ll: 'none', to: `REACHABLE ${C}` },
    { pre: 'PROBE', flags: 'SO', ll: 'new', to: `REACHABLE ${C2}` },
    { pre: 'PERMANENT', flags: 'SO', ll: 'new', to: `PERMANENT ${C}` },
    { pre: 'PERMANENT', router: true, flags: 'O', ll: 'new', to: `PERMANENT ${C} router` },
    { pre: 'NOARP', flags: 'RSO', ll: 'new', to: `NOARP ${C}` },
    { pre: 'ABSENT', host: { conf: { forwarding: 1, accept_untracked_na: 1 } }, flags: 'O', ll: 'same', to: `STALE ${C}`, note: 'RFC 9131 router' },
    { pre: 'ABSENT', host: { conf: { forwarding: 1, accept_untracked_na: 2 } }, flags: 'O', ll: 'same', to: `STALE ${C}`, note: 'source inside fd00:1::/64' },
    { pre: 'ABSENT', host: { conf: { forwarding: 1, accept_untracked_na: 1 } }, flags: 'SO', ll: 'same', to: `STALE ${C}`, note: 'solicited or not: created STALE' },
  ];
  for (const r of rows) {
    const what = `${r.pre}${r.router ? ' router' : ''}${r.host ? ` (${JSON.stringify(r.host.conf)})` : ''} + NA [${r.flags}] ${r.ll === 'none' ? 'no TLLAO' : `${r.ll} MAC`} → ${r.to}${r.note ? ` (${r.note})` : ''}`;
    it(what, () => {
      const h = makeHost6(r.host);
      bring(h, r.pre, r.router);
      const opts = r.ll === 'none' ? [] : [{ tllao: r.ll === 'same' ? MAC_C : MAC_C2 }];
      const c = deliver(h, naFrame({ flags: r.flags, opts, dst: r.flags.includes('S') ? ADDR_A : ALL_NODES }));
      expect(c.drops).toEqual({});
      expect(ent(h, 'fd00:1::c')).toBe(r.to);
      expect(udpOut(h)).toEqual(r.xmit ?? []);
      expect(nd(h)).toEqual([]);
    });
  }

  it('accept_untracked_na=1 also learns a source outside every prefix; =2 does not (measured matrix)', () => {
    for (const [v, want] of [[1, ['fd00:1::c STALE', 'fd00:2::c STALE']], [2, ['fd00:1::c STALE']]] as const) {
      const h = makeHost6({ conf: { forwarding: 1, accept_untracked_na: v } });
      inject(h, naFrame({ flags: 'O', dst: ALL_NODES, opts: [{ tllao: MAC_C }] }));
      inject(h, naFrame({ target: 'fd00:2::c', flags: 'O', dst: ALL_NODES, opts: [{ tllao: MAC_C2 }] }));
      expect(entries6(h)).toEqual(want);
    }
  });

  it('a router that advertises R=0 loses the router flag and its RA default route (gateway = the NA source)', () => {
    const h = makeHost6();
    inject(h, raFrame());
    expect(ent(h, LL_B)).toBe(`STALE 02:00:00:00:0b:01 router`);
    expect(raRoutes(h)).toHaveLength(1);
    const c = deliver(h, naFrame({ target: LL_B, src: LL_B, dst: ALL_NODES, flags: 'O', ethSrc: MAC_B, opts: [{ tllao: MAC_B }] }));
    expect(c.drops).toEqual({});
    expect(ent(h, LL_B)).toBe('STALE 02:00:00:00:0b:01');
    expect(raRoutes(h)).toEqual([]);
  });

  it('the route goes only when the NA comes from the gateway itself: another source clears the flag, keeps the route', () => {
    const h = makeHost6();
    inject(h, raFrame());
    inject(h, naFrame({ target: LL_B, src: 'fe80::c', dst: ALL_NODES, flags: 'O', opts: [{ tllao: MAC_B }] }));
    expect(ent(h, LL_B)).toBe('STALE 02:00:00:00:0b:01');
    expect(raRoutes(h)).toHaveLength(1);
  });

  it('a router entry that stays a router (R=1) keeps its default route', () => {
    const h = makeHost6();
    inject(h, raFrame());
    inject(h, naFrame({ target: LL_B, src: LL_B, dst: ALL_NODES, flags: 'RO', ethSrc: MAC_B, opts: [{ tllao: MAC_B }] }));
    expect(ent(h, LL_B)).toBe('STALE 02:00:00:00:0b:01 router');
    expect(raRoutes(h)).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------
describe('resolution through nd_tbl (§1.4 ndisc_solicit, §1.5 ndisc_error_report)', () => {
  /** Advances 1 ms at a time for `ms`, returning "t line state probes" for each ND frame as it left. */
  function watch(h: Host6, ms: number, addr: string): string[] {
    const out: string[] = [];
    const t0 = h.clock.now();
    for (let t = 0; t <= ms; t++) {
      if (t > 0) h.clock.advance(1);
      const pkts = ndPkts(h);
      while (out.length < pkts.length) {
        const e = entry6(h, addr);
        out.push(`${h.clock.now() - t0} ${line(pkts[out.length])} | ${e?.state} probes ${e?.probes}`);
      }
    }
    return out;
  }

  it('INCOMPLETE: 3 multicast NS 1 s apart from the packet source, probes 4, 5, 6, then FAILED; the datagram waits, then ICMPv6 code 3 to ourselves', () => {
    const h = makeHost6();
    expect(send6(h, 'fd00:1::99')).toBe(0);
    const lines = watch(h, 3100, 'fd00:1::99');
    expect(lines).toEqual([
      `0 ${mcastNs('fd00:1::99')} | INCOMPLETE probes 4`,
      `1000 ${mcastNs('fd00:1::99')} | INCOMPLETE probes 5`,
      `2000 ${mcastNs('fd00:1::99')} | INCOMPLETE probes 6`,
    ]);
    expect(entry6(h, 'fd00:1::99')).toEqual({ state: 'FAILED', lladdr: null, router: false, probes: 6 });
    expect(h.stack.inet6.ndisc.tbl.stats.resFailed).toBe(1);
    // The error for a locally generated packet goes to our own address: nothing on the wire.
    expect(icmpOther(h)).toEqual([]);
    expect(udpOut(h)).toEqual([]);
    expect(h.stack.inet6.icmp.stats.outDestUnreachs).toBe(1);
    expect(h.stack.inet6.icmp.stats.inDestUnreachs).toBe(0);
  });

  it('the first datagram is queued, not lost: sent with the MAC as soon as the NA arrives', () => {
    const h = makeHost6();
    expect(send6(h, 'fd00:1::c')).toBe(0);
    expect(send6(h, 'fd00:1::c')).toBe(0);
    expect(nd(h)).toEqual([mcastNs('fd00:1::c')]);
    expect(udpOut(h)).toEqual([]);
    h.clock.advance(300);
    inject(h, naFrame());
    expect(udpOut(h)).toEqual([`fd00:1::c to ${C}`, `fd00:1::c to ${C}`]);
    expect(ent(h, 'fd00:1::c')).toBe(`REACHABLE ${C}`);
    h.clock.advance(5000);
    expect(nd(h)).toEqual([mcastNs('fd00:1::c')]);
  });

  const sources: { name: string; src: string | null; dst?: string; oif?: boolean; setup?: (h: Host6) => void; ns: string }[] = [
    { name: 'source selection (fd00:1::a)', src: null, ns: 'fd00:1::a' },
    { name: 'the link-local for a link-local destination', src: null, dst: 'fe80::99', oif: true, ns: LL_A },
    { name: 'an explicit fd00:1::a', src: ADDR_A, dst: 'fd00:1::99', ns: ADDR_A },
    {
      name: 'the LL when the packet source is tentative',
      src: 'fd00:1::aa',
      setup: (h) => h.stack.addAddress(h.ea, 'fd00:1::aa/64'),
      ns: LL_A,
    },
    {
      name: 'the LL when the packet source lives on another device',
      src: 'fd00:2::a',
      setup: (h) => h.stack.addAddress(addSecondDev(h), 'fd00:2::a/64', { nodad: true }),
      ns: LL_A,
    },
    { name: 'the LL when the packet source is not ours at all', src: 'fd00:1::77', ns: LL_A },
  ];
  for (const s of sources) {
    it(`NS source: ${s.name}`, () => {
      const h = makeHost6();
      s.setup?.(h);
      clearSent(h);
      const dst = s.dst ?? 'fd00:1::99';
      expect(send6(h, dst, s.src, s.oif)).toBe(0);
      expect(nd(h)).toEqual([mcastNs(dst, s.ns)]);
    });
  }

  it('no usable source at all (no link-local, packet from elsewhere): nothing is sent, the entry still fails', () => {
    const h = makeHost6({ conf: { addr_gen_mode: 1 } });
    expect(addrLines(h)).toEqual(['fd00:1::a/64 nodad']);
    expect(send6(h, 'fd00:1::99', 'fd00:1::77')).toBe(0);
    h.clock.advance(3100);
    expect(ndPkts(h).filter((p) => p.target === 'fd00:1::99')).toEqual([]);
    expect(ent(h, 'fd00:1::99')).toBe('FAILED');
    // The address-unreachable error then goes to the packet's (foreign) source, from fd00:1::a.
    expect(nd(h)).toEqual([mcastNs('fd00:1::77')]);
  });

  it('STALE → DELAY (datagram sent at once with the cached MAC) → PROBE: 3 unicast NS from the link-local 1 s apart, then FAILED', () => {
    const h = makeHost6();
    bring(h, 'STALE');
    expect(send6(h, 'fd00:1::c')).toBe(0);
    expect(udpOut(h)).toEqual([`fd00:1::c to ${C}`]);
    expect(ent(h, 'fd00:1::c')).toBe(`DELAY ${C}`);
    clearSent(h);
    const lines = watch(h, 8100, 'fd00:1::c');
    expect(lines).toEqual([
      `5000 ${ucastNs('fd00:1::c', C)} | PROBE probes 1`,
      `6000 ${ucastNs('fd00:1::c', C)} | PROBE probes 2`,
      `7000 ${ucastNs('fd00:1::c', C)} | PROBE probes 3`,
    ]);
    expect(entry6(h, 'fd00:1::c')?.state).toBe('FAILED');
  });

  it('PROBE answered by NA [S] without TLLAO → REACHABLE with the cached MAC', () => {
    const h = makeHost6();
    bring(h, 'PROBE');
    expect(nd(h)).toEqual([]);
    inject(h, naFrame({ flags: 'S', opts: [], dst: LL_A }));
    expect(ent(h, 'fd00:1::c')).toBe(`REACHABLE ${C}`);
  });

  it('REACHABLE → STALE after reachable_time (base 30 s, drawn at 0.5 → 30 s), silently', () => {
    const h = makeHost6();
    expect(send6(h, 'fd00:1::c')).toBe(0);
    inject(h, naFrame());
    clearSent(h);
    h.clock.advance(30_000);
    expect(ent(h, 'fd00:1::c')).toBe(`REACHABLE ${C}`);
    h.clock.advance(100);
    expect(ent(h, 'fd00:1::c')).toBe(`STALE ${C}`);
    expect(nd(h)).toEqual([]);
  });

  it('ping6 to an address nobody has: "From fd00:1::a icmp_seq=1 Destination unreachable: Address unreachable" after 3 NS', async () => {
    const h = makeHost6();
    const p = h.stack.ping('fd00:1::99', { count: 1, timeout: 5 });
    for (let i = 0; i < 40; i++) {
      h.clock.advance(100);
      await Promise.resolve();
    }
    h.clock.advance(10_000);
    const r = await p;
    expect(r.lines).toEqual([
      'PING fd00:1::99(fd00:1::99) 56 data bytes',
      'From fd00:1::a icmp_seq=1 Destination unreachable: Address unreachable',
      '',
      '--- fd00:1::99 ping statistics ---',
      '1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 0ms',
      '',
    ]);
    expect(nd(h)).toEqual([mcastNs('fd00:1::99'), mcastNs('fd00:1::99'), mcastNs('fd00:1::99')]);
  });

  it('a forwarded packet whose next hop fails: ICMPv6 address unreachable on the wire from our global address', () => {
    const h = makeHost6({ conf: { forwarding: 1 } });
    bring(h, 'REACHABLE', false, 'fd00:1::c');
    const eb = addSecondDev(h);
    h.stack.addAddress(eb, 'fd00:2::a/64', { nodad: true });
    setConf6(h, 'eb', 'forwarding', 1);
    h.clock.advance(2500); // eb's link-local: the solicitation source for a forwarded packet
    eb.sent.length = 0;
    clearSent(h);
    // A datagram from fd00:1::c (on ea) for fd00:2::99 (on eb) fails resolution on eb.
    inject(h, udpFrame('fd00:1::c', 'fd00:2::99'));
    h.clock.advance(3100);
    expect(eb.sent.map((x) => line(parse6(x)!)).filter((l) => l.startsWith('NS'))).toEqual([
      `NS fe80::ff:fe00:a02 > ${snm('fd00:2::99')} tgt fd00:2::99 sllao 02:00:00:00:0a:02 to ${MC(snm('fd00:2::99'))}`,
      `NS fe80::ff:fe00:a02 > ${snm('fd00:2::99')} tgt fd00:2::99 sllao 02:00:00:00:0a:02 to ${MC(snm('fd00:2::99'))}`,
      `NS fe80::ff:fe00:a02 > ${snm('fd00:2::99')} tgt fd00:2::99 sllao 02:00:00:00:0a:02 to ${MC(snm('fd00:2::99'))}`,
    ]);
    expect(icmpOther(h)).toEqual([`UNREACH ${ADDR_A} > fd00:1::c code 3 to ${C}`]);
  });
});

// ---------------------------------------------------------------------------------------------
describe('device events (§5 ndisc_netdev_event / addrconf_notify)', () => {
  /** The reference's setup: fd00:1::c PERMANENT, fd00:1::d STALE, fd00:1::e REACHABLE, proxy fd00:1::50. */
  function setup(o: Host6Options = {}): Host6 {
    const h = makeHost6(o);
    neighAdd6(h, 'fd00:1::c', NUD_PERMANENT, mac6('02:00:00:00:0c:02'));
    neighAdd6(h, 'fd00:1::d', NUD_STALE, mac6('02:00:00:00:0d:02'));
    neighAdd6(h, 'fd00:1::e', NUD_REACHABLE, mac6('02:00:00:00:0e:02'));
    // `ip -6 neigh add proxy` sends NUD_PERMANENT by default; a second entry without it.
    expect(h.stack.inet6.ndisc.tbl.pneighCreate(in6('fd00:1::50'), h.ea, 0, 0, true)).toBe(0);
    expect(h.stack.inet6.ndisc.tbl.pneighCreate(in6('fd00:1::51'), h.ea, 0, 0, false)).toBe(0);
    expect(send6(h, 'ff02::1:2')).toBe(0); // a NOARP multicast entry
    expect(entries6(h)).toEqual(['fd00:1::c PERMANENT', 'fd00:1::d STALE', 'fd00:1::e REACHABLE']);
    clearSent(h);
    return h;
  }
  const idevOf6 = (h: Host6): unknown => in6DevGet(h.ea);
  const proxies = (h: Host6): string[] => h.stack.proxyNeighbours(undefined, 'inet6').map((p) => `${p.dst} ${p.dev}`).sort();
  const BOTH = ['fd00:1::50 ea', 'fd00:1::51 ea'];
  const all = (h: Host6): string[] => h.stack.neighbours('inet6').map((n) => `${n.dst} ${n.stateNames.join(',')}`).sort();

  interface Row {
    name: string;
    host?: Host6Options;
    event: (h: Host6) => void;
    entries: string[];
    /** NOARP multicast entries survive too. */
    mcast: boolean;
    proxy: string[];
    addrs: string[];
  }
  const ADDRS = ['fd00:1::a/64 nodad', `${LL_A}/64`];
  const rows: Row[] = [
    { name: 'MAC change: every entry goes, PERMANENT and NOARP too; proxy entries and addresses stay (the LL is not regenerated)', event: (h) => h.stack.linkSet(h.ea, { address: '02:00:00:00:0a:02' }), entries: [], mcast: false, proxy: BOTH, addrs: ADDRS },
    {
      name: 'carrier loss: PERMANENT entries and permanent proxy entries stay; the rest goes, NOARP multicast too; addresses stay',
      event: (h) => h.stack.net.netifCarrierOff(h.ea),
      entries: ['fd00:1::c PERMANENT'],
      mcast: false,
      proxy: ['fd00:1::50 ea'],
      addrs: ADDRS,
    },
    { name: 'carrier loss with DEV.ndisc_evict_nocarrier=0 (all=1): nothing flushed', host: { conf: { ndisc_evict_nocarrier: 0 } }, event: (h) => h.stack.net.netifCarrierOff(h.ea), entries: ['fd00:1::c PERMANENT', 'fd00:1::d STALE', 'fd00:1::e REACHABLE'], mcast: true, proxy: BOTH, addrs: ADDRS },
    { name: 'carrier loss with all.ndisc_evict_nocarrier=0 (DEV=1): nothing flushed', host: { all: { ndisc_evict_nocarrier: 0 } }, event: (h) => h.stack.net.netifCarrierOff(h.ea), entries: ['fd00:1::c PERMANENT', 'fd00:1::d STALE', 'fd00:1::e REACHABLE'], mcast: true, proxy: BOTH, addrs: ADDRS },
    { name: 'admin down: everything goes (PERMANENT, NOARP, proxy), and every address', event: (h) => h.stack.linkSet(h.ea, { up: false }), entries: [], mcast: false, proxy: [], addrs: [] },
    { name: 'IFF_NOARP turned on: every entry flushed, proxy kept', event: (h) => h.stack.linkSet(h.ea, { arp: false }), entries: [], mcast: false, proxy: BOTH, addrs: ADDRS },
    { name: 'disable_ipv6=1: as down — every entry, proxy and address gone', event: (h) => setConf6(h, 'ea', 'disable_ipv6', 1), entries: [], mcast: false, proxy: [], addrs: [] },
    {
      name: 'disable_ipv6=1 with keep_addr_on_down=1: addresses go all the same',
      host: { conf: { keep_addr_on_down: 1 } },
      event: (h) => setConf6(h, 'ea', 'disable_ipv6', 1),
      entries: [],
      mcast: false,
      proxy: [],
      addrs: [],
    },
    { name: 'MTU below 1280: IPv6 stops on the device (rt6_disable_ip flushes nd_tbl, the inet6_dev goes)', event: (h) => h.stack.linkSet(h.ea, { mtu: 1200 }), entries: [], mcast: false, proxy: [], addrs: [] },
    {
      name: 'MTU below 1280 with keep_addr_on_down=1: nothing kept (it counts as unregistering)',
      host: { conf: { keep_addr_on_down: 1 } },
      event: (h) => h.stack.linkSet(h.ea, { mtu: 1200 }),
      entries: [],
      mcast: false,
      proxy: [],
      addrs: [],
    },
  ];
  for (const r of rows) {
    it(r.name, () => {
      const h = setup(r.host);
      r.event(h);
      expect(entries6(h)).toEqual(r.entries);
      expect(all(h).some((x) => x.startsWith('ff02::1:2 '))).toBe(r.mcast);
      expect(proxies(h)).toEqual(r.proxy);
      expect(addrLines(h)).toEqual(r.addrs);
    });
  }

  it('admin down removes every route of the device; up again brings only the new MAC’s link-local', () => {
    const h = setup();
    h.stack.linkSet(h.ea, { up: false });
    expect(h.stack.inet6.fib.routesBy({ dev: h.ea })).toEqual([]);
    h.stack.linkSet(h.ea, { address: '02:00:00:00:0a:02' });
    h.stack.linkSet(h.ea, { up: true });
    h.clock.advance(2000);
    expect(addrLines(h)).toEqual(['fe80::ff:fe00:a02/64']);
    expect(prefixRoutes6(h)).toEqual([]);
  });

  it('disable_ipv6 back to 0 on an up device: as up — the link-local returns after DAD', () => {
    const h = setup();
    setConf6(h, 'ea', 'disable_ipv6', 1);
    setConf6(h, 'ea', 'disable_ipv6', 0);
    expect(addrLines(h)).toEqual([`${LL_A}/64 tentative`]);
    h.clock.advance(2000);
    expect(addrLines(h)).toEqual([`${LL_A}/64`]);
  });

  it('while disable_ipv6=1 frames are dropped before ICMPv6 (Ip6InDiscards)', () => {
    const h = setup();
    setConf6(h, 'ea', 'disable_ipv6', 1);
    const d0 = h.stack.inet6.stats.inDiscards;
    const c = deliver(h, nsFrame());
    expect(c.icmpIn).toBe(0);
    expect(h.stack.inet6.stats.inDiscards - d0).toBe(1);
    expect(nd(h)).toEqual([]);
  });

  it('MTU back to ≥ 1280: a fresh inet6_dev (conf from default), no link-local until the next up or carrier change', () => {
    const h = setup({ conf: { hop_limit: 5 } });
    h.stack.linkSet(h.ea, { mtu: 1200 });
    expect(idevOf6(h)).toBeNull();
    h.stack.linkSet(h.ea, { mtu: 1500 });
    expect(getConf6(h, 'hop_limit')).toBe(64);
    h.clock.advance(3000);
    expect(addrLines(h)).toEqual([]);
    h.stack.linkSet(h.ea, { up: false });
    h.stack.linkSet(h.ea, { up: true });
    h.clock.advance(3000);
    expect(addrLines(h)).toEqual([`${LL_A}/64`]);
  });

  it('keep_addr_on_down: all=-1 overrides DEV=1 (all counts when non-zero)', () => {
    const h = setup({ conf: { keep_addr_on_down: 1 }, all: { keep_addr_on_down: -1 } });
    h.stack.linkSet(h.ea, { up: false });
    expect(addrLines(h)).toEqual([]);
  });

  it('MTU change ≥ 1280: net.ipv6.conf.DEV.mtu follows the device', () => {
    const h = setup();
    h.stack.linkSet(h.ea, { mtu: 1400 });
    expect(getConf6(h, 'mtu')).toBe(1400);
    expect(entries6(h)).toEqual(['fd00:1::c PERMANENT', 'fd00:1::d STALE', 'fd00:1::e REACHABLE']);
  });

  it('carrier back: entries learnt again from traffic; addresses were never touched', () => {
    const h = setup();
    h.stack.net.netifCarrierOff(h.ea);
    h.stack.net.netifCarrierOn(h.ea);
    inject(h, nsFrame({ src: 'fd00:1::d', ethSrc: MAC_D, opts: [{ sllao: MAC_D }] }));
    expect(ent(h, 'fd00:1::d')).toBe(`DELAY ${D}`);
    expect(addrLines(h)).toEqual(['fd00:1::a/64 nodad', `${LL_A}/64`]);
  });

  it('NETDEV_NOTIFY_PEERS: unsolicited NA per address whatever ndisc_notify says', () => {
    const h = setup();
    h.stack.net.netdevNotifyPeers(h.ea);
    expect(nd(h).sort()).toEqual([
      `NA ${ADDR_A} > ${ALL_NODES} tgt ${ADDR_A} [O] tllao ${A} to ${MC(ALL_NODES)}`,
      `NA ${LL_A} > ${ALL_NODES} tgt ${LL_A} [O] tllao ${A} to ${MC(ALL_NODES)}`,
    ].sort());
  });

  it('MAC change with ndisc_notify: NAs from the new MAC with the new TLLAO', () => {
    const h = setup({ conf: { ndisc_notify: 1 } });
    h.stack.linkSet(h.ea, { address: '02:00:00:00:0a:02' });
    const N = '02:00:00:00:0a:02';
    expect(nd(h).sort()).toEqual([
      `NA ${ADDR_A} > ${ALL_NODES} tgt ${ADDR_A} [O] tllao ${N} to ${MC(ALL_NODES)}`,
      `NA ${LL_A} > ${ALL_NODES} tgt ${LL_A} [O] tllao ${N} to ${MC(ALL_NODES)}`,
    ].sort());
  });
});

// ---------------------------------------------------------------------------------------------
describe('RS receive (§2.4), Redirect (§2.6), ndisc_constructor (§1.3)', () => {
  const rsRows: { name: string; host?: Host6Options; pre?: 'router'; frame: () => Buffer; drops: Drops; entry: string | null }[] = [
    // A host has not joined ff02::2: an RS reaches ND only when sent to one of its own addresses.
    { name: 'host: RS (unicast to our link-local) ignored', frame: () => rsFrame({ dst: LL_A, ethDst: MAC_A }), drops: { rsIgnored: 1 }, entry: null },
    { name: 'router: RS from :: ignored', host: { conf: { forwarding: 1 } }, frame: () => rsFrame({ src: '::', opts: [] }), drops: { rsIgnored: 1 }, entry: null },
    { name: 'router: RS with SLLAO → entry STALE, no router flag', host: { conf: { forwarding: 1 } }, frame: () => rsFrame(), drops: {}, entry: `STALE ${C}` },
    { name: 'router: RS from a router entry clears the router flag', host: { conf: { forwarding: 1 } }, pre: 'router', frame: () => rsFrame({ opts: [{ sllao: MAC_C2 }] }), drops: {}, entry: `STALE ${C2}` },
    { name: 'router: RS without SLLAO from an unknown host → entry NONE', host: { conf: { forwarding: 1 } }, frame: () => rsFrame({ opts: [] }), drops: {}, entry: 'NONE' },
    { name: 'router: RS with an SLLAO of wrong length → no neighbour update', host: { conf: { forwarding: 1 } }, frame: () => rsFrame({ opts: [{ sllao: MAC_C, len: 2 }] }), drops: { badLladdr: 1 }, entry: null },
  ];
  for (const r of rsRows) {
    it(r.name, () => {
      const h = makeHost6(r.host);
      if (r.pre) neighAdd6(h, 'fe80::ff:fe00:c01', NUD_REACHABLE, MAC_C, NTF_ROUTER);
      const c = deliver(h, r.frame());
      expect(c.drops).toEqual(r.drops);
      expect(c.icmpIn).toBe(1);
      expect(ent(h, 'fe80::ff:fe00:c01')).toBe(r.entry);
      expect(nd(h)).toEqual([]);
    });
  }

  it('host: an RS to ff02::2 never reaches ND (the all-routers group is joined only while forwarding)', () => {
    const h = makeHost6();
    const m0 = h.stack.inet6.stats.drops.mcastNotJoined;
    const c = deliver(h, rsFrame());
    expect(c.icmpIn).toBe(0);
    expect(h.stack.inet6.stats.drops.mcastNotJoined - m0).toBe(1);
  });

  describe('Redirect (§2.6, hosts)', () => {
    const routeTo = (h: ReturnType<typeof makeHost6>, dst: string): string => {
      const r = h.stack.routeGet(dst);
      return `${r.gw ?? 'on-link'} ${r.dev}`;
    };
    it('from the first-hop router, target ≠ destination: target STALE with router, cached route via it', () => {
      const h = makeHost6();
      inject(h, raFrame());
      const c = deliver(h, redirectFrame({ target: 'fe80::ff:fe00:c01', dest: '2001:db8:99::1', opts: [{ tllao: MAC_C }] }));
      expect(c.drops).toEqual({});
      expect(h.stack.inet6.icmp.stats.inRedirects).toBe(1);
      expect(h.stack.inet6.ndisc.stats.redirectAccepted).toBe(1);
      expect(entry6(h, 'fe80::ff:fe00:c01')).toEqual({ state: 'STALE', lladdr: '02:00:00:00:0c:01', router: true, probes: 0 });
      expect(routeTo(h, '2001:db8:99::1')).toBe('fe80::ff:fe00:c01 ea');
      // Other destinations still go through the default router.
      expect(routeTo(h, '2001:db8:99::2')).toBe('fe80::ff:fe00:b01 ea');
    });
    it('target = destination: on-link, the entry without the router flag', () => {
      const h = makeHost6();
      inject(h, raFrame());
      const c = deliver(h, redirectFrame({ target: '2001:db8:99::2', dest: '2001:db8:99::2', opts: [{ tllao: mac6('02:00:00:00:0d:01') }] }));
      expect(c.drops).toEqual({});
      expect(entry6(h, '2001:db8:99::2')).toEqual({ state: 'STALE', lladdr: '02:00:00:00:0d:01', router: false, probes: 0 });
      expect(routeTo(h, '2001:db8:99::2')).toBe('on-link ea');
    });
    const ignored: { name: string; setup?: (h: ReturnType<typeof makeHost6>) => void; frame: () => Buffer }[] = [
      { name: 'not from the current first-hop router', frame: () => redirectFrame({ src: 'fe80::ff:fe00:c01', ethSrc: MAC_C, target: 'fe80::ff:fe00:d01', dest: '2001:db8:99::1' }) },
      { name: 'source not link-local', frame: () => redirectFrame({ src: 'fd00:1::b', target: 'fe80::ff:fe00:c01', dest: '2001:db8:99::1' }) },
      { name: 'multicast destination', frame: () => redirectFrame({ target: 'fe80::ff:fe00:c01', dest: 'ff0e::1' }) },
      { name: 'target neither the destination nor link-local', frame: () => redirectFrame({ target: 'fd00:1::c', dest: '2001:db8:99::1' }) },
      { name: 'accept_redirects=0', setup: (h) => setConf6(h, 'ea', 'accept_redirects', 0), frame: () => redirectFrame({ target: 'fe80::ff:fe00:c01', dest: '2001:db8:99::1' }) },
      { name: 'no route via the sender at all (no RA yet)', frame: () => redirectFrame({ target: 'fe80::ff:fe00:c01', dest: '2001:db8:99::1' }) },
    ];
    for (const row of ignored) {
      it(`ignored: ${row.name} (drops.redirect, no entry, no route)`, () => {
        const h = makeHost6();
        if (row.name !== 'no route via the sender at all (no RA yet)') inject(h, raFrame());
        row.setup?.(h);
        const c = deliver(h, row.frame());
        expect(c.drops).toEqual({ redirect: 1 });
        expect(h.stack.inet6.ndisc.stats.redirectAccepted).toBe(0);
        expect(ent(h, 'fe80::ff:fe00:c01')).toBeNull();
      });
    }
  });

  it('multicast destinations get NOARP entries with the 33:33 mapping (ff02::1:2 → 33:33:00:01:00:02)', () => {
    const h = makeHost6();
    expect(send6(h, 'ff02::1:2', null, true)).toBe(0);
    const n = h.stack.neighbours('inet6').find((x) => x.dst === 'ff02::1:2')!;
    expect({ state: n.stateNames, lladdr: n.lladdr }).toEqual({ state: ['NOARP'], lladdr: '33:33:00:01:00:02' });
    expect(sent6(h).filter((p) => p.nexthdr === 17).map((p) => p.ethDst)).toEqual(['33:33:00:01:00:02']);
  });

  it('an IFF_NOARP device: unicast entries are NOARP with the device’s own address, nothing is solicited', () => {
    const h = makeHost6();
    h.stack.linkSet(h.ea, { arp: false });
    clearSent(h);
    expect(send6(h, 'fd00:1::c')).toBe(0);
    expect(entry6(h, 'fd00:1::c')).toEqual({ state: 'NOARP', lladdr: A, router: false, probes: 0 });
    expect(nd(h)).toEqual([]);
    expect(udpOut(h)).toEqual([`fd00:1::c to ${A}`]);
  });
});
