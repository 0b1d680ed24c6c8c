// 32-bit sequence-number arithmetic: before(), after() and between() of include/net/tcp.h.
// Sequence numbers are kept as unsigned 32-bit values (0 .. 2^32-1) in plain numbers.

/** seq1 comes strictly before seq2 in sequence space (RFC 9293 3.4, modulo 2^32). */
export function before(seq1: number, seq2: number): boolean {
  return ((seq1 - seq2) | 0) < 0;
}

/** seq2 comes strictly before seq1. */
export function after(seq1: number, seq2: number): boolean {
  return ((seq2 - seq1) | 0) < 0;
}

/** seq1 <= seq2 in sequence space. */
export function beforeEq(seq1: number, seq2: number): boolean {
  return ((seq1 - seq2) | 0) <= 0;
}

/** seq1 >= seq2 in sequence space. */
export function afterEq(seq1: number, seq2: number): boolean {
  return ((seq2 - seq1) | 0) <= 0;
}

/** low <= seq <= high, where the interval may wrap (the kernel's between()). */
export function between(seq: number, low: number, high: number): boolean {
  return ((high - low) >>> 0) >= ((seq - low) >>> 0);
}

/** seq + n, wrapped to an unsigned 32-bit value. */
export function seqAdd(seq: number, n: number): number {
  return (seq + n) >>> 0;
}

/** The distance from `from` forward to `to` (to − from modulo 2^32), as a signed 32-bit value. */
export function seqDiff(to: number, from: number): number {
  return (to - from) | 0;
}
