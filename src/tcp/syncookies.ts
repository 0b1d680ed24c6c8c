// SYN cookies: the encoding of cookie_v4_init_sequence() / __cookie_v4_check() and the timestamp
// bits of cookie_init_timestamp() / cookie_timestamp_decode() (net/ipv4/syncookies.c), keyed
// with SipHash as cookie_hash() is, so a SYN flood costs no crypto call per packet.
import { randomBytes } from 'node:crypto';
import { SipHash } from './secure_seq.js';

const COOKIEBITS = 24;
const COOKIEMASK = (1 << COOKIEBITS) - 1;
/** A cookie is valid for MAX_SYNCOOKIE_AGE minutes of the 64 s counter (2). */
const MAX_SYNCOOKIE_AGE = 2;

/** msstab of syncookies.c: the MSS values a cookie can carry (index in 2 bits). */
export const MSSTAB_V4: readonly number[] = [536, 1300, 1440, 1460];
export const MSSTAB_V6: readonly number[] = [1280 - 60, 1480 - 60, 1500 - 60, 9000 - 60];

/** The options a timestamp-carrying cookie remembers (TSBITS of the TSval's low 6 bits). */
export interface CookieTsOptions {
  wscale: number;
  sackOk: boolean;
}

const TS_OPT_WSCALE_MASK = 0xf;
const TS_OPT_SACK = 1 << 4;

export class SynCookies {
  private readonly k1: SipHash;
  private readonly k2: SipHash;
  /** The tuple with the counter appended (addresses, ports, 4 bytes of count). */
  private readonly buf = new Uint8Array(44);

  constructor(key: Uint8Array = randomBytes(32)) {
    this.k1 = new SipHash(key.subarray(0, 16));
    this.k2 = new SipHash(key.subarray(16, 32));
  }

  /** cookie_hash(): the keyed hash of the tuple's `len` bytes and `count`. */
  private hash(key: SipHash, tuple: Uint8Array, len: number, count: number): number {
    const b = this.buf;
    b.set(tuple.subarray(0, len), 0);
    b[len] = count >>> 24;
    b[len + 1] = (count >>> 16) & 0xff;
    b[len + 2] = (count >>> 8) & 0xff;
    b[len + 3] = count & 0xff;
    return key.hash(b, len + 4);
  }

  /** The counter of 64-second periods (tcp_cookie_time). */
  static count(nowMs: number): number {
    return Math.floor(nowMs / 64000) >>> 0;
  }

  /**
   * secure_tcp_syn_cookie(): hash1 + the client's ISN + (count << 24) + ((hash2 + mssIndex) & mask).
   * `tuple` holds the connection's addresses and ports in its first `len` bytes.
   */
  make(tuple: Uint8Array, len: number, sseq: number, mssIndex: number, nowMs: number): number {
    const count = SynCookies.count(nowMs);
    return (this.hash(this.k1, tuple, len, 0) + sseq + ((count << COOKIEBITS) >>> 0) + ((this.hash(this.k2, tuple, len, count) + mssIndex) & COOKIEMASK)) >>> 0;
  }

  /** check_tcp_syn_cookie(): the MSS index, or -1 when the cookie is bad or too old. */
  check(tuple: Uint8Array, len: number, cookie: number, sseq: number, nowMs: number): number {
    const count = SynCookies.count(nowMs);
    const c = (cookie - this.hash(this.k1, tuple, len, 0) - sseq) >>> 0;
    const diff = (count - (c >>> COOKIEBITS)) & (0xffffffff >>> COOKIEBITS);
    if (diff >= MAX_SYNCOOKIE_AGE) return -1;
    const idx = (c - this.hash(this.k2, tuple, len, (count - diff) >>> 0)) & COOKIEMASK;
    return idx < 4 ? idx : -1;
  }
}

/** The largest msstab entry not above `mss` (cookie_v4_init_sequence's choice). */
export function cookieMssIndex(tab: readonly number[], mss: number): number {
  for (let i = tab.length - 1; i > 0; i--) if (mss >= tab[i]) return i;
  return 0;
}

/** cookie_init_timestamp(): the TSval's low 6 bits carry wscale and SACK; the rest is the clock, rounded down. */
export function cookieTimestamp(tsNow: number, o: CookieTsOptions): number {
  let opts = o.wscale >= 0 ? o.wscale & TS_OPT_WSCALE_MASK : 0xf;
  if (o.sackOk) opts |= TS_OPT_SACK;
  let ts = ((tsNow & ~0x3f) | opts) >>> 0;
  if (ts > tsNow >>> 0) ts = (ts - 64) >>> 0;
  return ts;
}

/** cookie_timestamp_decode(): the options a cookie's echoed TSval remembers. */
export function cookieTimestampDecode(tsecr: number): CookieTsOptions {
  const w = tsecr & TS_OPT_WSCALE_MASK;
  return { wscale: w === 0xf ? -1 : w, sackOk: (tsecr & TS_OPT_SACK) !== 0 };
}
