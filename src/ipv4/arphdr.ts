// ARP wire format: include/uapi/linux/if_arp.h (struct arphdr, ARPHRD_*, ARPOP_*), arp_hdr_len;
// arpHeaderCheck mirrors arp_rcv, arpProtoCheck the first checks of arp_process (net/ipv4/arp.c).
//
// Layout: hrd(2) pro(2) hln(1) pln(1) op(2) | sha(hln) sip(4) tha(hln) tip(4).
import { ETH_ALEN, ETH_P_IP } from '../ethernet/ethhdr.js';

export const ARPHRD_ETHER = 1;
export const ARPHRD_IEEE802 = 6;

export const ARPOP_REQUEST = 1;
export const ARPOP_REPLY = 2;
export const ARPOP_RREQUEST = 3;
export const ARPOP_RREPLY = 4;
export const ARPOP_InREQUEST = 8;
export const ARPOP_InREPLY = 9;
export const ARPOP_NAK = 10;

/** sizeof(struct arphdr): the fixed part before the addresses. */
export const ARP_FIXED_LEN = 8;
/** Offset of the sender hardware address. */
export const ARP_SHA_OFF = 8;

// Fixed offsets for Ethernet/IPv4 (hln 6, pln 4).
export const ARP_ETH_SHA_OFF = 8;
export const ARP_ETH_SIP_OFF = 14;
export const ARP_ETH_THA_OFF = 18;
export const ARP_ETH_TIP_OFF = 24;
/** arpHdrLen(6): Ethernet/IPv4 ARP packet length. */
export const ARP_ETH_LEN = 28;

/** Fixed header plus two (hardware, IPv4) address pairs, as arp_hdr_len(dev). */
export function arpHdrLen(addrLen: number): number {
  return ARP_FIXED_LEN + 2 * (addrLen + 4);
}

export const ARP_OK = 0;
/** Fewer than the 8 fixed bytes. */
export const ARP_DROP_TOO_SHORT = 1;
/** Shorter than arpHdrLen(device addr_len). */
export const ARP_DROP_TRUNCATED = 2;
/** ar_hln differs from the device's addr_len. */
export const ARP_DROP_BAD_HLN = 3;
/** ar_pln is not 4. */
export const ARP_DROP_BAD_PLN = 4;
/** ar_hrd is not Ethernet/IEEE802 (arpProtoCheck). */
export const ARP_DROP_BAD_HRD = 5;
/** ar_pro is not ETH_P_IP (arpProtoCheck). */
export const ARP_DROP_BAD_PRO = 6;
/** ar_op is neither REQUEST nor REPLY (arpProtoCheck). */
export const ARP_DROP_BAD_OP = 7;

export const ARP_DROP_REASONS: readonly string[] = Object.freeze([
  'ok',
  'arp-too-short',
  'arp-truncated',
  'arp-bad-hln',
  'arp-bad-pln',
  'arp-bad-hrd',
  'arp-bad-pro',
  'arp-bad-op',
]);

/**
 * arp_rcv's wire checks for `len` bytes at `off` on a device with `devAddrLen`-byte addresses.
 * As in the kernel, the length needed comes from the device, not from ar_hln, and ar_hln is then
 * required to match it, so every address accessor below stays within `len` on success.
 */
export function arpHeaderCheck(buf: Uint8Array, off: number, len: number, devAddrLen: number): number {
  if (len < ARP_FIXED_LEN) return ARP_DROP_TOO_SHORT;
  if (len < ARP_FIXED_LEN + 2 * (devAddrLen + 4)) return ARP_DROP_TRUNCATED;
  if (buf[off + 4] !== devAddrLen) return ARP_DROP_BAD_HLN;
  if (buf[off + 5] !== 4) return ARP_DROP_BAD_PLN;
  return ARP_OK;
}

/**
 * arp_process's header checks for an ARPHRD_ETHER device: hrd Ethernet or IEEE802 (the kernel
 * accepts both on Ethernet), pro IPv4, op REQUEST or REPLY. Run after arpHeaderCheck.
 */
export function arpProtoCheck(buf: Uint8Array, off: number): number {
  const hrd = (buf[off] << 8) | buf[off + 1];
  if (hrd !== ARPHRD_ETHER && hrd !== ARPHRD_IEEE802) return ARP_DROP_BAD_HRD;
  if (((buf[off + 2] << 8) | buf[off + 3]) !== ETH_P_IP) return ARP_DROP_BAD_PRO;
  const op = (buf[off + 6] << 8) | buf[off + 7];
  if (op !== ARPOP_REQUEST && op !== ARPOP_REPLY) return ARP_DROP_BAD_OP;
  return ARP_OK;
}

export function arpHrd(buf: Uint8Array, off: number): number {
  return (buf[off] << 8) | buf[off + 1];
}

export function arpPro(buf: Uint8Array, off: number): number {
  return (buf[off + 2] << 8) | buf[off + 3];
}

export function arpHln(buf: Uint8Array, off: number): number {
  return buf[off + 4];
}

export function arpPln(buf: Uint8Array, off: number): number {
  return buf[off + 5];
}

export function arpOp(buf: Uint8Array, off: number): number {
  return (buf[off + 6] << 8) | buf[off + 7];
}

/** Offset of the sender hardware address (sha). */
export function arpShaOff(off: number): number {
  return off + 8;
}

/** Offset of the target hardware address (tha) for `hln`-byte addresses. */
export function arpThaOff(off: number, hln: number): number {
  return off + 8 + hln + 4;
}

/** Sender IPv4 address (pln must be 4). */
export function arpSip(buf: Uint8Array, off: number, hln: number): number {
  const o = off + 8 + hln;
  return ((buf[o] << 24) | (buf[o + 1] << 16) | (buf[o + 2] << 8) | buf[o + 3]) >>> 0;
}

/** Target IPv4 address (pln must be 4). */
export function arpTip(buf: Uint8Array, off: number, hln: number): number {
  const o = off + 8 + 2 * hln + 4;
  return ((buf[o] << 24) | (buf[o + 1] << 16) | (buf[o + 2] << 8) | buf[o + 3]) >>> 0;
}

/**
 * Write an Ethernet/IPv4 ARP packet (28 bytes) at `off`; returns off + 28. A null `tha` writes
 * zeros, which is what requests carry on Ethernet (arp_create with a NULL target hw address).
 * sha/tha may point into another frame (e.g. the request being answered) as long as they do not
 * overlap the bytes being written.
 */
export function writeArp(
  buf: Uint8Array,
  off: number,
  op: number,
  sha: Uint8Array,
  shaOff: number,
  sip: number,
  tha: Uint8Array | null,
  thaOff: number,
  tip: number,
): number {
  buf[off] = 0;
  buf[off + 1] = ARPHRD_ETHER;
  buf[off + 2] = ETH_P_IP >>> 8;
  buf[off + 3] = ETH_P_IP & 0xff;
  buf[off + 4] = ETH_ALEN;
  buf[off + 5] = 4;
  buf[off + 6] = op >>> 8;
  buf[off + 7] = op;
  buf[off + 8] = sha[shaOff];
  buf[off + 9] = sha[shaOff + 1];
  buf[off + 10] = sha[shaOff + 2];
  buf[off + 11] = sha[shaOff + 3];
  buf[off + 12] = sha[shaOff + 4];
  buf[off + 13] = sha[shaOff + 5];
  buf[off + 14] = sip >>> 24;
  buf[off + 15] = sip >>> 16;
  buf[off + 16] = sip >>> 8;
  buf[off + 17] = sip;
  if (tha === null) {
    buf[off + 18] = 0;
    buf[off + 19] = 0;
    buf[off + 20] = 0;
    buf[off + 21] = 0;
    buf[off + 22] = 0;
    buf[off + 23] = 0;
  } else {
    buf[off + 18] = tha[thaOff];
    buf[off + 19] = tha[thaOff + 1];
    buf[off + 20] = tha[thaOff + 2];
    buf[off + 21] = tha[thaOff + 3];
    buf[off + 22] = tha[thaOff + 4];
    buf[off + 23] = tha[thaOff + 5];
  }
  buf[off + 24] = tip >>> 24;
  buf[off + 25] = tip >>> 16;
  buf[off + 26] = tip >>> 8;
  buf[off + 27] = tip;
  return off + ARP_ETH_LEN;
}
