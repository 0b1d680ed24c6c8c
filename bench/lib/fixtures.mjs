// Fixtures shared by bench/micro.mjs and bench/memory.mjs: a stack on a manual clock (no timer
// ever fires), a minimal counting Ethernet device, prebuilt frames and packet buffers.
// Everything is imported from the compiled library in dist/ (run `npm run build:ts` first).
import { ManualClock, NetDevice, SkBuff, Stack } from '../../dist/index.js';
import { NETDEV_TX_OK } from '../../dist/core/netdevice.js';
import { etherSetup, ethTypeTrans } from '../../dist/ethernet/eth.js';
import { ETH_HLEN, ETH_P_ARP, ETH_P_IP } from '../../dist/ethernet/ethhdr.js';
import { writeArp } from '../../dist/ipv4/arphdr.js';
import { csumFold, csumPartial } from '../../dist/core/checksum.js';
import { finishIcmpChecksum, writeIcmpEcho } from '../../dist/ipv4/icmphdr.js';
import { parseIPv4 } from '../../dist/ipv4/inet_addr.js';
import { IPPROTO_ICMP, IP_DF, writeIpHeader } from '../../dist/ipv4/iphdr.js';

export { ETH_HLEN, ETH_P_ARP, ETH_P_IP };

/** NUD states and neigh_update flags (include/uapi/linux/neighbour.h), as dist/neighbour/nud.js. */
export const NUD_INCOMPLETE = 0x01;
export const NUD_REACHABLE = 0x02;
export const NUD_FAILED = 0x20;
export const NUD_PERMANENT = 0x80;
export const NUD_CONNECTED = 0x80 | 0x40 | 0x02;
export const NEIGH_UPDATE_F_OVERRIDE = 1 << 0;
export const NEIGH_UPDATE_F_ADMIN = 1 << 7;

export const DEV_MAC = Buffer.from([0x02, 0x00, 0x5e, 0x00, 0x00, 0x01]);
export const PEER_MAC = Buffer.from([0x02, 0x00, 0x5e, 0x00, 0x00, 0x02]);
export const BROADCAST_MAC = Buffer.alloc(6, 0xff);
export const DEV_IP = ip('10.0.0.1');
export const PEER_IP = ip('10.0.0.2');

export function ip(s) {
  const a = parseIPv4(s);
  if (a === null) throw new Error(`bad address ${s}`);
  return a;
}

/** Small deterministic PRNG (mulberry32): reproducible keys, probe orders and hash seeds. */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The smallest Ethernet device there is: etherSetup() for header ops and MTU, and an ndo_start_xmit
 * that counts the frame and forgets it (keeping only a reference to the last one, for checks).
 */
export class CountingDevice extends NetDevice {
  constructor(name, mac = DEV_MAC) {
    super(name);
    etherSetup(this);
    this.devAddr = Buffer.from(mac);
    this.count = 0;
    this.arpFrames = 0;
    this.bytes = 0;
    /** The last transmitted SkBuff (a reference, not a copy). */
    this.last = null;
  }

  xmit(skb) {
    this.count++;
    this.bytes += skb.tail - skb.data;
    if (skb.protocol === ETH_P_ARP) this.arpFrames++;
    this.last = skb;
    return NETDEV_TX_OK;
  }
}

/**
 * A Stack on a ManualClock (time never moves, so no timer fires) with one CountingDevice, up,
 * holding `addr`. Returns the pieces the benchmarks poke at directly.
 */
export function benchStack({ addr = '10.0.0.1/8', seed = 1, name = 'bench0' } = {}) {
  const clock = new ManualClock();
  const stack = new Stack({ clock, random: mulberry32(seed) });
  const dev = stack.addDevice(new CountingDevice(name));
  stack.addAddress(dev, addr);
  const inet = stack.inet;
  return { clock, stack, dev, inet, tbl: inet.arp.tbl, net: stack.net };
}

/** An Ethernet + IPv4 + ICMP echo request frame (a `ping -s payload` packet). */
export function buildEchoRequest({ dstMac = DEV_MAC, srcMac = PEER_MAC, saddr = PEER_IP, daddr = DEV_IP, payload = 56, id = 0x1234, seq = 1 } = {}) {
  const icmpLen = 8 + payload;
  const buf = Buffer.alloc(ETH_HLEN + 20 + icmpLen);
  dstMac.copy(buf, 0);
  srcMac.copy(buf, 6);
  buf.writeUInt16BE(ETH_P_IP, 12);
  writeIpHeader(buf, ETH_HLEN, 0, 20 + icmpLen, 1, IP_DF, 64, IPPROTO_ICMP, saddr, daddr);
  const t = ETH_HLEN + 20;
  writeIcmpEcho(buf, t, 8, id, seq);
  for (let i = 0; i < payload; i++) buf[t + 8 + i] = (0x10 + i) & 0xff;
  finishIcmpChecksum(buf, t, icmpLen);
  return buf;
}

/** A broadcast ARP request "who-has tip tell sip", padded to the 60-byte Ethernet minimum. */
export function buildArpRequest({ srcMac = PEER_MAC, sip = PEER_IP, tip = DEV_IP } = {}) {
  const buf = Buffer.alloc(60);
  BROADCAST_MAC.copy(buf, 0);
  srcMac.copy(buf, 6);
  buf.writeUInt16BE(ETH_P_ARP, 12);
  writeArp(buf, ETH_HLEN, 1, srcMac, 0, sip, null, 0, tip);
  return buf;
}

/**
 * A locally built IPv4 packet (20-byte header + ICMP echo) at `headroom` in a private buffer:
 * what ip_finish_output2 hands to neigh_output. skb.data/networkHeader point at the IP header.
 */
export function ipPacketSkb(dev, { saddr = DEV_IP, daddr = PEER_IP, payload = 56, headroom = 32 } = {}) {
  const icmpLen = 8 + payload;
  const buf = Buffer.alloc(headroom + 20 + icmpLen);
  writeIpHeader(buf, headroom, 0, 20 + icmpLen, 1, IP_DF, 64, IPPROTO_ICMP, saddr, daddr);
  writeIcmpEcho(buf, headroom + 20, 8, 0x1234, 1);
  finishIcmpChecksum(buf, headroom + 20, icmpLen);
  const skb = new SkBuff(buf, headroom, 20 + icmpLen);
  skb.networkHeader = headroom;
  skb.transportHeader = headroom + 20;
  skb.dev = dev;
  skb.protocol = ETH_P_IP;
  return skb;
}

/**
 * A receive injector that reuses one SkBuff over one frame buffer: restores the first
 * `restoreLen` bytes from the template (in-place replies rewrite them), resets the SkBuff as a
 * driver would hand it over, runs eth_type_trans and __netif_receive_skb. Allocation-free.
 */
export function makeInjector(dev, template, restoreLen = template.length) {
  const buf = Buffer.from(template);
  const skb = new SkBuff(buf);
  const net = dev.net;
  const len = template.length;
  // One memcpy (TypedArray#set of a view made here), as a driver's read() fills its buffer: a
  // byte loop in JavaScript would charge the in-place cases several times what the copy costs.
  const head = template.subarray(0, restoreLen);
  return {
    buf,
    skb,
    inject() {
      if (restoreLen !== 0) buf.set(head, 0);
      skb.data = 0;
      skb.tail = len;
      skb.cb = 0;
      skb.sk = null;
      if (!ethTypeTrans(skb, dev)) throw new Error('runt frame');
      net.netifReceiveSkb(skb);
    },
  };
}

/** Ones'-complement check over a range: true when the stored checksum verifies. */
export function checksumOk(buf, off, len) {
  return csumFold(csumPartial(buf, off, len, 0)) === 0;
}

/** `count` distinct keys 10.1.0.0, 10.1.0.1, ... (unsigned, as parseIPv4 returns them). */
export function tableKeys(count, base = ip('10.1.0.0')) {
  const keys = new Array(count);
  for (let i = 0; i < count; i++) keys[i] = base + i;
  return keys;
}

/**
 * Fills the ARP table with PERMANENT entries on `dev` through neigh_add (NLM_F_CREATE) for keys
 * `from` .. `count`-1 of tableKeys(), after raising gc_thresh1/2/3 so nothing is refused or
 * collected. Returns the keys.
 */
export function fillTable(tbl, dev, count, { state = NUD_PERMANENT, from = 0 } = {}) {
  tbl.gcThresh1 = 1 << 20;
  tbl.gcThresh2 = 1 << 20;
  tbl.gcThresh3 = 1 << 21;
  const keys = tableKeys(count);
  const lladdr = Buffer.from([0x02, 0x42, 0, 0, 0, 0]);
  for (let i = from; i < count; i++) {
    lladdr.writeUInt32BE(i, 2);
    const rc = tbl.neighAdd(keys[i], dev, { state, lladdr, create: true });
    if (rc !== 0) throw new Error(`neighAdd #${i} failed: ${rc}`);
  }
  return keys;
}
