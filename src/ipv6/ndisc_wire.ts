// Neighbour Discovery wire format: include/net/ndisc.h (struct nd_msg, rs_msg, ra_msg, rd_msg,
// nd_opt_hdr, ND_OPT_*), ndisc_parse_options / ndisc_next_option / ndisc_opt_addr_data /
// ndisc_fill_addr_option and the body layout of ndisc_send_ns/na/rs/redirect (net/ipv6/ndisc.c),
// struct prefix_info (include/net/addrconf.h), struct route_info and rt6_route_rcv's checks.
//
// Everything reads in place at offsets into the frame and allocates nothing per packet. Emitters
// write an ICMPv6 message body at `off` and return the number of bytes written, checksum field
// left 0: the checksum needs the IPv6 addresses, so the caller fills it last with
// icmp6FillChecksum (src/ipv6/icmp6hdr.ts) over the whole message, options included.

/** ICMPv6 types of Neighbour Discovery (NDISC_* in include/net/ndisc.h). */
export const NDISC_ROUTER_SOLICITATION = 133;
export const NDISC_ROUTER_ADVERTISEMENT = 134;
export const NDISC_NEIGHBOUR_SOLICITATION = 135;
export const NDISC_NEIGHBOUR_ADVERTISEMENT = 136;
export const NDISC_REDIRECT = 137;

// Option types (ND_OPT_*).
export const ND_OPT_SOURCE_LL_ADDR = 1;
export const ND_OPT_TARGET_LL_ADDR = 2;
export const ND_OPT_PREFIX_INFO = 3;
export const ND_OPT_REDIRECT_HDR = 4;
export const ND_OPT_MTU = 5;
export const ND_OPT_NONCE = 14;
export const ND_OPT_ROUTE_INFO = 24;
export const ND_OPT_RDNSS = 25;
export const ND_OPT_DNSSL = 31;
export const ND_OPT_CAPTIVE_PORTAL = 37;
export const ND_OPT_PREF64 = 38;

/** Option length unit: the length byte counts 8-byte units (NDISC_OPT_SPACE rounds up to it). */
export const ND_OPT_UNIT = 8;
/** sizeof(struct nd_opt_hdr): type and length. */
export const ND_OPT_HDR_LEN = 2;

// Minimum message sizes (ICMPv6 header included); options start right after.
/** struct nd_msg: header, flags/reserved word, 16-byte target. */
export const ND_NS_LEN = 24;
export const ND_NA_LEN = 24;
/** struct rs_msg: header and a reserved word. */
export const ND_RS_LEN = 8;
/** struct ra_msg: header (hop limit, flags, lifetime), reachable time, retrans timer. */
export const ND_RA_LEN = 16;
/** struct rd_msg: header, reserved word, target, destination. */
export const ND_REDIRECT_LEN = 40;

// NA flags, in the byte after the checksum (icmp6_router / icmp6_solicited / icmp6_override).
export const ND_NA_FLAG_ROUTER = 0x80;
export const ND_NA_FLAG_SOLICITED = 0x40;
export const ND_NA_FLAG_OVERRIDE = 0x20;
/** The three defined NA flag bits; the rest of the word is reserved. */
export const ND_NA_FLAGS_MASK = 0xe0;

// RA flags byte (byte 5): ND_RA_FLAG_* and the 2-bit router preference (icmp6_router_pref).
export const ND_RA_FLAG_MANAGED = 0x80;
export const ND_RA_FLAG_OTHER = 0x40;
export const ND_RA_FLAG_HOME_AGENT = 0x20;
export const ND_RA_FLAG_PROXY = 0x04;
/** Router preference bits in the RA flags byte (and in a Route Information option's flags). */
export const ND_RA_PREF_MASK = 0x18;
export const ND_RA_PREF_SHIFT = 3;

// Router preference values (ICMPV6_ROUTER_PREF_*, RFC 4191).
export const ICMPV6_ROUTER_PREF_LOW = 0x3;
export const ICMPV6_ROUTER_PREF_MEDIUM = 0x0;
export const ICMPV6_ROUTER_PREF_HIGH = 0x1;
/** Reserved value 10: an RA carrying it is read as medium; a Route Information option with it is ignored. */
export const ICMPV6_ROUTER_PREF_INVALID = 0x2;

// Prefix Information option (struct prefix_info): flags byte bits.
export const ND_PIO_ONLINK = 0x80;
export const ND_PIO_AUTOCONF = 0x40;
export const ND_PIO_ROUTERADDR = 0x20;
export const ND_PIO_PREFERPD = 0x10;
/** sizeof(struct prefix_info); addrconf_prefix_rcv ignores a shorter option. */
export const ND_PIO_LEN = 32;
/** A lifetime of all ones means "forever" (INFINITY_LIFE_TIME). */
export const ND_INFINITY_LIFE_TIME = 0xffffffff;

/** struct route_info without its prefix; rt6_route_rcv refuses a shorter option. */
export const ND_RIO_MIN_LEN = 8;
/** Nonce option: 2-byte header and 6 bytes of nonce (RFC 7527). */
export const ND_NONCE_LEN = 6;
/** Bytes before the quoted packet in a Redirected Header option (type, length, 6 reserved). */
export const ND_REDIRECT_HDR_PAD = 8;

/** Default bound for the Prefix / Route Information and user option lists of NdOpts. */
export const ND_OPTS_MAX_LIST = 16;

/**
 * struct ndisc_options: where each option ndiscParseOptions found starts (offset of its type
 * byte in the buffer, -1 when absent). One instance is reused for every message, so parsing
 * allocates nothing. Lists are bounded: options beyond `max` are counted in the *Dropped
 * fields; ndiscNextOption walks all of a type without a bound when that matters.
 */
export class NdOpts {
  /** First Source Link-Layer Address option (later ones are ignored, as Linux does). */
  sllao = -1;
  /** First Target Link-Layer Address option. */
  tllao = -1;
  /** First MTU option. */
  mtu = -1;
  /** First Nonce option. */
  nonce = -1;
  /** First Redirected Header option. */
  redirectHdr = -1;
  /** Prefix Information options, all of them in order (nd_opts_pi .. nd_opts_pi_end). */
  readonly pi: Int32Array;
  piCount = 0;
  piDropped = 0;
  /** Route Information options, all in order (nd_opts_ri .. nd_opts_ri_end). */
  readonly ri: Int32Array;
  riCount = 0;
  riDropped = 0;
  /**
   * "User options" (ndisc_is_useropt: PIO, RDNSS, DNSSL, captive portal, PREF64) — what the
   * kernel copies to netlink listeners as RTM_NEWNDUSEROPT from an RA.
   */
  readonly userOpts: Int32Array;
  userOptCount = 0;
  userOptDropped = 0;
  /** An option of a type ND does not know was met (and ignored: RFC 4861 4.6). */
  unknown = false;
  /** The option area ndiscParseOptions walked: [optStart, optEnd). */
  optStart = 0;
  optEnd = 0;
  readonly max: number;

  constructor(max = ND_OPTS_MAX_LIST) {
    this.max = max;
    this.pi = new Int32Array(max);
    this.ri = new Int32Array(max);
    this.userOpts = new Int32Array(max);
  }

  reset(): void {
    this.sllao = this.tllao = this.mtu = this.nonce = this.redirectHdr = -1;
    this.piCount = this.piDropped = 0;
    this.riCount = this.riDropped = 0;
    this.userOptCount = this.userOptDropped = 0;
    this.unknown = false;
    this.optStart = this.optEnd = 0;
  }
}

/** ndisc_is_useropt. */
export function ndiscIsUseropt(type: number): boolean {
  return (
    type === ND_OPT_PREFIX_INFO ||
    type === ND_OPT_RDNSS ||
    type === ND_OPT_DNSSL ||
    type === ND_OPT_CAPTIVE_PORTAL ||
    type === ND_OPT_PREF64
  );
}

/**
 * ndisc_parse_options over the `len` bytes of options at `off`. Returns false when the area is
 * malformed — an option with length 0, an option longer than what remains, or a single byte
 * left over — and the caller then drops the whole message (RFC 4861 6.1, 7.1.1). Unknown
 * options are skipped. `out` is reset first and, on true, describes the options.
 */
export function ndiscParseOptions(buf: Uint8Array, off: number, len: number, out: NdOpts): boolean {
  out.reset();
  if (len < 0) return false;
  out.optStart = off;
  out.optEnd = off + len;
  const max = out.max;
  while (len > 0) {
    if (len < ND_OPT_HDR_LEN) return false;
    const type = buf[off];
    const l = buf[off + 1] << 3;
    if (l === 0 || l > len) return false;
    let known = true;
    switch (type) {
      case ND_OPT_SOURCE_LL_ADDR:
        if (out.sllao < 0) out.sllao = off;
        break;
      case ND_OPT_TARGET_LL_ADDR:
        if (out.tllao < 0) out.tllao = off;
        break;
      case ND_OPT_MTU:
        if (out.mtu < 0) out.mtu = off;
        break;
      case ND_OPT_NONCE:
        if (out.nonce < 0) out.nonce = off;
        break;
      case ND_OPT_REDIRECT_HDR:
        if (out.redirectHdr < 0) out.redirectHdr = off;
        break;
      case ND_OPT_PREFIX_INFO:
        if (out.piCount < max) out.pi[out.piCount++] = off;
        else out.piDropped++;
        break;
      case ND_OPT_ROUTE_INFO:
        if (out.riCount < max) out.ri[out.riCount++] = off;
        else out.riDropped++;
        break;
      default:
        known = false;
    }
    if (ndiscIsUseropt(type)) {
      if (out.userOptCount < max) out.userOpts[out.userOptCount++] = off;
      else out.userOptDropped++;
    } else if (!known) {
      out.unknown = true;
    }
    off += l;
    len -= l;
  }
  return true;
}

/**
 * ndisc_next_option: the next option of the same type as the one at `optOff`, before `end`, or
 * -1. Only for an area ndiscParseOptions accepted (lengths are trusted). Walks every option of a
 * type with no bound, e.g. when NdOpts.piDropped is non-zero.
 */
export function ndiscNextOption(buf: Uint8Array, optOff: number, end: number): number {
  const type = buf[optOff];
  let o = optOff + (buf[optOff + 1] << 3);
  while (o < end) {
    if (buf[o] === type) return o;
    o += buf[o + 1] << 3;
  }
  return -1;
}

/** Option type byte. */
export function ndOptType(buf: Uint8Array, optOff: number): number {
  return buf[optOff];
}

/** Option length in bytes (its length byte × 8). */
export function ndOptLen(buf: Uint8Array, optOff: number): number {
  return buf[optOff + 1] << 3;
}

/** NDISC_OPT_SPACE: bytes a link-layer address option takes for an `addrLen`-byte address. */
export function ndiscOptSpace(addrLen: number): number {
  return (addrLen + ND_OPT_HDR_LEN + 7) & ~7;
}

/**
 * ndisc_opt_addr_data's length check: true when the link-layer address option at `optOff` is
 * exactly as long as the link needs (Ethernet, addrLen 6: length byte 1 = 8 bytes). A wrong
 * length makes ndisc drop an NS, NA or RA (and skip the neighbour update of an RS). The address
 * then starts at ndOptLlAddrOff(optOff).
 */
export function ndOptLlAddr(buf: Uint8Array, optOff: number, addrLen = 6): boolean {
  return buf[optOff + 1] << 3 === ndiscOptSpace(addrLen);
}

/** Offset of the link-layer address inside an SLLAO/TLLAO (Ethernet has no pre-padding). */
export function ndOptLlAddrOff(optOff: number): number {
  return optOff + ND_OPT_HDR_LEN;
}

// ---------------------------------------------------------------------------------------------
// Prefix Information (struct prefix_info)

/** True when the PIO at `optOff` is at least sizeof(struct prefix_info) (else addrconf ignores it). */
export function pioLenOk(buf: Uint8Array, optOff: number): boolean {
  return buf[optOff + 1] << 3 >= ND_PIO_LEN;
}

export function pioPrefixLen(buf: Uint8Array, optOff: number): number {
  return buf[optOff + 2];
}

/** The flags byte: ND_PIO_ONLINK | ND_PIO_AUTOCONF | ND_PIO_ROUTERADDR | ND_PIO_PREFERPD. */
export function pioFlags(buf: Uint8Array, optOff: number): number {
  return buf[optOff + 3];
}

/** Valid lifetime in seconds, unsigned (ND_INFINITY_LIFE_TIME = forever). */
export function pioValidLft(buf: Uint8Array, optOff: number): number {
  return be32(buf, optOff + 4);
}

/** Preferred lifetime in seconds, unsigned (ND_INFINITY_LIFE_TIME = forever). */
export function pioPreferredLft(buf: Uint8Array, optOff: number): number {
  return be32(buf, optOff + 8);
}

/** Offset of the 16-byte prefix (after 4 reserved bytes). */
export function pioPrefixOff(optOff: number): number {
  return optOff + 16;
}

// ---------------------------------------------------------------------------------------------
// Route Information (struct route_info, RFC 4191)

export function rioPrefixLen(buf: Uint8Array, optOff: number): number {
  return buf[optOff + 2];
}

/** Raw 2-bit preference (ICMPV6_ROUTER_PREF_*; INVALID makes rt6_route_rcv ignore the option). */
export function rioPref(buf: Uint8Array, optOff: number): number {
  return (buf[optOff + 3] & ND_RA_PREF_MASK) >>> ND_RA_PREF_SHIFT;
}

/** Route lifetime in seconds, unsigned (all ones = forever). */
export function rioLifetime(buf: Uint8Array, optOff: number): number {
  return be32(buf, optOff + 4);
}

/**
 * rt6_route_rcv's sanity checks: at least 8 bytes, length ≤ 3 units, prefix length ≤ 128,
 * a prefix longer than 64 bits needs length ≥ 2 (Linux accepts 2 there although RFC 4191 says
 * 3), preference not the reserved value.
 */
export function rioValid(buf: Uint8Array, optOff: number): boolean {
  const units = buf[optOff + 1];
  const plen = buf[optOff + 2];
  if (units << 3 < ND_RIO_MIN_LEN || units > 3 || plen > 128) return false;
  if (plen > 64 && units < 2) return false;
  return rioPref(buf, optOff) !== ICMPV6_ROUTER_PREF_INVALID;
}

/**
 * The route's prefix, written as 16 bytes at (out, outOff): the 0, 8 or 16 prefix bytes the
 * option carries, zero-filled, then cut to the prefix length (ipv6_addr_prefix). Reads nothing
 * past the option — unlike Linux, which for a length-2 option with a prefix longer than 64 bits
 * takes bytes 9..16 from whatever follows the option; here they are 0. Call only when rioValid.
 */
export function rioPrefixInto(buf: Uint8Array, optOff: number, out: Uint8Array, outOff: number): void {
  const have = (buf[optOff + 1] << 3) - ND_RIO_MIN_LEN;
  const plen = buf[optOff + 2];
  const bytes = plen >>> 3;
  const bits = plen & 7;
  for (let i = 0; i < 16; i++) {
    let v = i < have ? buf[optOff + 8 + i] : 0;
    if (i > bytes || (i === bytes && bits === 0)) v = 0;
    else if (i === bytes) v &= (0xff << (8 - bits)) & 0xff;
    out[outOff + i] = v;
  }
}

// ---------------------------------------------------------------------------------------------
// MTU and Nonce options

/** The MTU option's value (u32 after 2 reserved bytes). */
export function ndOptMtu(buf: Uint8Array, optOff: number): number {
  return be32(buf, optOff + 4);
}

/** Offset of the 6 nonce bytes. */
export function ndOptNonceOff(optOff: number): number {
  return optOff + ND_OPT_HDR_LEN;
}

/**
 * Whether ndisc_recv_ns uses the nonce option at `optOff` (-1 = none): it must be exactly one
 * unit long, and an all-zero nonce counts as no nonce (the kernel keeps it as a u64 where 0 means
 * "none"). Only a usable nonce can identify our own DAD probe looped back (RFC 7527).
 */
export function ndOptNonceUsable(buf: Uint8Array, optOff: number): boolean {
  if (optOff < 0 || buf[optOff + 1] !== 1) return false;
  for (let i = 2; i < 8; i++) if (buf[optOff + i] !== 0) return true;
  return false;
}

/** The option's 6 nonce bytes equal (nonce, nonceOff) — e.g. the nonce our DAD probe carried. */
export function ndOptNonceEqual(buf: Uint8Array, optOff: number, nonce: Uint8Array, nonceOff = 0): boolean {
  for (let i = 0; i < ND_NONCE_LEN; i++) if (buf[optOff + 2 + i] !== nonce[nonceOff + i]) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Message bodies (offsets are of the ICMPv6 header)

/** The fixed part before the options for an ND type, -1 for other types. */
export function ndiscMsgLen(type: number): number {
  switch (type) {
    case NDISC_ROUTER_SOLICITATION:
      return ND_RS_LEN;
    case NDISC_ROUTER_ADVERTISEMENT:
      return ND_RA_LEN;
    case NDISC_NEIGHBOUR_SOLICITATION:
      return ND_NS_LEN;
    case NDISC_NEIGHBOUR_ADVERTISEMENT:
      return ND_NA_LEN;
    case NDISC_REDIRECT:
      return ND_REDIRECT_LEN;
    default:
      return -1;
  }
}

/** Offset of the NS target. */
export function nsTargetOff(off: number): number {
  return off + 8;
}

/** Offset of the NA target. */
export function naTargetOff(off: number): number {
  return off + 8;
}

/** The NA flag bits (ND_NA_FLAG_*), reserved bits masked off. */
export function naFlags(buf: Uint8Array, off: number): number {
  return buf[off + 4] & ND_NA_FLAGS_MASK;
}

export function raCurHopLimit(buf: Uint8Array, off: number): number {
  return buf[off + 4];
}

/** The RA flags byte as sent (ND_RA_FLAG_* and the preference bits). */
export function raFlags(buf: Uint8Array, off: number): number {
  return buf[off + 5];
}

/** The raw 2-bit router preference (ICMPV6_ROUTER_PREF_*, INVALID included). */
export function raRouterPrefRaw(buf: Uint8Array, off: number): number {
  return (buf[off + 5] & ND_RA_PREF_MASK) >>> ND_RA_PREF_SHIFT;
}

/**
 * The router preference as ndisc_router_discovery takes it: the reserved value 10 reads as
 * medium. (accept_ra_rtr_pref=0 forcing medium is the caller's.)
 */
export function raRouterPref(buf: Uint8Array, off: number): number {
  const p = raRouterPrefRaw(buf, off);
  return p === ICMPV6_ROUTER_PREF_INVALID ? ICMPV6_ROUTER_PREF_MEDIUM : p;
}

/** Router lifetime in seconds (0: not a default router). */
export function raRouterLifetime(buf: Uint8Array, off: number): number {
  return (buf[off + 6] << 8) | buf[off + 7];
}

/** Reachable time in ms (0: unspecified). */
export function raReachableTime(buf: Uint8Array, off: number): number {
  return be32(buf, off + 8);
}

/** Retransmission timer in ms (0: unspecified). */
export function raRetransTimer(buf: Uint8Array, off: number): number {
  return be32(buf, off + 12);
}

/** Offset of the redirect target (the better first hop). */
export function rdTargetOff(off: number): number {
  return off + 8;
}

/** Offset of the redirect destination. */
export function rdDestOff(off: number): number {
  return off + 24;
}

// ---------------------------------------------------------------------------------------------
// Emitters

/**
 * ndisc_fill_addr_option: option `type` (ND_OPT_SOURCE_LL_ADDR / ND_OPT_TARGET_LL_ADDR) carrying
 * the `addrLen`-byte address at (mac, macOff), zero-padded to 8-byte units. Returns the option
 * size (8 for Ethernet).
 */
export function writeLlAddrOpt(buf: Uint8Array, off: number, type: number, mac: Uint8Array, macOff = 0, addrLen = 6): number {
  const space = ndiscOptSpace(addrLen);
  buf[off] = type;
  buf[off + 1] = space >>> 3;
  for (let i = 0; i < addrLen; i++) buf[off + 2 + i] = mac[macOff + i];
  for (let i = 2 + addrLen; i < space; i++) buf[off + i] = 0;
  return space;
}

/** Nonce option with the 6 bytes at (nonce, nonceOff). Returns 8. */
export function writeNonceOpt(buf: Uint8Array, off: number, nonce: Uint8Array, nonceOff = 0): number {
  buf[off] = ND_OPT_NONCE;
  buf[off + 1] = 1;
  for (let i = 0; i < ND_NONCE_LEN; i++) buf[off + 2 + i] = nonce[nonceOff + i];
  return 8;
}

/** MTU option. Returns 8. */
export function writeMtuOpt(buf: Uint8Array, off: number, mtu: number): number {
  buf[off] = ND_OPT_MTU;
  buf[off + 1] = 1;
  buf[off + 2] = 0;
  buf[off + 3] = 0;
  putBe32(buf, off + 4, mtu);
  return 8;
}

/**
 * Prefix Information option (32 bytes): prefix length, flags (ND_PIO_*), valid and preferred
 * lifetimes in seconds (ND_INFINITY_LIFE_TIME = forever), reserved, then the 16 bytes at
 * (prefix, prefixOff) as given (not masked). Returns 32.
 */
export function writePio(
  buf: Uint8Array,
  off: number,
  prefixLen: number,
  flags: number,
  validLft: number,
  preferredLft: number,
  prefix: Uint8Array,
  prefixOff = 0,
): number {
  buf[off] = ND_OPT_PREFIX_INFO;
  buf[off + 1] = ND_PIO_LEN >>> 3;
  buf[off + 2] = prefixLen;
  buf[off + 3] = flags;
  putBe32(buf, off + 4, validLft);
  putBe32(buf, off + 8, preferredLft);
  putBe32(buf, off + 12, 0);
  for (let i = 0; i < 16; i++) buf[off + 16 + i] = prefix[prefixOff + i];
  return ND_PIO_LEN;
}

/**
 * Route Information option: prefix length, preference (ICMPV6_ROUTER_PREF_*), lifetime, and
 * the first (units - 1) × 8 bytes of (prefix, prefixOff). `units` (1..3) defaults to the
 * smallest that holds the prefix length. Returns units × 8. For tests and fuzzing.
 */
export function writeRio(
  buf: Uint8Array,
  off: number,
  prefixLen: number,
  pref: number,
  lifetime: number,
  prefix: Uint8Array,
  prefixOff = 0,
  units = prefixLen === 0 ? 1 : prefixLen <= 64 ? 2 : 3,
): number {
  buf[off] = ND_OPT_ROUTE_INFO;
  buf[off + 1] = units;
  buf[off + 2] = prefixLen;
  buf[off + 3] = (pref << ND_RA_PREF_SHIFT) & ND_RA_PREF_MASK;
  putBe32(buf, off + 4, lifetime);
  for (let i = 0; i < (units - 1) * 8; i++) buf[off + 8 + i] = prefix[prefixOff + i];
  return units * 8;
}

/**
 * Redirected Header option quoting (pkt, pktOff, pktLen) — the offending packet from its IPv6
 * header on — in at most `maxLen` bytes: as ndisc_send_redirect sizes it, the option is
 * min(maxLen, pktLen + 8) rounded down to 8 bytes, of which the first 8 are type, length and
 * 6 reserved bytes. Returns the option size (0 when not even the header fits).
 */
export function writeRedirectHdrOpt(
  buf: Uint8Array,
  off: number,
  pkt: Uint8Array,
  pktOff: number,
  pktLen: number,
  maxLen: number,
): number {
  const rdLen = Math.min(maxLen, pktLen + ND_REDIRECT_HDR_PAD) & ~7;
  if (rdLen < ND_REDIRECT_HDR_PAD) return 0;
  buf[off] = ND_OPT_REDIRECT_HDR;
  buf[off + 1] = rdLen >>> 3;
  for (let i = 2; i < ND_REDIRECT_HDR_PAD; i++) buf[off + i] = 0;
  for (let i = 0; i < rdLen - ND_REDIRECT_HDR_PAD; i++) buf[off + ND_REDIRECT_HDR_PAD + i] = pkt[pktOff + i];
  return rdLen;
}

function writeIcmpStart(buf: Uint8Array, off: number, type: number, byte4: number): void {
  buf[off] = type;
  buf[off + 1] = 0;
  buf[off + 2] = 0;
  buf[off + 3] = 0;
  buf[off + 4] = byte4;
  buf[off + 5] = 0;
  buf[off + 6] = 0;
  buf[off + 7] = 0;
}

function copy16(buf: Uint8Array, off: number, a: Uint8Array, aOff: number): void {
  for (let i = 0; i < 16; i++) buf[off + i] = a[aOff + i];
}

/**
 * Neighbour Solicitation as ndisc_send_ns lays it out: header, reserved, target, then SLLAO
 * (omitted for DAD, whose source is ::) and the Nonce option (enhanced DAD). Returns 24, 32 or 40.
 */
export function writeNs(
  buf: Uint8Array,
  off: number,
  target: Uint8Array,
  sllMac: Uint8Array | null,
  nonce: Uint8Array | null,
  targetOff = 0,
): number {
  writeIcmpStart(buf, off, NDISC_NEIGHBOUR_SOLICITATION, 0);
  copy16(buf, off + 8, target, targetOff);
  let n = ND_NS_LEN;
  if (sllMac) n += writeLlAddrOpt(buf, off + n, ND_OPT_SOURCE_LL_ADDR, sllMac);
  if (nonce) n += writeNonceOpt(buf, off + n, nonce);
  return n;
}

/**
 * Neighbour Advertisement as ndisc_send_na lays it out: header, flags (ND_NA_FLAG_*), target,
 * then TLLAO when `tllMac` is given. Returns 24 or 32.
 */
export function writeNa(
  buf: Uint8Array,
  off: number,
  flags: number,
  target: Uint8Array,
  tllMac: Uint8Array | null,
  targetOff = 0,
): number {
  writeIcmpStart(buf, off, NDISC_NEIGHBOUR_ADVERTISEMENT, flags & ND_NA_FLAGS_MASK);
  copy16(buf, off + 8, target, targetOff);
  let n = ND_NA_LEN;
  if (tllMac) n += writeLlAddrOpt(buf, off + n, ND_OPT_TARGET_LL_ADDR, tllMac);
  return n;
}

/** Bytes of the NA writeNa lays out: 24, or 32 with the TLLAO. */
export function naLen(withTllao: boolean): number {
  return withTllao ? ND_NA_LEN + ndiscOptSpace(6) : ND_NA_LEN;
}

/** Router Solicitation (ndisc_send_rs): header, reserved, SLLAO unless null. Returns 8 or 16. */
export function writeRs(buf: Uint8Array, off: number, sllMac: Uint8Array | null): number {
  writeIcmpStart(buf, off, NDISC_ROUTER_SOLICITATION, 0);
  let n = ND_RS_LEN;
  if (sllMac) n += writeLlAddrOpt(buf, off + n, ND_OPT_SOURCE_LL_ADDR, sllMac);
  return n;
}

/** The fixed fields of a Router Advertisement. */
export interface RaFields {
  curHopLimit: number;
  /** Flags byte: ND_RA_FLAG_* (preference bits may be given here or in `pref`). */
  flags: number;
  /** Router preference (ICMPV6_ROUTER_PREF_*), OR'ed into the flags byte; default none. */
  pref?: number;
  /** Seconds. */
  routerLifetime: number;
  /** Milliseconds. */
  reachableTime: number;
  /** Milliseconds. */
  retransTimer: number;
}

/**
 * Router Advertisement: the 16 fixed bytes, then each of `opts` (prepared option bytes, e.g.
 * from writePio / writeMtuOpt / writeLlAddrOpt into scratch buffers) copied in order. Returns the
 * total length. tapstack never sends RAs: this is for tests and fuzzing.
 */
export function writeRa(buf: Uint8Array, off: number, f: RaFields, ...opts: Uint8Array[]): number {
  buf[off] = NDISC_ROUTER_ADVERTISEMENT;
  buf[off + 1] = 0;
  buf[off + 2] = 0;
  buf[off + 3] = 0;
  buf[off + 4] = f.curHopLimit;
  buf[off + 5] = (f.flags | ((f.pref ?? 0) << ND_RA_PREF_SHIFT)) & 0xff;
  buf[off + 6] = f.routerLifetime >>> 8;
  buf[off + 7] = f.routerLifetime;
  putBe32(buf, off + 8, f.reachableTime);
  putBe32(buf, off + 12, f.retransTimer);
  let n = ND_RA_LEN;
  for (const o of opts) {
    buf.set(o, off + n);
    n += o.length;
  }
  return n;
}

/**
 * Redirect as ndisc_send_redirect lays it out: header, reserved, target, destination, TLLAO when
 * `tllMac` is given, then a Redirected Header option quoting as much of (pkt, pktOff, pktLen)
 * as keeps the whole IPv6 packet within 1280 bytes (none when `pkt` is null). Returns the length.
 */
export function writeRedirect(
  buf: Uint8Array,
  off: number,
  target: Uint8Array,
  dest: Uint8Array,
  tllMac: Uint8Array | null,
  pkt: Uint8Array | null,
  pktOff = 0,
  pktLen = 0,
): number {
  writeIcmpStart(buf, off, NDISC_REDIRECT, 0);
  copy16(buf, off + 8, target, 0);
  copy16(buf, off + 24, dest, 0);
  let n = ND_REDIRECT_LEN;
  if (tllMac) n += writeLlAddrOpt(buf, off + n, ND_OPT_TARGET_LL_ADDR, tllMac);
  // IPV6_MIN_MTU - sizeof(struct ipv6hdr) - what is written so far.
  if (pkt) n += writeRedirectHdrOpt(buf, off + n, pkt, pktOff, pktLen, 1280 - 40 - n);
  return n;
}

function be32(buf: Uint8Array, o: number): number {
  return ((buf[o] << 24) | (buf[o + 1] << 16) | (buf[o + 2] << 8) | buf[o + 3]) >>> 0;
}

function putBe32(buf: Uint8Array, o: number, v: number): void {
  buf[o] = v >>> 24;
  buf[o + 1] = v >>> 16;
  buf[o + 2] = v >>> 8;
  buf[o + 3] = v;
}
