// The per-packet paths under test, each on its own Stack: a factory returns a case whose fn() runs
// one batch of `perOp` items (lookups, packets) and whose verify() says what went wrong, if
// anything. bench/micro.mjs times them with benny; bench/memory.mjs checks what they allocate.
import {
  DEV_IP,
  DEV_MAC,
  NEIGH_UPDATE_F_ADMIN,
  NEIGH_UPDATE_F_OVERRIDE,
  NUD_CONNECTED,
  NUD_FAILED,
  NUD_INCOMPLETE,
  NUD_REACHABLE,
  PEER_IP,
  PEER_MAC,
  benchStack,
  buildArpRequest,
  buildEchoRequest,
  checksumOk,
  fillTable,
  ip,
  ipPacketSkb,
  makeInjector,
  mulberry32,
} from './fixtures.mjs';
import { neighOutput, neighUpdate } from '../../dist/neighbour/neighbour.js';
import { ipFinishOutput2 } from '../../dist/ipv4/ip_output.js';

export const LOOKUPS_PER_OP = 1000;
export const PACKETS_PER_OP = 1000;
export const FRAMES_PER_OP = 100;

export const CASE_NAMES = {
  fastPath: 'neighOutput (CONNECTED, cached hh)',
  ipOutput: 'ipFinishOutput2 (lookupNoref + neighOutput)',
  arp: 'arp_rcv → arp_process → arp_send',
  echo: 'ip_rcv → icmp_echo → neigh_output, in place',
  pending: (N) => `${N} pkts queued on INCOMPLETE, flushed on REACHABLE`,
  lookup: (size) => `${size >= 1000 ? `${size / 1000}k` : size} entries`,
};

/**
 * Displacement of entries from their home slot in a neighbour table's side index (how many extra
 * slots a hit probes), read from its internals: `idx` holds `stride` int32s per slot in `kv`, the
 * entries in `vals`, and home() takes a slot's words. Null if those fields are not there.
 */
export function slotDisplacement(idx, stride, kind) {
  if (!idx || !idx.vals || !idx.kv || typeof idx.home !== 'function') return null;
  let sum = 0;
  let max = 0;
  let n = 0;
  for (let i = 0; i < idx.vals.length; i++) {
    if (idx.vals[i] === null) continue;
    const d = (i - idx.home(...idx.kv.subarray(i * stride, i * stride + stride))) & idx.mask;
    sum += d;
    if (d > max) max = d;
    n++;
  }
  return { kind, slots: idx.vals.length, entries: n, mean: n ? sum / n : 0, max };
}

/** slotDisplacement() of the table's integer-key index (key and ifindex per slot). */
export function indexDisplacement(tbl) {
  return slotDisplacement(tbl.intIndex, 2, 'int index');
}

/**
 * Baseline for the lookup: a plain JavaScript Map from the same integer keys to objects, probed
 * in the same random order — what a user would write without a neighbour table.
 */
export function mapLookupCase(size) {
  const rnd = mulberry32(size ^ 0x5eed);
  const keys = [];
  const map = new Map();
  for (let i = 0; i < size; i++) {
    const k = (0x0a000000 + i) | 0;
    keys.push(k);
    map.set(k, { key: k });
  }
  const L = 1 << 17;
  const probes = new Array(L);
  for (let i = 0; i < L; i++) probes[i] = keys[Math.floor(rnd() * size)];
  let pos = 0;
  let hits = 0;
  let calls = 0;
  const B = LOOKUPS_PER_OP;
  return {
    name: `baseline: Map.get, ${size >= 1000 ? `${size / 1000}k` : size} keys`,
    unit: 'lookup',
    perOp: B,
    info: { entries: size, baseline: 'Map' },
    fn() {
      let p = pos;
      if (p + B > L) p = 0;
      let h = 0;
      for (let i = 0; i < B; i++) if (map.get(probes[p + i]) !== undefined) h++;
      pos = p + B;
      hits += h;
      calls++;
    },
    verify() {
      return hits === calls * B ? null : `${calls * B - hits} of ${calls * B} Map lookups missed`;
    },
  };
}

/** Lookup hits on a table of `size` PERMANENT entries, keys drawn uniformly at random. */
export function lookupCase(size, name = CASE_NAMES.lookup(size)) {
  const { tbl, dev } = benchStack({ seed: size });
  const t0 = performance.now();
  const keys = fillTable(tbl, dev, size);
  const fillMs = performance.now() - t0;
  // Precomputed probes so the loop does nothing but look up.
  const rnd = mulberry32(size ^ 0x5eed);
  const L = 1 << 17;
  const probes = new Array(L);
  for (let i = 0; i < L; i++) probes[i] = keys[Math.floor(rnd() * size)];
  let pos = 0;
  let hits = 0;
  let calls = 0;
  const B = LOOKUPS_PER_OP;
  const c = {
    name,
    unit: 'lookup',
    perOp: B,
    fillMs,
    displacement: indexDisplacement(tbl),
    info: null,
    tbl,
    fn() {
      let p = pos;
      if (p + B > L) p = 0;
      let h = 0;
      for (let i = 0; i < B; i++) if (tbl.lookupNoref(probes[p + i], dev) !== null) h++;
      pos = p + B;
      hits += h;
      calls++;
    },
    verify() {
      if (tbl.entries !== size) return `table holds ${tbl.entries} entries, expected ${size}`;
      return hits === calls * B ? null : `${calls * B - hits} of ${calls * B} lookups missed`;
    },
  };
  c.info = { entries: size, fillMs, indexDisplacement: c.displacement };
  return c;
}

/** A REACHABLE entry for the peer whose hh cache was filled by one resolved transmission. */
export function connectedPeer(fx) {
  const { tbl, dev } = fx;
  const rc = tbl.neighAdd(PEER_IP, dev, { state: NUD_REACHABLE, lladdr: PEER_MAC, create: true });
  if (rc !== 0) throw new Error(`neighAdd failed: ${rc}`);
  const n = tbl.lookupNoref(PEER_IP, dev);
  const skb = ipPacketSkb(dev);
  neighOutput(n, skb, false); // neigh_resolve_output → neigh_hh_init
  if (!(n.nudState & NUD_CONNECTED) || n.hh.hhLen !== 14) throw new Error('peer entry is not CONNECTED with a cached header');
  return n;
}

function ethHeaderToPeerOk(skb, proto = 0x0800) {
  const b = skb.buf;
  const o = skb.data;
  return PEER_MAC.equals(b.subarray(o, o + 6)) && DEV_MAC.equals(b.subarray(o + 6, o + 12)) && b.readUInt16BE(o + 12) === proto;
}

/** Counts what the device transmitted from here on against what the case sent. */
function txCheck(dev, count0, sent) {
  const seen = dev.count - count0;
  return seen === sent ? null : `device transmitted ${seen} frames, ${sent} sent`;
}

/** neigh_output on a CONNECTED entry with a cached header, one reused SkBuff. */
export function fastPathCase() {
  const fx = benchStack({ addr: '10.0.0.1/24' });
  const { dev } = fx;
  const n = connectedPeer(fx);
  const skb = ipPacketSkb(dev);
  const headroom = skb.data;
  const B = PACKETS_PER_OP;
  const count0 = dev.count;
  let sent = 0;
  let errors = 0;
  return {
    name: CASE_NAMES.fastPath,
    unit: 'packet',
    perOp: B,
    fn() {
      for (let i = 0; i < B; i++) {
        skb.data = headroom; // reuse the buffer: measure the path, not allocation
        if (neighOutput(n, skb, false) !== 0) errors++;
      }
      sent += B;
    },
    verify() {
      if (errors) return `${errors} transmissions failed`;
      if (skb.data !== headroom - 14 || !ethHeaderToPeerOk(skb)) return 'frame does not start with the cached Ethernet header';
      return txCheck(dev, count0, sent);
    },
  };
}

/** ip_finish_output2: the per-packet neighbour lookup, then the same fast path. */
export function ipOutputCase() {
  const fx = benchStack({ addr: '10.0.0.1/24' });
  const { dev, inet } = fx;
  connectedPeer(fx);
  const skb = ipPacketSkb(dev);
  const headroom = skb.data;
  const B = PACKETS_PER_OP;
  const count0 = dev.count;
  let sent = 0;
  let errors = 0;
  return {
    name: CASE_NAMES.ipOutput,
    unit: 'packet',
    perOp: B,
    fn() {
      for (let i = 0; i < B; i++) {
        skb.data = headroom;
        if (ipFinishOutput2(inet, skb, dev, PEER_IP) !== 0) errors++;
      }
      sent += B;
    },
    verify() {
      if (errors) return `${errors} transmissions failed`;
      if (!ethHeaderToPeerOk(skb)) return 'frame does not start with the cached Ethernet header';
      return txCheck(dev, count0, sent);
    },
  };
}

/** A broadcast "who-has 10.0.0.1" through eth_type_trans and __netif_receive_skb; replies counted. */
export function arpCase() {
  const { dev, inet } = benchStack({ addr: '10.0.0.1/24' });
  const inj = makeInjector(dev, buildArpRequest(), 0); // arp_process only reads the request
  const B = FRAMES_PER_OP;
  let injected = 0;
  const replies0 = inet.arp.stats.txReplies;
  const frames0 = dev.arpFrames;
  return {
    name: CASE_NAMES.arp,
    unit: 'request',
    perOp: B,
    fn() {
      for (let i = 0; i < B; i++) inj.inject();
      injected += B;
    },
    verify() {
      const replies = inet.arp.stats.txReplies - replies0;
      const frames = dev.arpFrames - frames0;
      if (replies !== injected || frames !== injected) return `${injected} requests, ${replies} replies counted, ${frames} frames sent`;
      const r = dev.last;
      const b = r.buf;
      const o = r.data;
      const ok = ethHeaderToPeerOk(r, 0x0806) && b.readUInt16BE(o + 20) === 2 && DEV_MAC.equals(b.subarray(o + 22, o + 28)) &&
        b.readUInt32BE(o + 28) === DEV_IP && b.readUInt32BE(o + 38) === PEER_IP;
      return ok ? null : 'last frame is not "10.0.0.1 is-at <our MAC>" to the peer';
    },
  };
}

/** An echo request from a REACHABLE peer; the reply is built in the request's buffer. */
export function echoCase() {
  const fx = benchStack({ addr: '10.0.0.1/24' });
  const { dev, inet } = fx;
  connectedPeer(fx);
  // The reply rewrites the Ethernet, IP and ICMP type/checksum bytes (the first 38) in place.
  const inj = makeInjector(dev, buildEchoRequest(), 14 + 20 + 4);
  const B = FRAMES_PER_OP;
  let injected = 0;
  const reps0 = inet.icmp.stats.outEchoReps;
  const count0 = dev.count;
  return {
    name: CASE_NAMES.echo,
    unit: 'echo',
    perOp: B,
    fn() {
      for (let i = 0; i < B; i++) inj.inject();
      injected += B;
    },
    verify() {
      const reps = inet.icmp.stats.outEchoReps - reps0;
      if (reps !== injected) return `${injected} requests, ${reps} replies counted`;
      const bad = txCheck(dev, count0, injected);
      if (bad) return bad;
      const r = dev.last;
      const b = r.buf;
      if (r !== inj.skb || r.data !== 0) return 'the reply was not built in the request buffer';
      const ok = ethHeaderToPeerOk(r) && checksumOk(b, 14, 20) && b.readUInt32BE(14 + 12) === DEV_IP &&
        b.readUInt32BE(14 + 16) === PEER_IP && b[34] === 0 && checksumOk(b, 34, r.len - 34);
      return ok ? null : 'last frame is not a valid echo reply to the peer';
    },
  };
}

/**
 * N packets to an unresolved neighbour: the first moves it NONE/FAILED → INCOMPLETE (timer and a
 * broadcast solicitation), all N wait on arpQueue; neigh_update to REACHABLE sends them in order.
 * An administrative FAILED resets the entry for the next round. Per-packet figures.
 */
export function pendingCase(N) {
  const { dev, tbl } = benchStack({ addr: '10.0.0.1/24' });
  const key = ip('10.0.0.3');
  const c = tbl.create(key, dev, false);
  if (typeof c === 'number') throw new Error(`create failed: ${c}`);
  const n = c;
  const skbs = Array.from({ length: N }, () => ipPacketSkb(dev, { daddr: key }));
  const headroom = skbs[0].data;
  let rounds = 0;
  let bad = 0;
  const ip0 = dev.count - dev.arpFrames;
  const arp0 = dev.arpFrames;
  return {
    name: CASE_NAMES.pending(N),
    unit: 'packet',
    perOp: N,
    fn() {
      for (let i = 0; i < N; i++) {
        const s = skbs[i];
        s.data = headroom;
        neighOutput(n, s, false);
      }
      if (n.nudState !== NUD_INCOMPLETE || n.arpQueue.length !== N) bad++;
      // The reply arrives: __neigh_update → REACHABLE → neigh_update_process_arp_queue.
      neighUpdate(n, PEER_MAC, NUD_REACHABLE, NEIGH_UPDATE_F_OVERRIDE, 0);
      if (n.arpQueue.length !== 0) bad++;
      // Back to square one for the next round.
      neighUpdate(n, null, NUD_FAILED, NEIGH_UPDATE_F_OVERRIDE | NEIGH_UPDATE_F_ADMIN, 0);
      rounds++;
    },
    verify() {
      if (bad) return `${bad} rounds did not queue ${N} packets and flush them all`;
      const sent = dev.count - dev.arpFrames - ip0;
      if (sent !== rounds * N) return `${rounds * N} packets queued, ${sent} transmitted`;
      if (tbl.stats.unresDiscards !== 0) return `${tbl.stats.unresDiscards} packets discarded from the queue`;
      if (dev.arpFrames - arp0 !== rounds) return `${dev.arpFrames - arp0} ARP requests for ${rounds} resolutions`;
      return null;
    },
  };
}
