// The IPv6 half of the receive fuzz (scripts/lib/fuzz_gen.mjs imports it): IPv6, extension header,
// ICMPv6, MLD and Neighbour Discovery builders, the IPv6 frame kinds and mutations FrameGen draws,
// the checks on what the stack transmits over IPv6, and the IPv6 counters of the accounting.
// Plain ESM for the same reason as fuzz_gen.mjs; it imports nothing from it (no cycle).

export const ETH_P_IPV6 = 0x86dd;

export const NEXTHDR_HOP = 0;
export const NEXTHDR_TCP = 6;
export const NEXTHDR_UDP = 17;
export const NEXTHDR_ROUTING = 43;
export const NEXTHDR_FRAGMENT = 44;
export const NEXTHDR_ESP = 50;
export const NEXTHDR_AUTH = 51;
export const NEXTHDR_ICMP = 58;
export const NEXTHDR_NONE = 59;
export const NEXTHDR_DEST = 60;

// ---- addresses -------------------------------------------------------------------------------

/** Text to 16 bytes: full, `::`-compressed and dotted-quad tails (no validation: test input). */
export function ip6ToBuf(s) {
  const groups = (x) => (x === '' ? [] : x.split(':'));
  const words = (gs) => {
    const out = [];
    for (const g of gs) {
      if (g.includes('.')) {
        const p = g.split('.').map(Number);
        out.push((p[0] << 8) | p[1], (p[2] << 8) | p[3]);
      } else out.push(parseInt(g, 16));
    }
    return out;
  };
  const dc = s.indexOf('::');
  const head = words(groups(dc >= 0 ? s.slice(0, dc) : s));
  const tail = dc >= 0 ? words(groups(s.slice(dc + 2))) : [];
  const all = [...head, ...new Array(Math.max(0, 8 - head.length - tail.length)).fill(0), ...tail];
  const b = Buffer.alloc(16);
  for (let i = 0; i < 8; i++) b.writeUInt16BE(all[i] & 0xffff, 2 * i);
  return b;
}

/** 16 bytes to RFC 5952 text (for reports). */
export function ip6ToStr(b, off = 0) {
  const w = [];
  for (let i = 0; i < 8; i++) w.push((b[off + 2 * i] << 8) | b[off + 2 * i + 1]);
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (a) => a.map((x) => x.toString(16)).join(':');
  if (best < 0) return hex(w);
  return `${hex(w.slice(0, best))}::${hex(w.slice(best + bestLen))}`;
}

export const IN6_ANY = Buffer.alloc(16);
export const IN6_LOOPBACK = ip6ToBuf('::1');
export const IN6_ALLNODES = ip6ToBuf('ff02::1');
export const IN6_ALLROUTERS = ip6ToBuf('ff02::2');
export const IN6_MLDV2_ROUTERS = ip6ToBuf('ff02::16');
/** A solicited-node group nobody in the rig joins. */
export const IN6_UNJOINED = ip6ToBuf('ff02::1:ff12:3456');
export const LL_PREFIX = ip6ToBuf('fe80::');

/** prefix (its first 8 bytes) + the modified EUI-64 interface identifier of `mac`. */
export function eui64(prefix, mac) {
  const b = Buffer.alloc(16);
  prefix.copy(b, 0, 0, 8);
  b[8] = mac[0] ^ 0x02;
  b[9] = mac[1];
  b[10] = mac[2];
  b[11] = 0xff;
  b[12] = 0xfe;
  b[13] = mac[3];
  b[14] = mac[4];
  b[15] = mac[5];
  return b;
}

/** ff02::1:ffXX:XXXX for the last 24 bits of `a`. */
export function solicitedNode(a) {
  const b = ip6ToBuf('ff02::1:ff00:0');
  a.copy(b, 13, 13, 16);
  return b;
}

/** 33:33 + the group's last 32 bits. */
export function mcastMac(a) {
  return Buffer.from([0x33, 0x33, a[12], a[13], a[14], a[15]]);
}

export const isMc6 = (b, o = 0) => b[o] === 0xff;
export const isLl6 = (b, o = 0) => b[o] === 0xfe && (b[o + 1] & 0xc0) === 0x80;
export function isAny6(b, o = 0) {
  for (let i = 0; i < 16; i++) if (b[o + i] !== 0) return false;
  return true;
}
export function isLoop6(b, o = 0) {
  for (let i = 0; i < 15; i++) if (b[o + i] !== 0) return false;
  return b[o + 15] === 1;
}
export function isV4mapped6(b, o = 0) {
  for (let i = 0; i < 10; i++) if (b[o + i] !== 0) return false;
  return b[o + 10] === 0xff && b[o + 11] === 0xff;
}
const eq16 = (a, ao, b, bo) => {
  for (let i = 0; i < 16; i++) if (a[ao + i] !== b[bo + i]) return false;
  return true;
};

// ---- checksums -------------------------------------------------------------------------------

function sumBytes(buf, off, len, s) {
  let i = 0;
  for (; i + 1 < len; i += 2) s += (buf[off + i] << 8) | buf[off + i + 1];
  if (i < len) s += buf[off + i] << 8;
  return s;
}

/**
 * The upper-layer checksum of the `len` bytes at `off` with the IPv6 pseudo-header (src, dst,
 * length, next header). Over a message that carries its checksum the result is 0 when it verifies.
 */
export function csum6(buf, off, len, src, srcOff, dst, dstOff, nh) {
  let s = sumBytes(src, srcOff, 16, 0);
  s = sumBytes(dst, dstOff, 16, s);
  s += Math.floor(len / 65536) + (len & 0xffff) + nh;
  s = sumBytes(buf, off, len, s);
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 65536);
  return ~s & 0xffff;
}

// ---- packets ---------------------------------------------------------------------------------

/**
 * An IPv6 packet: `exts` is a list of extension headers ({ type, body }, body[0] is overwritten
 * with the next header), `proto` the upper layer; the ICMPv6 or UDP checksum is filled in
 * unless `csum` is false. `plen` overrides the payload length field.
 */
export function ip6Packet({ tc = 0, flow = 0, hlim = 64, src, dst, exts = [], proto, payload, csum = true, plen }) {
  let extLen = 0;
  for (const e of exts) extLen += e.body.length;
  const b = Buffer.alloc(40 + extLen + payload.length);
  b.writeUInt32BE(((6 << 28) | ((tc & 0xff) << 20) | (flow & 0xfffff)) >>> 0, 0);
  b.writeUInt16BE(plen ?? Math.min(0xffff, extLen + payload.length), 4);
  b[6] = exts.length ? exts[0].type : proto;
  b[7] = hlim;
  src.copy(b, 8);
  dst.copy(b, 24);
  let o = 40;
  for (let i = 0; i < exts.length; i++) {
    exts[i].body.copy(b, o);
    b[o] = i + 1 < exts.length ? exts[i + 1].type : proto;
    o += exts[i].body.length;
  }
  payload.copy(b, o);
  if (csum && (proto === NEXTHDR_ICMP || proto === NEXTHDR_UDP)) {
    const at = proto === NEXTHDR_ICMP ? 2 : 6;
    if (payload.length >= at + 2) {
      b[o + at] = 0;
      b[o + at + 1] = 0;
      let c = csum6(b, o, payload.length, b, 8, b, 24, proto);
      if (proto === NEXTHDR_UDP && c === 0) c = 0xffff;
      b.writeUInt16BE(c, o + at);
    }
  }
  return b;
}

export function eth6(dst, src, ip) {
  const b = Buffer.alloc(14 + ip.length);
  dst.copy(b, 0);
  src.copy(b, 6);
  b.writeUInt16BE(ETH_P_IPV6, 12);
  ip.copy(b, 14);
  return b;
}

/** An ICMPv6 message with its checksum left 0 (ip6Packet fills it in). */
export function icmp6Msg(type, code, rest, data = Buffer.alloc(0)) {
  const b = Buffer.alloc(8 + data.length);
  b[0] = type;
  b[1] = code;
  b.writeUInt32BE(rest >>> 0, 4);
  data.copy(b, 8);
  return b;
}

export function udp6Msg(sport, dport, data) {
  const b = Buffer.alloc(8 + data.length);
  b.writeUInt16BE(sport, 0);
  b.writeUInt16BE(dport, 2);
  b.writeUInt16BE(b.length, 4);
  data.copy(b, 8);
  return b;
}

// ---- extension headers -----------------------------------------------------------------------

export const optPad1 = () => Buffer.from([0]);
/** PadN taking `n` ≥ 2 bytes in all (`fill` non-zero makes it malformed). */
export function optPadN(n, fill = 0) {
  const b = Buffer.alloc(n, fill);
  b[0] = 1;
  b[1] = n - 2;
  return b;
}
export const optRouterAlert = (v = 0) => Buffer.from([5, 2, v >> 8, v & 255]);
export function optJumbo(v, len = 4) {
  const b = Buffer.alloc(2 + len);
  b[0] = 194;
  b[1] = len;
  if (len >= 4) b.writeUInt32BE(v >>> 0, 2);
  return b;
}
export const optTlv = (type, data) => Buffer.concat([Buffer.from([type, data.length]), data]);

/** Hop-by-hop or destination options header with `opts`, padded to 8n with Pad1/PadN. */
export function tlvHdr(type, opts) {
  let len = 2;
  for (const o of opts) len += o.length;
  const pad = (8 - (len % 8)) % 8;
  const parts = [Buffer.alloc(2), ...opts];
  if (pad === 1) parts.push(optPad1());
  else if (pad > 1) parts.push(optPadN(pad));
  const body = Buffer.concat(parts);
  body[1] = body.length / 8 - 1;
  return { type, body };
}

/** Routing header of `rtype` with `segleft` and the addresses (type 0 layout: 4 reserved bytes first). */
export function routingHdr(rtype, segleft, addrs) {
  const body = Buffer.alloc(8 + 16 * addrs.length);
  body[1] = 2 * addrs.length;
  body[2] = rtype;
  body[3] = segleft;
  addrs.forEach((a, i) => a.copy(body, 8 + 16 * i));
  return { type: NEXTHDR_ROUTING, body };
}

/** Fragment header: offset in 8-byte units, M flag, identification. */
export function fragHdr(offset, more, id) {
  const body = Buffer.alloc(8);
  body.writeUInt16BE(((offset & 0x1fff) << 3) | (more ? 1 : 0), 2);
  body.writeUInt32BE(id >>> 0, 4);
  return { type: NEXTHDR_FRAGMENT, body };
}

/** An authentication header with a 12-byte ICV (24 bytes, its length field 4). */
export function ahHdr(spi) {
  const body = Buffer.alloc(24);
  body[1] = 4;
  body.writeUInt32BE(spi >>> 0, 4);
  return { type: NEXTHDR_AUTH, body };
}

// ---- Neighbour Discovery and MLD -------------------------------------------------------------

/** An ND option: type, length byte, data after the two header bytes, `total` bytes in all. */
export function ndOpt(type, lenByte, data = Buffer.alloc(0), total = lenByte * 8) {
  const b = Buffer.alloc(total);
  b[0] = type;
  b[1] = lenByte;
  data.copy(b, 2, 0, Math.min(data.length, Math.max(0, total - 2)));
  return b;
}
export const llOpt = (type, mac, units = 1) => ndOpt(type, units, mac);
export function pioOpt(prefix, plen, flags, valid, pref) {
  const b = Buffer.alloc(32);
  b[0] = 3;
  b[1] = 4;
  b[2] = plen;
  b[3] = flags;
  b.writeUInt32BE(valid >>> 0, 4);
  b.writeUInt32BE(pref >>> 0, 8);
  prefix.copy(b, 16);
  return b;
}
export function mtuOpt(mtu) {
  const b = Buffer.alloc(8);
  b[0] = 5;
  b[1] = 1;
  b.writeUInt32BE(mtu >>> 0, 4);
  return b;
}
export const nonceOpt = (n) => ndOpt(14, 1, n);
export function rioOpt(prefix, plen, prefBits, lifetime, units) {
  const b = Buffer.alloc(units * 8);
  b[0] = 24;
  b[1] = units;
  b[2] = plen;
  b[3] = (prefBits & 3) << 3;
  b.writeUInt32BE(lifetime >>> 0, 4);
  prefix.copy(b, 8, 0, Math.min(16, b.length - 8));
  return b;
}
export function rdnssOpt(lifetime, addrs) {
  const b = Buffer.alloc(8 + 16 * addrs.length);
  b[0] = 25;
  b[1] = 1 + 2 * addrs.length;
  b.writeUInt32BE(lifetime >>> 0, 4);
  addrs.forEach((a, i) => a.copy(b, 8 + 16 * i));
  return b;
}
export function dnsslOpt(lifetime, names) {
  const labels = [];
  for (const n of names) {
    for (const l of n.split('.')) labels.push(Buffer.from([l.length]), Buffer.from(l));
    labels.push(Buffer.from([0]));
  }
  const data = Buffer.concat(labels);
  const units = Math.ceil((8 + data.length) / 8);
  const b = Buffer.alloc(units * 8);
  b[0] = 31;
  b[1] = units;
  b.writeUInt32BE(lifetime >>> 0, 4);
  data.copy(b, 8);
  return b;
}
export function redirHdrOpt(pkt) {
  const units = Math.ceil((8 + pkt.length) / 8);
  const b = Buffer.alloc(units * 8);
  b[0] = 4;
  b[1] = units;
  pkt.copy(b, 8);
  return b;
}

export const ndNs = (target, opts = []) => icmp6Msg(135, 0, 0, Buffer.concat([target, ...opts]));
export const ndNa = (flags, target, opts = []) => icmp6Msg(136, 0, (flags & 0xff) * 0x1000000, Buffer.concat([target, ...opts]));
export const ndRs = (opts = []) => icmp6Msg(133, 0, 0, Buffer.concat(opts));
export function ndRa({ hop, flags, lifetime, reach, retrans }, opts = []) {
  const t = Buffer.alloc(8);
  t.writeUInt32BE(reach >>> 0, 0);
  t.writeUInt32BE(retrans >>> 0, 4);
  return icmp6Msg(134, 0, ((hop & 0xff) * 0x1000000 + ((flags & 0xff) << 16) + (lifetime & 0xffff)) >>> 0, Buffer.concat([t, ...opts]));
}
export const ndRedirect = (target, dest, opts = []) => icmp6Msg(137, 0, 0, Buffer.concat([target, dest, ...opts]));
export const mldV1 = (type, delay, group) => icmp6Msg(type, 0, (delay & 0xffff) * 0x10000, group);
export function mldV2Query(mrc, group, sqrv, qqic, srcs) {
  const t = Buffer.from([sqrv, qqic, srcs.length >> 8, srcs.length & 255]);
  return icmp6Msg(130, 0, (mrc & 0xffff) * 0x10000, Buffer.concat([group, t, ...srcs]));
}
export function mld2Record(type, group, srcs = [], aux = 0) {
  const h = Buffer.from([type, aux, srcs.length >> 8, srcs.length & 255]);
  return Buffer.concat([h, group, ...srcs, Buffer.alloc(aux * 4)]);
}
export const mld2Report = (records) => icmp6Msg(143, 0, records.length, Buffer.concat(records));

// ---- walking a received or sent IPv6 packet --------------------------------------------------

/**
 * The upper layer of the IPv6 packet at `off` (frame offset 14): its next header value and
 * offset, walking hop-by-hop, destination, routing, fragment and AH headers; `hbhAlert` is the
 * router alert value of a leading hop-by-hop header (-1 none); `end` the packet's end by its
 * payload length (clipped to the buffer). pos -1 when a header runs past the end. As the
 * kernel's ipv6_skip_exthdr, the walk stops at a fragment header with a non-zero offset (what
 * follows is not a header): nh is then 44 and pos that header's offset.
 */
export function ip6Upper(b, off = 14) {
  const end = Math.min(b.length, off + 40 + ((b[off + 4] << 8) | b[off + 5]));
  let nh = b[off + 6];
  let pos = off + 40;
  let hbhAlert = -1;
  let first = true;
  let frag = false;
  while (nh === NEXTHDR_HOP || nh === NEXTHDR_DEST || nh === NEXTHDR_ROUTING || nh === NEXTHDR_FRAGMENT || nh === NEXTHDR_AUTH) {
    if (pos + 8 > end) return { nh, pos: -1, end, hbhAlert, frag };
    const len = nh === NEXTHDR_FRAGMENT ? 8 : nh === NEXTHDR_AUTH ? (b[pos + 1] + 2) * 4 : (b[pos + 1] + 1) * 8;
    if (pos + len > end) return { nh, pos: -1, end, hbhAlert, frag };
    if (nh === NEXTHDR_HOP && first) {
      for (let o = pos + 2; o + 1 < pos + len; ) {
        if (b[o] === 0) {
          o++;
          continue;
        }
        if (b[o] === 5 && b[o + 1] === 2) hbhAlert = (b[o + 2] << 8) | b[o + 3];
        o += 2 + b[o + 1];
      }
    }
    if (nh === NEXTHDR_FRAGMENT) {
      frag = true;
      if (((b[pos + 2] << 8) | b[pos + 3]) & 0xfff8) break;
    }
    first = false;
    nh = b[pos];
    pos += len;
  }
  return { nh, pos, end, hbhAlert, frag };
}

/** Recomputes the ICMPv6 (or UDP) checksum of an IPv6 frame after a mutation; false if none. */
export function fixUpperCsum6(b, off = 14) {
  if (b.length < off + 40) return false;
  const u = ip6Upper(b, off);
  if (u.pos < 0) return false;
  const at = u.nh === NEXTHDR_ICMP ? 2 : u.nh === NEXTHDR_UDP ? 6 : -1;
  if (at < 0 || u.pos + at + 2 > u.end) return false;
  b[u.pos + at] = 0;
  b[u.pos + at + 1] = 0;
  let c = csum6(b, u.pos, u.end - u.pos, b, off + 8, b, off + 24, u.nh);
  if (u.nh === NEXTHDR_UDP && c === 0) c = 0xffff;
  b.writeUInt16BE(c, u.pos + at);
  return true;
}

/** Inserts an extension header ({type, body}) after the fixed header (after a leading hop-by-hop one). */
export function insertExt6(frame, ext, off = 14) {
  let at = off + 40;
  let prevNhAt = off + 6;
  if (frame[off + 6] === NEXTHDR_HOP && ext.type !== NEXTHDR_HOP && frame.length >= at + 8) {
    prevNhAt = at;
    at += (frame[at + 1] + 1) * 8;
    if (at > frame.length) return null;
  }
  const body = Buffer.from(ext.body);
  body[0] = frame[prevNhAt];
  const b = Buffer.concat([frame.subarray(0, at), body, frame.subarray(at)]);
  b[prevNhAt] = ext.type;
  b.writeUInt16BE(Math.min(0xffff, ((frame[off + 4] << 8) | frame[off + 5]) + body.length), off + 4);
  return b;
}

// ---- the generator's IPv6 frames -------------------------------------------------------------

/**
 * IPv6 frame kinds and weights. Kinds whose name ends in `.bad`, `.optbad`, `.llbad`, `.segleft`
 * or `.trunc` are built so that the one defect they carry is the first check to fail (addresses
 * the stack holds, hop limit 255 for ND, ...): the tests expect all of them in one counter.
 */
export const BASE6_TABLE = [
  [5, 'icmp6.echo'], [1.5, 'icmp6.echoreply'], [1, 'icmp6.unreach'], [0.6, 'icmp6.toobig'], [0.6, 'icmp6.timeexc'],
  [0.6, 'icmp6.paramprob'], [1, 'icmp6.type'], [1, 'mld.query'], [1, 'mld.report'],
  [1, 'ip6.hbh'], [1, 'ip6.hbh.bad'], [0.7, 'ip6.dstopt'], [0.7, 'ip6.dstopt.bad'], [0.8, 'ip6.routing'], [0.8, 'ip6.routing.segleft'],
  [1, 'ip6.fragment'], [0.8, 'ip6.fragment.atomic'], [1.2, 'ip6.exthdr'], [0.6, 'ip6.exthdr.trunc'], [0.5, 'ip6.none'],
  [0.8, 'ip6.udp'], [0.5, 'ip6.tcp'], [0.6, 'ip6.proto'], [1.5, 'ip6.forward'], [1, 'ip6.mcast'], [1, 'ip6.martian'],
  [3, 'nd.ns'], [1.5, 'nd.ns.ucast'], [1.5, 'nd.ns.dad'], [3, 'nd.na'], [1, 'nd.rs'], [2.5, 'nd.ra'], [0.8, 'nd.redirect'],
  [0.7, 'nd.ns.optbad'], [0.7, 'nd.na.optbad'], [0.5, 'nd.rs.optbad'], [0.7, 'nd.ra.optbad'], [0.4, 'nd.redirect.optbad'],
  [0.7, 'nd.ns.llbad'], [0.7, 'nd.na.llbad'], [0.5, 'nd.rs.llbad'], [0.7, 'nd.ra.llbad'], [0.5, 'nd.ns.dad.llbad'],
];

/** Mutations of IPv6 frames; '' leaves the frame alone. Generic ones behave as for IPv4. */
export const MUT6_TABLE = [
  [36, ''],
  [6, 'trunc'], [3, 'pad'], [2, 'srcmac'], [2, 'dstmac'], [2, 'bitflip'], [1, 'bitflip.fixcsum'], [1, 'vlan'], [1, 'ethertype'],
  [1, 'ip6.version'], [2, 'ip6.plen'], [2, 'ip6.hlim'], [1, 'ip6.nexthdr'], [2, 'ip6.saddr'], [2, 'ip6.daddr'], [1, 'ip6.flow'],
  [3, 'icmp6.csum'], [2, 'icmp6.code'], [1, 'icmp6.type'], [1, 'ip6.frag'], [1.5, 'ip6.frag.atomic'], [1.5, 'ip6.hbh'],
];

/** 'optbad' / 'llbad' from 'nd.ns.optbad', 'nd.ns.dad.llbad'...; '' for a kind without a defect. */
const defectOf = (base) => (/\.(optbad|llbad)$/.exec(base) ?? ['', ''])[1];

/** ICMPv6 types icmpv6_rcv hands to a handler (the rest are counted and dropped). */
const HANDLED6 = new Set([1, 2, 3, 4, 128, 129, 130, 131, 132, 133, 134, 135, 136, 137, 143]);

/** The IPv6 side of a FrameGen: `g` is the generator (rng, ctx, hosts). */
export class Gen6 {
  constructor(g) {
    this.g = g;
  }

  get r() {
    return this.g.rng;
  }

  /** Does the context give interface `iff` usable IPv6 addresses (else no IPv6 frames are drawn)? */
  static usable(iff) {
    return !!(iff && iff.ip6s && iff.ip6s.length);
  }

  // -- address pools --

  hostMac() {
    return this.g.hostMac();
  }

  hostIdx() {
    return this.r.int(this.g.hosts.length);
  }

  hostLl(i = this.hostIdx()) {
    return eui64(LL_PREFIX, this.g.hosts[i]);
  }

  hostG(iff, i = this.hostIdx()) {
    return eui64(iff.prefix6, this.g.hosts[i]);
  }

  peer6() {
    const p = this.g.ctx.peer;
    return p.ip6 ?? this.hostG(this.g.ctx.ours[0]);
  }

  peerLl() {
    const p = this.g.ctx.peer;
    return p.ll6 ?? this.hostLl();
  }

  /** Somewhere off every subnet of ours. */
  offlink() {
    const b = ip6ToBuf('2001:db8::');
    b[5] = this.r.int(256);
    b.writeUInt32BE(this.r.u32(), 12);
    return b;
  }

  /** A host on the subnet of another of our interfaces (forwarding target), or off-link. */
  otherSubnet6() {
    const o = this.g.ctx.ours;
    const r = this.r;
    if (o.length > 1 && r.chance(0.7)) {
      const iff = o[1 + r.int(o.length - 1)];
      if (iff.prefix6) return eui64(iff.prefix6, this.hostMac());
    }
    return this.offlink();
  }

  randAddr() {
    return this.r.bytes(16);
  }

  ours(iff) {
    return this.r.pick(iff.ip6.length ? iff.ip6 : iff.ip6s);
  }

  /** Our addresses that stay valid all run long (manual, nodad) and the link-local while usable. */
  strict(iff) {
    return iff.ll6 && this.r.chance(0.25) ? iff.ll6 : this.r.pick(iff.ip6s);
  }

  /** Subnet-router anycast of our prefix (ours only while forwarding). */
  anycast(iff) {
    const b = Buffer.alloc(16);
    iff.prefix6.copy(b, 0, 0, 8);
    return b;
  }

  /** A sender: mostly plausible, sometimes a martian. */
  src6(iff) {
    const r = this.r;
    return r.weighted([
      [5, () => this.peer6()], [3, () => this.peerLl()], [8, () => this.hostG(iff)], [6, () => this.hostLl()],
      [2, () => this.offlink()], [1, () => this.ours(iff)], [0.5, () => IN6_ANY], [0.3, () => IN6_LOOPBACK],
      [0.3, () => ip6ToBuf('ff02::1')], [0.3, () => ip6ToBuf('::ffff:10.0.0.9')], [0.5, () => this.randAddr()],
    ])();
  }

  /** A destination: mostly ours, sometimes groups, other hosts, martians. */
  dst6(iff) {
    const r = this.r;
    return r.weighted([
      [14, () => this.ours(iff)], [3, () => this.strict(iff)], [2, () => IN6_ALLNODES], [1, () => solicitedNode(this.ours(iff))],
      [1, () => solicitedNode(this.hostG(iff))], [1, () => this.peer6()], [1, () => this.hostG(iff)], [1, () => this.offlink()],
      [0.5, () => IN6_ALLROUTERS], [0.3, () => IN6_MLDV2_ROUTERS], [0.2, () => IN6_LOOPBACK], [0.2, () => ip6ToBuf('ff01::1')],
      [0.3, () => this.randAddr()],
    ])();
  }

  /** Ethernet destination for an IPv6 destination: the mapped group, our MAC, sometimes not. */
  ethDst6(iff, dst) {
    const r = this.r;
    if (isMc6(dst)) return r.weighted([[18, () => mcastMac(dst)], [1, () => iff.mac], [1, () => Buffer.alloc(6, 0xff)]])();
    return r.weighted([[30, () => iff.mac], [1, () => mcastMac(IN6_ALLNODES)], [1, () => Buffer.alloc(6, 0xff)], [1, () => r.pick(this.g.hosts)]])();
  }

  /** A whole frame from `src` to `dst` (Ethernet source a host or the peer unless given). */
  frame(iff, { src, dst, ethDst, ethSrc, hlim, exts, proto, payload, tc, flow, plen }) {
    const r = this.r;
    const ip = ip6Packet({
      tc: tc ?? (r.chance(0.9) ? 0 : r.int(256)),
      flow: flow ?? (r.chance(0.5) ? 0 : r.int(0x100000)),
      hlim: hlim ?? r.weighted([[8, 64], [1, 255], [1, 1]]),
      src,
      dst,
      exts,
      proto,
      payload,
      plen,
    });
    return { frame: eth6(ethDst ?? this.ethDst6(iff, dst), ethSrc ?? (r.chance(0.5) ? this.g.ctx.peer.mac : this.hostMac()), ip), l3: 'ip6' };
  }

  echo(len) {
    const r = this.r;
    return icmp6Msg(128, 0, r.u32(), r.bytes(len ?? r.range(0, 56)));
  }

  /** The quoted part of an ICMPv6 error: a packet we could have sent, often cut. */
  quote(iff) {
    const r = this.r;
    const ids = this.g.ctx.pingIds6 ?? [];
    const proto = r.pick([58, 58, 17, 6, r.int(256)]);
    let inner;
    if (proto === 58) {
      const id = ids.length && r.chance(0.6) ? r.pick(ids) : r.int(65536);
      inner = icmp6Msg(r.chance(0.85) ? 128 : r.int(256), 0, id * 0x10000 + r.int(16), r.bytes(r.range(0, 56)));
    } else inner = r.bytes(r.range(8, 40));
    const ip = ip6Packet({ src: r.chance(0.8) ? this.ours(iff) : this.randAddr(), dst: this.src6(iff), proto, payload: inner });
    const cut = r.weighted([[6, ip.length], [2, Math.min(ip.length, 48)], [1, r.int(40)], [1, r.int(ip.length + 1)]]);
    return ip.subarray(0, cut);
  }

  /** TLV options that pass (pads, router alert, options whose type says skip). */
  goodTlvs(hbh) {
    const r = this.r;
    const out = [];
    const n = r.range(0, 3);
    for (let i = 0; i < n; i++) {
      const k = r.weighted([[2, 'pad1'], [2, 'padn'], [hbh ? 2 : 0, 'ra'], [3, 'skip']]);
      if (k === 'pad1') out.push(optPad1());
      else if (k === 'padn') out.push(optPadN(r.range(2, 7)));
      else if (k === 'ra') out.push(optRouterAlert(r.pick([0, 1, 2, r.int(65536)])));
      else out.push(optTlv(r.pick([0x1e, 0x3e, 0x11, 0x22, 0x09, 0x2a]), r.bytes(r.range(0, 12))));
      // at most 7 pad bytes in a row (the header's own padding follows): end pads with an option
      if (k.startsWith('pad')) out.push(optTlv(0x1e, Buffer.alloc(0)));
    }
    return out;
  }

  /**
   * A TLV header with one defect: an option whose type says drop or answer, a pad run over 7
   * bytes, PadN with data, a misshapen router alert or jumbo, too many options, a misaligned
   * IOAM, a short CALIPSO, a length beyond the packet. Returns { ext, cutTo } (cutTo: bytes of
   * the header to keep when the defect is a truncation).
   */
  badTlvHdr(hbh) {
    const r = this.r;
    const kind = r.pick(hbh
      ? ['drop', 'icmp', 'icmpmc', 'padlong', 'paddata', 'ralen', 'many', 'jumbo', 'jumbolen', 'ioam', 'calipso', 'overlong']
      : ['drop', 'icmp', 'icmpmc', 'padlong', 'paddata', 'many', 'overlong']);
    const type = hbh ? NEXTHDR_HOP : NEXTHDR_DEST;
    switch (kind) {
      case 'drop':
        return tlvHdr(type, [optTlv(0x40 | r.int(64) | 0x01, r.bytes(r.range(0, 6)))]);
      case 'icmp':
        return tlvHdr(type, [optTlv(0x80 | r.int(64) | 0x01, r.bytes(r.range(0, 6)))]);
      case 'icmpmc': {
        let t = 0xc0 | r.int(64);
        if (t === 194 || t === 201) t = 0xee;
        return tlvHdr(type, [optTlv(t, r.bytes(r.range(0, 6)))]);
      }
      case 'padlong':
        return tlvHdr(type, [optPadN(8)]);
      case 'paddata':
        return tlvHdr(type, [optPadN(r.range(3, 7), 0x5a)]);
      case 'ralen':
        return tlvHdr(type, [optTlv(5, r.bytes(r.pick([0, 1, 3, 4])))]);
      case 'many':
        return tlvHdr(type, Array.from({ length: 9 }, () => optTlv(0x1e, Buffer.alloc(0))));
      case 'jumbo':
        // a jumbo option in a packet short enough to carry its length field: a parameter problem
        return tlvHdr(type, [optJumbo(r.pick([0, 1, 1280, 65535]))]);
      case 'jumbolen':
        return tlvHdr(type, [optJumbo(70000, r.pick([2, 3, 5]))]);
      case 'ioam':
        return tlvHdr(type, [optPad1(), optTlv(49, r.bytes(6))]);
      case 'calipso':
        return tlvHdr(type, [optTlv(7, r.bytes(r.range(0, 7)))]);
      default: {
        // the header claims more 8-byte units than the packet holds
        const h = tlvHdr(type, [optPadN(6)]);
        h.body[1] = r.range(5, 255);
        return h;
      }
    }
  }

  // -- ND options --

  /** Options every ND message may carry without harm (ignored ones included). */
  goodNdOpts(iff, mac, type) {
    const r = this.r;
    const out = [];
    const n = r.weighted([[3, 0], [3, 1], [2, 2], [1, 3], [0.3, 6]]);
    for (let i = 0; i < n; i++) {
      const k = r.weighted([
        [2, 'unknown'], [1, 'nonce'], [1, 'mtu'], [1, 'pio'], [0.7, 'rio'], [0.7, 'rdnss'], [0.7, 'dnssl'], [0.5, 'redir'],
        [0.5, 'captive'], [0.5, 'pref64'], [1, 'dupll'], [0.5, 'otherll'],
      ]);
      switch (k) {
        case 'unknown':
          out.push(ndOpt(r.pick([6, 7, 8, 9, 10, 11, 15, 16, 17, 19, 99, 200, 253, r.range(40, 255)]), r.range(1, 3), r.bytes(22)));
          break;
        case 'nonce':
          out.push(nonceOpt(r.bytes(6)));
          break;
        case 'mtu':
          out.push(mtuOpt(r.pick([1280, 1400, 1500, 9000, 1000, 0, r.u32()])));
          break;
        case 'pio':
          out.push(this.pio(iff));
          break;
        case 'rio':
          out.push(this.rio());
          break;
        case 'rdnss':
          out.push(rdnssOpt(r.pick([0, 600, 0xffffffff]), Array.from({ length: r.range(1, 3) }, () => this.offlink())));
          break;
        case 'dnssl':
          out.push(dnsslOpt(r.pick([0, 600, 0xffffffff]), r.pick([['example.com'], ['a.example', 'b.example.org']])));
          break;
        case 'redir':
          out.push(redirHdrOpt(this.quote(iff).subarray(0, 48)));
          break;
        case 'captive':
          out.push(ndOpt(37, 3, Buffer.from('https://p.example/')));
          break;
        case 'pref64':
          out.push(ndOpt(38, 2, r.bytes(14)));
          break;
        case 'dupll':
          // a second link-layer address option: the first one counts
          out.push(llOpt(type === 136 ? 2 : 1, r.chance(0.5) ? mac : this.hostMac()));
          break;
        default:
          // the other kind of link-layer address option (TLLAO in an NS, SLLAO in an NA): ignored
          out.push(llOpt(type === 136 ? 1 : 2, this.hostMac(), r.chance(0.8) ? 1 : 2));
      }
    }
    return out;
  }

  pio(iff) {
    const r = this.r;
    const which = r.weighted([[3, 'doc'], [1, 'own'], [0.5, 'll'], [0.5, 'mc'], [1, 'short']]);
    let prefix;
    let plen = 64;
    if (which === 'doc') {
      prefix = ip6ToBuf('2001:db8::');
      prefix[5] = r.int(4);
    } else if (which === 'own') prefix = Buffer.from(iff.prefix6);
    else if (which === 'll') prefix = Buffer.from(LL_PREFIX);
    else if (which === 'mc') prefix = ip6ToBuf('ff05::');
    else {
      prefix = ip6ToBuf('2001:db8:77::');
      plen = r.pick([0, 32, 48, 56, 63, 65, 128, 200]);
    }
    // The own prefix never comes with L: an RA may not take the address's on-link route away
    // (Linux deletes it on valid 0), or the clean pings at the end would have no route.
    let flags = r.pick([0xc0, 0xc0, 0x80, 0x40, 0x00, 0xe0, 0xd0, r.int(256)]);
    if (which === 'own') flags &= ~0x80;
    const valid = r.pick([0, 30, 600, 7200, 86400, 0xffffffff, r.u32()]);
    const pref = r.chance(0.8) ? Math.min(valid, r.pick([0, 30, 300, 14400, 0xffffffff])) : r.u32();
    return pioOpt(prefix, plen, flags, valid, pref);
  }

  rio() {
    const r = this.r;
    const units = r.pick([1, 2, 3, 3, 4]);
    return rioOpt(this.offlink(), r.pick([0, 48, 64, 96, 128, 129]), r.int(4), r.pick([0, 1800, 0xffffffff]), units);
  }

  /** One defect in the option area: a zero length, a length beyond the end, a byte left over. */
  optDefect(opts) {
    const r = this.r;
    const k = r.pick(['zero', 'overlong', 'trailing']);
    const at = r.int(opts.length + 1);
    const out = [...opts];
    if (k === 'zero') out.splice(at, 0, ndOpt(r.pick([1, 2, 3, 5, 14, 99]), 0, r.bytes(6), 8));
    else if (k === 'trailing') out.push(Buffer.from([r.int(256)]));
    else out.push(ndOpt(r.pick([1, 2, 3, 5, 25, 99]), r.range(2, 255), r.bytes(6), 8));
    return out;
  }

  /** A link-layer address option of the wrong length (Ethernet needs length 1), first of its type. */
  badLl(type, mac) {
    const r = this.r;
    const units = r.pick([2, 2, 3, 4]);
    return ndOpt(type, units, mac);
  }

  // -- the kinds --

  build(base, iff) {
    const r = this.r;
    const g = this.g;
    switch (base) {
      case 'icmp6.echo': {
        const len = r.weighted([[6, r.range(0, 64)], [2, r.range(65, 1452)], [0.3, r.range(1453, 3000)], [1, 0]]);
        const msg = icmp6Msg(128, r.chance(0.9) ? 0 : r.int(256), r.u32(), r.bytes(len));
        return this.frame(iff, { src: this.src6(iff), dst: this.dst6(iff), proto: 58, payload: msg });
      }
      case 'icmp6.echoreply': {
        const ids = g.ctx.pingIds6 ?? [];
        const id = ids.length && r.chance(0.6) ? r.pick(ids) : r.int(65536);
        const msg = icmp6Msg(129, 0, id * 0x10000 + r.int(8), r.bytes(r.range(0, 64)));
        return this.frame(iff, { src: this.src6(iff), dst: this.dst6(iff), proto: 58, payload: msg });
      }
      case 'icmp6.unreach':
      case 'icmp6.toobig':
      case 'icmp6.timeexc':
      case 'icmp6.paramprob': {
        const type = { 'icmp6.unreach': 1, 'icmp6.toobig': 2, 'icmp6.timeexc': 3, 'icmp6.paramprob': 4 }[base];
        const code = r.chance(0.8) ? r.int(type === 1 ? 8 : type === 4 ? 4 : 2) : r.int(256);
        const info = type === 2 ? r.pick([1280, 1400, 1500, 500, 0, 0xffffffff]) : type === 4 ? r.int(80) : r.chance(0.5) ? 0 : r.u32();
        const msg = icmp6Msg(type, code, info, this.quote(iff));
        return this.frame(iff, { src: r.chance(0.7) ? this.src6(iff) : this.hostLl(), dst: r.chance(0.9) ? this.ours(iff) : this.dst6(iff), proto: 58, payload: msg });
      }
      case 'icmp6.type': {
        let type = r.pick([0, 5, 100, 101, 127, 138, 139, 140, 141, 142, 144, 145, 146, 147, 148, 151, 152, 153, 157, 160, 161, 200, 255, r.int(256)]);
        if (HANDLED6.has(type)) type = 139;
        const msg = icmp6Msg(type, r.int(256), r.u32(), r.bytes(r.range(0, 40)));
        return this.frame(iff, { src: r.chance(0.5) ? this.peer6() : this.hostLl(), dst: r.chance(0.8) ? this.strict(iff) : IN6_ALLNODES, proto: 58, payload: msg });
      }
      case 'mld.query': {
        const v2 = r.chance(0.6);
        const group = r.chance(0.6) ? IN6_ANY : r.chance(0.5) ? solicitedNode(this.ours(iff)) : ip6ToBuf('ff05::1:3');
        const msg = v2
          ? mldV2Query(r.pick([0, 1000, 10000, 0x8fff, r.int(65536)]), group, r.pick([2, 0x0a, r.int(256)]), r.pick([125, 0, r.int(256)]), Array.from({ length: r.pick([0, 0, 1, 2]) }, () => this.hostLl()))
          : mldV1(130, r.pick([0, 1000, 10000]), group);
        const dst = isAny6(group) || r.chance(0.2) ? IN6_ALLNODES : group;
        return this.frame(iff, {
          src: r.chance(0.9) ? this.hostLl() : this.peer6(), dst, hlim: r.chance(0.9) ? 1 : r.pick([64, 255]),
          exts: r.chance(0.9) ? [tlvHdr(NEXTHDR_HOP, [optRouterAlert(0)])] : [], proto: 58, payload: msg,
        });
      }
      case 'mld.report': {
        const k = r.pick(['v1', 'v1', 'done', 'v2', 'v2']);
        let msg;
        let dst;
        if (k === 'v2') {
          const recs = Array.from({ length: r.range(0, 4) }, () => mld2Record(r.range(1, 6), r.chance(0.5) ? solicitedNode(this.hostG(iff)) : ip6ToBuf('ff05::1:3'), r.chance(0.3) ? [this.hostG(iff)] : [], r.chance(0.1) ? 1 : 0));
          msg = mld2Report(recs);
          dst = r.chance(0.8) ? IN6_MLDV2_ROUTERS : IN6_ALLNODES;
        } else {
          const group = r.chance(0.5) ? solicitedNode(this.ours(iff)) : r.chance(0.5) ? solicitedNode(this.hostG(iff)) : IN6_ALLNODES;
          msg = mldV1(k === 'v1' ? 131 : 132, 0, group);
          dst = k === 'v1' ? group : IN6_ALLROUTERS;
        }
        return this.frame(iff, {
          src: r.chance(0.8) ? this.hostLl() : r.chance(0.5) ? IN6_ANY : this.peer6(), dst, hlim: 1,
          exts: r.chance(0.9) ? [tlvHdr(NEXTHDR_HOP, [optRouterAlert(0)])] : [], proto: 58, payload: msg,
        });
      }
      case 'ip6.hbh':
      case 'ip6.dstopt': {
        const hbh = base === 'ip6.hbh';
        const exts = [tlvHdr(hbh ? NEXTHDR_HOP : NEXTHDR_DEST, this.goodTlvs(hbh))];
        const [proto, payload] = r.chance(0.8) ? [58, this.echo()] : [NEXTHDR_NONE, r.bytes(r.range(0, 16))];
        return this.frame(iff, { src: this.src6(iff), dst: r.chance(0.8) ? this.ours(iff) : this.dst6(iff), exts, proto, payload });
      }
      case 'ip6.hbh.bad':
      case 'ip6.dstopt.bad': {
        const hbh = base === 'ip6.hbh.bad';
        const exts = [this.badTlvHdr(hbh)];
        // Hop-by-hop is parsed before the address checks, destination options after them.
        const dst = hbh ? this.dst6NoMartian(iff) : this.strict(iff);
        return this.frame(iff, { src: this.sane6(iff), dst, exts, proto: 58, payload: this.echo(r.range(0, 24)) });
      }
      case 'ip6.routing':
      case 'ip6.routing.segleft': {
        const segleft = base === 'ip6.routing' ? 0 : r.range(1, 3);
        const rtype = r.pick([0, 0, 2, 3, 4, 253, r.int(256)]);
        const n = rtype === 2 ? 1 : r.range(1, 3);
        const exts = [routingHdr(rtype, Math.min(segleft, n), Array.from({ length: n }, () => this.offlink()))];
        return this.frame(iff, { src: this.sane6(iff), dst: segleft ? this.strict(iff) : this.ours(iff), exts, proto: 58, payload: this.echo() });
      }
      case 'ip6.fragment':
      case 'ip6.fragment.atomic': {
        const atomic = base === 'ip6.fragment.atomic';
        const more = !atomic && r.chance(0.6);
        const off = atomic ? 0 : more && r.chance(0.5) ? 0 : r.range(1, 0x1fff);
        const exts = [fragHdr(off, more, r.u32())];
        if (atomic && r.chance(0.3)) exts.unshift(tlvHdr(NEXTHDR_DEST, this.goodTlvs(false)));
        return this.frame(iff, { src: this.sane6(iff), dst: atomic ? this.ours(iff) : this.strict(iff), exts, proto: 58, payload: this.echo() });
      }
      case 'ip6.exthdr':
        return this.exthdrChain(iff);
      case 'ip6.exthdr.trunc': {
        // A chain whose last header runs past the payload length (the packet itself is whole).
        const pick = r.pick(['hbh', 'dst', 'rt', 'frag']);
        const ext = pick === 'hbh' ? tlvHdr(NEXTHDR_HOP, [optPadN(6), optTlv(0x1e, r.bytes(8))])
          : pick === 'dst' ? tlvHdr(NEXTHDR_DEST, [optTlv(0x1e, r.bytes(12))])
            : pick === 'rt' ? routingHdr(0, 0, [this.offlink()]) : fragHdr(0, false, r.u32());
        const keep = r.range(0, ext.body.length - 1);
        const body = ext.body.subarray(0, keep);
        const dst = pick === 'hbh' ? this.dst6NoMartian(iff) : this.strict(iff);
        return this.frame(iff, { src: this.sane6(iff), dst, exts: [{ type: ext.type, body: Buffer.from(body.length ? body : Buffer.alloc(0)) }], proto: 58, payload: Buffer.alloc(0) });
      }
      case 'ip6.none':
        return this.frame(iff, { src: this.sane6(iff), dst: r.chance(0.8) ? this.strict(iff) : IN6_ALLNODES, proto: NEXTHDR_NONE, payload: r.bytes(r.range(0, 24)) });
      case 'ip6.udp':
        return this.frame(iff, { src: this.src6(iff), dst: this.dst6(iff), proto: 17, payload: udp6Msg(r.int(65536), r.pick([53, 123, 546, 547, 5353, r.int(65536)]), r.bytes(r.range(0, 64))) });
      case 'ip6.tcp': {
        const t = Buffer.alloc(20);
        t.writeUInt16BE(r.int(65536), 0);
        t.writeUInt16BE(r.pick([22, 80, 443, r.int(65536)]), 2);
        t[12] = 0x50;
        t[13] = r.pick([0x02, 0x12, 0x10, 0x04]);
        return this.frame(iff, { src: this.src6(iff), dst: this.dst6(iff), proto: 6, payload: t });
      }
      case 'ip6.proto': {
        let p = r.int(256);
        if ([0, 43, 44, 51, 58, 59, 60].includes(p)) p = 253;
        return this.frame(iff, { src: this.src6(iff), dst: r.chance(0.8) ? this.ours(iff) : this.dst6(iff), proto: p, payload: r.bytes(r.range(0, 40)) });
      }
      case 'ip6.forward': {
        const dst = r.weighted([[5, () => this.otherSubnet6()], [1, () => this.hostLl()], [1, () => this.offlink()], [0.3, () => IN6_ANY], [0.3, () => ip6ToBuf('::ffff:10.0.1.7')]])();
        const src = r.weighted([[6, () => this.hostG(iff)], [1, () => this.peer6()], [1, () => this.hostLl()], [0.5, () => IN6_ANY], [0.5, () => this.offlink()]])();
        const big = r.chance(0.05);
        const payload = r.chance(0.7) ? this.echo(big ? r.range(1300, 1452) : undefined) : udp6Msg(r.int(65536), 53, r.bytes(r.range(0, 32)));
        return this.frame(iff, { src, dst, ethDst: r.chance(0.95) ? iff.mac : mcastMac(IN6_ALLNODES), hlim: r.weighted([[6, 64], [2, 1], [1, 0], [1, 2]]), proto: payload.length > 8 && payload[0] === 128 ? 58 : 17, payload });
      }
      case 'ip6.mcast': {
        const dst = r.pick(['ff02::1', 'ff02::2', 'ff02::1:ff12:3456', 'ff05::1:3', 'ff0e::101', 'ff01::1', 'ff00::1', 'ff02::16', 'ff02::fb', 'ff12::1234', 'ff02::1:2']);
        const d = ip6ToBuf(dst);
        const [proto, payload] = r.chance(0.6) ? [58, this.echo()] : [17, udp6Msg(r.int(65536), r.pick([5353, 547, 521]), r.bytes(r.range(0, 32)))];
        return this.frame(iff, { src: this.sane6(iff), dst: d, proto, payload });
      }
      case 'ip6.martian': {
        const k = r.pick(['srcloop', 'dstloop', 'srcmc', 'srcany', 'srcv4mapped', 'dstany', 'dstscope0', 'dstiflocal']);
        let src = this.sane6(iff);
        let dst = this.ours(iff);
        if (k === 'srcloop') src = IN6_LOOPBACK;
        else if (k === 'dstloop') dst = IN6_LOOPBACK;
        else if (k === 'srcmc') src = r.pick([IN6_ALLNODES, ip6ToBuf('ff05::2'), ip6ToBuf('ff0e::1')]);
        else if (k === 'srcany') src = IN6_ANY;
        else if (k === 'srcv4mapped') src = ip6ToBuf(r.pick(['::ffff:10.0.0.9', '::ffff:127.0.0.1', '::ffff:255.255.255.255']));
        else if (k === 'dstany') dst = IN6_ANY;
        else if (k === 'dstscope0') dst = ip6ToBuf('ff00::1');
        else dst = ip6ToBuf(r.pick(['ff01::1', 'ff01::2', 'ff11::1']));
        return this.frame(iff, { src, dst, proto: 58, payload: this.echo() });
      }
      case 'nd.ns':
      case 'nd.ns.optbad':
      case 'nd.ns.llbad':
        return this.ns(iff, defectOf(base), false);
      case 'nd.ns.ucast':
        return this.ns(iff, '', true);
      case 'nd.ns.dad':
      case 'nd.ns.dad.llbad':
        return this.dadNs(iff, defectOf(base) === 'llbad');
      case 'nd.na':
      case 'nd.na.optbad':
      case 'nd.na.llbad':
        return this.na(iff, defectOf(base));
      case 'nd.rs':
      case 'nd.rs.optbad':
      case 'nd.rs.llbad':
        return this.rs(iff, defectOf(base));
      case 'nd.ra':
      case 'nd.ra.optbad':
      case 'nd.ra.llbad':
        return this.ra(iff, defectOf(base));
      case 'nd.redirect':
      case 'nd.redirect.optbad':
        return this.redirect(iff, defectOf(base));
      default:
        throw new Error(`unknown IPv6 base ${base}`);
    }
  }

  /** A sender that passes ipv6_rcv's address checks. */
  sane6(iff) {
    const r = this.r;
    return r.weighted([[3, () => this.peer6()], [2, () => this.peerLl()], [6, () => this.hostG(iff)], [4, () => this.hostLl()], [1, () => this.offlink()]])();
  }

  /** A destination that passes ipv6_rcv's address checks (ours, groups, others). */
  dst6NoMartian(iff) {
    const r = this.r;
    return r.weighted([[8, () => this.strict(iff)], [2, () => IN6_ALLNODES], [1, () => IN6_UNJOINED], [1, () => this.hostG(iff)], [1, () => this.offlink()]])();
  }

  /** Random chains of extension headers (misplaced hop-by-hop, AH, ESP, no next header...). */
  exthdrChain(iff) {
    const r = this.r;
    const exts = [];
    const n = r.range(1, 4);
    for (let i = 0; i < n; i++) {
      const k = r.weighted([[3, 'dst'], [2, 'rt'], [2, 'frag'], [1, 'hbh'], [1, 'ah']]);
      if (k === 'dst') exts.push(tlvHdr(NEXTHDR_DEST, this.goodTlvs(false)));
      else if (k === 'rt') exts.push(routingHdr(r.pick([0, 2, 4]), 0, [this.offlink()]));
      else if (k === 'frag') exts.push(fragHdr(0, false, r.u32()));
      else if (k === 'hbh') exts.push(tlvHdr(NEXTHDR_HOP, this.goodTlvs(true)));
      else exts.push(ahHdr(r.u32()));
    }
    const end = r.weighted([[5, 'echo'], [1, 'none'], [1, 'udp'], [1, 'esp'], [1, 'unknown']]);
    const [proto, payload] = end === 'echo' ? [58, this.echo()] : end === 'none' ? [NEXTHDR_NONE, Buffer.alloc(0)]
      : end === 'udp' ? [17, udp6Msg(r.int(65536), 9, r.bytes(8))] : end === 'esp' ? [NEXTHDR_ESP, r.bytes(24)] : [r.pick([253, 254, 99, 143]), r.bytes(12)];
    return this.frame(iff, { src: this.sane6(iff), dst: this.ours(iff), exts, proto, payload });
  }

  /** Where a host sends an ND message from: its link-local or global address, with its MAC. */
  ndSender(iff) {
    const r = this.r;
    const i = this.hostIdx();
    const mac = this.g.hosts[i];
    const k = r.weighted([[5, 'll'], [4, 'g'], [2, 'peer'], [0.5, 'off'], [0.3, 'ours']]);
    if (k === 'll') return { src: this.hostLl(i), mac };
    if (k === 'g') return { src: this.hostG(iff, i), mac };
    if (k === 'peer') return { src: r.chance(0.5) ? this.peer6() : this.peerLl(), mac: this.g.ctx.peer.mac };
    if (k === 'off') return { src: this.offlink(), mac };
    return { src: this.ours(iff), mac: iff.mac };
  }

  /** An NS target: ours, tentative, proxied, anycast, another host's, a group... */
  nsTarget(iff) {
    const r = this.r;
    const tent = iff.tent6 ?? [];
    const proxies = iff.proxy6 ?? [];
    return r.weighted([
      [6, () => this.ours(iff)], [tent.length ? 1.5 : 0, () => r.pick(tent).addr], [proxies.length ? 1 : 0, () => r.pick(proxies)],
      [0.7, () => this.anycast(iff)], [2, () => this.hostG(iff)], [0.5, () => ip6ToBuf('ff02::1:ff00:1')], [0.5, () => this.peer6()],
      [0.3, () => this.randAddr()],
    ])();
  }

  nd(iff, { src, dst, mac, msg, hlim = 255, exts = [] }) {
    const r = this.r;
    return this.frame(iff, { src, dst, ethSrc: r.chance(0.9) ? mac : this.hostMac(), ethDst: isMc6(dst) ? mcastMac(dst) : iff.mac, hlim, flow: 0, tc: 0, exts, proto: 58, payload: msg });
  }

  ns(iff, defect, ucast) {
    const r = this.r;
    const { src, mac } = this.ndSender(iff);
    let target = this.nsTarget(iff);
    let dst;
    if (defect) {
      // every check before the options must pass: a unicast target, a joined destination
      if (isMc6(target)) target = this.ours(iff);
      dst = r.weighted([[3, () => solicitedNode(this.strict(iff))], [2, () => this.strict(iff)], [1, () => IN6_ALLNODES]])();
    } else if (ucast) {
      dst = r.chance(0.7) && (iff.ip6.some((a) => a.equals(target))) ? target : this.strict(iff);
    } else {
      dst = r.weighted([[8, () => solicitedNode(target)], [1, () => IN6_ALLNODES], [0.5, () => solicitedNode(this.randAddr())]])();
    }
    let opts = [];
    if (r.chance(ucast ? 0.5 : 0.75)) opts.push(llOpt(1, mac));
    opts.push(...this.goodNdOpts(iff, mac, 135));
    if (r.chance(0.3)) opts = r.chance(0.5) ? opts.reverse() : opts;
    if (defect === 'optbad') opts = this.optDefect(opts);
    if (defect === 'llbad') opts.unshift(this.badLl(1, mac));
    return this.nd(iff, { src: src === IN6_ANY ? this.hostLl() : src, dst, mac, msg: ndNs(target, opts) });
  }

  dadNs(iff, llbad) {
    const r = this.r;
    const tent = iff.tent6 ?? [];
    const k = llbad ? 'ours' : r.weighted([[3, 'ours'], [tent.length ? 3 : 0, 'tent'], [1, 'other'], [1, 'proxy'], [0.5, 'allnodes']]);
    let target;
    let nonce = r.bytes(6);
    if (k === 'tent') {
      const t = r.pick(tent);
      target = t.addr;
      // our own probe looped back: the nonce matches
      if (t.nonce && r.chance(0.4)) nonce = Buffer.from(t.nonce);
    } else if (k === 'other') target = this.hostG(iff);
    else if (k === 'proxy' && (iff.proxy6 ?? []).length) target = r.pick(iff.proxy6);
    else target = llbad ? this.strict(iff) : this.ours(iff);
    const dst = k === 'allnodes' ? IN6_ALLNODES : solicitedNode(target);
    const mac = this.hostMac();
    const opts = [];
    if (r.chance(0.8)) opts.push(nonceOpt(nonce));
    if (llbad) opts.unshift(this.badLl(1, mac));
    else if (r.chance(0.1)) opts.push(llOpt(1, mac));
    if (r.chance(0.2)) opts.push(...this.goodNdOpts(iff, mac, 135).filter((o) => o[0] !== 1));
    return this.nd(iff, { src: IN6_ANY, dst, mac, msg: ndNs(target, opts) });
  }

  na(iff, defect) {
    const r = this.r;
    const { src, mac } = this.ndSender(iff);
    const tent = iff.tent6 ?? [];
    let target = r.weighted([
      [4, () => r.pick([this.peer6(), this.peerLl(), this.hostG(iff), this.hostLl()])], [1.5, () => this.ours(iff)],
      [tent.length ? 1 : 0, () => r.pick(tent).addr], [0.5, () => ip6ToBuf('ff02::1')], [1, () => this.hostG(iff)],
      [(iff.proxy6 ?? []).length ? 0.5 : 0, () => r.pick(iff.proxy6)], [0.5, () => this.randAddr()],
    ])();
    let flags = (r.chance(0.3) ? 0x80 : 0) | (r.chance(0.5) ? 0x40 : 0) | (r.chance(0.6) ? 0x20 : 0) | (r.chance(0.05) ? r.int(32) : 0);
    let dst;
    if (defect) {
      if (isMc6(target)) target = this.hostG(iff);
      flags |= 0x40;
      dst = this.strict(iff);
    } else if (flags & 0x40) dst = r.chance(0.8) ? this.strict(iff) : IN6_ALLNODES;
    else dst = r.chance(0.7) ? IN6_ALLNODES : this.strict(iff);
    const tllMac = r.chance(0.8) ? mac : this.hostMac();
    let opts = [];
    if (r.chance(0.75)) opts.push(llOpt(2, tllMac));
    opts.push(...this.goodNdOpts(iff, tllMac, 136));
    if (defect === 'optbad') opts = this.optDefect(opts);
    if (defect === 'llbad') opts.unshift(this.badLl(2, tllMac));
    return this.nd(iff, { src, dst, mac, msg: ndNa(flags, target, opts) });
  }

  rs(iff, defect) {
    const r = this.r;
    const mac = this.hostMac();
    const src = r.weighted([[6, () => eui64(LL_PREFIX, mac)], [defect ? 0 : 2, () => IN6_ANY], [2, () => this.hostG(iff)]])();
    const dst = r.chance(0.8) ? IN6_ALLROUTERS : this.strict(iff);
    let opts = [];
    if (!isAny6(src) && r.chance(0.6)) opts.push(llOpt(1, mac));
    opts.push(...this.goodNdOpts(iff, mac, 133));
    if (defect === 'optbad') opts = this.optDefect(opts);
    if (defect === 'llbad') opts.unshift(this.badLl(1, mac));
    return this.nd(iff, { src, dst, mac, msg: ndRs(opts) });
  }

  ra(iff, defect) {
    const r = this.r;
    const i = this.hostIdx();
    const peer = r.chance(0.2);
    const mac = peer ? this.g.ctx.peer.mac : this.g.hosts[i];
    const src = defect || r.chance(0.9) ? (peer ? this.peerLl() : this.hostLl(i)) : this.hostG(iff, i);
    const dst = r.chance(0.8) ? IN6_ALLNODES : this.strict(iff);
    const fields = {
      hop: r.pick([0, 64, 64, 255, 1, r.int(256)]),
      flags: r.pick([0, 0x80, 0x40, 0xc0, 0x08, 0x18, 0x10, r.int(256)]),
      lifetime: r.pick([0, 1800, 1800, 9000, 65535, r.int(65536)]),
      reach: r.pick([0, 0, 30000, 10000, 1, r.u32()]),
      retrans: r.pick([0, 0, 1000, 1, r.u32()]),
    };
    let opts = [];
    if (r.chance(0.8)) opts.push(llOpt(1, mac));
    const npio = r.weighted([[3, 0], [3, 1], [1, 2], [0.5, 3]]);
    for (let k = 0; k < npio; k++) opts.push(this.pio(iff));
    if (r.chance(0.4)) opts.push(mtuOpt(r.pick([1280, 1400, 1500, 1000, 9000, 0, r.u32()])));
    opts.push(...this.goodNdOpts(iff, mac, 134));
    if (defect === 'optbad') opts = this.optDefect(opts);
    if (defect === 'llbad') opts.unshift(this.badLl(1, mac));
    return this.nd(iff, { src, dst, mac, msg: ndRa(fields, opts) });
  }

  redirect(iff, defect) {
    const r = this.r;
    const i = this.hostIdx();
    const dest = r.chance(0.7) ? this.offlink() : this.hostG(iff);
    const target = r.chance(0.5) ? dest : this.hostLl();
    let opts = [];
    if (r.chance(0.7)) opts.push(llOpt(2, this.hostMac()));
    if (r.chance(0.6)) opts.push(redirHdrOpt(this.quote(iff)));
    if (r.chance(0.2)) opts.push(...this.goodNdOpts(iff, this.hostMac(), 137));
    if (defect === 'optbad') opts = this.optDefect(opts);
    return this.nd(iff, { src: this.hostLl(i), dst: this.strict(iff), mac: this.g.hosts[i], msg: ndRedirect(target, dest, opts) });
  }

  // -- mutations --

  /** Mutates an IPv6 frame; returns { frame, name } (generic mutations go back to the generator). */
  mutate(frame, name, iff) {
    const r = this.r;
    const b = Buffer.from(frame);
    const ok = b.length >= 54 && b.readUInt16BE(12) === ETH_P_IPV6;
    const u = ok ? ip6Upper(b) : null;
    const icmp = u !== null && u.pos >= 0 && u.nh === NEXTHDR_ICMP && u.pos + 4 <= u.end;
    if (name === 'trunc') {
      const at = r.weighted([[1, () => r.int(14)], [3, () => 14 + r.int(40)], [2, () => 54 + r.int(Math.max(1, b.length - 54))]])();
      const cut = Math.min(at, b.length);
      const what = cut < 14 ? 'eth' : !ok ? 'l3' : cut < 54 ? 'ip6hdr' : cut < b.length ? 'ip6payload' : 'none';
      return { frame: b.subarray(0, cut), name: `trunc.${what}` };
    }
    if (name === 'bitflip.fixcsum') {
      const n = r.range(1, 8);
      for (let i = 0; i < n && b.length > 14; i++) b[14 + r.int(b.length - 14)] ^= 1 << r.int(8);
      if (ok) fixUpperCsum6(b);
      return { frame: b, name };
    }
    if (!name.startsWith('ip6.') && !name.startsWith('icmp6.')) return this.g.mutate(frame, name, 'ip6', iff);
    if (!ok) return this.mutate(frame, 'trunc', iff);
    const o = 14;
    switch (name) {
      case 'ip6.version':
        b[o] = (r.pick([0, 4, 5, 7, 15]) << 4) | (b[o] & 15);
        return { frame: b, name };
      case 'ip6.plen': {
        const len = b.length - 54;
        const long = r.chance(0.5);
        let v = long ? r.pick([len + 1, len + 8, len + 100, 0xffff, r.range(len + 1, 0xffff)]) : r.int(Math.max(1, len));
        if (long && len >= 0xffff) v = 0xffff;
        if (!long && v === 0 && b[o + 6] === NEXTHDR_HOP) v = 1;
        b.writeUInt16BE(Math.min(0xffff, v), o + 4);
        return { frame: b, name: `ip6.plen.${v > len ? 'long' : 'short'}` };
      }
      case 'ip6.hlim':
        b[o + 7] = r.pick([0, 1, 2, 64, 128, 254]);
        return { frame: b, name };
      case 'ip6.nexthdr':
        b[o + 6] = r.pick([253, 254, 99, 143, 200, 255, 6, 17]);
        return { frame: b, name };
      case 'ip6.flow':
        b.writeUInt32BE(((6 << 28) | (r.int(256) << 20) | r.int(0x100000)) >>> 0, o);
        return { frame: b, name };
      case 'ip6.saddr': {
        const which = r.pick(['any', 'loop', 'mcast', 'own', 'v4mapped', 'll']);
        const v = which === 'any' ? IN6_ANY : which === 'loop' ? IN6_LOOPBACK : which === 'mcast' ? ip6ToBuf('ff02::1')
          : which === 'own' ? this.ours(iff) : which === 'v4mapped' ? ip6ToBuf('::ffff:10.0.0.9') : this.hostLl();
        v.copy(b, o + 8);
        fixUpperCsum6(b);
        return { frame: b, name: `ip6.saddr.${which}` };
      }
      case 'ip6.daddr': {
        const which = r.pick(['loop', 'iflocal', 'scope0', 'unjoined', 'other', 'any']);
        const v = which === 'loop' ? IN6_LOOPBACK : which === 'iflocal' ? ip6ToBuf('ff01::1') : which === 'scope0' ? ip6ToBuf('ff00::1')
          : which === 'unjoined' ? IN6_UNJOINED : which === 'other' ? this.offlink() : IN6_ANY;
        v.copy(b, o + 24);
        if (isMc6(v)) mcastMac(v).copy(b, 0);
        fixUpperCsum6(b);
        return { frame: b, name: `ip6.daddr.${which}` };
      }
      case 'ip6.frag':
      case 'ip6.frag.atomic':
      case 'ip6.hbh': {
        let ext;
        let n = name;
        if (name === 'ip6.hbh') {
          if (b[o + 6] === NEXTHDR_HOP) return this.mutate(frame, 'ip6.frag.atomic', iff);
          const bad = r.chance(0.5);
          ext = bad ? this.badTlvHdr(true) : tlvHdr(NEXTHDR_HOP, this.goodTlvs(true));
          n = bad ? 'ip6.hbh.drop' : 'ip6.hbh.skip';
          // a malformed length would make this a truncation, not an option problem
          if (bad) while (ext.body[1] !== ext.body.length / 8 - 1) ext = this.badTlvHdr(true);
        } else ext = name === 'ip6.frag' ? fragHdr(r.chance(0.5) ? 0 : r.range(1, 0x1fff), true, r.u32()) : fragHdr(0, false, r.u32());
        const m = insertExt6(b, ext);
        if (m === null) return this.mutate(frame, 'trunc', iff);
        return { frame: m, name: n };
      }
    }
    // ICMPv6 mutations need an ICMPv6 header within the payload.
    if (!icmp) return this.mutate(frame, name === 'icmp6.csum' ? 'ip6.plen' : 'ip6.nexthdr', iff);
    const t = u.pos;
    switch (name) {
      case 'icmp6.csum':
        b[t + 2] ^= 1 + r.int(255);
        return { frame: b, name };
      case 'icmp6.code':
        b[t + 1] = r.range(1, 255);
        fixUpperCsum6(b);
        return { frame: b, name };
      case 'icmp6.type':
        b[t] = r.int(256);
        b[t + 1] = r.int(256);
        fixUpperCsum6(b);
        return { frame: b, name };
    }
    return { frame: b, name };
  }
}

// ---- what the stack transmits ------------------------------------------------------------------

/**
 * The checks on one IPv6 frame the stack sent on `dev` (its MAC `mac`): `ours` holds every address
 * of the stack, `fwdFrom` the device a forwarded packet came in on (null: the stack made it).
 * Calls `bad(problem)` for each problem found.
 */
export function checkIpv6Frame(f, devName, mac, ours, fwd, bad) {
  if (f.length < 54) return bad('malformed IPv6 header sent');
  if (f[14] >> 4 !== 6) bad('IPv6 sent with a version other than 6');
  const plen = f.readUInt16BE(18);
  if (54 + plen !== f.length) bad('IPv6 payload length does not match the sent frame');
  const hlim = f[21];
  const S = 22;
  const D = 38;
  const dstMc = isMc6(f, D);
  // (A unicast destination goes to whatever MAC its neighbour entry holds: ndisc checks only the
  // length of a link-layer address option, so Linux 6.18 too answers an NS whose SLLAO is
  // db:30:0f:c8:9f:96 to that multicast MAC — measured. Only the group mapping is checked.)
  if (dstMc && !(f[0] === 0x33 && f[1] === 0x33 && f[2] === f[D + 12] && f[3] === f[D + 13] && f[4] === f[D + 14] && f[5] === f[D + 15])) {
    bad('IPv6 multicast sent to a MAC other than 33:33 + the group\'s low 32 bits');
  }
  if (isMc6(f, S)) bad('IPv6 sent with a multicast source');
  if (isLoop6(f, S) || isLoop6(f, D)) bad('IPv6 sent to or from ::1 on the wire');
  // (`::` as a destination is not refused here: Linux 6.18 answers an echo request from `::`,
  // through a default route or by resolving `::` on an on-link ::/0 — measured. Errors and ND
  // never go there: see below.)
  if (dstMc && (f[D + 1] & 0x0f) <= 1) bad('IPv6 sent to a multicast group of scope 0 or interface-local');
  if (hlim === 0) bad('IPv6 sent with hop limit 0');
  // A packet fed in and sent on with its hop limit one lower was forwarded (the same bytes with
  // the same hop limit are something the stack made itself that the fuzz had sent first).
  if (fwd !== null && hlim === fwd.hlim - 1) {
    // ip6_forward: never :: or a link-local address to another link, never multicast
    if (fwd.dev !== devName && isAny6(f, S)) bad('forwarded a packet from :: to another interface');
    if (isLl6(f, S) || isLl6(f, D)) bad('forwarded a link-local packet');
    if (dstMc) bad('forwarded a multicast packet');
    return;
  }
  const src = f.subarray(S, S + 16);
  const fromUs = ours.some((a) => a.equals(src));
  const fromAny = isAny6(f, S);
  if (isV4mapped6(f, S)) bad('IPv6 sent with a v4-mapped source');
  const u = ip6Upper(f);
  if (u.pos < 0) return bad('IPv6 with a malformed extension header chain originated');
  if (u.nh === 6) {
    // TCP (the rig's connections and listeners): from one of our addresses, unicast, summed right.
    if (!fromUs) bad('TCP over IPv6 sent from an address that is not ours');
    if (dstMc) bad('TCP over IPv6 sent to a multicast address');
    if (u.pos + 20 > u.end || csum6(f, u.pos, u.end - u.pos, f, S, f, D, 6) !== 0) bad('TCP over IPv6 sent with a wrong checksum');
    return;
  }
  if (u.nh !== NEXTHDR_ICMP) return bad(`IPv6 with next header ${u.nh} originated (only ICMPv6 is)`);
  const t = u.pos;
  const len = u.end - t;
  if (len < 8) return bad('ICMPv6 shorter than 8 bytes originated');
  if (csum6(f, t, len, f, S, f, D, NEXTHDR_ICMP) !== 0) bad('ICMPv6 checksum wrong in a packet we originated');
  const type = f[t];
  if (!fromUs && !(fromAny && (type === 135 || type === 143 || type === 133))) bad(`ICMPv6 type ${type} sent from an address that is not ours`);
  if (fromAny && type !== 135 && type !== 143 && type !== 133) bad(`ICMPv6 type ${type} sent from ::`);
  if (u.hbhAlert >= 0 && type !== 143) bad('hop-by-hop router alert on something other than an MLD report');
  if (isAny6(f, D) && type !== 128 && type !== 129) bad(`ICMPv6 type ${type} sent to ::`);
  if (type >= 133 && type <= 137) {
    if (hlim !== 255) bad('ND sent with a hop limit other than 255');
    if ((f.readUInt32BE(14) & 0xfffff) !== 0) bad('ND sent with a flow label');
    if (f[t + 1] !== 0) bad('ND sent with a code other than 0');
    if (u.frag) bad('ND sent with a fragment header');
    if (type === 134) bad('router advertisement sent (a host never sends one)');
    if (type === 137 && !isLl6(f, S)) bad('redirect sent from a source that is not link-local');
    const fixed = type === 133 ? 8 : type === 134 ? 16 : type === 137 ? 40 : 24;
    if (len < fixed) return bad(`ND type ${type} shorter than its fixed part sent`);
    let sll = false;
    for (let o = t + fixed; o < u.end; ) {
      if (o + 2 > u.end || f[o + 1] === 0 || o + f[o + 1] * 8 > u.end) {
        bad('ND sent with a malformed option area');
        break;
      }
      if (f[o] === 1 || f[o] === 2) {
        if (f[o] === 1) sll = true;
        if (f[o + 1] !== 1) bad('ND link-layer address option of the wrong length sent');
        else if (!f.subarray(o + 2, o + 8).equals(mac)) bad('ND link-layer address option with a MAC that is not ours');
      }
      o += f[o + 1] * 8;
    }
    if (type === 135 || type === 136) {
      if (isMc6(f, t + 8)) bad('NS/NA with a multicast target sent');
    }
    if (type === 135) {
      if (fromAny && (sll || !(dstMc && eq16(f, D, solicitedNode(f.subarray(t + 8, t + 24)), 0)))) bad('DAD NS not to the target\'s solicited-node group, or with an SLLAO');
      if (dstMc && !eq16(f, D, solicitedNode(f.subarray(t + 8, t + 24)), 0)) bad('multicast NS not to the target\'s solicited-node group');
    }
    if (type === 136 && dstMc && f[t + 4] & 0x40) bad('NA with the solicited flag sent to a multicast group');
    if (type === 133) {
      if (!eq16(f, D, IN6_ALLROUTERS, 0)) bad('RS sent to an address other than ff02::2');
      if (fromAny && sll) bad('RS from :: with an SLLAO');
    }
  } else if (type === 143) {
    if (hlim !== 1) bad('MLD report sent with a hop limit other than 1');
    if (!eq16(f, D, IN6_MLDV2_ROUTERS, 0)) bad('MLDv2 report sent to an address other than ff02::16');
    if (u.hbhAlert !== 0) bad('MLD report sent without a router alert (value 0) in a hop-by-hop header');
    if (!fromAny && !isLl6(f, S)) bad('MLD report sent from a source that is neither :: nor link-local');
  } else if (type === 129 || type === 128) {
    if (dstMc) bad('ICMPv6 echo sent to a multicast group');
  } else if (type >= 1 && type <= 4) {
    if (dstMc) bad('ICMPv6 error sent to a multicast group');
    if (40 + plen > 1280) bad('ICMPv6 error longer than 1280 bytes');
    const q = t + 8;
    if (q + 40 <= f.length) {
      if (!eq16(f, D, f, q + 8)) bad('ICMPv6 error not sent to the source of the packet it quotes');
      const inner = ip6Upper(Buffer.concat([Buffer.alloc(14), f.subarray(q, Math.min(f.length, q + 40 + f.readUInt16BE(q + 4)))]));
      if (inner.pos >= 0 && inner.nh === NEXTHDR_ICMP && inner.pos < inner.end && f[q - 14 + inner.pos] < 128) bad('ICMPv6 error about an ICMPv6 error');
    }
  } else bad(`ICMPv6 type ${type} sent`);
}

/** The key under which the rig remembers an IPv6 packet it fed in, to recognise it forwarded. */
export function fwdKey6(f) {
  if (f.length < 54 || f.readUInt16BE(12) !== ETH_P_IPV6) return null;
  const end = 54 + f.readUInt16BE(18);
  if (end > f.length) return null;
  return f.toString('latin1', 18, 21) + f.toString('latin1', 22, end);
}

// ---- the accounting ----------------------------------------------------------------------------

/**
 * IPv6 counters that record an input frame the stack did not act on; with DROP_COUNTERS (IPv4)
 * every frame neither answered nor delivered moves exactly one of them. Left out because they
 * refine counters listed here: ip6.drops.* (except otherhost, mcastNotJoined and nodata, which
 * count in no Ip6 counter of their own: InReceives, InMcastPkts and InDelivers say nothing about
 * a drop) — badAddr/exthdr/unknownOption/routingHeader/hopLimitExceeded ⊆ inHdrErrors,
 * fragment = reasmFails, notForUs/fwdLinkLocal ⊆ inAddrErrors, disabled/fwdNotHost ⊆
 * inDiscards, fragNeeded ⊆ inTooBigErrors; icmp6.inCsumErrors ⊆ icmp6.inErrors.
 */
export const DROP_COUNTERS6 = [
  'ip6.drops.otherhost', 'ip6.inDiscards', 'ip6.inHdrErrors', 'ip6.inTruncatedPkts', 'ip6.drops.mcastNotJoined',
  'ip6.inAddrErrors', 'ip6.reasmFails', 'ip6.inUnknownProtos', 'ip6.inNoRoutes', 'ip6.inTooBigErrors', 'ip6.drops.nodata',
  'icmp6.inErrors', 'icmp6.unhandledType',
  // UDP over IPv6 (no sockets in the rig): a closed port, a bad header/length/checksum, an
  // unwanted multicast (udp6.drops.* and inCsumErrors refine inErrors).
  'udp6.noPorts', 'udp6.inErrors', 'udp6.ignoredMulti',
  ...['fragmented', 'badHopLimitOrCode', 'tooShort', 'badOptions', 'badLladdr', 'targetMulticast', 'badDad', 'nsNotForUs',
    'nsTentative', 'dadLooped', 'nsNoEntry', 'naSolicitedMulticast', 'naUnsolicitedDropped', 'naOwnAddress', 'naUntracked',
    'naFailedEntry', 'naOwnProxy', 'rsIgnored', 'raNotLinkLocal', 'redirect', 'noInet6Dev', 'dadEnded'].map((k) => `ndisc.drops.${k}`),
  'nd.extra.proxyQueueDrops',
];

/** IPv6 counters of a failed answer (the input was accepted, the reply could not leave). */
export const ANSWER_FAIL_COUNTERS6 = [
  'icmp6.echoDropped', 'icmp6.outErrors', 'icmp6.outRateLimitHost', 'icmp6.outRateLimitGlobal', 'icmp6.outSuppressed',
  'ip6.outNoRoutes', 'ip6.outDiscards', 'ip6.fragFails',
  'nd.tableFulls', 'nd.unresDiscards', 'nd.extra.eventSendDrops', 'nd.extra.blackholeDrops',
];

/** IPv6 evidence of an answer. */
export const ANSWER_COUNTERS6 = ['icmp6.outEchoReplies', 'ndisc.txNa', 'ip6.outForwDatagrams'];

/**
 * IPv6 evidence of a delivery: a message that reached its handler and needs no answer. Echo
 * requests and NS are not here: they must be answered, dropped, or fail on a counter.
 */
export const DELIVERY_COUNTERS6 = [
  'icmp6.inEchoReplies', 'icmp6.inDestUnreachs', 'icmp6.inPktTooBigs', 'icmp6.inTimeExcds', 'icmp6.inParmProblems',
  'mld.rxIgnored', 'ndisc.rxNa', 'ndisc.rxRs', 'ndisc.rxRa', 'ndisc.dadFailures', 'ndisc.redirectAccepted',
];

/**
 * What each IPv6 frame kind must do, as [kind pattern, counters, mode, extra pre-empting
 * counters]: 'all' — every frame of the kind moved one of the counters (or a pre-empting one);
 * 'some' — a kind of 20 frames or more moved it at least once. A counter named `outcome:X`
 * stands for the outcome X (answered, delivered, ...). Shared by test/unit/fuzz_rx.test.ts and
 * test/integration/fuzz_tap.test.ts.
 */
const ND_PRE = ['ip6.drops.mcastNotJoined', 'ip6.inAddrErrors'];
export const EXPECTATIONS6 = [
  [/^(ip6|icmp6|nd|mld)\..*\/trunc\.ip6hdr$/, ['ip6.inHdrErrors'], 'all'],
  // (a martian source from the generator's pools is a header error first)
  [/^(ip6|icmp6|nd|mld)\..*\/trunc\.ip6payload$/, ['ip6.inTruncatedPkts'], 'all', ['ip6.inHdrErrors']],
  [/\/ip6\.version$/, ['ip6.inHdrErrors'], 'all'],
  [/\/ip6\.plen\.long$/, ['ip6.inTruncatedPkts'], 'all', ['ip6.inHdrErrors']],
  [/^(?!ip6\.(hbh|exthdr)).*\/ip6\.plen\.short$/, ['icmp6.inErrors', 'ip6.inHdrErrors', 'ip6.drops.mcastNotJoined', 'ip6.inAddrErrors'], 'some'],
  [/\/ip6\.saddr\.(loop|mcast)$/, ['ip6.inHdrErrors'], 'all'],
  [/\/ip6\.daddr\.(loop|iflocal|scope0)$/, ['ip6.inHdrErrors'], 'all'],
  [/^(?!ip6\.(hbh|exthdr|martian)).*\/ip6\.daddr\.unjoined$/, ['ip6.drops.mcastNotJoined'], 'all', ['ip6.inHdrErrors']],
  [/\/ip6\.hbh\.drop$/, ['ip6.inHdrErrors', 'ip6.inTruncatedPkts'], 'all', ['ip6.inHdrErrors']],
  [/^(?!ip6\.(forward|mcast|martian)).*\/ip6\.nexthdr$/, ['ip6.inUnknownProtos'], 'some'],
  [/^(ip6|icmp6|nd|mld)\..*\/dstmac\.(other|zero)$/, ['ip6.drops.otherhost'], 'all'],
  [/^(icmp6|nd|mld)\..*\/icmp6\.csum$/, ['icmp6.inErrors'], 'some'],
  [/^nd\..*\/icmp6\.csum$/, ['icmp6.inErrors'], 'all', ND_PRE],
  [/^nd\..*\/(ip6\.hlim|icmp6\.code)$/, ['ndisc.drops.badHopLimitOrCode'], 'all', ND_PRE],
  [/^nd\..*\/ip6\.frag\.atomic$/, ['ndisc.drops.fragmented'], 'all', ND_PRE],
  [/^nd\..*\/ip6\.frag$/, ['ip6.reasmFails'], 'all', ND_PRE],
  [/\/ip6\.frag$/, ['ip6.reasmFails'], 'some'],
  [/^nd\.(ns|na|rs|ra)\.optbad(\/(ip6\.flow|pad|srcmac\..*))?$/, ['ndisc.drops.badOptions'], 'some'],
  [/^nd\.(ns|na|ra)\.optbad$/, ['ndisc.drops.badOptions'], 'all', ND_PRE],
  [/^nd\.rs\.optbad$/, ['ndisc.drops.badOptions', 'ndisc.drops.rsIgnored'], 'all', ND_PRE],
  [/^nd\.(ns|ns\.dad|na|ra)\.llbad$/, ['ndisc.drops.badLladdr'], 'all', ND_PRE],
  [/^nd\.rs\.llbad$/, ['ndisc.drops.badLladdr', 'ndisc.drops.rsIgnored'], 'all', ND_PRE],
  [/^nd\.redirect(\.optbad)?$/, ['ndisc.drops.redirect', 'ndisc.drops.badOptions', 'ndisc.drops.badLladdr', 'outcome:delivered'], 'all', ND_PRE],
  [/^nd\.ns$/, ['outcome:answered'], 'some'],
  [/^nd\.ns$/, ['ndisc.drops.nsNotForUs'], 'some'],
  [/^nd\.ns\.ucast$/, ['outcome:answered'], 'some'],
  [/^nd\.ns\.dad$/, ['outcome:answered'], 'some'],
  [/^nd\.ns\.dad$/, ['ndisc.drops.badDad'], 'some'],
  [/^nd\.na$/, ['ndisc.drops.naUntracked'], 'some'],
  [/^nd\.na$/, ['ndisc.drops.naOwnAddress'], 'some'],
  [/^nd\.na$/, ['outcome:delivered'], 'some'],
  [/^nd\.ra$/, ['outcome:delivered'], 'some'],
  [/^nd\.rs$/, ['ndisc.drops.rsIgnored', 'ip6.drops.mcastNotJoined'], 'some'],
  [/^icmp6\.echo$/, ['outcome:answered'], 'some'],
  [/^icmp6\.echoreply$/, ['outcome:delivered'], 'some'],
  [/^icmp6\.(unreach|toobig|timeexc|paramprob)$/, ['outcome:delivered'], 'some'],
  [/^icmp6\.type$/, ['icmp6.unhandledType'], 'all', ['ip6.inAddrErrors']],
  [/^mld\.(query|report)$/, ['outcome:delivered'], 'some'],
  [/^mld\.report$/, ['ip6.drops.mcastNotJoined'], 'some'],
  [/^ip6\.hbh\.bad$/, ['ip6.inHdrErrors', 'ip6.inTruncatedPkts'], 'all'],
  [/^ip6\.dstopt\.bad$/, ['ip6.inHdrErrors', 'ip6.inTruncatedPkts'], 'all', ['ip6.inAddrErrors']],
  [/^ip6\.(hbh|dstopt|routing|fragment\.atomic)$/, ['outcome:answered'], 'some'],
  [/^ip6\.routing\.segleft$/, ['ip6.inHdrErrors'], 'all', ['ip6.inAddrErrors']],
  [/^ip6\.fragment$/, ['ip6.reasmFails'], 'all', ['ip6.inAddrErrors']],
  [/^ip6\.exthdr\.trunc$/, ['ip6.inHdrErrors'], 'all', ['ip6.inAddrErrors', 'ip6.drops.mcastNotJoined']],
  [/^ip6\.exthdr$/, ['ip6.inUnknownProtos'], 'some'],
  [/^ip6\.none$/, ['ip6.drops.nodata'], 'all', ['ip6.inAddrErrors']],
  [/^ip6\.proto$/, ['ip6.inUnknownProtos'], 'some'],
  [/^ip6\.tcp$/, ['tcpExt.tcpNoPort', 'tcp.inErrs'], 'some'],
  [/^ip6\.udp$/, ['udp6.noPorts', 'ip6.inUnknownProtos'], 'some'],
  [/^ip6\.forward$/, ['ip6.inAddrErrors'], 'some'],
  [/^ip6\.mcast$/, ['ip6.drops.mcastNotJoined'], 'some'],
  [/^ip6\.mcast$/, ['ip6.inHdrErrors'], 'some'],
  [/^ip6\.martian$/, ['ip6.inHdrErrors'], 'some'],
  [/^eth\.ipv6$/, ['ip6.inHdrErrors'], 'some'],
];

/** The IPv6 frame kinds and mutations a run must have drawn (as the IPv4 lists in the test). */
export const KINDS6 = BASE6_TABLE.map(([, k]) => k);
export const MUTATIONS6 = ['trunc.ip6hdr', 'trunc.ip6payload', 'ip6.version', 'ip6.plen', 'ip6.hlim', 'ip6.nexthdr', 'ip6.saddr',
  'ip6.daddr', 'ip6.flow', 'icmp6.csum', 'icmp6.code', 'icmp6.type', 'ip6.frag', 'ip6.hbh'];
