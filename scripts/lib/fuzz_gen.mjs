// Receive-path fuzzing for tapstack: a deterministic generator of random and mutated-valid
// Ethernet frames (FrameGen) and a rig (FuzzRig) that feeds them to a Stack over in-memory pairs
// and accounts for every frame: dropped (exactly one drop counter moved), answered, delivered, or
// consumed silently (a defect). Plain ESM so that both the vitest suite (test/unit/fuzz_rx.test.ts,
// against src/ through vitest) and the nightly runner (scripts/fuzz.mjs, against dist/) use this
// one copy; the rig takes the library's exports as an argument for that reason. The IPv6 half
// (frames, mutations, transmit checks, counters) lives in fuzz_gen6.mjs.
import {
  ANSWER_COUNTERS6,
  ANSWER_FAIL_COUNTERS6,
  BASE6_TABLE,
  DELIVERY_COUNTERS6,
  DROP_COUNTERS6,
  ETH_P_IPV6,
  Gen6,
  MUT6_TABLE,
  checkIpv6Frame,
  csum6,
  eth6,
  fwdKey6,
  ip6Packet,
  ip6ToBuf,
  ip6Upper,
  isLl6,
} from './fuzz_gen6.mjs';

export * from './fuzz_gen6.mjs';

// ---- deterministic randomness ----------------------------------------------------------------

/** mulberry32: a small, fast, seedable PRNG; returns floats in [0, 1). */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Rng {
  constructor(seed) {
    this.f = mulberry32(seed);
  }
  next() {
    return this.f();
  }
  /** Integer in [0, n). */
  int(n) {
    return Math.floor(this.f() * n);
  }
  /** Integer in [lo, hi]. */
  range(lo, hi) {
    return lo + Math.floor(this.f() * (hi - lo + 1));
  }
  chance(p) {
    return this.f() < p;
  }
  pick(arr) {
    return arr[Math.floor(this.f() * arr.length)];
  }
  /** Picks from [[weight, value], ...]. */
  weighted(table) {
    let total = 0;
    for (const [w] of table) total += w;
    let x = this.f() * total;
    for (const [w, v] of table) {
      x -= w;
      if (x < 0) return v;
    }
    return table[table.length - 1][1];
  }
  u32() {
    return (this.f() * 4294967296) >>> 0;
  }
  bytes(n) {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = (this.f() * 256) | 0;
    return b;
  }
}

// ---- wire helpers ----------------------------------------------------------------------------

export const ETH_P_IP = 0x0800;
export const ETH_P_ARP = 0x0806;
export const ETH_P_8021Q = 0x8100;
export const BCAST_MAC = Buffer.alloc(6, 0xff);
export const ZERO_MAC = Buffer.alloc(6);

export function ipToNum(s) {
  const p = s.split('.').map(Number);
  return ((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]) >>> 0;
}

export function numToIp(n) {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

export function macToBuf(s) {
  return Buffer.from(s.split(':').map((x) => parseInt(x, 16)));
}

/** One's-complement sum folded to 16 bits, complemented (RFC 1071). */
export function inetCsum(buf, off, len, initial = 0) {
  let s = initial;
  let i = 0;
  for (; i + 1 < len; i += 2) s += (buf[off + i] << 8) | buf[off + i + 1];
  if (i < len) s += buf[off + i] << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

function putU32(b, o, v) {
  b[o] = v >>> 24;
  b[o + 1] = (v >>> 16) & 255;
  b[o + 2] = (v >>> 8) & 255;
  b[o + 3] = v & 255;
}

export function ethFrame(dst, src, type, payload) {
  const b = Buffer.alloc(14 + payload.length);
  dst.copy(b, 0);
  src.copy(b, 6);
  b.writeUInt16BE(type, 12);
  payload.copy(b, 14);
  return b;
}

export function arpPacket(op, sha, sip, tha, tip) {
  const b = Buffer.alloc(28);
  b.writeUInt16BE(1, 0);
  b.writeUInt16BE(ETH_P_IP, 2);
  b[4] = 6;
  b[5] = 4;
  b.writeUInt16BE(op, 6);
  sha.copy(b, 8);
  putU32(b, 14, sip);
  (tha ?? ZERO_MAC).copy(b, 18);
  putU32(b, 24, tip);
  return b;
}

/** Recomputes the IPv4 header checksum of the header at `off` (ihl from the header, clamped). */
export function fixIpCsum(b, off) {
  const hl = Math.min((b[off] & 15) * 4, b.length - off);
  if (hl < 12) return;
  b[off + 10] = 0;
  b[off + 11] = 0;
  const c = inetCsum(b, off, hl);
  b[off + 10] = c >>> 8;
  b[off + 11] = c & 255;
}

export function ipPacket({ tos = 0, id = 0, frag = 0x4000, ttl = 64, proto, src, dst, options = null, payload }) {
  const optLen = options ? options.length : 0;
  const hl = 20 + optLen;
  const b = Buffer.alloc(hl + payload.length);
  b[0] = 0x40 | (hl >>> 2);
  b[1] = tos;
  b.writeUInt16BE(Math.min(0xffff, b.length), 2);
  b.writeUInt16BE(id & 0xffff, 4);
  b.writeUInt16BE(frag & 0xffff, 6);
  b[8] = ttl;
  b[9] = proto;
  putU32(b, 12, src);
  putU32(b, 16, dst);
  if (options) options.copy(b, 20);
  payload.copy(b, hl);
  fixIpCsum(b, 0);
  return b;
}

export function icmpMsg(type, code, rest, data) {
  const b = Buffer.alloc(8 + data.length);
  b[0] = type;
  b[1] = code;
  putU32(b, 4, rest >>> 0);
  data.copy(b, 8);
  const c = inetCsum(b, 0, b.length);
  b[2] = c >>> 8;
  b[3] = c & 255;
  return b;
}

function udpMsg(sport, dport, data) {
  const b = Buffer.alloc(8 + data.length);
  b.writeUInt16BE(sport, 0);
  b.writeUInt16BE(dport, 2);
  b.writeUInt16BE(b.length, 4);
  data.copy(b, 8);
  return b;
}

function tcpSeg(rng, sport, dport) {
  const b = Buffer.alloc(20);
  b.writeUInt16BE(sport, 0);
  b.writeUInt16BE(dport, 2);
  putU32(b, 4, rng.u32());
  putU32(b, 8, rng.u32());
  b[12] = 0x50;
  b[13] = rng.pick([0x02, 0x12, 0x10, 0x04, 0x11, 0x18, 0xff]);
  b.writeUInt16BE(rng.int(65536), 14);
  return b;
}

// ---- TCP segments ----------------------------------------------------------------------------

export const TCPF = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10, URG: 0x20, ECE: 0x40, CWR: 0x80 };

/**
 * A TCP segment: header, options (padded to 4 bytes with NOPs unless `rawOpts`), payload, and the
 * checksum over the pseudo-header of `src`/`dst` (numbers for IPv4, 16-byte Buffers for IPv6);
 * `doff` overrides the data offset (in 32-bit words), `badCsum` spoils the checksum.
 */
export function tcpSegment({ sport, dport, seq, ack, flags, window = 65535, urg = 0, opts = Buffer.alloc(0), payload = Buffer.alloc(0), doff, res = 0, badCsum = false, src, dst }) {
  const optLen = (opts.length + 3) & ~3;
  const b = Buffer.alloc(20 + optLen + payload.length);
  b.writeUInt16BE(sport & 0xffff, 0);
  b.writeUInt16BE(dport & 0xffff, 2);
  putU32(b, 4, seq >>> 0);
  putU32(b, 8, ack >>> 0);
  b[12] = (((doff ?? (20 + optLen) >>> 2) & 15) << 4) | (res & 15);
  b[13] = flags & 0xff;
  b.writeUInt16BE(window & 0xffff, 14);
  b.writeUInt16BE(urg & 0xffff, 18);
  opts.copy(b, 20);
  for (let i = 20 + opts.length; i < 20 + optLen; i++) b[i] = 1;
  payload.copy(b, 20 + optLen);
  let c;
  if (typeof src === 'number') {
    const ph = Buffer.alloc(12);
    putU32(ph, 0, src >>> 0);
    putU32(ph, 4, dst >>> 0);
    ph[9] = 6;
    ph.writeUInt16BE(b.length, 10);
    c = inetCsum(Buffer.concat([ph, b]), 0, 12 + b.length);
  } else c = csum6(b, 0, b.length, src, 0, dst, 0, 6);
  if (badCsum) c ^= 1 + ((seq >>> 3) & 0xff);
  b.writeUInt16BE(c, 16);
  return b;
}

/** The options of a SYN (or of any segment): mostly well-formed, often malformed; at most 40 bytes. */
function tcpOpts(r, { syn, ts, sackBase }) {
  const parts = [];
  const mss = () => { const o = Buffer.alloc(4); o[0] = 2; o[1] = 4; o.writeUInt16BE(r.weighted([[6, 1460], [2, r.range(536, 9000)], [1, 0], [1, r.int(65536)], [1, r.range(1, 88)]]), 2); return o; };
  const ws = () => Buffer.from([3, 3, r.weighted([[6, 7], [3, r.int(15)], [1, r.range(15, 255)]])]);
  const tsOpt = () => { const o = Buffer.alloc(10); o[0] = 8; o[1] = 10; putU32(o, 2, ts?.val ?? r.u32()); putU32(o, 6, ts?.ecr ?? (r.chance(0.5) ? 0 : r.u32())); return o; };
  const sack = () => {
    const n = r.range(1, 4);
    const o = Buffer.alloc(2 + 8 * n);
    o[0] = 5; o[1] = o.length;
    for (let i = 0; i < n; i++) {
      const base = sackBase !== undefined && r.chance(0.7) ? (sackBase + r.range(-3000, 30000)) >>> 0 : r.u32();
      putU32(o, 2 + 8 * i, base);
      putU32(o, 6 + 8 * i, r.chance(0.85) ? (base + r.range(1, 3000)) >>> 0 : r.u32());
    }
    return o;
  };
  const style = r.weighted([[5, 'valid'], [1, 'none'], [3, 'malformed'], [1, 'random']]);
  if (style === 'none') return Buffer.alloc(0);
  if (style === 'random') return r.bytes(r.range(1, 40));
  if (style === 'valid') {
    if (syn) {
      parts.push(mss());
      if (r.chance(0.8)) parts.push(Buffer.from([4, 2]));
      if (r.chance(0.8)) parts.push(tsOpt());
      if (r.chance(0.8)) parts.push(Buffer.from([1]), ws());
    } else {
      if (ts && r.chance(0.9)) parts.push(Buffer.from([1, 1]), tsOpt());
      if (r.chance(0.3)) parts.push(Buffer.from([1, 1]), sack());
    }
  } else {
    // malformed: a length of 0, 1 or past the area, wrong lengths for known kinds, unknown kinds,
    // EOL and NOP runs, SACK blocks in a SYN
    const n = r.range(1, 4);
    for (let i = 0; i < n; i++) {
      parts.push(r.weighted([
        [2, () => Buffer.from([r.pick([2, 3, 4, 5, 8, r.range(6, 255)]), r.pick([0, 1])])],
        [2, () => Buffer.from([r.pick([2, 3, 8, 5]), r.range(40, 255), r.int(256), r.int(256)])],
        [2, () => { const k = r.pick([2, 3, 4, 8]); const l = r.pick([2, 3, 5, 6, 9, 11, 12]); const o = r.bytes(l); o[0] = k; o[1] = l; return o; }],
        [2, () => { const l = r.range(2, 12); const o = r.bytes(l); o[0] = r.range(9, 254); o[1] = l; return o; }],
        [1, () => Buffer.alloc(r.range(1, 12), r.pick([0, 1]))],
        [1, () => { const o = sack(); o[1] = r.pick([2, 3, 9, 11, 34, o[1] + 1]); return o; }],
        [1, () => (r.chance(0.5) ? sack() : mss())],
        [1, () => Buffer.concat([Buffer.from([0]), r.bytes(r.range(1, 8))])],
        [1, () => tsOpt()],
      ])());
    }
  }
  let o = Buffer.concat(parts);
  if (o.length > 40) o = o.subarray(0, 40);
  return o;
}

// ---- the generator ---------------------------------------------------------------------------

/**
 * What the generator knows about the stack under test and its link. Addresses are numbers.
 * `ours[0]` is the fuzzed interface; the others may receive a share of the frames.
 * @typedef {{ dev: string, mac: Buffer, ips: number[], prefix: number }} OurIf
 * @typedef {{ ours: OurIf[], peer: { mac: Buffer, ip: number }, pingIds?: number[], weight6?: number }} FuzzContext
 */

/** Base frame kinds with weights. */
const BASE_TABLE = [
  [6, 'arp.request'], [3, 'arp.request.ucast'], [4, 'arp.reply'], [2, 'arp.garp.request'], [2, 'arp.garp.reply'],
  [2, 'arp.probe'], [2, 'arp.proxyreq'],
  [6, 'icmp.echo'], [2, 'icmp.echoreply'], [2, 'icmp.unreach'], [1, 'icmp.timeexc'], [1, 'icmp.otherr'],
  [1, 'icmp.type'], [2, 'ip.options'], [2, 'ip.fragment'], [2, 'ip.udp'], [2, 'ip.tcp'], [1, 'ip.proto'],
  [2, 'ip.forward'],
  [1, 'eth.vlan'], [1, 'eth.unknown'], [1, 'eth.8023'], [1, 'eth.ipv6'], [1, 'raw.random'], [0.3, 'raw.huge'],
  [0.3, 'raw.empty'],
];

/**
 * TCP kinds against the stack's sockets, when the context names them (ctx.tcp): segments to the
 * listener and to an ESTABLISHED connection, IPv4 and (with IPv6) IPv6.
 */
const TCP_TABLE = [[2, 'tcp.listen'], [5, 'tcp.estab']];
const TCP6_TABLE = [[1, 'tcp6.listen'], [3, 'tcp6.estab']];

/**
 * IPv4, ARP, link-layer and IPv6 kinds together (IPv6 ones only when the context has IPv6), the
 * IPv6 weights scaled by the context's `weight6` (default 1; tables kept per value).
 */
const tablesByWeight6 = new Map();
function baseTable(weight6, six, tcp) {
  const key = `${weight6} ${six} ${tcp}`;
  let t = tablesByWeight6.get(key);
  if (t === undefined) {
    t = [...BASE_TABLE];
    if (six) t.push(...BASE6_TABLE.map(([w, k]) => [w * weight6, k]));
    if (tcp) t.push(...TCP_TABLE);
    if (tcp && six) t.push(...TCP6_TABLE.map(([w, k]) => [w * weight6, k]));
    tablesByWeight6.set(key, t);
  }
  return t;
}
const IS_BASE6 = /^(ip6|icmp6|nd|mld|tcp6)\./;

/** Mutations and their weights; '' is "leave the valid frame alone". */
const MUT_TABLE = [
  [36, ''],
  [6, 'trunc'], [3, 'pad'], [2, 'srcmac'], [2, 'dstmac'], [2, 'bitflip'], [1, 'bitflip.fixcsum'], [1, 'vlan'],
  [1, 'ethertype'],
  // layer-specific; inapplicable ones fall back to trunc
  [3, 'ip.totlen'], [2, 'ip.ihl'], [1, 'ip.version'], [3, 'ip.csum'], [3, 'icmp.csum'], [2, 'icmp.type'],
  [2, 'ip.saddr'], [2, 'ip.ttl'],
  [2, 'arp.hln'], [2, 'arp.pln'], [1, 'arp.hrd'], [1, 'arp.pro'], [2, 'arp.op'], [2, 'arp.sha'], [2, 'arp.ownsender'],
];

export class FrameGen {
  /**
   * @param {number} seed
   * @param {FuzzContext} ctx
   */
  constructor(seed, ctx) {
    this.rng = new Rng(seed);
    this.g6 = new Gen6(this);
    this.setContext(ctx);
    this.count = 0;
    /** Some "other hosts" on the link, stable for the run so the stack can learn them. */
    this.hosts = [];
    for (let i = 0; i < 24; i++) {
      const mac = this.rng.bytes(6);
      mac[0] = (mac[0] & 0xfe) | 0x02;
      this.hosts.push(mac);
    }
  }

  /** @param {FuzzContext} ctx */
  setContext(ctx) {
    this.ctx = ctx;
  }

  // -- address pools --

  ourIf() {
    const o = this.ctx.ours;
    return o.length > 1 && this.rng.chance(0.1) ? o[1 + this.rng.int(o.length - 1)] : o[0];
  }

  subnetHost(iff, host) {
    const mask = iff.prefix === 0 ? 0 : (0xffffffff << (32 - iff.prefix)) >>> 0;
    return ((iff.ips[0] & mask) | (host & ~mask)) >>> 0;
  }

  subnetBcast(iff) {
    return this.subnetHost(iff, 0xffffffff);
  }

  hostMac() {
    const r = this.rng;
    return r.chance(0.7) ? r.pick(this.hosts) : r.chance(0.5) ? this.ctx.peer.mac : (() => {
      const m = r.bytes(6);
      m[0] &= 0xfe;
      return m;
    })();
  }

  /** A sender address: mostly plausible, sometimes every kind of martian. */
  srcIp(iff) {
    const r = this.rng;
    return r.weighted([
      [4, () => this.ctx.peer.ip],
      [8, () => this.subnetHost(iff, r.range(1, 254))],
      [3, () => ipToNum(`10.${r.int(256)}.${r.int(256)}.${r.range(1, 254)}`)],
      [3, () => r.u32()],
      [1, () => r.pick(iff.ips)],
      [1, () => this.subnetHost(iff, r.range(30, 39))],
      [1, () => 0],
      [1, () => 0xffffffff],
      [1, () => this.subnetBcast(iff)],
      [1, () => this.subnetHost(iff, 0)],
      [1, () => ipToNum(`224.0.0.${r.int(256)}`)],
      [1, () => ipToNum(`127.0.0.${r.range(1, 254)}`)],
      [1, () => ipToNum(`0.0.${r.int(256)}.${r.int(256)}`)],
    ])();
  }

  /** A destination: mostly ours, sometimes broadcast, multicast, another host, elsewhere. */
  dstIp(iff) {
    const r = this.rng;
    return r.weighted([
      [14, () => r.pick(iff.ips)],
      [2, () => r.pick(r.pick(this.ctx.ours).ips)],
      [2, () => this.ctx.peer.ip],
      [2, () => this.subnetHost(iff, r.range(1, 254))],
      [1, () => this.subnetHost(iff, r.range(30, 39))],
      [1, () => 0xffffffff],
      [1, () => this.subnetBcast(iff)],
      [1, () => ipToNum(`224.0.0.${r.int(256)}`)],
      [1, () => ipToNum('127.0.0.1')],
      [1, () => 0],
      [2, () => r.u32()],
      [2, () => this.otherSubnetIp()],
    ])();
  }

  /** An address on another of our subnets (forwarding / proxy targets), or off every subnet. */
  otherSubnetIp() {
    const r = this.rng;
    const o = this.ctx.ours;
    if (o.length > 1 && r.chance(0.7)) return this.subnetHost(o[1 + r.int(o.length - 1)], r.range(2, 254));
    return ipToNum(`192.168.${r.int(256)}.${r.range(1, 254)}`);
  }

  ethDstFor(iff, pBcast = 0.1) {
    const r = this.rng;
    if (r.chance(pBcast)) return BCAST_MAC;
    return r.weighted([
      [20, iff.mac],
      [1, BCAST_MAC],
      [1, Buffer.from([0x01, 0x00, 0x5e, 0, 0, r.int(256)])],
      [1, r.pick(this.hosts)],
    ]);
  }

  // -- base frames --

  /**
   * The next frame: { frame, kind, dev } where kind is "base" or "base/mutation" and dev names the
   * interface (ctx.ours[i].dev) it should arrive on.
   */
  next() {
    const r = this.rng;
    this.count++;
    let iff = this.ourIf();
    const tcp = this.ctx.tcp;
    const base = r.weighted(baseTable(this.ctx.weight6 ?? 1, Gen6.usable(this.ctx.ours[0]), !!(tcp && tcp.conns.length)));
    // IPv6 kinds need IPv6 addresses on the interface (a device with IPv6 disabled has none).
    if (IS_BASE6.test(base) && !Gen6.usable(iff)) iff = this.ctx.ours[0];
    const built = this.build(base, iff);
    let frame = built.frame;
    let kind = base;
    if (built.mutable !== false) {
      const six = built.l3 === 'ip6';
      const mut = r.weighted(six ? MUT6_TABLE : MUT_TABLE);
      if (mut) {
        const m = six ? this.g6.mutate(frame, mut, iff) : this.mutate(frame, mut, built.l3, iff);
        frame = m.frame;
        kind = `${base}/${m.name}`;
      }
    }
    return { frame, kind, dev: iff.dev };
  }

  build(base, iff) {
    const r = this.rng;
    const peer = this.ctx.peer;
    if (base.startsWith('tcp')) {
      // (mostly left whole: the point is what TCP makes of them, not what IP does)
      const b = this.buildTcp(base, iff);
      b.mutable = this.rng.chance(0.3);
      return b;
    }
    if (IS_BASE6.test(base)) return this.g6.build(base, iff);
    switch (base) {
      case 'arp.request': {
        const sha = this.hostMac();
        const tip = r.chance(0.7) ? r.pick(iff.ips) : this.dstIp(iff);
        return { frame: ethFrame(BCAST_MAC, sha, ETH_P_ARP, arpPacket(1, sha, this.srcIp(iff), null, tip)), l3: 'arp' };
      }
      case 'arp.request.ucast': {
        // a unicast re-check of a neighbour (as the kernel's PROBE state sends)
        const sha = this.hostMac();
        return { frame: ethFrame(iff.mac, sha, ETH_P_ARP, arpPacket(1, sha, this.srcIp(iff), r.chance(0.5) ? iff.mac : null, r.pick(iff.ips))), l3: 'arp' };
      }
      case 'arp.reply': {
        const sha = r.chance(0.5) ? peer.mac : this.hostMac();
        const sip = r.chance(0.4) ? peer.ip : this.srcIp(iff);
        const dst = r.chance(0.8) ? iff.mac : BCAST_MAC;
        return { frame: ethFrame(dst, sha, ETH_P_ARP, arpPacket(2, sha, sip, iff.mac, r.chance(0.9) ? r.pick(iff.ips) : this.dstIp(iff))), l3: 'arp' };
      }
      case 'arp.garp.request': {
        const sha = this.hostMac();
        const ip = r.chance(0.8) ? this.srcIp(iff) : r.pick(iff.ips);
        return { frame: ethFrame(BCAST_MAC, sha, ETH_P_ARP, arpPacket(1, sha, ip, null, ip)), l3: 'arp' };
      }
      case 'arp.garp.reply': {
        const sha = this.hostMac();
        const ip = r.chance(0.8) ? this.srcIp(iff) : r.pick(iff.ips);
        return { frame: ethFrame(BCAST_MAC, sha, ETH_P_ARP, arpPacket(2, sha, ip, sha, ip)), l3: 'arp' };
      }
      case 'arp.probe': {
        const sha = this.hostMac();
        const tip = r.chance(0.6) ? r.pick(iff.ips) : this.dstIp(iff);
        return { frame: ethFrame(BCAST_MAC, sha, ETH_P_ARP, arpPacket(1, sha, 0, null, tip)), l3: 'arp' };
      }
      case 'arp.proxyreq': {
        const sha = this.hostMac();
        const dst = r.chance(0.3) ? iff.mac : BCAST_MAC;
        return { frame: ethFrame(dst, sha, ETH_P_ARP, arpPacket(1, sha, this.subnetHost(iff, r.range(1, 254)), null, this.otherSubnetIp())), l3: 'arp' };
      }
      case 'icmp.echo': {
        const data = r.bytes(r.weighted([[6, r.range(0, 64)], [2, r.range(65, 1472)], [1, 0]]));
        const icmp = icmpMsg(8, r.chance(0.9) ? 0 : r.int(256), (r.int(65536) << 16) | r.int(65536), data);
        return this.ipFrame(iff, 1, icmp);
      }
      case 'icmp.echoreply': {
        const ids = this.ctx.pingIds ?? [];
        const id = ids.length && r.chance(0.6) ? r.pick(ids) : r.int(65536);
        const icmp = icmpMsg(0, 0, (id << 16) | r.int(8), r.bytes(r.range(0, 64)));
        return this.ipFrame(iff, 1, icmp);
      }
      case 'icmp.unreach':
      case 'icmp.timeexc':
      case 'icmp.otherr': {
        const type = base === 'icmp.unreach' ? 3 : base === 'icmp.timeexc' ? 11 : r.pick([4, 5, 12]);
        const code = r.chance(0.8) ? r.int(16) : r.int(256);
        return this.ipFrame(iff, 1, icmpMsg(type, code, r.chance(0.5) ? 0 : r.u32(), this.quote(iff)));
      }
      case 'icmp.type': {
        const type = r.chance(0.5) ? r.pick([13, 14, 15, 16, 17, 18, 9, 10, 30, 40, 42, 43]) : r.int(256);
        return this.ipFrame(iff, 1, icmpMsg(type, r.int(256), r.u32(), r.bytes(r.range(0, 40))));
      }
      case 'ip.options': {
        const icmp = icmpMsg(8, 0, r.u32(), r.bytes(r.range(0, 56)));
        return this.ipFrame(iff, 1, icmp, { options: this.ipOptions() });
      }
      case 'ip.fragment': {
        const mf = r.chance(0.6) ? 0x2000 : 0;
        const off = mf && r.chance(0.5) ? 0 : r.range(1, 0x1fff);
        const proto = r.pick([1, 17, 6]);
        const payload = proto === 1 ? icmpMsg(8, 0, r.u32(), r.bytes(r.range(0, 64))) : r.bytes(r.range(8, 64));
        return this.ipFrame(iff, proto, payload, { frag: mf | off | (r.chance(0.2) ? 0x4000 : 0) });
      }
      case 'ip.udp':
        return this.ipFrame(iff, 17, udpMsg(r.int(65536), r.pick([53, 67, 68, 123, 161, 7, r.int(65536)]), r.bytes(r.range(0, 64))));
      case 'ip.tcp':
        return this.ipFrame(iff, 6, tcpSeg(r, r.int(65536), r.pick([22, 80, 443, r.int(65536)])));
      case 'ip.proto': {
        let p = r.int(256);
        if (p === 1) p = 2;
        return this.ipFrame(iff, p, r.bytes(r.range(0, 64)));
      }
      case 'ip.forward': {
        // addressed to our MAC but to a far IP: forwarded when forwarding is on
        const icmp = icmpMsg(8, 0, r.u32(), r.bytes(r.range(0, 64)));
        return this.ipFrame(iff, r.chance(0.7) ? 1 : 17, icmp, {
          dst: r.chance(0.8) ? this.otherSubnetIp() : r.u32(),
          src: this.subnetHost(iff, r.range(1, 254)),
          ttl: r.weighted([[6, 64], [2, 1], [1, 0], [1, 2]]),
          ethDst: iff.mac,
          frag: r.chance(0.5) ? 0x4000 : 0,
          pad: r.chance(0.1) ? r.range(1400, 1600) : 0,
        });
      }
      case 'eth.vlan': {
        const inner = r.chance(0.5) ? this.build('arp.request', iff).frame : this.build('icmp.echo', iff).frame;
        return { frame: this.insertVlan(inner), l3: 'vlan' };
      }
      case 'eth.unknown': {
        let t = r.int(65536);
        if (t === ETH_P_IP || t === ETH_P_ARP) t = 0x88b5;
        return { frame: ethFrame(this.ethDstFor(iff, 0.3), this.hostMac(), t, r.bytes(r.range(0, 100))), l3: 'none' };
      }
      case 'eth.8023':
        return { frame: ethFrame(this.ethDstFor(iff, 0.3), this.hostMac(), r.int(0x600), r.bytes(r.range(0, 100))), l3: 'none' };
      case 'eth.ipv6':
        return { frame: ethFrame(r.chance(0.5) ? Buffer.from([0x33, 0x33, 0, 0, 0, 1]) : iff.mac, this.hostMac(), 0x86dd, r.bytes(r.range(40, 100))), l3: 'none' };
      case 'raw.random': {
        const b = r.bytes(r.weighted([[4, r.range(0, 64)], [2, r.range(64, 1514)]]));
        // Often aimed at us, and often with a real ethertype, so the random bytes reach the parsers.
        if (b.length >= 14 && r.chance(0.5)) iff.mac.copy(b, 0);
        if (b.length >= 14 && r.chance(0.6)) b.writeUInt16BE(r.chance(0.5) ? ETH_P_IP : ETH_P_ARP, 12);
        return { frame: b, l3: 'raw', mutable: false };
      }
      case 'raw.huge': {
        if (r.chance(0.5)) {
          // A well-formed echo far beyond the MTU (up to IP's 65535 bytes).
          const size = r.pick([1473, 8972, 65507]);
          return this.ipFrame(iff, 1, icmpMsg(8, 0, r.u32(), Buffer.alloc(size, 0xa5)));
        }
        const b = Buffer.alloc(r.pick([1515, 9018, 65550, 70000]), r.int(256));
        iff.mac.copy(b, 0);
        this.hostMac().copy(b, 6);
        b.writeUInt16BE(r.chance(0.5) ? ETH_P_IP : ETH_P_ARP, 12);
        b[14] = 0x45;
        return { frame: b, l3: 'raw', mutable: false };
      }
      case 'raw.empty':
        return { frame: Buffer.alloc(r.pick([0, 1, 13, 14])), l3: 'raw', mutable: false };
      default:
        throw new Error(`unknown base ${base}`);
    }
  }

  /**
   * TCP against the stack's sockets (ctx.tcp: { port, conns: [{ family, peerIp, localIp,
   * peerMac, rport, lport, state() }] }, state() giving the connection's rcv_nxt, rcv_wup,
   * rcv_wnd, snd_una, snd_nxt, ts_recent, tsNow and mss now). `tcp.listen`: to the listener —
   * SYNs with random or malformed options, bare ACKs (bad cookies), RSTs, FINs, data, odd flag
   * mixes. `tcp.estab`: to an ESTABLISHED connection from its peer — sequence numbers at rcv_nxt,
   * in the window, just outside it or anywhere, ACKs valid, old or in the future, every flag
   * combination, options valid or malformed, 0..MSS bytes, data offsets under 5 or past the
   * segment, now and then a bad checksum or a broadcast link address. tcp6.*: the same over IPv6.
   */
  buildTcp(base, iff) {
    const r = this.rng;
    const tcp = this.ctx.tcp;
    const six = base.startsWith('tcp6');
    const fam = six ? 6 : 4;
    const conns = tcp.conns.filter((c) => c.family === fam);
    if (base.endsWith('.listen') || conns.length === 0) {
      const src = six ? this.g6.src6(iff) : this.srcIp(iff);
      const dst = six ? (r.chance(0.9) ? this.g6.strict(iff) : this.g6.dst6(iff)) : (r.chance(0.9) ? r.pick(iff.ips) : this.dstIp(iff));
      const flags = r.weighted([
        [10, TCPF.SYN], [3, TCPF.ACK], [2, TCPF.RST], [1, TCPF.RST | TCPF.ACK], [1, TCPF.FIN], [1, TCPF.FIN | TCPF.ACK],
        [1, TCPF.ACK | TCPF.PSH], [1, TCPF.SYN | TCPF.FIN], [1, TCPF.SYN | TCPF.ACK], [1, TCPF.SYN | TCPF.ECE | TCPF.CWR], [1, 0], [2, r.int(256)],
      ]);
      const syn = (flags & TCPF.SYN) !== 0;
      const payload = r.chance(syn ? 0.1 : 0.3) ? r.bytes(r.range(1, 200)) : Buffer.alloc(0);
      const seg = tcpSegment({
        sport: r.chance(0.9) ? r.range(1024, 65535) : r.int(65536), dport: r.chance(0.9) ? tcp.port : r.int(65536),
        seq: r.u32(), ack: flags & TCPF.ACK ? r.u32() : r.chance(0.7) ? 0 : r.u32(), flags, window: r.int(65536),
        opts: tcpOpts(r, { syn }), payload, src, dst, badCsum: r.chance(0.03), doff: this.badDoff(payload.length),
      });
      return six ? this.g6.frame(iff, { src, dst, proto: 6, payload: seg }) : this.ipFrame(iff, 6, seg, { src, dst });
    }
    const c = r.pick(conns);
    const st = c.state();
    const wnd = Math.max(0, (st.rcvWup + st.rcvWnd - st.rcvNxt) | 0);
    let seq = r.weighted([
      [8, () => st.rcvNxt],
      [4, () => st.rcvNxt + r.range(1, Math.max(1, wnd))],
      [2, () => st.rcvNxt - r.range(1, 3000)],
      [2, () => st.rcvNxt + wnd + r.range(1, 3000)],
      [1, () => st.rcvWup - r.range(1, 70000)],
      [1, () => st.rcvNxt - 1],
      [3, () => r.u32()],
    ])() >>> 0;
    const ack = r.weighted([
      [8, () => st.sndNxt],
      [2, () => st.sndUna + r.int(((st.sndNxt - st.sndUna) >>> 0) + 1)],
      [2, () => st.sndUna - r.range(1, 60000)],
      [1, () => st.sndUna - r.range(0x100000, 0x7fffffff)],
      [2, () => st.sndNxt + r.range(1, 100000)],
      [2, () => r.u32()],
    ])() >>> 0;
    let flags = r.weighted([
      [10, TCPF.ACK], [5, TCPF.ACK | TCPF.PSH], [1, TCPF.ACK | TCPF.FIN], [1, TCPF.ACK | TCPF.FIN | TCPF.PSH], [1, TCPF.RST], [1, TCPF.RST | TCPF.ACK],
      [1, TCPF.SYN], [1, TCPF.SYN | TCPF.ACK], [0.5, TCPF.SYN | TCPF.FIN], [0.5, TCPF.SYN | TCPF.FIN | TCPF.ACK], [1, TCPF.URG | TCPF.ACK],
      [1, TCPF.ECE | TCPF.CWR | TCPF.ACK], [1, TCPF.ECE | TCPF.ACK], [1, 0], [1, TCPF.FIN], [1, TCPF.PSH], [4, r.int(256)],
    ]);
    // An exact-match RST ends the connection (the rig starts another): now and then, not on most.
    if (flags & TCPF.RST && seq === st.rcvNxt && r.chance(0.7)) seq = (seq + r.range(1, Math.max(1, wnd))) >>> 0;
    // A FIN at rcv_nxt moves the connection to CLOSE_WAIT: likewise rarer than the rest.
    if (flags & TCPF.FIN && seq === st.rcvNxt && r.chance(0.5)) flags &= ~TCPF.FIN;
    const max = Math.max(0, Math.min(st.mss, 1500 - (six ? 40 : 20) - 60));
    const plen = r.weighted([[8, 0], [6, r.range(1, Math.min(200, max))], [3, r.range(1, max)], [1, max]]);
    const payload = r.bytes(plen);
    const tsv = r.weighted([[8, () => st.tsRecent + r.range(0, 5000)], [1, () => st.tsRecent - r.range(2, 0x7fffffff)], [1, () => r.u32()]])() >>> 0;
    const opts = st.tsOk || r.chance(0.3) ? tcpOpts(r, { syn: (flags & TCPF.SYN) !== 0, ts: { val: tsv, ecr: st.tsNow }, sackBase: st.sndUna }) : Buffer.alloc(0);
    const seg = tcpSegment({
      sport: c.rport, dport: c.lport, seq, ack, flags, res: r.chance(0.05) ? r.int(16) : 0,
      window: r.weighted([[6, 65535], [3, r.int(65536)], [1, 0]]), urg: flags & TCPF.URG ? r.int(65536) : r.chance(0.1) ? r.int(65536) : 0,
      opts, payload, src: c.peerIp, dst: c.localIp, badCsum: r.chance(0.03), doff: this.badDoff(plen),
    });
    const ethDst = r.chance(0.97) ? iff.mac : r.pick([BCAST_MAC, Buffer.from([0x01, 0x00, 0x5e, 0, 0, 1]), Buffer.from([0x33, 0x33, 0, 0, 0, 1])]);
    return six
      ? this.g6.frame(iff, { src: c.peerIp, dst: c.localIp, proto: 6, payload: seg, ethDst, ethSrc: c.peerMac, hlim: 64, tc: 0, flow: 0 })
      : this.ipFrame(iff, 6, seg, { src: c.peerIp, dst: c.localIp, ethDst, ttl: 64 });
  }

  /** A data offset that lies now and then: under 5 words, or past the segment. */
  badDoff(plen) {
    const r = this.rng;
    if (!r.chance(0.06)) return undefined;
    return r.chance(0.5) ? r.int(5) : r.range(Math.min(15, 6 + (plen >>> 2)), 15);
  }

  /** An IP frame from a plausible (or martian) sender to (mostly) us. */
  ipFrame(iff, proto, payload, o = {}) {
    const r = this.rng;
    const src = o.src ?? this.srcIp(iff);
    const dst = o.dst ?? this.dstIp(iff);
    let ethDst = o.ethDst;
    if (ethDst === undefined) {
      const bcastIp = dst === 0xffffffff || dst === this.subnetBcast(iff);
      ethDst = bcastIp && r.chance(0.8) ? BCAST_MAC : this.ethDstFor(iff, 0.05);
    }
    const ip = ipPacket({
      tos: r.chance(0.9) ? 0 : r.int(256),
      id: r.int(65536),
      frag: o.frag ?? (r.chance(0.5) ? 0x4000 : 0),
      ttl: o.ttl ?? r.weighted([[8, 64], [1, 1], [1, 255]]),
      proto,
      src,
      dst,
      options: o.options ?? null,
      payload,
    });
    let frame = ethFrame(ethDst, r.chance(0.5) ? this.ctx.peer.mac : this.hostMac(), ETH_P_IP, ip);
    if (o.pad) frame = Buffer.concat([frame, Buffer.alloc(o.pad)]);
    return { frame, l3: 'ip' };
  }

  /** The quoted part of an ICMP error: an IP header (ours as source, often) and 8+ bytes. */
  quote(iff) {
    const r = this.rng;
    const ids = this.ctx.pingIds ?? [];
    const proto = r.pick([1, 1, 17, 6, r.int(256)]);
    let inner;
    if (proto === 1) {
      const id = ids.length && r.chance(0.6) ? r.pick(ids) : r.int(65536);
      inner = icmpMsg(r.chance(0.8) ? 8 : r.int(256), 0, (id << 16) | r.int(16), r.bytes(r.range(0, 56)));
    } else inner = r.bytes(r.range(8, 40));
    const ip = ipPacket({ proto, src: r.chance(0.8) ? r.pick(iff.ips) : r.u32(), dst: this.srcIp(iff), payload: inner, options: r.chance(0.1) ? this.ipOptions() : null });
    const cut = r.weighted([[6, ip.length], [2, Math.min(ip.length, 28)], [1, r.int(28)], [1, r.int(ip.length + 1)]]);
    return ip.subarray(0, cut);
  }

  ipOptions() {
    const r = this.rng;
    const n = 4 * r.range(1, 10);
    const o = Buffer.alloc(n);
    let i = 0;
    while (i < n) {
      const k = r.weighted([[3, 'nop'], [1, 'eol'], [2, 'rr'], [1, 'ts'], [1, 'rand'], [1, 'badlen']]);
      if (k === 'nop') o[i++] = 1;
      else if (k === 'eol') o[i++] = 0;
      else if (k === 'rand') o[i++] = r.int(256);
      else {
        const room = n - i;
        if (room < 3) {
          o[i++] = 1;
          continue;
        }
        o[i] = k === 'rr' ? 7 : k === 'ts' ? 68 : r.pick([7, 68, 131, 137, 148]);
        const len = k === 'badlen' ? r.pick([0, 1, 2, 255, room + 4]) : r.range(3, Math.min(room, 39));
        o[i + 1] = len;
        o[i + 2] = r.range(0, 40);
        i += k === 'badlen' ? 3 : Math.max(3, Math.min(len, room));
      }
    }
    return o;
  }

  insertVlan(frame) {
    if (frame.length < 14) return frame;
    const r = this.rng;
    const b = Buffer.alloc(frame.length + 4);
    frame.copy(b, 0, 0, 12);
    b.writeUInt16BE(r.chance(0.8) ? ETH_P_8021Q : 0x88a8, 12);
    b.writeUInt16BE(r.int(4096), 14);
    frame.copy(b, 16, 12);
    return b;
  }

  // -- mutations --

  mutate(frame, name, l3, iff) {
    const r = this.rng;
    const b = Buffer.from(frame);
    const isIp = l3 === 'ip' && b.length >= 34 && b.readUInt16BE(12) === ETH_P_IP;
    const isArp = l3 === 'arp' && b.length >= 42 && b.readUInt16BE(12) === ETH_P_ARP;
    const ipHl = isIp ? (b[14] & 15) * 4 : 0;
    const isIcmp = isIp && b[23] === 1 && b.length >= 14 + ipHl + 8;
    switch (name) {
      case 'trunc': {
        // cut at each layer: inside the Ethernet header, the L3 header, or the payload
        const at = r.weighted([
          [1, () => r.int(14)],
          [3, () => 14 + r.int(isArp ? 28 : isIp ? ipHl : 20)],
          [2, () => 14 + r.int(Math.max(1, b.length - 14))],
        ])();
        return { frame: b.subarray(0, Math.min(at, b.length)), name: `trunc.${at < 14 ? 'eth' : isArp ? 'arp' : isIp ? (at < 14 + ipHl ? 'iphdr' : 'ippayload') : 'l3'}` };
      }
      case 'pad':
        return { frame: Buffer.concat([b, r.bytes(r.range(1, 64))]), name };
      case 'srcmac': {
        const which = r.pick(['bcast', 'mcast', 'zero', 'own']);
        const m = which === 'bcast' ? BCAST_MAC : which === 'mcast' ? Buffer.from([0x01, 0, 0x5e, 0, 0, 1]) : which === 'zero' ? ZERO_MAC : iff.mac;
        if (b.length >= 12) m.copy(b, 6);
        return { frame: b, name: `srcmac.${which}` };
      }
      case 'dstmac': {
        const which = r.pick(['other', 'mcast', 'zero', 'bcast']);
        const m = which === 'other' ? r.pick(this.hosts) : which === 'mcast' ? Buffer.from([0x01, 0, 0x5e, 0x7f, 0, 1]) : which === 'zero' ? ZERO_MAC : BCAST_MAC;
        if (b.length >= 6) m.copy(b, 0);
        return { frame: b, name: `dstmac.${which}` };
      }
      case 'bitflip':
      case 'bitflip.fixcsum': {
        const n = r.range(1, 8);
        for (let i = 0; i < n && b.length > 14; i++) {
          const at = 14 + r.int(b.length - 14);
          b[at] ^= 1 << r.int(8);
        }
        if (name === 'bitflip.fixcsum' && isIp) fixIpCsum(b, 14);
        return { frame: b, name };
      }
      case 'vlan':
        return { frame: this.insertVlan(b), name };
      case 'ethertype': {
        let t = r.pick([0x86dd, 0x8035, 0x88cc, 0x0842, r.int(65536), r.int(0x600)]);
        if (t === ETH_P_IP || t === ETH_P_ARP) t = 0x9000;
        if (b.length >= 14) b.writeUInt16BE(t, 12);
        return { frame: b, name };
      }
    }
    if (name.startsWith('ip.') || name.startsWith('icmp.')) {
      if (!isIp) return this.mutate(frame, 'trunc', l3, iff);
      const o = 14;
      let fix = true;
      switch (name) {
        case 'ip.totlen': {
          const len = b.length - 14;
          const v = r.pick([0, 1, 19, ipHl - 1, ipHl, len - 1, len + 1, len + 100, 0xffff, r.int(65536)]);
          const w = Math.max(0, Math.min(0xffff, v));
          b.writeUInt16BE(w, o + 2);
          name = `ip.totlen.${w > len ? 'long' : w < ipHl ? 'short' : 'inner'}`;
          break;
        }
        case 'ip.ihl': {
          const v = r.pick([0, 1, 4, 6, 15, r.int(16)]);
          b[o] = (b[o] & 0xf0) | v;
          break;
        }
        case 'ip.version':
          b[o] = (r.pick([0, 1, 5, 6, 15]) << 4) | (b[o] & 15);
          break;
        case 'ip.csum':
          b[o + 10] ^= 1 + r.int(255);
          fix = false;
          break;
        case 'icmp.csum':
          if (!isIcmp) return this.mutate(frame, 'ip.csum', l3, iff);
          b[o + ipHl + 2] ^= 1 + r.int(255);
          break;
        case 'icmp.type': {
          if (!isIcmp) return this.mutate(frame, 'ip.totlen', l3, iff);
          const t = o + ipHl;
          b[t] = r.int(256);
          b[t + 1] = r.int(256);
          b[t + 2] = 0;
          b[t + 3] = 0;
          const end = Math.min(b.length, o + b.readUInt16BE(o + 2));
          const c = inetCsum(b, t, end - t);
          b[t + 2] = c >>> 8;
          b[t + 3] = c & 255;
          break;
        }
        case 'ip.saddr': {
          const which = r.pick(['own', 'zero', 'bcast', 'mcast', 'loop', 'subnetbcast']);
          const v = which === 'own' ? r.pick(iff.ips) : which === 'zero' ? 0 : which === 'bcast' ? 0xffffffff : which === 'mcast' ? ipToNum('239.1.2.3') : which === 'loop' ? ipToNum('127.0.0.1') : this.subnetBcast(iff);
          putU32(b, o + 12, v);
          name = `ip.saddr.${which}`;
          // the ICMP checksum does not cover the IP header; nothing else to fix
          break;
        }
        case 'ip.ttl':
          b[o + 8] = r.pick([0, 1]);
          break;
      }
      if (fix) fixIpCsum(b, o);
      return { frame: b, name };
    }
    if (name.startsWith('arp.')) {
      if (!isArp) return this.mutate(frame, 'trunc', l3, iff);
      const a = 14;
      switch (name) {
        case 'arp.hln':
          b[a + 4] = r.pick([0, 4, 5, 7, 16, 255]);
          break;
        case 'arp.pln':
          b[a + 5] = r.pick([0, 3, 5, 6, 16, 255]);
          break;
        case 'arp.hrd':
          b.writeUInt16BE(r.pick([0, 6, 0x1f, 0xffff, r.int(65536)]), a);
          break;
        case 'arp.pro':
          b.writeUInt16BE(r.pick([0, 0x86dd, ETH_P_ARP, r.int(65536)]), a + 2);
          break;
        case 'arp.op': {
          const op = r.pick([0, 3, 4, 8, 9, 10, 0x100, 0xffff, r.int(65536)]);
          b.writeUInt16BE(op, a + 6);
          break;
        }
        case 'arp.sha': {
          const which = r.pick(['bcast', 'mcast', 'zero', 'own']);
          const m = which === 'bcast' ? BCAST_MAC : which === 'mcast' ? Buffer.from([0x01, 0, 0x5e, 0, 0, 1]) : which === 'zero' ? ZERO_MAC : iff.mac;
          m.copy(b, a + 8);
          return { frame: b, name: `arp.sha.${which}` };
        }
        case 'arp.ownsender':
          // our own MAC and one of our IPs as the sender: a looped or spoofed frame
          iff.mac.copy(b, 6);
          iff.mac.copy(b, a + 8);
          putU32(b, a + 14, r.pick(iff.ips));
          break;
      }
      return { frame: b, name };
    }
    return { frame: b, name };
  }
}

// ---- the rig ---------------------------------------------------------------------------------

/**
 * Counters that record an input frame the stack did not act on. Every frame that is neither
 * answered nor delivered must move exactly one of them (ip.drops.*, ip.inCsumErrors and
 * icmp.inCsumErrors are left out because they refine counters listed here: inAddrErrors =
 * martianSource + notForUs, reasmFails = fragment, inDiscards = fwdNotHost, inHdrErrors ⊇
 * ttlExceeded + inCsumErrors (as in ip_rcv_core), fragFails ⊇ fragNeeded, icmp.inErrors ⊇
 * icmp.inCsumErrors). The IPv6 ones follow (DROP_COUNTERS6, with the same rule).
 */
export const DROP_COUNTERS = [
  'pair.rxRunt', 'pair.peerDown', 'net.rxNoHandler', 'net.rxDevDown',
  ...['noarpDevice', 'otherhost', 'looped', 'truncated', 'badHln', 'badPln', 'noInDevice', 'badHrdOrPro', 'badOpcode',
    'tipMulticast', 'tipLoopback', 'gratuitousDropped', 'ignored', 'filtered', 'unsolicited'].map((k) => `arp.drops.${k}`),
  'ip.drops.otherhost', 'ip.inHdrErrors', 'ip.inTruncatedPkts', 'ip.inAddrErrors', 'ip.drops.multicast',
  'ip.reasmFails', 'ip.inUnknownProtos', 'ip.inDiscards', 'ip.inNoRoutes', 'ip.fragFails',
  'icmp.inErrors', 'icmp.echoIgnoredBroadcast', 'icmp.unhandledType',
  // UDP (no sockets in the rig): a closed port, a bad header/length/checksum, an unwanted broadcast.
  'udp.noPorts', 'udp.inErrors', 'udp.ignoredMulti',
  // TCP: a closed port (answered with RST unless it was a RST), a bad header or checksum (inErrs ⊇
  // inCsumErrors, tcpBadHeader), a segment to a broadcast/multicast address. At the listener: a
  // RST, neither SYN nor ACK or SYN+FIN, the handshake's ACK outside the window offered, a full
  // accept queue (listenDrops ⊇ listenOverflows, tcpReqQFullDrop). At a connection: PAWS, outside
  // the window (dup ACK or not), no ACK, data beyond a zero window, over the receive buffer or the
  // out-of-order queue's room (the segment's ACK may have counted: the data did not).
  'tcpExt.tcpNoPort', 'tcp.inErrs', 'tcpExt.tcpNotHost',
  'tcpExt.tcpResetDrop', 'tcpExt.tcpFlagsDrop', 'tcpExt.tcpAckSkippedSynRecv', 'tcpExt.listenDrops',
  'tcpExt.pawsEstab', 'tcpExt.tcpOutOfWindow', 'tcpExt.tcpNoAckDrop', 'tcpExt.tcpZeroWindowDrop', 'tcpExt.tcpRcvQDrop', 'tcpExt.tcpOfoDrop',
  'neigh.extra.proxyQueueDrops',
  ...DROP_COUNTERS6,
];

/**
 * Counters that record a failed *answer* (the input was accepted, the reply could not be sent):
 * a frame whose only trace is one of these was not answered for a counted reason.
 */
export const ANSWER_FAIL_COUNTERS = [
  'neigh.tableFulls', 'ip.outNoRoutes', 'ip.outDiscards', 'icmp.outSuppressed', 'icmp.outRateLimited',
  'neigh.unresDiscards', 'neigh.extra.eventSendDrops', 'neigh.extra.blackholeDrops',
  // TCP's rate-limited answers (tcp_invalid_ratelimit): a challenge ACK (an in-window RST or SYN,
  // an ACK of unsent or too old data) or a duplicate ACK (with its drop counter) not sent.
  'tcpExt.tcpAckSkippedChallenge', 'tcpExt.tcpAckSkippedSeq', 'tcpExt.tcpAckSkippedPaws',
  ...ANSWER_FAIL_COUNTERS6,
];

/** Evidence that a frame was answered (a reply left or was queued to leave). */
const ANSWER_COUNTERS = [
  'arp.txReplies', 'arp.proxied', 'icmp.outEchoReps', 'ip.forwDatagrams',
  // TCP sent a segment in answer: a RST, a SYN-ACK, a challenge or duplicate ACK, an ACK, data.
  'tcp.outSegs',
  ...ANSWER_COUNTERS6,
];

/**
 * A message delivered to ICMP/ICMPv6 (inDelivers moved) must also move one of these: the counter
 * of its type, or for IPv6 the evidence that its handler took it (DELIVERY_COUNTERS6).
 */
const DELIVERY_COUNTERS = [
  'icmp.inEchos', 'icmp.inEchoReps', 'icmp.inDestUnreachs', 'icmp.inTimeExcds', 'icmp.inParmProbs', 'icmp.inSrcQuenchs',
  'icmp.inRedirects',
  // TCP: a connection took the segment (its ACK, data, FIN or an exact-match RST), a handshake
  // completed (from the SYN queue or a cookie), a RST ended a request (SYN_RECV) or TIME_WAIT.
  'tcpExt.tcpSegsAccepted', 'tcp.passiveOpens', 'tcpExt.embryonicRsts', 'tcpExt.twKilled',
  ...DELIVERY_COUNTERS6,
];

/**
 * Defects the fuzz found in src/ (reported, with reproducers in test/unit/fuzz_rx.test.ts as
 * it.fails). Both the test and scripts/fuzz.mjs accept these and fail on anything new; remove an
 * entry when src/ is fixed.
 */
export const KNOWN_TX_DEFECTS = [
];

/** Frame classes consumed with too little accounting (see FrameAccountant.end). */
export const KNOWN_ANOMALIES = [
];

/** Echo requests per side in cleanPing (see there). */
const CLEAN_PINGS = 60;

/**
 * The stack's statistics as [prefix, object] pairs, flattened by `flatten` into name → number:
 * IPv4 (net, arp, ip, icmp, udp, neigh = arp_tbl, acd), IPv6 (ip6, icmp6, ndisc, mld, nd =
 * nd_tbl) and per device (dev.NAME, pair.NAME or tap.NAME).
 */
function statSources(A, devs) {
  const inet = A.inet;
  const src = [
    ['net', A.net.stats],
    ['arp', inet.arp.stats],
    ['ip', inet.stats],
    ['icmp', inet.icmp.stats],
    ['udp', inet.udp.stats],
    ['neigh', inet.arp.tbl.stats],
    ['acd', inet.acd.stats],
  ];
  // TCP (live objects: the engine's counters, not stats()'s snapshot with CurrEstab).
  if (A.tcp) src.push(['tcp', A.tcp.stats], ['tcpExt', A.tcp.statsExt]);
  const inet6 = A.inet6;
  if (inet6) {
    src.push(['ip6', inet6.stats], ['icmp6', inet6.icmp.stats], ['ndisc', inet6.ndisc.stats], ['mld', inet6.mldStats], ['nd', inet6.ndisc.tbl.stats]);
    // UDP over IPv6 (Udp6 in /proc/net/snmp6), where the stack has it (stats() objects are live)
    const udp6 = A.stats().udp6;
    if (udp6) src.push(['udp6', udp6]);
  }
  for (const d of devs) {
    src.push([`dev.${d.name}`, d.stats]);
    if (d.pairStats) src.push([`pair.${d.name}`, d.pairStats]);
    if (d.tapStats) src.push([`tap.${d.name}`, d.tapStats]);
  }
  return src;
}

/** Numbers and nested objects; arrays (icmp6.inType/outType, 256 each) are left out. */
function flatten(prefix, obj, out) {
  for (const [k, v] of Object.entries(obj)) {
    if (typeof v === 'number') out.push([`${prefix}.${k}`, obj, k]);
    else if (v && typeof v === 'object' && !Array.isArray(v)) flatten(`${prefix}.${k}`, v, out);
  }
}

/**
 * Per-frame accounting over a Stack's counters: `begin()` before a frame goes in, `end()` after,
 * and the frame is classified — dropped (exactly one drop counter moved), answered (TCP: any
 * segment sent in answer), delivered (to ICMP/ICMPv6 with the counter of its type, to ND or MLD,
 * to TCP with tcpSegsAccepted/PassiveOpens, or an ARP frame that reached the cache), answerFailed (a failed-answer counter moved), or a defect: multi (counted twice),
 * uncounted (delivered to ICMP with no type counter), silent (no counter at all). Used by
 * FuzzRig for every frame it feeds, and by test/integration/fuzz_tap.test.ts inside the stack
 * child for every frame the kernel writes to the TAP. `totals` is shared with the caller.
 */
export class FrameAccountant {
  /**
   * @param {any} stack  a tapstack Stack
   * @param {any[]} devs  its devices whose counters join the accounting
   * @param {{ totals?: Record<string, number>, keepExamples?: number, label?: () => string }} opts
   */
  constructor(stack, devs, opts = {}) {
    this.stack = stack;
    this.keepExamples = opts.keepExamples ?? 3;
    this.label = opts.label ?? (() => '');
    const flat = [];
    for (const [p, o] of statSources(stack, devs)) flatten(p, o, flat);
    this.flat = flat;
    this.names = flat.map((f) => f[0]);
    const hasPairs = devs.some((d) => d.pairStats);
    const hasUdp6 = this.names.some((n) => n.startsWith('udp6.'));
    const idx = (n) => {
      const out = [];
      for (let i = 0; i < this.names.length; i++) {
        const name = this.names[i];
        if (name === n || (n.startsWith('pair.') && name.startsWith('pair.') && name.endsWith(n.slice(4)))) out.push(i);
      }
      // A TAP has no pair counters: its runts never reach netif_receive_skb (dev.rxErrors).
      // A stack without UDPv6 delivers no UDP over IPv6 (Ip6InUnknownProtos instead).
      if (!out.length && !(n.startsWith('pair.') && !hasPairs) && !(n.startsWith('udp6.') && !hasUdp6)) throw new Error(`no counter ${n}`);
      return out;
    };
    this.idx = idx;
    this.dropIdx = DROP_COUNTERS.flatMap(idx);
    this.failIdx = ANSWER_FAIL_COUNTERS.flatMap(idx);
    this.answerIdx = ANSWER_COUNTERS.flatMap(idx);
    this.arpRxIdx = [...idx('arp.rxRequests'), ...idx('arp.rxReplies')];
    this.deliverIdx = [...idx('ip.inDelivers'), ...idx('ip6.inDelivers')];
    this.icmpTypeIdx = DELIVERY_COUNTERS.flatMap(idx);
    this.before = new Float64Array(flat.length);
    this.after = new Float64Array(flat.length);
    // Per frame only the counters the classification looks at are read (about a third of them).
    this.used = [...new Set([...this.dropIdx, ...this.failIdx, ...this.answerIdx, ...this.arpRxIdx, ...this.deliverIdx, ...this.icmpTypeIdx])].sort((x, y) => x - y);
    this.start = this.read(new Float64Array(flat.length));
    this.totals = opts.totals ?? {};
    for (const k of ['frames', 'dropped', 'answered', 'delivered', 'answerFailed', 'silent', 'multi', 'uncounted']) this.totals[k] ??= 0;
    /** kind → { count, outcomes: {dropped, answered, ...}, counters: {name: n} } */
    this.byKind = new Map();
    /** "class key" → { kind, counters, count, examples: [hex] } for silent / multi / uncounted frames */
    this.anomalies = new Map();
    this.pqArp = 0;
    this.pqNd = 0;
  }

  read(into) {
    const f = this.flat;
    for (let i = 0; i < f.length; i++) into[i] = f[i][1][f[i][2]];
    return into;
  }

  /** read() of the counters the classification uses. */
  readUsed(into) {
    const f = this.flat;
    for (const i of this.used) into[i] = f[i][1][f[i][2]];
    return into;
  }

  counters() {
    const now = this.read(new Float64Array(this.flat.length));
    const out = {};
    for (let i = 0; i < this.names.length; i++) out[this.names[i]] = now[i] - this.start[i];
    return out;
  }

  /** Sum of the drop counters since the accountant was made. */
  dropSum() {
    const now = this.read(new Float64Array(this.flat.length));
    let s = 0;
    for (const i of this.dropIdx) s += now[i] - this.start[i];
    return s;
  }

  begin() {
    this.readUsed(this.before);
    this.pqArp = this.stack.inet.arp.tbl.proxyQueueLength;
    this.pqNd = this.stack.inet6 ? this.stack.inet6.ndisc.tbl.proxyQueueLength : 0;
  }

  /** Classifies the frame that went in on `dev` since begin(); returns its outcome. */
  end(frame, dev, kind) {
    const A = this.stack;
    const tbl = A.inet.arp.tbl;
    const b = this.before;
    const a = this.readUsed(this.after);
    this.totals.frames++;
    let drops = 0;
    let moved = null;
    for (const i of this.dropIdx) {
      const d = a[i] - b[i];
      if (d !== 0) {
        drops += d;
        (moved ??= []).push(this.names[i]);
      }
    }
    let outcome;
    if (drops === 1) outcome = 'dropped';
    else if (drops > 1) outcome = 'multi';
    else {
      // A copy queued for the proxy delay is answered later (pneigh_enqueue, both tables).
      let answered = tbl.proxyQueueLength > this.pqArp || (A.inet6 !== undefined && A.inet6.ndisc.tbl.proxyQueueLength > this.pqNd);
      for (const i of this.answerIdx) if (a[i] !== b[i]) answered = true;
      let delivered = false;
      let uncounted = false;
      if (!answered) {
        let ipDelivered = false;
        for (const i of this.deliverIdx) if (a[i] !== b[i]) ipDelivered = true;
        if (ipDelivered) {
          for (const i of this.icmpTypeIdx) if (a[i] !== b[i]) delivered = true;
          // Delivered, but no counter says what became of it (only InMsgs/InDelivers).
          uncounted = !delivered;
        }
        let arpRx = false;
        for (const i of this.arpRxIdx) if (a[i] !== b[i]) arpRx = true;
        // An ARP frame that reached the cache update: the sender's entry exists afterwards.
        if (arpRx && frame.length >= 42) {
          const o = frame.readUInt16BE(12) === ETH_P_ARP ? 14 : -1;
          if (o > 0 && tbl.lookupNoref(frame.readUInt32BE(o + 14), dev) !== null) delivered = true;
        }
      }
      if (answered) outcome = 'answered';
      else {
        // Accepted, but the answer could not be sent (no route back, table full, rate limit...).
        for (const i of this.failIdx) {
          if (a[i] !== b[i]) (moved ??= []).push(this.names[i]);
        }
        outcome = moved ? 'answerFailed' : delivered ? 'delivered' : uncounted ? 'uncounted' : 'silent';
      }
    }
    this.totals[outcome]++;
    let k = this.byKind.get(kind);
    if (!k) {
      k = { count: 0, outcomes: {}, counters: {} };
      this.byKind.set(kind, k);
    }
    k.count++;
    k.outcomes[outcome] = (k.outcomes[outcome] ?? 0) + 1;
    if (moved) for (const m of moved) k.counters[m] = (k.counters[m] ?? 0) + 1;
    if (outcome === 'silent' || outcome === 'multi' || outcome === 'uncounted') {
      const icmpType = upperName(frame);
      const cls = outcome === 'uncounted' ? icmpType : kind.split('/')[0];
      const key = `${outcome} ${cls}${moved ? ' ' + moved.join('+') : ''}`;
      let an = this.anomalies.get(key);
      if (!an) {
        an = { outcome, kind, icmpType, counters: moved ?? [], count: 0, examples: [] };
        this.anomalies.set(key, an);
      }
      an.count++;
      if (an.examples.length < this.keepExamples) an.examples.push({ kind, dev: dev.name, profile: this.label(), frame: frame.toString('hex') });
    }
    return outcome;
  }

  kindTable() {
    return [...this.byKind.entries()].sort((x, y) => y[1].count - x[1].count);
  }
}

/**
 * What a frame carried, to name an anomaly class: `icmp type N` (IPv4), `icmp6 type N` or
 * `ip6 next header N` (IPv6, after the extension headers), `icmp type -1` otherwise.
 */
function upperName(frame) {
  if (frame.length >= 34 && frame.readUInt16BE(12) === ETH_P_IP && frame[23] === 1) {
    const t = 14 + (frame[14] & 15) * 4;
    if (t < frame.length) return `icmp type ${frame[t]}`;
  }
  if (frame.length >= 34 && frame.readUInt16BE(12) === ETH_P_IP && frame[23] === 6) {
    const t = 14 + (frame[14] & 15) * 4;
    if (t + 14 <= frame.length) return `tcp flags 0x${frame[t + 13].toString(16)}`;
  }
  if (frame.length >= 54 && frame.readUInt16BE(12) === ETH_P_IPV6) {
    const u = ip6Upper(frame);
    if (u.pos >= 0 && u.nh === 58 && u.pos < frame.length) return `icmp6 type ${frame[u.pos]}`;
    if (u.pos >= 0 && u.nh === 6 && u.pos + 14 <= frame.length) return `tcp6 flags 0x${frame[u.pos + 13].toString(16)}`;
    return `ip6 next header ${u.nh}`;
  }
  return 'icmp type -1';
}

/** The device events of FuzzRig.event(), and their weights when drawn at random. */
const EVENT_KINDS = ['down', 'macchange', 'noarp', 'carrier', 'flush', 'ping', 'static', 'claim', 'ping6', 'dad6', 'static6', 'disable6'];
const EVENT_WEIGHTS = ['down', 'macchange', 'noarp', 'carrier', 'flush', 'ping', 'ping', 'static', 'claim', 'ping6', 'ping6', 'dad6', 'dad6', 'static6', 'disable6'];

/**
 * A Stack A under fuzz with two interfaces: `ea` (10.0.0.1/24 and 10.0.0.5/24, fd00::1/64 and
 * fd00::5/64, its link-local) wired to a peer Stack B (10.0.0.2/24, fd00::2/64) that sometimes
 * hears and answers what A sends, and `ec` (10.0.1.1/24, fd00:1::1/64) whose far end is a
 * dangling pair end. Frames go in through `dev.receiveFrame`; the clock is
 * advanced between batches so timers, queues, GC and proxy delays run; profiles rotate the
 * sysctls that change the receive paths (defaults, router with proxy ARP and arp_accept, strict
 * arp_ignore/arp_filter, pvlan, a tiny table; each with its IPv6 side: forwarding, proxy NDP,
 * accept_ra, drop_unsolicited_na...), and events interleave (link down/up, MAC change, arp
 * off/on, carrier loss, flush, static entries, the stack's own pings and ping6s, RFC 5227
 * claims, addresses doing DAD, IPv6 disabled on ec). TCP: A listens on port 80 (IPv4, and
 * IPv6-only) and holds one ESTABLISHED connection per family with a peer the rig plays
 * (10.0.0.9 and fd00::9 on ea), made through the listener before the first batch and again
 * whenever the fuzz ended it; the generator aims TCP kinds at both.
 */
export class FuzzRig {
  /**
   * @param {any} lib  the tapstack exports: { Stack, ManualClock, createPair, Sysctl }
   * @param {{ seed?: number, peerRate?: number, eventRate?: number, profileEvery?: number, keepExamples?: number }} opts
   */
  constructor(lib, opts = {}) {
    this.lib = lib;
    this.seed = opts.seed ?? 1;
    this.rng = new Rng((this.seed ^ 0x5bd1e995) >>> 0);
    this.peerRate = opts.peerRate ?? 0.5;
    this.eventRate = opts.eventRate ?? 0.08;
    this.profileEvery = opts.profileEvery ?? 20;
    this.keepExamples = opts.keepExamples ?? 3;
    const { Stack, ManualClock, createPair, Sysctl } = lib;
    this.clock = new ManualClock();
    const stackRng = new Rng((this.seed * 2654435761) >>> 0);
    this.A = new Stack({ clock: this.clock, random: () => stackRng.next() });
    this.B = new Stack({ clock: this.clock, random: () => stackRng.next() });
    const MAC_A = macToBuf('02:aa:00:00:00:01');
    const MAC_B = macToBuf('02:bb:00:00:00:02');
    const MAC_C = macToBuf('02:aa:00:00:00:03');
    [this.ea, this.eb] = createPair('ea', 'eb', MAC_A, MAC_B);
    [this.ec, this.wc] = createPair('ec', 'wc', MAC_C, macToBuf('02:cc:00:00:00:09'));
    this.ctlA = new Sysctl(this.A);
    // Manual IPv6 addresses survive a link down (keep_addr_on_down) and never do DAD, so the
    // generator can aim at them all run long; the link-locals and SLAAC addresses do DAD.
    this.ctlA.set('net.ipv6.conf.all.keep_addr_on_down', '1');
    this.A.addDevice(this.ea);
    this.A.addDevice(this.ec);
    this.B.addDevice(this.eb);
    this.A.addAddress(this.ea, '10.0.0.1/24');
    this.A.addAddress(this.ea, '10.0.0.5/24');
    this.A.addAddress(this.ec, '10.0.1.1/24');
    this.B.addAddress(this.eb, '10.0.0.2/24');
    for (const [dev, a] of FuzzRig.ADDRS6) this.A.addAddress(dev === 'ea' ? this.ea : this.ec, a, { nodad: true });
    this.B.addAddress(this.eb, 'fd00::2/64', { nodad: true });
    this.ea.deferred = true;
    this.eb.deferred = true;
    // Static and proxy entries the wire must never change.
    this.A.neighAdd({ dst: '10.0.0.77', dev: 'ea', lladdr: '02:77:00:00:00:77' });
    this.A.neighAdd({ dst: '10.0.1.77', dev: 'ec', lladdr: '02:77:00:00:00:78' });
    this.A.neighAdd({ dst: '10.0.1.50', dev: 'ea', proxy: true });
    this.A.neighAdd({ dst: '10.0.0.60', dev: null, proxy: true });
    this.A.neighAdd({ dst: 'fd00::77', dev: 'ea', lladdr: '02:77:00:00:00:79' });
    this.A.neighAdd({ dst: 'fd00:1::50', dev: 'ea', proxy: true });
    // (an IPv6 proxy entry needs a device: pndisc_constructor refuses none, and `ip neigh add proxy`
    // then fails with ENOBUFS as on Linux)
    this.A.neighAdd({ dst: 'fd00::60', dev: 'ea', proxy: true, router: true });
    this.devs = [this.ea, this.ec];
    this.devByName = { ea: this.ea, ec: this.ec };
    // TCP: listeners on port 80 (IPv4, and IPv6-only) and one ESTABLISHED connection per family
    // with a peer the rig plays itself (10.0.0.9 / fd00::9 behind a static neighbour entry), so
    // the generator knows its 4-tuple and sequence numbers (FuzzRig.tcpMaintain).
    this.tcpConns = [];
    this.tcpPortNext = 0;
    this.tcpEnded = {};
    const user = { onAcceptable() {} };
    this.tcpListeners = {
      4: this.A.tcp.listen({ local: null, family: 4, port: FuzzRig.TCP_PORT, backlog: 8 }, user),
      6: this.A.tcp.listen({ local: null, family: 6, port: FuzzRig.TCP_PORT, backlog: 8, ipv6Only: true }, user),
    };

    this.totals = {
      tcpSetup: 0, tcpConnects: 0, tcpStray: 0,
      frames: 0, fuzzed: 0, fromPeer: 0, dropped: 0, answered: 0, delivered: 0, answerFailed: 0, silent: 0, multi: 0, uncounted: 0,
      invariantChecks: 0, maxTableSize: 0, maxNdTableSize: 0, exceptions: 0, backgroundDrops: 0, txChecked: 0, txChecked6: 0,
    };
    this.acct = new FrameAccountant(this.A, this.devs, { totals: this.totals, keepExamples: this.keepExamples, label: () => this.profileName() });
    /** kind → { count, outcomes: {dropped, answered, ...}, counters: {name: n} } */
    this.byKind = this.acct.byKind;
    /** "class key" → { kind, counters, count, examples: [hex] } for silent / multi frames */
    this.anomalies = this.acct.anomalies;
    this.flat = this.acct.flat;
    this.names = this.acct.names;

    /** Every IPv6 address A ever had (hex): what A sent from one of them was sent from its own. */
    this.ever6 = new Set();
    this.ever6List = null;
    for (const dev of this.devs) for (const ifa of dev.ip6Ptr?.addrList ?? []) this.ever6.add(ifa.addr.toString('hex'));
    this.A.inet6.subscribe({
      addr: (_type, ifa) => {
        const h = ifa.addr.toString('hex');
        if (!this.ever6.has(h)) {
          this.ever6.add(h);
          this.ever6List = null;
        }
      },
    });
    /** IPv6 packets fed in while A forwards (fwdKey6 → {dev, hlim}), to recognise them sent on. */
    this.fwd6 = new Map();
    /** Addresses added with DAD by the 'dad6' event, removed a few batches later. */
    this.dad6 = [];
    this.disable6Until = -1;

    this.profile = 0;
    this.batches = 0;
    this.events = {};
    this.pings = [];
    this.downUntil = -1;
    this.noarpUntil = -1;
    this.carrierUntil = -1;
    this.gen = new FrameGen(this.seed, this.context());
    this.violations = [];
    /** problem → { count, examples } for frames A transmitted (see checkOutput). */
    this.txProblems = new Map();
    this.ec.record = true;
  }

  /** A's manual IPv6 addresses (nodad): [device, address]. */
  static ADDRS6 = [['ea', 'fd00::1/64'], ['ea', 'fd00::5/64'], ['ec', 'fd00:1::1/64']];

  static TCP_PORT = 80;
  /** The TCP peers the rig plays: one per family, on ea, with static neighbour entries in A. */
  static TCP_PEERS = [
    { family: 4, ip: '10.0.0.9', local: '10.0.0.1', mac: '02:99:00:00:00:09' },
    { family: 6, ip: 'fd00::9', local: 'fd00::1', mac: '02:99:00:00:00:09' },
  ];

  // ---- TCP ---------------------------------------------------------------------------------

  /** A segment from the rig's TCP peer to A on ea (IPv4 or IPv6), as a frame. */
  tcpPeerFrame(peer, f) {
    const mac = macToBuf(peer.mac);
    const dmac = Buffer.from(this.ea.devAddr);
    if (peer.family === 4) {
      const src = ipToNum(peer.ip);
      const dst = ipToNum(peer.local);
      return ethFrame(dmac, mac, ETH_P_IP, ipPacket({ proto: 6, src, dst, payload: tcpSegment({ ...f, src, dst }) }));
    }
    const src = ip6ToBuf(peer.ip);
    const dst = ip6ToBuf(peer.local);
    return eth6(dmac, mac, ip6Packet({ src, dst, proto: 6, payload: tcpSegment({ ...f, src, dst }) }));
  }

  /** The first segment A queued on ea to `peer`'s port with all of `flags`: { seq, ack, tsval } or null. */
  tcpFindSent(peer, port, flags) {
    for (const f of this.ea.pending) {
      let t = -1;
      const type = f.readUInt16BE(12);
      if (peer.family === 4 && type === ETH_P_IP && f[23] === 6) t = 14 + (f[14] & 15) * 4;
      else if (peer.family === 6 && type === ETH_P_IPV6 && f[20] === 6) t = 54;
      if (t < 0 || f.length < t + 20 || f.readUInt16BE(t + 2) !== port || (f[t + 13] & flags) !== flags) continue;
      let tsval = 0;
      const end = t + (f[t + 12] >>> 4) * 4;
      for (let o = t + 20; o < end && f[o] !== 0; ) {
        if (f[o] === 1) { o++; continue; }
        if (f[o] === 8 && o + 10 <= end) tsval = f.readUInt32BE(o + 2);
        o += Math.max(2, f[o + 1]);
      }
      return { seq: f.readUInt32BE(t + 4), ack: f.readUInt32BE(t + 8), tsval };
    }
    return null;
  }

  /**
   * The rig's peer opens a connection to A's listener (SYN with MSS, SACK_PERM, TS and WS 7; A's
   * SYN-ACK, from its SYN queue or a cookie; the ACK) and A accepts it. The two frames are
   * accounted like any other (kind tcp.setup). Returns the connection, or null when A did not
   * answer (ea down, no carrier...).
   */
  tcpConnect(peer) {
    const r = this.rng;
    const port = 20000 + (this.tcpPortNext++ % 40000);
    const iss = r.u32();
    const tsval = r.u32();
    const syn = Buffer.from([2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3, 3, 7]);
    syn.writeUInt32BE(tsval, 8);
    this.totals.tcpSetup++;
    this.inject(this.ea, this.tcpPeerFrame(peer, { sport: port, dport: FuzzRig.TCP_PORT, seq: iss, ack: 0, flags: TCPF.SYN, opts: syn }), 'tcp.setup');
    const sa = this.tcpFindSent(peer, port, TCPF.SYN | TCPF.ACK);
    if (sa === null) return null;
    const ts = Buffer.from([1, 1, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0]);
    ts.writeUInt32BE((tsval + 1) >>> 0, 4);
    ts.writeUInt32BE(sa.tsval, 8);
    this.totals.tcpSetup++;
    this.inject(this.ea, this.tcpPeerFrame(peer, { sport: port, dport: FuzzRig.TCP_PORT, seq: iss + 1, ack: sa.seq + 1, flags: TCPF.ACK, opts: ts }), 'tcp.setup');
    const sk = this.tcpAccept(peer.family, port);
    if (sk === null) return null;
    this.totals.tcpConnects++;
    return { peer, sk, port };
  }

  /**
   * Accepts what A's listener holds: the connection to `port` is returned; any other child (the
   * fuzz can make one: a replay of a handshake's ACK carries a valid SYN cookie for two minutes,
   * as on Linux) is accepted, counted (tcpStray) and aborted, so the accept queue never fills.
   */
  tcpAccept(family, port) {
    let mine = null;
    for (let sk = this.tcpListeners[family].accept(); sk !== null; sk = this.tcpListeners[family].accept()) {
      if (sk.remotePort === port && mine === null) mine = sk;
      else {
        this.totals.tcpStray++;
        sk.abort();
      }
    }
    return mine;
  }

  /**
   * Before each batch: the static entries for the peers are (again) in place, what A received is
   * read, a connection the fuzz ended (an exact-match RST, a FIN, a timeout) is counted by how it
   * ended, aborted if still open, and replaced; A sends a little data now and then, so that ACKs
   * old, valid and new, SACK blocks and zero windows meet data in flight.
   */
  tcpMaintain() {
    const r = this.rng;
    for (const p of FuzzRig.TCP_PEERS) {
      try {
        this.A.neighReplace({ dst: p.ip, dev: 'ea', lladdr: p.mac });
      } catch {
        /* (ea down) */
      }
    }
    this.tcpConns = this.tcpConns.filter((c) => {
      while (c.sk.read() !== null);
      if (c.sk.state === 1) return true;
      const how = c.sk.state === 7 ? (c.sk.err === -104 ? 'reset' : c.sk.err === -110 ? 'timeout' : `closed(${c.sk.err})`) : `state ${c.sk.state}`;
      this.tcpEnded[how] = (this.tcpEnded[how] ?? 0) + 1;
      c.sk.abort();
      return false;
    });
    for (const f of [4, 6]) this.tcpAccept(f, -1);
    for (const p of FuzzRig.TCP_PEERS) {
      if (this.tcpConns.some((c) => c.peer === p) || !this.ea.isUp) continue;
      const c = this.tcpConnect(p);
      if (c !== null) this.tcpConns.push(c);
    }
    for (const c of this.tcpConns) if (c.sk.sendQueued < 6000 && r.chance(0.3)) c.sk.send(Buffer.alloc(r.range(1, 3000), 0x61));
  }

  /** The generator's view of the connections: 4-tuples and live sequence state. */
  tcpContext() {
    const A = this.A;
    return {
      port: FuzzRig.TCP_PORT,
      conns: this.tcpConns.map(({ peer, sk, port }) => ({
        family: peer.family,
        peerIp: peer.family === 4 ? ipToNum(peer.ip) : ip6ToBuf(peer.ip),
        localIp: peer.family === 4 ? ipToNum(peer.local) : ip6ToBuf(peer.local),
        peerMac: macToBuf(peer.mac),
        rport: port,
        lport: FuzzRig.TCP_PORT,
        state: () => ({
          rcvNxt: sk.rcvNxt, rcvWup: sk.rcvWup, rcvWnd: sk.rcvWnd, sndUna: sk.sndUna, sndNxt: sk.sndNxt, tsRecent: sk.tsRecent,
          tsOk: sk.tsOk, tsNow: (Math.floor(A.tcp.clock.now()) + sk.tsOffset) >>> 0, mss: sk.mssCache,
        }),
      })),
    };
  }

  /**
   * After the fuzz: on each family's connection (the fuzz's, or its replacement) data from the
   * peer in order is read by A and data A sends leaves at snd_nxt; a new connection is accepted.
   */
  tcpCheck() {
    this.tcpMaintain();
    const out = {};
    for (const p of FuzzRig.TCP_PEERS) {
      const c = this.tcpConns.find((x) => x.peer === p);
      const res = { established: !!c, reads: false, sends: false, accepts: false };
      if (c) {
        while (c.sk.read() !== null);
        const sk = c.sk;
        this.ea.pending.length = 0;
        const ts = Buffer.from([1, 1, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0]);
        ts.writeUInt32BE((sk.tsRecent + 1) >>> 0, 4);
        const data = Buffer.from('hello from the peer');
        this.totals.tcpSetup++;
        this.inject(this.ea, this.tcpPeerFrame(p, { sport: c.port, dport: FuzzRig.TCP_PORT, seq: sk.rcvNxt, ack: sk.sndNxt, flags: TCPF.ACK | TCPF.PSH, opts: sk.tsOk ? ts : Buffer.alloc(0), payload: data }), 'tcp.check');
        const got = sk.read();
        res.reads = got !== null && got.equals(data);
        // What A sends goes behind what it still has queued: the peer ACKs until it leaves.
        const start = (sk.sndNxt + sk.unsentBytes) >>> 0;
        const msg = Buffer.from('hello from A');
        sk.send(msg);
        for (let i = 0; i < 32 && !res.sends; i++) {
          // (the message at the sequence number it was given: snd_nxt plus what was queued before it)
          res.sends = this.ea.pending.some((f) => {
            const t = f.readUInt16BE(12) === ETH_P_IP ? 14 + (f[14] & 15) * 4 : 54;
            const at = f.indexOf(msg);
            return at > 0 && f.readUInt32BE(t + 4) + (at - t - (f[t + 12] >>> 4) * 4) === start;
          });
          if (res.sends) break;
          this.ea.pending.length = 0;
          ts.writeUInt32BE((sk.tsRecent + 1) >>> 0, 4);
          this.totals.tcpSetup++;
          // (at snd_wl1 when a segment of the fuzz's, ahead of rcv_nxt, set the window last: as
          // in tcp_may_update_window, an ACK behind it would not open a window that it closed)
          const seq = ((sk.sndWl1 - sk.rcvNxt) | 0) > 0 ? sk.sndWl1 : sk.rcvNxt;
          this.inject(this.ea, this.tcpPeerFrame(p, { sport: c.port, dport: FuzzRig.TCP_PORT, seq, ack: sk.sndNxt, flags: TCPF.ACK, opts: sk.tsOk ? ts : Buffer.alloc(0) }), 'tcp.check');
          this.advance(50);
        }
      }
      const n = this.tcpConnect(p);
      res.accepts = n !== null && n.sk.state === 1;
      if (n) n.sk.abort();
      this.ea.pending.length = 0;
      out[p.family === 4 ? 'v4' : 'v6'] = res;
    }
    return out;
  }

  context() {
    const ipsOf = (dev) => (this.A.links().find((l) => l.name === dev.name)?.addrs ?? []).map((a) => ipToNum(a.split('/')[0]));
    const strictOf = (dev) => FuzzRig.ADDRS6.filter(([d]) => d === dev.name).map(([, a]) => ip6ToBuf(a.split('/')[0]));
    const v6 = (dev, prefix) => {
      const list = dev.ip6Ptr?.addrList ?? [];
      const usable = list.filter((a) => a.usable).map((a) => Buffer.from(a.addr));
      const ll = usable.find((a) => isLl6(a)) ?? null;
      return {
        ip6: usable,
        ip6s: strictOf(dev).filter((s) => usable.some((u) => u.equals(s))),
        ll6: ll,
        tent6: list.filter((a) => a.tentative && !(a.flags & 0x08)).map((a) => ({ addr: Buffer.from(a.addr), nonce: Buffer.from(a.dadNonce) })),
        prefix6: ip6ToBuf(prefix),
        proxy6: dev.name === 'ea' ? [ip6ToBuf('fd00:1::50'), ip6ToBuf('fd00::60')] : [],
      };
    };
    const bll = (this.eb.ip6Ptr?.addrList ?? []).find((a) => a.usable && isLl6(a.addr));
    return {
      ours: [
        { dev: 'ea', mac: Buffer.from(this.ea.devAddr), ips: ipsOf(this.ea), prefix: 24, ...v6(this.ea, 'fd00::') },
        { dev: 'ec', mac: Buffer.from(this.ec.devAddr), ips: ipsOf(this.ec), prefix: 24, ...v6(this.ec, 'fd00:1::') },
      ],
      peer: { mac: Buffer.from(this.eb.devAddr), ip: ipToNum('10.0.0.2'), ip6: ip6ToBuf('fd00::2'), ll6: bll ? Buffer.from(bll.addr) : null },
      pingIds: [...this.A.inet.icmp.echoHandlers.keys()],
      pingIds6: [...this.A.inet6.icmp.echoHandlers.keys()],
      // IPv6's share of the frames; smaller in a profile that says so (tinytable: enough new ARP
      // senders to fill arp_cache, enough IPv6 ones for ndisc_cache's forced GC).
      weight6: FuzzRig.PROFILES[this.profile]?.weight6 ?? 1,
      tcp: this.tcpContext(),
    };
  }

  read(into) {
    return this.acct.read(into);
  }

  counters() {
    return this.acct.counters();
  }

  /** Sum of the drop counters since the rig was built. */
  dropSum() {
    return this.acct.dropSum();
  }

  // ---- one frame ---------------------------------------------------------------------------

  /** Injects one frame into A on `dev` and classifies what became of it. */
  inject(dev, frame, kind) {
    if (this.fwd6On) {
      const key = fwdKey6(frame);
      if (key !== null) {
        if (this.fwd6.size >= 20000) {
          let n = 0;
          for (const k of this.fwd6.keys()) {
            this.fwd6.delete(k);
            if (++n >= 5000) break;
          }
        }
        this.fwd6.set(key, { dev: dev.name, hlim: frame[21] });
      }
    }
    this.acct.begin();
    try {
      dev.receiveFrame(frame);
    } catch (e) {
      this.totals.exceptions++;
      this.violations.push(`exception on ${kind} ${frame.subarray(0, 64).toString('hex')}: ${e && e.stack ? e.stack : e}`);
      throw e;
    }
    return this.acct.end(frame, dev, kind);
  }

  // ---- batches -----------------------------------------------------------------------------

  static PROFILES = [
    { name: 'defaults', set: {} },
    {
      // IPv6 router: forwarding (RS processed, RA ignored, NA R flag, anycast), proxy NDP,
      // untracked NAs learnt (RFC 9131).
      name: 'router',
      set: {
        'net.ipv4.ip_forward': 1, 'net.ipv4.conf.all.proxy_arp': 1, 'net.ipv4.conf.all.arp_accept': 1,
        'net.ipv6.conf.all.forwarding': 1, 'net.ipv6.conf.all.proxy_ndp': 1, 'net.ipv6.conf.ea.accept_untracked_na': 1,
      },
      route: true,
      fwd6: true,
    },
    {
      name: 'strict',
      set: {
        'net.ipv4.conf.all.arp_ignore': 2, 'net.ipv4.conf.all.arp_filter': 1, 'net.ipv4.conf.all.drop_gratuitous_arp': 1,
        'net.ipv4.conf.all.arp_announce': 2, 'net.ipv4.conf.all.accept_local': 1,
        'net.ipv6.conf.ea.drop_unsolicited_na': 1, 'net.ipv6.conf.ea.accept_ra': 0, 'net.ipv6.conf.ea.accept_redirects': 0,
      },
    },
    {
      // ea alone forwards IPv6 (ec does not: forwards to it fail), takes RAs anyway (accept_ra 2),
      // proxies NS at once, announces itself (ndisc_notify) and always sends TLLAO.
      name: 'pvlan',
      set: {
        'net.ipv4.ip_forward': 1, 'net.ipv4.conf.all.proxy_arp_pvlan': 1, 'net.ipv4.conf.all.arp_accept': 2,
        'net.ipv4.neigh.ea.proxy_delay': 0, 'net.ipv4.conf.ea.medium_id': 1,
        'net.ipv6.conf.ea.forwarding': 1, 'net.ipv6.conf.ea.accept_ra': 2, 'net.ipv6.conf.ea.proxy_ndp': 1,
        'net.ipv6.neigh.ea.proxy_delay': 0, 'net.ipv6.conf.ea.ndisc_notify': 1, 'net.ipv6.conf.ea.force_tllao': 1,
        'net.ipv6.conf.ea.accept_untracked_na': 2,
      },
      echoBcast: true,
      fwd6: true,
    },
    // `ip ntable change name arp_cache thresh1 8 thresh2 32 thresh3 64` then `ip neigh flush all`
    // (and the same for ndisc_cache): forced GC and table-full refusals (ENOBUFS, table_fulls) on
    // nearly every new sender.
    { name: 'tinytable', set: { 'net.ipv4.conf.all.arp_accept': 1 }, thresh: [8, 32, 64], weight6: 0.3 },
  ];

  /** The IPv6 knobs the profiles turn, with the values every profile starts from (Linux's defaults). */
  static RESET6 = {
    'net.ipv6.conf.all.forwarding': 0, 'net.ipv6.conf.all.proxy_ndp': 0, 'net.ipv6.conf.ea.proxy_ndp': 0,
    'net.ipv6.conf.ea.accept_untracked_na': 0, 'net.ipv6.conf.ea.drop_unsolicited_na': 0, 'net.ipv6.conf.ea.accept_ra': 1,
    'net.ipv6.conf.ea.accept_redirects': 1, 'net.ipv6.conf.ea.ndisc_notify': 0, 'net.ipv6.conf.ea.force_tllao': 0,
    'net.ipv6.neigh.ea.proxy_delay': 80,
  };

  profileName() {
    return FuzzRig.PROFILES[this.profile].name;
  }

  applyProfile(p) {
    const all = [
      'net.ipv4.ip_forward', 'net.ipv4.conf.all.proxy_arp', 'net.ipv4.conf.all.arp_accept', 'net.ipv4.conf.all.arp_ignore',
      'net.ipv4.conf.all.arp_filter', 'net.ipv4.conf.all.drop_gratuitous_arp', 'net.ipv4.conf.all.arp_announce',
      'net.ipv4.conf.all.accept_local', 'net.ipv4.conf.all.proxy_arp_pvlan', 'net.ipv4.conf.ea.medium_id',
    ];
    for (const k of all) this.ctlA.set(k, '0');
    this.ctlA.set('net.ipv4.neigh.ea.proxy_delay', '80');
    for (const [k, v] of Object.entries(FuzzRig.RESET6)) this.ctlA.set(k, String(v));
    const prof = FuzzRig.PROFILES[p];
    for (const [k, v] of Object.entries(prof.set)) this.ctlA.set(k, String(v));
    const [t1, t2, t3] = prof.thresh ?? [128, 512, 1024];
    this.A.ntableChange({ thresh1: t1, thresh2: t2, thresh3: t3 });
    this.A.ntableChange({ name: 'ndisc_cache', thresh1: t1, thresh2: t2, thresh3: t3 });
    if (prof.thresh) {
      this.A.inet.arp.tbl.flush(null, (n) => (n.nudState & 0x80) === 0);
      this.A.inet6.ndisc.tbl.flush(null, (n) => (n.nudState & 0xc0) === 0);
    }
    this.fwd6On = prof.fwd6 === true;
    this.A.inet.icmp.echoIgnoreBroadcasts = prof.echoBcast ? 0 : 1;
    this.profile = p;
    this.ensureRoute();
  }

  /**
   * The router profile's default route via 10.0.0.2; a device going down takes its routes with
   * it (and the gateway is unreachable meanwhile), so this is re-checked before every batch.
   */
  ensureRoute() {
    const want = FuzzRig.PROFILES[this.profile].route === true;
    const hasDefault = this.A.inet.fib.lookup(ipToNum('192.168.1.1')) !== null;
    if (want && !hasDefault && this.ea.isUp) this.A.addRoute('default', '10.0.0.2');
    if (!want && hasDefault) this.delDefaultRoute();
  }

  delDefaultRoute() {
    this.A.inet.fib.delRoute(0, 0);
  }

  /**
   * One device event, undone a batch or two later: each kind once in a fixed order first (so a
   * short run covers them all, whatever the stack's answers made of the random stream), then at
   * random.
   */
  event() {
    const r = this.rng;
    const n = Object.values(this.events).reduce((a, b) => a + b, 0);
    const kind = n < EVENT_KINDS.length ? EVENT_KINDS[n] : r.pick(EVENT_WEIGHTS);
    // What A sent before the event left with the old MAC/state: deliver (and check) it first.
    this.exchange();
    if (this.ea.pending.length) this.checkOutput(this.ea, this.ea.pending.splice(0));
    this.events[kind] = (this.events[kind] ?? 0) + 1;
    const A = this.A;
    switch (kind) {
      case 'down':
        A.linkSet('ea', { up: false });
        this.downUntil = this.batches + 1;
        break;
      case 'macchange': {
        const m = r.bytes(6);
        m[0] = (m[0] & 0xfe) | 0x02;
        A.linkSet('ea', { address: [...m].map((x) => x.toString(16).padStart(2, '0')).join(':') });
        break;
      }
      case 'noarp':
        A.linkSet('ea', { arp: false });
        this.noarpUntil = this.batches + 1;
        break;
      case 'carrier':
        A.net.netifCarrierOff(this.ea);
        this.carrierUntil = this.batches + 1;
        break;
      case 'flush':
        A.inet.arp.tbl.flush(this.ea, () => true);
        A.inet6.ndisc.tbl.flush(this.ea, () => true);
        break;
      case 'ping6':
        this.pings.push(A.ping(r.chance(0.7) ? 'fd00::2' : `fd00::${r.range(0x100, 0x1ff).toString(16)}`, { count: r.range(1, 3), interval: 0.5, timeout: 2 }));
        break;
      case 'dad6': {
        // An address doing DAD while the fuzz runs: NS and NA for it meet a tentative address.
        const a = `fd00::d:${r.range(1, 0xfff).toString(16)}/64`;
        try {
          A.addAddress('ea', a);
          this.dad6.push({ addr: a, until: this.batches + r.range(1, 4) });
        } catch {
          /* already there */
        }
        break;
      }
      case 'static6':
        try {
          A.neighReplace({ dst: `fd00::${r.range(0x100, 0x1ff).toString(16)}`, dev: 'ea', lladdr: '02:55:00:00:00:02' });
        } catch {
          /* a refusal is fine */
        }
        break;
      case 'disable6':
        // disable_ipv6 on ec: its IPv6 frames are discarded (Ip6InDiscards), its addresses go.
        if (this.disable6Until < 0) {
          this.ctlA.set('net.ipv6.conf.ec.disable_ipv6', '1');
          this.disable6Until = this.batches + 1;
        }
        break;
      case 'ping':
        this.pings.push(A.ping(r.chance(0.7) ? '10.0.0.2' : `10.0.0.${r.range(100, 200)}`, { count: r.range(1, 3), interval: 0.5, timeout: 2 }));
        break;
      case 'claim':
        // RFC 5227 probing while the fuzz runs: every ARP frame is also seen by the conflict
        // detector (the generator aims some senders and targets at 10.0.0.30-39).
        this.pings.push(A.claimAddress('ea', `10.0.0.${r.range(30, 39)}/24`).then((x) => x, (e) => e));
        break;
      case 'static': {
        const dst = `10.0.0.${r.range(100, 250)}`;
        try {
          A.neighReplace({ dst, dev: 'ea', lladdr: '02:55:00:00:00:01' });
        } catch {
          /* a refusal is fine */
        }
        break;
      }
    }
    this.gen.setContext(this.context());
  }

  undoEvents() {
    const A = this.A;
    if (this.downUntil >= 0 && this.batches >= this.downUntil) {
      A.linkSet('ea', { up: true });
      this.downUntil = -1;
    }
    if (this.noarpUntil >= 0 && this.batches >= this.noarpUntil) {
      A.linkSet('ea', { arp: true });
      this.noarpUntil = -1;
    }
    if (this.carrierUntil >= 0 && this.batches >= this.carrierUntil) {
      A.net.netifCarrierOn(this.ea);
      this.carrierUntil = -1;
    }
    if (this.disable6Until >= 0 && this.batches >= this.disable6Until) {
      this.ctlA.set('net.ipv6.conf.ec.disable_ipv6', '0');
      for (const [dev, a] of FuzzRig.ADDRS6) if (dev === 'ec') A.addAddress(this.ec, a, { nodad: true });
      this.disable6Until = -1;
    }
    this.dad6 = this.dad6.filter((d) => {
      if (this.batches < d.until) return true;
      try {
        A.delAddress('ea', d.addr);
      } catch {
        /* gone already (DAD failed and the address was removed, or down without keep) */
      }
      return false;
    });
  }

  /** What A sent on ea reaches B (and B's answers reach A) with probability peerRate; else lost. */
  exchange() {
    for (let round = 0; round < 16; round++) {
      let moved = 0;
      if (this.ea.pending.length) {
        const out = this.ea.pending.splice(0);
        this.checkOutput(this.ea, out);
        if (this.rng.chance(this.peerRate)) for (const f of out) this.eb.receiveFrame(f);
        moved += out.length;
      }
      if (this.eb.pending.length) {
        const back = this.eb.pending.splice(0);
        for (const f of back) {
          this.totals.fromPeer++;
          this.inject(this.ea, f, 'peer');
        }
        moved += back.length;
      }
      if (!moved) break;
    }
  }

  /** Checks the table after a batch; returns the violations found (also kept). */
  check() {
    const tbl = this.A.inet.arp.tbl;
    this.totals.invariantChecks++;
    const v = [...tbl.checkInvariants(), ...this.B.inet.arp.tbl.checkInvariants().map((s) => `peer: ${s}`)];
    const size = tbl.size;
    if (size > this.totals.maxTableSize) this.totals.maxTableSize = size;
    // gc_thresh3 bounds the entries subject to GC (PERMANENT ones are exempt, as since Linux 4.19);
    // with the default thresholds the whole table stays below it too.
    if (tbl.gcEntries > tbl.gcThresh3) v.push(`${tbl.gcEntries} entries subject to GC, gc_thresh3 is ${tbl.gcThresh3}`);
    if (tbl.gcThresh3 === 1024 && size > tbl.gcThresh3) v.push(`table holds ${size} entries, gc_thresh3 is ${tbl.gcThresh3}`);
    // nd_tbl: the same rules.
    const nd = this.A.inet6.ndisc.tbl;
    v.push(...nd.checkInvariants().map((x) => `nd: ${x}`), ...this.B.inet6.ndisc.tbl.checkInvariants().map((x) => `peer nd: ${x}`));
    if (nd.size > this.totals.maxNdTableSize) this.totals.maxNdTableSize = nd.size;
    if (nd.gcEntries > nd.gcThresh3) v.push(`nd: ${nd.gcEntries} entries subject to GC, gc_thresh3 is ${nd.gcThresh3}`);
    if (v.length) this.violations.push(...v.map((s) => `batch ${this.batches} (${this.profileName()}): ${s}`));
    return v;
  }

  /**
   * Feeds `n` fuzzed frames, lets the peer and the clock run, checks invariants. Background drop
   * counts (moved by timers and the peer exchange's side effects, not attributable to one fuzzed
   * frame) are tracked separately.
   */
  batch(n) {
    this.undoEvents();
    if (this.batches % this.profileEvery === 0) this.applyProfile((this.batches / this.profileEvery) % FuzzRig.PROFILES.length);
    else this.ensureRoute();
    // (the context follows A's addresses every batch: DAD, SLAAC and expiry change them)
    if (this.rng.chance(this.eventRate)) this.event();
    this.tcpMaintain();
    this.gen.setContext(this.context());
    const gen = this.gen;
    for (let i = 0; i < n; i++) {
      const { frame, kind, dev } = gen.next();
      this.totals.fuzzed++;
      this.inject(this.devByName[dev], frame, kind);
    }
    this.exchange();
    this.advance(this.rng.weighted([[6, this.rng.int(200)], [3, this.rng.range(200, 2000)], [1, this.rng.range(2000, 40000)]]));
    this.exchange();
    this.checkOutput(this.ec, this.ec.sent);
    this.ec.sent.length = 0;
    this.batches++;
    return this.check();
  }

  /** Advances the clock; drops that timers cause (proxy replays...) are background, not a frame's. */
  advance(ms) {
    const d0 = this.dropSum();
    this.clock.advance(ms);
    this.totals.backgroundDrops += this.dropSum() - d0;
  }

  /** Lets microtasks (loopback delivery, ping promises) run; drops they cause are background. */
  async settle() {
    const d0 = this.dropSum();
    await new Promise((r) => setImmediate(r));
    this.totals.backgroundDrops += this.dropSum() - d0;
  }

  /** Restores defaults, brings everything up, drains pending timers and ping sessions. */
  async quiesce() {
    this.downUntil = this.noarpUntil = this.carrierUntil = 0;
    if (this.disable6Until >= 0) this.disable6Until = 0;
    for (const d of this.dad6) d.until = 0;
    this.undoEvents();
    this.applyProfile(0);
    // The fuzz's RAs rewrote ea's ND timers (reachable time up to 49 days, retrans down to 8 ms)
    // and the entries hold timers from them: back to the defaults, and start the IPv6 cache afresh.
    for (const [k, v] of [['base_reachable_time_ms', 30000], ['retrans_time_ms', 1000], ['gc_stale_time', 60]]) this.ctlA.set(`net.ipv6.neigh.ea.${k}`, String(v));
    this.A.inet6.ndisc.tbl.flush(this.ea, (n) => (n.nudState & 0xc0) === 0);
    this.gen.setContext(this.context());
    for (let i = 0; i < 20; i++) {
      this.advance(1000);
      this.exchange();
      this.checkOutput(this.ec, this.ec.sent);
      this.ec.sent.length = 0;
      await this.settle();
    }
    await Promise.allSettled(this.pings);
    this.pings = [];
  }

  /**
   * The accounting identity: every frame was dropped (one counter), answered, delivered, or
   * failed to be answered for a counted reason; the drop counters sum to the dropped frames
   * plus what timers dropped by themselves. Returns a description of any mismatch.
   */
  accounting() {
    const t = this.totals;
    const sum = this.dropSum();
    let multiExtra = 0;
    for (const an of this.anomalies.values()) if (an.outcome === 'multi') multiExtra += an.count * (an.counters.length - 1);
    return {
      frames: t.frames,
      notDeliveredNorAnswered: t.dropped + t.multi + t.answerFailed + t.silent,
      uncountedDeliveries: t.uncounted,
      dropCounterSum: sum,
      attributed: t.dropped + t.multi + multiExtra + t.backgroundDrops,
      balanced: sum === t.dropped + t.multi + multiExtra + t.backgroundDrops &&
        t.frames === t.dropped + t.multi + t.answered + t.delivered + t.answerFailed + t.silent + t.uncounted,
    };
  }

  /** Anomaly classes and transmit problems that are not in the known lists. */
  unknownDefects() {
    const anomalies = [...this.anomalies.keys()].filter((k) => !KNOWN_ANOMALIES.includes(k));
    const tx = [...this.txProblems.keys()].filter((k) => !KNOWN_TX_DEFECTS.includes(k));
    return { anomalies, tx };
  }

  kindTable() {
    return this.acct.kindTable();
  }

  /**
   * A clean ping (and ping6) from the peer still gets answered, and A can still ping the peer. The fuzz may
   * have left either cache pointing at a forged MAC, even REACHABLE (a forged unicast reply for an
   * existing entry confirms it, as on Linux); NUD repairs that within reachable_time (at most
   * 1.5 × 30 s) + delay_first_probe (5 s) + 3 probes, so each side pings CLEAN_PINGS times, 1 s
   * apart, and the last 3 count.
   */
  async cleanPing() {
    this.ea.deferred = false;
    this.eb.deferred = false;
    const run = async (from, to) => {
      const p = from.ping(to, { count: CLEAN_PINGS, interval: 1, timeout: 2 });
      for (let i = 0; i < (CLEAN_PINGS + 3) * 5; i++) {
        this.clock.advance(200);
        await new Promise((r) => setImmediate(r));
      }
      const res = await p;
      return res.replies.filter((x) => x.seq > CLEAN_PINGS - 3).length;
    };
    const fromPeer = await run(this.B, '10.0.0.1');
    const toPeer = await run(this.A, '10.0.0.2');
    const fromPeer6 = await run(this.B, 'fd00::1');
    const toPeer6 = await run(this.A, 'fd00::2');
    this.ea.deferred = true;
    this.eb.deferred = true;
    return { fromPeer, toPeer, fromPeer6, toPeer6 };
  }

  /**
   * Sanity of what A transmits: no frame over the link MTU, our own source MAC, well-formed
   * ARP, IPv4 with a valid header (and ICMP) checksum, IPv6 as checkIpv6Frame wants it (ND with
   * hop limit 255 and flow label 0, MLD with a router alert, 33:33 multicast MACs, valid ICMPv6
   * checksums, no martians; forwarded packets recognised and judged as such). Returns problems, also kept in
   * `this.txProblems` (first few examples per class).
   */
  checkOutput(dev, frames) {
    const out = [];
    for (const f of frames) {
      this.totals.txChecked++;
      const bad = (what) => {
        out.push(what);
        const cls = this.txProblems.get(what) ?? { count: 0, examples: [] };
        cls.count++;
        if (cls.examples.length < this.keepExamples) cls.examples.push(f.length > 200 ? f.subarray(0, 200).toString('hex') + '…' : f.toString('hex'));
        this.txProblems.set(what, cls);
      };
      if (f.length > 14 + dev.mtu) bad(`frame of ${f.length > 14 + 65535 ? '>64K' : 'oversize'} bytes over MTU ${dev.mtu} sent on ${dev.name}`);
      if (f.length < 14) {
        bad('runt frame sent');
        continue;
      }
      if (!f.subarray(6, 12).equals(dev.devAddr)) bad('frame sent with a source MAC that is not ours');
      const type = f.readUInt16BE(12);
      if (type === ETH_P_ARP) {
        if (f.length < 42 || f.readUInt16BE(14) !== 1 || f.readUInt16BE(16) !== ETH_P_IP || f[18] !== 6 || f[19] !== 4) bad('malformed ARP sent');
        else if (![1, 2].includes(f.readUInt16BE(20))) bad('ARP with odd opcode sent');
        else if (f[22] & 1) bad('ARP with a multicast sender MAC sent');
      } else if (type === ETH_P_IP) {
        const hl = (f[14] & 15) * 4;
        if (f.length < 34 || f[14] >> 4 !== 4 || hl < 20 || 14 + hl > f.length) {
          bad('malformed IPv4 header sent');
          continue;
        }
        if (inetCsum(f, 14, hl) !== 0) bad('IPv4 header checksum wrong in a sent packet');
        const tot = f.readUInt16BE(16);
        if (tot > f.length - 14 || tot < hl) bad('IPv4 tot_len does not match the sent frame');
        const saddr = f.readUInt32BE(26);
        const daddr = f.readUInt32BE(30);
        const ttl = f[22];
        const ours = this.gen.ctx.ours;
        const bcasts = ours.map((o) => this.gen.subnetBcast(o));
        const isOurs = ours.some((o) => o.ips.includes(saddr));
        // Linux's martians (ip_route_input_slow): 0/8, 127/8, multicast, limited broadcast.
        const martian = (x) => x >>> 24 === 0 || x >>> 24 === 127 || (x >>> 28) === 14 || x === 0xffffffff;
        if (martian(saddr) || bcasts.includes(saddr)) bad('IPv4 sent with a martian source (0/8, 127/8, multicast, broadcast)');
        if (daddr >>> 24 === 0 || daddr >>> 24 === 127) bad('IPv4 sent to 0/8 or 127/8 on the wire');
        if (isOurs && ttl !== 64) bad('forwarded a packet whose source is one of our addresses');
        // Only what A itself originated (source ours, default TTL) must carry a valid ICMP checksum.
        if (f[23] === 1 && isOurs && ttl === 64 && tot <= f.length - 14 && inetCsum(f, 14 + hl, tot - hl) !== 0) bad('ICMP checksum wrong in a packet we originated');
        if (f[23] === 1 && tot >= hl + 1 && f[14 + hl] === 0 && (daddr === 0xffffffff || bcasts.includes(daddr))) bad('ICMP echo reply sent to a broadcast address');
        if (f[23] === 6 && isOurs && ttl === 64 && tot <= f.length - 14 && tot >= hl + 20) {
          // TCP from the rig's sockets: the checksum over the pseudo-header, never to a broadcast.
          const ph = Buffer.alloc(12);
          f.copy(ph, 0, 26, 34);
          ph[9] = 6;
          ph.writeUInt16BE(tot - hl, 10);
          if (inetCsum(Buffer.concat([ph, f.subarray(14 + hl, 14 + tot)]), 0, 12 + tot - hl) !== 0) bad('TCP checksum wrong in a segment we sent');
          if (daddr === 0xffffffff || bcasts.includes(daddr) || daddr >>> 28 === 14) bad('TCP segment sent to a broadcast or multicast address');
        }
      } else if (type === ETH_P_IPV6) {
        this.totals.txChecked6++;
        this.ever6List ??= [...this.ever6].map((h) => Buffer.from(h, 'hex'));
        const key = this.fwd6.size ? fwdKey6(f) : null;
        checkIpv6Frame(f, dev.name, dev.devAddr, this.ever6List, key !== null ? this.fwd6.get(key) ?? null : null, bad);
      } else bad(`frame with ethertype 0x${type.toString(16)} sent`);
    }
    return out;
  }

  async close() {
    await this.A.close();
    await this.B.close();
  }
}
