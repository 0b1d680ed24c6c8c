// IPv4 header: include/uapi/linux/ip.h (struct iphdr), include/net/ip.h (IP_DF/IP_MF/IP_OFFSET,
// ip_decrease_ttl); ipHeaderCheck mirrors the sanity checks of ip_rcv_core (net/ipv4/ip_input.c).
import { csumReplace2 } from '../core/checksum.js';
import { ipFastCsum } from './checksum.js';

// Field offsets within struct iphdr.
export const IPH_VER_IHL_OFF = 0;
export const IPH_TOS_OFF = 1;
export const IPH_TOT_LEN_OFF = 2;
export const IPH_ID_OFF = 4;
export const IPH_FRAG_OFF_OFF = 6;
export const IPH_TTL_OFF = 8;
export const IPH_PROTOCOL_OFF = 9;
export const IPH_CHECK_OFF = 10;
export const IPH_SADDR_OFF = 12;
export const IPH_DADDR_OFF = 16;
/** sizeof(struct iphdr): header without options. */
export const IPH_MIN_LEN = 20;
/** Largest header: IHL 15. */
export const IPH_MAX_LEN = 60;

export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

// frag_off field bits (host order after the 16-bit read).
export const IP_CE = 0x8000;
export const IP_DF = 0x4000;
export const IP_MF = 0x2000;
export const IP_OFFMASK = 0x1fff;

export const IPDEFTTL = 64;

// ipHeaderCheck results. Checked in ip_rcv_core's order so that per-reason counters line up with
// the kernel's MIBs: TOO_SHORT/BAD_VERSION/BAD_IHL/HDR_TRUNCATED/BAD_TOT_LEN are InHdrErrors,
// BAD_CSUM is InCsumErrors, TRUNCATED is InTruncatedPkts.
export const IP_OK = 0;
/** Fewer than 20 bytes. */
export const IP_DROP_TOO_SHORT = 1;
/** version != 4. */
export const IP_DROP_BAD_VERSION = 2;
/** ihl < 5. */
export const IP_DROP_BAD_IHL = 3;
/** ihl * 4 exceeds the bytes available. */
export const IP_DROP_HDR_TRUNCATED = 4;
/** Header checksum does not verify. */
export const IP_DROP_BAD_CSUM = 5;
/** tot_len exceeds the bytes available. */
export const IP_DROP_TRUNCATED = 6;
/** tot_len < ihl * 4. */
export const IP_DROP_BAD_TOT_LEN = 7;

/** Reason code -> counter name. */
export const IP_DROP_REASONS: readonly string[] = Object.freeze([
  'ok',
  'ip-too-short',
  'ip-bad-version',
  'ip-bad-ihl',
  'ip-header-truncated',
  'ip-bad-csum',
  'ip-truncated',
  'ip-bad-tot-len',
]);

/**
 * Validate the IPv4 header at `off` with `len` bytes available (payload included). Returns
 * IP_OK or an IP_DROP_* code. On IP_OK the caller should trim to ipTotLen (trailing bytes are
 * link-layer padding, as pskb_trim_rcsum does).
 */
export function ipHeaderCheck(buf: Uint8Array, off: number, len: number): number {
  if (len < IPH_MIN_LEN) return IP_DROP_TOO_SHORT;
  const vi = buf[off];
  if (vi >>> 4 !== 4) return IP_DROP_BAD_VERSION;
  const ihl = vi & 0x0f;
  if (ihl < 5) return IP_DROP_BAD_IHL;
  const hlen = ihl << 2;
  if (hlen > len) return IP_DROP_HDR_TRUNCATED;
  if (ipFastCsum(buf, off, ihl) !== 0) return IP_DROP_BAD_CSUM;
  const totLen = (buf[off + 2] << 8) | buf[off + 3];
  if (totLen > len) return IP_DROP_TRUNCATED;
  if (totLen < hlen) return IP_DROP_BAD_TOT_LEN;
  return IP_OK;
}

export function ipVersion(buf: Uint8Array, off: number): number {
  return buf[off] >>> 4;
}

/** Header length in bytes (ihl * 4). */
export function ipIhlBytes(buf: Uint8Array, off: number): number {
  return (buf[off] & 0x0f) << 2;
}

export function ipTos(buf: Uint8Array, off: number): number {
  return buf[off + 1];
}

export function ipTotLen(buf: Uint8Array, off: number): number {
  return (buf[off + 2] << 8) | buf[off + 3];
}

export function ipId(buf: Uint8Array, off: number): number {
  return (buf[off + 4] << 8) | buf[off + 5];
}

/** Raw frag_off field: flags (IP_DF, IP_MF) plus the offset in 8-byte units (IP_OFFMASK). */
export function ipFragOff(buf: Uint8Array, off: number): number {
  return (buf[off + 6] << 8) | buf[off + 7];
}

/** MF set or non-zero fragment offset (ip_is_fragment). */
export function ipIsFragment(buf: Uint8Array, off: number): boolean {
  return (((buf[off + 6] << 8) | buf[off + 7]) & (IP_MF | IP_OFFMASK)) !== 0;
}

export function ipTtl(buf: Uint8Array, off: number): number {
  return buf[off + 8];
}

export function ipProtocol(buf: Uint8Array, off: number): number {
  return buf[off + 9];
}

export function ipCheck(buf: Uint8Array, off: number): number {
  return (buf[off + 10] << 8) | buf[off + 11];
}

// Byte shifts beat readUInt32BE (which range-checks and throws) by ~30% in V8.
export function ipSaddr(buf: Uint8Array, off: number): number {
  return ((buf[off + 12] << 24) | (buf[off + 13] << 16) | (buf[off + 14] << 8) | buf[off + 15]) >>> 0;
}

export function ipDaddr(buf: Uint8Array, off: number): number {
  return ((buf[off + 16] << 24) | (buf[off + 17] << 16) | (buf[off + 18] << 8) | buf[off + 19]) >>> 0;
}

/**
 * Decrement TTL in place with an incremental checksum update (ip_decrease_ttl). Returns the new
 * TTL. The caller must already have rejected ttl <= 1 (ICMP time exceeded).
 */
export function ipDecreaseTtl(buf: Uint8Array, off: number): number {
  const ttl = buf[off + 8];
  const proto = buf[off + 9];
  const check = csumReplace2(
    (buf[off + 10] << 8) | buf[off + 11],
    (ttl << 8) | proto,
    ((ttl - 1) << 8) | proto,
  );
  buf[off + 8] = ttl - 1;
  buf[off + 10] = check >>> 8;
  buf[off + 11] = check;
  return ttl - 1;
}

export interface IpHeaderFields {
  tos: number;
  totLen: number;
  id: number;
  /** Raw frag_off field (flags | offset in 8-byte units). */
  fragOff: number;
  ttl: number;
  protocol: number;
  saddr: number;
  daddr: number;
}

/**
 * Write a 20-byte option-less header with a valid checksum at `off`; returns off + 20.
 * Positional arguments so the hot path allocates nothing. The checksum is summed from the
 * arguments rather than re-read from the buffer. Fields must already be in range (tos/ttl/
 * protocol u8, the rest u16; addresses may be signed int32): masking them here measured ~2x
 * slower, and an out-of-range value would yield a wrong checksum. The per-packet callers pass
 * the addresses signed (`| 0`): V8 may not inline this, and an unsigned address at or above
 * 128.0.0.0 handed to a call is boxed, 16 B per packet.
 */
export function writeIpHeader(
  buf: Uint8Array,
  off: number,
  tos: number,
  totLen: number,
  id: number,
  fragOff: number,
  ttl: number,
  protocol: number,
  saddr: number,
  daddr: number,
): number {
  let s =
    (0x4500 | tos) + totLen + id + fragOff + ((ttl << 8) | protocol) +
    (saddr >>> 16) + (saddr & 0xffff) + (daddr >>> 16) + (daddr & 0xffff);
  s = (s & 0xffff) + (s >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  const check = ~s & 0xffff;
  buf[off] = 0x45;
  buf[off + 1] = tos;
  buf[off + 2] = totLen >>> 8;
  buf[off + 3] = totLen;
  buf[off + 4] = id >>> 8;
  buf[off + 5] = id;
  buf[off + 6] = fragOff >>> 8;
  buf[off + 7] = fragOff;
  buf[off + 8] = ttl;
  buf[off + 9] = protocol;
  buf[off + 10] = check >>> 8;
  buf[off + 11] = check;
  buf[off + 12] = saddr >>> 24;
  buf[off + 13] = saddr >>> 16;
  buf[off + 14] = saddr >>> 8;
  buf[off + 15] = saddr;
  buf[off + 16] = daddr >>> 24;
  buf[off + 17] = daddr >>> 16;
  buf[off + 18] = daddr >>> 8;
  buf[off + 19] = daddr;
  return off + IPH_MIN_LEN;
}

/** Object-argument form of writeIpHeader, for non-hot paths. Returns off + 20. */
export function emitIpHeader(buf: Uint8Array, off: number, f: IpHeaderFields): number {
  return writeIpHeader(buf, off, f.tos, f.totLen, f.id, f.fragOff, f.ttl, f.protocol, f.saddr, f.daddr);
}
