// IPv6 fixtures for bench/micro.mjs and bench/memory.mjs, the twins of fixtures.mjs: the same
// manual-clock stack and counting device, with fd00::1/64 (nodad) on it, and prebuilt IPv6 frames.
// Everything is imported from the compiled library in dist/ (run `npm run build:ts` first).
import { SkBuff } from '../../dist/index.js';
import { ETH_HLEN, ETH_P_IPV6 } from '../../dist/ethernet/ethhdr.js';
import { ICMPV6_ECHO_REQUEST, IPPROTO_ICMPV6, icmp6FillChecksum, writeIcmp6Echo } from '../../dist/ipv6/icmp6hdr.js';
import { ipv6EthMcMap, parseIn6, solicitedNode } from '../../dist/ipv6/in6_addr.js';
import { writeIpv6Header } from '../../dist/ipv6/ipv6hdr.js';
import { writeNs } from '../../dist/ipv6/ndisc_wire.js';
import { DEV_MAC, PEER_MAC, benchStack } from './fixtures.mjs';

export { ETH_P_IPV6 };

export const DEV_IP6 = ip6('fd00::1');
export const PEER_IP6 = ip6('fd00::2');

export function ip6(s) {
  const a = parseIn6(s);
  if (a === null) throw new Error(`bad address ${s}`);
  return a;
}

/**
 * benchStack() with IPv6 as well: fd00::1/64 without DAD (usable at once; the link-local's DAD
 * timer never fires on the manual clock) beside the IPv4 address. Adds inet6 and nd (nd_tbl).
 */
export function benchStack6({ addr = '10.0.0.1/24', addr6 = 'fd00::1/64', seed = 1, name = 'bench0' } = {}) {
  const fx = benchStack({ addr, seed, name });
  fx.stack.addAddress(fx.dev, addr6, { nodad: true });
  const inet6 = fx.stack.inet6;
  return { ...fx, inet6, nd: inet6.ndisc.tbl };
}

/**
 * An Ethernet + IPv6 + ICMPv6 echo request frame (`ping -6 -s payload`), the twin of
 * buildEchoRequest: same MACs, payload and id/seq.
 */
export function buildEcho6Request({ dstMac = DEV_MAC, srcMac = PEER_MAC, saddr = PEER_IP6, daddr = DEV_IP6, payload = 56, id = 0x1234, seq = 1 } = {}) {
  const icmpLen = 8 + payload;
  const buf = Buffer.alloc(ETH_HLEN + 40 + icmpLen);
  dstMac.copy(buf, 0);
  srcMac.copy(buf, 6);
  buf.writeUInt16BE(ETH_P_IPV6, 12);
  writeIpv6Header(buf, ETH_HLEN, 0, 0x12345, icmpLen, IPPROTO_ICMPV6, 64, saddr, 0, daddr, 0);
  const t = ETH_HLEN + 40;
  writeIcmp6Echo(buf, t, ICMPV6_ECHO_REQUEST, id, seq);
  for (let i = 0; i < payload; i++) buf[t + 8 + i] = (0x10 + i) & 0xff;
  icmp6FillChecksum(buf, t, icmpLen, saddr, 0, daddr, 0);
  return buf;
}

/**
 * A multicast Neighbour Solicitation "who has `target`" from `saddr` with its SLLAO, to the
 * target's solicited-node group (33:33:ff:…), hop limit 255 — what the kernel sends to resolve
 * us. The twin of buildArpRequest.
 */
export function buildNsRequest({ srcMac = PEER_MAC, saddr = PEER_IP6, target = DEV_IP6 } = {}) {
  const daddr = solicitedNode(target, 0);
  const nsLen = 24 + 8;
  const buf = Buffer.alloc(ETH_HLEN + 40 + nsLen);
  ipv6EthMcMap(daddr, 0, buf, 0);
  srcMac.copy(buf, 6);
  buf.writeUInt16BE(ETH_P_IPV6, 12);
  writeIpv6Header(buf, ETH_HLEN, 0, 0, nsLen, IPPROTO_ICMPV6, 255, saddr, 0, daddr, 0);
  const t = ETH_HLEN + 40;
  if (writeNs(buf, t, target, srcMac, null) !== nsLen) throw new Error('NS length');
  icmp6FillChecksum(buf, t, nsLen, saddr, 0, daddr, 0);
  return buf;
}

/**
 * A locally built IPv6 packet (40-byte header + ICMPv6 echo) at `headroom` in a private buffer:
 * what ip6_finish_output2 gets from ip6_xmit. skb.data/networkHeader point at the IPv6 header.
 * The twin of ipPacketSkb (same payload and headroom).
 */
export function ip6PacketSkb(dev, { saddr = DEV_IP6, daddr = PEER_IP6, payload = 56, headroom = 32 } = {}) {
  const icmpLen = 8 + payload;
  const buf = Buffer.alloc(headroom + 40 + icmpLen);
  writeIpv6Header(buf, headroom, 0, 0x12345, icmpLen, IPPROTO_ICMPV6, 64, saddr, 0, daddr, 0);
  writeIcmp6Echo(buf, headroom + 40, ICMPV6_ECHO_REQUEST, 0x1234, 1);
  icmp6FillChecksum(buf, headroom + 40, icmpLen, saddr, 0, daddr, 0);
  const skb = new SkBuff(buf, headroom, 40 + icmpLen);
  skb.networkHeader = headroom;
  skb.transportHeader = headroom + 40;
  skb.dev = dev;
  skb.protocol = ETH_P_IPV6;
  return skb;
}

/** `count` distinct keys fd00:1::1:0, fd00:1::1:1, ... (16-byte Buffers, the low 32 bits counting). */
export function tableKeys6(count, base = 0x10000) {
  const keys = new Array(count);
  for (let i = 0; i < count; i++) {
    const k = Buffer.alloc(16);
    k.writeUInt32BE(0xfd000001, 0);
    k.writeUInt32BE((base + i) >>> 0, 12);
    keys[i] = k;
  }
  return keys;
}

/**
 * Fills nd_tbl with PERMANENT entries on `dev` through neigh_add (NLM_F_CREATE), as fillTable
 * does for arp_tbl: gc_thresh1/2/3 raised first; keys `from` .. `count`-1 of tableKeys6(). Each
 * entry keeps its own 16-byte key Buffer, as every creation path of nd_tbl does (Buffer.from of
 * the address: a view onto Node's 8 KiB pool). Returns the keys.
 */
export function fillTable6(tbl, dev, count, { state = 0x80, from = 0 } = {}) {
  tbl.gcThresh1 = 1 << 20;
  tbl.gcThresh2 = 1 << 20;
  tbl.gcThresh3 = 1 << 21;
  const keys = tableKeys6(count);
  const lladdr = Buffer.from([0x02, 0x42, 0, 0, 0, 0]);
  for (let i = from; i < count; i++) {
    lladdr.writeUInt32BE(i, 2);
    const rc = tbl.neighAdd(Buffer.from(keys[i]), dev, { state, lladdr, create: true });
    if (rc !== 0) throw new Error(`neighAdd #${i} failed: ${rc}`);
  }
  return keys;
}
