// Fixtures for IPv6 neighbour discovery / addrconf table tests: one Stack with IPv6 on and an
// in-memory pair device whose far end belongs to no stack (what the stack sends is only recorded),
// a raw NS/NA/RS/RA/Redirect frame builder (ndisc_wire emitters + icmp6FillChecksum) in which every
// field can be corrupted, and views of what the stack transmitted.
import { ManualClock } from '../../src/core/clock.js';
import { LL_RESERVED_SPACE, PACKET_LOOPBACK, SkBuff, allocSkb } from '../../src/core/skbuff.js';
import { PairDevice, createPair } from '../../src/drivers/pair.js';
import { ethTypeTrans } from '../../src/ethernet/eth.js';
import { ETH_HLEN, emitEthHeader } from '../../src/ethernet/ethhdr.js';
import { formatMac } from '../../src/ethernet/mac.js';
import { IPPROTO_ICMPV6, icmp6Check, icmp6FillChecksum } from '../../src/ipv6/icmp6hdr.js';
import { type Inet6Dev, type Inet6Ifaddr, in6DevGet } from '../../src/ipv6/if_inet6.js';
import { formatIn6, ipv6EthMcMap, parseIn6 } from '../../src/ipv6/in6_addr.js';
import { ip6Send } from '../../src/ipv6/ip6_output.js';
import { IPV6_HDR_LEN, writeIpv6Header } from '../../src/ipv6/ipv6hdr.js';
import type { NdiscDrops } from '../../src/ipv6/ndisc.js';
import {
  ND_OPT_NONCE,
  ND_OPT_SOURCE_LL_ADDR,
  ND_OPT_TARGET_LL_ADDR,
  NDISC_NEIGHBOUR_ADVERTISEMENT,
  NDISC_NEIGHBOUR_SOLICITATION,
  NDISC_REDIRECT,
  NDISC_ROUTER_ADVERTISEMENT,
  NDISC_ROUTER_SOLICITATION,
  type RaFields,
  writeLlAddrOpt,
  writeMtuOpt,
  writeNa,
  writeNonceOpt,
  writeNs,
  writePio,
  writeRa,
  writeRedirect,
  writeRs,
} from '../../src/ipv6/ndisc_wire.js';
import type { Neighbour } from '../../src/neighbour/neighbour.js';
import { NTF_ROUTER, nudStateNames } from '../../src/neighbour/nud.js';
import { RTF_EXPIRES, type Rt6Info } from '../../src/ipv6/route.js';
import { Stack } from '../../src/stack.js';

export function mac(s: string): Buffer {
  return Buffer.from(s.split(':').map((x) => parseInt(x, 16)));
}

export function in6(s: string): Buffer {
  const a = parseIn6(s);
  if (a === null) throw new Error(`bad IPv6 address ${s}`);
  return a;
}

/** The host under test: the reference's A (`ndr-a0`). */
export const MAC_A = mac('02:00:00:00:0a:01');
export const LL_A = 'fe80::ff:fe00:a01';
export const ADDR_A = 'fd00:1::a';
/** The router of the RA tables (the reference's B). */
export const MAC_B = mac('02:00:00:00:0b:01');
export const LL_B = 'fe80::ff:fe00:b01';
/** Other hosts on the wire. */
export const MAC_C = mac('02:00:00:00:0c:01');
export const MAC_C2 = mac('02:00:00:00:0c:02');
export const MAC_D = mac('02:00:00:00:0d:01');
export const MAC_E = mac('02:00:00:00:0e:01');
export const ALL_NODES = 'ff02::1';
export const ALL_ROUTERS = 'ff02::2';

/** Solicited-node group of an address (text). */
export function snm(addr: string): string {
  const a = in6(addr);
  return formatIn6(Buffer.from([0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, a[13], a[14], a[15]]));
}

/** The Ethernet address an IPv6 destination maps to: 33:33:… for multicast, else `unicast`. */
export function ethFor(dst: string, unicast: Buffer = MAC_A): Buffer {
  const d = in6(dst);
  if (d[0] !== 0xff) return unicast;
  const m = Buffer.alloc(6);
  ipv6EthMcMap(d, 0, m, 0);
  return m;
}

/**
 * Deterministic randomness for the stack: `value` unless `queue` has entries (consumed first).
 * Never return a value below 1/256 for long: DAD nonces are drawn until non-zero.
 */
export class Rand {
  value = 0.5;
  readonly queue: number[] = [];
  /** Every value handed out, in order. */
  readonly drawn: number[] = [];
  readonly fn = (): number => {
    const v = this.queue.length ? this.queue.shift()! : this.value;
    this.drawn.push(v);
    return v;
  };
}

export interface Host6Options {
  /** Addresses added (nodad unless listed in `dad`) while the device is down. Default [fd00:1::a/64]. */
  addrs?: string[];
  /** Addresses of `addrs` that go through DAD. */
  dad?: string[];
  /** net.ipv6.conf.ea.* written before the device comes up. router_solicitations defaults to 0 here. */
  conf?: Record<string, number>;
  /** net.ipv6.conf.all.* written before the device comes up. */
  all?: Record<string, number>;
  /** Bring the device up (default true). */
  up?: boolean;
  /** Advance until the link-local finished DAD and forget what was sent (default true when up). */
  settle?: boolean;
  /** Stack randomness (default 0.5 throughout). */
  rand?: Rand;
  /** The device's MAC (default MAC_A). */
  mac?: Buffer;
}

export interface Host6 {
  clock: ManualClock;
  rand: Rand;
  stack: Stack;
  ea: PairDevice;
  /** The unregistered far end (kept so nothing is garbage-collected mid-test). */
  wire: PairDevice;
  logs: string[];
}

const live: Host6[] = [];

/** Hosts built since the last call; the test file checks invariants and closes them. */
export function takeLive6(): Host6[] {
  return live.splice(0, live.length);
}

/** Link-local DAD: the random delay (≤ 1 s) plus one retrans_time, with margin. */
export const SETTLE_MS = 2500;

export function makeHost6(o: Host6Options = {}): Host6 {
  const clock = new ManualClock();
  const rand = o.rand ?? new Rand();
  const stack = new Stack({ clock, random: rand.fn, ipv6: true });
  const [ea, wire] = createPair('ea', 'wa', o.mac ?? MAC_A, MAC_C);
  // The far end is no stack's: nothing is delivered back.
  ea.peer = null;
  ea.record = true;
  stack.addDevice(ea, { up: false });
  const h: Host6 = { clock, rand, stack, ea, wire, logs: [] };
  stack.on('log', (l: string) => h.logs.push(l));
  live.push(h);
  for (const [k, v] of Object.entries(o.all ?? {})) setConf6(h, 'all', k, v);
  const conf = { router_solicitations: 0, ...o.conf };
  for (const [k, v] of Object.entries(conf)) setConf6(h, 'ea', k, v);
  for (const a of o.addrs ?? [`${ADDR_A}/64`]) {
    const bare = a.split('/')[0];
    stack.addAddress(ea, a, { nodad: !(o.dad ?? []).includes(bare) });
  }
  if (o.up ?? true) {
    stack.linkSet(ea, { up: true });
    if (o.settle ?? true) {
      clock.advance(SETTLE_MS);
      ea.sent.length = 0;
    }
  }
  return h;
}

export function idevOf(h: Host6): Inet6Dev {
  const i = in6DevGet(h.ea);
  if (!i) throw new Error('ea has no inet6_dev');
  return i;
}

/** A second device `eb` (MAC 02:00:00:00:0a:02) on its own unconnected pair, up. */
export function addSecondDev(h: Host6): PairDevice {
  const [eb, wb] = createPair('eb', 'wb', mac('02:00:00:00:0a:02'), MAC_D);
  eb.peer = null;
  eb.record = true;
  h.stack.addDevice(eb);
  void wb;
  return eb;
}

/** Writes net.ipv6.conf.{all,default,DEV}.NAME through sysctl (with the kernel's side effects). */
export function setConf6(h: Host6, scope: 'all' | 'default' | 'ea' | 'eb', name: string, value: number): void {
  h.stack.sysctl.set(`net.ipv6.conf.${scope}.${name}`, String(value));
}

export function getConf6(h: Host6, name: string): number {
  return idevOf(h).cnf.get(name);
}

/** One of our addresses, by text. */
export function ifaOf(h: Host6, addr: string): Inet6Ifaddr | null {
  const a = in6(addr);
  return idevOf(h).addrList.find((x) => x.addr.equals(a)) ?? null;
}

/** `ip -6 addr` lines: "ADDR/LEN FLAGWORDS" in list order, e.g. "fd00:1::a/64 nodad". */
export function addrLines(h: Host6): string[] {
  return h.stack.addresses('inet6').map((a) => `${a.local}/${a.prefixLen}${a.flagWords.length ? ' ' + a.flagWords.join(' ') : ''}`);
}

/** Clears what the device recorded so far. */
export function clearSent(h: Host6): void {
  h.ea.sent.length = 0;
}

// ---- frames in ---------------------------------------------------------------------------------

/** One ND option: prepared bytes, or a shorthand. */
export type OptSpec =
  | { sllao: Buffer; len?: number }
  | { tllao: Buffer; len?: number }
  | { nonce: Buffer }
  | { mtu: number }
  | { pio: { prefix: string; plen?: number; flags?: number; valid: number; preferred: number } }
  | { raw: Buffer };

function optBytes(o: OptSpec): Buffer {
  if ('raw' in o) return o.raw;
  if ('sllao' in o || 'tllao' in o) {
    const m = 'sllao' in o ? o.sllao : o.tllao;
    const units = o.len ?? 1;
    const b = Buffer.alloc(Math.max(8, units * 8));
    writeLlAddrOpt(b, 0, 'sllao' in o ? ND_OPT_SOURCE_LL_ADDR : ND_OPT_TARGET_LL_ADDR, m);
    b[1] = units;
    return units === 0 ? b.subarray(0, 8) : b;
  }
  if ('nonce' in o) {
    const b = Buffer.alloc(8);
    writeNonceOpt(b, 0, o.nonce);
    return b;
  }
  if ('mtu' in o) {
    const b = Buffer.alloc(8);
    writeMtuOpt(b, 0, o.mtu);
    return b;
  }
  const p = o.pio;
  const b = Buffer.alloc(32);
  writePio(b, 0, p.plen ?? 64, p.flags ?? 0xc0, p.valid, p.preferred, in6(p.prefix));
  return b;
}

/** The IPv6/Ethernet envelope of a hand-made ND message; every field may be set or broken. */
export interface Envelope {
  src: string;
  dst: string;
  /** Default 255. */
  hopLimit?: number;
  /** ICMPv6 code (default 0). */
  code?: number;
  /** Ethernet destination (default: the IPv6 destination's mapping, our MAC for unicast). */
  ethDst?: Buffer;
  /** Ethernet source (default MAC_C). */
  ethSrc?: Buffer;
  /** Options after the fixed part, in order. */
  opts?: OptSpec[];
  /** Corrupt the checksum (after computing it). */
  badCsum?: boolean;
  /** Cut the ICMPv6 message to this many bytes (after the checksum is computed over the cut). */
  icmpLen?: number;
  /** Put an 8-byte fragment header (offset 0, M=1, i.e. a real first fragment) before ICMPv6. */
  fragment?: boolean;
  /** Atomic fragment header (offset 0, M=0) before ICMPv6. */
  atomicFragment?: boolean;
  /** A hop-by-hop header (PadN) before ICMPv6. */
  hopByHop?: boolean;
  tclass?: number;
  flowLabel?: number;
}

/** Fixed-part writer: writes at off, returns the length. */
type Body = (b: Buffer, off: number) => number;

function frame(env: Envelope, body: Body, type: number): Buffer {
  const opts = (env.opts ?? []).map(optBytes);
  const scratch = Buffer.alloc(1500);
  let n = body(scratch, 0);
  for (const o of opts) {
    o.copy(scratch, n);
    n += o.length;
  }
  scratch[0] = type;
  if (env.code !== undefined) scratch[1] = env.code;
  if (env.icmpLen !== undefined) n = env.icmpLen;
  const icmp = scratch.subarray(0, n);
  const src = in6(env.src);
  const dst = in6(env.dst);
  icmp6FillChecksum(icmp, 0, icmp.length, src, 0, dst, 0);
  if (env.badCsum) icmp[3] ^= 0x55;
  const ext = env.fragment || env.atomicFragment || env.hopByHop ? 8 : 0;
  const f = Buffer.alloc(ETH_HLEN + IPV6_HDR_LEN + ext + icmp.length);
  emitEthHeader(f, 0, env.ethDst ?? ethFor(env.dst), 0, env.ethSrc ?? MAC_C, 0, 0x86dd);
  const nh = ETH_HLEN;
  const first = env.hopByHop ? 0 : env.fragment || env.atomicFragment ? 44 : IPPROTO_ICMPV6;
  writeIpv6Header(f, nh, env.tclass ?? 0, env.flowLabel ?? 0, ext + icmp.length, first, env.hopLimit ?? 255, src, 0, dst, 0);
  const x = nh + IPV6_HDR_LEN;
  if (env.hopByHop) {
    f[x] = IPPROTO_ICMPV6;
    f[x + 1] = 0;
    f[x + 2] = 1; // PadN
    f[x + 3] = 4;
  } else if (ext) {
    f[x] = IPPROTO_ICMPV6;
    f[x + 1] = 0;
    f[x + 2] = 0;
    f[x + 3] = env.fragment ? 1 : 0;
    f.writeUInt32BE(0x12345678, x + 4);
  }
  icmp.copy(f, x + ext);
  return f;
}

export interface NsSpec extends Partial<Envelope> {
  /** Default: the solicitor fd00:1::c, our address as target, to its solicited-node group. */
  target?: string;
  /** Reserved word after the header (default 0). */
  reserved?: number;
}

/** Neighbour Solicitation. Defaults: from fd00:1::c for fd00:1::a to ff02::1:ff00:a with SLLAO MAC_C. */
export function nsFrame(s: NsSpec = {}): Buffer {
  const target = s.target ?? ADDR_A;
  const env: Envelope = { src: 'fd00:1::c', dst: snm(target), opts: [{ sllao: MAC_C }], ...s };
  return frame(env, (b, o) => {
    const n = writeNs(b, o, in6(target), null, null);
    if (s.reserved !== undefined) b.writeUInt32BE(s.reserved >>> 0, o + 4);
    return n;
  }, NDISC_NEIGHBOUR_SOLICITATION);
}

/** A DAD probe for `target`: from ::, to its solicited-node group, nonce if given, no SLLAO. */
export function dadNsFrame(target: string, nonce: Buffer | null, s: NsSpec = {}): Buffer {
  return nsFrame({ src: '::', target, dst: snm(target), opts: nonce ? [{ nonce }] : [], ...s });
}

export interface NaSpec extends Partial<Envelope> {
  target?: string;
  /** 'R', 'S', 'O' letters (default 'SO'). */
  flags?: string;
}

const naBits = (f: string): number => (f.includes('R') ? 0x80 : 0) | (f.includes('S') ? 0x40 : 0) | (f.includes('O') ? 0x20 : 0);

/** Neighbour Advertisement. Defaults: fd00:1::c to us, S|O, target fd00:1::c, TLLAO MAC_C. */
export function naFrame(s: NaSpec = {}): Buffer {
  const target = s.target ?? 'fd00:1::c';
  const env: Envelope = { src: target, dst: ADDR_A, opts: [{ tllao: MAC_C }], ...s };
  return frame(env, (b, o) => writeNa(b, o, naBits(s.flags ?? 'SO'), in6(target), null), NDISC_NEIGHBOUR_ADVERTISEMENT);
}

/** Router Solicitation. Defaults: from fe80::ff:fe00:c01 to ff02::2 with SLLAO MAC_C. */
export function rsFrame(s: Partial<Envelope> = {}): Buffer {
  const env: Envelope = { src: 'fe80::ff:fe00:c01', dst: ALL_ROUTERS, opts: [{ sllao: MAC_C }], ...s };
  return frame(env, (b, o) => writeRs(b, o, null), NDISC_ROUTER_SOLICITATION);
}

export interface RaSpec extends Partial<Envelope>, Partial<RaFields> {}

/**
 * Router Advertisement. Defaults (scapy's): from LL_B (Ethernet MAC_B) to ff02::1, cur hop limit
 * 0 (unspecified), lifetime 1800, reachable/retrans 0, medium preference, SLLAO MAC_B.
 */
export function raFrame(s: RaSpec = {}): Buffer {
  const env: Envelope = { src: LL_B, dst: ALL_NODES, ethSrc: MAC_B, opts: [{ sllao: MAC_B }], ...s };
  const f: RaFields = {
    curHopLimit: s.curHopLimit ?? 0,
    flags: s.flags ?? 0,
    pref: s.pref,
    routerLifetime: s.routerLifetime ?? 1800,
    reachableTime: s.reachableTime ?? 0,
    retransTimer: s.retransTimer ?? 0,
  };
  return frame(env, (b, o) => writeRa(b, o, f), NDISC_ROUTER_ADVERTISEMENT);
}

export interface RedirectSpec extends Partial<Envelope> {
  target: string;
  dest: string;
}

/** Redirect. Defaults: from LL_B to us. */
export function redirectFrame(s: RedirectSpec): Buffer {
  const env: Envelope = { src: LL_B, dst: ADDR_A, ethSrc: MAC_B, opts: [], ...s };
  return frame(env, (b, o) => writeRedirect(b, o, in6(s.target), in6(s.dest), null, null), NDISC_REDIRECT);
}

/** An IPv6/UDP datagram (8 zero payload bytes) from the wire, Ethernet source MAC_C, to our MAC. */
export function udpFrame(src: string, dst: string, opts: { hopLimit?: number; ethDst?: Buffer } = {}): Buffer {
  const f = Buffer.alloc(ETH_HLEN + IPV6_HDR_LEN + 16);
  emitEthHeader(f, 0, opts.ethDst ?? MAC_A, 0, MAC_C, 0, 0x86dd);
  writeIpv6Header(f, ETH_HLEN, 0, 0, 16, 17, opts.hopLimit ?? 64, in6(src), 0, in6(dst), 0);
  const u = ETH_HLEN + IPV6_HDR_LEN;
  f.writeUInt16BE(40000, u);
  f.writeUInt16BE(9, u + 2);
  f.writeUInt16BE(16, u + 4);
  return f;
}

/** Delivers one frame on ea (as if from the wire). */
export function inject(h: Host6, f: Buffer): void {
  h.ea.receiveFrame(f);
}

/** Delivers a frame as PACKET_LOOPBACK (our own transmission looped back). */
export function injectLooped(h: Host6, f: Buffer): void {
  const skb = new SkBuff(Buffer.from(f));
  ethTypeTrans(skb, h.ea);
  skb.pktType = PACKET_LOOPBACK;
  h.stack.net.netifReceiveSkb(skb);
}

// ---- frames out --------------------------------------------------------------------------------

export interface Pkt6 {
  ethDst: string;
  ethSrc: string;
  tclass: number;
  flowLabel: number;
  hopLimit: number;
  src: string;
  dst: string;
  /** Next header at the fixed header. */
  nexthdr: number;
  /** ICMPv6 type/code, -1 when the payload is not directly ICMPv6. */
  type: number;
  code: number;
  /** The ICMPv6 checksum verifies. */
  csumOk: boolean;
  /** NS/NA/Redirect target. */
  target: string | null;
  /** NA flags as letters in R, S, O order. */
  naFlags: string;
  sllao: string | null;
  tllao: string | null;
  /** Nonce bytes in hex. */
  nonce: string | null;
  /** ICMPv6 message length. */
  icmpLen: number;
  raw: Buffer;
}

export function parse6(f: Buffer): Pkt6 | null {
  if (f.readUInt16BE(12) !== 0x86dd) return null;
  const nh = ETH_HLEN;
  const nexthdr = f[nh + 6];
  const plen = f.readUInt16BE(nh + 4);
  const p: Pkt6 = {
    ethDst: formatMac(f, 0),
    ethSrc: formatMac(f, 6),
    tclass: ((f[nh] & 0x0f) << 4) | (f[nh + 1] >>> 4),
    flowLabel: ((f[nh + 1] & 0x0f) << 16) | (f[nh + 2] << 8) | f[nh + 3],
    hopLimit: f[nh + 7],
    src: formatIn6(f, nh + 8),
    dst: formatIn6(f, nh + 24),
    nexthdr,
    type: -1,
    code: -1,
    csumOk: false,
    target: null,
    naFlags: '',
    sllao: null,
    tllao: null,
    nonce: null,
    icmpLen: 0,
    raw: f,
  };
  if (nexthdr !== IPPROTO_ICMPV6) return p;
  const o = nh + IPV6_HDR_LEN;
  p.icmpLen = plen;
  p.type = f[o];
  p.code = f[o + 1];
  p.csumOk = icmp6Check(f, nh, o, plen) === 0;
  let optOff = -1;
  if (p.type === NDISC_NEIGHBOUR_SOLICITATION || p.type === NDISC_NEIGHBOUR_ADVERTISEMENT) {
    p.target = formatIn6(f, o + 8);
    optOff = o + 24;
    if (p.type === NDISC_NEIGHBOUR_ADVERTISEMENT) {
      const fl = f[o + 4];
      p.naFlags = (fl & 0x80 ? 'R' : '') + (fl & 0x40 ? 'S' : '') + (fl & 0x20 ? 'O' : '');
    }
  } else if (p.type === NDISC_ROUTER_SOLICITATION) optOff = o + 8;
  else if (p.type === NDISC_REDIRECT) {
    p.target = formatIn6(f, o + 8);
    optOff = o + 40;
  }
  if (optOff >= 0) {
    const end = o + plen;
    while (optOff + 2 <= end && f[optOff + 1] > 0) {
      const t = f[optOff];
      if (t === ND_OPT_SOURCE_LL_ADDR) p.sllao = formatMac(f, optOff + 2);
      else if (t === ND_OPT_TARGET_LL_ADDR) p.tllao = formatMac(f, optOff + 2);
      else if (t === ND_OPT_NONCE) p.nonce = f.subarray(optOff + 2, optOff + 8).toString('hex');
      optOff += f[optOff + 1] * 8;
    }
  }
  return p;
}

const KIND: Record<number, string> = { 133: 'RS', 134: 'RA', 135: 'NS', 136: 'NA', 137: 'REDIRECT', 128: 'ECHO', 129: 'ECHOREPLY', 1: 'UNREACH' };

/**
 * A tcpdump-like line for one ND message: `NA fd00:1::a > fd00:1::c tgt fd00:1::a [SO] tllao MAC
 * to ETHDST` (flags only for NA; options in the order sllao, tllao, nonce).
 */
export function line(p: Pkt6): string {
  const kind = KIND[p.type] ?? `ICMP6-${p.type}`;
  let s = `${kind} ${p.src} > ${p.dst}`;
  if (p.type === 1) s += ` code ${p.code}`;
  if (p.target !== null) s += ` tgt ${p.target}`;
  if (p.type === NDISC_NEIGHBOUR_ADVERTISEMENT) s += ` [${p.naFlags}]`;
  if (p.sllao) s += ` sllao ${p.sllao}`;
  if (p.tllao) s += ` tllao ${p.tllao}`;
  if (p.nonce) s += ' nonce';
  return `${s} to ${p.ethDst}`;
}

/** Every IPv6 packet ea sent. */
export const sent6 = (h: Host6): Pkt6[] => h.ea.sent.map(parse6).filter((p): p is Pkt6 => p !== null);
/** ND messages (types 133–137) ea sent, as parsed packets. */
export const ndPkts = (h: Host6): Pkt6[] => sent6(h).filter((p) => p.type >= 133 && p.type <= 137);
/** ND messages ea sent, as lines. */
export const nd = (h: Host6): string[] => ndPkts(h).map(line);
/** ICMPv6 messages other than ND and MLD, as lines. */
export const icmpOther = (h: Host6): string[] => sent6(h).filter((p) => p.type >= 0 && (p.type < 130 || p.type > 143)).map(line);

/** Times (ms since `t0`) at which each recorded frame matching `pred` went out; needs a Timeline. */
export class Timeline {
  readonly at: { t: number; p: Pkt6 }[] = [];
  private seen = 0;
  constructor(private readonly h: Host6, private readonly t0 = h.clock.now()) {}
  /** Advance `ms` in `step`-ms ticks, stamping new frames with the tick they appeared in. */
  run(ms: number, step = 1): void {
    for (let t = 0; t < ms; t += step) {
      this.h.clock.advance(step);
      this.collect();
    }
  }
  collect(): void {
    const sent = this.h.ea.sent;
    for (; this.seen < sent.length; this.seen++) {
      const p = parse6(sent[this.seen]);
      if (p) this.at.push({ t: this.h.clock.now() - this.t0, p });
    }
  }
  /** "t line" for ND messages. */
  nd(): string[] {
    this.collect();
    return this.at.filter((x) => x.p.type >= 133 && x.p.type <= 137).map((x) => `${x.t} ${line(x.p)}`);
  }
}

// ---- state -------------------------------------------------------------------------------------

export interface Entry6 {
  state: string;
  lladdr: string | null;
  router: boolean;
  probes: number;
}

/** One nd_tbl entry of ea, or null. lladdr only for VALID states (as ip neigh prints it). */
export function entry6(h: Host6, addr: string): Entry6 | null {
  const n: Neighbour<Buffer> | null = h.stack.inet6.ndisc.tbl.lookupNoref(in6(addr), h.ea);
  if (!n) return null;
  const s = h.stack.inet6.ndisc.tbl.snapshot(n);
  return { state: nudStateNames(n.nudState).join(',') || 'NONE', lladdr: s.lladdr, router: (n.flags & NTF_ROUTER) !== 0, probes: n.probes };
}

/** Short form of an entry for table rows: "STALE 02:00:00:00:0c:01 router" / "NONE" / null. */
export function ent(h: Host6, addr: string): string | null {
  const e = entry6(h, addr);
  if (!e) return null;
  return [e.state, e.lladdr, e.router ? 'router' : null].filter((x) => x !== null).join(' ');
}

/** Every unicast entry as "addr STATE", sorted (multicast NOARP entries left out). */
export function entries6(h: Host6): string[] {
  return h.stack
    .neighbours('inet6')
    .filter((n) => !n.dst.startsWith('ff'))
    .map((n) => `${n.dst} ${n.stateNames.join(',') || 'NONE'}`)
    .sort();
}

export function dropsOf6(h: Host6): NdiscDrops {
  return { ...h.stack.inet6.ndisc.stats.drops };
}

/** The drop counters that moved since `before`, as {name: delta}. */
export function dropDelta6(h: Host6, before: NdiscDrops): Partial<Record<keyof NdiscDrops, number>> {
  const now = h.stack.inet6.ndisc.stats.drops;
  const out: Partial<Record<keyof NdiscDrops, number>> = {};
  for (const k of Object.keys(now) as (keyof NdiscDrops)[]) if (now[k] !== before[k]) out[k] = now[k] - before[k];
  return out;
}

/** Adds an nd_tbl entry of ea (`ip -6 neigh add/replace`). */
export function neighAdd6(h: Host6, addr: string, state: number, lladdr: Buffer | null, flags = 0): void {
  const rc = h.stack.inet6.ndisc.tbl.neighAdd(in6(addr), h.ea, { state, lladdr, flags, create: true, replace: true });
  if (rc !== 0) throw new Error(`neighAdd ${addr}: ${rc}`);
}

/** Sends an 8-byte UDP-numbered datagram from the stack toward `dst` (saddr null: source selection). */
export function send6(h: Host6, dst: string, src: string | null = null, oif = false): number {
  const skb = allocSkb(8, LL_RESERVED_SPACE + IPV6_HDR_LEN);
  skb.put(8);
  return ip6Send(h.stack.inet6, skb, src === null ? null : in6(src), in6(dst), 0, 17, -1, 0, oif ? h.ea : null);
}

/** Seconds left before a route expires ("expires Ns" as floor of the remaining time), or '' when it does not. */
function expiresOf(h: Host6, r: Rt6Info): string {
  if (!(r.flags & RTF_EXPIRES)) return '';
  return ` expires ${Math.floor((r.expires - h.clock.now()) / 1000)}s`;
}

/** RA default routes, as "default via GW dev DEV metric M [expires Ns] [mtu M] [hoplimit H] pref P". */
export function raRoutes(h: Host6): string[] {
  return h.stack.inet6.fib.routesBy({ proto: 'ra' }).map((r) => {
    let s = `default via ${r.gw ? formatIn6(r.gw) : '?'} dev ${r.dev.name} metric ${r.metric}${expiresOf(h, r)}`;
    if (r.mtu) s += ` mtu ${r.mtu}`;
    if (r.hoplimit) s += ` hoplimit ${r.hoplimit}`;
    return `${s} pref ${r.pref}`;
  });
}

/** Prefix routes on ea (main table, proto kernel, unicast, not fe80::/64), as "PREFIX/LEN [expires Ns]". */
export function prefixRoutes(h: Host6): string[] {
  return h.stack.inet6.fib
    .routesBy({ dev: h.ea, proto: 'kernel', table: 'main' })
    .filter((r) => r.type === 1 && !(r.dst[0] === 0xfe && r.dst[1] === 0x80) && r.dst[0] !== 0xff)
    .map((r) => `${formatIn6(r.dst)}/${r.prefixLen}${expiresOf(h, r)}`)
    .sort();
}

/** `ip -6 addr` with lifetimes: "ADDR/LEN FLAGS valid V preferred P" (forever or seconds left). */
export function addrLft(h: Host6, addr: string): string | null {
  const a = h.stack.addresses('inet6').find((x) => x.local === addr);
  if (!a) return null;
  const f = (v: number): string => (v === 0xffffffff ? 'forever' : `${v}s`);
  return `${a.local}/${a.prefixLen}${a.flagWords.length ? ' ' + a.flagWords.join(' ') : ''} valid ${f(a.validLft)} preferred ${f(a.preferredLft)}`;
}
