// IPv4 address helpers: include/linux/in.h (ipv4_is_*), in4_pton / in_aton, inet_make_mask,
// inet_addr_onlink and ip_eth_mc_map (include/net/ip.h).
//
// Addresses are unsigned 32-bit numbers in host order (1.2.3.4 === 0x01020304). Every function
// that returns an address normalises it with `>>> 0`, since JS bitwise ops yield signed int32.

function parseDecimalPart(s: string, start: number, end: number): number {
  const n = end - start;
  if (n < 1 || n > 3) return -1;
  // '0' is fine, '01' / '00' are not: inet_aton would read those as octal, so refuse the ambiguity.
  if (n > 1 && s.charCodeAt(start) === 0x30) return -1;
  let v = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i) - 0x30;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v <= 255 ? v : -1;
}

/**
 * Strict dotted quad ("a.b.c.d", decimal 0-255, no signs, spaces or leading zeros) to an
 * unsigned 32-bit number in host order; null when it is not one.
 */
export function parseIPv4(s: string): number | null {
  const len = s.length;
  if (len < 7 || len > 15) return null;
  let addr = 0;
  let start = 0;
  let parts = 0;
  for (let i = 0; i <= len; i++) {
    if (i === len || s.charCodeAt(i) === 0x2e /* '.' */) {
      if (parts === 4) return null;
      const v = parseDecimalPart(s, start, i);
      if (v < 0) return null;
      addr = addr * 256 + v; // multiply (not <<) so the top octet never goes negative
      parts++;
      start = i + 1;
    }
  }
  return parts === 4 ? addr : null;
}

/** Dotted quad of an address held as an unsigned 32-bit number in host order (`0x0a000001` → `'10.0.0.1'`). */
export function formatIPv4(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 0xff}.${(a >>> 8) & 0xff}.${a & 0xff}`;
}

function parsePrefixLen(s: string, start: number): number {
  const end = s.length;
  const n = end - start;
  if (n < 1 || n > 2) return -1;
  if (n > 1 && s.charCodeAt(start) === 0x30) return -1;
  let v = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i) - 0x30;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v <= 32 ? v : -1;
}

/**
 * "a.b.c.d/len" with len 0-32 mandatory. Host bits are kept as written (like `ip addr add
 * 10.0.0.5/24`); mask with prefixMask() when a network address is needed.
 */
export function parseCidr(s: string): { addr: number; prefixLen: number } | null {
  const slash = s.indexOf('/');
  if (slash < 0) return null;
  return parsePrefix(s, -1);
}

/**
 * Like parseCidr, but a bare address is accepted and gets `defaultLen` (e.g. 32 for a host
 * route). Pass a negative defaultLen to require the '/len' suffix.
 */
export function parsePrefix(s: string, defaultLen: number): { addr: number; prefixLen: number } | null {
  const slash = s.indexOf('/');
  if (slash < 0) {
    if (defaultLen < 0 || defaultLen > 32) return null;
    const addr = parseIPv4(s);
    return addr === null ? null : { addr, prefixLen: defaultLen };
  }
  const addr = parseIPv4(s.slice(0, slash));
  if (addr === null) return null;
  const prefixLen = parsePrefixLen(s, slash + 1);
  return prefixLen < 0 ? null : { addr, prefixLen };
}

/** Netmask for a prefix length (inet_make_mask). Out-of-range lengths clamp to 0 / 32. */
export function prefixMask(len: number): number {
  // JS shifts are mod 32, so `x << 32` is a no-op: /0 needs its own branch.
  if (len <= 0) return 0;
  if (len >= 32) return 0xffffffff;
  return (0xffffffff << (32 - len)) >>> 0;
}

/** True when a and b share the first `len` bits (inet_addr_onlink for one prefix). */
export function sameSubnet(a: number, b: number, len: number): boolean {
  return ((a ^ b) & prefixMask(len)) === 0;
}

// Compare via unsigned shifts: `a & 0xf0000000` is a negative int32 and never equals 0xe0000000.

/** 224.0.0.0/4 (ipv4_is_multicast). */
export function isMulticast(a: number): boolean {
  return a >>> 28 === 0xe;
}

/** 255.255.255.255 (ipv4_is_lbcast). */
export function isLocalBroadcast(a: number): boolean {
  return (a | 0) === -1;
}

/** 127.0.0.0/8 (ipv4_is_loopback). */
export function isLoopback(a: number): boolean {
  return a >>> 24 === 127;
}

/** 0.0.0.0/8 (ipv4_is_zeronet). */
export function isZeronet(a: number): boolean {
  return a >>> 24 === 0;
}

/** 0.0.0.0 exactly. */
export function isZero(a: number): boolean {
  return (a | 0) === 0;
}

/** 169.254.0.0/16 (ipv4_is_linklocal_169). */
export function isLinkLocal(a: number): boolean {
  return a >>> 16 === 0xa9fe;
}

/**
 * Usable as a unicast host address on the wire: not 0/8, 127/8, 224/4 or the limited broadcast.
 * 240/4 (class E) is accepted, as Linux does. Subnet-directed broadcasts need the interface
 * prefix and are the caller's business.
 */
export function isValidUnicastHost(a: number): boolean {
  const top = a >>> 24;
  return top !== 0 && top !== 127 && top >>> 4 !== 0xe && (a | 0) !== -1;
}

/** RFC 1112 multicast MAC: 01:00:5e + low 23 bits of the group (ip_eth_mc_map). */
export function ipv4MulticastToMac(a: number, out: Buffer, off: number): void {
  out[off] = 0x01;
  out[off + 1] = 0x00;
  out[off + 2] = 0x5e;
  out[off + 3] = (a >>> 16) & 0x7f;
  out[off + 4] = (a >>> 8) & 0xff;
  out[off + 5] = a & 0xff;
}
