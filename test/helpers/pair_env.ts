// Fixtures for ARP policy tests: one Stack with up to two Ethernet interfaces on in-memory pairs
// whose far ends belong to no stack (so what the stack sends is only recorded, never answered),
// a raw ARP frame builder that can also corrupt every header field, and small views for asserts.
import { ManualClock } from '../../src/core/clock.js';
import { LL_RESERVED_SPACE, PACKET_LOOPBACK, SkBuff, allocSkb } from '../../src/core/skbuff.js';
import { PairDevice, createPair } from '../../src/drivers/pair.js';
import { ethTypeTrans } from '../../src/ethernet/eth.js';
import { ETH_HLEN, ETH_P_ARP, emitEthHeader } from '../../src/ethernet/ethhdr.js';
import type { ArpDrops } from '../../src/ipv4/arp.js';
import { ARPOP_REQUEST, writeArp } from '../../src/ipv4/arphdr.js';
import { InDevice, inDevGet } from '../../src/ipv4/devinet.js';
import { parseIPv4 } from '../../src/ipv4/inet_addr.js';
import { ipSend } from '../../src/ipv4/ip_output.js';
import type { Neighbour } from '../../src/neighbour/neighbour.js';
import { Stack } from '../../src/stack.js';

export const ip = (s: string): number => {
  const a = parseIPv4(s);
  if (a === null) throw new Error(`bad address ${s}`);
  return a;
};

export function mac(s: string): Buffer {
  return Buffer.from(s.split(':').map((x) => parseInt(x, 16)));
}

export const hex = (m: Buffer): string => m.toString('hex');
export const colon = (m: Buffer): string => [...m].map((x) => x.toString(16).padStart(2, '0')).join(':');

/** Our interfaces. */
export const MAC_A = mac('02:aa:00:00:00:01');
export const MAC_C = mac('02:aa:00:00:00:03');
/** Hosts on the wire. */
export const MAC_X = mac('02:cc:00:00:00:09');
export const MAC_Y = mac('02:dd:00:00:00:0a');
export const MAC_Z = mac('02:ee:00:00:00:0b');
export const BCAST = Buffer.alloc(6, 0xff);
export const ZERO_MAC = Buffer.alloc(6);

export interface HostOptions {
  /** Addresses of ea (first is primary). Default 10.0.0.1/24. */
  ea?: string[];
  /** Addresses of the second interface ec; null: no second interface. Default 10.0.1.1/24. */
  ec?: string[] | null;
  /** Stack randomness (reachable_time, hash seeds, proxy delay). Default 0.5. */
  random?: () => number;
}

export interface Host {
  clock: ManualClock;
  stack: Stack;
  ea: PairDevice;
  /** Second interface; throws through `!` use when the host was built without one. */
  ec: PairDevice | null;
  /** The unregistered far ends (kept so nothing is garbage-collected mid-test). */
  wires: PairDevice[];
}

const live: Stack[] = [];

/** Stacks built since the last {@link takeLive}; the test file checks invariants and closes them. */
export function takeLive(): Stack[] {
  return live.splice(0, live.length);
}

export function makeHost(opts: HostOptions = {}): Host {
  const clock = new ManualClock();
  const random = opts.random ?? ((): number => 0.5);
  // IPv4 policy tests: the far ends record only what ARP and IPv4 send.
  const stack = new Stack({ clock, random, ipv6: false });
  live.push(stack);
  const [ea, wa] = createPair('ea', 'wa', MAC_A, MAC_X);
  stack.addDevice(ea);
  for (const a of opts.ea ?? ['10.0.0.1/24']) stack.addAddress(ea, a);
  ea.record = true;
  const wires = [wa];
  let ec: PairDevice | null = null;
  const ecAddrs = opts.ec === undefined ? ['10.0.1.1/24'] : opts.ec;
  if (ecAddrs !== null) {
    const [c, wc] = createPair('ec', 'wc', MAC_C, MAC_Y);
    ec = c;
    stack.addDevice(ec);
    for (const a of ecAddrs) stack.addAddress(ec, a);
    ec.record = true;
    wires.push(wc);
  }
  return { clock, stack, ea, ec, wires };
}

export function inDev(dev: PairDevice): InDevice {
  const d = inDevGet(dev);
  if (!d) throw new Error(`${dev.name} has no in_device`);
  return d;
}

/** Everything one ARP frame may carry; omitted fields are a well-formed Ethernet/IPv4 frame. */
export interface ArpSpec {
  op?: number;
  sip: string;
  tip: string;
  sha?: Buffer;
  /** null or omitted: zeros (as requests carry). */
  tha?: Buffer | null;
  /** Ethernet destination; default broadcast. */
  dst?: Buffer;
  /** Ethernet source; default sha. */
  src?: Buffer;
  hrd?: number;
  pro?: number;
  hln?: number;
  pln?: number;
  /** Bytes of ARP payload to keep (cut the frame short). */
  arpLen?: number;
}

/** An Ethernet + ARP frame (14 + 28 bytes unless cut). */
export function arpFrame(s: ArpSpec): Buffer {
  const sha = s.sha ?? MAC_X;
  const b = Buffer.alloc(ETH_HLEN + 28);
  emitEthHeader(b, 0, s.dst ?? BCAST, 0, s.src ?? sha, 0, ETH_P_ARP);
  const a = ETH_HLEN;
  writeArp(b, a, s.op ?? ARPOP_REQUEST, sha, 0, ip(s.sip), s.tha ?? null, 0, ip(s.tip));
  if (s.hrd !== undefined) b.writeUInt16BE(s.hrd, a);
  if (s.pro !== undefined) b.writeUInt16BE(s.pro, a + 2);
  if (s.hln !== undefined) b[a + 4] = s.hln;
  if (s.pln !== undefined) b[a + 5] = s.pln;
  return s.arpLen === undefined ? b : b.subarray(0, ETH_HLEN + s.arpLen);
}

export interface ArpView {
  ethDst: string;
  ethSrc: string;
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

export function parseArp(f: Buffer): ArpView {
  const a = ETH_HLEN;
  return {
    ethDst: hex(f.subarray(0, 6)),
    ethSrc: hex(f.subarray(6, 12)),
    hrd: f.readUInt16BE(a),
    pro: f.readUInt16BE(a + 2),
    hln: f[a + 4],
    pln: f[a + 5],
    op: f.readUInt16BE(a + 6),
    sha: hex(f.subarray(a + 8, a + 14)),
    sip: fmtIp(f, a + 14),
    tha: hex(f.subarray(a + 18, a + 24)),
    tip: fmtIp(f, a + 24),
  };
}

/** The ARP frames a device transmitted. */
export const arps = (dev: PairDevice): ArpView[] => dev.sent.filter((f) => f.readUInt16BE(12) === ETH_P_ARP).map(parseArp);
export const ipFrames = (dev: PairDevice): Buffer[] => dev.sent.filter((f) => f.readUInt16BE(12) === 0x0800);

/** The ARP reply we expect `dev` (MAC `ours`) to send to a requester. */
export function replyView(ours: Buffer, sip: string, toMac: Buffer, tip: string): ArpView {
  return {
    ethDst: hex(toMac), ethSrc: hex(ours), hrd: 1, pro: 0x0800, hln: 6, pln: 4,
    op: 2, sha: hex(ours), sip, tha: hex(toMac), tip,
  };
}

/** A broadcast request from us (gratuitous when sip == tip). */
export function requestView(ours: Buffer, sip: string, tip: string, ethDst: Buffer = BCAST): ArpView {
  return {
    ethDst: hex(ethDst), ethSrc: hex(ours), hrd: 1, pro: 0x0800, hln: 6, pln: 4,
    op: 1, sha: hex(ours), sip, tha: '000000000000', tip,
  };
}

export function dropsOf(stack: Stack): ArpDrops {
  return { ...stack.inet.arp.stats.drops };
}

/** The drop counters that moved since `before`, as {name: delta}. */
export function dropDelta(stack: Stack, before: ArpDrops): Partial<Record<keyof ArpDrops, number>> {
  const now = stack.inet.arp.stats.drops;
  const out: Partial<Record<keyof ArpDrops, number>> = {};
  for (const k of Object.keys(now) as (keyof ArpDrops)[]) {
    if (now[k] !== before[k]) out[k] = now[k] - before[k];
  }
  return out;
}

/** State and lladdr of one entry, or null. */
export function entry(stack: Stack, addr: string, dev: PairDevice): { state: number; lladdr: string } | null {
  const n: Neighbour<number> | null = stack.inet.arp.tbl.lookupNoref(ip(addr), dev);
  if (!n) return null;
  return { state: n.nudState, lladdr: colon(n.ha.subarray(0, 6)) };
}

/** All entries as "addr dev" keys, sorted (to assert nothing else was created or removed). */
export function entryKeys(stack: Stack): string[] {
  return stack.neighbours().map((n) => `${n.dst} ${n.dev}`).sort();
}

/** Clears what the devices recorded so far (setup traffic). */
export function clearSent(h: Host): void {
  h.ea.sent.length = 0;
  if (h.ec) h.ec.sent.length = 0;
}

/** Sends an 8-byte UDP-numbered datagram from the stack (saddr 0: the route chooses). */
export function sendIp(h: Host, dst: string, src = '0.0.0.0'): number {
  const skb = allocSkb(8, LL_RESERVED_SPACE + 20);
  skb.put(8);
  return ipSend(h.stack.inet, skb, ip(src), ip(dst), 17);
}

/** Delivers a frame on `dev` as PACKET_LOOPBACK (our own transmission looped back by a tap). */
export function injectLooped(h: Host, dev: PairDevice, frame: Buffer): void {
  const skb = new SkBuff(Buffer.from(frame));
  ethTypeTrans(skb, dev);
  skb.pktType = PACKET_LOOPBACK;
  h.stack.net.netifReceiveSkb(skb);
}

/** Proxy entries as "addr dev|* [perm]", sorted. */
export function proxyKeys(stack: Stack): string[] {
  const out: string[] = [];
  stack.inet.arp.tbl.pneighForEach((pn) => {
    out.push(`${stack.inet.formatAddr(pn.key)} ${pn.dev ? pn.dev.name : '*'}${pn.permanent ? ' perm' : ''}`);
  });
  return out.sort();
}

/** Writes a net.ipv4.conf knob for `all` or one device. */
export function setConf(h: Host, scope: 'all' | PairDevice, name: string, value: number): void {
  if (scope === 'all') h.stack.inet.conf.all.set(name, value);
  else inDev(scope).cnf.set(name, value);
}
