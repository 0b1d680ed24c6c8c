// IPv6 addresses: include/uapi/linux/in6.h (struct in6_addr), include/net/ipv6.h (ipv6_addr_*,
// IPV6_ADDR_*), net/ipv6/addrconf_core.c (__ipv6_addr_type), include/net/addrconf.h
// (addrconf_addr_solict_mult, ipv6_addr_is_solict_mult), include/net/if_inet6.h (ipv6_eth_mc_map),
// addrconf_ifid_eui48 (net/ipv6/addrconf.c); text form as glibc inet_pton / inet_ntop.
//
// An address is 16 bytes in network order inside a Uint8Array: a Buffer of its own, or 16 bytes
// at an offset inside a frame (the functions taking `off` read in place, never copy). Strings
// exist only at the edges (parseIn6 / formatIn6), as for IPv4 (../shared/design.md).

/** sizeof(struct in6_addr). */
export const IN6_ADDR_LEN = 16;

// Typed arrays cannot be frozen: these are read-only by type only. Never write into them.
/** :: (in6addr_any). Shared: do not mutate. */
export const IN6ADDR_ANY: Readonly<Buffer> = Buffer.alloc(16);
/** ::1 (in6addr_loopback). Shared: do not mutate. */
export const IN6ADDR_LOOPBACK: Readonly<Buffer> = in6FromWords(0, 0, 0, 1);
/** ff02::1, all nodes (in6addr_linklocal_allnodes). Shared: do not mutate. */
export const IN6ADDR_LINKLOCAL_ALLNODES: Readonly<Buffer> = in6FromWords(0xff020000, 0, 0, 1);
/** ff02::2, all routers (in6addr_linklocal_allrouters). Shared: do not mutate. */
export const IN6ADDR_LINKLOCAL_ALLROUTERS: Readonly<Buffer> = in6FromWords(0xff020000, 0, 0, 2);
/** ff02::16, all MLDv2-capable routers, where MLDv2 reports go (mld2_all_mcr). Shared: do not mutate. */
export const IN6ADDR_MLD2_ALL_MCR: Readonly<Buffer> = in6FromWords(0xff020000, 0, 0, 0x16);
/** ff01::1, interface-local all nodes (in6addr_interfacelocal_allnodes). Shared: do not mutate. */
export const IN6ADDR_INTERFACELOCAL_ALLNODES: Readonly<Buffer> = in6FromWords(0xff010000, 0, 0, 1);

/** An address from its four 32-bit words (s6_addr32[0..3], host-order numbers). */
export function in6FromWords(w0: number, w1: number, w2: number, w3: number): Buffer {
  const b = Buffer.allocUnsafe(16);
  b.writeUInt32BE(w0 >>> 0, 0);
  b.writeUInt32BE(w1 >>> 0, 4);
  b.writeUInt32BE(w2 >>> 0, 8);
  b.writeUInt32BE(w3 >>> 0, 12);
  return b;
}

/** s6_addr32[i] as an unsigned number (i = 0..3). */
export function in6Word(a: Uint8Array, off: number, i: number): number {
  const o = off + 4 * i;
  return ((a[o] << 24) | (a[o + 1] << 16) | (a[o + 2] << 8) | a[o + 3]) >>> 0;
}

/** A 16-byte copy of the address at `off` (for keys that must outlive the frame). */
export function in6Copy(a: Uint8Array, off = 0): Buffer {
  const b = Buffer.allocUnsafe(16);
  for (let i = 0; i < 16; i++) b[i] = a[off + i];
  return b;
}

/** Copy 16 bytes from (src, srcOff) to (dst, dstOff). Byte stores: cheaper than copy() for 16. */
export function in6Write(dst: Uint8Array, dstOff: number, src: Uint8Array, srcOff = 0): void {
  for (let i = 0; i < 16; i++) dst[dstOff + i] = src[srcOff + i];
}

// ---------------------------------------------------------------------------------------------
// Text form

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

/**
 * glibc's inet_pton4 on s[start, end) into out[off..off+3]: exactly four decimal parts 0-255,
 * no leading zeros ("01" is refused, "0" is fine), nothing else. Returns success.
 */
function parseDottedQuad(s: string, start: number, end: number, out: Uint8Array, off: number): boolean {
  let octets = 0;
  let sawDigit = false;
  let cur = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      if (sawDigit && cur === 0) return false; // leading zero
      cur = cur * 10 + (c - 0x30);
      if (cur > 255) return false;
      if (!sawDigit) {
        if (++octets > 4) return false;
        sawDigit = true;
      }
    } else if (c === 0x2e /* '.' */ && sawDigit) {
      if (octets === 4) return false;
      out[off + octets - 1] = cur;
      cur = 0;
      sawDigit = false;
    } else {
      return false;
    }
  }
  if (octets < 4 || !sawDigit) return false;
  out[off + 3] = cur;
  return true;
}

/**
 * Parse the text form into out[off..off+15], accepting exactly what glibc inet_pton(AF_INET6)
 * accepts: 1-4 hex digits per group (either case), one `::` standing for at least one zero
 * group, an optional trailing dotted quad in place of the last two groups; no zone, prefix,
 * brackets or spaces. Returns false (and leaves `out` alone) otherwise.
 */
export function parseIn6Into(s: string, out: Uint8Array, off: number): boolean {
  const end = s.length;
  if (end === 0) return false;
  const tmp = PARSE_TMP;
  tmp.fill(0);
  let src = 0;
  // A leading ':' must be the start of '::'.
  if (s.charCodeAt(0) === 0x3a) {
    if (end < 2 || s.charCodeAt(1) !== 0x3a) return false;
    src = 1;
  }
  let tp = 0;
  let colonp = -1;
  let curtok = src;
  let digits = 0;
  let val = 0;
  while (src < end) {
    const ch = s.charCodeAt(src++);
    const d = hexDigit(ch);
    if (d >= 0) {
      if (digits === 4) return false;
      val = (val << 4) | d;
      digits++;
      continue;
    }
    if (ch === 0x3a /* ':' */) {
      curtok = src;
      if (digits === 0) {
        if (colonp >= 0) return false; // a second '::' (or ':::')
        colonp = tp;
        continue;
      }
      if (src === end) return false; // trailing single ':'
      if (tp + 2 > 16) return false;
      tmp[tp++] = val >>> 8;
      tmp[tp++] = val & 0xff;
      digits = 0;
      val = 0;
      continue;
    }
    if (ch === 0x2e /* '.' */ && tp + 4 <= 16 && parseDottedQuad(s, curtok, end, tmp, tp)) {
      tp += 4;
      digits = 0;
      break;
    }
    return false;
  }
  if (digits > 0) {
    if (tp + 2 > 16) return false;
    tmp[tp++] = val >>> 8;
    tmp[tp++] = val & 0xff;
  }
  if (colonp >= 0) {
    if (tp === 16) return false; // '::' would stand for no group at all
    const n = tp - colonp;
    for (let i = 1; i <= n; i++) {
      tmp[16 - i] = tmp[colonp + n - i];
      tmp[colonp + n - i] = 0;
    }
    tp = 16;
  }
  if (tp !== 16) return false;
  for (let i = 0; i < 16; i++) out[off + i] = tmp[i];
  return true;
}

const PARSE_TMP = new Uint8Array(16);

/** inet_pton(AF_INET6): a new 16-byte Buffer, or null when glibc would refuse the text. */
export function parseIn6(s: string): Buffer | null {
  const b = Buffer.allocUnsafe(16);
  return parseIn6Into(s, b, 0) ? b : null;
}

/**
 * An address with an optional zone: "fe80::1%tap0" → { addr, zone: 'tap0' }, "fd00::1" →
 * { addr, zone: null }. The zone (an interface name or a number, as getaddrinfo takes it) is
 * returned as written; resolving it to an ifindex is the caller's business. An empty zone
 * ("fe80::1%") is refused, as getaddrinfo refuses it.
 */
export function parseIn6Scoped(s: string): { addr: Buffer; zone: string | null } | null {
  const pct = s.indexOf('%');
  if (pct < 0) {
    const addr = parseIn6(s);
    return addr ? { addr, zone: null } : null;
  }
  if (pct === s.length - 1) return null;
  const addr = parseIn6(s.slice(0, pct));
  return addr ? { addr, zone: s.slice(pct + 1) } : null;
}

function parsePrefixLen6(s: string, start: number): number {
  const n = s.length - start;
  if (n < 1 || n > 3) return -1;
  if (n > 1 && s.charCodeAt(start) === 0x30) return -1;
  let v = 0;
  for (let i = start; i < s.length; i++) {
    const c = s.charCodeAt(i) - 0x30;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v <= 128 ? v : -1;
}

/**
 * "ADDR/LEN" (LEN 0-128, decimal without leading zeros, as parseCidr takes IPv4's); a bare
 * address gets `defaultLen` (negative: the "/LEN" is required). Host bits are kept as written.
 */
export function parseIn6Prefix(s: string, defaultLen: number): { addr: Buffer; prefixLen: number } | null {
  const slash = s.indexOf('/');
  if (slash < 0) {
    if (defaultLen < 0 || defaultLen > 128) return null;
    const addr = parseIn6(s);
    return addr ? { addr, prefixLen: defaultLen } : null;
  }
  const addr = parseIn6(s.slice(0, slash));
  if (!addr) return null;
  const prefixLen = parsePrefixLen6(s, slash + 1);
  return prefixLen < 0 ? null : { addr, prefixLen };
}

/**
 * The text form glibc inet_ntop(AF_INET6) prints, which is what iproute2, ping and the kernel
 * log show: lower-case hex without leading zeros, the longest run of two or more zero groups as
 * `::` (the leftmost of equal runs), and the last 32 bits as a dotted quad for IPv4-mapped
 * (`::ffff:1.2.3.4`) and IPv4-compatible (`::1.2.3.4`) addresses — but `::1`, `::f` and the like
 * (seven zero groups) stay hex, and `::ffff:0:1.2.3.4` (SIIT) is printed as hex. RFC 5952 agrees
 * except that it would print every `::a.b.c.d` form in hex.
 */
export function formatIn6(a: Uint8Array, off = 0): string {
  const w = FMT_WORDS;
  for (let i = 0; i < 8; i++) w[i] = (a[off + 2 * i] << 8) | a[off + 2 * i + 1];
  let bestBase = -1;
  let bestLen = 0;
  let curBase = -1;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (w[i] === 0) {
      if (curBase < 0) {
        curBase = i;
        curLen = 1;
      } else curLen++;
    } else if (curBase >= 0) {
      if (bestBase < 0 || curLen > bestLen) {
        bestBase = curBase;
        bestLen = curLen;
      }
      curBase = -1;
    }
  }
  if (curBase >= 0 && (bestBase < 0 || curLen > bestLen)) {
    bestBase = curBase;
    bestLen = curLen;
  }
  if (bestBase >= 0 && bestLen < 2) bestBase = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && w[5] === 0xffff))) {
      out += `${a[off + 12]}.${a[off + 13]}.${a[off + 14]}.${a[off + 15]}`;
      break;
    }
    out += w[i].toString(16);
  }
  if (bestBase >= 0 && bestBase + bestLen === 8) out += ':';
  return out;
}

const FMT_WORDS = new Uint16Array(8);

// ---------------------------------------------------------------------------------------------
// Classification (include/net/ipv6.h, net/ipv6/addrconf_core.c)

export const IPV6_ADDR_ANY = 0x0000;
export const IPV6_ADDR_UNICAST = 0x0001;
export const IPV6_ADDR_MULTICAST = 0x0002;
export const IPV6_ADDR_LOOPBACK = 0x0010;
export const IPV6_ADDR_LINKLOCAL = 0x0020;
export const IPV6_ADDR_SITELOCAL = 0x0040;
export const IPV6_ADDR_COMPATv4 = 0x0080;
export const IPV6_ADDR_SCOPE_MASK = 0x00f0;
export const IPV6_ADDR_MAPPED = 0x1000;

// Scopes: the multicast scope nibble values, also used for unicast (addr-select).
export const IPV6_ADDR_SCOPE_NODELOCAL = 0x01;
export const IPV6_ADDR_SCOPE_LINKLOCAL = 0x02;
export const IPV6_ADDR_SCOPE_SITELOCAL = 0x05;
export const IPV6_ADDR_SCOPE_ORGLOCAL = 0x08;
export const IPV6_ADDR_SCOPE_GLOBAL = 0x0e;
export const __IPV6_ADDR_SCOPE_INVALID = -1;

function scopeType(scope: number): number {
  return scope << 16;
}

function scope2type(scope: number): number {
  switch (scope) {
    case IPV6_ADDR_SCOPE_NODELOCAL:
      return scopeType(IPV6_ADDR_SCOPE_NODELOCAL) | IPV6_ADDR_LOOPBACK;
    case IPV6_ADDR_SCOPE_LINKLOCAL:
      return scopeType(IPV6_ADDR_SCOPE_LINKLOCAL) | IPV6_ADDR_LINKLOCAL;
    case IPV6_ADDR_SCOPE_SITELOCAL:
      return scopeType(IPV6_ADDR_SCOPE_SITELOCAL) | IPV6_ADDR_SITELOCAL;
  }
  return scopeType(scope);
}

/**
 * __ipv6_addr_type: the IPV6_ADDR_* type bits in the low 16 bits and the source-selection scope
 * (IPV6_ADDR_SCOPE_*) in bits 16 and up. Everything outside 000/3 and 111/3 is global unicast;
 * fc00::/7 (ULA) is global unicast too; fec0::/10 (deprecated site-local) keeps its own type.
 */
export function __ipv6AddrType(a: Uint8Array, off = 0): number {
  const b0 = a[off];
  const top3 = b0 & 0xe0;
  if (top3 !== 0x00 && top3 !== 0xe0) return IPV6_ADDR_UNICAST | scopeType(IPV6_ADDR_SCOPE_GLOBAL);
  if (b0 === 0xff) return IPV6_ADDR_MULTICAST | scope2type(a[off + 1] & 0x0f);
  if (b0 === 0xfe && (a[off + 1] & 0xc0) === 0x80) {
    return IPV6_ADDR_LINKLOCAL | IPV6_ADDR_UNICAST | scopeType(IPV6_ADDR_SCOPE_LINKLOCAL);
  }
  if (b0 === 0xfe && (a[off + 1] & 0xc0) === 0xc0) {
    return IPV6_ADDR_SITELOCAL | IPV6_ADDR_UNICAST | scopeType(IPV6_ADDR_SCOPE_SITELOCAL);
  }
  if ((b0 & 0xfe) === 0xfc) return IPV6_ADDR_UNICAST | scopeType(IPV6_ADDR_SCOPE_GLOBAL);
  if ((in6Word(a, off, 0) | in6Word(a, off, 1)) === 0) {
    const w2 = in6Word(a, off, 2);
    if (w2 === 0) {
      const w3 = in6Word(a, off, 3);
      if (w3 === 0) return IPV6_ADDR_ANY;
      if (w3 === 1) return IPV6_ADDR_LOOPBACK | IPV6_ADDR_UNICAST | scopeType(IPV6_ADDR_SCOPE_LINKLOCAL);
      return IPV6_ADDR_COMPATv4 | IPV6_ADDR_UNICAST | scopeType(IPV6_ADDR_SCOPE_GLOBAL);
    }
    if (w2 === 0x0000ffff) return IPV6_ADDR_MAPPED | scopeType(IPV6_ADDR_SCOPE_GLOBAL);
  }
  return IPV6_ADDR_UNICAST | scopeType(IPV6_ADDR_SCOPE_GLOBAL);
}

/** ipv6_addr_type: the IPV6_ADDR_* bits only. */
export function ipv6AddrType(a: Uint8Array, off = 0): number {
  return __ipv6AddrType(a, off) & 0xffff;
}

/**
 * ipv6_addr_scope: IPV6_ADDR_LOOPBACK (host), IPV6_ADDR_LINKLOCAL (link), IPV6_ADDR_SITELOCAL
 * (site) or 0 (global) — the values ifa_scope / `ip -6 addr` scope names are made from.
 */
export function ipv6AddrScope(a: Uint8Array, off = 0): number {
  return __ipv6AddrType(a, off) & IPV6_ADDR_SCOPE_MASK;
}

/** ipv6_addr_src_scope: the IPV6_ADDR_SCOPE_* value for source selection; -1 for `::`. */
export function ipv6AddrSrcScope(a: Uint8Array, off = 0): number {
  const t = __ipv6AddrType(a, off);
  return t === IPV6_ADDR_ANY ? __IPV6_ADDR_SCOPE_INVALID : t >>> 16;
}

/** IPV6_ADDR_MC_SCOPE: the scope nibble of a multicast address. */
export function ipv6AddrMcScope(a: Uint8Array, off = 0): number {
  return a[off + 1] & 0x0f;
}

/** ipv6_addr_is_multicast: ff00::/8. */
export function ipv6AddrIsMulticast(a: Uint8Array, off = 0): boolean {
  return a[off] === 0xff;
}

/** ipv6_addr_any: `::`. */
export function ipv6AddrAny(a: Uint8Array, off = 0): boolean {
  let x = 0;
  for (let i = 0; i < 16; i++) x |= a[off + i];
  return x === 0;
}

/**
 * ipv6_addr_loopback: `::1`. The first and last bytes first: nearly every other address fails
 * there at once (one ending in 1, as a host's ::1 of a prefix does, fails on its first byte).
 */
export function ipv6AddrLoopback(a: Uint8Array, off = 0): boolean {
  if (a[off] !== 0 || a[off + 15] !== 1) return false;
  let x = 0;
  for (let i = 0; i < 15; i++) x |= a[off + i];
  return x === 0 && a[off + 15] === 1;
}

/** ipv6_addr_v4mapped: ::ffff:0:0/96. */
export function ipv6AddrV4mapped(a: Uint8Array, off = 0): boolean {
  let x = 0;
  for (let i = 0; i < 10; i++) x |= a[off + i];
  return x === 0 && a[off + 10] === 0xff && a[off + 11] === 0xff;
}

/** fe80::/10 unicast (IPV6_ADDR_LINKLOCAL in ipv6_addr_type for a unicast address). */
export function ipv6AddrIsLinkLocal(a: Uint8Array, off = 0): boolean {
  return a[off] === 0xfe && (a[off + 1] & 0xc0) === 0x80;
}

/** ipv6_addr_is_ll_all_nodes: ff02::1. */
export function ipv6AddrIsLlAllNodes(a: Uint8Array, off = 0): boolean {
  return ipv6AddrEqual(a, off, IN6ADDR_LINKLOCAL_ALLNODES, 0);
}

/** ipv6_addr_is_ll_all_routers: ff02::2. */
export function ipv6AddrIsLlAllRouters(a: Uint8Array, off = 0): boolean {
  return ipv6AddrEqual(a, off, IN6ADDR_LINKLOCAL_ALLROUTERS, 0);
}

/** ipv6_addr_is_solict_mult: ff02::1:ff00:0/104. */
export function ipv6AddrIsSolictMult(a: Uint8Array, off = 0): boolean {
  return (
    in6Word(a, off, 0) === 0xff020000 &&
    in6Word(a, off, 1) === 0 &&
    in6Word(a, off, 2) === 1 &&
    a[off + 12] === 0xff
  );
}

/**
 * ipv6_addr_equal. The first byte and the last four first — two prefixes differ at the front, two
 * addresses of one subnet or two solicited-node groups at the end — then the rest, unrolled: the
 * usual mismatch fails at once.
 */
export function ipv6AddrEqual(a: Uint8Array, aOff: number, b: Uint8Array, bOff: number): boolean {
  if (((a[aOff] ^ b[bOff]) | (a[aOff + 15] ^ b[bOff + 15]) | (a[aOff + 14] ^ b[bOff + 14]) | (a[aOff + 13] ^ b[bOff + 13]) | (a[aOff + 12] ^ b[bOff + 12])) !== 0) {
    return false;
  }
  return (
    ((a[aOff + 1] ^ b[bOff + 1]) | (a[aOff + 2] ^ b[bOff + 2]) | (a[aOff + 3] ^ b[bOff + 3]) |
      (a[aOff + 4] ^ b[bOff + 4]) | (a[aOff + 5] ^ b[bOff + 5]) | (a[aOff + 6] ^ b[bOff + 6]) | (a[aOff + 7] ^ b[bOff + 7]) |
      (a[aOff + 8] ^ b[bOff + 8]) | (a[aOff + 9] ^ b[bOff + 9]) | (a[aOff + 10] ^ b[bOff + 10]) | (a[aOff + 11] ^ b[bOff + 11])) === 0
  );
}

/** Total order (memcmp), for sorting dumps deterministically. */
export function ipv6AddrCmp(a: Uint8Array, aOff: number, b: Uint8Array, bOff: number): number {
  for (let i = 0; i < 16; i++) {
    const d = a[aOff + i] - b[bOff + i];
    if (d !== 0) return d;
  }
  return 0;
}

/** ipv6_prefix_equal: the first `plen` bits (0-128; more counts as 128) of a and b agree. */
export function ipv6PrefixEqual(a: Uint8Array, aOff: number, b: Uint8Array, bOff: number, plen: number): boolean {
  if (plen > 128) plen = 128;
  const bytes = plen >>> 3;
  // The prefix's last whole byte first: a host route (/128) for another address fails there.
  if (bytes > 0 && a[aOff + bytes - 1] !== b[bOff + bytes - 1]) return false;
  for (let i = 0; i < bytes; i++) if (a[aOff + i] !== b[bOff + i]) return false;
  const bits = plen & 7;
  if (bits === 0) return true;
  const mask = (0xff << (8 - bits)) & 0xff;
  return ((a[aOff + bytes] ^ b[bOff + bytes]) & mask) === 0;
}

/**
 * ipv6_addr_prefix: write `addr` with everything after the first `plen` bits cleared into
 * (out, outOff). out may be addr itself (same offset).
 */
export function ipv6AddrPrefix(out: Uint8Array, outOff: number, addr: Uint8Array, addrOff: number, plen: number): void {
  if (plen > 128) plen = 128;
  const bytes = plen >>> 3;
  const bits = plen & 7;
  for (let i = 0; i < 16; i++) {
    let v = addr[addrOff + i];
    if (i === bytes && bits !== 0) v &= (0xff << (8 - bits)) & 0xff;
    else if (i >= bytes) v = 0;
    out[outOff + i] = v;
  }
}

/** The prefix as a new Buffer (ipv6_addr_prefix into a fresh in6_addr). */
export function ipv6Prefix(addr: Uint8Array, addrOff: number, plen: number): Buffer {
  const b = Buffer.allocUnsafe(16);
  ipv6AddrPrefix(b, 0, addr, addrOff, plen);
  return b;
}

// ---------------------------------------------------------------------------------------------
// Derived addresses

/**
 * addrconf_addr_solict_mult: the solicited-node group ff02::1:ffXX:XXXX of `addr` (its last 24
 * bits), written at (out, outOff).
 */
export function addrconfAddrSolictMult(addr: Uint8Array, addrOff: number, out: Uint8Array, outOff: number): void {
  const b13 = addr[addrOff + 13];
  const b14 = addr[addrOff + 14];
  const b15 = addr[addrOff + 15];
  out[outOff] = 0xff;
  out[outOff + 1] = 0x02;
  for (let i = 2; i < 11; i++) out[outOff + i] = 0;
  out[outOff + 11] = 0x01;
  out[outOff + 12] = 0xff;
  out[outOff + 13] = b13;
  out[outOff + 14] = b14;
  out[outOff + 15] = b15;
}

/** The solicited-node group as a new Buffer. */
export function solicitedNode(addr: Uint8Array, addrOff = 0): Buffer {
  const b = Buffer.allocUnsafe(16);
  addrconfAddrSolictMult(addr, addrOff, b, 0);
  return b;
}

/** ipv6_eth_mc_map: 33:33 + the group's last 32 bits, written at (out, outOff). */
export function ipv6EthMcMap(addr: Uint8Array, addrOff: number, out: Uint8Array, outOff: number): void {
  out[outOff] = 0x33;
  out[outOff + 1] = 0x33;
  out[outOff + 2] = addr[addrOff + 12];
  out[outOff + 3] = addr[addrOff + 13];
  out[outOff + 4] = addr[addrOff + 14];
  out[outOff + 5] = addr[addrOff + 15];
}

/**
 * addrconf_ifid_eui48 (addr_gen_mode 0, "eui64"): the modified EUI-64 interface identifier of a
 * 6-byte MAC — the first three bytes with the U/L bit flipped, ff:fe, the last three — written
 * as 8 bytes at (out, outOff). `02:00:00:00:0a:01` → `0000:00ff:fe00:0a01`.
 */
export function addrconfIfidEui48(mac: Uint8Array, macOff: number, out: Uint8Array, outOff: number): void {
  out[outOff] = mac[macOff] ^ 0x02;
  out[outOff + 1] = mac[macOff + 1];
  out[outOff + 2] = mac[macOff + 2];
  out[outOff + 3] = 0xff;
  out[outOff + 4] = 0xfe;
  out[outOff + 5] = mac[macOff + 3];
  out[outOff + 6] = mac[macOff + 4];
  out[outOff + 7] = mac[macOff + 5];
}

/**
 * The EUI-64 address in a /64: the first 8 bytes of `prefix` and the MAC's interface identifier,
 * as addrconf builds the link-local (prefix fe80::) and SLAAC addresses in addr_gen_mode 0.
 */
export function ipv6AddrEui64(prefix: Uint8Array, prefixOff: number, mac: Uint8Array, macOff = 0): Buffer {
  const b = Buffer.allocUnsafe(16);
  for (let i = 0; i < 8; i++) b[i] = prefix[prefixOff + i];
  addrconfIfidEui48(mac, macOff, b, 8);
  return b;
}

const FE80 = in6FromWords(0xfe800000, 0, 0, 0);

/** fe80::/64 + EUI-64 of `mac` (the link-local address addrconf_addr_gen adds on NETDEV_UP). */
export function ipv6LinkLocalFromMac(mac: Uint8Array, macOff = 0): Buffer {
  return ipv6AddrEui64(FE80, 0, mac, macOff);
}
