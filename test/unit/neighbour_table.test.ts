// The neighbour table around the state machine: queueing, GC, hash growth, header cache, output
// selection, parms, statistics, device events, proxy queue, management and lifecycle.
import { describe, expect, it } from 'vitest';
import { EEXIST, EINVAL, ENOBUFS, ENOENT, StackError } from '../../src/core/errno.js';
import { allocSkb, type SkBuff } from '../../src/core/skbuff.js';
import {
  Neighbour,
  neighBlackhole,
  neighConfirm,
  neighConnectedOutput,
  neighEventSend,
  neighOutput,
  neighRelease,
  neighResolveOutput,
  neighUpdate,
} from '../../src/neighbour/neighbour.js';
import {
  NEIGH_UPDATE_F_ADMIN,
  NEIGH_UPDATE_F_OVERRIDE,
  NTF_EXT_MANAGED,
  NTF_MANAGED,
  NTF_PROXY,
  NTF_ROUTER,
  NTF_USE,
  NUD_DELAY,
  NUD_FAILED,
  NUD_INCOMPLETE,
  NUD_NOARP,
  NUD_NONE,
  NUD_PERMANENT,
  NUD_REACHABLE,
  NUD_STALE,
  nudStateFromName,
  nudStateNames,
} from '../../src/neighbour/nud.js';
import {
  NeighParms,
  UNRES_QLEN_TRUESIZE,
  neighRandReachTime,
  setUnresQlen,
  unresQlen,
} from '../../src/neighbour/parms.js';
import {
  ETH_HLEN,
  ETH_P_IP,
  NeighHarness,
  PKT_TRUESIZE,
  fmtKey,
  hhCounters,
  ip,
  lcgRandom,
  mac,
  macStr,
  pkt,
  tagOf,
} from '../helpers/neigh_fake.js';

const A = '02:00:00:00:00:0a';
const B = '02:00:00:00:00:0b';
const T = 1_000_000;
const OVR = NEIGH_UPDATE_F_OVERRIDE;
const ADMIN_OVR = NEIGH_UPDATE_F_ADMIN | NEIGH_UPDATE_F_OVERRIDE;

function ok(h: NeighHarness): void {
  expect(h.tbl.checkInvariants()).toEqual([]);
}

/** An entry in `state` with our reference dropped (only the table holds it). */
function unref(h: NeighHarness, key: number, state: number, dev = h.dev): Neighbour<number> {
  const n = h.neigh(key, dev);
  if (state === NUD_FAILED) {
    neighEventSend(n, null);
    neighUpdate(n, null, NUD_FAILED, ADMIN_OVR);
  } else if (state !== NUD_NONE) {
    neighUpdate(n, mac(A), state, state & (NUD_PERMANENT | NUD_NOARP) ? ADMIN_OVR : OVR);
  }
  neighRelease(n);
  expect(n.refcnt).toBe(state === NUD_REACHABLE ? 2 : 1);
  return n;
}

describe('arp_queue', () => {
  it('drops the oldest on overflow, counts unres_discards, keeps the newest in order', () => {
    const h = new NeighHarness({ defaults: { queueLenBytes: 3 * PKT_TRUESIZE } });
    const n = h.neigh(ip('10.0.0.2'));
    for (let i = 0; i < 7; i++) expect(neighOutput(n, pkt(h.dev, `p${i}`))).toBe(0);
    expect(n.arpQueue.map(tagOf)).toEqual(['p4', 'p5', 'p6']);
    expect(n.arpQueueLenBytes).toBe(3 * PKT_TRUESIZE);
    expect(h.tbl.stats.unresDiscards).toBe(4);
    expect(h.solicits.map((s) => s.tag)).toEqual(['p0']);
    ok(h);
  });

  it('queues a single packet larger than queue_len_bytes', () => {
    const h = new NeighHarness({ defaults: { queueLenBytes: 10 } });
    const n = h.neigh(ip('10.0.0.2'));
    neighEventSend(n, pkt(h.dev, 'big', 1400));
    expect(n.arpQueue.map(tagOf)).toEqual(['big']);
    // Linux's alloc_skb(16 + 1400 + 15) comes from kmalloc-2k: 2048 + sizeof(struct sk_buff).
    expect(n.arpQueueLenBytes).toBe(2304);
    expect(h.tbl.stats.unresDiscards).toBe(0);
    ok(h);
  });

  it('flushes queued packets in order once resolved, each with the learned MAC', () => {
    const h = new NeighHarness();
    const n = h.neigh(ip('10.0.0.2'));
    for (let i = 0; i < 5; i++) neighOutput(n, pkt(h.dev, `p${i}`));
    h.clock.advance(500);
    neighUpdate(n, mac(A), NUD_REACHABLE, OVR);
    expect(h.sent()).toEqual(['p0', 'p1', 'p2', 'p3', 'p4'].map((tag) => ({ tag, dst: A })));
    const f = h.dev.frames[0].bytes;
    expect(macStr(f, 6)).toBe('02:00:00:00:01:00');
    expect(f.readUInt16BE(12)).toBe(ETH_P_IP);
    expect(f.subarray(ETH_HLEN, ETH_HLEN + 2).toString('latin1')).toBe('p0');
    expect(n.arpQueue).toEqual([]);
    expect(n.arpQueueLenBytes).toBe(0);
    ok(h);
  });

  it('reports every queued packet via errorReport on FAILED and drops nothing silently', () => {
    const h = new NeighHarness();
    const n = h.neigh(ip('10.0.0.2'));
    for (let i = 0; i < 4; i++) neighOutput(n, pkt(h.dev, `p${i}`));
    h.clock.advance(2999);
    expect(n.nudState).toBe(NUD_INCOMPLETE);
    expect(h.solicits.map((s) => s.at - T)).toEqual([0, 1000, 2000]);
    h.clock.advance(1);
    expect(n.nudState).toBe(NUD_FAILED);
    expect(h.errorReports.map((r) => r.tag)).toEqual(['p0', 'p1', 'p2', 'p3']);
    expect(h.tbl.stats.resFailed).toBe(1);
    expect(h.tbl.stats.extra.queuePurged).toBe(0);
    expect(h.sent()).toEqual([]);
    ok(h);
  });
});

describe('garbage collection', () => {
  it('periodic GC below gc_thresh1 removes nothing but still runs every base_reachable_time/2', () => {
    const h = new NeighHarness();
    h.tbl.start();
    for (let i = 0; i < 3; i++) unref(h, ip(`10.0.0.${i + 2}`), NUD_FAILED);
    h.clock.advance(29999);
    expect(h.tbl.stats.periodicGcRuns).toBe(0);
    h.clock.advance(1);
    expect(h.tbl.stats.periodicGcRuns).toBe(1);
    expect(h.tbl.size).toBe(3);
    h.clock.advance(15000);
    expect(h.tbl.stats.periodicGcRuns).toBe(2);
    expect(h.tbl.size).toBe(3);
    ok(h);
  });

  it('periodic GC at/above gc_thresh1: FAILED and stale go, PERMANENT/IN_TIMER/referenced stay', () => {
    const h = new NeighHarness({ gcThresh1: 2 });
    h.tbl.start();
    const f1 = unref(h, ip('10.0.0.1'), NUD_FAILED);
    const f2 = h.neigh(ip('10.0.0.2'));
    neighUpdate(f2, null, NUD_FAILED, ADMIN_OVR); // held by us
    const s1 = unref(h, ip('10.0.0.3'), NUD_STALE);
    const p1 = unref(h, ip('10.0.0.4'), NUD_PERMANENT);
    const u1 = unref(h, ip('10.0.0.5'), NUD_STALE);
    h.clock.advance(30000);
    expect(h.tbl.stats.periodicGcRuns).toBe(1);
    expect(f1.dead).toBe(true);
    expect([f2, s1, p1, u1].map((n) => n.dead)).toEqual([false, false, false, false]);
    expect(h.events.filter((e) => e.type === 'delneigh').map((e) => e.neigh.dst)).toEqual(['10.0.0.1']);
    expect(h.tbl.stats.destroys).toBe(1);

    neighRelease(f2);
    neighConfirm(u1); // confirmed > used: GC first raises used to confirmed
    const rUsedAt = h.clock.now();
    h.clock.advance(15000); // T+45000
    expect(f2.dead).toBe(true);
    expect(u1.used).toBe(rUsedAt);
    h.clock.advance(15000); // T+60000: s1 unused for gc_staletime
    expect(s1.dead).toBe(true);
    expect(u1.dead).toBe(false);
    expect(p1.dead).toBe(false);
    h.clock.advance(30000); // T+90000: u1 used at T+30000 → stale at T+90000
    expect(u1.dead).toBe(true);
    h.clock.advance(600000);
    expect(p1.dead).toBe(false);
    expect(h.tbl.size).toBe(1);
    expect(h.tbl.stats).toMatchObject({ allocs: 5, destroys: 4 });
    ok(h);
  });

  it('IN_TIMER entries are never collected by the periodic GC', () => {
    const h = new NeighHarness({ gcThresh1: 0 });
    h.tbl.start();
    const n = h.neigh(ip('10.0.0.2'));
    neighUpdate(n, mac(A), NUD_REACHABLE, OVR);
    neighRelease(n);
    expect(n.refcnt).toBe(2); // table + pending timer
    h.clock.advance(30000);
    expect(n.dead).toBe(false);
    ok(h);
  });

  it('forced GC at gc_thresh2 only when the last flush is > 5 s old; removes oldest stale down to thresh2', () => {
    const h = new NeighHarness({ gcThresh2: 4, gcThresh3: 8 });
    const es = [1, 2, 3, 4].map((i) => unref(h, ip(`10.0.0.${i}`), NUD_NONE));
    h.clock.advance(5000); // now == last_flush + 5 s: not yet
    unref(h, ip('10.0.0.5'), NUD_NONE);
    expect(h.tbl.stats.forcedGcRuns).toBe(0);
    h.clock.advance(1000);
    unref(h, ip('10.0.0.6'), NUD_NONE);
    expect(h.tbl.stats.forcedGcRuns).toBe(1);
    expect(es.map((n) => n.dead)).toEqual([true, true, false, false]); // max_clean = 6 - 4
    expect(h.tbl.lastFlush).toBe(T + 6000);
    expect(h.tbl.size).toBe(4);
    expect(h.tbl.gcEntries).toBe(4);
    unref(h, ip('10.0.0.7'), NUD_NONE);
    expect(h.tbl.stats.forcedGcRuns).toBe(1); // within 5 s of the last flush
    expect(h.tbl.gcEntries).toBe(5);
    ok(h);
  });

  it('forced GC spares entries updated within 5 s unless FAILED, NOARP or multicast', () => {
    const isMc = (k: number): boolean => k >>> 28 === 0xe;
    const h = new NeighHarness({ gcThresh2: 0, gcThresh3: 4, isMulticast: isMc });
    const fresh = unref(h, ip('10.0.0.1'), NUD_STALE);
    const failed = unref(h, ip('10.0.0.2'), NUD_FAILED);
    const noarp = unref(h, ip('10.0.0.3'), NUD_NOARP);
    const mc = unref(h, ip('224.0.0.9'), NUD_NONE);
    expect(h.tbl.gcEntries).toBe(4);
    const r = h.tbl.create(ip('10.0.0.5'), h.dev);
    expect(r).toBeInstanceOf(Neighbour);
    expect(h.tbl.stats.forcedGcRuns).toBe(1);
    expect([fresh, failed, noarp, mc].map((n) => n.dead)).toEqual([false, true, true, true]);
    expect(h.tbl.stats.tableFulls).toBe(0);
    expect(h.tbl.lastFlush).toBe(T);
    ok(h);
  });

  it('forced GC with gc_entries ≤ gc_thresh2 (max_clean ≤ 0) stops at the first unreferenced candidate', () => {
    const h = new NeighHarness({ gcThresh2: 1000, gcThresh3: 3 });
    const fresh = unref(h, ip('10.0.0.1'), NUD_STALE);
    const failed = unref(h, ip('10.0.0.2'), NUD_FAILED);
    unref(h, ip('10.0.0.3'), NUD_FAILED);
    expect(h.tbl.create(ip('10.0.0.5'), h.dev)).toBe(-ENOBUFS);
    expect([fresh.dead, failed.dead]).toEqual([false, false]);
    expect(h.tbl.stats).toMatchObject({ forcedGcRuns: 1, tableFulls: 1 });
    ok(h);
  });

  it('table full at gc_thresh3: -ENOBUFS, table_fulls++, nothing allocated', () => {
    const h = new NeighHarness({ gcThresh2: 100, gcThresh3: 4 });
    const held = [1, 2, 3, 4].map((i) => h.neigh(ip(`10.0.0.${i}`)));
    expect(h.tbl.create(ip('10.0.0.5'), h.dev)).toBe(-ENOBUFS);
    expect(h.tbl.stats).toMatchObject({ tableFulls: 1, forcedGcRuns: 1, allocs: 4, destroys: 0 });
    expect(h.tbl.gcEntries).toBe(4);
    expect(h.tbl.entries).toBe(4);
    // A lookup-or-create miss reports failure as null.
    expect(h.tbl.lookupCreate(ip('10.0.0.5'), h.dev, true)).toBeNull();
    expect(h.tbl.stats.tableFulls).toBe(2);
    // Once one entry is FAILED and unreferenced, forced GC frees room.
    neighUpdate(held[1], null, NUD_FAILED, ADMIN_OVR);
    neighRelease(held[1]);
    const r = h.tbl.create(ip('10.0.0.5'), h.dev);
    expect(r).toBeInstanceOf(Neighbour);
    expect(held[1].dead).toBe(true);
    expect(h.tbl.stats).toMatchObject({ tableFulls: 2, forcedGcRuns: 3, allocs: 5, destroys: 1 });
    ok(h);
  });

  it('PERMANENT (admin) entries are exempt: not counted in gc_entries, never refused', () => {
    const h = new NeighHarness({ gcThresh2: 2, gcThresh3: 3 });
    for (let i = 0; i < 10; i++) {
      expect(h.tbl.neighAdd(ip(`10.0.1.${i}`), h.dev, { state: NUD_PERMANENT, lladdr: mac(A), create: true, excl: true })).toBe(0);
    }
    expect(h.tbl.size).toBe(10);
    expect(h.tbl.gcEntries).toBe(0);
    expect(h.tbl.stats.forcedGcRuns).toBe(0);
    h.tbl.gcThresh1 = 0;
    h.tbl.start();
    h.clock.advance(120000);
    expect(h.tbl.size).toBe(10);
    ok(h);
  });
});

describe('header cache and output selection', () => {
  it('fills the hh cache once, uses it on the fast path, and rewrites it on an lladdr change', () => {
    const h = new NeighHarness();
    const n = h.neigh(ip('10.0.0.2'));
    neighUpdate(n, mac(A), NUD_REACHABLE, OVR);
    const c0 = { ...hhCounters };
    expect(n.hh.hhLen).toBe(0);
    for (let i = 0; i < 4; i++) expect(neighOutput(n, pkt(h.dev, `p${i}`))).toBe(0);
    expect(hhCounters.cache - c0.cache).toBe(1);
    expect(n.hh.hhLen).toBe(ETH_HLEN);
    const headers = h.dev.frames.map((f) => f.bytes.subarray(0, ETH_HLEN).toString('hex'));
    expect(new Set(headers).size).toBe(1);
    expect(headers[0]).toBe('02000000000a' + '020000000100' + '0800');
    expect(h.sent().map((f) => f.tag)).toEqual(['p0', 'p1', 'p2', 'p3']);

    neighUpdate(n, mac(B), NUD_REACHABLE, OVR);
    expect(hhCounters.cacheUpdate - c0.cacheUpdate).toBe(1);
    neighOutput(n, pkt(h.dev, 'after'));
    expect(h.sent().at(-1)).toEqual({ tag: 'after', dst: B });
    expect(hhCounters.cache - c0.cache).toBe(1);
    ok(h);
  });

  it('skipCache and non-CONNECTED states bypass the cached header', () => {
    const h = new NeighHarness();
    const n = h.neigh(ip('10.0.0.2'));
    neighUpdate(n, mac(A), NUD_REACHABLE, OVR);
    neighOutput(n, pkt(h.dev, 'warm'));
    neighOutput(n, pkt(h.dev, 'skip'), true);
    expect(h.sent().at(-1)).toEqual({ tag: 'skip', dst: A });
    neighUpdate(n, mac(A), NUD_STALE, ADMIN_OVR);
    neighOutput(n, pkt(h.dev, 'stale'));
    expect(n.nudState).toBe(NUD_DELAY); // went through resolve_output
    expect(h.sent().at(-1)).toEqual({ tag: 'stale', dst: A });
    ok(h);
  });

  it('drops (and counts) a packet without head room for the cached header', () => {
    const h = new NeighHarness();
    const n = h.neigh(ip('10.0.0.2'));
    neighUpdate(n, mac(A), NUD_REACHABLE, OVR);
    neighOutput(n, pkt(h.dev, 'warm'));
    const skb = allocSkb(20, 0);
    skb.put(20);
    skb.dev = h.dev;
    expect(neighOutput(n, skb)).toBe(-ENOBUFS);
    expect(h.tbl.stats.extra.hhHeadroomDrops).toBe(1);
    expect(h.dev.frames.length).toBe(1);
  });

  it('switches between output and connected_output as the entry is suspected and confirmed', () => {
    const h = new NeighHarness();
    const n = h.neigh(ip('10.0.0.2'), h.devGen);
    expect(n.output).toBe(neighResolveOutput);
    neighOutput(n, pkt(h.devGen, 'q'));
    neighUpdate(n, mac(A), NUD_REACHABLE, OVR);
    expect(n.output).toBe(neighConnectedOutput);
    expect(n.hh.hhLen).toBe(0); // generic ops never cache
    neighOutput(n, pkt(h.devGen, 'c'));
    h.clock.advance(30010);
    expect(n.nudState).toBe(NUD_STALE);
    expect(n.output).toBe(neighResolveOutput);
    neighOutput(n, pkt(h.devGen, 's'));
    expect(n.nudState).toBe(NUD_DELAY);
    h.clock.advance(1000);
    neighConfirm(n);
    h.clock.advance(4000);
    expect(n.nudState).toBe(NUD_REACHABLE);
    expect(n.output).toBe(neighConnectedOutput);
    expect(h.sent(h.devGen)).toEqual(['q', 'c', 's'].map((tag) => ({ tag, dst: A })));
    ok(h);
  });

  it('direct output on links without headers; NOARP from the constructor is CONNECTED at once', () => {
    const h = new NeighHarness({ noarpKeys: new Set([ip('224.0.0.5')]) });
    const raw = h.neigh(ip('10.0.0.2'), h.devRaw);
    neighUpdate(raw, null, NUD_NOARP, NEIGH_UPDATE_F_ADMIN);
    expect(neighOutput(raw, pkt(h.devRaw, 'r'))).toBe(0);
    expect(h.devRaw.frames.map((f) => f.bytes.subarray(0, 1).toString('latin1'))).toEqual(['r']);
    const mc = h.neigh(ip('224.0.0.5'));
    expect(mc.nudState).toBe(NUD_NOARP);
    expect(neighOutput(mc, pkt(h.dev, 'm'))).toBe(0);
    expect(h.sent()).toEqual([{ tag: 'm', dst: '05:05:05:05:05:05' }]);
    expect(h.solicits).toEqual([]);
    ok(h);
  });
});

describe('hash table', () => {
  it.each([true, false])('grows ×2 when entries exceed buckets and still finds everything (intKeys %s)', (intKeys) => {
    const h = new NeighHarness({ random: lcgRandom(7), intKeys });
    expect(h.tbl.hashBuckets).toBe(8);
    const rnd0 = h.tbl.hashRnd;
    const made: Neighbour<number>[] = [];
    for (let i = 0; i < 100; i++) {
      made.push(h.neigh(ip(`10.0.${i >> 4}.${i & 15}`)));
      made.push(h.neigh(ip(`10.0.${i >> 4}.${i & 15}`), h.dev2));
    }
    expect(h.tbl.stats.hashGrows).toBe(5); // 8 → 16 → 32 → 64 → 128 → 256
    expect(h.tbl.hashBuckets).toBe(256);
    expect(h.tbl.hashRnd).not.toBe(rnd0);
    expect(h.tbl.hashRnd % 2).toBe(1);
    for (const n of made) {
      expect(h.tbl.lookupNoref(n.primaryKey, n.dev)).toBe(n);
      const l = h.tbl.lookup(n.primaryKey, n.dev);
      expect(l).toBe(n);
      neighRelease(n);
    }
    expect(h.tbl.lookup(ip('10.9.9.9'), h.dev)).toBeNull();
    expect(h.tbl.lookupNoref(ip('10.0.0.1'), h.devGen)).toBeNull();
    expect(h.tbl.stats).toMatchObject({ lookups: 201, hits: 200, allocs: 200 });
    expect(h.tbl.size).toBe(200);
    expect(h.tbl.list().length).toBe(200);
    ok(h);
    // Removal keeps both structures in step.
    for (const n of made) neighRelease(n); // the references create() gave us
    for (const n of made.slice(0, 150)) expect(h.tbl.removeOne(n)).toBe(true);
    for (const n of made.slice(150)) expect(h.tbl.lookupNoref(n.primaryKey, n.dev)).toBe(n);
    for (const n of made.slice(0, 150)) expect(h.tbl.lookupNoref(n.primaryKey, n.dev)).toBeNull();
    expect(h.tbl.hashBuckets).toBe(256); // the kernel never shrinks
    ok(h);
  });

  it('create() of an existing key returns it (held) and frees the duplicate', () => {
    const h = new NeighHarness();
    const a = h.neigh(ip('10.0.0.2'));
    const b = h.tbl.create(ip('10.0.0.2'), h.dev);
    expect(b).toBe(a);
    expect(a.refcnt).toBe(3);
    expect(h.tbl.stats).toMatchObject({ allocs: 2, destroys: 1 });
    expect(h.tbl.entries).toBe(1);
    expect(h.tbl.gcEntries).toBe(1);
    ok(h);
  });

  it('a failing constructor returns its errno and leaves no trace but allocs/destroys', () => {
    const h = new NeighHarness({ failKeyZero: EINVAL });
    expect(h.tbl.create(0, h.dev)).toBe(-EINVAL);
    expect(h.tbl.stats).toMatchObject({ allocs: 1, destroys: 1 });
    expect(h.tbl.entries).toBe(0);
    expect(h.tbl.gcEntries).toBe(0);
    expect(h.tbl.size).toBe(0);
    ok(h);
  });
});

describe('parms', () => {
  it('per-device parms clone the defaults and inherit later default writes they did not set', () => {
    const h = new NeighHarness();
    const tbl = h.tbl;
    const p = tbl.parmsAlloc(h.dev);
    expect(p.values()).toEqual(tbl.parms.values());
    expect(p.ifindex).toBe(h.dev.ifindex);
    expect(tbl.parms.ifindex).toBe(0);
    expect(tbl.parmsFor(h.dev)).toBe(p);
    expect(tbl.parmsFor(h.dev2)).toBe(tbl.parms);
    p.set('retransTime', 2000);
    tbl.setDefaultParm('retransTime', 3000);
    tbl.setDefaultParm('ucastProbes', 5);
    expect(p.retransTime).toBe(2000);
    expect(p.ucastProbes).toBe(5);
    expect(p.isSet('retransTime')).toBe(true);
    expect(p.isSet('ucastProbes')).toBe(false);
    // The netlink path (ip ntable change) does not copy to devices.
    tbl.parms.set('mcastProbes', 7, false);
    expect(p.mcastProbes).toBe(3);
    // Entries created on the device use its parms.
    const n = h.neigh(ip('10.0.0.2'));
    expect(n.parms).toBe(p);
    expect(p.refcnt).toBe(2);
    neighEventSend(n, null);
    expect(n.probes).toBe(5 + 1);
    expect(n.timer.expires - T).toBe(2000);
    tbl.parmsRelease(h.dev);
    expect(p.dead).toBe(true);
    expect(tbl.parmsFor(h.dev)).toBe(tbl.parms);
  });

  it('validates values and ranges with EINVAL', () => {
    const h = new NeighHarness();
    const p = h.tbl.parms;
    const bad: [string, number][] = [['ucastProbes', -1], ['retransTime', 1.5], ['intervalProbeTimeMs', 0], ['queueLenBytes', 2 ** 31], ['nope', 1]];
    for (const [k, v] of bad) {
      let err: unknown;
      try {
        p.set(k as never, v);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(StackError);
      expect((err as StackError).errno).toBe(-EINVAL);
    }
    expect(p.ucastProbes).toBe(3);
    p.set('intervalProbeTimeMs', 1);
    expect(NeighParms.NAMES).toContain('locktime');
    expect(NeighParms.NAMES.length).toBe(14);
  });

  it('unres_qlen is queue_len_bytes over the truesize of a 1514-byte frame (101 by default)', () => {
    const h = new NeighHarness();
    expect(UNRES_QLEN_TRUESIZE).toBe(2090);
    expect(unresQlen(h.tbl.parms)).toBe(101);
    setUnresQlen(h.tbl.parms, 10);
    expect(h.tbl.parms.queueLenBytes).toBe(20900);
    expect(unresQlen(h.tbl.parms)).toBe(10);
    expect(() => setUnresQlen(h.tbl.parms, -1)).toThrow(StackError);
  });

  it('reachable_time is uniform in [base/2, 3·base/2), re-drawn on base writes and every 300 s', () => {
    expect(neighRandReachTime(30000, () => 0)).toBe(15000);
    expect(neighRandReachTime(30000, () => 0.9999999)).toBe(44999);
    expect(neighRandReachTime(0, () => 0.5)).toBe(0);
    const rnd = lcgRandom(42);
    const xs = Array.from({ length: 2000 }, () => neighRandReachTime(30000, rnd));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(15000);
    expect(Math.max(...xs)).toBeLessThan(45000);
    expect(Math.min(...xs)).toBeLessThan(16000);
    expect(Math.max(...xs)).toBeGreaterThan(44000);

    const r = { v: 0.5 };
    const h = new NeighHarness({ random: () => r.v });
    const tbl = h.tbl;
    const p = tbl.parmsAlloc(h.dev);
    expect(tbl.parms.reachableTime).toBe(30000);
    r.v = 0.1;
    p.set('baseReachableTime', 10000);
    expect(p.reachableTime).toBe(1000 + 5000);
    expect(tbl.parms.reachableTime).toBe(30000);
    expect(tbl.lastRand).toBe(T + 30000 * 20);
    r.v = 0.9;
    tbl.start();
    h.clock.advance(914999); // last_rand + 300 s = T+900000; runs at T+30000+15000k
    expect(tbl.parms.reachableTime).toBe(30000);
    expect(p.reachableTime).toBe(6000);
    h.clock.advance(1);
    expect(tbl.parms.reachableTime).toBe(27000 + 15000);
    expect(p.reachableTime).toBe(9000 + 5000);
    expect(tbl.lastRand).toBe(T + 915000);
  });
});

describe('statistics', () => {
  it('counts lookups/hits, allocs/destroys and res_failed exactly', () => {
    const h = new NeighHarness();
    const tbl = h.tbl;
    const a = h.neigh(ip('10.0.0.1'));
    h.neigh(ip('10.0.0.2'));
    expect(tbl.lookup(ip('10.0.0.1'), h.dev)).toBe(a);
    expect(tbl.lookup(ip('10.0.0.1'), h.dev2)).toBeNull();
    expect(tbl.lookup(ip('10.0.0.3'), h.dev)).toBeNull();
    expect(tbl.lookupNoref(ip('10.0.0.2'), h.dev)).not.toBeNull();
    neighEventSend(a, null);
    h.clock.advance(3000);
    neighRelease(a);
    neighRelease(a);
    expect(tbl.removeOne(a)).toBe(true);
    expect(tbl.stats).toEqual({
      allocs: 2, destroys: 1, hashGrows: 0, lookups: 3, hits: 1, resFailed: 1, rcvProbesMcast: 0, rcvProbesUcast: 0,
      periodicGcRuns: 0, forcedGcRuns: 0, unresDiscards: 0, tableFulls: 0,
      extra: { queuePurged: 0, eventSendDrops: 0, blackholeDrops: 0, hhFillFailed: 0, hhHeadroomDrops: 0, proxyQueueDrops: 0, proxyPurged: 0, aliveDestroys: 0 },
    });
    expect(tbl.entries).toBe(1);
    ok(h);
  });

  it('remove() refuses entries someone else holds', () => {
    const h = new NeighHarness();
    const n = h.neigh(ip('10.0.0.1'));
    expect(h.tbl.remove(n)).toBe(false);
    neighRelease(n);
    expect(h.tbl.remove(n)).toBe(true);
    expect(h.events.map((e) => e.type)).toEqual(['delneigh']);
    expect(h.tbl.remove(n)).toBe(false);
  });
});

describe('device events', () => {
  function populate(h: NeighHarness) {
    const a = h.neigh(ip('10.0.0.1'));
    neighUpdate(a, mac(A), NUD_REACHABLE, OVR);
    const b = h.neigh(ip('10.0.0.2'));
    neighOutput(b, pkt(h.dev, 'b1'));
    neighOutput(b, pkt(h.dev, 'b2'));
    const c = unref(h, ip('10.0.0.3'), NUD_PERMANENT);
    const d = unref(h, ip('10.0.0.4'), NUD_STALE);
    const e = h.neigh(ip('10.0.0.5'), h.dev2);
    neighUpdate(e, mac(B), NUD_REACHABLE, OVR);
    h.tbl.pneighCreate(ip('10.0.9.1'), h.dev);
    h.tbl.pneighCreate(ip('10.0.9.2'), h.dev, 0, 0, true);
    h.tbl.pneighCreate(ip('10.0.9.3'), null);
    h.tbl.pneighCreate(ip('10.0.9.4'), h.dev2);
    const parms = h.tbl.parmsFor(h.dev);
    h.tbl.pneighEnqueue(pkt(h.dev, 'x1'), parms);
    h.tbl.pneighEnqueue(pkt(h.dev2, 'x2'), parms);
    h.reset();
    return { a, b, c, d, e };
  }
  const proxies = (h: NeighHarness): string[] => {
    const out: string[] = [];
    h.tbl.pneighForEach((pn) => out.push(fmtKey(pn.key)));
    return out.sort();
  };

  it('ifdown flushes everything on the device (PERMANENT too), neutralises referenced entries, drops its proxy state', () => {
    const h = new NeighHarness();
    const { a, b, c, d, e } = populate(h);
    h.tbl.ifdown(h.dev);
    expect([a, b, c, d, e].map((n) => n.dead)).toEqual([true, true, true, true, false]);
    expect(a.nudState).toBe(NUD_NOARP);
    expect(b.nudState).toBe(NUD_NONE);
    expect(a.output).toBe(neighBlackhole);
    expect(b.arpQueue).toEqual([]);
    expect([a.timer.pending, b.timer.pending]).toEqual([false, false]);
    expect([a.refcnt, b.refcnt]).toEqual([1, 1]);
    expect(h.tbl.stats.extra.queuePurged).toBe(2);
    expect(h.tbl.stats.destroys).toBe(2);
    expect(h.events.map((ev) => `${ev.type} ${ev.neigh.dst}`).sort()).toEqual(
      ['delneigh 10.0.0.1', 'delneigh 10.0.0.2', 'delneigh 10.0.0.3', 'delneigh 10.0.0.4'],
    );
    expect(proxies(h)).toEqual(['10.0.9.3', '10.0.9.4']);
    // pneigh_queue_purge() is per namespace: the other device's queued request goes too.
    expect(h.tbl.proxyQueueLength).toBe(0);
    expect(h.tbl.stats.extra.proxyPurged).toBe(2);
    expect(neighOutput(a, pkt(h.dev, 'late'))).toBe(-100);
    expect(h.tbl.size).toBe(1);
    neighRelease(a);
    neighRelease(b);
    expect(h.tbl.entries).toBe(1);
    expect(h.tbl.stats.destroys).toBe(4);
    expect(h.solicits).toEqual([]);
    ok(h);
  });

  it('carrierDown keeps PERMANENT entries and permanent proxy entries', () => {
    const h = new NeighHarness();
    const { a, b, c, d, e } = populate(h);
    h.tbl.carrierDown(h.dev);
    expect([a, b, c, d, e].map((n) => n.dead)).toEqual([true, true, false, true, false]);
    expect(c.nudState).toBe(NUD_PERMANENT);
    expect(proxies(h)).toEqual(['10.0.9.2', '10.0.9.3', '10.0.9.4']);
    expect(h.tbl.proxyQueueLength).toBe(0);
    ok(h);
  });

  it('changeaddr flushes every entry of the device but leaves proxy state alone', () => {
    const h = new NeighHarness();
    const { a, b, c, d, e } = populate(h);
    h.tbl.changeaddr(h.dev);
    expect([a, b, c, d, e].map((n) => n.dead)).toEqual([true, true, true, true, false]);
    expect(proxies(h)).toEqual(['10.0.9.1', '10.0.9.2', '10.0.9.3', '10.0.9.4']);
    expect(h.tbl.proxyQueueLength).toBe(2);
    ok(h);
  });
});

describe('proxy', () => {
  it('lookup: a device-less entry matches any device; delete needs the exact device', () => {
    const h = new NeighHarness();
    const t = h.tbl;
    expect(t.pneighCreate(ip('10.0.9.1'), null, NTF_ROUTER, 4)).toBe(0);
    expect(t.pneighLookup(ip('10.0.9.1'), h.dev, false)?.flags).toBe(NTF_ROUTER);
    expect(t.pneighLookup(ip('10.0.9.1'), null, false)).not.toBeNull();
    t.pneighCreate(ip('10.0.9.2'), h.dev);
    expect(t.pneighLookup(ip('10.0.9.2'), h.dev2, false)).toBeNull();
    expect(t.pneighLookup(ip('10.0.9.2'), null, false)).toBeNull();
    expect(t.pneighDelete(ip('10.0.9.2'), null)).toBe(-ENOENT);
    expect(t.pneighDelete(ip('10.0.9.2'), h.dev)).toBe(0);
    expect(t.pneighLookup(ip('10.0.9.3'), h.dev, true)).not.toBeNull();
    expect(t.pneighLookup(ip('10.0.9.3'), h.dev, false)?.flags).toBe(0);
    const pn = t.pneighLookup(ip('10.0.9.1'), null, false)!;
    expect(t.pneighSnapshot(pn)).toEqual({
      family: 2, dst: '10.0.9.1', ifindex: 0, dev: null, flags: NTF_ROUTER | NTF_PROXY, protocol: 4, permanent: false,
    });
  });

  it('pconstructor may refuse an entry', () => {
    const h = new NeighHarness({ pconstructor: (pn) => (pn.key === ip('10.0.9.9') ? 1 : 0) });
    expect(h.tbl.pneighLookup(ip('10.0.9.9'), h.dev, true)).toBeNull();
    expect(h.tbl.pneighCreate(ip('10.0.9.9'), h.dev)).toBe(-ENOBUFS);
    expect(h.tbl.pneighLookup(ip('10.0.9.8'), h.dev, true)).not.toBeNull();
  });

  it('queue: random delay in [0, proxy_delay), bounded by proxy_qlen, replayed in time order', () => {
    const redone: string[] = [];
    const r = { v: 0.5 };
    const h = new NeighHarness({ random: () => r.v, proxyRedo: (skb) => redone.push(`${tagOf(skb)}@${h.clock.now() - T}`) });
    const p = h.tbl.parmsAlloc(h.dev);
    p.set('proxyQlen', 2);
    const delays = [0.1, 0.9, 0.5, 0.2];
    ['a', 'b', 'c', 'd'].forEach((tag, i) => {
      r.v = delays[i];
      h.tbl.pneighEnqueue(pkt(h.dev, tag), p);
    });
    // proxy_qlen + 1 packets fit (the kernel compares before counting); the 4th is dropped.
    expect(h.tbl.proxyQueueLength).toBe(3);
    expect(p.qlen).toBe(3);
    expect(h.tbl.stats.extra.proxyQueueDrops).toBe(1);
    ok(h);
    h.clock.advance(800);
    expect(redone).toEqual(['a@80', 'c@400', 'b@720']);
    expect(p.qlen).toBe(0);
    expect(h.clock.pendingCount).toBe(0);
    ok(h);
  });

  it('queue: a packet whose device went down is dropped instead of replayed', () => {
    const redone: string[] = [];
    const h = new NeighHarness({ proxyRedo: (skb) => redone.push(tagOf(skb)!) });
    h.tbl.pneighEnqueue(pkt(h.dev, 'a'), h.tbl.parms);
    h.tbl.pneighEnqueue(pkt(h.dev2, 'b'), h.tbl.parms);
    h.net.devClose(h.dev);
    h.clock.advance(800);
    expect(redone).toEqual(['b']);
    expect(h.tbl.stats.extra.proxyPurged).toBe(1);
    expect(h.tbl.parms.qlen).toBe(0);
    ok(h);
  });

  it('proxy_delay 0 replays at once (next timer run)', () => {
    const redone: string[] = [];
    const h = new NeighHarness({ defaults: { proxyDelay: 0 }, proxyRedo: (skb) => redone.push(tagOf(skb)!) });
    h.tbl.pneighEnqueue(pkt(h.dev, 'a'), h.tbl.parms);
    h.clock.runPending();
    expect(redone).toEqual(['a']);
  });
});

describe('management (neigh_add / neigh_delete)', () => {
  const K = ip('10.0.0.2');

  it('add = create|excl, change = replace, replace = create|replace; EEXIST/ENOENT like iproute2', () => {
    const h = new NeighHarness();
    const t = h.tbl;
    const add = { create: true, excl: true };
    expect(t.neighAdd(K, h.dev, { state: NUD_PERMANENT, lladdr: mac(A), ...add, protocol: 3 })).toBe(0);
    const n = t.lookupNoref(K, h.dev)!;
    expect(n.nudState).toBe(NUD_PERMANENT);
    expect(n.protocol).toBe(3);
    expect(n.refcnt).toBe(1);
    expect(t.gcEntries).toBe(0);
    expect(t.neighAdd(K, h.dev, { state: NUD_PERMANENT, lladdr: mac(B), ...add })).toBe(-EEXIST);
    expect(t.neighAdd(ip('10.0.0.3'), h.dev, { state: NUD_REACHABLE, lladdr: mac(B), replace: true })).toBe(-ENOENT);
    // Without REPLACE the override flags are dropped: a new lladdr on a valid entry is ignored.
    expect(t.neighAdd(K, h.dev, { state: NUD_PERMANENT, lladdr: mac(B), create: true })).toBe(0);
    expect(macStr(n.ha)).toBe(A);
    expect(t.neighAdd(K, h.dev, { state: NUD_PERMANENT, lladdr: mac(B), replace: true })).toBe(0);
    expect(macStr(n.ha)).toBe(B);
    expect(t.neighAdd(ip('10.0.0.3'), h.dev, { state: NUD_REACHABLE, lladdr: mac(B), create: true, replace: true, flags: NTF_ROUTER })).toBe(0);
    const r = t.lookupNoref(ip('10.0.0.3'), h.dev)!;
    expect(r.nudState).toBe(NUD_REACHABLE);
    expect(t.snapshot(r).isRouter).toBe(true);
    expect(t.gcEntries).toBe(1);
    // A short lladdr, no device, or a missing lladdr for a new entry are invalid.
    expect(t.neighAdd(K, h.dev, { state: NUD_PERMANENT, lladdr: Buffer.alloc(3), replace: true })).toBe(-EINVAL);
    expect(t.neighAdd(K, null, { state: NUD_PERMANENT, lladdr: mac(A), ...add })).toBe(-EINVAL);
    expect(t.neighAdd(ip('10.0.0.4'), h.dev, { state: NUD_PERMANENT, ...add })).toBe(-EINVAL);
    expect(t.lookupNoref(ip('10.0.0.4'), h.dev)?.nudState).toBe(NUD_NONE); // the kernel leaves it behind
    ok(h);
  });

  it('del: FAILED then removed (newneigh + delneigh); ENOENT when missing; a held entry stays FAILED', () => {
    const h = new NeighHarness();
    const t = h.tbl;
    t.neighAdd(K, h.dev, { state: NUD_REACHABLE, lladdr: mac(A), create: true, excl: true });
    h.reset();
    expect(t.neighDelete(K, h.dev, false, 77)).toBe(0);
    expect(h.events.map((e) => [e.type, e.neigh.stateNames.join(), e.nlmsgPid])).toEqual([
      ['newneigh', 'FAILED', 77],
      ['delneigh', 'FAILED', 0],
    ]);
    expect(t.size).toBe(0);
    expect(t.neighDelete(K, h.dev)).toBe(-ENOENT);
    expect(t.neighDelete(K, null)).toBe(-EINVAL);
    const held = h.neigh(K);
    neighUpdate(held, mac(A), NUD_STALE, OVR);
    expect(t.neighDelete(K, h.dev)).toBe(0);
    expect(held.nudState).toBe(NUD_FAILED);
    expect(held.dead).toBe(false);
    expect(t.size).toBe(1);
    ok(h);
  });

  it('proxy add updates in place (no EEXIST), proxy del is ENOENT when missing', () => {
    const h = new NeighHarness();
    const t = h.tbl;
    const req = { state: NUD_PERMANENT, flags: NTF_PROXY, create: true, excl: true };
    expect(t.neighAdd(K, h.dev, req)).toBe(0);
    expect(t.neighAdd(K, h.dev, { ...req, flags: NTF_PROXY | NTF_ROUTER })).toBe(0);
    expect(t.pneighLookup(K, h.dev, false)?.flags).toBe(NTF_PROXY | NTF_ROUTER);
    expect(t.pneighLookup(K, h.dev, false)?.permanent).toBe(true);
    expect(t.neighDelete(K, h.dev, true)).toBe(0);
    expect(t.neighDelete(K, h.dev, true)).toBe(-ENOENT);
    expect(t.neighAdd(K, h.dev, { ...req, extFlags: NTF_EXT_MANAGED })).toBe(-EINVAL);
  });

  it('NTF_USE starts (or refreshes) resolution like a packet would', () => {
    const h = new NeighHarness();
    const t = h.tbl;
    expect(t.neighAdd(K, h.dev, { state: NUD_NONE, flags: NTF_USE, create: true })).toBe(0);
    const n = t.lookupNoref(K, h.dev)!;
    expect(n.nudState).toBe(NUD_INCOMPLETE);
    expect(h.solicits.map((s) => s.tag)).toEqual([null]);
    neighUpdate(n, mac(A), NUD_STALE, OVR);
    t.neighAdd(K, h.dev, { state: NUD_NONE, flags: NTF_USE });
    expect(n.nudState).toBe(NUD_DELAY);
    ok(h);
  });

  it('managed entries are resolved on creation and re-probed every interval_probe_time_ms', () => {
    const h = new NeighHarness();
    const t = h.tbl;
    expect(t.neighAdd(K, h.dev, { state: NUD_PERMANENT, extFlags: NTF_EXT_MANAGED, create: true })).toBe(-EINVAL);
    expect(t.neighAdd(K, h.dev, { state: NUD_NONE, extFlags: NTF_EXT_MANAGED, create: true })).toBe(0);
    const n = t.lookupNoref(K, h.dev)!;
    expect(n.flags).toBe(NTF_MANAGED);
    expect(t.snapshot(n).extFlags).toBe(NTF_EXT_MANAGED);
    expect(n.nudState).toBe(NUD_INCOMPLETE);
    h.clock.advance(3000);
    expect(n.nudState).toBe(NUD_FAILED);
    expect(h.solicits.length).toBe(3);
    h.clock.advance(2000); // managed work at +5000: deferred probe (timer at +1 ms), no immediate solicit
    expect(n.nudState).toBe(NUD_INCOMPLETE);
    expect(h.solicits.length).toBe(3);
    expect(n.timer.expires).toBe(T + 5001);
    h.clock.advance(1);
    expect(h.solicits.length).toBe(4);
    ok(h);
    // Clearing MANAGED (admin update without it) leaves the list and stops the refresh timer.
    neighUpdate(n, mac(A), NUD_REACHABLE, ADMIN_OVR);
    expect(n.onManagedList).toBe(false);
    ok(h);
  });

  it('allow_add can refuse entries on a device', () => {
    const refused: { dev: unknown } = { dev: null };
    const h = new NeighHarness({ allowAdd: (d): boolean => d !== refused.dev });
    refused.dev = h.dev2;
    expect(h.tbl.neighAdd(K, h.dev2, { state: NUD_PERMANENT, lladdr: mac(A), create: true })).toBe(-EINVAL);
    expect(h.tbl.neighAdd(K, h.dev, { state: NUD_PERMANENT, lladdr: mac(A), create: true })).toBe(0);
    expect(h.tbl.size).toBe(1);
  });

  it('flush deletes what the filter accepts and returns the count', () => {
    const h = new NeighHarness();
    const t = h.tbl;
    t.neighAdd(ip('10.0.0.1'), h.dev, { state: NUD_PERMANENT, lladdr: mac(A), create: true });
    t.neighAdd(ip('10.0.0.2'), h.dev, { state: NUD_STALE, lladdr: mac(A), create: true });
    t.neighAdd(ip('10.0.0.3'), h.dev2, { state: NUD_STALE, lladdr: mac(A), create: true });
    expect(t.flush(h.dev, (n) => !(n.nudState & (NUD_PERMANENT | NUD_NOARP)))).toBe(1);
    expect(t.list().map((n) => fmtKey(n.primaryKey)).sort()).toEqual(['10.0.0.1', '10.0.0.3']);
    expect(t.flush(null, () => true)).toBe(2);
    expect(t.size).toBe(0);
    ok(h);
  });
});

describe('snapshots and events', () => {
  it('snapshot reports lladdr only for VALID states, ages, ndm refcnt and flags', () => {
    const h = new NeighHarness();
    const n = h.neigh(ip('10.0.0.2'));
    neighEventSend(n, null);
    expect(h.tbl.snapshot(n)).toMatchObject({ lladdr: null, stateNames: ['INCOMPLETE'], probes: 4, refcnt: 2 });
    neighUpdate(n, mac(A), NUD_REACHABLE, OVR | NEIGH_UPDATE_F_ADMIN);
    h.clock.advance(1500);
    expect(h.tbl.snapshot(n)).toEqual({
      family: 2, dst: '10.0.0.2', ifindex: h.dev.ifindex, dev: 'eth0', lladdr: A, ha: A, state: NUD_REACHABLE,
      stateNames: ['REACHABLE'], flags: 0, extFlags: 0, isRouter: false, probes: 4, refcnt: 2,
      usedMs: 1500, confirmedMs: 1500, updatedMs: 1500, dead: false, protocol: 0, type: 0,
    });
    expect(nudStateNames(NUD_NONE)).toEqual(['NONE']);
    expect(nudStateNames(NUD_STALE | NUD_PERMANENT)).toEqual(['STALE', 'PERMANENT']);
    expect(nudStateFromName('stale')).toBe(NUD_STALE);
    expect(nudStateFromName('bogus')).toBe(-1);
  });

  it('builds snapshots only when someone listens; unsubscribe stops delivery', () => {
    const h = new NeighHarness();
    let formats = 0;
    const fmt = h.tbl.cfg.formatKey;
    h.tbl.cfg.formatKey = (k) => {
      formats++;
      return fmt(k);
    };
    const n = h.neigh(ip('10.0.0.2'));
    neighUpdate(n, mac(A), NUD_REACHABLE, OVR);
    expect(formats).toBe(1);
    h.unsubscribe();
    neighUpdate(n, mac(B), NUD_REACHABLE, OVR);
    h.clock.advance(60000);
    expect(formats).toBe(1);
    const seen: string[] = [];
    const off = h.tbl.subscribe((ev) => seen.push(`${ev.type} ${ev.neigh.stateNames.join()}`));
    neighUpdate(n, mac(B), NUD_FAILED, ADMIN_OVR);
    off();
    neighUpdate(n, mac(B), NUD_STALE, OVR);
    expect(seen).toEqual(['newneigh FAILED']);
  });

  it('app probes emit a miss event', async () => {
    const { neighAppNs } = await import('../../src/neighbour/neighbour.js');
    const h = new NeighHarness({ defaults: { appProbes: 1, mcastProbes: 0, ucastProbes: 0 }, onSolicit: (n) => neighAppNs(n) });
    const n = h.neigh(ip('10.0.0.2'));
    neighEventSend(n, null);
    expect(h.events.map((e) => `${e.type} ${e.neigh.dst}`)).toEqual(['miss 10.0.0.2']);
  });
});

describe('lifecycle', () => {
  it('stop() cancels every timer (GC, entries, managed, proxy); start() resumes frozen entries', () => {
    const h = new NeighHarness({ proxyRedo: () => {} });
    const t = h.tbl;
    t.start();
    const inc = h.neigh(ip('10.0.0.2'));
    neighOutput(inc, pkt(h.dev, 'q'));
    const reach = h.neigh(ip('10.0.0.3'));
    neighUpdate(reach, mac(A), NUD_REACHABLE, OVR);
    t.neighAdd(ip('10.0.0.4'), h.dev, { state: NUD_NONE, extFlags: NTF_EXT_MANAGED, create: true });
    t.pneighEnqueue(pkt(h.dev, 'x'), t.parms);
    expect(h.clock.pendingCount).toBe(6);
    ok(h);
    t.stop();
    expect(h.clock.pendingCount).toBe(0);
    expect([inc.refcnt, reach.refcnt]).toEqual([2, 2]);
    expect(t.isFrozen).toBe(true);
    ok(h);
    h.clock.advance(100000);
    expect(inc.nudState).toBe(NUD_INCOMPLETE);
    t.start();
    expect(inc.timer.pending).toBe(true);
    ok(h);
    h.clock.advance(3000);
    expect(inc.nudState).toBe(NUD_FAILED);
    expect(h.errorReports.map((r) => r.tag)).toEqual(['q']);
    ok(h);
  });

  it('clear() flushes every entry and proxy entry and leaves nothing pending', () => {
    const h = new NeighHarness();
    h.tbl.start();
    for (let i = 1; i <= 5; i++) neighOutput(h.neigh(ip(`10.0.0.${i}`)), pkt(h.dev, `p${i}`));
    h.tbl.pneighCreate(ip('10.0.9.1'), null);
    h.tbl.clear();
    expect(h.tbl.size).toBe(0);
    expect(h.clock.pendingCount).toBe(0);
    let proxies = 0;
    h.tbl.pneighForEach(() => proxies++);
    expect(proxies).toBe(0);
    expect(h.events.filter((e) => e.type === 'delneigh').length).toBe(5);
    expect(h.tbl.stats.extra.queuePurged).toBe(5);
    ok(h);
  });

  it('checkInvariants reports a corrupted entry', () => {
    const h = new NeighHarness();
    const n = h.neigh(ip('10.0.0.2'));
    neighEventSend(n, pkt(h.dev, 'q'));
    n.arpQueueLenBytes += 1;
    n.timer.del();
    const v = h.tbl.checkInvariants();
    expect(v).toContain(`10.0.0.2 dev eth0: queue holds ${PKT_TRUESIZE} bytes, arpQueueLenBytes ${PKT_TRUESIZE + 1}`);
    expect(v).toContain('10.0.0.2 dev eth0: state INCOMPLETE but timer idle');
    n.hh.hhLen = 14;
    n.hh.hhData = Buffer.alloc(32, 0xee);
    expect(h.tbl.checkInvariants()).toContain('10.0.0.2 dev eth0: cached header does not match lladdr');
  });
});

// Keep the SkBuff type import used for readers of the helpers.
export type { SkBuff };
