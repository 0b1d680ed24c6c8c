// The TCP header and its options on the wire: struct tcphdr, tcp_parse_options() and the option
// writers of tcp_options_write() (include/uapi/linux/tcp.h, net/ipv4/tcp_input.c, tcp_output.c).

export const TCP_HLEN = 20;
/** Largest header (data offset 15 words). */
export const TCP_MAX_HLEN = 60;

export const TCPOPT_EOL = 0;
export const TCPOPT_NOP = 1;
export const TCPOPT_MSS = 2;
export const TCPOPT_WINDOW = 3;
export const TCPOPT_SACK_PERM = 4;
export const TCPOPT_SACK = 5;
export const TCPOPT_TIMESTAMP = 8;

export const TCPOLEN_MSS = 4;
export const TCPOLEN_WINDOW = 3;
export const TCPOLEN_SACK_PERM = 2;
export const TCPOLEN_TIMESTAMP = 10;
/** NOP NOP TS: what every segment carries when timestamps are on. */
export const TCPOLEN_TSTAMP_ALIGNED = 12;
/** TCP_MAX_WSCALE: RFC 7323 caps the shift at 14. */
export const TCP_MAX_WSCALE = 14;

// Accessors of the fixed header at `off`.
export const tcpSport = (b: Uint8Array, off: number): number => (b[off] << 8) | b[off + 1];
export const tcpDport = (b: Uint8Array, off: number): number => (b[off + 2] << 8) | b[off + 3];
export const tcpSeq = (b: Uint8Array, off: number): number => ((b[off + 4] << 24) | (b[off + 5] << 16) | (b[off + 6] << 8) | b[off + 7]) >>> 0;
export const tcpAckSeq = (b: Uint8Array, off: number): number => ((b[off + 8] << 24) | (b[off + 9] << 16) | (b[off + 10] << 8) | b[off + 11]) >>> 0;
/** Header length in bytes (doff × 4). */
export const tcpDoff = (b: Uint8Array, off: number): number => (b[off + 12] >>> 4) << 2;
export const tcpFlags = (b: Uint8Array, off: number): number => b[off + 13];
export const tcpWindow = (b: Uint8Array, off: number): number => (b[off + 14] << 8) | b[off + 15];
export const tcpUrgPtr = (b: Uint8Array, off: number): number => (b[off + 18] << 8) | b[off + 19];

/**
 * What tcp_parse_options() found (struct tcp_options_received). One instance is reused for every
 * segment: parsing allocates nothing.
 */
export class TcpOptionsReceived {
  /** MSS option value, 0 when absent. */
  mss = 0;
  /** Window-scale shift, -1 when absent (clamped to 14 as Linux does, with a note). */
  wscale = -1;
  sackOk = false;
  /** A timestamp option was present. */
  sawTstamp = false;
  rcvTsval = 0;
  rcvTsecr = 0;
  /** SACK blocks (start, end pairs) in `sack`, count in numSacks (at most 4). */
  numSacks = 0;
  readonly sack = new Uint32Array(8);
  /** The option area was malformed (a length running past the header, or < 2). */
  malformed = false;

  reset(): void {
    this.mss = 0;
    this.wscale = -1;
    this.sackOk = false;
    this.sawTstamp = false;
    this.rcvTsval = 0;
    this.rcvTsecr = 0;
    this.numSacks = 0;
    this.malformed = false;
  }
}

const u32 = (b: Uint8Array, o: number): number => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;

/**
 * tcp_parse_options(): the options between the fixed header at `off` and `off + doff`. SYN-only
 * options (MSS, WS, SACK_PERM) are honoured only on a SYN, as Linux does; a wrong length of a
 * known option makes the option be ignored; a length < 2 or past the end stops the parse and
 * marks the area malformed.
 */
export function tcpParseOptions(b: Uint8Array, off: number, doff: number, syn: boolean, out: TcpOptionsReceived): void {
  out.reset();
  let p = off + TCP_HLEN;
  const end = off + doff;
  while (p < end) {
    const kind = b[p];
    if (kind === TCPOPT_EOL) return;
    if (kind === TCPOPT_NOP) {
      p++;
      continue;
    }
    if (p + 1 >= end) {
      out.malformed = true;
      return;
    }
    const len = b[p + 1];
    if (len < 2 || p + len > end) {
      out.malformed = true;
      return;
    }
    switch (kind) {
      case TCPOPT_MSS:
        if (len === TCPOLEN_MSS && syn) out.mss = (b[p + 2] << 8) | b[p + 3];
        break;
      case TCPOPT_WINDOW:
        if (len === TCPOLEN_WINDOW && syn) out.wscale = Math.min(b[p + 2], TCP_MAX_WSCALE);
        break;
      case TCPOPT_SACK_PERM:
        if (len === TCPOLEN_SACK_PERM && syn) out.sackOk = true;
        break;
      case TCPOPT_TIMESTAMP:
        if (len === TCPOLEN_TIMESTAMP) {
          out.sawTstamp = true;
          out.rcvTsval = u32(b, p + 2);
          out.rcvTsecr = u32(b, p + 6);
        }
        break;
      case TCPOPT_SACK:
        if (len >= 10 && (len - 2) % 8 === 0 && !syn) {
          const n = Math.min(4, (len - 2) >>> 3);
          for (let i = 0; i < n; i++) {
            out.sack[2 * i] = u32(b, p + 2 + 8 * i);
            out.sack[2 * i + 1] = u32(b, p + 6 + 8 * i);
          }
          out.numSacks = n;
        }
        break;
      default:
        break;
    }
    p += len;
  }
}

/** What a segment's option area carries when we build it (the parts of struct tcp_out_options). */
export interface TcpOutOptions {
  /** MSS to announce (SYN / SYN-ACK), 0: none. */
  mss: number;
  /** Window-scale shift to announce, -1: none. */
  wscale: number;
  sackOk: boolean;
  /** Put a timestamp option in. */
  ts: boolean;
  tsval: number;
  tsecr: number;
  /** SACK blocks to send: pairs in `sack`, count numSacks. */
  numSacks: number;
  sack: Uint32Array;
}

/** Bytes the options of `o` take, padded to 4 (tcp_syn_options / tcp_established_options). */
export function tcpOptionsSize(o: TcpOutOptions): number {
  let n = 0;
  if (o.mss) n += TCPOLEN_MSS;
  // SACK_PERM rides in the first two bytes of the timestamp option's NOP NOP when both are on.
  if (o.ts) n += TCPOLEN_TSTAMP_ALIGNED;
  else if (o.sackOk) n += 4;
  if (o.wscale >= 0) n += 4;
  if (o.numSacks > 0) n += 4 + 8 * o.numSacks;
  return n;
}

/**
 * A 32-bit field, big-endian. Callers pass the value as a signed 32-bit one (`| 0`): sequence
 * numbers and timestamps are kept unsigned, and one at or above 2^31 is no small integer, so
 * handing it to a call V8 did not inline would box it — a 16-byte heap number per segment.
 */
const w32 = (b: Uint8Array, o: number, v: number): void => {
  b[o] = v >>> 24;
  b[o + 1] = (v >>> 16) & 0xff;
  b[o + 2] = (v >>> 8) & 0xff;
  b[o + 3] = v & 0xff;
};

/**
 * tcp_options_write(): Linux's order — MSS; SACK_PERM + TS (the SACK_PERM replaces the two NOPs
 * before the timestamp), or NOP NOP TS, or NOP NOP SACK_PERM; NOP WS; NOP NOP SACK blocks. A
 * Linux SYN is therefore MSS, SACK_PERM, TS, NOP, WS (20 bytes). Returns the bytes written.
 */
export function tcpOptionsWrite(b: Uint8Array, p: number, o: TcpOutOptions): number {
  const start = p;
  if (o.mss) {
    b[p] = TCPOPT_MSS;
    b[p + 1] = TCPOLEN_MSS;
    b[p + 2] = o.mss >>> 8;
    b[p + 3] = o.mss & 0xff;
    p += 4;
  }
  if (o.ts) {
    if (o.sackOk) {
      b[p] = TCPOPT_SACK_PERM;
      b[p + 1] = TCPOLEN_SACK_PERM;
    } else {
      b[p] = TCPOPT_NOP;
      b[p + 1] = TCPOPT_NOP;
    }
    b[p + 2] = TCPOPT_TIMESTAMP;
    b[p + 3] = TCPOLEN_TIMESTAMP;
    w32(b, p + 4, o.tsval | 0);
    w32(b, p + 8, o.tsecr | 0);
    p += 12;
  } else if (o.sackOk) {
    b[p] = TCPOPT_NOP;
    b[p + 1] = TCPOPT_NOP;
    b[p + 2] = TCPOPT_SACK_PERM;
    b[p + 3] = TCPOLEN_SACK_PERM;
    p += 4;
  }
  if (o.wscale >= 0) {
    b[p] = TCPOPT_NOP;
    b[p + 1] = TCPOPT_WINDOW;
    b[p + 2] = TCPOLEN_WINDOW;
    b[p + 3] = o.wscale;
    p += 4;
  }
  if (o.numSacks > 0) {
    b[p] = TCPOPT_NOP;
    b[p + 1] = TCPOPT_NOP;
    b[p + 2] = TCPOPT_SACK;
    b[p + 3] = 2 + 8 * o.numSacks;
    p += 4;
    for (let i = 0; i < o.numSacks; i++) {
      w32(b, p, o.sack[2 * i] | 0);
      w32(b, p + 4, o.sack[2 * i + 1] | 0);
      p += 8;
    }
  }
  return p - start;
}

/** Writes the fixed header at `off` (checksum zero; the family's glue fills it). */
export function tcpHeaderWrite(
  b: Uint8Array,
  off: number,
  sport: number,
  dport: number,
  seq: number,
  ack: number,
  hlen: number,
  flags: number,
  window: number,
): void {
  b[off] = sport >>> 8;
  b[off + 1] = sport & 0xff;
  b[off + 2] = dport >>> 8;
  b[off + 3] = dport & 0xff;
  w32(b, off + 4, seq | 0);
  w32(b, off + 8, ack | 0);
  b[off + 12] = (hlen >>> 2) << 4;
  b[off + 13] = flags;
  b[off + 14] = window >>> 8;
  b[off + 15] = window & 0xff;
  b[off + 16] = 0;
  b[off + 17] = 0;
  b[off + 18] = 0;
  b[off + 19] = 0;
}

/** A fresh, empty TcpOutOptions (one per socket, reused for each segment). */
export function newOutOptions(): TcpOutOptions {
  return { mss: 0, wscale: -1, sackOk: false, ts: false, tsval: 0, tsecr: 0, numSacks: 0, sack: new Uint32Array(8) };
}
