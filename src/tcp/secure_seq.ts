// Initial sequence numbers, timestamp offsets and ephemeral-port offsets from a per-namespace
// secret: secure_tcp_seq(), secure_tcp_ts_off() and secure_ipv4_port_ephemeral() of
// net/core/secure_seq.c (RFC 6528: ISN = M + F(4-tuple, secret), M a 4 µs... here 64 ns clock).
import { createHmac, randomBytes } from 'node:crypto';

/** The 4-tuple's bytes as one key for the keyed hash (addresses as given, ports big-endian). */
function tupleBytes(saddr: Uint8Array, daddr: Uint8Array, sport: number, dport: number): Buffer {
  const b = Buffer.allocUnsafe(saddr.length + daddr.length + 4);
  b.set(saddr, 0);
  b.set(daddr, saddr.length);
  b.writeUInt16BE(sport, saddr.length + daddr.length);
  b.writeUInt16BE(dport, saddr.length + daddr.length + 2);
  return b;
}

/** The secrets of one namespace (net_secret / ts_secret / port secret). */
export class SecureSeq {
  private readonly seqKey: Buffer;
  private readonly tsKey: Buffer;
  private readonly portKey: Buffer;

  constructor(random: () => number = Math.random, deterministic = false) {
    if (deterministic) {
      // Tests with a seeded random get reproducible numbers.
      const k = Buffer.alloc(48);
      for (let i = 0; i < k.length; i++) k[i] = Math.floor(random() * 256) & 0xff;
      this.seqKey = k.subarray(0, 16);
      this.tsKey = k.subarray(16, 32);
      this.portKey = k.subarray(32, 48);
    } else {
      this.seqKey = randomBytes(16);
      this.tsKey = randomBytes(16);
      this.portKey = randomBytes(16);
    }
  }

  private h32(key: Buffer, data: Buffer): number {
    return createHmac('sha256', key).update(data).digest().readUInt32BE(0);
  }

  /**
   * secure_tcp_seq(): the keyed hash of the 4-tuple plus the 64 ns clock (seq_scale), so a
   * reincarnation of the same 4-tuple starts higher than the last one did (TIME_WAIT reuse).
   */
  isn(saddr: Uint8Array, daddr: Uint8Array, sport: number, dport: number, nowMs: number): number {
    const ns64 = Math.floor((nowMs * 1e6) / 64);
    return (this.h32(this.seqKey, tupleBytes(saddr, daddr, sport, dport)) + ns64) >>> 0;
  }

  /** secure_tcp_ts_off(): a per-pair offset added to the 1 kHz timestamp clock. */
  tsOff(saddr: Uint8Array, daddr: Uint8Array): number {
    return this.h32(this.tsKey, Buffer.concat([saddr, daddr]));
  }

  /** secure_ipv4_port_ephemeral(): where the ephemeral-port search starts for this destination. */
  portOffset(saddr: Uint8Array, daddr: Uint8Array, dport: number): number {
    return this.h32(this.portKey, tupleBytes(saddr, daddr, 0, dport));
  }
}
