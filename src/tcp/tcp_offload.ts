// TCP's part of software segmentation and receive offload: tcp_gso_segment and tcp_gro_receive
// (net/ipv4/tcp_offload.c), the same for both families (tcp4_/tcp6_gso_segment and _gro_receive
// supply the pseudo-header).
import { csumFold, csumPartial } from '../core/checksum.js';
import type { GroCell, GroCompleteFn, GroTransportCompleteFn } from '../core/gro.js';
import { gsoSegmentAlloc } from '../core/gso.js';
import { CHECKSUM_NONE, CHECKSUM_PARTIAL, CHECKSUM_UNNECESSARY, SKB_GSO_TCPV4, SKB_GSO_TCPV6, type SkBuff } from '../core/skbuff.js';
import { TCPHDR_ACK, TCPHDR_CWR, TCPHDR_FIN, TCPHDR_PSH } from './tcp_states.js';

/**
 * tcp_gso_segment(): the super-segment cut into gso_size payloads. Each segment gets the whole
 * header, its sequence number, FIN and PSH only on the last and CWR only on the first (as the
 * kernel does: "CWR only on the first segment", the flags that end a write only on its end),
 * and the pseudo-header sum of its own length in the checksum field (CHECKSUM_PARTIAL: the
 * device, or skb_checksum_help before it, adds the rest); `pseudo(seg, tcpLen)` is the family's
 * pseudo-header sum (folded, not complemented) for a TCP length. The network headers are the
 * family's to fix afterwards (inet_gso_segment, ipv6_gso_segment). Null for a header that is
 * not there or a gso_type that is not TCP's.
 */
export function tcpGsoSegment(
  skb: SkBuff,
  th: number,
  pseudo: (seg: SkBuff, tcpLen: number) => number,
): SkBuff[] | null {
  const b = skb.buf;
  // tcp4/tcp6_gso_segment: a gso_type that is not TCP's is not ours to cut.
  if ((skb.gsoType & (SKB_GSO_TCPV4 | SKB_GSO_TCPV6)) === 0) return null;
  if (th + 20 > skb.tail) return null;
  const thlen = (b[th + 12] >>> 4) << 2;
  if (thlen < 20 || th + thlen > skb.tail) return null;
  const mss = skb.gsoSize;
  const payload = th + thlen;
  const total = skb.tail - payload;
  if (mss === 0 || total <= 0) return null;
  const seq0 = ((b[th + 4] << 24) | (b[th + 5] << 16) | (b[th + 6] << 8) | b[th + 7]) >>> 0;
  const flags = b[th + 13];
  const segs: SkBuff[] = [];
  for (let i = 0, at = payload; at < skb.tail; i++, at += mss) {
    const len = Math.min(mss, skb.tail - at);
    const seg = gsoSegmentAlloc(skb, payload, at, len);
    const sb = seg.buf;
    const t = seg.csumStart;
    const seq = (seq0 + i * mss) >>> 0;
    sb[t + 4] = seq >>> 24;
    sb[t + 5] = (seq >>> 16) & 0xff;
    sb[t + 6] = (seq >>> 8) & 0xff;
    sb[t + 7] = seq & 0xff;
    let f = flags;
    if (i > 0) f &= ~TCPHDR_CWR;
    if (at + len < skb.tail) f &= ~(TCPHDR_FIN | TCPHDR_PSH);
    sb[t + 13] = f;
    const ps = pseudo(seg, thlen + len);
    sb[t + 16] = ps >>> 8;
    sb[t + 17] = ps & 0xff;
    seg.ipSummed = CHECKSUM_PARTIAL;
    seg.csumOffset = 16;
    segs.push(seg);
  }
  return segs;
}

/**
 * tcp_gro_receive() for the frame `skb` with its TCP header at `th`: only a data segment whose
 * flags are ACK with at most PSH or FIN (what tcp_gro_receive flushes on — SYN, RST, URG, CWR,
 * ECE and flags that differ — is never merged), whose checksum verifies (or the device vouched
 * for it: skb_gro_checksum_validate), and that is no super-frame already. It joins the held
 * packet when the family matched its network header (`sameNet`) and the TCP header is the held
 * one's but for the sequence number and PSH/FIN — ports, ACK, data offset, flags, window and
 * every option byte ("flush |= *(u32 *)((u8 *)th + i) ^ *(u32 *)((u8 *)th2 + i)") — its sequence
 * number is the next one, it is no longer than the first frame's payload (the MSS), and the
 * packet has room. A shorter segment, PSH or FIN ends the packet (flushed with it). Otherwise
 * it starts a packet of its own — except with PSH or FIN, which would end it at once, so it goes
 * up as it came. `pseudo(skb, tcpLen)` is the family's pseudo-header sum, `tcomplete` the
 * family's tcp_gro_complete.
 */
export function tcpGroReceive(
  cell: GroCell,
  skb: SkBuff,
  th: number,
  sameNet: boolean,
  complete: GroCompleteFn,
  gsoType: number,
  pseudo: (skb: SkBuff, tcpLen: number) => number,
  tcomplete: GroTransportCompleteFn,
): boolean {
  const b = skb.buf;
  const tail = skb.tail;
  if (skb.gsoSize !== 0 || th + 20 > tail) return false;
  const thlen = (b[th + 12] >>> 4) << 2;
  if (thlen < 20 || th + thlen > tail) return false;
  const plen = tail - th - thlen;
  const flags = b[th + 13];
  if (plen === 0 || (flags & TCPHDR_ACK) === 0 || (flags & ~(TCPHDR_ACK | TCPHDR_PSH | TCPHDR_FIN)) !== 0) return false;
  if (skb.ipSummed === CHECKSUM_NONE) {
    if (csumFold(csumPartial(b, th, tail - th, pseudo(skb, tail - th))) !== 0) return false;
    skb.ipSummed = CHECKSUM_UNNECESSARY;
  }
  const seq = ((b[th + 4] << 24) | (b[th + 5] << 16) | (b[th + 6] << 8) | b[th + 7]) >>> 0;
  const h = cell.held;
  if (h !== null && sameNet && cell.thlen === thlen && seq === cell.nextSeq && plen <= cell.mss && cell.room(plen)) {
    const hb = h.buf;
    const ht = cell.th;
    let same = (hb[ht + 13] & (TCPHDR_PSH | TCPHDR_FIN)) === 0;
    // Ports, then ACK number through window (skipping the sequence number and, in the flags byte, PSH and FIN), then options.
    for (let k = 0; same && k < 4; k++) same = hb[ht + k] === b[th + k];
    for (let k = 8; same && k < 16; k++) same = k === 13 ? (hb[ht + k] | TCPHDR_PSH | TCPHDR_FIN) === (b[th + k] | TCPHDR_PSH | TCPHDR_FIN) : hb[ht + k] === b[th + k];
    for (let k = 20; same && k < thlen; k++) same = hb[ht + k] === b[th + k];
    if (same) {
      cell.append(skb, th + thlen, plen);
      cell.nextSeq = (seq + plen) >>> 0;
      const held = cell.held!;
      held.buf[cell.th + 13] |= flags & (TCPHDR_PSH | TCPHDR_FIN);
      if (plen < cell.mss || (flags & (TCPHDR_PSH | TCPHDR_FIN)) !== 0) cell.flush();
      return true;
    }
  }
  if ((flags & (TCPHDR_PSH | TCPHDR_FIN)) !== 0) return false;
  cell.hold(skb, th, thlen, (seq + plen) >>> 0, plen, gsoType, complete, tcomplete);
  return true;
}

/**
 * tcp4/tcp6_gro_complete(): the built packet's checksum field gets the pseudo-header sum of its
 * whole TCP length, and the packet becomes CHECKSUM_PARTIAL from its TCP header — what a sender's
 * TSO super-frame is, so it goes up trusted and can be forwarded whole or cut. `pseudo(skb,
 * tcpLen)` is the family's pseudo-header sum.
 */
export function tcpGroComplete(skb: SkBuff, th: number, pseudo: (skb: SkBuff, tcpLen: number) => number): void {
  const ps = pseudo(skb, skb.tail - th);
  skb.buf[th + 16] = ps >>> 8;
  skb.buf[th + 17] = ps & 0xff;
  skb.ipSummed = CHECKSUM_PARTIAL;
  skb.csumStart = th;
  skb.csumOffset = 16;
  skb.transportHeader = th;
}
