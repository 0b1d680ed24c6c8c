// Initial sequence numbers, timestamp offsets and ephemeral-port offsets from per-namespace
// secrets: secure_tcp_seq(), secure_tcp_ts_off() and secure_ipv4_port_ephemeral() of
// net/core/secure_seq.c, keyed with SipHash-2-4 as lib/siphash.c (RFC 6528: ISN = M + F(4-tuple, key)).
import { randomBytes } from 'node:crypto';

const u32le = (b: Uint8Array, o: number): number => (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;

/**
 * SipHash-2-4 with a 128-bit key, on 32-bit halves (no BigInt, nothing allocated per call).
 * Fast enough to run per SYN, which a flood makes per packet; the 64-bit result is left in
 * `lo` / `hi`.
 */
export class SipHash {
  private readonly k0l: number;
  private readonly k0h: number;
  private readonly k1l: number;
  private readonly k1h: number;
  lo = 0;
  hi = 0;

  constructor(key: Uint8Array) {
    this.k0l = u32le(key, 0);
    this.k0h = u32le(key, 4);
    this.k1l = u32le(key, 8);
    this.k1h = u32le(key, 12);
  }

  private v0l = 0;
  private v0h = 0;
  private v1l = 0;
  private v1h = 0;
  private v2l = 0;
  private v2h = 0;
  private v3l = 0;
  private v3h = 0;

  /** SIPROUND on the state words. */
  private round(): void {
    let t: number;
    let s: number;
    // v0 += v1; v1 <<<= 13; v1 ^= v0; v0 <<<= 32
    s = this.v0l + this.v1l; this.v0h = (this.v0h + this.v1h + (s > 0xffffffff ? 1 : 0)) >>> 0; this.v0l = s >>> 0;
    t = ((this.v1h << 13) | (this.v1l >>> 19)) >>> 0; this.v1l = ((this.v1l << 13) | (this.v1h >>> 19)) >>> 0; this.v1h = t;
    this.v1l = (this.v1l ^ this.v0l) >>> 0; this.v1h = (this.v1h ^ this.v0h) >>> 0;
    t = this.v0l; this.v0l = this.v0h; this.v0h = t;
    // v2 += v3; v3 <<<= 16; v3 ^= v2
    s = this.v2l + this.v3l; this.v2h = (this.v2h + this.v3h + (s > 0xffffffff ? 1 : 0)) >>> 0; this.v2l = s >>> 0;
    t = ((this.v3h << 16) | (this.v3l >>> 16)) >>> 0; this.v3l = ((this.v3l << 16) | (this.v3h >>> 16)) >>> 0; this.v3h = t;
    this.v3l = (this.v3l ^ this.v2l) >>> 0; this.v3h = (this.v3h ^ this.v2h) >>> 0;
    // v0 += v3; v3 <<<= 21; v3 ^= v0
    s = this.v0l + this.v3l; this.v0h = (this.v0h + this.v3h + (s > 0xffffffff ? 1 : 0)) >>> 0; this.v0l = s >>> 0;
    t = ((this.v3h << 21) | (this.v3l >>> 11)) >>> 0; this.v3l = ((this.v3l << 21) | (this.v3h >>> 11)) >>> 0; this.v3h = t;
    this.v3l = (this.v3l ^ this.v0l) >>> 0; this.v3h = (this.v3h ^ this.v0h) >>> 0;
    // v2 += v1; v1 <<<= 17; v1 ^= v2; v2 <<<= 32
    s = this.v2l + this.v1l; this.v2h = (this.v2h + this.v1h + (s > 0xffffffff ? 1 : 0)) >>> 0; this.v2l = s >>> 0;
    t = ((this.v1h << 17) | (this.v1l >>> 15)) >>> 0; this.v1l = ((this.v1l << 17) | (this.v1h >>> 15)) >>> 0; this.v1h = t;
    this.v1l = (this.v1l ^ this.v2l) >>> 0; this.v1h = (this.v1h ^ this.v2h) >>> 0;
    t = this.v2l; this.v2l = this.v2h; this.v2h = t;
  }

  private compress(ml: number, mh: number): void {
    this.v3l = (this.v3l ^ ml) >>> 0;
    this.v3h = (this.v3h ^ mh) >>> 0;
    this.round();
    this.round();
    this.v0l = (this.v0l ^ ml) >>> 0;
    this.v0h = (this.v0h ^ mh) >>> 0;
  }

  /** The hash of `len` bytes of `b` from 0; returns the low 32 bits (all 64 in lo/hi). */
  hash(b: Uint8Array, len: number): number {
    this.v0l = (this.k0l ^ 0x70736575) >>> 0;
    this.v0h = (this.k0h ^ 0x736f6d65) >>> 0;
    this.v1l = (this.k1l ^ 0x6e646f6d) >>> 0;
    this.v1h = (this.k1h ^ 0x646f7261) >>> 0;
    this.v2l = (this.k0l ^ 0x6e657261) >>> 0;
    this.v2h = (this.k0h ^ 0x6c796765) >>> 0;
    this.v3l = (this.k1l ^ 0x79746573) >>> 0;
    this.v3h = (this.k1h ^ 0x74656462) >>> 0;
    const whole = len & ~7;
    for (let i = 0; i < whole; i += 8) this.compress(u32le(b, i), u32le(b, i + 4));
    // The last block: the remaining bytes and the length in the top byte.
    let ml = 0;
    let mh = (len & 0xff) << 24;
    for (let i = whole; i < len; i++) {
      const k = i - whole;
      if (k < 4) ml |= b[i] << (8 * k);
      else mh |= b[i] << (8 * (k - 4));
    }
    this.compress(ml >>> 0, mh >>> 0);
    this.v2l = (this.v2l ^ 0xff) >>> 0;
    this.round();
    this.round();
    this.round();
    this.round();
    this.lo = (this.v0l ^ this.v1l ^ this.v2l ^ this.v3l) >>> 0;
    this.hi = (this.v0h ^ this.v1h ^ this.v2h ^ this.v3h) >>> 0;
    return this.lo;
  }
}

/** Writes a 4-tuple into `b` (addresses as given, ports big-endian); returns the length. */
export function tupleInto(b: Uint8Array, saddr: Uint8Array, daddr: Uint8Array, sport: number, dport: number): number {
  b.set(saddr, 0);
  b.set(daddr, saddr.length);
  const p = saddr.length + daddr.length;
  b[p] = sport >>> 8;
  b[p + 1] = sport & 0xff;
  b[p + 2] = dport >>> 8;
  b[p + 3] = dport & 0xff;
  return p + 4;
}

/** The secrets of one namespace (net_secret / ts_secret / the port secret). */
export class SecureSeq {
  private readonly seqKey: SipHash;
  private readonly tsKey: SipHash;
  private readonly portKey: SipHash;
  /** Scratch for the hashed bytes (two IPv6 addresses, two ports, a counter). */
  private readonly scratch = new Uint8Array(40);

  constructor(random: () => number = Math.random, deterministic = false) {
    let k: Uint8Array;
    if (deterministic) {
      // Tests with a seeded random get reproducible numbers.
      k = new Uint8Array(48);
      for (let i = 0; i < k.length; i++) k[i] = Math.floor(random() * 256) & 0xff;
    } else k = randomBytes(48);
    this.seqKey = new SipHash(k.subarray(0, 16));
    this.tsKey = new SipHash(k.subarray(16, 32));
    this.portKey = new SipHash(k.subarray(32, 48));
  }

  /**
   * secure_tcp_seq(): the keyed hash of the 4-tuple plus the 64 ns clock (seq_scale), so a
   * reincarnation of the same 4-tuple starts higher than the last one did (TIME_WAIT reuse).
   */
  isn(saddr: Uint8Array, daddr: Uint8Array, sport: number, dport: number, nowMs: number): number {
    const n = tupleInto(this.scratch, saddr, daddr, sport, dport);
    const ns64 = Math.floor((nowMs * 1e6) / 64);
    return (this.seqKey.hash(this.scratch, n) + ns64) >>> 0;
  }

  /** secure_tcp_ts_off(): a per-pair offset added to the 1 kHz timestamp clock. */
  tsOff(saddr: Uint8Array, daddr: Uint8Array): number {
    this.scratch.set(saddr, 0);
    this.scratch.set(daddr, saddr.length);
    return this.tsKey.hash(this.scratch, saddr.length + daddr.length);
  }

  /** secure_ipv4_port_ephemeral(): where the ephemeral-port search starts for this destination. */
  portOffset(saddr: Uint8Array, daddr: Uint8Array, dport: number): number {
    const n = tupleInto(this.scratch, saddr, daddr, 0, dport);
    return this.portKey.hash(this.scratch, n);
  }
}
