// Generic receive offload: napi_gro_receive / napi_gro_complete / napi_gro_flush (net/core/gro.c)
// with the gro_receive side of the dev_add_offload registry, for a driver whose frames arrive one
// segment each (a TAP without the virtio-net header, or with rx-gro-hw off).
import type { Net } from './net.js';
import { SkBuff } from './skbuff.js';

/** GRO_LEGACY_MAX_SIZE: no packet built here grows beyond it (nor its IP length beyond 65535). */
export const GRO_MAX_SIZE = 65536;

/**
 * A family's gro_receive (inet_gro_receive, ipv6_gro_receive) for the frame `skb` (data at the
 * network header): true when the cell took it (merged into the packet it holds, or held to start
 * one), false when it is to go up on its own.
 */
export type GroReceiveFn = (cell: GroCell, skb: SkBuff) => boolean;

/** The family's gro_complete: the network header of a built packet made true to its length. */
export type GroCompleteFn = (skb: SkBuff) => void;

/**
 * The transport's gro_complete (tcp4/tcp6_gro_complete), after the family's: the built packet
 * made a partial-checksum super-packet (`th` its transport header in skb.buf), as a sender's TSO
 * frame is, so that it can also be forwarded to a device that segments it.
 */
export type GroTransportCompleteFn = (skb: SkBuff, th: number) => void;

/**
 * A transport's gro_receive (tcp4/tcp6_gro_receive): `th` the transport header's offset in
 * skb.buf; `sameNet`, the family's verdict that the held packet's network header is this
 * frame's (same addresses and fields, IP ID in sequence); `complete` the family's gro_complete.
 */
export type GroTransportFn = (cell: GroCell, skb: SkBuff, th: number, sameNet: boolean, complete: GroCompleteFn) => boolean;

/** The 14 bytes of two frames' Ethernet headers are the same (compare_ether_header). */
export function sameEtherHeader(a: SkBuff, b: SkBuff): boolean {
  const x = a.buf;
  const y = b.buf;
  const i = a.macHeader;
  const j = b.macHeader;
  for (let k = 0; k < 14; k++) if (x[i + k] !== y[j + k]) return false;
  return true;
}

/**
 * One device's GRO state: at most one packet being built, from frames that come one after the
 * other in a read batch (napi keeps up to eight flows; a TAP's bulk flow arrives in runs, and one
 * held packet keeps delivery in arrival order). The first frame is held where it lies (the
 * receive ring stays valid until the batch ends); a second one makes the cell copy it into its
 * own buffer and append payloads there. flush() delivers what is held: as it came when it is one
 * frame, else completed as a super-packet (gso_size the first frame's payload; every frame's
 * checksum was verified before it was merged, and the transport's gro_complete leaves a partial
 * one, CHECKSUM_PARTIAL, as the kernel's tcp_gro_complete does).
 */
export class GroCell {
  /** The packet being built, or null. */
  held: SkBuff | null = null;
  /** Frames in it. */
  count = 0;
  /** gso_size of the result: the first frame's payload length. */
  mss = 0;
  /** The transport header's offset in held.buf and its length (the protocol's to compare). */
  th = 0;
  thlen = 0;
  /** The next sequence number the flow must bring (TCP). */
  nextSeq = 0;
  /** SKB_GSO_* of the built packet. */
  gsoType = 0;
  /** Packets built from more than one frame (the driver's rxGro). */
  built = 0;
  /** The frames in them (the driver's rxGroSegs). */
  mergedFrames = 0;
  private complete: GroCompleteFn | null = null;
  private tcomplete: GroTransportCompleteFn | null = null;
  /** Whether held lives in `buf` (a copy) rather than in the receive ring. */
  private own = false;
  private readonly buf = Buffer.allocUnsafe(GRO_MAX_SIZE + 256);

  constructor(private readonly net: Net) {}

  /** napi_gro_receive(): true when GRO took the frame; false after flushing, so the caller delivers it (order kept). */
  receive(skb: SkBuff): boolean {
    const fn = this.net.groReceiveFn(skb.protocol);
    if (fn !== undefined && fn(this, skb)) return true;
    this.flush();
    return false;
  }

  /** Starts a packet with `skb` (delivering any held one first). */
  hold(
    skb: SkBuff,
    th: number,
    thlen: number,
    nextSeq: number,
    mss: number,
    gsoType: number,
    complete: GroCompleteFn,
    tcomplete: GroTransportCompleteFn,
  ): void {
    this.flush();
    this.held = skb;
    this.count = 1;
    this.th = th;
    this.thlen = thlen;
    this.nextSeq = nextSeq;
    this.mss = mss;
    this.gsoType = gsoType;
    this.complete = complete;
    this.tcomplete = tcomplete;
    this.own = false;
  }

  /** Whether `len` more payload bytes fit the held packet (its IP length stays within 65535). */
  room(len: number): boolean {
    const h = this.held;
    return h !== null && h.tail - h.networkHeader + len <= 0xffff && h.tail - h.macHeader + len <= GRO_MAX_SIZE;
  }

  /**
   * skb_gro_receive(): `len` payload bytes of `skb` from `from` appended to the held packet
   * (room() first). The frame's own header bytes count in the device's receive counters here,
   * as a driver counts every frame; its payload counts with the packet it joined.
   */
  append(skb: SkBuff, from: number, len: number): void {
    if (!this.own) this.takeCopy();
    const h = this.held!;
    skb.buf.copy(h.buf, h.tail, from, from + len);
    h.tail += len;
    h.truesize += skb.truesize;
    // The first frame counts once a second joins it.
    this.mergedFrames += this.count === 1 ? 2 : 1;
    this.count++;
    const dev = skb.dev;
    if (dev !== null) {
      dev.stats.rxPackets++;
      dev.stats.rxBytes += skb.tail - skb.macHeader - len;
    }
  }

  /** napi_gro_flush(): the held packet goes up, completed when frames were merged into it. */
  flush(): void {
    const h = this.held;
    if (h === null) return;
    this.held = null;
    if (this.count > 1) {
      this.complete!(h);
      this.tcomplete!(h, this.th);
      h.gsoSize = this.mss;
      h.gsoType = this.gsoType;
      h.gsoSegs = this.count;
      this.built++;
    }
    this.net.netifReceiveSkb(h);
  }

  /** The held frame copied from the ring into `buf`, with its offsets and metadata. */
  private takeCopy(): void {
    const h = this.held!;
    const shift = -h.macHeader;
    h.buf.copy(this.buf, 0, h.macHeader, h.tail);
    const c = new SkBuff(this.buf, h.data + shift, h.tail - h.data);
    c.borrowed = true;
    c.dev = h.dev;
    c.protocol = h.protocol;
    c.pktType = h.pktType;
    c.macHeader = 0;
    c.networkHeader = h.networkHeader + shift;
    c.transportHeader = h.transportHeader >= 0 ? h.transportHeader + shift : -1;
    c.ipSummed = h.ipSummed;
    c.truesize = h.truesize;
    this.th += shift;
    this.held = c;
    this.own = true;
  }
}
