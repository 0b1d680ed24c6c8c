// Scale, in process: one Stack on an in-memory pair under a ManualClock meets 100k distinct ARP
// senders (each request is for our address, so arp_process → neigh_event_ns creates a STALE entry)
// and originates packets to 100k distinct on-link destinations (ip_send → ip_finish_output2 →
// __neigh_create, an INCOMPLETE entry with a queued packet and a broadcast solicitation).
//
// What Linux guarantees under that load (net/core/neighbour.c, neigh_alloc/neigh_forced_gc):
//  - gc_entries never exceeds gc_thresh3: an allocation finding gc_entries ≥ gc_thresh3 runs
//    neigh_forced_gc and, if that frees nothing, fails with table_fulls++ ("neighbor table
//    overflow!"); arp_process then sends no reply and ip_finish_output2 drops the packet.
//  - neigh_forced_gc (counted in forced_gc_runs) takes unreferenced entries, oldest first, that
//    are FAILED, NOARP or not updated within the last 5 s, until gc_entries is down to gc_thresh2.
//    INCOMPLETE/DELAY/PROBE/REACHABLE entries hold their timer's reference and are never taken.
//  - a neighbour in use by ongoing traffic survives: its timer holds it, and when it drops to
//    STALE neigh->updated is refreshed, so forced GC spares it for 5 s — long enough for the
//    next packet to move it to DELAY. So an established peer keeps getting its echo replies.
//
// Memory: the table is bounded, so nothing else may grow either — timers, queued packets, hash
// chains, and the JS heap (measured after a full GC when V8 lets us expose gc()).
import { afterEach, describe, expect, it } from 'vitest';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ManualClock } from '../../src/core/clock.js';
import { ENOBUFS } from '../../src/core/errno.js';
import { LL_RESERVED_SPACE, allocSkb } from '../../src/core/skbuff.js';
import { PairDevice, createPair } from '../../src/drivers/pair.js';
import { ETH_HLEN, ETH_P_ARP, ETH_P_IP, emitEthHeader } from '../../src/ethernet/ethhdr.js';
import { ARPOP_REPLY, ARPOP_REQUEST, writeArp } from '../../src/ipv4/arphdr.js';
import { ipFastCsum } from '../../src/ipv4/checksum.js';
import { ICMP_ECHO, ICMP_ECHOREPLY, finishIcmpChecksum, icmpChecksumOk, writeIcmpEcho } from '../../src/ipv4/icmphdr.js';
import { parseIPv4 } from '../../src/ipv4/inet_addr.js';
import { writeIpHeader } from '../../src/ipv4/iphdr.js';
import { ipSend } from '../../src/ipv4/ip_output.js';
import { NUD_STALE, nudStateNames } from '../../src/neighbour/nud.js';
import { Stack } from '../../src/stack.js';

/** Distinct ARP senders and distinct destinations; TAPSTACK_SCALE_N overrides for a bigger run. */
const N = Number(process.env.TAPSTACK_SCALE_N ?? 100_000);
/**
 * Two phases, one batch per second of virtual time:
 *  - a burst, 1000 senders + 1000 destinations a second: far more fresh entries than forced GC
 *    may take (it spares anything updated in the last 5 s), so creation is refused (table_fulls);
 *  - then a sustained scan, 100 + 100 a second, which forced GC keeps up with: the table sits at
 *    its bound and every creation is admitted by reclaiming old STALE and FAILED entries.
 * (Every refusal costs a walk of the whole gc list, as neigh_forced_gc does, so a burst-only run
 * of 2 × 100k would spend most of its time refusing.)
 */
const BURST_N = Math.min(N, 10_000);
const BURST_BATCH = 1000;
const PACED_BATCH = 100;
const BATCH_MS = 1000;

const ip = (s: string): number => parseIPv4(s)!;
const OUR_IP = ip('10.0.0.1');
const OUR_MAC = Buffer.from([0x02, 0x5c, 0, 0, 0, 0x01]);
const WIRE_MAC = Buffer.from([0x02, 0x5c, 0, 0, 0, 0xfe]);
/** The established peer that pings us between batches. */
const PEER_IP = ip('10.255.255.254');
const PEER_MAC = Buffer.from([0x02, 0x5e, 0, 0, 0, 0x01]);
const BCAST = Buffer.alloc(6, 0xff);
/** ARP senders: 10.1.0.0 + i. Destinations: 10.128.0.0 + i. Both inside our 10.0.0.0/8. */
const SRC_BASE = ip('10.1.0.0');
const DST_BASE = ip('10.128.0.0');

/** gc() when V8 allows exposing it from inside the test (vitest starts workers without it). */
function exposeGc(): (() => void) | null {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return g;
  try {
    setFlagsFromString('--expose-gc');
    const f = runInNewContext('gc') as unknown;
    return typeof f === 'function' ? (f as () => void) : null;
  } catch {
    return null;
  }
}

/** What reached the far end of the wire (which belongs to no stack): counted, mostly not kept. */
interface Sink {
  arpRequestsOut: number;
  arpRepliesOut: number;
  /** ARP replies to senders of the scan, by sender (sanity: only to senders with an entry). */
  repliesToScan: number;
  /** Echo replies to PEER, kept until the test reads them. */
  echoReplies: Buffer[];
  /** Requests for PEER's address we must answer (as PEER would), delivered after the step. */
  peerSolicits: Buffer[];
  other: number;
}

function attachSink(wire: PairDevice): Sink {
  const s: Sink = { arpRequestsOut: 0, arpRepliesOut: 0, repliesToScan: 0, echoReplies: [], peerSolicits: [], other: 0 };
  wire.receiveFrame = (f: Buffer): void => {
    const type = f.readUInt16BE(12);
    if (type === ETH_P_ARP) {
      const op = f.readUInt16BE(ETH_HLEN + 6);
      const tip = f.readUInt32BE(ETH_HLEN + 24);
      if (op === ARPOP_REQUEST) {
        s.arpRequestsOut++;
        if (tip === PEER_IP) s.peerSolicits.push(Buffer.from(f));
      } else if (op === ARPOP_REPLY) {
        s.arpRepliesOut++;
        if (tip !== PEER_IP) s.repliesToScan++;
      }
      return;
    }
    if (type === ETH_P_IP && f.readUInt32BE(ETH_HLEN + 16) === PEER_IP && f[ETH_HLEN + 9] === 1) {
      s.echoReplies.push(Buffer.from(f));
      return;
    }
    s.other++;
  };
  return s;
}

/** A broadcast ARP request "who-has 10.0.0.1 tell sip" from sha. */
function arpRequest(sip: number, sha: Buffer, tip = OUR_IP, dst: Buffer = BCAST): Buffer {
  const b = Buffer.alloc(ETH_HLEN + 28);
  emitEthHeader(b, 0, dst, 0, sha, 0, ETH_P_ARP);
  writeArp(b, ETH_HLEN, ARPOP_REQUEST, sha, 0, sip, null, 0, tip);
  return b;
}

/** The ARP reply PEER gives to one of our requests for its address. */
function peerArpReply(req: Buffer): Buffer {
  const b = Buffer.alloc(ETH_HLEN + 28);
  const ourMac = req.subarray(6, 12);
  emitEthHeader(b, 0, ourMac, 0, PEER_MAC, 0, ETH_P_ARP);
  writeArp(b, ETH_HLEN, ARPOP_REPLY, PEER_MAC, 0, PEER_IP, ourMac, 0, req.readUInt32BE(ETH_HLEN + 14));
  return b;
}

/** An echo request from PEER to us with a 16-byte payload. */
function peerEcho(id: number, seq: number): Buffer {
  const payload = Buffer.alloc(8 + 16);
  writeIcmpEcho(payload, 0, ICMP_ECHO, id, seq);
  for (let i = 0; i < 16; i++) payload[8 + i] = (seq + i) & 0xff;
  finishIcmpChecksum(payload, 0, payload.length);
  const b = Buffer.alloc(ETH_HLEN + 20 + payload.length);
  emitEthHeader(b, 0, OUR_MAC, 0, PEER_MAC, 0, ETH_P_IP);
  writeIpHeader(b, ETH_HLEN, 0, 20 + payload.length, seq, 0, 64, 1, PEER_IP, OUR_IP);
  payload.copy(b, ETH_HLEN + 20);
  return b;
}

/** Sends an 8-byte ICMP echo from the stack to dst through ip_send (no socket). */
function sendSmallIcmp(stack: Stack, dst: number, seq: number): number {
  const skb = allocSkb(8, LL_RESERVED_SPACE + 20);
  const off = skb.put(8);
  writeIcmpEcho(skb.buf, off, ICMP_ECHO, 0x5ca1, seq & 0xffff);
  finishIcmpChecksum(skb.buf, off, 8);
  return ipSend(stack.inet, skb, 0, dst, 1);
}

/** Lets microtasks run (loopback delivery of our own ICMP errors about failed resolutions). */
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

let live: Stack[] = [];
afterEach(async () => {
  for (const s of live) await s.close();
  live = [];
});

describe('scale: 100k ARP senders and 100k destinations against one table', () => {
  it('keeps the table within gc_thresh3, forces GC, counts table_fulls, stays flat and keeps answering', async () => {
    const clock = new ManualClock();
    const stack = new Stack({ clock, random: () => 0.5 });
    live.push(stack);
    const [ea, wa] = createPair('ea', 'wa', OUR_MAC, WIRE_MAC);
    stack.addDevice(ea);
    stack.addAddress(ea, '10.0.0.1/8');
    const sink = attachSink(wa);
    const tbl = stack.inet.arp.tbl;
    expect([tbl.gcThresh1, tbl.gcThresh2, tbl.gcThresh3]).toEqual([128, 512, 1024]);
    const gc = exposeGc();

    /** Delivers PEER's answers to whatever we asked about it. */
    const answerPeer = (): void => {
      while (sink.peerSolicits.length) ea.receiveFrame(peerArpReply(sink.peerSolicits.shift()!));
    };
    let echoSeq = 0;
    /** PEER pings us once; returns the reply frame (asserted in full) or null. */
    const pingOnce = (): Buffer | null => {
      const seq = ++echoSeq;
      sink.echoReplies.length = 0;
      ea.receiveFrame(peerEcho(0x77, seq));
      answerPeer();
      const r = sink.echoReplies.shift() ?? null;
      if (r === null) return null;
      expect(r.subarray(0, 6).equals(PEER_MAC)).toBe(true);
      expect(r.subarray(6, 12).equals(OUR_MAC)).toBe(true);
      expect(r.readUInt16BE(12)).toBe(ETH_P_IP);
      expect(ipFastCsum(r, ETH_HLEN, 5)).toBe(0);
      expect(r.readUInt32BE(ETH_HLEN + 12)).toBe(OUR_IP);
      expect(r.readUInt32BE(ETH_HLEN + 16)).toBe(PEER_IP);
      const ic = ETH_HLEN + 20;
      expect(r[ic]).toBe(ICMP_ECHOREPLY);
      expect(r.readUInt16BE(ic + 4)).toBe(0x77);
      expect(r.readUInt16BE(ic + 6)).toBe(seq);
      expect(icmpChecksumOk(r, ic, 24)).toBe(true);
      for (let i = 0; i < 16; i++) expect(r[ic + 8 + i]).toBe((seq + i) & 0xff);
      return r;
    };

    // PEER is an established neighbour before the flood (it asked for us, we answered; then it
    // pinged and we resolved it).
    ea.receiveFrame(arpRequest(PEER_IP, PEER_MAC));
    expect(tbl.lookupNoref(PEER_IP, ea)!.nudState).toBe(NUD_STALE);
    expect(pingOnce()).not.toBeNull();

    const sha = Buffer.from([0x02, 0x5d, 0, 0, 0, 0]);
    let peak = 0;
    let peakGc = 0;
    let peakEntries = 0;
    let refusedOut = 0;
    let refusedOutOther = 0;
    let sentOut = 0;
    let echoLost = 0;
    let heapAt: number | null = null;
    let heapEnd: number | null = null;
    const sizes: { batch: number; size: number; timers: number; queued: number; buckets: number }[] = [];
    const bounds: [number, number][] = [];
    for (let lo = 0; lo < N; ) {
      const hi = Math.min(N, lo + (lo < BURST_N ? BURST_BATCH : PACED_BATCH));
      bounds.push([lo, hi]);
      lo = hi;
    }
    const batches = bounds.length;
    // Heap is sampled once the burst is over and the paced scan has cycled the table a few times.
    const warmBatch = Math.min(Math.ceil(BURST_N / BURST_BATCH) + 60, batches - 1);
    let burstTableFulls = 0;
    let burstForcedGc = 0;
    /** table_fulls 6 s after the burst, when every burst entry is older than forced GC's 5 s. */
    let settledTableFulls = -1;
    const t0 = performance.now();
    const watch = (): void => {
      if (tbl.size > peak) peak = tbl.size;
      if (tbl.gcEntries > peakGc) peakGc = tbl.gcEntries;
      if (tbl.entries > peakEntries) peakEntries = tbl.entries;
    };

    for (let b = 0; b < batches; b++) {
      const [lo, hi] = bounds[b];
      for (let i = lo; i < hi; i++) {
        // One scan sender (distinct IP and MAC) asking for our address...
        sha.writeUInt32BE(i, 2);
        ea.receiveFrame(arpRequest((SRC_BASE + i) >>> 0, sha));
        watch();
        // ...and one packet of ours to a never-seen destination.
        const rc = sendSmallIcmp(stack, (DST_BASE + i) >>> 0, i);
        if (rc === -ENOBUFS) refusedOut++; // neigh_alloc refused: the table is full
        else if (rc < 0) refusedOutOther++;
        else sentOut++;
        watch();
      }
      expect(tbl.size, `batch ${b}`).toBeLessThanOrEqual(tbl.gcThresh3);
      expect(tbl.gcEntries, `batch ${b}`).toBeLessThanOrEqual(tbl.gcThresh3);
      expect(tbl.checkInvariants(), `batch ${b}`).toEqual([]);
      await settle();
      // An established peer's ping is answered between every two batches.
      if (pingOnce() === null) echoLost++;
      clock.advance(BATCH_MS);
      answerPeer();
      await settle();
      expect(tbl.size, `batch ${b} after timers`).toBeLessThanOrEqual(tbl.gcThresh3);
      expect(tbl.checkInvariants(), `batch ${b} after timers`).toEqual([]);
      watch();
      if (hi === BURST_N) {
        burstTableFulls = tbl.stats.tableFulls;
        burstForcedGc = tbl.stats.forcedGcRuns;
      }
      if (lo === BURST_N + 6 * PACED_BATCH) settledTableFulls = tbl.stats.tableFulls;
      let queued = 0;
      for (const n of tbl.list()) queued += n.arpQueue.length;
      sizes.push({ batch: b, size: tbl.size, timers: clock.pendingCount, queued, buckets: tbl.hashBuckets });
      if (gc && (b === warmBatch || b === batches - 1)) {
        gc();
        gc();
        const h = process.memoryUsage().heapUsed;
        if (b === warmBatch) heapAt = h;
        else heapEnd = h;
      }
    }
    const elapsed = performance.now() - t0;
    const st = tbl.stats;
    const arpStats = stack.inet.arp.stats;
    const summary = {
      n: N, elapsedMs: Math.round(elapsed), peak, peakGc, peakEntries,
      forcedGcRuns: st.forcedGcRuns, tableFulls: st.tableFulls, periodicGcRuns: st.periodicGcRuns,
      allocs: st.allocs, destroys: st.destroys, resFailed: st.resFailed, unresDiscards: st.unresDiscards,
      hashGrows: st.hashGrows, buckets: tbl.hashBuckets, sentOut, refusedOut, refusedOutOther,
      arpRx: arpStats.rxRequests, arpRepliesOut: sink.arpRepliesOut, arpRequestsOut: sink.arpRequestsOut,
      burstTableFulls, settledTableFulls, burstForcedGc, echoes: echoSeq, echoLost,
      heapWarmMiB: heapAt === null ? null : +(heapAt / 2 ** 20).toFixed(2),
      heapEndMiB: heapEnd === null ? null : +(heapEnd / 2 ** 20).toFixed(2),
    };
    console.log(`scale: ${JSON.stringify(summary)}`);

    // The bound: never above gc_thresh3 (every entry here is subject to GC, so size = gc_entries).
    expect(peak).toBeLessThanOrEqual(1024);
    expect(peakGc).toBeLessThanOrEqual(1024);
    // It was reached, so the bound is what held the table, not a lack of load.
    expect(peak).toBe(1024);
    // Dead-but-referenced entries: none linger past their last reference.
    expect(peakEntries).toBeLessThanOrEqual(1024);
    // Forced GC ran and made room (oldest first), and creation was refused while it could not.
    expect(st.forcedGcRuns).toBeGreaterThan(0);
    expect(burstTableFulls).toBeGreaterThan(0);
    // Paced, forced GC keeps up: once the burst's entries are 5 s old, at most 500 fresh STALE
    // and 300 INCOMPLETE entries (3 s of solicitation) are unreclaimable, so every creation is
    // admitted by reclaiming old STALE and FAILED ones — and forced GC is what does it.
    if (N > BURST_N + 6 * PACED_BATCH) {
      expect(settledTableFulls).toBeGreaterThanOrEqual(burstTableFulls);
      expect(st.tableFulls).toBe(settledTableFulls);
      expect(st.forcedGcRuns - burstForcedGc).toBeGreaterThan((N - BURST_N) / 1024);
    }
    // Everything allocated and not destroyed is still in the table (no dead entry lingers).
    expect(st.allocs - st.destroys).toBe(tbl.entries);
    expect(tbl.entries).toBe(tbl.size);
    // Every attempt to create is either an allocation or a refusal counted in table_fulls
    // (2N scan + outbound creations, PEER's one; no other creation path is exercised).
    expect(st.allocs + st.tableFulls).toBe(2 * N + 1);
    // Outbound: each packet was queued on a new entry or dropped because of the full table.
    expect(refusedOutOther).toBe(0);
    expect(sentOut + refusedOut).toBe(N);
    // Inbound: we answer exactly the scan senders we could record (arp_process sends no reply
    // when neigh_event_ns fails); every refusal that was not an outbound packet was one of them.
    expect(sink.repliesToScan + (st.tableFulls - refusedOut)).toBe(N);
    // An established peer never lost a reply, however full the table.
    expect(echoLost).toBe(0);
    expect(tbl.lookupNoref(PEER_IP, ea)).not.toBeNull();
    // Flat: the same number of buckets, timers and queued packets at the end as once warm.
    const warm = sizes[warmBatch];
    const last = sizes[sizes.length - 1];
    for (const s of sizes) {
      expect(s.size).toBeLessThanOrEqual(1024);
      expect(s.timers).toBeLessThanOrEqual(1024 + 4); // one per entry at most, plus table/ACD timers
      expect(s.queued).toBeLessThanOrEqual(1024); // one packet per INCOMPLETE entry
    }
    expect(last.buckets).toBe(warm.buckets);
    expect(st.hashGrows).toBeLessThanOrEqual(8); // 8 → 1024 buckets: grown while filling, never after
    if (heapAt !== null && heapEnd !== null) {
      // About 2 × 80k creations (and as many destructions) run between the two samples. A leak
      // of one 32-byte object per created entry would add ≥ 4.8 MiB; the whole bounded table is
      // ~1 MiB. 4 MiB leaves room for V8's own noise (code, feedback vectors, vitest).
      expect(heapEnd - heapAt).toBeLessThan(4 * 2 ** 20);
    }
    // Nothing is stuck INCOMPLETE beyond its 3 s of solicitation.
    clock.advance(5000);
    await settle();
    for (const n of tbl.list()) expect(nudStateNames(n.nudState)).not.toContain('INCOMPLETE');
    expect(tbl.checkInvariants()).toEqual([]);
  }, 120_000);
});
