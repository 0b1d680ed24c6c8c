// ARP receive path and policy knobs against net/ipv4/arp.c (arp_rcv, arp_process, arp_ignore,
// arp_filter, arp_accept, arp_is_garp, arp_fwd_proxy, arp_fwd_pvlan, arp_solicit) and
// devinet.c/arp.c device events. One stack under test; frames are injected on its interfaces and
// whatever it transmits is only recorded. Where tapstack and the kernel differ, these assert the
// kernel.
import { afterEach, describe, expect, it } from 'vitest';
import { IFF_NOARP } from '../../src/core/netdevice.js';
import type { ArpDrops } from '../../src/ipv4/arp.js';
import { ARPOP_REPLY, ARPOP_REQUEST } from '../../src/ipv4/arphdr.js';
import { RT_SCOPE_HOST, RT_SCOPE_LINK } from '../../src/ipv4/devinet.js';
import {
  NUD_DELAY,
  NUD_FAILED,
  NUD_INCOMPLETE,
  NUD_NOARP,
  NUD_PERMANENT,
  NUD_REACHABLE,
  NUD_STALE,
} from '../../src/neighbour/nud.js';
import {
  type ArpSpec,
  type ArpView,
  BCAST,
  type Host,
  MAC_A,
  MAC_C,
  MAC_X,
  MAC_Y,
  MAC_Z,
  ZERO_MAC,
  arpFrame,
  arps,
  clearSent,
  colon,
  dropDelta,
  dropsOf,
  entry,
  entryKeys,
  hex,
  inDev,
  injectLooped,
  ip,
  ipFrames,
  makeHost,
  proxyKeys,
  replyView,
  requestView,
  sendIp,
  setConf,
  takeLive,
} from '../helpers/pair_env.js';

afterEach(async () => {
  for (const s of takeLive()) {
    expect(s.inet.arp.tbl.checkInvariants()).toEqual([]);
    await s.close();
  }
});

type Drops = Partial<Record<keyof ArpDrops, number>>;
type Scope = 'all' | 'ea' | 'ec';

const dev = (h: Host, s: 'ea' | 'ec') => (s === 'ea' ? h.ea : h.ec!);
const knob = (h: Host, s: Scope, name: string, v: number): void => setConf(h, s === 'all' ? 'all' : dev(h, s), name, v);
const sumDrops = (d: Drops): number => Object.values(d).reduce((a, b) => a + (b ?? 0), 0);

function addEntry(h: Host, addr: string, state: number, lladdr: Buffer, on: 'ea' | 'ec' = 'ea'): void {
  expect(h.stack.inet.arp.tbl.neighAdd(ip(addr), dev(h, on), { state, lladdr, create: true, excl: true })).toBe(0);
}

/** Injects one frame on `on` and reports what changed. */
function deliver(h: Host, spec: ArpSpec, on: 'ea' | 'ec' = 'ea'): { drops: Drops } {
  const before = dropsOf(h.stack);
  dev(h, on).receiveFrame(arpFrame(spec));
  return { drops: dropDelta(h.stack, before) };
}

// Frame shapes from a neighbour 10.0.0.9 (or `sip`) towards our ea (10.0.0.1, MAC_A).
const reqFor = (tip: string, sip = '10.0.0.9', sha: Buffer = MAC_X): ArpSpec => ({ op: ARPOP_REQUEST, sip, tip, sha });
const ucastReply = (sip = '10.0.0.9', sha: Buffer = MAC_X): ArpSpec => ({ op: ARPOP_REPLY, sip, tip: '10.0.0.1', sha, tha: MAC_A, dst: MAC_A });
const bcastReply = (sip = '10.0.0.9', sha: Buffer = MAC_X): ArpSpec => ({ op: ARPOP_REPLY, sip, tip: '10.0.0.1', sha, tha: MAC_A, dst: BCAST });
const garpReq = (sip = '10.0.0.9', sha: Buffer = MAC_X): ArpSpec => ({ op: ARPOP_REQUEST, sip, tip: sip, sha });
const garpReply = (sip = '10.0.0.9', sha: Buffer = MAC_X, dst: Buffer = BCAST): ArpSpec => ({ op: ARPOP_REPLY, sip, tip: sip, sha, tha: sha, dst });
/** sip == tip but tha != sha: not gratuitous for a reply (arp_is_garp). */
const garpReplyBadTha = (sip = '10.0.0.9', sha: Buffer = MAC_X): ArpSpec => ({ op: ARPOP_REPLY, sip, tip: sip, sha, tha: ZERO_MAC, dst: BCAST });
const reqOther = (sip = '10.0.0.9', sha: Buffer = MAC_X): ArpSpec => reqFor('10.0.0.77', sip, sha);

// ---------------------------------------------------------------------------------------------
describe('arp_rcv / arp_process drops: exactly one named counter, nothing sent, nothing learned', () => {
  const REQ = reqFor('10.0.0.1');
  interface Row {
    name: string;
    setup?: (h: Host) => void;
    frame: ArpSpec;
    looped?: boolean;
    counter: keyof ArpDrops;
  }
  const rows: Row[] = [
    { name: 'device has IFF_NOARP', setup: (h) => h.stack.net.devChangeFlags(h.ea, h.ea.flags | IFF_NOARP), frame: REQ, counter: 'noarpDevice' },
    { name: 'device has IFF_NOARP (unicast reply)', setup: (h) => h.stack.net.devChangeFlags(h.ea, h.ea.flags | IFF_NOARP), frame: ucastReply(), counter: 'noarpDevice' },
    { name: 'PACKET_OTHERHOST: unicast to another MAC', frame: { ...REQ, dst: MAC_Y }, counter: 'otherhost' },
    { name: 'PACKET_OTHERHOST: reply unicast to another MAC', frame: { ...ucastReply(), dst: MAC_Y }, counter: 'otherhost' },
    { name: 'PACKET_LOOPBACK', frame: REQ, looped: true, counter: 'looped' },
    { name: 'truncated: 27 of 28 ARP bytes', frame: { ...REQ, arpLen: 27 }, counter: 'truncated' },
    { name: 'truncated: only the 8 fixed bytes', frame: { ...REQ, arpLen: 8 }, counter: 'truncated' },
    { name: 'truncated: 7 bytes', frame: { ...REQ, arpLen: 7 }, counter: 'truncated' },
    { name: 'truncated: no ARP bytes at all', frame: { ...REQ, arpLen: 0 }, counter: 'truncated' },
    // pskb_may_pull(arp_hdr_len(dev)) comes before the ar_hln test.
    { name: 'truncated wins over a bad ar_hln (20 bytes, hln 8)', frame: { ...REQ, arpLen: 20, hln: 8 }, counter: 'truncated' },
    { name: 'ar_hln 8', frame: { ...REQ, hln: 8 }, counter: 'badHln' },
    { name: 'ar_hln 0', frame: { ...REQ, hln: 0 }, counter: 'badHln' },
    { name: 'ar_hln 5', frame: { ...REQ, hln: 5 }, counter: 'badHln' },
    { name: 'ar_pln 6', frame: { ...REQ, pln: 6 }, counter: 'badPln' },
    { name: 'ar_pln 0', frame: { ...REQ, pln: 0 }, counter: 'badPln' },
    { name: 'ar_pln 16', frame: { ...REQ, pln: 16 }, counter: 'badPln' },
    { name: 'ar_hrd 2', frame: { ...REQ, hrd: 2 }, counter: 'badHrdOrPro' },
    { name: 'ar_hrd 0', frame: { ...REQ, hrd: 0 }, counter: 'badHrdOrPro' },
    { name: 'ar_hrd 0xffff', frame: { ...REQ, hrd: 0xffff }, counter: 'badHrdOrPro' },
    { name: 'ar_pro 0x86dd', frame: { ...REQ, pro: 0x86dd }, counter: 'badHrdOrPro' },
    { name: 'ar_pro 0x0806', frame: { ...REQ, pro: 0x0806 }, counter: 'badHrdOrPro' },
    { name: 'ar_pro 0', frame: { ...REQ, pro: 0 }, counter: 'badHrdOrPro' },
    { name: 'ar_op 0', frame: { ...REQ, op: 0 }, counter: 'badOpcode' },
    { name: 'ar_op 3 (RARP request)', frame: { ...REQ, op: 3 }, counter: 'badOpcode' },
    { name: 'ar_op 4 (RARP reply)', frame: { ...ucastReply(), op: 4 }, counter: 'badOpcode' },
    { name: 'ar_op 8 (InARP request)', frame: { ...REQ, op: 8 }, counter: 'badOpcode' },
    { name: 'ar_op 0xffff', frame: { ...REQ, op: 0xffff }, counter: 'badOpcode' },
    { name: 'multicast tip (request 224.0.0.1)', frame: reqFor('224.0.0.1'), counter: 'tipMulticast' },
    { name: 'multicast tip (reply to 239.255.255.250)', frame: { ...ucastReply(), tip: '239.255.255.250' }, counter: 'tipMulticast' },
    { name: 'loopback tip (request 127.0.0.1)', frame: reqFor('127.0.0.1'), counter: 'tipLoopback' },
    { name: 'loopback tip (reply to 127.1.2.3)', frame: { ...ucastReply(), tip: '127.1.2.3' }, counter: 'tipLoopback' },
    {
      name: 'drop_gratuitous_arp (all): gratuitous request that arp_accept=1 would learn',
      setup: (h) => { knob(h, 'all', 'drop_gratuitous_arp', 1); knob(h, 'all', 'arp_accept', 1); },
      frame: garpReq(),
      counter: 'gratuitousDropped',
    },
    {
      name: 'drop_gratuitous_arp (dev): gratuitous reply that arp_accept=1 would learn',
      setup: (h) => { knob(h, 'ea', 'drop_gratuitous_arp', 1); knob(h, 'ea', 'arp_accept', 1); },
      frame: garpReply(),
      counter: 'gratuitousDropped',
    },
    {
      // sip == tip is enough; the frame need not be a valid gratuitous reply (tha != sha).
      name: 'drop_gratuitous_arp: sip == tip reply with tha != sha',
      setup: (h) => { knob(h, 'all', 'drop_gratuitous_arp', 1); knob(h, 'all', 'arp_accept', 1); },
      frame: garpReplyBadTha(),
      counter: 'gratuitousDropped',
    },
  ];

  for (const r of rows) {
    it(r.name, () => {
      const h = makeHost();
      r.setup?.(h);
      clearSent(h);
      const keys = entryKeys(h.stack);
      const before = dropsOf(h.stack);
      if (r.looped) injectLooped(h, h.ea, arpFrame(r.frame));
      else h.ea.receiveFrame(arpFrame(r.frame));
      expect(dropDelta(h.stack, before)).toEqual({ [r.counter]: 1 });
      expect(h.ea.sent).toEqual([]);
      expect(h.ec!.sent).toEqual([]);
      expect(entryKeys(h.stack)).toEqual(keys);
    });
  }

  it('drop_gratuitous_arp: an existing entry is not refreshed by a gratuitous request', () => {
    const h = makeHost();
    addEntry(h, '10.0.0.9', NUD_STALE, MAC_Y);
    knob(h, 'ea', 'drop_gratuitous_arp', 1);
    h.clock.advance(5000);
    expect(deliver(h, garpReq('10.0.0.9', MAC_X)).drops).toEqual({ gratuitousDropped: 1 });
    expect(entry(h.stack, '10.0.0.9', h.ea)).toEqual({ state: NUD_STALE, lladdr: colon(MAC_Y) });
  });

  // The same frames with the offending field fixed are answered, so the rows above can fail.
  const controls: { name: string; frame: ArpSpec | Buffer }[] = [
    { name: 'well-formed broadcast request', frame: REQ },
    { name: 'ar_hrd 6 (IEEE 802) is accepted on Ethernet', frame: { ...REQ, hrd: 6 } },
    { name: 'multicast Ethernet destination (PACKET_MULTICAST) is processed', frame: { ...REQ, dst: Buffer.from([0x01, 0, 0x5e, 0, 0, 1]) } },
    { name: 'unicast to our MAC', frame: { ...REQ, dst: MAC_A } },
    { name: 'padded to the 60-byte Ethernet minimum', frame: Buffer.concat([arpFrame(REQ), Buffer.alloc(18)]) },
  ];
  for (const c of controls) {
    it(`control: ${c.name} → reply`, () => {
      const h = makeHost();
      clearSent(h);
      const before = dropsOf(h.stack);
      h.ea.receiveFrame(Buffer.isBuffer(c.frame) ? c.frame : arpFrame(c.frame));
      expect(dropDelta(h.stack, before)).toEqual({});
      expect(arps(h.ea)).toEqual([replyView(MAC_A, '10.0.0.1', MAC_X, '10.0.0.9')]);
      expect(entry(h.stack, '10.0.0.9', h.ea)).toEqual({ state: NUD_STALE, lladdr: colon(MAC_X) });
    });
  }

  it('reply goes to the ARP sender hardware address, not the Ethernet source', () => {
    const h = makeHost();
    clearSent(h);
    deliver(h, { ...REQ, src: MAC_Y });
    expect(arps(h.ea)).toEqual([replyView(MAC_A, '10.0.0.1', MAC_X, '10.0.0.9')]);
  });
});

// ---------------------------------------------------------------------------------------------
// arp_process only answers a request after ip_route_input_noref(tip, sip) succeeds; that fails
// for martian senders (multicast, limited broadcast, loopback, or one of our own addresses —
// fib_validate_source), and the frame falls through to the cache update, which learns nothing.
describe('requests for our address from martian senders are not answered', () => {
  const rows: { name: string; frame: ArpSpec; accept?: number }[] = [
    { name: 'sip multicast 224.0.0.5', frame: reqFor('10.0.0.1', '224.0.0.5') },
    { name: 'sip 255.255.255.255', frame: reqFor('10.0.0.1', '255.255.255.255') },
    { name: 'sip loopback 127.0.0.1', frame: reqFor('10.0.0.1', '127.0.0.1') },
    { name: 'sip = tip = our address (someone claims 10.0.0.1)', frame: garpReq('10.0.0.1') },
    { name: 'sip = tip = our address, arp_accept=1', frame: garpReq('10.0.0.1'), accept: 1 },
    { name: 'sip = our other interface\'s address', frame: reqFor('10.0.0.1', '10.0.1.1') },
  ];
  for (const r of rows) {
    it(r.name, () => {
      const h = makeHost();
      if (r.accept) knob(h, 'all', 'arp_accept', r.accept);
      clearSent(h);
      const { drops } = deliver(h, r.frame);
      expect({ sent: arps(h.ea), entries: entryKeys(h.stack) }).toEqual({ sent: [], entries: [] });
      expect(h.ea.sent).toEqual([]);
      expect(sumDrops(drops)).toBe(1);
    });
  }

  it('control: with accept_local=1 our own other address is a valid sender → reply', () => {
    const h = makeHost();
    knob(h, 'ea', 'accept_local', 1);
    clearSent(h);
    deliver(h, reqFor('10.0.0.1', '10.0.1.1'));
    expect(arps(h.ea)).toEqual([replyView(MAC_A, '10.0.0.1', MAC_X, '10.0.1.1')]);
  });
});

// ---------------------------------------------------------------------------------------------
describe('arp_ignore (max of all and dev)', () => {
  // ea: 10.0.0.1/24, 192.168.7.1/24, 172.16.0.1/24 scope host; ec: 10.0.1.1/24, 172.17.0.1/24 scope link.
  function host(): Host {
    const h = makeHost({ ea: ['10.0.0.1/24', '192.168.7.1/24'], ec: ['10.0.1.1/24'] });
    h.stack.inet.addAddress(h.ea, ip('172.16.0.1'), 24).scope = RT_SCOPE_HOST;
    h.stack.inet.addAddress(h.ec!, ip('172.17.0.1'), 24).scope = RT_SCOPE_LINK;
    clearSent(h);
    return h;
  }
  const cols: { name: string; tip: string; sip: string }[] = [
    { name: 'tip on the input device, sip in its subnet', tip: '10.0.0.1', sip: '10.0.0.9' },
    { name: 'tip on the input device, sip off-link', tip: '10.0.0.1', sip: '10.5.5.5' },
    { name: 'tip on the input device, sip in another subnet of that device', tip: '10.0.0.1', sip: '192.168.7.9' },
    { name: 'tip on another device', tip: '10.0.1.1', sip: '10.0.0.9' },
    { name: 'tip host-scope on the input device', tip: '172.16.0.1', sip: '172.16.0.9' },
    { name: 'tip link-scope on another device', tip: '172.17.0.1', sip: '10.0.0.9' },
  ];
  // Kernel answers per level, by column.
  const T = true;
  const F = false;
  const replies: Record<number, boolean[]> = {
    0: [T, T, T, T, T, T],
    1: [T, T, T, F, T, F],
    2: [T, F, F, F, T, F],
    3: [T, T, T, T, F, T],
    4: [T, T, T, T, T, T],
    5: [T, T, T, T, T, T],
    6: [T, T, T, T, T, T],
    7: [T, T, T, T, T, T],
    8: [F, F, F, F, F, F],
    // Linux stores any int; arp_ignore()'s switch answers for anything it does not know (its
    // default case), as measured on 6.18 with arp_ignore=9 and -2.
    9: [T, T, T, T, T, T],
    2147483647: [T, T, T, T, T, T],
    [-1]: [T, T, T, T, T, T],
    [-5]: [T, T, T, T, T, T],
    [-2147483648]: [T, T, T, T, T, T],
  };

  function check(h: Host, c: (typeof cols)[number], answered: boolean): void {
    const { drops } = deliver(h, reqFor(c.tip, c.sip));
    if (answered) {
      expect(arps(h.ea)).toEqual([replyView(MAC_A, c.tip, MAC_X, c.sip)]);
      expect(entry(h.stack, c.sip, h.ea)).toEqual({ state: NUD_STALE, lladdr: colon(MAC_X) });
      expect(drops).toEqual({});
    } else {
      expect(h.ea.sent).toEqual([]);
      expect(entryKeys(h.stack)).toEqual([]);
      expect(drops).toEqual({ ignored: 1 });
    }
    expect(h.ec!.sent).toEqual([]);
  }

  for (const [level, row] of Object.entries(replies)) {
    cols.forEach((c, i) => {
      it(`${level}: ${c.name} → ${row[i] ? 'reply' : 'ignored'}`, () => {
        const h = host();
        knob(h, 'all', 'arp_ignore', Number(level));
        check(h, c, row[i]);
      });
    });
  }

  const combos: [number, number][] = [
    [1, 0], [0, 1], [2, 0], [0, 2], [3, 1], [1, 3], [8, 0], [0, 8], [2, 8], [4, 1],
    // IN_DEV_MAXCONF on out-of-range values: max(9, 1) = 9 answers everything; max(-5, -9) = -5 too.
    [9, 1], [1, 9], [-5, -9], [-1, 8], [-2, 2],
  ];
  for (const [all, d] of combos) {
    const eff = Math.max(all, d);
    cols.forEach((c, i) => {
      it(`all=${all} dev=${d} acts as ${eff}: ${c.name} → ${replies[eff][i] ? 'reply' : 'ignored'}`, () => {
        const h = host();
        knob(h, 'all', 'arp_ignore', all);
        knob(h, 'ea', 'arp_ignore', d);
        check(h, c, replies[eff][i]);
      });
    });
  }

  it('another device\'s arp_ignore does not apply to the input device', () => {
    const h = host();
    knob(h, 'ec', 'arp_ignore', 8);
    check(h, cols[0], true);
  });

  it('an ignored request leaves an existing entry alone (no neigh_event_ns)', () => {
    const h = host();
    addEntry(h, '10.0.0.9', NUD_REACHABLE, MAC_Y);
    h.clock.advance(5000);
    knob(h, 'ea', 'arp_ignore', 8);
    const before = h.stack.inet.arp.tbl.lookupNoref(ip('10.0.0.9'), h.ea)!.updated;
    expect(deliver(h, reqFor('10.0.0.1', '10.0.0.9', MAC_X)).drops).toEqual({ ignored: 1 });
    expect(entry(h.stack, '10.0.0.9', h.ea)).toEqual({ state: NUD_REACHABLE, lladdr: colon(MAC_Y) });
    expect(h.stack.inet.arp.tbl.lookupNoref(ip('10.0.0.9'), h.ea)!.updated).toBe(before);
    expect(h.ea.sent).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// arp_solicit: the source IP of our requests. ea: 10.0.0.1/24 (primary), 10.0.0.5/24 (secondary),
// 192.168.7.1/24; ec: 10.0.1.1/24. inet_addr_type_dev_table() is host-wide: "local" means an
// address of any interface.
describe('arp_announce: source IP of our requests (max of all and dev)', () => {
  const rows: { all: number; dev: number; src: string; target?: string; sip: string }[] = [
    { all: 0, dev: 0, src: '0.0.0.0', sip: '10.0.0.1' },
    { all: 0, dev: 0, src: '10.0.0.5', sip: '10.0.0.5' },
    { all: 0, dev: 0, src: '192.168.7.1', sip: '192.168.7.1' },
    { all: 0, dev: 0, src: '10.9.9.9', sip: '10.0.0.1' },
    { all: 0, dev: 0, src: '10.0.1.1', sip: '10.0.1.1' },
    { all: 1, dev: 0, src: '10.0.0.5', sip: '10.0.0.5' },
    { all: 1, dev: 0, src: '192.168.7.1', sip: '10.0.0.1' },
    { all: 1, dev: 0, src: '10.9.9.9', sip: '10.0.0.1' },
    { all: 1, dev: 0, src: '10.0.1.1', sip: '10.0.0.1' },
    { all: 1, dev: 0, src: '192.168.7.1', target: '192.168.7.2', sip: '192.168.7.1' },
    { all: 2, dev: 0, src: '10.0.0.5', sip: '10.0.0.1' },
    { all: 2, dev: 0, src: '192.168.7.1', sip: '10.0.0.1' },
    { all: 2, dev: 0, src: '10.0.1.1', sip: '10.0.0.1' },
    { all: 2, dev: 0, src: '10.0.0.5', target: '192.168.7.2', sip: '192.168.7.1' },
    { all: 0, dev: 2, src: '10.0.0.5', sip: '10.0.0.1' },
    { all: 0, dev: 1, src: '192.168.7.1', sip: '10.0.0.1' },
    { all: 2, dev: 1, src: '10.0.0.5', sip: '10.0.0.1' },
    { all: 1, dev: 2, src: '10.0.0.5', sip: '10.0.0.1' },
    // Out of range: arp_solicit()'s switch has "default: case 0:" — a value it does not know
    // announces any local source, like 0; the max of all and dev decides first.
    { all: 3, dev: 0, src: '10.0.1.1', sip: '10.0.1.1' },
    { all: -1, dev: 0, src: '10.0.1.1', sip: '10.0.1.1' },
    { all: -1, dev: 1, src: '10.0.1.1', sip: '10.0.0.1' },
    { all: 9, dev: 2, src: '10.0.0.5', sip: '10.0.0.5' },
    { all: -2147483648, dev: -7, src: '10.0.0.5', sip: '10.0.0.5' },
  ];
  for (const r of rows) {
    const target = r.target ?? '10.0.0.2';
    it(`all=${r.all} dev=${r.dev}, packet from ${r.src} to ${target} → request from ${r.sip}`, () => {
      const h = makeHost({ ea: ['10.0.0.1/24', '10.0.0.5/24', '192.168.7.1/24'] });
      knob(h, 'all', 'arp_announce', r.all);
      knob(h, 'ea', 'arp_announce', r.dev);
      clearSent(h);
      expect(sendIp(h, target, r.src)).toBe(0);
      expect(entry(h.stack, target, h.ea)?.state).toBe(NUD_INCOMPLETE);
      expect(arps(h.ea)).toEqual([requestView(MAC_A, r.sip, target)]);
      expect(h.ec!.sent).toEqual([]);
    });
  }

  it('another device\'s arp_announce does not apply', () => {
    const h = makeHost({ ea: ['10.0.0.1/24', '10.0.0.5/24'] });
    knob(h, 'ec', 'arp_announce', 2);
    clearSent(h);
    sendIp(h, '10.0.0.2', '10.0.0.5');
    expect(arps(h.ea)).toEqual([requestView(MAC_A, '10.0.0.5', '10.0.0.2')]);
  });
});

// ---------------------------------------------------------------------------------------------
// Two interfaces on one subnet: ea 10.0.0.1/24 and ec 10.0.0.3/24. The connected route that was
// added first (ea's) wins, so without other routes replies to 10.0.0.0/24 leave by ea.
describe('arp_filter (or of all and dev): reply only if the route back to sip leaves by the input device', () => {
  function host(): Host {
    const h = makeHost({ ea: ['10.0.0.1/24'], ec: ['10.0.0.3/24'] });
    clearSent(h);
    return h;
  }
  const rows: {
    name: string;
    setup?: (h: Host) => void;
    on: 'ea' | 'ec';
    tip: string;
    sip?: string;
    expect: 'reply' | keyof ArpDrops;
  }[] = [
    { name: 'off: request on ec for ec\'s address is answered', on: 'ec', tip: '10.0.0.3', expect: 'reply' },
    { name: 'all=1: on ec for ec\'s address, route back via ea → filtered', setup: (h) => knob(h, 'all', 'arp_filter', 1), on: 'ec', tip: '10.0.0.3', expect: 'filtered' },
    { name: 'ec=1: same → filtered', setup: (h) => knob(h, 'ec', 'arp_filter', 1), on: 'ec', tip: '10.0.0.3', expect: 'filtered' },
    { name: 'ea=1 does not filter requests arriving on ec', setup: (h) => knob(h, 'ea', 'arp_filter', 1), on: 'ec', tip: '10.0.0.3', expect: 'reply' },
    // IN_DEV_ORCONF: any non-zero int is on (measured on 6.18 with arp_filter=-1).
    { name: 'ec=-1: on → filtered', setup: (h) => knob(h, 'ec', 'arp_filter', -1), on: 'ec', tip: '10.0.0.3', expect: 'filtered' },
    { name: 'all=2147483647: on → filtered', setup: (h) => knob(h, 'all', 'arp_filter', 2147483647), on: 'ec', tip: '10.0.0.3', expect: 'filtered' },
    { name: 'all=1: on ea for ea\'s address → reply', setup: (h) => knob(h, 'all', 'arp_filter', 1), on: 'ea', tip: '10.0.0.1', expect: 'reply' },
    { name: 'all=1: on ea for ec\'s address, route back via ea → reply', setup: (h) => knob(h, 'all', 'arp_filter', 1), on: 'ea', tip: '10.0.0.3', expect: 'reply' },
    { name: 'all=1: on ec for ea\'s address → filtered', setup: (h) => knob(h, 'all', 'arp_filter', 1), on: 'ec', tip: '10.0.0.1', expect: 'filtered' },
    {
      name: 'all=1: a host route to sip via ec lets ec answer',
      setup: (h) => { knob(h, 'all', 'arp_filter', 1); h.stack.addRoute('10.0.0.9/32', null, h.ec!); },
      on: 'ec', tip: '10.0.0.3', expect: 'reply',
    },
    {
      name: 'all=1: a host route to sip via ec filters ea',
      setup: (h) => { knob(h, 'all', 'arp_filter', 1); h.stack.addRoute('10.0.0.9/32', null, h.ec!); },
      on: 'ea', tip: '10.0.0.1', expect: 'filtered',
    },
    { name: 'all=1: no route back to sip at all → filtered', setup: (h) => knob(h, 'all', 'arp_filter', 1), on: 'ea', tip: '10.0.0.1', sip: '10.9.9.9', expect: 'filtered' },
    {
      name: 'arp_ignore is applied before arp_filter',
      setup: (h) => { knob(h, 'all', 'arp_filter', 1); knob(h, 'all', 'arp_ignore', 1); },
      on: 'ec', tip: '10.0.0.1', expect: 'ignored',
    },
  ];
  for (const r of rows) {
    it(r.name, () => {
      const h = host();
      r.setup?.(h);
      const sip = r.sip ?? '10.0.0.9';
      const inMac = r.on === 'ea' ? MAC_A : MAC_C;
      const other = r.on === 'ea' ? h.ec! : h.ea;
      const { drops } = deliver(h, reqFor(r.tip, sip), r.on);
      if (r.expect === 'reply') {
        expect(arps(dev(h, r.on))).toEqual([replyView(inMac, r.tip, MAC_X, sip)]);
        expect(entry(h.stack, sip, dev(h, r.on))).toEqual({ state: NUD_STALE, lladdr: colon(MAC_X) });
        expect(drops).toEqual({});
      } else {
        expect(dev(h, r.on).sent).toEqual([]);
        expect(entryKeys(h.stack)).toEqual([]);
        expect(drops).toEqual({ [r.expect]: 1 });
      }
      expect(other.sent).toEqual([]);
    });
  }

  it('a DAD probe is answered even where arp_filter would filter a request', () => {
    const h = host();
    knob(h, 'all', 'arp_filter', 1);
    deliver(h, reqFor('10.0.0.3', '0.0.0.0'), 'ec');
    expect(arps(h.ec!)).toEqual([replyView(MAC_C, '10.0.0.3', MAC_X, '0.0.0.0')]);
    expect(entryKeys(h.stack)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Creation of entries from frames that are not requests for us (arp_accept, arp_is_garp).
// ea: 10.0.0.1/24, ec: 10.0.1.1/24; frames arrive on ea.
describe('arp_accept (max of all and dev): which unsolicited frames create entries', () => {
  const frames: { name: string; make: (sip: string) => ArpSpec; state: number | null }[] = [
    { name: 'gratuitous request', make: (s) => garpReq(s), state: NUD_STALE },
    { name: 'gratuitous reply (tha == sha), broadcast', make: (s) => garpReply(s), state: NUD_STALE },
    { name: 'gratuitous reply (tha == sha), unicast to us', make: (s) => garpReply(s, MAC_X, MAC_A), state: NUD_REACHABLE },
    // Not gratuitous, but still a reply: created all the same (only override differs).
    { name: 'sip == tip reply with tha != sha, broadcast', make: (s) => garpReplyBadTha(s), state: NUD_STALE },
    { name: 'unsolicited unicast reply', make: (s) => ucastReply(s), state: NUD_REACHABLE },
    { name: 'unsolicited broadcast reply', make: (s) => bcastReply(s), state: NUD_STALE },
    { name: 'request from an unknown sender for another host', make: (s) => reqOther(s), state: null },
  ];
  const sips: { name: string; sip: string; inSubnet: boolean }[] = [
    { name: 'sip in the input interface\'s subnet', sip: '10.0.0.9', inSubnet: true },
    { name: 'sip off-link', sip: '10.7.7.7', inSubnet: false },
    { name: 'sip in another interface\'s subnet', sip: '10.0.1.9', inSubnet: false },
  ];

  function check(h: Host, spec: ArpSpec, sip: string, state: number | null): void {
    const st = h.stack.inet.arp.tbl.stats;
    const [lookups, hits] = [st.lookups, st.hits];
    const { drops } = deliver(h, spec);
    if (state === null) {
      expect(entryKeys(h.stack)).toEqual([]);
      expect(drops).toEqual({ unsolicited: 1 });
    } else {
      expect(entryKeys(h.stack)).toEqual([`${sip} ea`]);
      expect(entry(h.stack, sip, h.ea)).toEqual({ state, lladdr: colon(MAC_X) });
      expect(drops).toEqual({});
    }
    // arp_process looks sip up once; creating looks it up again (__neigh_lookup(..., 1)), as
    // measured on Linux 6.18: a created entry counts two lookups and no hit.
    expect([st.lookups - lookups, st.hits - hits]).toEqual([state === null ? 1 : 2, 0]);
    expect(h.ea.sent).toEqual([]);
  }

  // 3, -1 and INT_MAX: arp_accept()'s switch creates nothing for values it does not know.
  for (const accept of [0, 1, 2, 3, -1, 2147483647]) {
    for (const f of frames) {
      for (const s of sips) {
        const created = f.state !== null && (accept === 1 || (accept === 2 && s.inSubnet));
        it(`${accept}: ${f.name}, ${s.name} → ${created ? 'created' : 'nothing'}`, () => {
          const h = makeHost();
          knob(h, 'all', 'arp_accept', accept);
          clearSent(h);
          check(h, f.make(s.sip), s.sip, created ? f.state : null);
        });
      }
    }
  }

  const combos: { all: number; dev: number; sip: string; created: boolean }[] = [
    { all: 1, dev: 0, sip: '10.7.7.7', created: true },
    { all: 0, dev: 1, sip: '10.7.7.7', created: true },
    { all: 2, dev: 0, sip: '10.7.7.7', created: false },
    { all: 0, dev: 2, sip: '10.0.0.9', created: true },
    { all: 1, dev: 2, sip: '10.7.7.7', created: false },
    { all: 2, dev: 1, sip: '10.7.7.7', created: false },
    { all: 3, dev: 1, sip: '10.7.7.7', created: false }, // max 3: the switch's default
    { all: -1, dev: 1, sip: '10.7.7.7', created: true },
    { all: -4, dev: -1, sip: '10.0.0.9', created: false },
  ];
  for (const c of combos) {
    it(`all=${c.all} dev=${c.dev}: gratuitous request from ${c.sip} → ${c.created ? 'created' : 'nothing'}`, () => {
      const h = makeHost();
      knob(h, 'all', 'arp_accept', c.all);
      knob(h, 'ea', 'arp_accept', c.dev);
      clearSent(h);
      check(h, garpReq(c.sip), c.sip, c.created ? NUD_STALE : null);
    });
  }

  it('arp_accept of another device does not apply', () => {
    const h = makeHost();
    knob(h, 'ec', 'arp_accept', 1);
    check(h, garpReq('10.0.0.9'), '10.0.0.9', null);
  });

  // Not unicast (inet_addr_type_dev_table() != RTN_UNICAST): neither gratuitous nor a usable reply.
  const notUnicast: { name: string; spec: ArpSpec }[] = [
    { name: 'gratuitous request from our subnet broadcast', spec: garpReq('10.0.0.255') },
    { name: 'gratuitous reply from our subnet broadcast', spec: garpReply('10.0.0.255') },
    { name: 'unicast reply from our subnet broadcast', spec: ucastReply('10.0.0.255') },
    // host-wide: an address of ec is RTN_LOCAL even for a frame arriving on ea
    { name: 'gratuitous reply claiming our other interface\'s address', spec: garpReply('10.0.1.1') },
    { name: 'unicast reply claiming our other interface\'s address', spec: ucastReply('10.0.1.1') },
    { name: 'gratuitous reply claiming the input interface\'s own address', spec: garpReply('10.0.0.1') },
  ];
  for (const r of notUnicast) {
    it(`1: ${r.name} → nothing`, () => {
      const h = makeHost();
      knob(h, 'all', 'arp_accept', 1);
      clearSent(h);
      const { drops } = deliver(h, r.spec);
      expect(entryKeys(h.stack)).toEqual([]);
      expect(h.ea.sent).toEqual([]);
      expect(sumDrops(drops)).toBe(1);
    });
  }
});

// ---------------------------------------------------------------------------------------------
describe('existing entries: state, override and locktime (default 1000 ms)', () => {
  interface Step {
    at: number;
    frame: ArpSpec;
    expect: { state: number; lladdr: Buffer };
    sent?: ArpView[];
  }
  interface Scenario {
    name: string;
    /** Builds the entry for 10.0.0.9 on ea; t0 is taken after it. */
    setup: (h: Host) => void;
    steps: Step[];
  }
  const stale = (m: Buffer) => (h: Host): void => addEntry(h, '10.0.0.9', NUD_STALE, m);
  const reach = (m: Buffer) => (h: Host): void => addEntry(h, '10.0.0.9', NUD_REACHABLE, m);
  const S = (lladdr: Buffer) => ({ state: NUD_STALE, lladdr });
  const R = (lladdr: Buffer) => ({ state: NUD_REACHABLE, lladdr });
  const replyToY = [replyView(MAC_A, '10.0.0.1', MAC_Y, '10.0.0.9')];
  const replyToX = [replyView(MAC_A, '10.0.0.1', MAC_X, '10.0.0.9')];

  const scenarios: Scenario[] = [
    { name: 'STALE + unicast reply, same MAC → REACHABLE', setup: stale(MAC_X), steps: [{ at: 2000, frame: ucastReply(), expect: R(MAC_X) }] },
    { name: 'STALE + broadcast reply, same MAC → STALE', setup: stale(MAC_X), steps: [{ at: 2000, frame: bcastReply(), expect: S(MAC_X) }] },
    { name: 'STALE + request for another host → STALE', setup: stale(MAC_X), steps: [{ at: 2000, frame: reqOther(), expect: S(MAC_X) }] },
    { name: 'STALE + request for another host, new MAC after locktime → STALE new MAC', setup: stale(MAC_X), steps: [{ at: 2000, frame: reqOther('10.0.0.9', MAC_Y), expect: S(MAC_Y) }] },
    { name: 'REACHABLE + request for another host, same MAC → stays REACHABLE', setup: reach(MAC_X), steps: [{ at: 2000, frame: reqOther(), expect: R(MAC_X) }] },
    { name: 'REACHABLE + request for us, same MAC → stays REACHABLE, answered', setup: reach(MAC_X), steps: [{ at: 2000, frame: reqFor('10.0.0.1'), expect: R(MAC_X), sent: replyToX }] },
    { name: 'REACHABLE + broadcast reply, same MAC → stays REACHABLE', setup: reach(MAC_X), steps: [{ at: 2000, frame: bcastReply(), expect: R(MAC_X) }] },
    { name: 'REACHABLE + broadcast reply, new MAC → STALE new MAC', setup: reach(MAC_X), steps: [{ at: 2000, frame: bcastReply('10.0.0.9', MAC_Y), expect: S(MAC_Y) }] },
    { name: 'REACHABLE + request for another host, new MAC → STALE new MAC', setup: reach(MAC_X), steps: [{ at: 2000, frame: reqOther('10.0.0.9', MAC_Y), expect: S(MAC_Y) }] },
    { name: 'REACHABLE + unicast reply, new MAC → REACHABLE new MAC', setup: reach(MAC_X), steps: [{ at: 2000, frame: ucastReply('10.0.0.9', MAC_Y), expect: R(MAC_Y) }] },
    {
      name: 'locktime: new MAC at updated+1000 refused, at updated+1001 accepted',
      setup: stale(MAC_X),
      steps: [
        { at: 1000, frame: ucastReply('10.0.0.9', MAC_Y), expect: S(MAC_X) },
        { at: 1001, frame: ucastReply('10.0.0.9', MAC_Y), expect: R(MAC_Y) },
      ],
    },
    { name: 'locktime: gratuitous request overrides at once', setup: stale(MAC_X), steps: [{ at: 500, frame: garpReq('10.0.0.9', MAC_Y), expect: S(MAC_Y) }] },
    { name: 'locktime: gratuitous broadcast reply overrides at once', setup: stale(MAC_X), steps: [{ at: 500, frame: garpReply('10.0.0.9', MAC_Y), expect: S(MAC_Y) }] },
    { name: 'locktime: gratuitous unicast reply overrides at once, REACHABLE', setup: stale(MAC_X), steps: [{ at: 500, frame: garpReply('10.0.0.9', MAC_Y, MAC_A), expect: R(MAC_Y) }] },
    { name: 'locktime: sip == tip reply with tha != sha is not gratuitous → refused', setup: stale(MAC_X), steps: [{ at: 500, frame: garpReplyBadTha('10.0.0.9', MAC_Y), expect: S(MAC_X) }] },
    { name: 'locktime: request for another host refused', setup: stale(MAC_X), steps: [{ at: 500, frame: reqOther('10.0.0.9', MAC_Y), expect: S(MAC_X) }] },
    { name: 'locktime: unicast reply refused', setup: stale(MAC_X), steps: [{ at: 500, frame: ucastReply('10.0.0.9', MAC_Y), expect: S(MAC_X) }] },
    // neigh_event_ns() always overrides.
    { name: 'locktime does not apply to a request for us', setup: stale(MAC_X), steps: [{ at: 500, frame: reqFor('10.0.0.1', '10.0.0.9', MAC_Y), expect: S(MAC_Y), sent: replyToY }] },
    {
      name: 'locktime counts from the last update, not creation',
      setup: stale(MAC_X),
      steps: [
        { at: 900, frame: ucastReply(), expect: R(MAC_X) },
        { at: 1500, frame: ucastReply('10.0.0.9', MAC_Y), expect: R(MAC_X) },
        { at: 1900, frame: ucastReply('10.0.0.9', MAC_Y), expect: R(MAC_X) },
        { at: 1901, frame: ucastReply('10.0.0.9', MAC_Y), expect: R(MAC_Y) },
      ],
    },
    {
      name: 'locktime 0: same instant refused, 1 ms later accepted',
      setup: (h) => { inDev(h.ea).arpParms.set('locktime', 0); stale(MAC_X)(h); },
      steps: [
        { at: 0, frame: ucastReply('10.0.0.9', MAC_Y), expect: S(MAC_X) },
        { at: 1, frame: ucastReply('10.0.0.9', MAC_Y), expect: R(MAC_Y) },
      ],
    },
    {
      name: 'locktime 5000 (per device)',
      setup: (h) => { inDev(h.ea).arpParms.set('locktime', 5000); stale(MAC_X)(h); },
      steps: [
        { at: 4000, frame: ucastReply('10.0.0.9', MAC_Y), expect: S(MAC_X) },
        { at: 5001, frame: ucastReply('10.0.0.9', MAC_Y), expect: R(MAC_Y) },
      ],
    },
    {
      name: 'locktime of another device does not apply',
      setup: (h) => { inDev(h.ec!).arpParms.set('locktime', 0); stale(MAC_X)(h); },
      steps: [{ at: 500, frame: ucastReply('10.0.0.9', MAC_Y), expect: S(MAC_X) }],
    },
  ];

  for (const sc of scenarios) {
    it(sc.name, () => {
      const h = makeHost();
      sc.setup(h);
      const t0 = h.clock.now();
      for (const st of sc.steps) {
        clearSent(h);
        h.clock.advanceTo(t0 + st.at);
        deliver(h, st.frame);
        expect(entry(h.stack, '10.0.0.9', h.ea)).toEqual({ state: st.expect.state, lladdr: colon(st.expect.lladdr) });
        expect(arps(h.ea)).toEqual(st.sent ?? []);
      }
      expect(entryKeys(h.stack)).toEqual(['10.0.0.9 ea']);
    });
  }

  // Entries arp_process did not create: arp_accept=0 does not matter once they exist.
  it('INCOMPLETE + unicast reply → REACHABLE, queued packet sent to the new MAC', () => {
    const h = makeHost();
    sendIp(h, '10.0.0.9');
    expect(entry(h.stack, '10.0.0.9', h.ea)?.state).toBe(NUD_INCOMPLETE);
    clearSent(h);
    expect(deliver(h, ucastReply()).drops).toEqual({});
    expect(entry(h.stack, '10.0.0.9', h.ea)).toEqual({ state: NUD_REACHABLE, lladdr: colon(MAC_X) });
    expect(ipFrames(h.ea).map((f) => hex(f.subarray(0, 6)))).toEqual([hex(MAC_X)]);
  });

  it('INCOMPLETE + broadcast reply → STALE, then DELAY as the queued packet leaves', () => {
    const h = makeHost();
    sendIp(h, '10.0.0.9');
    clearSent(h);
    deliver(h, bcastReply());
    expect(entry(h.stack, '10.0.0.9', h.ea)).toEqual({ state: NUD_DELAY, lladdr: colon(MAC_X) });
    expect(ipFrames(h.ea)).toHaveLength(1);
  });

  it('INCOMPLETE + request for another host from it → resolved (STALE → DELAY)', () => {
    const h = makeHost();
    sendIp(h, '10.0.0.9');
    clearSent(h);
    deliver(h, reqOther());
    expect(entry(h.stack, '10.0.0.9', h.ea)).toEqual({ state: NUD_DELAY, lladdr: colon(MAC_X) });
    expect(ipFrames(h.ea)).toHaveLength(1);
  });

  it('FAILED + gratuitous request → STALE with the announced MAC', () => {
    const h = makeHost();
    sendIp(h, '10.0.0.9');
    h.clock.advance(3000);
    expect(h.stack.inet.arp.tbl.lookupNoref(ip('10.0.0.9'), h.ea)?.nudState).toBe(NUD_FAILED);
    clearSent(h);
    deliver(h, garpReq());
    expect(entry(h.stack, '10.0.0.9', h.ea)).toEqual({ state: NUD_STALE, lladdr: colon(MAC_X) });
    expect(h.ea.sent).toEqual([]);
  });

  it('FAILED + unicast reply at once → REACHABLE (an invalid entry takes any lladdr)', () => {
    const h = makeHost();
    sendIp(h, '10.0.0.9');
    h.clock.advance(3000);
    clearSent(h);
    deliver(h, ucastReply());
    expect(entry(h.stack, '10.0.0.9', h.ea)).toEqual({ state: NUD_REACHABLE, lladdr: colon(MAC_X) });
  });

  // __neigh_update: without NEIGH_UPDATE_F_ADMIN, NOARP and PERMANENT entries are never touched.
  const anyFrame: { name: string; spec: ArpSpec; answered?: boolean }[] = [
    { name: 'unicast reply', spec: ucastReply() },
    { name: 'broadcast reply', spec: bcastReply() },
    { name: 'gratuitous request', spec: garpReq() },
    { name: 'gratuitous broadcast reply', spec: garpReply() },
    { name: 'gratuitous unicast reply', spec: garpReply('10.0.0.9', MAC_X, MAC_A) },
    { name: 'request for us', spec: reqFor('10.0.0.1'), answered: true },
    { name: 'request for another host', spec: reqOther() },
  ];
  for (const state of [NUD_PERMANENT, NUD_NOARP]) {
    for (const f of anyFrame) {
      it(`${state === NUD_PERMANENT ? 'PERMANENT' : 'NOARP'} entry unchanged by a ${f.name} with another MAC (arp_accept=1)`, () => {
        const h = makeHost();
        knob(h, 'all', 'arp_accept', 1);
        addEntry(h, '10.0.0.9', state, MAC_Z);
        h.clock.advance(5000);
        clearSent(h);
        deliver(h, f.spec);
        expect(entry(h.stack, '10.0.0.9', h.ea)).toEqual({ state, lladdr: colon(MAC_Z) });
        expect(arps(h.ea)).toEqual(f.answered ? [replyView(MAC_A, '10.0.0.1', MAC_X, '10.0.0.9')] : []);
      });
    }
  }
});

// ---------------------------------------------------------------------------------------------
// RFC 5227 probes: sip 0.0.0.0. Only a REQUEST whose tip is local (inet_addr_type_dev_table, i.e.
// an address of any interface) and passes arp_ignore is answered; the cache is never touched.
describe('DAD probes (sip 0.0.0.0)', () => {
  const probe = (tip: string, extra: Partial<ArpSpec> = {}): ArpSpec => ({ op: ARPOP_REQUEST, sip: '0.0.0.0', tip, sha: MAC_X, ...extra });
  const rows: { name: string; setup?: (h: Host) => void; spec: ArpSpec; reply: ArpView | null }[] = [
    { name: 'broadcast probe for our address → reply to the prober, tip 0', spec: probe('10.0.0.1'), reply: replyView(MAC_A, '10.0.0.1', MAC_X, '0.0.0.0') },
    { name: 'unicast probe for our address → reply', spec: probe('10.0.0.1', { dst: MAC_A }), reply: replyView(MAC_A, '10.0.0.1', MAC_X, '0.0.0.0') },
    { name: 'probe with Ethernet source != sha → reply to sha', spec: probe('10.0.0.1', { src: MAC_Y }), reply: replyView(MAC_A, '10.0.0.1', MAC_X, '0.0.0.0') },
    { name: 'probe for the other interface\'s address, arp_ignore=0 → reply', spec: probe('10.0.1.1'), reply: replyView(MAC_A, '10.0.1.1', MAC_X, '0.0.0.0') },
    { name: 'probe for the other interface\'s address, arp_ignore=1 → nothing', setup: (h) => knob(h, 'all', 'arp_ignore', 1), spec: probe('10.0.1.1'), reply: null },
    { name: 'arp_ignore=1, probe for the input interface\'s address → reply', setup: (h) => knob(h, 'all', 'arp_ignore', 1), spec: probe('10.0.0.1'), reply: replyView(MAC_A, '10.0.0.1', MAC_X, '0.0.0.0') },
    { name: 'arp_ignore=2, probe for the input interface\'s address → reply', setup: (h) => knob(h, 'ea', 'arp_ignore', 2), spec: probe('10.0.0.1'), reply: replyView(MAC_A, '10.0.0.1', MAC_X, '0.0.0.0') },
    { name: 'arp_ignore=8 → nothing', setup: (h) => knob(h, 'ea', 'arp_ignore', 8), spec: probe('10.0.0.1'), reply: null },
    { name: 'probe for a non-local address → nothing', spec: probe('10.0.0.77'), reply: null },
    { name: 'probe for our subnet broadcast → nothing', spec: probe('10.0.0.255'), reply: null },
    { name: 'DAD "reply" (op 2, sip 0) for our address, arp_accept=1 → nothing', setup: (h) => knob(h, 'all', 'arp_accept', 1), spec: probe('10.0.0.1', { op: ARPOP_REPLY, tha: MAC_A, dst: MAC_A }), reply: null },
    { name: 'DAD "reply" (op 2, sip 0) for another host → nothing', spec: probe('10.0.0.77', { op: ARPOP_REPLY }), reply: null },
  ];
  for (const r of rows) {
    it(r.name, () => {
      const h = makeHost();
      addEntry(h, '10.0.0.9', NUD_STALE, MAC_Y);
      r.setup?.(h);
      h.clock.advance(5000);
      clearSent(h);
      const { drops } = deliver(h, r.spec);
      expect(arps(h.ea)).toEqual(r.reply ? [r.reply] : []);
      expect(h.ec!.sent).toEqual([]);
      expect(entryKeys(h.stack)).toEqual(['10.0.0.9 ea']);
      expect(entry(h.stack, '10.0.0.9', h.ea)).toEqual({ state: NUD_STALE, lladdr: colon(MAC_Y) });
      expect(sumDrops(drops)).toBe(r.reply ? 0 : 1);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// ea 10.0.0.1/24 faces the requester; ec 10.0.1.1/24 is the other side. Unless a row says so:
// forwarding on ea, proxy_delay 0 on ea, request from 10.0.0.9/MAC_X for 10.0.1.5.
describe('proxy ARP', () => {
  function host(): Host {
    const h = makeHost();
    knob(h, 'ea', 'forwarding', 1);
    inDev(h.ea).arpParms.set('proxyDelay', 0);
    clearSent(h);
    return h;
  }
  const PX = '10.0.1.5';
  const pneigh = (h: Host, key: string, on: 'ea' | 'ec' | null): void => {
    expect(h.stack.inet.arp.tbl.pneighCreate(ip(key), on === null ? null : dev(h, on))).toBe(0);
  };
  const medium = (ea: number, ec: number) => (h: Host): void => {
    knob(h, 'all', 'proxy_arp', 1);
    knob(h, 'ea', 'medium_id', ea);
    knob(h, 'ec', 'medium_id', ec);
  };
  const rows: { name: string; setup: (h: Host) => void; tip?: string; sip?: string; reply: boolean }[] = [
    { name: 'forwarding off on the input device: no proxy', setup: (h) => { knob(h, 'ea', 'forwarding', 0); knob(h, 'all', 'proxy_arp', 1); }, reply: false },
    { name: 'forwarding on only on the output device: no proxy', setup: (h) => { knob(h, 'ea', 'forwarding', 0); knob(h, 'ec', 'forwarding', 1); knob(h, 'all', 'proxy_arp', 1); }, reply: false },
    { name: 'proxy_arp off, no proxy entry: nothing', setup: () => {}, reply: false },
    { name: 'proxy_arp all=1, route via another device → reply', setup: (h) => knob(h, 'all', 'proxy_arp', 1), reply: true },
    { name: 'proxy_arp on the input device → reply', setup: (h) => knob(h, 'ea', 'proxy_arp', 1), reply: true },
    { name: 'proxy_arp only on the output device: nothing', setup: (h) => knob(h, 'ec', 'proxy_arp', 1), reply: false },
    { name: 'proxy_arp, route via a gateway on the other device → reply', setup: (h) => { knob(h, 'all', 'proxy_arp', 1); h.stack.addRoute('172.16.0.0/16', '10.0.1.254'); }, tip: '172.16.0.5', reply: true },
    { name: 'proxy_arp, no route to tip: nothing', setup: (h) => knob(h, 'all', 'proxy_arp', 1), tip: '172.16.0.5', reply: false },
    { name: 'proxy_arp, tip on the input device\'s own subnet: nothing', setup: (h) => knob(h, 'all', 'proxy_arp', 1), tip: '10.0.0.7', reply: false },
    { name: 'proxy_arp_pvlan (dev), tip on the same device → reply', setup: (h) => knob(h, 'ea', 'proxy_arp_pvlan', 1), tip: '10.0.0.7', reply: true },
    { name: 'proxy_arp_pvlan (all), tip on the same device → reply', setup: (h) => knob(h, 'all', 'proxy_arp_pvlan', 1), tip: '10.0.0.7', reply: true },
    { name: 'proxy_arp_pvlan, self-probe (sip == tip): nothing', setup: (h) => knob(h, 'ea', 'proxy_arp_pvlan', 1), tip: '10.0.0.7', sip: '10.0.0.7', reply: false },
    { name: 'proxy_arp_pvlan, tip via another device: nothing', setup: (h) => knob(h, 'ea', 'proxy_arp_pvlan', 1), reply: false },
    { name: 'proxy_arp_pvlan, forwarding off: nothing', setup: (h) => { knob(h, 'ea', 'proxy_arp_pvlan', 1); knob(h, 'ea', 'forwarding', 0); }, tip: '10.0.0.7', reply: false },
    { name: 'medium_id in 0 → proxy regardless of out', setup: medium(0, -1), reply: true },
    { name: 'medium_id in -1 → never', setup: medium(-1, 0), reply: false },
    { name: 'medium_id in 1, out 1 (same medium) → no', setup: medium(1, 1), reply: false },
    { name: 'medium_id in 1, out 2 → proxy', setup: medium(1, 2), reply: true },
    { name: 'medium_id in 1, out 0 → proxy', setup: medium(1, 0), reply: true },
    { name: 'medium_id in 1, out -1 → no', setup: medium(1, -1), reply: false },
    { name: 'medium_id of "all" is not consulted', setup: (h) => { knob(h, 'all', 'proxy_arp', 1); knob(h, 'all', 'medium_id', -1); }, reply: true },
    // Any int (Linux stores what sysctl is given): only 0 and -1 are special to arp_fwd_proxy().
    { name: 'medium_id in -2, out -2 (same medium) → no', setup: medium(-2, -2), reply: false },
    { name: 'medium_id in -2, out 0 → proxy', setup: medium(-2, 0), reply: true },
    { name: 'medium_id in -2, out -1 → no', setup: medium(-2, -1), reply: false },
    // Flags are on when non-zero (IN_DEV_ORCONF), whatever their value (measured: pvlan -2, 9).
    { name: 'proxy_arp = -2 on the input device → reply', setup: (h) => knob(h, 'ea', 'proxy_arp', -2), reply: true },
    { name: 'proxy_arp_pvlan = 9 on the input device → reply', setup: (h) => knob(h, 'ea', 'proxy_arp_pvlan', 9), tip: '10.0.0.7', reply: true },
    { name: 'proxy_arp_pvlan = -2 (all) → reply', setup: (h) => knob(h, 'all', 'proxy_arp_pvlan', -2), tip: '10.0.0.7', reply: true },
    { name: 'forwarding = -3 on the input device counts as on', setup: (h) => { knob(h, 'ea', 'forwarding', -3); knob(h, 'all', 'proxy_arp', 1); }, reply: true },
    { name: 'proxy entry on the input device, route via another → reply', setup: (h) => pneigh(h, PX, 'ea'), reply: true },
    { name: 'proxy entry without device → reply', setup: (h) => pneigh(h, PX, null), reply: true },
    { name: 'proxy entry on the output device only: nothing', setup: (h) => pneigh(h, PX, 'ec'), reply: false },
    { name: 'proxy entry for another address: nothing', setup: (h) => pneigh(h, '10.0.1.6', 'ea'), reply: false },
    { name: 'proxy entry, tip on the input device\'s subnet: nothing', setup: (h) => pneigh(h, '10.0.0.7', 'ea'), tip: '10.0.0.7', reply: false },
    { name: 'proxy entry, forwarding off: nothing', setup: (h) => { pneigh(h, PX, 'ea'); knob(h, 'ea', 'forwarding', 0); }, reply: false },
  ];
  for (const r of rows) {
    const tip = r.tip ?? PX;
    const sip = r.sip ?? '10.0.0.9';
    it(`${r.name} (${sip} asks for ${tip})`, () => {
      const h = host();
      r.setup(h);
      deliver(h, reqFor(tip, sip));
      if (r.reply) {
        expect(arps(h.ea)).toEqual([replyView(MAC_A, tip, MAC_X, sip)]);
        expect(entry(h.stack, sip, h.ea)).toEqual({ state: NUD_STALE, lladdr: colon(MAC_X) });
      } else {
        expect(h.ea.sent).toEqual([]);
        expect(entryKeys(h.stack)).toEqual([]);
      }
      expect(h.ec!.sent).toEqual([]);
      expect(h.stack.inet.arp.tbl.proxyQueueLength).toBe(0);
    });
  }

  describe('proxy_delay and proxy_qlen', () => {
    function delayed(random = 0.5): Host {
      const h = makeHost({ random: () => random });
      knob(h, 'ea', 'forwarding', 1);
      knob(h, 'all', 'proxy_arp', 1);
      clearSent(h);
      return h;
    }
    const answer = (sip = '10.0.0.9') => replyView(MAC_A, PX, MAC_X, sip);

    for (const [r, ms] of [[0.5, 400], [0.99, 792]] as const) {
      it(`broadcast request waits a random delay in [0, proxy_delay): random ${r} → ${ms} ms`, () => {
        const h = delayed(r);
        const t0 = h.clock.now();
        deliver(h, reqFor(PX));
        // neigh_event_ns runs before the request is queued
        expect(entry(h.stack, '10.0.0.9', h.ea)).toEqual({ state: NUD_STALE, lladdr: colon(MAC_X) });
        expect(h.ea.sent).toEqual([]);
        expect(h.stack.inet.arp.tbl.proxyQueueLength).toBe(1);
        h.clock.advanceTo(t0 + ms - 1);
        expect(h.ea.sent).toEqual([]);
        h.clock.advanceTo(t0 + ms);
        expect(arps(h.ea)).toEqual([answer()]);
        expect(h.stack.inet.arp.tbl.proxyQueueLength).toBe(0);
        h.clock.advance(5000);
        expect(arps(h.ea)).toHaveLength(1);
      });
    }

    it('request unicast to our MAC (PACKET_HOST) is answered at once', () => {
      const h = delayed();
      deliver(h, { ...reqFor(PX), dst: MAC_A });
      expect(arps(h.ea)).toEqual([answer()]);
      expect(h.stack.inet.arp.tbl.proxyQueueLength).toBe(0);
    });

    it('proxy_delay 0 on the input device answers at once', () => {
      const h = delayed();
      inDev(h.ea).arpParms.set('proxyDelay', 0);
      deliver(h, reqFor(PX));
      expect(arps(h.ea)).toEqual([answer()]);
    });

    it('proxy_delay of the output device does not apply', () => {
      const h = delayed();
      inDev(h.ec!).arpParms.set('proxyDelay', 0);
      deliver(h, reqFor(PX));
      expect(h.ea.sent).toEqual([]);
      expect(h.stack.inet.arp.tbl.proxyQueueLength).toBe(1);
    });

    it('proxy_qlen 2: qlen is compared before counting, so 3 wait and the 4th is dropped', () => {
      const h = delayed();
      inDev(h.ea).arpParms.set('proxyQlen', 2);
      for (const s of ['10.0.0.11', '10.0.0.12', '10.0.0.13', '10.0.0.14']) deliver(h, reqFor(PX, s));
      const tbl = h.stack.inet.arp.tbl;
      expect(tbl.proxyQueueLength).toBe(3);
      expect(tbl.stats.extra.proxyQueueDrops).toBe(1);
      expect(h.ea.sent).toEqual([]);
      h.clock.advance(800);
      expect(arps(h.ea)).toEqual([answer('10.0.0.11'), answer('10.0.0.12'), answer('10.0.0.13')]);
      expect(tbl.proxyQueueLength).toBe(0);
      // all four requesters were learned (neigh_event_ns precedes pneigh_enqueue)
      expect(entryKeys(h.stack)).toEqual(['10.0.0.11 ea', '10.0.0.12 ea', '10.0.0.13 ea', '10.0.0.14 ea']);
    });

    it('a replayed request is re-evaluated: forwarding turned off meanwhile → no reply', () => {
      const h = delayed();
      deliver(h, reqFor(PX));
      knob(h, 'ea', 'forwarding', 0);
      h.clock.advance(800);
      expect(h.ea.sent).toEqual([]);
      expect(h.stack.inet.arp.tbl.proxyQueueLength).toBe(0);
    });

    it('input device down purges the queued request', () => {
      const h = delayed();
      deliver(h, reqFor(PX));
      h.stack.net.devClose(h.ea);
      expect(h.stack.inet.arp.tbl.proxyQueueLength).toBe(0);
      h.stack.net.devOpen(h.ea);
      clearSent(h);
      h.clock.advance(800);
      expect(h.ea.sent).toEqual([]);
    });

    // __neigh_ifdown → pneigh_queue_purge(&tbl->proxy_queue, dev_net(dev)): the whole namespace's
    // queue goes, not only the device's (the route via ec stays usable: carrier is not checked).
    it('carrier loss on another device purges the whole proxy queue (per-netns purge)', () => {
      const h = delayed();
      deliver(h, reqFor(PX));
      h.stack.net.netifCarrierOff(h.ec!);
      expect(h.stack.inet.arp.tbl.proxyQueueLength).toBe(0);
      h.clock.advance(800);
      expect(h.ea.sent).toEqual([]);
    });
  });
});

// ---------------------------------------------------------------------------------------------
describe('device events', () => {
  /** Entries on ea of every kind, one on ec, and two proxy entries on ea. */
  function populated(): Host {
    const h = makeHost();
    deliver(h, reqFor('10.0.0.1', '10.0.0.10')); // STALE via neigh_event_ns
    addEntry(h, '10.0.0.11', NUD_REACHABLE, MAC_X);
    addEntry(h, '10.0.0.12', NUD_PERMANENT, MAC_Y);
    addEntry(h, '10.0.0.13', NUD_NOARP, MAC_Z);
    sendIp(h, '10.0.0.14'); // INCOMPLETE
    addEntry(h, '10.0.1.9', NUD_PERMANENT, MAC_Y, 'ec');
    addEntry(h, '10.0.1.10', NUD_STALE, MAC_Y, 'ec');
    const tbl = h.stack.inet.arp.tbl;
    expect(tbl.pneighCreate(ip('10.0.1.5'), h.ea, 0, 0, false)).toBe(0);
    expect(tbl.pneighCreate(ip('10.0.1.6'), h.ea, 0, 0, true)).toBe(0);
    expect(tbl.pneighCreate(ip('10.0.0.5'), h.ec!, 0, 0, false)).toBe(0);
    expect(entryKeys(h.stack)).toEqual(['10.0.0.10 ea', '10.0.0.11 ea', '10.0.0.12 ea', '10.0.0.13 ea', '10.0.0.14 ea', '10.0.1.10 ec', '10.0.1.9 ec']);
    clearSent(h);
    return h;
  }
  const EC_ONLY = ['10.0.1.10 ec', '10.0.1.9 ec'];
  const ALL_PROXIES = ['10.0.0.5 ec', '10.0.1.5 ea', '10.0.1.6 ea perm'];

  it('MAC change flushes every entry of the device, PERMANENT and NOARP included; proxies stay; nothing sent', () => {
    const h = populated();
    h.stack.net.devSetMacAddress(h.ea, MAC_Z);
    expect(entryKeys(h.stack)).toEqual(EC_ONLY);
    expect(proxyKeys(h.stack)).toEqual(ALL_PROXIES);
    expect(h.ea.sent).toEqual([]);
  });

  it('IFF_NOARP set flushes every entry of the device; cleared, flushes again', () => {
    const h = populated();
    h.stack.net.devChangeFlags(h.ea, h.ea.flags | IFF_NOARP);
    expect(entryKeys(h.stack)).toEqual(EC_ONLY);
    sendIp(h, '10.0.0.2');
    expect(entry(h.stack, '10.0.0.2', h.ea)?.state).toBe(NUD_NOARP);
    h.stack.net.devChangeFlags(h.ea, h.ea.flags & ~IFF_NOARP);
    expect(entryKeys(h.stack)).toEqual(EC_ONLY);
    expect(arps(h.ea)).toEqual([]);
  });

  it('IFF_NOARP device: neighbours are NOARP with our own MAC, and no ARP is ever sent', () => {
    const h = makeHost({ ea: ['10.0.0.1/24', '192.168.7.1/24'] });
    knob(h, 'all', 'arp_notify', 1);
    h.stack.net.devChangeFlags(h.ea, h.ea.flags | IFF_NOARP);
    clearSent(h);
    h.stack.net.netdevNotifyPeers(h.ea);
    h.stack.net.devClose(h.ea);
    h.stack.net.devOpen(h.ea);
    h.stack.net.devSetMacAddress(h.ea, MAC_Z);
    expect(sendIp(h, '10.0.0.2')).toBe(0);
    expect(entry(h.stack, '10.0.0.2', h.ea)).toEqual({ state: NUD_NOARP, lladdr: colon(MAC_Z) });
    expect(arps(h.ea)).toEqual([]);
    expect(ipFrames(h.ea).map((f) => hex(f.subarray(0, 6)))).toEqual([hex(MAC_Z)]);
  });

  const carrier: { all: number; dev: number; evict: boolean }[] = [
    { all: 1, dev: 1, evict: true },
    { all: 0, dev: 1, evict: false },
    { all: 1, dev: 0, evict: false },
    { all: 0, dev: 0, evict: false },
    // IN_DEV_ANDCONF: any two non-zero values (Linux stores any int).
    { all: -1, dev: 7, evict: true },
    { all: 2, dev: 0, evict: false },
  ];
  for (const c of carrier) {
    it(`carrier off, arp_evict_nocarrier all=${c.all} dev=${c.dev} → ${c.evict ? 'all but PERMANENT (and permanent proxies) flushed' : 'nothing flushed'}`, () => {
      const h = populated();
      knob(h, 'all', 'arp_evict_nocarrier', c.all);
      knob(h, 'ea', 'arp_evict_nocarrier', c.dev);
      const keys = entryKeys(h.stack);
      h.stack.net.netifCarrierOff(h.ea);
      if (c.evict) {
        expect(entryKeys(h.stack)).toEqual(['10.0.0.12 ea', ...EC_ONLY]);
        expect(entry(h.stack, '10.0.0.12', h.ea)).toEqual({ state: NUD_PERMANENT, lladdr: colon(MAC_Y) });
        expect(proxyKeys(h.stack)).toEqual(['10.0.0.5 ec', '10.0.1.6 ea perm']);
      } else {
        expect(entryKeys(h.stack)).toEqual(keys);
        expect(proxyKeys(h.stack)).toEqual(ALL_PROXIES);
      }
      expect(h.ea.sent).toEqual([]);
    });
  }

  it('carrier back on flushes nothing', () => {
    const h = populated();
    knob(h, 'ea', 'arp_evict_nocarrier', 0);
    h.stack.net.netifCarrierOff(h.ea);
    const keys = entryKeys(h.stack);
    h.stack.net.netifCarrierOn(h.ea);
    expect(entryKeys(h.stack)).toEqual(keys);
  });

  it('device down flushes everything on it, PERMANENT and proxy entries included', () => {
    const h = populated();
    h.stack.net.devClose(h.ea);
    expect(entryKeys(h.stack)).toEqual(EC_ONLY);
    expect(proxyKeys(h.stack)).toEqual(['10.0.0.5 ec']);
  });

  // fib_inetaddr_event(NETDEV_DOWN) → fib_disable_ip() → arp_ifdown() once the device has no IPv4
  // address left; measured on 6.18: entries of every state (PERMANENT, NOARP included) and the
  // device's proxy entries go, each entry with a "Deleted" event in the state it had, a proxy entry
  // without device stays, and so do the other device's; every route through the device goes too.
  it('deleting an address flushes nothing while another is left; deleting the last flushes like ifdown', () => {
    const h = populated();
    const tbl = h.stack.inet.arp.tbl;
    expect(tbl.pneighCreate(ip('10.0.3.7'), null, 0, 0, true)).toBe(0);
    h.stack.addAddress(h.ea, '10.0.2.1/24');
    h.stack.addRoute('172.16.0.0/16', '10.0.0.254', h.ea);
    h.stack.addRoute('172.17.0.0/16', '10.0.1.254', h.ec!);
    const events: string[] = [];
    h.stack.on('neigh', (ev) => events.push(`${ev.type} ${ev.neigh.dst} ${ev.neigh.stateNames.join(',')}`));
    const keys = entryKeys(h.stack);
    const proxies = proxyKeys(h.stack);

    h.stack.delAddress(h.ea, '10.0.0.1/24');
    expect([entryKeys(h.stack), proxyKeys(h.stack), events]).toEqual([keys, proxies, []]);
    expect(h.stack.inet.fib.lookup(ip('172.16.0.9'))?.dev).toBe(h.ea);

    h.stack.delAddress(h.ea, '10.0.2.1/24');
    expect(entryKeys(h.stack)).toEqual(EC_ONLY);
    expect(proxyKeys(h.stack)).toEqual(['10.0.0.5 ec', '10.0.3.7 * perm']);
    expect(events.sort()).toEqual([
      'delneigh 10.0.0.10 STALE', 'delneigh 10.0.0.11 REACHABLE', 'delneigh 10.0.0.12 PERMANENT',
      'delneigh 10.0.0.13 NOARP', 'delneigh 10.0.0.14 INCOMPLETE',
    ]);
    expect(h.stack.inet.fib.lookup(ip('172.16.0.9'))).toBeNull();
    expect(h.stack.inet.fib.lookup(ip('172.17.0.9'))?.dev).toBe(h.ec);
    expect(h.ea.sent).toEqual([]);
  });

  // __inet_del_ifa() without promote_secondaries (measured on 6.18): a primary takes the
  // secondaries of its subnet and mask along; a secondary goes alone.
  it('deleting a primary address deletes its secondaries, and the last of them flushes the neighbours', () => {
    const h = populated();
    const addrs = (): string[] => h.stack.links().find((l) => l.name === 'ea')!.addrs.map(String);
    for (const a of ['10.0.0.2/24', '10.0.0.3/25', '10.0.0.4/24']) h.stack.addAddress(h.ea, a);
    h.stack.delAddress(h.ea, '10.0.0.2/24'); // a secondary: alone
    expect(addrs()).toEqual(['10.0.0.1/24', '10.0.0.3/25', '10.0.0.4/24']);
    h.stack.delAddress(h.ea, '10.0.0.1/24'); // the primary: 10.0.0.4/24 with it, not the /25
    expect(addrs()).toEqual(['10.0.0.3/25']);
    expect(h.stack.inet.isLocalAddr(ip('10.0.0.4'))).toBe(false);
    expect(entryKeys(h.stack).filter((k) => k.endsWith(' ea'))).toHaveLength(5);
    h.stack.addAddress(h.ea, '10.0.0.5/25');
    h.stack.delAddress(h.ea, '10.0.0.3/25'); // primary of the last group: both go, then arp_ifdown
    expect(addrs()).toEqual([]);
    expect(entryKeys(h.stack)).toEqual(EC_ONLY);
  });

  // inetdev_event: NETDEV_UP and NETDEV_CHANGEADDR send one gratuitous request per address when
  // arp_notify (max of all/dev); NETDEV_NOTIFY_PEERS always does.
  const garps = (m: Buffer, addrs: string[]): ArpView[] => addrs.map((a) => requestView(m, a, a));
  const notify: { all: number; dev: number; on: boolean }[] = [
    { all: 0, dev: 0, on: false },
    { all: 1, dev: 0, on: true },
    { all: 0, dev: 1, on: true },
    // IN_DEV_MAXCONF on any int: max(-1, 0) is 0 (off), max(-1, -2) is -1 (non-zero: on).
    { all: -1, dev: 0, on: false },
    { all: -1, dev: -2, on: true },
    { all: 9, dev: 0, on: true },
  ];
  for (const n of notify) {
    it(`arp_notify all=${n.all} dev=${n.dev}: device up → ${n.on ? 'one gratuitous request per address' : 'nothing'}`, () => {
      const h = makeHost({ ea: ['10.0.0.1/24', '192.168.7.1/24'] });
      knob(h, 'all', 'arp_notify', n.all);
      knob(h, 'ea', 'arp_notify', n.dev);
      h.stack.net.devClose(h.ea);
      clearSent(h);
      h.stack.net.devOpen(h.ea);
      expect(arps(h.ea)).toEqual(n.on ? garps(MAC_A, ['10.0.0.1', '192.168.7.1']) : []);
      expect(h.ec!.sent).toEqual([]);
    });

    it(`arp_notify all=${n.all} dev=${n.dev}: MAC change → ${n.on ? 'gratuitous requests from the new MAC' : 'nothing'}`, () => {
      const h = makeHost({ ea: ['10.0.0.1/24', '192.168.7.1/24'] });
      knob(h, 'all', 'arp_notify', n.all);
      knob(h, 'ea', 'arp_notify', n.dev);
      clearSent(h);
      h.stack.net.devSetMacAddress(h.ea, MAC_Z);
      expect(arps(h.ea)).toEqual(n.on ? garps(MAC_Z, ['10.0.0.1', '192.168.7.1']) : []);
      expect(h.ec!.sent).toEqual([]);
    });
  }

  it('arp_notify of another device does not apply', () => {
    const h = makeHost();
    knob(h, 'ec', 'arp_notify', 1);
    h.stack.net.devClose(h.ea);
    clearSent(h);
    h.stack.net.devOpen(h.ea);
    expect(h.ea.sent).toEqual([]);
  });

  // Documented as "when device is brought up or hardware address changes"; __inet_insert_ifa
  // raises no netdev event and sends nothing.
  it('arp_notify=1: adding an address sends nothing', () => {
    const h = makeHost();
    knob(h, 'all', 'arp_notify', 1);
    clearSent(h);
    h.stack.addAddress(h.ea, '10.0.0.5/24');
    expect(h.ea.sent).toEqual([]);
  });

  it('NETDEV_NOTIFY_PEERS sends one gratuitous request per address even with arp_notify=0', () => {
    const h = makeHost({ ea: ['10.0.0.1/24', '192.168.7.1/24'] });
    clearSent(h);
    h.stack.net.netdevNotifyPeers(h.ea);
    expect(arps(h.ea)).toEqual(garps(MAC_A, ['10.0.0.1', '192.168.7.1']));
    expect(h.ec!.sent).toEqual([]);
    h.stack.net.netdevNotifyPeers(h.ec!);
    expect(arps(h.ec!)).toEqual(garps(MAC_C, ['10.0.1.1']));
  });

  it('NETDEV_NOTIFY_PEERS on a device without addresses sends nothing', () => {
    const h = makeHost({ ec: [] });
    clearSent(h);
    h.stack.net.netdevNotifyPeers(h.ec!);
    expect(h.ec!.sent).toEqual([]);
  });
});
