import { afterEach, describe, expect, it } from 'vitest';
import { ETH_HLEN, ETH_P_ARP, emitEthHeader } from '../../src/ethernet/ethhdr.js';
import { ARPOP_REPLY, ARPOP_REQUEST, writeArp } from '../../src/ipv4/arphdr.js';
import { inDevGet } from '../../src/ipv4/devinet.js';
import { parseIPv4 } from '../../src/ipv4/inet_addr.js';
import { NEIGH_UPDATE_F_ADMIN, NUD_DELAY, NUD_FAILED, NUD_INCOMPLETE, NUD_PERMANENT, NUD_REACHABLE, NUD_STALE } from '../../src/neighbour/nud.js';
import { neighRelease, neighUpdate } from '../../src/neighbour/neighbour.js';
import { Stack } from '../../src/stack.js';
import { MAC_A, MAC_B, TwoStacks, closeStacks, twoStacks } from '../helpers/two_stacks.js';

const ip = (s: string): number => parseIPv4(s)!;
const MAC_X = Buffer.from([0x02, 0xcc, 0, 0, 0, 0x09]);
const MAC_Y = Buffer.from([0x02, 0xdd, 0, 0, 0, 0x0a]);
const BCAST = Buffer.alloc(6, 0xff);

afterEach(async () => {
  expect((await closeStacks({ invariants: true })).flat()).toEqual([]);
});

function setup(opts: { deferred?: boolean } = {}): TwoStacks {
  return twoStacks({ names: ['a0', 'b0'], record: true, deferred: opts.deferred });
}

/** An Ethernet+ARP frame (42 bytes). */
function arpFrame(ethDst: Buffer, ethSrc: Buffer, op: number, sha: Buffer, sip: string, tha: Buffer | null, tip: string): Buffer {
  const b = Buffer.alloc(ETH_HLEN + 28);
  emitEthHeader(b, 0, ethDst, 0, ethSrc, 0, ETH_P_ARP);
  writeArp(b, ETH_HLEN, op, sha, 0, ip(sip), tha, 0, ip(tip));
  return b;
}

interface ArpView {
  ethDst: string;
  ethSrc: string;
  type: number;
  hrd: number;
  pro: number;
  hln: number;
  pln: number;
  op: number;
  sha: string;
  sip: string;
  tha: string;
  tip: string;
}

const fmtIp = (b: Buffer, o: number): string => `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;

function parseArp(f: Buffer): ArpView {
  const a = ETH_HLEN;
  return {
    ethDst: f.subarray(0, 6).toString('hex'),
    ethSrc: f.subarray(6, 12).toString('hex'),
    type: f.readUInt16BE(12),
    hrd: f.readUInt16BE(a),
    pro: f.readUInt16BE(a + 2),
    hln: f[a + 4],
    pln: f[a + 5],
    op: f.readUInt16BE(a + 6),
    sha: f.subarray(a + 8, a + 14).toString('hex'),
    sip: fmtIp(f, a + 14),
    tha: f.subarray(a + 18, a + 24).toString('hex'),
    tip: fmtIp(f, a + 24),
  };
}

const arps = (sent: Buffer[]): ArpView[] => sent.filter((f) => f.readUInt16BE(12) === ETH_P_ARP).map(parseArp);
const ipFrames = (sent: Buffer[]): Buffer[] => sent.filter((f) => f.readUInt16BE(12) === 0x0800);

function neigh(s: Stack, addr: string) {
  return s.neighbours().find((n) => n.dst === addr);
}

const hex = (m: Buffer): string => m.toString('hex');
const colon = (m: Buffer): string => [...m].map((x) => x.toString(16).padStart(2, '0')).join(':');

describe('two stacks on a pair: resolution through ping', () => {
  it('A pings B from empty tables: queue, one broadcast request, STALE on B, REACHABLE on A, flush, replies', async () => {
    const { clock, A, B, ea, eb } = setup({ deferred: true });
    expect(A.neighbours()).toEqual([]);
    expect(B.neighbours()).toEqual([]);
    const p = A.ping('10.0.0.2', { count: 2, interval: 1 });

    // First echo request waits on an INCOMPLETE entry; one broadcast ARP request is on the wire.
    const nA = A.inet.arp.tbl.lookupNoref(ip('10.0.0.2'), ea)!;
    expect(nA.nudState).toBe(NUD_INCOMPLETE);
    expect(nA.arpQueue.length).toBe(1);
    expect(ea.sent).toHaveLength(1);
    const req = parseArp(ea.sent[0]);
    expect(req).toEqual({
      ethDst: 'ffffffffffff', ethSrc: hex(MAC_A), type: ETH_P_ARP, hrd: 1, pro: 0x0800, hln: 6, pln: 4,
      op: ARPOP_REQUEST, sha: hex(MAC_A), sip: '10.0.0.1', tha: '000000000000', tip: '10.0.0.2',
    });
    expect(A.inet.arp.stats.txRequests).toBe(1);

    // B learns A via neigh_event_ns (STALE) and replies by unicast.
    expect(ea.deliverPending()).toBe(1);
    const nB = neigh(B, '10.0.0.1')!;
    expect(nB.state).toBe(NUD_STALE);
    expect(nB.lladdr).toBe(colon(MAC_A));
    expect(eb.sent).toHaveLength(1);
    expect(parseArp(eb.sent[0])).toEqual({
      ethDst: hex(MAC_A), ethSrc: hex(MAC_B), type: ETH_P_ARP, hrd: 1, pro: 0x0800, hln: 6, pln: 4,
      op: ARPOP_REPLY, sha: hex(MAC_B), sip: '10.0.0.2', tha: hex(MAC_A), tip: '10.0.0.1',
    });
    expect(B.inet.arp.stats.rxRequests).toBe(1);
    expect(B.inet.arp.stats.txReplies).toBe(1);

    // The unicast reply makes A's entry REACHABLE and flushes the queued echo request.
    expect(eb.deliverPending()).toBe(1);
    expect(neigh(A, '10.0.0.2')!.state).toBe(NUD_REACHABLE);
    expect(neigh(A, '10.0.0.2')!.lladdr).toBe(colon(MAC_B));
    expect(nA.arpQueue.length).toBe(0);
    expect(ea.sent).toHaveLength(2);
    const echo = ea.sent[1];
    expect(echo.subarray(0, 6).equals(MAC_B)).toBe(true);
    expect(echo.readUInt16BE(12)).toBe(0x0800);
    expect(echo[ETH_HLEN + 20]).toBe(8); // ICMP echo

    // B answers; its STALE entry goes to DELAY on use.
    ea.deliverPending();
    expect(neigh(B, '10.0.0.1')!.state).toBe(NUD_DELAY);
    expect(eb.deliverPending()).toBe(1);

    clock.advance(1000);
    expect(ea.deliverPending()).toBe(1);
    expect(eb.deliverPending()).toBe(1);
    const r = await p;
    expect(r.transmitted).toBe(2);
    expect(r.received).toBe(2);
    expect(r.errors).toBe(0);
    expect(r.replies.map((x) => x.seq)).toEqual([1, 2]);
    expect(r.replies[0].from).toBe('10.0.0.2');
    // exactly one ARP exchange in total
    expect(arps(ea.sent)).toHaveLength(1);
    expect(arps(eb.sent)).toHaveLength(1);
    expect(A.inet.arp.tbl.stats.unresDiscards).toBe(0);
  });

  it('synchronous wire: ping succeeds end to end', async () => {
    const { A, clock } = setup();
    const p = A.ping('10.0.0.2', { count: 1 });
    clock.advance(0);
    const r = await p;
    expect(r.received).toBe(1);
    expect(r.lines[1]).toMatch(/^64 bytes from 10\.0\.0\.2: icmp_seq=1 ttl=64 time=0\.000 ms$/);
  });
});

describe('arp_announce', () => {
  async function requestSource(announce: number): Promise<string> {
    const { A, ea, clock } = setup({ deferred: true });
    A.addAddress(ea, '10.0.0.5/24'); // secondary on the same subnet
    if (announce) A.inet.conf.all.set('arp_announce', announce);
    const p = A.ping('10.0.0.2', { count: 1, source: '10.0.0.5', timeout: 1 });
    const req = arps(ea.sent);
    expect(req).toHaveLength(1);
    ea.pending.length = 0; // drop on the wire
    clock.advance(5000);
    await p;
    return req[0].sip;
  }

  it('0: the queued packet source is announced', async () => {
    expect(await requestSource(0)).toBe('10.0.0.5');
  });

  it('2: inet_select_addr primary is announced', async () => {
    expect(await requestSource(2)).toBe('10.0.0.1');
  });

  it('1: the packet source is used when on-link with the target', async () => {
    expect(await requestSource(1)).toBe('10.0.0.5');
  });
});

describe('ARP receive policies', () => {
  it('unsolicited reply from an unknown host does not create an entry with arp_accept=0', () => {
    const { A, ea } = setup();
    ea.peer = null; // the injected frame arrives only at A; A's transmissions go nowhere
    ea.receiveFrame(arpFrame(MAC_A, MAC_X, ARPOP_REPLY, MAC_X, '10.0.0.9', MAC_A, '10.0.0.1'));
    expect(A.neighbours()).toEqual([]);
    expect(A.inet.arp.stats.drops.unsolicited).toBe(1);
    expect(A.inet.arp.stats.rxReplies).toBe(1);
  });

  it('with arp_accept=1 an unsolicited unicast reply creates a REACHABLE entry', () => {
    const { A, ea } = setup();
    ea.peer = null;
    A.inet.conf.all.set('arp_accept', 1);
    ea.receiveFrame(arpFrame(MAC_A, MAC_X, ARPOP_REPLY, MAC_X, '10.0.0.9', MAC_A, '10.0.0.1'));
    const n = neigh(A, '10.0.0.9')!;
    expect(n.state).toBe(NUD_REACHABLE);
    expect(n.lladdr).toBe(colon(MAC_X));
    expect(A.inet.arp.stats.drops.unsolicited).toBe(0);
  });

  it('with arp_accept=1 a broadcast reply creates a STALE entry (not REACHABLE)', () => {
    const { A, ea } = setup();
    ea.peer = null;
    A.inet.conf.all.set('arp_accept', 1);
    ea.receiveFrame(arpFrame(BCAST, MAC_X, ARPOP_REPLY, MAC_X, '10.0.0.9', MAC_A, '10.0.0.1'));
    const n = neigh(A, '10.0.0.9')!;
    expect(n.state).toBe(NUD_STALE);
    expect(n.lladdr).toBe(colon(MAC_X));
  });

  it('broadcast reply resolving an INCOMPLETE entry gives STALE, and the flushed packet moves it to DELAY', () => {
    const { A, ea } = setup({ deferred: true });
    const states: number[] = [];
    A.inet.arp.tbl.subscribe((ev) => { if (ev.neigh.dst === '10.0.0.2') states.push(ev.neigh.state); });
    void A.ping('10.0.0.2', { count: 1 });
    ea.pending.length = 0;
    expect(neigh(A, '10.0.0.2')!.state).toBe(NUD_INCOMPLETE);
    ea.receiveFrame(arpFrame(BCAST, MAC_B, ARPOP_REPLY, MAC_B, '10.0.0.2', MAC_A, '10.0.0.1'));
    expect(states).toContain(NUD_STALE);
    expect(states).not.toContain(NUD_REACHABLE);
    expect(neigh(A, '10.0.0.2')!.state).toBe(NUD_DELAY);
    expect(ipFrames(ea.sent)).toHaveLength(1);
    expect(ipFrames(ea.sent)[0].subarray(0, 6).equals(MAC_B)).toBe(true);
  });

  it('gratuitous request overrides within locktime; a non-gratuitous one waits for locktime', () => {
    const { A, ea, clock } = setup();
    ea.peer = null;
    // A request for A from 10.0.0.2 creates a STALE entry (neigh_event_ns) and is answered.
    ea.receiveFrame(arpFrame(BCAST, MAC_X, ARPOP_REQUEST, MAC_X, '10.0.0.2', null, '10.0.0.1'));
    expect(neigh(A, '10.0.0.2')!.lladdr).toBe(colon(MAC_X));
    expect(neigh(A, '10.0.0.2')!.state).toBe(NUD_STALE);
    expect(A.inet.arp.stats.txReplies).toBe(1);

    // Non-gratuitous request (for another host) with a new MAC inside locktime: ignored.
    ea.receiveFrame(arpFrame(BCAST, MAC_Y, ARPOP_REQUEST, MAC_Y, '10.0.0.2', null, '10.0.0.77'));
    expect(neigh(A, '10.0.0.2')!.lladdr).toBe(colon(MAC_X));

    // Gratuitous request (sip == tip) overrides even inside locktime.
    clock.advance(10);
    ea.receiveFrame(arpFrame(BCAST, MAC_Y, ARPOP_REQUEST, MAC_Y, '10.0.0.2', null, '10.0.0.2'));
    expect(neigh(A, '10.0.0.2')!.lladdr).toBe(colon(MAC_Y));
    expect(neigh(A, '10.0.0.2')!.state).toBe(NUD_STALE);
    // no reply to a request not for us
    expect(A.inet.arp.stats.txReplies).toBe(1);

    // Back to MAC_X with a normal request: refused inside locktime (1000 ms)...
    clock.advance(1000);
    ea.receiveFrame(arpFrame(BCAST, MAC_X, ARPOP_REQUEST, MAC_X, '10.0.0.2', null, '10.0.0.77'));
    expect(neigh(A, '10.0.0.2')!.lladdr).toBe(colon(MAC_Y));
    // ...accepted once locktime has passed.
    clock.advance(1);
    ea.receiveFrame(arpFrame(BCAST, MAC_X, ARPOP_REQUEST, MAC_X, '10.0.0.2', null, '10.0.0.77'));
    expect(neigh(A, '10.0.0.2')!.lladdr).toBe(colon(MAC_X));
  });

  it('a PERMANENT entry is never changed by ARP from the wire', () => {
    const { A, ea, clock } = setup();
    ea.peer = null;
    const tbl = A.inet.arp.tbl;
    expect(tbl.neighAdd(ip('10.0.0.2'), ea, { state: NUD_PERMANENT, lladdr: MAC_B, create: true, excl: true })).toBe(0);
    // and one created through neighUpdate with ADMIN
    const n9 = tbl.lookupCreate(ip('10.0.0.9'), ea, true)!;
    expect(neighUpdate(n9, MAC_B, NUD_PERMANENT, NEIGH_UPDATE_F_ADMIN)).toBe(0);
    clock.advance(5000);
    for (const who of ['10.0.0.2', '10.0.0.9']) {
      ea.receiveFrame(arpFrame(MAC_A, MAC_X, ARPOP_REPLY, MAC_X, who, MAC_A, '10.0.0.1'));
      ea.receiveFrame(arpFrame(BCAST, MAC_X, ARPOP_REQUEST, MAC_X, who, null, who));
      ea.receiveFrame(arpFrame(BCAST, MAC_X, ARPOP_REQUEST, MAC_X, who, null, '10.0.0.1'));
      ea.receiveFrame(arpFrame(BCAST, MAC_X, ARPOP_REQUEST, MAC_X, who, null, '10.0.0.77'));
      const n = neigh(A, who)!;
      expect(n.state).toBe(NUD_PERMANENT);
      expect(n.lladdr).toBe(colon(MAC_B));
    }
    // The requests for A were still answered (to the frame's sender).
    const replies = arps(ea.sent).filter((a) => a.op === ARPOP_REPLY);
    expect(replies).toHaveLength(2);
    expect(replies[0].ethDst).toBe(hex(MAC_X));
    expect(replies[0].tip).toBe('10.0.0.2');
    neighRelease(n9); // drop our lookupCreate reference
  });
});

describe('failure and queue limits', () => {
  it('queue overflow through the IP path counts unresDiscards', async () => {
    const { A, ea, clock } = setup({ deferred: true });
    const parms = inDevGet(ea)!.arpParms;
    // each 56-byte ping costs 832 bytes, as on Linux (neighbour_truesize.test.ts); room for two
    parms.queueLenBytes = 832 * 2;
    const p = A.ping('10.0.0.2', { count: 4, interval: 0.2, timeout: 5 });
    for (let i = 0; i < 3; i++) clock.advance(200);
    ea.pending.length = 0; // B never hears anything
    const n = A.inet.arp.tbl.lookupNoref(ip('10.0.0.2'), ea)!;
    expect(n.nudState).toBe(NUD_INCOMPLETE);
    expect(n.arpQueue.length).toBe(2);
    expect(n.arpQueueLenBytes).toBe(1664);
    expect(A.inet.arp.tbl.stats.unresDiscards).toBe(2);
    clock.advance(10_000);
    const r = await p;
    expect(r.transmitted).toBe(4);
    expect(r.received).toBe(0);
    // only the two survivors were reported back
    expect(r.errors).toBe(2);
    expect(r.lines.filter((l) => l.includes('Destination Host Unreachable'))).toEqual([
      'From 10.0.0.1 icmp_seq=3 Destination Host Unreachable',
      'From 10.0.0.1 icmp_seq=4 Destination Host Unreachable',
    ]);
  });

  it('FAILED after 3 broadcast probes 1000 ms apart; ping reports Destination Host Unreachable', async () => {
    const { A, ea, clock } = setup({ deferred: true });
    const t0 = clock.now();
    const times: number[] = [];
    A.net.taps.push((skb, _dev, out) => { if (out && skb.protocol === ETH_P_ARP) times.push(clock.now() - t0); });
    const p = A.ping('10.0.0.2', { count: 1, timeout: 5 });
    const drop = (): void => { ea.pending.length = 0; };
    drop();
    clock.advance(999);
    expect(arps(ea.sent)).toHaveLength(1);
    clock.advance(1);
    drop();
    clock.advance(1000);
    drop();
    expect(neigh(A, '10.0.0.2')!.state).toBe(NUD_INCOMPLETE);
    clock.advance(999);
    expect(neigh(A, '10.0.0.2')!.state).toBe(NUD_INCOMPLETE);
    clock.advance(1);
    expect(neigh(A, '10.0.0.2')!.state).toBe(NUD_FAILED);
    expect(times).toEqual([0, 1000, 2000]);
    const reqs = arps(ea.sent);
    expect(reqs).toHaveLength(3);
    for (const r of reqs) {
      expect(r.ethDst).toBe('ffffffffffff');
      expect(r.op).toBe(ARPOP_REQUEST);
      expect(r.tip).toBe('10.0.0.2');
      expect(r.tha).toBe('000000000000');
    }
    expect(A.inet.arp.tbl.stats.resFailed).toBe(1);
    clock.advance(5000);
    const r = await p;
    expect(r.lines).toContain('From 10.0.0.1 icmp_seq=1 Destination Host Unreachable');
    expect(r.errors).toBe(1);
    expect(r.received).toBe(0);
    expect(r.lossPercent).toBe(100);
    expect(ipFrames(ea.sent)).toHaveLength(0);
  });
});

describe('B answering requests', () => {
  it('DAD probe (sip 0.0.0.0) for B\'s address gets a reply with target IP 0; B\'s table untouched', () => {
    const { B, eb } = setup();
    eb.peer = null;
    eb.receiveFrame(arpFrame(BCAST, MAC_X, ARPOP_REQUEST, MAC_X, '0.0.0.0', null, '10.0.0.2'));
    expect(B.neighbours()).toEqual([]);
    expect(eb.sent).toHaveLength(1);
    expect(parseArp(eb.sent[0])).toEqual({
      ethDst: hex(MAC_X), ethSrc: hex(MAC_B), type: ETH_P_ARP, hrd: 1, pro: 0x0800, hln: 6, pln: 4,
      op: ARPOP_REPLY, sha: hex(MAC_B), sip: '10.0.0.2', tha: hex(MAC_X), tip: '0.0.0.0',
    });
    // a DAD probe for someone else's address: no reply, still no entry
    eb.receiveFrame(arpFrame(BCAST, MAC_X, ARPOP_REQUEST, MAC_X, '0.0.0.0', null, '10.0.0.3'));
    expect(eb.sent).toHaveLength(1);
    expect(B.neighbours()).toEqual([]);
    expect(B.inet.arp.stats.drops.ignored).toBe(1);
  });

  it('a request for an address B does not own gets no reply and creates nothing', () => {
    const { B, eb } = setup();
    eb.peer = null;
    eb.receiveFrame(arpFrame(BCAST, MAC_X, ARPOP_REQUEST, MAC_X, '10.0.0.1', null, '10.0.0.99'));
    expect(eb.sent).toHaveLength(0);
    expect(B.neighbours()).toEqual([]);
    expect(B.inet.arp.stats.rxRequests).toBe(1);
    expect(B.inet.arp.stats.txReplies).toBe(0);
    expect(B.inet.arp.stats.drops.unsolicited).toBe(1);
  });

  it('a unicast request for B is answered and creates STALE', () => {
    const { B, eb } = setup();
    eb.peer = null;
    eb.receiveFrame(arpFrame(MAC_B, MAC_X, ARPOP_REQUEST, MAC_X, '10.0.0.7', null, '10.0.0.2'));
    expect(arps(eb.sent).map((a) => [a.op, a.ethDst, a.tip])).toEqual([[ARPOP_REPLY, hex(MAC_X), '10.0.0.7']]);
    expect(neigh(B, '10.0.0.7')!.state).toBe(NUD_STALE);
  });
});

describe('reference counts after ARP (arp_process releases what it looks up)', () => {
  it('entries learned from requests and replies hold only the table reference, so delete and GC remove them', async () => {
    const { clock, A, B, ea, eb } = setup();
    const r = A.ping('10.0.0.2', { count: 1 });
    clock.advance(10);
    expect((await r).received).toBe(1);
    const na = A.inet.arp.tbl.lookupNoref(ip('10.0.0.2'), ea)!;
    const nb = B.inet.arp.tbl.lookupNoref(ip('10.0.0.1'), eb)!;
    // Learned from a reply (A) and from a request (B): the table's reference, plus the timer's
    // while one is pending (as in the kernel) — nothing left over from arp_process.
    expect(na.timer.pending).toBe(true);
    expect(na.refcnt).toBe(2);
    expect(nb.refcnt).toBe(nb.timer.pending ? 2 : 1);
    expect(A.neighbours()[0].refcnt).toBe(1);
    // `ip neigh del` on an unreferenced entry removes it outright.
    expect(B.inet.arp.tbl.neighDelete(ip('10.0.0.1'), eb)).toBe(0);
    expect(B.inet.arp.tbl.size).toBe(0);
    // Periodic GC collects an entry unused for gc_staletime once the table is past gc_thresh1.
    const tbl = A.inet.arp.tbl;
    tbl.gcThresh1 = 0;
    clock.advance(120_000);
    expect(tbl.lookupNoref(ip('10.0.0.2'), ea)).toBeNull();
    expect(tbl.stats.periodicGcRuns).toBeGreaterThan(0);
  });
});
