// ICMPv4 header: include/uapi/linux/icmp.h (struct icmphdr, ICMP_* types/codes); icmpCheck
// mirrors the checksum and length checks at the top of icmp_rcv (net/ipv4/icmp.c).
import { csumFold, csumPartial } from '../core/checksum.js';

export const ICMP_ECHOREPLY = 0;
export const ICMP_DEST_UNREACH = 3;
export const ICMP_SOURCE_QUENCH = 4;
export const ICMP_REDIRECT = 5;
export const ICMP_ECHO = 8;
export const ICMP_TIME_EXCEEDED = 11;
export const ICMP_PARAMETERPROB = 12;
export const ICMP_TIMESTAMP = 13;
export const ICMP_TIMESTAMPREPLY = 14;

// ICMP_DEST_UNREACH codes.
export const ICMP_NET_UNREACH = 0;
export const ICMP_HOST_UNREACH = 1;
export const ICMP_PROT_UNREACH = 2;
export const ICMP_PORT_UNREACH = 3;
export const ICMP_FRAG_NEEDED = 4;

// ICMP_REDIRECT codes.
export const ICMP_REDIR_NET = 0;
export const ICMP_REDIR_HOST = 1;

// ICMP_TIME_EXCEEDED codes.
export const ICMP_EXC_TTL = 0;
export const ICMP_EXC_FRAGTIME = 1;

/** sizeof(struct icmphdr). */
export const ICMP_HLEN = 8;

export const ICMP_OK = 0;
/** Checksum over the whole message does not verify (InCsumErrors). */
export const ICMP_DROP_BAD_CSUM = 1;
/** Fewer than 8 bytes (InErrors). */
export const ICMP_DROP_TOO_SHORT = 2;

export const ICMP_DROP_REASONS: readonly string[] = Object.freeze(['ok', 'icmp-bad-csum', 'icmp-too-short']);

/**
 * Validate an ICMP message of `len` bytes (the IP payload). Like icmp_rcv, the checksum is
 * verified before the length, so a short message with a bad checksum counts as a csum error.
 */
export function icmpCheck(buf: Uint8Array, off: number, len: number): number {
  if (csumFold(csumPartial(buf, off, len, 0)) !== 0) return ICMP_DROP_BAD_CSUM;
  if (len < ICMP_HLEN) return ICMP_DROP_TOO_SHORT;
  return ICMP_OK;
}

/** True when the checksum over `len` bytes verifies. */
export function icmpChecksumOk(buf: Uint8Array, off: number, len: number): boolean {
  return csumFold(csumPartial(buf, off, len, 0)) === 0;
}

export function icmpType(buf: Uint8Array, off: number): number {
  return buf[off];
}

export function icmpCode(buf: Uint8Array, off: number): number {
  return buf[off + 1];
}

export function icmpChecksum(buf: Uint8Array, off: number): number {
  return (buf[off + 2] << 8) | buf[off + 3];
}

export function icmpEchoId(buf: Uint8Array, off: number): number {
  return (buf[off + 4] << 8) | buf[off + 5];
}

export function icmpEchoSeq(buf: Uint8Array, off: number): number {
  return (buf[off + 6] << 8) | buf[off + 7];
}

/** Redirect: the gateway address in bytes 4-7 (un.gateway). */
export function icmpGateway(buf: Uint8Array, off: number): number {
  return ((buf[off + 4] << 24) | (buf[off + 5] << 16) | (buf[off + 6] << 8) | buf[off + 7]) >>> 0;
}

/** Fragmentation needed: next-hop MTU in bytes 6-7 (un.frag.mtu). */
export function icmpFragMtu(buf: Uint8Array, off: number): number {
  return (buf[off + 6] << 8) | buf[off + 7];
}

/** Echo / echo-reply header (code 0, checksum 0); returns off + 8. Follow with finishIcmpChecksum. */
export function writeIcmpEcho(buf: Uint8Array, off: number, type: number, id: number, seq: number): number {
  buf[off] = type;
  buf[off + 1] = 0;
  buf[off + 2] = 0;
  buf[off + 3] = 0;
  buf[off + 4] = id >>> 8;
  buf[off + 5] = id;
  buf[off + 6] = seq >>> 8;
  buf[off + 7] = seq;
  return off + ICMP_HLEN;
}

/**
 * Generic header (checksum 0) with the 32-bit "rest of header" word: 0 for unreachable/time
 * exceeded, (mtu & 0xffff) for FRAG_NEEDED, the gateway for REDIRECT, pointer << 24 for
 * PARAMETERPROB. Returns off + 8. Follow with finishIcmpChecksum.
 */
export function writeIcmpHeader(buf: Uint8Array, off: number, type: number, code: number, rest: number): number {
  buf[off] = type;
  buf[off + 1] = code;
  buf[off + 2] = 0;
  buf[off + 3] = 0;
  buf[off + 4] = rest >>> 24;
  buf[off + 5] = rest >>> 16;
  buf[off + 6] = rest >>> 8;
  buf[off + 7] = rest;
  return off + ICMP_HLEN;
}

/**
 * Compute the checksum over the `len`-byte message at `off` (header + data) and store it.
 * The existing checksum field is zeroed first, so this also works on a reused/reflected buffer.
 * Returns the stored value.
 */
export function finishIcmpChecksum(buf: Uint8Array, off: number, len: number): number {
  buf[off + 2] = 0;
  buf[off + 3] = 0;
  const check = csumFold(csumPartial(buf, off, len, 0));
  buf[off + 2] = check >>> 8;
  buf[off + 3] = check;
  return check;
}
